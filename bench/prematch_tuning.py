"""Tune the pre-match model on matches before 2010 only.

Run: HEARTBREAK_DATA_DIR=../shared/data python bench/prematch_tuning.py

Validation: competitive (non-friendly) matches 2005–2009, scored by RPS and log loss of the
result after 90 minutes. For every setting, Elo is run over the whole history (its ratings going
into a match use only earlier matches) and the goal model is fitted on the years before 2005.
Nothing from 2010 on is read. Two grids:

1. World Football Elo: home advantage × a common scale of all K factors × newcomers' rating.
2. Goal model: Dixon–Coles ρ on or off × training window length.
"""

from __future__ import annotations

import itertools
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from heartbreak.build import ensure_store
from heartbreak.evaluation.prematch import regulation_outcome
from heartbreak.evaluation.scoring import log_loss, ranked_probability_score
from heartbreak.model.prematch import PrematchModel
from heartbreak.ratings.elo import EloParams, EloRatings

VALIDATION = ("2005-01-01", "2010-01-01")


def score(model: PrematchModel, rated: pd.DataFrame) -> tuple[float, float, int]:
    dates = pd.to_datetime(rated["date"])
    rows = rated[
        (dates >= VALIDATION[0]) & (dates < VALIDATION[1]) & (rated["competition"] != "Friendly")
    ]
    home, draw, away = model.grid(
        rows["elo_home"], rows["elo_away"], rows["neutral"]
    ).outcome_probabilities()
    probs = np.column_stack([home, draw, away])
    outcome = regulation_outcome(rows)
    return (
        float(ranked_probability_score(probs, outcome).mean()),
        float(log_loss(probs, outcome).mean()),
        len(rows),
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = ensure_store(Path(tmp) / "bench.duckdb")
        matches = store.matches().drop(columns=["elo_home", "elo_away"])
        store.close()
    base = EloParams()
    rows = []
    for home_advantage, k_scale, initial in itertools.product(
        (40, 60, 80, 100, 120), (0.75, 1.0, 1.25, 1.5), (1300, 1500)
    ):
        params = replace(
            base,
            home_advantage=float(home_advantage),
            initial_rating=float(initial),
            k_world_cup=base.k_world_cup * k_scale,
            k_continental=base.k_continental * k_scale,
            k_qualifier=base.k_qualifier * k_scale,
            k_other_tournament=base.k_other_tournament * k_scale,
            k_friendly=base.k_friendly * k_scale,
        )
        rated = matches.merge(EloRatings(params).fit(matches).pre_match_, on="match_id")
        model = PrematchModel("1995-01-01", VALIDATION[0], dixon_coles=True).fit(rated)
        rps, ll, n = score(model, rated)
        rows.append(
            {
                "home_advantage": home_advantage,
                "k_scale": k_scale,
                "initial": initial,
                "rps": rps,
                "log_loss": ll,
                "n": n,
            }
        )
    elo = pd.DataFrame(rows).sort_values("rps").reset_index(drop=True)
    default = elo[(elo.home_advantage == 100) & (elo.k_scale == 1.0) & (elo.initial == 1500)]
    print("World Football Elo grid (validation 2005-2009, goal model 1995-2004):")
    print(elo.head(8).to_string(index=False, float_format=lambda v: f"{v:.5f}"))
    print("eloratings.net defaults:")
    print(default.to_string(index=False, float_format=lambda v: f"{v:.5f}"))

    rated = matches.merge(EloRatings(base).fit(matches).pre_match_, on="match_id")
    rows = []
    for dixon_coles, years in itertools.product((False, True), (5, 10, 20)):
        start = f"{2005 - years}-01-01"
        model = PrematchModel(start, VALIDATION[0], dixon_coles=dixon_coles).fit(rated)
        rps, ll, n = score(model, rated)
        rows.append(
            {
                "dixon_coles": dixon_coles,
                "window_years": years,
                "rho": model.params_.rho,
                "rps": rps,
                "log_loss": ll,
                "n": n,
            }
        )
    print("\nGoal model grid (default Elo):")
    print(
        pd.DataFrame(rows)
        .sort_values("rps")
        .to_string(index=False, float_format=lambda v: f"{v:.5f}")
    )


if __name__ == "__main__":
    main()
