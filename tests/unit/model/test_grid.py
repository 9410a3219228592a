"""ScoreGrid against closed forms: Skellam outcomes, Poisson score products, expected goals."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import poisson, skellam

from heartbreak.model.grid import TAIL, ScoreGrid, grid_size

RATES = [(0.2, 0.2), (1.4, 1.1), (1.927, 0.685), (0.3, 3.5), (2.8, 2.8), (6.0, 0.5)]


@pytest.mark.parametrize(("lam_h", "lam_a"), RATES)
def test_outcomes_match_skellam_from_level(lam_h: float, lam_a: float) -> None:
    home, draw, away = ScoreGrid.from_rates(lam_h, lam_a).outcome_probabilities()
    diff = skellam(lam_h, lam_a)
    assert home[0] == pytest.approx(diff.sf(0), abs=1e-9)
    assert draw[0] == pytest.approx(diff.pmf(0), abs=1e-9)
    assert away[0] == pytest.approx(diff.cdf(-1), abs=1e-9)


@pytest.mark.parametrize(("lam_h", "lam_a"), RATES)
@pytest.mark.parametrize(("hg", "ag"), [(1, 0), (0, 2), (3, 2), (2, 2), (0, 5)])
def test_outcomes_match_skellam_with_goals_already_scored(
    lam_h: float, lam_a: float, hg: int, ag: int
) -> None:
    grid = ScoreGrid.from_rates(lam_h, lam_a, hg, ag)
    home, draw, away = grid.outcome_probabilities()
    d = hg - ag
    diff = skellam(lam_h, lam_a)
    # Home wins when the remaining difference is > −d.
    assert home[0] == pytest.approx(diff.sf(-d), abs=1e-9)
    assert draw[0] == pytest.approx(diff.pmf(-d), abs=1e-9)
    assert away[0] == pytest.approx(diff.cdf(-d - 1), abs=1e-9)


@pytest.mark.parametrize(("lam_h", "lam_a"), [*RATES, (12.0, 12.0), (12.0, 0.1), (0.0, 3.0)])
def test_grid_and_outcomes_sum_to_one(lam_h: float, lam_a: float) -> None:
    grid = ScoreGrid.from_rates(lam_h, lam_a)
    assert grid.remaining.sum() == pytest.approx(1.0, abs=1e-9)
    home, draw, away = grid.outcome_probabilities()
    assert home[0] + draw[0] + away[0] == pytest.approx(1.0, abs=1e-9)
    _, pmf = grid.difference_pmf()
    assert pmf.sum() == pytest.approx(1.0, abs=1e-9)
    assert (grid.remaining >= 0).all()


def test_large_rates_keep_the_tail() -> None:
    grid = ScoreGrid.from_rates(12.0, 12.0)
    # The grid is big enough that the Poisson(12) tail beyond it is below TAIL.
    assert poisson.sf(grid.size - 1, 12.0) < TAIL
    assert grid.remaining.sum() == pytest.approx(1.0, abs=1e-9)
    home, draw, away = grid.outcome_probabilities()
    diff = skellam(12.0, 12.0)
    assert draw[0] == pytest.approx(diff.pmf(0), abs=1e-9)
    assert home[0] == pytest.approx(away[0], abs=1e-12)
    eh, ea = grid.expected_goals()
    assert eh[0] == pytest.approx(12.0, abs=1e-9)
    assert ea[0] == pytest.approx(12.0, abs=1e-9)


def test_grid_size_grows_with_the_rate() -> None:
    sizes = [grid_size(r) for r in (0.0, 0.5, 1.0, 3.0, 12.0)]
    assert sizes == sorted(sizes)
    assert sizes[0] >= 2


@pytest.mark.parametrize(("lam_h", "lam_a"), RATES)
def test_exact_score_is_the_poisson_product(lam_h: float, lam_a: float) -> None:
    grid = ScoreGrid.from_rates(lam_h, lam_a)
    for h in range(5):
        for a in range(5):
            expected = poisson.pmf(h, lam_h) * poisson.pmf(a, lam_a)
            assert grid.score_probability(h, a)[0] == pytest.approx(expected, rel=1e-9, abs=1e-15)


def test_exact_score_counts_goals_already_scored() -> None:
    grid = ScoreGrid.from_rates(1.2, 0.9, 2, 1)
    assert grid.score_probability(2, 1)[0] == pytest.approx(
        poisson.pmf(0, 1.2) * poisson.pmf(0, 0.9)
    )
    assert grid.score_probability(4, 1)[0] == pytest.approx(
        poisson.pmf(2, 1.2) * poisson.pmf(0, 0.9)
    )
    # A score below what has already been scored is impossible; so is one off the grid.
    assert grid.score_probability(1, 1)[0] == 0.0
    assert grid.score_probability(2, 0)[0] == 0.0
    assert grid.score_probability(2 + grid.size, 1)[0] == 0.0


@pytest.mark.parametrize(("lam_h", "lam_a"), RATES)
@pytest.mark.parametrize(("hg", "ag"), [(0, 0), (2, 1)])
def test_expected_goals(lam_h: float, lam_a: float, hg: int, ag: int) -> None:
    eh, ea = ScoreGrid.from_rates(lam_h, lam_a, hg, ag).expected_goals()
    assert eh[0] == pytest.approx(lam_h + hg, abs=1e-9)
    assert ea[0] == pytest.approx(lam_a + ag, abs=1e-9)


@pytest.mark.parametrize("tie", [0.0, 0.3, 0.5, 1.0])
def test_p_home_advance_adds_the_tie_break_share_of_the_draw(tie: float) -> None:
    grid = ScoreGrid.from_rates(1.3, 1.0)
    home, draw, _ = grid.outcome_probabilities()
    adv = grid.p_home_advance(tie)
    assert adv[0] == pytest.approx(home[0] + tie * draw[0], abs=1e-12)
    assert 0.0 <= adv[0] <= 1.0


def test_p_home_advance_bounds_and_per_state_tie() -> None:
    grid = ScoreGrid.from_rates([1.3, 1.3], [1.0, 1.0])
    home, _, away = grid.outcome_probabilities()
    adv = grid.p_home_advance(np.array([0.0, 1.0]))
    np.testing.assert_allclose(adv, [home[0], 1.0 - away[1]], atol=1e-12)


def test_no_goals_to_come_gives_a_certain_result() -> None:
    grid = ScoreGrid.from_rates([0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [2, 1, 0], [1, 1, 3])
    home, draw, away = grid.outcome_probabilities()
    np.testing.assert_array_equal(home, [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(draw, [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(away, [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(grid.p_home_advance(0.5), [1.0, 0.5, 0.0])


def test_batch_equals_single_evaluations() -> None:
    rng = np.random.default_rng(7)
    lam_h = rng.uniform(0.01, 6.0, size=40)
    lam_a = rng.uniform(0.01, 6.0, size=40)
    hg = rng.integers(0, 5, size=40)
    ag = rng.integers(0, 5, size=40)
    batch = ScoreGrid.from_rates(lam_h, lam_a, hg, ag)
    assert len(batch) == 40
    b_home, b_draw, b_away = batch.outcome_probabilities()
    b_eh, b_ea = batch.expected_goals()
    b_adv = batch.p_home_advance(0.4)
    b_score = batch.score_probability(3, 2)
    for k in range(40):
        single = ScoreGrid.from_rates(lam_h[k], lam_a[k], hg[k], ag[k])
        home, draw, away = single.outcome_probabilities()
        # The batch grid is sized for its largest rate; extra cells carry < 1e-12 of mass.
        assert b_home[k] == pytest.approx(home[0], abs=1e-12)
        assert b_draw[k] == pytest.approx(draw[0], abs=1e-12)
        assert b_away[k] == pytest.approx(away[0], abs=1e-12)
        assert b_adv[k] == pytest.approx(single.p_home_advance(0.4)[0], abs=1e-12)
        eh, ea = single.expected_goals()
        assert b_eh[k] == pytest.approx(eh[0], abs=1e-9)
        assert b_ea[k] == pytest.approx(ea[0], abs=1e-9)
        assert b_score[k] == pytest.approx(single.score_probability(3, 2)[0], abs=1e-12)


def test_scalar_inputs_broadcast() -> None:
    grid = ScoreGrid.from_rates(1.0, [0.5, 1.0, 2.0], 1, 0)
    assert len(grid) == 3
    np.testing.assert_array_equal(grid.home_goals, [1, 1, 1])
    np.testing.assert_array_equal(grid.away_goals, [0, 0, 0])
    home, _, _ = grid.outcome_probabilities()
    assert home[0] > home[1] > home[2]


def test_explicit_size_is_used() -> None:
    grid = ScoreGrid.from_rates(1.0, 1.0, size=30)
    assert grid.size == 30
    assert grid.remaining.shape == (1, 30, 30)
