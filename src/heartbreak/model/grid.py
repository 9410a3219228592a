"""One score-grid object from which every probability is derived.

A :class:`ScoreGrid` holds, for a batch of ``n`` match states, the joint distribution of the
goals still to come, ``remaining[n, i, j] = P(home scores i more, away scores j more)``, and the
current score. Win, draw, loss, exact scores, totals and the chance to advance in a knockout all
come from it, so they are consistent by construction (the design of penaltyblog's
``FootballProbabilityGrid``). Independent Poisson remaining goals give the grid as an outer
product of two Poisson pmfs (Maher 1982, "Modelling association football scores", Statistica
Neerlandica 36(3)).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import poisson

# Goals beyond this tail probability are not represented; the grid is renormalised so that it
# sums to exactly 1 (the mass lost is below 1e-12 per state).
TAIL = 1e-13


def grid_size(max_rate: float) -> int:
    """The number of goal counts (0..G-1) needed so that the Poisson tail is below ``TAIL``."""
    return int(max(poisson.isf(TAIL, max(max_rate, 1e-9)), 1)) + 2


@dataclass(frozen=True)
class ScoreGrid:
    """Joint distribution of final scores for a batch of states.

    ``remaining``: (n, G, G) probabilities of further goals (home i, away j); each slice sums to 1.
    ``home_goals``, ``away_goals``: (n,) goals already scored.
    """

    remaining: np.ndarray
    home_goals: np.ndarray
    away_goals: np.ndarray

    @classmethod
    def from_rates(
        cls,
        home_rate: np.ndarray | float,
        away_rate: np.ndarray | float,
        home_goals: np.ndarray | int = 0,
        away_goals: np.ndarray | int = 0,
        size: int | None = None,
    ) -> ScoreGrid:
        """Independent Poisson goals to come with expected counts ``home_rate``, ``away_rate``."""
        lam_h = np.atleast_1d(np.asarray(home_rate, dtype=float))
        lam_a = np.atleast_1d(np.asarray(away_rate, dtype=float))
        lam_h, lam_a = np.broadcast_arrays(lam_h, lam_a)
        g = size or grid_size(float(max(lam_h.max(initial=0.0), lam_a.max(initial=0.0))))
        k = np.arange(g)
        ph = poisson.pmf(k[None, :], lam_h[:, None])
        pa = poisson.pmf(k[None, :], lam_a[:, None])
        ph /= ph.sum(axis=1, keepdims=True)
        pa /= pa.sum(axis=1, keepdims=True)
        remaining = ph[:, :, None] * pa[:, None, :]
        n = len(lam_h)
        return cls(
            remaining=remaining,
            home_goals=np.broadcast_to(np.asarray(home_goals, dtype=int), (n,)).copy(),
            away_goals=np.broadcast_to(np.asarray(away_goals, dtype=int), (n,)).copy(),
        )

    def __len__(self) -> int:
        return self.remaining.shape[0]

    @property
    def size(self) -> int:
        return self.remaining.shape[1]

    def difference_pmf(self) -> tuple[np.ndarray, np.ndarray]:
        """P(final home − away goal difference = k): returns (k values, (n, K) probabilities)."""
        g = self.size
        i, j = np.indices((g, g))
        # One matrix product sums each diagonal i − j of every grid in the batch.
        onehot = np.zeros((g * g, 2 * g - 1))
        onehot[np.arange(g * g), (i - j).ravel() + g - 1] = 1.0
        pmf = self.remaining.reshape(len(self), g * g) @ onehot
        offsets = np.arange(-(g - 1), g)
        return offsets, pmf

    def outcome_probabilities(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(P(home win), P(draw), P(away win)) of the final score, each of shape (n,)."""
        offsets, pmf = self.difference_pmf()
        final_diff = offsets[None, :] + (self.home_goals - self.away_goals)[:, None]
        home = np.where(final_diff > 0, pmf, 0.0).sum(axis=1)
        draw = np.where(final_diff == 0, pmf, 0.0).sum(axis=1)
        away = np.where(final_diff < 0, pmf, 0.0).sum(axis=1)
        total = home + draw + away
        return home / total, draw / total, away / total

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
        out[idx] = self.remaining[idx, i[idx], j[idx]]
        return out

    def expected_goals(self) -> tuple[np.ndarray, np.ndarray]:
        """Expected final goals of each side."""
        k = np.arange(self.size)
        eh = (self.remaining.sum(axis=2) * k).sum(axis=1) + self.home_goals
        ea = (self.remaining.sum(axis=1) * k).sum(axis=1) + self.away_goals
        return eh, ea
