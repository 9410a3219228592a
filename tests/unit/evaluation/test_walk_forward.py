"""The walk-forward in-play evaluation on synthetic matches: evaluation years, one fit per year
on the matches before it, the lookup table counted on earlier matches only, pooled scores with
paired bootstrap intervals, and the ECE noise floor of a perfectly calibrated forecaster."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from heartbreak.evaluation.inplay import (
    CHECKPOINTS,
    FORECASTERS,
    LookupTable,
    checkpoint_states,
    evaluate_inplay,
    evaluate_walk_forward,
    evaluation_years,
)
from heartbreak.evaluation.scoring import (
    calibrated_ece_draws,
    ece_noise_quantile,
    expected_calibration_error,
    ranked_probability_score,
)
from heartbreak.model.inplay import InPlayModel
from heartbreak.model.prematch import GoalModelParams, PrematchModel

# --------------------------------------------------------------------------- evaluation years


@pytest.mark.parametrize(
    ("start", "end", "years"),
    [
        ("2010-07-01", "2012-07-01", [("2010-07-01", "2011-07-01"), ("2011-07-01", "2012-07-01")]),
        ("2010-07-01", "2010-12-01", [("2010-07-01", "2010-12-01")]),
        (
            "2011-03-15",
            "2012-08-20",
            [
                ("2011-03-15", "2011-07-01"),
                ("2011-07-01", "2012-07-01"),
                ("2012-07-01", "2012-08-20"),
            ],
        ),
        ("2011-07-01", "2011-07-02", [("2011-07-01", "2011-07-02")]),
        ("2012-01-01", "2012-01-01", []),
    ],
)
def test_evaluation_years_cut_at_every_first_of_july(start, end, years) -> None:
    assert evaluation_years(start, end) == years


# --------------------------------------------------------------------------- synthetic record


def synthetic_record(n: int = 900, seed: int = 7):
    """Well-recorded matches 2014-2018 with goal minutes, no sendings-off."""
    rng = np.random.default_rng(seed)
    days = pd.Timestamp("2014-01-05") + pd.to_timedelta(np.sort(rng.integers(0, 1800, n)), "D")
    elo_h, elo_a = rng.normal(1700, 150, n), rng.normal(1700, 150, n)
    lam_h = np.exp(0.2 + (elo_h - elo_a) / 400)
    lam_a = np.exp(0.0 - (elo_h - elo_a) / 400)
    hs, as_ = rng.poisson(lam_h), rng.poisson(lam_a)
    knockout = rng.random(n) < 0.2
    winner = np.where(
        hs > as_, "H", np.where(hs < as_, "A", np.where(rng.random(n) < 0.5, "H", "A"))
    )
    matches = pd.DataFrame(
        {
            "match_id": np.arange(n),
            "date": days,
            "home": "H",
            "away": "A",
            "home_score": hs,
            "away_score": as_,
            "competition": "Qualifier",
            "timeline_complete": True,
            "source": "international",
            "elo_home": elo_h,
            "elo_away": elo_a,
            "neutral": rng.random(n) < 0.3,
            "knockout": knockout,
            "winner": np.where(knockout, winner, None),
        }
    )
    rows = []
    for i in range(n):
        for side, count in (("home", hs[i]), ("away", as_[i])):
            for minute in rng.integers(1, 91, count):
                period = "first_half" if minute <= 45 else "second_half"
                rows.append((i, side, int(minute), 0, period))
    goals = pd.DataFrame(rows, columns=["match_id", "side", "minute", "stoppage", "period"])
    reds = pd.DataFrame(columns=["match_id", "side", "minute", "stoppage", "period"])
    return matches, goals, reds


@pytest.fixture(scope="module")
def record():
    return synthetic_record()


def same(a, b) -> bool:
    """Equal results, NaN included (the forecast of an empty reliability bin)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


PREMATCH = PrematchModel.from_params(GoalModelParams(0.1, 1.0, 0.2, -0.1))


def fixed_fit(calls: list):
    def fit(train_end: str):
        calls.append(train_end)
        return PREMATCH, InPlayModel()

    return fit


@pytest.fixture(scope="module")
def walk(record):
    calls: list[str] = []
    results = evaluate_walk_forward(
        *record, fixed_fit(calls), "2016-07-01", "2018-07-01", resamples=200, noise_draws=50
    )
    return calls, results


def test_one_fit_per_evaluation_year_on_its_first_day(walk) -> None:
    calls, results = walk
    assert calls == ["2016-07-01", "2017-07-01"]
    years = results["years"]
    assert [(y["from"], y["to"]) for y in years] == [
        ("2016-07-01", "2017-07-01"),
        ("2017-07-01", "2018-07-01"),
    ]
    assert results["matches"] == sum(y["matches"] for y in years)
    assert years[1]["training_matches"] == years[0]["training_matches"] + years[0]["matches"]


