"""Every build verifies every source file's SHA-256, wherever the folder came from
(``HEARTBREAK_DATA_DIR``, ``--data-dir``, the user data folder): a file that differs stops it
with one line naming the file (exit code 2) and changes nothing; ``--allow-modified`` builds
anyway, and the store records which files differed, with their hashes, for ``data info`` and
``/api/health``. An import or a rebuild keeps exactly the modifications the store accepted.

The tiny data set's files are not the pinned ones, so its stores are built with
``allow_modified``; the real reference data verify as they are."""

from __future__ import annotations

import hashlib
import json
import shutil
import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

from heartbreak.build import build_store, ensure_store
from heartbreak.cli import app
from heartbreak.data.integrity import verify_sources
from heartbreak.data.sources import NEEDED_SOURCES, SOURCES_BY_PATH, Source
from heartbreak.data.store import Store
from heartbreak.data.usermatches import user_matches_path
from heartbreak.errors import ChecksumMismatch

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

runner = CliRunner()
RESULTS = "international/results.csv"


def digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def error_line(result) -> str:
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    return lines[0]


def actual_hashes(root: Path) -> dict[str, str]:
    return {s.path: digest(root / s.path) for s in NEEDED_SOURCES}


# --------------------------------------------------------------------------- the check


def test_only_the_pinned_bytes_pass(tmp_path):
    data = {"international/a.csv": b"x\n1\n", "worldcup/b.csv": b"y\n2\n"}
    sources = []
    for rel, body in data.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(body)
        sources.append(Source(rel, "", hashlib.sha256(body).hexdigest(), "CC0-1.0", True))
    assert verify_sources(tmp_path, sources) == {}
    (tmp_path / "worldcup/b.csv").write_bytes(b"y\n3\n")
    changed = hashlib.sha256(b"y\n3\n").hexdigest()
    with pytest.raises(ChecksumMismatch) as caught:
        verify_sources(tmp_path, sources)
    message = caught.value.message
    assert message.startswith(f"worldcup/b.csv in {tmp_path}: SHA-256 {changed} is not the pinned")
    assert "--allow-modified" in message and "\n" not in message
    assert verify_sources(tmp_path, sources, allow_modified=True) == {"worldcup/b.csv": changed}
    # Accepted: exactly the bytes a previous --allow-modified build took, no others.
    accepted = {"worldcup/b.csv": changed}
    assert verify_sources(tmp_path, sources, accepted=accepted) == accepted
    (tmp_path / "worldcup/b.csv").write_bytes(b"y\n4\n")
    with pytest.raises(ChecksumMismatch):
        verify_sources(tmp_path, sources, accepted=accepted)


def test_the_real_data_verify_cleanly(real_data_dir, real_store):
    assert verify_sources(real_data_dir) == {}
    assert real_store.meta()["modified"] == {}
    info = runner.invoke(app, ["data", "info", "--db", str(real_store.path)])
    assert info.exit_code == 0
    assert "every source file has its pinned SHA-256" in info.stdout


