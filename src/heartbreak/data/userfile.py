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

Errors name the file, the line (CSV) or the field path (JSON, e.g. ``events[2].minute``).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from heartbreak.errors import InvalidInput


class UserEvent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["goal", "red_card"]
    minute: int = Field(ge=1, le=120)
    stoppage: int = Field(default=0, ge=0, le=30)
    team: str = Field(min_length=1)
    player: str | None = None
    own_goal: bool = False
    penalty: bool = False


class UserMatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    home: str = Field(min_length=1)
    away: str = Field(min_length=1)
    date: dt.date
    competition: str = "Friendly"
    stage: str | None = None
    neutral: bool = False
    knockout: bool = False
    elo_home: float | None = None
    elo_away: float | None = None
    extra_time: bool | None = None
    shootout_winner: str | None = None
    events: list[UserEvent] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> UserMatch:
        teams = {self.home.casefold(), self.away.casefold()}
        if self.home.casefold() == self.away.casefold():
            raise ValueError("away: a team cannot play itself")
        for i, event in enumerate(self.events):
            if event.team.casefold() not in teams:
                raise ValueError(
                    f"events[{i}].team: {event.team!r} is neither {self.home!r} nor {self.away!r}"
                )
            if event.minute > 90 and not self.knockout:
                raise ValueError(
                    f"events[{i}].minute: {event.minute} is extra time but knockout is false"
                )
        if self.shootout_winner is not None:
            if self.shootout_winner.casefold() not in teams:
                raise ValueError(f"shootout_winner: {self.shootout_winner!r} did not play")
            if not self.knockout:
                raise ValueError("shootout_winner: only a knockout match has a shootout")
            goals = [e for e in self.events if e.type == "goal"]
            home = sum(e.team.casefold() == self.home.casefold() for e in goals)
            if home * 2 != len(goals):
                raise ValueError("shootout_winner: a shootout needs a level score")
        return self


def _pydantic_message(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ""
    for part in err["loc"]:
        where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else str(part))
    message = err["msg"].removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


def load_match_file(path: str | Path) -> UserMatch:
    """Read and validate a user's match file (``.json`` or ``.csv``)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".json", ".csv"):
        raise InvalidInput(f"--file: {path} must be a .json or .csv file")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"--file: cannot read {path}: {exc.strerror}") from None
    if suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
        try:
            return UserMatch.model_validate(data)
        except ValidationError as exc:
            raise InvalidInput(f"{path}: {_pydantic_message(exc)}") from None
    return _match_from_csv(path, text)


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


def _match_from_csv(path: Path, text: str) -> UserMatch:
    reader = csv.DictReader(text.splitlines())
    missing = {"home", "away", "date"} - set(reader.fieldnames or [])
    if missing:
        raise InvalidInput(f"{path}:1: missing column(s) {', '.join(sorted(missing))}")
    rows = list(enumerate(reader, start=2))
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
            raise InvalidInput(f"{path}:{line}: {_pydantic_message(exc)}") from None
    try:
        return UserMatch.model_validate({**match, "events": [e.model_dump() for e in events]})
    except ValidationError as exc:
        raise InvalidInput(f"{path}: {_pydantic_message(exc)}") from None


def read_fixtures(path: str | Path) -> list[tuple[int, dict[str, str]]]:
    """Rows of a fixtures CSV (home, away, date, neutral[, knockout]) with their line numbers."""
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = {"home", "away", "date", "neutral"} - set(reader.fieldnames or [])
            if missing:
                raise InvalidInput(f"{path}:1: missing column(s) {', '.join(sorted(missing))}")
            return list(enumerate(reader, start=2))
    except OSError as exc:
        raise InvalidInput(f"--batch: cannot read {path}: {exc.strerror}") from None
