"""Pure pieces of the side-by-side pre-match bench (``bench/prematch_peers.py``).

- :func:`edition_starts`: the edition of each match of a competition, by the gap rule of
  :mod:`heartbreak.data.brackets` (matches more than :data:`EDITION_GAP_DAYS` apart belong to
  different editions), named by its first day.
- :func:`regulation_scores`: each match's score after 90 minutes, for fitting a goal model:
  the store's scores are after extra time.
- :func:`paired_cluster_bootstrap`: the paired bootstrap interval of a mean score difference,
  resampling clusters (editions) rather than matches.
- :func:`score_table`: n, RPS and log loss of several forecasters on the same matches, each
  with its interval against a reference.

Nothing here fits a model or reads the store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from heartbreak.data.brackets import EDITION_GAP_DAYS
from heartbreak.evaluation.scoring import log_loss, ranked_probability_score

#: Resamples of the bootstrap and its seed, unless told otherwise.
RESAMPLES = 2_000
SEED = 0

_REGULATION_PERIODS = ("first_half", "second_half")


def edition_starts(
    competition: pd.Series, dates: pd.Series, gap_days: int = EDITION_GAP_DAYS
) -> pd.Series:
    """The first day of each match's edition (a Timestamp), aligned with ``dates``.

    An edition is a run of one competition's matches with no gap of more than ``gap_days``
    days between consecutive match days.
    """
    day = pd.to_datetime(dates).dt.normalize()
    frame = pd.DataFrame({"competition": competition.to_numpy(), "day": day.to_numpy()})
    frame.index = dates.index
    out = pd.Series(pd.NaT, index=dates.index, dtype=day.dtype)
    for _, comp in frame.groupby("competition", sort=False):
        ordered = comp.sort_values("day", kind="stable")
        new_edition = ordered["day"].diff().dt.days.fillna(0) > gap_days
        edition = new_edition.cumsum()
        out.loc[ordered.index] = ordered.groupby(edition)["day"].transform("min").to_numpy()
    return out


def regulation_scores(
    matches: pd.DataFrame, goals: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(home goals, away goals, usable) after 90 minutes for each row of ``matches``.

    A match without extra time keeps its score. A match that went to extra time counts the goals
    of its two halves (stoppage included), which needs its whole goal list
    (``timeline_complete``); without one it is not usable. A shootout whose extra time the record
    does not know keeps its (level) score: level after 120 minutes, it was level after 90 too,
    though extra-time goals of both sides would be counted.
    """
    home = matches["home_score"].to_numpy(dtype=int).copy()
    away = matches["away_score"].to_numpy(dtype=int).copy()
    extra = matches["extra_time"].fillna(False).to_numpy(dtype=bool)
    complete = matches["timeline_complete"].to_numpy(dtype=bool)
    ids = matches["match_id"].to_numpy()
    wanted = set(ids[extra & complete].tolist())
    if wanted:
        regular = goals[goals["match_id"].isin(wanted) & goals["period"].isin(_REGULATION_PERIODS)]
        counts = regular.groupby(["match_id", "side"]).size().unstack(fill_value=0)
        counts = counts.reindex(columns=["home", "away"], fill_value=0)
        rows = np.flatnonzero(extra & complete)
        found = counts.reindex(ids[rows], fill_value=0)
        home[rows] = found["home"].to_numpy()
        away[rows] = found["away"].to_numpy()
    return home, away, ~(extra & ~complete)


@dataclass(frozen=True)
class Interval:
    """A mean and its bootstrap interval."""

    mean: float
    low: float
    high: float

    def to_dict(self) -> dict[str, float]:
        return {"mean": self.mean, "low": self.low, "high": self.high}


def paired_cluster_bootstrap(
    scores: np.ndarray,
    reference: np.ndarray,
    clusters: np.ndarray,
    resamples: int = RESAMPLES,
    seed: int = SEED,
    level: float = 0.95,
) -> Interval:
    """The mean of ``scores − reference`` over matches and its percentile bootstrap interval.

    Paired: both forecasters are scored on the same matches, so the per-match differences are
    resampled. Clustered: the matches of one edition share teams, form and conditions, so whole
    clusters are drawn with replacement (the cluster bootstrap; Davison & Hinkley 1997,
    "Bootstrap Methods and their Application", §3.8), each resample's statistic being the
    per-match mean of the drawn clusters. The draws depend only on ``seed`` and the number of
    clusters, so every forecaster compared with one seed sees the same resamples.
    """
    diff = np.asarray(scores, dtype=float) - np.asarray(reference, dtype=float)
    if diff.ndim != 1 or len(diff) != len(clusters):
        raise ValueError("scores, reference and clusters must be 1-d and of one length")
    if len(diff) == 0:
        return Interval(float("nan"), float("nan"), float("nan"))
    _, code = np.unique(np.asarray(clusters), return_inverse=True)
    k = int(code.max()) + 1
    total = np.bincount(code, weights=diff, minlength=k)
    size = np.bincount(code, minlength=k).astype(float)
    draws = np.random.default_rng(seed).integers(0, k, size=(resamples, k))
    means = total[draws].sum(axis=1) / size[draws].sum(axis=1)
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(means, [tail, 1.0 - tail])
    return Interval(float(diff.mean()), float(low), float(high))


def score_table(
    outcome: np.ndarray,
    forecasts: Mapping[str, np.ndarray],
    clusters: np.ndarray,
    reference: str,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> pd.DataFrame:
    """One row per forecaster: n, mean RPS (Constantinou & Fenton 2012) and log loss, and the
    mean difference to ``reference`` of each with its :func:`paired_cluster_bootstrap`
    interval (``d_rps``, ``d_rps_low``, ``d_rps_high``; likewise ``d_log_loss``)."""
    outcome = np.asarray(outcome, dtype=int)
    if reference not in forecasts:
        raise ValueError(f"reference {reference!r} is not one of the forecasters")
    rps = {name: ranked_probability_score(p, outcome) for name, p in forecasts.items()}
    ll = {name: log_loss(p, outcome) for name, p in forecasts.items()}
    rows = []
    for name in forecasts:
        row: dict[str, object] = {
            "forecaster": name,
            "n": len(outcome),
            "rps": float(rps[name].mean()) if len(outcome) else float("nan"),
            "log_loss": float(ll[name].mean()) if len(outcome) else float("nan"),
        }
        for label, per_match in (("rps", rps), ("log_loss", ll)):
            interval = paired_cluster_bootstrap(
                per_match[name], per_match[reference], clusters, resamples, seed
            )
            row[f"d_{label}"] = interval.mean
            row[f"d_{label}_low"] = interval.low
            row[f"d_{label}_high"] = interval.high
        rows.append(row)
    return pd.DataFrame(rows)
