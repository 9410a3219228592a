"""Pre-match accuracy side by side: Heartbreak and its peers, scored on the same matches.

Run: HEARTBREAK_DATA_DIR=../shared/data python bench/prematch_peers.py [--json]
         [--models dc,poisson] [--editions "FIFA World Cup:2018,UEFA Euro:2016"]

Needs penaltyblog, which is not a dependency of the package: ``pip install -e '.[bench]'``.

Test matches: the final-tournament matches of the six majors
(:data:`heartbreak.evaluation.prematch.MAJOR_TOURNAMENTS`; qualifiers are other competitions)
from June 2010 to July 2026, about 1,441. They are grouped into editions by the gap rule of
:func:`heartbreak.evaluation.peers.edition_starts` (the modelled editions of
``Heartbreak.editions`` leave out a match or so, e.g. the 2024 African Cup's third-place match;
the bench prints how far the two agree). Every forecast is walk-forward and is scored against
the result after 90 minutes (:func:`heartbreak.evaluation.prematch.regulation_outcome`):

- ``heartbreak``: the goal model of :mod:`heartbreak.model.strengths` as the product runs it
  (``Heartbreak.predict_many`` with each match's competition and the store's pre-match
  ratings): team strengths fitted on the matches before each edition's first day (the store
  refits on every final tournament's first day; the bench checks that the predictions are the
  store's own rates), frozen through the edition, and the Dixon–Coles ρ refitted on the eight
  years before each edition, so that every number is walk-forward. Its settings were chosen on
  the 1994–2009 editions (``bench/prematch_team_strengths.py``). The three-way probabilities
  are the 90-minute outcomes of the score grid for knockouts too (checked).
- ``heartbreak_shipped_rho``: the same rates with the shipped ρ, which was fitted on
  2009-07-01..2019-07-01, so not out of sample before July 2019.
- ``heartbreak_frozen``: the same model with every team's rating as of its edition's first day
  and every match dated that day (only a team the strengths do not know uses its rating).
- ``heartbreak_previous``: the model shipped on 2026-12-01 before the team strengths (the
  Elo-only goal model), pinned in ``bench/baselines/prematch-params-2026-12-01.json``, with
  its own Elo parameters rerun over the history and ratings as of each match (its five
  coefficients were fitted on 2009-07..2019-07).
- ``penaltyblog_<model>``: penaltyblog's goal models (Dixon–Coles by default: team attack and
  defence, one home advantage, ρ), the open-source tool a user would pick instead. Fitted once
  per edition on every international (friendlies included) of the four years before its first
  day, weighted by the time decay φ(t) = exp(−ξt) of Dixon & Coles (1997, JRSS C 46(2), §4.5)
  with ξ = 0.0018 per day (penaltyblog's ``dixon_coles_weights`` default), so frozen at the
  first day like ``heartbreak_frozen``. Neutral venues are honoured natively: penaltyblog 1.13
  takes a per-match ``neutral_venue`` flag both in fitting (no home advantage in those matches'
  likelihood) and in ``predict_many``, so no home/away averaging is needed. Scores: 90-minute
  scores, from :func:`heartbreak.evaluation.peers.regulation_scores` (the store's scores are
  after extra time; a match that went to extra time counts the goals of its two halves from its
  goal list). A test match with a team that has no match in the fitting window gets the
  ``elo_draw_rate`` forecast instead (penaltyblog refuses teams it was not fitted on); the bench
  counts them. If a fit fails to converge, its whole edition falls back the same way (counted).
- ``elo_draw_rate``: the Elo expected score split around the draw rate
  (:func:`heartbreak.evaluation.prematch.elo_draw_rate_forecast`), ratings as of each match,
  draw rate of the same four-year window as the penaltyblog fits.
- ``uniform``: 1/3 each.

Reported per competition, for the World Cup and overall: n, RPS (Constantinou & Fenton 2012) and
log loss, and for every forecaster the mean difference to the reference (``penaltyblog_dc``)
with a paired bootstrap 95% interval: 2,000 resamples (seed 0) of whole editions, not single
matches, because the matches of one edition are not independent
(:func:`heartbreak.evaluation.peers.paired_cluster_bootstrap`). A negative difference means
better than the reference. A competition has only four to eight editions, so its intervals are
rough; the overall one rests on 35.

penaltyblog's fits take minutes per edition, so its predictions are cached per edition and model
in ``~/.cache/heartbreak/bench/prematch_peers/`` (``--cache-dir``), keyed by penaltyblog's
version, the model, ξ, the window, the edition and the SHA-256 of the source files the fits read
(international results and goal scorers, World Cup matches; from the store's meta table). A run
with everything cached takes seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import importlib.metadata
import io
import json
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import platformdirs

from heartbreak.evaluation.peers import (
    RESAMPLES,
    SEED,
    edition_starts,
    regulation_scores,
    score_table,
)
from heartbreak.evaluation.prematch import (
    MAJOR_TOURNAMENTS,
    elo_draw_rate_forecast,
    regulation_outcome,
    uniform_forecast,
)
from heartbreak.model.fit import fit_rho
from heartbreak.model.grid import ScoreGrid
from heartbreak.model.prematch import GoalModelParams, PrematchModel
from heartbreak.ratings.elo import EloParams, EloRatings
from heartbreak.services import Heartbreak
from heartbreak.tournaments.structure import OFFICIAL_YEARS

TEST_START = "2010-06-01"
TEST_END = "2026-08-01"  # exclusive
WINDOW_YEARS = 4
XI = 0.0018  # per day
BASELINE = Path(__file__).resolve().parent / "baselines" / "prematch-params-2026-12-01.json"
#: Changes whenever the bench prepares penaltyblog's data or predictions differently.
CACHE_FORMAT = 1
#: The source files the penaltyblog fits read (scores, goal lists, World Cup extra time).
FIT_SOURCES = (
    "international/results.csv",
    "international/goalscorers.csv",
    "worldcup/matches.csv",
)

#: --models name → penaltyblog class. The Bayesian models (MCMC) are left out: far too slow.
PENALTYBLOG_MODELS = {
    "dc": "DixonColesGoalModel",
    "poisson": "PoissonGoalsModel",
    "negbin": "NegativeBinomialGoalModel",
    "zip": "ZeroInflatedPoissonGoalsModel",
    "bivariate": "BivariatePoissonGoalModel",
    "weibull": "WeibullCopulaGoalsModel",
}
#: One fit on the 2018 World Cup's window (3,774 matches, 280 teams), on 2 busy cores at nice 19:
#: Dixon–Coles about 3 minutes, Poisson about 5, negative binomial more than 9. No other model
#: stays under about 2 minutes an edition, so they are opt-in (--models).
DEFAULT_MODELS = ("dc",)
INSTALL_HINT = "penaltyblog is not installed: pip install -e '.[bench]'"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- editions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Edition:
    competition: str
    start: dt.date

    @property
    def label(self) -> str:
        return f"{self.competition} {self.start.isoformat()}"

    def years(self) -> set[int]:
        """The years an --editions filter may name it by: its first day's, and the official one."""
        comp, year = self.competition, self.start.year
        return {year} | {o for (c, o), y in OFFICIAL_YEARS.items() if c == comp and y == year}


