"""``heartbreak ratings``, ``predict`` and ``story``: parse, call the Python API, format."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from heartbreak.cli._common import LazyConsole, handle_errors
from heartbreak.cli.options import (
    DataDirOption,
    DbOption,
    FormatOption,
    OutputFormat,
    open_session,
    print_json,
    print_json_lines,
)
from heartbreak.errors import InvalidInput

if TYPE_CHECKING:
    from heartbreak.services import MatchReplay

console = LazyConsole()


def ratings(
    date: str = typer.Option(..., "--date", help="Ratings as of this date (matches before it)."),
    top: int = typer.Option(20, "--top", min=1, help="How many teams."),
    output: OutputFormat = FormatOption,
    db: Path | None = DbOption,
    data_dir: Path | None = DataDirOption,
) -> None:
    """World Football Elo ratings as of a date."""
    from rich.table import Table

    from heartbreak.dates import parse_day
    from heartbreak.serialize import day as iso_day
    from heartbreak.serialize import ratings_to_records

    with handle_errors():
        day = parse_day(date, "--date")
        frame = open_session(db, data_dir).ratings(day, top=top)
        if output is OutputFormat.json:
            print_json(ratings_to_records(frame))
            return
        table = Table(title=f"World Football Elo ratings before {day:%d %B %Y}")
        table.add_column("#", justify="right")
        table.add_column("Team")
        table.add_column("Rating", justify="right")
        table.add_column("Matches", justify="right")
        table.add_column("Last match")
        for r in frame.itertuples(index=False):
            table.add_row(
                str(r.rank), r.team, f"{r.rating:.0f}", str(r.matches), iso_day(r.last_match) or ""
            )
        console.print(table)


def predict(
    home: str | None = typer.Argument(None, help="Home (or first-named) team."),
    away: str | None = typer.Argument(None, help="Away (or second-named) team."),
    date: str | None = typer.Option(None, "--date", help="Match date, YYYY-MM-DD."),
    neutral: bool = typer.Option(False, "--neutral", help="Played on neutral ground."),
    knockout: bool = typer.Option(False, "--knockout", help="Needs a winner: adds P(advance)."),
    competition: str | None = typer.Option(
        None,
        "--competition",
        help="The competition, e.g. 'World Cup' (default a friendly): a tournament's host "
        "plays with its host edge.",
    ),
    batch: Path | None = typer.Option(
        None,
        "--batch",
        help="CSV with columns home, away, date, neutral[, knockout]: one JSON line each.",
    ),
    output: OutputFormat = FormatOption,
    db: Path | None = DbOption,
    data_dir: Path | None = DataDirOption,
) -> None:
    """Pre-match probabilities: win, draw, loss and (knockouts) the chance to go through."""
    from heartbreak.dates import parse_day

    with handle_errors():
        session = open_session(db, data_dir)
        if batch is not None:
            if home or away:
                raise InvalidInput("--batch: give either a CSV file or HOME AWAY, not both")
            print_json_lines(p.to_dict() for p in session.predict_file(batch))
            return
        if not home or not away:
            raise InvalidInput("HOME AWAY: two teams are required (or --batch FILE.csv)")
        if date is None:
            raise InvalidInput("--date: a date is required (YYYY-MM-DD)")
        day = parse_day(date, "--date")
        result = session.predict(
            home, away, day, neutral=neutral, knockout=knockout, competition=competition
        )
        if output is OutputFormat.json:
            print_json(result.to_dict())
            return
        from rich.table import Table

        venue = "neutral ground" if neutral else f"{result.home} at home"
        table = Table(title=f"{result.home} v {result.away}, {result.date:%d %B %Y} ({venue})")
        table.add_column("")
        table.add_column(result.home, justify="right")
        table.add_column("Draw", justify="right")
        table.add_column(result.away, justify="right")
        table.add_row("Elo", f"{result.elo_home:.0f}", "", f"{result.elo_away:.0f}")
        table.add_row(
            "Expected goals",
            f"{result.expected_goals_home:.2f}",
            "",
            f"{result.expected_goals_away:.2f}",
        )
        table.add_row(
            "Win / draw / win",
            f"{result.p_home_win:.1%}",
            f"{result.p_draw:.1%}",
            f"{result.p_away_win:.1%}",
        )
        if knockout:
            table.add_row(
                "Goes through",
                f"{result.p_home_advance:.1%}",
                "",
                f"{1 - result.p_home_advance:.1%}",
            )
        console.print(table)


def story(
    home: str | None = typer.Argument(None, help="One team."),
    away: str | None = typer.Argument(None, help="The other team."),
    date: str | None = typer.Option(None, "--date", help="Match date, YYYY-MM-DD."),
    side: str | None = typer.Option(None, "--side", help="Tell it as this team's fans lived it."),
    file: Path | None = typer.Option(
        None,
        "--file",
        help="Replay a match from a JSON or CSV file (see the README for the schema).",
    ),
    match_id: int | None = typer.Option(
        None, "--id", help="Replay the stored match with this id (two matches on one day)."
    ),
    chart: Path | None = typer.Option(
        None, "--chart", help="Also draw the chart to FILE.png or FILE.svg."
    ),
    output: OutputFormat = FormatOption,
    db: Path | None = DbOption,
    data_dir: Path | None = DataDirOption,
) -> None:
    """Replay a match: probabilities minute by minute, fans' emotions, drama and the story."""
    from heartbreak.dates import parse_day

    with handle_errors():
        if chart is not None and chart.suffix.lower() not in (".png", ".svg"):
            raise InvalidInput(f"--chart: {chart} must end in .png or .svg", field="chart")
        session = open_session(db, data_dir)
        if match_id is not None:
            if home or away or file is not None:
                raise InvalidInput("--id: give either a match id, a --file or HOME AWAY --date")
            result = session.replay_id(match_id, side=side)
        elif file is not None:
            if home or away:
                raise InvalidInput("--file: give either a match file or HOME AWAY --date, not both")
            from heartbreak.data.userfile import load_match_file

            user = load_match_file(file, context=session.team_context())
            result = session.replay_user_match(user, side=side)
        else:
            if not home or not away:
                raise InvalidInput("HOME AWAY: two teams are required (or --file)")
            if date is None:
                raise InvalidInput("--date: a date is required (YYYY-MM-DD)")
            result = session.replay(home, away, parse_day(date, "--date"), side=side)
        if side is not None:  # as the replay resolved it (a code or an alias names a team)
            side = result.info.team(result.story_side)
        if chart is not None:
            result.save_chart(chart, side=side)
        if output is OutputFormat.json:
            print_json(result.to_dict())
        else:
            print_story(result, side)
        if chart is not None:
            from rich.console import Console

            Console(stderr=True).print(f"chart written to {chart}")


