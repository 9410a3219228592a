"""Property tests of the in-play engine over random match states.

States: regulation (periods 0/1) and extra time (periods 2/3), anywhere in a period or in its
stoppage time, scores 0-6, red cards 0-2 each, pre-match rates 0.2-4, knockout or not.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.stats import skellam

from heartbreak.model.inplay import (
    EXTRA_FIRST,
    EXTRA_SECOND,
    FINISHED,
    FIRST_HALF,
    PERIOD_END,
    PERIOD_START,
    SECOND_HALF,
    InPlayModel,
    InPlayParams,
    StateBatch,
    residual_stoppage,
)

SETTINGS = settings(max_examples=100, deadline=None)
TOL = 1e-12
MODEL = InPlayModel()
REGULATION = (FIRST_HALF, SECOND_HALF)
EXTRA_TIME = (EXTRA_FIRST, EXTRA_SECOND)


@dataclass(frozen=True)
class State:
    period: int
    minute: float
    stoppage: float
    home_goals: int = 0
    away_goals: int = 0
    home_reds: int = 0
    away_reds: int = 0
    knockout: bool = False

    @property
    def clock(self) -> tuple[int, float, float]:
        return (self.period, self.minute, self.stoppage)


def evaluate(lam_h: float, lam_a: float, *states: State):
    n = len(states)
    batch = StateBatch(
        period=np.array([s.period for s in states], dtype=int),
        minute=np.array([s.minute for s in states], dtype=float),
        stoppage=np.array([s.stoppage for s in states], dtype=float),
        home_goals=np.array([s.home_goals for s in states], dtype=int),
        away_goals=np.array([s.away_goals for s in states], dtype=int),
        home_reds=np.array([s.home_reds for s in states], dtype=int),
        away_reds=np.array([s.away_reds for s in states], dtype=int),
        knockout=np.array([s.knockout for s in states], dtype=bool),
    )
    return MODEL.evaluate(np.full(n, lam_h), np.full(n, lam_a), batch, with_suspense=False)


rates = st.floats(0.2, 4.0)
goals = st.integers(0, 6)
reds = st.integers(0, 2)


@st.composite
def clocks(draw, periods=(FIRST_HALF, SECOND_HALF, EXTRA_FIRST, EXTRA_SECOND)):
    """(period, minute, stoppage): a nominal minute of the period, or its end plus stoppage."""
    period = draw(st.sampled_from(periods))
    start, end = float(PERIOD_START[period]), float(PERIOD_END[period])
    if draw(st.booleans()):
        return period, end, draw(st.floats(0.0, 12.0))
    return period, draw(st.floats(start, end)), 0.0


@st.composite
def states(draw, periods=(FIRST_HALF, SECOND_HALF, EXTRA_FIRST, EXTRA_SECOND)):
    period, minute, stoppage = draw(clocks(periods))
    return State(
        period,
        minute,
        stoppage,
        draw(goals),
        draw(goals),
        draw(reds),
        draw(reds),
        draw(st.booleans()),
    )


@st.composite
def ordered_clock_pairs(draw, periods):
    """Two clocks of one phase, earlier first."""
    a, b = draw(clocks(periods)), draw(clocks(periods))
    return (a, b) if a <= b else (b, a)


def effective_rates(lam_h: float, lam_a: float, state: State) -> tuple[float, float]:
    mult_h, mult_a = MODEL.red_card_multipliers(state.home_reds, state.away_reds)
    return lam_h * float(mult_h), lam_a * float(mult_a)


# --- probabilities are probabilities ------------------------------------------------------------


@SETTINGS
@given(
    rates,
    rates,
    st.one_of(
        states(), states(periods=(FINISHED,)).map(lambda s: replace(s, minute=120.0, stoppage=0))
    ),
)
def test_probabilities_are_valid(lam_h: float, lam_a: float, state: State) -> None:
    out = evaluate(lam_h, lam_a, state)
    home, draw, away = out.p_home_win[0], out.p_draw[0], out.p_away_win[0]
    for p in (home, draw, away):
        assert 0.0 <= p <= 1.0
    assert home + draw + away == pytest.approx(1.0, abs=1e-9)
    if state.knockout:
        assert 0.0 <= out.p_home_advance[0] <= 1.0
        # Going through needs at least a draw and is implied by a win.
        assert home - TOL <= out.p_home_advance[0] <= home + draw + TOL
    else:
        assert np.isnan(out.p_home_advance[0])
    assert out.time_left[0] >= 0.0


@SETTINGS
@given(rates, rates, states())
def test_batch_equals_single_evaluations(lam_h: float, lam_a: float, state: State) -> None:
    other = State(FIRST_HALF, 0.0, 0.0, knockout=not state.knockout)
    both = evaluate(lam_h, lam_a, state, other)
    one = evaluate(lam_h, lam_a, state)
    for name in ("p_home_win", "p_draw", "p_away_win", "time_left"):
        assert getattr(both, name)[0] == pytest.approx(getattr(one, name)[0], abs=1e-12)
    np.testing.assert_allclose(both.p_home_advance[:1], one.p_home_advance, atol=1e-12)


@SETTINGS
@given(rates, rates, states())
def test_swapping_the_sides_swaps_the_probabilities(
    lam_h: float, lam_a: float, state: State
) -> None:
    mirror = replace(
        state,
        home_goals=state.away_goals,
        away_goals=state.home_goals,
        home_reds=state.away_reds,
        away_reds=state.home_reds,
    )
    out = evaluate(lam_h, lam_a, state)
    swapped = evaluate(lam_a, lam_h, mirror)
    assert out.p_home_win[0] == pytest.approx(swapped.p_away_win[0], abs=1e-9)
    assert out.p_draw[0] == pytest.approx(swapped.p_draw[0], abs=1e-9)
    if state.knockout:  # the default shootout is a coin toss
        assert out.p_home_advance[0] == pytest.approx(1.0 - swapped.p_home_advance[0], abs=1e-9)


# --- goals --------------------------------------------------------------------------------------


@SETTINGS
@given(rates, rates, states())
def test_a_home_goal_never_hurts_the_home_side(lam_h: float, lam_a: float, state: State) -> None:
    scored = replace(state, home_goals=state.home_goals + 1)
    out = evaluate(lam_h, lam_a, state, scored)
    assert out.p_home_win[1] >= out.p_home_win[0] - TOL
    assert out.p_away_win[1] <= out.p_away_win[0] + TOL
    if state.knockout:
        assert out.p_home_advance[1] >= out.p_home_advance[0] - TOL


@SETTINGS
@given(rates, rates, states())
def test_p_home_win_is_non_decreasing_in_the_goal_difference(
    lam_h: float, lam_a: float, state: State
) -> None:
    # The same state with the goal difference running from −3 to +3 around the away score.
    ladder = [
        replace(state, home_goals=state.away_goals + d)
        for d in range(-3, 4)
        if state.away_goals + d >= 0
    ]
    out = evaluate(lam_h, lam_a, *ladder)
    assert np.all(np.diff(out.p_home_win) >= -TOL)
    assert np.all(np.diff(out.p_away_win) <= TOL)
    if state.knockout:
        assert np.all(np.diff(out.p_home_advance) >= -TOL)


@SETTINGS
@given(rates, rates, states())
def test_an_away_goal_never_hurts_the_away_side(lam_h: float, lam_a: float, state: State) -> None:
    scored = replace(state, away_goals=state.away_goals + 1)
    out = evaluate(lam_h, lam_a, state, scored)
    assert out.p_away_win[1] >= out.p_away_win[0] - TOL
    assert out.p_home_win[1] <= out.p_home_win[0] + TOL
    if state.knockout:
        assert out.p_home_advance[1] <= out.p_home_advance[0] + TOL


# --- time ---------------------------------------------------------------------------------------


def _leader_holds_on(lam_h, lam_a, clocks_, lead, trailer_goals, reds_, knockout, leader_home):
    (c1, c2) = clocks_
    if leader_home:
        score = {"home_goals": trailer_goals + lead, "away_goals": trailer_goals}
    else:
        score = {"home_goals": trailer_goals, "away_goals": trailer_goals + lead}
    early = State(*c1, **score, home_reds=reds_[0], away_reds=reds_[1], knockout=knockout)
    late = State(*c2, **score, home_reds=reds_[0], away_reds=reds_[1], knockout=knockout)
    # With independent Poisson goals to come, the leader's chance of holding on grows as time
    # runs out when the leader does not score faster than the side behind. (A leader that
    # scores much faster can gain from more time: see the known example below.)
    eff_h, eff_a = effective_rates(lam_h, lam_a, early)
    eff_leader, eff_trailer = (eff_h, eff_a) if leader_home else (eff_a, eff_h)
    assume(eff_leader <= eff_trailer)
    out = evaluate(lam_h, lam_a, early, late)
    win = out.p_home_win if leader_home else out.p_away_win
    assert win[1] >= win[0] - TOL
    if knockout:
        adv = out.p_home_advance if leader_home else 1.0 - out.p_home_advance
        assert adv[1] >= adv[0] - TOL


@SETTINGS
@given(
    rates,
    rates,
    ordered_clock_pairs(REGULATION),
    st.integers(1, 3),
    st.integers(0, 3),
    st.tuples(reds, reds),
    st.booleans(),
    st.booleans(),
)
def test_a_leader_gains_as_time_passes_in_regulation(
    lam_h, lam_a, clock_pair, lead, trailer_goals, reds_, knockout, leader_home
) -> None:
    _leader_holds_on(lam_h, lam_a, clock_pair, lead, trailer_goals, reds_, knockout, leader_home)


@SETTINGS
@given(
    rates,
    rates,
    ordered_clock_pairs(EXTRA_TIME),
    st.integers(1, 3),
    st.integers(0, 3),
    st.tuples(reds, reds),
    st.booleans(),
)
def test_a_leader_gains_as_time_passes_in_extra_time(
    lam_h, lam_a, clock_pair, lead, trailer_goals, reds_, leader_home
) -> None:
    _leader_holds_on(lam_h, lam_a, clock_pair, lead, trailer_goals, reds_, True, leader_home)


@pytest.mark.parametrize(
    ("earlier", "later"),
    [
        ((FIRST_HALF, 44.0, 0.0), (FIRST_HALF, 45.0, 0.0)),
        ((FIRST_HALF, 45.0, 0.0), (FIRST_HALF, 45.0, 1.0)),
        ((FIRST_HALF, 45.0, 3.0), (SECOND_HALF, 45.0, 0.0)),  # across half-time
        ((SECOND_HALF, 89.5, 0.0), (SECOND_HALF, 90.0, 0.0)),
        ((SECOND_HALF, 90.0, 0.0), (SECOND_HALF, 90.0, 0.5)),
        ((SECOND_HALF, 90.0, 2.0), (SECOND_HALF, 90.0, 6.0)),  # deep into stoppage time
        ((EXTRA_FIRST, 105.0, 1.0), (EXTRA_SECOND, 105.0, 0.0)),
        ((EXTRA_SECOND, 120.0, 0.0), (EXTRA_SECOND, 120.0, 4.0)),
    ],
)
@pytest.mark.parametrize(("lam_h", "lam_a"), [(1.0, 1.0), (0.685, 1.927), (0.2, 4.0)])
def test_a_one_goal_lead_gains_at_the_period_boundaries(earlier, later, lam_h, lam_a) -> None:
    a = State(*earlier, home_goals=1, knockout=True)
    b = State(*later, home_goals=1, knockout=True)
    out = evaluate(lam_h, lam_a, a, b)
    assert out.p_home_win[1] >= out.p_home_win[0] - TOL
    assert out.p_home_advance[1] >= out.p_home_advance[0] - TOL


def test_a_much_stronger_leader_can_lose_ground_as_time_passes() -> None:
    # Not a property of the model: leading 1-0 with λ = 4 against 0.2, more time lets the
    # leader extend the lead, so P(win) falls from kick-off to half-time. The engine agrees with
    # the closed form (Skellam of the goals to come).
    kick_off = State(FIRST_HALF, 0.0, 0.0, home_goals=1)
    half_time = State(SECOND_HALF, 45.0, 0.0, home_goals=1)
    out = evaluate(4.0, 0.2, kick_off, half_time)
    assert out.p_home_win[1] < out.p_home_win[0]
    for k, state in enumerate((kick_off, half_time)):
        left = float(MODEL.remaining_regulation(state.period, state.minute, state.stoppage))
        rest = skellam(4.0 * left / 90.0, 0.2 * left / 90.0)
        assert out.p_home_win[k] == pytest.approx(rest.sf(-1), abs=1e-9)


@SETTINGS
@given(rates, rates, ordered_clock_pairs(REGULATION), goals, st.tuples(reds, reds), st.booleans())
def test_a_level_score_is_more_likely_to_stay_level_as_time_passes(
    lam_h, lam_a, clock_pair, score, reds_, knockout
) -> None:
    early = State(*clock_pair[0], score, score, *reds_, knockout)
    late = State(*clock_pair[1], score, score, *reds_, knockout)
    out = evaluate(lam_h, lam_a, early, late)
    assert out.p_draw[1] >= out.p_draw[0] - TOL


@SETTINGS
@given(st.floats(0.0, 10.0), st.floats(0.0, 30.0), st.floats(0.0, 30.0))
def test_residual_stoppage_never_grows_as_stoppage_is_played(mean, x1, x2) -> None:
    early, late = sorted((x1, x2))
    left = residual_stoppage(np.array([mean, mean]), np.array([early, late]))
    assert np.all(left >= 0.0)
    assert left[1] <= left[0] + 1e-9


@pytest.mark.parametrize("mean", [0.5, 1.0, 1.5, 4.0, 8.0])
def test_residual_stoppage_at_the_start_is_the_mean(mean: float) -> None:
    assert residual_stoppage(np.array(mean), np.array(0.0)) == pytest.approx(mean, rel=1e-9)
    played = np.linspace(0.0, 20.0, 201)
    left = residual_stoppage(np.full_like(played, mean), played)
    assert np.all(np.diff(left) <= 1e-9)


@SETTINGS
@given(ordered_clock_pairs(REGULATION))
def test_time_left_never_grows_in_regulation(clock_pair) -> None:
    out = evaluate(1.0, 1.0, State(*clock_pair[0]), State(*clock_pair[1]))
    assert out.time_left[1] <= out.time_left[0] + 1e-9


@SETTINGS
@given(ordered_clock_pairs(EXTRA_TIME))
def test_time_left_never_grows_in_extra_time(clock_pair) -> None:
    out = evaluate(
        1.0, 1.0, State(*clock_pair[0], knockout=True), State(*clock_pair[1], knockout=True)
    )
    assert out.time_left[1] <= out.time_left[0] + 1e-9


def test_time_left_known_values() -> None:
    p = MODEL.params
    out = evaluate(
        1.0,
        1.0,
        State(FIRST_HALF, 0.0, 0.0),
        State(SECOND_HALF, 45.0, 0.0),
        State(SECOND_HALF, 90.0, 0.0),
        State(EXTRA_FIRST, 90.0, 0.0, knockout=True),
        State(EXTRA_SECOND, 105.0, 0.0, knockout=True),
        State(FINISHED, 120.0, 0.0),
    )
    full = 90.0 + p.stoppage_first_half + p.stoppage_second_half
    extra = 30.0 + p.stoppage_extra_first + p.stoppage_extra_second
    np.testing.assert_allclose(
        out.time_left,
        [full, 45.0 + p.stoppage_second_half, p.stoppage_second_half, extra, 15.0 + 1.0, 0.0],
    )


# --- red cards ----------------------------------------------------------------------------------


@SETTINGS
@given(rates, rates, states(), st.sampled_from(["home", "away"]))
def test_a_red_card_never_helps_the_punished_side(lam_h, lam_a, state, punished) -> None:
    if punished == "home":
        carded = replace(state, home_reds=state.home_reds + 1)
    else:
        carded = replace(state, away_reds=state.away_reds + 1)
    out = evaluate(lam_h, lam_a, state, carded)
    if punished == "home":
        own_win, other_win = out.p_home_win, out.p_away_win
    else:
        own_win, other_win = out.p_away_win, out.p_home_win
    assert own_win[1] <= own_win[0] + TOL
    assert other_win[1] >= other_win[0] - TOL
    if state.knockout:
        own_adv = out.p_home_advance if punished == "home" else 1.0 - out.p_home_advance
        assert own_adv[1] <= own_adv[0] + TOL


def test_red_card_multipliers() -> None:
    mult_h, mult_a = MODEL.red_card_multipliers(np.array([0, 1, 2]), np.array([0, 0, 1]))
    np.testing.assert_allclose(mult_h, [1.0, 0.7, 0.49 * 1.3])
    np.testing.assert_allclose(mult_a, [1.0, 1.3, 0.7 * 1.69])


# --- known answers ------------------------------------------------------------------------------


@pytest.mark.parametrize(("lam_h", "lam_a"), [(1.927, 0.685), (1.0, 1.0), (0.4, 3.1)])
def test_kick_off_is_the_pre_match_skellam(lam_h: float, lam_a: float) -> None:
    out = evaluate(lam_h, lam_a, State(FIRST_HALF, 0.0, 0.0, knockout=True))
    diff = skellam(lam_h, lam_a)
    assert out.p_home_win[0] == pytest.approx(diff.sf(0), abs=1e-9)
    assert out.p_draw[0] == pytest.approx(diff.pmf(0), abs=1e-9)
    assert out.p_away_win[0] == pytest.approx(diff.cdf(-1), abs=1e-9)
    # Extra time at the average regulation rate for 30 minutes plus its expected stoppage, then a
    # coin-toss shootout.
    p = MODEL.params
    assert p.minute_rates[-1] == pytest.approx(90.0 / (90.0 + 1.5 + 4.0))
    scale = (30.0 + p.stoppage_extra_first + p.stoppage_extra_second) * p.minute_rates[-1] / 90.0
    et = skellam(lam_h * scale, lam_a * scale)
    tie = et.sf(0) + 0.5 * et.pmf(0)
    assert out.p_home_advance[0] == pytest.approx(diff.sf(0) + diff.pmf(0) * tie, abs=1e-9)


def test_finished_states_are_certain() -> None:
    out = evaluate(
        1.5,
        1.0,
        State(FINISHED, 120.0, 0.0, 2, 1, knockout=True),
        State(FINISHED, 120.0, 0.0, 1, 1, knockout=True),
        State(FINISHED, 120.0, 0.0, 0, 3),
    )
    np.testing.assert_array_equal(out.p_home_win, [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(out.p_draw, [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(out.p_away_win, [0.0, 0.0, 1.0])
    np.testing.assert_allclose(out.p_home_advance[:2], [1.0, 0.5])
    np.testing.assert_array_equal(out.time_left, [0.0, 0.0, 0.0])


def test_shootout_parameter_sets_the_tie_break_in_extra_time() -> None:
    model = InPlayModel(InPlayParams(shootout_home=0.8))
    batch = StateBatch(*(np.array([v]) for v in (EXTRA_SECOND, 120.0, 5.0, 1, 1, 0, 0, True)))
    out = model.evaluate(np.array([1.0]), np.array([1.0]), batch, with_suspense=False)
    assert out.p_home_advance[0] == pytest.approx(out.p_home_win[0] + 0.8 * out.p_draw[0])


def test_suspense_is_non_negative_and_zero_at_the_whistle() -> None:
    states = [
        State(FIRST_HALF, 0.0, 0.0),
        State(SECOND_HALF, 80.0, 0.0, 1, 1, knockout=True),
        State(SECOND_HALF, 90.0, 3.0, 2, 1),
        State(FINISHED, 120.0, 0.0, 1, 0),
    ]
    n = len(states)
    batch = StateBatch(
        period=np.array([s.period for s in states]),
        minute=np.array([s.minute for s in states]),
        stoppage=np.array([s.stoppage for s in states]),
        home_goals=np.array([s.home_goals for s in states]),
        away_goals=np.array([s.away_goals for s in states]),
        home_reds=np.zeros(n, dtype=int),
        away_reds=np.zeros(n, dtype=int),
        knockout=np.array([s.knockout for s in states]),
    )
    out = MODEL.evaluate(np.full(n, 1.3), np.full(n, 1.1), batch)
    assert np.all(out.suspense >= 0.0)
    assert out.suspense[-1] == 0.0
    assert np.all(out.suspense[:-1] > 0.0)


@pytest.mark.parametrize("field", ["stoppage_first_half", "stoppage_extra_first"])
def test_a_zero_stoppage_mean_still_gives_probabilities_in_stoppage(field: str) -> None:
    # With no stoppage expected, a state in stoppage (the record proves some was played) must
    # still be evaluated: the Gamma tail underflows and once gave NaN rates.
    model = InPlayModel(InPlayParams(**{field: 0.0}))
    period = FIRST_HALF if field == "stoppage_first_half" else EXTRA_FIRST
    end = float(PERIOD_END[period])
    batch = StateBatch(
        *(np.array([v]) for v in (period, end, 2.0, 1, 1, 0, 0, True)),
    )
    out = model.evaluate(np.array([1.5]), np.array([1.0]), batch)
    for p in (out.p_home_win, out.p_draw, out.p_away_win, out.p_home_advance, out.time_left):
        assert np.isfinite(p).all()
    assert out.p_home_win[0] + out.p_draw[0] + out.p_away_win[0] == pytest.approx(1.0, abs=1e-9)
    assert residual_stoppage(np.array([0.0, 0.0]), np.array([0.0, 3.0])) == pytest.approx(
        [0, 0], abs=1e-8
    )
