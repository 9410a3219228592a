"""The fitting steps on synthetic data with known answers: the Dixon–Coles ρ, the time bins of
goals, the selection of well-recorded competitions and the closed-form time profile."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import poisson

from heartbreak.model.fit import fit_time_profile, goal_bin, well_recorded
from heartbreak.model.inplay import TIME_BINS, InPlayModel, InPlayParams
from heartbreak.model.prematch import GoalModelParams, PrematchModel, expected_goals

GRID = 16  # goal counts 0..15: the Poisson tail beyond is negligible for these rates

# --------------------------------------------------------------------------- Dixon–Coles ρ


def sample_matches(n: int, params: GoalModelParams, seed: int) -> pd.DataFrame:
    """Scores drawn from the Dixon–Coles grid of each match (rates from ratings and venue)."""
    rng = np.random.default_rng(seed)
    # Ratings within 800 points of each other keep every rate below 7, so τ stays positive.
    elo_h = np.clip(rng.normal(1700.0, 180.0, n), 1300.0, 2100.0)
    elo_a = np.clip(rng.normal(1700.0, 180.0, n), 1300.0, 2100.0)
    neutral = rng.random(n) < 0.3
    lam, mu = expected_goals(elo_h, elo_a, neutral, params)
    k = np.arange(GRID)
    grid = poisson.pmf(k, lam[:, None])[:, :, None] * poisson.pmf(k, mu[:, None])[:, None, :]
    r = params.rho
    grid[:, 0, 0] *= 1.0 - lam * mu * r
    grid[:, 0, 1] *= 1.0 + lam * r
    grid[:, 1, 0] *= 1.0 + mu * r
    grid[:, 1, 1] *= 1.0 - r
    assert (grid >= 0).all()
    cdf = np.cumsum(grid.reshape(n, -1), axis=1)
    cdf /= cdf[:, -1:]
    cell = (cdf < rng.random(n)[:, None]).sum(axis=1)
    dates = pd.Timestamp("2000-01-01") + pd.to_timedelta(rng.integers(0, 3000, n), unit="D")
    return pd.DataFrame(
        {
            "date": dates,
            "elo_home": elo_h,
            "elo_away": elo_a,
            "neutral": neutral,
            "home_score": cell // GRID,
            "away_score": cell % GRID,
        }
    )


TRUE_DC = GoalModelParams(
    intercept=0.25, rating_slope=0.75, home_attack=0.1, home_defence=-0.3, rho=-0.1
)


@pytest.fixture(scope="module")
def dixon_coles_sample() -> pd.DataFrame:
    return sample_matches(30_000, TRUE_DC, seed=20180702)


def fit(matches: pd.DataFrame) -> GoalModelParams:
    return PrematchModel("1990-01-01", "2010-01-01", dixon_coles=True).fit(matches).params_


def test_dixon_coles_recovers_a_negative_rho(dixon_coles_sample: pd.DataFrame) -> None:
    fitted = fit(dixon_coles_sample)
    assert fitted.rho == pytest.approx(TRUE_DC.rho, abs=0.03)
    assert fitted.rho < 0
    assert fitted.intercept == pytest.approx(TRUE_DC.intercept, abs=0.03)
    assert fitted.rating_slope == pytest.approx(TRUE_DC.rating_slope, abs=0.05)
    assert fitted.home_attack == pytest.approx(TRUE_DC.home_attack, abs=0.05)
    assert fitted.home_defence == pytest.approx(TRUE_DC.home_defence, abs=0.05)


def test_dixon_coles_finds_no_dependence_in_independent_goals() -> None:
    independent = GoalModelParams(0.25, 0.75, 0.1, -0.3, rho=0.0)
    fitted = fit(sample_matches(30_000, independent, seed=1998))
    assert fitted.rho == pytest.approx(0.0, abs=0.03)
    assert fitted.rating_slope == pytest.approx(independent.rating_slope, abs=0.05)


def test_without_dixon_coles_rho_stays_zero(dixon_coles_sample: pd.DataFrame) -> None:
    plain = PrematchModel("1990-01-01", "2010-01-01").fit(dixon_coles_sample).params_
    assert plain.rho == 0.0
    # ρ < 0 moves mass between the low scores but barely moves the rates.
    assert plain.rating_slope == pytest.approx(fit(dixon_coles_sample).rating_slope, abs=0.02)


def test_fit_uses_only_the_training_window(dixon_coles_sample: pd.DataFrame) -> None:
    outside = dixon_coles_sample.head(500).copy()
    outside["date"] = pd.Timestamp("2015-06-01")
    outside["home_score"] = 9
    outside["away_score"] = 0
    model = PrematchModel("1990-01-01", "2010-01-01", dixon_coles=True)
    with_outside = model.fit(pd.concat([dixon_coles_sample, outside], ignore_index=True))
    assert with_outside.n_train_ == len(dixon_coles_sample)
    assert with_outside.params_ == fit(dixon_coles_sample)


def test_fitted_grid_uses_the_fitted_rho(dixon_coles_sample: pd.DataFrame) -> None:
    model = PrematchModel("1990-01-01", "2010-01-01", dixon_coles=True).fit(dixon_coles_sample)
    grid = model.grid(1800.0, 1700.0, False)
    assert grid.rho[0] == model.params_.rho
    # Draws observed in the sample against the model's mean forecast: ρ puts them right.
    rows = dixon_coles_sample
    draws = float((rows["home_score"] == rows["away_score"]).mean())
    forecast = model.grid(rows["elo_home"], rows["elo_away"], rows["neutral"])
    independent = PrematchModel.from_params(
        GoalModelParams(**{**model.params_.to_dict(), "rho": 0.0})
    ).grid(rows["elo_home"], rows["elo_away"], rows["neutral"])
    assert forecast.outcome_probabilities()[1].mean() == pytest.approx(draws, abs=0.01)
    assert independent.outcome_probabilities()[1].mean() < draws - 0.01


# --------------------------------------------------------------------------- goal_bin


@pytest.mark.parametrize(
    ("minute", "period", "expected"),
    [
        (1, "first_half", 0),
        (15, "first_half", 0),
        (16, "first_half", 1),
        (30, "first_half", 1),
        (31, "first_half", 2),
        (44, "first_half", 2),
        (45, "first_half", 3),
        (47, "first_half", 3),  # 45+2 labelled 47: first-half stoppage
        (46, "second_half", 4),
        (60, "second_half", 4),
        (61, "second_half", 5),
        (75, "second_half", 5),
        (76, "second_half", 6),
        (85, "second_half", 6),
        (86, "second_half", 7),
        (89, "second_half", 7),
        (90, "second_half", 8),
        (96, "second_half", 8),  # 90+6 labelled 96: second-half stoppage
        (91, "extra_time_first_half", 9),
        (100, "extra_time_first_half", 9),
        (105, "extra_time_first_half", 9),
        (107, "extra_time_first_half", 9),  # 105+2 labelled 107
        (106, "extra_time_second_half", 10),
        (115, "extra_time_second_half", 10),
        (120, "extra_time_second_half", 10),
        (122, "extra_time_second_half", 10),  # 120+2 labelled 122
        (np.nan, "second_half", -1),
        (np.nan, None, -1),
        (45, None, 3),
        (90, None, 8),
        (100, None, 9),
    ],
)
def test_goal_bin(minute: float, period: str | None, expected: int) -> None:
    assert goal_bin(np.array([minute]), np.array([period], dtype=object)).tolist() == [expected]


def test_goal_bin_vectorised() -> None:
    minutes = np.array([45, 47, 90, 96, 100, 115, np.nan, 3])
    periods = np.array(
        [
            "first_half",
            "first_half",
            "second_half",
            "second_half",
            "extra_time_first_half",
            "extra_time_second_half",
            "second_half",
            "first_half",
        ],
        dtype=object,
    )
    assert goal_bin(minutes, periods).tolist() == [3, 3, 8, 8, 9, 10, -1, 0]


def test_goal_bin_accepts_the_stores_columns() -> None:
    """The store's goals have nullable integer minutes and string periods."""
    goals = pd.DataFrame(
        {
            "minute": pd.array([12, None, 90, 47], dtype="Int32"),
            "period": pd.array(["first_half", None, "second_half", "first_half"], dtype="str"),
        }
    )
    bins = goal_bin(goals["minute"].to_numpy(), goals["period"].to_numpy())
    assert bins.tolist() == [0, -1, 8, 3]


