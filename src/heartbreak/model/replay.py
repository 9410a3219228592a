"""Replay matches: their events become :class:`~heartbreak.model.path.ProbabilityPath` objects.

Points on a path, in order: kick-off; the end of every minute of play; the instants before and
after each event (an event labelled m' happens during the m-th minute, so the engine places it
at m − ½); every stoppage minute shown; the end of each period (half-time, end of regulation,
end of extra time); the shootout: a point before it and, when the record has its kicks, one
after each kick (:mod:`heartbreak.model.shootout`: the home side's chance given the kicks so
far, 1 or 0 after the deciding one), else one after it; the final whistle.

Stoppage minutes shown for a period: those the record proves were played (the latest event in
that period's stoppage), at least the expected stoppage rounded to whole minutes. The engine
never looks ahead: the probability at a point uses only what happened before it.

:func:`replay_many` builds the points of many matches, evaluates all their states in a few large
vectorised batches and splits the result back into paths; :func:`replay` is the one-match case.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from heartbreak.domain import Event, EventType, Match, Period, Side
from heartbreak.model.grid import grid_size
from heartbreak.model.inplay import (
    EXTRA_FIRST,
    EXTRA_SECOND,
    FINISHED,
    FIRST_HALF,
    SECOND_HALF,
    InPlayModel,
    StateBatch,
)
from heartbreak.model.path import PointKind, ProbabilityPath
from heartbreak.model.shootout import kick_chances, kicks_problem

_PERIOD_INDEX = {
    Period.FIRST_HALF: FIRST_HALF,
    Period.SECOND_HALF: SECOND_HALF,
    Period.EXTRA_FIRST: EXTRA_FIRST,
    Period.EXTRA_SECOND: EXTRA_SECOND,
}
_PERIODS = (Period.FIRST_HALF, Period.SECOND_HALF, Period.EXTRA_FIRST, Period.EXTRA_SECOND)
_ENGINE_START = (0.0, 45.0, 90.0, 105.0, 120.0)
# States per engine call, and score-grid cells (states × goal counts) per call: together they
# bound the memory of the score grids (about 100 MB at most), however lopsided the matches.
_CHUNK_STATES = 60_000
_CHUNK_CELLS = 3_000_000


def played_extra_time(match: Match) -> bool:
    """Whether extra time was played: recorded, implied by an extra-time event, or implied by a
    shootout after a level knockout when the record does not say (``extra_time is None``)."""
    if match.extra_time:
        return True
    if any(e.period is not None and e.period.is_extra_time for e in match.events):
        return True
    return bool(
        match.info.knockout
        and match.shootout_winner is not None
        and match.home_score == match.away_score
        and match.extra_time is None
    )


def match_timeline(
    match: Match, stoppage_means: np.ndarray, proven: Sequence[int] = (0, 0, 0, 0)
) -> list[tuple[Period, int]]:
    """(period, stoppage minutes shown) for each period played. ``proven``: stoppage minutes
    of each period that other records prove were played (a booking in stoppage time)."""
    periods = _PERIODS if played_extra_time(match) else _PERIODS[:2]
    out = []
    for idx, period in enumerate(periods):
        latest = max(
            (e.stoppage for e in match.events if e.period is period),
            default=0,
        )
        shown = max(round(float(stoppage_means[idx])), latest, int(proven[idx]))
        out.append((period, shown))
    return out


def settled_by_shootout(match: Match) -> bool:
    """A shootout that decided this match (level after play); a shootout after a match one side
    won belongs to a two-legged tie and is not part of the match's own story."""
    return match.shootout_winner is not None and match.home_score == match.away_score


def shootout_kicks(match: Match) -> tuple[Event, ...]:
    """The kicks of the shootout that settled the match, as events in the order taken, when the
    record has them all (a complete shootout won by the recorded winner); else none."""
    kicks = match.shootout_kicks
    if not (kicks and match.info.knockout and settled_by_shootout(match)):
        return ()
    if kicks_problem(kicks, match.shootout_winner) is not None:
        return ()
    return tuple(
        Event(
            EventType.SHOOTOUT_KICK,
            120,
            0,
            side=k.side,
            player=k.player,
            period=Period.SHOOTOUT,
            converted=bool(k.converted),
        )
        for k in kicks
    )


