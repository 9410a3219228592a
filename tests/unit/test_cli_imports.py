"""The command line imports what a command needs when it runs: importing it, building every
command's options and writing ``heartbreak --help`` imports none of the heavy libraries (nor
does any other help page, but for pydantic: typer imports it to read any parameter of a
subcommand), and ``heartbreak --help`` lists every command."""

from __future__ import annotations

import json
import subprocess
import sys

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
