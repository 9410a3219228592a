"""ScoreGrid with the Dixon–Coles dependence ρ, against a grid written out by hand.

Dixon & Coles (1997) multiply the four low-score cells of the independent Poisson grid by
τ(0,0) = 1 − λμρ, τ(0,1) = 1 + λρ, τ(1,0) = 1 + μρ, τ(1,1) = 1 − ρ.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import poisson

from heartbreak.model.grid import ScoreGrid

RATES = [(0.3, 0.2), (1.4, 1.1), (1.927, 0.685), (0.6, 2.9), (2.8, 2.8)]
RHOS = [-0.3, -0.13, -0.05, 0.04, 0.2]


def tau(i: int, j: int, lam: float, mu: float, rho: float) -> float:
    return {
        (0, 0): 1.0 - lam * mu * rho,
        (0, 1): 1.0 + lam * rho,
        (1, 0): 1.0 + mu * rho,
        (1, 1): 1.0 - rho,
    }.get((i, j), 1.0)


def clipped(lam: float, mu: float, rho: float) -> float:
    """ρ limited to the range in which every τ is non-negative."""
    low = max(-1.0 / lam if lam > 0 else -np.inf, -1.0 / mu if mu > 0 else -np.inf)
    high = min(1.0 / (lam * mu) if lam * mu > 0 else np.inf, 1.0)
    return float(np.clip(rho, low, high))


def explicit_grid(lam: float, mu: float, rho: float, size: int) -> np.ndarray:
    """P(home scores i more, away j more) from scipy's Poisson pmf, cell by cell."""
    k = np.arange(size)
    grid = np.outer(poisson.pmf(k, lam), poisson.pmf(k, mu))
    r = clipped(lam, mu, rho)
    for i in (0, 1):
        for j in (0, 1):
            grid[i, j] *= tau(i, j, lam, mu, r)
    return grid


def explicit_outcomes(grid: np.ndarray, home_goals: int, away_goals: int) -> np.ndarray:
    i, j = np.indices(grid.shape)
    diff = (home_goals + i) - (away_goals + j)
    return np.array([grid[diff > 0].sum(), grid[diff == 0].sum(), grid[diff < 0].sum()])


# --------------------------------------------------------------------------- the cells


@pytest.mark.parametrize(("lam", "mu"), RATES)
@pytest.mark.parametrize("rho", RHOS)
def test_cells_sum_to_one(lam: float, mu: float, rho: float) -> None:
    grid = ScoreGrid.from_rates(lam, mu, rho=rho)
    assert abs(grid.remaining.sum() - 1.0) < 1e-12
    assert (grid.remaining >= 0).all()


@pytest.mark.parametrize(("lam", "mu"), RATES)
@pytest.mark.parametrize("rho", RHOS)
def test_low_score_cells_are_tau_weighted_products(lam: float, mu: float, rho: float) -> None:
    cells = ScoreGrid.from_rates(lam, mu, rho=rho).remaining[0]
    r = clipped(lam, mu, rho)
    for i in (0, 1):
        for j in (0, 1):
            expected = poisson.pmf(i, lam) * poisson.pmf(j, mu) * tau(i, j, lam, mu, r)
            assert cells[i, j] == pytest.approx(expected, abs=1e-12), (i, j)
    # Every other cell is the independent product.
    for i, j in ((2, 0), (0, 2), (2, 1), (1, 2), (3, 3)):
        assert cells[i, j] == pytest.approx(poisson.pmf(i, lam) * poisson.pmf(j, mu), abs=1e-12)


@pytest.mark.parametrize(("lam", "mu"), RATES)
@pytest.mark.parametrize("rho", RHOS)
def test_whole_grid_matches_the_explicit_grid(lam: float, mu: float, rho: float) -> None:
    grid = ScoreGrid.from_rates(lam, mu, rho=rho)
    assert np.allclose(grid.remaining[0], explicit_grid(lam, mu, rho, grid.size), atol=1e-12)


def test_rho_zero_is_the_independent_grid() -> None:
    plain = ScoreGrid.from_rates(1.3, 0.9)
    zero = ScoreGrid.from_rates(1.3, 0.9, rho=0.0)
    assert np.array_equal(plain.remaining, zero.remaining)
    assert np.array_equal(
        np.array(plain.outcome_probabilities()), np.array(zero.outcome_probabilities())
    )


# --------------------------------------------------------------------------- derived numbers