def replayable_events(match: Match) -> tuple[Event, ...]:
    """Goals and red cards in match order."""
    events = (e for e in match.events if e.type in (EventType.GOAL, EventType.RED_CARD))
    return tuple(sorted(events, key=lambda e: e.sort_key))


_KIND_NAMES = np.array([k.value for k in PointKind])
_KIND = {k: i for i, k in enumerate(PointKind)}
# Period label codes: 0..3 the periods of play, 4 the shootout.
_PERIOD_NAMES = np.array([p.value for p in (*_PERIODS, Period.SHOOTOUT)])
_LENGTH = np.array([45, 45, 15, 15])
_START = np.array([0, 45, 90, 105])
_END = _START + _LENGTH
# The final whistle's place among a match's shootout points: after every kick.
_WHISTLE_SUB = 1 << 20


@dataclass(frozen=True)
class PointTable:
    """The points of many matches before evaluation, as columns; match i owns the rows
    ``offsets[i]:offsets[i + 1]``."""

    matches: tuple[Match, ...]
    events: tuple[tuple[Event, ...], ...]
    offsets: np.ndarray
    columns: dict[str, np.ndarray]

    def states(self) -> StateBatch:
        c = self.columns
        counts = np.diff(self.offsets)
        knockout = np.fromiter((m.info.knockout for m in self.matches), bool, len(self.matches))
        return StateBatch(
            period=c["engine_period"],
            minute=c["engine_minute"],
            stoppage=c["engine_stoppage"],
            home_goals=c["home_goals"],
            away_goals=c["away_goals"],
            home_reds=c["home_reds"],
            away_reds=c["away_reds"],
            knockout=np.repeat(knockout, counts),
        )


def _grouped_arange(counts: np.ndarray) -> np.ndarray:
    """0..c−1 for each count c, concatenated."""
    total = int(counts.sum())
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(total) - starts


