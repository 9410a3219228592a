"""Proper scoring rules for probabilistic forecasts, as pure array functions.

Outcomes are ordered (home win, draw, away win) and coded 0, 1, 2.
"""

from __future__ import annotations

import numpy as np

EPS = 1e-15


def ranked_probability_score(probs: np.ndarray, outcome: np.ndarray) -> np.ndarray:
    """RPS per forecast (Epstein 1969; Constantinou & Fenton 2012, "Solving the problem of
    inadequate scoring rules for assessing probabilistic football forecast models", JQAS 8(1)):
    ``1/(r−1) Σ_{k<r} (Σ_{j≤k} p_j − o_j)²`` for r ordered outcomes."""
    probs = np.asarray(probs, dtype=float)
    r = probs.shape[1]
    observed = np.eye(r)[np.asarray(outcome, dtype=int)]
    cumulative = np.cumsum(probs - observed, axis=1)[:, :-1]
    return (cumulative**2).sum(axis=1) / (r - 1)


def log_loss(probs: np.ndarray, outcome: np.ndarray) -> np.ndarray:
    """Negative log-likelihood of the observed outcome per forecast (Good 1952)."""
    probs = np.asarray(probs, dtype=float)
    p = probs[np.arange(len(probs)), np.asarray(outcome, dtype=int)]
    return -np.log(np.clip(p, EPS, 1.0))


def brier_score(p: np.ndarray, happened: np.ndarray) -> np.ndarray:
    """Brier score of a binary event per forecast (Brier 1950): ``(p − y)²``."""
    return (np.asarray(p, dtype=float) - np.asarray(happened, dtype=float)) ** 2


def expected_calibration_error(p: np.ndarray, happened: np.ndarray, bins: int = 10) -> float:
    """ECE with equal-width bins (Naeini, Cooper & Hauskrecht 2015): the sample-weighted mean
    of |mean forecast − observed frequency| over the bins."""
    p = np.asarray(p, dtype=float)
    y = np.asarray(happened, dtype=float)
    if len(p) == 0:
        return float("nan")
    index = np.minimum((p * bins).astype(int), bins - 1)
    count = np.bincount(index, minlength=bins)
    sum_p = np.bincount(index, weights=p, minlength=bins)
    sum_y = np.bincount(index, weights=y, minlength=bins)
    used = count > 0
    gap = np.abs(sum_p[used] - sum_y[used]) / count[used]
    return float((gap * count[used]).sum() / len(p))


def reliability_table(p: np.ndarray, happened: np.ndarray, bins: int = 10) -> np.ndarray:
    """Per bin: (mean forecast, observed frequency, count); NaN rows for empty bins."""
    p = np.asarray(p, dtype=float)
    y = np.asarray(happened, dtype=float)
    index = np.minimum((p * bins).astype(int), bins - 1)
    count = np.bincount(index, minlength=bins).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_p = np.bincount(index, weights=p, minlength=bins) / count
        freq = np.bincount(index, weights=y, minlength=bins) / count
    return np.column_stack([mean_p, freq, count])


def outcome_code(home_goals: np.ndarray, away_goals: np.ndarray) -> np.ndarray:
    """0 home win, 1 draw, 2 away win."""
    diff = np.asarray(home_goals) - np.asarray(away_goals)
    return np.where(diff > 0, 0, np.where(diff == 0, 1, 2))


def calibrated_ece_draws(
    p: np.ndarray,
    draws: int = 200,
    seed: int = 0,
    bins: int = 10,
    uniforms: np.ndarray | None = None,
) -> np.ndarray:
    """The ECE (:func:`expected_calibration_error`) of ``draws`` outcome sets drawn from the
    forecasts ``p`` themselves: a perfectly calibrated forecaster's ECE on these forecasts,
    whose spread is the floor that sample size alone puts under any ECE (the consistency
    resampling of Bröcker & Smith 2007, "Increasing the reliability of reliability diagrams",
    Weather and Forecasting 22(3)). Outcome ``k`` of draw ``i`` happens when
    ``uniforms[i, k] < p[k]``; the uniforms are drawn with ``seed`` unless given, shape
    ``(draws, len(p))``."""
    p = np.asarray(p, dtype=float)
    n = len(p)
    if uniforms is None:
        uniforms = np.random.default_rng(seed).random((draws, n))
    happened = np.asarray(uniforms) < p[None, :]
    if n == 0:
        return np.full(len(happened), np.nan)
    index = np.minimum((p * bins).astype(int), bins - 1)
    sum_p = np.bincount(index, weights=p, minlength=bins)
    # Per draw and bin, the outcomes that happened: one bincount over (draw, bin) cells.
    cells = index[None, :] + bins * np.arange(len(happened))[:, None]
    sum_y = np.bincount(cells[happened], minlength=bins * len(happened)).reshape(-1, bins)
    # Σ_b count_b · |mean p_b − mean y_b| / n, as in expected_calibration_error.
    return np.abs(sum_p[None, :] - sum_y).sum(axis=1) / n


def ece_noise_quantile(
    p: np.ndarray, q: float = 0.9, draws: int = 200, seed: int = 0, bins: int = 10
) -> float:
    """The ``q`` quantile of :func:`calibrated_ece_draws`: an ECE at or below it is within
    what chance gives a perfectly calibrated forecaster on these forecasts."""
    if len(p) == 0:
        return float("nan")
    return float(np.quantile(calibrated_ece_draws(p, draws, seed, bins), q))
