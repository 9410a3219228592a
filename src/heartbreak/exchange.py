"""Import and export: user matches into the store, analysts' tables out of it.

Import (:func:`import_matches`)
-------------------------------
A file of the user's (a match in the documented JSON or CSV schema of
:mod:`heartbreak.data.userfile`, a JSON list of such matches, or a StatsBomb open-data events
file read by :mod:`heartbreak.data.statsbomb`) is validated, then added to the user-matches file
beside the store (``<db>.user-matches.json``, see :mod:`heartbreak.data.usermatches`), and the
store is rebuilt from the sources plus that file, so that the new matches replay, rank and show
like the others. The steps: validate → write the new list to ``<file>.tmp-<pid>`` → build the
new store into ``<db>.import-<pid>`` → rename the store, then the list, into place. The store's
rename is the commit: the store records the digest of the list it was built from, so an import
killed between the two renames is finished by the next command (it renames that list into place,
see :mod:`heartbreak.data.integrity`). Any failure before the commit leaves the previous store
and the previous user-matches file byte-identical; a failure of the list's rename puts the
previous store back (kept as a hard link, ``<db>.prev-<pid>``, until then). A match identical to
one already imported (same teams, date and events) is reported and not added again, so importing
a file twice changes nothing (unless the store disagrees with the file, edited by hand: then it
is rebuilt from it). Imports of one store are serialised by a lock file,
``<db>.user-matches.json.lock``.

Export (:func:`export_table`)
-----------------------------
Three tables, filtered by competition, team and dates:

- ``matches``: the ``matches`` table with the pre-match chances of the drama index,
  ``prematch_chance_home``/``prematch_chance_away`` (each side's chance of what matters: going
  through in a knockout, else winning) and ``prematch_draw`` (matches that can end level);
- ``drama``: the drama index (:mod:`heartbreak.drama.index`), two rows per match, with the
  match's facts;
- ``timeline``: every point of the replayed probability path of each complete match (replayed in
  chunks with :func:`heartbreak.model.replay.replay_many`) with both sides' fans' emotions
  (:func:`heartbreak.drama.emotions.fan_emotions`).

Every export carries the data attribution (:data:`ATTRIBUTION`): the World Cup data are
CC-BY-SA 4.0 and a table derived from them must say so. CSV: leading ``# `` comment lines (read
them back with ``pandas.read_csv(file, comment="#")``; text values are quoted, so a ``#`` inside a
value is not taken for a comment); Parquet: key/value file metadata; JSON:
``{"attribution": {...}, "rows": [...]}``.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
import math
import os
import re
import shutil
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from heartbreak import config
from heartbreak.build import build_store, source_folder
from heartbreak.data.files import fsync_dir, remove_stale, temp_beside, write_synced
from heartbreak.data.integrity import (
    crash_point,
    dump_user_matches,
    finish_interrupted_import,
    in_step,
    modifications_in,
    recorded_meta,
    user_file_lock,
)
from heartbreak.data.sources import ATTRIBUTION_INTERNATIONAL, ATTRIBUTION_WORLDCUP
from heartbreak.data.teams import fold
from heartbreak.data.userfile import UserMatch, _pydantic_message
from heartbreak.data.usermatches import (
    USER_MATCH_ID_BASE,
    BadUserMatch,
    read_user_matches,
    user_matches_path,
)
from heartbreak.dates import parse_bound, parse_day
from heartbreak.errors import InvalidInput, StoreError, UnknownTeam

Progress = Callable[..., None]

IMPORT_FORMATS = ("auto", "json", "csv", "statsbomb")
EXPORT_KINDS = ("matches", "drama", "timeline")
EXPORT_FORMATS = ("csv", "parquet", "json")

#: The attribution every export carries (the data sets' licences: data/README of the project,
#: https://github.com/martj42/international_results, https://github.com/jfjelstul/worldcup).
ATTRIBUTION = {
    "international": ATTRIBUTION_INTERNATIONAL,
    "worldcup": ATTRIBUTION_WORLDCUP,
    "licence": (
        "Tables derived from the Fjelstul World Cup Database are shared under the same licence, "
        "CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/). Rows with source "
        "'user' are matches imported by the user."
    ),
}


# =========================================================================== import


@dataclass(frozen=True)
class Overrides:
    """Values that replace (or, for a StatsBomb file, complete) those of the imported match.

    ``home``/``away`` rename the sides (the events follow); ``neutral``/``knockout`` only set
    the flag when True."""

    home: str | None = None
    away: str | None = None
    date: str | dt.date | None = None
    competition: str | None = None
    stage: str | None = None
    neutral: bool = False
    knockout: bool = False
    elo_home: float | None = None
    elo_away: float | None = None

    def given(self) -> list[str]:
        """The options given, as ``--name``."""
        names = []
        for name in (
            "home",
            "away",
            "date",
            "competition",
            "stage",
            "neutral",
            "knockout",
            "elo_home",
            "elo_away",
        ):
            value = getattr(self, name)
            if value is not None and value is not False:
                names.append("--" + name.replace("_", "-"))
        return names


@dataclass(frozen=True)
class ImportReport:
    """What an import did: the matches added (with their new ids) and those already there."""

    file: Path
    db_path: Path
    user_file: Path
    added: list[tuple[int, UserMatch]] = field(default_factory=list)
    duplicates: list[tuple[int, UserMatch]] = field(default_factory=list)


def detect_format(file: Path) -> str:
    """``csv`` for a .csv file; for a .json file ``statsbomb`` when it is a list of StatsBomb
    events, else ``json``."""
    suffix = file.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix != ".json":
        raise InvalidInput(f"FILE: {file} must be a .json or .csv file (or give --format)")
    from heartbreak.data.statsbomb import is_events_file

    return "statsbomb" if is_events_file(file) else "json"


def _json_matches(file: Path) -> tuple[list[UserMatch], bool]:
    """The matches of a user JSON file (one match object, or a list of them) and whether the
    file held a list."""
    from heartbreak.data.userfile import read_json, validate_match

    _, data = read_json(file, "FILE")  # UTF-8, at most 16 MiB, nested at most 64 deep
    if isinstance(data, dict):
        return [validate_match(data, str(file))], False
    if not isinstance(data, list) or not data:
        raise InvalidInput(f"{file}: a match file holds one match object or a list of them")
    from pydantic import ValidationError

    out = []
    for i, item in enumerate(data):
        try:
            out.append(UserMatch.model_validate(item))
        except ValidationError as exc:
            raise InvalidInput(f"{file}: [{i}].{_pydantic_message(exc)}") from None
    return out, True


def _rename(team: str, old: str, new: str | None) -> str:
    return new if new is not None and team.casefold() == old.casefold() else team


def apply_overrides(user: UserMatch, overrides: Overrides, where: str) -> UserMatch:
    """``user`` with the overrides applied (events and shootout winner follow a renamed side);
    the result is validated again, errors prefixed with ``where``."""
    from pydantic import ValidationError

    data = user.model_dump()
    for side in ("home", "away"):
        new = getattr(overrides, side)
        if new is None:
            continue
        old = getattr(user, side)
        for event in data["events"]:
            event["team"] = _rename(event["team"], old, new)
        if data["shootout_winner"] is not None:
            data["shootout_winner"] = _rename(data["shootout_winner"], old, new)
        data[side] = new
    if overrides.date is not None:
        data["date"] = parse_day(overrides.date, "--date")
    for name in ("competition", "stage", "elo_home", "elo_away"):
        value = getattr(overrides, name)
        if value is not None:
            if name.startswith("elo_"):
                value = _option_rating(value, "--" + name.replace("_", "-"))
            data[name] = value
    for name in ("neutral", "knockout"):
        if getattr(overrides, name):
            data[name] = True
    try:
        return UserMatch.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(f"{where}: {_pydantic_message(exc)}") from None


def _option_rating(value: float, option: str) -> float:
    """A rating given on the command line, held to :func:`heartbreak.rules.check_rating`."""
    from heartbreak.rules import check_rating

    try:
        return float(check_rating(value))  # type: ignore[arg-type]
    except ValueError as exc:
        raise InvalidInput(f"{option}: {exc}") from None


def read_import_file(
    file: str | Path,
    fmt: str = "auto",
    lineup: str | Path | None = None,
    overrides: Overrides | None = None,
) -> tuple[list[UserMatch], str, bool]:
    """Read and validate a file to import: (matches, format read, whether the file is a list).

    Raises InvalidInput naming the file and the field (or line) at fault."""
    file = Path(file)
    overrides = overrides or Overrides()
    if fmt not in IMPORT_FORMATS:
        raise InvalidInput(
            f"--format: {fmt!r} is not one of {', '.join(IMPORT_FORMATS)}", field="format"
        )
    if not file.is_file():
        raise InvalidInput(f"FILE: no file at {file}")
    if fmt == "auto":
        fmt = detect_format(file)
    if lineup is not None and fmt != "statsbomb":
        raise InvalidInput("--lineup: only a StatsBomb events file has a lineup file")
    is_list = False
    if fmt == "statsbomb":
        from heartbreak.data.statsbomb import read_statsbomb

        if overrides.date is None:
            raise InvalidInput(
                "--date: a StatsBomb events file does not give the match date; "
                "give --date YYYY-MM-DD"
            )
        from pydantic import ValidationError

        day = parse_day(overrides.date, "--date")
        found = read_statsbomb(file, lineup)
        try:
            matches = [found.to_user_match(day)]
        except ValidationError as exc:
            raise InvalidInput(f"{file}: {_pydantic_message(exc)}") from None
    elif fmt == "csv":
        from heartbreak.data.userfile import load_match_file

        if file.suffix.lower() != ".csv":
            raise InvalidInput(f"--format csv: {file} must end in .csv")
        matches = [load_match_file(file, what="FILE")]
    else:
        matches, is_list = _json_matches(file)
    given = overrides.given()
    if given:
        if len(matches) > 1:
            raise InvalidInput(
                f"{given[0]}: {file} holds {len(matches)} matches; options change one match"
            )
        matches = [apply_overrides(matches[0], overrides, str(file))]
    return matches, fmt, is_list


def match_key(user: UserMatch) -> tuple:
    """What makes two user matches the same: teams (in order), date and events."""
    events = sorted(
        (
            e.type,
            e.minute,
            e.stoppage,
            fold(e.team),
            fold(e.player or ""),
            e.own_goal,
            e.penalty,
        )
        for e in user.events
    )
    return (fold(user.home), fold(user.away), user.date, tuple(events))


def _dump(users: list[UserMatch]) -> bytes:
    return dump_user_matches(users)


def _remove_stale_imports(db: Path, user_file: Path) -> None:
    """Temporary files of imports that are no longer running."""
    remove_stale(
        db.parent,
        (
            re.compile(re.escape(db.name) + r"\.import-(\d+)(\.wal)?$"),
            re.compile(re.escape(db.name) + r"\.prev-(\d+)$"),
            re.compile(re.escape(user_file.name) + r"\.tmp-(\d+)$"),
        ),
    )


def _elo_hint(field: str, fmt: str) -> str:
    option = "--" + field.replace("_", "-")
    return f": give {option} R" if fmt != "json" else f": give {field} in the file (or {option} R)"


def import_matches(
    file: str | Path,
    db: str | Path | None = None,
    data_dir: str | Path | None = None,
    fmt: str = "auto",
    lineup: str | Path | None = None,
    overrides: Overrides | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Add the matches of ``file`` to the store at ``db`` (see the module docstring)."""
    file = Path(file)
    db_path = config.db_path(db)
    config.check_store_target(db_path)  # a folder, or a folder that cannot be written: at once
    new, fmt, is_list = read_import_file(file, fmt, lineup, overrides)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    user_file = user_matches_path(db_path)
    with user_file_lock(user_file):
        crash_point("import:locked")
        # An import killed after its commit (the store's rename) is finished first.
        meta = recorded_meta(db_path)
        finish_interrupted_import(db_path, meta.get("user_matches_sha256"))
        _remove_stale_imports(db_path, user_file)
        existing = read_user_matches(user_file)
        agrees = not db_path.is_file() or in_step(
            meta.get("user_matches_sha256"), int(meta.get("user_matches", 0) or 0), user_file
        )
        position = {match_key(u): i for i, u in enumerate(existing)}
        added: list[tuple[int, UserMatch]] = []
        duplicates: list[tuple[int, UserMatch]] = []
        origin: list[int] = []  # the position in ``file`` of each added match
        for i, user in enumerate(new):
            key = match_key(user)
            if key in position:
                duplicates.append((USER_MATCH_ID_BASE + position[key], user))
                continue
            position[key] = len(existing) + len(added)
            added.append((USER_MATCH_ID_BASE + position[key], user))
            origin.append(i)
        report = ImportReport(file, db_path, user_file, added, duplicates)
        if not added and agrees is not False:
            return report
        # Nothing new, but the store was not built from this list (the file was edited): the
        # store is rebuilt from it, so that what import reports is what the store holds.
        combined = existing + [u for _, u in added]
        sources = source_folder(data_dir, progress)
        tmp_user = temp_beside(user_file, "tmp")
        tmp_db = temp_beside(db_path, "import")
        prev_db = temp_beside(db_path, "prev")
        try:
            write_synced(tmp_user, _dump(combined))
            crash_point("import:list-written")
            try:
                build_store(
                    sources,
                    tmp_db,
                    progress=progress,
                    user_matches=combined,
                    accepted=modifications_in(meta),
                )
            except BadUserMatch as exc:
                if exc.index < len(existing):
                    raise InvalidInput(
                        f"{user_file}: [{exc.index}].{exc.field}: {exc.problem}"
                    ) from None
                at = origin[exc.index - len(existing)]
                where = f"[{at}]." if is_list else ""
                hint = _elo_hint(exc.field, fmt) if exc.field.startswith("elo_") else ""
                raise InvalidInput(f"{file}: {where}{exc.field}: {exc.problem}{hint}") from None
            crash_point("import:store-built")
            # The commit is the store's rename: it records the digest of the new list, so a
            # process killed before the list's rename is finished by the next command
            # (heartbreak.data.integrity). A failing second rename puts the old store back
            # (kept as a hard link, or a copy where the file system has none).
            had_store = db_path.is_file()
            if had_store:
                with contextlib.suppress(FileNotFoundError):
                    prev_db.unlink()
                try:
                    os.link(db_path, prev_db)
                except OSError:
                    shutil.copyfile(db_path, prev_db)
            os.replace(tmp_db, db_path)
            crash_point("import:store-renamed")
            try:
                os.replace(tmp_user, user_file)
            except BaseException:
                if had_store:
                    os.replace(prev_db, db_path)
                else:
                    db_path.unlink()
                raise
            crash_point("import:list-renamed")
            fsync_dir(db_path.parent)
        except OSError as exc:
            raise StoreError(
                f"cannot write beside the store at {db_path} ({exc.strerror or exc}); "
                "nothing was imported"
            ) from None
        finally:
            for leftover in (tmp_user, tmp_db, tmp_db.with_name(tmp_db.name + ".wal"), prev_db):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()
    return report