def select_editions(spec: str | None, editions: list[Edition], hb: Heartbreak) -> list[Edition]:
    if not spec:
        return editions
    chosen = []
    for item in (part.strip() for part in spec.split(",") if part.strip()):
        name, _, year = item.rpartition(":")
        if not name or not year.isdigit():
            sys.exit(f"--editions: {item!r} is not COMPETITION:YEAR")
        names = [c for c in (name, *hb.store.resolve_competition(name)) if c in MAJOR_TOURNAMENTS]
        found = [e for e in editions if e.competition in names[:1] and int(year) in e.years()]
        if not found:
            known = ", ".join(e.label for e in editions)
            sys.exit(f"--editions: no edition {item!r} among {known}")
        chosen.extend(e for e in found if e not in chosen)
    return sorted(chosen, key=lambda e: (e.start, e.competition))


# --- penaltyblog, cached per edition ----------------------------------------------------------


def penaltyblog_version() -> str:
    try:
        return importlib.metadata.version("penaltyblog")
    except importlib.metadata.PackageNotFoundError:
        sys.exit(INSTALL_HINT)


def cache_path(cache_dir: Path, key: dict) -> Path:
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
    slug = re.sub(r"[^A-Za-z0-9]+", "-", key["competition"]).strip("-")
    return cache_dir / f"{slug}_{key['start']}_{key['model']}_{digest}.parquet"


