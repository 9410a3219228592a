"""Tournament simulation speed and memory: 100,000 simulated tournaments of an edition.

Run: HEARTBREAK_DATA_DIR=../shared/data python bench/tournament_sim.py [--edition "World Cup" 2026]
     [--sims 100000] [--runs 3]

Measures, in one process, the median over ``--runs`` of the time of one forecast of the
edition from its first day (every match simulated) and, as the baseline of the same run, of a
forecast with 1,000 simulations (the fixed cost: building the model's grids, ranking); and the
peak memory the process reached (ru_maxrss) before and after. The forecast's target: 100,000
simulated 2026 World Cups (104 matches) in at most 2 s on this machine.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time

from heartbreak.services import Heartbreak


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edition", nargs=2, default=["World Cup", "2026"])
    parser.add_argument("--sims", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    competition, year = args.edition[0], int(args.edition[1])
    session = Heartbreak()
    edition = session.edition(competition, year)
    session.tournament(competition, year, simulations=100)  # store, editions, model: warm
    before = peak_rss_mib()

    def timed(sims: int) -> float:
        started = time.perf_counter()
        session.tournament(competition, year, simulations=sims, seed=1)
        return time.perf_counter() - started

    small = statistics.median(timed(1_000) for _ in range(args.runs))
    big = statistics.median(timed(args.sims) for _ in range(args.runs))
    matches = len(edition.fixtures)
    print(f"{edition.label}: {matches} matches, {len(edition.teams)} teams")
    print(f"1,000 simulations: {small:.3f} s (median of {args.runs})")
    print(f"{args.sims:,} simulations: {big:.3f} s (median of {args.runs}), {big / small:.1f}x")
    print(f"per simulated tournament: {big / args.sims * 1e6:.1f} µs")
    print(f"peak memory: {before:.0f} MiB before, {peak_rss_mib():.0f} MiB after")


if __name__ == "__main__":
    main()
