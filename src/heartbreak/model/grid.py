"""One score-grid object from which every probability is derived.

A :class:`ScoreGrid` describes, for a batch of ``n`` match states, the joint distribution of the
goals still to come and the current score. Win, draw, loss, exact scores, totals and the chance
to advance in a knockout all come from it, so they are consistent by construction (the design of
penaltyblog's ``FootballProbabilityGrid``).

Goals to come are independent Poisson counts (Maher 1982, "Modelling association football
scores", Statistica Neerlandica 36(3)), so the grid ``remaining[n, i, j] = P(home scores i more,
away scores j more)`` is the outer product of two marginal pmfs. The object keeps the marginals
and forms the (n, G, G) grid only when asked: outcome probabilities need O(G) work per state,

    P(home ahead at the end) = Σ_i P(H = i) · P(A ≤ i + d − 1),
    P(level at the end)      = Σ_i P(H = i) · P(A = i + d),

with ``d`` the current goal difference, which is what lets millions of states be evaluated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy.special import pdtr, pdtrik

# Goals beyond this tail probability are not represented; each marginal is renormalised so that
# it sums to exactly 1 (the mass lost is below 1e-13 per side).
TAIL = 1e-13


def grid_size(max_rate: float) -> int:
    """The number of goal counts (0..G-1) needed so that the Poisson tail is below ``TAIL``."""
    # scipy.stats.poisson.isf(TAIL, rate), which is its ppf at 1 − TAIL, from scipy.special
    # (scipy.stats costs a second to import): the smallest k with P(N ≤ k) ≥ 1 − TAIL.
    rate, level = max(max_rate, 1e-9), 1.0 - TAIL
    above = math.ceil(pdtrik(level, rate))
    below = max(above - 1, 0)
    return max(below if pdtr(below, rate) >= level else above, 1) + 2


def poisson_pmf_table(rate: np.ndarray, size: int) -> np.ndarray:
    """P(N = k) for k = 0..size−1 and each rate, renormalised to sum to 1.

    Built by the recurrence p(k) = p(k−1)·λ/k from p(0) = e^−λ: a handful of vector products,
    much cheaper than evaluating the pmf cell by cell.
    """
    rate = np.asarray(rate, dtype=float)
    steps = np.empty((len(rate), size))
    steps[:, 0] = np.exp(-rate)
    if size > 1:
        steps[:, 1:] = rate[:, None] / np.arange(1, size)[None, :]
    table = np.cumprod(steps, axis=1)
    return table / table.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class ScoreGrid:
    """Joint distribution of final scores for a batch of states.

    ``home_pmf``, ``away_pmf``: (n, G) distributions of each side's goals still to come.
    ``home_goals``, ``away_goals``: (n,) goals already scored.
    ``rho``: (n,) Dixon–Coles dependence of the goals to come (0: independent). Dixon & Coles
    (1997, "Modelling association football scores and inefficiencies in the football betting
    market", JRSS C 46(2)) multiply the four low-score cells by τ: τ(0,0) = 1 − λμρ,
    τ(0,1) = 1 + λρ, τ(1,0) = 1 + μρ, τ(1,1) = 1 − ρ, which moves mass between them and leaves
    every other cell and the total unchanged; a negative ρ adds draws. ρ is clipped per state to
    the range that keeps every cell non-negative, max(−1/λ, −1/μ) ≤ ρ ≤ min(1/(λμ), 1).
    """

    home_pmf: np.ndarray
    away_pmf: np.ndarray
    home_goals: np.ndarray
    away_goals: np.ndarray
    rho: np.ndarray | None = None

    @classmethod
    def from_rates(
        cls,
        home_rate: np.ndarray | float,
        away_rate: np.ndarray | float,
        home_goals: np.ndarray | int = 0,
        away_goals: np.ndarray | int = 0,
        size: int | None = None,
        rho: np.ndarray | float = 0.0,
    ) -> ScoreGrid:
        """Poisson goals to come with expected counts ``home_rate``, ``away_rate`` and
        Dixon–Coles dependence ``rho``."""
        lam_h = np.atleast_1d(np.asarray(home_rate, dtype=float))
        lam_a = np.atleast_1d(np.asarray(away_rate, dtype=float))
        lam_h, lam_a = np.broadcast_arrays(lam_h, lam_a)
        g = size or grid_size(float(max(lam_h.max(initial=0.0), lam_a.max(initial=0.0))))
        n = len(lam_h)
        return cls(
            home_pmf=poisson_pmf_table(lam_h, g),
            away_pmf=poisson_pmf_table(lam_a, g),
            home_goals=np.broadcast_to(np.asarray(home_goals, dtype=int), (n,)).copy(),
            away_goals=np.broadcast_to(np.asarray(away_goals, dtype=int), (n,)).copy(),
            rho=np.broadcast_to(np.asarray(rho, dtype=float), (n,)).copy(),
        )

    def __len__(self) -> int:
        return self.home_pmf.shape[0]

    def __getitem__(self, index: int | slice) -> ScoreGrid:
        """A sub-batch (an integer gives a batch of one)."""
        sl = slice(index, index + 1) if isinstance(index, int | np.integer) else index
        return ScoreGrid(
            self.home_pmf[sl],
            self.away_pmf[sl],
            self.home_goals[sl],
            self.away_goals[sl],
            None if self.rho is None else self.rho[sl],
        )

    @cached_property
    def _low_score_corrections(self) -> dict[tuple[int, int], np.ndarray] | None:
        """Dixon–Coles changes to the cells (0,0), (0,1), (1,0), (1,1); None if independent."""
        if self.rho is None or not np.any(self.rho) or self.size < 2:
            return None
        ph, pa = self.home_pmf, self.away_pmf
        lam = np.divide(ph[:, 1], ph[:, 0], out=np.zeros(len(self)), where=ph[:, 0] > 0)
        mu = np.divide(pa[:, 1], pa[:, 0], out=np.zeros(len(self)), where=pa[:, 0] > 0)
        with np.errstate(divide="ignore"):
            low = np.maximum(-1.0 / np.maximum(lam, 1e-12), -1.0 / np.maximum(mu, 1e-12))
            high = np.minimum(1.0 / np.maximum(lam * mu, 1e-12), 1.0)
        rho = np.clip(self.rho, low, high)
        return {
            (0, 0): -lam * mu * rho * ph[:, 0] * pa[:, 0],
            (0, 1): lam * rho * ph[:, 0] * pa[:, 1],
            (1, 0): mu * rho * ph[:, 1] * pa[:, 0],
            (1, 1): -rho * ph[:, 1] * pa[:, 1],
        }

    @property
    def size(self) -> int:
        return self.home_pmf.shape[1]

    @property
    def remaining(self) -> np.ndarray:
        """(n, G, G): P(home scores i more and away j more)."""
        grid = self.home_pmf[:, :, None] * self.away_pmf[:, None, :]
        for (i, j), delta in (self._low_score_corrections or {}).items():
            grid[:, i, j] += delta
        return grid

    def difference_pmf(self) -> tuple[np.ndarray, np.ndarray]:
        """P(remaining home − away goals = k): returns (k values, (n, 2G−1) probabilities)."""
        g = self.size
        i, j = np.indices((g, g))
        # One matrix product sums each diagonal i − j of every grid in the batch.
        onehot = np.zeros((g * g, 2 * g - 1))
        onehot[np.arange(g * g), (i - j).ravel() + g - 1] = 1.0
        pmf = self.remaining.reshape(len(self), g * g) @ onehot
        return np.arange(-(g - 1), g), pmf

    @cached_property
    def _away_cdf(self) -> np.ndarray:
        return np.cumsum(self.away_pmf, axis=1)

    def outcome_probabilities(
        self, extra_home: int = 0, extra_away: int = 0
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(P(home win), P(draw), P(away win)) of the final score, each of shape (n,).

        ``extra_home``/``extra_away``: as if that many more goals had just been scored, with the
        same goals to come (what a goal now would change; used for suspense).
        """
        g = self.size
        # j = i + d: the away count that would leave the match level after i more home goals.
        d = self.home_goals - self.away_goals + (extra_home - extra_away)
        j = np.arange(g)[None, :] + d[:, None]
        cdf = self._away_cdf
        below = np.take_along_axis(cdf, np.clip(j - 1, 0, g - 1), axis=1)
        below = np.where(j >= 1, below, 0.0)  # P(A ≤ j − 1) is 0 for j ≤ 0; clipping gives 1 above
        level = np.take_along_axis(self.away_pmf, np.clip(j, 0, g - 1), axis=1)
        level = np.where((j >= 0) & (j < g), level, 0.0)
        home = np.einsum("ij,ij->i", self.home_pmf, below)
        draw = np.einsum("ij,ij->i", self.home_pmf, level)
        for (i, k), delta in (self._low_score_corrections or {}).items():
            final = d + i - k
            home = home + np.where(final > 0, delta, 0.0)
            draw = draw + np.where(final == 0, delta, 0.0)
        home = np.clip(home, 0.0, 1.0)
        draw = np.clip(draw, 0.0, 1.0 - home)
        return home, draw, 1.0 - home - draw

    def p_home_advance(self, tie_home_advance: np.ndarray | float) -> np.ndarray:
        """P(home goes through) when a level final score leads to a tie-break won by the home side
        with probability ``tie_home_advance`` (extra time and shootout, or the shootout alone)."""
        home, draw, _ = self.outcome_probabilities()
        return home + draw * np.asarray(tie_home_advance, dtype=float)

    def score_probability(self, home: int, away: int) -> np.ndarray:
        """P(final score is exactly home–away), shape (n,)."""
        i = home - self.home_goals
        j = away - self.away_goals
        ok = (i >= 0) & (j >= 0) & (i < self.size) & (j < self.size)
        out = np.zeros(len(self))
        idx = np.nonzero(ok)[0]
        out[idx] = self.home_pmf[idx, i[idx]] * self.away_pmf[idx, j[idx]]
        for (ci, cj), delta in (self._low_score_corrections or {}).items():
            out += np.where((i == ci) & (j == cj), delta, 0.0)
        return out

    def expected_goals(self) -> tuple[np.ndarray, np.ndarray]:
        """Expected final goals of each side."""
        k = np.arange(self.size)
        eh = (self.home_pmf * k).sum(axis=1) + self.home_goals
        ea = (self.away_pmf * k).sum(axis=1) + self.away_goals
        corrections = self._low_score_corrections or {}
        for (i, j), delta in corrections.items():
            eh = eh + i * delta
            ea = ea + j * delta
        return eh, ea