def fit_window(matches: pd.DataFrame, start: dt.date) -> pd.DataFrame:
    first = pd.Timestamp(start)
    dates = matches["date"]
    return matches[(dates >= first - pd.DateOffset(years=WINDOW_YEARS)) & (dates < first)]


def fit_and_predict(
    model: str, window: pd.DataFrame, goals: pd.DataFrame, tests: pd.DataFrame, start: dt.date
) -> tuple[pd.DataFrame, dict]:
    """Fit one penaltyblog model on the window; predict the edition's matches (NaN where a
    team is unknown, or everywhere if the fit failed)."""
    try:
        import penaltyblog as pb
    except ImportError:
        sys.exit(INSTALL_HINT)
    home, away, usable = regulation_scores(window, goals)
    rows = window[usable]
    cls = getattr(pb.models, PENALTYBLOG_MODELS[model])
    dates = [d.date() for d in rows["date"]]
    weights = pb.models.dixon_coles_weights(dates, XI, base_date=start)
    began = time.perf_counter()
    info: dict = {
        "fit_matches": len(rows),
        "excluded_extra_time_without_goal_list": int((~usable).sum()),
        "regulation_scores_from_goal_lists": int(
            (rows["extra_time"].fillna(False).astype(bool)).sum()
        ),
    }
    fitted = cls(
        home[usable],
        away[usable],
        rows["home"].to_numpy(),
        rows["away"].to_numpy(),
        weights=weights,
        neutral_venue=rows["neutral"].to_numpy(dtype=int),
    )
    out = pd.DataFrame({"match_id": tests["match_id"].to_numpy()})
    out[["p_home", "p_draw", "p_away"]] = np.nan
    # penaltyblog prints the parameters when the loss is not finite: keep stdout for the report.
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            fitted.fit()
    except ValueError as exc:  # penaltyblog raises it when the optimiser does not converge
        info.update(fit_seconds=time.perf_counter() - began, fit_error=str(exc))
        return out, info
    finally:
        info["nonfinite_loss_printouts"] = printed.getvalue().count("[")
    info["fit_seconds"] = time.perf_counter() - began
    info["params"] = {
        k: float(v) for k, v in fitted.get_params().items() if not k.startswith(("attack", "def"))
    }
    teams = set(fitted.teams.tolist())
    known = (tests["home"].isin(teams) & tests["away"].isin(teams)).to_numpy()
    if known.any():
        grids = fitted.predict_many(
            tests["home"].to_numpy()[known],
            tests["away"].to_numpy()[known],
            neutral_venue=tests["neutral"].to_numpy(dtype=int)[known],
        )
        out.loc[known, ["p_home", "p_draw", "p_away"]] = np.array([g.home_draw_away for g in grids])
    info["unknown_teams"] = sorted((set(tests["home"]) | set(tests["away"])) - teams)
    return out, info


