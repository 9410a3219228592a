"""Drama metrics: known answers on tiny hand-built paths, the 2018 case, and properties."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heartbreak.domain import Side
from heartbreak.drama.metrics import (
    LATENESS_MINUTES,
    DramaMetrics,
    drama_metrics,
    outcome_probabilities,
)

from .paths import (
    FRIENDLY,
    WORLD_CUP_GROUP,
    japan_2018,
    make_path,
    mirror,
    point,
    script_path,
    shootout_path,
)

# --- known answers on tiny paths ---------------------------------------------------------------


def test_excitement_surprise_shock_of_a_three_point_path():
    path = make_path([(0.5, 0.3, 0.2), (0.7, 0.2, 0.1), (1.0, 0.0, 0.0)], home_goals=[0, 1, 1])
    m = drama_metrics(path, Side.HOME)
    # |Δ|: (0.2 + 0.1 + 0.1) + (0.3 + 0.2 + 0.1)
    assert m.excitement == pytest.approx(1.0)
    # Σ(Δ)²: (0.04 + 0.01 + 0.01) + (0.09 + 0.04 + 0.01)
    assert m.surprise_squared == pytest.approx(0.20)
    assert m.surprise == pytest.approx(math.sqrt(0.06) + math.sqrt(0.14))
    # total-variation distance from kick-off: 0.2 then 0.5
    assert m.shock == pytest.approx(0.5)
    assert m.result_shock == pytest.approx(0.5)


def test_shock_is_the_largest_distance_even_when_the_result_is_expected():
    path = make_path([(0.2, 0.3, 0.5), (0.9, 0.05, 0.05), (0.0, 0.0, 1.0)], away_goals=[0, 0, 2])
    m = drama_metrics(path, Side.AWAY)
    assert m.shock == pytest.approx(0.7)  # (0.7 + 0.25 + 0.45) / 2
    assert m.result_shock == pytest.approx(0.5)  # 1 − pre-match chance of an away win


def test_knockout_metrics_use_the_chance_to_go_through():
    # the full-time columns jump when extra time starts; P(advance) does not
    path = make_path(
        [(0.3, 0.4, 0.3), (0.0, 1.0, 0.0), (0.3, 0.4, 0.3), (0.3, 0.4, 0.3)],
        p_home_advance=[0.5, 0.5, 0.75, 1.0],
    )
    np.testing.assert_allclose(
        outcome_probabilities(path), [[0.5, 0.5], [0.5, 0.5], [0.75, 0.25], [1.0, 0.0]]
    )
    m = drama_metrics(path, Side.HOME)
    assert m.excitement == pytest.approx(1.0)  # 2 × (0.25 + 0.25)
    assert m.surprise_squared == pytest.approx(0.25)  # 2 × 2 × 0.25²
    assert m.surprise == pytest.approx(2 * math.sqrt(2 * 0.25**2))
    assert m.shock == pytest.approx(0.5)


def test_suspense_sums_the_minute_points_only():
    path = make_path(
        [(0.4, 0.3, 0.3)] * 5,
        kind=["kick_off", "minute", "before_event", "minute", "final_whistle"],
        suspense=[1.0, 0.01, 10.0, 0.02, 100.0],
    )
    assert drama_metrics(path, None).suspense == pytest.approx(0.03)


def test_flat_path_has_no_drama():
    path = make_path([(0.4, 0.3, 0.3)] * 10)
    m = drama_metrics(path, None)
    assert (m.excitement, m.surprise, m.surprise_squared, m.shock) == (0.0, 0.0, 0.0, 0.0)
    assert m.comeback == 0.0 and m.comeback_low is None
    assert m.heartbreak == 0.0 and m.loser is None and m.decisive_index is None
    assert m.flags == ()


# --- comeback and heartbreak -------------------------------------------------------------------


def test_comeback_is_one_minus_the_winners_lowest_chance():
    path = make_path([(0.5, 0.3, 0.2), (0.1, 0.3, 0.6), (0.7, 0.2, 0.1), (1.0, 0.0, 0.0)])
    m = drama_metrics(path, Side.HOME)
    assert m.comeback_low == pytest.approx(0.1)
    assert m.comeback == pytest.approx(0.9)
    assert drama_metrics(path, None).comeback == 0.0


def _single_blow(minute: int, peak: float, info=FRIENDLY):
    """Away side holds ``peak`` (its win chance) until a home goal at ``minute`` settles it."""
    rows = [(0, 0, "kick_off", 0, 0, (0.3, 0.3, 0.4))]
    rows += [(m, 0, "minute", 0, 0, (0.1, 0.9 - peak, peak)) for m in range(1, minute)]
    rows += [(minute, 0, "before_event", 0, 0, (0.1, 0.9 - peak, peak))]
    rows += [(minute, 0, "after_event", 1, 0, (0.7, 0.25, 0.05))]
    rows += [(m, 0, "minute", 1, 0, (0.8, 0.15, 0.05)) for m in range(minute, 91)]
    rows += [(90, 0, "final_whistle", 1, 0, (1.0, 0.0, 0.0))]
    return drama_metrics(script_path(rows, info), Side.HOME)


def test_heartbreak_formula_on_a_single_blow():
    m = _single_blow(80, 0.6)
    assert m.loser is Side.AWAY
    assert m.heartbreak_peak == pytest.approx(0.6)
    assert m.chance_before_blow == pytest.approx(0.6)
    assert m.decisive_minute == 80 and m.decisive_stoppage == 0
    assert m.blow_time_left == pytest.approx(14.0)  # 90 + 4 expected stoppage − 80
    assert m.heartbreak == pytest.approx(0.6 * math.exp(-14.0 / LATENESS_MINUTES))


def test_heartbreak_grows_later_and_higher():
    by_minute = [_single_blow(m, 0.6).heartbreak for m in (20, 45, 70, 85, 90)]
    assert by_minute == sorted(by_minute) and len(set(by_minute)) == len(by_minute)
    by_peak = [_single_blow(80, p).heartbreak for p in (0.4, 0.55, 0.7, 0.85)]
    assert by_peak == sorted(by_peak) and len(set(by_peak)) == len(by_peak)


def test_heartbreak_japan_high_friendly_early_defeat_low():
    japan = drama_metrics(japan_2018(), Side.HOME)
    assert japan.loser is Side.AWAY
    assert japan.heartbreak_peak == pytest.approx(0.92)
    assert japan.chance_before_blow == pytest.approx(0.50)
    assert japan.blow_time_left == pytest.approx(0.5)
    assert japan.heartbreak == pytest.approx(0.92 * math.exp(-0.5 / LATENESS_MINUTES))
    assert japan.heartbreak > 0.85
    # a friendly lost 0-1 to a 20' goal (the loser at 0.4 before it)
    early = _single_blow(20, 0.4)
    assert early.heartbreak < 0.01
    assert early.flags == ()


# --- the 2018 case and the flags ---------------------------------------------------------------


def test_japan_2018_decisive_moment_flags_and_leads():
    path = japan_2018()
    m = drama_metrics(path, Side.HOME)
    assert m.decisive_index == point(path, 90, 4, kind="after_event")
    assert (m.decisive_minute, m.decisive_stoppage) == (90, 4)
    assert m.flags == (
        "decided_in_stoppage_time",
        "late_winner",
        "came_from_behind",
        "comeback_from_two_down",
        "lead_lost",
    )
    assert m.lead_changes == 1
    assert (m.max_lead_home, m.max_lead_away) == (1, 2)
    assert m.comeback_low == pytest.approx(0.08)  # Belgium at 0-2, 68'
    assert m.shock == pytest.approx(0.62)  # Japan 0.30 → 0.92
    assert m.result_shock == pytest.approx(0.30)
    assert m.suspense == pytest.approx(0.005 * np.count_nonzero(path.kind == "minute"))


def test_upset_and_no_stoppage_flag_for_a_regular_winner():
    m = _single_blow(30, 0.5)  # home wins with a pre-match chance of 0.3: not below 0.3
    assert "upset" not in m.flags
    assert "decided_in_stoppage_time" not in m.flags and "late_winner" not in m.flags
    underdog = make_path([(0.2, 0.3, 0.5), (0.6, 0.3, 0.1), (1.0, 0.0, 0.0)], home_goals=[0, 1, 1])
    assert drama_metrics(underdog, Side.HOME).flags == ("upset",)


def test_late_winner_in_regulation_without_stoppage():
    m = _single_blow(87, 0.4)
    assert "late_winner" in m.flags and "decided_in_stoppage_time" not in m.flags


def test_late_equaliser_and_lead_lost_in_a_draw():
    rows = [(0, 0, "kick_off", 0, 0, (0.4, 0.3, 0.3))]
    rows += [(m, 0, "minute", 1, 0, (0.8, 0.15, 0.05)) for m in range(1, 90)]
    rows += [(90, 2, "before_event", 1, 0, (0.97, 0.03, 0.0))]
    rows += [(90, 2, "after_event", 1, 1, (0.01, 0.98, 0.01))]
    rows += [(90, 2, "final_whistle", 1, 1, (0.0, 1.0, 0.0))]
    m = drama_metrics(script_path(rows, WORLD_CUP_GROUP), None)
    assert m.flags == ("late_equaliser", "lead_lost")
    assert m.loser is None and m.heartbreak == 0.0 and m.comeback == 0.0
    assert m.lead_changes == 0 and (m.max_lead_home, m.max_lead_away) == (1, 0)


def test_shootout_decides_at_the_shootout_with_no_time_left():
    rows = [(0, 0, "kick_off", 0, 0, 0.5)]
    rows += [(m, 0, "minute", 1, 0, 0.8) for m in range(1, 60)]
    rows += [(m, 0, "minute", 1, 1, 0.45) for m in range(60, 121)]
    rows += [
        (120, 0, "before_event", 1, 1, 0.5, "shootout"),
        (120, 0, "after_event", 1, 1, 0.0, "shootout"),
        (120, 0, "final_whistle", 1, 1, 0.0, "shootout"),
    ]
    path = script_path(rows, replace(WORLD_CUP_GROUP, stage="final", knockout=True))
    m = drama_metrics(path, Side.AWAY)
    assert m.decisive_index == len(path) - 2
    # The lead was lost an hour before the end; the shootout only took the even chance it had.
    assert m.blow_time_left == 0.0
    assert m.heartbreak_peak == pytest.approx(0.5)
    assert m.chance_before_blow == pytest.approx(0.5)
    assert m.heartbreak == pytest.approx(0.5)
    assert m.flags == ("came_from_behind", "lead_lost", "extra_time", "shootout")
    assert m.comeback_low == pytest.approx(0.2)


def test_a_lead_lost_just_before_a_shootout_is_the_heartbreak():
    rows = [(0, 0, "kick_off", 0, 0, 0.5)]
    rows += [(m, 0, "minute", 0, 0, 0.5) for m in range(1, 100)]
    rows += [(m, 0, "minute", 1, 0, 0.9) for m in range(100, 118)]
    rows += [(m, 0, "minute", 1, 1, 0.5) for m in range(118, 121)]
    rows += [
        (120, 0, "before_event", 1, 1, 0.5, "shootout"),
        (120, 0, "after_event", 1, 1, 0.0, "shootout"),
        (120, 0, "final_whistle", 1, 1, 0.0, "shootout"),
    ]
    path = script_path(rows, replace(WORLD_CUP_GROUP, stage="final", knockout=True))
    m = drama_metrics(path, Side.AWAY)
    equaliser = next(i for i in range(len(path)) if path.away_goals[i] == 1)
    assert m.decisive_index == len(path) - 2  # the result was decided by the shootout
    assert m.heartbreak_peak == pytest.approx(0.9)
    assert m.blow_time_left == pytest.approx(float(path.time_left[equaliser]))
    expected = 0.9 * np.exp(-path.time_left[equaliser] / LATENESS_MINUTES)
    assert m.heartbreak == pytest.approx(expected)
    assert m.heartbreak > 0.5


def test_a_shootout_kick_by_kick_weighs_the_lead_the_loser_held_in_it():
    path = shootout_path()
    kicks = np.flatnonzero(path.kind == "shootout_kick")
    m = drama_metrics(path, Side.AWAY)
    # Decisive: the home side's miss after which the away side stayed ahead (0.5 -> 0.15).
    assert m.decisive_index == kicks[8]
    assert m.blow_time_left == 0.0 and m.decisive_minute == 120
    assert m.chance_before_blow == pytest.approx(0.5)
    # The loser's best chance in the shootout before it, 0.83, all of it taken at no time left.
    assert m.heartbreak_peak == pytest.approx(0.83) and m.heartbreak == pytest.approx(0.83)
    # The winner sank to 0.17 on the way.
    assert m.comeback_low == pytest.approx(0.17) and m.comeback == pytest.approx(0.83)
    assert "shootout" in m.flags and "decided_in_stoppage_time" not in m.flags


def test_a_shootout_followed_kick_by_kick_moves_more_than_its_result():
    by_kick = drama_metrics(shootout_path(), Side.AWAY)
    result = drama_metrics(shootout_path(kicks=False), Side.AWAY)
    # The one step takes only the even chance held before it.
    assert result.heartbreak == pytest.approx(0.5) and result.comeback == pytest.approx(0.75)
    assert by_kick.heartbreak > result.heartbreak
    # Every kick's move counts: 1.5 of P(home) moved over the ten kicks, 0.5 in one step.
    assert by_kick.excitement - result.excitement == pytest.approx(2 * (1.5 - 0.5))
    assert by_kick.surprise > result.surprise
    # Suspense sums the minutes of play: no change.
    assert by_kick.suspense == pytest.approx(result.suspense)


def test_to_dict_is_plain_json():
    d = drama_metrics(japan_2018(), Side.HOME).to_dict()
    assert d["winner"] == "home" and d["loser"] == "away"
    assert d["flags"][0] == "decided_in_stoppage_time"
    assert set(d) == {f for f in DramaMetrics.__dataclass_fields__}
    json.dumps(d)


def test_empty_path_is_rejected():
    with pytest.raises(ValueError):
        drama_metrics(make_path(np.zeros((0, 3))), None)


# --- properties --------------------------------------------------------------------------------

GRID = 64  # dyadic probabilities: mirrored sums are exact


@st.composite
def matches(draw):
    n = draw(st.integers(min_value=1, max_value=40))
    knockout = draw(st.booleans())
    steps = draw(st.lists(st.integers(0, 2), min_size=n - 1, max_size=n - 1))
    hg = np.concatenate([[0], np.cumsum([s == 1 for s in steps])]).astype(int)
    ag = np.concatenate([[0], np.cumsum([s == 2 for s in steps])]).astype(int)
    minute = np.cumsum(draw(st.lists(st.integers(0, 6), min_size=n, max_size=n)))
    minute = np.minimum(minute, 120)
    stoppage = np.array(draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)))
    suspense = np.array(draw(st.lists(st.integers(0, 8), min_size=n, max_size=n))) / GRID
    if knockout:
        adv = np.array(draw(st.lists(st.integers(0, GRID), min_size=n, max_size=n))) / GRID
        probs = np.column_stack([adv / 2, np.full(n, 0.5), (1 - adv) / 2])
        winner = draw(st.sampled_from([Side.HOME, Side.AWAY]))
    else:
        a = draw(st.lists(st.integers(0, GRID), min_size=n, max_size=n))
        b = [draw(st.integers(0, GRID - x)) for x in a]
        probs = np.column_stack([a, b, [GRID - x - y for x, y in zip(a, b, strict=True)]]) / GRID
        adv = None
        gd = hg[-1] - ag[-1]
        winner = Side.HOME if gd > 0 else Side.AWAY if gd < 0 else None
    path = make_path(
        probs,
        p_home_advance=adv,
        minute=minute,
        stoppage=stoppage,
        home_goals=hg,
        away_goals=ag,
        suspense=suspense,
        info=replace(FRIENDLY, knockout=knockout),
    )
    return path, winner


@settings(max_examples=100, deadline=None)
@given(matches())
def test_property_metrics_are_non_negative_and_bounded(case):
    path, winner = case
    m = drama_metrics(path, winner)
    for value in (m.excitement, m.surprise, m.surprise_squared, m.suspense, m.heartbreak):
        assert value >= 0.0
    assert 0.0 <= m.shock <= 1.0 and 0.0 <= m.result_shock <= m.shock
    assert 0.0 <= m.comeback <= 1.0 and 0.0 <= m.heartbreak <= 1.0
    assert m.surprise <= m.excitement + 1e-12  # Euclidean ≤ L1 at every step
    assert m.lead_changes >= 0 and m.max_lead_home >= 0 and m.max_lead_away >= 0
    if winner is None:
        assert m.loser is None and m.heartbreak == 0.0 and m.comeback == 0.0
    else:
        assert m.loser is winner.other
        assert 0 <= m.decisive_index < len(path)
        assert m.heartbreak <= m.heartbreak_peak
    assert len(set(m.flags)) == len(m.flags)


@settings(max_examples=100, deadline=None)
@given(matches())
def test_property_swapping_sides_swaps_the_metrics(case):
    path, winner = case
    m = drama_metrics(path, winner)
    s = drama_metrics(mirror(path), None if winner is None else winner.other)
    for name in (
        "excitement",
        "surprise",
        "surprise_squared",
        "suspense",
        "shock",
        "result_shock",
        "comeback",
        "heartbreak",
    ):
        assert getattr(s, name) == pytest.approx(getattr(m, name), abs=1e-12), name
    assert s.winner == (None if m.winner is None else m.winner.other)
    assert s.loser == (None if m.loser is None else m.loser.other)
    assert (s.max_lead_home, s.max_lead_away) == (m.max_lead_away, m.max_lead_home)
    assert s.lead_changes == m.lead_changes
    assert s.decisive_index == m.decisive_index
    assert s.flags == m.flags
