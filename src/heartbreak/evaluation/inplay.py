"""Walk-forward evaluation of in-play probabilities at fixed checkpoints.

Held-out matches: complete timelines dated in ``[date_from, date_to)`` (by default every match
from 2010-07-01 on), by default only those of well-recorded competitions
(:func:`heartbreak.model.fit.well_recorded`): whether a single match's goal list is complete
depends on its score (a 0-0 always is), which would skew the held-out set toward few goals and
draws; ``selection="complete"`` keeps every complete timeline. For each match and each
checkpoint minute ``c`` the state is read off the record (score and players sent off at the end
of minute ``c``; ``45`` is half-time, with every first-half goal; ``90`` is the end of the 90th
minute, evaluated only for matches whose stoppage-time goals are labelled as such, i.e. World
Cup matches). Forecasts are of the result after 90 minutes plus stoppage (three-way) and, for
knockouts, of going through.

Walk-forward: the range is cut into evaluation years, 1 July to 30 June (the football season,
so that a summer tournament is scored by a fit that has seen the season before it and none of
it). Each year is forecast by the models fitted on the matches before its first day
(``fit(first day)``, e.g. :func:`heartbreak.model.fit.fit_model` with that ``train_end``), and
the lookup table counts the selected matches before that day. The forecasts of all years are
pooled and then scored per checkpoint.

Compared in the same run, on the same states:

- ``model``: the in-play engine with its parameters;
- ``constant_poisson``: the same pre-match goal rates spread evenly over 90 minutes, no stoppage,
  no red cards, extra time at the same rate and a coin-toss shootout (the naive in-play model);
- ``lookup``: outcome frequencies by checkpoint, goal difference (−3…+3) and rating-difference
  bucket, counted on the training matches (dated before the evaluation year), with a Dirichlet
  prior of weight 1 toward the checkpoint × goal-difference frequencies (so that no cell gives
  0).

Every forecaster's pre-match goal rates come from ``PrematchModel.rates`` of the match rows.

Scores per checkpoint and forecaster (:func:`score_checkpoints`): sample count, mean RPS and log
loss of the three-way forecast, Brier score and expected calibration error (10 equal-width
bins) of P(home win), with the ECE noise floor of a perfectly calibrated forecaster on the same
forecasts; for knockout states also Brier score and log loss of P(home goes through); and the
paired bootstrap interval of each score's mean difference to ``constant_poisson``.

Nothing here reads the future: ratings going into a match come from earlier matches, the goal
model and in-play parameters are fitted before each evaluation year (see
:mod:`heartbreak.model.fit`), and the lookup table counts only earlier matches.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from heartbreak.evaluation.peers import SEED, paired_cluster_bootstrap
from heartbreak.evaluation.scoring import (
    brier_score,
    ece_noise_quantile,
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
#: The forecaster every other is compared with (paired bootstrap of the score differences).
REFERENCE = "constant_poisson"
#: The default held-out range starts here: every evaluation year since, refitted walk-forward.
WALK_FORWARD_FROM = "2010-07-01"
#: Bootstrap resamples of the differences, and outcome draws of the ECE noise floor.
RESAMPLES = 1_000
NOISE_DRAWS = 200
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


def _selected(matches: pd.DataFrame, selection: str) -> np.ndarray:
    if selection == "well_recorded":
        return well_recorded(matches).to_numpy(dtype=bool)
    if selection == "complete":
        return matches["timeline_complete"].to_numpy(dtype=bool)
    raise ValueError(f"selection: {selection!r} is not 'well_recorded' or 'complete'")


def evaluation_years(date_from: str, date_to: str) -> list[tuple[str, str]]:
    """``[date_from, date_to)`` cut at every 1 July inside it: the evaluation years (1 July to
    30 June, the football season; a range need not start or end on 1 July)."""
    start, end = dt.date.fromisoformat(date_from), dt.date.fromisoformat(date_to)
    cuts = [start]
    year = start.year if start < dt.date(start.year, 7, 1) else start.year + 1
    while dt.date(year, 7, 1) < end:
        cuts.append(dt.date(year, 7, 1))
        year += 1
    cuts.append(end)
    return [(a.isoformat(), b.isoformat()) for a, b in itertools.pairwise(cuts) if a < b]


def forecasts_of(
    test: pd.DataFrame,
    train: pd.DataFrame,
    test_matches: pd.DataFrame,
    prematch: PrematchModel,
    inplay: InPlayModel,
) -> dict[str, np.ndarray]:
    """The (n, 4) home/draw/away/advance forecasts of each forecaster for the states ``test``
    (of the matches ``test_matches``); the lookup table counts the states ``train``."""
    lam_h, lam_a = prematch.rates(test_matches)
    index = pd.Index(test_matches["match_id"]).get_indexer(test["match_id"])
    lam_h, lam_a = np.asarray(lam_h, dtype=float)[index], np.asarray(lam_a, dtype=float)[index]
    out = inplay.evaluate(lam_h, lam_a, engine_states(test), with_suspense=False)
    return {
        "model": np.column_stack([out.p_home_win, out.p_draw, out.p_away_win, out.p_home_advance]),
        "constant_poisson": constant_poisson(test, lam_h, lam_a),
        "lookup": LookupTable().fit(train).predict(test),
    }


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
    resamples: int = RESAMPLES,
    noise_draws: int = NOISE_DRAWS,
) -> dict:
    """Score the model (one fit, given) and both baselines on ``[date_from, date_to)``;
    returns every number as plain data (see :func:`score_checkpoints`)."""
    return evaluate_walk_forward(
        matches,
        goals,
        reds,
        lambda _: (prematch, inplay),
        date_from,
        date_to,
        checkpoints,
        selection,
        resamples=resamples,
        noise_draws=noise_draws,
        by_year=False,
    )


def evaluate_walk_forward(
    matches: pd.DataFrame,
    goals: pd.DataFrame,
    reds: pd.DataFrame,
    fit: Callable[[str], tuple[PrematchModel, InPlayModel]],
    date_from: str = WALK_FORWARD_FROM,
    date_to: str | None = None,
    checkpoints=CHECKPOINTS,
    selection: str = "well_recorded",
    progress: Callable[..., None] | None = None,
    resamples: int = RESAMPLES,
    noise_draws: int = NOISE_DRAWS,
    by_year: bool = True,
) -> dict:
    """Walk-forward evaluation: each evaluation year (:func:`evaluation_years`) of
    ``[date_from, date_to)`` (to the last match by default) is forecast by ``fit(first day of
    the year)`` (the models fitted on the matches before it) and by a lookup table counted on
    the selected matches before it; the forecasts of all years are pooled and scored per
    checkpoint (:func:`score_checkpoints`). Without ``by_year`` the range is one block, fitted
    once at ``date_from``. ``progress(description, advance, total)`` is told of each year."""
    dates = pd.to_datetime(matches["date"])
    chosen = _selected(matches, selection)
    if date_to is None:
        last = dates[chosen].max() if chosen.any() else pd.Timestamp(date_from)
        date_to = (last + pd.Timedelta(days=1)).date().isoformat()
        end_label = None
    else:
        end_label = date_to
    years = evaluation_years(date_from, date_to) if by_year else [(date_from, date_to)]
    keep = chosen & (dates < date_to).to_numpy()
    states = checkpoint_states(matches[keep], goals, reds, checkpoints)
    match_day = pd.Series(dates[keep].to_numpy(), index=matches.loc[keep, "match_id"])
    state_day = match_day.reindex(states["match_id"]).to_numpy()
    parts, blocks = [], []
    for start, end in years:
        rows = (state_day >= np.datetime64(start)) & (state_day < np.datetime64(end))
        in_year = keep & (dates >= start).to_numpy() & (dates < end).to_numpy()
        train = keep & (dates < start).to_numpy()
        block = {"from": start, "to": end, "matches": int(in_year.sum())}
        block["training_matches"] = int(train.sum())
        if rows.any():
            prematch, inplay = fit(start)
            test = states[rows]
            forecasts = forecasts_of(
                test, states[state_day < np.datetime64(start)], matches[in_year], prematch, inplay
            )
            parts.append((test, forecasts))
        blocks.append(block)
        if progress is not None:
            progress(f"evaluation year {start} to {end}", advance=1, total=len(years))
    test = pd.concat([t for t, _ in parts]) if parts else states.iloc[:0]
    forecasts = {
        name: np.concatenate([f[name] for _, f in parts]) if parts else np.zeros((0, 4))
        for name in FORECASTERS
    }
    results: dict = {
        "date_from": date_from,
        "date_to": end_label,
        "selection": selection,
        "matches": int(sum(b["matches"] for b in blocks)),
        "training_matches": blocks[0]["training_matches"] if blocks else 0,
        "years": blocks,
        "checkpoints": score_checkpoints(test, forecasts, checkpoints, resamples, noise_draws),
    }
    return results


def _interval(scores: np.ndarray, reference: np.ndarray, clusters, resamples: int) -> dict:
    return paired_cluster_bootstrap(scores, reference, clusters, resamples, SEED).to_dict()


def score_checkpoints(
    states: pd.DataFrame,
    forecasts: dict[str, np.ndarray],
    checkpoints=CHECKPOINTS,
    resamples: int = RESAMPLES,
    noise_draws: int = NOISE_DRAWS,
) -> list[dict]:
    """Per checkpoint and forecaster: n, mean RPS, log loss, Brier and ECE of P(home win) with
    its reliability table and ``ece_noise_p90`` (the 90th percentile ECE of a perfectly
    calibrated forecaster with these forecasts, :func:`ece_noise_quantile` over
    ``noise_draws`` draws), and for knockout states the Brier score and log loss of
    P(home goes through). ``vs_constant_poisson``: the mean difference of each score to the
    constant-Poisson forecaster's on the same states, with its paired bootstrap 95% interval
    (:func:`~heartbreak.evaluation.peers.paired_cluster_bootstrap`, resampling matches). The
    checkpoint's own ``ece_noise_p90`` is the model's."""
    outcome = states["outcome"].to_numpy()
    home_won = (outcome == 0).astype(float)
    checkpoint = states["checkpoint"].to_numpy()
    advanced = states["advanced_home"].to_numpy(dtype=float)
    match_id = states["match_id"].to_numpy()
    entries = []
    for c in checkpoints:
        rows = checkpoint == c
        if not rows.any():
            continue
        entry = {"checkpoint": c, "n": int(rows.sum()), "n_knockout": 0, "forecasters": {}}
        ko = rows & ~np.isnan(advanced)
        entry["n_knockout"] = int(ko.sum())
        per_state: dict[str, dict[str, np.ndarray]] = {}
        for name, probs in forecasts.items():
            p3 = probs[rows, :3]
            per_state[name] = {
                "rps": ranked_probability_score(p3, outcome[rows]),
                "log_loss": log_loss(p3, outcome[rows]),
            }
            scores = {
                "n": int(rows.sum()),
                "rps": float(per_state[name]["rps"].mean()),
                "log_loss": float(per_state[name]["log_loss"].mean()),
                "brier_home_win": float(brier_score(p3[:, 0], home_won[rows]).mean()),
                "ece_home_win": expected_calibration_error(p3[:, 0], home_won[rows]),
                "ece_noise_p90": ece_noise_quantile(p3[:, 0], 0.9, noise_draws, SEED),
                "reliability": reliability_table(p3[:, 0], home_won[rows]).tolist(),
            }
            if ko.any():
                p_adv = np.clip(probs[ko, 3], 1e-15, 1 - 1e-15)
                y = advanced[ko]
                per_state[name]["brier_advance"] = brier_score(p_adv, y)
                per_state[name]["log_loss_advance"] = -(
                    y * np.log(p_adv) + (1 - y) * np.log(1 - p_adv)
                )
                scores["brier_advance"] = float(per_state[name]["brier_advance"].mean())
                scores["log_loss_advance"] = float(per_state[name]["log_loss_advance"].mean())
            entry["forecasters"][name] = scores
        if "model" in entry["forecasters"]:
            # The model's own noise floor, at the checkpoint: the bar its ECE is held to.
            entry["ece_noise_p90"] = entry["forecasters"]["model"]["ece_noise_p90"]
        reference = per_state.get(REFERENCE)
        if reference is not None:
            for name, scores in entry["forecasters"].items():
                scores[f"vs_{REFERENCE}"] = {
                    key: _interval(
                        per_state[name][key],
                        reference[key],
                        match_id[ko if key.endswith("_advance") else rows],
                        resamples,
                    )
                    for key in per_state[name]
                }
        entries.append(entry)
    return entries
