"""Ranking latency: a ``top`` query on the drama index against recomputing the same ranking.

Run: HEARTBREAK_DATA_DIR=../shared/data python bench/top_latency.py [--runs 20]

Query: the ten most heartbreaking World Cup knockout matches (``Heartbreak.top``), plus a few
other filters, median of ``--runs`` calls each. Baseline in the same process: the same top ten
recomputed from scratch by replaying every World Cup knockout match with a complete timeline and
computing its drama metrics — what a ranking would cost without the index. Also reports how long
the drama index takes inside a full store build (the build's own timing) and the build's peak
memory, from a child process.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from heartbreak.drama.metrics import drama_metrics
from heartbreak.model.replay import replay_many
from heartbreak.services import Heartbreak

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from heartbreak.config import data_dir
import heartbreak.data.store as store

timings = {}
original = store._drama
def timed(tables, step):
    start = time.perf_counter()
    out = original(tables, step)
    timings["drama_index_s"] = time.perf_counter() - start
    return out
store._drama = timed
start = time.perf_counter()
store.build_store(data_dir(), Path(sys.argv[1]))
timings["build_s"] = time.perf_counter() - start
timings["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(timings))
"""

QUERIES = {
    "heartbreak, World Cup knockouts": dict(
        metric="heartbreak", competition="FIFA World Cup", stage="knockout"
    ),
    "comeback, all matches": dict(metric="comeback"),
    "suspense, Japan, 2000-2026": dict(metric="suspense", team="Japan", date_from="2000"),
}


def recompute(session: Heartbreak) -> list[float]:
    frame = session.store.matches(
        competition="FIFA World Cup", knockout=True, timeline_complete=True
    )
    matches = list(session.store.load_matches(frame["match_id"].tolist()).values())
    lam_h, lam_a = session.prematch_model.rates(frame)
    paths = replay_many(matches, lam_h, lam_a, session.inplay)
    scores = [drama_metrics(p, m.winner).heartbreak for p, m in zip(paths, matches, strict=True)]
    return sorted(scores, reverse=True)[:10]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(db)], check=True, capture_output=True, text=True
        )
        build = json.loads(out.stdout.strip().splitlines()[-1])
        session = Heartbreak(db=db)
        session.top(limit=1)  # open the store once
        for name, query in QUERIES.items():
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                session.top(limit=10, **query)
                times.append(time.perf_counter() - start)
            print(f"top ({name}): median {statistics.median(times) * 1000:.1f} ms")
        indexed = session.top(limit=10, **QUERIES["heartbreak, World Cup knockouts"])
        times = []
        for _ in range(3):
            start = time.perf_counter()
            values = recompute(session)
            times.append(time.perf_counter() - start)
        query = []
        for _ in range(args.runs):
            start = time.perf_counter()
            session.top(limit=10, **QUERIES["heartbreak, World Cup knockouts"])
            query.append(time.perf_counter() - start)
        same = np.allclose(values, indexed["value"].to_numpy(), atol=1e-9)
        print(
            f"recomputing that ranking: median {statistics.median(times) * 1000:.0f} ms "
            f"({statistics.median(times) / statistics.median(query):.0f}x the query; "
            f"same ten values: {same})"
        )
        session.store.close()
    print(
        f"drama index inside the build: {build['drama_index_s']:.1f} s of {build['build_s']:.1f} s;"
        f" build peak RSS {build['peak_mib']:.0f} MiB"
    )


if __name__ == "__main__":
    main()
