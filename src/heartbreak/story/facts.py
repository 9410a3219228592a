"""Story facts: what a fan would tell about a match, read off its probability path.

Everything here is a pure function of a :class:`~heartbreak.model.path.ProbabilityPath` and the
:class:`~heartbreak.domain.Match` it replays (for the final score and the shootout). The facts
are told from one side's point of view: its *chance of what matters* is the chance of going
through in a knockout and of winning otherwise (:func:`chance_of`).

- :class:`Lead`: who led, by how much, from which goal to which goal.
- :class:`ChancePoint`: the side's chance at a moment (kick-off, its peak, its low point).
- :class:`Turn`: the largest single fall of the side's chance, and what caused it.
- :class:`Decisive`: the event after which the result was never again in doubt: the goal that
  put the winner ahead for good, the shootout, or the last equaliser of a draw.
- :class:`Result` and :class:`Stake`: the final score and what was being played for.

:func:`story_facts` gathers them all into one frozen :class:`StoryFacts`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from enum import Enum
from typing import Any

import numpy as np

from heartbreak.domain import Event, EventType, Match, MatchInfo, Period, Side, minute_label
from heartbreak.model.path import PointKind, ProbabilityPath
from heartbreak.model.replay import played_extra_time

#: A fall of the side's chance smaller than this between two points is not called a turn.
MIN_TURN = 0.05
#: The winner's chance above which a result counts as no longer in doubt (see ``sealed``).
SEALED = 0.9
#: A goal from this minute of regulation (or of the second half of extra time) on is "late".
LATE_MINUTE = 85
LATE_EXTRA_MINUTE = 115


# --- small facts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Moment:
    """A point of the path, located the way a fan reads the clock.

    ``index`` is the position on the path; ``label`` the minute as written (``90+4'``; ``pens``
    for the shootout); ``time_left`` the expected minutes of play left in the current phase
    (regulation, or extra time once it has started); ``event_index`` indexes ``path.events``
    (-1 when the point is not an event).
    """

    index: int
    label: str
    minute: int
    stoppage: int
    period: str
    elapsed: float
    time_left: float
    event_index: int = -1

    @property
    def in_stoppage(self) -> bool:
        return self.stoppage > 0 and self.period != Period.SHOOTOUT.value

    @property
    def in_extra_time(self) -> bool:
        return self.period in (Period.EXTRA_FIRST.value, Period.EXTRA_SECOND.value)

    @property
    def late(self) -> bool:
        """In the last minutes of the match's last phase of open play (or its stoppage)."""
        if self.period == Period.SECOND_HALF.value:
            return self.minute >= LATE_MINUTE
        if self.period == Period.EXTRA_SECOND.value:
            return self.minute >= LATE_EXTRA_MINUTE
        return False


@dataclass(frozen=True)
class ChancePoint:
    """The side's chance of what matters at one moment."""

    value: float
    moment: Moment
    home_goals: int
    away_goals: int


@dataclass(frozen=True)
class GoalFact:
    """A goal with the score it made and what it did to the story side's chance."""

    moment: Moment
    side: Side
    team: str
    player: str | None
    own_goal: bool
    penalty: bool
    home_goals: int
    away_goals: int
    chance_before: float
    chance_after: float


@dataclass(frozen=True)
class CardFact:
    """A red card (or second yellow): the punished side plays a man short from then on."""

    moment: Moment
    side: Side
    team: str
    player: str | None
    home_goals: int
    away_goals: int
    chance_before: float
    chance_after: float


@dataclass(frozen=True)
class Lead:
    """A spell in which one side was ahead.

    It starts with the goal that put ``side`` ahead and ends with the goal that took the lead
    away (an equaliser or the other side going ahead); ``end`` is None when the lead was held to
    the final whistle. ``margin`` is the largest lead in the spell, first reached at
    ``margin_from`` with the score ``score_for``-``score_against`` (the leader's goals first)
    and held until ``margin_until`` (None if held to the end).
    """

    side: Side
    team: str
    start: Moment
    end: Moment | None
    margin: int
    score_for: int
    score_against: int
    margin_from: Moment
    margin_until: Moment | None

    @property
    def held(self) -> bool:
        return self.end is None


