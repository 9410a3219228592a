"""Walk-forward accuracy of P(going through from the group), before matchdays 1, 2 and 3.

Run: HEARTBREAK_DATA_DIR=../shared/data python bench/group_advance_accuracy.py [--sims 2000]
     [--bootstrap 2000]

For every group of the World Cups 1998–2022 and the Euros 1996–2024, and each of its three
matchdays, the tournament forecast (:mod:`heartbreak.tournaments.forecast`) is made at the
start of the day of the group's first match of that matchday: the results of earlier days are
known, the ratings are those before that day (only earlier matches count). Each team's chance
of going through is scored against whether it did (it played the first knockout round).

The baseline, scored on the same forecasts in the same run, is the edition's share of teams
that go through (16 of 32, 16 of 24), the same for every team: the forecast a user makes with
no information. Brier score and log loss (chances clipped to [0.001, 0.999] so that a certain
forecast that is wrong costs a finite amount), per matchday and competition, with a paired
bootstrap 95% interval of the Brier difference, resampling groups.

The goal model's parameters were fitted on matches before 2019-07-01, so the editions before
then are inside its training window (the ratings are walk-forward everywhere); the World Cup
2022 and the Euros 2020 and 2024 are held out.
"""

from __future__ import annotations

import argparse
from collections import defaultdict

import numpy as np

from heartbreak.services import Heartbreak
from heartbreak.tournaments.forecast import forecast

EDITIONS = [("World Cup", y) for y in range(1998, 2023, 4)] + [
    ("Euro", y) for y in (1996, 2000, 2004, 2008, 2012, 2016, 2020, 2024)
]
CLIP = 1e-3


def matchdays(group) -> dict[int, object]:
    """The day of the group's first match of each matchday (a team's 1st, 2nd, 3rd match)."""
    played: dict[str, int] = defaultdict(int)
    first: dict[int, object] = {}
    for f in sorted(group.matches, key=lambda f: (f.start, f.match_id)):
        k = max(played[f.home], played[f.away]) + 1
        first.setdefault(k, f.date)
        played[f.home] += 1
        played[f.away] += 1
    return first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", type=int, default=2_000)
    parser.add_argument("--bootstrap", type=int, default=2_000)
    args = parser.parse_args()
    session = Heartbreak()
    rows = []  # (competition, matchday, group key, p, base, went through)
    cache: dict = {}
    for competition, year in EDITIONS:
        edition = session.edition(competition, year)
        through = edition.first_knockout_teams()
        first_stage = edition.group_stages[0]
        base = len(through) / sum(len(g.teams) for g in first_stage.groups)
        for group in first_stage.groups:
            for k, day in matchdays(group).items():
                if k > 3:
                    continue
                key = (edition.label, day)
                if key not in cache:
                    strengths = session.tournament_strengths(edition, day)
                    cache[key] = forecast(edition, day, strengths, args.sims, seed=0)
                result = cache[key]
                for team in group.teams:
                    rows.append(
                        (
                            edition.competition,
                            k,
                            f"{edition.label} {group.name}",
                            result.p_advance[team],
                            base,
                            float(team in through),
                        )
                    )
    rng = np.random.default_rng(0)
    print(f"{len(EDITIONS)} editions, {len(rows)} team-matchdays, {args.sims:,} simulations each")
    header = (
        f"{'competition':<16}{'matchday':>9}{'n':>6}{'Brier':>9}{'base':>8}"
        f"{'log loss':>10}{'base':>8}   Brier diff 95% CI"
    )
    print(header)
    for competition in ("FIFA World Cup", "UEFA Euro", "both"):
        for k in (1, 2, 3):
            part = [r for r in rows if r[1] == k and (competition == "both" or r[0] == competition)]
            p = np.clip([r[3] for r in part], CLIP, 1 - CLIP)
            b = np.clip([r[4] for r in part], CLIP, 1 - CLIP)
            y = np.array([r[5] for r in part])
            brier_m, brier_b = (p - y) ** 2, (b - y) ** 2
            ll_m = -(y * np.log(p) + (1 - y) * np.log(1 - p))
            ll_b = -(y * np.log(b) + (1 - y) * np.log(1 - b))
            groups = sorted({r[2] for r in part})
            index = {g: [i for i, r in enumerate(part) if r[2] == g] for g in groups}
            diffs = []
            for _ in range(args.bootstrap):
                chosen = rng.choice(len(groups), len(groups))
                ids = np.concatenate([index[groups[c]] for c in chosen])
                diffs.append(brier_m[ids].mean() - brier_b[ids].mean())
            lo, hi = np.percentile(diffs, [2.5, 97.5])
            print(
                f"{competition:<16}{k:>9}{len(part):>6}{brier_m.mean():>9.4f}{brier_b.mean():>8.4f}"
                f"{ll_m.mean():>10.4f}{ll_b.mean():>8.4f}   [{lo:+.4f}, {hi:+.4f}]"
            )


if __name__ == "__main__":
    main()