# =========================================================================== export


@dataclass(frozen=True)
class ExportFilters:
    """Which matches an export covers (None: no restriction); dates are inclusive."""

    competition: str | None = None
    team: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@dataclass(frozen=True)
class ExportReport:
    kind: str
    fmt: str
    rows: int
    out: Path | None


def export_filters(
    store,
    competition: str | None = None,
    team: str | None = None,
    date_from: str | dt.date | None = None,
    date_to: str | dt.date | None = None,
) -> ExportFilters:
    """Checked filters: the team resolved, the competition known, the dates in order."""
    start = parse_bound(date_from, "--from", end=False)
    stop = parse_bound(date_to, "--to", end=True)
    if start is not None and stop is not None and start > stop:
        raise InvalidInput(f"--from/--to: {start} is after {stop}", field="from")
    name = None
    if team is not None:
        try:
            name = store.resolve(team)
        except UnknownTeam as exc:
            raise InvalidInput(f"--team: {exc}", field="team") from None
    # A competition as a fan types it ("World Cup", "Euro qualifiers"): see data.competitions.
    if competition is not None and not store.resolve_competition(competition):
        close = store.competition_resolver().suggest(competition)
        hint = f"; closest: {', '.join(close)}" if close else ""
        raise InvalidInput(
            f"--competition: no matches in {competition!r}{hint}", field="competition"
        )
    return ExportFilters(competition, name, start, stop)