@dataclass(frozen=True)
class Turn:
    """The largest fall of the story side's chance between two consecutive points."""

    before: float
    after: float
    moment: Moment
    cause: EventType | None  # the event at that point, if any
    side: Side | None  # the side of that event
    player: str | None

    @property
    def fall(self) -> float:
        return self.before - self.after


@dataclass(frozen=True)
class Decisive:
    """The event after which the result was never again in doubt.

    ``kind``: ``"winning_goal"`` (the goal that put the winner ahead for the last time),
    ``"shootout"`` (a knockout level after extra time) or ``"equaliser"`` (the goal that made a
    drawn match level for the last time). ``winner_before``/``winner_after``: the chance of what
    matters of the side that benefited, just before and just after the event (for a shootout,
    before its first kick and once it was decided).

    A shootout whose kicks are known has its moment at the kick that decided it: ``kick`` is
    that kick (its ``side`` took it, ``converted`` says whether it went in) and
    ``shootout_score`` the shootout's score after it, the winner's goals first.
    """

    kind: str
    moment: Moment
    side: Side
    team: str
    player: str | None
    own_goal: bool
    penalty: bool
    home_goals: int
    away_goals: int
    winner_before: float
    winner_after: float
    kick: Event | None = None
    shootout_score: tuple[int, int] | None = None


@dataclass(frozen=True)
class Result:
    """The final result; scores include extra time but not the shootout."""

    home_score: int
    away_score: int
    extra_time: bool
    shootout_winner: Side | None
    winner: Side | None

    @property
    def suffix(self) -> str:
        """``"pens"``, ``"a.e.t."`` or ``""``, as a scoreline writes it."""
        if self.shootout_winner is not None:
            return "pens"
        return "a.e.t." if self.extra_time else ""

    def score_for(self, side: Side) -> tuple[int, int]:
        own, other = self.home_score, self.away_score
        return (own, other) if side is Side.HOME else (other, own)


@dataclass(frozen=True)
class Stake:
    """What the match was played for.

    ``kind``: ``"next_round"`` (``prize`` is the round a win leads to: ``"quarter-finals"``),
    ``"title"`` (a final; ``prize`` is the trophy: ``"the World Cup"``), ``"third_place"``,
    ``"points"`` (a group or qualifying match) or ``"win"`` (a friendly or unknown stake).
    ``phrase`` is the prize as a noun phrase: ``"a place in the quarter-finals"``.
    """

    kind: str
    prize: str
    phrase: str


# --- what is at stake -----------------------------------------------------------------------

# Stage names of the Fjelstul World Cup Database (singular and plural forms both occur) and of
# other tournaments, mapped to the round a win leads to.
_NEXT_ROUND = {
    "round of 32": "round of 16",
    "round of 16": "quarter-finals",
    "last 16": "quarter-finals",
    "eighth-finals": "quarter-finals",
    "quarter-final": "semi-finals",
    "quarter-finals": "semi-finals",
    "quarterfinals": "semi-finals",
    "semi-final": "final",
    "semi-finals": "final",
    "semifinals": "final",
}
_TITLES = {
    "FIFA World Cup": "the World Cup",
    "UEFA Euro": "the European Championship",
    "Copa América": "the Copa América",
    "African Cup of Nations": "the Africa Cup of Nations",
    "AFC Asian Cup": "the Asian Cup",
    "Gold Cup": "the Gold Cup",
    "Confederations Cup": "the Confederations Cup",
    "UEFA Nations League": "the Nations League",
    "CONCACAF Nations League": "the CONCACAF Nations League",
    "Oceania Nations Cup": "the Oceania Nations Cup",
}
_GROUP_STAGES = ("group", "final round", "league")


def title_of(competition: str) -> str:
    """The trophy a final is played for: ``"the World Cup"``, else ``"the <competition>"``."""
    return _TITLES.get(competition, f"the {competition}")


