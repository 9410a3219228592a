"""What makes the console script start and end fast that the command modules cannot do
themselves: the help formatter's imports, and the garbage collector of a quick command.

Help: typer's rich help formatter (``typer.rich_utils``) imports, at its top, ``rich.markdown``
(markdown-it, pygments) and ``rich.traceback`` for markdown help texts and pretty tracebacks,
which this command line uses neither of (its markup mode is "rich", pretty exceptions are off):
about 0.1 s, a third of ``heartbreak --help``. When the arguments end on a help page the
formatter is imported with stand-ins for those two classes; a stand-in imports the real class
when it is used, so the pages are the same (tests/unit/test_cli_imports.py compares them).
Otherwise typer imports the formatter as usual, when and if it needs it.

Garbage collector: a quick command (:data:`QUICK`: it reads the store and prints) allocates
mostly objects that live to its end, the modules of numpy, pandas, scipy and DuckDB first:
collecting the youngest generation every 10,000 allocations rather than 700, and not
collecting all of them once more at exit (:func:`gc.freeze` when the command is done), saves
a few tenths of a second of ``heartbreak predict``. Nothing but the collector's timing
changes (the peak memory of a first run that builds the store is the same).
"""

from __future__ import annotations

import gc
import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import typer

#: The commands that read the store and print, and end soon: their runs tune the collector.
QUICK = frozenset({"predict", "ratings"})

#: The collector's thresholds for a quick command (Python's default: 700, 10, 10).
QUICK_THRESHOLDS = (10_000, 10, 10)

#: What typer's formatter takes from each module that only markdown help or tracebacks need.
DEFERRED = {"rich.markdown": "Markdown", "rich.traceback": "Traceback"}


class _Deferred(type):
    """A stand-in class: calling it or reading one of its attributes imports the real one."""

    _module: str

    def real(cls) -> Any:
        return getattr(importlib.import_module(cls._module), cls.__name__)

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        return cls.real()(*args, **kwargs)

    def __getattr__(cls, name: str) -> Any:
        return getattr(cls.real(), name)


def shows_help(args: list[str], app: typer.Typer) -> bool:
    """Whether ``args`` end on a help page: ``--help``, or a group named without a command."""
    if "--help" in args:
        return True
    for arg in args:
        groups = {group.name: group.typer_instance for group in app.registered_groups}
        if arg not in groups:
            return False
        app = groups[arg]
    return True


def import_formatter() -> None:
    """Import ``typer.rich_utils`` with stand-ins for :data:`DEFERRED`, unless it or they are
    imported already; the stand-ins leave ``sys.modules`` once it is imported."""
    if "typer.rich_utils" in sys.modules:
        return
    stand_ins = {}
    for module, name in DEFERRED.items():
        if module not in sys.modules:
            stand_in = types.ModuleType(module)
            setattr(stand_in, name, _Deferred(name, (), {"_module": module}))
            stand_ins[module] = stand_in
    sys.modules.update(stand_ins)
    try:
        import typer.rich_utils  # noqa: F401
    except ImportError:
        pass  # a typer that takes more from them: imported as usual when needed
    finally:
        for module, stand_in in stand_ins.items():
            if sys.modules.get(module) is stand_in:
                del sys.modules[module]


def prepare(args: list[str], app: typer.Typer) -> bool:
    """Before a run: import the help formatter with the stand-ins when ``args`` end on a help
    page; tune the collector for a quick command. Whether the run is quick (then call
    :func:`finish` when it is done)."""
    if shows_help(args, app):
        import_formatter()
        return False
    quick = bool(args) and args[0] in QUICK
    if quick:
        gc.set_threshold(*QUICK_THRESHOLDS)
    return quick


def finish() -> None:
    """After a quick run: what is left lives to the exit, which need not collect it again."""
    gc.freeze()
