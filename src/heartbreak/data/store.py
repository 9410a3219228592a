"""The DuckDB store: written once by the build, then read; the only code that speaks SQL.

:func:`write_store` writes the tables of a build (:mod:`heartbreak.build`) to ``<db>.tmp-<pid>``
in the target's folder and moves it onto the target with ``os.replace``: a failed or killed build
leaves the previous store byte-identical. :class:`Store` opens a store read-only and answers
queries.

Tables (the column names are a contract):

- ``matches``: match_id (1-based row of international/results.csv), date, home, away,
  home_score, away_score (after extra time, without shootout), competition, city, country,
  neutral, wc_match_id, stage, knockout, extra_time, shootout_winner, home_penalties,
  away_penalties, winner, goals_listed, timeline_complete, source, elo_home, elo_away, xg_home,
  xg_away (the pre-match expected goals of the goal model, :mod:`heartbreak.model.strengths`).
- ``fixtures``: match_id, group_name, kickoff: a World Cup match's group as the World Cup
  database names it (NULL outside a group) and its local kick-off time "HH:MM" (NULL when
  unknown), for every match of the World Cup database.
- ``goals``: match_id, seq, team (credited), side, scorer, minute, stoppage, period, own_goal,
  penalty. ``stoppage`` is NULL when unknown (international goals at 45, 90, 105 or 120 may be
  in stoppage time: that data gives them the period's nominal end) and 0 in regular time.
- ``cards``: match_id, seq, team, side, player, minute, stoppage, period, card, sending_off.
- ``shootouts``: match_id, winner, first_shooter; ``shootout_kicks``: match_id, seq, team, side,
  player, converted.
- ``teams``: name, first_match, last_match, matches; ``team_aliases``: alias, team, start_date,
  end_date, kind.
- ``ratings``: team, date, match_id, rating_before, rating_after.
- ``goal_fits``: as_of, the coefficients of :data:`heartbreak.model.strengths.COEFFICIENTS`,
  elo_mean, matches: each fit of the goal model; ``team_strengths``: as_of, team, attack,
  defence: every team's strengths in each fit.
- ``meta``: key, value (schema_version, built_at, sha256:<file>, count:<table>, attribution,
  user_matches, user_matches_sha256 (the digest of the user matches built from), and
  modified:<file> for each source file whose SHA-256 was not the pinned one, see
  :mod:`heartbreak.data.integrity`).

User matches (``heartbreak import``) are appended to the tables by the build, with ids from
:data:`heartbreak.data.usermatches.USER_MATCH_ID_BASE` on and source ``user``
(:mod:`heartbreak.data.usermatches`).

World Cup data come from the Fjelstul World Cup Database (CC-BY-SA 4.0): see
:data:`heartbreak.data.sources.ATTRIBUTION_WORLDCUP`, also stored in ``meta``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from heartbreak.data.competitions import CompetitionResolver
from heartbreak.data.files import fsync_dir, remove_stale, temp_beside
from heartbreak.data.integrity import modifications_in
from heartbreak.data.tables import matches_from_frames
from heartbreak.data.teams import TeamResolver, aliases_from_frame
from heartbreak.dates import parse_day
from heartbreak.domain import Match
from heartbreak.errors import InvalidInput, NoSuchMatch, StoreError

#: The version of the tables' layout; a store of another version is rebuilt.
SCHEMA_VERSION = 6


class StaleStore(StoreError):
    """The store was built by another schema version; :func:`heartbreak.build.ensure_store`
    rebuilds it."""


#: Every table's columns with their SQL types (the contract other code reads) and row order.
_SCHEMA: dict[str, tuple[str, str]] = {
    "drama": (
        "match_id INTEGER, side VARCHAR, team VARCHAR, opponent VARCHAR, complete BOOLEAN, "
        "prematch_chance DOUBLE, result VARCHAR, peak_chance DOUBLE, peak_minute INTEGER, "
        "peak_stoppage INTEGER, peak_time_left DOUBLE, low_chance DOUBLE, excitement DOUBLE, "
        "surprise DOUBLE, suspense DOUBLE, shock DOUBLE, comeback DOUBLE, heartbreak DOUBLE, "
        "decisive_minute INTEGER, decisive_stoppage INTEGER, lead_changes INTEGER, "
        "max_lead INTEGER, flags VARCHAR, stake VARCHAR",
        "match_id, side DESC",
    ),
    "matches": (
        "match_id INTEGER, date DATE, home VARCHAR, away VARCHAR, home_score INTEGER, "
        "away_score INTEGER, competition VARCHAR, city VARCHAR, country VARCHAR, "
        "neutral BOOLEAN, wc_match_id VARCHAR, stage VARCHAR, knockout BOOLEAN, "
        "extra_time BOOLEAN, shootout_winner VARCHAR, home_penalties INTEGER, "
        "away_penalties INTEGER, winner VARCHAR, goals_listed INTEGER, "
        "timeline_complete BOOLEAN, source VARCHAR, elo_home DOUBLE, elo_away DOUBLE, "
        "xg_home DOUBLE, xg_away DOUBLE",
        "match_id",
    ),
    "fixtures": (
        "match_id INTEGER, group_name VARCHAR, kickoff VARCHAR",
        "match_id",
    ),
    "goals": (
        "match_id INTEGER, seq INTEGER, team VARCHAR, side VARCHAR, scorer VARCHAR, "
        "minute INTEGER, stoppage INTEGER, period VARCHAR, own_goal BOOLEAN, penalty BOOLEAN",
        "match_id, seq",
    ),
    "cards": (
        "match_id INTEGER, seq INTEGER, team VARCHAR, side VARCHAR, player VARCHAR, "
        "minute INTEGER, stoppage INTEGER, period VARCHAR, card VARCHAR, sending_off BOOLEAN",
        "match_id, seq",
    ),
    "shootouts": (
        "match_id INTEGER, winner VARCHAR, first_shooter VARCHAR",
        "match_id",
    ),
    "shootout_kicks": (
        "match_id INTEGER, seq INTEGER, team VARCHAR, side VARCHAR, player VARCHAR, "
        "converted BOOLEAN",
        "match_id, seq",
    ),
    "teams": (
        "name VARCHAR, first_match DATE, last_match DATE, matches INTEGER",
        "name",
    ),
    "team_aliases": (
        "alias VARCHAR, team VARCHAR, start_date DATE, end_date DATE, kind VARCHAR",
        "kind, alias",
    ),
    "ratings": (
        "team VARCHAR, date DATE, match_id INTEGER, rating_before DOUBLE, rating_after DOUBLE",
        "team, date, match_id",
    ),
    "goal_fits": (
        "as_of DATE, intercept DOUBLE, home_attack DOUBLE, home_defence DOUBLE, "
        "host_attack DOUBLE, host_defence DOUBLE, final_tournament DOUBLE, elo_attack DOUBLE, "
        "elo_defence DOUBLE, elo_mean DOUBLE, matches INTEGER",
        "as_of",
    ),
    "team_strengths": (
        "as_of DATE, team VARCHAR, attack DOUBLE, defence DOUBLE",
        "as_of, team",
    ),
}


def _day_numbers(days: np.ndarray | Sequence[dt.date]) -> np.ndarray:
    """Days since 1970-01-01 of datetime64 values or of ``datetime.date`` objects (any year:
    no nanosecond bounds)."""
    if isinstance(days, np.ndarray) and days.dtype.kind == "M":
        return days.astype("datetime64[D]").astype(np.int64)
    epoch = dt.date(1970, 1, 1).toordinal()
    return np.fromiter((d.toordinal() - epoch for d in days), np.int64, len(days))


def _ranked_rows(metric: str) -> str:
    """The drama-index rows a metric ranks (see :meth:`Store.drama_rankings`), as SQL over
    ``drama d JOIN matches m``."""
    if metric == "heartbreak":
        return "d.complete AND d.heartbreak > 0"
    if metric == "comeback":
        return "d.complete AND d.comeback > 0"
    return "d.complete AND (d.result = 'lost' OR (m.winner IS NULL AND d.side = 'home'))"


def _select_sql(columns: str, order: str) -> str:
    """The statement that writes a table from the registered DataFrame ``frame``."""
    casts = ", ".join(
        f"CAST({name} AS {kind}) AS {name}"
        for name, kind in (column.split() for column in columns.split(","))
    )
    return f"SELECT {casts} FROM frame ORDER BY {order}"


_TABLE_SQL = {name: _select_sql(columns, order) for name, (columns, order) in _SCHEMA.items()}

#: The drama index's numeric columns: the only names a ranking query puts into its SQL.
_DRAMA_NUMBERS = frozenset(
    name
    for name, kind in (column.split() for column in _SCHEMA["drama"][0].split(","))
    if kind == "DOUBLE"
)


def _check_metric(metric: str, label: str) -> None:
    """Refuse a metric that is not a number of the drama index (the caller names the ranked
    metrics; this keeps any other text out of the SQL)."""
    if metric not in _DRAMA_NUMBERS:
        raise InvalidInput(f"{label}: {metric!r} is not a metric of the drama index", field=label)


#: The store's tables, in the order they are written.
TABLES = tuple(_SCHEMA)


def remove_stale_temps(db_path: Path) -> list[Path]:
    """Delete ``<db>.tmp-<pid>`` files (and WALs) of builds that are no longer running (and this
    process's own)."""
    pattern = re.compile(re.escape(db_path.name) + r"\.tmp-(\d+)(\.wal)?$")
    return remove_stale(db_path.parent, [pattern], own=True)


def _write(tmp: Path, tables: Mapping[str, pd.DataFrame], meta: Mapping[str, str]) -> None:
    con = duckdb.connect(str(tmp))
    try:
        for name, sql in _TABLE_SQL.items():
            con.register("frame", tables[name])
            con.execute(f"CREATE TABLE {name} AS {sql}")
            con.unregister("frame")
        con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        con.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))
        con.execute("CHECKPOINT")
    finally:
        con.close()
    with open(tmp, "rb+") as handle:
        os.fsync(handle.fileno())