def stake_of(info: MatchInfo) -> Stake:
    """What was at stake, from the stage (World Cup stage names) and the competition."""
    stage = (info.stage or "").strip().casefold()
    competition = info.competition
    if stage in _NEXT_ROUND:
        prize = _NEXT_ROUND[stage]
        phrase = "a place in the final" if prize == "final" else f"a place in the {prize}"
        return Stake("next_round", prize, phrase)
    if stage == "final":
        title = title_of(competition)
        return Stake("title", title, title)
    if "third" in stage:
        return Stake("third_place", "third place", "third place")
    if any(word in stage for word in _GROUP_STAGES):
        return Stake("points", "points", f"points in the {info.stage}")
    if competition.casefold().endswith("qualification"):
        return Stake("points", "points", f"points in {competition}")
    if info.knockout:
        return Stake("next_round", "next round", "a place in the next round")
    if competition.casefold() == "friendly":
        return Stake("win", "win", "a friendly win")
    return Stake("win", "win", "a win")


def chance_phrase(stake: Stake, advance: bool) -> str:
    """What a side's chance of what matters is a chance of, as words: "reaching the
    quarter-finals", "winning the World Cup", "going through", "winning"."""
    if not advance:
        return "winning"
    if stake.kind == "next_round" and stake.prize != "next round":
        return f"reaching the {stake.prize}"
    if stake.kind == "title":
        return f"winning {stake.prize}"
    if stake.kind == "third_place":
        return "finishing third"
    return "going through"


def stake_for(path: ProbabilityPath, side: Side) -> Stake:
    """What ``side`` played for: in a group match replayed for its stakes and with something
    at stake, a place in the next stage (kind ``"group"``, ``prize`` the stage: ``"round of
    16"``); else :func:`stake_of`."""
    stakes = path.stakes
    if stakes is not None and stakes.goal(side) != "win":
        stage = stakes.next_stage.removeprefix("the ")
        return Stake("group", stage, f"a place in the {stage}")
    return stake_of(path.info)


def goal_of(path: ProbabilityPath, side: Side) -> str:
    """What the side's chance is a chance of: ``"advance"`` in a knockout, its group stake
    (``"through"`` or ``"first"``: :class:`~heartbreak.model.path.Stakes`) in a group match
    replayed for its stakes, else ``"win"``."""
    if path.knockout:
        return "advance"
    if path.stakes is not None:
        return path.stakes.goal(side)
    return "win"


def goal_phrase(stake: Stake, goal: str) -> str:
    """A side's goal in words: "reaching the round of 16", "finishing first in the group",
    else :func:`chance_phrase`."""
    if goal == "through":
        return f"reaching the {stake.prize}" if stake.kind == "group" else "going through"
    if goal == "first":
        return "finishing first in the group"
    return chance_phrase(stake, goal == "advance")


# --- reading the path -----------------------------------------------------------------------


def chance_of(path: ProbabilityPath, side: Side) -> np.ndarray:
    """The side's chance of what matters at every point: advancing in a knockout, else winning."""
    chance = path.home_chance() if side is Side.HOME else path.away_chance()
    return np.asarray(chance, dtype=float)


def kind_mask(path: ProbabilityPath, kind: PointKind) -> np.ndarray:
    """Mask of the points of one kind."""
    return np.asarray(path.kind) == kind.value


def live_points(path: ProbabilityPath) -> np.ndarray:
    """Mask of the points at which the result was still open (the final whistle is not)."""
    shootout_pending = (path.period == Period.SHOOTOUT.value) & kind_mask(
        path, PointKind.BEFORE_EVENT
    )
    return (path.time_left > 0) | shootout_pending


def moment_at(path: ProbabilityPath, index: int) -> Moment:
    """The :class:`Moment` of one point of the path."""
    period = str(path.period[index])
    minute, stoppage = int(path.minute[index]), int(path.stoppage[index])
    label = "pens" if period == Period.SHOOTOUT.value else minute_label(minute, stoppage)
    return Moment(
        index=int(index),
        label=label,
        minute=minute,
        stoppage=stoppage,
        period=period,
        elapsed=float(path.elapsed[index]),
        time_left=float(path.time_left[index]),
        event_index=int(path.event_index[index]),
    )


def event_points(path: ProbabilityPath, event_index: int) -> tuple[int, int]:
    """Path indices of the instants before and after an event."""
    at = path.event_index == event_index
    before = np.flatnonzero(at & kind_mask(path, PointKind.BEFORE_EVENT))
    after = np.flatnonzero(at & kind_mask(path, PointKind.AFTER_EVENT))
    if len(before) == 0 or len(after) == 0:
        raise ValueError(f"event {event_index} is not on the path")
    return int(before[0]), int(after[0])


