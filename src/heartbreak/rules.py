"""The rules every match that comes in is held to, whichever way it comes in.

A match reaches Heartbreak in five ways: a file replayed by ``heartbreak story --file`` (JSON or
CSV), a file added by ``heartbreak import`` (the same schema, a list of such matches, or a
StatsBomb events file), a row of ``heartbreak predict --batch``, and a live match, created by
``POST /api/live`` and fed message by message. Each is held here to the same rules, with the
same messages; the input's own reader only says where (``events[3].team``, ``file.csv:7``,
``(message 2)``):

- **Limits**, so that what comes in costs what a football match costs: ratings are finite and
  between :data:`RATING_MIN` and :data:`RATING_MAX`; a team's name has at most
  :data:`MAX_TEAM_NAME` characters, every other text (competition, stage, city, country,
  player) at most :data:`MAX_TEXT`, an event id at most :data:`MAX_EVENT_ID`; a match has at
  most :data:`MAX_EVENTS` goals and sendings-off, and stoppage time at most
  :data:`MAX_STOPPAGE` minutes.
- **Two teams** (:func:`check_teams`): a team cannot play itself under another name ("Korea
  Republic" v "South Korea"), through the store's aliases when a resolver is given, else
  through the aliases that need no store (:data:`heartbreak.data.teams.COMMON_ALIASES` and the
  World Cup database's names).
- **The laws of the game** over a match's events in match order (:func:`check_events`): a side
  reduced below seven players is an abandoned match, so a fifth red card for one side is
  refused (Law 3, The Players); extra time and a shootout belong to knockout matches; a
  shootout needs a level score and is played once; nothing happens after the end of a period
  as the feed gave it, or after full time.

The pydantic types (:data:`TeamName`, :data:`Text`, :data:`Rating`, and
:data:`heartbreak.dates.Day`, the one date type, which this module passes on) and
:class:`MatchHeader` carry these into every input model: the user's match
(:class:`heartbreak.data.userfile.UserMatch`), a fixture of ``predict --batch``
(:class:`heartbreak.data.userfile.Fixture`) and a live match's definition
(:class:`heartbreak.live.state.LiveDefinition`).

Pure: no files, no store (a resolver is passed in), no clock.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Callable, Sequence
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from heartbreak.dates import Day
from heartbreak.domain import Event, EventType, Period, Side, minute_label
from heartbreak.errors import InvalidInput

#: The lowest and highest rating accepted (World Football Elo points). The 49,520 matches of the
#: real history since 1872 were played at ratings from 819 to 2,299; the range leaves 400 points
#: below and 500 above. At its ends a side expects about 130 goals, which the engine still
#: evaluates in bounded memory; beyond it the model is meaningless.
RATING_MIN = 400.0
RATING_MAX = 2800.0
#: The longest team name accepted, in characters (the longest real one has 36).
MAX_TEAM_NAME = 60
#: The longest competition, stage, city, country or player name accepted (real: 56 at most).
MAX_TEXT = 100
#: The longest event id of a live feed accepted.
MAX_EVENT_ID = 64
#: Red cards a side may receive: a side with fewer than seven players is an abandoned match.
MAX_RED_CARDS = 4
#: Goals and sendings-off in one match (the record score is 31-0).
MAX_EVENTS = 200
#: The longest stoppage time of a period, in minutes.
MAX_STOPPAGE = 30

Resolve = Callable[[str, dt.date | None], str | None]
"""A team name (and the date) → the canonical team, or None when the name is unknown."""


# --------------------------------------------------------------------------- values


def _no_control(text: str) -> None:
    if any(unicodedata.category(c) == "Cc" for c in text):
        raise ValueError("control characters (newlines, tabs, NUL) are not allowed")


def check_team_name(value: Any) -> str:
    """A team's name, stripped: text of 1 to :data:`MAX_TEAM_NAME` characters."""
    if not isinstance(value, str):
        raise ValueError("a team name (text) is required")
    text = value.strip()
    if not text:
        raise ValueError("a team name is required")
    if len(text) > MAX_TEAM_NAME:
        raise ValueError(
            f"a team name has at most {MAX_TEAM_NAME} characters (this one has {len(text):,})"
        )
    _no_control(text)
    return text


def check_text(value: Any) -> str | None:
    """An optional text (competition, stage, city, country, player): at most :data:`MAX_TEXT`
    characters; None stays None."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("must be text")
    text = value.strip()
    if len(text) > MAX_TEXT:
        raise ValueError(f"at most {MAX_TEXT} characters (this one has {len(text):,})")
    _no_control(text)
    return text


def check_rating(value: Any) -> float | None:
    """A rating: a finite number from :data:`RATING_MIN` to :data:`RATING_MAX` (None stays None;
    a numeric text is read as its number)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("must be a number")
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a number") from None
    if not isinstance(value, int | float):
        raise ValueError("must be a number")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number) or not RATING_MIN <= number <= RATING_MAX:
        shown = f"{number:g}" if not isinstance(value, int) or abs(value) < 10**15 else "huge"
        raise ValueError(
            f"{shown} is not a rating: ratings are finite numbers from {RATING_MIN:g} to "
            f"{RATING_MAX:g} (the real history's ratings run from 819 to 2299)"
        )
    return number


