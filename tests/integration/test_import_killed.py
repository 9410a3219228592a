"""An import killed at any step (SIGKILL, for real: ``HEARTBREAK_CRASH_AT`` makes the process kill
itself there) leaves a store and a user-matches file that agree: before the commit (the store's
rename) both are byte-identical to what they were; after it, the next command finishes the
import. Either way ``story --id`` and a second import tell the same story. A store that
disagrees with its file for another reason (an older version's interrupted import, a hand edit)
is rebuilt from the file by the next command."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from heartbreak.build import build_store
from heartbreak.cli import app
from heartbreak.data.integrity import user_file_digest
from heartbreak.data.store import Store
from heartbreak.data.usermatches import USER_MATCH_ID_BASE, read_user_matches, user_matches_path

runner = CliRunner()
FIRST, SECOND = USER_MATCH_ID_BASE, USER_MATCH_ID_BASE + 1

FRIENDLY = {
    "home": "Belgium",
    "away": "Japan",
    "date": "2019-06-01",
    "competition": "Friendly",
    "events": [{"type": "goal", "minute": 12, "team": "Japan"}],
}
SECOND_MATCH = {
    "home": "Russia",
    "away": "Belgium",
    "date": "2020-09-01",
    "competition": "Friendly",
    "events": [
        {"type": "goal", "minute": 30, "team": "Russia"},
        {"type": "goal", "minute": 88, "team": "Belgium"},
    ],
}
#: The steps of an import, in order; the store's rename is the commit.
BEFORE_COMMIT = ["import:locked", "import:list-written", "import:store-built"]
AFTER_COMMIT = ["import:store-renamed", "import:list-renamed"]


def digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


class Setup:
    def __init__(self, tiny_data, tmp_path: Path) -> None:
        self.data = tiny_data.root
        self.db = tmp_path / "store" / "heartbreak.duckdb"
        self.user_file = user_matches_path(self.db)
        self.first = tmp_path / "first.json"
        self.first.write_text(json.dumps(FRIENDLY), encoding="utf-8")
        self.second = tmp_path / "second.json"
        self.second.write_text(json.dumps(SECOND_MATCH), encoding="utf-8")

    def options(self) -> list[str]:
        return ["--db", str(self.db), "--data-dir", str(self.data)]

    def invoke(self, *args: str):
        return runner.invoke(app, [*args, *self.options()])

    def state(self) -> tuple[str | None, str | None]:
        return digest(self.db), digest(self.user_file)

    def import_killed_at(self, step: str) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "heartbreak", "import", str(self.second), *self.options()],
            env={**os.environ, "HEARTBREAK_CRASH_AT": step, "COLUMNS": "80"},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == -signal.SIGKILL, (done.returncode, done.stderr)

    def assert_consistent(self) -> int:
        """The store holds exactly the user file's matches; returns how many."""
        users = read_user_matches(self.user_file)
        with Store(self.db) as store:
            ids = store.query("SELECT match_id FROM matches WHERE source = 'user' ORDER BY 1")
            meta = store.meta()
        assert ids["match_id"].tolist() == [USER_MATCH_ID_BASE + i for i in range(len(users))]
        assert meta["user_matches_sha256"] == user_file_digest(self.user_file)
        return len(users)


@pytest.fixture
def setup(tiny_data, tmp_path) -> Setup:
    s = Setup(tiny_data, tmp_path)
    build_store(s.data, s.db, allow_modified=True)
    done = s.invoke("import", str(s.first))
    assert done.exit_code == 0, done.stderr
    return s


def story(setup: Setup, match_id: int):
    return setup.invoke("story", "--id", str(match_id), "--format", "json")


