"""Replay speed: every match with a complete timeline, vectorised, against a per-state loop.

Run: HEARTBREAK_DATA_DIR=../shared/data python bench/replay_speed.py [--runs 3] [--naive-matches 40]

Measures, in one process:
- vectorised: ``replay_many`` over every match whose timeline is complete (points built per
  match, all states evaluated in large batches), median of ``--runs`` runs;
- naive: the same engine called once per state (a Python loop over states, each a batch of one)
  on the first ``--naive-matches`` of those matches, median of ``--runs`` runs.
Reports matches/s, states/s, the ratio of states/s, and the process's peak memory.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from heartbreak.build import ensure_store
from heartbreak.model.inplay import InPlayModel, StateBatch
from heartbreak.model.params import load_params
from heartbreak.model.prematch import PrematchModel
from heartbreak.model.replay import build_points, replay_many


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def naive_states_per_second(model: InPlayModel, matches, lam_h, lam_a) -> tuple[float, int]:
    """One engine call per state: what a straightforward per-state loop costs."""
    points = build_points(matches, model.params.stoppage_means)
    states = points.states()
    counts = np.diff(points.offsets)
    lh, la = np.repeat(lam_h, counts), np.repeat(lam_a, counts)
    fields = StateBatch.__dataclass_fields__
    start = time.perf_counter()
    for i in range(len(lh)):
        one = StateBatch(**{k: getattr(states, k)[i : i + 1] for k in fields})
        model.evaluate(lh[i : i + 1], la[i : i + 1], one)
    return len(lh) / (time.perf_counter() - start), len(lh)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--naive-matches", type=int, default=40)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        store = ensure_store(Path(tmp) / "bench.duckdb")
        frame = store.matches()
        ids = frame.loc[frame["timeline_complete"], "match_id"].tolist()
        t = time.perf_counter()
        matches = list(store.load_matches(ids).values())
        load_s = time.perf_counter() - t
    rows = frame.set_index("match_id").loc[[m.info.match_id for m in matches]]
    params = load_params()
    model = PrematchModel.from_params(params.goals)
    lam_h, lam_a = model.rates(rows)
    inplay = InPlayModel(params.inplay)
    rss_before = peak_rss_mib()

    times, n_states = [], 0
    for _ in range(args.runs):
        start = time.perf_counter()
        paths = replay_many(matches, lam_h, lam_a, inplay)
        times.append(time.perf_counter() - start)
        n_states = sum(len(p) for p in paths)
        del paths
    vec_s = statistics.median(times)
    vec_rate = n_states / vec_s

    k = args.naive_matches
    naive = [
        naive_states_per_second(inplay, matches[:k], lam_h[:k], lam_a[:k]) for _ in range(args.runs)
    ]
    naive_rate = statistics.median(r for r, _ in naive)

    print(f"matches with a complete timeline: {len(matches)} (loaded in {load_s:.1f} s)")
    print(f"states (path points): {n_states}  ({n_states / len(matches):.1f} per match)")
    print(
        f"vectorised: median {vec_s:.2f} s over {args.runs} runs = "
        f"{len(matches) / vec_s:,.0f} matches/s, {vec_rate:,.0f} states/s"
    )
    print(
        f"naive per-state loop ({naive[0][1]} states of {k} matches): "
        f"median {naive_rate:,.0f} states/s"
    )
    print(f"speed-up (states/s): {vec_rate / naive_rate:,.0f}x")
    print(f"peak RSS: {peak_rss_mib():,.0f} MiB (before replay: {rss_before:,.0f} MiB)")


if __name__ == "__main__":
    main()
