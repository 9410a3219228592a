"""Elo-anchored team strengths: how much a per-team attack and defence adds to the Elo goal model.

Run: HEARTBREAK_DATA_DIR=../shared/data python bench/prematch_team_strengths.py
     [--years 8] [--xi 0.0005] [--ridge 0.5] [--rho -0.1] [--test]

For each edition of the six majors (matches of one competition with no gap over 90 days), the
goal model is fitted on the internationals of the ``--years`` before its first day, each match
weighted by exp(−ξ·age in days) (the time weighting of Dixon & Coles 1997, section 4.5):

    log λ_home = α + β·x + γ_h·h + γ_host·h·f + δ·f + attack[home] + defence[away]
    log λ_away = α − β·x + γ_a·h + γ'_host·h·f + δ·f + attack[away] + defence[home]

with x the Elo difference / 400 (the store's pre-match ratings), h = 1 at home, f = 1 in a final
tournament (a major, or a World Cup of any kind but its qualifiers), and a ridge penalty
½·ridge·Σ(attack² + defence²) that shrinks every team towards its Elo rate (a team with few
matches stays at it). Poisson likelihood, maximised by L-BFGS-B with the exact gradient; the
Dixon–Coles ρ is fixed (``--rho``). The edition's matches are then forecast with each match's own
pre-match ratings and the strengths as of the first day. Rows: the model without the team terms
(the Elo goal model with host and final-tournament terms) and with them.

Choose the settings on the validation editions (1994–2009, the default); ``--test`` scores the
2010–2026 editions (the majors set of bench/prematch_peers.py, where penaltyblog's Dixon–Coles
scores RPS 0.1815, log loss 0.9470 overall and 0.1838, 0.9418 at the World Cup).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from heartbreak.evaluation.prematch import MAJOR_TOURNAMENTS, regulation_outcome
from heartbreak.evaluation.scoring import log_loss, ranked_probability_score
from heartbreak.model.grid import ScoreGrid
from heartbreak.services import Heartbreak


class Data:
    """The rated matches as arrays: features of the two rates, goals, team indices."""

    def __init__(self, matches: pd.DataFrame) -> None:
        real = matches[(matches["source"] != "user") & matches["elo_home"].notna()]
        m = real.sort_values(["date", "match_id"])
        m = m.reset_index(drop=True)
        m["date"] = pd.to_datetime(m["date"])
        self.m = m
        comp = m["competition"]
        self.major = comp.isin(MAJOR_TOURNAMENTS).to_numpy()
        world_cup = (
            comp.str.contains("World Cup") & ~comp.str.contains("qualification")
        ).to_numpy()
        final = (self.major | world_cup).astype(float)
        x = ((m["elo_home"] - m["elo_away"]) / 400.0).to_numpy(float)
        h = 1.0 - m["neutral"].to_numpy(float)
        zero, one = np.zeros(len(m)), np.ones(len(m))
        self.xh = np.column_stack([one, x, h, zero, h * final, zero, final])
        self.xa = np.column_stack([one, -x, zero, h, zero, h * final, final])
        self.gh = m["home_score"].to_numpy(float)
        self.ga = m["away_score"].to_numpy(float)
        self.outcome = regulation_outcome(m)
        teams = pd.Index(sorted(set(m["home"]) | set(m["away"])))
        self.hi, self.ai = teams.get_indexer(m["home"]), teams.get_indexer(m["away"])
        self.n_teams = len(teams)

    def editions(self, mask: np.ndarray) -> list[np.ndarray]:
        out = []
        sub = self.m[mask]
        for _, group in sub.groupby("competition"):
            days = group["date"].sort_values()
            label = (days.diff().dt.days.fillna(999) > 90).cumsum()
            for _, rows in group.groupby(label.reindex(group.index)):
                out.append(rows.index.to_numpy())
        return out


def fit(d: Data, rows: np.ndarray, w: np.ndarray, ridge: float, teams: bool) -> np.ndarray:
    k, nt = d.xh.shape[1], d.n_teams
    xh, xa, gh, ga, hi, ai = d.xh[rows], d.xa[rows], d.gh[rows], d.ga[rows], d.hi[rows], d.ai[rows]

    def objective(p: np.ndarray) -> tuple[float, np.ndarray]:
        theta, attack, defence = p[:k], p[k : k + nt], p[k + nt :]
        eh, ea = xh @ theta, xa @ theta
        if teams:
            eh = eh + attack[hi] + defence[ai]
            ea = ea + attack[ai] + defence[hi]
        lh, la = np.exp(eh), np.exp(ea)
        rh, ra = w * (lh - gh), w * (la - ga)
        penalty = 0.5 * ridge * (attack @ attack + defence @ defence)
        value = float((w * (lh - gh * eh + la - ga * ea)).sum() + penalty)
        grad = np.zeros_like(p)
        grad[:k] = xh.T @ rh + xa.T @ ra
        if teams:
            grad[k : k + nt] = np.bincount(hi, rh, nt) + np.bincount(ai, ra, nt) + ridge * attack
            grad[k + nt :] = np.bincount(ai, rh, nt) + np.bincount(hi, ra, nt) + ridge * defence
        return value, grad

    start = np.zeros(k + 2 * nt)
    start[1] = 1.0
    return minimize(objective, start, jac=True, method="L-BFGS-B", options={"maxiter": 2000}).x


def forecast(d: Data, p: np.ndarray, rows: np.ndarray, rho: float, teams: bool) -> np.ndarray:
    k, nt = d.xh.shape[1], d.n_teams
    theta, attack, defence = p[:k], p[k : k + nt], p[k + nt :]
    eh, ea = d.xh[rows] @ theta, d.xa[rows] @ theta
    if teams:
        eh = eh + attack[d.hi[rows]] + defence[d.ai[rows]]
        ea = ea + attack[d.ai[rows]] + defence[d.hi[rows]]
    grid = ScoreGrid.from_rates(np.exp(eh), np.exp(ea), rho=rho)
    return np.column_stack(grid.outcome_probabilities())


def score(d: Data, mask: np.ndarray, args, teams: bool) -> dict[str, float]:
    probs = np.zeros((len(d.m), 3))
    scored = []
    for rows in d.editions(mask):
        first = d.m["date"].iloc[rows].min()
        dates = d.m["date"]
        window = (dates < first) & (dates >= first - pd.DateOffset(years=args.years))
        train = np.flatnonzero(window.to_numpy())
        w = np.exp(-args.xi * (first - dates.iloc[train]).dt.days.to_numpy(float))
        probs[rows] = forecast(d, fit(d, train, w, args.ridge, teams), rows, args.rho, teams)
        scored.append(rows)
    rows = np.concatenate(scored)
    wc = rows[(d.m["competition"].iloc[rows] == "FIFA World Cup").to_numpy()]
    out = {"n": len(rows)}
    for name, r in (("all", rows), ("world_cup", wc)):
        out[f"{name}_rps"] = float(ranked_probability_score(probs[r], d.outcome[r]).mean())
        out[f"{name}_log_loss"] = float(log_loss(probs[r], d.outcome[r]).mean())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=8)
    parser.add_argument("--xi", type=float, default=0.0005)
    parser.add_argument("--ridge", type=float, default=0.5)
    parser.add_argument("--rho", type=float, default=-0.1)
    parser.add_argument("--test", action="store_true", help="score 2010-2026 (not for tuning)")
    args = parser.parse_args()
    d = Data(Heartbreak().store.matches())
    dates = d.m["date"]
    if args.test:
        mask = d.major & (dates >= "2010-06-01").to_numpy()
    else:
        mask = d.major & (dates >= "1994-06-01").to_numpy() & (dates < "2010-01-01").to_numpy()
    print(f"{'test' if args.test else 'validation'} editions; {vars(args)}")
    for teams in (False, True):
        started = time.perf_counter()
        s = score(d, mask, args, teams)
        label = "Elo + host + final + team strengths" if teams else "Elo + host + final"
        print(
            f"{label:<38} n={s['n']} RPS {s['all_rps']:.4f} log loss {s['all_log_loss']:.4f} | "
            f"World Cup RPS {s['world_cup_rps']:.4f} log loss {s['world_cup_log_loss']:.4f} "
            f"({time.perf_counter() - started:.0f} s)"
        )


if __name__ == "__main__":
    main()
