"""Replay a match: its events become a :class:`~heartbreak.model.path.ProbabilityPath`.

Points on the path, in order: kick-off; the end of every minute of play; the instants before and
after each event (an event labelled m' happens during the m-th minute, so the engine places it
at m − ½); every stoppage minute played; the end of each period (half-time, end of regulation,
end of extra time); the shootout; the final whistle.

Stoppage minutes shown for a period: those the record proves were played (the latest event in
that period's stoppage), at least the expected stoppage rounded to whole minutes. The engine
itself never looks ahead: the probability at a point uses only what happened before it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from heartbreak.domain import Event, EventType, Match, MatchInfo, Period, Side
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
_PERIODS = [Period.FIRST_HALF, Period.SECOND_HALF, Period.EXTRA_FIRST, Period.EXTRA_SECOND]


@dataclass
class _Points:
    """Column lists gathered while walking the timeline (one entry per path point)."""

    def __post_init__(self) -> None:
        self.cols: dict[str, list] = {
            name: []
            for name in [
                "minute",
                "stoppage",
                "period",
                "label_period",
                "engine_period",
                "engine_minute",
                "engine_stoppage",
                "elapsed",
                "kind",
                "home_goals",
                "away_goals",
                "home_reds",
                "away_reds",
                "event_index",
            ]
        }

    def add(self, **values) -> None:
        for name, column in self.cols.items():
            column.append(values[name])


def played_extra_time(match: Match) -> bool:
    """Whether extra time was played: recorded, or implied by an extra-time event or a shootout
    after a level score (unless the record says there was no extra time)."""
    if match.extra_time:
        return True
    if any(e.period is not None and e.period.is_extra_time for e in match.events):
        return True
    return bool(
        match.info.knockout
        and match.shootout_winner is not None
        and match.home_score == match.away_score
        and match.extra_time is not False
    )


def match_timeline(match: Match, stoppage_means: np.ndarray) -> list[tuple[Period, int]]:
    """(period, stoppage minutes shown) for each period played."""
    periods = _PERIODS if played_extra_time(match) else _PERIODS[:2]
    out = []
    for idx, period in enumerate(periods):
        latest = max(
            (
                e.stoppage
                for e in match.events
                if e.period is period and e.type is not EventType.SHOOTOUT
            ),
            default=0,
        )
        out.append((period, max(round(float(stoppage_means[idx])), latest)))
    return out


def replay(
    match: Match, lam_home: float, lam_away: float, model: InPlayModel | None = None
) -> ProbabilityPath:
    """The probability path of a match from its pre-match expected goals and its events."""
    model = model or InPlayModel()
    info = match.info
    events = tuple(e for e in match.events if e.type in (EventType.GOAL, EventType.RED_CARD))
    events = tuple(sorted(events, key=lambda e: e.sort_key))
    timeline = match_timeline(match, model.params.stoppage_means)
    pts = _Points()
    score = [0, 0]
    reds = [0, 0]
    elapsed_base = 0.0

    def add(
        kind,
        minute,
        stoppage,
        period,
        engine_period,
        engine_minute,
        engine_stoppage,
        elapsed,
        event_index=-1,
    ):
        pts.add(
            minute=minute,
            stoppage=stoppage,
            period=period.value,
            label_period=period,
            engine_period=engine_period,
            engine_minute=engine_minute,
            engine_stoppage=engine_stoppage,
            elapsed=elapsed,
            kind=kind.value,
            home_goals=score[0],
            away_goals=score[1],
            home_reds=reds[0],
            away_reds=reds[1],
            event_index=event_index,
        )

    add(PointKind.KICK_OFF, 0, 0, Period.FIRST_HALF, FIRST_HALF, 0.0, 0.0, 0.0)
    by_period: dict[Period, list[tuple[int, Event]]] = {}
    for index, event in enumerate(events):
        by_period.setdefault(event.period, []).append((index, event))

    for period, shown_stoppage in timeline:
        eng = _PERIOD_INDEX[period]
        start, end = period.start_minute, period.end_minute
        # (clock key, order, payload): minute ends at m (or end + x), events at m − ½ (end + x − ½).
        items: list[tuple[float, int, object]] = []
        for m in range(start + 1, end + 1):
            items.append((float(m), 1, ("minute", m, 0)))
        for x in range(1, shown_stoppage + 1):
            items.append((end + float(x), 1, ("minute", end, x)))
        for index, event in by_period.get(period, []):
            if event.stoppage > 0:
                clock = end + event.stoppage - 0.5
            else:
                clock = min(max(event.minute, start + 1), end) - 0.5
            items.append((clock, 0, ("event", index, event)))
        items.sort(key=lambda item: (item[0], item[1]))
        for clock, _, payload in items:
            in_stoppage = clock > end
            eng_minute = end if in_stoppage else clock
            eng_stoppage = clock - end if in_stoppage else 0.0
            elapsed = elapsed_base + (clock - start)
            if payload[0] == "minute":
                _, m, x = payload
                add(PointKind.MINUTE, m, x, period, eng, eng_minute, eng_stoppage, elapsed)
                continue
            _, index, event = payload
            add(
                PointKind.BEFORE_EVENT,
                event.minute,
                event.stoppage,
                period,
                eng,
                eng_minute,
                eng_stoppage,
                elapsed,
                index,
            )
            side = 0 if event.side is Side.HOME else 1
            if event.type is EventType.GOAL:
                score[side] += 1
            else:
                reds[side] += 1
            add(
                PointKind.AFTER_EVENT,
                event.minute,
                event.stoppage,
                period,
                eng,
                eng_minute,
                eng_stoppage,
                elapsed,
                index,
            )
        elapsed_base += (end - start) + shown_stoppage
        # The period is over: the engine's state is the start of the next period, if any.
        next_index = eng + 1
        level = score[0] == score[1]
        if eng == SECOND_HALF and not (info.knockout and level and len(timeline) > 2):
            next_index = FINISHED
        if eng == EXTRA_SECOND:
            next_index = FINISHED
        next_start = [0.0, 45.0, 90.0, 105.0, 120.0][next_index]
        add(
            PointKind.PERIOD_END,
            end,
            shown_stoppage,
            period,
            next_index,
            next_start,
            0.0,
            elapsed_base,
        )

    states = _state_batch(pts, info)
    out = model.evaluate(
        np.full(len(states.period), lam_home), np.full(len(states.period), lam_away), states
    )
    cols = {k: np.asarray(v) for k, v in pts.cols.items()}
    p_home, p_draw, p_away = out.p_home_win.copy(), out.p_draw.copy(), out.p_away_win.copy()
    p_adv = out.p_home_advance.copy() if info.knockout else None

    # Shootout and final whistle: the result is known.
    last_period = timeline[-1][0]
    final_minute = last_period.end_minute
    final_stoppage = timeline[-1][1]
    extra = _final_points(
        match,
        cols,
        p_home,
        p_draw,
        p_away,
        p_adv,
        model,
        final_minute,
        final_stoppage,
        elapsed_base,
        last_period,
    )
    cols, p_home, p_draw, p_away, p_adv, suspense, time_left = extra(out.suspense, out.time_left)
    return ProbabilityPath(
        info=info,
        events=events + _shootout_events(match),
        minute=cols["minute"].astype(int),
        stoppage=cols["stoppage"].astype(int),
        period=cols["period"].astype(str),
        elapsed=cols["elapsed"].astype(float),
        time_left=time_left,
        kind=cols["kind"].astype(str),
        home_goals=cols["home_goals"].astype(int),
        away_goals=cols["away_goals"].astype(int),
        home_reds=cols["home_reds"].astype(int),
        away_reds=cols["away_reds"].astype(int),
        p_home_win=p_home,
        p_draw=p_draw,
        p_away_win=p_away,
        p_home_advance=p_adv,
        event_index=cols["event_index"].astype(int),
        suspense=suspense,
    )


def _shootout_events(match: Match) -> tuple[Event, ...]:
    if match.shootout_winner is None:
        return ()
    return (Event(EventType.SHOOTOUT, 120, 0, side=match.shootout_winner, period=Period.SHOOTOUT),)


def _state_batch(pts: _Points, info: MatchInfo) -> StateBatch:
    c = pts.cols
    n = len(c["minute"])
    return StateBatch(
        period=np.asarray(c["engine_period"], dtype=int),
        minute=np.asarray(c["engine_minute"], dtype=float),
        stoppage=np.asarray(c["engine_stoppage"], dtype=float),
        home_goals=np.asarray(c["home_goals"], dtype=int),
        away_goals=np.asarray(c["away_goals"], dtype=int),
        home_reds=np.asarray(c["home_reds"], dtype=int),
        away_reds=np.asarray(c["away_reds"], dtype=int),
        knockout=np.full(n, info.knockout),
    )


def _final_points(
    match,
    cols,
    p_home,
    p_draw,
    p_away,
    p_adv,
    model,
    final_minute,
    final_stoppage,
    elapsed,
    last_period,
):
    """Append the shootout (before/after) and the final whistle, where the result is certain."""

    def finish(suspense, time_left):
        extra_rows: list[dict] = []
        hg, ag = match.home_score, match.away_score
        base = {
            "minute": final_minute,
            "stoppage": final_stoppage,
            "elapsed": elapsed,
            "home_goals": hg,
            "away_goals": ag,
            "home_reds": cols["home_reds"][-1],
            "away_reds": cols["away_reds"][-1],
        }
        result = np.sign(hg - ag)
        win = (float(result > 0), float(result == 0), float(result < 0))
        shootout_index = len(
            [e for e in match.events if e.type in (EventType.GOAL, EventType.RED_CARD)]
        )
        if match.shootout_winner is not None and p_adv is not None:
            tie = model.params.shootout_home
            extra_rows.append(
                {
                    **base,
                    "period": Period.SHOOTOUT.value,
                    "kind": PointKind.BEFORE_EVENT.value,
                    "event_index": shootout_index,
                    "p": (*win, tie),
                    "time_left": 0.0,
                }
            )
            adv = 1.0 if match.shootout_winner is Side.HOME else 0.0
            extra_rows.append(
                {
                    **base,
                    "period": Period.SHOOTOUT.value,
                    "kind": PointKind.AFTER_EVENT.value,
                    "event_index": shootout_index,
                    "p": (*win, adv),
                    "time_left": 0.0,
                }
            )
        if match.winner is Side.HOME:
            adv = 1.0
        elif match.winner is Side.AWAY:
            adv = 0.0
        else:
            adv = 0.5  # level with no shootout recorded (a replay was ordered): nobody went through
        period = Period.SHOOTOUT.value if match.shootout_winner is not None else last_period.value
        extra_rows.append(
            {
                **base,
                "period": period,
                "kind": PointKind.FINAL_WHISTLE.value,
                "event_index": -1,
                "p": (*win, adv),
                "time_left": 0.0,
            }
        )

        new_cols = dict(cols)
        for name in (
            "minute",
            "stoppage",
            "elapsed",
            "home_goals",
            "away_goals",
            "home_reds",
            "away_reds",
            "period",
            "kind",
            "event_index",
        ):
            new_cols[name] = np.concatenate(
                [cols[name], np.asarray([r[name] for r in extra_rows])]  # strings widen to fit
            )
        ph = np.concatenate([p_home, [r["p"][0] for r in extra_rows]])
        pd_ = np.concatenate([p_draw, [r["p"][1] for r in extra_rows]])
        pa = np.concatenate([p_away, [r["p"][2] for r in extra_rows]])
        padv = None if p_adv is None else np.concatenate([p_adv, [r["p"][3] for r in extra_rows]])
        sus = np.concatenate([suspense, np.zeros(len(extra_rows))])
        tl = np.concatenate([time_left, np.zeros(len(extra_rows))])
        return new_cols, ph, pd_, pa, padv, sus, tl

    return finish
