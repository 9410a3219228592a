"""The grid's size and the stoppage model's Gamma tail, computed from scipy.special, are exactly
what scipy.stats computes (the model avoids importing scipy.stats: it costs a second)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import gamma, poisson

from heartbreak.model.grid import TAIL, grid_size
from heartbreak.model.inplay import _gamma_logsf


def test_grid_size_is_the_poisson_isf_on_a_fine_sweep():
    rates = np.concatenate([np.geomspace(1e-9, 60.0, 5_000), np.linspace(0.0, 20.0, 4_001)])
    for rate in rates:
        assert grid_size(rate) == int(max(poisson.isf(TAIL, max(rate, 1e-9)), 1)) + 2, rate


@settings(max_examples=100)
@given(
    st.lists(st.floats(1.0, 40.0), min_size=1, max_size=50),
    st.lists(st.floats(0.0, 80.0), min_size=1, max_size=50),
)
def test_the_gamma_tail_is_scipy_stats_bit_for_bit(shapes, xs):
    n = min(len(shapes), len(xs))
    shape, x = np.array(shapes[:n]), np.array(xs[:n])
    with np.errstate(all="ignore"):
        want = gamma.logsf(x, shape)
        got = _gamma_logsf(x, shape)
    assert np.array_equal(got, want, equal_nan=True)
