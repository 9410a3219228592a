"""Replay matches: their events become :class:`~heartbreak.model.path.ProbabilityPath` objects.

Points on a path, in order: kick-off; the end of every minute of play; the instants before and
after each event (an event labelled m' happens during the m-th minute, so the engine places it
at m − ½); every stoppage minute shown; the end of each period (half-time, end of regulation,
end of extra time); the shootout (before and after); the final whistle.

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

_PERIOD_INDEX = {
    Period.FIRST_HALF: FIRST_HALF,
    Period.SECOND_HALF: SECOND_HALF,
    Period.EXTRA_FIRST: EXTRA_FIRST,
    Period.EXTRA_SECOND: EXTRA_SECOND,
}
_PERIODS = (Period.FIRST_HALF, Period.SECOND_HALF, Period.EXTRA_FIRST, Period.EXTRA_SECOND)
_ENGINE_START = (0.0, 45.0, 90.0, 105.0, 120.0)
# States per engine call: bounds the memory of the score grids (about 100 MB at most).
_CHUNK_STATES = 60_000

_COLUMNS = (
    "minute",
    "stoppage",
    "period",
    "kind",
    "engine_period",
    "engine_minute",
    "engine_stoppage",
    "elapsed",
    "home_goals",
    "away_goals",
    "home_reds",
    "away_reds",
    "event_index",
    "shootout_result",
)


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


def match_timeline(match: Match, stoppage_means: np.ndarray) -> list[tuple[Period, int]]:
    """(period, stoppage minutes shown) for each period played."""
    periods = _PERIODS if played_extra_time(match) else _PERIODS[:2]
    out = []
    for idx, period in enumerate(periods):
        latest = max(
            (e.stoppage for e in match.events if e.period is period),
            default=0,
        )
        out.append((period, max(round(float(stoppage_means[idx])), latest)))
    return out


def settled_by_shootout(match: Match) -> bool:
    """A shootout that decided this match (level after play); a shootout after a match one side
    won belongs to a two-legged tie and is not part of the match's own story."""
    return match.shootout_winner is not None and match.home_score == match.away_score


def replayable_events(match: Match) -> tuple[Event, ...]:
    """Goals and red cards in match order."""
    events = (e for e in match.events if e.type in (EventType.GOAL, EventType.RED_CARD))
    return tuple(sorted(events, key=lambda e: e.sort_key))


@dataclass(frozen=True)
class MatchPoints:
    """The points of one match before evaluation: one tuple per point, in ``_COLUMNS`` order."""

    match: Match
    events: tuple[Event, ...]
    rows: list[tuple]


