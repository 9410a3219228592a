"""Fitting the score effects: the spells between events and the closed-form multipliers, on
matches simulated from known multipliers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from heartbreak.model.fit import fit_score_effect_step, fit_score_effects, score_effect_exposures
from heartbreak.model.inplay import InPlayModel, InPlayParams, ramp_rates

#: A flat time profile with no stoppage: a minute label m is the clock m − ½ and every minute
#: weighs one, so simulated goal times translate directly into the record's labels.
FLAT = InPlayParams(
    minute_rates=ramp_rates(0.0, 0.0, 0.0),
    stoppage_first_half=0.0,
    stoppage_second_half=0.0,
    score_lead=(1.0,),
    score_trail=(1.0,),
    score_lead_late=(1.0,),
    score_trail_late=(1.0,),
    score_late_from=75.0,
)
TRUE = {"lead": 0.8, "trail": 1.3, "lead_late": 0.7, "trail_late": 1.6}
NO_REDS = pd.DataFrame(columns=["match_id", "side", "period", "minute", "stoppage"])


def kappa(lead: int, late: bool) -> float:
    if lead == 0:
        return 1.0
    name = ("lead" if lead > 0 else "trail") + ("_late" if late else "")
    return TRUE[name]


def simulate(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray]:
    """Matches whose sides score at λ/90 · κ(goal difference, phase) per minute."""
    rng = np.random.default_rng(seed)
    lam_h, lam_a = rng.uniform(0.8, 2.2, n), rng.uniform(0.8, 2.2, n)
    rows = []
    for i in range(n):
        t, diff = 0.0, 0
        while True:
            late = t >= 75.0
            rate_h = lam_h[i] / 90 * kappa(diff, late)
            rate_a = lam_a[i] / 90 * kappa(-diff, late)
            t_next = t + rng.exponential(1.0 / (rate_h + rate_a))
            boundary = 90.0 if late else 75.0
            if t_next >= boundary:
                if late:
                    break
                t = boundary  # memoryless: start again at the new rates
                continue
            t = t_next
            home = rng.random() < rate_h / (rate_h + rate_a)
            diff += 1 if home else -1
            label = int(np.floor(t)) + 1
            rows.append(
                (
                    i,
                    "home" if home else "away",
                    "first_half" if label <= 45 else "second_half",
                    label,
                    0,
                    t,
                )
            )
    goals = pd.DataFrame(rows, columns=["match_id", "side", "period", "minute", "stoppage", "t"])
    matches = pd.DataFrame({"match_id": np.arange(n)})
    return matches, goals, lam_h, lam_a


@pytest.fixture(scope="module")
def simulated():
    return simulate(6_000, seed=1998)


def test_exposures_add_up_to_each_sides_expected_goals(simulated) -> None:
    matches, goals, lam_h, lam_a = simulated
    spells = score_effect_exposures(matches, goals, NO_REDS, lam_h, lam_a, InPlayModel(FLAT), 1)
    by_side = spells.groupby(["match_id", "side"])["expected"].sum().unstack()
    np.testing.assert_allclose(by_side["home"], lam_h, rtol=1e-9)
    np.testing.assert_allclose(by_side["away"], lam_a, rtol=1e-9)
    assert spells["goals"].sum() == len(goals)
    assert set(spells["lead"]) == {-1, 0, 1}
    # The late spells are the last quarter-hour's share of each side's expected goals.
    late = spells[spells["late"]].groupby("side")["expected"].sum()
    assert late["home"] == pytest.approx(lam_h.sum() * 15 / 90, rel=1e-9)


def test_a_match_cut_into_spells() -> None:
    matches = pd.DataFrame({"match_id": [7]})
    goals = pd.DataFrame(
        {
            "match_id": [7, 7],
            "side": ["home", "away"],
            "period": ["first_half", "second_half"],
            "minute": [10, 80],
            "stoppage": [0, 0],
        }
    )
    reds = pd.DataFrame(
        {
            "match_id": [7],
            "side": ["away"],
            "period": ["second_half"],
            "minute": [60],
            "stoppage": [0],
        }
    )
    params = InPlayParams(**{**FLAT.__dict__, "red_card_own": 0.5, "red_card_opponent": 2.0})
    spells = score_effect_exposures(
        matches, goals, reds, np.array([1.8]), np.array([0.9]), InPlayModel(params), 1
    )
    home = spells[(spells["side"] == "home") & (spells["expected"] > 0)]
    # Clocks: the goals at 9.5 and 79.5, the sending-off at 59.5, the late mark at 75. After it
    # the home side plays against ten (its rate doubled).
    assert home["lead"].tolist() == [0, 1, 1, 1, 0]
    assert home["late"].tolist() == [False, False, False, True, True]
    assert home["goals"].tolist() == [1, 0, 0, 0, 0]
    minutes = [9.5, 50.0, 2.0 * 15.5, 2.0 * 4.5, 2.0 * 10.5]
    np.testing.assert_allclose(home["expected"].to_numpy() / (1.8 / 90), minutes, rtol=1e-9)
    away = spells[(spells["side"] == "away") & (spells["expected"] > 0)]
    assert away["lead"].tolist() == [0, -1, -1, -1, 0]
    assert away["goals"].tolist() == [0, 0, 0, 1, 0]
    np.testing.assert_allclose(
        away["expected"].to_numpy() / (0.9 / 90), [9.5, 50.0, 7.75, 2.25, 5.25], rtol=1e-9
    )


def test_the_multipliers_are_recovered(simulated) -> None:
    matches, goals, lam_h, lam_a = simulated
    spells = score_effect_exposures(matches, goals, NO_REDS, lam_h, lam_a, InPlayModel(FLAT), 1)
    fields, report = fit_score_effects(spells, cap=1)
    assert fields["score_lead"][0] == pytest.approx(TRUE["lead"], abs=0.06)
    assert fields["score_trail"][0] == pytest.approx(TRUE["trail"], abs=0.08)
    assert fields["score_lead_late"][0] == pytest.approx(TRUE["lead_late"], abs=0.08)
    assert fields["score_trail_late"][0] == pytest.approx(TRUE["trail_late"], abs=0.15)
    assert report["level"]["rate"] == pytest.approx(1.0, abs=0.04)
    cell = report["trail_late_1"]
    assert cell["goals"] / cell["expected"] == pytest.approx(
        fields["score_trail_late"][0] * report["level"]["rate"], rel=1e-3
    )


def test_relative_multipliers_divide_out_the_level(simulated) -> None:
    matches, goals, lam_h, lam_a = simulated
    # Rates that are all 20% too high: the level rate says so, the relative multipliers not.
    spells = score_effect_exposures(
        matches, goals, NO_REDS, lam_h * 1.2, lam_a * 1.2, InPlayModel(FLAT), 1
    )
    relative, report = fit_score_effects(spells, cap=1)
    absolute, _ = fit_score_effects(spells, cap=1, relative=False)
    assert report["level"]["rate"] == pytest.approx(1 / 1.2, abs=0.04)
    assert relative["score_trail"][0] == pytest.approx(TRUE["trail"], abs=0.08)
    assert absolute["score_trail"][0] == pytest.approx(TRUE["trail"] / 1.2, abs=0.08)


def test_the_step_fits_nothing_unless_enabled(simulated) -> None:
    matches, goals, lam_h, lam_a = simulated
    fields, report = fit_score_effect_step(matches, goals, NO_REDS, lam_h, lam_a, FLAT, False)
    assert fields == {} and report == {"fitted": False}
    fields, report = fit_score_effect_step(matches, goals, NO_REDS, lam_h, lam_a, FLAT, True)
    assert report["fitted"] is True
    assert InPlayParams(**fields).has_score_effects
