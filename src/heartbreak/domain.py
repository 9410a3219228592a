"""Domain words of Heartbreak as frozen dataclasses and documented Enums.

A match is a :class:`MatchInfo` (who, when, where, what was at stake) plus an ordered tuple of
:class:`Event`. Folding the events into :class:`MatchState` with :func:`initial_state` and
:func:`apply` gives the state after every event; states are immutable, so a replay is a pure
function of the events.

Minutes follow the football convention: a goal at 90+4' has ``minute=90, stoppage=4``; a goal
at 93' in extra time has ``minute=93, stoppage=0``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum


class Side(StrEnum):
    """One of the two teams in a match."""

    HOME = "home"
    AWAY = "away"

    @property
    def other(self) -> Side:
        return Side.AWAY if self is Side.HOME else Side.HOME


class Period(StrEnum):
    """A period of play. Extra time exists only in knockout matches level after 90'."""

    FIRST_HALF = "first_half"
    SECOND_HALF = "second_half"
    EXTRA_FIRST = "extra_time_first_half"
    EXTRA_SECOND = "extra_time_second_half"
    SHOOTOUT = "shootout"

    @property
    def start_minute(self) -> int:
        return _PERIOD_BOUNDS[self][0]

    @property
    def end_minute(self) -> int:
        """The nominal minute at which the period ends (stoppage time is played after it)."""
        return _PERIOD_BOUNDS[self][1]

    @property
    def is_extra_time(self) -> bool:
        return self in (Period.EXTRA_FIRST, Period.EXTRA_SECOND)

    @classmethod
    def of_minute(cls, minute: int, stoppage: int = 0) -> Period:
        """The period a minute label belongs to: 45+2' is first half, 46' second half."""
        if minute <= 45:
            return cls.FIRST_HALF
        if minute <= 90:
            return cls.SECOND_HALF
        if minute <= 105:
            return cls.EXTRA_FIRST
        if minute <= 120:
            return cls.EXTRA_SECOND
        raise ValueError(f"minute {minute}+{stoppage} is after extra time")


_PERIOD_BOUNDS = {
    Period.FIRST_HALF: (0, 45),
    Period.SECOND_HALF: (45, 90),
    Period.EXTRA_FIRST: (90, 105),
    Period.EXTRA_SECOND: (105, 120),
    Period.SHOOTOUT: (120, 120),
}

#: The nominal ends of the periods of play: a goal the record puts at one of these minutes may
#: have been scored in that period's stoppage time.
NOMINAL_ENDS = tuple(_PERIOD_BOUNDS[p][1] for p in Period if p is not Period.SHOOTOUT)


class EventType(StrEnum):
    """What can happen in a match timeline."""

    GOAL = "goal"
    RED_CARD = "red_card"  # a straight red or a second yellow: the side plays a man short
    PERIOD_END = "period_end"  # half-time, end of regulation, end of extra time
    SHOOTOUT = "shootout"  # the shootout's result; ``side`` is the winner
    SHOOTOUT_KICK = "shootout_kick"  # one kick of a shootout; ``side`` took it


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened at a moment of the match.

    ``side`` is the side that benefits from a goal (for an own goal, the opponent of the player)
    or the side that is punished by a red card, or the winner of a shootout, or the side that
    took a shootout kick (``converted`` says whether it went in; None for other events).
    """

    type: EventType
    minute: int
    stoppage: int = 0
    side: Side | None = None
    player: str | None = None
    own_goal: bool = False
    penalty: bool = False
    period: Period | None = None
    event_id: str | None = None
    converted: bool | None = None

    def __post_init__(self) -> None:
        if self.period is None:
            object.__setattr__(self, "period", Period.of_minute(self.minute, self.stoppage))

    @property
    def label(self) -> str:
        """The minute as a fan writes it: 67', 45+2', 90+4'."""
        return minute_label(self.minute, self.stoppage)

    @property
    def sort_key(self) -> tuple[int, int, int]:
        order = list(Period).index(self.period)  # type: ignore[arg-type]
        return (order, self.minute, self.stoppage)


def minute_label(minute: int, stoppage: int = 0) -> str:
    """Format a match minute: ``minute_label(90, 4) == "90+4'"``."""
    return f"{minute}+{stoppage}'" if stoppage else f"{minute}'"


@dataclass(frozen=True, slots=True)
class MatchInfo:
    """Who played, when and what was at stake: everything known before kick-off."""

    home: str
    away: str
    date: dt.date
    competition: str = "Friendly"
    stage: str | None = None
    knockout: bool = False
    neutral: bool = False
    match_id: int | None = None
    city: str | None = None
    country: str | None = None

    def team(self, side: Side) -> str:
        return self.home if side is Side.HOME else self.away

    def side_of(self, team: str) -> Side:
        if team.casefold() == self.home.casefold():
            return Side.HOME
        if team.casefold() == self.away.casefold():
            return Side.AWAY
        raise KeyError(team)