def build_points(match: Match, stoppage_means: np.ndarray) -> MatchPoints:
    """Walk a match's timeline and list its points (see the module docstring)."""
    events = replayable_events(match)
    timeline = match_timeline(match, stoppage_means)
    knockout = match.info.knockout
    rows: list[tuple] = []
    hg = ag = hr = ar = 0
    base = 0.0
    first = Period.FIRST_HALF.value
    rows.append(
        (0, 0, first, PointKind.KICK_OFF.value, FIRST_HALF, 0.0, 0.0, 0.0, 0, 0, 0, 0, -1, -1)
    )
    by_period: dict[Period, list[tuple[int, Event]]] = {}
    for index, event in enumerate(events):
        by_period.setdefault(event.period, []).append((index, event))
    minute_kind = PointKind.MINUTE.value
    before, after = PointKind.BEFORE_EVENT.value, PointKind.AFTER_EVENT.value

    for period, shown in timeline:
        eng = _PERIOD_INDEX[period]
        name = period.value
        start, end = period.start_minute, period.end_minute
        # Events sit half a minute before the end of the minute they are labelled with.
        pending = []
        for index, event in by_period.get(period, []):
            if event.stoppage > 0:
                clock = end + event.stoppage - 0.5
            else:
                clock = min(max(event.minute, start + 1), end) - 0.5
            pending.append((clock, index, event))
        pending.sort(key=lambda item: item[0])
        k = 0
        for step in range(1, end - start + shown + 1):
            clock = float(start + step)
            while k < len(pending) and pending[k][0] < clock:
                ev_clock, index, event = pending[k]
                in_stop = ev_clock > end
                em, es = (float(end), ev_clock - end) if in_stop else (ev_clock, 0.0)
                elapsed = base + ev_clock - start
                rows.append(
                    (
                        event.minute,
                        event.stoppage,
                        name,
                        before,
                        eng,
                        em,
                        es,
                        elapsed,
                        hg,
                        ag,
                        hr,
                        ar,
                        index,
                        -1,
                    )
                )
                home = event.side is Side.HOME
                if event.type is EventType.GOAL:
                    hg, ag = (hg + 1, ag) if home else (hg, ag + 1)
                else:
                    hr, ar = (hr + 1, ar) if home else (hr, ar + 1)
                rows.append(
                    (
                        event.minute,
                        event.stoppage,
                        name,
                        after,
                        eng,
                        em,
                        es,
                        elapsed,
                        hg,
                        ag,
                        hr,
                        ar,
                        index,
                        -1,
                    )
                )
                k += 1
            if clock <= end:
                rows.append(
                    (
                        int(clock),
                        0,
                        name,
                        minute_kind,
                        eng,
                        clock,
                        0.0,
                        base + clock - start,
                        hg,
                        ag,
                        hr,
                        ar,
                        -1,
                        -1,
                    )
                )
            else:
                x = clock - end
                rows.append(
                    (
                        end,
                        int(x),
                        name,
                        minute_kind,
                        eng,
                        float(end),
                        x,
                        base + clock - start,
                        hg,
                        ag,
                        hr,
                        ar,
                        -1,
                        -1,
                    )
                )
        base += (end - start) + shown
        # The period is over: the engine's state is the start of the next period, if any.
        nxt = eng + 1
        if eng == SECOND_HALF and not (knockout and hg == ag and len(timeline) > 2):
            nxt = FINISHED
        if eng == EXTRA_SECOND:
            nxt = FINISHED
        rows.append(
            (
                end,
                shown,
                name,
                PointKind.PERIOD_END.value,
                nxt,
                _ENGINE_START[nxt],
                0.0,
                base,
                hg,
                ag,
                hr,
                ar,
                -1,
                -1,
            )
        )

    last_period, last_shown = timeline[-1]
    end = last_period.end_minute
    shootout = settled_by_shootout(match) and knockout
    if shootout:
        index = len(events)
        won = 1 if match.shootout_winner is Side.HOME else 0
        so = Period.SHOOTOUT.value
        rows.append(
            (end, last_shown, so, before, FINISHED, 120.0, 0.0, base, hg, ag, hr, ar, index, -1)
        )
        rows.append(
            (end, last_shown, so, after, FINISHED, 120.0, 0.0, base, hg, ag, hr, ar, index, won)
        )
    final_period = Period.SHOOTOUT.value if shootout else last_period.value
    result = -1 if not shootout else (1 if match.shootout_winner is Side.HOME else 0)
    rows.append(
        (
            end,
            last_shown,
            final_period,
            PointKind.FINAL_WHISTLE.value,
            FINISHED,
            120.0,
            0.0,
            base,
            hg,
            ag,
            hr,
            ar,
            -1,
            result,
        )
    )
    return MatchPoints(match, events, rows)


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
    means = model.params.stoppage_means
    built = [build_points(m, means) for m in matches]
    counts = np.fromiter((len(b.rows) for b in built), dtype=np.int64, count=len(built))
    table = [row for b in built for row in b.rows]
    cols = dict(zip(_COLUMNS, zip(*table, strict=True), strict=True))
    arrays = {
        "minute": np.asarray(cols["minute"], dtype=np.int64),
        "stoppage": np.asarray(cols["stoppage"], dtype=np.int64),
        "period": np.asarray(cols["period"]),
        "kind": np.asarray(cols["kind"]),
        "elapsed": np.asarray(cols["elapsed"], dtype=float),
        "home_goals": np.asarray(cols["home_goals"], dtype=np.int64),
        "away_goals": np.asarray(cols["away_goals"], dtype=np.int64),
        "home_reds": np.asarray(cols["home_reds"], dtype=np.int64),
        "away_reds": np.asarray(cols["away_reds"], dtype=np.int64),
        "event_index": np.asarray(cols["event_index"], dtype=np.int64),
    }
    knockout = np.repeat(
        np.fromiter((m.info.knockout for m in matches), bool, len(matches)), counts
    )
    states = StateBatch(
        period=np.asarray(cols["engine_period"], dtype=np.int64),
        minute=np.asarray(cols["engine_minute"], dtype=float),
        stoppage=np.asarray(cols["engine_stoppage"], dtype=float),
        home_goals=arrays["home_goals"],
        away_goals=arrays["away_goals"],
        home_reds=arrays["home_reds"],
        away_reds=arrays["away_reds"],
        knockout=knockout,
    )
    lam_h = np.repeat(np.asarray(lam_home, dtype=float), counts)
    lam_a = np.repeat(np.asarray(lam_away, dtype=float), counts)
    out = _evaluate_chunked(model, lam_h, lam_a, states)
    # A decided shootout makes going through certain.
    shootout = np.asarray(cols["shootout_result"], dtype=float)
    decided = shootout >= 0
    p_adv = np.where(decided, shootout, out["p_home_advance"])

    paths = []
    offsets = np.concatenate([[0], np.cumsum(counts)])
    for b, lo, hi in zip(built, offsets[:-1], offsets[1:], strict=True):
        sl = slice(int(lo), int(hi))
        info = b.match.info
        paths.append(
            ProbabilityPath(
                info=info,
                events=b.events + _shootout_events(b.match),
                minute=arrays["minute"][sl],
                stoppage=arrays["stoppage"][sl],
                period=arrays["period"][sl],
                elapsed=arrays["elapsed"][sl],
                time_left=out["time_left"][sl],
                kind=arrays["kind"][sl],
                home_goals=arrays["home_goals"][sl],
                away_goals=arrays["away_goals"][sl],
                home_reds=arrays["home_reds"][sl],
                away_reds=arrays["away_reds"][sl],
                p_home_win=out["p_home_win"][sl],
                p_draw=out["p_draw"][sl],
                p_away_win=out["p_away_win"][sl],
                p_home_advance=p_adv[sl] if info.knockout else None,
                event_index=arrays["event_index"][sl],
                suspense=out["suspense"][sl],
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
    for lo in range(0, n, _CHUNK_STATES):
        sl = slice(lo, min(lo + _CHUNK_STATES, n))
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
