"""``heartbreak tournament``: parse, call the Python API, format."""

from __future__ import annotations

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
from heartbreak.errors import InvalidInput
from heartbreak.wording import chance_text

console = LazyConsole()


def tournament(
    competition: str = typer.Argument(..., help='e.g. "World Cup", "Euro", "Copa America".'),
    year: int = typer.Argument(..., help="The edition's year (Euro 2020: 2020 or 2021)."),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Forecast at the start of this day (default: the first day)."
    ),
    sims: int = typer.Option(10_000, "--sims", min=1, help="Simulated tournaments."),
    seed: int = typer.Option(0, "--seed", help="Seed of the simulation (same seed, same odds)."),
    chart: Path | None = typer.Option(
        None, "--chart", help="Draw how the title odds moved, day by day, to FILE.png or .svg."
    ),
    output: OutputFormat = FormatOption,
    db: Path | None = DbOption,
    data_dir: Path | None = DataDirOption,
) -> None:
    """A tournament's group tables and every team's chance of each group position, of each
    knockout round and of the title, by a seeded Monte Carlo of the matches not yet played."""
    with handle_errors():
        if chart is not None and chart.suffix.lower() not in (".png", ".svg"):
            raise InvalidInput(f"--chart: {chart} must end in .png or .svg", field="chart")
        session = open_session(db, data_dir)
        result = session.tournament(competition, year, as_of, simulations=sims, seed=seed)
        if chart is not None:
            from heartbreak.tournaments.chart import save_odds_chart

            odds = session.tournament_odds(competition, year, min(sims, 2_000), seed)
            column = "p_champion" if result.p_champion is not None else "p_advance"
            save_odds_chart(odds, chart, f"{result.edition.label}: who wins?", column)
        data = result.to_dict()
        if output is OutputFormat.json:
            print_json(data)
            return
        from rich.table import Table

        t = data["tournament"]
        console.rule(f"[bold]{t['competition']} {t['year']}[/] · {t['format']}")
        console.print(
            f"as of {data['as_of']} · {data['simulations']:,} simulations (seed {data['seed']})",
            justify="center",
        )
        for group in data["groups"]:
            table = Table(title=group["name"], title_justify="left")
            for column in ("#", "team", "P", "W", "D", "L", "GF", "GA", "Pts", "decided by"):
                table.add_column(column)
            for r in group["table"]:
                table.add_row(
                    str(r["position"]),
                    r["team"],
                    *(
                        str(r[k])
                        for k in (
                            "played",
                            "won",
                            "drawn",
                            "lost",
                            "goals_for",
                            "goals_against",
                            "points",
                        )
                    ),
                    r["decided_by"] or "",
                )
            console.print(table)
        odds = Table(title="Odds", title_justify="left")
        rounds = list(data["forecast"][0]["p_round"]) if data["forecast"] else []
        for column in ("team", "group", "through", *rounds, "champion"):
            odds.add_column(column)
        for f in data["forecast"]:
            odds.add_row(
                f["team"],
                (f["group"] or "").removeprefix("Group "),
                "" if f["p_advance"] is None else chance_text(f["p_advance"]),
                *(chance_text(f["p_round"][r]) for r in rounds),
                "" if f["p_champion"] is None else chance_text(f["p_champion"]),
            )
        console.print(odds)
        if chart is not None:
            from rich.console import Console

            Console(stderr=True).print(f"chart written to {chart}")