def test_every_regulation_label_has_one_bin() -> None:
    minutes = np.arange(1, 91)
    periods = np.where(minutes <= 45, "first_half", "second_half").astype(object)
    bins = goal_bin(minutes, periods)
    for b, (lo, hi) in enumerate(TIME_BINS[:9]):
        assert (bins[(minutes >= lo) & (minutes <= hi)] == b).all()
    assert np.bincount(bins).tolist() == [hi - lo + 1 for lo, hi in TIME_BINS[:9]]


# --------------------------------------------------------------------------- well_recorded


def competition_year(
    competition: str, year: int, complete: int, incomplete: int, goalless: int
) -> list[dict]:
    """Matches with goals (complete or not) and 0-0 draws (always complete)."""
    rows = []
    day = pd.Timestamp(f"{year}-03-01")
    for k in range(complete + incomplete):
        rows.append(
            {
                "date": day + pd.Timedelta(days=k),
                "competition": competition,
                "home_score": 2,
                "away_score": k % 3,
                "timeline_complete": k < complete,
            }
        )
    for k in range(goalless):
        rows.append(
            {
                "date": day + pd.Timedelta(days=100 + k),
                "competition": competition,
                "home_score": 0,
                "away_score": 0,
                "timeline_complete": True,
            }
        )
    return rows