_BLOCKS = "▁▂▃▄▅▆▇█"


def sparkline(values) -> str:
    return "".join(_BLOCKS[min(int(v * len(_BLOCKS)), len(_BLOCKS) - 1)] for v in values)


def print_story(result: MatchReplay, side_name: str | None) -> None:
    """A terminal view: score, a compact curve, the emotions and the story."""
    from rich.text import Text

    from heartbreak.drama.emotions import emotion_runs
    from heartbreak.serialize import point_label, shootout_line

    info, match, path = result.info, result.match, result.path
    side = result.side(side_name) or result.story_side
    team = info.team(side)
    extra = ""
    if match.shootout_winner is not None:
        extra = f" ({info.team(match.shootout_winner)} won on penalties)"
    elif result.to_dict()["match"]["extra_time"]:
        extra = " (after extra time)"
    stage = f", {info.stage}" if info.stage else ""
    console.rule(f"[bold]{info.home} {match.home_score}–{match.away_score} {info.away}[/]{extra}")
    console.print(f"{info.competition}{stage} · {info.date:%d %B %Y}", justify="center")
    chance = path.home_chance() if side.value == "home" else path.away_chance()
    what = "go through" if path.knockout else "win"
    minute_points = [
        i for i in range(len(path)) if path.kind[i] in ("minute", "kick_off", "final_whistle")
    ]
    console.print()
    console.print(f"{team}'s chance to {what}, minute by minute:")
    console.print(Text(sparkline(chance[minute_points]), style="bold cyan"))
    goals = [
        f"{point_label(path, i)} {info.team(path.events[path.event_index[i]].side)}"
        for i in range(len(path))
        if path.kind[i] == "after_event" and path.events[path.event_index[i]].type.value == "goal"
    ]
    if goals:
        console.print("Goals: " + ", ".join(goals))
    kicks = shootout_line(path)
    if kicks:
        console.print("Shootout: " + kicks)
    console.print()
    arc = emotion_runs(result.emotions[side])
    console.print(
        f"{team} fans: " + " → ".join(f"{emotion} ({point_label(path, i)})" for i, emotion in arc)
    )
    console.print()
    console.print(result.story.text)