@pytest.mark.parametrize(("lam", "mu"), RATES)
@pytest.mark.parametrize("rho", RHOS)
@pytest.mark.parametrize(("hg", "ag"), [(0, 0), (1, 0), (0, 1), (2, 1), (1, 3), (4, 0)])
def test_outcomes_are_sums_over_the_explicit_grid(
    lam: float, mu: float, rho: float, hg: int, ag: int
) -> None:
    grid = ScoreGrid.from_rates(lam, mu, hg, ag, rho=rho)
    got = np.array([p[0] for p in grid.outcome_probabilities()])
    expected = explicit_outcomes(explicit_grid(lam, mu, rho, grid.size), hg, ag)
    assert got == pytest.approx(expected, abs=1e-12)
    assert got.sum() == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("rho", RHOS)
@pytest.mark.parametrize(("extra_home", "extra_away"), [(1, 0), (0, 1), (2, 0)])
def test_outcomes_after_a_hypothetical_goal(rho: float, extra_home: int, extra_away: int) -> None:
    grid = ScoreGrid.from_rates(1.2, 1.0, 1, 1, rho=rho)
    got = np.array([p[0] for p in grid.outcome_probabilities(extra_home, extra_away)])
    explicit = explicit_grid(1.2, 1.0, rho, grid.size)
    expected = explicit_outcomes(explicit, 1 + extra_home, 1 + extra_away)
    assert got == pytest.approx(expected, abs=1e-12)


def test_a_batch_with_mixed_states_agrees_state_by_state() -> None:
    lam = np.array([0.4, 1.5, 2.2, 0.9])
    mu = np.array([1.1, 0.3, 2.0, 0.9])
    rho = np.array([-0.2, 0.0, 0.1, -0.08])
    hg, ag = np.array([0, 2, 1, 0]), np.array([0, 0, 3, 1])
    batch = ScoreGrid.from_rates(lam, mu, hg, ag, rho=rho)
    home, draw, away = batch.outcome_probabilities()
    for k in range(len(lam)):
        expected = explicit_outcomes(explicit_grid(lam[k], mu[k], rho[k], batch.size), hg[k], ag[k])
        assert [home[k], draw[k], away[k]] == pytest.approx(expected, abs=1e-12)
        single = ScoreGrid.from_rates(lam[k], mu[k], hg[k], ag[k], rho=rho[k], size=batch.size)
        assert np.allclose(batch[k].remaining, single.remaining, atol=1e-15)


@pytest.mark.parametrize(("lam", "mu"), RATES)
@pytest.mark.parametrize("rho", RHOS)
def test_score_probabilities_are_the_cells(lam: float, mu: float, rho: float) -> None:
    grid = ScoreGrid.from_rates(lam, mu, 1, 0, rho=rho)
    explicit = explicit_grid(lam, mu, rho, grid.size)
    for i, j in ((0, 0), (0, 1), (1, 0), (1, 1), (2, 3)):
        assert grid.score_probability(1 + i, j)[0] == pytest.approx(explicit[i, j], abs=1e-12)
    assert grid.score_probability(0, 0)[0] == 0.0  # below the current score


@pytest.mark.parametrize(("lam", "mu"), RATES)
@pytest.mark.parametrize("rho", RHOS)
def test_difference_pmf_sums_the_explicit_diagonals(lam: float, mu: float, rho: float) -> None:
    grid = ScoreGrid.from_rates(lam, mu, rho=rho)
    ks, pmf = grid.difference_pmf()
    explicit = explicit_grid(lam, mu, rho, grid.size)
    i, j = np.indices(explicit.shape)
    for k in (-2, -1, 0, 1, 2):
        assert pmf[0, ks == k][0] == pytest.approx(explicit[(i - j) == k].sum(), abs=1e-12)


@pytest.mark.parametrize(("lam", "mu"), RATES)
@pytest.mark.parametrize("rho", RHOS)
@pytest.mark.parametrize(("hg", "ag"), [(0, 0), (2, 1)])
def test_expected_goals_match_the_explicit_grid(
    lam: float, mu: float, rho: float, hg: int, ag: int
) -> None:
    grid = ScoreGrid.from_rates(lam, mu, hg, ag, rho=rho)
    explicit = explicit_grid(lam, mu, rho, grid.size)
    i, j = np.indices(explicit.shape)
    eh, ea = grid.expected_goals()
    assert eh[0] == pytest.approx(hg + (i * explicit).sum(), abs=1e-12)
    assert ea[0] == pytest.approx(ag + (j * explicit).sum(), abs=1e-12)


