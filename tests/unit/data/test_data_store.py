"""The store built from the tiny data folder: tables, queries, atomic builds."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from heartbreak.build import build_store, ensure_store
from heartbreak.data.store import SCHEMA_VERSION, StaleStore, Store, remove_stale_temps
from heartbreak.domain import EventType, Period, Side
from heartbreak.errors import BadSourceRows, DataUnavailable, NoSuchMatch, StoreError, UnknownTeam

MATCH_COLUMNS = [
    "match_id",
    "date",
    "home",
    "away",
    "home_score",
    "away_score",
    "competition",
    "city",
    "country",
    "neutral",
    "wc_match_id",
    "stage",
    "knockout",
    "extra_time",
    "shootout_winner",
    "home_penalties",
    "away_penalties",
    "winner",
    "goals_listed",
    "timeline_complete",
    "source",
    "elo_home",
    "elo_away",
    "xg_home",
    "xg_away",
]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def built(make_tiny_data, tmp_path_factory):
    """One tiny store for the module's read-only tests (a build takes most of a second)."""
    root = tmp_path_factory.mktemp("built")
    db = root / "store" / "heartbreak.duckdb"
    report = build_store(make_tiny_data(root / "data").root, db, allow_modified=True)
    store = Store(db)
    yield store, report
    store.close()


def test_build_report(built):
    _store, report = built
    assert report.counts["matches"] == 9
    assert report.counts["goals"] == 26
    assert report.skipped == 0
    assert report.seconds > 0
    assert any("Saare County" in w for w in report.warnings)
    assert report.db_path.is_file()


def test_table_columns_and_types(built):
    store, _ = built
    types = store.query(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "ORDER BY table_name, ordinal_position"
    )
    matches = types[types["table_name"] == "matches"]
    assert list(matches["column_name"]) == MATCH_COLUMNS
    kinds = dict(zip(matches["column_name"], matches["data_type"], strict=True))
    assert kinds["match_id"] == "INTEGER"
    assert kinds["date"] == "DATE"
    assert kinds["neutral"] == kinds["knockout"] == kinds["extra_time"] == "BOOLEAN"
    assert kinds["elo_home"] == "DOUBLE"
    expected = {
        "goals": [
            "match_id",
            "seq",
            "team",
            "side",
            "scorer",
            "minute",
            "stoppage",
            "period",
            "own_goal",
            "penalty",
        ],
        "cards": [
            "match_id",
            "seq",
            "team",
            "side",
            "player",
            "minute",
            "stoppage",
            "period",
            "card",
            "sending_off",
        ],
        "shootouts": ["match_id", "winner", "first_shooter"],
        "shootout_kicks": ["match_id", "seq", "team", "side", "player", "converted"],
        "teams": ["name", "first_match", "last_match", "matches"],
        "team_aliases": ["alias", "team", "start_date", "end_date", "kind"],
        "ratings": ["team", "date", "match_id", "rating_before", "rating_after"],
        "meta": ["key", "value"],
    }
    for table, columns in expected.items():
        assert list(types[types["table_name"] == table]["column_name"]) == columns, table


def test_world_cup_match_belgium_japan(built):
    store, _ = built
    match_id = store.find_match("Belgium", "Japan", "2018-07-02")
    assert match_id == 7
    row = store.match_row(match_id)
    assert row["wc_match_id"] == "M-2018-54"
    assert row["stage"] == "round of 16"
    assert bool(row["knockout"]) and bool(row["timeline_complete"])
    assert row["source"] == "international+worldcup"
    goals = store.goals(match_id)
    # The World Cup goals replace the international ones.
    assert "Wrong Source" not in set(goals["scorer"])
    chadli = goals.iloc[-1]
    assert (chadli["scorer"], chadli["minute"], chadli["stoppage"]) == ("Nacer Chadli", 90, 4)
    match = store.match(match_id)
    assert match.events[-1].label == "90+4'"
    assert match.info.knockout and match.info.stage == "round of 16"
    assert [e.side for e in match.events] == [Side.AWAY] * 2 + [Side.HOME] * 3


def test_swapped_world_cup_match_keeps_results_orientation(built):
    store, _ = built
    row = store.match_row(store.find_match("Spain", "Yugoslavia", "1990-06-26"))
    assert (row["home"], row["away"], row["home_score"], row["away_score"]) == (
        "Yugoslavia",
        "Spain",
        2,
        1,
    )
    assert bool(row["extra_time"]) is True
    goals = store.goals(int(row["match_id"]))
    assert list(goals["side"]) == ["home", "away", "home"]
    assert list(goals["period"]) == ["second_half", "second_half", "extra_time_first_half"]


