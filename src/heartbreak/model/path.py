"""The probability path: one replayed match as columns of equal length.

A path has a point at kick-off, at every minute played (stoppage minutes included), immediately
before and after each event, at half-time, before a shootout and after each of its kicks (or
after the shootout, when its kicks are not known), and at the final whistle. Every column is a
numpy array so that drama metrics and charts work on whole arrays at once.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from enum import StrEnum

import numpy as np

from heartbreak.domain import Event, EventType, MatchInfo, Side


class PointKind(StrEnum):
    """Why a point is on the path."""

    KICK_OFF = "kick_off"
    MINUTE = "minute"  # the end of a minute of play
    BEFORE_EVENT = "before_event"  # the instant before an event, same clock as the event
    AFTER_EVENT = "after_event"  # the instant after it
    PERIOD_END = "period_end"  # half-time, end of regulation, end of extra time
    FINAL_WHISTLE = "final_whistle"
    SHOOTOUT_KICK = "shootout_kick"  # the instant after a shootout kick (when kicks are known)


@dataclass(frozen=True)
class ElsewhereGoal:
    """A goal in another match of the group played at the same time, as this match's path
    sees it: ``index`` is the first point of the path that knows of it; ``home_goals`` and
    ``away_goals`` the score of that match after it."""

    match_id: int | None
    home: str
    away: str
    team: str
    player: str | None
    minute: int
    stoppage: int
    home_goals: int
    away_goals: int
    index: int
    own_goal: bool = False
    penalty: bool = False

    @property
    def label(self) -> str:
        return f"{self.minute}+{self.stoppage}'" if self.stoppage else f"{self.minute}'"


@dataclass(frozen=True)
class Settlement:
    """How a side's group ended once every match of its group round was over: its final
    position (None while later matches of the group were still to be played), whether it went
    through (None when that still depended on other groups or later matches), and the
    criterion that separated it from the team on the other side of the cut (``decided_by``:
    "points" when they were not level on points, else the tie-break: "goal difference", "fair
    play", ...) with that team (``level_with``)."""

    position: int | None
    through: bool | None
    decided_by: str | None = None
    level_with: str | None = None


@dataclass(frozen=True)
class Stakes:
    """What a group match was played for, at every point of its path (computed by
    :mod:`heartbreak.tournaments.stakes`).

    - ``p_home_qualify``, ``p_away_qualify``: each side's chance of reaching ``next_stage``;
    - ``home_chance``, ``away_chance``: each side's chance of what mattered to it, by
      ``home_goal``/``away_goal``: ``"through"`` (reaching the next stage), ``"first"``
      (finishing first: a side already through with first place still open) or ``"win"``
      (nothing at stake: the plain chance of winning);
    - ``p_home_first``, ``p_away_first``: each side's chance of finishing first;
    - ``home_leverage``, ``away_leverage``: how much of the side's goal the match itself
      carried at kick-off, its chance of the goal if it won minus if it lost (1: win and it is
      done, lose and it is gone; near 0: decided elsewhere or already);
    - ``elsewhere``: the goals of the group's other matches played at the same time;
    - ``simultaneous``: those matches' final results (home, away, home goals, away goals);
    - ``settlement``: how each side's group ended, by ``"home"``/``"away"``.
    """

    next_stage: str
    p_home_qualify: np.ndarray
    p_away_qualify: np.ndarray
    p_home_first: np.ndarray
    p_away_first: np.ndarray
    home_chance: np.ndarray
    away_chance: np.ndarray
    home_goal: str
    away_goal: str
    home_leverage: float = 1.0
    away_leverage: float = 1.0
    elsewhere: tuple[ElsewhereGoal, ...] = ()
    simultaneous: tuple[tuple[str, str, int, int], ...] = ()
    settlement: dict[str, Settlement] | None = None

    def goal(self, side: Side) -> str:
        return self.home_goal if side is Side.HOME else self.away_goal

    def leverage(self, side: Side) -> float:
        return self.home_leverage if side is Side.HOME else self.away_leverage

    def head(self, n: int) -> Stakes:
        """The first ``n`` points, with the goals elsewhere they reach."""
        arrays = {
            f.name: getattr(self, f.name)[:n]
            for f in fields(self)
            if isinstance(getattr(self, f.name), np.ndarray)
        }
        elsewhere = tuple(g for g in self.elsewhere if g.index < n)
        return replace(self, elsewhere=elsewhere, settlement=None, **arrays)


@dataclass(frozen=True)
class ProbabilityPath:
    """Win/draw/loss (and advance) probabilities at every point of a match.

    Columns (all of length ``n``):

    - ``minute``, ``stoppage``: the clock as a fan reads it (90 and 4 for 90+4').
    - ``period``: :class:`~heartbreak.domain.Period` values as strings.
    - ``elapsed``: minutes actually played up to the point (stoppage counted), strictly a clock
      that never goes back; the x axis of charts.
    - ``time_left``: expected minutes of play left in the current phase (regulation, or extra
      time once it has started), expected stoppage included; 0 at the final whistle.
    - ``kind``: :class:`PointKind` values as strings.
    - ``home_goals``, ``away_goals``, ``home_reds``, ``away_reds``: the state at the point.
    - ``p_home_win``, ``p_draw``, ``p_away_win``: full-time (end of regulation, or of extra time
      once it has started) outcome probabilities; they sum to 1.
    - ``p_home_advance``: probability that the home side goes through (knockouts only, else None).
    - ``event_index``: index into ``events`` of the event at a BEFORE/AFTER_EVENT point (the
      first shootout event at the point before a shootout) or of the kick at a SHOOTOUT_KICK
      point, else -1. ``events`` lists the goals and red cards, then the shootout's kicks in the
      order taken (events of type SHOOTOUT_KICK, when known), then its result (SHOOTOUT).
    - ``suspense``: the expected size of the next minute's move in beliefs,
      E_t[Σ_o (p_o,t+1 − p_o,t)²] over the three outcomes (Ely, Frankel & Kamenica 2015, "Suspense
      and Surprise", JPE 123(1)), computed by the engine from the chance of a goal for either
      side in the next minute and the probabilities that goal would lead to; 0 at the whistle.
    """

    info: MatchInfo
    events: tuple[Event, ...]
    minute: np.ndarray
    stoppage: np.ndarray
    period: np.ndarray
    elapsed: np.ndarray
    time_left: np.ndarray
    kind: np.ndarray
    home_goals: np.ndarray
    away_goals: np.ndarray
    home_reds: np.ndarray
    away_reds: np.ndarray
    p_home_win: np.ndarray
    p_draw: np.ndarray
    p_away_win: np.ndarray
    p_home_advance: np.ndarray | None
    event_index: np.ndarray
    suspense: np.ndarray
    stakes: Stakes | None = None

    def __len__(self) -> int:
        return len(self.minute)

    @property
    def knockout(self) -> bool:
        return self.p_home_advance is not None

    def head(self, n: int) -> ProbabilityPath:
        """The first ``n`` points (the match as it stood then), with the events they reach."""
        columns = {
            f.name: getattr(self, f.name)[:n]
            for f in fields(self)
            if isinstance(getattr(self, f.name), np.ndarray)
        }
        reached = columns["event_index"]
        last = int(reached.max()) if len(reached) else -1
        stakes = self.stakes.head(n) if self.stakes is not None else None
        return replace(self, events=self.events[: last + 1], stakes=stakes, **columns)

    def shootout_score(self, i: int) -> tuple[int, int]:
        """The shootout's score (home, away) at point ``i``: the kicks converted up to it (0-0
        before the first kick, and throughout when the kicks are not known)."""
        kicks = np.asarray(self.kind[: i + 1]) == PointKind.SHOOTOUT_KICK.value
        if not kicks.any():
            return 0, 0
        upto = int(np.asarray(self.event_index[: i + 1])[kicks].max())
        scored = [
            e.side
            for e in self.events[: upto + 1]
            if e.type is EventType.SHOOTOUT_KICK and e.converted
        ]
        return scored.count(Side.HOME), scored.count(Side.AWAY)

    @property
    def group_stakes(self) -> bool:
        """Whether the chances of what matters are a group's stakes (:class:`Stakes`)."""
        return self.stakes is not None

    def home_chance(self) -> np.ndarray:
        """The home side's chance of what matters: advancing in a knockout, the group's
        stakes in a group match (:class:`Stakes`), else winning."""
        if self.p_home_advance is not None:
            return self.p_home_advance
        if self.stakes is not None:
            return self.stakes.home_chance
        return self.p_home_win

    def away_chance(self) -> np.ndarray:
        """The away side's chance of the result that matters."""
        if self.p_home_advance is not None:
            return 1.0 - self.p_home_advance
        if self.stakes is not None:
            return self.stakes.away_chance
        return self.p_away_win

    def chance(self, side: Side) -> np.ndarray:
        return self.home_chance() if side is Side.HOME else self.away_chance()