@pytest.fixture
def coverage_frame() -> pd.DataFrame:
    rows = [
        *competition_year("Friendly", 2001, complete=6, incomplete=4, goalless=3),  # 60%
        *competition_year("Friendly", 2002, complete=20, incomplete=0, goalless=2),  # 100%
        *competition_year("Euro", 2001, complete=19, incomplete=1, goalless=2),  # exactly 95%
        *competition_year("Cup", 2001, complete=18, incomplete=2, goalless=2),  # 90%
    ]
    frame = pd.DataFrame(rows)
    frame.index = frame.index + 1000  # not a default index: the result must align with it
    return frame


def test_well_recorded_drops_a_poorly_covered_year_with_its_goalless_draws(
    coverage_frame: pd.DataFrame,
) -> None:
    keep = well_recorded(coverage_frame)
    assert keep.index.equals(coverage_frame.index)
    year = pd.to_datetime(coverage_frame["date"]).dt.year
    goalless = (coverage_frame["home_score"] + coverage_frame["away_score"]) == 0
    friendly_2001 = (coverage_frame["competition"] == "Friendly") & (year == 2001)
    assert not keep[friendly_2001].any()
    # The 0-0 draws are complete, but their year is not: they go too.
    assert coverage_frame.loc[friendly_2001 & goalless, "timeline_complete"].all()


def test_well_recorded_keeps_well_covered_years_and_their_goalless_draws(
    coverage_frame: pd.DataFrame,
) -> None:
    keep = well_recorded(coverage_frame)
    year = pd.to_datetime(coverage_frame["date"]).dt.year
    goalless = (coverage_frame["home_score"] + coverage_frame["away_score"]) == 0
    friendly_2002 = (coverage_frame["competition"] == "Friendly") & (year == 2002)
    assert keep[friendly_2002].all()
    assert keep[friendly_2002 & goalless].sum() == 2
    euro = coverage_frame["competition"] == "Euro"  # 19/20 = 0.95 meets the threshold
    assert keep[euro & coverage_frame["timeline_complete"]].all()
    assert keep[euro & goalless].all()
    # An incomplete match is never kept, even in a well-covered year.
    assert not keep[~coverage_frame["timeline_complete"]].any()


