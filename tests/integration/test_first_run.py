"""A new user's first command: no data, no store; it fetches, verifies, builds and answers."""

from __future__ import annotations

import functools
import http.server
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest


@pytest.fixture
def mirror(real_data_dir):
    """The real source files served over HTTP on loopback, laid out like a data folder."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(real_data_dir))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _env(home: Path, source_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HEARTBREAK_DATA_DIR", "HEARTBREAK_DB")}
    env.update(HEARTBREAK_HOME=str(home), HEARTBREAK_SOURCE_URL=source_url)
    return env


def _heartbreak(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "heartbreak", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_first_command_fetches_builds_and_answers(tmp_path, mirror):
    home = tmp_path / "home"
    done = _heartbreak(
        "predict",
        "Belgium",
        "Japan",
        "--date",
        "2018-07-02",
        "--neutral",
        "--knockout",
        "--format",
        "json",
        env=_env(home, mirror),
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["p_home_advance"] > 0.5
    assert (home / "sources" / "international" / "results.csv").is_file()
    assert (home / "heartbreak.duckdb").is_file()


def test_first_command_offline_says_what_to_do(tmp_path):
    done = _heartbreak(
        "ratings", "--date", "2018-07-02", env=_env(tmp_path / "home", "http://127.0.0.1:9")
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "HEARTBREAK_DATA_DIR" in lines[0] and "--from" in lines[0]
    assert not (tmp_path / "home" / "heartbreak.duckdb").exists()
