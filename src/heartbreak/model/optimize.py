"""Maximum-likelihood fits that land on the same optimum whatever the numpy/scipy/BLAS build.

L-BFGS-B alone stops where its tolerances say the gain is small, which leaves the coefficients
~1e-7 apart between library builds. Polishing its answer with a few Newton steps on the exact
gradient (the Hessian by central differences of that gradient; Nocedal & Wright, *Numerical
Optimization*, 2nd ed., §3.3 and §8.1) drives the gradient to rounding level, so a refit
reproduces the packaged parameters to ~1e-15.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

#: A negative log-likelihood returning (value, gradient).
Objective = Callable[..., tuple[float, np.ndarray]]


def newton_polish(
    objective: Objective,
    start: np.ndarray,
    args: Sequence = (),
    steps: int = 8,
    step: float = 1e-6,
) -> np.ndarray:
    """Newton steps from ``start`` (near an interior optimum) until the step is below 1e-15."""
    x = np.asarray(start, dtype=float).copy()
    n = len(x)
    for _ in range(steps):
        gradient = objective(x, *args)[1]
        hessian = np.empty((n, n))
        for j in range(n):
            e = np.zeros(n)
            e[j] = step
            hessian[:, j] = (objective(x + e, *args)[1] - objective(x - e, *args)[1]) / (2 * step)
        move = np.linalg.solve((hessian + hessian.T) / 2, gradient)
        x = x - move
        if np.abs(move).max() < 1e-15:
            break
    return x


def fit_maximum_likelihood(
    objective: Objective,
    start: np.ndarray,
    args: Sequence = (),
    bounds: Sequence[tuple[float | None, float | None]] | None = None,
) -> np.ndarray:
    """The minimiser of ``objective``: L-BFGS-B with the exact gradient, then Newton-polished
    (kept only when it stays within ``bounds`` and does not raise the objective)."""
    from scipy.optimize import minimize  # only fits need it: it is slow to import

    result = minimize(
        objective, start, args=tuple(args), jac=True, method="L-BFGS-B", bounds=bounds
    )
    if not result.success:  # pragma: no cover - the likelihoods fitted here are smooth
        raise RuntimeError(f"maximum-likelihood fit failed: {result.message}")
    polished = newton_polish(objective, result.x, args)
    inside = bounds is None or all(
        (lo is None or v >= lo) and (hi is None or v <= hi)
        for v, (lo, hi) in zip(polished, bounds, strict=True)
    )
    no_worse = objective(polished, *args)[0] <= result.fun + 1e-9 * max(1.0, abs(result.fun))
    return polished if inside and np.isfinite(polished).all() and no_worse else result.x
