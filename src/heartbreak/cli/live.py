"""``heartbreak live``: feed a running server's live mode (see :mod:`heartbreak.api.live`)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import typer

from heartbreak.cli._common import handle_errors, make_progress
from heartbreak.cli.analysis import DataDirOption, DbOption
from heartbreak.errors import HeartbreakError

live_app = typer.Typer(
    help="Live matches on a running `heartbreak serve`.",
    no_args_is_help=True,
    add_completion=False,
)


class ServerError(HeartbreakError):
    """The server could not be reached or refused a request."""


def _post(client, url: str, body: Any) -> dict[str, Any]:
    import httpx

    try:
        response = client.post(url, json=body)
    except httpx.HTTPError as exc:
        raise ServerError(f"--url: cannot reach {url} ({exc})") from None
    if response.status_code >= 400:
        try:
            message = response.json()["error"]["message"]
        except (ValueError, KeyError, TypeError):
            message = response.text[:200]
        raise ServerError(f"{url}: {response.status_code} {message}")
    return response.json()


@live_app.command("replay")
def replay(
    home: str = typer.Argument(..., help="Home (or first-named) team."),
    away: str = typer.Argument(..., help="Away (or second-named) team."),
    date: str = typer.Option(..., "--date", help="Match date, YYYY-MM-DD."),
    speed: float = typer.Option(
        60.0, "--speed", min=0, help="Times faster than real time; 0 sends at once."
    ),
    url: str = typer.Option("http://127.0.0.1:8000", "--url", help="The running server."),
    db: Path | None = DbOption,
    data_dir: Path | None = DataDirOption,
) -> None:
    """Replay a stored match on a running server as a live feed, event by event."""
    import httpx

    from heartbreak.live.state import definition_of, elapsed_minutes, feed_of
    from heartbreak.services import Heartbreak

    with handle_errors():
        session = Heartbreak(db=db, data_dir=data_dir, progress=make_progress())
        match_id = session.find_match(home, away, date)
        match = session.store.match(match_id)
        row = session.store.match_row(match_id)
        info = match.info
        definition = definition_of(match, row["elo_home"], row["elo_away"])
        base = url.rstrip("/")
        with httpx.Client(timeout=30.0) as client:
            created = _post(client, f"{base}/api/live", definition)
            live_id = created["live"]["id"]
            typer.echo(f"live match {live_id}: {info.home} v {info.away}, {info.date}", err=True)
            clock = 0.0
            state = created
            for message in feed_of(match):
                at = elapsed_minutes(message)
                if speed > 0 and at > clock:
                    time.sleep((at - clock) * 60.0 / speed)
                clock = max(clock, at)
                state = _post(client, f"{base}/api/live/{live_id}/events", message)
                score = state["match"]["score"]
                label = state["live"]["clock"]["label"]
                typer.echo(
                    f"{label:>7} {message['type']:<10} {info.home} {score['home']}-"
                    f"{score['away']} {info.away}"
                )
        last = state["timeline"][-1] if state["timeline"] else state["prematch"]
        typer.echo(
            f"{live_id} finished={state['live']['finished']} "
            f"p_home_win={last['p_home_win']:.3f} p_draw={last['p_draw']:.3f} "
            f"p_away_win={last['p_away_win']:.3f}"
        )
