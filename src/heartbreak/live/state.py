"""The pure core of live mode: a live match's definition and the fold of its message log.

A live feed sends *messages*, each keyed by the sender's ``event_id``:

- ``goal``, ``red_card`` (``second_yellow``: a second booking), ``yellow_card``, ``shootout``
  (the shootout's winner), ``period_end`` (half-time, full time, extra-time half-time, end of
  extra time) and ``stoppage`` (minutes added announced): an event, version 1 unless
  ``version`` says otherwise;
- ``period_start`` (``period``: a period kicks off) and ``clock`` (``minute``, optional
  ``stoppage`` and ``period``: the feed's time update): they move the clock and nothing else,
  they are not events; sent again under the same ``event_id`` (or under new ones), the
  furthest position stands;
- ``correction``: a new version (``version`` ≥ 2) of an event, carrying only the fields that
  change (minute, stoppage, side, player, own_goal, penalty, added);
- ``retraction``: the event (or clock update) is removed (as after a VAR review), whenever it
  arrives.

:func:`effective_events` folds any collection of messages into the events that stand, so the
same set of messages replays to the same events whatever their order or repetition.
:func:`current_clock` is the furthest match time of everything that stands: events, period
ends and starts, stoppage announcements and clock updates alike (a clock update never takes
the clock back; retract it to do so). ``stoppage``, ``period_start`` and ``clock`` never reach
the events, so they change what is visible (the replay cut at the clock), never the
probabilities. Nor do yellow cards: they count only for a group's fair play
(:func:`bookings_of_records`).
No files, no clock, no store: messages in, domain objects out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from heartbreak.domain import Event, EventType, Match, MatchInfo, Period, Side, minute_label
from heartbreak.errors import InvalidInput
from heartbreak.rules import (
    MAX_EVENT_ID,
    MAX_STOPPAGE,
    SHOOTOUT_OUTSIDE_KNOCKOUT,
    FieldError,
    MatchHeader,
    Resolve,
    RuleBroken,
    Text,
    check_events,
    check_teams,
    extra_time_outside_knockout,
    invalid_input,
)

#: Message types that create an event (version 1 by default).
EVENT_TYPES = ("goal", "red_card", "yellow_card", "period_end", "stoppage", "shootout")
#: Message types that only move the clock (version 1 by default; the furthest stands).
CLOCK_TYPES = ("period_start", "clock")
#: Every message type.
MESSAGE_TYPES = (*EVENT_TYPES, *CLOCK_TYPES, "correction", "retraction")
#: Record types that stand but are not events of the match.
_NOT_EVENTS = ("stoppage", "yellow_card", *CLOCK_TYPES)
#: Fields a correction may change.
CORRECTABLE = ("minute", "stoppage", "side", "player", "own_goal", "penalty", "added")
_PLAY_PERIODS = (Period.FIRST_HALF, Period.SECOND_HALF, Period.EXTRA_FIRST, Period.EXTRA_SECOND)
_MAX_STOPPAGE = MAX_STOPPAGE


@dataclass(frozen=True, slots=True)
class LiveMatch:
    """What is known before kick-off of a live match; ratings default to the store's."""

    home: str
    away: str
    date: dt.date
    neutral: bool = False
    knockout: bool = False
    competition: str = "Friendly"
    stage: str | None = None
    city: str | None = None
    country: str | None = None
    elo_home: float | None = None
    elo_away: float | None = None
    year: int | None = None
    group: str | None = None

    @property
    def group_key(self) -> tuple[str, int, str] | None:
        """The tournament group it is played in (competition, year, group), or None."""
        if self.group is None or self.year is None:
            return None
        return (self.competition, self.year, self.group)

    def info(self) -> MatchInfo:
        return MatchInfo(
            home=self.home,
            away=self.away,
            date=self.date,
            competition=self.competition,
            stage=self.stage,
            knockout=self.knockout,
            neutral=self.neutral,
            city=self.city,
            country=self.country,
        )

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["date"] = self.date.isoformat()
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LiveMatch:
        """A definition from JSON-like data, held to :class:`LiveDefinition`; an error names
        the field. (Whether its two teams are one is :func:`check_two_teams`'s.)"""
        if not isinstance(data, Mapping):
            raise InvalidInput("body: a live match is a JSON object", field="body")
        try:
            valid = LiveDefinition.model_validate(dict(data))
        except ValidationError as exc:
            raise invalid_input(exc) from None
        return cls.of(valid)

    @classmethod
    def of(cls, definition: LiveDefinition) -> LiveMatch:
        """The live match of a validated definition."""
        return cls(**definition.model_dump())


