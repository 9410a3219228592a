"""The ``heartbreak`` command line: parse, call the Python API, format.

Every :class:`~heartbreak.errors.HeartbreakError` becomes one line on stderr and exit code 2.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="heartbreak",
    help="The ride a football match gave its fans: probabilities, emotions, drama and story.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

from heartbreak.cli import analysis  # noqa: E402

app.command("ratings")(analysis.ratings)
app.command("predict")(analysis.predict)
app.command("story")(analysis.story)

from heartbreak.cli.data import data_app  # noqa: E402
from heartbreak.cli.history import team, top  # noqa: E402
from heartbreak.cli.model import eval_command, model_app  # noqa: E402

app.add_typer(model_app, name="model")
app.command("eval")(eval_command)
app.command("top")(top)
app.command("team")(team)

from heartbreak.cli.tournament import tournament  # noqa: E402

app.command("tournament")(tournament)

app.add_typer(data_app, name="data")


def main() -> None:
    """The console script: like ``app()``, but a usage error (an unknown option, a value out of
    range) is one line on stderr with exit code 2, as every other user error is."""
    import sys

    from heartbreak.cli import _startup

    quick = _startup.prepare(sys.argv[1:], app)
    try:
        # Outside standalone mode an exit code raised inside a command comes back as the value.
        code = app(standalone_mode=False)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("error: aborted", err=True)
        sys.exit(1)
    except typer.TyperException as exc:
        ctx = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
            typer.echo(ctx.get_help())
            sys.exit(0)
        command = ctx.command_path if ctx is not None else "heartbreak"
        message = " ".join(exc.format_message().split())
        typer.echo(f"error: {message} (see {command} --help)", err=True)
        sys.exit(getattr(exc, "exit_code", 2))
    finally:
        if quick:
            _startup.finish()
    sys.exit(code if isinstance(code, int) else 0)


from heartbreak.cli.exchange import export_command, import_command  # noqa: E402

app.command("import")(import_command)
app.command("export")(export_command)

from heartbreak.cli.serve import deploy_app, serve  # noqa: E402

app.command("serve")(serve)
app.add_typer(deploy_app, name="deploy")

from heartbreak.cli.live import live_app  # noqa: E402

app.add_typer(live_app, name="live")
