"""Score effects in the in-play engine (Dixon & Robinson 1998): the birth process on the goal
difference against closed forms and a matrix exponential, and the engine's properties with
score effects on."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import expm
from scipy.stats import skellam

from heartbreak.model.inplay import (
    EXTRA_FIRST,
    FINISHED,
    FIRST_HALF,
    SECOND_HALF,
    InPlayModel,
    InPlayParams,
    StateBatch,
    score_effect_outcomes,
)
from heartbreak.model.params import ModelParams

SETTINGS = settings(max_examples=60, deadline=None)
TOL = 1e-12
#: Leaders slow down, the side behind pushes, more so late on: a marked effect, for tests.
EFFECTS = InPlayParams(
    score_lead=(0.85, 0.8),
    score_trail=(1.2, 1.1),
    score_lead_late=(0.7, 0.75),
    score_trail_late=(1.5, 1.3),
    score_late_from=75.0,
)
MODEL = InPlayModel(EFFECTS)
TABLES = np.array([[1.1, 1.2, 1.0, 0.85, 0.8], [1.3, 1.5, 1.0, 0.7, 0.75]])


def batch(*states: tuple) -> StateBatch:
    """States as (period, minute, stoppage, home goals, away goals, home reds, away reds, ko)."""
    cols = list(zip(*states, strict=True))
    return StateBatch(
        period=np.array(cols[0], dtype=int),
        minute=np.array(cols[1], dtype=float),
        stoppage=np.array(cols[2], dtype=float),
        home_goals=np.array(cols[3], dtype=int),
        away_goals=np.array(cols[4], dtype=int),
        home_reds=np.array(cols[5], dtype=int),
        away_reds=np.array(cols[6], dtype=int),
        knockout=np.array(cols[7], dtype=bool),
    )


def evaluate(model: InPlayModel, lam_h: float, lam_a: float, *states, suspense=False):
    n = len(states)
    return model.evaluate(np.full(n, lam_h), np.full(n, lam_a), batch(*states), suspense)


# --- the birth process --------------------------------------------------------------------------


def test_without_effects_the_birth_process_is_the_skellam() -> None:
    rng = np.random.default_rng(0)
    n = 500
    base_h, base_a = rng.uniform(0.2, 4.0, n) / 90, rng.uniform(0.2, 4.0, n) / 90
    diff, left = rng.integers(-3, 4, n), rng.uniform(0.0, 96.0, n)
    ([(home, draw)],) = score_effect_outcomes(
        base_h, base_a, np.ones((2, 5)), 20.0, [(left, [diff])]
    )
    goals = skellam(base_h * left, base_a * left)
    np.testing.assert_allclose(home, goals.sf(-diff), atol=1e-12)
    np.testing.assert_allclose(draw, goals.pmf(-diff), atol=1e-12)


def generator(base_h: float, base_a: float, phase: int, half: int = 25) -> np.ndarray:
    d = np.arange(-half, half + 1)
    up = base_h * TABLES[phase, np.clip(d, -2, 2) + 2]
    down = base_a * TABLES[phase, np.clip(-d, -2, 2) + 2]
    q = np.zeros((len(d), len(d)))
    inner = np.arange(1, len(d) - 1)
    q[inner, inner + 1] = up[inner]
    q[inner, inner - 1] = down[inner]
    q[inner, inner] = -(up[inner] + down[inner])
    return q


def test_the_birth_process_matches_the_matrix_exponential_across_the_late_phase() -> None:
    rng = np.random.default_rng(1)
    n, late_left, half = 40, 25.0, 25
    base_h, base_a = rng.uniform(0.2, 4.0, n) / 90, rng.uniform(0.2, 4.0, n) / 90
    diff, left = rng.integers(-3, 4, n), rng.uniform(0.0, 96.0, n)
    ([(home, draw)],) = score_effect_outcomes(base_h, base_a, TABLES, late_left, [(left, [diff])])
    d = np.arange(-half, half + 1)
    for i in range(n):
        start = np.zeros(len(d))
        start[diff[i] + half] = 1.0
        late = expm(generator(base_h[i], base_a[i], 1) * min(left[i], late_left))
        early = expm(generator(base_h[i], base_a[i], 0) * max(left[i] - late_left, 0.0))
        final = start @ early @ late
        assert home[i] == pytest.approx(final[d > 0].sum(), abs=1e-12)
        assert draw[i] == pytest.approx(final[d == 0].sum(), abs=1e-12)


def test_states_sharing_rates_share_a_recursion_and_keep_their_own_answers() -> None:
    # A batch mixing rates and differences gives each state what it gets alone.
    base_h = np.array([1.5, 1.5, 0.7, 1.5]) / 90
    base_a = np.array([1.0, 1.0, 2.0, 1.0]) / 90
    diff, left = np.array([0, 1, -2, 0]), np.array([90.0, 40.0, 10.0, 5.0])
    ([(home, draw)],) = score_effect_outcomes(base_h, base_a, TABLES, 20.0, [(left, [diff])])
    for i in range(4):
        ([(h1, d1)],) = score_effect_outcomes(
            base_h[i : i + 1],
            base_a[i : i + 1],
            TABLES,
            20.0,
            [(left[i : i + 1], [diff[i : i + 1]])],
        )
        assert home[i] == pytest.approx(h1[0], abs=TOL)
        assert draw[i] == pytest.approx(d1[0], abs=TOL)


# --- parameters ---------------------------------------------------------------------------------


def test_default_parameters_have_no_score_effects() -> None:
    assert not InPlayParams().has_score_effects
    assert EFFECTS.has_score_effects
    model = InPlayModel()
    np.testing.assert_array_equal(model.score_multipliers([-3, -1, 0, 1, 5], False), 1.0)


def test_score_multipliers() -> None:
    got = MODEL.score_multipliers(np.array([-3, -2, -1, 0, 1, 2, 7]), np.zeros(7, dtype=bool))
    np.testing.assert_allclose(got, [1.1, 1.1, 1.2, 1.0, 0.85, 0.8, 0.8])
    late = MODEL.score_multipliers(np.array([-1, 0, 1, 3]), np.ones(4, dtype=bool))
    np.testing.assert_allclose(late, [1.5, 1.0, 0.7, 0.75])


@pytest.mark.parametrize(
    "fields",
    [
        {"score_lead": (1.0,)},  # not as long as the others
        {"score_trail": ()},
        {"score_trail_late": (1.0, -0.5)},
        {"score_late_from": 30.0},
    ],
)
def test_bad_score_effects_are_refused(fields: dict) -> None:
    with pytest.raises(ValueError):
        InPlayParams(**fields)


def test_a_parameter_file_without_score_effects_reads_as_none() -> None:
    data = ModelParams().to_dict()
    for name in ("score_lead", "score_trail", "score_lead_late", "score_trail_late"):
        del data["inplay"][name]
    del data["inplay"]["score_late_from"]
    assert not ModelParams.from_dict(data).inplay.has_score_effects


def test_score_effects_round_trip_through_the_parameter_file() -> None:
    params = ModelParams(inplay=EFFECTS)
    again = ModelParams.from_dict(params.to_dict())
    assert again.inplay == EFFECTS
    assert again.inplay.score_lead == (0.85, 0.8)


# --- the engine with score effects --------------------------------------------------------------

rates = st.floats(0.2, 4.0)
goals = st.integers(0, 6)
reds = st.integers(0, 2)


@st.composite
def regulation_states(draw):
    period = draw(st.sampled_from([FIRST_HALF, SECOND_HALF]))
    end = 45.0 if period == FIRST_HALF else 90.0
    if draw(st.booleans()):
        minute, stoppage = end, draw(st.floats(0.0, 10.0))
    else:
        minute, stoppage = draw(st.floats(end - 45.0, end)), 0.0
    return (
        period,
        minute,
        stoppage,
        draw(goals),
        draw(goals),
        draw(reds),
        draw(reds),
        draw(st.booleans()),
    )


@SETTINGS
@given(rates, rates, regulation_states())
def test_probabilities_are_valid_with_score_effects(lam_h, lam_a, state) -> None:
    out = evaluate(MODEL, lam_h, lam_a, state, suspense=True)
    total = out.p_home_win[0] + out.p_draw[0] + out.p_away_win[0]
    assert total == pytest.approx(1.0, abs=1e-9)
    for p in (out.p_home_win, out.p_draw, out.p_away_win):
        assert 0.0 <= p[0] <= 1.0
    if state[-1]:
        assert out.p_home_win[0] - TOL <= out.p_home_advance[0]
        assert out.p_home_advance[0] <= out.p_home_win[0] + out.p_draw[0] + TOL
    assert out.suspense[0] >= 0.0


@SETTINGS
@given(rates, rates, regulation_states())
def test_a_goal_never_hurts_the_side_that_scores_with_score_effects(lam_h, lam_a, state) -> None:
    # Rates that depend on the difference alone keep the chain monotone: a higher difference now
    # is never worse for the home side (the chains can be coupled until they meet).
    ladder = [(*state[:3], state[4] + d, state[4], *state[5:]) for d in range(-3, 4)]
    ladder = [s for s in ladder if s[3] >= 0]
    out = evaluate(MODEL, lam_h, lam_a, *ladder)
    assert np.all(np.diff(out.p_home_win) >= -TOL)
    assert np.all(np.diff(out.p_away_win) <= TOL)
    if state[-1]:
        assert np.all(np.diff(out.p_home_advance) >= -TOL)


@SETTINGS
@given(rates, rates, regulation_states())
def test_swapping_the_sides_swaps_the_probabilities_with_score_effects(lam_h, lam_a, state) -> None:
    period, minute, stoppage, hg, ag, hr, ar, ko = state
    out = evaluate(MODEL, lam_h, lam_a, state)
    swapped = evaluate(MODEL, lam_a, lam_h, (period, minute, stoppage, ag, hg, ar, hr, ko))
    assert out.p_home_win[0] == pytest.approx(swapped.p_away_win[0], abs=1e-9)
    assert out.p_draw[0] == pytest.approx(swapped.p_draw[0], abs=1e-9)


@SETTINGS
@given(rates, rates, regulation_states())
def test_batch_equals_single_evaluations_with_score_effects(lam_h, lam_a, state) -> None:
    other = (FIRST_HALF, 0.0, 0.0, 0, 0, 0, 0, not state[-1])
    both = MODEL.evaluate(np.array([lam_h, 2.5]), np.array([lam_a, 0.4]), batch(state, other), True)
    one = evaluate(MODEL, lam_h, lam_a, state, suspense=True)
    for name in ("p_home_win", "p_draw", "p_away_win", "time_left", "suspense"):
        assert getattr(both, name)[0] == pytest.approx(getattr(one, name)[0], abs=1e-12)


def test_a_vanishing_effect_gives_the_independent_grid() -> None:
    tiny = (1.0 + 1e-13,)
    nearly = InPlayModel(
        InPlayParams(score_lead=tiny, score_trail=tiny, score_lead_late=tiny, score_trail_late=tiny)
    )
    assert nearly.params.has_score_effects
    states = [
        (FIRST_HALF, 0.0, 0.0, 0, 0, 0, 0, True),
        (FIRST_HALF, 30.0, 0.0, 1, 0, 0, 1, False),
        (SECOND_HALF, 70.0, 0.0, 1, 2, 1, 0, True),
        (SECOND_HALF, 90.0, 3.0, 2, 2, 0, 0, True),
    ]
    a = evaluate(nearly, 1.6, 0.9, *states, suspense=True)
    b = evaluate(InPlayModel(), 1.6, 0.9, *states, suspense=True)
    for name in ("p_home_win", "p_draw", "p_away_win", "p_home_advance", "suspense"):
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), atol=1e-9, err_msg=name)


def test_a_side_that_pushes_when_behind_makes_a_lead_less_safe() -> None:
    pushing = InPlayModel(InPlayParams(score_trail=(1.3, 1.3), score_trail_late=(1.6, 1.6)))
    state = (SECOND_HALF, 80.0, 0.0, 1, 0, 0, 0, False)
    with_effects = evaluate(pushing, 1.3, 1.3, state)
    without = evaluate(InPlayModel(), 1.3, 1.3, state)
    assert with_effects.p_home_win[0] < without.p_home_win[0]
    assert with_effects.p_draw[0] > without.p_draw[0]
    # Level, the trailing multipliers do nothing until someone scores: more draws still, as the
    # first goal is more often answered.
    level = (SECOND_HALF, 80.0, 0.0, 1, 1, 0, 0, False)
    assert (
        evaluate(pushing, 1.3, 1.3, level).p_draw[0]
        > evaluate(InPlayModel(), 1.3, 1.3, level).p_draw[0]
    )


def test_extra_time_and_finished_states_are_as_without_score_effects() -> None:
    states = [
        (EXTRA_FIRST, 100.0, 0.0, 1, 1, 0, 0, True),
        (FINISHED, 120.0, 0.0, 2, 1, 0, 0, True),
        (FINISHED, 120.0, 0.0, 1, 1, 0, 0, False),
    ]
    a = evaluate(MODEL, 1.4, 1.1, *states, suspense=True)
    b = evaluate(
        InPlayModel(
            replace(
                EFFECTS,
                score_lead=(1.0, 1.0),
                score_trail=(1.0, 1.0),
                score_lead_late=(1.0, 1.0),
                score_trail_late=(1.0, 1.0),
            )
        ),
        1.4,
        1.1,
        *states,
        suspense=True,
    )
    for name in ("p_home_win", "p_draw", "p_away_win", "p_home_advance", "suspense", "time_left"):
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), atol=1e-12, err_msg=name)
