"""The match clock as a chart's x axis: where each point goes, and what the axis says.

A chart plots a match against minutes played (``elapsed``, stoppage included), but reads on the
match clock: ticks at ``0'``, ``15'``, ``30'``, ``45'``, the end of the first half's stoppage
(``45+3'``, over ``HT``), ``60'``, ``75'``, ``90'``, the end of the second half's (``90+5'``,
over ``FT``, or ``ET`` when extra time follows), then ``105'`` and ``120'`` in extra time (over
``ET HT`` and ``AET``). Stoppage time is a stretch of its own after each period's nominal end,
and a shootout gets a column after the end of play, with its points spread across it (so the
final jump to 0 or 1, and the feeling it brings, have width): the point before it, one after
each kick when the kicks are known (else one after the shootout), and the final whistle.

:func:`clock_axis` is pure (arrays in, a :class:`ClockAxis` out); :func:`path_axis` reads the
arrays of a :class:`~heartbreak.model.path.ProbabilityPath`. The match page computes the same
axis in JavaScript (``web/static/clock.js``) from the same timeline fields.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from heartbreak.domain import Period, minute_label
from heartbreak.model.path import PointKind, ProbabilityPath

#: The periods of play in order, with their nominal end on the clock.
PERIOD_END = {
    Period.FIRST_HALF.value: 45,
    Period.SECOND_HALF.value: 90,
    Period.EXTRA_FIRST.value: 105,
    Period.EXTRA_SECOND.value: 120,
}
_PLAY = tuple(PERIOD_END)
#: The shootout column: its width is this share of the time played, at least SHOOTOUT_MIN and
#: at least SHOOTOUT_PER_POINT for each of its points (a shootout followed kick by kick).
SHOOTOUT_SHARE = 0.12
SHOOTOUT_MIN = 10.0
SHOOTOUT_PER_POINT = 2.0

#: Tick priorities: when two labels collide, the higher one is kept.
NOMINAL_END, MINUTE, PERIOD_MARK, SHOOTOUT = 1, 2, 3, 4


@dataclass(frozen=True, slots=True)
class Tick:
    """A label on the axis at ``x``: ``label`` on the clock, ``sub`` (``HT``, ``FT`` ...) under
    it at the end of a period; ``priority`` decides which of two colliding ticks stays."""

    x: float
    label: str
    sub: str | None = None
    priority: int = MINUTE


@dataclass(frozen=True, slots=True)
class Stretch:
    """A span of the axis: stoppage time of a period (``label`` ``45+3'``) or the shootout."""

    start: float
    end: float
    label: str


@dataclass(frozen=True, slots=True)
class Divider:
    """A vertical line at the end of a period: ``HT``, ``FT``, ``ET`` (extra time follows),
    ``ET HT`` or ``AET``."""

    x: float
    label: str


@dataclass(frozen=True, slots=True)
class ClockAxis:
    """The x of every point, the ticks (in order of x), stoppage stretches, period dividers,
    the shootout column (``None`` without a shootout) and the axis's right end."""

    x: np.ndarray
    ticks: tuple[Tick, ...]
    stoppage: tuple[Stretch, ...]
    dividers: tuple[Divider, ...]
    shootout: Stretch | None
    end: float

    def thinned(self, min_gap: float, widths: Sequence[float] | None = None) -> list[Tick]:
        """The ticks that fit: taken by priority (then from the left), a tick is kept when its
        label keeps ``min_gap`` (in x units) from every kept one. ``widths`` (x units, one per
        tick) makes the gap count from the labels' edges instead of their centres."""
        sizes = list(widths) if widths is not None else [0.0] * len(self.ticks)
        order = sorted(range(len(self.ticks)), key=lambda i: (-self.ticks[i].priority, i))
        kept: list[int] = []
        for i in order:
            t = self.ticks[i]
            if all(abs(t.x - self.ticks[k].x) - (sizes[i] + sizes[k]) / 2 >= min_gap for k in kept):
                kept.append(i)
        return [self.ticks[i] for i in sorted(kept)]


def divider_label(period: str, extra_time: bool) -> str:
    """What the end of ``period`` is called on the axis."""
    if period == Period.FIRST_HALF.value:
        return "HT"
    if period == Period.SECOND_HALF.value:
        return "ET" if extra_time else "FT"
    if period == Period.EXTRA_FIRST.value:
        return "ET HT"
    return "AET"


def clock_axis(
    minute: Sequence[int],
    stoppage: Sequence[int],
    period: Sequence[str],
    kind: Sequence[str],
    elapsed: Sequence[float],
    *,
    extra_time: bool | None = None,
) -> ClockAxis:
    """The match-clock axis of a timeline given as columns (one value per point, in order).

    ``extra_time`` says whether the match goes to extra time when the points do not show it yet
    (a live match); by default, whether any point is in extra time or the shootout. A timeline
    that has not reached its final whistle gets ticks for the minutes still to come, where they
    will fall if no more stoppage is played.
    """
    minute_ = np.asarray(minute, dtype=int)
    stop_ = np.asarray(stoppage, dtype=int)
    period_ = np.asarray(period, dtype=str)
    kind_ = np.asarray(kind, dtype=str)
    x = np.asarray(elapsed, dtype=float).copy()
    n = len(x)
    shoot = period_ == Period.SHOOTOUT.value
    play = ~shoot
    et_seen = bool(np.isin(period_, [*_PLAY[2:], Period.SHOOTOUT.value]).any())
    extra = et_seen if extra_time is None else bool(extra_time) or et_seen
    finished = bool((kind_ == PointKind.FINAL_WHISTLE.value).any())
    last_play = float(x[play].max()) if play.any() else 0.0

    column = None
    if shoot.any():
        idx = np.flatnonzero(shoot)
        width = max(SHOOTOUT_MIN, SHOOTOUT_SHARE * last_play, SHOOTOUT_PER_POINT * len(idx))
        column = Stretch(last_play, last_play + width, "pens")
        x[idx] = last_play + width * (np.arange(len(idx)) + 0.5) / len(idx)

    ticks: dict[float, Tick] = {0.0: Tick(0.0, "0'", None, PERIOD_MARK)}
    stretches: list[Stretch] = []
    dividers: list[Divider] = []
    for p in _PLAY:
        in_p = np.flatnonzero(play & (period_ == p))
        if not len(in_p):
            continue
        nominal_end = PERIOD_END[p]
        ends = in_p[kind_[in_p] == PointKind.PERIOD_END.value]
        end_i = int(ends[0]) if len(ends) else int(in_p[-1])
        added = int(stop_[in_p].max())
        if len(ends):
            label = divider_label(p, extra)
            dividers.append(Divider(float(x[end_i]), label))
            ticks[float(x[end_i])] = Tick(
                float(x[end_i]), minute_label(nominal_end, added), label, PERIOD_MARK
            )
        elif added > 0:  # in stoppage time now (a live match)
            ticks[float(x[end_i])] = Tick(
                float(x[end_i]), minute_label(nominal_end, added), None, PERIOD_MARK
            )
        if added > 0:
            at = in_p[
                (minute_[in_p] == nominal_end)
                & (stop_[in_p] == 0)
                & (kind_[in_p] == PointKind.MINUTE.value)
            ]
            start = float(x[at[0]]) if len(at) else float(x[end_i]) - added
            stretches.append(Stretch(start, float(x[end_i]), minute_label(nominal_end, added)))

    minutes = play & (kind_ == PointKind.MINUTE.value) & (stop_ == 0) & (minute_ % 15 == 0)
    for i in np.flatnonzero(minutes):
        at = float(x[i])
        if at in ticks or minute_[i] == 0:
            continue
        is_end = int(minute_[i]) in PERIOD_END.values()
        ticks[at] = Tick(at, minute_label(int(minute_[i])), None, NOMINAL_END if is_end else MINUTE)

    end = last_play
    if not finished and n and play.any():
        end = max(end, _future_ticks(ticks, minute_, stop_, period_, kind_, x, extra))
    if column is not None:
        ticks[column.start + (column.end - column.start) / 2] = Tick(
            column.start + (column.end - column.start) / 2, "pens", None, SHOOTOUT
        )
        end = column.end
    return ClockAxis(
        x=x,
        ticks=tuple(ticks[k] for k in sorted(ticks)),
        stoppage=tuple(stretches),
        dividers=tuple(dividers),
        shootout=column,
        end=float(end),
    )


def _future_ticks(ticks, minute_, stop_, period_, kind_, x, extra) -> float:
    """Add the ticks of the minutes a live match has still to play; returns where its last
    nominal minute will fall. The clock is read at the last point on a whole minute (an event
    sits half a minute before its minute's end)."""
    on_minute = [PointKind.KICK_OFF.value, PointKind.MINUTE.value, PointKind.PERIOD_END.value]
    whole = np.isin(kind_, on_minute) & (period_ != Period.SHOOTOUT.value)
    if not whole.any():
        return float(x.max())
    last = int(np.flatnonzero(whole)[-1])
    last_minute, last_stop, last_period = int(minute_[last]), int(stop_[last]), str(period_[last])
    offset = float(x[last]) - last_minute - last_stop
    period_end = PERIOD_END.get(last_period, 90)
    final = 120 if extra else 90
    where = float(x[last])
    for m in range(15, final + 1, 15):
        if m <= last_minute:
            continue
        at = m + offset + (last_stop if m > period_end else 0)
        where = at
        if at not in ticks:
            is_end = m in PERIOD_END.values()
            ticks[at] = Tick(at, minute_label(m), None, PERIOD_MARK if is_end else MINUTE)
    return where


def path_axis(path: ProbabilityPath) -> ClockAxis:
    """The match-clock axis of a path."""
    return clock_axis(
        path.minute,
        path.stoppage,
        np.asarray(path.period).astype(str),
        np.asarray(path.kind).astype(str),
        path.elapsed,
    )