def write_store(
    db_path: Path | str, tables: Mapping[str, pd.DataFrame], meta: Mapping[str, str]
) -> None:
    """Write every table of :data:`TABLES` and the ``meta`` rows to a new file beside
    ``db_path`` and rename it into place (then make the rename durable): the previous store is
    replaced whole or not at all."""
    db = Path(db_path)
    db.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(db)
    tmp = temp_beside(db, "tmp")
    try:
        _write(tmp, tables, meta)
        os.replace(tmp, db)
        fsync_dir(db.parent)
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class MatchFilters:
    """What a match search keeps (every filter optional; None keeps all).

    ``team``/``opponent`` are resolved through the aliases; ``competition`` as a fan types it
    (:meth:`Store.resolve_competition`: any case, "World Cup", "Euro qualifiers"); the dates are
    inclusive; ``world_cup``: merged with the World Cup DB; ``knockout``: needed a winner;
    ``final``: a World Cup final (or not); ``timeline_complete``: every goal's minute known.
    """

    team: str | None = None
    opponent: str | None = None
    competition: str | None = None
    date_from: dt.date | str | None = None
    date_to: dt.date | str | None = None
    world_cup: bool | None = None
    knockout: bool | None = None
    final: bool | None = None
    timeline_complete: bool | None = None


