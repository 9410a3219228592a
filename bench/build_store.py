"""Full store build from the local copy: load, validate, merge, Elo over history.

Run: HEARTBREAK_DATA_DIR=../shared/data python bench/build_store.py [--runs 5]

Each run builds a fresh store in a child process (so that peak memory is the build's own) and
reports wall time and the child's peak RSS; the median and the spread are printed. As a baseline
measured in the same run, the child also times reading the raw CSV files with pandas alone, so the
ratio says how much the validation, merge, Elo and DuckDB writing add to plain parsing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
import pandas as pd
from heartbreak.config import data_dir
from heartbreak.data.sources import NEEDED_SOURCES
from heartbreak.build import build_store

root = data_dir()
start = time.perf_counter()
for source in NEEDED_SOURCES:
    pd.read_csv(root / source.path, dtype=str, keep_default_na=False)
parse = time.perf_counter() - start
start = time.perf_counter()
report = build_store(root, Path(sys.argv[1]))
build = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"build_s": build, "parse_s": parse, "peak_mib": peak, "counts": report.counts}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    results = []
    for run in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            out = subprocess.run(
                [sys.executable, "-c", CHILD, os.path.join(tmp, f"run{run}.duckdb")],
                check=True,
                capture_output=True,
                text=True,
            )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    build = [r["build_s"] for r in results]
    parse = [r["parse_s"] for r in results]
    peak = [r["peak_mib"] for r in results]
    print(f"runs: {args.runs}")
    mid = statistics.median(build)
    print(f"full build: median {mid:.2f} s (min {min(build):.2f}, max {max(build):.2f})")
    print(f"baseline, pandas parse of the same CSVs: median {statistics.median(parse):.2f} s")
    print(f"ratio build / parse: {statistics.median(build) / statistics.median(parse):.1f}x")
    print(f"peak RSS of a build: median {statistics.median(peak):.0f} MiB (max {max(peak):.0f})")
    print("rows:", json.dumps(results[-1]["counts"]))


if __name__ == "__main__":
    main()
