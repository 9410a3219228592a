"""``heartbreak top`` and ``heartbreak team``: parse, call the Python API, format."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from heartbreak.cli._common import LazyConsole, handle_errors
from heartbreak.cli.options import (
    DataDirOption,
    DbOption,
    FormatOption,
    OutputFormat,
    open_session,
    print_json,
)
from heartbreak.drama.ranked import RANKED_METRICS
from heartbreak.errors import InvalidInput

console = LazyConsole()

Metric = StrEnum("Metric", {name: name for name in RANKED_METRICS})


def top(
    metric: Metric = typer.Option(Metric.heartbreak, "--metric", help="What to rank by."),
    competition: str | None = typer.Option(
        None, "--competition", help='e.g. "World Cup", "Euro qualifiers" (any case).'
    ),
    stage: str | None = typer.Option(None, "--stage", help="knockout, group or final."),
    team: str | None = typer.Option(None, "--team", help="Only matches this team played."),
    date_from: str | None = typer.Option(None, "--from", help="From this year or date."),
    date_to: str | None = typer.Option(None, "--to", help="Up to this year or date."),
    limit: int = typer.Option(10, "--limit", min=1, max=1000, help="How many matches."),
    output: OutputFormat = FormatOption,
    db: Path | None = DbOption,
    data_dir: Path | None = DataDirOption,
) -> None:
    """The most dramatic matches ever played, by a drama metric."""
    from rich.table import Table

    from heartbreak.history import rankings_to_records

    with handle_errors():
        frame = open_session(db, data_dir).top(
            metric.value,
            competition=competition,
            stage=stage,
            team=team,
            date_from=date_from,
            date_to=date_to,
            limit=limit,
        )
        records = rankings_to_records(frame, metric.value)
        if output is OutputFormat.json:
            print_json(records)
            return
        if not records:
            console.print("no matches fit those filters")
            return
        table = Table(title=f"Top {len(records)} by {metric.value}")
        for column in ("#", "date", "match", "side", metric.value, "why"):
            table.add_column(column, overflow="fold")
        for r in records:
            match = f"{r['home']} {r['score']['home']}-{r['score']['away']} {r['away']}"
            table.add_row(
                str(r["rank"]), r["date"], match, r["side"], f"{r['value']:.3f}", r["reason"]
            )
        console.print(table)


def team(
    name: str = typer.Argument(..., help="The team."),
    chart: Path | None = typer.Option(
        None, "--chart", help="Draw the rating history to FILE.png or FILE.svg."
    ),
    output: OutputFormat = FormatOption,
    db: Path | None = DbOption,
    data_dir: Path | None = DataDirOption,
) -> None:
    """A team's most heartbreaking and most joyful matches, its record in the knockout matches of
    the major tournaments (won and lost in 90', after extra time, on penalties) and ratings."""
    with handle_errors():
        if chart is not None and chart.suffix.lower() not in (".png", ".svg"):
            raise InvalidInput(f"--chart: {chart} must end in .png or .svg", field="chart")
        profile = open_session(db, data_dir).team(name)
        if chart is not None:
            profile.plot().savefig(chart, dpi=110)
        data = profile.to_dict()
        if output is OutputFormat.json:
            print_json(data)
            return
        ko = data["knockout_record"]
        console.rule(f"[bold]{data['team']}[/]")
        console.print(
            f"{data['matches']} match{'' if data['matches'] == 1 else 'es'}, "
            f"{data['first_match']} – {data['last_match']}; "
            f"rating {data['rating_now']:.0f} (peak {data['peak_rating']['value']:.0f} on "
            f"{data['peak_rating']['date']})"
        )
        console.print(f"\n[bold]Knockout record[/]: {ko['summary']}", highlight=False)
        console.print(f"[dim]{ko['definition']}[/]", highlight=False)
        if ko["not_counted"]["summary"]:
            console.print(f"[dim]{ko['not_counted']['summary']}[/]", highlight=False)
        for title, rows in (
            ("Most heartbreaking", data["most_heartbreaking"]),
            ("Most joyful comebacks", data["most_joyful"]),
        ):
            console.print(f"\n[bold]{title}[/]")
            for r in rows:
                console.print(f"  {r['date']}  {r['competition']}: {r['reason']}")
        if chart is not None:
            from rich.console import Console

            Console(stderr=True).print(f"chart written to {chart}")
