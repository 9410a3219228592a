"""``heartbreak import``: user matches join the store atomically and validated, replay, rank and
survive a rebuild; a fictional match changes no real team's rating; a failure at any step leaves
the previous store and the previous user-matches file byte-identical.

Stores are built from the ``tiny_data`` folder (a second or so each)."""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
import os
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from heartbreak.build import build_store
from heartbreak.cli import app
from heartbreak.data.store import Store
from heartbreak.data.usermatches import USER_MATCH_ID_BASE, read_user_matches, user_matches_path

runner = CliRunner()
FIRST = USER_MATCH_ID_BASE

# A fictional friendly between two teams of the tiny store (USA-style alias spelt differently).
FRIENDLY = {
    "home": "belgium",
    "away": "Japan",
    "date": "2019-06-01",
    "competition": "Friendly",
    "events": [
        {"type": "goal", "minute": 12, "team": "Japan", "player": "Yuya Osako"},
        {"type": "red_card", "minute": 40, "team": "belgium", "player": "Axel Witsel"},
        {"type": "goal", "minute": 67, "team": "belgium", "own_goal": True},
        {"type": "goal", "minute": 90, "stoppage": 5, "team": "belgium", "penalty": True},
    ],
}
# A knockout against a team the store does not know, settled on penalties.
ATLANTIS = {
    "home": "Atlantis",
    "away": "Russia",
    "date": "2030-07-01",
    "competition": "Atlantic Cup",
    "stage": "final",
    "neutral": True,
    "knockout": True,
    "elo_home": 1600,
    "shootout_winner": "Atlantis",
    "events": [
        {"type": "goal", "minute": 30, "team": "Russia"},
        {"type": "goal", "minute": 118, "team": "Atlantis"},
    ],
}


def load_statsbomb_fixture():
    """The hand-written StatsBomb files of the reader's unit tests."""
    path = Path(__file__).resolve().parents[1] / "unit" / "data" / "test_statsbomb.py"
    spec = importlib.util.spec_from_file_location("statsbomb_fixture", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


class Paths:
    def __init__(self, tiny_data, tmp_path: Path) -> None:
        self.data = tiny_data.root
        self.db = tmp_path / "store" / "heartbreak.duckdb"
        self.user_file = user_matches_path(self.db)
        self.folder = tmp_path

    def invoke(self, *args: str):
        return runner.invoke(app, [*args, "--db", str(self.db), "--data-dir", str(self.data)])

    def import_(self, file: Path, *args: str):
        return self.invoke("import", str(file), *args)

    def write(self, data, name: str = "match.json") -> Path:
        path = self.folder / name
        path.write_text(json.dumps(data), encoding="utf-8")
        return path

    def state(self) -> tuple[str | None, str | None]:
        return digest(self.db), digest(self.user_file)

    def leftovers(self) -> list[str]:
        names = {self.db.name, self.user_file.name, self.user_file.name + ".lock"}
        return sorted(p.name for p in self.db.parent.iterdir() if p.name not in names)


@pytest.fixture
def paths(tiny_data, tmp_path) -> Paths:
    p = Paths(tiny_data, tmp_path)
    build_store(p.data, p.db, allow_modified=True)
    return p


def ok(result) -> str:
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr)
    return result.stdout


def error_line(result) -> str:
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    assert result.stdout == ""
    return lines[0]


def story(paths: Paths, match_id: int) -> dict:
    return json.loads(ok(paths.invoke("story", "--id", str(match_id), "--format", "json")))


# --------------------------------------------------------------------------- importing