def _filtered_matches(store, filters: ExportFilters) -> pd.DataFrame:
    return store.matches(
        team=filters.team,
        competition=filters.competition,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )


def matches_frame(store, filters: ExportFilters) -> pd.DataFrame:
    """The ``matches`` rows with the drama index's pre-match chances (see the module docs)."""
    matches = _filtered_matches(store, filters)
    drama = store.drama_of_matches(matches["match_id"])
    chance = drama.pivot(index="match_id", columns="side", values="prematch_chance")
    chance = chance.reindex(columns=["home", "away"])
    out = matches.copy()
    out["prematch_chance_home"] = chance["home"].reindex(out["match_id"]).to_numpy(float)
    out["prematch_chance_away"] = chance["away"].reindex(out["match_id"]).to_numpy(float)
    draw = 1.0 - out["prematch_chance_home"] - out["prematch_chance_away"]
    out["prematch_draw"] = draw.where(~out["knockout"].astype(bool)).clip(lower=0.0)
    return out


MATCH_FACTS = (
    "date",
    "home",
    "away",
    "home_score",
    "away_score",
    "competition",
    "stage",
    "knockout",
    "extra_time",
    "shootout_winner",
    "winner",
    "source",
)


def drama_frame(store, filters: ExportFilters) -> pd.DataFrame:
    """The drama-index rows of the filtered matches with their facts, in date order."""
    matches = _filtered_matches(store, filters)
    drama = store.drama_of_matches(matches["match_id"])
    facts = matches[["match_id", *MATCH_FACTS]]
    out = drama.merge(facts, on="match_id", how="inner")
    order = {"home": 0, "away": 1}
    out = out.assign(_side=out["side"].map(order)).sort_values(
        ["date", "match_id", "_side"], kind="stable"
    )
    return out.drop(columns=["_side"]).reset_index(drop=True)