def _competition(value: Any) -> str:
    text = check_text(value)
    return text if text else "Friendly"


TeamName = Annotated[str, BeforeValidator(check_team_name)]
"""A team's name (see :func:`check_team_name`)."""
Text = Annotated[str | None, BeforeValidator(check_text)]
"""An optional text field (see :func:`check_text`)."""
Competition = Annotated[str, BeforeValidator(_competition)]
"""A competition's name; none given is a friendly."""
Rating = Annotated[float | None, BeforeValidator(check_rating)]
"""An optional rating (see :func:`check_rating`)."""


class FieldError(ValueError):
    """A rule over a whole model (a model validator) broken at one of its fields: the message
    is ``field: problem``, and :func:`error_field` finds ``field`` without reading it."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


def _location(err: Any) -> str:
    where = ""
    for part in err["loc"]:
        where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else str(part))
    return where


def error_message(exc: ValidationError) -> str:
    """The first error of a pydantic validation as ``field.path: message`` (one line)."""
    err = exc.errors()[0]
    where = _location(err)
    message = str(err["msg"]).removeprefix("Value error, ")
    message = " ".join(message.split())
    return f"{where}: {message}" if where else message


def error_field(exc: ValidationError) -> str | None:
    """The field of the first error of a pydantic validation: its location
    (``events[2].minute``), or the field a :class:`FieldError` of a model validator names;
    None when neither tells."""
    err = exc.errors()[0]
    where = _location(err)
    if where:
        return where
    raised = (err.get("ctx") or {}).get("error")
    return raised.field if isinstance(raised, FieldError) else None


def invalid_input(exc: ValidationError, where: str | None = None) -> InvalidInput:
    """The :class:`~heartbreak.errors.InvalidInput` of a pydantic validation: the one-line
    :func:`error_message` (after ``where:``, the file or ``file:line``, when given) and its
    :func:`error_field`."""
    message = error_message(exc)
    return InvalidInput(f"{where}: {message}" if where else message, field=error_field(exc))


# --------------------------------------------------------------------------- two teams


def _static_names() -> dict[str, str]:
    from heartbreak.data.teams import COMMON_ALIASES, WORLDCUP_NAMES, fold

    return {fold(a.alias): a.team for a in (*COMMON_ALIASES, *WORLDCUP_NAMES) if not a.dated}


_STATIC: dict[str, str] | None = None


def canonical_team(name: str, day: dt.date | None = None, resolve: Resolve | None = None) -> str:
    """The team a name stands for: by ``resolve`` (the store's names and aliases) when it knows
    the name, else by the aliases that need no store, else the name itself."""
    global _STATIC
    from heartbreak.data.teams import fold

    if resolve is not None:
        found = resolve(name, day)
        if found is not None:
            return found
    if _STATIC is None:
        _STATIC = _static_names()
    return _STATIC.get(fold(name), name)


def check_teams(
    home: str, away: str, day: dt.date | None = None, resolve: Resolve | None = None
) -> None:
    """A team cannot play itself, whatever names it goes by; the message starts ``away:``."""
    from heartbreak.data.teams import fold

    first = canonical_team(home, day, resolve)
    second = canonical_team(away, day, resolve)
    if fold(first) == fold(second):
        raise FieldError("away", f"{away!r} is {first}, the home team: a team cannot play itself")


def resolver_of(store_resolver) -> Resolve:
    """A :data:`Resolve` over a :class:`heartbreak.data.teams.TeamResolver`."""
    from heartbreak.errors import UnknownTeam

    def resolve(name: str, day: dt.date | None = None) -> str | None:
        try:
            return store_resolver.resolve(name, day)
        except UnknownTeam:
            return None

    return resolve


class MatchHeader(BaseModel):
    """What every match that comes in says before its events: the teams, the date, the
    competition and stage, the venue, the stakes and the ratings (optional), within the limits.

    Validate with ``context={"resolve": ...}`` (a :data:`Resolve`) to tell a team from itself
    through the store's aliases."""

    model_config = ConfigDict(extra="forbid")

    home: TeamName
    away: TeamName
    date: Day
    competition: Competition = "Friendly"
    stage: Text = None
    neutral: bool = False
    knockout: bool = False
    elo_home: Rating = None
    elo_away: Rating = None

    @model_validator(mode="after")
    def _two_teams(self, info: ValidationInfo) -> MatchHeader:
        resolve = (info.context or {}).get("resolve")
        check_teams(self.home, self.away, self.date, resolve)
        return self


# --------------------------------------------------------------------------- the laws of the game


class RuleBroken(ValueError):
    """An event that breaks a rule of :func:`check_events`: ``event`` (None: the match as a
    whole), ``field``: the event's field the rule is about (``minute``, ``team``, ``type``...),
    ``message``: what is wrong, the same whichever way the match came in."""

    def __init__(self, event: Event | None, field: str, message: str) -> None:
        super().__init__(message)
        self.event = event
        self.field = field
        self.message = message


def extra_time_outside_knockout(what: str | int) -> str:
    """The message for an extra-time minute or period in a match that is not a knockout."""
    return f"{what} is extra time but knockout is false"


SHOOTOUT_OUTSIDE_KNOCKOUT = "only a knockout match has a shootout (knockout is false)"

_PERIOD_WORDS = {
    Period.FIRST_HALF: "first half",
    Period.SECOND_HALF: "second half",
    Period.EXTRA_FIRST: "first half of extra time",
    Period.EXTRA_SECOND: "second half of extra time",
}


def check_events(events: Sequence[Event], knockout: bool, teams: tuple[str, str]) -> None:
    """Hold a match's events (goals, red cards, period ends and the shootout; in match order) to
    the laws of the game; raise :class:`RuleBroken` for the first that breaks one:

    - at most :data:`MAX_EVENTS` goals and red cards;
    - at most :data:`MAX_RED_CARDS` red cards a side (a fifth leaves six players: abandoned);
    - extra time only in a knockout match;
    - nothing in a period after its end (a goal at 90+6' when the second half ended at 90+4');
    - nothing after full time: once the second half of a knockout has ended with a side ahead,
      there is no extra time;
    - a shootout only in a knockout match, only once, and only after a level score.

    ``teams``: the home and away names, for the messages.
    """
    names = {Side.HOME: teams[0], Side.AWAY: teams[1]}
    played = 0
    reds = {Side.HOME: 0, Side.AWAY: 0}
    goals = {Side.HOME: 0, Side.AWAY: 0}
    ended: dict[Period, Event] = {}
    full_time: Event | None = None
    shootout: Event | None = None
    for event in events:
        period = event.period
        label = minute_label(event.minute, event.stoppage)
        if event.type is EventType.SHOOTOUT:
            if not knockout:
                raise RuleBroken(event, "type", SHOOTOUT_OUTSIDE_KNOCKOUT)
            if shootout is not None:
                winner = names.get(shootout.side, "?") if shootout.side else "?"
                raise RuleBroken(
                    event, "type", f"a second shootout: the match has had one (won by {winner})"
                )
            shootout = event
            continue
        extra = period is not None and period.is_extra_time
        if extra and not knockout:
            what = event.minute if event.type is not EventType.PERIOD_END else period.value
            field = "minute" if event.type is not EventType.PERIOD_END else "period"
            raise RuleBroken(event, field, extra_time_outside_knockout(what))
        if full_time is not None and extra:
            score = f"{goals[Side.HOME]}-{goals[Side.AWAY]}"
            end = minute_label(full_time.minute, full_time.stoppage)
            raise RuleBroken(
                event,
                "minute",
                f"{label} is after full time: the match ended {score} at {end}, "
                "with no extra time to play",
            )
        if period in ended and event.type is not EventType.PERIOD_END:
            end = ended[period]
            raise RuleBroken(
                event,
                "stoppage",
                f"{label} is after the end of the {_PERIOD_WORDS[period]} at "
                f"{minute_label(end.minute, end.stoppage)}",
            )
        if event.type is EventType.PERIOD_END:
            ended[period] = event
            level = goals[Side.HOME] == goals[Side.AWAY]
            if period is Period.SECOND_HALF and knockout and not level:
                full_time = event
            continue
        if event.type not in (EventType.GOAL, EventType.RED_CARD):
            continue
        played += 1
        if played > MAX_EVENTS:
            raise RuleBroken(
                event, "type", f"more than {MAX_EVENTS} goals and red cards in one match"
            )
        if event.side is None:
            raise RuleBroken(event, "team", "the team is required")
        if event.type is EventType.RED_CARD:
            reds[event.side] += 1
            if reds[event.side] > MAX_RED_CARDS:
                raise RuleBroken(
                    event,
                    "team",
                    f"a fifth red card for {names[event.side]}: a side with fewer than seven "
                    f"players is an abandoned match (at most {MAX_RED_CARDS} red cards a side)",
                )
        else:
            goals[event.side] += 1
    if shootout is not None and goals[Side.HOME] != goals[Side.AWAY]:
        raise RuleBroken(
            shootout,
            "type",
            f"a shootout needs a level score (it is {goals[Side.HOME]}-{goals[Side.AWAY]})",
        )