#: The descriptions of a live match's fields in the API's schema.
_DESCRIPTIONS = {
    "home": "Home (or first-named) team.",
    "away": "Away (or second-named) team.",
    "date": "Match date, YYYY-MM-DD.",
    "neutral": "Played on neutral ground.",
    "knockout": "Needs a winner (extra time, shootout).",
    "elo_home": "Rating; default: the store's as of date.",
    "elo_away": "Rating; default: the store's as of date.",
    "competition": "Competition; with year and group, a final tournament the store models.",
    "year": "The tournament's year (default: the date's), with group.",
    "group": 'The tournament\'s group ("H" or "Group H"): a goal in another live match of'
    " the group played at the same time moves this one's stakes.",
}


def _describe(schema: dict[str, Any]) -> None:
    schema["description"] = "A live match: what is known before kick-off."
    for name, text in _DESCRIPTIONS.items():
        schema["properties"][name].setdefault("description", text)


class LiveDefinition(MatchHeader):
    """The definition of a live match, the body of ``POST /api/live``: :class:`heartbreak.rules.
    MatchHeader` (teams, date, competition, stage, venue, stakes, ratings, within the limits)
    with the city and the country.

    The model holds the definition's shape (types, required and unknown fields, limits), which
    needs no store, so the API validates the body with it. Whether the two teams are one under
    two names ("Korea Republic" v "South Korea") needs the store's aliases: the service judges
    it afterwards (:func:`check_two_teams`), not the model."""

    model_config = ConfigDict(json_schema_extra=_describe)

    city: Text = None
    country: Text = None
    year: Annotated[int | None, Field(ge=1872, le=2100)] = None
    group: Text = None

    @model_validator(mode="after")
    def _two_teams(self, info: ValidationInfo) -> LiveDefinition:
        """:class:`~heartbreak.rules.MatchHeader`'s check of the two teams (a validator of the
        same name replaces it), left to the service: :func:`check_two_teams`. A group is of a
        tournament: its year is the date's unless given, and it is no knockout. (Whether the
        store models that group and fixture is the service's to judge.)"""
        if self.group is None:
            if self.year is not None:
                raise FieldError("year", "a year names a tournament's group: give group too")
            return self
        if not self.group.strip():
            raise FieldError("group", 'a group is named ("H", "Group H")')
        if self.competition == "Friendly":
            raise FieldError("competition", "a group is of a tournament: give its competition")
        if self.knockout:
            raise FieldError("knockout", "a group match is not a knockout")
        if self.year is None:
            self.year = self.date.year
        return self


def check_two_teams(match: LiveMatch, resolve: Resolve | None = None) -> None:
    """A team cannot play itself under another name (:func:`heartbreak.rules.check_teams`,
    through ``resolve``, the store's names and aliases, when given); the error names ``away``."""
    try:
        check_teams(match.home, match.away, match.date, resolve)
    except FieldError as exc:
        raise InvalidInput(str(exc), field=exc.field) from None


# --- messages ------------------------------------------------------------------------------
#
# One pydantic model a message type, joined in :data:`LiveMessage` (the ``type`` picks the
# model) and validated once, with the live match in the validation context (a team's name
# becomes a side). Every field of the message is validated and every error kept; the one
# reported (:func:`message_error`) is the first by precedence: the event id, the type, a field
# the type does not have (the first in alphabetical order), the version, a field the type needs
# (none given, or null), then the other fields in their order (period, minute, stoppage, added,
# team, player, own_goal, penalty). The rules over several fields (a clock update's minute in
# its period, an event from 1', no extra time outside a knockout) are judged once every field
# is valid. A message's canonical form (:meth:`_Message.canonical`) has the teams as sides and
# no empty fields: the log keeps it and keys it by its content (:func:`message_key`).

_PERIOD_NAMES = tuple(p.value for p in _PLAY_PERIODS)


def _event_id(value: Any) -> str:
    """The sender's id of an event: text or a whole number, of 1 to :data:`MAX_EVENT_ID`
    characters; as text."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**63:
        raise ValueError(f"at most {MAX_EVENT_ID} characters")
    if not isinstance(value, str | int) or isinstance(value, bool) or not str(value):
        raise ValueError("the sender's id of the event is required")
    if len(str(value)) > MAX_EVENT_ID:
        raise ValueError(f"at most {MAX_EVENT_ID} characters")
    return str(value)


def _version(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError("must be a whole number from 1")
    return value


def _correction_version(value: Any) -> int:
    if _version(value) < 2:
        raise ValueError("a correction is version 2 or later")
    return value


def _unknown_type(value: Any) -> Any:
    raise ValueError(f"{value!r} is not one of {', '.join(MESSAGE_TYPES)}")


def _period(value: Any) -> str:
    """A period that is played (not the shootout): its name."""
    if value not in _PERIOD_NAMES:
        raise ValueError(f"{value!r} is not one of {', '.join(_PERIOD_NAMES)}")
    return str(value)


def _optional_period(value: Any) -> str | None:
    return None if value is None else _period(value)


def _whole(low: int, high: int) -> Callable[[Any], int | None]:
    """A whole number from ``low`` to ``high``; None stays None (a field left out)."""

    def check(value: Any) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("must be a whole number")
        if not low <= value <= high:
            raise ValueError(f"{value} is not between {low} and {high}")
        return value

    return check


def _flag(value: Any) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _match_of(info: ValidationInfo) -> LiveMatch:
    match = (info.context or {}).get("match")
    if not isinstance(match, LiveMatch):
        raise TypeError("a live message is validated with context={'match': <its LiveMatch>}")
    return match


def _side(value: Any, info: ValidationInfo) -> str | None:
    """A team as a side: ``home``, ``away`` or the team's name (any case); None stays None."""
    if value is None:
        return None
    match = _match_of(info)
    text = str(value).strip()
    if text.casefold() in ("home", match.home.casefold()):
        return "home"
    if text.casefold() in ("away", match.away.casefold()):
        return "away"
    raise ValueError(f"{value!r} is neither {match.home} nor {match.away} (nor home/away)")


