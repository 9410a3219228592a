"""Pre-match model: Elo ratings and venue → expected goals → score grid.

Each side's goals are Poisson (Maher 1982) with log-linear rates in the Elo difference, the
approach of Hvattum & Arntzen (2010, "Using ELO ratings for match result prediction in
association football", International Journal of Forecasting 26(3)) with goals instead of an
ordered outcome:

    log λ_home = α + β·x + γ_home·h
    log λ_away = α − β·x + γ_away·h

where ``x = (elo_home − elo_away) / 400`` and ``h = 1`` when the home side plays at home (0 on
neutral ground). The parameters are fitted by maximum likelihood (scipy L-BFGS-B on the Poisson
log-likelihood) on matches of a training window, by default 1990–2009, so that evaluation on
2010 onwards is out of sample. Optionally the Dixon–Coles low-score dependence ρ is fitted too.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy.special import gammaln

from heartbreak.model.grid import ScoreGrid
from heartbreak.model.optimize import fit_maximum_likelihood

DEFAULT_TRAIN_START = "1990-01-01"
DEFAULT_TRAIN_END = "2010-01-01"  # exclusive


@dataclass(frozen=True)
class GoalModelParams:
    """Coefficients of the log-linear goal rates (see module docstring)."""

    intercept: float = 0.15
    rating_slope: float = 1.0
    home_attack: float = 0.2
    home_defence: float = -0.1
    rho: float = 0.0

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


def expected_goals(
    elo_home: np.ndarray | float,
    elo_away: np.ndarray | float,
    neutral: np.ndarray | bool,
    params: GoalModelParams,
) -> tuple[np.ndarray, np.ndarray]:
    """Expected regulation goals (λ_home, λ_away) from ratings and venue."""
    x = (np.asarray(elo_home, dtype=float) - np.asarray(elo_away, dtype=float)) / 400.0
    h = 1.0 - np.asarray(neutral, dtype=float)
    lam_h = np.exp(params.intercept + params.rating_slope * x + params.home_attack * h)
    lam_a = np.exp(params.intercept - params.rating_slope * x + params.home_defence * h)
    return lam_h, lam_a


def _negative_log_likelihood(
    theta: np.ndarray, x: np.ndarray, h: np.ndarray, gh: np.ndarray, ga: np.ndarray
) -> tuple[float, np.ndarray]:
    a, b, ch, ca = theta
    eta_h = a + b * x + ch * h
    eta_a = a - b * x + ca * h
    lam_h, lam_a = np.exp(eta_h), np.exp(eta_a)
    nll = np.sum(lam_h - gh * eta_h + gammaln(gh + 1)) + np.sum(
        lam_a - ga * eta_a + gammaln(ga + 1)
    )
    rh, ra = lam_h - gh, lam_a - ga
    grad = np.array(
        [rh.sum() + ra.sum(), (rh * x).sum() - (ra * x).sum(), (rh * h).sum(), (ra * h).sum()]
    )
    return float(nll), grad


#: The smallest τ taken, so that an impossible low score costs a large but finite penalty.
_TAU_FLOOR = 1e-10


def _dixon_coles_log_tau(
    lam_h: np.ndarray, lam_a: np.ndarray, gh: np.ndarray, ga: np.ndarray, rho: float
) -> np.ndarray:
    """log τ of Dixon & Coles (1997) for each observed score (0 outside the four low cells)."""
    tau = np.ones_like(lam_h)
    tau = np.where((gh == 0) & (ga == 0), 1.0 - lam_h * lam_a * rho, tau)
    tau = np.where((gh == 0) & (ga == 1), 1.0 + lam_h * rho, tau)
    tau = np.where((gh == 1) & (ga == 0), 1.0 + lam_a * rho, tau)
    tau = np.where((gh == 1) & (ga == 1), 1.0 - rho, tau)
    return np.log(np.maximum(tau, _TAU_FLOOR))


def _dixon_coles_negative_log_likelihood(
    params: np.ndarray,
    x: np.ndarray,
    h: np.ndarray,
    gh: np.ndarray,
    ga: np.ndarray,
    const: float,
) -> tuple[float, np.ndarray]:
    """The Dixon & Coles (1997) negative log-likelihood of (a, b, c_home, c_away, ρ) and its
    exact gradient: the Poisson terms plus −log τ of the four low-score cells, where
    ∂log τ/∂η = ∂τ/∂λ · λ / τ for each side's log-rate η."""
    a, b, ch, ca, rho = params
    eta_h, eta_a = a + b * x + ch * h, a - b * x + ca * h
    lam_h, lam_a = np.exp(eta_h), np.exp(eta_a)
    log_tau = _dixon_coles_log_tau(lam_h, lam_a, gh, ga, rho)
    nll = np.sum(lam_h - gh * eta_h) + np.sum(lam_a - ga * eta_a) + const - log_tau.sum()
    # Where τ is floored (a low score the rates make all but impossible) it is flat in the
    # parameters; elsewhere divide by it.
    inv_tau = np.where(log_tau > np.log(_TAU_FLOOR), np.exp(-log_tau), 0.0)
    low00, low01 = (gh == 0) & (ga == 0), (gh == 0) & (ga == 1)
    low10, low11 = (gh == 1) & (ga == 0), (gh == 1) & (ga == 1)
    both = lam_h * lam_a
    # ∂log τ/∂η_home, ∂log τ/∂η_away and ∂log τ/∂ρ, cell by cell.
    d_home = np.where(low00, -both * rho, 0.0) + np.where(low01, lam_h * rho, 0.0)
    d_away = np.where(low00, -both * rho, 0.0) + np.where(low10, lam_a * rho, 0.0)
    d_rho = (
        np.where(low00, -both, 0.0)
        + np.where(low01, lam_h, 0.0)
        + np.where(low10, lam_a, 0.0)
        + np.where(low11, -1.0, 0.0)
    )
    g_home = lam_h - gh - d_home * inv_tau
    g_away = lam_a - ga - d_away * inv_tau
    grad = np.array(
        [
            g_home.sum() + g_away.sum(),
            (g_home * x).sum() - (g_away * x).sum(),
            (g_home * h).sum(),
            (g_away * h).sum(),
            -(d_rho * inv_tau).sum(),
        ]
    )
    return float(nll), grad


