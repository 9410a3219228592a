"""The command line imports what a command needs when it runs: importing it, building every
command's options and writing ``heartbreak --help`` imports none of the heavy libraries (nor
does any other help page, but for pydantic: typer imports it to read any parameter of a
subcommand), and ``heartbreak --help`` lists every command. The console script writes a help
page without rich's markdown and traceback modules (:mod:`heartbreak.cli._startup`), the same
page as typer's formatter imported as usual, and tunes the collector of a quick command only;
the data layer, a session's progress bar and the store's commands import no HTTP client, and
no rich before a bar is drawn."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys

import pytest

#: What no help page needs: the core's libraries, the web stack, the HTTP client.
HEAVY = (
    "pandas",
    "numpy",
    "scipy",
    "duckdb",
    "matplotlib",
    "pydantic",
    "fastapi",
    "uvicorn",
    "httpx",
    "heartbreak.services",
)

#: Imports the CLI and builds every command, writes ``heartbreak --help``, then the help page
#: of every command and group (the output is thrown away), and prints the command paths and
#: the modules imported after the first help page and after all of them.
PROBE = """
import contextlib, io, json, sys
import typer.main
from heartbreak.cli import app

paths = []

def walk(command, path):
    paths.append(path)
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        walk(sub, [*path, name])

walk(typer.main.get_command(app), [])
imported = []
for path in paths:
    with contextlib.redirect_stdout(io.StringIO()):
        code = app([*path, "--help"], prog_name="heartbreak", standalone_mode=False)
    assert code == 0, (path, code)
    if not imported:
        imported.append(sorted(sys.modules))
imported.append(sorted(sys.modules))
print(json.dumps({"paths": [" ".join(p) for p in paths], "modules": imported}))
"""

COMMANDS = [
    "ratings",
    "predict",
    "story",
    "model",
    "eval",
    "top",
    "team",
    "tournament",
    "data",
    "import",
    "export",
    "serve",
    "live",
]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_help_imports_nothing_heavy():
    done = run("-c", PROBE)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(found["paths"]) > len(COMMANDS)  # the groups' commands were reached too
    root, every = found["modules"]
    assert [m for m in HEAVY if m in root] == []
    assert [m for m in HEAVY if m in every and m != "pydantic"] == []


def test_help_lists_every_command():
    done = run("-m", "heartbreak", "--help")
    assert done.returncode == 0, done.stderr
    listed = [line.split()[1] for line in done.stdout.splitlines() if line.startswith("│ ")]
    assert [c for c in COMMANDS if c not in listed] == []
    for group, commands in {
        "data": ["fetch", "build", "info"],
        "model": ["fit"],
        "live": ["replay", "token"],
    }.items():
        done = run("-m", "heartbreak", group, "--help")
        assert done.returncode == 0, done.stderr
        listed = [line.split()[1] for line in done.stdout.splitlines() if line.startswith("│ ")]
        assert [c for c in commands if c not in listed] == [], group


#: What the console script's help pages do without (typer's formatter imports them for markdown
#: help texts and pretty tracebacks).
DEFERRED = ("rich.markdown", "rich.traceback", "markdown_it", "pygments")

#: Writes every help page through the console script's ``main`` (the root, every group without
#: a command, ``--help`` of every command and group), each page's output and exit code in a
#: JSON list; then the modules imported. With ``usual`` as its argument, typer's formatter is
#: imported as usual first.
PAGES = """
import contextlib, io, json, sys
if sys.argv[1:] == ["usual"]:
    import typer.rich_utils
import typer.main
from heartbreak.cli import app, main

paths = []

def walk(command, path):
    paths.append(path)
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        walk(sub, [*path, name])

walk(typer.main.get_command(app), [])
groups = [p for p in paths if not p or p[-1] in ("data", "model", "live", "token")]
pages = []
for args in [*groups, *([*p, "--help"] for p in paths)]:
    sys.argv = ["heartbreak", *args]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            main()
        except SystemExit as exc:
            code = exc.code
    pages.append([args, code, out.getvalue()])
