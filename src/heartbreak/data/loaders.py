"""Read and validate the source CSVs into clean DataFrames: the only code that opens them.

Every parser takes a path or an open stream (text or binary) and returns a :class:`Table`: the
rows as a DataFrame with typed columns, the malformed rows as
:class:`~heartbreak.errors.BadSourceRow` (file, 1-based physical line with the header as line
1, problem) and the file's SHA-256. :func:`load_sources` reads a whole data folder, checks the
files against each other and returns :class:`Sources`, the clean frames the store is built from.

Rows are read as text (``dtype=str``, ``keep_default_na=False``: "NA" stays "NA", a real value
in the minute column meaning "unknown minute"). The classes of malformed rows:

- a missing column: the whole file is unusable (line 1); ``--skip-bad-rows`` cannot skip it;
- a row with the wrong number of fields;
- an unparseable date; an unparseable or negative score; an empty team name; a boolean that is
  neither TRUE/FALSE (international) nor 1/0 (World Cup);
- a goal minute outside 1–130 (the literal "NA" is an unknown minute, not an error);
- a goal for a team that did not play in the match; a goal (or booking, or shootout kick) whose
  match does not exist;
- a duplicate match: a results row identical to an earlier one (two rows that merely share date
  and teams are two matches: Tahiti v New Caledonia, 1974-02-17, was a double-header);
- a men's World Cup match that joins no results row, or more than one, or whose score differs.

Real quirks are warnings, not errors: a shootout with no results row (2011-06-29 Saare County v
Åland Islands), goals with no minute, goal lists that do not add up to the score.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from heartbreak.data.sources import DATA_HINT
from heartbreak.data.teams import map_worldcup_names
from heartbreak.errors import BadSourceRow, BadSourceRows, DataUnavailable

Source = str | os.PathLike[str] | IO[str] | IO[bytes]

MIN_MINUTE = 1
MAX_MINUTE = 130
UNKNOWN_MINUTE = "NA"

F_RESULTS = "international/results.csv"
F_GOALSCORERS = "international/goalscorers.csv"
F_SHOOTOUTS = "international/shootouts.csv"
F_FORMER_NAMES = "international/former_names.csv"
F_WC_MATCHES = "worldcup/matches.csv"
F_WC_GOALS = "worldcup/goals.csv"
F_WC_BOOKINGS = "worldcup/bookings.csv"
F_WC_KICKS = "worldcup/penalty_kicks.csv"
F_WC_TEAMS = "worldcup/teams.csv"
F_WC_GROUP_STANDINGS = "worldcup/group_standings.csv"

COLUMNS: dict[str, tuple[str, ...]] = {
    F_RESULTS: (
        "date",
        "home_team",
        "away_team",
        "home_score",
        "away_score",
        "tournament",
        "city",
        "country",
        "neutral",
    ),
    F_GOALSCORERS: (
        "date",
        "home_team",
        "away_team",
        "team",
        "scorer",
        "minute",
        "own_goal",
        "penalty",
    ),
    F_SHOOTOUTS: ("date", "home_team", "away_team", "winner", "first_shooter"),
    F_FORMER_NAMES: ("current", "former", "start_date", "end_date"),
    F_WC_MATCHES: (
        "tournament_name",
        "match_id",
        "stage_name",
        "knockout_stage",
        "replay",
        "match_date",
        "home_team_name",
        "away_team_name",
        "home_team_score",
        "away_team_score",
        "extra_time",
        "penalty_shootout",
        "home_team_score_penalties",
        "away_team_score_penalties",
    ),
    F_WC_GOALS: (
        "key_id",
        "tournament_name",
        "match_id",
        "team_name",
        "home_team",
        "away_team",
        "family_name",
        "given_name",
        "minute_regulation",
        "minute_stoppage",
        "match_period",
        "own_goal",
        "penalty",
    ),
    F_WC_BOOKINGS: (
        "key_id",
        "tournament_name",
        "match_id",
        "team_name",
        "home_team",
        "away_team",
        "family_name",
        "given_name",
        "minute_regulation",
        "minute_stoppage",
        "match_period",
        "yellow_card",
        "red_card",
        "second_yellow_card",
        "sending_off",
    ),
    F_WC_KICKS: (
        "key_id",
        "tournament_name",
        "match_id",
        "team_name",
        "home_team",
        "away_team",
        "family_name",
        "given_name",
        "converted",
    ),
    F_WC_TEAMS: ("team_name", "team_code"),
    F_WC_GROUP_STANDINGS: (
        "tournament_name",
        "stage_name",
        "group_name",
        "position",
        "team_name",
        "played",
        "wins",
        "draws",
        "losses",
        "goals_for",
        "goals_against",
        "points",
        "advanced",
    ),
}

#: Columns read when the file has them, empty otherwise (older copies and the tests' small
#: folders may lack them): a World Cup match's group and local kick-off time, which say which
#: matches of a group were played at the same time (heartbreak.tournaments).
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    F_WC_MATCHES: ("group_name", "match_time"),
}

#: Fjelstul ``match_period`` values → :class:`heartbreak.domain.Period` values.
WC_PERIODS: dict[str, str] = {
    "first half": "first_half",
    "first half, stoppage time": "first_half",
    "second half": "second_half",
    "second half, stoppage time": "second_half",
    "extra time, first half": "extra_time_first_half",
    "extra time, first half, stoppage time": "extra_time_first_half",
    "extra time, second half": "extra_time_second_half",
    "extra time, second half, stoppage time": "extra_time_second_half",
}

_INTL_BOOL = {"TRUE": True, "FALSE": False}
_WC_BOOL = {"1": True, "0": False}


@dataclass
class Table:
    """One parsed file: typed rows (with ``line`` and ``ok``), its bad rows and its SHA-256."""

    file: str
    frame: pd.DataFrame
    bad_rows: list[BadSourceRow]
    sha256: str

    @property
    def clean(self) -> pd.DataFrame:
        return self.frame[self.frame["ok"]]


class _FatalFile(Exception):
    def __init__(self, row: BadSourceRow) -> None:
        super().__init__(row.message)
        self.row = row


# --------------------------------------------------------------------------- reading


def _read_bytes(source: Source) -> bytes:
    if isinstance(source, str | os.PathLike):
        return Path(source).read_bytes()
    data = source.read()
    return data.encode("utf-8") if isinstance(data, str) else data


def _decode(data: bytes, file: str) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _FatalFile(BadSourceRow(file, line, "not UTF-8 text")) from exc
    return text.removeprefix("\ufeff")


def _parse_fast(text: str, header: list[str]) -> pd.DataFrame | None:
    """Parse with pandas when each physical line is exactly one well-formed record, else None."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    body = pd.Series(lines[1:], dtype=object)
    if len(body) == 0:
        return pd.DataFrame({c: pd.Series([], dtype=str) for c in header})
    stripped = body.str.rstrip("\r")
    if (stripped == "").any():
        return None
    try:
        frame = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=False
        )
    except (pd.errors.ParserError, ValueError):
        return None
    if list(frame.columns) != header or len(frame) != len(body):
        return None
    quoted = body.str.contains('"', regex=False).to_numpy()
    commas = body.str.count(",").to_numpy()
    if ((commas != len(header) - 1) & ~quoted).any():
        return None
    if quoted.any():
        records = list(csv.reader(stripped[quoted].tolist()))
        if len(records) != int(quoted.sum()) or any(len(r) != len(header) for r in records):
            return None
    return frame