def build_points(
    matches: Sequence[Match],
    stoppage_means: np.ndarray,
    shootout_conversion: float = 0.7,
    proven: Sequence[Sequence[int]] | None = None,
) -> PointTable:
    """Every point of every match (see the module docstring), built as whole columns.

    Python touches each match and each event once to read them; the rows themselves (about a
    hundred per match) are generated, ordered and scored with array operations. Shootout kicks
    are converted with probability ``shootout_conversion``. ``proven``: per match, the
    stoppage minutes of each period other records prove were played (:func:`match_timeline`).
    """
    n = len(matches)
    events = tuple(replayable_events(m) for m in matches)
    kicks = tuple(shootout_kicks(m) for m in matches)
    shown = np.zeros((n, 4), dtype=np.int64)
    n_periods = np.empty(n, dtype=np.int64)
    knockout = np.empty(n, dtype=bool)
    shootout = np.empty(n, dtype=bool)
    home_won_shootout = np.empty(n, dtype=bool)
    ev_match, ev_period, ev_clock, ev_minute, ev_stoppage, ev_index = [], [], [], [], [], []
    ev_home, ev_goal = [], []
    for i, (match, evs) in enumerate(zip(matches, events, strict=True)):
        timeline = match_timeline(
            match, stoppage_means, proven[i] if proven is not None else (0, 0, 0, 0)
        )
        for p, (_, stoppage) in enumerate(timeline):
            shown[i, p] = stoppage
        n_periods[i] = len(timeline)
        knockout[i] = match.info.knockout
        shootout[i] = knockout[i] and settled_by_shootout(match)
        home_won_shootout[i] = match.shootout_winner is Side.HOME
        for k, e in enumerate(evs):
            p = _PERIOD_INDEX[e.period]
            if e.stoppage > 0:
                clock = _END[p] + e.stoppage - 0.5
            else:
                clock = min(max(e.minute, _START[p] + 1), _END[p]) - 0.5
            ev_match.append(i)
            ev_period.append(p)
            ev_clock.append(clock)
            ev_minute.append(e.minute)
            ev_stoppage.append(e.stoppage)
            ev_index.append(k)
            ev_home.append(e.side is Side.HOME)
            ev_goal.append(e.type is EventType.GOAL)
    played = np.arange(4)[None, :] < n_periods[:, None]
    shown = np.where(played, shown, 0)
    span = np.where(played, _LENGTH[None, :] + shown, 0)  # minutes shown per period
    base = np.cumsum(span, axis=1) - span  # elapsed at each period's start

    parts: list[dict[str, np.ndarray]] = []

    def part(**cols):
        parts.append(cols)

    # Kick-off.
    idx = np.arange(n)
    zeros = np.zeros(n, dtype=np.int64)
    part(
        match=idx,
        order=zeros,
        clock=zeros.astype(float),
        sub=zeros,
        kind=zeros + _KIND[PointKind.KICK_OFF],
        label_period=zeros,
        minute=zeros,
        stoppage=zeros,
        engine_period=zeros,
        engine_clock=zeros.astype(float),
        elapsed=zeros.astype(float),
        event=zeros - 1,
        increment=zeros,
    )
    # The end of every minute of play, stoppage minutes included.
    pm, pp = np.nonzero(played)
    steps = _grouped_arange(span[pm, pp]) + 1
    mm, per = np.repeat(pm, span[pm, pp]), np.repeat(pp, span[pm, pp])
    clock = (_START[per] + steps).astype(float)
    over = np.maximum(clock - _END[per], 0).astype(np.int64)
    part(
        match=mm,
        order=per,
        clock=clock,
        sub=np.zeros_like(mm),
        kind=np.full_like(mm, _KIND[PointKind.MINUTE]),
        label_period=per,
        minute=np.minimum(clock, _END[per]).astype(np.int64),
        stoppage=over,
        engine_period=per,
        engine_clock=clock,
        elapsed=base[mm, per] + steps,
        event=np.full_like(mm, -1),
        increment=np.zeros_like(mm),
    )
    # Before and after each event.
    if ev_match:
        em = np.repeat(np.asarray(ev_match), 2)
        ep = np.repeat(np.asarray(ev_period), 2)
        ec = np.repeat(np.asarray(ev_clock, dtype=float), 2)
        ek = np.repeat(np.asarray(ev_index), 2)
        after = np.tile([0, 1], len(ev_match))
        # Increments as a code: 1 home goal, 2 away goal, 3 home red, 4 away red.
        code = np.where(np.asarray(ev_goal), np.where(ev_home, 1, 2), np.where(ev_home, 3, 4))
        part(
            match=em,
            order=ep,
            clock=ec,
            sub=2 * ek + after,
            kind=np.where(after == 1, _KIND[PointKind.AFTER_EVENT], _KIND[PointKind.BEFORE_EVENT]),
            label_period=ep,
            minute=np.repeat(np.asarray(ev_minute), 2),
            stoppage=np.repeat(np.asarray(ev_stoppage), 2),
            engine_period=ep,
            engine_clock=ec,
            elapsed=base[em, ep] + ec - _START[ep],
            event=ek,
            increment=np.repeat(code, 2) * after,
        )
    # The end of each period (the engine state is filled in once the score is known).
    end_clock = (_END[pp] + shown[pm, pp]).astype(float) + 0.75
    part(
        match=pm,
        order=pp,
        clock=end_clock,
        sub=np.zeros_like(pm),
        kind=np.full_like(pm, _KIND[PointKind.PERIOD_END]),
        label_period=pp,
        minute=_END[pp],
        stoppage=shown[pm, pp],
        engine_period=np.full_like(pm, -1),
        engine_clock=np.zeros(len(pm)),
        elapsed=(base[pm, pp] + span[pm, pp]).astype(float),
        event=np.full_like(pm, -1),
        increment=np.zeros_like(pm),
    )
    # The shootout: a point before it, then one after each kick (or after the shootout when
    # its kicks are not known), and the final whistle.
    last = n_periods - 1
    n_events = np.fromiter((len(e) for e in events), np.int64, n)
    so = np.nonzero(shootout)[0]
    steps_of = np.fromiter((max(len(kicks[i]), 1) for i in so), np.int64, len(so))
    so_m = np.repeat(so, steps_of + 1)
    so_sub = _grouped_arange(steps_of + 1)  # 0 before, 1.. each step
    by_kick = np.repeat(np.fromiter((len(kicks[i]) > 0 for i in so), bool, len(so)), steps_of + 1)
    step_kind = np.where(by_kick, _KIND[PointKind.SHOOTOUT_KICK], _KIND[PointKind.AFTER_EVENT])
    fin_m = np.concatenate([so_m, idx])
    fin_sub = np.concatenate([so_sub, np.full(n, _WHISTLE_SUB)])
    fin_kind = np.concatenate(
        [
            np.where(so_sub >= 1, step_kind, _KIND[PointKind.BEFORE_EVENT]),
            np.full(n, _KIND[PointKind.FINAL_WHISTLE]),
        ]
    )
    fin_period = np.where(shootout[fin_m], 4, last[fin_m])
    fin_event = np.concatenate([n_events[so_m] + np.maximum(so_sub - 1, 0), np.full(n, -1)])
    part(
        match=fin_m,
        order=np.full_like(fin_m, 5),
        clock=np.zeros(len(fin_m)),
        sub=fin_sub,
        kind=fin_kind,
        label_period=fin_period,
        minute=_END[last[fin_m]],
        stoppage=shown[fin_m, last[fin_m]],
        engine_period=np.full_like(fin_m, FINISHED),
        engine_clock=np.full(len(fin_m), 120.0),
        elapsed=span.sum(axis=1)[fin_m].astype(float),
        event=fin_event,
        increment=np.zeros_like(fin_m),
    )

    table = {k: np.concatenate([np.asarray(p[k]) for p in parts]) for k in parts[0]}
    order = np.lexsort((table["sub"], table["clock"], table["order"], table["match"]))
    t = {k: v[order] for k, v in table.items()}
    counts = np.bincount(t["match"], minlength=n)
    offsets = np.concatenate([[0], np.cumsum(counts)])
    first_row = np.repeat(offsets[:-1], counts)

    def running(code: int) -> np.ndarray:
        c = np.cumsum(t["increment"] == code)
        return c - c[first_row] + (t["increment"][first_row] == code)

    hg, ag, hr, ar = (running(code) for code in (1, 2, 3, 4))
    # Period ends: the next period's start, or the end of the match.
    ends = t["kind"] == _KIND[PointKind.PERIOD_END]
    p_now = t["label_period"]
    to_extra = knockout[t["match"]] & (hg == ag) & (n_periods[t["match"]] == 4)
    nxt = np.where((p_now == SECOND_HALF) & ~to_extra, FINISHED, p_now + 1)
    nxt = np.where(p_now == EXTRA_SECOND, FINISHED, nxt)
    engine_period = np.where(ends, nxt, t["engine_period"])
    engine_clock = np.where(ends, np.asarray(_ENGINE_START)[np.minimum(nxt, 4)], t["engine_clock"])
    in_stop = (engine_period <= EXTRA_SECOND) & (engine_clock > _END[np.minimum(engine_period, 3)])
    period_end = _END[np.minimum(engine_period, 3)].astype(float)
    # P(home goes through) once the shootout has begun: after the kicks so far, 1 or 0 once
    # it is decided (after the shootout when its kicks are not known, and at the whistle).
    won = home_won_shootout[t["match"]].astype(float)
    in_shootout = (t["order"] == 5) & shootout[t["match"]]
    shootout_p = np.where(in_shootout & (t["sub"] >= 1), won, np.nan)
    kick_rows = np.flatnonzero(in_shootout & (t["kind"] == _KIND[PointKind.SHOOTOUT_KICK]))
    if len(kick_rows):
        with_kicks = (matches[i] for i in so if kicks[i])
        chances = [kick_chances(m.shootout_kicks, shootout_conversion).p_home for m in with_kicks]
        shootout_p[kick_rows] = np.concatenate(chances)
    columns = {
        "minute": t["minute"].astype(np.int64),
        "stoppage": t["stoppage"].astype(np.int64),
        "period": _PERIOD_NAMES[t["label_period"]],
        "kind": _KIND_NAMES[t["kind"]],
        "elapsed": t["elapsed"].astype(float),
        "home_goals": hg,
        "away_goals": ag,
        "home_reds": hr,
        "away_reds": ar,
        "event_index": t["event"].astype(np.int64),
        "engine_period": engine_period.astype(np.int64),
        "engine_minute": np.where(in_stop, period_end, engine_clock),
        "engine_stoppage": np.where(in_stop, engine_clock - period_end, 0.0),
        "shootout_p": shootout_p,
    }
    return PointTable(tuple(matches), events, offsets, columns)