def shootout_start(path: ProbabilityPath) -> int:
    """Path index of the point just before the shootout's first kick. Raises ValueError for a
    path without a shootout."""
    at = np.flatnonzero(
        (np.asarray(path.period) == Period.SHOOTOUT.value) & kind_mask(path, PointKind.BEFORE_EVENT)
    )
    if len(at) == 0:
        raise ValueError("the path has no shootout")
    return int(at[0])


def shootout_score(path: ProbabilityPath, index: int, side: Side) -> tuple[int, int]:
    """The shootout's score at path point ``index``, ``side``'s goals first
    (:meth:`~heartbreak.model.path.ProbabilityPath.shootout_score`)."""
    home, away = path.shootout_score(index)
    return (home, away) if side is Side.HOME else (away, home)


def _chance_point(path: ProbabilityPath, chance: np.ndarray, index: int) -> ChancePoint:
    return ChancePoint(
        value=float(chance[index]),
        moment=moment_at(path, index),
        home_goals=int(path.home_goals[index]),
        away_goals=int(path.away_goals[index]),
    )


def goals(path: ProbabilityPath, side: Side) -> tuple[GoalFact, ...]:
    """Every goal in order, with ``side``'s chance just before and after it."""
    chance = chance_of(path, side)
    out = []
    for i, event in enumerate(path.events):
        if event.type is not EventType.GOAL or event.side is None:
            continue
        before, after = event_points(path, i)
        out.append(
            GoalFact(
                moment=moment_at(path, after),
                side=event.side,
                team=path.info.team(event.side),
                player=event.player,
                own_goal=event.own_goal,
                penalty=event.penalty,
                home_goals=int(path.home_goals[after]),
                away_goals=int(path.away_goals[after]),
                chance_before=float(chance[before]),
                chance_after=float(chance[after]),
            )
        )
    return tuple(out)


def red_cards(path: ProbabilityPath, side: Side) -> tuple[CardFact, ...]:
    """Every red card in order, with ``side``'s chance just before and after it."""
    chance = chance_of(path, side)
    out = []
    for i, event in enumerate(path.events):
        if event.type is not EventType.RED_CARD or event.side is None:
            continue
        before, after = event_points(path, i)
        out.append(
            CardFact(
                moment=moment_at(path, after),
                side=event.side,
                team=path.info.team(event.side),
                player=event.player,
                home_goals=int(path.home_goals[after]),
                away_goals=int(path.away_goals[after]),
                chance_before=float(chance[before]),
                chance_after=float(chance[after]),
            )
        )
    return tuple(out)


def leads(path: ProbabilityPath) -> tuple[Lead, ...]:
    """The spells in which one side was ahead, in order (see :class:`Lead`)."""
    spells: list[Lead] = []
    current: dict[str, Any] | None = None
    for goal in goals(path, Side.HOME):
        diff = goal.home_goals - goal.away_goals
        leader = None if diff == 0 else (Side.HOME if diff > 0 else Side.AWAY)
        if (
            current is not None
            and abs(diff) < current["margin"]
            and current["margin_until"] is None
        ):
            current["margin_until"] = goal.moment
        if current is not None and leader is not current["side"]:
            spells.append(Lead(**current, end=goal.moment))
            current = None
        if leader is None:
            continue
        if current is None:
            current = {
                "side": leader,
                "team": path.info.team(leader),
                "start": goal.moment,
                "margin": 0,
                "margin_until": None,
            }
        if abs(diff) > current["margin"]:
            own = goal.home_goals if leader is Side.HOME else goal.away_goals
            other = goal.away_goals if leader is Side.HOME else goal.home_goals
            current.update(
                margin=abs(diff),
                score_for=own,
                score_against=other,
                margin_from=goal.moment,
                margin_until=None,
            )
    if current is not None:
        spells.append(Lead(**current, end=None))
    return tuple(spells)


