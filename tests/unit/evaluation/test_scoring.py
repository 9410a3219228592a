"""Known answers of the scoring rules in :mod:`heartbreak.evaluation.scoring`, each worked out by
hand in the comments: RPS (Constantinou & Fenton 2012's examples), log loss, Brier, ECE, the
reliability table and the outcome codes, with their edge cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from heartbreak.evaluation.scoring import (
    EPS,
    brier_score,
    expected_calibration_error,
    log_loss,
    outcome_code,
    ranked_probability_score,
    reliability_table,
)

HOME, DRAW, AWAY = 0, 1, 2


def rps(forecast, outcome) -> float:
    """The RPS of one forecast, through the array function (one row, one outcome)."""
    scores = ranked_probability_score(np.array([forecast]), np.array([outcome]))
    assert scores.shape == (1,)
    return float(scores[0])


# --- ranked probability score ---------------------------------------------------------------
#
# RPS = 1/(r-1) * sum over k < r of (cumulative forecast_k - cumulative observed_k)^2; for the
# three outcomes (home, draw, away) r - 1 = 2. A home win is observed as (1, 0, 0), whose
# cumulative is (1, 1).


@pytest.mark.parametrize(
    ("forecast", "expected"),
    [
        # Constantinou & Fenton (2012), Table 2: the observed result is a home win.
        # cumulative (1, 1):      ((1-1)^2 + (1-1)^2) / 2 = 0
        ((1.0, 0.0, 0.0), 0.0),
        # cumulative (0.9, 1):    ((0.1)^2 + 0^2) / 2 = 0.01 / 2 = 0.005
        ((0.9, 0.1, 0.0), 0.005),
        # cumulative (0.8, 0.9):  (0.2^2 + 0.1^2) / 2 = (0.04 + 0.01) / 2 = 0.025
        ((0.8, 0.1, 0.1), 0.025),
        # cumulative (0.5, 0.75): (0.5^2 + 0.25^2) / 2 = (0.25 + 0.0625) / 2 = 0.15625
        ((0.5, 0.25, 0.25), 0.15625),
        # cumulative (0.35, 0.65): (0.65^2 + 0.35^2) / 2 = (0.4225 + 0.1225) / 2 = 0.2725
        ((0.35, 0.3, 0.35), 0.2725),
        # cumulative (0.6, 0.9):  (0.4^2 + 0.1^2) / 2 = (0.16 + 0.01) / 2 = 0.085
        ((0.6, 0.3, 0.1), 0.085),
        # cumulative (0.6, 0.7):  (0.4^2 + 0.3^2) / 2 = (0.16 + 0.09) / 2 = 0.125
        ((0.6, 0.1, 0.3), 0.125),
        # all on the away win, cumulative (0, 0): (1^2 + 1^2) / 2 = 1, the worst score
        ((0.0, 0.0, 1.0), 1.0),
    ],
)
def test_rps_of_forecasts_of_a_home_win(forecast, expected):
    assert rps(forecast, HOME) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    ("forecast", "outcome", "expected"),
    [
        # A draw is observed as (0, 1, 0), cumulative (0, 1).
        # (0.6, 0.3, 0.1): cumulative (0.6, 0.9): (0.6^2 + 0.1^2) / 2 = (0.36 + 0.01) / 2 = 0.185
        ((0.6, 0.3, 0.1), DRAW, 0.185),
        # (0.1, 0.8, 0.1): cumulative (0.1, 0.9): (0.01 + 0.01) / 2 = 0.01
        ((0.1, 0.8, 0.1), DRAW, 0.01),
        # An away win is observed as (0, 0, 1), cumulative (0, 0).
        # (0.6, 0.3, 0.1): cumulative (0.6, 0.9): (0.36 + 0.81) / 2 = 0.585
        ((0.6, 0.3, 0.1), AWAY, 0.585),
        # (1, 0, 0): cumulative (1, 1): (1 + 1) / 2 = 1
        ((1.0, 0.0, 0.0), AWAY, 1.0),
        # (0, 0, 1): a certain, right forecast
        ((0.0, 0.0, 1.0), AWAY, 0.0),
    ],
)
def test_rps_of_draws_and_away_wins(forecast, outcome, expected):
    assert rps(forecast, outcome) == pytest.approx(expected, abs=1e-12)


def test_rps_rewards_the_nearer_wrong_outcome():
    """The ordering is what RPS adds to the Brier score: for a home win, the forecast that put
    its wrong half on the draw beats the one that put it on the away win."""
    # (0.5, 0.5, 0): cumulative (0.5, 1):   (0.25 + 0) / 2 = 0.125
    # (0.5, 0, 0.5): cumulative (0.5, 0.5): (0.25 + 0.25) / 2 = 0.25
    assert rps((0.5, 0.5, 0.0), HOME) == pytest.approx(0.125)
    assert rps((0.5, 0.0, 0.5), HOME) == pytest.approx(0.25)


def test_rps_of_many_forecasts_is_one_score_each_in_order():
    probs = np.array([[1.0, 0.0, 0.0], [0.9, 0.1, 0.0], [0.8, 0.1, 0.1], [0.6, 0.3, 0.1]])
    outcome = np.array([HOME, HOME, HOME, AWAY])
    scores = ranked_probability_score(probs, outcome)
    assert scores.shape == (4,)
    np.testing.assert_allclose(scores, [0.0, 0.005, 0.025, 0.585], atol=1e-12)
    # plain lists do as well as arrays
    np.testing.assert_allclose(
        ranked_probability_score(probs.tolist(), outcome.tolist()), scores, atol=1e-15
    )


def test_rps_of_no_forecasts_is_empty():
    scores = ranked_probability_score(np.empty((0, 3)), np.empty(0, dtype=int))
    assert scores.shape == (0,)


def test_rps_normalises_by_the_number_of_outcomes_less_one():
    # Two outcomes: 1/(2-1) (p - o)^2, the Brier score. p = 0.7 for what happened: 0.3^2 = 0.09.
    assert rps((0.7, 0.3), 0) == pytest.approx(0.09)
    assert rps((0.7, 0.3), 0) == pytest.approx(float(brier_score(0.7, 1)))
    # Five outcomes, uniform forecast, the middle one observed: cumulative forecast
    # (0.2, 0.4, 0.6, 0.8) against (0, 0, 1, 1):
    # (0.04 + 0.16 + 0.16 + 0.04) / 4 = 0.4 / 4 = 0.1
    assert rps((0.2, 0.2, 0.2, 0.2, 0.2), 2) == pytest.approx(0.1)


def test_rps_does_not_check_that_a_forecast_sums_to_one():
    """Rows are taken as given: (0.5, 0.5, 0.5) for a home win has differences
    (-0.5, 0.5, 0.5), cumulative (-0.5, 0), so (0.25 + 0) / 2 = 0.125."""
    assert rps((0.5, 0.5, 0.5), HOME) == pytest.approx(0.125)


def test_rps_needs_one_row_per_forecast():
    """A single forecast is a one-row matrix; a flat vector is not one."""
    with pytest.raises((IndexError, ValueError)):
        ranked_probability_score(np.array([0.5, 0.25, 0.25]), np.array([HOME]))


# --- log loss -------------------------------------------------------------------------------


def test_log_loss_is_minus_the_log_of_the_observed_outcomes_probability():
    probs = np.array([[0.5, 0.25, 0.25], [0.5, 0.25, 0.25], [0.2, 0.3, 0.5], [1.0, 0.0, 0.0]])
    outcome = np.array([HOME, DRAW, AWAY, HOME])
    np.testing.assert_allclose(
        log_loss(probs, outcome),
        [
            math.log(2),  # -ln 0.5  = 0.693147...
            math.log(4),  # -ln 0.25 = 1.386294...
            math.log(2),  # -ln 0.5
            0.0,  # -ln 1 = 0: a certain, right forecast costs nothing
        ],
        rtol=1e-12,
    )
    assert log_loss(probs, outcome)[1] == pytest.approx(1.3862943611198906)


def test_log_loss_of_a_probability_of_zero_is_clipped_not_infinite():
    # p = 0 is clipped to EPS = 1e-15: -ln(1e-15) = 15 ln 10 = 34.538776...
    assert EPS == 1e-15
    loss = log_loss(np.array([[0.0, 0.0, 1.0]]), np.array([HOME]))
    assert np.isfinite(loss).all()
    assert loss[0] == pytest.approx(15 * math.log(10))
    assert loss[0] == pytest.approx(34.538776394910684)


def test_log_loss_clips_out_of_range_probabilities():
    # Below zero counts as EPS, above one as one.
    loss = log_loss(np.array([[-0.1, 0.6, 0.5], [1.2, -0.1, -0.1]]), np.array([HOME, HOME]))
    np.testing.assert_allclose(loss, [15 * math.log(10), 0.0], atol=1e-12)


# --- Brier score ----------------------------------------------------------------------------


def test_brier_score_of_a_binary_event():
    # (p - y)^2: (0.7 - 1)^2 = 0.09, (0.7 - 0)^2 = 0.49, (0.5 - 1)^2 = 0.25, (1 - 1)^2 = 0,
    # (0 - 1)^2 = 1
    p = np.array([0.7, 0.7, 0.5, 1.0, 0.0])
    happened = np.array([True, False, True, True, True])
    np.testing.assert_allclose(brier_score(p, happened), [0.09, 0.49, 0.25, 0.0, 1.0], atol=1e-12)


def test_brier_score_of_a_single_forecast_and_of_lists():
    assert float(brier_score(0.8, 0)) == pytest.approx(0.64)
    np.testing.assert_allclose(brier_score([0.1, 0.9], [0, 1]), [0.01, 0.01], atol=1e-12)


# --- expected calibration error -------------------------------------------------------------


def test_ece_known_answer_with_ten_bins():
    # Bins of width 0.1:
    #   [0.0, 0.1): 0.05, observed 0        -> |0.05 - 0|   = 0.05, one forecast
    #   [0.1, 0.2): 0.15, 0.15, observed 1/2 -> |0.15 - 0.5| = 0.35, two forecasts
    #   [0.9, 1.0]: 0.95, observed 1        -> |0.95 - 1|   = 0.05, one forecast
    # ECE = (1 * 0.05 + 2 * 0.35 + 1 * 0.05) / 4 = 0.8 / 4 = 0.2
    p = np.array([0.05, 0.15, 0.15, 0.95])
    y = np.array([0, 1, 0, 1])
    assert expected_calibration_error(p, y) == pytest.approx(0.2)


def test_ece_with_two_bins():
    # [0, 0.5): 0.2, 0.4, mean 0.3, observed 1/2 -> 0.2, two forecasts
    # [0.5, 1]: 0.6, 0.8, mean 0.7, observed 2/2 -> 0.3, two forecasts
    # ECE = (2 * 0.2 + 2 * 0.3) / 4 = 0.25
    p = np.array([0.2, 0.4, 0.6, 0.8])
    y = np.array([0, 1, 1, 1])
    assert expected_calibration_error(p, y, bins=2) == pytest.approx(0.25)


def test_ece_of_a_calibrated_forecaster_is_zero():
    # Four forecasts of 0.25 in one bin, one in four happened: |0.25 - 0.25| = 0.
    assert expected_calibration_error(np.full(4, 0.25), np.array([1, 0, 0, 0])) == 0.0


def test_ece_puts_a_certain_forecast_in_the_last_bin_and_a_bin_edge_in_the_upper_bin():
    # p = 1 would be bin 10 of 0..9: it joins bin 9 with 0.95, mean 0.975, observed 1:
    # |0.975 - 1| = 0.025, two forecasts of two: ECE = 0.025.
    assert expected_calibration_error(np.array([1.0, 0.95]), np.array([1, 1])) == pytest.approx(
        0.025
    )
    # With two bins, 0.5 starts the upper bin: 0.5 and 0.9 together, mean 0.7, observed 1/2:
    # |0.7 - 0.5| = 0.2 (were 0.5 in the lower bin, it would be (0.5 + 0.1) / 2 = 0.3).
    assert expected_calibration_error(
        np.array([0.5, 0.9]), np.array([0, 1]), bins=2
    ) == pytest.approx(0.2)


def test_ece_of_no_forecasts_is_nan():
    assert math.isnan(expected_calibration_error(np.array([]), np.array([])))


# --- reliability table ----------------------------------------------------------------------


def test_reliability_table_rows_per_bin():
    p = np.array([0.05, 0.15, 0.15, 0.95])
    y = np.array([0, 1, 0, 1])
    table = reliability_table(p, y)
    assert table.shape == (10, 3)
    np.testing.assert_allclose(table[0], [0.05, 0.0, 1.0])
    np.testing.assert_allclose(table[1], [0.15, 0.5, 2.0])
    np.testing.assert_allclose(table[9], [0.95, 1.0, 1.0])
    # Empty bins: no mean forecast, no frequency, a count of zero.
    assert np.isnan(table[2:9, :2]).all()
    assert (table[2:9, 2] == 0).all()


def test_reliability_table_adds_up_to_the_ece():
    p = np.array([0.05, 0.15, 0.15, 0.95])
    y = np.array([0, 1, 0, 1])
    table = reliability_table(p, y)
    used = table[:, 2] > 0
    weighted = (np.abs(table[used, 0] - table[used, 1]) * table[used, 2]).sum() / len(p)
    assert weighted == pytest.approx(expected_calibration_error(p, y))
    assert table[:, 2].sum() == len(p)


def test_reliability_table_with_two_bins():
    table = reliability_table(np.array([0.2, 0.4, 0.6, 0.8]), np.array([0, 1, 1, 1]), bins=2)
    np.testing.assert_allclose(table, [[0.3, 0.5, 2.0], [0.7, 1.0, 2.0]])


# --- outcome codes --------------------------------------------------------------------------


def test_outcome_code_home_draw_away():
    codes = outcome_code(np.array([2, 1, 0, 0, 3]), np.array([1, 1, 3, 0, 3]))
    assert codes.tolist() == [HOME, DRAW, AWAY, DRAW, DRAW]


def test_outcome_codes_are_the_scoring_rules_columns():
    """Scored with its own outcome codes, a certain forecast of the real result costs nothing."""
    home_goals, away_goals = np.array([3, 1, 0]), np.array([2, 1, 1])
    outcome = outcome_code(home_goals, away_goals)
    certain = np.eye(3)[[0, 1, 2]]
    np.testing.assert_allclose(ranked_probability_score(certain, outcome), 0.0)
    np.testing.assert_allclose(log_loss(certain, outcome), 0.0)
