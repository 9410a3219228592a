"""The DuckDB store: built once from the sources, then read; the only code that speaks SQL.

:func:`build_store` validates every source file first (nothing is written if a row is bad),
derives the tables below with vectorised pandas, rates every match with
:class:`heartbreak.ratings.elo.EloRatings`, writes the whole database to ``<db>.tmp-<pid>`` in the
target's folder and moves it onto the target with ``os.replace``: a failed or killed build leaves
the previous store byte-identical. :class:`Store` opens a store read-only and answers queries;
:func:`ensure_store` builds the store on first use.

Tables (the column names are a contract):

- ``matches``: match_id (1-based row of international/results.csv), date, home, away,
  home_score, away_score (after extra time, without shootout), competition, city, country,
  neutral, wc_match_id, stage, knockout, extra_time, shootout_winner, home_penalties,
  away_penalties, winner, goals_listed, timeline_complete, source, elo_home, elo_away.
- ``goals``: match_id, seq, team (credited), side, scorer, minute, stoppage, period, own_goal,
  penalty. ``stoppage`` is NULL when unknown (international goals at 45, 90, 105 or 120 may be
  in stoppage time: that data gives them the period's nominal end) and 0 in regular time.
- ``cards``: match_id, seq, team, side, player, minute, stoppage, period, card, sending_off.
- ``shootouts``: match_id, winner, first_shooter; ``shootout_kicks``: match_id, seq, team, side,
  player, converted.
- ``teams``: name, first_match, last_match, matches; ``team_aliases``: alias, team, start_date,
  end_date, kind.
- ``ratings``: team, date, match_id, rating_before, rating_after.
- ``meta``: key, value (schema_version, built_at, sha256:<file>, count:<table>, attribution,
  user_matches, user_matches_sha256 (the digest of the user matches built from), and
  modified:<file> for each source file whose SHA-256 was not the pinned one, see
  :mod:`heartbreak.data.integrity`).

User matches: the matches a user imported (``heartbreak import``) live in a JSON file beside the
store, ``<db>.user-matches.json`` (a list in the :class:`~heartbreak.data.userfile.UserMatch`
schema); the store is always derived from the sources plus that file. They are appended as
matches with ids from :data:`USER_MATCH_ID_BASE` on (in the order of the file) and source
``user``, with their goals and sendings-off, rated as of their date from the real history (or
with the ``elo_home``/``elo_away`` of the file) and never rated themselves: a fictional match
changes no real team's rating. A team the store does not know joins ``teams`` (it needs its
rating in the file).

World Cup data come from the Fjelstul World Cup Database (CC-BY-SA 4.0): see
:data:`heartbreak.data.sources.ATTRIBUTION_WORLDCUP`, also stored in ``meta``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from heartbreak import config
from heartbreak.data.brackets import bracket_stages
from heartbreak.data.competitions import CompetitionResolver
from heartbreak.data.fetch import locate_sources
from heartbreak.data.files import fsync_dir, pid_alive
from heartbreak.data.integrity import (
    in_step,
    modifications_in,
    reconcile_user_matches,
    recorded_meta,
    user_matches_digest,
    verify_sources,
)
from heartbreak.data.loaders import Sources, load_sources
from heartbreak.data.sources import (
    ATTRIBUTION_INTERNATIONAL,
    ATTRIBUTION_WORLDCUP,
    SOURCES_BY_PATH,
)
from heartbreak.data.teams import Alias, TeamResolver, all_aliases
from heartbreak.data.tournaments import stages_by_date
from heartbreak.data.userfile import UserMatch
from heartbreak.domain import Event, EventType, Match, MatchInfo, Period, ShootoutKick, Side
from heartbreak.errors import (
    BadSourceRow,
    ChecksumMismatch,
    DataUnavailable,
    InvalidInput,
    NoSuchMatch,
    StoreError,
    UnknownTeam,
)
from heartbreak.model.shootout import in_turn

#: 3: the major tournaments' knockouts (and stages) from their brackets; no friendly is one.
SCHEMA_VERSION = 3
#: Metrics of the drama index that can be ranked.
RANKED_METRICS = ("heartbreak", "comeback", "suspense", "surprise", "excitement", "shock")
#: Cards that send a player off.
RED_CARDS = ("red", "second_yellow")

#: match_id of the first user match; the others follow in the order of the user-matches file.
USER_MATCH_ID_BASE = 10_000_000

PERIOD_ORDER = {period.value: i for i, period in enumerate(Period)}
_NOMINAL_ENDS = (45, 90, 105, 120)

Progress = Callable[..., None]


class StaleStore(StoreError):
    """The store was built by another schema version; :func:`ensure_store` rebuilds it."""


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


# --------------------------------------------------------------------------- derivation


def _period_of_minutes(minute: pd.Series) -> pd.Series:
    """Period values for minutes (heartbreak.domain.Period.of_minute; >120 is extra time)."""
    m = minute.astype("float64").to_numpy()
    period = np.select(
        [m <= 45, m <= 90, m <= 105, m > 105],
        [
            Period.FIRST_HALF.value,
            Period.SECOND_HALF.value,
            Period.EXTRA_FIRST.value,
            Period.EXTRA_SECOND.value,
        ],
        default="",
    )
    return pd.Series(period, index=minute.index, dtype=object).where(~np.isnan(m), None)


def _international_goals(src: Sources, results: pd.DataFrame, wc_ids: np.ndarray) -> pd.DataFrame:
    g = src.goals[~src.goals["match_id"].isin(wc_ids)]
    home = results.set_index("match_id")["home"].reindex(g["match_id"]).to_numpy()
    minute = g["minute"].astype("Int64")
    at_end = minute.isin(_NOMINAL_ENDS).fillna(False).to_numpy(dtype=bool)
    stoppage = pd.array(np.zeros(len(g), dtype=np.int64), dtype="Int64")
    stoppage[at_end | minute.isna().to_numpy()] = pd.NA
    return pd.DataFrame(
        {
            "match_id": g["match_id"].to_numpy(),
            "order": g["order"].to_numpy(),
            "team": g["team"].to_numpy(dtype=object),
            "side": np.where(g["team"].to_numpy() == home, "home", "away"),
            "scorer": g["scorer"].to_numpy(dtype=object),
            "minute": minute.to_numpy(),
            "stoppage": stoppage,
            "period": _period_of_minutes(minute).to_numpy(),
            "own_goal": g["own_goal"].to_numpy(dtype=bool),
            "penalty": g["penalty"].to_numpy(dtype=bool),
        }
    )


def _ordered_events(frame: pd.DataFrame) -> pd.DataFrame:
    """Sort World Cup events by match, period, minute, stoppage, source order; number them."""
    out = frame.assign(_p=frame["period"].map(PERIOD_ORDER))
    out = out.sort_values(["match_id", "_p", "minute", "stoppage", "key"], kind="stable")
    out = out.drop(columns=["_p"]).reset_index(drop=True)
    out["seq"] = out.groupby("match_id").cumcount() + 1
    return out


def _derive(src: Sources, progress: Progress) -> dict[str, pd.DataFrame]:
    results = src.results
    wc = src.wc_matches
    wc_ids = wc["match_id"].to_numpy()

    # goals: World Cup matches from worldcup/goals.csv, all others from goalscorers.csv.
    progress("timelines", 0)
    intl = _international_goals(src, results, wc_ids)
    intl = intl.sort_values(["match_id", "order"], kind="stable").reset_index(drop=True)
    intl["seq"] = intl.groupby("match_id").cumcount() + 1
    wcg = _ordered_events(src.wc_goals.rename(columns={"player": "scorer"}))
    columns = [
        "match_id",
        "seq",
        "team",
        "side",
        "scorer",
        "minute",
        "stoppage",
        "period",
        "own_goal",
        "penalty",
    ]
    goals = (
        pd.concat(
            [intl[columns], wcg[columns].astype({"minute": "Int64", "stoppage": "Int64"})],
            ignore_index=True,
        )
        .sort_values(["match_id", "seq"], kind="stable")
        .reset_index(drop=True)
    )

    cards = _ordered_events(src.wc_bookings)[
        [
            "match_id",
            "seq",
            "team",
            "side",
            "player",
            "minute",
            "stoppage",
            "period",
            "card",
            "sending_off",
        ]
    ]
    kicks = src.wc_kicks.sort_values(["match_id", "key"], kind="stable").reset_index(drop=True)
    kicks["seq"] = kicks.groupby("match_id").cumcount() + 1
    kicks = kicks[["match_id", "seq", "team", "side", "player", "converted"]]

    # matches
    m = results[
        [
            "match_id",
            "date",
            "home",
            "away",
            "home_score",
            "away_score",
            "competition",
            "city",
            "country",
            "neutral",
        ]
    ].copy()
    w = wc.set_index("match_id").reindex(m["match_id"])
    is_wc = w["wc_match_id"].notna().to_numpy()
    m["wc_match_id"] = w["wc_match_id"].to_numpy(dtype=object)
    m["stage"] = w["stage"].to_numpy(dtype=object)

    shoot = src.shootouts.set_index("match_id").reindex(m["match_id"])
    wc_shootout = w["shootout"].fillna(False).to_numpy(dtype=bool)
    home_pen = w["home_penalties"].to_numpy(dtype=float)
    away_pen = w["away_penalties"].to_numpy(dtype=float)
    first_kick = kicks.drop_duplicates("match_id").set_index("match_id")["team"]
    shootout_winner = shoot["winner"].to_numpy(dtype=object)
    derived_winner = np.where(home_pen > away_pen, m["home"].to_numpy(), m["away"].to_numpy())
    fill = wc_shootout & pd.isna(shootout_winner)
    shootout_winner = np.where(fill, derived_winner, shootout_winner)
    has_shootout = ~pd.isna(shootout_winner)
    # A shootout after a level match settles that match: a knockout. A shootout after a match
    # one side won settles a two-legged tie on aggregate, which a single match cannot show.
    level = (m["home_score"] == m["away_score"]).to_numpy()
    m["knockout"] = np.where(
        is_wc, w["knockout"].fillna(False).to_numpy(dtype=bool), has_shootout & level
    )
    # World Cups the database does not hold yet: the stage from the schedule's dates.
    stage, needs_winner = stages_by_date(m["competition"], m["date"])
    scheduled = ~is_wc & pd.notna(stage)
    m.loc[scheduled, "stage"] = stage[scheduled]
    decided = needs_winner[scheduled].astype(bool)
    m.loc[scheduled, "knockout"] = m.loc[scheduled, "knockout"] | decided
    # The other major tournaments: each edition's knockout stage from the shape of its matches,
    # matches won in 90 minutes included, with their stage (heartbreak.data.brackets).
    bracket_stage = bracket_stages(m.assign(shootout_winner=shootout_winner))
    bracket = pd.notna(bracket_stage)
    m.loc[bracket, "stage"] = bracket_stage[bracket]
    m["knockout"] = m["knockout"].to_numpy(dtype=bool) | bracket

    per_side = goals.groupby(["match_id", "side"]).size().unstack(fill_value=0)
    per_side = per_side.reindex(columns=["home", "away"], fill_value=0).reindex(
        m["match_id"], fill_value=0
    )
    no_minute = (
        goals["minute"]
        .isna()
        .groupby(goals["match_id"])
        .any()
        .reindex(m["match_id"], fill_value=False)
    )
    late = (
        (goals["minute"].fillna(0) > 90)
        .groupby(goals["match_id"])
        .any()
        .reindex(m["match_id"], fill_value=False)
    )
    m["goals_listed"] = (per_side["home"] + per_side["away"]).to_numpy()
    complete = (
        (per_side["home"].to_numpy() == m["home_score"].to_numpy())
        & (per_side["away"].to_numpy() == m["away_score"].to_numpy())
        & ~no_minute.to_numpy(dtype=bool)
    )
    # Extra time: known for World Cup matches; otherwise a goal after 90' proves it, a complete
    # timeline without one (and without a shootout) rules it out, anything else is unknown.
    late = late.to_numpy(dtype=bool)
    extra = pd.array(np.where(late, True, False), dtype="boolean")
    extra[~late & ~(complete & ~has_shootout)] = pd.NA
    extra[is_wc] = w["extra_time"].to_numpy()[is_wc].astype(bool)
    m["extra_time"] = extra
    # Extra time is played only when a match needs a winner (the 1958 World Cup play-offs, say,
    # or a 2026 knockout, which the World Cup database does not hold yet).
    m["knockout"] = m["knockout"].to_numpy(dtype=bool) | extra.fillna(False).to_numpy(dtype=bool)
    # A level knockout of the bracket without a shootout was replayed or decided by lot after
    # extra time (the 1968 Euro); a friendly never had to produce a winner, so a shootout after
    # it does not make it a knockout, nor its winner the match's winner.
    extra[bracket & level & ~has_shootout] = True
    m["extra_time"] = extra
    m.loc[(m["competition"] == "Friendly").to_numpy(), "knockout"] = False
    m["shootout_winner"] = shootout_winner
    m["home_penalties"] = pd.array(np.where(is_wc & wc_shootout, home_pen, np.nan)).astype("Int64")
    m["away_penalties"] = pd.array(np.where(is_wc & wc_shootout, away_pen, np.nan)).astype("Int64")
    hs, as_ = m["home_score"].to_numpy(), m["away_score"].to_numpy()
    settled = np.where(m["knockout"].to_numpy(dtype=bool), shootout_winner, None)
    m["winner"] = np.where(
        hs > as_, m["home"].to_numpy(), np.where(as_ > hs, m["away"].to_numpy(), settled)
    )
    m["timeline_complete"] = complete
    m["source"] = np.where(is_wc, "international+worldcup", "international")

    # shootouts: international/shootouts.csv, completed from the World Cup kicks.
    shoot_rows = m.loc[has_shootout, ["match_id", "shootout_winner"]].rename(
        columns={"shootout_winner": "winner"}
    )
    firsts = shoot["first_shooter"].reindex(shoot_rows["match_id"]).to_numpy(dtype=object)
    from_kicks = first_kick.reindex(shoot_rows["match_id"]).to_numpy(dtype=object)
    shoot_rows["first_shooter"] = np.where(pd.isna(firsts), from_kicks, firsts)

    # ratings
    progress("ratings", 1)
    from heartbreak.ratings.elo import EloRatings

    elo = EloRatings()
    elo.fit(
        m[
            [
                "match_id",
                "date",
                "home",
                "away",
                "home_score",
                "away_score",
                "competition",
                "neutral",
            ]
        ].sort_values(["date", "match_id"], kind="stable")
    )
    pre = elo.pre_match_.set_index("match_id").reindex(m["match_id"])
    m["elo_home"] = pre["elo_home"].to_numpy()
    m["elo_away"] = pre["elo_away"].to_numpy()
    ratings = elo.history_[["team", "date", "match_id", "rating_before", "rating_after"]]

    # teams and aliases
    both = pd.concat(
        [
            m[["home", "date"]].rename(columns={"home": "name"}),
            m[["away", "date"]].rename(columns={"away": "name"}),
        ],
        ignore_index=True,
    )
    teams = both.groupby("name")["date"].agg(first_match="min", last_match="max", matches="size")
    teams = teams.reset_index().sort_values("name").reset_index(drop=True)
    aliases = all_aliases(teams["name"], src.former_names, src.wc_teams)
    team_aliases = pd.DataFrame(
        {
            "alias": [a.alias for a in aliases],
            "team": [a.team for a in aliases],
            "start_date": pd.to_datetime([a.start_date for a in aliases]),
            "end_date": pd.to_datetime([a.end_date for a in aliases]),
            "kind": [a.kind for a in aliases],
        }
    )
    return {
        "matches": m,
        "goals": goals,
        "cards": cards,
        "shootouts": shoot_rows.reset_index(drop=True),
        "shootout_kicks": kicks,
        "teams": teams,
        "team_aliases": team_aliases,
        "ratings": ratings,
        "_elo_initial": pd.DataFrame({"value": [elo.params.initial_rating]}),
    }


# --------------------------------------------------------------------------- user matches


class BadUserMatch(InvalidInput):
    """A user match the build cannot take; ``index`` is its position in the list built from,
    ``field`` the field at fault (e.g. ``elo_home``)."""

    def __init__(self, origin: str, index: int, field: str, problem: str) -> None:
        self.index = index
        self.field = field
        self.problem = problem
        super().__init__(f"{origin}: [{index}].{field}: {problem}")


def user_matches_path(db_path: Path | str) -> Path:
    """The user-matches file kept beside a store: ``<db>.user-matches.json``."""
    db = Path(db_path)
    return db.with_name(f"{db.name}.user-matches.json")


def read_user_matches(path: Path | str) -> list[UserMatch]:
    """The matches of a user-matches file (a JSON list of UserMatch); none when it is missing.
    A malformed file is an InvalidInput naming the file and the field."""
    import json

    from pydantic import TypeAdapter, ValidationError

    from heartbreak.data.userfile import _pydantic_message

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: cannot read the user matches ({exc})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    try:
        return TypeAdapter(list[UserMatch]).validate_python(data)
    except ValidationError as exc:
        raise InvalidInput(f"{path}: {_pydantic_message(exc)}") from None


def _append_user_matches(
    tables: dict[str, pd.DataFrame], users: list[UserMatch], origin: str
) -> None:
    """Append user matches (their rows, goals, sendings-off and new teams) to derived tables,
    rated as of their dates from the real ``ratings`` history; the history is left unchanged."""
    aliases = [
        Alias(
            r.alias,
            r.team,
            None if pd.isna(r.start_date) else pd.Timestamp(r.start_date).date(),
            None if pd.isna(r.end_date) else pd.Timestamp(r.end_date).date(),
            r.kind,
        )
        for r in tables["team_aliases"].itertuples(index=False)
    ]
    resolver = TeamResolver(tables["teams"]["name"], aliases)
    history = tables["ratings"].sort_values(["team", "date", "match_id"], kind="stable")
    by_team = {team: group for team, group in history.groupby("team", sort=False)}
    initial = float(tables["_elo_initial"]["value"].iloc[0])

    def rating(team: str, day: dt.date) -> float:
        # Only matches strictly before the day count (as Store.ratings_as_of).
        group = by_team.get(team)
        if group is None:
            return initial
        before = group[group["date"] < pd.Timestamp(day)]
        return float(before["rating_after"].iloc[-1]) if len(before) else initial

    rows, goals, cards = [], [], []
    for i, user in enumerate(users):
        match_id = USER_MATCH_ID_BASE + i
        name, elo = {}, {}
        for side, typed, given in (
            ("home", user.home, user.elo_home),
            ("away", user.away, user.elo_away),
        ):
            try:
                name[side] = resolver.resolve(typed, user.date)
            except UnknownTeam:
                if given is None:
                    raise BadUserMatch(
                        origin,
                        i,
                        f"elo_{side}",
                        f"{typed!r} is not a team of the store, so its rating is needed",
                    ) from None
                name[side] = " ".join(typed.split())
            elo[side] = float(given) if given is not None else rating(name[side], user.date)
        if name["home"] == name["away"]:
            raise BadUserMatch(
                origin,
                i,
                "away",
                f"{user.away!r} is {name['home']}, the home team: a team cannot play itself",
            )

        sides = {user.home.casefold(): "home", user.away.casefold(): "away"}
        events = sorted(
            enumerate(user.events),
            key=lambda item: (
                PERIOD_ORDER[Period.of_minute(item[1].minute).value],
                item[1].minute,
                item[1].stoppage,
                item[0],
            ),
        )
        score = {"home": 0, "away": 0}
        seq = {"goal": 0, "red_card": 0}
        for _, e in events:
            side = sides[e.team.casefold()]
            seq[e.type] += 1
            common = {
                "match_id": match_id,
                "seq": seq[e.type],
                "team": name[side],
                "side": side,
                "minute": e.minute,
                "stoppage": e.stoppage,
                "period": Period.of_minute(e.minute).value,
            }
            if e.type == "goal":
                score[side] += 1
                goals.append(
                    {**common, "scorer": e.player, "own_goal": e.own_goal, "penalty": e.penalty}
                )
            else:
                cards.append({**common, "player": e.player, "card": "red", "sending_off": True})
        shootout = name[sides[user.shootout_winner.casefold()]] if user.shootout_winner else None
        winner = (
            name["home"]
            if score["home"] > score["away"]
            else name["away"]
            if score["away"] > score["home"]
            else shootout
        )
        extra = True if any(e.minute > 90 for e in user.events) else user.extra_time
        rows.append(
            {
                "match_id": match_id,
                "date": pd.Timestamp(user.date),
                "home": name["home"],
                "away": name["away"],
                "home_score": score["home"],
                "away_score": score["away"],
                "competition": user.competition,
                "city": None,
                "country": None,
                "neutral": user.neutral,
                "wc_match_id": None,
                "stage": user.stage,
                "knockout": user.knockout,
                "goals_listed": score["home"] + score["away"],
                "extra_time": pd.NA if extra is None else extra,
                "shootout_winner": shootout,
                "home_penalties": pd.NA,
                "away_penalties": pd.NA,
                "winner": winner,
                "timeline_complete": True,
                "source": "user",
                "elo_home": elo["home"],
                "elo_away": elo["away"],
            }
        )

    matches = tables["matches"]
    added = pd.DataFrame(rows, columns=matches.columns).astype(
        {"extra_time": "boolean", "home_penalties": "Int64", "away_penalties": "Int64"}
    )
    tables["matches"] = pd.concat([matches, added], ignore_index=True)
    shootouts = [
        {"match_id": r["match_id"], "winner": r["shootout_winner"], "first_shooter": None}
        for r in rows
        if r["shootout_winner"] is not None
    ]
    for table, new in (("goals", goals), ("cards", cards), ("shootouts", shootouts)):
        if new:
            frame = pd.DataFrame(new, columns=tables[table].columns)
            tables[table] = pd.concat([tables[table], frame], ignore_index=True)

    # Teams the store does not know join the teams table (real teams' rows are unchanged).
    known = set(tables["teams"]["name"])
    both = pd.concat(
        [
            added[["home", "date"]].rename(columns={"home": "name"}),
            added[["away", "date"]].rename(columns={"away": "name"}),
        ],
        ignore_index=True,
    )
    both = both[~both["name"].isin(known)]
    if len(both):
        new_teams = both.groupby("name")["date"].agg(
            first_match="min", last_match="max", matches="size"
        )
        teams = pd.concat([tables["teams"], new_teams.reset_index()], ignore_index=True)
        tables["teams"] = teams.sort_values("name").reset_index(drop=True)


# --------------------------------------------------------------------------- writing

#: Every table's columns with their SQL types (the contract other code reads) and row order.
_SCHEMA: dict[str, tuple[str, str]] = {
    "drama": (
        "match_id INTEGER, side VARCHAR, team VARCHAR, opponent VARCHAR, complete BOOLEAN, "
        "prematch_chance DOUBLE, result VARCHAR, peak_chance DOUBLE, peak_minute INTEGER, "
        "peak_stoppage INTEGER, peak_time_left DOUBLE, low_chance DOUBLE, excitement DOUBLE, "
        "surprise DOUBLE, suspense DOUBLE, shock DOUBLE, comeback DOUBLE, heartbreak DOUBLE, "
        "decisive_minute INTEGER, decisive_stoppage INTEGER, lead_changes INTEGER, "
        "max_lead INTEGER, flags VARCHAR",
        "match_id, side DESC",
    ),
    "matches": (
        "match_id INTEGER, date DATE, home VARCHAR, away VARCHAR, home_score INTEGER, "
        "away_score INTEGER, competition VARCHAR, city VARCHAR, country VARCHAR, "
        "neutral BOOLEAN, wc_match_id VARCHAR, stage VARCHAR, knockout BOOLEAN, "
        "extra_time BOOLEAN, shootout_winner VARCHAR, home_penalties INTEGER, "
        "away_penalties INTEGER, winner VARCHAR, goals_listed INTEGER, "
        "timeline_complete BOOLEAN, source VARCHAR, elo_home DOUBLE, elo_away DOUBLE",
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
}


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


def _drama(tables: dict[str, pd.DataFrame], step: Callable[..., None]) -> pd.DataFrame:
    """The drama index of every match (:mod:`heartbreak.drama.index`), from the derived tables
    and the packaged model parameters."""
    from heartbreak.drama.index import drama_index
    from heartbreak.model.inplay import InPlayModel
    from heartbreak.model.params import load_params
    from heartbreak.model.prematch import PrematchModel

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
    return drama_index(
        matches,
        events,
        PrematchModel.from_params(params.goals),
        InPlayModel(params.inplay),
        progress,
    )


def matches_from_frames(
    rows: pd.DataFrame,
    goals: pd.DataFrame,
    reds: pd.DataFrame,
    kicks: pd.DataFrame | None = None,
) -> dict[int, Match]:
    """Domain :class:`~heartbreak.domain.Match` objects from ``matches`` rows and their goals
    (with minutes) and sendings-off, as stored; ``kicks``: ``shootout_kicks`` rows in order
    with their shootout's ``first_shooter``, which put each side's kicks in the order taken."""
    events: dict[int, list[Event]] = {}
    taken: dict[int, dict[Side, list[ShootoutKick]]] = {}
    first_shooter: dict[int, Any] = {}
    for k in () if kicks is None else kicks.itertuples(index=False):
        player = k.player if isinstance(k.player, str) and k.player else None
        side = Side(k.side)
        taken.setdefault(int(k.match_id), {}).setdefault(side, []).append(
            ShootoutKick(side, bool(k.converted), player)
        )
        first_shooter[int(k.match_id)] = k.first_shooter
    for g in goals.itertuples(index=False):
        events.setdefault(int(g.match_id), []).append(
            Event(
                EventType.GOAL,
                int(g.minute),
                0 if pd.isna(g.stoppage) else int(g.stoppage),
                side=Side(g.side),
                player=g.scorer or None,
                own_goal=bool(g.own_goal),
                penalty=bool(g.penalty),
                period=Period(g.period),
                event_id=f"goal-{g.match_id}-{g.seq}",
            )
        )
    for c in reds.itertuples(index=False):
        events.setdefault(int(c.match_id), []).append(
            Event(
                EventType.RED_CARD,
                int(c.minute),
                0 if pd.isna(c.stoppage) else int(c.stoppage),
                side=Side(c.side),
                player=c.player or None,
                period=Period(c.period),
                event_id=f"card-{c.match_id}-{c.seq}",
            )
        )
    built: dict[int, Match] = {}
    for row in rows.itertuples(index=False):
        match_id = int(row.match_id)
        info = MatchInfo(
            home=row.home,
            away=row.away,
            date=pd.Timestamp(row.date).date(),
            competition=row.competition,
            stage=None if pd.isna(row.stage) else row.stage,
            knockout=bool(row.knockout),
            neutral=bool(row.neutral),
            match_id=match_id,
            city=row.city or None,
            country=row.country or None,
        )
        shootout_side = None
        if isinstance(row.shootout_winner, str):
            shootout_side = Side.HOME if row.shootout_winner == info.home else Side.AWAY
        timeline = sorted(events.get(match_id, []), key=lambda e: e.sort_key)
        first = first_shooter.get(match_id)
        in_order: tuple[ShootoutKick, ...] = ()
        if match_id in taken and first in (info.home, info.away):
            in_order = in_turn(taken[match_id], Side.HOME if first == info.home else Side.AWAY)
        built[match_id] = Match(
            info=info,
            home_score=int(row.home_score),
            away_score=int(row.away_score),
            events=tuple(timeline),
            extra_time=None if pd.isna(row.extra_time) else bool(row.extra_time),
            shootout_winner=shootout_side,
            timeline_complete=bool(row.timeline_complete),
            shootout_kicks=in_order,
        )
    return built


def _temp_path(db_path: Path) -> Path:
    return db_path.with_name(f"{db_path.name}.tmp-{os.getpid()}")


def remove_stale_temps(db_path: Path) -> list[Path]:
    """Delete ``<db>.tmp-<pid>`` files (and WALs) of builds that are no longer running."""
    removed = []
    pattern = re.compile(re.escape(db_path.name) + r"\.tmp-(\d+)(\.wal)?$")
    if not db_path.parent.is_dir():
        return removed
    for path in db_path.parent.iterdir():
        match = pattern.match(path.name)
        if match and (int(match.group(1)) == os.getpid() or not pid_alive(int(match.group(1)))):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed.append(path)
    return removed


def _write(tmp: Path, tables: dict[str, pd.DataFrame], meta: dict[str, str]) -> None:
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
    total = 14
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
    tables = _derive(src, step)
    if user_matches:
        _append_user_matches(tables, list(user_matches), origin)
    step("replaying matches", 1)
    tables["drama"] = _drama(tables, step)
    step("writing store", 1)

    counts = {name: len(tables[name]) for name in _TABLE_SQL}
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
        "elo_initial_rating": repr(float(tables["_elo_initial"]["value"].iloc[0])),
        "skipped_rows": str(src.skipped),
        "user_matches": str(len(user_matches)),
        "user_matches_sha256": user_matches_digest(user_matches),
        **{f"modified:{file}": digest for file, digest in sorted(modified.items())},
        "attribution:international": ATTRIBUTION_INTERNATIONAL,
        "attribution:worldcup": ATTRIBUTION_WORLDCUP,
        **{f"sha256:{file}": digest for file, digest in src.sha256.items()},
        **{f"count:{name}": str(n) for name, n in counts.items()},
    }

    db = Path(db_path)
    db.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(db)
    tmp = _temp_path(db)
    try:
        _write(tmp, tables, meta)
        os.replace(tmp, db)
        fsync_dir(db.parent)
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
    step("store ready", 1)
    return BuildReport(db, counts, warnings, list(src.bad_rows), time.perf_counter() - started)


# --------------------------------------------------------------------------- reading


def _date(value: dt.date | str | pd.Timestamp) -> dt.date:
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        from heartbreak.errors import InvalidInput

        raise InvalidInput(f"date {value!r} is not a date (YYYY-MM-DD)") from exc


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
            rows = self.aliases()
            aliases = [
                Alias(
                    r.alias,
                    r.team,
                    None if pd.isna(r.start_date) else pd.Timestamp(r.start_date).date(),
                    None if pd.isna(r.end_date) else pd.Timestamp(r.end_date).date(),
                    r.kind,
                )
                for r in rows.itertuples(index=False)
            ]
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
    def _match_filters(
        self,
        *,
        team: str | None = None,
        opponent: str | None = None,
        competition: str | None = None,
        date_from: dt.date | str | None = None,
        date_to: dt.date | str | None = None,
        world_cup: bool | None = None,
        knockout: bool | None = None,
        final: bool | None = None,
        timeline_complete: bool | None = None,
    ) -> tuple[str, list[Any]]:
        """The ``WHERE`` clause (possibly empty) and its parameters of a match search."""
        where, params = [], []
        for name in [self.resolve(t) for t in (team, opponent) if t is not None]:
            where.append("(home = ? OR away = ?)")
            params += [name, name]
        if competition is not None:
            names = list(self.resolve_competition(competition))
            if names:
                where.append("competition IN (SELECT unnest(?::VARCHAR[]))")
                params.append(names)
            else:
                where.append("FALSE")
        if date_from is not None:
            where.append("date >= ?")
            params.append(_date(date_from))
        if date_to is not None:
            where.append("date <= ?")
            params.append(_date(date_to))
        if world_cup is not None:
            where.append("wc_match_id IS NOT NULL" if world_cup else "wc_match_id IS NULL")
        if knockout is not None:
            where.append("knockout = ?")
            params.append(knockout)
        if final is not None:
            where.append("stage = 'final'" if final else "stage IS DISTINCT FROM 'final'")
        if timeline_complete is not None:
            where.append("timeline_complete = ?")
            params.append(timeline_complete)
        return (" WHERE " + " AND ".join(where)) if where else "", params

    def matches(
        self,
        *,
        team: str | None = None,
        opponent: str | None = None,
        competition: str | None = None,
        date_from: dt.date | str | None = None,
        date_to: dt.date | str | None = None,
        world_cup: bool | None = None,
        knockout: bool | None = None,
        timeline_complete: bool | None = None,
        limit: int | None = None,
    ) -> pd.DataFrame:
        """Matches (``matches`` columns) by filters, oldest first.

        ``team``/``opponent`` are resolved through the aliases; ``competition`` as a fan types
        it (:meth:`resolve_competition`: any case, "World Cup", "Euro qualifiers"); ``world_cup``
        selects matches merged with the World Cup DB; the dates are inclusive.
        """
        where, params = self._match_filters(
            team=team,
            opponent=opponent,
            competition=competition,
            date_from=date_from,
            date_to=date_to,
            world_cup=world_cup,
            knockout=knockout,
            timeline_complete=timeline_complete,
        )
        sql = f"SELECT * FROM matches{where} ORDER BY date, match_id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self.query(sql, params)

    def search_matches(
        self,
        *,
        team: str | None = None,
        opponent: str | None = None,
        competition: str | None = None,
        date_from: dt.date | str | None = None,
        date_to: dt.date | str | None = None,
        knockout: bool | None = None,
        final: bool | None = None,
        newest_first: bool = True,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[int, pd.DataFrame]:
        """One page of a match search: how many matches fit the filters (as :meth:`matches`;
        ``final``: only finals) and the ``limit`` of them from ``offset``, newest first unless
        ``newest_first`` is False (by date, then match id)."""
        where, params = self._match_filters(
            team=team,
            opponent=opponent,
            competition=competition,
            date_from=date_from,
            date_to=date_to,
            knockout=knockout,
            final=final,
        )
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
        day = _date(date) if date is not None else None
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
            raise NoSuchMatch(f"no match between {home} and {away} on {_date(date)}")
        if len(found) > 1:
            ids = ", ".join(str(i) for i in found["match_id"])
            raise NoSuchMatch(
                f"{len(found)} matches between {home} and {away} on {_date(date)} "
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

    def ranked_values(self, metric: str) -> pd.DataFrame:
        """Every row that :meth:`drama_rankings` ranks by ``metric``, as (match_id,
        competition, value): the population a match's rank is counted in."""
        if metric not in RANKED_METRICS:
            raise InvalidInput(f"metric: {metric!r} is not one of {', '.join(RANKED_METRICS)}")
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
        """The drama index ranked by ``metric`` (see :data:`RANKED_METRICS`), with match facts.

        ``heartbreak`` ranks the losers' rows and ``comeback`` the winners'; the match-wide
        metrics rank one row per match, the loser's (the home side's after a draw). ``stage``:
        ``knockout`` (matches that needed a winner), ``group`` (the others) or ``final`` (World
        Cup finals). ``team``: matches the team played in. Dates are inclusive.
        """
        if metric not in RANKED_METRICS:
            raise InvalidInput(f"--metric: {metric!r} is not one of {', '.join(RANKED_METRICS)}")
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
                raise InvalidInput(f"--stage: {stage!r} is not knockout, group or final")
            where.append(clause)
        if team is not None:
            name = self.resolve(team)
            where.append("(m.home = ? OR m.away = ?)")
            params += [name, name]
        if date_from is not None:
            where.append("m.date >= ?")
            params.append(_date(date_from))
        if date_to is not None:
            where.append("m.date <= ?")
            params.append(_date(date_to))
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
        day = _date(date)
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

    def rating_history(self, team: str) -> pd.DataFrame:
        """Every ``ratings`` row of a team in date order."""
        name = self.resolve(team)
        return self.query("SELECT * FROM ratings WHERE team = ? ORDER BY date, match_id", [name])

    @property
    def initial_rating(self) -> float:
        value = self.meta().get("elo_initial_rating")
        if value is None:
            from heartbreak.ratings.elo import EloRatings

            return float(EloRatings().params.initial_rating)
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
    sources = config.data_dir(data_dir)
    named = data_dir is not None or bool(os.environ.get("HEARTBREAK_DATA_DIR"))
    if not named:
        from heartbreak.data.fetch import fetch_sources, locate_sources

        try:
            locate_sources(sources)
        except DataUnavailable:
            fetch_sources(sources, progress=progress)
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
