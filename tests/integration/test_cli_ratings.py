"""``heartbreak ratings`` from the outside: the table, its JSON, and as-of semantics.

Ratings as of a date D count only matches strictly before D: a match played on D changes the
ratings as of the day after, never those as of D.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from heartbreak.cli import app

runner = CliRunner()

ALL = "100000"  # --top large enough for every team


def invoke(db: Path, *args: str):
    return runner.invoke(app, [*args, "--db", str(db)])


def ratings_json(db: Path, date: str, top: str = ALL) -> list[dict]:
    result = invoke(db, "ratings", "--date", date, "--top", top, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def by_team(rows: list[dict]) -> dict[str, dict]:
    return {row["team"]: row for row in rows}


def test_top_ten_before_belgium_japan(real_db_path):
    rows = ratings_json(real_db_path, "2018-07-02", top="10")
    assert len(rows) == 10
    assert [row["rank"] for row in rows] == list(range(1, 11))
    for row in rows:
        assert set(row) == {"rank", "team", "rating", "matches", "last_match"}
        assert isinstance(row["rating"], float)
        assert row["matches"] > 0
        # Only matches before the date count; the last one is a plain date.
        assert dt.date.fromisoformat(row["last_match"]) < dt.date(2018, 7, 2)
    ratings = [row["rating"] for row in rows]
    assert ratings == sorted(ratings, reverse=True)
    assert len({row["team"] for row in rows}) == 10
    top5 = [row["team"] for row in rows[:5]]
    assert "Brazil" in top5
    assert rows[0]["team"] == "Brazil"
    assert "Belgium" in top5


def test_top_is_a_prefix_of_the_full_table(real_db_path, real_store):
    full = ratings_json(real_db_path, "2018-07-02")
    assert full[:10] == ratings_json(real_db_path, "2018-07-02", top="10")
    assert [row["rank"] for row in full] == list(range(1, len(full) + 1))
    stored = real_store.ratings_as_of("2018-07-02")
    assert len(full) == len(stored)
    assert {row["team"] for row in full} == set(stored["team"])


def test_a_match_counts_from_the_day_after(real_db_path, real_store):
    """Belgium 3-2 Japan on 2 July 2018 moves both ratings as of 3 July, not as of 2 July."""
    match_id = real_store.find_match("Belgium", "Japan", "2018-07-02")
    changes = {}
    for team in ("Belgium", "Japan"):
        history = real_store.rating_history(team)
        row = history[history["match_id"] == match_id].iloc[0]
        changes[team] = (float(row["rating_before"]), float(row["rating_after"]))
    before = by_team(ratings_json(real_db_path, "2018-07-02"))
    after = by_team(ratings_json(real_db_path, "2018-07-03"))
    for team, (rating_before, rating_after) in changes.items():
        assert rating_before != rating_after
        assert before[team]["rating"] == round(rating_before, 1)
        assert after[team]["rating"] == round(rating_after, 1)
        assert after[team]["rating"] - before[team]["rating"] == pytest.approx(
            rating_after - rating_before, abs=0.11
        )
        assert before[team]["last_match"] < "2018-07-02"
        assert after[team]["last_match"] == "2018-07-02"
        assert after[team]["matches"] == before[team]["matches"] + 1
    # The winner gained what the loser lost.
    assert changes["Belgium"][1] > changes["Belgium"][0]
    gained = changes["Belgium"][1] - changes["Belgium"][0]
    lost = changes["Japan"][0] - changes["Japan"][1]
    assert gained == pytest.approx(lost, abs=1e-6)


def test_only_the_days_matches_move_the_table(real_db_path, real_store):
    """Between 2 and 3 July 2018 exactly the teams that played on 2 July change."""
    played = set(
        real_store.query("SELECT team FROM ratings WHERE date = DATE '2018-07-02'")["team"]
    )
    assert {"Belgium", "Japan", "Brazil", "Mexico"} <= played
    before = by_team(ratings_json(real_db_path, "2018-07-02"))
    after = by_team(ratings_json(real_db_path, "2018-07-03"))
    assert set(after) == set(before) | played
    for team, row in before.items():
        if team not in played:
            assert after[team] == {**row, "rank": after[team]["rank"]}, team


def test_matches_on_or_after_the_date_do_not_count(tiny_data, tmp_path):
    """Two stores that differ only in matches on or after D give the same ratings as of D."""
    from heartbreak.build import build_store

    first = tmp_path / "first.duckdb"
    build_store(tiny_data.root, first, allow_modified=True)
    tiny_data.replace(
        "international/results.csv",
        "2019-03-21,Belgium,Russia,3,1",
        "2019-03-21,Belgium,Russia,0,4",
    )
    tiny_data.append(
        "international/results.csv", "2019-06-08,Russia,Belgium,5,0,Friendly,Moscow,Russia,FALSE"
    )
    second = tmp_path / "second.duckdb"
    build_store(tiny_data.root, second, allow_modified=True)
    for day in ("2019-03-21", "2019-03-01", "2018-07-03"):
        assert ratings_json(first, day) == ratings_json(second, day), day
    # ...and the changed match does count from the day after.
    a = by_team(ratings_json(first, "2019-03-22"))
    b = by_team(ratings_json(second, "2019-03-22"))
    assert a["Belgium"]["rating"] > b["Belgium"]["rating"]
    assert a["Russia"]["rating"] < b["Russia"]["rating"]


def test_text_output_renders_a_table(real_db_path):
    result = invoke(real_db_path, "ratings", "--date", "2018-07-02", "--top", "5")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert "World Football Elo ratings before 02 July 2018" in text
    for header in ("Team", "Rating", "Matches", "Last match"):
        assert header in text
    assert "┃" in text and "│" in text  # table borders
    rows = [line for line in text.splitlines() if line.startswith("│")]
    assert len(rows) == 5
    assert "Brazil" in rows[0]
    assert "2193" in rows[0]
    assert "2018-06-27" in rows[0]
    assert "00:00:00" not in text


def test_before_the_first_match_the_table_is_empty(real_db_path):
    assert ratings_json(real_db_path, "1872-11-30") == []


@pytest.mark.parametrize("bad", ["2018-13-01", "tomorrow"])
def test_bad_date_is_one_line_naming_the_option(real_db_path, bad):
    before = hashlib.sha256(real_db_path.read_bytes()).hexdigest()
    result = invoke(real_db_path, "ratings", "--date", bad)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: --date:") and bad in lines[0]
    assert hashlib.sha256(real_db_path.read_bytes()).hexdigest() == before