@pytest.mark.parametrize("step", BEFORE_COMMIT)
def test_killed_before_the_commit_changes_nothing(setup, step):
    before = setup.state()
    setup.import_killed_at(step)
    assert setup.state() == before
    # The next command sees the previous state, consistently.
    missing = story(setup, SECOND)
    assert missing.exit_code == 2
    assert missing.stderr.strip() == f"error: no match with id {SECOND}"
    assert setup.state() == before
    assert setup.assert_consistent() == 1
    # Importing again imports it.
    again = setup.invoke("import", str(setup.second))
    assert again.exit_code == 0, again.stderr
    assert f"as match {SECOND}" in again.stdout
    assert setup.assert_consistent() == 2
    assert story(setup, SECOND).exit_code == 0
    leftovers = {setup.db.name, setup.user_file.name, setup.user_file.name + ".lock"}
    assert sorted(p.name for p in setup.db.parent.iterdir() if p.name not in leftovers) == []


@pytest.mark.parametrize("step", AFTER_COMMIT)
def test_killed_after_the_commit_is_finished_by_the_next_command(setup, step):
    setup.import_killed_at(step)
    # The next command, whatever it is, finishes the import: the match is there, once.
    shown = story(setup, SECOND)
    assert shown.exit_code == 0, shown.stderr
    assert json.loads(shown.stdout)["match"]["score"] == {"home": 1, "away": 1}
    assert setup.assert_consistent() == 2
    before = setup.state()
    again = setup.invoke("import", str(setup.second))
    assert again.exit_code == 0, again.stderr
    assert f"already imported: Russia 1-1 Belgium (2020-09-01) is match {SECOND}" in again.stdout
    assert setup.state() == before
    leftovers = {setup.db.name, setup.user_file.name, setup.user_file.name + ".lock"}
    assert sorted(p.name for p in setup.db.parent.iterdir() if p.name not in leftovers) == []


def test_killed_between_the_renames_then_an_import_finishes_it(setup):
    setup.import_killed_at("import:store-renamed")
    # The user file lags behind the store until the next command.
    assert len(read_user_matches(setup.user_file)) == 1
    again = setup.invoke("import", str(setup.second))
    assert again.exit_code == 0, again.stderr
    assert "already imported" in again.stdout
    assert setup.assert_consistent() == 2


def test_killed_between_the_renames_then_a_rebuild_keeps_the_match(setup):
    setup.import_killed_at("import:store-renamed")
    built = setup.invoke("data", "build", "--allow-modified")
    assert built.exit_code == 0, built.stderr
    assert setup.assert_consistent() == 2


def test_a_store_behind_its_user_file_is_rebuilt_by_the_next_command(setup):
    """What an older version's import left when killed between its renames (the list first,
    then the store): the match in the file but not in the store."""
    users = read_user_matches(setup.user_file)
    second = json.loads(setup.second.read_text(encoding="utf-8"))
    data = [u.model_dump(mode="json") for u in users] + [second]
    setup.user_file.write_text(json.dumps(data, indent=1), encoding="utf-8")
    shown = story(setup, SECOND)
    assert shown.exit_code == 0, shown.stderr
    assert setup.assert_consistent() == 2
    again = setup.invoke("import", str(setup.second))
    assert "already imported" in again.stdout
    assert setup.assert_consistent() == 2


def test_an_unchanged_but_reformatted_user_file_needs_no_rebuild(setup):
    data = json.loads(setup.user_file.read_text(encoding="utf-8"))
    setup.user_file.write_text(json.dumps(data), encoding="utf-8")
    before = digest(setup.db)
    assert story(setup, FIRST).exit_code == 0
    assert digest(setup.db) == before


@pytest.mark.parametrize("hard_links", [True, False])
def test_a_failing_list_rename_puts_the_previous_store_back(setup, monkeypatch, hard_links):
    before = setup.state()
    real_replace = os.replace

    def replace(src, dst):
        if Path(dst) == setup.user_file:
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    def no_link(src, dst):
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr("heartbreak.exchange.os.replace", replace)
    if not hard_links:
        monkeypatch.setattr("heartbreak.exchange.os.link", no_link)
    done = setup.invoke("import", str(setup.second))
    assert done.exit_code == 2
    assert done.stderr.strip() == (
        f"error: cannot write beside the store at {setup.db} (No space left on device); "
        "nothing was imported"
    )
    assert setup.state() == before
    leftovers = {setup.db.name, setup.user_file.name, setup.user_file.name + ".lock"}
    assert sorted(p.name for p in setup.db.parent.iterdir() if p.name not in leftovers) == []