_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1


class Store:
    """A read-only view of a built store. Query methods return DataFrames or domain objects."""

    def __init__(self, db_path: Path | str) -> None:
        self.path = Path(db_path)
        if not self.path.is_file():
            raise StoreError(f"no store at {self.path}; run `heartbreak data build`")
        try:
            # The file is attached to a database of this Store's own rather than opened with
            # duckdb.connect(path), whose per-process instance cache would hand back the file
            # that was at this path before an import or a rebuild replaced it, for as long as
            # anything (a running server's previous session) holds a connection to it.
            self._con = duckdb.connect(":memory:")
            quoted = str(self.path).replace("'", "''")
            self._con.execute(f"ATTACH '{quoted}' AS store (READ_ONLY)")
            self._con.execute("USE store")
        except duckdb.Error as exc:
            self.close()
            raise StoreError(
                f"cannot open the store at {self.path} ({exc}); "
                "run `heartbreak data build` to rebuild it"
            ) from exc
        self._lock = threading.Lock()
        self._resolver: TeamResolver | None = None
        self._competitions: CompetitionResolver | None = None
        try:
            version = self._scalar("SELECT value FROM meta WHERE key = 'schema_version'")
        except duckdb.Error as exc:
            self.close()
            raise StoreError(
                f"{self.path} is not a Heartbreak store ({exc}); "
                "run `heartbreak data build` to rebuild it"
            ) from exc
        if version != str(SCHEMA_VERSION):
            self.close()
            raise StaleStore(
                f"the store at {self.path} has schema version {version}, this version needs "
                f"{SCHEMA_VERSION}; run `heartbreak data build`"
            )

    # -- plumbing
    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def query(self, sql: str, params: Iterable[Any] | None = None) -> pd.DataFrame:
        """Run a read-only SQL query (for services that need a table this class lacks)."""
        with self._lock:
            cursor = self._con.cursor()
        try:
            cursor.execute("USE store")
            return cursor.execute(sql, list(params or [])).df()
        except duckdb.Error as exc:
            raise StoreError(f"store query failed: {exc}") from exc
        finally:
            cursor.close()

    def _scalar(self, sql: str, params: Iterable[Any] | None = None) -> Any:
        with self._lock:
            row = self._con.execute(sql, list(params or [])).fetchone()
        return None if row is None else row[0]

    # -- teams
    def team_names(self) -> list[str]:
        """Canonical team names, sorted."""
        return self.query("SELECT name FROM teams ORDER BY name")["name"].tolist()

    def teams(self) -> pd.DataFrame:
        """The ``teams`` table: name, first_match, last_match, matches."""
        return self.query("SELECT * FROM teams ORDER BY name")

    def aliases(self) -> pd.DataFrame:
        """The ``team_aliases`` table: alias, team, start_date, end_date, kind."""
        return self.query("SELECT * FROM team_aliases ORDER BY kind, alias")

    def resolver(self) -> TeamResolver:
        """A :class:`TeamResolver` over the stored names and aliases (built once)."""
        if self._resolver is None:
            aliases = aliases_from_frame(self.aliases())
            self._resolver = TeamResolver(self.team_names(), aliases)
        return self._resolver

    def resolve(self, text: str, date: dt.date | str | None = None) -> str:
        """The canonical name for what a user typed; raises UnknownTeam."""
        return self.resolver().resolve(text, date)

    # -- competitions
    def competition_resolver(self) -> CompetitionResolver:
        """A :class:`~heartbreak.data.competitions.CompetitionResolver` over the stored
        competitions (built once)."""
        if self._competitions is None:
            names = self.query("SELECT DISTINCT competition FROM matches")["competition"]
            self._competitions = CompetitionResolver(names.dropna().tolist())
        return self._competitions

    def resolve_competition(self, text: str) -> tuple[str, ...]:
        """The stored competitions a user's text names ("World Cup" → FIFA World Cup), sorted;
        empty when none fits (see :mod:`heartbreak.data.competitions`)."""
        return self.competition_resolver().resolve(text)

    # -- matches
    def _match_filters(self, f: MatchFilters) -> tuple[str, list[Any]]:
        """The ``WHERE`` clause (possibly empty) and its parameters of a match search."""
        where, params = [], []
        for name in [self.resolve(t) for t in (f.team, f.opponent) if t is not None]:
            where.append("(home = ? OR away = ?)")
            params += [name, name]
        if f.competition is not None:
            names = list(self.resolve_competition(f.competition))
            if names:
                where.append("competition IN (SELECT unnest(?::VARCHAR[]))")
                params.append(names)
            else:
                where.append("FALSE")
        if f.date_from is not None:
            where.append("date >= ?")
            params.append(parse_day(f.date_from))
        if f.date_to is not None:
            where.append("date <= ?")
            params.append(parse_day(f.date_to))
        if f.world_cup is not None:
            where.append("wc_match_id IS NOT NULL" if f.world_cup else "wc_match_id IS NULL")
        if f.knockout is not None:
            where.append("knockout = ?")
            params.append(f.knockout)
        if f.final is not None:
            where.append("stage = 'final'" if f.final else "stage IS DISTINCT FROM 'final'")
        if f.timeline_complete is not None:
            where.append("timeline_complete = ?")
            params.append(f.timeline_complete)
        return (" WHERE " + " AND ".join(where)) if where else "", params

    def matches(self, *, limit: int | None = None, **filters: Any) -> pd.DataFrame:
        """Matches (``matches`` columns) by :class:`MatchFilters` (given as keywords), oldest
        first; at most ``limit``."""
        where, params = self._match_filters(MatchFilters(**filters))
        sql = f"SELECT * FROM matches{where} ORDER BY date, match_id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self.query(sql, params)

    def search_matches(
        self, *, newest_first: bool = True, limit: int = 50, offset: int = 0, **filters: Any
    ) -> tuple[int, pd.DataFrame]:
        """One page of a match search: how many matches fit the :class:`MatchFilters` (given as
        keywords) and the ``limit`` of them from ``offset``, newest first unless
        ``newest_first`` is False (by date, then match id)."""
        where, params = self._match_filters(MatchFilters(**filters))
        total = int(self._scalar(f"SELECT count(*) FROM matches{where}", params) or 0)
        order = "date DESC, match_id DESC" if newest_first else "date, match_id"
        page = self.query(
            f"SELECT * FROM matches{where} ORDER BY {order} LIMIT ? OFFSET ?",
            [*params, int(limit), int(offset)],
        )
        return total, page

    def match_neighbours(self, match_id: int) -> dict[str, pd.Series | None]:
        """The matches just before and just after a match in its competition, by (date, match
        id): ``{"previous": row or None, "next": row or None}`` (``matches`` columns). A match
        that is not stored has neither."""
        found: dict[str, pd.Series | None] = {"previous": None, "next": None}
        if not _INT32_MIN <= int(match_id) <= _INT32_MAX:
            return found
        rows = self.query(
            """
            WITH this AS (SELECT competition, date, match_id FROM matches WHERE match_id = ?)
            SELECT * FROM (
                SELECT 'previous' AS neighbour, m.* FROM matches m, this
                WHERE m.competition = this.competition
                  AND (m.date < this.date OR (m.date = this.date AND m.match_id < this.match_id))
                ORDER BY m.date DESC, m.match_id DESC LIMIT 1)
            UNION ALL
            SELECT * FROM (
                SELECT 'next' AS neighbour, m.* FROM matches m, this
                WHERE m.competition = this.competition
                  AND (m.date > this.date OR (m.date = this.date AND m.match_id > this.match_id))
                ORDER BY m.date, m.match_id LIMIT 1)
            """,
            [int(match_id)],
        )
        for _, row in rows.iterrows():
            found[str(row["neighbour"])] = row.drop("neighbour")
        return found

    def find_matches(
        self, home: str, away: str | None = None, date: dt.date | str | None = None
    ) -> pd.DataFrame:
        """Matches between two teams (in either order), on ``date`` if given, in date order."""
        day = parse_day(date) if date is not None else None
        first = self.resolve(home, day)
        params: list[Any] = []
        if away is None:
            sql = "SELECT * FROM matches WHERE (home = ? OR away = ?)"
            params += [first, first]
        else:
            second = self.resolve(away, day)
            sql = "SELECT * FROM matches WHERE ((home = ? AND away = ?) OR (home = ? AND away = ?))"
            params += [first, second, second, first]
        if day is not None:
            sql += " AND date = ?"
            params.append(day)
        return self.query(sql + " ORDER BY date, match_id", params)

    def find_match(self, home: str, away: str, date: dt.date | str) -> int:
        """The match_id of the one match between two teams on a date; raises NoSuchMatch."""
        found = self.find_matches(home, away, date)
        if len(found) == 0:
            raise NoSuchMatch(f"no match between {home} and {away} on {parse_day(date)}")
        if len(found) > 1:
            ids = ", ".join(str(i) for i in found["match_id"])
            raise NoSuchMatch(
                f"{len(found)} matches between {home} and {away} on {parse_day(date)} "
                f"(match ids {ids}); choose one with --id"
            )
        return int(found["match_id"].iloc[0])

    def match_row(self, match_id: int) -> pd.Series:
        """One row of ``matches``; raises NoSuchMatch."""
        if not _INT32_MIN <= int(match_id) <= _INT32_MAX:
            raise NoSuchMatch(f"no match with id {match_id}")
        found = self.query("SELECT * FROM matches WHERE match_id = ?", [int(match_id)])
        if found.empty:
            raise NoSuchMatch(f"no match with id {match_id}")
        return found.iloc[0]

    def goals(self, match_id: int) -> pd.DataFrame:
        """The ``goals`` rows of a match in order."""
        return self.query("SELECT * FROM goals WHERE match_id = ? ORDER BY seq", [int(match_id)])

    def cards(self, match_id: int) -> pd.DataFrame:
        """The ``cards`` rows of a match in order (World Cup matches from 1970)."""
        return self.query("SELECT * FROM cards WHERE match_id = ? ORDER BY seq", [int(match_id)])

    def shootout_kicks(self, match_id: int) -> pd.DataFrame:
        """The ``shootout_kicks`` rows of a match in order (World Cup shootouts)."""
        return self.query(
            "SELECT * FROM shootout_kicks WHERE match_id = ? ORDER BY seq", [int(match_id)]
        )

    def match(self, match_id: int) -> Match:
        """A :class:`~heartbreak.domain.Match`: its info and its goals and red cards in order.

        Goals without a minute cannot be placed and are left out of the events (the match's
        ``timeline_complete`` is then False); an unknown stoppage becomes 0. Raises NoSuchMatch.
        """
        found = self.load_matches([match_id])
        if match_id not in found:
            raise NoSuchMatch(f"no match with id {match_id}")
        return found[match_id]

    def load_matches(self, match_ids: Iterable[int]) -> dict[int, Match]:
        """Many :class:`~heartbreak.domain.Match` objects at once (three queries in all).

        Returns match_id → Match for the ids that exist, in the order given.
        """
        # Ids are stored as 32-bit integers: one outside their range names no match.
        ids = [int(i) for i in match_ids if _INT32_MIN <= int(i) <= _INT32_MAX]
        if not ids:
            return {}
        where = "WHERE match_id IN (SELECT unnest(?::INTEGER[]))"
        rows = self.query(f"SELECT * FROM matches {where}", [ids])
        goals = self.query(
            f"SELECT * FROM goals {where} AND minute IS NOT NULL ORDER BY match_id, seq", [ids]
        )
        reds = self.query(
            f"SELECT * FROM cards {where} AND card IN ('red', 'second_yellow') "
            "AND minute IS NOT NULL ORDER BY match_id, seq",
            [ids],
        )
        kicks = self.query(
            "SELECT k.match_id, k.seq, k.side, k.player, k.converted, s.first_shooter "
            "FROM shootout_kicks k JOIN shootouts s ON s.match_id = k.match_id "
            "WHERE k.match_id IN (SELECT unnest(?::INTEGER[])) ORDER BY k.match_id, k.seq",
            [ids],
        )
        built = matches_from_frames(rows, goals, reds, kicks)
        return {i: built[i] for i in dict.fromkeys(ids) if i in built}

    def all_goals(self) -> pd.DataFrame:
        """Every ``goals`` row, in match order (for fitting and evaluation in bulk)."""
        return self.query("SELECT * FROM goals ORDER BY match_id, seq")

    def all_shootout_kicks(self) -> pd.DataFrame:
        """Every ``shootout_kicks`` row, in match order (for fitting in bulk)."""
        return self.query("SELECT * FROM shootout_kicks ORDER BY match_id, seq")

    def all_red_cards(self) -> pd.DataFrame:
        """Every sending-off (straight red or second yellow), in match order."""
        return self.query(
            "SELECT * FROM cards WHERE card IN ('red', 'second_yellow') ORDER BY match_id, seq"
        )

    def tournament_frames(self, competitions: Iterable[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The matches of ``competitions`` (``matches`` rows with their ``fixtures`` columns,
        in date and id order) and their cards (``cards`` rows: match_id, team, player, card), for
        :func:`heartbreak.tournaments.editions`."""
        names = list(competitions)
        matches = self.query(
            "SELECT m.*, f.group_name, f.kickoff FROM matches m "
            "LEFT JOIN fixtures f ON f.match_id = m.match_id "
            "WHERE m.competition IN (SELECT unnest(?::VARCHAR[])) AND m.source <> 'user' "
            "ORDER BY m.date, m.match_id",
            [names],
        )
        cards = self.query(
            "SELECT c.match_id, c.team, c.player, c.card FROM cards c JOIN matches m "
            "ON m.match_id = c.match_id WHERE m.competition IN (SELECT unnest(?::VARCHAR[])) "
            "ORDER BY c.match_id, c.seq",
            [names],
        )
        return matches, cards

    def ranked_values(self, metric: str) -> pd.DataFrame:
        """Every row that :meth:`drama_rankings` ranks by ``metric``, as (match_id,
        competition, value): the population a match's rank is counted in."""
        _check_metric(metric, "metric")
        return self.query(
            f"""SELECT d.match_id, m.competition, d.{metric} AS value
                FROM drama d JOIN matches m USING (match_id)
                WHERE {_ranked_rows(metric)}"""
        )

    def drama_rankings(
        self,
        metric: str,
        *,
        competition: str | None = None,
        stage: str | None = None,
        team: str | None = None,
        date_from: dt.date | str | None = None,
        date_to: dt.date | str | None = None,
        limit: int = 10,
    ) -> pd.DataFrame:
        """The drama index ranked by ``metric`` (one of
        :data:`heartbreak.drama.metrics.RANKED_METRICS`), with match facts.

        ``heartbreak`` ranks the losers' rows and ``comeback`` the winners'; the match-wide
        metrics rank one row per match, the loser's (the home side's after a draw). ``stage``:
        ``knockout`` (matches that needed a winner), ``group`` (the others) or ``final`` (World
        Cup finals). ``team``: matches the team played in. Dates are inclusive.
        """
        _check_metric(metric, "--metric")
        where = [_ranked_rows(metric)]
        params: list[Any] = []
        if competition is not None:
            names = list(self.resolve_competition(competition))
            where.append("m.competition IN (SELECT unnest(?::VARCHAR[]))" if names else "FALSE")
            if names:
                params.append(names)
        if stage is not None:
            clause = {
                "knockout": "m.knockout",
                "group": "NOT m.knockout",
                "final": "m.stage = 'final'",
            }.get(stage)
            if clause is None:
                raise InvalidInput(
                    f"--stage: {stage!r} is not knockout, group or final", field="stage"
                )
            where.append(clause)
        if team is not None:
            name = self.resolve(team)
            where.append("(m.home = ? OR m.away = ?)")
            params += [name, name]
        if date_from is not None:
            where.append("m.date >= ?")
            params.append(parse_day(date_from))
        if date_to is not None:
            where.append("m.date <= ?")
            params.append(parse_day(date_to))
        sql = f"""
            SELECT d.*, m.date, m.home, m.away, m.home_score, m.away_score, m.competition,
                   m.stage, m.knockout, m.extra_time, m.shootout_winner, m.winner,
                   d.{metric} AS value
            FROM drama d JOIN matches m USING (match_id)
            WHERE {" AND ".join(where)}
            ORDER BY d.{metric} DESC, m.date, d.match_id
            LIMIT {int(limit)}"""
        return self.query(sql, params)

    def drama_of(self, match_id: int) -> pd.DataFrame:
        """The two drama-index rows of a match."""
        return self.query(
            "SELECT * FROM drama WHERE match_id = ? ORDER BY side DESC", [int(match_id)]
        )

    def drama_of_matches(self, match_ids: Iterable[int]) -> pd.DataFrame:
        """The drama-index rows of many matches, by match id (home side first)."""
        ids = [int(i) for i in match_ids]
        return self.query(
            "SELECT * FROM drama WHERE match_id IN (SELECT unnest(?::INTEGER[])) "
            "ORDER BY match_id, side DESC",
            [ids],
        )

    def team_drama(self, team: str) -> pd.DataFrame:
        """Every drama-index row of a team's side, with match facts, in date order."""
        name = self.resolve(team)
        return self.query(
            """SELECT d.*, m.date, m.home, m.away, m.home_score, m.away_score, m.competition,
                      m.stage, m.knockout, m.extra_time, m.shootout_winner, m.winner
               FROM drama d JOIN matches m USING (match_id)
               WHERE d.team = ? ORDER BY m.date, d.match_id""",
            [name],
        )

    # -- ratings
    def ratings_as_of(
        self, date: dt.date | str, teams: Iterable[str] | None = None
    ) -> pd.DataFrame:
        """Elo ratings going into ``date``: only matches strictly before it count.

        Returns DataFrame[team, rating, matches, last_match], best first. Without ``teams``, every
        team with a match before the date; with ``teams`` (resolved through the aliases), those
        teams, a team with no earlier match at the initial rating.
        """
        day = parse_day(date)
        latest = self.query(
            """
            SELECT team, rating_after AS rating, count(*) OVER (PARTITION BY team) AS matches,
                   date AS last_match
            FROM ratings WHERE date < ?
            QUALIFY row_number() OVER (PARTITION BY team ORDER BY date DESC, match_id DESC) = 1
            """,
            [day],
        )
        if teams is not None:
            names = [self.resolve(t, day) for t in teams]
            wanted = pd.DataFrame({"team": list(dict.fromkeys(names))})
            latest = wanted.merge(latest, on="team", how="left")
            latest["rating"] = latest["rating"].fillna(self.initial_rating)
            latest["matches"] = latest["matches"].fillna(0).astype("int64")
        out = latest.sort_values(["rating", "team"], ascending=[False, True], kind="stable")
        return out.reset_index(drop=True)[["team", "rating", "matches", "last_match"]]

    def ratings_before(self, teams: Sequence[str], dates: Sequence[dt.date | str]) -> np.ndarray:
        """The rating of ``teams[i]`` going into ``dates[i]``, for every i, in one query: what
        :meth:`ratings_as_of` gives (the name resolved through the aliases on that date, only
        matches strictly before it count; a team with none has the initial rating)."""
        days = [d if type(d) is dt.date else parse_day(d) for d in dates]
        resolved: dict[tuple[str, dt.date], str] = {}
        for key in zip(teams, days, strict=True):
            if key not in resolved:
                resolved[key] = self.resolve(*key)
        names = [resolved[key] for key in zip(teams, days, strict=True)]
        codes = {name: i for i, name in enumerate(dict.fromkeys(names))}
        history = self.query(
            """
            SELECT team, date, rating_after FROM ratings
            WHERE team IN (SELECT unnest(?::VARCHAR[])) ORDER BY date, match_id
            """,
            [list(codes)],
        )
        # Rows sorted by (team, day), a day's matches in match_id order: the last row below a
        # fixture's (team, day) is its team's latest match before the day, as in ratings_as_of.
        span = np.int64(1) << 32
        row_codes = pd.Index(list(codes)).get_indexer(history["team"]).astype(np.int64)
        row_keys = row_codes * span + _day_numbers(history["date"].to_numpy())
        order = np.argsort(row_keys, kind="stable")
        row_codes, row_keys = row_codes[order], row_keys[order]
        row_ratings = history["rating_after"].to_numpy(float)[order]
        fixture_codes = np.array([codes[n] for n in names], dtype=np.int64)
        at = np.searchsorted(row_keys, fixture_codes * span + _day_numbers(days)) - 1
        found = at >= 0
        found[found] = row_codes[at[found]] == fixture_codes[found]
        rating = np.full(len(names), np.nan)
        rating[found] = row_ratings[at[found]]
        return np.where(np.isnan(rating), self.initial_rating, rating)

    def goal_fits(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Every fit of the goal model and every team's strengths in it (``goal_fits``,
        ``team_strengths``), as :class:`heartbreak.model.strengths.StrengthHistory` reads them."""
        return (
            self.query("SELECT * FROM goal_fits ORDER BY as_of"),
            self.query("SELECT * FROM team_strengths ORDER BY as_of, team"),
        )

    def rating_history(self, team: str) -> pd.DataFrame:
        """Every ``ratings`` row of a team in date order."""
        name = self.resolve(team)
        return self.query("SELECT * FROM ratings WHERE team = ? ORDER BY date, match_id", [name])

    @property
    def initial_rating(self) -> float:
        """The rating of a team before its first match (the build records it)."""
        value = self.meta().get("elo_initial_rating")
        if value is None:
            raise StaleStore(f"{self.path} does not record its initial rating; rebuild it")
        return float(value)

    # -- meta
    def meta(self) -> dict[str, Any]:
        """Build facts: schema_version, built_at, sources {file: sha256}, counts {table: n},
        modified {file: sha256} (the sources that differed from their pinned SHA-256 and were
        built from anyway), user_matches_sha256, ..."""
        rows = self.query("SELECT key, value FROM meta")
        flat = dict(zip(rows["key"], rows["value"], strict=True))
        out: dict[str, Any] = {"sources": {}, "counts": {}, "attribution": {}}
        out["modified"] = modifications_in(flat)
        for key, value in flat.items():
            if key.startswith("modified:"):
                continue
            if key.startswith("sha256:"):
                out["sources"][key.removeprefix("sha256:")] = value
            elif key.startswith("count:"):
                out["counts"][key.removeprefix("count:")] = int(value)
            elif key.startswith("attribution:"):
                out["attribution"][key.removeprefix("attribution:")] = value
            elif key == "schema_version":
                out[key] = int(value)
            else:
                out[key] = value
        return out
