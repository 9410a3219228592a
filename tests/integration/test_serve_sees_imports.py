"""A running ``heartbreak serve`` sees an import or a rebuild of its store without a restart: the
app reopens the store when the file at its path is replaced, at the next request, while requests
keep being answered; no replay cache serves a match of the previous store."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from heartbreak.api import create_app
from heartbreak.build import build_store
from heartbreak.cli import app as cli
from heartbreak.data.usermatches import USER_MATCH_ID_BASE, user_matches_path

runner = CliRunner()
FIRST = USER_MATCH_ID_BASE
MATCH = {
    "home": "Belgium",
    "away": "Japan",
    "date": "2019-06-01",
    "competition": "Friendly",
    "events": [
        {"type": "goal", "minute": 12, "team": "Japan"},
        {"type": "goal", "minute": 80, "team": "Belgium"},
    ],
}


@pytest.fixture
def served(tiny_data, tmp_path, serve_app):
    db = tmp_path / "store" / "heartbreak.duckdb"
    build_store(tiny_data.root, db, allow_modified=True)
    app = create_app(db=db, data_dir=tiny_data.root, live_log=tmp_path / "live.duckdb")
    return app, serve_app(app), db, tiny_data.root, tmp_path


def run(*args: str) -> None:
    done = runner.invoke(cli, list(args))
    assert done.exit_code == 0, done.stderr


def test_an_import_is_served_without_a_restart(served):
    app, base, db, data, folder = served
    options = ["--db", str(db), "--data-dir", str(data)]
    with httpx.Client(base_url=base, timeout=30) as client:
        assert client.get(f"/api/matches/{FIRST}").status_code == 404
        assert client.get("/api/health").json()["user_matches"] == 0

        file = folder / "match.json"
        file.write_text(json.dumps(MATCH), encoding="utf-8")
        run("import", str(file), *options)

        replay = client.get(f"/api/matches/{FIRST}")
        assert replay.status_code == 200, replay.text
        assert replay.json()["match"]["score"] == {"home": 1, "away": 1}
        assert client.get("/api/health").json()["user_matches"] == 1
        assert client.get(f"/matches/{FIRST}").status_code == 200
        assert app.state.store_watch.reopened == 1

        # The match changed in the user file and the store rebuilt: the cached replay is not
        # served again.
        user_file = user_matches_path(db)
        data_ = json.loads(user_file.read_text(encoding="utf-8"))
        data_[0]["events"].append({"type": "goal", "minute": 89, "team": "Belgium"})
        user_file.write_text(json.dumps(data_), encoding="utf-8")
        run("data", "build", "--allow-modified", *options)
        replay = client.get(f"/api/matches/{FIRST}")
        assert replay.json()["match"]["score"] == {"home": 2, "away": 1}
        assert app.state.store_watch.reopened == 2
        # Nothing changed: nothing reopened.
        client.get("/api/health")
        assert app.state.store_watch.reopened == 2


def test_requests_are_answered_while_the_store_is_replaced(served):
    app, base, db, data, folder = served
    stop = threading.Event()
    statuses: list[int] = []
    errors: list[BaseException] = []

    def hammer() -> None:
        try:
            with httpx.Client(base_url=base, timeout=60) as client:
                while not stop.is_set():
                    statuses.append(client.get("/api/matches/7").status_code)
                    statuses.append(
                        client.get("/api/matches", params={"team": "Japan"}).status_code
                    )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=hammer) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        file = folder / "match.json"
        file.write_text(json.dumps(MATCH), encoding="utf-8")
        run("import", str(file), "--db", str(db), "--data-dir", str(data))
        run("data", "build", "--allow-modified", "--db", str(db), "--data-dir", str(data))
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert not errors
    assert statuses and set(statuses) == {200}
    with httpx.Client(base_url=base, timeout=30) as client:
        assert client.get(f"/api/matches/{FIRST}").status_code == 200
    assert app.state.store_watch.reopened >= 1


def test_a_session_is_reopened_only_when_its_file_changes(tiny_data, tmp_path):
    from heartbreak.api.freshness import StoreWatch, file_identity

    db = tmp_path / "heartbreak.duckdb"
    build_store(tiny_data.root, db, allow_modified=True)
    app = create_app(db=db, data_dir=tiny_data.root, live_log=tmp_path / "live.duckdb")
    watch: StoreWatch = app.state.store_watch
    old = app.state.session
    assert not watch.changed() and not watch.refresh()
    build_store(tiny_data.root, db, allow_modified=True)
    assert watch.changed()
    assert watch.refresh()
    assert app.state.session is not old and app.state.live.session is app.state.session
    assert watch.identity == file_identity(Path(db))
    # The previous session still answers (work in progress on it finishes).
    assert len(old.store.matches()) == 9
    old.store.close()
