"""Choosing the goal model's settings on the validation editions (1994–2009) only.

Run: HEARTBREAK_DATA_DIR=../shared/data python bench/prematch_team_strengths.py [--test]

Scores the goal model of :mod:`heartbreak.model.strengths` (team attack and defence anchored on
Elo, time-weighted, ridge-shrunk) on the final-tournament matches of the six majors, each
edition forecast with strengths fitted on the matches before its first day (as the store does),
for a grid of settings: the window (years), the time decay ξ per day, the ridge and the
Dixon–Coles ρ of the score grid. The shipped settings (``StrengthParams``'s defaults: 8 years,
ξ = 0.001, ridge 1) were chosen from this table on the validation editions, the balance of the
overall and the World Cup RPS and log loss; the grid also holds penaltyblog's own choice (4
years, ξ = 0.0018). Results are against the regulation outcome
(:func:`heartbreak.evaluation.prematch.regulation_outcome`).

Rows of ``--fit-on regulation`` fit on 90-minute scores instead of the store's (after extra
time); they did not score better on the validation editions, so the model fits the stored
scores.

``--test`` scores only the shipped settings on the 2010–2026 editions (the majors set of
``bench/prematch_peers.py``, which scores it against penaltyblog and the baselines). Never choose
settings with it.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from heartbreak.evaluation.peers import edition_starts, regulation_scores
from heartbreak.evaluation.prematch import MAJOR_TOURNAMENTS, regulation_outcome
from heartbreak.evaluation.scoring import log_loss, ranked_probability_score
from heartbreak.model.grid import ScoreGrid
from heartbreak.model.strengths import StrengthParams, fit_history, is_final_tournament
from heartbreak.services import Heartbreak

GRID = (
    (8, 0.0005, 4.0),
    (8, 0.0005, 1.0),
    (8, 0.001, 4.0),
    (8, 0.001, 1.0),
    (6, 0.001, 4.0),
    (12, 0.0005, 4.0),
    (8, 0.0018, 4.0),
    (4, 0.0018, 4.0),
)
RHOS = (-0.05, -0.1, -0.15)


def scores(probs: np.ndarray, outcome: np.ndarray) -> str:
    rps = ranked_probability_score(probs, outcome).mean()
    return f"{rps:.4f} {log_loss(probs, outcome).mean():.4f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--test", action="store_true", help="score 2010-2026 (never for tuning)")
    parser.add_argument("--fit-on", choices=("stored", "regulation"), default="stored")
    args = parser.parse_args()
    hb = Heartbreak()
    matches = hb.store.matches()
    matches = matches[(matches["source"] != "user")].reset_index(drop=True)
    if args.fit_on == "regulation":
        home, away, usable = regulation_scores(matches, hb.store.all_goals())
        matches["home_score"], matches["away_score"] = home, away
        matches = matches[usable].reset_index(drop=True)
    ratings = hb.store.query("SELECT team, date, match_id, rating_after FROM ratings")
    dates = pd.to_datetime(matches["date"])
    lo, hi = ("2010-06-01", "2026-08-01") if args.test else ("1994-06-01", "2010-01-01")
    scored = matches["competition"].isin(MAJOR_TOURNAMENTS) & (dates >= lo) & (dates < hi)
    test = matches[scored.to_numpy()]
    starts = edition_starts(test["competition"], test["date"])
    days = sorted({pd.Timestamp(s).date() for s in starts.unique()})
    outcome = regulation_outcome(test)
    world_cup = (test["competition"] == "FIFA World Cup").to_numpy()
    grid = [(8, 0.001, 1.0)] if args.test else GRID
    print(
        f"{'test' if args.test else 'validation'}: {len(test)} matches, {len(days)} editions "
        f"({lo}..{hi}), fitted on {args.fit_on} scores; RPS and log loss, overall | World Cup"
    )
    for years, xi, ridge in grid:
        started = time.perf_counter()
        params = StrengthParams(window_years=years, time_decay=xi, ridge=ridge)
        history = fit_history(matches, ratings, params, days, prior=hb.params.goal_prior)
        lam_h, lam_a = history.rates(
            test["home"],
            test["away"],
            starts.to_numpy(),  # every match of an edition on its first day's fit
            test["neutral"].to_numpy(bool),
            is_final_tournament(test["competition"]),
            test["elo_home"].to_numpy(float),
            test["elo_away"].to_numpy(float),
        )
        cells = []
        for rho in RHOS:
            probs = np.column_stack(
                ScoreGrid.from_rates(lam_h, lam_a, rho=rho).outcome_probabilities()
            )
            cells.append(
                f"ρ {rho:+.2f}: {scores(probs, outcome)} | "
                f"{scores(probs[world_cup], outcome[world_cup])}"
            )
        print(
            f"{years:>2} y  ξ {xi:.4f}  ridge {ridge:<4} ({time.perf_counter() - started:.0f} s)  "
            + "   ".join(cells)
        )


if __name__ == "__main__":
    main()
