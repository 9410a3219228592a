"""Shared pieces of the command line: error handling and progress bars (the shared options and
opening the session are in :mod:`heartbreak.cli.options`).

- :func:`handle_errors`: a context manager (or decorator) that turns any
  :class:`~heartbreak.errors.HeartbreakError` into one line ``error: <message>`` on stderr and
  the error's exit code (2).
- :func:`make_progress`: a ``progress(description, advance, total)`` callback that draws a rich
  progress bar on stderr, starting on its first call and vanishing when the work is done.
- :class:`LazyConsole`: a module's rich console, made when it is used.

Nothing heavy is imported here at module level: ``heartbreak --help`` imports every command
module, so rich's progress bars (and the core) are imported by the commands that use them.
"""

from __future__ import annotations

import sys
import weakref
from collections.abc import Callable
from contextlib import ContextDecorator
from typing import TYPE_CHECKING, Any, TypeVar

import typer

from heartbreak.errors import HeartbreakError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress

F = TypeVar("F", bound=Callable[..., Any])

_live: weakref.WeakSet[RichProgress] = weakref.WeakSet()


class RichProgress:
    """A progress callback drawing one rich bar on stderr.

    Call it as ``progress(description, advance=0, total=None)``: the bar starts on the first
    call, shows ``description``, moves by ``advance`` and stops once ``total`` is reached (or on
    :meth:`close`, or when used as a context manager, on leaving it).
    """

    def __init__(self, console: Console | None = None, transient: bool = True) -> None:
        self._console = console  # made when first used: a command that draws no bar needs no rich
        self.transient = transient
        self._progress: Progress | None = None
        self._task: Any = None
        self._completed = 0

    @property
    def console(self) -> Console:
        """The console the bar is drawn on (by default a new one on stderr)."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=True)
        return self._console

    def __call__(self, description: str, advance: int = 0, total: int | None = None) -> None:
        if self._progress is None:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("[progress.description]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self.console,
                transient=self.transient,
            )
            self._progress.start()
            self._task = self._progress.add_task(description, total=total)
            self._completed = 0
            _live.add(self)
        self._completed += advance
        self._progress.update(self._task, description=description, advance=advance, total=total)
        if total is not None and self._completed >= total:
            self.close()

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
        _live.discard(self)

    def __enter__(self) -> RichProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def make_progress(console: Console | None = None) -> RichProgress:
    """A fresh progress callback for the core's ``progress=`` parameters."""
    return RichProgress(console)


class LazyConsole:
    """A module's rich ``Console(**options)``, made when used: importing a command module (as
    ``--help`` does for every one) imports no rich. Each use makes a fresh one, which reads the
    output stream and the environment (``COLUMNS``...) as they are then, as a console made at
    import reads them when it prints."""

    def __init__(self, **options: Any) -> None:
        self._options = options

    def __getattr__(self, name: str) -> Any:
        from rich.console import Console

        return getattr(Console(**self._options), name)


class _ErrorHandler(ContextDecorator):
    def __enter__(self) -> _ErrorHandler:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: Any
    ) -> bool:
        if exc is None or not isinstance(exc, HeartbreakError):
            return False
        for progress in list(_live):
            progress.close()
        message = " ".join(str(exc).split("\n"))
        sys.stderr.write(f"error: {message}\n")
        sys.stderr.flush()
        raise typer.Exit(code=exc.exit_code) from None


def handle_errors(func: F | None = None) -> Any:
    """Turn a HeartbreakError into ``error: <message>`` on stderr and exit code 2.

    Use as ``with handle_errors(): ...`` or as a decorator, ``@handle_errors`` or
    ``@handle_errors()``.
    """
    if func is None:
        return _ErrorHandler()
    return _ErrorHandler()(func)