def test_yugoslavia_1998_is_serbia(built):
    store, _ = built
    row = store.match_row(store.find_match("Yugoslavia", "Iran", "1998-06-14"))
    assert row["home"] == "Serbia"
    assert row["wc_match_id"] == "M-1998-12"
    assert store.goals(int(row["match_id"]))["team"].tolist() == ["Serbia"]


def test_double_header_is_two_matches_with_their_goals(built):
    store, _ = built
    found = store.find_matches("New Caledonia", "Tahiti", "1974-02-17")
    assert list(found["home_score"]) == [2, 1]
    assert list(found["goals_listed"]) == [3, 3]
    assert list(found["timeline_complete"]) == [True, False]  # one goal has no minute
    with pytest.raises(NoSuchMatch, match="2 matches"):
        store.find_match("Tahiti", "New Caledonia", "1974-02-17")


def test_find_matches_ignores_team_order(built):
    store, _ = built
    a = store.find_matches("Belgium", "Japan", "2018-07-02")
    b = store.find_matches("japan", "BEL", dt.date(2018, 7, 2))
    assert list(a["match_id"]) == list(b["match_id"]) == [7]
    assert len(store.find_matches("Belgium", "Russia")) == 2
    assert len(store.find_matches("Belgium")) == 3


def test_international_goals_stoppage_and_periods(built):
    store, _ = built
    goals = store.goals(store.find_match("Belgium", "Russia", "2019-03-21"))
    hazard_45 = goals.iloc[2]
    assert hazard_45["minute"] == 45
    assert pd.isna(hazard_45["stoppage"])  # 45' may be 45+n': unknown
    assert list(goals["stoppage"].iloc[[0, 1, 3]]) == [0, 0, 0]
    assert bool(hazard_45["penalty"]) is True


def test_shootout_and_extra_time_from_goals(built):
    store, _ = built
    row = store.match_row(store.find_match("Portugal", "England", "2004-06-24"))
    assert row["shootout_winner"] == "Portugal"
    assert row["winner"] == "Portugal"
    assert bool(row["knockout"]) is True
    assert bool(row["extra_time"]) is True  # goals at 110' and 115'
    shootouts = store.query("SELECT * FROM shootouts")
    assert shootouts.to_dict("records") == [
        {"match_id": int(row["match_id"]), "winner": "Portugal", "first_shooter": "England"}
    ]
    match = store.match(int(row["match_id"]))
    assert match.shootout_winner is Side.HOME
    assert match.winner is Side.HOME
    assert match.extra_time
    assert [e.period for e in match.events][-2:] == [Period.EXTRA_SECOND, Period.EXTRA_SECOND]


def test_extra_time_unknown_without_a_full_timeline(built):
    store, _ = built
    row = store.match_row(store.find_match("Russia", "Belgium", "2019-11-16"))
    assert row["goals_listed"] == 0
    assert not bool(row["timeline_complete"])
    assert pd.isna(row["extra_time"])
    assert row["city"] == "Saint Petersburg, Krestovsky"


def test_red_cards_become_events(built):
    store, _ = built
    match = store.match(store.find_match("Colombia", "Japan", "2018-06-19"))
    reds = [e for e in match.events if e.type is EventType.RED_CARD]
    assert len(reds) == 1
    assert reds[0].side is Side.HOME and reds[0].minute == 3
    assert [e.type for e in match.events][:2] == [EventType.RED_CARD, EventType.GOAL]
    cards = store.cards(match.info.match_id)
    assert list(cards["card"]) == ["red", "yellow"]
    assert list(cards["stoppage"]) == [0, 1]


def test_women_world_cup_is_not_merged(built):
    store, _ = built
    assert (
        store.query("SELECT count(*) AS n FROM matches WHERE wc_match_id LIKE 'W-%'")["n"].iloc[0]
        == 0
    )


def test_ratings_as_of_uses_only_earlier_matches(built):
    store, _ = built
    before = store.ratings_as_of("2018-07-02", ["Belgium", "Japan", "Iran"])
    assert list(before.columns) == ["team", "rating", "matches", "last_match"]
    by_team = before.set_index("team")
    # Belgium has not played before 2018-07-02 in the tiny data: initial rating.
    assert by_team.loc["Belgium", "rating"] == store.initial_rating == 1500.0
    assert by_team.loc["Belgium", "matches"] == 0
    japan = store.query(
        "SELECT rating_after FROM ratings WHERE team = 'Japan' AND date = '2018-06-19'"
    )["rating_after"].iloc[0]
    assert by_team.loc["Japan", "rating"] == pytest.approx(japan)
    row = store.match_row(7)
    assert row["elo_home"] == pytest.approx(1500.0)
    assert row["elo_away"] == pytest.approx(japan)
    # On the day after, Belgium's 2018-07-02 match counts.
    after = store.ratings_as_of("2018-07-03", ["Belgium"]).set_index("team")
    assert after.loc["Belgium", "rating"] > 1500.0
    everyone = store.ratings_as_of("2100-01-01")
    assert set(everyone["team"]) == set(store.team_names())