def replay_many(
    matches: Sequence[Match],
    lam_home: Sequence[float] | np.ndarray,
    lam_away: Sequence[float] | np.ndarray,
    model: InPlayModel | None = None,
) -> list[ProbabilityPath]:
    """Probability paths of many matches, evaluated in a few large vectorised batches."""
    model = model or InPlayModel()
    if len(matches) == 0:
        return []
    lam_home = np.asarray(lam_home, dtype=float)
    lam_away = np.asarray(lam_away, dtype=float)
    # Evaluate in order of scoring rate, so that each chunk's score grid is only as large as
    # its own matches need (one lopsided match would otherwise widen a whole chunk's grid).
    order = np.argsort(np.maximum(lam_home, lam_away), kind="stable")
    if len(order) > 1 and not np.array_equal(order, np.arange(len(order))):
        paths = replay_many([matches[i] for i in order], lam_home[order], lam_away[order], model)
        out: list[ProbabilityPath] = [None] * len(order)  # type: ignore[list-item]
        for position, index in enumerate(order):
            out[index] = paths[position]
        return out
    points = build_points(matches, model.params.stoppage_means, model.params.shootout_conversion)
    counts = np.diff(points.offsets)
    cols = points.columns
    result = _evaluate_chunked(
        model, np.repeat(lam_home, counts), np.repeat(lam_away, counts), points.states()
    )
    # In the shootout, going through follows the kicks (certain once it is decided).
    p_adv = np.where(np.isnan(cols["shootout_p"]), result["p_home_advance"], cols["shootout_p"])

    paths = []
    for i, match in enumerate(points.matches):
        sl = slice(int(points.offsets[i]), int(points.offsets[i + 1]))
        info = match.info
        paths.append(
            ProbabilityPath(
                info=info,
                events=points.events[i] + shootout_kicks(match) + _shootout_events(match),
                minute=cols["minute"][sl],
                stoppage=cols["stoppage"][sl],
                period=cols["period"][sl],
                elapsed=cols["elapsed"][sl],
                time_left=result["time_left"][sl],
                kind=cols["kind"][sl],
                home_goals=cols["home_goals"][sl],
                away_goals=cols["away_goals"][sl],
                home_reds=cols["home_reds"][sl],
                away_reds=cols["away_reds"][sl],
                p_home_win=result["p_home_win"][sl],
                p_draw=result["p_draw"][sl],
                p_away_win=result["p_away_win"][sl],
                p_home_advance=p_adv[sl] if info.knockout else None,
                event_index=cols["event_index"][sl],
                suspense=result["suspense"][sl],
            )
        )
    return paths