def test_an_imported_match_replays_ranks_and_shows(paths):
    out = ok(paths.import_(paths.write(FRIENDLY)))
    assert f"imported belgium 2-1 Japan (2019-06-01) as match {FIRST}" in out
    assert paths.leftovers() == []

    data = story(paths, FIRST)
    match = data["match"]
    assert (match["id"], match["home"], match["away"]) == (FIRST, "Belgium", "Japan")
    assert match["score"] == {"home": 2, "away": 1}
    goals = [p["label"] for p in data["timeline"] if p.get("event", {}).get("type") == "goal"]
    assert goals == ["12'", "67'", "90+5'"]

    with Store(paths.db) as store:
        row = store.match_row(FIRST)
        assert row["source"] == "user"
        assert bool(row["timeline_complete"]) and row["winner"] == "Belgium"
        # Ratings as of the date, from the real history.
        before = store.ratings_as_of("2019-06-01", teams=["Belgium", "Japan"])
        rating = dict(zip(before["team"], before["rating"], strict=True))
        assert row["elo_home"] == pytest.approx(rating["Belgium"])
        assert row["elo_away"] == pytest.approx(rating["Japan"])
        drama = store.drama_of(FIRST)
        assert list(drama["side"]) == ["home", "away"]
        assert bool(drama["complete"].all())
        assert drama.loc[drama["side"] == "home", "result"].item() == "won"
        goals = store.goals(FIRST)
        assert list(goals["team"]) == ["Japan", "Belgium", "Belgium"]
        assert list(goals["own_goal"]) == [False, True, False]
        assert list(goals["stoppage"]) == [0, 0, 5]
        cards = store.cards(FIRST)
        assert list(cards[["side", "minute", "card"]].itertuples(index=False, name=None)) == [
            ("home", 40, "red")
        ]
        assert store.meta()["user_matches"] == "1"

    saved = read_user_matches(paths.user_file)
    assert [u.model_dump(mode="json") for u in saved] == [
        {
            **{k: None for k in ("stage", "elo_home", "elo_away", "extra_time")},
            "shootout_winner": None,
            "neutral": False,
            "knockout": False,
            **FRIENDLY,
            "events": [
                {"stoppage": 0, "player": None, "own_goal": False, "penalty": False, **e}
                for e in FRIENDLY["events"]
            ],
        }
    ]


def test_a_fictional_match_changes_no_real_rating(paths):
    with Store(paths.db) as store:
        ratings = store.query("SELECT * FROM ratings ORDER BY team, date, match_id")
        later = store.ratings_as_of("2031-01-01")
    ok(paths.import_(paths.write(FRIENDLY)))
    ok(paths.import_(paths.write(ATLANTIS, "atlantis.json")))
    with Store(paths.db) as store:
        pd.testing.assert_frame_equal(
            store.query("SELECT * FROM ratings ORDER BY team, date, match_id"), ratings
        )
        pd.testing.assert_frame_equal(store.ratings_as_of("2031-01-01"), later)
        assert (
            store.query("SELECT count(*) AS n FROM ratings WHERE match_id >= ?", [FIRST])[
                "n"
            ].item()
            == 0
        )


def test_a_team_the_store_lacks_plays_with_its_rating(paths):
    out = ok(paths.import_(paths.write(ATLANTIS)))
    assert f"as match {FIRST}" in out
    with Store(paths.db) as store:
        row = store.match_row(FIRST)
        assert (row["home"], row["elo_home"]) == ("Atlantis", 1600.0)
        assert row["shootout_winner"] == "Atlantis" and bool(row["extra_time"])
        assert "Atlantis" in store.team_names()
        assert store.query("SELECT * FROM shootouts WHERE match_id = ?", [FIRST])[
            "winner"
        ].tolist() == ["Atlantis"]
        assert store.drama_of(FIRST)["flags"].iloc[0].split(",") >= ["extra_time"]
    data = story(paths, FIRST)
    assert data["match"]["shootout"] is True and data["match"]["advanced"] == "Atlantis"


def test_json_list_and_csv_files(paths):
    listed = paths.write([FRIENDLY, ATLANTIS], "two.json")
    out = ok(paths.import_(listed))
    assert f"as match {FIRST}" in out and f"as match {FIRST + 1}" in out

    rows = []
    for e in [{"type": "goal", "minute": 5, "team": "Spain"}, {}]:
        rows.append(
            {
                "home": "Spain",
                "away": "England",
                "date": "2021-01-01",
                "neutral": "false",
                "knockout": "false",
                "competition": "Friendly",
                **{k: str(v) for k, v in e.items()},
            }
        )
    path = paths.folder / "match.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(
            handle,
            fieldnames=[
                "home",
                "away",
                "date",
                "neutral",
                "knockout",
                "competition",
                "type",
                "minute",
                "team",
            ],
        )
        writer.writeheader()
        writer.writerows(rows[:1])
    out = ok(paths.import_(path))
    assert f"as match {FIRST + 2}" in out
    assert story(paths, FIRST + 2)["match"]["score"] == {"home": 1, "away": 0}


