"""Group stakes: the cost of replaying a group match for its stakes, and the noise of the
simulations of a group's later matches.

Run: HEARTBREAK_DATA_DIR=../shared/data python bench/group_stakes.py [--runs 5] [--sample 60]

1. **Final-round replays with the simultaneous match**: for Japan–Poland 2018, Costa Rica–Germany
   2022 and South Korea–Portugal 2022, the median time of the stakes alone
   (:func:`heartbreak.tournaments.stakes.group_stakes`) against the match's own replay
   (:func:`heartbreak.model.replay.replay`) timed in the same process, as a ratio.
2. **Simulation noise**: for a seeded sample of group matches with later matches to simulate
   (matchdays 1 and 2), each side's chance of going through at every point with the default
   number of simulations against a reference of 4,000 simulations (other seeds): the RMS and the
   largest difference, over all points, and at kick-off.

The whole-history build with stakes is timed by bench/build_store.py.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

import numpy as np

from heartbreak.model.replay import replay
from heartbreak.services import Heartbreak
from heartbreak.tournaments import stakes as stakes_module
from heartbreak.tournaments.stakes import SIMULATIONS, group_stakes

FINAL_ROUND = (
    ("Japan", "Poland", "2018-06-28"),
    ("Costa Rica", "Germany", "2022-12-01"),
    ("South Korea", "Portugal", "2022-12-02"),
)


def situation_and_path(hb: Heartbreak, match_id: int):
    """The situation (as the replays build it) and the path of a stored group match."""
    gs = hb._group_stakes
    match = hb.store.match(match_id)
    row = hb.store.match_row(match_id)
    pre = hb.prediction_of(match.info, float(row["elo_home"]), float(row["elo_away"]))
    path = replay(match, pre.expected_goals_home, pre.expected_goals_away, hb.inplay)
    captured = []

    def capture(jobs, paths):
        captured.extend(jobs)
        return [None] * len(jobs)

    original = gs._run
    gs._run = capture
    try:
        gs([match], [path])
    finally:
        gs._run = original
    (_, situation) = captured[0]
    return situation, path, match, pre


def time_final_round(hb: Heartbreak, runs: int) -> None:
    print("final-round group matches, stakes with the simultaneous match (median of runs):")
    for home, away, date in FINAL_ROUND:
        match_id = hb.find_match(home, away, date)
        situation, path, match, pre = situation_and_path(hb, match_id)
        lam = (pre.expected_goals_home, pre.expected_goals_away)
        base, staked = [], []
        for _ in range(runs):
            t = time.perf_counter()
            replay(match, *lam, hb.inplay)
            base.append(time.perf_counter() - t)
            t = time.perf_counter()
            group_stakes(situation, path, hb.inplay)
            staked.append(time.perf_counter() - t)
        b, s = statistics.median(base), statistics.median(staked)
        print(
            f"  {home} v {away} {date}: replay {b * 1000:.1f} ms, stakes {s * 1000:.1f} ms "
            f"({s / b:.1f}x the replay; {len(situation.live)} matches followed)"
        )


def simulation_noise(hb: Heartbreak, sample: int, seed: int) -> None:
    rng = random.Random(seed)
    candidates = []
    for edition in hb.editions:
        for stage in edition.group_stages:
            for group in stage.groups:
                last = group.last_round()
                candidates += [f.match_id for f in group.matches if f.match_id not in last]
    rng.shuffle(candidates)
    diffs, kickoff = [], []
    used = 0
    for match_id in candidates:
        if used >= sample:
            break
        if not hb.store.match(match_id).timeline_complete:
            continue
        situation, path, _, _ = situation_and_path(hb, match_id)
        got = group_stakes(situation, path, hb.inplay)
        reference = group_stakes(situation, path, hb.inplay, simulations=4_000, seed=match_id + 1)
        for side in ("home", "away"):
            a = getattr(got, f"p_{side}_qualify")
            b = getattr(reference, f"p_{side}_qualify")
            diffs.append(a - b)
            kickoff.append(a[0] - b[0])
        used += 1
    every = np.concatenate(diffs)
    start = np.asarray(kickoff)
    print(
        f"simulation noise, {SIMULATIONS} simulations against 4,000 ({used} matches of "
        f"matchdays 1-2, both sides, {len(every)} points):"
    )
    print(f"  every point: RMS {np.sqrt(np.mean(every**2)):.4f}, largest {np.abs(every).max():.4f}")
    print(f"  kick-off: RMS {np.sqrt(np.mean(start**2)):.4f}, largest {np.abs(start).max():.4f}")
    print(
        f"  (a binomial estimate of p = 0.5 from {SIMULATIONS} draws has standard error "
        f"{np.sqrt(0.25 / SIMULATIONS):.4f}; the row budget lowers the simulations of "
        f"simultaneous early-round matches to at least {stakes_module.MIN_SIMULATIONS})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sample", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    hb = Heartbreak()
    time_final_round(hb, args.runs)
    simulation_noise(hb, args.sample, args.seed)


if __name__ == "__main__":
    main()
