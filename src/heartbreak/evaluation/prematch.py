"""Walk-forward backtest of pre-match probabilities on major final tournaments.

Walk-forward by construction: Elo ratings going into a match use only earlier matches, and the
goal model (Poisson with the Dixon–Coles ρ) is fitted on the ten years before the first test
match. Two baselines
are computed in the same run on the same matches:

- ``uniform``: 1/3 for each outcome;
- ``elo_draw_rate``: the Elo expected score ``We`` (home advantage included) split around the
  draw rate ``d`` of the training window: P(home) = We − d/2, P(away) = 1 − We − d/2, clipped at
  1% and renormalised (the usual way to read a three-way forecast off ``We``; Hvattum & Arntzen
  2010 use it as their Elo benchmark).

Forecasts are scored against the result after 90 minutes: a match that went to extra time or a
shootout was level after 90.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from heartbreak.evaluation.scoring import log_loss, outcome_code, ranked_probability_score
from heartbreak.model.grid import ScoreGrid
from heartbreak.model.prematch import PrematchModel
from heartbreak.ratings.elo import EloParams, expected_score

# The goal model is fitted on this many years before the test period (as the shipped model is).
GOAL_MODEL_YEARS = 10

MAJOR_TOURNAMENTS = (
    "FIFA World Cup",
    "UEFA Euro",
    "Copa América",
    "AFC Asian Cup",
    "African Cup of Nations",
    "Gold Cup",
)


def regulation_outcome(matches: pd.DataFrame) -> np.ndarray:
    """0/1/2 (home win/draw/away win) after 90 minutes."""
    went_long = (
        matches["extra_time"].fillna(False).astype(bool) | matches["shootout_winner"].notna()
    )
    code = outcome_code(matches["home_score"].to_numpy(), matches["away_score"].to_numpy())
    return np.where(went_long.to_numpy(), 1, code)


def uniform_forecast(n: int) -> np.ndarray:
    """1/3 for each outcome, (n, 3)."""
    return np.full((n, 3), 1.0 / 3.0)


def elo_draw_rate_forecast(
    elo_home: np.ndarray,
    elo_away: np.ndarray,
    neutral: np.ndarray,
    draw_rate: np.ndarray | float,
    params: EloParams | None = None,
) -> np.ndarray:
    """The ``elo_draw_rate`` baseline (see the module docstring), (n, 3); ``draw_rate`` a
    number or one per match."""
    elo_h = np.asarray(elo_home, dtype=float)
    elo_a = np.asarray(elo_away, dtype=float)
    home_advantage = (params or EloParams()).home_advantage
    we = expected_score(elo_h - elo_a + np.where(np.asarray(neutral, bool), 0.0, home_advantage))
    d = np.broadcast_to(np.asarray(draw_rate, dtype=float), we.shape)
    home = np.clip(we - d / 2, 0.01, None)
    away = np.clip(1 - we - d / 2, 0.01, None)
    elo = np.column_stack([home, d, away])
    return elo / elo.sum(axis=1, keepdims=True)


def prematch_backtest(
    matches: pd.DataFrame,
    test_start: str = "2010-01-01",
    test_end: str = "2027-01-01",
    competitions: tuple[str, ...] = MAJOR_TOURNAMENTS,
    model: PrematchModel | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score the model and the baselines on the test matches: ``heartbreak`` the goal model's
    stored rates (:mod:`heartbreak.model.strengths`; the Elo goal model's where the rows have
    none), ``elo_goal_model`` the Elo-only goal model fitted on the ten years before
    ``test_start``, the Elo expected score with a draw rate and 1/3 each.

    Returns (summary with one row per forecaster: n, rps, log_loss; per-match forecasts).
    """
    if model is None:
        start = pd.Timestamp(test_start) - pd.DateOffset(years=GOAL_MODEL_YEARS)
        model = PrematchModel(start.date().isoformat(), test_start, dixon_coles=True)
    if pd.Timestamp(model.train_end) > pd.Timestamp(test_start):
        raise ValueError("the goal model's training window must end before the test period")
    model.fit(matches)
    dates = pd.to_datetime(matches["date"])
    train = matches[(dates >= model.train_start) & (dates < model.train_end)]
    draw_rate = float((regulation_outcome(train) == 1).mean())

    test = matches[
        (dates >= test_start) & (dates < test_end) & matches["competition"].isin(competitions)
    ].copy()
    outcome = regulation_outcome(test)
    neutral = test["neutral"].to_numpy(dtype=bool)
    elo_h = test["elo_home"].to_numpy(float)
    elo_a = test["elo_away"].to_numpy(float)

    elo_only = np.column_stack(model.grid(elo_h, elo_a, neutral).outcome_probabilities())
    # The goal model's rates are walk-forward as stored (fitted before each match's day); ρ
    # is the Elo model's, fitted before the test years.
    lam_h, lam_a = model.rates(test)
    grid = ScoreGrid.from_rates(lam_h, lam_a, rho=model.params_.rho)
    forecasts = {
        "heartbreak": np.column_stack(grid.outcome_probabilities()),
        "elo_goal_model": elo_only,
        "uniform": uniform_forecast(len(test)),
        "elo_draw_rate": elo_draw_rate_forecast(elo_h, elo_a, neutral, draw_rate),
    }

    rows = []
    for name, probs in forecasts.items():
        rows.append(
            {
                "forecaster": name,
                "n": len(test),
                "rps": float(ranked_probability_score(probs, outcome).mean()),
                "log_loss": float(log_loss(probs, outcome).mean()),
            }
        )
        test[f"{name}_home"], test[f"{name}_draw"], test[f"{name}_away"] = probs.T
    test["outcome"] = outcome
    summary = pd.DataFrame(rows)
    summary.attrs.update(
        train_start=model.train_start,
        train_end=model.train_end,
        n_train=model.n_train_,
        draw_rate=draw_rate,
        params=model.params_.to_dict(),
    )
    return summary, test
