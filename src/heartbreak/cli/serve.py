"""``heartbreak serve``: the web pages and the HTTP API (:mod:`heartbreak.api`) on a port."""

from __future__ import annotations

from pathlib import Path

import typer

from heartbreak.cli._common import handle_errors, make_progress
from heartbreak.cli.analysis import DataDirOption, DbOption


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    db: Path | None = DbOption,
    data_dir: Path | None = DataDirOption,
) -> None:
    """Serve the web pages and the HTTP JSON API (OpenAPI docs at /docs) until interrupted."""
    import uvicorn

    from heartbreak.api import create_app
    from heartbreak.services import Heartbreak

    with handle_errors():
        session = Heartbreak(db=db, data_dir=data_dir, progress=make_progress())
        app = create_app(session=session)
    typer.echo(f"Heartbreak API on http://{host}:{port}/api (docs at /docs)", err=True)
    uvicorn.run(app, host=host, port=port, log_level="info")
