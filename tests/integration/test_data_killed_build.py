"""A build killed mid-way leaves the previous store byte-identical and usable."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from heartbreak.data.store import Store

BUILD = [sys.executable, "-c", "from heartbreak.cli import app; app()", "data", "build"]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def start_build(db: Path, data_dir: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [*BUILD, "--db", str(db), "--data-dir", str(data_dir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "COLUMNS": "80"},
    )


def wait_for(predicate, proc: subprocess.Popen, timeout: float = 600.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.005)
    return False


@pytest.mark.parametrize("moment", ["while writing", "while reading"])
def test_killed_build_leaves_the_previous_store(real_db_path, real_data_dir, tmp_path, moment):
    db = tmp_path / "heartbreak.duckdb"
    shutil.copyfile(real_db_path, db)
    before = digest(db)
    proc = start_build(db, real_data_dir)
    try:
        if moment == "while writing":
            temp = db.with_name(f"{db.name}.tmp-{proc.pid}")
            assert wait_for(temp.exists, proc), "the build never started writing"
        else:
            time.sleep(0.3)
            assert proc.poll() is None, "the build ended before it could be killed"
        proc.send_signal(signal.SIGKILL)
    finally:
        if proc.poll() is None:  # a failed wait above: never leave a build running
            proc.kill()
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert digest(db) == before
    with Store(db) as store:
        assert len(store.find_matches("Belgium", "Japan", "2018-07-02")) == 1

    # The next build cleans up what the killed one left behind.
    again = start_build(db, real_data_dir)
    assert again.wait(timeout=300) == 0
    assert not list(tmp_path.glob("*.tmp-*"))
    with Store(db) as store:
        assert store.meta()["counts"]["matches"] == 49520
