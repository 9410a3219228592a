"""Replay the whole history: every match, the minute path where the timeline is complete.

Run: HEARTBREAK_DATA_DIR=../shared/data python bench/history_replay.py [--runs 5] [--chunk 4000]

One run = load every match and its events from the store, compute pre-match probabilities for
all ~49,500 matches, and replay every match with a complete timeline point by point (in chunks
of ``--chunk`` matches, so memory stays bounded). Reported: the median wall time of ``--runs``
runs, states per second, peak memory, and the ratio against a naive per-state loop (the same
engine called once per state) measured in the same process.
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
from heartbreak.data.store import Store
from heartbreak.model.inplay import InPlayModel, kickoff_states
from heartbreak.model.params import load_params
from heartbreak.model.prematch import PrematchModel
from heartbreak.model.replay import replay_many
from replay_speed import naive_states_per_second


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def replay_history(store: Store, prematch: PrematchModel, inplay: InPlayModel, chunk: int):
    """(matches, states replayed, the final P(home win) of every replayed match)."""
    frame = store.matches()
    lam_h, lam_a = prematch.rates(frame)
    kick = inplay.evaluate(
        lam_h, lam_a, kickoff_states(frame["knockout"].to_numpy(bool)), with_suspense=False
    )
    complete = frame["timeline_complete"].to_numpy(bool)
    ids = frame["match_id"].to_numpy()[complete]
    lam_hc, lam_ac = lam_h[complete], lam_a[complete]
    states, finals = 0, []
    for lo in range(0, len(ids), chunk):
        matches = list(store.load_matches(ids[lo : lo + chunk].tolist()).values())
        paths = replay_many(matches, lam_hc[lo : lo + chunk], lam_ac[lo : lo + chunk], inplay)
        states += sum(len(p) for p in paths)
        finals.extend(p.p_home_win[-1] for p in paths)
    return len(frame), states, np.asarray(finals), kick


def naive_rate(store: Store, prematch: PrematchModel, inplay: InPlayModel, n: int) -> float:
    frame = store.matches(timeline_complete=True).head(n)
    matches = list(store.load_matches(frame["match_id"].tolist()).values())
    lam_h, lam_a = prematch.rates(frame)
    rate, _ = naive_states_per_second(inplay, matches, lam_h, lam_a)
    return rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--chunk", type=int, default=4000)
    parser.add_argument("--naive-matches", type=int, default=30)
    args = parser.parse_args()
    params = load_params()
    prematch = PrematchModel.from_params(params.goals)
    inplay = InPlayModel(params.inplay)
    with tempfile.TemporaryDirectory() as tmp:
        store = ensure_store(Path(tmp) / "bench.duckdb")
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            n_matches, n_states, finals, _ = replay_history(store, prematch, inplay, args.chunk)
            times.append(time.perf_counter() - start)
        naive = statistics.median(
            naive_rate(store, prematch, inplay, args.naive_matches) for _ in range(3)
        )
        store.close()
    wall = statistics.median(times)
    print(f"matches: {n_matches} (pre-match for all), replayed: {len(finals)}, states: {n_states}")
    print(
        f"whole history: median {wall:.2f} s of {args.runs} runs "
        f"(min {min(times):.2f}, max {max(times):.2f})"
    )
    print(
        f"vectorised: {n_states / wall:,.0f} states/s; naive per-state loop: {naive:,.0f} states/s"
    )
    print(f"speed-up: {n_states / wall / naive:,.0f}x")
    print(f"peak RSS: {peak_rss_mib():,.0f} MiB")


if __name__ == "__main__":
    main()
