"""Replayed matches: the shape of the probability path and the story it tells.

Belgium 3-2 Japan (2018 World Cup round of 16): Japan led 2-0 after 52 minutes and lost to a
goal at 90+4'.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pytest

from heartbreak.domain import Event, EventType, Match, MatchInfo, Period, ShootoutKick, Side
from heartbreak.model.inplay import InPlayModel, InPlayParams
from heartbreak.model.path import PointKind, ProbabilityPath
from heartbreak.model.replay import match_timeline, played_extra_time, replay
from heartbreak.model.shootout import kick_chances

K = PointKind

BEL_JPN_INFO = MatchInfo(
    "Belgium",
    "Japan",
    dt.date(2018, 7, 2),
    "FIFA World Cup",
    "round of 16",
    knockout=True,
    neutral=True,
)
BEL_JPN_EVENTS = (
    Event(EventType.GOAL, 48, side=Side.AWAY, player="Genki Haraguchi"),
    Event(EventType.GOAL, 52, side=Side.AWAY, player="Takashi Inui"),
    Event(EventType.GOAL, 69, side=Side.HOME, player="Jan Vertonghen"),
    Event(EventType.GOAL, 74, side=Side.HOME, player="Marouane Fellaini"),
    Event(EventType.GOAL, 90, 4, side=Side.HOME, player="Nacer Chadli"),
)


@pytest.fixture(scope="module")
def path() -> ProbabilityPath:
    return replay(Match(BEL_JPN_INFO, 3, 2, BEL_JPN_EVENTS), 1.927, 0.685)


def japan(path: ProbabilityPath) -> np.ndarray:
    return 1.0 - path.p_home_advance


def around(path: ProbabilityPath, event_index: int) -> tuple[int, int]:
    """Indices of the BEFORE_EVENT and AFTER_EVENT points of an event."""
    before = np.flatnonzero((path.kind == K.BEFORE_EVENT) & (path.event_index == event_index))
    after = np.flatnonzero((path.kind == K.AFTER_EVENT) & (path.event_index == event_index))
    assert len(before) == 1 and len(after) == 1
    assert after[0] == before[0] + 1
    return int(before[0]), int(after[0])


def assert_well_formed(path: ProbabilityPath) -> None:
    n = len(path)
    for name in (
        "minute",
        "stoppage",
        "period",
        "elapsed",
        "time_left",
        "kind",
        "home_goals",
        "away_goals",
        "home_reds",
        "away_reds",
        "p_home_win",
        "p_draw",
        "p_away_win",
        "event_index",
        "suspense",
    ):
        assert len(getattr(path, name)) == n, name
    assert path.kind[0] == K.KICK_OFF
    assert path.kind[-1] == K.FINAL_WHISTLE
    assert (path.kind == K.KICK_OFF).sum() == 1
    assert (path.kind == K.FINAL_WHISTLE).sum() == 1
    assert set(path.kind) <= {k.value for k in PointKind}
    assert set(path.period) <= {p.value for p in Period}
    assert np.all(np.diff(path.elapsed) >= 0.0)
    total = path.p_home_win + path.p_draw + path.p_away_win
    np.testing.assert_allclose(total, 1.0, atol=1e-9)
    for p in (path.p_home_win, path.p_draw, path.p_away_win):
        assert np.all((p >= 0.0) & (p <= 1.0))
    if path.p_home_advance is not None:
        assert np.all((path.p_home_advance >= 0.0) & (path.p_home_advance <= 1.0))
    assert np.all(path.time_left >= 0.0)
    assert path.time_left[-1] == 0.0
    assert np.all(path.suspense >= 0.0)
    assert path.suspense[-1] == 0.0
    # Goals and cards never go back.
    for name in ("home_goals", "away_goals", "home_reds", "away_reds"):
        assert np.all(np.diff(getattr(path, name)) >= 0), name
    # One BEFORE and one AFTER point per event.
    for k in range(len(path.events)):
        around(path, k)
    events_on_path = path.event_index[path.event_index >= 0]
    assert set(events_on_path) == set(range(len(path.events)))
    assert np.all(path.event_index[~np.isin(path.kind, [K.BEFORE_EVENT, K.AFTER_EVENT])] == -1)


# --- Belgium 3-2 Japan --------------------------------------------------------------------------


def test_belgium_japan_path_is_well_formed(path: ProbabilityPath) -> None:
    assert_well_formed(path)
    assert path.knockout
    assert path.events == BEL_JPN_EVENTS
    assert (path.home_goals[-1], path.away_goals[-1]) == (3, 2)
    assert set(path.period) == {Period.FIRST_HALF.value, Period.SECOND_HALF.value}


def test_belgium_japan_has_a_point_for_every_minute(path: ProbabilityPath) -> None:
    minutes = path.kind == K.MINUTE
    regular = sorted(path.minute[minutes & (path.stoppage == 0)].tolist())
    assert regular == list(range(1, 91))
    in_stoppage = minutes & (path.stoppage > 0)
    stoppage = sorted(
        zip(path.minute[in_stoppage].tolist(), path.stoppage[in_stoppage].tolist(), strict=True)
    )
    assert stoppage == [(45, 1), (45, 2), (90, 1), (90, 2), (90, 3), (90, 4)]


def test_belgium_japan_points_around_each_event(path: ProbabilityPath) -> None:
    expected = [(48, 0, 0, 1), (52, 0, 0, 2), (69, 0, 1, 2), (74, 0, 2, 2), (90, 4, 3, 2)]
    for k, (minute, stoppage, hg, ag) in enumerate(expected):
        before, after = around(path, k)
        assert (path.minute[before], path.stoppage[before]) == (minute, stoppage)
        assert (path.minute[after], path.stoppage[after]) == (minute, stoppage)
        assert path.elapsed[before] == path.elapsed[after]
        assert (path.home_goals[after], path.away_goals[after]) == (hg, ag)
        scorer = BEL_JPN_EVENTS[k].side
        if scorer is Side.HOME:
            assert path.home_goals[after] == path.home_goals[before] + 1
        else:
            assert path.away_goals[after] == path.away_goals[before] + 1


def test_japan_goals_raise_their_chance(path: ProbabilityPath) -> None:
    chance = japan(path)
    for k in (0, 1):  # 48' and 52'
        before, after = around(path, k)
        assert chance[after] > chance[before]
    assert path.p_away_win[around(path, 1)[1]] > path.p_away_win[around(path, 0)[1]]


def test_japan_above_eighty_percent_while_two_up(path: ProbabilityPath) -> None:
    two_up = (path.away_goals == 2) & (path.home_goals == 0)
    assert two_up.sum() >= 15
    assert np.all(japan(path)[two_up] >= 0.80)


def test_belgium_goals_lower_japans_chance(path: ProbabilityPath) -> None:
    chance = japan(path)
    for k in (2, 3, 4):  # 69', 74', 90+4'
        before, after = around(path, k)
        assert chance[after] < chance[before]


def test_japan_out_after_the_last_minute_goal(path: ProbabilityPath) -> None:
    chance = japan(path)
    _, after = around(path, 4)
    assert chance[after] < 0.05
    assert np.all(chance[after:] < 0.05)
    assert chance[-1] == 0.0
    assert path.p_home_win[-1] == 1.0
    assert path.p_home_advance[-1] == 1.0


def test_belgium_japan_before_kick_off_belgium_favoured(path: ProbabilityPath) -> None:
    assert path.p_home_win[0] > path.p_away_win[0]
    assert 0.5 < path.p_home_advance[0] < 1.0
    assert path.elapsed[0] == 0.0


def test_level_score_time_passing_favours_the_draw(path: ProbabilityPath) -> None:
    # At 2-2 from 74' on, the draw (and extra time) becomes likelier minute after minute.
    level = (path.home_goals == 2) & (path.away_goals == 2) & (path.kind == K.MINUTE)
    assert np.all(np.diff(path.p_draw[level]) > 0)


def test_no_look_ahead(path: ProbabilityPath) -> None:
    # Before the first goal, the path is the same as for a goalless match.
    goalless = replay(Match(BEL_JPN_INFO, 0, 0, ()), 1.927, 0.685)
    before_goal = path.elapsed < 47.5
    n = int(before_goal.sum())
    assert n > 40
    np.testing.assert_allclose(path.p_home_win[:n], goalless.p_home_win[:n], atol=1e-12)
    np.testing.assert_allclose(path.p_home_advance[:n], goalless.p_home_advance[:n], atol=1e-12)


# --- extra time and a shootout ------------------------------------------------------------------


def shootout_match(winner: Side) -> Match:
    info = MatchInfo(
        "Croatia",
        "Denmark",
        dt.date(2018, 7, 1),
        "FIFA World Cup",
        "round of 16",
        knockout=True,
        neutral=True,
    )
    events = (Event(EventType.GOAL, 1, side=Side.AWAY), Event(EventType.GOAL, 4, side=Side.HOME))
    return Match(info, 1, 1, events, extra_time=True, shootout_winner=winner)


@pytest.mark.parametrize("winner", [Side.HOME, Side.AWAY])
def test_extra_time_and_shootout(winner: Side) -> None:
    match = shootout_match(winner)
    path = replay(match, 1.3, 1.0)
    assert_well_formed(path)
    periods = list(dict.fromkeys(path.period.tolist()))
    assert periods == [p.value for p in Period]
    # Every minute of extra time is on the path.
    et = np.isin(path.period, [Period.EXTRA_FIRST.value, Period.EXTRA_SECOND.value])
    et_minutes = path.minute[et & (path.kind == K.MINUTE) & (path.stoppage == 0)]
    assert sorted(et_minutes.tolist()) == list(range(91, 121))
    # The shootout: one event appended, with its BEFORE and AFTER points.
    assert path.events[-1].type is EventType.SHOOTOUT
    assert path.events[-1].side is winner
    before, after = around(path, len(path.events) - 1)
    assert path.period[before] == path.period[after] == Period.SHOOTOUT.value
    assert path.p_home_advance[before] == pytest.approx(0.5)
    expected = 1.0 if winner is Side.HOME else 0.0
    assert path.p_home_advance[after] == expected
    assert path.p_home_advance[-1] == expected
    assert path.p_draw[-1] == 1.0
    assert path.period[-1] == Period.SHOOTOUT.value
    # Level at 90': the tie-break is open, so neither side is ever certain before the shootout.
    assert np.all((path.p_home_advance[:before] > 0.0) & (path.p_home_advance[:before] < 1.0))


# Argentina–France 2022 style: the away side kicks first; ✓ ✓ ✗ ✓ ✗ ✓ ✓ ✓, the home side wins.
KICKS = tuple(
    ShootoutKick(side, bool(scored), f"{side.value} kicker {k}")
    for k, (side, scored) in enumerate(
        [
            (Side.AWAY, 1),
            (Side.HOME, 1),
            (Side.AWAY, 0),
            (Side.HOME, 1),
            (Side.AWAY, 0),
            (Side.HOME, 1),
            (Side.AWAY, 1),
            (Side.HOME, 1),
        ]
    )
)


def test_a_shootout_kick_by_kick() -> None:
    match = replace(shootout_match(Side.HOME), shootout_kicks=KICKS)
    path = replay(match, 1.3, 1.0, InPlayModel(InPlayParams(shootout_conversion=0.7)))
    kick_points = np.flatnonzero(path.kind == K.SHOOTOUT_KICK)
    assert len(kick_points) == len(KICKS)
    # Goals, then the kicks as events in the order taken, then the result.
    assert [e.type for e in path.events[2:]] == [EventType.SHOOTOUT_KICK] * 8 + [EventType.SHOOTOUT]
    kick_events = [path.events[i] for i in path.event_index[kick_points]]
    assert [(e.side, e.converted, e.player) for e in kick_events] == [
        (k.side, k.converted, k.player) for k in KICKS
    ]
    # Before the first kick, a coin toss; then the chance after each kick; then the whistle.
    before = kick_points[0] - 1
    assert path.kind[before] == K.BEFORE_EVENT and path.p_home_advance[before] == 0.5
    expected = kick_chances(KICKS, 0.7).p_home
    np.testing.assert_allclose(path.p_home_advance[kick_points], expected)
    assert path.p_home_advance[kick_points[-1]] == 1.0
    assert path.kind[-1] == K.FINAL_WHISTLE and kick_points[-1] == len(path) - 2
    assert (path.period[before:] == Period.SHOOTOUT.value).all()
    assert (path.p_draw[before:] == 1.0).all() and (path.time_left[before:] == 0.0).all()
    # Nothing before the shootout changes.
    plain = replay(shootout_match(Side.HOME), 1.3, 1.0, InPlayModel(InPlayParams()))
    np.testing.assert_array_equal(path.p_home_advance[: before + 1], plain.p_home_advance[:-2])
    # The shootout's score at each kick.
    assert [path.shootout_score(int(i)) for i in kick_points][-3:] == [(3, 1), (3, 2), (4, 2)]
    assert path.shootout_score(int(before)) == (0, 0)


def test_kicks_that_do_not_make_the_recorded_shootout_are_one_step() -> None:
    # The kicks say the home side won; the record says the away side did: kicks left out.
    match = replace(shootout_match(Side.AWAY), shootout_kicks=KICKS)
    path = replay(match, 1.3, 1.0)
    assert not (path.kind == K.SHOOTOUT_KICK).any()
    assert path.events[-1].type is EventType.SHOOTOUT and path.p_home_advance[-1] == 0.0
    assert_well_formed(path)


def test_extra_time_starts_with_a_fresh_phase() -> None:
    path = replay(shootout_match(Side.HOME), 1.3, 1.0)
    end_of_regulation = np.flatnonzero(
        (path.kind == K.PERIOD_END) & (path.period == Period.SECOND_HALF.value)
    )[0]
    # The point closing regulation is already the state at the start of extra time.
    assert path.time_left[end_of_regulation] == pytest.approx(31.5)
    et = np.isin(path.period, [Period.EXTRA_FIRST.value, Period.EXTRA_SECOND.value])
    assert np.all(np.diff(path.time_left[et]) <= 1e-9)
    assert np.all(np.diff(path.elapsed[et]) >= 0.0)


def test_extra_time_is_inferred_from_an_extra_time_event() -> None:
    match = shootout_match(Side.HOME)
    assert played_extra_time(match)
    with_et_goal = Match(
        match.info, 2, 1, (*match.events, Event(EventType.GOAL, 110, side=Side.HOME))
    )
    assert played_extra_time(with_et_goal)
    path = replay(with_et_goal, 1.3, 1.0)
    assert_well_formed(path)
    assert path.p_home_advance[-1] == 1.0
    assert path.p_home_win[-1] == 1.0
    assert Period.EXTRA_SECOND.value in set(path.period)


def test_shootout_without_extra_time_follows_regulation() -> None:
    # A record with a shootout and extra_time=False (straight to penalties after 90').
    match = shootout_match(Side.AWAY)
    straight = Match(match.info, 1, 1, match.events, extra_time=False, shootout_winner=Side.AWAY)
    assert not played_extra_time(straight)
    path = replay(straight, 1.3, 1.0)
    assert_well_formed(path)
    periods = list(dict.fromkeys(path.period.tolist()))
    assert periods == [Period.FIRST_HALF.value, Period.SECOND_HALF.value, Period.SHOOTOUT.value]
    before, after = around(path, len(path.events) - 1)
    assert path.p_home_advance[before] == pytest.approx(0.5)
    assert path.p_home_advance[after] == 0.0
    assert path.p_home_advance[-1] == 0.0


def test_shootout_with_unrecorded_extra_time_implies_extra_time() -> None:
    # Most records outside the World Cup do not say whether extra time was played; a knockout
    # level after the goals and settled on penalties went through extra time first.
    match = shootout_match(Side.AWAY)
    unknown = Match(match.info, 1, 1, match.events, extra_time=None, shootout_winner=Side.AWAY)
    assert played_extra_time(unknown)
    path = replay(unknown, 1.3, 1.0)
    assert_well_formed(path)
    assert Period.EXTRA_SECOND.value in set(path.period)
    assert path.p_home_advance[-1] == 0.0


def test_timeline_shows_expected_and_proven_stoppage() -> None:
    means = np.array([1.5, 4.0, 0.5, 1.0, 0.0])
    plain = Match(BEL_JPN_INFO, 0, 0, ())
    assert match_timeline(plain, means) == [(Period.FIRST_HALF, 2), (Period.SECOND_HALF, 4)]
    late = Match(BEL_JPN_INFO, 1, 0, (Event(EventType.GOAL, 90, 9, side=Side.HOME),))
    assert match_timeline(late, means)[-1] == (Period.SECOND_HALF, 9)


# --- a draw that is not a knockout --------------------------------------------------------------


def test_group_draw_has_no_extra_time_and_no_advance() -> None:
    info = MatchInfo("Spain", "Portugal", dt.date(2018, 6, 15), "FIFA World Cup", "group")
    events = (
        Event(EventType.GOAL, 4, side=Side.AWAY, penalty=True),
        Event(EventType.GOAL, 24, side=Side.HOME),
        Event(EventType.GOAL, 44, side=Side.AWAY),
        Event(EventType.GOAL, 55, side=Side.HOME),
        Event(EventType.GOAL, 58, side=Side.HOME),
        Event(EventType.GOAL, 88, side=Side.AWAY),
    )
    path = replay(Match(info, 3, 3, events), 1.5, 1.3)
    assert_well_formed(path)
    assert path.p_home_advance is None
    assert not path.knockout
    assert set(path.period) == {Period.FIRST_HALF.value, Period.SECOND_HALF.value}
    assert path.p_draw[-1] == 1.0
    assert path.p_home_win[-1] == 0.0 and path.p_away_win[-1] == 0.0
    np.testing.assert_array_equal(path.home_chance(), path.p_home_win)
    np.testing.assert_array_equal(path.away_chance(), path.p_away_win)
    # The 88' equaliser turns a likely Spanish win into a likely draw.
    before, after = around(path, 5)
    assert path.p_home_win[before] > 0.8
    assert path.p_draw[after] > 0.8


def test_goalless_friendly() -> None:
    info = MatchInfo("A", "B", dt.date(2020, 1, 1))
    path = replay(Match(info, 0, 0, ()), 1.3, 1.0)
    assert_well_formed(path)
    assert path.events == ()
    assert path.p_home_advance is None
    assert np.all(np.diff(path.p_draw[:-1]) >= -1e-12)
    assert path.p_draw[-1] == 1.0


# --- red cards ----------------------------------------------------------------------------------


@pytest.mark.parametrize("knockout", [False, True])
@pytest.mark.parametrize("punished", [Side.HOME, Side.AWAY])
def test_a_red_card_lowers_the_punished_sides_chance(knockout: bool, punished: Side) -> None:
    info = MatchInfo("A", "B", dt.date(2020, 1, 1), "UEFA Euro", knockout=knockout, neutral=True)
    events = (
        Event(EventType.GOAL, 20, side=Side.HOME),
        Event(EventType.RED_CARD, 35, side=punished),
        Event(EventType.GOAL, 80, side=Side.AWAY),
    )
    path = replay(Match(info, 1, 1, events, extra_time=False), 1.4, 1.2)
    assert_well_formed(path)
    before, after = around(path, 1)
    reds = path.home_reds if punished is Side.HOME else path.away_reds
    assert (reds[before], reds[after]) == (0, 1)
    assert reds[-1] == 1
    assert (path.home_goals[after], path.away_goals[after]) == (1, 0)
    chance = path.home_chance() if punished is Side.HOME else path.away_chance()
    assert chance[after] < chance[before]
    win = path.p_home_win if punished is Side.HOME else path.p_away_win
    assert win[after] < win[before]
    other = path.p_away_win if punished is Side.HOME else path.p_home_win
    assert other[after] > other[before]