def test_a_changed_score_in_the_real_data_stops_the_build(real_data_dir, tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(real_data_dir, copy)
    results = copy / RESULTS
    results.chmod(0o644)
    text = results.read_text(encoding="utf-8")
    assert "2018-07-02,Belgium,Japan,3,2," in text
    results.write_text(
        text.replace("2018-07-02,Belgium,Japan,3,2,", "2018-07-02,Belgium,Japan,2,2,")
    )
    db = tmp_path / "heartbreak.duckdb"
    line = error_line(
        runner.invoke(app, ["data", "build", "--db", str(db), "--data-dir", str(copy)])
    )
    assert line.startswith(
        f"error: {RESULTS} in {copy}: SHA-256 {digest(results)} is not the pinned"
    )
    assert "heartbreak data build --allow-modified" in line
    assert not db.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


# --------------------------------------------------------------------------- wherever read from


@pytest.fixture
def modified(tiny_data, tmp_path):
    """A tiny store built with --allow-modified, and the tiny folder then edited again."""
    db = tmp_path / "store" / "heartbreak.duckdb"
    build_store(tiny_data.root, db, allow_modified=True)
    before = digest(db)
    tiny_data.replace(RESULTS, "Rostov-on-Don", "Rostov")
    return db, before


def test_data_dir_option(modified, tiny_data):
    db, before = modified
    args = ["data", "build", "--db", str(db), "--data-dir", str(tiny_data.root)]
    # data build accepts nothing unasked: the first of the tiny files is named.
    line = error_line(runner.invoke(app, args))
    assert f"former_names.csv in {tiny_data.root}: SHA-256" in line
    assert "(and 8 more files differ)" in line
    assert digest(db) == before


def test_heartbreak_data_dir(modified, tiny_data, monkeypatch):
    db, _ = modified
    db.unlink()
    monkeypatch.setenv("HEARTBREAK_DATA_DIR", str(tiny_data.root))
    line = error_line(runner.invoke(app, ["ratings", "--date", "2019-01-01", "--db", str(db)]))
    assert "former_names.csv" in line and "(and 8 more files differ)" in line
    assert not db.exists()
    with pytest.raises(ChecksumMismatch):
        ensure_store(db)


def test_the_user_data_folder(tiny_data, tmp_path, monkeypatch):
    home = tmp_path / "home"
    shutil.copytree(tiny_data.root, home / "sources")
    monkeypatch.delenv("HEARTBREAK_DATA_DIR", raising=False)
    monkeypatch.delenv("HEARTBREAK_DB", raising=False)
    monkeypatch.setenv("HEARTBREAK_HOME", str(home))
    monkeypatch.setenv("HEARTBREAK_SOURCE_URL", "http://127.0.0.1:9")
    line = error_line(runner.invoke(app, ["data", "build"]))
    assert f"in {home / 'sources'}: SHA-256" in line
    assert not (home / "heartbreak.duckdb").exists()
    # Built anyway on request, and then used by every command.
    assert runner.invoke(app, ["data", "build", "--allow-modified"]).exit_code == 0
    done = runner.invoke(app, ["ratings", "--date", "2019-01-01", "--format", "json"])
    assert done.exit_code == 0, done.stderr


def test_an_import_keeps_the_accepted_sources_and_refuses_others(modified, tiny_data, tmp_path):
    db, before = modified
    user_file = user_matches_path(db)
    match = tmp_path / "match.json"
    match.write_text(
        json.dumps({"home": "Belgium", "away": "Japan", "date": "2019-06-01", "events": []}),
        encoding="utf-8",
    )
    args = ["import", str(match), "--db", str(db), "--data-dir", str(tiny_data.root)]
    line = error_line(runner.invoke(app, args))
    assert f"{RESULTS} in {tiny_data.root}" in line
    assert (digest(db), digest(user_file)) == (before, None)
    # Rebuilt with the new bytes accepted, the store takes imports again.
    build = ["data", "build", "--db", str(db), "--data-dir", str(tiny_data.root)]
    assert runner.invoke(app, [*build, "--allow-modified"]).exit_code == 0
    done = runner.invoke(app, args)
    assert done.exit_code == 0, done.stderr
    with Store(db) as store:
        assert store.meta()["modified"] == actual_hashes(tiny_data.root)
        assert store.meta()["user_matches"] == "1"


# --------------------------------------------------------------------------- recorded


def test_allow_modified_is_recorded_and_shown(tiny_data, tmp_path):
    db = tmp_path / "heartbreak.duckdb"
    args = ["data", "build", "--db", str(db), "--data-dir", str(tiny_data.root)]
    line = error_line(runner.invoke(app, args))
    assert "--allow-modified" in line
    assert not db.exists()
    built = runner.invoke(app, [*args, "--allow-modified"])
    assert built.exit_code == 0, built.stderr
    assert f"warning: {RESULTS} is not the pinned version" in built.stdout

    hashes = actual_hashes(tiny_data.root)
    with Store(db) as store:
        meta = store.meta()
    assert meta["modified"] == hashes
    info = runner.invoke(app, ["data", "info", "--db", str(db)])
    assert info.exit_code == 0
    assert "built with --allow-modified: 9 source files differ from the pinned versions" in (
        info.stdout
    )
    pinned = SOURCES_BY_PATH[RESULTS].sha256
    assert f"{RESULTS}  {hashes[RESULTS]} (pinned {pinned})" in info.stdout

    from heartbreak.api import create_app

    with TestClient(create_app(db=db, data_dir=tiny_data.root)) as client:
        health = client.get("/api/health").json()
    assert health["modified_sources"] == hashes


def test_a_rebuild_after_a_schema_change_keeps_the_accepted_sources(tiny_data, tmp_path):
    import duckdb

    db = tmp_path / "heartbreak.duckdb"
    build_store(tiny_data.root, db, allow_modified=True)
    con = duckdb.connect(str(db))
    con.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    con.close()
    ensure_store(db, tiny_data.root).close()
    with Store(db) as store:
        assert store.meta()["modified"] == actual_hashes(tiny_data.root)
    # ... but not other bytes.
    tiny_data.replace(RESULTS, "Rostov-on-Don", "Rostov")
    con = duckdb.connect(str(db))
    con.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    con.close()
    before = digest(db)
    with pytest.raises(ChecksumMismatch, match=RESULTS):
        ensure_store(db, tiny_data.root)
    assert digest(db) == before
