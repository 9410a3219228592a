"""Files users bring: a match of their own (JSON or CSV) and fixture lists for batch predictions.

Match file, JSON::

    {"home": "Belgium", "away": "Japan", "date": "2018-07-02",
     "competition": "FIFA World Cup", "stage": "round of 16", "neutral": true, "knockout": true,
     "elo_home": null, "elo_away": null, "extra_time": null, "shootout_winner": null,
     "events": [{"type": "goal", "minute": 48, "team": "Japan", "player": "Genki Haraguchi"},
                {"type": "goal", "minute": 90, "stoppage": 4, "team": "Belgium"},
                {"type": "red_card", "minute": 30, "team": "Belgium"}]}

- ``type`` is ``goal`` or ``red_card``; a goal's ``team`` is the team it counts for (for an own
  goal, set ``own_goal: true`` and name the team that benefits); a red card's ``team`` is the
  team that goes down to ten (a second yellow counts as a red).
- ``minute`` 1–120 and ``stoppage`` ≥ 0: 90+4' is ``minute: 90, stoppage: 4``. Minutes after 90
  need ``knockout: true``.
- ``elo_home``/``elo_away`` give ratings for teams the store does not know (or to override it).
- The final score is counted from the goals.

Match file, CSV: one row per event with the columns ``home, away, date, neutral, knockout,
competition, stage, type, minute, stoppage, team, player, own_goal, penalty, shootout_winner``
(the match columns repeat on every row; a match without events has one row with empty ``type``).

Errors name the file, the line (CSV) or the field path (JSON, e.g. ``events[2].minute``). The
rules and limits are those of :mod:`heartbreak.rules`, the same for every way a match comes in.

Files are read as UTF-8 (a byte-order mark is accepted) and at most :data:`MAX_FILE_BYTES`; a
file in another encoding (Latin-1, UTF-16) or a binary file stops with one line naming the file
and the encoding. JSON is nested at most :data:`MAX_JSON_DEPTH` deep; a CSV field is at most
:data:`MAX_CSV_FIELD` characters, a match file has a row per event (at most
:data:`heartbreak.rules.MAX_EVENTS`) and a fixtures file at most :data:`MAX_FIXTURES` rows.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from heartbreak.dates import Day
from heartbreak.domain import Event, EventType, Period, Side
from heartbreak.errors import InvalidInput, UnknownTeam
from heartbreak.rules import (
    MAX_EVENTS,
    MAX_STOPPAGE,
    FieldError,
    MatchHeader,
    RuleBroken,
    TeamName,
    Text,
    check_events,
    check_teams,
    invalid_input,
)

#: The largest file read (story --file, import, predict --batch, a StatsBomb lineup): 16 MiB.
#: A StatsBomb events file of a match with extra time is about 5 MB.
MAX_FILE_BYTES = 16 * 1024 * 1024
#: The deepest nesting of arrays and objects read from a JSON file (StatsBomb's is 6).
MAX_JSON_DEPTH = 64
#: The longest CSV field read, in characters (every text field is far shorter; see
#: :mod:`heartbreak.rules`), set for each read with :func:`csv.field_size_limit`.
MAX_CSV_FIELD = 64 * 1024
#: The most fixtures one ``predict --batch`` file may hold.
MAX_FIXTURES = 10_000


class UserEvent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["goal", "red_card"]
    minute: int = Field(ge=1, le=120)
    stoppage: int = Field(default=0, ge=0, le=MAX_STOPPAGE)
    team: TeamName
    player: Text = None
    own_goal: bool = False
    penalty: bool = False


class UserMatch(MatchHeader):
    """A match of the user's own (see the module docstring): :class:`heartbreak.rules.
    MatchHeader` with its events, held to :func:`heartbreak.rules.check_events`."""

    extra_time: bool | None = None
    shootout_winner: TeamName | None = None
    events: list[UserEvent] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> UserMatch:
        teams = {self.home.casefold(), self.away.casefold()}
        if len(self.events) > MAX_EVENTS:
            raise FieldError("events", f"more than {MAX_EVENTS} goals and red cards in one match")
        for i, event in enumerate(self.events):
            if event.team.casefold() not in teams:
                raise FieldError(
                    f"events[{i}].team",
                    f"{event.team!r} is neither {self.home!r} nor {self.away!r}",
                )
        if self.shootout_winner is not None and self.shootout_winner.casefold() not in teams:
            raise FieldError("shootout_winner", f"{self.shootout_winner!r} did not play")
        events, index = domain_events(self)
        try:
            check_events(events, self.knockout, (self.home, self.away))
        except RuleBroken as exc:
            at = index.get(id(exc.event))
            field = "shootout_winner" if at is None else f"events[{at}].{exc.field}"
            raise FieldError(field, exc.message) from None
        return self


def domain_events(user: UserMatch) -> tuple[list[Event], dict[int, int]]:
    """The user's goals and red cards as domain events in match order (then in the order of the
    file), the shootout last; and the position in ``user.events`` of each (by ``id``)."""

    def side_of(team: str) -> Side:
        return Side.HOME if team.casefold() == user.home.casefold() else Side.AWAY

    made = [
        (
            Event(
                EventType.GOAL if e.type == "goal" else EventType.RED_CARD,
                e.minute,
                e.stoppage,
                side=side_of(e.team),
                player=e.player,
                own_goal=e.own_goal,
                penalty=e.penalty,
            ),
            i,
        )
        for i, e in enumerate(user.events)
    ]
    made.sort(key=lambda item: (item[0].sort_key, item[1]))
    events = [event for event, _ in made]
    index = {id(event): i for event, i in made}
    if user.shootout_winner is not None:
        events.append(
            Event(
                EventType.SHOOTOUT, 120, side=side_of(user.shootout_winner), period=Period.SHOOTOUT
            )
        )
    return events, index


def validate_match(data: Any, where: str, context: dict[str, Any] | None = None) -> UserMatch:
    """A match (JSON-like data) validated as a :class:`UserMatch`; an error names ``where``
    (the file) and the field."""
    try:
        return UserMatch.model_validate(data, context=context)
    except ValidationError as exc:
        raise invalid_input(exc, where) from None


def validation_message(exc: ValidationError, where: str | None = None) -> str:
    """The one line of a pydantic validation error: ``where`` (the file, ``file:line``) when
    given, then the field and what is wrong (``events[2].minute: ...``), as
    :func:`heartbreak.rules.invalid_input` words it."""
    return invalid_input(exc, where).message


# Kept for the readers that built their messages with it (exchange, usermatches).
_pydantic_message = validation_message


# --------------------------------------------------------------------------- reading files


def read_bytes(path: str | Path, what: str) -> bytes:
    """The bytes of a user's file, at most :data:`MAX_FILE_BYTES`; errors name ``what`` (the
    argument or option it came from) and the file."""
    path = Path(path)
    try:
        if path.is_dir():
            raise InvalidInput(f"{what}: {path} is a folder, not a file")
        if path.exists() and not path.is_file():
            raise InvalidInput(f"{what}: {path} is not a regular file")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InvalidInput(
                f"{path}: {size:,} bytes; files of at most {MAX_FILE_BYTES // 2**20} MiB are read"
            )
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise InvalidInput(f"{what}: cannot read {path}: {exc.strerror or exc}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise InvalidInput(f"{path}: files of at most {MAX_FILE_BYTES // 2**20} MiB are read")
    return raw


def _looks_utf16(raw: bytes) -> bool:
    """Text in UTF-16 without a byte-order mark: mostly NUL bytes at every other position."""
    sample = raw[:4096]
    if len(sample) < 4:
        return False
    even, odd = sample[0::2], sample[1::2]
    return max(even.count(0) / len(even), odd.count(0) / len(odd)) > 0.4


def decode_text(raw: bytes, path: str | Path) -> str:
    """UTF-8 text (a byte-order mark dropped); any other encoding, or a binary file, stops with
    one line naming the file and what it holds."""
    encoding = None
    if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        encoding = "UTF-32"
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or (
        b"\x00" in raw[:4096] and _looks_utf16(raw)
    ):
        encoding = "UTF-16"
    if encoding is not None:
        raise InvalidInput(f"{path}: the file is {encoding} text, not UTF-8; save it as UTF-8")
    if b"\x00" in raw:
        raise InvalidInput(f"{path}: a binary file (it holds NUL bytes), not UTF-8 text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        byte = raw[exc.start]
        hint = ""
        with contextlib.suppress(UnicodeDecodeError):
            raw.decode("cp1252")
            hint = "; it looks like Latin-1 (ISO-8859-1) or Windows-1252"
        raise InvalidInput(
            f"{path}: not UTF-8 text (byte 0x{byte:02x} at offset {exc.start}{hint}); "
            "save it as UTF-8"
        ) from None


def read_text(path: str | Path, what: str) -> str:
    """A user's text file (see :func:`read_bytes` and :func:`decode_text`)."""
    return decode_text(read_bytes(path, what), path)


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_NESTING = re.compile(r"[\[\]{}]")


def _too_deep(text: str, limit: int) -> bool:
    """Whether JSON text nests arrays and objects more than ``limit`` deep (strings skipped)."""
    depth = 0
    for found in _JSON_NESTING.finditer(_JSON_STRING.sub('""', text)):
        if found.group() in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def parse_json(text: str, path: str | Path) -> Any:
    """JSON text, nested at most :data:`MAX_JSON_DEPTH` deep; an error names the file (and the
    line)."""
    if _too_deep(text, MAX_JSON_DEPTH):
        raise InvalidInput(
            f"{path}: JSON nested more than {MAX_JSON_DEPTH} deep; a match file is nested 3 deep"
        )
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    except (ValueError, RecursionError) as exc:  # e.g. a number of more than 4,300 digits
        detail = " ".join(str(exc).split()[:8])
        raise InvalidInput(f"{path}: not valid JSON ({detail})") from None


def read_json(path: str | Path, what: str) -> tuple[bytes, Any]:
    """A user's JSON file: its bytes and its data (see :func:`read_text`, :func:`parse_json`)."""
    raw = read_bytes(path, what)
    return raw, parse_json(decode_text(raw, path), path)


@contextlib.contextmanager
def _csv_field_limit() -> Iterator[None]:
    previous = csv.field_size_limit(MAX_CSV_FIELD)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def csv_rows(
    text: str, path: str | Path, required: set[str], most: int, what: str
) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and the rows (with their line numbers) of CSV text: the ``required`` columns
    present, at most ``most`` rows (``what`` they are, for the message), no field over
    :data:`MAX_CSV_FIELD` characters."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows: list[tuple[int, dict[str, str]]] = []
    line = 1
    with _csv_field_limit():
        try:
            fields = list(reader.fieldnames or [])
            missing = required - set(fields)
            if missing:
                raise InvalidInput(f"{path}:1: missing column(s) {', '.join(sorted(missing))}")
            line = reader.line_num + 1
            for row in reader:
                if len(rows) == most:
                    raise InvalidInput(f"{path}:{line}: more than {most:,} {what} in one file")
                rows.append((line, row))
                line = reader.line_num + 1
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise InvalidInput(
                    f"{path}:{line}: a field longer than {MAX_CSV_FIELD:,} characters"
                ) from None
            raise InvalidInput(f"{path}:{line}: not valid CSV ({exc})") from None
    return fields, rows


# --------------------------------------------------------------------------- match files


def load_match_file(
    path: str | Path, context: dict[str, Any] | None = None, what: str = "--file"
) -> UserMatch:
    """Read and validate a user's match file (``.json`` or ``.csv``); ``context`` as for
    :class:`heartbreak.rules.MatchHeader` (the store's resolver of team names); ``what``: the
    argument that named the file, for the messages."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".json", ".csv"):
        raise InvalidInput(f"{what}: {path} must be a .json or .csv file")
    text = read_text(path, what)
    if suffix == ".json":
        if not text.lstrip().startswith("{"):  # judged before parsing what cannot be a match
            raise InvalidInput(
                f"{path}: a match file holds one JSON object (a list of matches is for "
                "heartbreak import)"
            )
        return validate_match(parse_json(text, path), str(path), context)
    return _match_from_csv(path, text, context)


_MATCH_COLUMNS = (
    "home",
    "away",
    "date",
    "neutral",
    "knockout",
    "competition",
    "stage",
    "shootout_winner",
)
_EVENT_COLUMNS = ("type", "minute", "stoppage", "team", "player", "own_goal", "penalty")


def _match_from_csv(path: Path, text: str, context: dict[str, Any] | None = None) -> UserMatch:
    _, rows = csv_rows(text, path, {"home", "away", "date"}, MAX_EVENTS + 1, "rows (events)")
    if not rows:
        raise InvalidInput(
            f"{path}:2: no rows (one row per event; one row for a match without events)"
        )
    first_line, first = rows[0]
    match = {k: first[k] for k in _MATCH_COLUMNS if first.get(k) not in (None, "")}
    events = []
    for line, row in rows:
        for key in _MATCH_COLUMNS:
            if (row.get(key) or "") != (first.get(key) or ""):
                raise InvalidInput(
                    f"{path}:{line}: {key}: {row.get(key)!r} differs from line {first_line}"
                )
        if not (row.get("type") or "").strip():
            continue
        event = {k: row[k] for k in _EVENT_COLUMNS if row.get(k) not in (None, "")}
        try:
            events.append(UserEvent.model_validate(event))
        except ValidationError as exc:
            raise invalid_input(exc, f"{path}:{line}") from None
    data = {**match, "events": [e.model_dump() for e in events]}
    return validate_match(data, str(path), context)


# --------------------------------------------------------------------------- fixtures

_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f", ""}


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = (value or "").strip().lower() if isinstance(value, str | None) else None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{value!r} is not true/false")


Flag = Annotated[bool, BeforeValidator(_flag)]


class Fixture(BaseModel):
    """A row of a ``predict --batch`` file: a date, two teams (not one team twice, through any
    alias), the venue and the stakes (``true``/``1``/``yes``/``y``/``t`` or ``false``/``0``/
    ``no``/``n``/``f``/empty; ``knockout`` may be left out). The date is judged first, then the
    teams, then the flags; an empty cell (``None``, a short row) is an empty team name.

    Validate with ``context={"resolve": ...}`` (a :data:`heartbreak.rules.Resolve`) to tell a
    team from itself through the store's aliases, and ``"canonical"``: a callable (name, date)
    → the canonical name, raising :class:`~heartbreak.errors.UnknownTeam` for an unknown one,
    to have ``home`` and ``away`` as the canonical names."""

    model_config = ConfigDict(extra="ignore")

    date: Day
    home: TeamName
    away: TeamName
    neutral: Flag = False
    knockout: Flag = False

    @field_validator("home", "away", mode="before")
    @classmethod
    def _empty_cell(cls, value: Any) -> Any:
        return "" if value is None else value

    @model_validator(mode="after")
    def _teams(self, info: ValidationInfo) -> Fixture:
        context = info.context or {}
        canonical = context.get("canonical")
        names = (self.home, self.away)
        if canonical is not None:
            names = tuple(self._canonical(canonical, side) for side in ("home", "away"))
        check_teams(self.home, self.away, self.date, context.get("resolve"))
        self.home, self.away = names
        return self

    def _canonical(self, canonical: Any, side: str) -> str:
        try:
            return canonical(getattr(self, side), self.date)
        except UnknownTeam as exc:
            raise UnknownTeam(exc.name, exc.suggestions, field=side) from None


def read_fixtures(path: str | Path) -> list[tuple[int, dict[str, str]]]:
    """Rows of a fixtures CSV (home, away, date, neutral[, knockout]) with their line numbers
    (at most :data:`MAX_FIXTURES`)."""
    path = Path(path)
    text = read_text(path, "--batch")
    _, rows = csv_rows(text, path, {"home", "away", "date", "neutral"}, MAX_FIXTURES, "fixtures")
    return rows


def validate_fixture(
    row: dict[str, str], where: str, context: dict[str, Any] | None = None
) -> Fixture:
    """A fixtures row validated as a :class:`Fixture` (``context`` as there); an error, and an
    unknown team, is an :class:`InvalidInput` naming ``where`` (file:line) and the field."""
    try:
        return Fixture.model_validate(row, context=context)
    except ValidationError as exc:
        raise invalid_input(exc, where) from None
    except UnknownTeam as exc:
        raise InvalidInput(f"{where}: {exc}", field=exc.field) from None


def load_fixtures(
    path: str | Path, context: dict[str, Any] | None = None
) -> Iterator[tuple[int, Fixture]]:
    """The fixtures of a ``predict --batch`` file with their line numbers, each validated once
    as a :class:`Fixture` (``context`` as there) as it is reached: the file is read (and its
    columns and size judged) first, then row by row; a bad row stops with its file and line."""
    for line, row in read_fixtures(path):
        yield line, validate_fixture(row, f"{path}:{line}", context)
