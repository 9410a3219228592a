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

app.add_typer(data_app, name="data")
