"""Usage errors are one line with exit code 2, like every other user error; --id picks one of
two matches that share a date and teams."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


def run(*args: str, db) -> subprocess.CompletedProcess:
    env = {**os.environ, "HEARTBREAK_DB": str(db)}
    return subprocess.run(
        [sys.executable, "-m", "heartbreak", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("ratings", "--date", "2018-07-02", "--top", "0"), "--top"),
        (("ratingz",), "ratingz"),
        (("data", "build", "--bogus"), "--bogus"),
        (("story", "Belgium", "Japan", "--date", "2018-07-02", "--format", "xml"), "--format"),
    ],
)
def test_usage_errors_are_one_line(real_db_path, args, named):
    done = run(*args, db=real_db_path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ") and named in lines[0]


def test_no_arguments_shows_help(real_db_path):
    done = run(db=real_db_path)
    assert done.returncode == 0
    assert "story" in done.stdout and "predict" in done.stdout


def test_two_matches_on_one_day_are_told_apart_by_id(real_db_path):
    done = run("story", "Tahiti", "New Caledonia", "--date", "1974-02-17", db=real_db_path)
    assert done.returncode == 2
    assert "--id" in done.stderr and "9642" in done.stderr and "9643" in done.stderr
    both = run("story", "--id", "41696", "--format", "json", db=real_db_path)
    assert both.returncode == 0, both.stderr
    assert json.loads(both.stdout)["match"]["away"] == "Japan"
    clash = run("story", "--id", "41696", "Belgium", db=real_db_path)
    assert clash.returncode == 2 and "--id" in clash.stderr
    missing = run("story", "--id", "99999999", db=real_db_path)
    assert missing.returncode == 2 and "99999999" in missing.stderr
