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


def _get(client, url: str) -> dict[str, Any]:
    import httpx

    try:
        response = client.get(url)
    except httpx.HTTPError as exc:
        raise ServerError(f"--url: cannot reach {url} ({exc})") from None
    if response.status_code >= 400:
        raise ServerError(f"{url}: {response.status_code} {response.text[:200]}")
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
    simultaneous: bool = typer.Option(
        False,
        "--simultaneous",
        help="Also replay the group's matches played at the same time (a final group round),"
        " their events interleaved by the clock.",
    ),
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
    this machine without one). A group match of a modelled tournament is created in its group,
    so its stakes follow the group's other live matches; with --simultaneous those played at
    the same time are replayed with it."""
    import httpx

    from heartbreak.live.state import elapsed_minutes, feed_of

    with handle_errors():
        session = open_session(db, data_dir)
        match_id = session.find_match(home, away, date)
        ids = [match_id]
        if simultaneous:
            ids += sorted(session.simultaneous_fixtures(match_id))
            if len(ids) == 1:
                raise HeartbreakError(
                    "--simultaneous: no match of its group was played at the same time"
                )
        base = url.rstrip("/")
        headers = {"Authorization": f"Bearer {token.strip()}"} if token else {}
        with httpx.Client(timeout=30.0, headers=headers) as client:
            feeds, names = [], {}
            for order, mid in enumerate(ids):
                match = session.store.match(mid)
                info = match.info
                created = _post(client, f"{base}/api/live", _live_definition(session, mid))
                live_id = created["live"]["id"]
                names[live_id] = (info, created)
                typer.echo(
                    f"live match {live_id}: {info.home} v {info.away}, {info.date}", err=True
                )
                for k, message in enumerate(feed_of(match, _bookings(session, mid))):
                    feeds.append((elapsed_minutes(message), order, k, live_id, message))
            feeds.sort(key=lambda f: f[:3])
            clock = 0.0
            for at, _, _, live_id, message in feeds:
                if speed > 0 and at > clock:
                    time.sleep((at - clock) * 60.0 / speed)
                clock = max(clock, at)
                state = _post(client, f"{base}/api/live/{live_id}/events", message)
                info = names[live_id][0]
                names[live_id] = (info, state)
                score = state["match"]["score"]
                label = state["live"]["clock"]["label"]
                typer.echo(
                    f"{label:>7} {message['type']:<11} {info.home} {score['home']}-"
                    f"{score['away']} {info.away}"
                )
            # A match's last state may have moved since its last message: with the other
            # matches of its group.
            for live_id in names:
                if len(names) > 1:
                    names[live_id] = (names[live_id][0], _get(client, f"{base}/api/live/{live_id}"))
        for live_id, (_, state) in names.items():
            typer.echo(_summary(live_id, state))


def _live_definition(session, match_id: int) -> dict[str, Any]:
    """The body that creates a stored match's live match, in its tournament group when it
    has group stakes."""
    from heartbreak.live.state import definition_of
    from heartbreak.tournaments.stakes import locate

    match = session.store.match(match_id)
    row = session.store.match_row(match_id)
    edition = session.edition_of_match(match_id)
    found = None if edition is None else locate(edition, match_id)
    group = None if found is None else (edition.competition, edition.year, found[1].name)
    return definition_of(match, row["elo_home"], row["elo_away"], group)


def _bookings(session, match_id: int):
    """A stored match's cards, as a feed sends them."""
    from heartbreak.tournaments.stakes import bookings_of

    return bookings_of(
        session.store.query("SELECT * FROM cards WHERE match_id = ? ORDER BY seq", [match_id])
    )


def _summary(live_id: str, state: dict[str, Any]) -> str:
    """The last line about a live match replayed: whether it finished, its last chances (and
    each side's chance of going through, for a group match)."""
    last = state["timeline"][-1] if state["timeline"] else state["prematch"]
    line = (
        f"{live_id} finished={state['live']['finished']} "
        f"p_home_win={last['p_home_win']:.3f} p_draw={last['p_draw']:.3f} "
        f"p_away_win={last['p_away_win']:.3f}"
    )
    if last.get("p_home_qualify") is not None:
        line += f" p_home_qualify={last['p_home_qualify']:.3f}"
        line += f" p_away_qualify={last['p_away_qualify']:.3f}"
    return line
