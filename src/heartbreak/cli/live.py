"""``heartbreak live``: feed a running server's live mode (see :mod:`heartbreak.api.live`), and
make, list and revoke the tokens its writes need (:mod:`heartbreak.live.tokens`)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import typer

from heartbreak.cli._common import handle_errors
from heartbreak.cli.options import DataDirOption, DbOption, open_session
from heartbreak.errors import HeartbreakError

live_app = typer.Typer(
    help="Live matches on a running `heartbreak serve`.",
    no_args_is_help=True,
    add_completion=False,
)


token_app = typer.Typer(
    help="The bearer tokens live writes need: create (shown once), list, revoke.",
    no_args_is_help=True,
    add_completion=False,
)
live_app.add_typer(token_app, name="token")

TokenOption = typer.Option(
    None,
    "--token",
    envvar="HEARTBREAK_LIVE_TOKEN",
    help="Bearer token for the server's live writes (default: $HEARTBREAK_LIVE_TOKEN).",
    show_default=False,
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
        if response.status_code == 401 and "--token" not in message:
            message += " (give --token or set HEARTBREAK_LIVE_TOKEN)"
        raise ServerError(f"{url}: {response.status_code} {message}")
    return response.json()


def _token_store(db: Path | None):
    from heartbreak.config import db_path
    from heartbreak.live.log import log_path_for
    from heartbreak.live.tokens import TokenStore, tokens_path_for

    return TokenStore(tokens_path_for(log_path_for(db_path(db))))


TokenDbOption = typer.Option(
    None,
    "--db",
    help="The store the server serves (default: $HEARTBREAK_DB or the user data folder); the"
    " tokens are kept beside its live log.",
)


@token_app.command("create")
def token_create(
    match: str | None = typer.Option(
        None, "--match", help="The one live match id it may write to (default: every one)."
    ),
    label: str = typer.Option("", "--label", help="What it is for (shown by list)."),
    db: Path | None = TokenDbOption,
) -> None:
    """Make a token and print it, once: only its hash is kept. A token for every live match may
    create live matches; one for a single match, send its events and delete it."""
    with handle_errors():
        store = _token_store(db)
        token, info = store.create(label=label, live_id=match)
    typer.echo(token)
    typer.echo(
        f"token {info.id} ({info.scope}) kept as its hash in {store.path}; it is not shown again",
        err=True,
    )


@token_app.command("list")
def token_list(
    revoked: bool = typer.Option(False, "--all", help="Revoked tokens too."),
    output: str = typer.Option("text", "--format", help="text or json."),
    db: Path | None = TokenDbOption,
) -> None:
    """The tokens: id, label, scope, when made and last used (never the token itself)."""
    import json

    with handle_errors():
        if output not in ("text", "json"):
            raise HeartbreakError(f"--format: {output!r} is not text or json")
        tokens = _token_store(db).list(include_revoked=revoked)
    rows = [t.to_dict() for t in tokens]
    if output == "json":
        typer.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        typer.echo("no tokens (heartbreak live token create makes one)")
        return
    header = ["id", "label", "scope", "created", "last used"] + (["revoked"] if revoked else [])
    table = [header]
    for r in rows:
        row = [r["id"], r["label"] or "-", r["scope"], r["created"], r["last_used"] or "never"]
        table.append(row + ([r["revoked"] or "-"] if revoked else []))
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        typer.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


@token_app.command("revoke")
def token_revoke(
    token_id: str = typer.Argument(..., metavar="ID", help="The token's id (from list)."),
    db: Path | None = TokenDbOption,
) -> None:
    """Revoke a token: a server refuses it from its next request on."""
    with handle_errors():
        info = _token_store(db).revoke(token_id)
    typer.echo(f"revoked token {info.id} ({info.scope})")


@live_app.command("replay")
def replay(
    home: str = typer.Argument(..., help="Home (or first-named) team."),
    away: str = typer.Argument(..., help="Away (or second-named) team."),
    date: str = typer.Option(..., "--date", help="Match date, YYYY-MM-DD."),
    speed: float = typer.Option(
        60.0, "--speed", min=0, help="Times faster than real time; 0 sends at once."
    ),
    url: str = typer.Option("http://127.0.0.1:8000", "--url", help="The running server."),
    token: str | None = TokenOption,
    db: Path | None = DbOption,
    data_dir: Path | None = DataDirOption,
) -> None:
    """Replay a stored match on a running server as a live feed, event by event (a token for
    every live match: --token or $HEARTBREAK_LIVE_TOKEN, unless the server takes writes from
    this machine without one)."""
    import httpx

    from heartbreak.live.state import definition_of, elapsed_minutes, feed_of

    with handle_errors():
        session = open_session(db, data_dir)
        match_id = session.find_match(home, away, date)
        match = session.store.match(match_id)
        row = session.store.match_row(match_id)
        info = match.info
        definition = definition_of(match, row["elo_home"], row["elo_away"])
        base = url.rstrip("/")
        headers = {"Authorization": f"Bearer {token.strip()}"} if token else {}
        with httpx.Client(timeout=30.0, headers=headers) as client:
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