TIMELINE_COLUMNS = (
    "match_id",
    "point",
    "minute",
    "stoppage",
    "label",
    "kind",
    "period",
    "elapsed",
    "time_left",
    "home_goals",
    "away_goals",
    "home_reds",
    "away_reds",
    "p_home_win",
    "p_draw",
    "p_away_win",
    "p_home_advance",
    "p_home_qualify",
    "p_away_qualify",
    "suspense",
    "emotion_home",
    "emotion_away",
)


def _empty_timeline() -> pd.DataFrame:
    types = {
        "label": object,
        "kind": object,
        "period": object,
        "emotion_home": object,
        "emotion_away": object,
        "elapsed": float,
        "time_left": float,
        "p_home_win": float,
        "p_draw": float,
        "p_away_win": float,
        "p_home_advance": float,
        "p_home_qualify": float,
        "p_away_qualify": float,
        "suspense": float,
    }
    return pd.DataFrame({c: pd.Series(dtype=types.get(c, "int64")) for c in TIMELINE_COLUMNS})


def qualify(path, side: str) -> np.ndarray:
    """A side's chance of going through from its group at each point (NaN outside a group
    match replayed for its stakes)."""
    if path.stakes is None:
        return np.full(len(path), np.nan)
    return getattr(path.stakes, f"p_{side}_qualify")