def penaltyblog_forecasts(
    model: str,
    editions: list[Edition],
    test: pd.DataFrame,
    matches: pd.DataFrame,
    goals: pd.DataFrame,
    sources: dict[str, str],
    cache_dir: Path,
) -> tuple[np.ndarray, dict]:
    """(n, 3) forecasts aligned with ``test`` (NaN rows: to fall back) and per-edition facts."""
    version = penaltyblog_version()
    probs = np.full((len(test), 3), np.nan)
    facts = {}
    for edition in editions:
        rows = (test["edition"] == edition.label).to_numpy()
        key = {
            "penaltyblog": version,
            "model": model,
            "xi_per_day": XI,
            "window_years": WINDOW_YEARS,
            "competition": edition.competition,
            "start": edition.start.isoformat(),
            "format": CACHE_FORMAT,
            "sources_sha256": {name: sources[name] for name in FIT_SOURCES},
        }
        path = cache_path(cache_dir, key)
        sidecar = path.with_suffix(".json")
        if path.is_file() and sidecar.is_file():
            predicted = pd.read_parquet(path)
            info = json.loads(sidecar.read_text(encoding="utf-8"))["info"]
            info["cached"] = True
        else:
            log(f"penaltyblog {model}: fitting {edition.label} ...")
            window = fit_window(matches, edition.start)
            predicted, info = fit_and_predict(model, window, goals, test[rows], edition.start)
            cache_dir.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".parquet.tmp")
            predicted.to_parquet(tmp, index=False)
            os.replace(tmp, path)
            sidecar.write_text(json.dumps({"key": key, "info": info}, indent=2), encoding="utf-8")
            info["cached"] = False
            log(f"penaltyblog {model}: {edition.label} in {info['fit_seconds']:.0f} s")
        by_id = predicted.set_index("match_id")[["p_home", "p_draw", "p_away"]]
        ids = test.loc[rows, "match_id"]
        if not ids.isin(by_id.index).all():
            sys.exit(f"cache {path} does not cover the edition's matches; delete it")
        probs[rows] = by_id.loc[ids].to_numpy()
        facts[edition.label] = info
    return probs, facts


# --- the run ----------------------------------------------------------------------------------


def select_test_matches(matches: pd.DataFrame) -> pd.DataFrame:
    majors = matches[matches["competition"].isin(MAJOR_TOURNAMENTS)].copy()
    majors["start"] = edition_starts(majors["competition"], majors["date"])
    test = majors[(majors["date"] >= TEST_START) & (majors["date"] < TEST_END)]
    test = test.sort_values(["date", "match_id"], kind="stable").reset_index(drop=True)
    test["edition"] = [
        Edition(c, s.date()).label for c, s in zip(test["competition"], test["start"], strict=True)
    ]
    return test


def editions_agreement(test: pd.DataFrame, hb: Heartbreak) -> dict:
    """How far the gap-rule editions agree with the modelled editions of the session."""
    first_day = {f.match_id: e.start for e in hb.editions for f in e.fixtures}
    covered = test["match_id"].map(first_day)
    known = covered.notna()
    same = (pd.to_datetime(covered[known]) == test.loc[known, "start"]).sum()
    return {
        "matches": len(test),
        "in_modelled_editions": int(known.sum()),
        "same_first_day": int(same),
        "missing": test.loc[~known, ["date", "home", "away", "competition"]]
        .astype(str)
        .to_dict("records"),
    }


def predict_frame(test: pd.DataFrame, elo_home, elo_away, dates=None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "home": test["home"].to_numpy(),
            "away": test["away"].to_numpy(),
            "date": [d.date() for d in test["date"]] if dates is None else dates,
            "neutral": test["neutral"].to_numpy(dtype=bool),
            "knockout": test["knockout"].to_numpy(dtype=bool),
            "competition": test["competition"].to_numpy(),
            "elo_home": np.asarray(elo_home, dtype=float),
            "elo_away": np.asarray(elo_away, dtype=float),
        }
    )


def three_way(predictions) -> np.ndarray:
    return np.array([[p.p_home_win, p.p_draw, p.p_away_win] for p in predictions])


def walk_forward_rho(matches: pd.DataFrame, start: dt.date, years: int) -> float:
    """ρ fitted on the stored rates of the ``years`` before an edition's first day."""
    window = matches[
        (matches["date"] < pd.Timestamp(start))
        & (matches["date"] >= pd.Timestamp(start) - pd.DateOffset(years=years))
    ]
    return fit_rho(window, window["xg_home"].to_numpy(float), window["xg_away"].to_numpy(float))[0]