print(json.dumps({"pages": pages, "modules": sorted(sys.modules)}))
"""


def _pages(*args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", PAGES, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "COLUMNS": "100", "TERMINAL_WIDTH": "100"},
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _imported(*args: str) -> set[str]:
    """The modules ``python -m heartbreak ARGS`` imports (from ``-X importtime``)."""
    done = run("-X", "importtime", "-m", "heartbreak", *args)
    assert done.returncode == 0, done.stderr
    return {
        line.split("|")[-1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "self [us]" not in line
    }


def test_the_console_scripts_help_imports_nothing_heavy_nor_markdown():
    for args in (["--help"], [], ["data"], ["predict", "--help"]):
        modules = _imported(*args)
        assert "typer.rich_utils" in modules, args  # the page was written by typer's formatter
        found = [m for m in modules if m.split(".")[0] in DEFERRED or m in DEFERRED]
        assert found == [], args
        heavy = {m for m in HEAVY if m in modules}
        # Beyond the root page typer imports pydantic to read a subcommand's parameters.
        assert heavy <= (set() if args in (["--help"], []) else {"pydantic"}), args


def test_the_help_pages_are_those_of_typers_formatter():
    lazy, usual = _pages(), _pages("usual")
    assert len(lazy["pages"]) > len(COMMANDS) + 5
    assert all(code == 0 for _, code, _ in lazy["pages"])
    assert [m for m in lazy["modules"] if m in DEFERRED or m.split(".")[0] in DEFERRED] == []
    assert "rich.markdown" in usual["modules"]
    assert lazy["pages"] == usual["pages"]


#: Imports the data layer and one of its names, then its other names and modules and opens a
#: progress bar without drawing it, then the modules of the store's commands: the modules
#: imported after each step.
DATA_PROBE = """
import json, sys
steps = []
import heartbreak.data
from heartbreak.data import SOURCES
steps.append(sorted(sys.modules))
from heartbreak.data import Store, fold, fetch_sources
import heartbreak.data.fetch
from heartbreak.cli._common import make_progress
progress = make_progress()
steps.append(sorted(sys.modules))
import heartbreak.build, heartbreak.services
steps.append(sorted(sys.modules))
print(json.dumps(steps))
"""


def test_the_data_layer_and_the_stores_commands_import_no_http_client():
    done = run("-c", DATA_PROBE)
    assert done.returncode == 0, done.stderr
    names, layer, commands = json.loads(done.stdout.strip().splitlines()[-1])
    assert [m for m in ("httpx", "rich", "pandas", "duckdb") if m in names] == []
    assert [m for m in ("httpx", "rich") if m in layer] == []
    assert "httpx" not in commands


def test_the_data_layers_names_are_all_there():
    import heartbreak.data as data

    assert sorted(data.__all__) == sorted(data._HOMES)
    for name in data.__all__:
        home = importlib.import_module(f"heartbreak.data.{data._HOMES[name]}")
        assert getattr(data, name) is getattr(home, name)
    with pytest.raises(AttributeError):
        data.no_such_name  # noqa: B018


def test_json_lines_are_those_of_print_json(capsys):
    from heartbreak.cli.options import print_json, print_json_lines

    items = [{"team": "Curaçao", "p": float("nan"), "n": i, "x": [1.5, None]} for i in range(7)]
    for item in items:
        print_json(item, indent=None)
    one_by_one = capsys.readouterr().out
    print_json_lines(iter(items), chunk=3)
    assert capsys.readouterr().out == one_by_one
    print_json_lines([])
    assert capsys.readouterr().out == ""


#: What ``_startup.prepare`` does to the collector for some arguments, and ``finish``.
GC_PROBE = """
import gc, json, sys
from heartbreak.cli import _startup, app
default = gc.get_threshold()
out = {}
for args in (["predict", "Brazil", "Japan"], ["ratings"], ["predict", "--help"], ["data", "build"],
             ["story"], []):
    gc.set_threshold(*default)
    quick = _startup.prepare(args, app)
    out[" ".join(args)] = [quick, gc.get_threshold() == _startup.QUICK_THRESHOLDS]
    assert quick or gc.get_threshold() == default
frozen = gc.get_freeze_count()
_startup.finish()
print(json.dumps({"runs": out, "frozen": [frozen, gc.get_freeze_count() > 0]}))
"""


def test_only_a_quick_command_tunes_the_collector():
    done = run("-c", GC_PROBE)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["runs"] == {
        "predict Brazil Japan": [True, True],
        "ratings": [True, True],
        "predict --help": [False, False],
        "data build": [False, False],
        "story": [False, False],
        "": [False, False],
    }
    assert found["frozen"] == [0, True]