def _required(missing: str) -> BeforeValidator:
    """A field its message type needs: none given, or null, is missing (``missing`` says
    what). Placed after the field's type in ``Annotated`` (pydantic runs the last
    before-validator first), with :data:`_CHECKED` so that a field left out is judged too."""

    def present(value: Any) -> Any:
        if value is None:
            raise PydanticCustomError("missing", missing)
        return value

    return BeforeValidator(present)


#: Judge a field's default too (a field left out): what a field that is needed carries.
_CHECKED = Field(validate_default=True)

EventId = Annotated[str, BeforeValidator(_event_id), _CHECKED]
"""The sender's id of an event (see :func:`_event_id`)."""
Version = Annotated[int, BeforeValidator(_version)]
"""An event's version: a whole number from 1."""
PlayPeriod = Annotated[str, BeforeValidator(_period), _CHECKED]
"""A period that is played, which the message type needs."""
OptionalPeriod = Annotated[str | None, BeforeValidator(_optional_period)]
"""A period that is played, or None."""
Minute = Annotated[int | None, BeforeValidator(_whole(0, 120))]
"""A match minute, 0 to 120."""
Stoppage = Annotated[int | None, BeforeValidator(_whole(0, _MAX_STOPPAGE))]
"""Minutes of stoppage time, 0 to :data:`heartbreak.rules.MAX_STOPPAGE`."""
Team = Annotated[str | None, BeforeValidator(_side), Field(serialization_alias="side")]
"""A team (``home``, ``away`` or its name), which the canonical message gives as ``side``."""
Flag = Annotated[bool | None, BeforeValidator(_flag)]
"""True or false."""


class _Message(BaseModel):
    """What every message says: the sender's id of the event, and the message's type."""

    model_config = ConfigDict(extra="forbid")

    event_id: EventId = None
    type: str

    def canonical(self) -> dict[str, Any]:
        """The message as the log keeps it: its fields in order, teams as sides, no empty
        fields."""
        return self.model_dump(by_alias=True, exclude_none=True)


class _Versioned(_Message):
    """A message with a version (every message but a retraction), held to the rules over
    several fields of its type, then, outside a knockout, to no extra time."""

    version: Version = 1

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> _Versioned:
        self._check()
        if not _match_of(info).knockout:
            period, minute = getattr(self, "period", None), getattr(self, "minute", None)
            _check_not_extra_time(self.type, period, minute)
        return self

    def _check(self) -> None:
        """The rules over several fields of the message's type (none unless said)."""


def _from_first_minute(minute: int) -> None:
    if minute == 0:
        raise FieldError("minute", "events are labelled from 1'")


class GoalMessage(_Versioned):
    """A goal: its minute (and stoppage) and team; the scorer, an own goal, a penalty."""

    type: Literal["goal"]
    minute: Annotated[Minute, _required("required"), _CHECKED] = None
    stoppage: Stoppage = None
    team: Annotated[Team, _required("required"), _CHECKED] = None
    player: Text = None
    own_goal: Flag = None
    penalty: Flag = None

    def _check(self) -> None:
        _from_first_minute(self.minute)


class RedCardMessage(_Versioned):
    """A red card: its minute (and stoppage) and team; the player sent off; whether it came
    from a second yellow card (fair play counts it less than a straight red)."""

    type: Literal["red_card"]
    minute: Annotated[Minute, _required("required"), _CHECKED] = None
    stoppage: Stoppage = None
    team: Annotated[Team, _required("required"), _CHECKED] = None
    player: Text = None
    second_yellow: Flag = None

    def _check(self) -> None:
        _from_first_minute(self.minute)


class YellowCardMessage(_Versioned):
    """A yellow card: its minute (and stoppage) and team; the player booked. It is not an event
    of the match's replay: it counts for a group's fair play only."""

    type: Literal["yellow_card"]
    minute: Annotated[Minute, _required("required"), _CHECKED] = None
    stoppage: Stoppage = None
    team: Annotated[Team, _required("required"), _CHECKED] = None
    player: Text = None

    def _check(self) -> None:
        _from_first_minute(self.minute)