def timeline_frames(
    session, filters: ExportFilters, chunk: int = 1000, progress: Progress | None = None
) -> Iterator[pd.DataFrame]:
    """Every point of the replayed path of each filtered complete match, a chunk at a time."""
    from heartbreak.domain import Side
    from heartbreak.drama.emotions import both_sides_emotions
    from heartbreak.model.replay import replay_many
    from heartbreak.serialize import point_label

    store = session.store
    matches = _filtered_matches(store, filters)
    matches = matches[matches["timeline_complete"].astype(bool)].reset_index(drop=True)
    report = progress or (lambda *a, **k: None)
    total = len(matches)
    if total == 0:
        yield _empty_timeline()
        return
    lam_h, lam_a = session.prematch_model.rates(matches)
    for lo in range(0, total, chunk):
        part = matches.iloc[lo : lo + chunk]
        ids = part["match_id"].astype(int).tolist()
        loaded = store.load_matches(ids)
        batch = [loaded[i] for i in ids]
        paths = replay_many(batch, lam_h[lo : lo + chunk], lam_a[lo : lo + chunk], session.inplay)
        paths = session.group_stakes(batch, paths)
        frames = []
        for match_id, path in zip(ids, paths, strict=True):
            n = len(path)
            advance = path.p_home_advance
            feelings = both_sides_emotions(path)
            frames.append(
                pd.DataFrame(
                    {
                        "match_id": np.full(n, match_id, dtype=np.int64),
                        "point": np.arange(n, dtype=np.int64),
                        "minute": path.minute,
                        "stoppage": path.stoppage,
                        "label": [point_label(path, i) for i in range(n)],
                        "kind": path.kind.astype(object),
                        "period": path.period.astype(object),
                        "elapsed": path.elapsed,
                        "time_left": path.time_left,
                        "home_goals": path.home_goals,
                        "away_goals": path.away_goals,
                        "home_reds": path.home_reds,
                        "away_reds": path.away_reds,
                        "p_home_win": path.p_home_win,
                        "p_draw": path.p_draw,
                        "p_away_win": path.p_away_win,
                        "p_home_advance": advance if advance is not None else np.full(n, np.nan),
                        "p_home_qualify": qualify(path, "home"),
                        "p_away_qualify": qualify(path, "away"),
                        "suspense": path.suspense,
                        "emotion_home": feelings[Side.HOME].astype(object),
                        "emotion_away": feelings[Side.AWAY].astype(object),
                    }
                )
            )
        out = pd.concat(frames, ignore_index=True)
        report("exporting the timeline", len(part), total)
        yield out.astype({c: "int64" for c in ("minute", "stoppage")})[list(TIMELINE_COLUMNS)]


