"""Hand-built probability paths for the drama tests (no engine involved).

``make_path`` builds a path from columns with sensible defaults; ``script_path`` from a list of
rows ``(minute, stoppage, kind, home_goals, away_goals, p[, period])`` where ``p`` is P(home
advances) in a knockout or a (home, draw, away) triple otherwise; ``mirror`` swaps the two sides;
``japan_2018`` is Belgium 3-2 Japan (2 July 2018, World Cup round of 16) with the chances the
design expects of the engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from heartbreak.domain import Event, EventType, MatchInfo, Period, Side
from heartbreak.model.path import PointKind, ProbabilityPath

K = PointKind
WORLD_CUP_R16 = MatchInfo(
    "Belgium",
    "Japan",
    dt.date(2018, 7, 2),
    competition="FIFA World Cup",
    stage="round of 16",
    knockout=True,
    neutral=True,
)
FRIENDLY = MatchInfo("Home", "Away", dt.date(2020, 1, 1))
WORLD_CUP_GROUP = MatchInfo(
    "Home", "Away", dt.date(2022, 11, 22), competition="FIFA World Cup", stage="group stage"
)


def make_path(
    probs: Sequence[Sequence[float]] | np.ndarray,
    *,
    p_home_advance: Sequence[float] | None = None,
    minute: Sequence[int] | None = None,
    stoppage: Sequence[int] | None = None,
    period: Sequence[str] | None = None,
    elapsed: Sequence[float] | None = None,
    time_left: Sequence[float] | None = None,
    kind: Sequence[str] | None = None,
    home_goals: Sequence[int] | None = None,
    away_goals: Sequence[int] | None = None,
    suspense: Sequence[float] | None = None,
    info: MatchInfo | None = None,
    events: tuple[Event, ...] = (),
) -> ProbabilityPath:
    """A path from (home win, draw, away win) rows; every other column has a default.

    Defaults: one point a minute from 0', elapsed = minute, time_left = 90 − elapsed (0 at the
    last point), kick-off first and final whistle last, no goals, no suspense.
    """
    p = np.asarray(probs, dtype=float).reshape(-1, 3)
    n = len(p)
    minute_a = np.arange(n) if minute is None else np.asarray(minute, dtype=int)
    stoppage_a = np.zeros(n, dtype=int) if stoppage is None else np.asarray(stoppage, dtype=int)
    elapsed_a = (
        (minute_a + stoppage_a).astype(float) if elapsed is None else np.asarray(elapsed, float)
    )
    if time_left is None:
        time_left_a = np.maximum(90.0 - elapsed_a, 0.0)
        time_left_a[-1:] = 0.0
    else:
        time_left_a = np.asarray(time_left, dtype=float)
    if kind is None:
        kind_l = [K.MINUTE.value] * n
        kind_l[:1] = [K.KICK_OFF.value] * min(n, 1)
        if n > 1:
            kind_l[-1] = K.FINAL_WHISTLE.value
        kind_a = np.asarray(kind_l)
    else:
        kind_a = np.asarray([str(k) for k in kind])
    if period is None:
        period_a = np.asarray(
            [
                Period.of_minute(max(int(m), 0), int(s)).value
                for m, s in zip(minute_a, stoppage_a, strict=True)
            ]
        )
    else:
        period_a = np.asarray([str(x) for x in period])
    zeros = np.zeros(n, dtype=int)
    if info is None:
        info = replace(FRIENDLY, knockout=p_home_advance is not None)
    return ProbabilityPath(
        info=info,
        events=events,
        minute=minute_a,
        stoppage=stoppage_a,
        period=period_a,
        elapsed=elapsed_a,
        time_left=time_left_a,
        kind=kind_a,
        home_goals=zeros.copy() if home_goals is None else np.asarray(home_goals, dtype=int),
        away_goals=zeros.copy() if away_goals is None else np.asarray(away_goals, dtype=int),
        home_reds=zeros.copy(),
        away_reds=zeros.copy(),
        p_home_win=p[:, 0].copy(),
        p_draw=p[:, 1].copy(),
        p_away_win=p[:, 2].copy(),
        p_home_advance=None if p_home_advance is None else np.asarray(p_home_advance, float),
        event_index=np.full(n, -1),
        suspense=np.zeros(n) if suspense is None else np.asarray(suspense, dtype=float),
    )


_EVENT_KINDS = (K.BEFORE_EVENT.value, K.AFTER_EVENT.value)
Row = tuple  # (minute, stoppage, kind, home_goals, away_goals, p[, period])


def script_path(
    rows: Sequence[Row],
    info: MatchInfo,
    *,
    stoppage_expected: float = 4.0,
    suspense: float = 0.005,
) -> ProbabilityPath:
    """A path from rows ``(minute, stoppage, kind, home_goals, away_goals, p[, period])``.

    ``p`` is P(home goes through) when ``info.knockout`` (the full-time columns are then filled
    in consistently), else a (home, draw, away) triple. Elapsed time is the played clock
    (earlier periods' stoppage included; events at m − ½ as in the engine); time_left is the
    regulation (or extra time) left with ``stoppage_expected`` minutes of stoppage, at least ½
    until the final whistle, where it is 0.
    """
    minute = np.array([r[0] for r in rows], dtype=int)
    stoppage = np.array([r[1] for r in rows], dtype=int)
    kind = [str(r[2]) for r in rows]
    period = [
        str(r[6]) if len(r) > 6 else Period.of_minute(r[0], r[1]).value  # type: ignore[misc]
        for r in rows
    ]
    # Played clock: each period's length plus the stoppage shown in it.
    played: dict[str, int] = {}
    for p_, s_ in zip(period, stoppage, strict=True):
        played[p_] = max(played.get(p_, 0), int(s_))
    order = [p.value for p in Period]
    starts = {p.value: p.start_minute for p in Period}
    base, offset = 0.0, {}
    for name in order:
        offset[name] = base
        if name in played:
            base += (Period(name).end_minute - Period(name).start_minute) + played[name]
    elapsed = np.array(
        [
            offset[p_] + (m - starts[p_]) + s_ - (0.5 if k in _EVENT_KINDS else 0.0)
            for p_, m, s_, k in zip(period, minute, stoppage, kind, strict=True)
        ]
    )
    end = np.where(minute > 90, 120.0, 90.0) + stoppage_expected
    time_left = np.maximum(end - minute - stoppage, 0.5)
    time_left[np.asarray(kind) == K.FINAL_WHISTLE.value] = 0.0
    time_left[np.asarray(period) == Period.SHOOTOUT.value] = 0.0
    sus = np.where(np.asarray(kind) == K.MINUTE.value, suspense, 0.0)
    if info.knockout:
        adv = np.array([float(r[5]) for r in rows])  # type: ignore[arg-type]
        draw = np.full(len(rows), 0.25)
        probs = np.column_stack([adv * (1 - draw), draw, (1 - adv) * (1 - draw)])
        hg = np.array([r[3] for r in rows])
        ag = np.array([r[4] for r in rows])
        last = len(rows) - 1
        result = np.sign(hg[last] - ag[last])
        probs[last] = (float(result > 0), float(result == 0), float(result < 0))
        p_adv: np.ndarray | None = adv
    else:
        probs = np.array([r[5] for r in rows], dtype=float)
        p_adv = None
    return make_path(
        probs,
        p_home_advance=p_adv,
        minute=minute,
        stoppage=stoppage,
        period=period,
        elapsed=elapsed,
        time_left=time_left,
        kind=kind,
        home_goals=[r[3] for r in rows],
        away_goals=[r[4] for r in rows],
        suspense=sus,
        info=info,
    )


#: A shootout the home side led (Colombia against England, 2018): P(home goes through) before
#: it and after each of its ten kicks, the away side's last one deciding it.
SHOOTOUT_LED_AND_LOST = (0.5, 0.58, 0.5, 0.59, 0.5, 0.6, 0.83, 0.62, 0.5, 0.15, 0.0)


def shootout_path(chances: Sequence[float] = SHOOTOUT_LED_AND_LOST, *, kicks: bool = True):
    """A World Cup final level at 1-1 after extra time, then a shootout: one point after each
    kick (``kicks``), or only its result; ``chances`` are P(home) before it and after each kick."""
    rows: list[Row] = [(0, 0, K.KICK_OFF.value, 0, 0, 0.5)]
    rows += [(m, 0, K.MINUTE.value, 0, 0, 0.5) for m in range(1, 60)]
    rows += [(60, 0, K.BEFORE_EVENT.value, 0, 0, 0.5), (60, 0, K.AFTER_EVENT.value, 1, 0, 0.75)]
    rows += [(m, 0, K.MINUTE.value, 1, 0, 0.75) for m in range(60, 80)]
    rows += [(80, 0, K.BEFORE_EVENT.value, 1, 0, 0.75), (80, 0, K.AFTER_EVENT.value, 1, 1, 0.5)]
    rows += [(m, 0, K.MINUTE.value, 1, 1, 0.5) for m in range(80, 121)]
    shootout = Period.SHOOTOUT.value
    rows.append((120, 0, K.BEFORE_EVENT.value, 1, 1, chances[0], shootout))
    steps = chances[1:] if kicks else chances[-1:]
    step = K.SHOOTOUT_KICK.value if kicks else K.AFTER_EVENT.value
    rows += [(120, 0, step, 1, 1, c, shootout) for c in steps]
    rows.append((120, 0, K.FINAL_WHISTLE.value, 1, 1, chances[-1], shootout))
    info = replace(WORLD_CUP_GROUP, stage="final", knockout=True)
    return script_path(rows, info)


def _ramp(a: float, b: float, steps: int) -> np.ndarray:
    return np.linspace(a, b, steps) if steps > 1 else np.array([a])


def japan_2018() -> ProbabilityPath:
    """Belgium 3-2 Japan: Japan (away) goals 48', 52'; Belgium 69', 74', 90+4'.

    Japan's chance to go through: 0.30 at kick-off, creeping to 0.33 at 0-0; 0.62-0.66 at 0-1;
    0.86-0.92 at 0-2 (52'-68'); 0.74-0.76 at 1-2; 0.50 at 2-2; 0.01 after 90+4', 0 at the whistle.
    """
    rows: list[Row] = [(0, 0, K.KICK_OFF.value, 0, 0, 0.70)]

    def minutes(first: int, last: int, hg: int, ag: int, japan_from: float, japan_to: float):
        ms = range(first, last + 1)
        for m, j in zip(ms, _ramp(japan_from, japan_to, len(ms)), strict=True):
            rows.append((m, 0, K.MINUTE.value, hg, ag, 1 - j))

    def event(m: int, s: int, hg0: int, ag0: int, hg1: int, ag1: int, j0: float, j1: float):
        rows.append((m, s, K.BEFORE_EVENT.value, hg0, ag0, 1 - j0))
        rows.append((m, s, K.AFTER_EVENT.value, hg1, ag1, 1 - j1))

    minutes(1, 45, 0, 0, 0.30, 0.33)
    rows += [(45, s, K.MINUTE.value, 0, 0, 0.67) for s in (1, 2)]
    rows.append((45, 2, K.PERIOD_END.value, 0, 0, 0.67))
    minutes(46, 47, 0, 0, 0.333, 0.335)
    event(48, 0, 0, 0, 0, 1, 0.336, 0.62)
    minutes(48, 51, 0, 1, 0.62, 0.66)
    event(52, 0, 0, 1, 0, 2, 0.66, 0.86)
    minutes(52, 68, 0, 2, 0.86, 0.92)
    event(69, 0, 0, 2, 1, 2, 0.92, 0.74)
    minutes(69, 73, 1, 2, 0.74, 0.76)
    event(74, 0, 1, 2, 2, 2, 0.76, 0.50)
    minutes(74, 90, 2, 2, 0.50, 0.50)
    rows += [(90, s, K.MINUTE.value, 2, 2, 0.50) for s in (1, 2, 3)]
    event(90, 4, 2, 2, 3, 2, 0.50, 0.01)
    rows.append((90, 4, K.FINAL_WHISTLE.value, 3, 2, 1.0))
    g = EventType.GOAL
    events = (
        Event(g, 48, side=Side.AWAY),
        Event(g, 52, side=Side.AWAY),
        Event(g, 69, side=Side.HOME),
        Event(g, 74, side=Side.HOME),
        Event(g, 90, 4, side=Side.HOME),
    )
    return replace(script_path(rows, WORLD_CUP_R16), events=events)


def point(path: ProbabilityPath, minute: int, stoppage: int = 0, kind: str = "minute") -> int:
    """The index of the (first) point with this clock and kind."""
    hits = np.flatnonzero(
        (path.minute == minute) & (path.stoppage == stoppage) & (path.kind == kind)
    )
    assert hits.size, f"no {kind} point at {minute}+{stoppage}"
    return int(hits[0])


def mirror(path: ProbabilityPath) -> ProbabilityPath:
    """The same match with home and away swapped."""
    info = replace(path.info, home=path.info.away, away=path.info.home)
    events = tuple(replace(e, side=None if e.side is None else e.side.other) for e in path.events)
    return replace(
        path,
        info=info,
        events=events,
        home_goals=path.away_goals.copy(),
        away_goals=path.home_goals.copy(),
        home_reds=path.away_reds.copy(),
        away_reds=path.home_reds.copy(),
        p_home_win=path.p_away_win.copy(),
        p_away_win=path.p_home_win.copy(),
        p_home_advance=None if path.p_home_advance is None else 1.0 - path.p_home_advance,
    )