def peak_chance(path: ProbabilityPath, side: Side) -> ChancePoint:
    """The side's highest chance while the result was open (the first point if tied)."""
    chance = chance_of(path, side)
    live = np.flatnonzero(live_points(path))
    index = int(live[np.argmax(chance[live])])
    return _chance_point(path, chance, index)


def low_chance(path: ProbabilityPath, side: Side) -> ChancePoint:
    """The side's lowest chance while the result was open (the first point if tied)."""
    chance = chance_of(path, side)
    live = np.flatnonzero(live_points(path))
    index = int(live[np.argmin(chance[live])])
    return _chance_point(path, chance, index)


def biggest_fall(path: ProbabilityPath, side: Side, minimum: float = MIN_TURN) -> Turn | None:
    """The largest fall of the side's chance between consecutive points (None if all are
    smaller than ``minimum``). Its moment is the point after the fall."""
    chance = chance_of(path, side)
    if len(chance) < 2:
        return None
    falls = chance[:-1] - chance[1:]
    step = int(np.argmax(falls))
    if falls[step] < minimum:
        return None
    index = step + 1
    moment = moment_at(path, index)
    event: Event | None = None
    if moment.event_index >= 0 and kind_mask(path, PointKind.AFTER_EVENT)[index]:
        event = path.events[moment.event_index]
    return Turn(
        before=float(chance[step]),
        after=float(chance[index]),
        moment=moment,
        cause=event.type if event else None,
        side=event.side if event else None,
        player=event.player if event else None,
    )


def result_of(match: Match) -> Result:
    """The final result of a match."""
    return Result(
        home_score=match.home_score,
        away_score=match.away_score,
        extra_time=played_extra_time(match),
        shootout_winner=match.shootout_winner,
        winner=match.winner,
    )


def decisive_moment(path: ProbabilityPath, match: Match) -> Decisive | None:
    """The event after which the result was never again in doubt (see :class:`Decisive`).

    None for a goalless draw, and for a match whose score the path does not reach.
    """
    result = result_of(match)
    all_goals = goals(path, Side.HOME)
    if match.home_score != match.away_score:
        winner = Side.HOME if match.home_score > match.away_score else Side.AWAY
        chosen, kind = None, "winning_goal"
        previous_lead = False
        for goal in all_goals:
            diff = goal.home_goals - goal.away_goals
            leads_now = diff > 0 if winner is Side.HOME else diff < 0
            if leads_now and not previous_lead and goal.side is winner:
                chosen = goal
            previous_lead = leads_now
    elif result.shootout_winner is not None:
        index = next((i for i, e in enumerate(path.events) if e.type is EventType.SHOOTOUT), None)
        if index is None:
            return None
        winner = result.shootout_winner
        chance = chance_of(path, winner)
        kicks = np.flatnonzero(kind_mask(path, PointKind.SHOOTOUT_KICK))
        kick, score = None, None
        if kicks.size:
            before, after = shootout_start(path), int(kicks[-1])
            kick = path.events[int(path.event_index[after])]
            score = shootout_score(path, after, winner)
        else:
            before, after = event_points(path, index)
        return Decisive(
            kind="shootout",
            moment=moment_at(path, after),
            side=winner,
            team=path.info.team(winner),
            player=None,
            own_goal=False,
            penalty=False,
            home_goals=int(path.home_goals[after]),
            away_goals=int(path.away_goals[after]),
            winner_before=float(chance[before]),
            winner_after=float(chance[after]),
            kick=kick,
            shootout_score=score,
        )
    else:
        kind = "equaliser"
        chosen = next((g for g in reversed(all_goals) if g.home_goals == g.away_goals), None)
    if chosen is None:
        return None
    chance = chance_of(path, chosen.side)
    before, after = event_points(path, chosen.moment.event_index)
    return Decisive(
        kind=kind,
        moment=chosen.moment,
        side=chosen.side,
        team=chosen.team,
        player=chosen.player,
        own_goal=chosen.own_goal,
        penalty=chosen.penalty,
        home_goals=chosen.home_goals,
        away_goals=chosen.away_goals,
        winner_before=float(chance[before]),
        winner_after=float(chance[after]),
    )