def test_resolver_and_unknown_team(built):
    store, _ = built
    assert store.resolve("bel") == "Belgium"
    assert store.resolver().resolve("SUN") == "Russia"
    with pytest.raises(UnknownTeam) as caught:
        store.find_matches("Belgum", "Japan")
    assert "Belgium" in caught.value.suggestions


def test_load_matches_in_bulk(built):
    store, _ = built
    ids = [7, 3, 10_000, 7]
    found = store.load_matches(ids)
    assert list(found) == [7, 3]
    assert found[7] == store.match(7)
    assert found[3].info.home == "Yugoslavia"
    assert store.load_matches([]) == {}
    # A goal at 45' whose stoppage is unknown is placed at 45'.
    belgium_russia = store.match(store.find_match("Belgium", "Russia", "2019-03-21"))
    assert [e.label for e in belgium_russia.events] == ["14'", "16'", "45'", "88'"]


def test_match_errors(built):
    store, _ = built
    with pytest.raises(NoSuchMatch):
        store.match(10_000)
    with pytest.raises(NoSuchMatch, match="no match between"):
        store.find_match("Belgium", "Japan", "2018-07-03")


def test_matches_filters(built):
    store, _ = built
    assert len(store.matches()) == 9
    assert len(store.matches(world_cup=True)) == 4
    assert len(store.matches(team="Japan")) == 2
    assert len(store.matches(team="Belgium", opponent="Russia")) == 2
    assert len(store.matches(competition="fifa world cup", date_from="2000-01-01")) == 2
    assert len(store.matches(knockout=True)) == 3
    assert len(store.matches(date_to="1974-12-31")) == 2
    assert len(store.matches(limit=3)) == 3


def test_teams_and_aliases(built):
    store, _ = built
    teams = store.teams().set_index("name")
    assert teams.loc["Belgium", "matches"] == 3
    assert str(teams.loc["Tahiti", "first_match"])[:10] == "1974-02-17"
    aliases = store.aliases()
    assert set(aliases["kind"]) <= {"former_name", "worldcup", "fifa_code", "common"}
    yugo = aliases[(aliases["alias"] == "Yugoslavia") & (aliases["kind"] == "worldcup")]
    assert yugo["team"].tolist() == ["Serbia"]


def test_meta(built, tiny_data):
    store, report = built
    meta = store.meta()
    assert meta["schema_version"] == SCHEMA_VERSION
    assert meta["counts"] == report.counts
    assert meta["sources"]["international/results.csv"] == digest(
        tiny_data.path("international/results.csv")
    )
    assert "Fjelstul" in meta["attribution"]["worldcup"]
    assert dt.datetime.fromisoformat(meta["built_at"])


def test_failed_build_leaves_the_previous_store_byte_identical(tiny_data, tmp_path):
    db = tmp_path / "heartbreak.duckdb"
    build_store(tiny_data.root, db, allow_modified=True)
    before = digest(db)
    tiny_data.replace("international/results.csv", "Belgium,Japan,3,2", "Belgium,Japan,3,-2")
    with pytest.raises(BadSourceRows):
        build_store(tiny_data.root, db, allow_modified=True)
    assert digest(db) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "heartbreak.duckdb"]
    with Store(db) as store:
        assert store.match_row(7)["away_score"] == 2


def test_failed_write_leaves_the_previous_store(tiny_data, tmp_path, monkeypatch):
    import heartbreak.data.store as store_module

    db = tmp_path / "heartbreak.duckdb"
    build_store(tiny_data.root, db, allow_modified=True)
    before = digest(db)

    def broken(tmp, tables, meta):
        tmp.write_bytes(b"half a database")
        raise OSError("disk full")

    monkeypatch.setattr(store_module, "_write", broken)
    with pytest.raises(OSError, match="disk full"):
        build_store(tiny_data.root, db, allow_modified=True)
    assert digest(db) == before
    assert not list(tmp_path.glob("*.tmp-*"))


def test_missing_sources_write_nothing(tmp_path):
    db = tmp_path / "heartbreak.duckdb"
    with pytest.raises(DataUnavailable):
        build_store(tmp_path / "nowhere", db)
    assert not db.exists()


