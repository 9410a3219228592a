"""The match-clock axis: ticks, stoppage stretches, period dividers and the shootout column,
from paths replayed from hand-built matches and from bare timeline columns."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from heartbreak.domain import Event, ShootoutKick
from heartbreak.model.replay import replay
from heartbreak.story.clock import (
    MINUTE,
    NOMINAL_END,
    PERIOD_MARK,
    SHOOTOUT,
    SHOOTOUT_PER_POINT,
    clock_axis,
    path_axis,
)

from .conftest import AWAY, GOAL, HOME, RED, build


def labels(axis) -> list[str]:
    return [t.label for t in axis.ticks]


def tick(axis, label):
    (found,) = [t for t in axis.ticks if t.label == label]
    return found


def columns(points):
    """Timeline columns from (minute, stoppage, period, kind, elapsed) rows."""
    return [list(c) for c in zip(*points, strict=True)]


def test_first_half_stoppage():
    _, path = build(
        "A",
        "B",
        (1, 1),
        [Event(GOAL, 45, 4, side=HOME, player="Late"), Event(GOAL, 60, side=AWAY)],
    )
    axis = path_axis(path)
    assert labels(axis)[:-1] == ["0'", "15'", "30'", "45'", "45+4'", "60'", "75'", "90'"]
    assert axis.ticks[-1].label.startswith("90+") and axis.ticks[-1].sub == "FT"
    # The stoppage is a stretch of its own, from 45' to the half-time whistle, labelled at its end.
    first = axis.stoppage[0]
    assert first.label == "45+4'"
    assert first.start == tick(axis, "45'").x == 45.0
    assert first.end == tick(axis, "45+4'").x == 49.0
    assert tick(axis, "45+4'").sub == "HT" and tick(axis, "45+4'").priority == PERIOD_MARK
    assert tick(axis, "45'").priority == NOMINAL_END and tick(axis, "15'").priority == MINUTE
    # The 45+4' goal is plotted inside that stretch; the second half starts after it.
    goal = int(np.flatnonzero(np.asarray(path.kind) == "after_event")[0])
    assert first.start < axis.x[goal] < first.end
    assert tick(axis, "60'").x == 60.0 + 4
    assert [d.label for d in axis.dividers] == ["HT", "FT"]
    assert axis.dividers[0].x == first.end
    assert axis.shootout is None and axis.end == float(np.max(path.elapsed))
    # x is elapsed time: plotting never moves a point of play.
    assert np.array_equal(axis.x, np.asarray(path.elapsed, dtype=float))


def test_close_ticks_give_way_by_priority():
    _, path = build("A", "B", (0, 0), [Event(GOAL, 45, 4, side=HOME)], knockout=False)
    axis = path_axis(path)
    assert "45'" in [t.label for t in axis.thinned(3.0)]
    kept = [t.label for t in axis.thinned(6.0)]
    assert "45'" not in kept and "45+4'" in kept and "0'" in kept
    # Measured from the labels' edges, wide labels need more room.
    wide = axis.thinned(1.0, widths=[8.0] * len(axis.ticks))
    assert len(wide) < len(axis.thinned(1.0))


def test_extra_time():
    _, path = build(
        "A",
        "B",
        (2, 1),
        [Event(GOAL, 10, side=HOME), Event(GOAL, 20, side=AWAY), Event(GOAL, 100, side=HOME)],
        knockout=True,
        extra_time=True,
    )
    axis = path_axis(path)
    names = [d.label for d in axis.dividers]
    assert names == ["HT", "ET", "ET HT", "AET"]  # no "FT" at 90': extra time follows
    assert "105'" in labels(axis) and "120'" in labels(axis)
    et_half = next(t for t in axis.ticks if t.sub == "ET HT")
    assert et_half.label.startswith("105")
    end = next(t for t in axis.ticks if t.sub == "AET")
    assert end.label.startswith("120") and end.x == axis.end
    ninety = next(t for t in axis.ticks if t.sub == "ET")
    assert ninety.label.startswith("90+") and ninety.x < et_half.x < end.x
    xs = [t.x for t in axis.ticks]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)


def test_shootout_column(shootout):
    _, path = shootout
    axis = path_axis(path)
    column = axis.shootout
    assert column is not None and column.label == "pens"
    play_end = float(np.max(np.asarray(path.elapsed)[np.asarray(path.period) != "shootout"]))
    assert column.start == play_end and column.end - column.start >= 10.0
    assert axis.end == column.end
    # The shootout's points are spread across the column, so its jump and its feeling have width.
    shoot = np.flatnonzero(np.asarray(path.period) == "shootout")
    assert len(shoot) >= 2
    xs = axis.x[shoot]
    assert np.all(np.diff(xs) > 0) and column.start < xs[0] and xs[-1] < column.end
    pens = axis.ticks[-1]
    assert pens.label == "pens" and pens.priority == SHOOTOUT
    assert pens.x == pytest.approx((column.start + column.end) / 2)
    assert [d.label for d in axis.dividers][-1] == "AET"
    assert "pens" in [t.label for t in axis.thinned(1e9)]  # the last to give way


def test_a_shootout_kick_by_kick_widens_its_column(shootout):
    match, _ = shootout
    first, second = HOME, AWAY
    spec = [(first, 1), (second, 1)] * 5 + [(first, 1), (second, 0)]  # 6-5 in sudden death
    kicks = tuple(ShootoutKick(side, bool(scored)) for side, scored in spec)
    path = replay(replace(match, shootout_winner=HOME, shootout_kicks=kicks), 1.6, 0.8)
    axis = path_axis(path)
    shoot = np.flatnonzero(np.asarray(path.period) == "shootout")
    assert len(shoot) == 14  # before the first kick, twelve kicks, the whistle
    column = axis.shootout
    assert column.end - column.start == pytest.approx(SHOOTOUT_PER_POINT * 14)
    xs = axis.x[shoot]
    assert np.all(np.diff(xs) == pytest.approx(SHOOTOUT_PER_POINT))
    assert column.start < xs[0] and xs[-1] < column.end


def test_no_stoppage_data():
    """A record without stoppage time: the halves end on 45' and 90' exactly."""
    points = [(0, 0, "first_half", "kick_off", 0.0)]
    points += [(m, 0, "first_half", "minute", float(m)) for m in range(1, 46)]
    points += [(45, 0, "first_half", "period_end", 45.0)]
    points += [(m, 0, "second_half", "minute", float(m)) for m in range(46, 91)]
    points += [
        (90, 0, "second_half", "period_end", 90.0),
        (90, 0, "second_half", "final_whistle", 90.0),
    ]
    axis = clock_axis(*columns(points))
    assert labels(axis) == ["0'", "15'", "30'", "45'", "60'", "75'", "90'"]
    assert tick(axis, "45'").sub == "HT" and tick(axis, "90'").sub == "FT"
    assert tick(axis, "45'").priority == PERIOD_MARK
    assert axis.stoppage == () and axis.shootout is None
    assert [(d.x, d.label) for d in axis.dividers] == [(45.0, "HT"), (90.0, "FT")]
    assert axis.end == 90.0


def test_a_match_still_being_played():
    """A live timeline at 60' after 3 minutes of first-half stoppage: the minutes to come get
    their ticks where they will fall if no more stoppage is played."""
    points = [(0, 0, "first_half", "kick_off", 0.0)]
    points += [(m, 0, "first_half", "minute", float(m)) for m in range(1, 46)]
    points += [(45, s, "first_half", "minute", 45.0 + s) for s in (1, 2, 3)]
    points += [(45, 3, "first_half", "period_end", 48.0)]
    points += [(m, 0, "second_half", "minute", m + 3.0) for m in range(46, 61)]
    points += [
        (61, 0, "second_half", "before_event", 63.5),
        (61, 0, "second_half", "after_event", 63.5),
    ]
    axis = clock_axis(*columns(points))
    assert labels(axis) == ["0'", "15'", "30'", "45'", "45+3'", "60'", "75'", "90'"]
    assert tick(axis, "75'").x == 78.0 and tick(axis, "90'").x == 93.0
    assert axis.end == 93.0
    assert [d.label for d in axis.dividers] == ["HT"]
    # In knockout extra time to come, the axis reaches 120'.
    longer = clock_axis(*columns(points), extra_time=True)
    assert tick(longer, "120'").x == 123.0 and longer.end == 123.0


def test_live_in_stoppage_time():
    points = [(0, 0, "first_half", "kick_off", 0.0)]
    points += [(m, 0, "first_half", "minute", float(m)) for m in range(1, 46)]
    points += [(45, s, "first_half", "minute", 45.0 + s) for s in (1, 2)]
    axis = clock_axis(*columns(points))
    assert tick(axis, "45+2'").x == 47.0 and tick(axis, "45+2'").sub is None
    assert axis.stoppage[0].start == 45.0 and axis.stoppage[0].end == 47.0
    assert tick(axis, "60'").x == 62.0 and axis.end == 92.0


def test_red_cards_do_not_change_the_axis(red_card):
    _, path = red_card
    plain = build("Uruguay", "Ghana", (1, 0), [Event(GOAL, 80, side=HOME)], (1.3, 1.0))[1]
    assert labels(path_axis(path)) == labels(path_axis(plain))
    assert RED in {e.type for e in path.events}
