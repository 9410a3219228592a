"""PrematchModel: maximum likelihood recovers known coefficients from synthetic Poisson goals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from heartbreak.model.grid import ScoreGrid
from heartbreak.model.prematch import GoalModelParams, PrematchModel, expected_goals

TRUE = GoalModelParams(intercept=0.2, rating_slope=0.9, home_attack=0.25, home_defence=-0.15)


def synthetic(
    n: int, params: GoalModelParams, seed: int, start: str = "1990-01-01", end: str = "2009-12-31"
) -> pd.DataFrame:
    """Matches with Elo ratings, venues and Poisson goals drawn from ``params``."""
    rng = np.random.default_rng(seed)
    elo_home = rng.normal(1600.0, 150.0, n)
    elo_away = rng.normal(1600.0, 150.0, n)
    neutral = rng.random(n) < 0.3
    lam_h, lam_a = expected_goals(elo_home, elo_away, neutral, params)
    days = pd.date_range(start, end, freq="D")
    return pd.DataFrame(
        {
            "date": rng.choice(days, n),
            "elo_home": elo_home,
            "elo_away": elo_away,
            "neutral": neutral,
            "home_score": rng.poisson(lam_h),
            "away_score": rng.poisson(lam_a),
        }
    )


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return synthetic(20_000, TRUE, seed=20180702)


@pytest.fixture(scope="module")
def fitted(data: pd.DataFrame) -> PrematchModel:
    return PrematchModel().fit(data)


def test_recovers_known_coefficients(fitted: PrematchModel) -> None:
    p = fitted.params_
    # Standard errors with 20,000 matches are about 0.005-0.02; allow a generous margin.
    assert p.intercept == pytest.approx(TRUE.intercept, abs=0.04)
    assert p.rating_slope == pytest.approx(TRUE.rating_slope, abs=0.05)
    assert p.home_attack == pytest.approx(TRUE.home_attack, abs=0.04)
    assert p.home_defence == pytest.approx(TRUE.home_defence, abs=0.04)
    assert fitted.n_train_ == 20_000


def test_fit_is_deterministic(data: pd.DataFrame, fitted: PrematchModel) -> None:
    again = PrematchModel().fit(data)
    assert again.params_ == fitted.params_


def test_fitted_rates_reproduce_the_mean_goals(data: pd.DataFrame, fitted: PrematchModel) -> None:
    # A Poisson GLM with an intercept matches the total observed goals at the optimum.
    lam_h, lam_a = fitted.expected_goals(data["elo_home"], data["elo_away"], data["neutral"])
    total = data["home_score"].sum() + data["away_score"].sum()
    assert lam_h.sum() + lam_a.sum() == pytest.approx(total, rel=1e-4)


def test_only_rows_in_the_training_window_are_used(data: pd.DataFrame) -> None:
    window = PrematchModel("1995-01-01", "2005-01-01")
    inside = window.fit(data).params_
    n_inside = window.n_train_
    dates = pd.to_datetime(data["date"])
    expected_n = int(((dates >= "1995-01-01") & (dates < "2005-01-01")).sum())
    assert n_inside == expected_n

    # Rows outside the window with absurd scores and ratings do not change the fit.
    rng = np.random.default_rng(1)
    outside = pd.DataFrame(
        {
            "date": pd.to_datetime(["1960-05-05", "1994-12-31", "2005-01-01", "2020-01-01"] * 50),
            "elo_home": rng.uniform(500, 2500, 200),
            "elo_away": rng.uniform(500, 2500, 200),
            "neutral": rng.random(200) < 0.5,
            "home_score": rng.integers(10, 30, 200),
            "away_score": rng.integers(0, 2, 200),
        }
    )
    mixed = pd.concat([outside, data, outside], ignore_index=True)
    again = PrematchModel("1995-01-01", "2005-01-01").fit(mixed)
    assert again.n_train_ == n_inside
    assert again.params_ == inside


def test_window_start_is_inclusive_and_end_exclusive() -> None:
    df = pd.DataFrame(
        {
            "date": ["1999-12-31", "2000-01-01", "2000-06-01", "2001-01-01"],
            "elo_home": [1500.0, 1600.0, 1400.0, 1500.0],
            "elo_away": [1500.0, 1500.0, 1500.0, 1500.0],
            "neutral": [False, True, False, True],
            "home_score": [1, 2, 0, 3],
            "away_score": [1, 0, 1, 3],
        }
    )
    model = PrematchModel("2000-01-01", "2001-01-01").fit(df)
    assert model.n_train_ == 2


def test_default_window_is_1990_to_2009(data: pd.DataFrame) -> None:
    model = PrematchModel()
    assert (model.train_start, model.train_end) == ("1990-01-01", "2010-01-01")
    late = data.assign(date=pd.to_datetime(data["date"]) + pd.DateOffset(years=25))
    with_late = pd.concat([data, late], ignore_index=True)
    assert PrematchModel().fit(with_late).n_train_ == len(data)


def test_stronger_side_expects_more_goals(fitted: PrematchModel) -> None:
    lam_h, lam_a = fitted.expected_goals(
        np.array([1700.0, 1500.0, 1900.0]), np.array([1500.0, 1700.0, 1300.0]), True
    )
    assert lam_h[0] > lam_a[0]
    assert lam_h[1] < lam_a[1]
    assert lam_h[2] > lam_h[0]
    assert lam_a[2] < lam_a[0]
    # Symmetric on neutral ground: swapping the ratings swaps the rates.
    assert lam_h[0] == pytest.approx(lam_a[1])
    assert lam_a[0] == pytest.approx(lam_h[1])


def test_expected_goals_increase_with_the_rating_gap(fitted: PrematchModel) -> None:
    gaps = np.linspace(-600.0, 600.0, 25)
    lam_h, lam_a = fitted.expected_goals(1500.0 + gaps, np.full(25, 1500.0), False)
    assert np.all(np.diff(lam_h) > 0)
    assert np.all(np.diff(lam_a) < 0)


def test_playing_at_home_helps(fitted: PrematchModel) -> None:
    home_h, home_a = fitted.expected_goals(1600.0, 1600.0, False)
    neut_h, neut_a = fitted.expected_goals(1600.0, 1600.0, True)
    assert home_h > neut_h
    assert home_a < neut_a
    assert neut_h == pytest.approx(neut_a)


def test_expected_goals_formula() -> None:
    params = GoalModelParams(intercept=0.1, rating_slope=1.2, home_attack=0.3, home_defence=-0.2)
    lam_h, lam_a = expected_goals(1800.0, 1600.0, False, params)
    assert lam_h == pytest.approx(np.exp(0.1 + 1.2 * 0.5 + 0.3))
    assert lam_a == pytest.approx(np.exp(0.1 - 1.2 * 0.5 - 0.2))
    lam_h, lam_a = expected_goals(1800.0, 1600.0, True, params)
    assert lam_h == pytest.approx(np.exp(0.1 + 0.6))
    assert lam_a == pytest.approx(np.exp(0.1 - 0.6))


def test_grid_uses_the_fitted_rates(fitted: PrematchModel) -> None:
    grid = fitted.grid(np.array([1800.0, 1500.0]), np.array([1500.0, 1800.0]), [False, True])
    assert isinstance(grid, ScoreGrid)
    lam_h, lam_a = fitted.expected_goals(
        np.array([1800.0, 1500.0]), np.array([1500.0, 1800.0]), [False, True]
    )
    eh, ea = grid.expected_goals()
    np.testing.assert_allclose(eh, lam_h, atol=1e-9)
    np.testing.assert_allclose(ea, lam_a, atol=1e-9)
    home, _, away = grid.outcome_probabilities()
    assert home[0] > away[0]
    assert home[1] < away[1]


def test_params_to_dict() -> None:
    assert TRUE.to_dict() == {
        "intercept": 0.2,
        "rating_slope": 0.9,
        "home_attack": 0.25,
        "home_defence": -0.15,
        "rho": 0.0,
    }
