"""The knockout stages of the major tournaments, found from the results (heartbreak.data.brackets):
made-up editions of every shape, then the real store against the known format of each edition."""

from __future__ import annotations

import datetime as dt
import itertools

import pandas as pd
import pytest

from heartbreak.data.brackets import MAJOR_TOURNAMENTS, bracket_stages

START = dt.date(2000, 6, 1)


def edition(matches, competition="UEFA Euro", start=START):
    """A frame of matches (home, away, home goals, away goals[, shootout winner[, neutral]]),
    one day apart in the order given."""
    rows = []
    for day, m in enumerate(matches):
        home, away, hs, as_, *rest = m
        shootout = rest[0] if rest else None
        neutral = rest[1] if len(rest) > 1 else True
        rows.append(
            {
                "match_id": len(rows) + 1,
                "date": start + dt.timedelta(days=day),
                "home": home,
                "away": away,
                "home_score": hs,
                "away_score": as_,
                "competition": competition,
                "neutral": neutral,
                "shootout_winner": shootout,
            }
        )
    return pd.DataFrame(rows)


def group(teams):
    """A round robin among ``teams``, each match won by the team listed first."""
    return [(a, b, 1, 0) for a, b in itertools.combinations(teams, 2)]


def stages(frame):
    return list(bracket_stages(frame))


def test_groups_then_semi_finals_third_place_and_final():
    matches = [
        *group("ABCD"),
        *group("EFGH"),
        ("A", "F", 2, 0),
        ("E", "B", 1, 1, "B"),
        ("F", "E", 3, 1),
        ("A", "B", 0, 1),
    ]
    found = stages(edition(matches))
    assert found[:12] == [None] * 12
    assert found[12:] == ["semi-finals", "semi-finals", "third-place match", "final"]


def test_a_group_match_is_never_a_knockout_even_when_it_looks_like_one():
    # The last round of a group: every match has a winner, losers go home, but the teams had
    # opponents in common.
    matches = [("A", "B", 1, 0), ("C", "D", 1, 0), ("A", "C", 1, 0), ("B", "D", 1, 0)]
    matches += [("A", "D", 1, 0), ("B", "C", 1, 0)]
    assert stages(edition(matches)) == [None] * 6


def test_a_league_has_no_knockout_but_its_play_off_has():
    league = [("A", "C", 4, 0), ("B", "D", 4, 2), ("B", "C", 1, 0), ("A", "D", 4, 0)]
    league += [("C", "D", 5, 0), ("A", "B", 0, 1)]
    assert stages(edition(league, "Copa América")) == [None] * 6
    playoff = [*league, ("B", "A", 1, 0)]
    assert stages(edition(playoff, "Copa América")) == [None] * 6 + ["play-off"]


def test_a_double_round_robin_is_a_league_to_the_last_match():
    matches = group("ABC") + [(b, a, 1, 0) for a, b, *_ in group("ABC")]
    assert stages(edition(matches, "CONCACAF Championship")) == [None] * 6


def test_neither_leg_of_a_two_legged_tie_had_to_produce_a_winner():
    legs = [("A", "B", 1, 0, None, False), ("B", "A", 2, 0, None, False)]
    matches = [*group("ABCD")[:-1], *legs]
    assert stages(edition(matches, "Oceania Nations Cup")) == [None] * 7


def test_a_replayed_final_and_a_semi_final_decided_by_lot():
    # The 1968 Euro: Italy through on the toss of a coin; the final replayed after 1-1.
    matches = [
        ("Italy", "Soviet Union", 0, 0),
        ("Yugoslavia", "England", 1, 0),
        ("England", "Soviet Union", 2, 0),
        ("Italy", "Yugoslavia", 1, 1),
        ("Italy", "Yugoslavia", 2, 0),
    ]
    found = stages(edition(matches))
    assert found == ["semi-finals", "semi-finals", "third-place match", "final", "final"]


def test_rounds_count_back_from_the_final():
    teams = "ABCDEFGHIJKLMNOP"
    matches = [(teams[i], teams[i + 1], 1, 0) for i in range(0, 16, 2)]
    matches += [(teams[i], teams[i + 2], 1, 0) for i in range(0, 16, 4)]
    matches += [("A", "E", 1, 0), ("I", "M", 1, 0), ("A", "I", 1, 0)]
    found = stages(edition(matches))
    assert found == ["round of 16"] * 8 + ["quarter-finals"] * 4 + ["semi-finals"] * 2 + ["final"]


def test_friendlies_and_the_world_cup_are_not_looked_at():
    matches = [("A", "B", 1, 0), ("C", "D", 1, 0), ("A", "C", 1, 0)]
    assert stages(edition(matches, "Friendly")) == [None] * 3
    assert stages(edition(matches, "FIFA World Cup")) == [None] * 3
    assert stages(edition(matches, "UEFA Euro")) == ["semi-finals", "semi-finals", "final"]


def test_editions_are_split_by_long_gaps():
    first = edition([("A", "B", 1, 0), ("C", "D", 1, 0), ("A", "C", 1, 0)])
    second = edition(
        [("A", "B", 1, 0), ("C", "D", 1, 0), ("C", "A", 1, 0)], start=dt.date(2004, 6, 1)
    )
    both = pd.concat([first, second.assign(match_id=second["match_id"] + 3)])
    assert stages(both) == ["semi-finals", "semi-finals", "final"] * 2


# ---------------------------------------------------------------------------- the real store

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