@pytest.mark.parametrize(("lam", "mu"), RATES)
def test_negative_rho_adds_draws(lam: float, mu: float) -> None:
    _, independent, _ = ScoreGrid.from_rates(lam, mu).outcome_probabilities()
    _, dependent, _ = ScoreGrid.from_rates(lam, mu, rho=-0.1).outcome_probabilities()
    _, fewer, _ = ScoreGrid.from_rates(lam, mu, rho=0.1).outcome_probabilities()
    assert dependent[0] > independent[0] > fewer[0]
    # The extra draws are exactly the mass moved onto 0-0 and 1-1.
    r = clipped(lam, mu, -0.1)
    moved = poisson.pmf(0, lam) * poisson.pmf(0, mu) * (-lam * mu * r) + poisson.pmf(
        1, lam
    ) * poisson.pmf(1, mu) * (-r)
    assert dependent[0] - independent[0] == pytest.approx(moved, abs=1e-12)


def test_draws_grow_as_rho_falls() -> None:
    draws = [ScoreGrid.from_rates(1.3, 1.1, rho=r).outcome_probabilities()[1][0] for r in RHOS]
    assert draws == sorted(draws, reverse=True)


# --------------------------------------------------------------------------- clipping


@pytest.mark.parametrize("rho", [-0.3, -0.2, 0.1, 0.3])
@pytest.mark.parametrize(("lam", "mu"), [(8.0, 8.0), (8.0, 0.4), (0.4, 8.0), (8.0, 3.0)])
def test_rho_is_clipped_for_large_rates(lam: float, mu: float, rho: float) -> None:
    # Unclipped, τ(0,1) = 1 + 8ρ or τ(0,0) = 1 − 64ρ would be negative.
    grid = ScoreGrid.from_rates(lam, mu, rho=rho)
    cells = grid.remaining[0]
    assert (cells >= 0).all()
    assert abs(cells.sum() - 1.0) < 1e-12
    assert np.allclose(cells, explicit_grid(lam, mu, rho, grid.size), atol=1e-12)
    probs = np.array([p[0] for p in grid.outcome_probabilities()])
    assert ((probs >= 0) & (probs <= 1)).all()
    assert probs.sum() == pytest.approx(1.0, abs=1e-12)
    assert probs == pytest.approx(explicit_outcomes(cells, 0, 0), abs=1e-12)


def test_clipping_empties_exactly_one_cell_at_the_bound() -> None:
    # λ = μ = 8, ρ = −0.3 is clipped to −1/8: τ(0,1) = τ(1,0) = 0.
    cells = ScoreGrid.from_rates(8.0, 8.0, rho=-0.3).remaining[0]
    assert cells[0, 1] == pytest.approx(0.0, abs=1e-15)
    assert cells[1, 0] == pytest.approx(0.0, abs=1e-15)
    expected_00 = poisson.pmf(0, 8.0) ** 2 * (1 + 64 / 8)
    assert cells[0, 0] == pytest.approx(expected_00, rel=1e-9)
    # λ = μ = 8, ρ = 0.3 is clipped to 1/64: τ(0,0) = 0.
    cells = ScoreGrid.from_rates(8.0, 8.0, rho=0.3).remaining[0]
    assert cells[0, 0] == pytest.approx(0.0, abs=1e-15)


def test_zero_rates_with_rho() -> None:
    for lam, mu in ((0.0, 0.0), (0.0, 1.5), (1.5, 0.0)):
        grid = ScoreGrid.from_rates(lam, mu, 1, 1, rho=-0.3)
        cells = grid.remaining[0]
        assert (cells >= 0).all() and abs(cells.sum() - 1.0) < 1e-12
        probs = np.array([p[0] for p in grid.outcome_probabilities()])
        assert probs == pytest.approx(explicit_outcomes(cells, 1, 1), abs=1e-12)


# --------------------------------------------------------------------------- property


@settings(max_examples=100, deadline=None)
@given(
    lam=st.floats(0.0, 8.0),
    mu=st.floats(0.0, 8.0),
    rho=st.floats(-0.3, 0.3),
    hg=st.integers(0, 6),
    ag=st.integers(0, 6),
    extra=st.sampled_from([(0, 0), (1, 0), (0, 1)]),
)
def test_outcome_probabilities_are_a_distribution(
    lam: float, mu: float, rho: float, hg: int, ag: int, extra: tuple[int, int]
) -> None:
    grid = ScoreGrid.from_rates(lam, mu, hg, ag, rho=rho)
    home, draw, away = (p[0] for p in grid.outcome_probabilities(*extra))
    for p in (home, draw, away):
        assert 0.0 <= p <= 1.0
    assert home + draw + away == pytest.approx(1.0, abs=1e-12)
    cells = grid.remaining[0]
    assert cells.min() >= -1e-15
    expected = explicit_outcomes(cells, hg + extra[0], ag + extra[1])
    assert [home, draw, away] == pytest.approx(expected, abs=1e-9)
