"""Walk-forward evaluation of in-play probabilities at fixed checkpoints.

Held-out matches: complete timelines dated in ``[date_from, date_to)``, by default only those of
well-recorded competitions (:func:`heartbreak.model.fit.well_recorded`): whether a single
match's goal list is complete depends on its score (a 0-0 always is), which would skew the held-
out set toward few goals and draws; ``selection="complete"`` keeps every complete timeline. For
each match and each checkpoint minute ``c`` the state is read off the record (score and players
sent off at the end of minute ``c``; ``45`` is half-time, with every first-half goal; ``90`` is
the end of the 90th minute, evaluated only for matches whose stoppage-time goals are labelled as
such, i.e. World Cup matches). Forecasts are of the result after 90 minutes plus stoppage
(three-way) and, for knockouts, of going through.

Compared in the same run, on the same states:

- ``model``: the in-play engine with its parameters;
- ``constant_poisson``: the same pre-match goal rates spread evenly over 90 minutes, no stoppage,
  no red cards, extra time at the same rate and a coin-toss shootout (the naive in-play model);
- ``lookup``: outcome frequencies by checkpoint, goal difference (−3…+3) and rating-difference
  bucket, counted on the training matches (dated before ``date_from``), with a Dirichlet prior of
  weight 1 toward the checkpoint × goal-difference frequencies (so that no cell gives 0).

Scores per checkpoint: sample count, mean RPS and log loss of the three-way forecast, Brier score
and expected calibration error (10 equal-width bins) of P(home win); for knockout states also
Brier score and log loss of P(home goes through).

Nothing here reads the future: ratings going into a match come from earlier matches, the goal
model and in-play parameters are fitted before ``date_from`` (the caller's responsibility; see
:mod:`heartbreak.model.fit`), and the lookup table counts only training matches.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from heartbreak.evaluation.scoring import (
    brier_score,
    expected_calibration_error,
    log_loss,
    outcome_code,
    ranked_probability_score,
    reliability_table,
)
from heartbreak.model.fit import well_recorded
from heartbreak.model.grid import ScoreGrid
from heartbreak.model.inplay import FIRST_HALF, SECOND_HALF, InPlayModel, StateBatch
from heartbreak.model.prematch import PrematchModel

CHECKPOINTS = (0, 15, 30, 45, 60, 75, 85, 89, 90)
RATING_EDGES = np.array([-300.0, -200.0, -100.0, -50.0, 0.0, 50.0, 100.0, 200.0, 300.0])
FORECASTERS = ("model", "constant_poisson", "lookup")
HOME_ADVANTAGE = 100.0


def checkpoint_states(
    matches: pd.DataFrame, goals: pd.DataFrame, reds: pd.DataFrame, checkpoints=CHECKPOINTS
) -> pd.DataFrame:
    """One row per (match, checkpoint): the state read off the record and the outcomes.

    ``matches`` must have complete timelines. Columns: match_id, checkpoint, home_goals,
    away_goals, home_reds, away_reds, outcome (0/1/2 after 90'), advanced_home (knockouts: 1.0
    or 0.0; NaN otherwise), plus the match columns elo_home, elo_away, neutral, knockout.
    """
    ids = matches["match_id"].to_numpy()
    g = goals[goals["match_id"].isin(ids)]
    r = reds[reds["match_id"].isin(ids)]
    exact = set(matches.loc[matches["source"] == "international+worldcup", "match_id"])
    regulation = g[g["period"].isin(["first_half", "second_half"])]
    reg_home = regulation[regulation["side"] == "home"].groupby("match_id").size()
    reg_away = regulation[regulation["side"] == "away"].groupby("match_id").size()
    base = matches[["match_id", "elo_home", "elo_away", "neutral", "knockout", "winner", "home"]]
    base = base.set_index("match_id")
    rh = reg_home.reindex(base.index, fill_value=0).to_numpy()
    ra = reg_away.reindex(base.index, fill_value=0).to_numpy()
    outcome = outcome_code(rh, ra)
    advanced = np.where(base["knockout"], (base["winner"] == base["home"]).astype(float), np.nan)
    advanced = np.where(base["knockout"] & base["winner"].isna(), np.nan, advanced)

    rows = []
    for c in checkpoints:
        gc = _before(g, c)
        rc = _before(r, c)
        frame = pd.DataFrame(index=base.index)
        frame["checkpoint"] = c
        frame["home_goals"] = gc[gc["side"] == "home"].groupby("match_id").size()
        frame["away_goals"] = gc[gc["side"] == "away"].groupby("match_id").size()
        frame["home_reds"] = rc[rc["side"] == "home"].groupby("match_id").size()
        frame["away_reds"] = rc[rc["side"] == "away"].groupby("match_id").size()
        frame = frame.fillna(0)
        frame["outcome"] = outcome
        frame["advanced_home"] = advanced
        if c >= 90:
            frame = frame[frame.index.isin(exact)]
        rows.append(frame)
    out = pd.concat(rows).reset_index()
    out = out.merge(
        base[["elo_home", "elo_away", "neutral", "knockout"]].reset_index(), on="match_id"
    )
    for col in ("home_goals", "away_goals", "home_reds", "away_reds"):
        out[col] = out[col].astype(int)
    return out


def _before(events: pd.DataFrame, c: int) -> pd.DataFrame:
    """Events that happened by the end of minute ``c`` (``45``: the whole first half)."""
    first = events["period"] == "first_half"
    second = events["period"] == "second_half"
    minute = events["minute"]
    stoppage = events["stoppage"].fillna(0)
    if c < 45:
        keep = first & (minute <= c) & (stoppage == 0) & (minute < 45)
    elif c == 45:
        keep = first
    else:
        keep = first | (second & (minute <= c) & ((minute < 90) | (stoppage == 0)))
    return events[keep]


def engine_states(states: pd.DataFrame) -> StateBatch:
    c = states["checkpoint"].to_numpy()
    return StateBatch(
        period=np.where(c < 45, FIRST_HALF, SECOND_HALF),
        minute=c.astype(float),
        stoppage=np.zeros(len(c)),
        home_goals=states["home_goals"].to_numpy(),
        away_goals=states["away_goals"].to_numpy(),
        home_reds=states["home_reds"].to_numpy(),
        away_reds=states["away_reds"].to_numpy(),
        knockout=states["knockout"].to_numpy(dtype=bool),
    )


def constant_poisson(states: pd.DataFrame, lam_h: np.ndarray, lam_a: np.ndarray) -> np.ndarray:
    """Baseline (a): (n, 4) home/draw/away/advance from evenly spread pre-match rates."""
    left = (90.0 - states["checkpoint"].to_numpy(dtype=float)).clip(0) / 90.0
    grid = ScoreGrid.from_rates(
        lam_h * left, lam_a * left, states["home_goals"], states["away_goals"]
    )
    home, draw, away = grid.outcome_probabilities()
    extra = ScoreGrid.from_rates(lam_h / 3.0, lam_a / 3.0).p_home_advance(0.5)
    return np.column_stack([home, draw, away, home + draw * extra])


def rating_difference(frame: pd.DataFrame) -> np.ndarray:
    home = np.where(frame["neutral"].to_numpy(dtype=bool), 0.0, HOME_ADVANTAGE)
    return frame["elo_home"].to_numpy(float) - frame["elo_away"].to_numpy(float) + home


@dataclass
class LookupTable:
    """Baseline (b): empirical outcome frequencies by checkpoint, goal difference and rating
    bucket, with a Dirichlet prior toward the checkpoint × goal-difference frequencies."""

    prior_weight: float = 1.0

    def fit(self, states: pd.DataFrame) -> LookupTable:
        keys = self._keys(states)
        onehot = np.eye(3)[states["outcome"].to_numpy()]
        frame = pd.DataFrame(onehot, columns=["h", "d", "a"])
        frame[["c", "gd", "rb"]] = keys
        self.cells_ = frame.groupby(["c", "gd", "rb"])[["h", "d", "a"]].sum()
        margins = frame.groupby(["c", "gd"])[["h", "d", "a"]].sum()
        overall = frame[["h", "d", "a"]].sum()
        # The margin itself gets a small prior toward the overall frequencies.
        margins = margins + overall.to_numpy() / overall.sum()
        self.margins_ = margins.div(margins.sum(axis=1), axis=0)
        return self

    @staticmethod
    def _keys(states: pd.DataFrame) -> np.ndarray:
        gd = np.clip(states["home_goals"] - states["away_goals"], -3, 3).to_numpy()
        rb = np.searchsorted(RATING_EDGES, rating_difference(states))
        return np.column_stack([states["checkpoint"].to_numpy(), gd, rb])

    def predict(self, states: pd.DataFrame) -> np.ndarray:
        keys = pd.MultiIndex.from_arrays(self._keys(states).T, names=["c", "gd", "rb"])
        counts = self.cells_.reindex(keys).fillna(0.0).to_numpy().copy()
        margin_keys = pd.MultiIndex.from_arrays(self._keys(states)[:, :2].T, names=["c", "gd"])
        prior = self.margins_.reindex(margin_keys).to_numpy().copy()
        missing = np.isnan(prior).any(axis=1)
        prior[missing] = 1.0 / 3.0
        probs = counts + self.prior_weight * prior
        probs = probs / probs.sum(axis=1, keepdims=True)
        return np.column_stack([probs, probs[:, 0] + probs[:, 1] * 0.5])


def evaluate_inplay(
    matches: pd.DataFrame,
    goals: pd.DataFrame,
    reds: pd.DataFrame,
    prematch: PrematchModel,
    inplay: InPlayModel,
    date_from: str = "2019-07-01",
    date_to: str | None = None,
    checkpoints=CHECKPOINTS,
    selection: str = "well_recorded",
) -> dict:
    """Score the model and both baselines; returns every number as plain data."""
    dates = pd.to_datetime(matches["date"])
    if selection == "well_recorded":
        complete = well_recorded(matches).to_numpy(dtype=bool)
    elif selection == "complete":
        complete = matches["timeline_complete"].to_numpy(dtype=bool)
    else:
        raise ValueError(f"selection: {selection!r} is not 'well_recorded' or 'complete'")
    test_mask = complete & (dates >= date_from).to_numpy()
    if date_to is not None:
        test_mask &= (dates < date_to).to_numpy()
    train_mask = complete & (dates < date_from).to_numpy()
    test = checkpoint_states(matches[test_mask], goals, reds, checkpoints)
    train = checkpoint_states(matches[train_mask], goals, reds, checkpoints)

    lam_h, lam_a = prematch.expected_goals(test["elo_home"], test["elo_away"], test["neutral"])
    out = inplay.evaluate(lam_h, lam_a, engine_states(test), with_suspense=False)
    forecasts = {
        "model": np.column_stack([out.p_home_win, out.p_draw, out.p_away_win, out.p_home_advance]),
        "constant_poisson": constant_poisson(test, lam_h, lam_a),
        "lookup": LookupTable().fit(train).predict(test),
    }
    results: dict = {
        "date_from": date_from,
        "date_to": date_to,
        "selection": selection,
        "matches": int(test_mask.sum()),
        "training_matches": int(train_mask.sum()),
        "checkpoints": [],
    }
    outcome = test["outcome"].to_numpy()
    home_won = (outcome == 0).astype(float)
    checkpoint = test["checkpoint"].to_numpy()
    advanced = test["advanced_home"].to_numpy(dtype=float)
    for c in checkpoints:
        rows = checkpoint == c
        if not rows.any():
            continue
        entry = {"checkpoint": c, "n": int(rows.sum()), "n_knockout": 0, "forecasters": {}}
        ko = rows & ~np.isnan(advanced)
        entry["n_knockout"] = int(ko.sum())
        for name, probs in forecasts.items():
            p3 = probs[rows, :3]
            scores = {
                "rps": float(ranked_probability_score(p3, outcome[rows]).mean()),
                "log_loss": float(log_loss(p3, outcome[rows]).mean()),
                "brier_home_win": float(brier_score(p3[:, 0], home_won[rows]).mean()),
                "ece_home_win": expected_calibration_error(p3[:, 0], home_won[rows]),
                "reliability": reliability_table(p3[:, 0], home_won[rows]).tolist(),
            }
            if ko.any():
                p_adv = np.clip(probs[ko, 3], 1e-15, 1 - 1e-15)
                y = advanced[ko]
                scores["brier_advance"] = float(brier_score(p_adv, y).mean())
                scores["log_loss_advance"] = float(
                    -(y * np.log(p_adv) + (1 - y) * np.log(1 - p_adv)).mean()
                )
            entry["forecasters"][name] = scores
        results["checkpoints"].append(entry)
    return results