def export_frames(
    session, kind: str, filters: ExportFilters, progress: Progress | None = None
) -> Iterator[pd.DataFrame]:
    """The rows of an export, as one or more DataFrames with the same columns."""
    if kind == "matches":
        yield matches_frame(session.store, filters)
    elif kind == "drama":
        yield drama_frame(session.store, filters)
    elif kind == "timeline":
        yield from timeline_frames(session, filters, progress=progress)
    else:
        raise InvalidInput(f"WHAT: {kind!r} is not one of {', '.join(EXPORT_KINDS)}")


# --------------------------------------------------------------------------- writing


def _dates_as_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """Calendar-date columns (stored dates come back as timestamps) as ``datetime.date``."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            values = out[column]
            out[column] = pd.Series(
                [None if pd.isna(v) else v.date() for v in values], index=out.index, dtype=object
            )
    return out


def _plain(value: Any) -> Any:
    """A JSON value: numpy numbers as Python numbers, NaN/NA as null, dates as ISO text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dt.date):  # datetime and pandas Timestamp included
        return value.isoformat()
    return value


def csv_header() -> str:
    """The comment lines that open a CSV export."""
    return "".join(f"# {text}\n" for text in ATTRIBUTION.values())


def _write_csv(frames: Iterable[pd.DataFrame], handle: IO[str]) -> int:
    handle.write(csv_header())
    rows = 0
    for i, frame in enumerate(frames):
        _dates_as_dates(frame).to_csv(
            handle, index=False, header=i == 0, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n"
        )
        rows += len(frame)
    return rows


