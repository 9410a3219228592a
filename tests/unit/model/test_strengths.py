"""The goal model with team strengths (heartbreak.model.strengths): the fit recovers strengths
it is given, shrinks a team with few matches to its Elo-based rates, sees only the matches
before its day, and the rates of a fixture come from the right fit."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import approx_fprime

from heartbreak.model.strengths import (
    COEFFICIENTS,
    GoalModel,
    StrengthHistory,
    StrengthParams,
    _Posterior,
    design,
    fit_days,
    fit_goals,
    fit_history,
    is_final_tournament,
    prior_of,
)

TEAMS = [f"T{i}" for i in range(12)]


def simulated_window(seed: int = 0, rounds: int = 30, start: str = "2000-01-01"):
    """Every pair of twelve teams ``rounds`` times at home and away: goals Poisson with known
    attack and defence, ratings that know the attack half of them."""
    rng = np.random.default_rng(seed)
    attack = np.linspace(-0.4, 0.4, len(TEAMS))
    defence = rng.normal(0.0, 0.2, len(TEAMS))
    elo = dict(zip(TEAMS, 1500 + 400 * attack, strict=True))
    rows = []
    day = pd.Timestamp(start)
    for _ in range(rounds):
        for i in range(len(TEAMS)):
            for j in range(len(TEAMS)):
                if i == j:
                    continue
                lam_h = np.exp(0.1 + 0.25 + attack[i] + defence[j])
                lam_a = np.exp(0.1 + attack[j] + defence[i])
                rows.append(
                    {
                        "date": day,
                        "home": TEAMS[i],
                        "away": TEAMS[j],
                        "home_score": rng.poisson(lam_h),
                        "away_score": rng.poisson(lam_a),
                        "neutral": False,
                        "competition": "Friendly",
                    }
                )
        day += pd.Timedelta(days=7)
    return pd.DataFrame(rows), attack, defence, elo, day.date()


def test_the_fit_recovers_the_strengths_it_is_given():
    window, attack, defence, elo, end = simulated_window()
    fit = fit_goals(window, end, elo, StrengthParams(time_decay=0.0, ridge=1.0))
    got_attack = np.array([fit.attack[t] for t in TEAMS])
    got_defence = np.array([fit.defence[t] for t in TEAMS])
    # Attack and defence are identified up to a shared constant, which the intercept absorbs.
    assert np.corrcoef(got_attack, attack)[0, 1] > 0.95
    assert np.corrcoef(got_defence, defence)[0, 1] > 0.9
    assert fit.coefficients["home_attack"] == pytest.approx(0.25, abs=0.06)
    assert fit.matches == len(window)


def test_a_team_with_few_matches_stays_at_its_elo_based_rates():
    window, _, _, elo, end = simulated_window(rounds=20)
    # A newcomer, far stronger by its rating than anyone, with two matches of average results.
    newcomer = pd.DataFrame(
        [
            {
                "date": pd.Timestamp(end) - pd.Timedelta(days=3),
                "home": "New",
                "away": "T0",
                "home_score": 1,
                "away_score": 1,
                "neutral": True,
                "competition": "Friendly",
            },
            {
                "date": pd.Timestamp(end) - pd.Timedelta(days=2),
                "home": "T1",
                "away": "New",
                "home_score": 1,
                "away_score": 1,
                "neutral": True,
                "competition": "Friendly",
            },
        ]
    )
    rated = {**elo, "New": 1900.0}
    both = pd.concat([window, newcomer])
    shrunk = fit_goals(both, end, rated, StrengthParams(ridge=4.0))
    loose = fit_goals(both, end, rated, StrengthParams(ridge=0.01))
    ka = shrunk.coefficients["elo_attack"]
    elo_based = ka * (1900.0 - shrunk.elo_mean) / 400.0
    # Two level results move it only part of the way from the strength its rating gives ...
    assert 0.6 * elo_based < shrunk.attack["New"] <= elo_based
    # ... and less than an almost unpenalised fit would.
    assert shrunk.attack["New"] - loose.attack["New"] > 0.1


def test_the_gradient_and_the_hessian_product_are_exact():
    window, _, _, elo, _ = simulated_window(rounds=2)
    teams = pd.Index(TEAMS)
    hi, ai = teams.get_indexer(window["home"]), teams.get_indexer(window["away"])
    z = np.array([(elo[t] - 1500) / 400 for t in TEAMS])
    dh, da = design(window["neutral"].to_numpy(), np.zeros(len(window), bool))
    w = np.linspace(0.5, 1.0, len(window))
    post = _Posterior(
        dh,
        da,
        window["home_score"].to_numpy(float),
        window["away_score"].to_numpy(float),
        w,
        hi,
        ai,
        z,
        2.0,
    )
    rng = np.random.default_rng(1)
    p = rng.normal(0, 0.1, dh.shape[1] + 2 + 2 * len(TEAMS))
    _, grad = post.value_and_gradient(p)
    numeric = approx_fprime(p, lambda q: post.value_and_gradient(q)[0], 1e-6)
    assert np.allclose(grad, numeric, rtol=1e-4, atol=1e-3)
    s = rng.normal(0, 1, p.size)
    step = 1e-6
    finite = post.value_and_gradient(p + step * s)[1] - post.value_and_gradient(p - step * s)[1]
    assert np.allclose(post.hessian_product(p, s), finite / (2 * step), rtol=1e-4, atol=1e-3)


def _history(window, elo_of_day):
    ratings = pd.DataFrame(
        [
            {
                "team": t,
                "date": window["date"].min() - pd.Timedelta(days=1),
                "match_id": 0,
                "rating_after": r,
            }
            for t, r in elo_of_day.items()
        ]
    )
    matches = window.assign(match_id=np.arange(1, len(window) + 1))
    return matches, ratings


def test_a_fit_sees_only_the_matches_before_its_day():
    window, _, _, elo, _ = simulated_window(rounds=4)
    matches, ratings = _history(window, elo)
    day = (window["date"].iloc[len(window) // 2]).date()
    params = StrengthParams(min_matches=10)
    before = fit_history(matches, ratings, params, [day])
    changed = matches.copy()
    later = pd.to_datetime(changed["date"]).dt.date >= day
    changed.loc[later, "home_score"] = 9  # the future, rewritten
    after = fit_history(changed, ratings, params, [day])
    pd.testing.assert_frame_equal(before.fits, after.fits)
    pd.testing.assert_frame_equal(before.strengths, after.strengths)
    assert int(before.fits["matches"].iloc[0]) == int((~later).sum())


def test_a_fixture_takes_the_latest_fit_and_its_rating_where_the_fit_lacks_the_team():
    window, _, _, elo, end = simulated_window(rounds=20)
    matches, ratings = _history(window, elo)
    first = (window["date"].min() + pd.Timedelta(days=60)).date()
    days = [first, end]
    history = fit_history(matches, ratings, StrengthParams(min_matches=10), days)
    assert [d for d in pd.to_datetime(history.fits["as_of"]).dt.date] == days
    assert list(
        history.fit_index([first - dt.timedelta(days=5), first, end, end + dt.timedelta(days=400)])
    ) == [-1, 0, 1, 1]
    lam_h, lam_a = history.rates(
        ["T0", "Stranger", "T0"],
        ["T1", "T1", "T1"],
        [end, end, end],
        [True, True, True],
        [False, False, False],
        [1500.0, 1700.0, 1500.0],
        [elo["T1"], elo["T1"], elo["T1"]],
        rating_only_home=[False, False, True],
    )
    fit = history.fits.iloc[1]
    strengths = history.strengths[pd.to_datetime(history.strengths["as_of"]).dt.date == end]
    t0, t1 = (strengths.set_index("team").loc[t] for t in ("T0", "T1"))
    assert lam_h[0] == pytest.approx(np.exp(fit["intercept"] + t0["attack"] + t1["defence"]))
    assert lam_a[0] == pytest.approx(np.exp(fit["intercept"] + t1["attack"] + t0["defence"]))
    z = (1700.0 - fit["elo_mean"]) / 400.0
    expected = np.exp(fit["intercept"] + fit["elo_attack"] * z + t1["defence"])
    assert lam_h[1] == pytest.approx(expected)
    z0 = (1500.0 - fit["elo_mean"]) / 400.0
    assert lam_h[2] == pytest.approx(
        np.exp(fit["intercept"] + fit["elo_attack"] * z0 + t1["defence"])
    )


def test_stored_rates_are_read_and_others_computed():
    window, _, _, elo, end = simulated_window(rounds=3)
    matches, ratings = _history(window, elo)
    history = fit_history(matches, ratings, StrengthParams(min_matches=10), [end])
    model = GoalModel(history, rho=-0.05)
    frame = pd.DataFrame(
        {
            "home": ["T2"],
            "away": ["T3"],
            "date": [end],
            "neutral": [False],
            "competition": ["FIFA World Cup"],
            "elo_home": [elo["T2"]],
            "elo_away": [elo["T3"]],
        }
    )
    computed = model.rates(frame)
    stored = model.rates(frame.assign(xg_home=[1.5], xg_away=[0.5]))
    assert stored == (pytest.approx([1.5]), pytest.approx([0.5]))
    fit = history.fits.iloc[0]
    host = fit["home_attack"] + fit["host_attack"] + fit["final_tournament"]
    t = history.strengths.set_index("team")
    assert computed[0][0] == pytest.approx(
        np.exp(fit["intercept"] + host + t.loc["T2", "attack"] + t.loc["T3", "defence"])
    )


def test_the_fit_days_and_the_final_tournaments():
    days = fit_days(pd.Series(pd.to_datetime(["1990-03-04", "1991-08-01"])), [dt.date(1990, 6, 8)])
    assert days == [
        dt.date(1990, 1, 1),
        dt.date(1990, 6, 8),
        dt.date(1990, 7, 1),
        dt.date(1991, 1, 1),
        dt.date(1991, 7, 1),
    ]
    flags = is_final_tournament(
        [
            "FIFA World Cup",
            "FIFA World Cup qualification",
            "UEFA Euro",
            "UEFA Euro qualification",
            "Friendly",
            "African Cup of Nations",
            None,
        ]
    )
    assert flags.tolist() == [True, False, True, False, False, True, False]
    assert COEFFICIENTS[:6] == (
        "intercept",
        "home_attack",
        "home_defence",
        "host_attack",
        "host_defence",
        "final_tournament",
    )


def test_before_the_first_fit_a_fixture_takes_the_elo_only_prior():
    empty = StrengthHistory.from_fits([])
    with pytest.raises(ValueError, match="no fit"):
        empty.rates(["A"], ["B"], [dt.date(2000, 1, 1)], [True], [False], [1500.0], [1500.0])
    prior = prior_of(0.2, 0.8, 0.25, -0.1)
    window, _, _, elo, end = simulated_window(rounds=3)
    matches, ratings = _history(window, elo)
    history = fit_history(matches, ratings, StrengthParams(min_matches=10), [end], prior=prior)
    early = dt.date(1990, 1, 1)
    lam_h, lam_a = history.rates(
        ["T0", "A"],
        ["T1", "B"],
        [early, early],
        [False, True],
        [True, False],
        [1700.0, 1500.0],
        [1500.0, 1600.0],
    )
    # The Elo goal model exactly: log λ = α + β·x + γ·h, whatever the teams' fitted strengths.
    assert lam_h[0] == pytest.approx(np.exp(0.2 + 0.8 * 0.5 + 0.25))
    assert lam_a[0] == pytest.approx(np.exp(0.2 - 0.8 * 0.5 - 0.1))
    assert lam_h[1] == pytest.approx(np.exp(0.2 - 0.8 * 0.25))


def test_the_assembled_hessian_is_the_hessian_product():
    window, _, _, elo, _ = simulated_window(rounds=2)
    teams = pd.Index(TEAMS)
    hi, ai = teams.get_indexer(window["home"]), teams.get_indexer(window["away"])
    z = np.array([(elo[t] - 1500) / 400 for t in TEAMS])
    final = np.arange(len(window)) % 3 == 0
    dh, da = design(np.arange(len(window)) % 2 == 0, final)
    post = _Posterior(
        dh,
        da,
        window["home_score"].to_numpy(float),
        window["away_score"].to_numpy(float),
        np.linspace(0.5, 1.0, len(window)),
        hi,
        ai,
        z,
        2.0,
    )
    p = np.random.default_rng(2).normal(0, 0.1, dh.shape[1] + 2 + 2 * len(TEAMS))
    hessian = post.hessian(p)
    columns = np.column_stack([post.hessian_product(p, e) for e in np.eye(len(p))])
    assert np.allclose(hessian, columns, rtol=1e-10, atol=1e-10)
