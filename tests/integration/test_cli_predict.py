"""``heartbreak predict`` from the outside, on the real store.

Single fixtures (JSON and text), team names through aliases and case, one-line errors with exit
code 2, and ``--batch FILE.csv`` (one JSON line per fixture; a bad row named by file and line).
A failing command never touches the store.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from heartbreak.cli import app

runner = CliRunner()

KEYS = {
    "home",
    "away",
    "date",
    "neutral",
    "knockout",
    "elo_home",
    "elo_away",
    "expected_goals_home",
    "expected_goals_away",
    "p_home_win",
    "p_draw",
    "p_away_win",
}
KNOCKOUT_KEYS = KEYS | {"p_home_advance"}
BELGIUM_JAPAN = ["predict", "Belgium", "Japan", "--date", "2018-07-02", "--neutral"]


def invoke(db: Path, *args: str):
    return runner.invoke(app, [*args, "--db", str(db)])


def heartbreak_command() -> list[str]:
    """The installed console script (next to this interpreter, else on PATH)."""
    script = Path(sys.executable).with_name("heartbreak")
    if script.is_file():
        return [str(script)]
    found = shutil.which("heartbreak")
    if found is None:
        pytest.fail("the `heartbreak` console script is not installed")
    return [found]


def run_script(args: list[str], db: Path, data_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "HEARTBREAK_DB": str(db), "HEARTBREAK_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [*heartbreak_command(), *args], capture_output=True, text=True, env=env, timeout=120
    )


def error_line(result) -> str:
    """The one line a failing command writes on stderr (exit code 2)."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    return lines[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def store_untouched(real_db_path: Path):
    """The store file is byte-identical after the test's (failing) commands."""
    before = digest(real_db_path)
    yield real_db_path
    assert digest(real_db_path) == before, "a failing command changed the store"


def check_probabilities(row: dict) -> None:
    for key in ("p_home_win", "p_draw", "p_away_win"):
        assert 0.0 < row[key] < 1.0, (key, row)
    assert row["p_home_win"] + row["p_draw"] + row["p_away_win"] == pytest.approx(1.0, abs=1e-9)
    assert row["expected_goals_home"] > 0 and row["expected_goals_away"] > 0
    if row["knockout"]:
        # A draw is settled by extra time or a shootout: going through lies between winning
        # outright and not losing.
        assert row["p_home_win"] < row["p_home_advance"] < row["p_home_win"] + row["p_draw"]


# --------------------------------------------------------------------------- one fixture


def test_belgium_japan_knockout_json_from_the_console_script(real_db_path, real_data_dir):
    before = digest(real_db_path)
    done = run_script(
        [*BELGIUM_JAPAN, "--knockout", "--format", "json"], real_db_path, real_data_dir
    )
    assert done.returncode == 0, done.stderr
    row = json.loads(done.stdout)
    assert set(row) == KNOCKOUT_KEYS
    assert (row["home"], row["away"], row["date"]) == ("Belgium", "Japan", "2018-07-02")
    assert row["neutral"] is True and row["knockout"] is True
    assert row["elo_home"] > row["elo_away"]
    assert row["expected_goals_home"] > row["expected_goals_away"]
    assert row["p_home_win"] > row["p_away_win"]
    assert row["p_home_advance"] > 0.5
    check_probabilities(row)
    assert digest(real_db_path) == before


def test_without_knockout_there_is_no_advance_and_the_same_outcome_chances(real_db_path):
    plain = invoke(real_db_path, *BELGIUM_JAPAN, "--format", "json")
    knockout = invoke(real_db_path, *BELGIUM_JAPAN, "--knockout", "--format", "json")
    assert plain.exit_code == 0 and knockout.exit_code == 0, plain.stderr + knockout.stderr
    row, ko = json.loads(plain.stdout), json.loads(knockout.stdout)
    assert set(row) == KEYS
    assert "p_home_advance" not in row
    assert row["knockout"] is False
    check_probabilities(row)
    # The 90 minutes are the same match either way.
    for key in ("elo_home", "elo_away", "expected_goals_home", "p_home_win", "p_draw"):
        assert row[key] == pytest.approx(ko[key], abs=1e-12), key


