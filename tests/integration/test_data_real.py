"""The store built from the real reference data (``HEARTBREAK_DATA_DIR``), once per session."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from heartbreak.data.loaders import parse_wc_matches
from heartbreak.data.sources import SOURCES
from heartbreak.domain import Side


def test_build_is_clean(real_build):
    # Build speed is measured by bench/build_store.py, not asserted here.
    assert real_build.seconds > 0
    assert real_build.skipped == 0
    assert real_build.counts["matches"] == 49520
    # The real quirks are warnings.
    assert any("Saare County" in w and "2011-06-29" in w for w in real_build.warnings)
    assert any(w.startswith("254 goals have no minute") for w in real_build.warnings)
    assert not any("pinned version" in w for w in real_build.warnings)


def test_pinned_checksums_match_the_reference_copy(real_data_dir):
    sums = {}
    for line in (real_data_dir / "SHA256SUMS").read_text().splitlines():
        digest, path = line.split()
        sums[path] = digest
    assert {s.path: s.sha256 for s in SOURCES} == sums
    for source in SOURCES:
        data = (real_data_dir / source.path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == source.sha256, source.path


def test_every_mens_world_cup_match_joins_exactly_one_results_row(real_store, real_data_dir):
    with open(real_data_dir / "worldcup/matches.csv", "rb") as handle:
        wc = parse_wc_matches(handle).frame
    mens = wc[wc["mens"]]
    assert len(mens) == 964
    merged = real_store.query(
        "SELECT wc_match_id, match_id, competition FROM matches WHERE wc_match_id IS NOT NULL"
    )
    assert len(merged) == 964
    assert merged["wc_match_id"].is_unique and merged["match_id"].is_unique
    assert set(merged["wc_match_id"]) == set(mens["wc_match_id"])
    assert set(merged["competition"]) == {"FIFA World Cup"}
    # ... and they are all the "FIFA World Cup" rows up to 2022.
    finals = real_store.query(
        "SELECT count(*) AS n FROM matches WHERE competition = 'FIFA World Cup' "
        "AND date <= DATE '2022-12-31'"
    )["n"].iloc[0]
    assert finals == 964


def test_swapped_world_cup_matches_keep_results_orientation(real_store):
    swapped = real_store.query(
        """
        SELECT count(*) AS n FROM matches m
        WHERE wc_match_id IS NOT NULL AND EXISTS (
            SELECT 1 FROM goals g WHERE g.match_id = m.match_id AND
            ((g.side = 'home' AND g.team <> m.home) OR (g.side = 'away' AND g.team <> m.away)))
        """
    )["n"].iloc[0]
    assert swapped == 0
    sides = real_store.query(
        """
        SELECT m.match_id, m.home_score, m.away_score,
               count(*) FILTER (WHERE g.side = 'home') AS h,
               count(*) FILTER (WHERE g.side = 'away') AS a
        FROM matches m JOIN goals g USING (match_id)
        WHERE m.wc_match_id IS NOT NULL GROUP BY ALL
        """
    )
    assert (sides["h"] == sides["home_score"]).all()
    assert (sides["a"] == sides["away_score"]).all()


def test_every_world_cup_timeline_is_complete(real_store):
    incomplete = real_store.query(
        "SELECT count(*) AS n FROM matches WHERE wc_match_id IS NOT NULL AND NOT timeline_complete"
    )["n"].iloc[0]
    assert incomplete == 0


def test_yugoslavia_1998_is_serbia(real_store):
    rows = real_store.query(
        "SELECT home, away FROM matches WHERE wc_match_id LIKE 'M-1998-%' "
        "AND (home IN ('Serbia', 'Yugoslavia') OR away IN ('Serbia', 'Yugoslavia'))"
    )
    assert len(rows) == 4
    assert "Yugoslavia" not in set(rows["home"]) | set(rows["away"])
    assert real_store.resolver().resolve("Yugoslavia", "1998-06-14") == "Serbia"
    old = real_store.query(
        "SELECT count(*) AS n FROM matches WHERE wc_match_id LIKE 'M-1990-%' "
        "AND 'Yugoslavia' IN (home, away)"
    )["n"].iloc[0]
    assert old == 5


def test_replays_are_separate_matches(real_store):
    replays = real_store.query(
        "SELECT wc_match_id, date, home, away FROM matches "
        "WHERE wc_match_id IN ('M-1934-12', 'M-1934-13')"
    )
    assert len(replays) == 2
    assert replays["date"].nunique() == 2


def test_belgium_japan_2018(real_store):
    found = real_store.find_matches("Japan", "Belgium", "2018-07-02")
    assert len(found) == 1
    assert real_store.find_match("Belgium", "Japan", "2018-07-02") == int(found["match_id"][0])
    row = found.iloc[0]
    assert (row["home"], row["away"], row["home_score"], row["away_score"]) == (
        "Belgium",
        "Japan",
        3,
        2,
    )
    assert row["stage"] == "round of 16"
    assert bool(row["knockout"]) and bool(row["timeline_complete"])
    assert row["goals_listed"] == 5
    assert row["winner"] == "Belgium"
    goals = real_store.goals(int(row["match_id"]))
    assert len(goals) == 5
    last = goals.iloc[-1]
    assert (last["scorer"], last["minute"], last["stoppage"]) == ("Nacer Chadli", 90, 4)
    match = real_store.match(int(row["match_id"]))
    assert len(match.events) == 5
    assert match.events[-1].label == "90+4'"
    assert match.events[-1].side is Side.HOME
    assert match.info.stage == "round of 16" and match.info.knockout and match.info.neutral


def test_tahiti_double_header(real_store):
    found = real_store.find_matches("Tahiti", "New Caledonia", "1974-02-17")
    assert sorted(zip(found["home_score"], found["away_score"], strict=True)) == [(1, 2), (2, 1)]


def test_goals_without_minute(real_store):
    counts = real_store.query(
        "SELECT count(*) AS n, count(period) AS p, count(stoppage) AS s FROM goals "
        "WHERE minute IS NULL"
    ).iloc[0]
    assert (counts["n"], counts["p"], counts["s"]) == (254, 0, 0)


def test_world_cup_shootouts(real_store):
    shootouts = real_store.query(
        "SELECT m.match_id, m.home_penalties, m.away_penalties, m.shootout_winner, m.home, m.away "
        "FROM matches m WHERE wc_match_id IS NOT NULL AND home_penalties IS NOT NULL"
    )
    assert len(shootouts) == 35
    winner = shootouts.apply(
        lambda r: r["home"] if r["home_penalties"] > r["away_penalties"] else r["away"], axis=1
    )
    assert (winner == shootouts["shootout_winner"]).all()
    kicks = real_store.query("SELECT DISTINCT match_id FROM shootout_kicks")
    assert set(kicks["match_id"]) <= set(shootouts["match_id"])


def test_sending_offs_from_1970(real_store):
    cards = real_store.query(
        "SELECT min(m.date) AS first, count(*) FILTER (WHERE c.sending_off) AS off "
        "FROM cards c JOIN matches m USING (match_id)"
    ).iloc[0]
    assert pd.Timestamp(cards["first"]).year == 1970
    assert cards["off"] > 100


def test_ratings_as_of_on_real_data(real_store):
    ratings = real_store.ratings_as_of("2018-07-02", ["Belgium", "Japan"]).set_index("team")
    row = real_store.match_row(real_store.find_match("Belgium", "Japan", "2018-07-02"))
    assert ratings.loc["Belgium", "rating"] == pytest.approx(row["elo_home"])
    assert ratings.loc["Japan", "rating"] == pytest.approx(row["elo_away"])
    assert pd.Timestamp(ratings.loc["Belgium", "last_match"]) < pd.Timestamp("2018-07-02")


def test_aliases_on_real_data(real_store):
    resolver = real_store.resolver()
    assert resolver.resolve("Korea Republic") == "South Korea"
    assert resolver.resolve("West Germany") == "Germany"
    assert resolver.resolve("DEU") == "Germany"
    assert resolver.resolve("Zaïre") == "DR Congo"
    assert resolver.resolve("Côte d'Ivoire") == "Ivory Coast"
    assert resolver.resolve("Dahomey") == "Benin"
    kinds = set(real_store.aliases()["kind"])
    assert kinds == {"former_name", "worldcup", "fifa_code", "common"}