def _parse_exact(
    text: str, header: list[str], file: str
) -> tuple[pd.DataFrame, list[BadSourceRow]]:
    """Parse with the csv module, which tracks physical lines (blank lines, quoted newlines)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    rows: list[list[str]] = []
    lines: list[int] = []
    records: list[int] = []
    bad: list[BadSourceRow] = []
    previous_end = reader.line_num
    record = 0
    for row in reader:
        start = previous_end + 1
        previous_end = reader.line_num
        if not row or (row == [""] and len(header) > 1):
            continue
        if len(row) != len(header):
            bad.append(
                BadSourceRow(file, start, f"expected {len(header)} fields, found {len(row)}")
            )
        else:
            rows.append(row)
            lines.append(start)
            records.append(record)
        record += 1
    frame = (
        pd.DataFrame(rows, columns=header, dtype=str)
        if rows
        else pd.DataFrame({c: pd.Series([], dtype=str) for c in header})
    )
    frame["line"] = np.asarray(lines, dtype=np.int64)
    frame["record"] = np.asarray(records, dtype=np.int64)
    return frame, bad


def read_csv(
    source: Source, file: str, columns: Sequence[str], optional: Sequence[str] = ()
) -> tuple[pd.DataFrame, list[BadSourceRow], str]:
    """Read a CSV as text into a DataFrame of ``columns`` plus ``line`` and ``record``.

    ``line`` is the 1-based physical line of the row (header = line 1), ``record`` the 0-based
    position of the row among the file's records. Returns the frame, the rows with the wrong
    number of fields, and the SHA-256 of the bytes. A missing column raises ``_FatalFile``; a
    missing ``optional`` column is read as empty text.
    """
    data = _read_bytes(source)
    sha = hashlib.sha256(data).hexdigest()
    text = _decode(data, file)
    first = text.split("\n", 1)[0].rstrip("\r")
    if not first.strip():
        raise _FatalFile(BadSourceRow(file, 1, "empty file: no header line"))
    header = next(csv.reader([first]))
    missing = [c for c in columns if c not in header]
    if missing:
        names = ", ".join(missing)
        raise _FatalFile(
            BadSourceRow(file, 1, f"missing column{'s' if len(missing) > 1 else ''} {names}")
        )
    if len(set(header)) != len(header):
        raise _FatalFile(BadSourceRow(file, 1, "repeated column names in the header"))
    present = [c for c in optional if c in header]
    absent = [c for c in optional if c not in header]
    frame = _parse_fast(text, header)
    if frame is not None:
        frame = frame.loc[:, [*columns, *present]]
        frame["line"] = np.arange(2, len(frame) + 2, dtype=np.int64)
        frame["record"] = np.arange(len(frame), dtype=np.int64)
        return frame.reset_index(drop=True).assign(**dict.fromkeys(absent, "")), [], sha
    frame, bad = _parse_exact(text, header, file)
    frame = frame.loc[:, [*columns, *present, "line", "record"]]
    return frame.assign(**dict.fromkeys(absent, "")), bad, sha


# --------------------------------------------------------------------------- row checks


class _Problems:
    """Problems found per row, gathered column by column with vectorised masks."""

    def __init__(self, file: str, frame: pd.DataFrame) -> None:
        self.file = file
        self.lines = frame["line"].to_numpy()
        self.values: dict[int, list[str]] = {}
        self.mask = np.zeros(len(frame), dtype=bool)

    def add(self, mask: np.ndarray | pd.Series, message: Callable[[int], str]) -> None:
        hit = np.asarray(mask, dtype=bool)
        for pos in np.flatnonzero(hit):
            self.values.setdefault(int(pos), []).append(message(int(pos)))
        self.mask |= hit

    def rows(self) -> list[BadSourceRow]:
        return [
            BadSourceRow(self.file, int(self.lines[pos]), "; ".join(msgs))
            for pos, msgs in sorted(self.values.items())
        ]


def _col(frame: pd.DataFrame, name: str) -> np.ndarray:
    return frame[name].to_numpy(dtype=object)


def _check_date(
    p: _Problems, frame: pd.DataFrame, column: str, allow_empty: bool = False
) -> pd.Series:
    raw = frame[column]
    shaped = raw.str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False).to_numpy(dtype=bool)
    parsed = pd.to_datetime(raw.where(shaped, None), format="%Y-%m-%d", errors="coerce")
    bad = parsed.isna().to_numpy().copy()
    if allow_empty:
        bad &= (raw != "").to_numpy()
    values = _col(frame, column)
    p.add(bad, lambda i: f"{column} {values[i]!r} is not a date (YYYY-MM-DD)")
    return parsed


def _check_count(p: _Problems, frame: pd.DataFrame, column: str) -> pd.Series:
    raw = frame[column]
    ok = raw.str.fullmatch(r"\d{1,6}").fillna(False).to_numpy(dtype=bool)
    values = _col(frame, column)
    p.add(~ok, lambda i: f"{column} {values[i]!r} is not a whole number ≥ 0")
    return pd.Series(np.where(ok, pd.to_numeric(raw.where(ok, "0")), 0), index=frame.index).astype(
        "int64"
    )


def _check_bool(
    p: _Problems, frame: pd.DataFrame, column: str, mapping: dict[str, bool]
) -> pd.Series:
    raw = frame[column]
    known = raw.isin(list(mapping)).to_numpy()
    values = _col(frame, column)
    allowed = " or ".join(mapping)
    p.add(~known, lambda i: f"{column} {values[i]!r} is not {allowed}")
    return raw.isin([text for text, value in mapping.items() if value]).astype(bool)


def _check_name(p: _Problems, frame: pd.DataFrame, column: str) -> pd.Series:
    raw = frame[column].str.strip()
    p.add((raw == "").to_numpy(), lambda i: f"{column} is empty")
    return raw


def _check_minute(p: _Problems, frame: pd.DataFrame, column: str, allow_unknown: bool) -> pd.Series:
    """A goal minute in 1–130; "NA" (unknown) where allowed. Returns nullable Int64."""
    raw = frame[column].str.strip()
    unknown = (raw == UNKNOWN_MINUTE).to_numpy() if allow_unknown else np.zeros(len(raw), bool)
    number = pd.to_numeric(
        raw.where(raw.str.fullmatch(r"-?\d+").fillna(False), None), errors="coerce"
    )
    values = _col(frame, column)
    not_number = number.isna().to_numpy() & ~unknown
    p.add(not_number, lambda i: f"{column} {values[i]!r} is not a minute")
    outside = (~number.isna()).to_numpy() & ~(
        (number >= MIN_MINUTE) & (number <= MAX_MINUTE)
    ).fillna(False).to_numpy(dtype=bool)
    p.add(outside, lambda i: f"{column} {values[i]} is outside {MIN_MINUTE}–{MAX_MINUTE}")
    return number.where(~outside).astype("Int64")


def _finish(
    file: str, frame: pd.DataFrame, p: _Problems, sha: str, bad: list[BadSourceRow]
) -> Table:
    frame = frame.copy()
    frame["ok"] = ~p.mask
    rows = sorted([*bad, *p.rows()], key=lambda r: r.line)
    return Table(file, frame.reset_index(drop=True), rows, sha)


# --------------------------------------------------------------------------- parsers


def parse_results(source: Source, file: str = F_RESULTS) -> Table:
    """``international/results.csv`` → match_id, date, home, away, scores, competition, ...

    ``match_id`` is the 1-based position of the row among the file's records, so it does not
    depend on which other rows are valid.
    """
    raw, bad, sha = read_csv(source, file, COLUMNS[F_RESULTS])
    p = _Problems(file, raw)
    out = pd.DataFrame(
        {
            "match_id": raw["record"] + 1,
            "date": _check_date(p, raw, "date"),
            "home": _check_name(p, raw, "home_team"),
            "away": _check_name(p, raw, "away_team"),
            "home_score": _check_count(p, raw, "home_score"),
            "away_score": _check_count(p, raw, "away_score"),
            "competition": raw["tournament"],
            "city": raw["city"],
            "country": raw["country"],
            "neutral": _check_bool(p, raw, "neutral", _INTL_BOOL),
            "date_text": raw["date"],
            "line": raw["line"],
        }
    )
    source_cols = list(COLUMNS[F_RESULTS])
    dup = raw.duplicated(source_cols, keep="first").to_numpy()
    if dup.any():
        first_line = raw.groupby(source_cols, sort=False)["line"].transform("min").to_numpy()
        p.add(dup, lambda i: f"duplicate of the match on line {first_line[i]}")
    return _finish(file, out, p, sha, bad)


def parse_goalscorers(source: Source, file: str = F_GOALSCORERS) -> Table:
    """``international/goalscorers.csv`` → date, home, away, team, scorer, minute, own_goal, ..."""
    raw, bad, sha = read_csv(source, file, COLUMNS[F_GOALSCORERS])
    p = _Problems(file, raw)
    out = pd.DataFrame(
        {
            "date": _check_date(p, raw, "date"),
            "home": _check_name(p, raw, "home_team"),
            "away": _check_name(p, raw, "away_team"),
            "team": _check_name(p, raw, "team"),
            "scorer": raw["scorer"].str.strip(),
            "minute": _check_minute(p, raw, "minute", allow_unknown=True),
            "own_goal": _check_bool(p, raw, "own_goal", _INTL_BOOL),
            "penalty": _check_bool(p, raw, "penalty", _INTL_BOOL),
            "date_text": raw["date"],
            "line": raw["line"],
        }
    )
    team, home, away = _col(out, "team"), _col(out, "home"), _col(out, "away")
    foreign = (team != home) & (team != away) & (team != "")
    p.add(foreign, lambda i: f"goal for {team[i]!r}, who did not play in {home[i]} v {away[i]}")
    return _finish(file, out, p, sha, bad)


def parse_shootouts(source: Source, file: str = F_SHOOTOUTS) -> Table:
    """``international/shootouts.csv`` → date, home, away, winner, first_shooter (or None)."""
    raw, bad, sha = read_csv(source, file, COLUMNS[F_SHOOTOUTS])
    p = _Problems(file, raw)
    first = raw["first_shooter"].str.strip()
    out = pd.DataFrame(
        {
            "date": _check_date(p, raw, "date"),
            "home": _check_name(p, raw, "home_team"),
            "away": _check_name(p, raw, "away_team"),
            "winner": _check_name(p, raw, "winner"),
            "first_shooter": first.where(first != "", None),
            "date_text": raw["date"],
            "line": raw["line"],
        }
    )
    winner, home, away = _col(out, "winner"), _col(out, "home"), _col(out, "away")
    shooter = _col(raw, "first_shooter")
    p.add(
        (winner != home) & (winner != away) & (winner != ""),
        lambda i: f"shootout winner {winner[i]!r} did not play in {home[i]} v {away[i]}",
    )
    p.add(
        (shooter != home) & (shooter != away) & (shooter != ""),
        lambda i: f"first shooter {shooter[i]!r} did not play in {home[i]} v {away[i]}",
    )
    return _finish(file, out, p, sha, bad)


def parse_former_names(source: Source, file: str = F_FORMER_NAMES) -> Table:
    """``international/former_names.csv`` → current, former, start_date, end_date."""
    raw, bad, sha = read_csv(source, file, COLUMNS[F_FORMER_NAMES])
    p = _Problems(file, raw)
    out = pd.DataFrame(
        {
            "current": _check_name(p, raw, "current"),
            "former": _check_name(p, raw, "former"),
            "start_date": _check_date(p, raw, "start_date", allow_empty=True),
            "end_date": _check_date(p, raw, "end_date", allow_empty=True),
            "line": raw["line"],
        }
    )
    return _finish(file, out, p, sha, bad)


def _mens(raw: pd.DataFrame) -> pd.Series:
    return raw["tournament_name"].str.contains("Men's", regex=False).astype(bool)


def parse_wc_matches(source: Source, file: str = F_WC_MATCHES) -> Table:
    """``worldcup/matches.csv`` → wc_match_id, date, teams (as in the file), scores, stage, ..."""
    raw, bad, sha = read_csv(source, file, COLUMNS[F_WC_MATCHES], OPTIONAL_COLUMNS[F_WC_MATCHES])
    p = _Problems(file, raw)
    shootout = _check_bool(p, raw, "penalty_shootout", _WC_BOOL)
    group = raw["group_name"].str.strip()
    kickoff = raw["match_time"].str.strip()
    timed = kickoff.str.fullmatch(r"\d{2}:\d{2}").fillna(False).to_numpy(dtype=bool)
    values = _col(raw, "match_time")
    p.add(~timed & (kickoff != "").to_numpy(), lambda i: f"match_time {values[i]!r} is not HH:MM")
    out = pd.DataFrame(
        {
            "wc_match_id": _check_name(p, raw, "match_id"),
            "mens": _mens(raw),
            "date": _check_date(p, raw, "match_date"),
            "wc_home": _check_name(p, raw, "home_team_name"),
            "wc_away": _check_name(p, raw, "away_team_name"),
            "home_score": _check_count(p, raw, "home_team_score"),
            "away_score": _check_count(p, raw, "away_team_score"),
            "stage": raw["stage_name"].str.strip(),
            "group": group.where((group != "not applicable") & (group != ""), None),
            "kickoff": kickoff.where(timed, None),
            "knockout": _check_bool(p, raw, "knockout_stage", _WC_BOOL),
            "replay": _check_bool(p, raw, "replay", _WC_BOOL),
            "extra_time": _check_bool(p, raw, "extra_time", _WC_BOOL),
            "shootout": shootout,
            "home_penalties": _check_count(p, raw, "home_team_score_penalties"),
            "away_penalties": _check_count(p, raw, "away_team_score_penalties"),
            "line": raw["line"],
        }
    )
    dup = (
        out["wc_match_id"].duplicated(keep="first").to_numpy()
        & (out["wc_match_id"] != "").to_numpy()
    )
    ids = _col(out, "wc_match_id")
    p.add(dup, lambda i: f"match_id {ids[i]} appears twice")
    return _finish(file, out, p, sha, bad)


def _player(raw: pd.DataFrame) -> pd.Series:
    given = raw["given_name"].str.strip()
    family = raw["family_name"].str.strip()
    given = given.where(given != "not applicable", "")
    family = family.where(family != "not applicable", "")
    return (given + " " + family).str.strip()


def _wc_event_frame(raw: pd.DataFrame, p: _Problems) -> pd.DataFrame:
    periods = raw["match_period"].str.strip()
    known = periods.isin(list(WC_PERIODS)).to_numpy()
    values = _col(raw, "match_period")
    p.add(~known, lambda i: f"match_period {values[i]!r} is not a known period")
    home_flag = _check_bool(p, raw, "home_team", _WC_BOOL)
    away_flag = _check_bool(p, raw, "away_team", _WC_BOOL)
    both_known = raw["home_team"].isin(list(_WC_BOOL)) & raw["away_team"].isin(list(_WC_BOOL))
    p.add(
        both_known.to_numpy() & (home_flag == away_flag).to_numpy(),
        lambda i: "home_team and away_team flags must be one 1 and one 0",
    )
    return pd.DataFrame(
        {
            "key": pd.to_numeric(raw["key_id"], errors="coerce").fillna(0).astype("int64"),
            "mens": _mens(raw),
            "wc_match_id": _check_name(p, raw, "match_id"),
            "team": _check_name(p, raw, "team_name"),
            "wc_side": np.where(home_flag.to_numpy(), "home", "away"),
            "player": _player(raw),
            "minute": _check_minute(p, raw, "minute_regulation", allow_unknown=False),
            "stoppage": _check_count(p, raw, "minute_stoppage"),
            "period": periods.map(WC_PERIODS),
            "line": raw["line"],
        }
    )


def parse_wc_goals(source: Source, file: str = F_WC_GOALS) -> Table:
    """``worldcup/goals.csv`` → goals with exact stoppage minutes; ``team`` is the team credited."""
    raw, bad, sha = read_csv(source, file, COLUMNS[F_WC_GOALS])
    p = _Problems(file, raw)
    out = _wc_event_frame(raw, p)
    out["own_goal"] = _check_bool(p, raw, "own_goal", _WC_BOOL)
    out["penalty"] = _check_bool(p, raw, "penalty", _WC_BOOL)
    return _finish(file, out, p, sha, bad)


def parse_wc_bookings(source: Source, file: str = F_WC_BOOKINGS) -> Table:
    """``worldcup/bookings.csv`` → cards: 'yellow', 'red' or 'second_yellow', and sending_off."""
    raw, bad, sha = read_csv(source, file, COLUMNS[F_WC_BOOKINGS])
    p = _Problems(file, raw)
    out = _wc_event_frame(raw, p)
    yellow = _check_bool(p, raw, "yellow_card", _WC_BOOL).to_numpy()
    red = _check_bool(p, raw, "red_card", _WC_BOOL).to_numpy()
    second = _check_bool(p, raw, "second_yellow_card", _WC_BOOL).to_numpy()
    out["card"] = np.where(second, "second_yellow", np.where(red, "red", "yellow"))
    p.add(~(yellow | red | second), lambda i: "a booking with no card")
    out["sending_off"] = _check_bool(p, raw, "sending_off", _WC_BOOL)
    return _finish(file, out, p, sha, bad)


def parse_wc_penalty_kicks(source: Source, file: str = F_WC_KICKS) -> Table:
    """``worldcup/penalty_kicks.csv`` → shootout kicks in order (``key``), converted or not."""
    raw, bad, sha = read_csv(source, file, COLUMNS[F_WC_KICKS])
    p = _Problems(file, raw)
    home_flag = _check_bool(p, raw, "home_team", _WC_BOOL)
    out = pd.DataFrame(
        {
            "key": pd.to_numeric(raw["key_id"], errors="coerce").fillna(0).astype("int64"),
            "mens": _mens(raw),
            "wc_match_id": _check_name(p, raw, "match_id"),
            "team": _check_name(p, raw, "team_name"),
            "wc_side": np.where(home_flag.to_numpy(), "home", "away"),
            "player": _player(raw),
            "converted": _check_bool(p, raw, "converted", _WC_BOOL),
            "line": raw["line"],
        }
    )
    return _finish(file, out, p, sha, bad)


def parse_wc_teams(source: Source, file: str = F_WC_TEAMS) -> Table:
    """``worldcup/teams.csv`` → team_name, team_code."""
    raw, bad, sha = read_csv(source, file, COLUMNS[F_WC_TEAMS])
    p = _Problems(file, raw)
    out = pd.DataFrame(
        {
            "team_name": _check_name(p, raw, "team_name"),
            "team_code": raw["team_code"].str.strip(),
            "line": raw["line"],
        }
    )
    return _finish(file, out, p, sha, bad)


def parse_wc_group_standings(source: Source, file: str = F_WC_GROUP_STANDINGS) -> Table:
    """``worldcup/group_standings.csv`` → the final table of every World Cup group: mens,
    tournament, year, stage, group, position, team (as in the file), played, won, drawn, lost,
    goals_for, goals_against, points, advanced. Not needed by the build: the tests compare
    :mod:`heartbreak.tournaments`' tables with it."""
    raw, bad, sha = read_csv(source, file, COLUMNS[F_WC_GROUP_STANDINGS])
    p = _Problems(file, raw)
    out = pd.DataFrame(
        {
            "mens": _mens(raw),
            "tournament": raw["tournament_name"].str.strip(),
            "year": pd.to_numeric(raw["tournament_name"].str[:4], errors="coerce"),
            "stage": raw["stage_name"].str.strip(),
            "group": raw["group_name"].str.strip(),
            "position": _check_count(p, raw, "position"),
            "team": _check_name(p, raw, "team_name"),
            "played": _check_count(p, raw, "played"),
            "won": _check_count(p, raw, "wins"),
            "drawn": _check_count(p, raw, "draws"),
            "lost": _check_count(p, raw, "losses"),
            "goals_for": _check_count(p, raw, "goals_for"),
            "goals_against": _check_count(p, raw, "goals_against"),
            "points": _check_count(p, raw, "points"),
            "advanced": _check_bool(p, raw, "advanced", _WC_BOOL),
            "line": raw["line"],
        }
    )
    return _finish(file, out, p, sha, bad)