def test_home_advantage_without_neutral(real_db_path):
    home = json.loads(
        invoke(
            real_db_path, "predict", "Belgium", "Japan", "--date", "2018-07-02", "--format", "json"
        ).stdout
    )
    neutral = json.loads(invoke(real_db_path, *BELGIUM_JAPAN, "--format", "json").stdout)
    assert home["neutral"] is False
    assert home["elo_home"] == neutral["elo_home"]
    assert home["expected_goals_home"] > neutral["expected_goals_home"]
    assert home["p_home_win"] > neutral["p_home_win"]
    check_probabilities(home)


def test_text_output_mentions_both_teams(real_db_path):
    result = invoke(real_db_path, *BELGIUM_JAPAN, "--knockout")
    assert result.exit_code == 0, result.stderr
    assert "Belgium" in result.stdout and "Japan" in result.stdout
    assert "Goes through" in result.stdout
    assert "%" in result.stdout
    plain = invoke(real_db_path, *BELGIUM_JAPAN)
    assert plain.exit_code == 0
    assert "Goes through" not in plain.stdout


@pytest.mark.parametrize(
    ("typed", "team"),
    [
        ("belgium", "Belgium"),
        ("BELGIUM", "Belgium"),
        ("Korea Republic", "South Korea"),
        ("USA", "United States"),
        ("Côte d'Ivoire", "Ivory Coast"),
        ("cote d'ivoire", "Ivory Coast"),
    ],
)
def test_team_names_through_aliases_and_case(real_db_path, typed, team):
    result = invoke(
        real_db_path, "predict", typed, "Japan", "--date", "2018-07-02", "--format", "json"
    )
    assert result.exit_code == 0, result.stderr
    row = json.loads(result.stdout)
    assert row["home"] == team
    assert row["away"] == "Japan"


# --------------------------------------------------------------------------- errors


def test_unknown_team_is_one_line_with_close_names(store_untouched):
    result = invoke(store_untouched, "predict", "Belgum", "Japan", "--date", "2018-07-02")
    message = error_line(result)
    assert "Belgum" in message
    assert "Belgium" in message
    assert result.stdout == ""


def test_unknown_away_team_is_named_too(store_untouched):
    message = error_line(
        invoke(store_untouched, "predict", "Belgium", "Japn", "--date", "2018-07-02")
    )
    assert "Japn" in message and "Japan" in message


@pytest.mark.parametrize("bad", ["2018-13-02", "2018-02-30", "02/07/2018", "yesterday"])
def test_bad_date_names_the_option(store_untouched, bad):
    message = error_line(invoke(store_untouched, "predict", "Belgium", "Japan", "--date", bad))
    assert "--date" in message
    assert bad in message


def test_missing_date_or_team(store_untouched):
    assert "--date" in error_line(invoke(store_untouched, "predict", "Belgium", "Japan"))
    assert "HOME AWAY" in error_line(
        invoke(store_untouched, "predict", "Belgium", "--date", "2018-07-02")
    )


# --------------------------------------------------------------------------- --batch


def write_csv(folder: Path, name: str, lines: list[str]) -> Path:
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def batch_rows(db: Path, csv: Path) -> list[dict]:
    result = invoke(db, "predict", "--batch", str(csv))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    return [json.loads(line) for line in lines]


