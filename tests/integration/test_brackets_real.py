"""The knockout stages of the major tournaments found in the real store (heartbreak.data.brackets),
against the known format of each edition (the made-up editions of every shape are in
tests/unit/data/test_brackets.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from heartbreak.data.brackets import MAJOR_TOURNAMENTS

#: Knockout matches of each Euro: 1960–1976 semi-finals, third place and final (1968: the final
#: replayed), 1980 third place and final, 1984–1992 semi-finals and final, then 8 and 16 teams.
EURO = {1960: 4, 1964: 4, 1968: 5, 1972: 4, 1976: 4, 1980: 2, 1984: 3, 1988: 3, 1992: 3}
EURO |= dict.fromkeys((1996, 2000, 2004, 2008, 2012), 7)
EURO |= dict.fromkeys((2016, 2021, 2024), 15)


@pytest.fixture(scope="module")
def knockouts(real_store):
    m = real_store.query(
        "SELECT match_id, date, home, away, competition, stage, knockout, extra_time, "
        "shootout_winner, winner, home_score, away_score FROM matches WHERE source <> 'user'"
    )
    m["year"] = pd.to_datetime(m["date"]).dt.year
    return m


def per_year(m, competition):
    ko = m[(m["competition"] == competition) & m["knockout"]]
    return ko.groupby("year").size().to_dict()


@pytest.mark.slow
def test_every_euro_knockout_is_one(knockouts):
    assert per_year(knockouts, "UEFA Euro") == EURO
    finals = knockouts[(knockouts["competition"] == "UEFA Euro") & (knockouts["stage"] == "final")]
    assert sorted(finals["year"]) == sorted([*EURO, 1968])
    won = finals.sort_values("date").drop_duplicates("year", keep="last")
    assert won.set_index("year")["winner"][[1960, 1976, 2016, 2024]].tolist() == [
        "Russia",
        "Czechoslovakia",
        "Portugal",
        "Spain",
    ]


@pytest.mark.slow
def test_euro_2016_round_by_round(knockouts):
    euro = knockouts[(knockouts["competition"] == "UEFA Euro") & (knockouts["year"] == 2016)]
    assert euro.groupby("stage").size().to_dict() == {
        "round of 16": 8,
        "quarter-finals": 4,
        "semi-finals": 2,
        "final": 1,
    }
    # Won in 90 minutes, and a knockout all the same: Wales 3-1 Belgium.
    row = euro[(euro["home"] == "Wales") & (euro["away"] == "Belgium")].iloc[0]
    assert (row["stage"], bool(row["extra_time"])) == ("quarter-finals", False)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("competition", "years", "count"),
    [
        ("Copa América", (1993, 1995, 1997, 1999, 2001, 2004, 2007, 2011, 2015, 2019), 8),
        ("Copa América", (2016, 2021, 2024), 8),
        ("African Cup of Nations", (2019, 2022, 2026), 16),
        ("AFC Asian Cup", (2004, 2007, 2011, 2015), 8),
        ("AFC Asian Cup", (2019, 2024), 15),
        ("Gold Cup", (2019, 2021, 2023, 2025), 7),
        ("Confederations Cup", (1997, 1999, 2001, 2003, 2005, 2009, 2013, 2017), 4),
    ],
)
def test_modern_editions_have_their_whole_bracket(knockouts, competition, years, count):
    found = per_year(knockouts, competition)
    assert {y: found.get(y) for y in years} == dict.fromkeys(years, count)


@pytest.mark.slow
def test_leagues_have_only_their_play_offs(knockouts):
    copa = per_year(knockouts, "Copa América")
    # Round robins before 1975, with a play-off when two teams finished level on points.
    assert {y: n for y, n in copa.items() if y < 1975} == {
        1919: 1,
        1922: 1,
        1937: 1,
        1949: 1,
        1953: 1,
    }
    assert per_year(knockouts, "CONCACAF Championship") == {}


@pytest.mark.slow
def test_no_friendly_is_a_knockout_though_some_ended_on_penalties(knockouts):
    friendlies = knockouts[knockouts["competition"] == "Friendly"]
    on_penalties = friendlies[
        friendlies["shootout_winner"].notna()
        & (friendlies["home_score"] == friendlies["away_score"])
    ]
    assert len(on_penalties) > 50
    assert not friendlies["knockout"].any()
    # A draw, not won by the side that won the shootout.
    assert on_penalties["winner"].isna().all()


@pytest.mark.slow
def test_a_level_bracket_match_without_a_shootout_went_to_extra_time(knockouts):
    level = knockouts[
        knockouts["competition"].isin(MAJOR_TOURNAMENTS[1:])
        & knockouts["knockout"]
        & (knockouts["home_score"] == knockouts["away_score"])
        & knockouts["shootout_winner"].isna()
    ]
    pairs = {(r.year, r.home, r.away) for r in level.itertuples()}
    assert (1968, "Italy", "Russia") in pairs and (1968, "Italy", "Yugoslavia") in pairs
    assert level["extra_time"].fillna(False).all()
