"""HTTP API throughput: replays (``GET /api/matches/{id}``) against ``GET /api/health``, over
real HTTP on loopback.

Run: HEARTBREAK_DATA_DIR=../shared/data python bench/api_throughput.py [--seconds 5]
     [--concurrency 8] [--runs 3] [--db PATH] [--ids 41696,37932] [--sample 20] [--seed 20180702]

Starts ``heartbreak serve --db <store> --port <a free port>`` in a child process (the store is
``--db``, else ``$HEARTBREAK_DB`` or the default one, built first when missing), waits until it
answers, warms it up, then drives it for ``--seconds`` at a time with ``--concurrency`` clients
(one ``httpx.AsyncClient``, keep-alive connections) in three modes:

- health: ``GET /api/health``, the baseline: what the server, HTTP and this client cost by
  themselves, measured in the same run since the machine is noisy;
- hot: ``GET /api/matches/{id}`` on one match again and again (Belgium v Japan, 2018, or the
  first of ``--ids``);
- spread: ``GET /api/matches/{id}`` round the list of well-known complete matches (or ``--ids``)
  plus ``--sample`` other complete matches drawn with ``--seed``;
- cold: ``GET /api/matches/{id}`` on complete matches never asked for before in the run (drawn
  with ``--seed``), so that every request computes its replay: the server keeps the replays it
  served (``heartbreak.api.routes.REPLAY_CACHE_SIZE``), which the hot and spread modes measure.

The three modes take turns within each of ``--runs`` runs, so that drift hits them alike. For
each mode: the median over runs of requests/s, of the median, p95 and p99 latency, and of the
ratio of requests/s to the health baseline of the same run; errors (failed or not 200) are
summed over runs. The client runs on the same machine as the server and shares its cores.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import numpy as np

from heartbreak.services import Heartbreak

#: Well-known matches with a complete timeline (home, away, date); Belgium v Japan first.
WELL_KNOWN = [
    ("Belgium", "Japan", "2018-07-02"),
    ("Brazil", "Germany", "2014-07-08"),
    ("Argentina", "France", "2022-12-18"),
    ("Portugal", "England", "2004-06-24"),
    ("Italy", "Germany", "2006-07-04"),
    ("Italy", "West Germany", "1970-06-17"),
    ("Netherlands", "Argentina", "1998-07-04"),
    ("Spain", "Netherlands", "2010-07-11"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pick_matches(
    db: str | None, ids: str | None, sample: int, seed: int
) -> tuple[Path, list[int], list[int]]:
    """The store's path (built when missing), the match ids of the spread (hot one first) and
    a shuffled pool of the other complete matches for the cold mode."""
    session = Heartbreak(db=db)
    try:
        if ids:
            chosen = [int(i) for i in ids.split(",") if i.strip()]
        else:
            chosen = [session.find_match(*match) for match in WELL_KNOWN]
        frame = session.store.matches(timeline_complete=True)
        rest = frame[~frame["match_id"].isin(chosen)]
        shuffled = rest.sample(frac=1.0, random_state=seed)["match_id"].astype(int).tolist()
        chosen += shuffled[:sample]
        return Path(session.store.path), [int(i) for i in chosen], shuffled[sample:]
    finally:
        session.store.close()


@contextmanager
def serve(db: Path, timeout: float = 120.0) -> Iterator[str]:
    """``heartbreak serve`` in a child process, answering on a free loopback port: its URL.
    The server's log goes to a temporary file, shown if it does not start."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "heartbreak", "serve", "--db", str(db), "--port", str(port)]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    tail = log.read().decode(errors="replace")[-2000:]
                    raise SystemExit(f"the server did not start within {timeout:.0f} s:\n{tail}")
                time.sleep(0.2)
            yield url
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


async def drive(url: str, paths: list[str], seconds: float, concurrency: int) -> dict:
    """``concurrency`` clients sending GETs round ``paths`` for ``seconds``."""
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:

        async def worker(first: int) -> None:
            nonlocal errors
            i = first
            while time.perf_counter() < end:
                path = paths[i % len(paths)]
                i += concurrency
                start = time.perf_counter()
                try:
                    response = await client.get(path)
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append(time.perf_counter() - start)
                errors += not ok

        begin = time.perf_counter()
        end = begin + seconds
        await asyncio.gather(*(worker(k) for k in range(concurrency)))
        elapsed = time.perf_counter() - begin
    ms = np.asarray(latencies) * 1000
    return {
        "rps": len(latencies) / elapsed,
        "p50": float(np.percentile(ms, 50)),
        "p95": float(np.percentile(ms, 95)),
        "p99": float(np.percentile(ms, 99)),
        "errors": errors,
        "requests": len(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0, help="Length of each measurement.")
    parser.add_argument("--concurrency", type=int, default=8, help="Concurrent clients.")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--db", default=None, help="Store (default: $HEARTBREAK_DB or default).")
    parser.add_argument("--ids", default=None, help="Comma-separated match ids for the spread.")
    parser.add_argument("--sample", type=int, default=20, help="Random complete matches added.")
    parser.add_argument("--seed", type=int, default=20180702)
    args = parser.parse_args()

    db, ids, pool = pick_matches(args.db, args.ids, args.sample, args.seed)
    cold = iter(f"/api/matches/{i}" for i in pool)
    per_run = len(pool) // (args.runs + 1)  # more than a run can ask for: no id twice
    modes = {
        "health": ["/api/health"],
        "hot": [f"/api/matches/{ids[0]}"],
        "spread": [f"/api/matches/{i}" for i in ids],
        "cold": [],
    }
    results: dict[str, list[dict]] = {mode: [] for mode in modes}
    with serve(db) as url:
        size = len(httpx.get(f"{url}{modes['hot'][0]}", timeout=60).content)
        for paths in modes.values():  # warm-up: the session's lazy loads, the first replays
            if paths:
                asyncio.run(drive(url, paths, min(2.0, args.seconds), args.concurrency))
        for run in range(args.runs):
            for mode, paths in modes.items():
                if mode == "cold":
                    paths = [next(cold) for _ in range(per_run)]
                result = asyncio.run(drive(url, paths, args.seconds, args.concurrency))
                results[mode].append(result)
                result["ratio"] = result["rps"] / results["health"][-1]["rps"]
                print(
                    f"run {run + 1} {mode:>6}: {result['rps']:8.1f} req/s, "
                    f"p50 {result['p50']:7.1f} ms, {result['errors']} errors",
                    file=sys.stderr,
                )

    print(
        f"store {db}; hot match {ids[0]} ({size / 1024:.0f} KiB of JSON); spread of {len(ids)} "
        f"matches; concurrency {args.concurrency}, {args.seconds:g} s x {args.runs} runs (medians)"
    )
    print(
        f"{'mode':<8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'vs health':>11}{'errors':>8}{'requests':>10}"
    )
    for mode, runs in results.items():

        def med(key: str, runs: list[dict] = runs) -> float:
            return statistics.median(r[key] for r in runs)

        print(
            f"{mode:<8}{med('rps'):9.1f}{med('p50'):9.1f}{med('p95'):9.1f}{med('p99'):9.1f}"
            f"{med('ratio'):10.3f}x{sum(r['errors'] for r in runs):8d}"
            f"{sum(r['requests'] for r in runs):10d}"
        )


if __name__ == "__main__":
    main()