def test_skip_bad_rows_builds_and_reports(tiny_data, tmp_path):
    tiny_data.replace("international/goalscorers.csv", "Frank Lampard,115,", "Frank Lampard,0,")
    report = build_store(
        tiny_data.root, tmp_path / "db.duckdb", skip_bad_rows=True, allow_modified=True
    )
    assert report.skipped == 1
    assert report.skipped_rows[0].file == "international/goalscorers.csv"
    with Store(tmp_path / "db.duckdb") as store:
        row = store.match_row(store.find_match("Portugal", "England", "2004-06-24"))
        assert row["goals_listed"] == 3
        assert not bool(row["timeline_complete"])
        assert store.meta()["skipped_rows"] == "1"


def test_stale_temp_files_are_removed(tiny_data, tmp_path):
    db = tmp_path / "heartbreak.duckdb"
    dead = tmp_path / "heartbreak.duckdb.tmp-999999999"
    dead.write_bytes(b"left by a killed build")
    (tmp_path / "heartbreak.duckdb.tmp-999999999.wal").write_bytes(b"")
    alive = tmp_path / f"heartbreak.duckdb.tmp-{os.getppid()}"
    alive.write_bytes(b"a build still running")
    build_store(tiny_data.root, db, allow_modified=True)
    assert not dead.exists()
    assert alive.exists()
    assert remove_stale_temps(db) == []


def test_store_errors(tmp_path):
    with pytest.raises(StoreError, match="no store at"):
        Store(tmp_path / "missing.duckdb")
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError):
        Store(junk)
    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE x (a INTEGER)")
    con.close()
    with pytest.raises(StoreError, match="not a Heartbreak store"):
        Store(other)


def test_ensure_store_builds_on_first_use_and_after_a_schema_change(tiny_data, tmp_path):
    db = tmp_path / "sub" / "heartbreak.duckdb"
    calls = []
    store = ensure_store(
        db, tiny_data.root, progress=lambda *a: calls.append(a), allow_modified=True
    )
    assert calls and calls[-1][0] == "store ready"
    assert sum(a[1] for a in calls) == calls[-1][2]
    assert len(store.matches()) == 9
    store.close()
    # Already there: opened without building.
    calls.clear()
    ensure_store(db, tiny_data.root, progress=lambda *a: calls.append(a)).close()
    assert calls == []
    # An old schema is rebuilt.
    con = duckdb.connect(str(db))
    con.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(StaleStore):
        Store(db)
    ensure_store(db, tiny_data.root).close()
    with Store(db) as store:
        assert store.meta()["schema_version"] == SCHEMA_VERSION


def test_store_is_read_only(built):
    store, _ = built
    with pytest.raises(StoreError):
        store.query("DELETE FROM matches")


def test_competitions_as_fans_type_them(built):
    store, _ = built
    assert store.resolve_competition("World Cup") == ("FIFA World Cup",)
    assert store.resolve_competition("euro qualifiers") == ("UEFA Euro qualification",)
    assert store.resolve_competition("euro") == ("UEFA Euro",)
    assert store.resolve_competition("Word Cup") == ()
    assert store.matches(competition="World Cup")["match_id"].tolist() == [3, 4, 6, 7]
    assert store.matches(competition="Word Cup").empty
    assert len(store.matches(competition="uefa euro qualification")) == 2


def test_search_matches_pages_newest_first(built):
    store, _ = built
    total, page = store.search_matches(limit=3)
    assert total == 9 and page["match_id"].tolist() == [9, 8, 7]
    total, page = store.search_matches(limit=3, offset=3)
    assert total == 9 and page["match_id"].tolist() == [6, 5, 4]
    total, page = store.search_matches(newest_first=False, limit=3)
    assert page["match_id"].tolist() == [1, 2, 3]
    total, page = store.search_matches(team="Japan", competition="world cup", offset=5)
    assert total == 2 and page.empty
    total, page = store.search_matches(knockout=True, final=False)
    assert total == 3


def test_match_neighbours_in_the_competition(built):
    store, _ = built
    around = store.match_neighbours(6)  # Colombia v Japan, 2018 World Cup
    assert (around["previous"]["match_id"], around["next"]["match_id"]) == (4, 7)
    first = store.match_neighbours(3)
    assert first["previous"] is None and first["next"]["match_id"] == 4
    assert store.match_neighbours(7)["next"] is None
    # The double header of 1974-02-17: same date, ordered by match id.
    assert store.match_neighbours(1)["next"]["match_id"] == 2
    assert store.match_neighbours(2)["previous"]["match_id"] == 1
    alone = store.match_neighbours(5)  # the only UEFA Euro match
    assert alone == {"previous": None, "next": None}
    assert store.match_neighbours(999_999) == {"previous": None, "next": None}
    assert store.match_neighbours(2**40) == {"previous": None, "next": None}
