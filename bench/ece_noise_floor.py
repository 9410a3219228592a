"""How small can the expected calibration error be on the held-out set, for a perfect model?

Run: HEARTBREAK_DATA_DIR=../shared/data python bench/ece_noise_floor.py [--draws 1000]

Takes the model's own forecasts of P(home win) at each checkpoint of the default held-out set
(`heartbreak eval`), draws outcomes from those very probabilities (so the forecaster is perfectly
calibrated by construction) and measures the ECE (10 equal-width bins) of each draw. The spread
is the noise floor that sample size alone puts under any model's ECE on this set.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from heartbreak.build import ensure_store
from heartbreak.evaluation.inplay import checkpoint_states, engine_states
from heartbreak.evaluation.scoring import expected_calibration_error
from heartbreak.model.fit import well_recorded
from heartbreak.model.inplay import InPlayModel
from heartbreak.model.params import load_params
from heartbreak.model.prematch import PrematchModel

CHECKPOINTS = (0, 15, 30, 45, 60, 75, 85, 89)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--target", type=float, default=0.015)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = ensure_store(Path(tmp) / "bench.duckdb")
        matches, goals, reds = store.matches(), store.all_goals(), store.all_red_cards()
        store.close()
    params = load_params()
    dates = pd.to_datetime(matches["date"])
    test = matches[well_recorded(matches) & (dates >= "2019-07-01")]
    states = checkpoint_states(test, goals, reds, CHECKPOINTS)
    prematch = PrematchModel.from_params(params.goals)
    lam_h, lam_a = prematch.expected_goals(
        states["elo_home"], states["elo_away"], states["neutral"]
    )
    forecast = (
        InPlayModel(params.inplay)
        .evaluate(lam_h, lam_a, engine_states(states), with_suspense=False)
        .p_home_win
    )
    rng = np.random.default_rng(20190701)
    # One uniform draw per match, shared by its checkpoints, as real outcomes are.
    match_ids = states["match_id"].to_numpy()
    unique, index = np.unique(match_ids, return_inverse=True)
    met_all = np.ones(args.draws, dtype=bool)
    print(f"held-out matches: {len(unique)}; perfect-model ECE over {args.draws} draws")
    ece = {c: np.empty(args.draws) for c in CHECKPOINTS}
    for k in range(args.draws):
        u = rng.random(len(unique))[index]
        for c in CHECKPOINTS:
            rows = states["checkpoint"].to_numpy() == c
            ece[c][k] = expected_calibration_error(forecast[rows], u[rows] < forecast[rows])
    for c in CHECKPOINTS:
        met_all &= ece[c] <= args.target
        print(
            f"{c:>3}'  median {np.median(ece[c]):.4f}  90th pct {np.percentile(ece[c], 90):.4f}  "
            f"P(ECE <= {args.target}) {np.mean(ece[c] <= args.target):.2f}"
        )
    print(f"P(ECE <= {args.target} at every checkpoint): {met_all.mean():.3f}")


if __name__ == "__main__":
    main()
