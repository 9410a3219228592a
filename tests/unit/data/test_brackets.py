"""The knockout stages of the major tournaments, found from the results (heartbreak.data.brackets):
made-up editions of every shape (the real store against the known format of each edition is in
tests/integration/test_brackets_real.py)."""

from __future__ import annotations

import datetime as dt
import itertools

import pandas as pd

from heartbreak.data.brackets import bracket_stages

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