def test_statsbomb_events_file(paths):
    sb = load_statsbomb_fixture()
    events, lineups = sb.write(paths.folder, sb.match_events(), sb.match_lineups())
    out = ok(
        paths.import_(
            events,
            "--lineup",
            str(lineups),
            "--date",
            "2018-07-01",
            "--competition",
            "Friendly",
            "--neutral",
        )
    )
    assert f"imported Belgium 2-2 Japan (2018-07-01) as match {FIRST}" in out
    data = story(paths, FIRST)
    labels = [(p["label"], p["event"]["type"]) for p in data["timeline"] if "event" in p]
    assert labels == [
        ("21'", "goal"),
        ("39'", "red_card"),
        ("56'", "goal"),
        ("76'", "goal"),
        ("90+4'", "goal"),
    ]
    with Store(paths.db) as store:
        row = store.match_row(FIRST)
        assert bool(row["neutral"]) and row["competition"] == "Friendly"
    # The same file again (auto-detected, without the lineup file): nothing new.
    again = ok(paths.import_(events, "--date", "2018-07-01"))
    assert f"already imported: Belgium 2-2 Japan (2018-07-01) is match {FIRST}" in again


def test_statsbomb_overrides_rename_the_sides(paths):
    sb = load_statsbomb_fixture()
    events, _ = sb.write(paths.folder, sb.knockout_events())
    ok(
        paths.import_(
            events,
            "--format",
            "statsbomb",
            "--date",
            "2031-06-30",
            "--away",
            "Atlantis",
            "--elo-away",
            "1700",
            "--stage",
            "final",
        )
    )
    with Store(paths.db) as store:
        row = store.match_row(FIRST)
        assert (row["home"], row["away"], row["elo_away"]) == ("Belgium", "Atlantis", 1700.0)
        assert bool(row["knockout"]) and row["stage"] == "final"
        assert row["shootout_winner"] == "Belgium"
        goals = store.goals(FIRST)
        assert goals["team"].tolist() == [
            "Atlantis",
            "Belgium",
            "Belgium",
            "Atlantis",
            "Atlantis",
            "Belgium",
        ]


# --------------------------------------------------------------------------- idempotence


def test_importing_twice_adds_nothing_and_changes_nothing(paths):
    file = paths.write(FRIENDLY)
    ok(paths.import_(file))
    before = paths.state()
    out = ok(paths.import_(file))
    assert f"already imported: belgium 2-1 Japan (2019-06-01) is match {FIRST}" in out
    assert "imported belgium" not in out.replace("already imported", "")
    assert paths.state() == before
    # A list repeating the match, plus a new one: only the new one is added.
    out = ok(paths.import_(paths.write([FRIENDLY, ATLANTIS, ATLANTIS], "list.json")))
    assert out.count("already imported") == 2
    assert f"as match {FIRST + 1}" in out
    assert len(read_user_matches(paths.user_file)) == 2


def test_imported_matches_survive_a_rebuild(paths):
    ok(paths.import_(paths.write([FRIENDLY, ATLANTIS])))
    with Store(paths.db) as store:
        rows = store.matches()
    result = paths.invoke("data", "build", "--allow-modified")
    ok(result)
    with Store(paths.db) as store:
        pd.testing.assert_frame_equal(store.matches(), rows)
        assert store.drama_of(FIRST + 1)["team"].tolist() == ["Atlantis", "Russia"]
    assert story(paths, FIRST)["match"]["score"] == {"home": 2, "away": 1}


# --------------------------------------------------------------------------- failures


def test_an_invalid_file_changes_nothing(paths):
    ok(paths.import_(paths.write(FRIENDLY)))
    before = paths.state()
    bad = dict(FRIENDLY, events=[{"type": "goal", "minute": 95, "team": "Japan"}])
    file = paths.write(bad, "bad.json")
    line = error_line(paths.import_(file))
    assert line == f"error: {file}: events[0].minute: 95 is extra time but knockout is false"
    assert paths.state() == before

    broken = paths.folder / "broken.json"
    broken.write_text('{"home": "Belgium",\n"away": }', encoding="utf-8")
    assert error_line(paths.import_(broken)).startswith(f"error: {broken}:2: not valid JSON")
    listed = paths.write([ATLANTIS, dict(ATLANTIS, date="someday")], "list.json")
    assert error_line(paths.import_(listed)).startswith(f"error: {listed}: [1].date:")
    assert paths.state() == before
    assert paths.leftovers() == []


