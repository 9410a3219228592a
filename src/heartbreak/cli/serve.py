"""``heartbreak serve``: the web pages and the HTTP API (:mod:`heartbreak.api`) on a port.

Its limits are read from the environment (:mod:`heartbreak.api.limits`); bound to a loopback
address, it takes live writes without a token from this machine until a token is made
(:mod:`heartbreak.api.auth`).

With ``--fanout nchan`` it is the owner of the live matches in the deployment of ``deploy/``:
nginx in front holds the live streams and this process publishes each frame to nchan once
(:mod:`heartbreak.live.fanout`). It waits for the live log before it listens, so a second one
started beside it is a standby that takes over the moment the first dies; live writes always
need a token.
"""

from __future__ import annotations

from pathlib import Path

import typer

from heartbreak.cli._common import handle_errors
from heartbreak.cli.options import DataDirOption, DbOption, open_session
from heartbreak.errors import InvalidInput


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    db: Path | None = DbOption,
    data_dir: Path | None = DataDirOption,
    fanout: str = typer.Option(
        "none",
        "--fanout",
        help="none: this process streams live matches itself; nchan: nginx does (deploy/).",
    ),
    publish_url: str = typer.Option(
        "http://127.0.0.1:8090/pub",
        "--publish-url",
        help="With --fanout nchan: nchan's publisher location; a frame goes to URL/<live id>.",
    ),
) -> None:
    """Serve the web pages and the HTTP JSON API (OpenAPI docs at /docs) until interrupted.

    Live writes need a token (heartbreak live token create); bound to 127.0.0.1 (the default)
    with no token made yet, this machine may write without one."""
    import uvicorn

    from heartbreak.api import create_app
    from heartbreak.api.auth import is_loopback
    from heartbreak.api.limits import Limits
    from heartbreak.api.server import uvicorn_options

    with handle_errors():
        if fanout not in ("none", "nchan"):
            raise InvalidInput(f"--fanout: {fanout!r} is not none or nchan", field="fanout")
        limits = Limits.from_env()
        session = open_session(db, data_dir)
        publisher = None
        if fanout == "nchan":
            from heartbreak.live.fanout import NchanFanout

            publisher = NchanFanout(publish_url)
        app = create_app(
            session=session,
            limits=limits,
            live_open_loopback=publisher is None and is_loopback(host),
            fanout=publisher,
        )
        if publisher is not None:
            typer.echo(f"live: waiting for the live log {app.state.live.log_path}", err=True)
            app.state.live.hold_log()
        auth = app.state.live_auth
        made = auth.tokens.any()
        opened = auth.open_loopback and not made
    typer.echo(f"Heartbreak API on http://{host}:{port}/api (docs at /docs)", err=True)
    if publisher is not None:
        typer.echo(f"live: owner of the live log; frames published to {publish_url}", err=True)
    if opened:
        typer.echo(
            "live writes: open to this machine until a token is made"
            " (heartbreak live token create)",
            err=True,
        )
    elif not made:
        typer.echo(
            f"live writes: closed until a token is made (heartbreak live token create"
            f" --db {session.store.path})",
            err=True,
        )
    else:
        typer.echo(f"live writes: need a token (tokens in {auth.tokens.path})", err=True)
    uvicorn.run(app, host=host, port=port, log_level="info", **uvicorn_options(limits))