def heartbreak_rows(
    hb: Heartbreak, matches: pd.DataFrame, test: pd.DataFrame, editions: list[Edition]
) -> tuple[dict, dict]:
    elo_h, elo_a = test["elo_home"].to_numpy(float), test["elo_away"].to_numpy(float)
    predictions = hb.predict_many(predict_frame(test, elo_h, elo_a))
    shipped = three_way(predictions)
    lam_h = np.array([p.expected_goals_home for p in predictions])
    lam_a = np.array([p.expected_goals_away for p in predictions])
    # A prediction is the store's own rates of the match (strengths fitted before its day).
    assert np.allclose(lam_h, test["xg_home"], rtol=1e-12), "predict_many and the store differ"
    assert np.allclose(lam_a, test["xg_away"], rtol=1e-12), "predict_many and the store differ"
    grid = np.column_stack(hb.prematch_model.grid(lam_h, lam_a).outcome_probabilities())
    # The three-way probabilities must be those after 90 minutes, knockouts included.
    assert np.allclose(shipped, grid, atol=1e-12), "Prediction's p_* are not 90-minute outcomes"

    # The shipped ρ was fitted on 2009-07..2019-07: refit it before each edition instead.
    live = np.empty((len(test), 3))
    rhos = {}
    years = hb.params.strengths.window_years
    for edition in editions:
        rows = (test["edition"] == edition.label).to_numpy()
        rho = walk_forward_rho(matches, edition.start, years)
        rhos[edition.label] = rho
        live[rows] = np.column_stack(
            ScoreGrid.from_rates(lam_h[rows], lam_a[rows], rho=rho).outcome_probabilities()
        )

    frozen_h, frozen_a = np.empty(len(test)), np.empty(len(test))
    dates = np.empty(len(test), dtype=object)
    for edition in editions:
        rows = (test["edition"] == edition.label).to_numpy()
        teams = sorted(set(test.loc[rows, "home"]) | set(test.loc[rows, "away"]))
        rating = hb.store.ratings_as_of(edition.start, teams=teams).set_index("team")["rating"]
        frozen_h[rows] = rating.loc[test.loc[rows, "home"]].to_numpy()
        frozen_a[rows] = rating.loc[test.loc[rows, "away"]].to_numpy()
        dates[rows] = edition.start
    frozen = three_way(hb.predict_many(predict_frame(test, frozen_h, frozen_a, list(dates))))
    facts = {
        "walk_forward_rho": {"min": min(rhos.values()), "max": max(rhos.values())},
        "shipped_rho": hb.prematch_model.rho,
    }
    rows = {"heartbreak": live, "heartbreak_shipped_rho": shipped, "heartbreak_frozen": frozen}
    return rows, facts


