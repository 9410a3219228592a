"""``heartbreak import`` and ``heartbreak export``: parse, call :mod:`heartbreak.exchange`,
report."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

import typer

from heartbreak.cli._common import LazyConsole, handle_errors, make_progress
from heartbreak.cli.options import DataDirOption, DbOption, open_session

console = LazyConsole(stderr=True)


class ImportFormat(StrEnum):
    auto = "auto"
    json = "json"
    csv = "csv"
    statsbomb = "statsbomb"


class ExportKind(StrEnum):
    matches = "matches"
    drama = "drama"
    timeline = "timeline"


class ExportFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"
    json = "json"


def import_command(
    file: Path = typer.Argument(
        ...,
        help="A match file (JSON or CSV, the schema of `story --file`; JSON may hold a list) "
        "or a StatsBomb open-data events file.",
    ),
    fmt: ImportFormat = typer.Option(
        ImportFormat.auto,
        "--format",
        help="auto (by the file name and content), json, csv or statsbomb.",
    ),
    lineup: Path | None = typer.Option(
        None, "--lineup", help="The StatsBomb lineup file of the match (optional)."
    ),
    home: str | None = typer.Option(None, "--home", help="Name (or rename) the home side."),
    away: str | None = typer.Option(None, "--away", help="Name (or rename) the away side."),
    date: str | None = typer.Option(
        None, "--date", help="Match date, YYYY-MM-DD (required for StatsBomb files)."
    ),
    competition: str | None = typer.Option(None, "--competition", help="Competition name."),
    stage: str | None = typer.Option(None, "--stage", help="Stage, e.g. 'round of 16'."),
    neutral: bool = typer.Option(False, "--neutral", help="Played on neutral ground."),
    knockout: bool = typer.Option(False, "--knockout", help="The match needed a winner."),
    elo_home: float | None = typer.Option(
        None, "--elo-home", help="Home side's rating (needed for a team the store lacks)."
    ),
    elo_away: float | None = typer.Option(
        None, "--elo-away", help="Away side's rating (needed for a team the store lacks)."
    ),
    db: Path | None = DbOption,
    data_dir: Path | None = DataDirOption,
) -> None:
    """Add matches of your own to the store: they replay, rank and export like the others."""
    from heartbreak.exchange import Overrides, import_matches

    with handle_errors():
        overrides = Overrides(
            home=home,
            away=away,
            date=date,
            competition=competition,
            stage=stage,
            neutral=neutral,
            knockout=knockout,
            elo_home=elo_home,
            elo_away=elo_away,
        )
        with make_progress() as progress:
            report = import_matches(
                file,
                db=db,
                data_dir=data_dir,
                fmt=fmt.value,
                lineup=lineup,
                overrides=overrides,
                progress=progress,
            )
        from rich.console import Console

        out = Console()
        for match_id, user in report.added:
            out.print(f"imported {_describe(user)} as match {match_id}", markup=False)
        for match_id, user in report.duplicates:
            out.print(
                f"already imported: {_describe(user)} is match {match_id} (not added again)",
                markup=False,
            )
        if report.added:
            first = report.added[0][0]
            console.print(
                f"replay it with: heartbreak story --id {first}; user matches are kept in "
                f"{report.user_file}",
                markup=False,
                style="dim",
            )


def _describe(user) -> str:
    home = sum(e.type == "goal" and e.team.casefold() == user.home.casefold() for e in user.events)
    away = sum(e.type == "goal" and e.team.casefold() == user.away.casefold() for e in user.events)
    return f"{user.home} {home}-{away} {user.away} ({user.date.isoformat()})"


def export_command(
    what: ExportKind = typer.Argument(..., help="matches, drama or timeline."),
    fmt: ExportFormat = typer.Option(ExportFormat.csv, "--format", help="csv, parquet or json."),
    out: Path | None = typer.Option(
        None, "--out", help="Write to FILE (default: standard output; Parquet needs a file)."
    ),
    competition: str | None = typer.Option(
        None,
        "--competition",
        help="Only this competition, as a fan types it ('World Cup', 'Euro qualifiers').",
    ),
    team: str | None = typer.Option(None, "--team", help="Only matches this team played."),
    date_from: str | None = typer.Option(
        None, "--from", help="From this year or date (YYYY or YYYY-MM-DD), inclusive."
    ),
    date_to: str | None = typer.Option(
        None, "--to", help="To this year or date (YYYY or YYYY-MM-DD), inclusive."
    ),
    db: Path | None = DbOption,
    data_dir: Path | None = DataDirOption,
) -> None:
    """Bulk tables for analysts (CSV, Parquet or JSON), each carrying the data attribution."""
    from heartbreak.dates import parse_bound
    from heartbreak.exchange import export_table

    with handle_errors():
        if out is None and fmt is ExportFormat.parquet:
            from heartbreak.errors import InvalidInput

            raise InvalidInput("--out: Parquet is a binary format; give --out FILE.parquet")
        parse_bound(date_from, "--from", end=False)
        parse_bound(date_to, "--to", end=True)
        with make_progress() as progress:
            session = open_session(db, data_dir, progress=progress)
            report = export_table(
                session,
                what.value,
                fmt.value,
                out,
                competition=competition,
                team=team,
                date_from=date_from,
                date_to=date_to,
                stdout=sys.stdout,
                progress=progress,
            )
        if out is not None:
            console.print(f"{report.rows:,} rows written to {out}", markup=False)
