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
    live_log: Path | None = typer.Option(
        None,
        "--live-log",
        help="The live matches' log (default: beside the store, <store>.live.duckdb);"
        " the writers' tokens are kept beside it.",
    ),
) -> None:
    """Serve the web pages and the HTTP JSON API (OpenAPI docs at /docs) until interrupted.

    Live writes need a token (heartbreak live token create); bound to 127.0.0.1 (the default)
    with no token made yet, this machine may write without one."""
    import uvicorn

    from heartbreak.api import create_app
    from heartbreak.api.auth import is_loopback
    from heartbreak.api.limits import Limits
    from heartbreak.api.server import settle_heap, uvicorn_options

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
            live_log=live_log,
        )
        settle_heap(session)  # before waiting for the log: a standby takes over warm
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


deploy_app = typer.Typer(
    help="Configuration of the deployment mode (deploy/README.md).", no_args_is_help=True
)


def _ports(text: str, option: str) -> tuple[int, ...]:
    try:
        ports = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise InvalidInput(f"{option}: {text!r} is not a comma-separated list of ports") from None
    if not ports or any(not 1 <= port <= 65535 for port in ports):
        raise InvalidInput(f"{option}: {text!r}: every port must be 1-65535")
    return ports


@deploy_app.command("nginx")
def nginx(
    listen: str = typer.Option("80", "--listen", help="nginx's listen directive for the site."),
    server_name: str = typer.Option("_", "--server-name", help="The site's server_name."),
    web_ports: str = typer.Option(
        "8001,8002", "--web-ports", help="Loopback ports of the web workers (heartbreak serve)."
    ),
    live_ports: str = typer.Option(
        "8100,8101",
        "--live-ports",
        help="Loopback ports of the live owner and its standby (serve --fanout nchan).",
    ),
    publish_port: int = typer.Option(
        8090, "--publish-port", min=1, max=65535, help="Loopback port of nchan's publisher."
    ),
) -> None:
    """Print the nginx site of the deployment mode, with this environment's limits
    (HEARTBREAK_…): deploy/nginx/heartbreak.conf is its output with the defaults."""
    from heartbreak.api.front import Front, site_config
    from heartbreak.api.limits import Limits

    with handle_errors():
        front = Front(
            listen=listen,
            server_name=server_name,
            web_ports=_ports(web_ports, "--web-ports"),
            live_ports=_ports(live_ports, "--live-ports"),
            publish_port=publish_port,
        )
        typer.echo(site_config(front, Limits.from_env()), nl=False)