def previous_row(matches: pd.DataFrame, test: pd.DataFrame) -> tuple[np.ndarray, dict]:
    """The pinned model of 2026-12-01 with its own Elo parameters rerun over the history."""
    # A parameter file of version 1: only its Elo and goal-model blocks are read.
    params = json.loads(BASELINE.read_text(encoding="utf-8"))
    columns = ["match_id", "date", "home", "away", "home_score", "away_score", "competition"]
    elo = EloRatings(EloParams(**params["elo"])).fit(matches[[*columns, "neutral"]])
    pre = elo.pre_match_.set_index("match_id").loc[test["match_id"]]
    model = PrematchModel.from_params(GoalModelParams(**params["goals"]))
    probs = model.grid(
        pre["elo_home"].to_numpy(), pre["elo_away"].to_numpy(), test["neutral"].to_numpy(bool)
    ).outcome_probabilities()
    rating_gap = float(
        np.abs(
            pre[["elo_home", "elo_away"]].to_numpy() - test[["elo_home", "elo_away"]].to_numpy()
        ).max()
    )
    return np.column_stack(probs), {"max_rating_difference_to_store": rating_gap}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print everything as JSON")
    parser.add_argument(
        "--models",
        default=",".join(DEFAULT_MODELS),
        help=f"penaltyblog models, comma-separated, of {', '.join(PENALTYBLOG_MODELS)}; the "
        f"first is the reference of the intervals (default {','.join(DEFAULT_MODELS)})",
    )
    parser.add_argument(
        "--editions", help='only these editions, e.g. "FIFA World Cup:2018,UEFA Euro:2016"'
    )
    parser.add_argument("--resamples", type=int, default=RESAMPLES)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--db", help="the store (default: the session's)")
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=Path(platformdirs.user_cache_dir("heartbreak")) / "bench" / "prematch_peers",
    )
    args = parser.parse_args()
    began = time.perf_counter()
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = [m for m in models if m not in PENALTYBLOG_MODELS]
    if not models or unknown:
        sys.exit(f"--models: {unknown or 'none'}; choose from {', '.join(PENALTYBLOG_MODELS)}")
    penaltyblog_version()  # fail early with the install hint
    reference = f"penaltyblog_{models[0]}"

    hb = Heartbreak(db=args.db)
    matches = hb.store.matches()
    matches = matches[matches["source"] != "user"].reset_index(drop=True)
    goals = hb.store.all_goals()
    sources = hb.store.meta()["sources"]
    test = select_test_matches(matches)
    agreement = editions_agreement(test, hb)
    editions = sorted(
        {Edition(c, s.date()) for c, s in zip(test["competition"], test["start"], strict=True)},
        key=lambda e: (e.start, e.competition),
    )
    editions = select_editions(args.editions, editions, hb)
    test = test[test["edition"].isin([e.label for e in editions])].reset_index(drop=True)
    outcome = regulation_outcome(test)

    forecasts, heartbreak_facts = heartbreak_rows(hb, matches, test, editions)
    forecasts["heartbreak_previous"], previous = previous_row(matches, test)
    previous["max_probability_difference_to_heartbreak"] = float(
        np.abs(forecasts["heartbreak_previous"] - forecasts["heartbreak"]).max()
    )

    # The Elo baseline and penaltyblog's fallback: draw rate of each edition's fitting window.
    draw_rate = np.empty(len(test))
    for edition in editions:
        rows = (test["edition"] == edition.label).to_numpy()
        draw_rate[rows] = (regulation_outcome(fit_window(matches, edition.start)) == 1).mean()
    elo = elo_draw_rate_forecast(
        test["elo_home"].to_numpy(float),
        test["elo_away"].to_numpy(float),
        test["neutral"].to_numpy(bool),
        draw_rate,
    )

    fallbacks = {}
    peer_facts = {}
    fitting = time.perf_counter()
    for model in models:
        probs, facts = penaltyblog_forecasts(
            model, editions, test, matches, goals, sources, args.cache_dir
        )
        missing = np.isnan(probs).any(axis=1)
        probs[missing] = elo[missing]
        name = f"penaltyblog_{model}"
        forecasts[name] = probs
        fallbacks[name] = {
            "matches": int(missing.sum()),
            "editions_failed": [k for k, v in facts.items() if "fit_error" in v],
            "unknown_teams": sorted(
                {t for v in facts.values() for t in v.get("unknown_teams", [])}
            ),
        }
        peer_facts[name] = facts
    fitting = time.perf_counter() - fitting
    forecasts["elo_draw_rate"] = elo
    forecasts["uniform"] = uniform_forecast(len(test))

    clusters = test["edition"].to_numpy()
    scopes = {"overall": np.ones(len(test), dtype=bool)}
    for competition in MAJOR_TOURNAMENTS:
        rows = (test["competition"] == competition).to_numpy()
        if rows.any():
            scopes[competition] = rows
    tables = {
        scope: score_table(
            outcome[rows],
            {k: v[rows] for k, v in forecasts.items()},
            clusters[rows],
            reference,
            args.resamples,
            args.seed,
        )
        for scope, rows in scopes.items()
    }
    wall = time.perf_counter() - began
    report = {
        "test": {
            "window": [TEST_START, TEST_END],
            "matches": len(test),
            "editions": [e.label for e in editions],
            "edition_grouping": agreement,
        },
        "reference": reference,
        "bootstrap": {"resamples": args.resamples, "seed": args.seed, "clusters": "editions"},
        "penaltyblog": {
            "version": penaltyblog_version(),
            "xi_per_day": XI,
            "window_years": WINDOW_YEARS,
            "fallbacks": fallbacks,
            "editions": peer_facts,
            "seconds_this_run": fitting,
        },
        "heartbreak_previous": {"baseline": BASELINE.name, **previous},
        "heartbreak": heartbreak_facts,
        "tables": {scope: table.to_dict("records") for scope, table in tables.items()},
        "wall_seconds": wall,
    }
    if args.json:
        print(json.dumps(report, indent=2, default=str))
        return
    print_report(report, tables, scopes, test)


