"""Walk-forward pre-match accuracy on major final tournaments 2010–2026.

Run: HEARTBREAK_DATA_DIR=../shared/data python bench/prematch_accuracy.py [--json]

Elo ratings come from earlier matches only; the goal model is fitted on 1990–2009. Nothing is
tuned on the test years. Prints RPS and log loss for the model and two baselines computed in the
same run (uniform; Elo expected score with the training draw rate).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from heartbreak.build import ensure_store
from heartbreak.evaluation.prematch import MAJOR_TOURNAMENTS, prematch_backtest


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = ensure_store(Path(tmp) / "bench.duckdb")
        matches = store.matches()
    summary, test = prematch_backtest(matches)
    by_comp = test.groupby("competition").size().rename("n")
    if "--json" in sys.argv:
        print(json.dumps({"summary": summary.to_dict("records"), "fit": summary.attrs}, indent=2))
        return
    print(f"Test matches: {len(test)} ({', '.join(MAJOR_TOURNAMENTS)}), 2010-2026")
    print(by_comp.to_string())
    print(
        f"Goal model fitted on {summary.attrs['n_train']} matches "
        f"{summary.attrs['train_start']}..{summary.attrs['train_end']} (exclusive)"
    )
    print(f"Training draw rate: {summary.attrs['draw_rate']:.3f}")
    print(summary.to_string(index=False, float_format=lambda v: f"{v:.4f}"))


if __name__ == "__main__":
    main()
