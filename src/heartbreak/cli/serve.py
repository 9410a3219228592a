"""``heartbreak serve``: the web pages and the HTTP API (:mod:`heartbreak.api`) on a port.

Its limits are read from the environment (:mod:`heartbreak.api.limits`); bound to a loopback
address, it takes live writes without a token from this machine until a token is made
(:mod:`heartbreak.api.auth`).
"""

from __future__ import annotations

from pathlib import Path

import typer

from heartbreak.cli._common import handle_errors
from heartbreak.cli.options import DataDirOption, DbOption, open_session


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    db: Path | None = DbOption,
    data_dir: Path | None = DataDirOption,
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
        limits = Limits.from_env()
        session = open_session(db, data_dir)
        app = create_app(session=session, limits=limits, live_open_loopback=is_loopback(host))
        auth = app.state.live_auth
        made = auth.tokens.any()
        opened = auth.open_loopback and not made
    typer.echo(f"Heartbreak API on http://{host}:{port}/api (docs at /docs)", err=True)
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