def _interval(row, label: str) -> str:
    return f"{row[f'd_{label}']:+.4f} [{row[f'd_{label}_low']:+.4f}, {row[f'd_{label}_high']:+.4f}]"


def print_table(title: str, table: pd.DataFrame, reference: str) -> None:
    print(f"\n{title}")
    print(
        f"{'forecaster':<22} {'n':>5} {'RPS':>7} {'log loss':>8}   "
        f"{'ΔRPS vs ' + reference + ' [95%]':<34} Δlog loss [95%]"
    )
    for row in table.to_dict("records"):
        print(
            f"{row['forecaster']:<22} {row['n']:>5} {row['rps']:>7.4f} {row['log_loss']:>8.4f}   "
            f"{_interval(row, 'rps'):<34} {_interval(row, 'log_loss')}"
        )


def print_report(report: dict, tables: dict, scopes: dict, test: pd.DataFrame) -> None:
    t = report["test"]
    grouping = t["edition_grouping"]
    print(
        f"Test matches: {t['matches']} in {len(t['editions'])} editions of "
        f"{', '.join(MAJOR_TOURNAMENTS)}, {t['window'][0]}..{t['window'][1]} (exclusive)"
    )
    print(
        f"Editions by the gap rule; Heartbreak.editions holds {grouping['in_modelled_editions']} "
        f"of {grouping['matches']} of these matches (same first day for "
        f"{grouping['same_first_day']}); not in it: {grouping['missing'] or 'none'}"
    )
    pb = report["penaltyblog"]
    print(
        f"penaltyblog {pb['version']}: ξ = {pb['xi_per_day']}/day, {pb['window_years']} years "
        f"of internationals before each edition's first day; fits this run "
        f"{pb['seconds_this_run']:.0f} s"
    )
    for name, facts in pb["editions"].items():
        cached = sum(bool(v.get("cached")) for v in facts.values())
        fit_total = sum(v.get("fit_seconds", 0.0) for v in facts.values())
        fb = pb["fallbacks"][name]
        print(
            f"  {name}: {cached}/{len(facts)} editions from the cache (fits took {fit_total:.0f} s "
            f"when made); Elo fallback for {fb['matches']} matches (unknown teams: "
            f"{', '.join(fb['unknown_teams']) or 'none'}; failed fits: "
            f"{', '.join(fb['editions_failed']) or 'none'})"
        )
    prev = report["heartbreak_previous"]
    print(
        f"heartbreak_previous ({prev['baseline']}): largest probability difference to heartbreak "
        f"{prev['max_probability_difference_to_heartbreak']:.2e}, largest rating difference "
        f"{prev['max_rating_difference_to_store']:.2e}"
    )
    b = report["bootstrap"]
    print(
        f"Intervals: paired bootstrap, {b['resamples']} resamples of whole editions (seed "
        f"{b['seed']}); negative Δ = better than {report['reference']}"
    )
    first = ("overall", "FIFA World Cup")
    for scope in [*(s for s in first if s in tables), *(s for s in scopes if s not in first)]:
        editions = test.loc[scopes[scope], "edition"].nunique()
        count = f"{editions} edition{'s' if editions != 1 else ''}"
        print_table(f"{scope} ({count})", tables[scope], report["reference"])
    print(f"\nWall time: {report['wall_seconds']:.1f} s")


if __name__ == "__main__":
    main()
