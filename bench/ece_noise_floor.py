"""How small can the expected calibration error be on the held-out set, for a perfect model?

Run: HEARTBREAK_DATA_DIR=../shared/data python bench/ece_noise_floor.py [--draws 1000]
[--from 2019-07-01]

Takes the packaged model's forecasts of P(home win) at each checkpoint of the well-recorded
matches from ``--from``, draws outcomes from those very probabilities (so the forecaster is
perfectly calibrated by construction) and measures the ECE (10 equal-width bins) of each draw
(:func:`heartbreak.evaluation.scoring.calibrated_ece_draws`, which ``heartbreak eval`` uses for
its ``ece_noise_p90``; here one uniform per match is shared by its checkpoints, as real outcomes
are, so that the chance of meeting a target at every checkpoint at once is right too). The
spread is the noise floor that sample size alone puts under any model's ECE on this set.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from heartbreak.build import ensure_store
from heartbreak.evaluation.inplay import checkpoint_states, engine_states
from heartbreak.evaluation.scoring import calibrated_ece_draws
from heartbreak.model.fit import well_recorded
from heartbreak.model.inplay import InPlayModel
from heartbreak.model.params import load_params
from heartbreak.model.prematch import PrematchModel

CHECKPOINTS = (0, 15, 30, 45, 60, 75, 85, 89)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--target", type=float, default=0.015)
    parser.add_argument("--from", dest="date_from", default="2019-07-01")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = ensure_store(Path(tmp) / "bench.duckdb")
        matches, goals, reds = store.matches(), store.all_goals(), store.all_red_cards()
        store.close()
    params = load_params()
    dates = pd.to_datetime(matches["date"])
    test = matches[well_recorded(matches) & (dates >= args.date_from)]
    states = checkpoint_states(test, goals, reds, CHECKPOINTS)
    lam_h, lam_a = PrematchModel.from_params(params.goals).rates(test)
    index = pd.Index(test["match_id"]).get_indexer(states["match_id"])
    forecast = (
        InPlayModel(params.inplay)
        .evaluate(lam_h[index], lam_a[index], engine_states(states), with_suspense=False)
        .p_home_win
    )
    rng = np.random.default_rng(20190701)
    # One uniform draw per match, shared by its checkpoints, as real outcomes are.
    match_ids = states["match_id"].to_numpy()
    unique, inverse = np.unique(match_ids, return_inverse=True)
    uniforms = rng.random((args.draws, len(unique)))[:, inverse]
    met_all = np.ones(args.draws, dtype=bool)
    print(f"held-out matches: {len(unique)}; perfect-model ECE over {args.draws} draws")
    checkpoint = states["checkpoint"].to_numpy()
    for c in CHECKPOINTS:
        rows = checkpoint == c
        ece = calibrated_ece_draws(forecast[rows], uniforms=uniforms[:, rows])
        met_all &= ece <= args.target
        print(
            f"{c:>3}'  median {np.median(ece):.4f}  90th pct {np.percentile(ece, 90):.4f}  "
            f"P(ECE <= {args.target}) {np.mean(ece <= args.target):.2f}"
        )
    print(f"P(ECE <= {args.target} at every checkpoint): {met_all.mean():.3f}")


if __name__ == "__main__":
    main()
