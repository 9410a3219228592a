"""Project-wide checks: every command documented, the code lint-clean, CI running the README's
test command."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from heartbreak.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(group, prefix: str = "heartbreak") -> list[str]:
    names = []
    for name, command in group.commands.items():
        full = f"{prefix} {name}"
        if hasattr(command, "commands"):  # a group of subcommands
            names += _commands(command, full)
        else:
            names.append(full)
    return names


COMMANDS = _commands(typer.main.get_command(app))


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_in_the_readme(command):
    assert f"`{command}" in README, f"{command} is not documented in README.md"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_is_in_the_readme(command):
    group = typer.main.get_command(app)
    for word in command.split()[1:]:
        group = group.commands[word]
    section = [line for line in README.splitlines() if f"`{command}" in line]
    for param in group.params:
        for opt in param.opts:
            if opt.startswith("--") and opt not in ("--help", "--db", "--data-dir"):
                assert any(opt in line for line in section), f"{command} {opt} not in README"


def test_ci_runs_the_readme_test_command():
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)\n```", quick_start, flags=re.S)
    assert len(blocks) == 2, "the Quick start holds exactly two commands"
    test_command = blocks[1].strip()
    assert "pytest" in test_command
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_code_is_ruff_clean():
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "src", "tests", "bench"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