def replay(
    match: Match, lam_home: float, lam_away: float, model: InPlayModel | None = None
) -> ProbabilityPath:
    """The probability path of one match from its pre-match expected goals and its events."""
    return replay_many([match], [lam_home], [lam_away], model)[0]


def _evaluate_chunked(
    model: InPlayModel, lam_h, lam_a, states: StateBatch
) -> dict[str, np.ndarray]:
    n = len(lam_h)
    parts: dict[str, list[np.ndarray]] = {}
    # The most goals each state could still expect (its rates with the red cards so far): the
    # score grid of a chunk is as wide as its largest, so a chunk holds fewer lopsided states.
    mult_h, mult_a = model.red_card_multipliers(states.home_reds, states.away_reds)
    rate = np.maximum(np.asarray(lam_h) * mult_h, np.asarray(lam_a) * mult_a)
    lo = 0
    while lo < n:
        hi = min(lo + _CHUNK_STATES, n)
        while hi - lo > 1 and (hi - lo) * grid_size(float(rate[lo:hi].max())) > _CHUNK_CELLS:
            hi = lo + max(1, (hi - lo) // 2)
        sl = slice(lo, hi)
        lo = hi
        chunk = StateBatch(**{k: getattr(states, k)[sl] for k in StateBatch.__dataclass_fields__})
        res = model.evaluate(lam_h[sl], lam_a[sl], chunk)
        for key in (
            "p_home_win",
            "p_draw",
            "p_away_win",
            "p_home_advance",
            "time_left",
            "suspense",
        ):
            parts.setdefault(key, []).append(getattr(res, key))
    return {k: np.concatenate(v) for k, v in parts.items()}


def _shootout_events(match: Match) -> tuple[Event, ...]:
    if not (settled_by_shootout(match) and match.info.knockout):
        return ()
    return (Event(EventType.SHOOTOUT, 120, 0, side=match.shootout_winner, period=Period.SHOOTOUT),)
