"""The options and helpers the commands share, defined once.

- :data:`DbOption` (``--db``) and :data:`DataDirOption` (``--data-dir``): where the store and the
  source files are.
- :class:`OutputFormat` and :data:`FormatOption` (``--format text|json``).
- :func:`open_session`: the :class:`~heartbreak.services.Heartbreak` session for those options,
  its store built on first use with a progress bar on stderr.
- :func:`print_json`: a JSON document on standard output; :func:`print_json_lines`: one line
  of JSON for each item.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from heartbreak.cli._common import make_progress

if TYPE_CHECKING:
    from heartbreak.services import Heartbreak


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


DbOption = typer.Option(
    None, "--db", help="DuckDB store (default: $HEARTBREAK_DB or the user data folder)."
)
DataDirOption = typer.Option(
    None, "--data-dir", help="Source folder (default: $HEARTBREAK_DATA_DIR or the fetched copy)."
)
FormatOption = typer.Option(OutputFormat.text, "--format", help="text or json.")


def open_session(
    db: Path | None,
    data_dir: Path | None,
    params=None,
    progress: Callable[..., None] | None = None,
) -> Heartbreak:
    """A session whose store is built on first use with a progress bar on stderr (a fresh one,
    unless ``progress`` gives the callback to use)."""
    from heartbreak.services import Heartbreak

    if progress is None:
        progress = make_progress()
    return Heartbreak(db=db, data_dir=data_dir, progress=progress, params=params)


def print_json(
    data: Any, *, indent: int | None = 2, ensure_ascii: bool = False, allow_nan: bool = True
) -> None:
    """``data`` as JSON on standard output, then a newline (indented unless ``indent=None``)."""
    text = json.dumps(data, ensure_ascii=ensure_ascii, indent=indent, allow_nan=allow_nan)
    sys.stdout.write(text + "\n")


def print_json_lines(items: Iterable[Any], *, chunk: int = 1000) -> None:
    """Each item as one line of JSON on standard output, as ``print_json(item, indent=None)``
    writes it, but with one encoder and one write for every ``chunk`` lines."""
    encode = json.JSONEncoder(ensure_ascii=False, allow_nan=True).encode
    lines: list[str] = []
    for item in items:
        lines.append(encode(item))
        if len(lines) == chunk:
            sys.stdout.write("\n".join(lines) + "\n")
            lines = []
    if lines:
        sys.stdout.write("\n".join(lines) + "\n")