def test_the_pooled_years_are_scored_per_checkpoint(walk, record) -> None:
    _, results = walk
    matches = record[0]
    dates = pd.to_datetime(matches["date"])
    held_out = int(((dates >= "2016-07-01") & (dates < "2018-07-01")).sum())
    assert results["matches"] == held_out
    entries = results["checkpoints"]
    assert [e["checkpoint"] for e in entries] == [c for c in CHECKPOINTS if c < 90]
    for entry in entries:
        # The bar the model's ECE is held to, at the checkpoint (inplay.checkpoints[i]).
        assert entry["ece_noise_p90"] == entry["forecasters"]["model"]["ece_noise_p90"]
        assert entry["n"] == held_out
        assert set(entry["forecasters"]) == set(FORECASTERS)
        for name, scores in entry["forecasters"].items():
            assert scores["n"] == held_out
            diff = scores["vs_constant_poisson"]
            assert set(diff) == {"rps", "log_loss", "brier_advance", "log_loss_advance"}
            for interval in diff.values():
                assert interval["low"] <= interval["mean"] <= interval["high"]
            if name == "constant_poisson":
                assert diff["rps"] == {"mean": 0.0, "low": 0.0, "high": 0.0}
            reference = entry["forecasters"]["constant_poisson"]
            assert diff["rps"]["mean"] == pytest.approx(scores["rps"] - reference["rps"])
            assert diff["log_loss"]["mean"] == pytest.approx(
                scores["log_loss"] - reference["log_loss"]
            )
            assert 0 < scores["ece_noise_p90"] < 0.2


def test_each_year_is_forecast_only_from_the_matches_before_it(record) -> None:
    """Rewriting the second year's results leaves the first year's forecasts as they were, and
    the lookup table of a year is the one counted on the matches before it."""
    matches, goals, reds = record
    dates = pd.to_datetime(matches["date"])
    first = evaluate_walk_forward(
        *record, fixed_fit([]), "2016-07-01", "2017-07-01", resamples=200, noise_draws=50
    )
    later = (dates >= "2017-07-01").to_numpy()
    changed = matches.copy()
    changed.loc[later, "home_score"] = 0
    changed.loc[later, "away_score"] = 5
    again = evaluate_walk_forward(
        changed,
        goals[~goals["match_id"].isin(matches.loc[later, "match_id"])],
        reds,
        fixed_fit([]),
        "2016-07-01",
        "2017-07-01",
        resamples=200,
        noise_draws=50,
    )
    assert same(again["checkpoints"], first["checkpoints"])
    # The lookup forecast of the first year is the table of the matches before 2016-07-01.
    states = checkpoint_states(matches, goals, reds)
    day = states["match_id"].map(matches.set_index("match_id")["date"])
    train, test = states[day < "2016-07-01"], states[(day >= "2016-07-01") & (day < "2017-07-01")]
    table = LookupTable().fit(train).predict(test)
    rows = test["checkpoint"] == 0
    expected = ranked_probability_score(table[rows.to_numpy(), :3], test.loc[rows, "outcome"])
    got = first["checkpoints"][0]["forecasters"]["lookup"]["rps"]
    assert got == pytest.approx(float(expected.mean()))


def test_one_block_is_one_fit(record) -> None:
    single = evaluate_inplay(
        *record, PREMATCH, InPlayModel(), "2016-07-01", "2018-07-01", resamples=200, noise_draws=50
    )
    assert len(single["years"]) == 1
    assert single["years"][0] == {
        "from": "2016-07-01",
        "to": "2018-07-01",
        "matches": single["matches"],
        "training_matches": single["training_matches"],
    }


def test_to_the_end_of_the_data_by_default(record) -> None:
    calls: list[str] = []
    results = evaluate_walk_forward(
        *record, fixed_fit(calls), "2017-07-01", resamples=50, noise_draws=20
    )
    assert results["date_to"] is None
    last = pd.to_datetime(record[0]["date"]).max()
    assert results["years"][-1]["to"] == (last + pd.Timedelta(days=1)).date().isoformat()
    assert calls[0] == "2017-07-01"


def test_evaluation_is_deterministic(record, walk) -> None:
    _, results = walk
    again = evaluate_walk_forward(
        *record, fixed_fit([]), "2016-07-01", "2018-07-01", resamples=200, noise_draws=50
    )
    assert same(again, results)


# --------------------------------------------------------------------------- ECE noise floor


def test_calibrated_draws_are_the_ece_of_outcomes_drawn_from_the_forecasts() -> None:
    rng = np.random.default_rng(3)
    p = rng.random(700)
    uniforms = rng.random((25, 700))
    got = calibrated_ece_draws(p, uniforms=uniforms)
    expected = [expected_calibration_error(p, u < p) for u in uniforms]
    np.testing.assert_allclose(got, expected, atol=1e-15)


def test_the_noise_floor_shrinks_with_the_sample() -> None:
    rng = np.random.default_rng(4)
    small, large = rng.random(300), rng.random(30_000)
    assert ece_noise_quantile(small, draws=200, seed=1) > 3 * ece_noise_quantile(
        large, draws=200, seed=1
    )
    # About sqrt(p(1 − p) / n) per bin: for 30,000 uniform forecasts, a few thousandths.
    assert 0.001 < ece_noise_quantile(large, draws=200, seed=1) < 0.01


def test_the_noise_floor_is_reproducible_and_a_quantile() -> None:
    p = np.random.default_rng(5).random(1000)
    draws = calibrated_ece_draws(p, draws=200, seed=9)
    np.testing.assert_array_equal(draws, calibrated_ece_draws(p, draws=200, seed=9))
    assert ece_noise_quantile(p, 0.9, 200, 9) == pytest.approx(np.quantile(draws, 0.9))
    assert np.mean(draws <= ece_noise_quantile(p, 0.9, 200, 9)) >= 0.9
    assert np.isnan(ece_noise_quantile(np.array([])))