PARSERS: dict[str, Callable[[Source, str], Table]] = {
    F_RESULTS: parse_results,
    F_GOALSCORERS: parse_goalscorers,
    F_SHOOTOUTS: parse_shootouts,
    F_FORMER_NAMES: parse_former_names,
    F_WC_MATCHES: parse_wc_matches,
    F_WC_GOALS: parse_wc_goals,
    F_WC_BOOKINGS: parse_wc_bookings,
    F_WC_KICKS: parse_wc_penalty_kicks,
    F_WC_TEAMS: parse_wc_teams,
}


# --------------------------------------------------------------------------- the whole folder


@dataclass
class Sources:
    """Clean, cross-checked frames of a data folder, linked by ``match_id`` (results row).

    - ``results``: match_id, date, home, away, home_score, away_score, competition, city,
      country, neutral.
    - ``goals``: international goals for their results rows: match_id, team, scorer, minute
      (nullable), own_goal, penalty, order (file order within the match, which is chronological).
    - ``shootouts``: match_id, winner, first_shooter.
    - ``wc_matches``: men's World Cup matches joined to results: wc_match_id, match_id, swapped
      (home/away reversed relative to results.csv), stage, group (None outside a group),
      kickoff (local "HH:MM" or None), knockout, extra_time, penalties.
    - ``wc_goals``, ``wc_bookings``, ``wc_kicks``: men's World Cup events with match_id and side
      (in results.csv orientation).
    - ``former_names``, ``wc_teams``: for the team aliases.
    """

    results: pd.DataFrame
    goals: pd.DataFrame
    shootouts: pd.DataFrame
    former_names: pd.DataFrame
    wc_matches: pd.DataFrame
    wc_goals: pd.DataFrame
    wc_bookings: pd.DataFrame
    wc_kicks: pd.DataFrame
    wc_teams: pd.DataFrame
    sha256: dict[str, str]
    bad_rows: list[BadSourceRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: int = 0


def _mark(table: Table, mask: np.ndarray, message: Callable[[int], str]) -> None:
    """Record a cross-file problem on rows of ``table`` (positions where mask is True)."""
    frame = table.frame
    lines = frame["line"].to_numpy()
    hit = np.asarray(mask, dtype=bool) & frame["ok"].to_numpy()
    for pos in np.flatnonzero(hit):
        table.bad_rows.append(BadSourceRow(table.file, int(lines[pos]), message(int(pos))))
    frame.loc[hit, "ok"] = False


def _key(frame: pd.DataFrame) -> pd.Series:
    return frame["date_text"] + "|" + frame["home"] + "|" + frame["away"]


def _assign_goals(results: pd.DataFrame, goals: pd.DataFrame, warnings: list[str]) -> pd.DataFrame:
    """Give each goal row the match_id of its results row (by date + home + away).

    Where several results rows share date and teams (a double-header), the goals, in file order,
    are cut into consecutive runs whose per-team counts equal each match's score, in the order
    of the results rows; goals that cannot be split that way are left out with a warning.
    """
    keyed = results.assign(key=_key(results))
    counts = keyed.groupby("key")["match_id"].transform("size")
    single = keyed[counts == 1][["key", "match_id"]]
    g = goals.assign(key=_key(goals), order=np.arange(len(goals)))
    out = g.merge(single, on="key", how="inner")
    multi = keyed[counts > 1]
    if len(multi):
        extra = []
        for key, group in multi.groupby("key", sort=False):
            rows = g[g["key"] == key]
            if rows.empty:
                continue
            assigned = _split_double_header(group, rows)
            if assigned is None:
                first = group.iloc[0]
                warnings.append(
                    f"{len(rows)} goals of {first['home']} v {first['away']} on "
                    f"{first['date_text']} fit none of its {len(group)} matches; left out"
                )
            else:
                extra.append(assigned)
        if extra:
            out = pd.concat([out, *extra], ignore_index=True)
    return out.sort_values("order", kind="stable").drop(columns=["key"]).reset_index(drop=True)


def _split_double_header(matches: pd.DataFrame, goals: pd.DataFrame) -> pd.DataFrame | None:
    teams = goals["team"].to_numpy()
    home_team = matches.iloc[0]["home"]
    home_scores = matches["home_score"].to_numpy()
    sizes = home_scores + matches["away_score"].to_numpy()
    if sizes.sum() == len(goals):
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        if all(
            (teams[start : start + size] == home_team).sum() == home
            for start, size, home in zip(starts, sizes, home_scores, strict=True)
        ):
            return goals.assign(match_id=np.repeat(matches["match_id"].to_numpy(), sizes))
    # Only one match's goals are listed: the one match whose score they add up to.
    home_goals = int((teams == home_team).sum())
    fits = matches[
        (matches["home_score"] == home_goals) & (matches["away_score"] == len(teams) - home_goals)
    ]
    if len(fits) == 1:
        return goals.assign(match_id=int(fits.iloc[0]["match_id"]))
    return None


def _join_worldcup(results: pd.DataFrame, wc: Table) -> pd.DataFrame:
    """Join each men's World Cup match to exactly one results row by date and mapped teams.

    Names are mapped with :func:`heartbreak.data.teams.map_worldcup_names`; home and away may
    be reversed between the sources (``swapped``), in which case results.csv's orientation is
    kept: ``home``/``away``, ``home_penalties``/``away_penalties`` of the returned rows follow
    results.csv. Marks the rows that join no row, several rows, or a row with another score.
    """
    frame = wc.frame
    m = frame[frame["ok"].to_numpy() & frame["mens"].to_numpy()].copy()
    m["home"] = map_worldcup_names(m["wc_home"], m["date"])
    m["away"] = map_worldcup_names(m["wc_away"], m["date"])
    m["pos"] = m.index.to_numpy()
    r = results[["match_id", "date", "home", "away", "home_score", "away_score"]]
    straight = m.merge(
        r.rename(columns={"home_score": "r_home_score", "away_score": "r_away_score"}),
        on=["date", "home", "away"],
    ).assign(swapped=False)
    # Reversed: the World Cup home team is the results away team.
    reversed_ = m.merge(
        r.rename(
            columns={
                "home": "away",
                "away": "home",
                "home_score": "r_away_score",
                "away_score": "r_home_score",
            }
        ),
        on=["date", "home", "away"],
    ).assign(swapped=True)
    joined = pd.concat([straight, reversed_], ignore_index=True)

    hits = joined["pos"].value_counts().reindex(m.index, fill_value=0)
    info = {
        int(pos): (row.wc_home, row.wc_away, row.date.strftime("%Y-%m-%d"))
        for pos, row in zip(m.index, m.itertuples(index=False), strict=True)
    }
    mask = np.zeros(len(frame), dtype=bool)
    mask[hits.index[hits.to_numpy() == 0]] = True
    _mark(wc, mask, lambda i: "no row of {rf} on {2} for {0} v {1}".format(*info[i], rf=F_RESULTS))
    mask = np.zeros(len(frame), dtype=bool)
    mask[hits.index[hits.to_numpy() > 1]] = True
    _mark(
        wc,
        mask,
        lambda i: "{0} v {1} on {2} matches several rows of {rf}".format(*info[i], rf=F_RESULTS),
    )

    joined = joined[joined["pos"].map(hits).to_numpy() == 1]
    differs = (joined["home_score"] != joined["r_home_score"]) | (
        joined["away_score"] != joined["r_away_score"]
    )
    mask = np.zeros(len(frame), dtype=bool)
    mask[joined.loc[differs, "pos"].to_numpy()] = True
    _mark(wc, mask, lambda i: f"score differs from {F_RESULTS}")
    joined = joined[~differs.to_numpy()].copy()

    flip = joined["swapped"].to_numpy()
    for a, b in (("home", "away"), ("home_penalties", "away_penalties")):
        first, second = joined[a].to_numpy(), joined[b].to_numpy()
        joined[a], joined[b] = np.where(flip, second, first), np.where(flip, first, second)
    return joined[
        [
            "wc_match_id",
            "match_id",
            "swapped",
            "home",
            "away",
            "stage",
            "group",
            "kickoff",
            "knockout",
            "replay",
            "extra_time",
            "shootout",
            "home_penalties",
            "away_penalties",
        ]
    ].reset_index(drop=True)


def _check_wc_events(events: Table, wc: Table, what: str) -> None:
    """Events must belong to a World Cup match and to one of its two teams."""
    teams = wc.frame.set_index("wc_match_id")[["wc_home", "wc_away"]]
    teams = teams[~teams.index.duplicated()]
    frame = events.frame
    found = frame["wc_match_id"].isin(list(teams.index)).to_numpy()
    ids = _col(frame, "wc_match_id")
    _mark(events, ~found, lambda i: f"{what} for match {ids[i]!r}, which is not in {F_WC_MATCHES}")
    aligned = teams.reindex(frame["wc_match_id"])
    team = _col(frame, "team")
    home, away = (
        aligned["wc_home"].to_numpy(dtype=object),
        aligned["wc_away"].to_numpy(dtype=object),
    )
    foreign = found & (team != home) & (team != away)
    _mark(events, foreign, lambda i: f"{what} for {team[i]!r}, who did not play in {ids[i]}")


def _attach_wc_events(events: pd.DataFrame, joined: pd.DataFrame) -> pd.DataFrame:
    """Men's World Cup events with the results match_id and side in results.csv orientation."""
    keep = events[events["ok"] & events["mens"]]
    out = keep.merge(
        joined[["wc_match_id", "match_id", "swapped", "home", "away"]],
        on="wc_match_id",
        how="inner",
    )
    flip = out["swapped"].to_numpy()
    wc_side = out["wc_side"].to_numpy()
    side = np.where(flip, np.where(wc_side == "home", "away", "home"), wc_side)
    out["side"] = side
    out["team"] = np.where(side == "home", out["home"].to_numpy(), out["away"].to_numpy())
    return out.drop(columns=["home", "away", "swapped", "wc_side", "mens", "ok"])


def load_sources(
    data_dir: Path | str,
    skip_bad_rows: bool = False,
    progress: Callable[..., None] | None = None,
) -> Sources:
    """Read, validate and cross-check every needed file of ``data_dir``.

    Collects every bad row. With ``skip_bad_rows=False`` raises
    :class:`~heartbreak.errors.BadSourceRows`; with True drops them (and the rows that depend on
    a dropped match) and reports the count. A missing column cannot be skipped: in that mode it
    raises the :class:`~heartbreak.errors.BadSourceRow` itself.
    """
    report = progress or (lambda *a, **k: None)
    folder = Path(data_dir)
    tables: dict[str, Table] = {}
    fatal: list[BadSourceRow] = []
    for file, parse in PARSERS.items():
        report(f"reading {file}", 0)
        try:
            with open(folder / file, "rb") as handle:
                tables[file] = parse(handle, file)
        except _FatalFile as exc:
            fatal.append(exc.row)
        except FileNotFoundError as exc:
            raise DataUnavailable(f"{file} is missing from {folder}; {DATA_HINT}") from exc
        report(f"read {file}", 1)
    if fatal:
        if skip_bad_rows:
            raise fatal[0]
        raise BadSourceRows(fatal)

    warnings: list[str] = []
    results_t = tables[F_RESULTS]
    goals_t = tables[F_GOALSCORERS]
    shoot_t = tables[F_SHOOTOUTS]
    wc_t = tables[F_WC_MATCHES]

    # Goals must belong to a results row (any row, so a bad results row does not also make its
    # goals bad: they are dropped with it when skipping).
    known_match = _key(goals_t.frame).isin(_key(results_t.frame).unique()).to_numpy()
    g = goals_t.frame
    gd, gh, ga = _col(g, "date_text"), _col(g, "home"), _col(g, "away")
    _mark(
        goals_t,
        ~known_match,
        lambda i: f"no match {gh[i]} v {ga[i]} on {gd[i]} in {F_RESULTS}",
    )
    for events, what in ((F_WC_GOALS, "goal"), (F_WC_BOOKINGS, "booking"), (F_WC_KICKS, "kick")):
        _check_wc_events(tables[events], wc_t, what)

    results = results_t.clean
    joined = _join_worldcup(results, wc_t)

    bad_rows = [row for table in tables.values() for row in table.bad_rows]
    bad_rows.sort(key=lambda r: (r.file, r.line))
    if bad_rows and not skip_bad_rows:
        raise BadSourceRows(bad_rows)

    # Dependent rows of skipped matches go with them.
    valid_keys = set(_key(results))
    goals_ok = goals_t.clean
    orphans = ~_key(goals_ok).isin(valid_keys)
    if orphans.any():
        warnings.append(f"{int(orphans.sum())} goal rows left out with their skipped matches")
    goals = _assign_goals(results, goals_ok[~orphans], warnings)

    # Shootouts: a shootout with no results row is a real quirk (a warning).
    shoot = shoot_t.clean.assign(key=lambda f: _key(f))
    # A shootout's match: the results row with its date and teams (a level one first).
    drawn_first = results.assign(
        key=_key(results), level=results["home_score"] == results["away_score"]
    )
    drawn_first = drawn_first.sort_values(
        ["level", "match_id"], ascending=[False, True]
    ).drop_duplicates("key")
    shootouts = shoot.merge(drawn_first[["key", "match_id"]], on="key", how="left")
    lost = shootouts["match_id"].isna()
    for row in shootouts[lost].itertuples(index=False):
        warnings.append(
            f"{F_SHOOTOUTS}:{row.line}: shootout {row.home} v {row.away} on {row.date_text} "
            f"has no row in {F_RESULTS}; left out"
        )
    shootouts = shootouts[~lost].astype({"match_id": "int64"})
    shootouts = shootouts[["match_id", "winner", "first_shooter"]].drop_duplicates("match_id")

    no_minute = int(goals["minute"].isna().sum())
    if no_minute:
        goals_have = "goal has" if no_minute == 1 else "goals have"
        warnings.append(f"{no_minute} {goals_have} no minute; their matches have no full timeline")

    wc_goals = _attach_wc_events(tables[F_WC_GOALS].frame, joined)
    wc_bookings = _attach_wc_events(tables[F_WC_BOOKINGS].frame, joined)
    wc_kicks = _attach_wc_events(tables[F_WC_KICKS].frame, joined)

    return Sources(
        results=results.drop(columns=["ok"]).reset_index(drop=True),
        goals=goals,
        shootouts=shootouts.reset_index(drop=True),
        former_names=tables[F_FORMER_NAMES].clean.drop(columns=["ok"]),
        wc_matches=joined,
        wc_goals=wc_goals,
        wc_bookings=wc_bookings,
        wc_kicks=wc_kicks,
        wc_teams=tables[F_WC_TEAMS].clean.drop(columns=["ok"]),
        sha256={file: table.sha256 for file, table in tables.items()},
        bad_rows=bad_rows,
        warnings=warnings,
        skipped=len(bad_rows),
    )