class ShootoutMessage(_Versioned):
    """The shootout's winner."""

    type: Literal["shootout"]
    team: Annotated[Team, _required("the shootout's winner is required"), _CHECKED] = None


class PeriodEndMessage(_Versioned):
    """The end of a period (at its last minute, after ``stoppage`` minutes added)."""

    type: Literal["period_end"]
    period: PlayPeriod = None
    stoppage: Stoppage = None


class StoppageMessage(_Versioned):
    """Minutes of stoppage announced for a period (``added``)."""

    type: Literal["stoppage"]
    period: PlayPeriod = None
    minute: Minute = None
    stoppage: Stoppage = None
    added: Annotated[
        Stoppage, _required("the minutes of stoppage announced are required"), _CHECKED
    ] = None


class PeriodStartMessage(_Versioned):
    """A period kicks off: it moves the clock, it is not an event."""

    type: Literal["period_start"]
    period: Annotated[PlayPeriod, _required("the period that starts is required")] = None


class ClockMessage(_Versioned):
    """The feed's time: a minute (and stoppage, and period); it moves the clock, it is not an
    event."""

    type: Literal["clock"]
    period: OptionalPeriod = None
    minute: Annotated[Minute, _required("the match minute is required"), _CHECKED] = None
    stoppage: Stoppage = None

    def _check(self) -> None:
        _check_clock(self.minute, self.stoppage or 0, self.period)


class CorrectionMessage(_Versioned):
    """A new version (2 or later) of an event: the fields that change, at least one."""

    type: Literal["correction"]
    version: Annotated[int, BeforeValidator(_correction_version)] = 2
    minute: Minute = None
    stoppage: Stoppage = None
    added: Stoppage = None
    team: Team = None
    player: Text = None
    own_goal: Flag = None
    penalty: Flag = None

    def _check(self) -> None:
        if all(getattr(self, name) is None for name in _CORRECTION_FIELDS):
            raise FieldError("correction", f"give at least one of {', '.join(_CORRECTION_FIELDS)}")


#: The fields a correction may give (``team`` for the canonical ``side``).
_CORRECTION_FIELDS = ("minute", "stoppage", "team", "player", "own_goal", "penalty", "added")


class RetractionMessage(_Message):
    """The event (or clock update) is removed, whenever it arrives; a version is not read."""

    type: Literal["retraction"]
    version: Any = Field(None, exclude=True)


class _UnknownMessage(_Message):
    """A message of no type of :data:`MESSAGE_TYPES`: refused for its type, unless its event id
    is wrong too (that is said first); its other fields are not judged."""

    model_config = ConfigDict(extra="ignore")

    type: Annotated[Any, BeforeValidator(_unknown_type), _CHECKED] = None


def _type_of(raw: Any) -> str:
    """The model of a message: its type, or ``unknown``."""
    kind = raw.get("type") if isinstance(raw, Mapping) else getattr(raw, "type", None)
    return kind if isinstance(kind, str) and kind in MESSAGE_TYPES else "unknown"


LiveMessage = Annotated[
    Annotated[GoalMessage, Tag("goal")]
    | Annotated[RedCardMessage, Tag("red_card")]
    | Annotated[YellowCardMessage, Tag("yellow_card")]
    | Annotated[ShootoutMessage, Tag("shootout")]
    | Annotated[PeriodEndMessage, Tag("period_end")]
    | Annotated[StoppageMessage, Tag("stoppage")]
    | Annotated[PeriodStartMessage, Tag("period_start")]
    | Annotated[ClockMessage, Tag("clock")]
    | Annotated[CorrectionMessage, Tag("correction")]
    | Annotated[RetractionMessage, Tag("retraction")]
    | Annotated[_UnknownMessage, Tag("unknown")],
    Discriminator(_type_of),
]
"""A message of the feed, of the model its ``type`` names."""

_MESSAGES: TypeAdapter[Any] = TypeAdapter(LiveMessage)


def _precedence(error: ErrorDetails) -> tuple[int, str]:
    """Which error of a message is reported first (the lowest)."""
    loc = error["loc"][1:]  # after the model's tag
    name = str(loc[0]) if loc else ""
    if name == "event_id":
        return (0, "")
    if name == "type":
        return (1, "")
    if error["type"] == "extra_forbidden":
        return (2, name)
    if name == "version":
        return (3, "")
    if error["type"] == "missing":
        return (4, "")
    return (5, "")


def message_error(exc: ValidationError) -> InvalidInput:
    """The :class:`~heartbreak.errors.InvalidInput` of a message's validation: its first error
    by precedence (see above), as ``field: problem``, ``field`` named (a field that is not
    the message's: ``"colour: not a field of a goal message"``)."""
    error = min(exc.errors(), key=_precedence)
    loc = error["loc"][1:]
    where = ".".join(str(part) for part in loc)
    if error["type"] == "extra_forbidden":
        kind = error["loc"][0]
        return InvalidInput(f"{where}: not a field of a {kind} message", field=where)
    problem = str(error["msg"]).removeprefix("Value error, ")
    if where:
        return InvalidInput(f"{where}: {problem}", field=where)
    raised = (error.get("ctx") or {}).get("error")
    field = raised.field if isinstance(raised, FieldError) else None
    return InvalidInput(problem, field=field)