def test_well_recorded_threshold(coverage_frame: pd.DataFrame) -> None:
    cup = coverage_frame["competition"] == "Cup"  # 18/20 = 0.90
    assert not well_recorded(coverage_frame)[cup].any()
    relaxed = well_recorded(coverage_frame, threshold=0.9)
    assert relaxed[cup].sum() == 18 + 2
    strict = well_recorded(coverage_frame, threshold=1.0)
    assert set(coverage_frame.loc[strict, "competition"]) == {"Friendly"}


def test_well_recorded_is_independent_of_a_matchs_own_score(coverage_frame: pd.DataFrame) -> None:
    """Within a kept competition-year, low and high scores are kept alike."""
    keep = well_recorded(coverage_frame)
    goals = coverage_frame["home_score"] + coverage_frame["away_score"]
    kept = coverage_frame[keep]
    assert set(goals[keep]) == set(goals[coverage_frame["timeline_complete"] & keep])
    assert (goals[keep] == 0).any() and (goals[keep] >= 3).any()
    assert len(kept) == 22 + (22 - 1)  # Friendly 2002 all, Euro without its incomplete match


# --------------------------------------------------------------------------- time profile

TRUE_THETA = np.array([0.7, 0.85, 0.95, 1.9, 1.0, 1.05, 1.1, 1.3, 1.7, 0.8, 0.95])
STOPPAGE = InPlayParams(
    stoppage_first_half=3.0,
    stoppage_second_half=5.0,
    stoppage_extra_first=0.5,
    stoppage_extra_second=1.0,
)
EXPOSURE = np.array([15, 15, 14, 1 + 3.0, 15, 15, 10, 4, 1 + 5.0, 15 + 0.5, 15 + 1.0])
PERIODS = [
    *["first_half"] * 4,
    *["second_half"] * 5,
    "extra_time_first_half",
    "extra_time_second_half",
]
# Labels a goal of each bin may carry (the stoppage bins include labels past the period's end).
LABELS = [list(range(lo, hi + 1)) for lo, hi in TIME_BINS]
LABELS[3] = [45, 46, 47]
LABELS[8] = [90, 92, 95]
LABELS[10] = [*LABELS[10], 121]


def synthetic_profile(n: int, seed: int):
    rng = np.random.default_rng(seed)
    lam_h = rng.uniform(0.5, 2.5, n)
    lam_a = rng.uniform(0.3, 2.0, n)
    extra = rng.random(n) < 0.12
    matches = pd.DataFrame(
        {
            "match_id": np.arange(n) + 100,
            "home_score": 1,
            "away_score": 1,
            "knockout": extra,
            "extra_time": pd.array(extra, dtype="boolean"),
            "shootout_winner": None,
        }
    )
    ids, minutes, periods = [], [], []
    for b in range(len(TIME_BINS)):
        mean = (lam_h + lam_a) / 90.0 * TRUE_THETA[b] * EXPOSURE[b]
        if b >= 9:
            mean = np.where(extra, mean, 0.0)
        counts = rng.poisson(mean)
        ids.append(np.repeat(matches["match_id"].to_numpy(), counts))
        minutes.append(rng.choice(LABELS[b], counts.sum()))
        periods += [PERIODS[b]] * int(counts.sum())
    goals = pd.DataFrame(
        {
            "match_id": np.concatenate(ids),
            "minute": np.concatenate(minutes).astype(float),
            "period": periods,
        }
    )
    noise = pd.DataFrame(
        {
            "match_id": [100, 101, 5, 6],  # goals without a minute, goals of other matches
            "minute": [np.nan, np.nan, 30.0, 60.0],
            "period": [None, "second_half", "first_half", "second_half"],
        }
    )
    return matches, pd.concat([goals, noise], ignore_index=True), lam_h, lam_a