def sealed_moment(path: ProbabilityPath, match: Match, level: float = SEALED) -> Moment | None:
    """The first point from which the winner's chance never again fell below ``level``.

    None for a match without a winner.
    """
    winner = match.winner
    if winner is None:
        return None
    chance = chance_of(path, winner)
    below = np.flatnonzero(chance < level)
    index = 0 if len(below) == 0 else int(below[-1]) + 1
    if index >= len(chance):
        return None
    return moment_at(path, index)


def path_winner(path: ProbabilityPath) -> Side | None:
    """The winner as the path alone tells it: the final score, else the shootout."""
    if len(path) == 0:
        return None
    home, away = int(path.home_goals[-1]), int(path.away_goals[-1])
    if home != away:
        return Side.HOME if home > away else Side.AWAY
    shootout = [e for e in path.events if e.type is EventType.SHOOTOUT and e.side is not None]
    return shootout[-1].side if shootout else None


def default_side(match: Match) -> Side:
    """The side whose story is told by default: the losing side, else the home side."""
    winner = match.winner
    return winner.other if winner is not None else Side.HOME


# --- everything together --------------------------------------------------------------------


@dataclass(frozen=True)
class StoryFacts:
    """Everything the story of one match, told from ``side``'s point of view, rests on.

    ``chance_of`` is ``"advance"`` in a knockout, the side's group stake (``"through"`` or
    ``"first"``) in a group match replayed for its stakes, and ``"win"`` otherwise; ``prematch``,
    ``peak`` and ``low`` are the side's chance of that at kick-off, at its highest and at its
    lowest while the result was open. Chances in goal and card facts are ``side``'s.
    """

    side: Side
    team: str
    opponent: str
    info: MatchInfo
    chance_of: str
    stake: Stake
    result: Result
    prematch: ChancePoint
    peak: ChancePoint
    low: ChancePoint
    final_chance: float
    goals: tuple[GoalFact, ...]
    red_cards: tuple[CardFact, ...]
    leads: tuple[Lead, ...]
    turn: Turn | None
    decisive: Decisive | None
    sealed: Moment | None
    in_progress: bool = False

    @property
    def outcome(self) -> str:
        """``"won"``, ``"lost"`` or ``"drew"`` for ``side`` (a shootout decides a knockout);
        ``"playing"`` while the match is in progress."""
        if self.in_progress:
            return "playing"
        winner = self.result.winner
        if winner is None:
            return "drew"
        return "won" if winner is self.side else "lost"

    def leads_of(self, side: Side) -> tuple[Lead, ...]:
        return tuple(lead for lead in self.leads if lead.side is side)

    def biggest_lead(self, side: Side) -> Lead | None:
        """The side's largest lead (the earliest if equal)."""
        own = self.leads_of(side)
        return max(own, key=lambda lead: lead.margin) if own else None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values (enums as strings, dates as ISO text)."""
        return _plain(self)


def story_facts(
    path: ProbabilityPath, match: Match, side: Side | None = None, *, in_progress: bool = False
) -> StoryFacts:
    """The facts of a replayed match from ``side``'s point of view (default: the losing side,
    else the home side). ``in_progress``: the match is still being played and ``path`` ends
    where it stands, so nothing is decisive or sealed yet and the score is the score so far."""
    side = default_side(match) if side is None else Side(side)
    chance = chance_of(path, side)
    return StoryFacts(
        side=side,
        team=match.info.team(side),
        opponent=match.info.team(side.other),
        info=match.info,
        chance_of=goal_of(path, side),
        stake=stake_for(path, side),
        result=result_of(match),
        prematch=_chance_point(path, chance, 0),
        peak=peak_chance(path, side),
        low=low_chance(path, side),
        final_chance=float(chance[-1]),
        goals=goals(path, side),
        red_cards=red_cards(path, side),
        leads=leads(path),
        turn=biggest_fall(path, side),
        decisive=None if in_progress else decisive_moment(path, match),
        sealed=None if in_progress else sealed_moment(path, match),
        in_progress=in_progress,
    )


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "__dataclass_fields__"):
        out = {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
        for name in ("label", "outcome", "suffix", "held", "fall"):
            prop = getattr(type(value), name, None)
            if isinstance(prop, property):
                out[name] = _plain(getattr(value, name))
        return out
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value