def _write_json(frames: Iterable[pd.DataFrame], handle: IO[str]) -> int:
    handle.write('{"attribution": ' + json.dumps(ATTRIBUTION, ensure_ascii=False) + ',\n"rows": [')
    rows = 0
    for frame in frames:
        frame = _dates_as_dates(frame)
        columns = list(frame.columns)
        for record in frame.itertuples(index=False, name=None):
            row = {c: _plain(v) for c, v in zip(columns, record, strict=True)}
            handle.write(("\n" if rows == 0 else ",\n") + json.dumps(row, ensure_ascii=False))
            rows += 1
    handle.write("\n]}\n")
    return rows


def _write_parquet(frames: Iterable[pd.DataFrame], path: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    metadata = {f"attribution:{k}": v for k, v in ATTRIBUTION.items()}
    writer = None
    schema = None
    rows = 0
    try:
        for frame in frames:
            frame = _dates_as_dates(frame)
            if writer is None:
                table = pa.Table.from_pandas(frame, preserve_index=False)
                merged = {
                    **(table.schema.metadata or {}),
                    **{k.encode(): v.encode() for k, v in metadata.items()},
                }
                schema = table.schema.with_metadata(merged)
                writer = pq.ParquetWriter(path, schema)
                table = table.replace_schema_metadata(merged)
            else:
                table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
            writer.write_table(table)
            rows += len(frame)
    finally:
        if writer is not None:
            writer.close()
    return rows


def write_export(
    frames: Iterable[pd.DataFrame],
    fmt: str,
    out: str | Path | None = None,
    stdout: IO[str] | None = None,
) -> int:
    """Write the frames as ``fmt`` to ``out`` (atomically: a temporary file renamed into
    place) or to ``stdout`` (CSV and JSON only); returns the number of rows."""
    if fmt not in EXPORT_FORMATS:
        raise InvalidInput(
            f"--format: {fmt!r} is not one of {', '.join(EXPORT_FORMATS)}", field="format"
        )
    if out is None:
        if fmt == "parquet":
            raise InvalidInput("--out: Parquet is a binary format; give --out FILE.parquet")
        handle = stdout or sys.stdout
        return _write_csv(frames, handle) if fmt == "csv" else _write_json(frames, handle)
    target = Path(out)
    if target.is_dir():
        raise InvalidInput(f"--out: {target} is a folder; give a file name", field="out")
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        if fmt == "parquet":
            rows = _write_parquet(frames, tmp)
        else:
            with open(tmp, "w", encoding="utf-8", newline="") as handle:
                rows = _write_csv(frames, handle) if fmt == "csv" else _write_json(frames, handle)
        os.replace(tmp, target)
    except OSError as exc:
        raise InvalidInput(
            f"--out: cannot write {target}: {exc.strerror or exc}", field="out"
        ) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return rows


def export_table(
    session,
    kind: str,
    fmt: str = "csv",
    out: str | Path | None = None,
    competition: str | None = None,
    team: str | None = None,
    date_from: str | dt.date | None = None,
    date_to: str | dt.date | None = None,
    stdout: IO[str] | None = None,
    progress: Progress | None = None,
) -> ExportReport:
    """Export ``kind`` (matches, drama or timeline) of the session's store; see the module
    docstring. Every argument is checked before the store is opened or a file written."""
    if kind not in EXPORT_KINDS:
        raise InvalidInput(f"WHAT: {kind!r} is not one of {', '.join(EXPORT_KINDS)}")
    if fmt not in EXPORT_FORMATS:
        raise InvalidInput(
            f"--format: {fmt!r} is not one of {', '.join(EXPORT_FORMATS)}", field="format"
        )
    if out is None and fmt == "parquet":
        raise InvalidInput("--out: Parquet is a binary format; give --out FILE.parquet")
    parse_bound(date_from, "--from", end=False)
    parse_bound(date_to, "--to", end=True)
    filters = export_filters(session.store, competition, team, date_from, date_to)
    frames = export_frames(session, kind, filters, progress=progress)
    rows = write_export(frames, fmt, out, stdout)
    return ExportReport(kind, fmt, rows, None if out is None else Path(out))