@pytest.fixture(scope="module")
def profile():
    matches, goals, lam_h, lam_a = synthetic_profile(20_000, seed=74)
    theta, report = fit_time_profile(matches, goals, lam_h, lam_a, STOPPAGE)
    return np.array(theta), report, matches, goals


def test_time_profile_recovers_the_shape(profile) -> None:
    theta, *_ = profile
    assert len(theta) == len(TIME_BINS)
    # The profile is only defined up to the level: compare ratios to the truth.
    ratio = theta / TRUE_THETA
    assert ratio[:9] == pytest.approx(np.full(9, ratio[:9].mean()), rel=0.06)
    assert ratio[9:] == pytest.approx(np.full(2, ratio[:9].mean()), rel=0.12)
    assert theta[4] / theta[0] == pytest.approx(TRUE_THETA[4] / TRUE_THETA[0], rel=0.06)
    assert theta[8] / theta[7] == pytest.approx(TRUE_THETA[8] / TRUE_THETA[7], rel=0.08)


def test_time_profile_scores_ninety_minutes_in_regulation(profile) -> None:
    theta, *_ = profile
    assert float((theta[:9] * EXPOSURE[:9]).sum()) == pytest.approx(90.0, abs=1e-9)
    expected = TRUE_THETA * 90.0 / float((TRUE_THETA[:9] * EXPOSURE[:9]).sum())
    assert theta == pytest.approx(expected, rel=0.12)
    assert theta[:9] == pytest.approx(expected[:9], rel=0.06)


def test_time_profile_gives_an_engine_that_scores_lambda(profile) -> None:
    """With the fitted rates the in-play engine expects λ goals over regulation from kick-off."""
    theta, *_ = profile
    params = InPlayParams(
        minute_rates=tuple(theta),
        stoppage_first_half=STOPPAGE.stoppage_first_half,
        stoppage_second_half=STOPPAGE.stoppage_second_half,
    )
    left = InPlayModel(params).remaining_regulation(0, 0.0, 0.0)
    assert float(left) == pytest.approx(90.0, abs=1e-9)


def test_time_profile_report(profile) -> None:
    _, report, matches, goals = profile
    own = goals[goals["match_id"].isin(matches["match_id"])]
    bins = goal_bin(own["minute"].to_numpy(), own["period"].to_numpy())
    assert report["goals_per_bin"] == np.bincount(bins[bins >= 0], minlength=11).tolist()
    assert report["matches"] == len(matches)
    assert report["extra_time_matches"] == int(matches["extra_time"].sum())
    assert report["level_before_scaling"] > 0


def test_time_profile_extra_time_inferred_from_a_shootout() -> None:
    """A level knockout decided on penalties with extra time unrecorded played extra time; a
    level knockout without a shootout did not."""
    matches = pd.DataFrame(
        {
            "match_id": [1, 2, 3, 4],
            "home_score": [1, 1, 2, 0],
            "away_score": [1, 1, 1, 0],
            "knockout": [True, True, True, False],
            "extra_time": pd.array([None, None, True, None], dtype="boolean"),
            "shootout_winner": ["A", None, None, None],
        }
    )
    goals = pd.DataFrame(
        {
            "match_id": [1, 1, 2, 3, 3, 3],
            "minute": [10.0, 100.0, 50.0, 20.0, 70.0, 112.0],
            "period": [
                "first_half",
                "extra_time_first_half",
                "second_half",
                "first_half",
                "second_half",
                "extra_time_second_half",
            ],
        }
    )
    ones = np.ones(4)
    _, report = fit_time_profile(matches, goals, ones, ones, STOPPAGE)
    assert report["extra_time_matches"] == 2  # matches 1 (shootout) and 3 (recorded)
    assert report["goals_per_bin"] == [1, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1]