def parse_message(match: LiveMatch, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Validate one message of the feed (:data:`LiveMessage`) and return its canonical form
    (teams as sides, no empty fields); an error names the field."""
    if not isinstance(raw, Mapping):
        raise InvalidInput("message: must be a JSON object", field="message")
    try:
        message = _MESSAGES.validate_python(dict(raw), context={"match": match})
    except ValidationError as exc:
        raise message_error(exc) from None
    return message.canonical()


def _check_not_extra_time(kind: str, period: str | None, minute: int | None) -> None:
    """A match that is not a knockout has no extra time and no shootout: the same rules, and
    messages, as :func:`heartbreak.rules.check_events` (for the messages that are not events,
    too: a clock update or a period's start in extra time)."""
    if kind == "shootout":
        raise FieldError("type", SHOOTOUT_OUTSIDE_KNOCKOUT)
    if period is not None and Period(period).is_extra_time:
        raise FieldError("period", extra_time_outside_knockout(period))
    if minute is not None and minute > Period.SECOND_HALF.end_minute:
        raise FieldError("minute", extra_time_outside_knockout(minute))


def check_standing(match: LiveMatch, events: tuple[Event, ...]) -> None:
    """The events that would stand (of :func:`events_of`, in match order), held to the laws of
    the game (:func:`heartbreak.rules.check_events`: a fifth red card for a side, extra time or
    a shootout outside a knockout, a second shootout, a shootout without a level score, an
    event after its period's end or after full time); an error names the field."""
    try:
        check_events(events, match.knockout, (match.home, match.away))
    except RuleBroken as exc:
        where = exc.event.event_id if exc.event is not None else None
        error = InvalidInput(f"{exc.field}: {exc.message}", field=exc.field)
        error.event_id = where  # type: ignore[attr-defined]
        raise error from None


def check_cards(records: Iterable[Mapping[str, Any]]) -> None:
    """No yellow card stands after the end of its period (the laws :func:`check_standing`
    holds the events to; yellow cards are not events): an error names the ``minute``."""
    ends = {_period_of(r): _time(r) for r in records if r["type"] == "period_end"}
    for record in records:
        if record["type"] != "yellow_card":
            continue
        period = _period_of(record)
        end = ends.get(period)
        if end is not None and _time(record) > end:
            at = minute_label(record["minute"], record.get("stoppage", 0))
            name = period.value.replace("_", " ")
            error = InvalidInput(
                f"minute: a yellow card at {at} is after the end of the {name}"
                f" ({minute_label(end[1], end[2])})",
                field="minute",
            )
            error.event_id = record["event_id"]  # type: ignore[attr-defined]
            raise error


def _check_clock(minute: int, stoppage: int, period: str | None) -> None:
    """A clock update's minute lies in its period, and stoppage follows a period's last minute."""
    ends = sorted({p.end_minute for p in _PLAY_PERIODS})
    if stoppage and minute not in ends:
        raise FieldError(
            "stoppage", f"only after a period's last minute ({', '.join(f'{m}' for m in ends)})"
        )
    if period is not None:
        played = Period(period)
        if not played.start_minute <= minute <= played.end_minute:
            raise FieldError(
                "minute",
                f"{minute} is not in the {played.value} "
                f"({played.start_minute} to {played.end_minute})",
            )
        if stoppage and minute != played.end_minute:
            raise FieldError("stoppage", f"only after the {played.value}'s last minute")


def message_key(message: Mapping[str, Any]) -> str:
    """The content hash of a canonical message: equal content, equal key."""
    text = json.dumps(message, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


# --- the fold ------------------------------------------------------------------------------


def _records(messages: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The latest version of every event that stands, as plain records."""
    return standing_records({message_key(m): m for m in messages})


def standing_records(keyed: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The records that stand, in match order, from canonical messages keyed by
    :func:`message_key` (as the log keeps them: the keys are trusted, not recomputed)."""
    by_id: dict[str, list[tuple[str, Mapping[str, Any]]]] = defaultdict(list)
    for key, message in keyed.items():
        by_id[message["event_id"]].append((key, message))
    out = []
    for versions in by_id.values():
        if len(versions) == 1:  # the common case: one message, an event or a clock update
            message = versions[0][1]
            if message["type"] in _STANDALONE:
                out.append(dict(message))
            continue
        if any(m["type"] == "retraction" for _, m in versions):
            continue
        bases = [
            (m["version"], _furthest(m), key, m) for key, m in versions if m["type"] in _STANDALONE
        ]
        if not bases:
            continue  # a correction whose event has not arrived yet waits for it
        version, _, _, base = max(bases, key=lambda b: b[:3])
        record = dict(base)
        fixes = sorted(
            (m["version"], key, m)
            for key, m in versions
            if m["type"] == "correction" and m["version"] > version
        )
        for _, _, fix in fixes:
            record.update({k: fix[k] for k in CORRECTABLE if k in fix})
        out.append(record)
    return sorted(out, key=_sort_key)


_STANDALONE = frozenset((*EVENT_TYPES, *CLOCK_TYPES))


def _furthest(message: Mapping[str, Any]) -> tuple[int, int, int]:
    """Between versions alike, a clock update further on stands (others: by content)."""
    return _time(message) if message["type"] in CLOCK_TYPES else (-1, -1, -1)


def _period_of(record: Mapping[str, Any]) -> Period:
    if record["type"] == "clock":
        return _clock_period(record)
    if "period" in record:
        return Period(record["period"])
    if record["type"] == "shootout":
        return Period.SHOOTOUT
    return Period.of_minute(record["minute"], record.get("stoppage", 0))


def _clock_period(record: Mapping[str, Any]) -> Period:
    """A clock update's period: the one it names when its minute lies in it (a correction
    may have moved the minute out), else the period of its minute."""
    minute, stoppage = record["minute"], record.get("stoppage", 0)
    if "period" in record:
        period = Period(record["period"])
        if period.start_minute <= minute <= period.end_minute and (
            not stoppage or minute == period.end_minute
        ):
            return period
    return Period.of_minute(minute, stoppage)


_PERIOD_INDEX = {period: i for i, period in enumerate(Period)}


def _time(record: Mapping[str, Any]) -> tuple[int, int, int]:
    """(period, minute, stoppage) of a record; a period's end is at its last minute, its start
    at its first."""
    period = _period_of(record)
    if record["type"] == "period_end":
        minute = period.end_minute
    elif record["type"] == "period_start":
        return (_PERIOD_INDEX[period], period.start_minute, 0)
    else:
        minute = record.get("minute", period.end_minute)
    return (_PERIOD_INDEX[period], minute, record.get("stoppage", 0))


_TYPE_RANK = {
    "period_start": 0,
    "clock": 0,
    "stoppage": 0,
    "goal": 1,
    "red_card": 1,
    "yellow_card": 1,
    "period_end": 2,
    "shootout": 3,
}


def _sort_key(record: Mapping[str, Any]) -> tuple:
    return (*_time(record), _TYPE_RANK[record["type"]], record["event_id"])


def _event(record: Mapping[str, Any]) -> Event:
    period = _period_of(record)
    _, minute, stoppage = _time(record)
    side = Side(record["side"]) if "side" in record else None
    return Event(
        EventType(record["type"]),
        minute,
        stoppage,
        side=side,
        player=record.get("player") or None,
        own_goal=record.get("own_goal", False),
        penalty=record.get("penalty", False),
        period=period,
        event_id=record["event_id"],
    )


def effective_events(messages: Iterable[Mapping[str, Any]]) -> tuple[Event, ...]:
    """The events that stand after every message: the latest version of each event id,
    retracted ids removed, duplicates ignored, in match order (then by event id).
    ``stoppage``, ``period_start`` and ``clock`` are not events (see :func:`current_clock`)."""
    return events_of(_records(messages))


def events_of(records: Iterable[Mapping[str, Any]]) -> tuple[Event, ...]:
    """The events among standing records (of :func:`standing_records`), in their order."""
    return tuple(_event(r) for r in records if r["type"] not in _NOT_EVENTS)


@dataclass(frozen=True, slots=True)
class Clock:
    """How far the match has gone: the furthest event, period end or start, stoppage
    announcement or clock update that stands; ``period_over`` once its period has ended."""

    period: Period = Period.FIRST_HALF
    minute: int = 0
    stoppage: int = 0
    period_over: bool = False
    added: int | None = None  # stoppage minutes announced for the current period

    @property
    def key(self) -> tuple[int, int, int]:
        return (_PERIOD_INDEX[self.period], self.minute, self.stoppage)

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period.value,
            "minute": self.minute,
            "stoppage": self.stoppage,
            "label": minute_label(self.minute, self.stoppage) if self.minute else "KO",
            "period_over": self.period_over,
            "added": self.added,
        }


def current_clock(messages: Iterable[Mapping[str, Any]]) -> Clock:
    """The clock after every message (kick-off when nothing stands): the furthest time of
    everything that stands; its period is over when that period's end stands (or a
    shootout's result does)."""
    return clock_of(_records(messages))


def clock_of(records: list[Mapping[str, Any]]) -> Clock:
    """The clock of standing records in match order (of :func:`standing_records`)."""
    if not records:
        return Clock()
    last = records[-1]
    index, minute, stoppage = _time(last)
    period = list(Period)[index]
    added = max(
        (r["added"] for r in records if r["type"] == "stoppage" and _period_of(r) is period),
        default=None,
    )
    over = last["type"] == "shootout" or any(
        r["type"] == "period_end" and r["period"] == period.value for r in records
    )
    return Clock(period, minute, stoppage, over, added)


#: Stoppage minutes a running clock ticks on to, past those announced, before it waits for the
#: feed (a feed silent for long does not run the clock on for ever).
TICK_PAST_ANNOUNCED = 5
#: Stoppage minutes a running clock ticks on to when none were announced.
TICK_UNANNOUNCED = 15

#: The breaks of a match: the clock stands still (see :func:`clock_pause`).
PAUSES = (
    "kick_off",
    "half_time",
    "extra_time_next",
    "extra_time_half_time",
    "shootout_next",
    "full_time",
)


def clock_pause(
    match: LiveMatch, records: list[Mapping[str, Any]], events: tuple[Event, ...], clock: Clock
) -> str | None:
    """Why the clock stands still, or None while a period is being played: ``kick_off``
    (nothing stands yet), ``half_time``, ``extra_time_next`` (the end of normal time, level in a
    knockout), ``extra_time_half_time``, ``shootout_next`` (the end of extra time, level) or
    ``full_time``."""
    if not records:
        return "kick_off"
    if any(e.type is EventType.SHOOTOUT for e in events) or clock.period is Period.SHOOTOUT:
        return "full_time"
    if not clock.period_over:
        return None
    if clock.period is Period.FIRST_HALF:
        return "half_time"
    if clock.period is Period.EXTRA_FIRST:
        return "extra_time_half_time"
    finished = is_finished(match, events)
    if clock.period is Period.SECOND_HALF:
        return "full_time" if finished else "extra_time_next"
    match_so_far = live_to_match(match, events)
    level = match_so_far.home_score == match_so_far.away_score
    return "shootout_next" if match.knockout and level else "full_time"


def clock_since(
    keyed: Mapping[str, Mapping[str, Any]],
    received: Mapping[str, float | None],
    records: list[Mapping[str, Any]],
) -> float | None:
    """When the clock reached the position it stands at (seconds since the epoch, as
    ``received`` gives the arrival of each message by its key): the earliest time a record
    standing at that position took it, which is the latest arrival among the messages of its
    event id that set its time (the event or clock update, and corrections of its minute or
    stoppage). None when nothing stands or no arrival is known."""
    if not records:
        return None
    position = _time(records[-1])
    ids = {r["event_id"] for r in records if _time(r) == position}
    formed: dict[str, float] = {}
    for key, message in keyed.items():
        event_id = message["event_id"]
        at = received.get(key)
        if event_id not in ids or at is None:
            continue
        sets_time = message["type"] in _STANDALONE or (
            message["type"] == "correction" and ("minute" in message or "stoppage" in message)
        )
        if sets_time and at > formed.get(event_id, float("-inf")):
            formed[event_id] = at
    return min(formed.values(), default=None)


def max_stoppage(clock: Clock) -> int:
    """The stoppage minute of the clock's period that a running clock ticks on to at most: the
    announced minutes and :data:`TICK_PAST_ANNOUNCED` more, else :data:`TICK_UNANNOUNCED`;
    never less than the stoppage the clock already shows."""
    limit = TICK_UNANNOUNCED if clock.added is None else clock.added + TICK_PAST_ANNOUNCED
    return max(clock.stoppage, min(limit, _MAX_STOPPAGE))


def is_finished(match: LiveMatch, events: tuple[Event, ...]) -> bool:
    """Whether the final whistle has gone: end of extra time, a shootout, or the end of the
    second half when no extra time is due (not a knockout, or a side ahead)."""
    home = sum(e.type is EventType.GOAL and e.side is Side.HOME for e in events)
    away = sum(e.type is EventType.GOAL and e.side is Side.AWAY for e in events)
    for event in events:
        if event.type is EventType.SHOOTOUT:
            return True
        if event.type is EventType.PERIOD_END and event.period is Period.EXTRA_SECOND:
            return True
        if (
            event.type is EventType.PERIOD_END
            and event.period is Period.SECOND_HALF
            and (not match.knockout or home != away)
        ):
            return True
    return False


def bookings_of_records(match: LiveMatch, records: Iterable[Mapping[str, Any]]) -> tuple:
    """The cards among standing records (of :func:`standing_records`), as a group's fair play
    reads them (:class:`heartbreak.tournaments.stakes.Booking`): yellow cards, and red cards
    as a second yellow or a straight red."""
    from heartbreak.tournaments.stakes import Booking

    out = []
    for record in records:
        kind = record["type"]
        if kind not in ("yellow_card", "red_card"):
            continue
        if kind == "yellow_card":
            card = "yellow"
        else:
            card = "second_yellow" if record.get("second_yellow") else "red"
        team = match.home if record["side"] == "home" else match.away
        _, minute, stoppage = _time(record)
        out.append(Booking(team, record.get("player"), card, _period_of(record), minute, stoppage))
    return tuple(out)


def live_to_match(match: LiveMatch, events: tuple[Event, ...]) -> Match:
    """The domain match so far: goals, red cards and any shootout of the effective events."""
    played = tuple(e for e in events if e.type in (EventType.GOAL, EventType.RED_CARD))
    shootout = [e for e in events if e.type is EventType.SHOOTOUT]
    extra = any(e.period is not None and e.period.is_extra_time for e in events)
    finished = is_finished(match, events)
    return Match(
        info=match.info(),
        home_score=sum(e.type is EventType.GOAL and e.side is Side.HOME for e in played),
        away_score=sum(e.type is EventType.GOAL and e.side is Side.AWAY for e in played),
        events=played,
        extra_time=True if extra else (False if finished else None),
        shootout_winner=shootout[-1].side if shootout else None,
    )


def definition_of(
    match: Match,
    elo_home: float | None = None,
    elo_away: float | None = None,
    group: tuple[str, int, str] | None = None,
) -> dict[str, Any]:
    """A stored match as the body that creates its live match (``POST /api/live``): teams,
    date, venue, stakes and, when given, the pre-match ratings (else the server's, as of the
    date) and the tournament group it was played in (competition, year, group)."""
    info = match.info
    body: dict[str, Any] = {
        "home": info.home,
        "away": info.away,
        "date": info.date.isoformat(),
        "neutral": info.neutral,
        "knockout": info.knockout,
        "competition": info.competition,
        "stage": info.stage,
        "city": info.city,
        "country": info.country,
    }
    if elo_home is not None and elo_away is not None:
        body.update(elo_home=float(elo_home), elo_away=float(elo_away))
    if group is not None:
        competition, year, name = group
        body.update(competition=competition, year=int(year), group=name)
    return body


def feed_of(match: Match, cards: Iterable[Any] = ()) -> list[dict[str, Any]]:
    """A finished match as the messages a live feed would have sent, in match order: its goals
    and red cards (event ids kept, else made up), the end of every period played (at the latest
    stoppage minute recorded in it) and the shootout; with ``cards`` (the store's bookings:
    :class:`heartbreak.tournaments.stakes.Booking`), its yellow cards too, and which red cards
    were second yellows."""
    info = match.info
    out: list[dict[str, Any]] = []
    cards = list(cards)
    second = {(c.team, c.player, c.minute, c.stoppage) for c in cards if c.card == "second_yellow"}
    played = [e for e in match.events if e.type in (EventType.GOAL, EventType.RED_CARD)]
    for i, event in enumerate(sorted(played, key=lambda e: e.sort_key), start=1):
        team = info.team(event.side) if event.side else None
        message: dict[str, Any] = {
            "event_id": event.event_id or f"{event.type.value}-{i}",
            "type": event.type.value,
            "minute": event.minute,
            "team": team,
        }
        if event.stoppage:
            message["stoppage"] = event.stoppage
        if event.player:
            message["player"] = event.player
        if event.type is EventType.GOAL:
            message["own_goal"] = event.own_goal
            message["penalty"] = event.penalty
        elif (team, event.player, event.minute, event.stoppage) in second:
            message["second_yellow"] = True
        out.append(message)
    for i, card in enumerate((c for c in cards if c.card == "yellow"), start=1):
        message = {"event_id": f"yellow_card-{i}", "type": "yellow_card", "minute": card.minute}
        message["team"] = card.team
        if card.stoppage:
            message["stoppage"] = card.stoppage
        if card.player:
            message["player"] = card.player
        out.append(message)
    extra = bool(match.extra_time) or any(
        e.period is not None and e.period.is_extra_time for e in played
    )
    if not extra and match.info.knockout and match.shootout_winner is not None:
        extra = match.home_score == match.away_score and match.extra_time is None
    for period in _PLAY_PERIODS if extra else _PLAY_PERIODS[:2]:
        # the latest stoppage minute recorded in it, cards included (a booking at 45+3'
        # proves the half ran that long)
        stoppage = max(
            [e.stoppage for e in played if e.period is period]
            + [c.stoppage for c in cards if c.period is period],
            default=0,
        )
        message = {"event_id": f"end-{period.value}", "type": "period_end", "period": period.value}
        if stoppage:
            message["stoppage"] = stoppage
        out.append(message)
    if match.shootout_winner is not None and match.home_score == match.away_score:
        out.append(
            {"event_id": "shootout", "type": "shootout", "team": info.team(match.shootout_winner)}
        )

    def when(message: dict[str, Any]) -> tuple:
        record = {k: v for k, v in message.items() if k != "team"}
        return _sort_key(record)

    return sorted(out, key=when)


def elapsed_minutes(message: dict[str, Any]) -> float:
    """Minutes of play before a message of :func:`feed_of` (stoppage counted), for pacing."""
    _, minute, stoppage = _time(message)
    return float(minute + stoppage)
