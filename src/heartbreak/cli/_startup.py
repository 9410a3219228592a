"""Writing a help page fast: typer's rich help formatter (``typer.rich_utils``) imports, at its
top, ``rich.markdown`` (markdown-it, pygments) and ``rich.traceback`` for markdown help texts
and pretty tracebacks, which this command line uses neither of (its markup mode is "rich",
pretty exceptions are off): about 0.1 s, a third of ``heartbreak --help``.

:func:`prepare` imports the formatter with stand-ins for those two classes when the arguments
end on a help page; a stand-in imports the real class when it is used, so the pages are the
same (tests/unit/test_cli_imports.py compares them). Otherwise typer imports the formatter as
usual, when and if it needs it.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import typer

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


def prepare(args: list[str], app: typer.Typer) -> None:
    """Import the help formatter with the stand-ins when ``args`` end on a help page."""
    if shows_help(args, app):
        import_formatter()