def test_a_failing_build_changes_nothing(paths):
    ok(paths.import_(paths.write(FRIENDLY)))
    before = paths.state()
    # A team the store does not know, without its rating: the build refuses it.
    unknown = paths.write(dict(ATLANTIS, elo_home=None), "unknown.json")
    line = error_line(paths.import_(unknown))
    assert line.startswith(f"error: {unknown}: elo_home: 'Atlantis' is not a team of the store")
    assert paths.state() == before
    # The second match of a list names its position.
    narnia = {"home": "Narnia", "away": "Russia", "date": "2030-01-01"}
    listed = paths.write([ATLANTIS, narnia], "list.json")
    assert error_line(paths.import_(listed)).startswith(f"error: {listed}: [1].elo_home:")
    assert paths.state() == before
    assert paths.leftovers() == []


def test_a_bad_source_row_fails_the_build_and_changes_nothing(paths, tiny_data):
    ok(paths.import_(paths.write(FRIENDLY)))
    before = paths.state()
    tiny_data.append(
        "international/results.csv",
        "2020-01-01,Belgium,Japan,x,1,Friendly,Brussels,Belgium,FALSE",
    )
    line = error_line(paths.import_(paths.write(ATLANTIS, "atlantis.json")))
    assert "international/results.csv" in line
    assert paths.state() == before
    assert paths.leftovers() == []


def test_a_failing_last_rename_puts_the_user_file_back(paths, monkeypatch):
    ok(paths.import_(paths.write(FRIENDLY)))
    before = paths.state()
    real_replace = os.replace

    def replace(src, dst):
        if Path(dst) == paths.db:
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr("heartbreak.exchange.os.replace", replace)
    line = error_line(paths.import_(paths.write(ATLANTIS, "atlantis.json")))
    assert line == (
        f"error: cannot write beside the store at {paths.db} (No space left on device); "
        "nothing was imported"
    )
    assert paths.state() == before
    assert paths.leftovers() == []


def test_statsbomb_needs_a_date_and_a_readable_file(paths):
    sb = load_statsbomb_fixture()
    events, _ = sb.write(paths.folder, sb.match_events())
    before = paths.state()
    assert error_line(paths.import_(events)).startswith("error: --date: a StatsBomb events")
    bad = sb.match_events()
    bad[4]["timestamp"] = "later"
    events, _ = sb.write(paths.folder, bad)
    line = error_line(paths.import_(events, "--date", "2018-07-01"))
    assert line.startswith(f"error: {events}: events[4].timestamp:")
    assert paths.state() == before


def test_options_errors(paths):
    file = paths.write(FRIENDLY)
    assert error_line(paths.import_(file, "--lineup", str(file))).startswith(
        "error: --lineup: only a StatsBomb"
    )
    assert error_line(paths.import_(file, "--date", "1st May")).startswith("error: --date:")
    listed = paths.write([FRIENDLY, ATLANTIS], "two.json")
    assert error_line(paths.import_(listed, "--home", "Spain")).startswith("error: --home:")
    missing = paths.folder / "missing.json"
    assert error_line(paths.import_(missing)) == f"error: FILE: no file at {missing}"
    assert not paths.user_file.exists()


def test_options_change_a_single_match(paths):
    file = paths.write(FRIENDLY)
    ok(paths.import_(file, "--home", "Spain", "--competition", "Test Cup", "--knockout"))
    with Store(paths.db) as store:
        row = store.match_row(FIRST)
        assert (row["home"], row["competition"], bool(row["knockout"])) == (
            "Spain",
            "Test Cup",
            True,
        )
        assert store.goals(FIRST)["team"].tolist() == ["Japan", "Spain", "Spain"]


def test_a_corrupt_user_matches_file_stops_the_build(paths):
    paths.user_file.write_text('[{"home": "Belgium"}]', encoding="utf-8")
    before = paths.state()
    line = error_line(paths.invoke("data", "build"))
    assert line.startswith(f"error: {paths.user_file}: [0].away:")
    assert paths.state() == before