def test_batch_prints_one_json_object_per_line(real_db_path, tmp_path):
    csv = write_csv(
        tmp_path,
        "fixtures.csv",
        [
            "home,away,date,neutral,knockout",
            "Belgium,Japan,2018-07-02,true,true",
            "USA,Korea Republic,2018-06-01,0,",
            "brazil,Mexico,2018-07-02,yes,false",
            "France,Argentina,2018-06-30,TRUE,1",
        ],
    )
    rows = batch_rows(real_db_path, csv)
    assert len(rows) == 4
    assert [(r["home"], r["away"]) for r in rows] == [
        ("Belgium", "Japan"),
        ("United States", "South Korea"),
        ("Brazil", "Mexico"),
        ("France", "Argentina"),
    ]
    assert [r["knockout"] for r in rows] == [True, False, False, True]
    assert [r["neutral"] for r in rows] == [True, False, True, True]
    for row in rows:
        assert set(row) == (KNOCKOUT_KEYS if row["knockout"] else KEYS)
        check_probabilities(row)
    # A batch row gives what the single command gives.
    single = json.loads(
        invoke(real_db_path, *BELGIUM_JAPAN, "--knockout", "--format", "json").stdout
    )
    assert rows[0] == pytest.approx(single)


def test_batch_without_knockout_column(real_db_path, tmp_path):
    csv = write_csv(
        tmp_path,
        "fixtures.csv",
        ["home,away,date,neutral", "Belgium,Japan,2018-07-02,true", "Japan,Senegal,2018-06-24,1"],
    )
    rows = batch_rows(real_db_path, csv)
    assert [r["away"] for r in rows] == ["Japan", "Senegal"]
    for row in rows:
        assert set(row) == KEYS
        assert row["knockout"] is False
        check_probabilities(row)


BAD_ROWS = {
    "unknown team": ("Frnace,Argentina,2018-06-30,true,true", "Frnace"),
    "bad date": ("France,Argentina,2018-06-31,true,true", "2018-06-31"),
    "bad neutral": ("France,Argentina,2018-06-30,maybe,true", "neutral"),
    "bad knockout": ("France,Argentina,2018-06-30,true,perhaps", "knockout"),
    "empty team": ("France,,2018-06-30,true,true", "away"),
}


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_batch_bad_row_names_file_and_line(store_untouched, tmp_path, case):
    row, named = BAD_ROWS[case]
    csv = write_csv(
        tmp_path,
        "fixtures.csv",
        [
            "home,away,date,neutral,knockout",
            "Belgium,Japan,2018-07-02,true,true",
            row,
            "Brazil,Mexico,2018-07-02,true,true",
        ],
    )
    result = invoke(store_untouched, "predict", "--batch", str(csv))
    message = error_line(result)
    assert f"{csv}:3:" in message
    assert named in message
    # Nothing is printed for the good rows before the bad one: all or nothing.
    assert result.stdout == ""


def test_batch_missing_column_is_line_1(store_untouched, tmp_path):
    csv = write_csv(tmp_path, "fixtures.csv", ["home,away,date", "Belgium,Japan,2018-07-02"])
    message = error_line(invoke(store_untouched, "predict", "--batch", str(csv)))
    assert f"{csv}:1:" in message
    assert "neutral" in message


def test_batch_missing_file_and_batch_with_teams(store_untouched, tmp_path):
    missing = tmp_path / "nowhere.csv"
    assert "--batch" in error_line(invoke(store_untouched, "predict", "--batch", str(missing)))
    csv = write_csv(
        tmp_path, "fixtures.csv", ["home,away,date,neutral", "Belgium,Japan,2018-07-02,1"]
    )
    assert "--batch" in error_line(
        invoke(store_untouched, "predict", "Belgium", "Japan", "--batch", str(csv))
    )


def test_batch_bad_row_from_the_console_script(real_db_path, real_data_dir, tmp_path):
    csv = write_csv(
        tmp_path,
        "fixtures.csv",
        ["home,away,date,neutral", "Belgium,Japan,2018-07-02,true", "Belgum,Japan,2018-07-02,1"],
    )
    before = digest(real_db_path)
    done = run_script(["predict", "--batch", str(csv)], real_db_path, real_data_dir)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert f"{csv}:3:" in lines[0] and "Belgium" in lines[0]
    assert done.stdout == ""
    assert digest(real_db_path) == before
