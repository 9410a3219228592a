"""The store build: sources → derived tables → Elo ratings → user matches → drama index → store.

The data layer (:mod:`heartbreak.data`) only loads, derives and stores; this module puts the
model on top of it. :func:`build_store` validates every source file first (nothing is written if
a row is bad), derives the tables (:mod:`heartbreak.data.tables`), rates every match with
:class:`heartbreak.ratings.elo.EloRatings`, appends the user's imported matches
(:mod:`heartbreak.data.usermatches`), replays every match into the drama index
(:mod:`heartbreak.drama.index`) and writes the store atomically
(:func:`heartbreak.data.store.write_store`). :func:`ensure_store` opens the store, fetching the
sources and building it on first use.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from heartbreak import config
from heartbreak.data.fetch import fetch_sources, locate_sources
from heartbreak.data.integrity import (
    in_step,
    modifications_in,
    reconcile_user_matches,
    recorded_meta,
    user_matches_digest,
    verify_sources,
)
from heartbreak.data.loaders import load_sources
from heartbreak.data.sources import (
    ATTRIBUTION_INTERNATIONAL,
    ATTRIBUTION_WORLDCUP,
    SOURCES_BY_PATH,
)
from heartbreak.data.store import SCHEMA_VERSION, TABLES, StaleStore, Store, write_store
from heartbreak.data.tables import RED_CARDS, derive_tables, matches_from_frames
from heartbreak.data.userfile import UserMatch
from heartbreak.data.usermatches import append_user_matches, read_user_matches, user_matches_path
from heartbreak.domain import Match
from heartbreak.drama.index import drama_index
from heartbreak.errors import BadSourceRow, ChecksumMismatch, DataUnavailable
from heartbreak.evaluation.peers import edition_starts
from heartbreak.model.inplay import InPlayModel
from heartbreak.model.params import ModelParams, load_params
from heartbreak.model.path import ProbabilityPath, Stakes
from heartbreak.model.strengths import (
    GoalModel,
    StrengthHistory,
    fit_days,
    fit_history,
    is_final_tournament,
)
from heartbreak.ratings.elo import EloParams, EloRatings
from heartbreak.tournaments import COMPETITIONS, editions
from heartbreak.tournaments.forecast import Strengths, model_strengths
from heartbreak.tournaments.stakes import (
    LiveMatch,
    Situation,
    bookings_of,
    group_stakes,
    situation_of,
)

Progress = Callable[..., None]


@dataclass(frozen=True)
class BuildReport:
    """What a build did: row counts per table, warnings, skipped bad rows and the time taken."""

    db_path: Path
    counts: dict[str, int]
    warnings: list[str] = field(default_factory=list)
    skipped_rows: list[BadSourceRow] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def skipped(self) -> int:
        return len(self.skipped_rows)


def rate_matches(tables: dict[str, pd.DataFrame]) -> float:
    """Rate every match of the derived tables in date order (World Football Elo): adds the
    matches' ``elo_home`` and ``elo_away`` (before the match) and the ``ratings`` table; returns
    the initial rating of a team without a match."""
    m = tables["matches"]
    columns = ["match_id", "date", "home", "away", "home_score", "away_score", "competition"]
    elo = EloRatings()
    elo.fit(m[[*columns, "neutral"]].sort_values(["date", "match_id"], kind="stable"))
    pre = elo.pre_match_.set_index("match_id").reindex(m["match_id"])
    m["elo_home"] = pre["elo_home"].to_numpy()
    m["elo_away"] = pre["elo_away"].to_numpy()
    tables["ratings"] = elo.history_[["team", "date", "match_id", "rating_before", "rating_after"]]
    return float(elo.params.initial_rating)


def fit_strengths(
    tables: dict[str, pd.DataFrame], params: ModelParams, step: Progress | None = None
) -> StrengthHistory:
    """Fit the goal model's team strengths (:mod:`heartbreak.model.strengths`) on the rated
    real matches, on every day of :func:`~heartbreak.model.strengths.fit_days`: adds the
    ``goal_fits`` and ``team_strengths`` tables."""
    m = tables["matches"]
    real = m[m["source"] != "user"]
    final = is_final_tournament(real["competition"])
    starts = edition_starts(real["competition"][final], real["date"][final]).dropna().unique()
    days = fit_days(real["date"], [pd.Timestamp(day).date() for day in starts])

    def progress(done: int, total: int) -> None:
        if step is not None and done % 25 == 0:
            step(f"fitting team strengths: {done}/{total}")

    history = fit_history(
        real, tables["ratings"], params.strengths, days, progress, params.goal_prior
    )
    tables["goal_fits"] = history.fits
    tables["team_strengths"] = history.strengths
    return history


def expected_goals_of(matches: pd.DataFrame, history: StrengthHistory) -> None:
    """Add each match's pre-match expected goals (``xg_home``, ``xg_away``) from its ratings and
    the strengths fitted before its day."""
    matches["xg_home"], matches["xg_away"] = history.match_rates(matches)


def drama_table(tables: dict[str, pd.DataFrame], step: Callable[..., None]) -> pd.DataFrame:
    """The drama index of every match (:mod:`heartbreak.drama.index`), from the derived tables
    and the packaged model parameters."""
    matches = tables["matches"]
    rows = matches.set_index("match_id", drop=False)
    goals = tables["goals"][tables["goals"]["minute"].notna()]
    cards = tables["cards"]
    reds = cards[cards["card"].isin(list(RED_CARDS)) & cards["minute"].notna()]

    kicks = tables["shootout_kicks"].merge(
        tables["shootouts"][["match_id", "first_shooter"]], on="match_id", how="inner"
    )

    def events(ids):
        wanted = rows.loc[ids]
        return matches_from_frames(
            wanted,
            goals[goals["match_id"].isin(ids)],
            reds[reds["match_id"].isin(ids)],
            kicks[kicks["match_id"].isin(ids)],
        )

    def progress(description: str, advance: int = 0, total: int | None = None) -> None:
        step(f"replaying matches: {description}")

    params = load_params()
    history = StrengthHistory(tables["goal_fits"], tables["team_strengths"], params.goal_prior)
    prematch, inplay = GoalModel(history, params.strengths.rho), InPlayModel(params.inplay)
    return drama_index(
        matches,
        events,
        prematch,
        inplay,
        progress,
        stakes=GroupStakes.from_tables(tables, events, prematch, inplay),
    )


class GroupStakes:
    """Adds the group stakes (:mod:`heartbreak.tournaments.stakes`) to the paths of the group
    matches of every modelled tournament: the one way the build's drama index, the replays and
    the exports work them out, so that they agree.

    ``frame``: the modelled competitions' ``matches`` rows with their ``fixtures`` columns
    (group_name, kickoff), in date and id order; ``cards``: their ``cards`` rows (with minutes);
    ``ratings``: ``ratings`` rows (team, date, match_id, rating_after) of their teams;
    ``events(ids)``: the domain matches of ids; ``editions``: the editions built from ``frame``
    when already at hand."""

    def __init__(
        self,
        frame: pd.DataFrame,
        cards: pd.DataFrame,
        ratings: pd.DataFrame,
        events: Callable[[list[int]], dict[int, Match]],
        prematch: GoalModel,
        inplay: InPlayModel,
        built: Sequence | None = None,
    ) -> None:
        self.events, self.prematch, self.inplay = events, prematch, inplay
        if built is None:
            built = editions(frame, cards[["match_id", "team", "player", "card"]])
        self.by_match = {f.match_id: e for e in built for f in e.fixtures}
        self.rows = frame.set_index("match_id")
        self.cards = {int(k): bookings_of(g) for k, g in cards.groupby("match_id", sort=False)}
        at_home = frame[~frame["neutral"].astype(bool)]
        self.home_side = dict(zip(at_home["match_id"].astype(int), at_home["home"], strict=True))
        ratings = ratings.sort_values(["team", "date", "match_id"], kind="stable")
        self.rating_days = {
            team: (
                pd.to_datetime(g["date"]).to_numpy("datetime64[D]"),
                g["rating_after"].to_numpy(float),
            )
            for team, g in ratings.groupby("team", sort=False)
        }
        self.initial = float(EloParams().initial_rating)
        self.strengths: dict[tuple, Strengths] = {}
        self.workers = 1

    @classmethod
    def from_tables(
        cls,
        tables: Mapping[str, pd.DataFrame],
        events: Callable[[list[int]], dict[int, Match]],
        prematch: GoalModel,
        inplay: InPlayModel,
    ) -> GroupStakes:
        """From the derived tables of a build."""
        m = tables["matches"]
        frame = m[m["competition"].isin(COMPETITIONS) & (m["source"] != "user")].merge(
            tables["fixtures"][["match_id", "group_name", "kickoff"]], on="match_id", how="left"
        )
        frame = frame.sort_values(["date", "match_id"], kind="stable").reset_index(drop=True)
        cards = tables["cards"][tables["cards"]["match_id"].isin(frame["match_id"])]
        made = cls(frame, cards, tables["ratings"], events, prematch, inplay)
        # The build works out every group match: on every core it may use.
        made.workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
        return made

    def rating(self, team: str, day: dt.date) -> float:
        """The team's rating going into ``day`` (only earlier matches count)."""
        found = self.rating_days.get(team)
        if found is None:
            return self.initial
        days, values = found
        k = int(np.searchsorted(days, np.datetime64(day, "D"), side="left"))
        return float(values[k - 1]) if k else self.initial

    def strengths_of(self, edition, day: dt.date) -> Strengths:
        key = (edition.label, day)
        if key not in self.strengths:
            rating = {t: self.rating(t, day) for t in edition.teams}
            hosts = frozenset(
                self.home_side[f.match_id] for f in edition.fixtures if f.match_id in self.home_side
            )
            rates = self.prematch.rates_on(day, rating)
            self.strengths[key] = model_strengths(rates, self.prematch.rho, self.inplay, hosts)
        return self.strengths[key]

    def expected_goals(self, fixture) -> tuple[float, float]:
        row = self.rows.loc[fixture.match_id]
        return float(row["xg_home"]), float(row["xg_away"])

    def situation(
        self,
        match_id: int,
        day: dt.date,
        records: Mapping[int, Match],
        followed: Mapping[int, LiveMatch] | None = None,
    ) -> Situation | None:
        """The situation of the group match ``match_id`` on ``day``
        (:func:`~heartbreak.tournaments.stakes.situation_of`), from ``records`` of the matches
        played that day and the matches ``followed`` live."""
        edition = self.by_match[match_id]
        return situation_of(
            edition,
            match_id,
            records,
            self.expected_goals,
            self.cards,
            self.strengths_of(edition, day),
            followed,
        )

    def live_stakes(
        self, match_id: int, path: ProbabilityPath, followed: Mapping[int, LiveMatch]
    ) -> Stakes:
        """The stakes of the group match ``match_id`` followed live: ``path`` is its replay so
        far, ``followed`` the matches of its group followed live (itself among them: fixture
        id → the match so far); the group's other matches as the store holds them (those
        played at the same time replayed alongside, as for a stored match)."""
        edition = self.by_match[match_id]
        me = followed[match_id]
        day = me.fixture.date
        need = [
            f.match_id for f in edition.fixtures if f.date == day and f.match_id not in followed
        ]
        records = self.events(sorted(need)) if need else {}
        situation = self.situation(match_id, day, records, followed)
        if situation is None:
            raise ValueError(f"match {match_id} has no group stakes")
        return group_stakes(situation, path, self.inplay)

    def __call__(self, matches: Sequence[Match], paths: list[ProbabilityPath]) -> list:
        out = list(paths)
        wanted = [
            k
            for k, m in enumerate(matches)
            if m.info.match_id in self.by_match and m.timeline_complete
        ]
        if not wanted:
            return out
        need = {
            f.match_id
            for k in wanted
            for f in self.by_match[matches[k].info.match_id].fixtures
            if f.date == matches[k].info.date
        }
        records = self.events(sorted(need))
        jobs = []
        for k in wanted:
            situation = self.situation(matches[k].info.match_id, matches[k].info.date, records)
            if situation is not None:
                jobs.append((k, situation))
        for (k, _), stakes in zip(jobs, self._run(jobs, out), strict=True):
            out[k] = replace(out[k], stakes=stakes)
        return out

    def _run(self, jobs: list[tuple[int, Situation]], paths: list[ProbabilityPath]) -> list:
        """The stakes of each job, on every core when there are many (the stakes are seeded
        by match, so where they are worked out does not change them)."""
        workers = min(self.workers, len(jobs) // PARALLEL_JOBS)
        # A fork copies one thread only: in a process running others (a server building its
        # store on first use) their locks could be copied held, so it works sequentially.
        if workers < 2 or threading.active_count() > 1:
            return [group_stakes(s, paths[k], self.inplay) for k, s in jobs]
        global _JOBS
        _JOBS = (jobs, paths, self.inplay)
        try:
            # Forked workers inherit the jobs: only the results travel back.
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                return pool.map(_job_stakes, range(len(jobs)), chunksize=16)
        finally:
            _JOBS = None


#: The jobs of a parallel run of :meth:`GroupStakes._run`, as forked workers inherit them.
_JOBS: tuple | None = None
#: Jobs per extra worker before a run is worth forking for.
PARALLEL_JOBS = 64


def _job_stakes(i: int):
    jobs, paths, inplay = _JOBS
    k, situation = jobs[i]
    return group_stakes(situation, paths[k], inplay)


def build_store(
    data_dir: Path | str,
    db_path: Path | str,
    skip_bad_rows: bool = False,
    progress: Progress | None = None,
    user_matches: list[UserMatch] | None = None,
    *,
    allow_modified: bool = False,
    accepted: Mapping[str, str] | None = None,
) -> BuildReport:
    """Validate the sources in ``data_dir`` and build the store at ``db_path`` atomically.

    ``user_matches`` are appended after the real matches (see the module docstring); by default
    those of the user-matches file beside ``db_path`` (after finishing an import that was
    interrupted between its renames: :mod:`heartbreak.data.integrity`).

    Every source file must have its pinned SHA-256; with ``allow_modified`` any file may
    differ, and ``accepted`` (``{path: SHA-256}``) lets through the files whose bytes a previous
    ``allow_modified`` build accepted. The files that differ are recorded in ``meta``
    (``modified:<file>``).

    Raises :class:`~heartbreak.errors.DataUnavailable` when files are missing,
    :class:`~heartbreak.errors.ChecksumMismatch` for a file that is not the pinned one,
    :class:`~heartbreak.errors.BadSourceRows` for malformed rows (unless ``skip_bad_rows``) and
    :class:`BadUserMatch` for a user match with an unknown team and no rating, in every case
    before anything is written.
    """
    config.check_store_target(db_path)  # a folder, or a folder that cannot be written: at once
    started = time.perf_counter()
    total = 15
    report: Progress = progress or (lambda *a, **k: None)

    def step(description: str, advance: int = 0) -> None:
        report(description, advance, total)

    if user_matches is None:
        origin = str(user_matches_path(db_path))
        previous = recorded_meta(db_path).get("user_matches_sha256")
        reconcile_user_matches(db_path, previous)
        user_matches = read_user_matches(origin)
    else:
        origin = "user matches"
    folder = locate_sources(data_dir)
    step("verifying sources")
    modified = verify_sources(folder, allow_modified=allow_modified, accepted=accepted)
    step("reading sources")
    src = load_sources(folder, skip_bad_rows=skip_bad_rows, progress=step)
    for file, digest in src.sha256.items():
        pinned = SOURCES_BY_PATH.get(file)
        expected = modified.get(file, pinned.sha256 if pinned is not None else digest)
        if digest != expected:
            raise ChecksumMismatch(
                f"{file} in {folder} changed while the store was being built "
                f"(SHA-256 {digest}, verified as {expected}); build again"
            )
    step("checked sources", 1)
    tables = derive_tables(src, step)
    step("ratings", 1)
    initial_rating = rate_matches(tables)
    step("team strengths", 1)
    history = fit_strengths(tables, load_params(), step)
    if user_matches:
        append_user_matches(tables, list(user_matches), origin, initial_rating)
    expected_goals_of(tables["matches"], history)
    step("replaying matches", 1)
    tables["drama"] = drama_table(tables, step)
    step("writing store", 1)

    counts = {name: len(tables[name]) for name in TABLES}
    warnings = list(src.warnings)
    for file, digest in sorted(src.sha256.items()):
        pinned = SOURCES_BY_PATH.get(file)
        if pinned is not None and pinned.sha256 != digest:
            warnings.append(f"{file} is not the pinned version (SHA-256 {digest[:12]}…)")
    if src.skipped:
        warnings.append(f"skipped {src.skipped} bad source rows")
    meta = {
        "schema_version": str(SCHEMA_VERSION),
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "elo_initial_rating": repr(float(initial_rating)),
        "skipped_rows": str(src.skipped),
        "user_matches": str(len(user_matches)),
        "user_matches_sha256": user_matches_digest(user_matches),
        **{f"modified:{file}": digest for file, digest in sorted(modified.items())},
        "attribution:international": ATTRIBUTION_INTERNATIONAL,
        "attribution:worldcup": ATTRIBUTION_WORLDCUP,
        **{f"sha256:{file}": digest for file, digest in src.sha256.items()},
        **{f"count:{name}": str(n) for name, n in counts.items()},
    }

    write_store(db_path, tables, meta)
    step("store ready", 1)
    return BuildReport(
        Path(db_path), counts, warnings, list(src.bad_rows), time.perf_counter() - started
    )


def source_folder(data_dir: Path | str | None, progress: Progress | None = None) -> Path:
    """The source folder (``data_dir``, else as :func:`heartbreak.config.data_dir` finds it),
    downloaded first when none was named (no argument, no ``HEARTBREAK_DATA_DIR``) and the
    user's own copy is missing, so a new user never has to know the order of steps."""
    sources = config.data_dir(data_dir)
    named = data_dir is not None or bool(os.environ.get("HEARTBREAK_DATA_DIR"))
    if not named:
        try:
            locate_sources(sources)
        except DataUnavailable:
            fetch_sources(sources, progress=progress)
    return sources


def ensure_store(
    db_path: Path | str | None = None,
    data_dir: Path | str | None = None,
    progress: Progress | None = None,
    *,
    allow_modified: bool = False,
) -> Store:
    """Open the store, building it first when it does not exist, has an old schema or no
    longer agrees with its user-matches file.

    ``db_path`` and ``data_dir`` default as in :mod:`heartbreak.config`. When no source folder
    was named (no argument, no ``HEARTBREAK_DATA_DIR``) and the user's own copy is missing, the
    sources are downloaded first, so a new user never has to know the order of steps.

    An import killed between its two renames is finished first (its list renamed into place);
    a user-matches file that otherwise differs from what the store was built from (edited by
    hand) gets the store rebuilt from it. A rebuild accepts the modified sources the previous
    store was built from (:mod:`heartbreak.data.integrity`); a first build, with
    ``allow_modified``, any.
    """
    db = config.db_path(db_path)
    if db.is_file():
        try:
            store = Store(db)
        except StaleStore:
            pass
        else:
            if _agrees_with_user_file(store):
                return store
            store.close()
    config.check_store_target(db)  # before a build whose store could not be written
    accepted = modifications_in(recorded_meta(db))
    sources = source_folder(data_dir, progress)
    build_store(sources, db, progress=progress, allow_modified=allow_modified, accepted=accepted)
    return Store(db)


def _agrees_with_user_file(store: Store) -> bool:
    """Whether an open store was built from what its user-matches file holds, after finishing
    an interrupted import; an unreadable file counts as agreeing (the next build reports it)."""
    meta = store.meta()
    recorded = meta.get("user_matches_sha256")
    count = int(meta.get("user_matches", 0) or 0)
    user_file = user_matches_path(store.path)
    agrees = in_step(recorded, count, user_file)
    if agrees is False and reconcile_user_matches(store.path, recorded):
        agrees = in_step(recorded, count, user_file)
    return agrees is not False