@dataclass(frozen=True, slots=True)
class ShootoutKick:
    """One kick of a penalty shootout: the side that took it, whether it went in, the taker."""

    side: Side
    converted: bool
    player: str | None = None


def in_turn(by_side: dict[Side, Sequence[ShootoutKick]], first: Side) -> tuple[ShootoutKick, ...]:
    """The kicks of both sides (each side's in its own order) in the order they were taken:
    alternately, ``first`` kicking first in every pair."""
    a, b = list(by_side.get(first, ())), list(by_side.get(first.other, ()))
    out: list[ShootoutKick] = []
    for i in range(max(len(a), len(b))):
        out.extend(k[i] for k in (a, b) if i < len(k))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Match:
    """A match with its ordered timeline and final result.

    ``home_score``/``away_score`` include extra time but not the shootout. ``extra_time`` is None
    when the record does not say whether extra time was played.
    ``timeline_complete`` is False when the listed goals do not add up to the score (or a goal has
    no minute): such a match can be rated but not replayed minute by minute.
    ``shootout_kicks`` are the kicks of its shootout in the order they were taken, when the
    record has them (World Cup shootouts); empty otherwise.
    """

    info: MatchInfo
    home_score: int
    away_score: int
    events: tuple[Event, ...] = ()
    extra_time: bool | None = None
    shootout_winner: Side | None = None
    timeline_complete: bool = True
    shootout_kicks: tuple[ShootoutKick, ...] = ()

    @property
    def winner(self) -> Side | None:
        """The side that won the match, counting a knockout's shootout; None for a draw (a
        friendly decided on penalties is one)."""
        if self.home_score != self.away_score:
            return Side.HOME if self.home_score > self.away_score else Side.AWAY
        return self.shootout_winner if self.info.knockout else None


@dataclass(frozen=True, slots=True)
class MatchState:
    """The state of a match at a moment: clock, score and players sent off.

    Built by folding events with :func:`apply`; never mutated.
    """

    period: Period = Period.FIRST_HALF
    minute: int = 0
    stoppage: int = 0
    home_goals: int = 0
    away_goals: int = 0
    home_reds: int = 0
    away_reds: int = 0
    finished: bool = False
    shootout_winner: Side | None = None
    last_event: Event | None = field(default=None, compare=False)

    @property
    def goal_difference(self) -> int:
        return self.home_goals - self.away_goals

    def goals(self, side: Side) -> int:
        return self.home_goals if side is Side.HOME else self.away_goals

    def reds(self, side: Side) -> int:
        return self.home_reds if side is Side.HOME else self.away_reds


def initial_state() -> MatchState:
    """The state at kick-off."""
    return MatchState()


def apply(state: MatchState, event: Event) -> MatchState:
    """Fold one event into a new state (the old one is unchanged).

    Raises ValueError for an event that cannot follow the state (a goal after the final whistle).
    """
    if state.finished:
        raise ValueError(f"{event.type} at {event.label} after the final whistle")
    clock = {"period": event.period, "minute": event.minute, "stoppage": event.stoppage}
    if event.type is EventType.GOAL:
        if event.side is None:
            raise ValueError("a goal needs the side it counts for")
        if event.side is Side.HOME:
            return replace(state, **clock, home_goals=state.home_goals + 1, last_event=event)
        return replace(state, **clock, away_goals=state.away_goals + 1, last_event=event)
    if event.type is EventType.RED_CARD:
        if event.side is None:
            raise ValueError("a red card needs the side it punishes")
        if event.side is Side.HOME:
            return replace(state, **clock, home_reds=state.home_reds + 1, last_event=event)
        return replace(state, **clock, away_reds=state.away_reds + 1, last_event=event)
    if event.type is EventType.PERIOD_END:
        return replace(state, **clock, last_event=event)
    if event.type is EventType.SHOOTOUT:
        return replace(state, **clock, shootout_winner=event.side, finished=True, last_event=event)
    if event.type is EventType.SHOOTOUT_KICK:
        return replace(state, **clock, last_event=event)
    raise ValueError(f"unknown event type {event.type!r}")


def fold(
    events: tuple[Event, ...] | list[Event], state: MatchState | None = None
) -> list[MatchState]:
    """The states after each event, starting from ``state`` (kick-off by default)."""
    current = state or initial_state()
    states = []
    for event in events:
        current = apply(current, event)
        states.append(current)
    return states