class PrematchModel:
    """Fit the goal model on rated matches; predict score grids (scikit-learn style).

    ``fit(matches)`` needs columns ``date, elo_home, elo_away, neutral, home_score, away_score``
    and uses the rows with ``train_start <= date < train_end``. With ``dixon_coles`` the low-score
    dependence ρ of Dixon & Coles (1997, JRSS C 46(2)) is fitted jointly with the rates (by
    maximum likelihood, starting from the independent Poisson fit). Learned: ``params_``,
    ``n_train_``.
    """

    def __init__(
        self,
        train_start: str = DEFAULT_TRAIN_START,
        train_end: str = DEFAULT_TRAIN_END,
        dixon_coles: bool = False,
    ) -> None:
        self.train_start = train_start
        self.train_end = train_end
        self.dixon_coles = dixon_coles

    @classmethod
    def from_params(cls, params: GoalModelParams, **settings) -> PrematchModel:
        """A model with known coefficients (e.g. from the packaged parameter file)."""
        model = cls(**settings)
        model.params_ = params
        model.n_train_ = 0
        return model

    def fit(self, matches: pd.DataFrame) -> PrematchModel:
        dates = pd.to_datetime(matches["date"])
        rows = matches[(dates >= self.train_start) & (dates < self.train_end)]
        x = ((rows["elo_home"] - rows["elo_away"]) / 400.0).to_numpy(dtype=float)
        h = 1.0 - rows["neutral"].to_numpy(dtype=float)
        gh = rows["home_score"].to_numpy(dtype=float)
        ga = rows["away_score"].to_numpy(dtype=float)
        start = np.array([0.1, 1.0, 0.2, -0.1])
        theta = fit_maximum_likelihood(_negative_log_likelihood, start, (x, h, gh, ga))
        rho = 0.0
        if self.dixon_coles:
            const = gammaln(gh + 1).sum() + gammaln(ga + 1).sum()

            joint = fit_maximum_likelihood(
                _dixon_coles_negative_log_likelihood,
                np.append(theta, 0.0),
                (x, h, gh, ga, const),
                bounds=[(None, None)] * 4 + [(-0.5, 0.5)],
            )
            theta, rho = joint[:4], float(joint[4])
        a, b, ch, ca = theta
        self.params_ = GoalModelParams(
            intercept=float(a),
            rating_slope=float(b),
            home_attack=float(ch),
            home_defence=float(ca),
            rho=rho,
        )
        self.n_train_ = len(rows)
        return self

    def expected_goals(self, elo_home, elo_away, neutral) -> tuple[np.ndarray, np.ndarray]:
        return expected_goals(elo_home, elo_away, neutral, self.params_)

    def rates(self, matches: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Pre-match expected goals (λ_home, λ_away) of rows with the store's ``matches``
        columns: the goal model's (the stored ``xg_home``, ``xg_away``,
        :mod:`heartbreak.model.strengths`) where the rows have them, else this Elo model's."""
        if "xg_home" in matches and matches["xg_home"].notna().all():
            return matches["xg_home"].to_numpy(float), matches["xg_away"].to_numpy(float)
        return self.expected_goals(matches["elo_home"], matches["elo_away"], matches["neutral"])

    def grid(self, elo_home, elo_away, neutral) -> ScoreGrid:
        lam_h, lam_a = self.expected_goals(elo_home, elo_away, neutral)
        return ScoreGrid.from_rates(lam_h, lam_a, rho=self.params_.rho)
