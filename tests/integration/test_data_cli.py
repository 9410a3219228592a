"""``heartbreak data fetch`` and ``build`` from the outside: exit codes and messages."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from heartbreak.cli import app

runner = CliRunner()


def error_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def test_build_on_tiny_data(tiny_data, tmp_path):
    db = tmp_path / "heartbreak.duckdb"
    result = runner.invoke(
        app,
        [
            "data",
            "build",
            "--db",
            str(db),
            "--data-dir",
            str(tiny_data.root),
            "--allow-modified",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "matches" in result.stdout
    assert "Saare County" in result.stdout
    assert "Fjelstul" in result.stdout
    assert db.is_file()
    info = runner.invoke(app, ["data", "info", "--db", str(db)])
    assert info.exit_code == 0
    assert "international/results.csv" in info.stdout


def test_bad_row_exits_2_with_one_line_and_keeps_the_store(tiny_data, tmp_path):
    db = tmp_path / "heartbreak.duckdb"
    data = ["--data-dir", str(tiny_data.root), "--allow-modified"]
    args = ["data", "build", "--db", str(db), *data]
    assert runner.invoke(app, args).exit_code == 0
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    line = tiny_data.replace(
        "international/goalscorers.csv", "Youri Tielemans,14,", "Youri Tielemans,140,"
    )
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    message = error_line(result)
    assert message.startswith(f"error: international/goalscorers.csv:{line}: minute 140")
    assert "--skip-bad-rows" in message
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    skipped = runner.invoke(app, [*args, "--skip-bad-rows"])
    assert skipped.exit_code == 0
    assert "skipped 1 bad source rows" in skipped.stdout


def test_missing_data_exits_2_with_the_hint(tmp_path):
    result = runner.invoke(
        app, ["data", "build", "--db", str(tmp_path / "x.duckdb"), "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 2
    message = error_line(result)
    assert "heartbreak data fetch --from DIR" in message
    assert "HEARTBREAK_DATA_DIR" in message


def test_offline_fetch_exits_2_with_the_hint(tmp_path, monkeypatch):
    monkeypatch.setenv("HEARTBREAK_SOURCE_URL", "http://127.0.0.1:9")
    result = runner.invoke(app, ["data", "fetch", "--dest", str(tmp_path / "sources")])
    assert result.exit_code == 2
    message = error_line(result)
    assert "could not download international/" in message
    assert "heartbreak data fetch --from DIR" in message
    assert "HEARTBREAK_DATA_DIR" in message


def test_fetch_from_a_corrupted_folder_exits_2(real_data_dir, tmp_path):
    origin = tmp_path / "origin"
    for sub in ("international", "worldcup"):
        (origin / sub).mkdir(parents=True)
        for path in (real_data_dir / sub).iterdir():
            (origin / sub / path.name).write_bytes(path.read_bytes())
    target = origin / "worldcup" / "goals.csv"
    target.write_bytes(target.read_bytes().replace(b"Chadli", b"Chadly"))
    result = runner.invoke(
        app, ["data", "fetch", "--from", str(origin), "--dest", str(tmp_path / "dest")]
    )
    assert result.exit_code == 2
    assert "worldcup/goals.csv" in error_line(result)
    assert not (tmp_path / "dest" / "worldcup" / "goals.csv").exists()


def test_fetch_from_the_reference_copy(real_data_dir, tmp_path):
    dest = tmp_path / "sources"
    result = runner.invoke(
        app, ["data", "fetch", "--from", str(real_data_dir), "--dest", str(dest)]
    )
    assert result.exit_code == 0, result.output
    assert "20 source files verified" in result.stdout
    assert len(list(dest.rglob("*.csv"))) == 20


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX entry point")
def test_entry_point_error_is_one_line_on_stderr(tmp_path):
    env = {**os.environ, "HEARTBREAK_SOURCE_URL": "http://127.0.0.1:9"}
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from heartbreak.cli import app; app()",
            "data",
            "fetch",
            "--dest",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: could not download")
