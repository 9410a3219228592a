"""The pure pieces of the side-by-side pre-match bench (:mod:`heartbreak.evaluation.peers`):
edition grouping by the gap rule, 90-minute scores for fitting, the paired cluster bootstrap and
the score table. Known answers worked out by hand, and properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heartbreak.data.brackets import EDITION_GAP_DAYS
from heartbreak.evaluation.peers import (
    Interval,
    edition_starts,
    paired_cluster_bootstrap,
    regulation_scores,
    score_table,
)
from heartbreak.evaluation.prematch import elo_draw_rate_forecast, uniform_forecast

# --- editions ---------------------------------------------------------------------------------


def starts(rows: list[tuple[str, str]]) -> list[str]:
    frame = pd.DataFrame(rows, columns=["competition", "date"])
    out = edition_starts(frame["competition"], pd.to_datetime(frame["date"]))
    return [d.date().isoformat() for d in out]


def test_a_gap_longer_than_the_rule_starts_a_new_edition():
    rows = [
        ("Euro", "2016-06-10"),
        ("Euro", "2016-07-10"),
        ("Euro", "2021-06-11"),
        ("Euro", "2021-07-11"),
    ]
    assert starts(rows) == ["2016-06-10", "2016-06-10", "2021-06-11", "2021-06-11"]


def test_the_gap_rule_is_more_than_the_gap_days():
    day = pd.Timestamp("2020-01-01")
    at = (day + pd.Timedelta(days=EDITION_GAP_DAYS)).date().isoformat()
    beyond = (day + pd.Timedelta(days=EDITION_GAP_DAYS + 1)).date().isoformat()
    assert starts([("Cup", "2020-01-01"), ("Cup", at)]) == ["2020-01-01", "2020-01-01"]
    assert starts([("Cup", "2020-01-01"), ("Cup", beyond)]) == ["2020-01-01", beyond]


def test_competitions_are_grouped_apart_whatever_the_row_order():
    rows = [
        ("Gold Cup", "2019-06-15"),
        ("Copa", "2019-06-14"),
        ("Gold Cup", "2019-07-07"),
        ("Copa", "2019-07-07"),
        ("Gold Cup", "2019-06-20"),
    ]
    assert starts(rows) == [
        "2019-06-15",
        "2019-06-14",
        "2019-06-15",
        "2019-06-14",
        "2019-06-15",
    ]


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["A", "B"]), st.integers(0, 2_000)), min_size=1, max_size=40
    ),
    st.randoms(use_true_random=False),
)
def test_edition_starts_do_not_depend_on_the_row_order(rows, rng):
    base = pd.Timestamp("2000-01-01")
    dates = [base + pd.Timedelta(days=d) for _, d in rows]
    frame = pd.DataFrame({"competition": [c for c, _ in rows], "date": dates})
    expected = edition_starts(frame["competition"], frame["date"])
    order = list(frame.index)
    rng.shuffle(order)
    shuffled = frame.loc[order]
    got = edition_starts(shuffled["competition"], shuffled["date"])
    pd.testing.assert_series_equal(got.sort_index(), expected.sort_index())
    # Every start is a day of its own competition, on or before the match.
    assert (expected <= frame["date"]).all()


# --- 90-minute scores -------------------------------------------------------------------------


def test_regulation_scores_count_only_the_two_halves_of_a_match_with_extra_time():
    matches = pd.DataFrame(
        {
            "match_id": [1, 2, 3, 4],
            "home_score": [2, 3, 1, 2],
            "away_score": [1, 0, 1, 2],
            # 1: 2-1 after extra time, goals listed; 2: no extra time; 3: extra time, goal list
            # incomplete; 4: a shootout whose extra time is unknown.
            "extra_time": pd.array([True, False, True, pd.NA], dtype="boolean"),
            "timeline_complete": [True, True, False, False],
        }
    )
    goals = pd.DataFrame(
        {
            "match_id": [1, 1, 1, 3],
            "side": ["home", "away", "home", "home"],
            "period": ["first_half", "second_half", "extra_time_second_half", "first_half"],
        }
    )
    home, away, usable = regulation_scores(matches, goals)
    assert home.tolist() == [1, 3, 1, 2]
    assert away.tolist() == [1, 0, 1, 2]
    assert usable.tolist() == [True, True, False, True]


def test_regulation_scores_of_a_goalless_ninety_minutes():
    matches = pd.DataFrame(
        {
            "match_id": [7],
            "home_score": [1],
            "away_score": [0],
            "extra_time": pd.array([True], dtype="boolean"),
            "timeline_complete": [True],
        }
    )
    goals = pd.DataFrame({"match_id": [7], "side": ["home"], "period": ["extra_time_first_half"]})
    home, away, usable = regulation_scores(matches, goals)
    assert (home.tolist(), away.tolist(), usable.tolist()) == ([0], [0], [True])


# --- the paired cluster bootstrap -------------------------------------------------------------


def test_a_forecaster_against_itself_is_exactly_zero():
    rng = np.random.default_rng(1)
    scores = rng.random(200)
    clusters = rng.integers(0, 9, 200)
    assert paired_cluster_bootstrap(scores, scores, clusters) == Interval(0.0, 0.0, 0.0)


def test_a_constant_shift_gives_that_shift():
    # Multiples of 1/8 and a shift of 1/4: every sum is exact in binary floating point.
    reference = np.arange(60) % 8 / 8.0
    clusters = np.arange(60) % 7
    got = paired_cluster_bootstrap(reference + 0.25, reference, clusters)
    assert got == Interval(0.25, 0.25, 0.25)
    shifted = paired_cluster_bootstrap(reference - 0.1, reference, clusters)
    assert shifted.mean == pytest.approx(-0.1)
    assert shifted.low == pytest.approx(-0.1)
    assert shifted.high == pytest.approx(-0.1)


def test_known_answer_of_two_unequal_clusters():
    # Cluster a: two matches with difference 1; cluster b: one with 0. A resample of two
    # clusters is aa (mean 1, p = 1/4), bb (0, p = 1/4) or ab/ba (2/3, p = 1/2): its 2.5% and
    # 97.5% quantiles are 0 and 1; the point estimate is the per-match mean 2/3.
    got = paired_cluster_bootstrap(
        np.array([1.0, 1.0, 0.0]), np.zeros(3), np.array(["a", "a", "b"]), resamples=4_000
    )
    assert got.mean == pytest.approx(2 / 3)
    assert (got.low, got.high) == (0.0, 1.0)


def test_one_cluster_has_no_spread():
    got = paired_cluster_bootstrap(np.array([0.5, 0.0, 0.25]), np.zeros(3), np.zeros(3))
    assert got == Interval(0.25, 0.25, 0.25)


def test_the_bootstrap_is_seeded():
    rng = np.random.default_rng(2)
    scores, reference = rng.random(100), rng.random(100)
    clusters = rng.integers(0, 10, 100)
    first = paired_cluster_bootstrap(scores, reference, clusters, seed=5)
    assert paired_cluster_bootstrap(scores, reference, clusters, seed=5) == first
    assert paired_cluster_bootstrap(scores, reference, clusters, seed=6) != first


def test_the_bootstrap_refuses_arrays_of_different_lengths():
    with pytest.raises(ValueError, match="one length"):
        paired_cluster_bootstrap(np.zeros(3), np.zeros(3), np.zeros(2))


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 2), st.floats(0, 2), st.integers(0, 5)), min_size=1, max_size=60
    ),
    st.integers(0, 1_000),
)
def test_swapping_the_forecasters_mirrors_the_interval(rows, seed):
    a = np.array([r[0] for r in rows])
    b = np.array([r[1] for r in rows])
    clusters = np.array([r[2] for r in rows])
    forward = paired_cluster_bootstrap(a, b, clusters, resamples=200, seed=seed)
    back = paired_cluster_bootstrap(b, a, clusters, resamples=200, seed=seed)
    assert back.mean == pytest.approx(-forward.mean, abs=1e-12)
    assert back.low == pytest.approx(-forward.high, abs=1e-12)
    assert back.high == pytest.approx(-forward.low, abs=1e-12)
    # A percentile interval lies within the range of the cluster means.
    per_cluster = pd.Series(a - b).groupby(clusters).mean()
    assert per_cluster.min() - 1e-12 <= forward.low <= forward.high
    assert forward.high <= per_cluster.max() + 1e-12


# --- the score table --------------------------------------------------------------------------


def test_score_table_scores_every_forecaster_against_the_reference():
    outcome = np.array([0, 1, 2, 0])
    sure = np.eye(3)[outcome]
    forecasts = {"uniform": uniform_forecast(4), "sure": sure}
    table = score_table(outcome, forecasts, np.array([0, 0, 1, 1]), reference="uniform")
    rows = table.set_index("forecaster")
    # RPS of 1/3 each: a home or away win scores ((1/3 − 1)² + (2/3 − 1)²)/2 = 5/18, a draw
    # ((1/3)² + (1/3)²)/2 = 1/9; mean (3·5/18 + 1/9)/4 = 17/72.
    assert rows.loc["uniform", "rps"] == pytest.approx(17 / 72)
    assert rows.loc["uniform", "log_loss"] == pytest.approx(np.log(3))
    assert rows.loc["sure", "rps"] == 0.0
    assert (rows.loc["uniform", ["d_rps", "d_rps_low", "d_rps_high"]] == 0.0).all()
    assert rows.loc["sure", "d_rps"] == pytest.approx(-17 / 72)
    assert rows.loc["sure", "d_log_loss"] == pytest.approx(-np.log(3), abs=1e-12)
    assert rows["n"].tolist() == [4, 4]


def test_score_table_needs_its_reference():
    with pytest.raises(ValueError, match="reference"):
        score_table(np.array([0]), {"a": uniform_forecast(1)}, np.array([0]), reference="b")


# --- the Elo baseline, as the bench uses it ---------------------------------------------------


def test_elo_draw_rate_forecast_takes_one_draw_rate_per_match():
    elo = np.array([1500.0, 1500.0])
    one = elo_draw_rate_forecast(elo, elo, np.array([True, True]), 0.25)
    each = elo_draw_rate_forecast(elo, elo, np.array([True, True]), np.array([0.25, 0.3]))
    # Level ratings on neutral ground: We = 1/2, so (1/2 − d/2, d, 1/2 − d/2).
    np.testing.assert_allclose(one, [[0.375, 0.25, 0.375]] * 2)
    np.testing.assert_allclose(each, [[0.375, 0.25, 0.375], [0.35, 0.3, 0.35]])
