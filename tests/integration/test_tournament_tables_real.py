"""Acceptance of the tournament structure and group tables over the real data.

- Every men's World Cup group of the World Cup database (group_standings.csv, 1930–2022):
  the computed table has the recorded positions, points and goals; where the recorded order
  came from a drawing of lots, ``decided_by`` says "lots"; 2018 Group H is settled on fair play.
- Every other modelled edition (Euro, Copa América, Asian Cup, Cup of Nations, Gold Cup, and the
  2026 World Cup): the teams computed to go through are exactly those of its knockout rounds.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest

from heartbreak.data.loaders import F_WC_GROUP_STANDINGS, parse_wc_group_standings
from heartbreak.data.teams import map_worldcup_names
from heartbreak.tournaments import (
    COMPETITIONS,
    build_editions,
    find_edition,
    group_table,
    qualifiers,
)
from heartbreak.tournaments.rules import BYES

pytestmark = pytest.mark.slow

#: Modelled editions per competition (years of the first match), and the reasons for the rest.
EXPECTED_EDITIONS = {
    "FIFA World Cup": 23,
    "UEFA Euro": 17,
    "Copa América": 14,
    "AFC Asian Cup": 13,
    "African Cup of Nations": 33,
    "Gold Cup": 18,
}


@pytest.fixture(scope="module")
def built(real_store):
    matches, cards = real_store.tournament_frames(COMPETITIONS)
    return build_editions(matches, cards)


@pytest.fixture(scope="module")
def standings(real_data_dir):
    table = parse_wc_group_standings(real_data_dir / F_WC_GROUP_STANDINGS)
    assert not table.bad_rows
    s = table.clean
    s = s[s["mens"]].copy()
    s["team"] = map_worldcup_names(s["team"], pd.to_datetime(s["year"].astype(str) + "-06-01"))
    return s


def _stage(name: str) -> str:
    # The standings call the first stage "first round" (1950) or "first group stage"
    # (1974-1982); the matches "group stage".
    return {"first round": "group stage", "first group stage": "group stage"}.get(name, name)


def test_every_world_cup_group_reproduces_its_final_positions(built, standings):
    editions, _ = built
    reproduced, lots = 0, []
    groups = standings.groupby(["year", "stage", "group"])
    for (year, stage, name), rows in groups:
        edition = find_edition(editions, "FIFA World Cup", int(year))
        # Matched by teams: the database names the 1982 second-stage groups 1-4 in matches.csv
        # and A-D in group_standings.csv.
        group = next(
            g
            for g in edition.groups
            if g.stage == _stage(stage) and set(g.teams) == set(rows["team"])
        )
        table = group_table(group)
        want = rows.sort_values("position")
        assert [r.team for r in table] == want["team"].tolist(), (year, stage, name)
        recorded = want.set_index("team")
        for r in table:
            expected = recorded.loc[r.team]
            assert (r.played, r.won, r.drawn, r.lost) == tuple(
                int(expected[c]) for c in ("played", "won", "drawn", "lost")
            ), (year, name, r.team)
            assert (r.goals_for, r.goals_against, r.points) == tuple(
                int(expected[c]) for c in ("goals_for", "goals_against", "points")
            ), (year, name, r.team)
        lots += [(int(year), r.team) for r in table if r.decided_by == "lots"]
        reproduced += 1
    assert reproduced == len(groups) == 125
    # The draws of lots: 1954 (Brazil over Yugoslavia, Uruguay over Austria for first place),
    # 1970 Group 1 (the Soviet Union over Mexico), 1990 Group F (Ireland over the Netherlands).
    assert sorted(lots) == [
        (1954, "Brazil"),
        (1954, "Uruguay"),
        (1970, "Russia"),
        (1990, "Republic of Ireland"),
    ]


def test_2018_group_h_japan_over_senegal_on_fair_play(built):
    editions, _ = built
    group = find_edition(editions, "FIFA World Cup", 2018).group("H")
    table = group_table(group)
    assert [r.team for r in table] == ["Colombia", "Japan", "Senegal", "Poland"]
    japan, senegal = table[1], table[2]
    assert (japan.points, japan.goal_difference, japan.goals_for) == (4, 0, 4)
    assert (senegal.points, senegal.goal_difference, senegal.goals_for) == (4, 0, 4)
    assert japan.decided_by == "fair play"
    assert (japan.fair_play, senegal.fair_play) == (-4, -6)
    # The two last matches kicked off together (14:00 UTC: 17:00 in Volgograd, 18:00 in Samara).
    last = max(group.matches, key=lambda f: f.start)
    assert len(group.simultaneous(last)) == 1


def test_group_h_as_of_the_last_round(built):
    import datetime as dt

    editions, _ = built
    group = find_edition(editions, "FIFA World Cup", 2018).group("H")
    before = group_table(group, as_of=dt.date(2018, 6, 27))
    assert [r.played for r in before] == [2, 2, 2, 2]
    assert [r.team for r in before][:2] == ["Japan", "Senegal"]


def test_every_other_edition_sends_through_the_teams_of_its_knockout_rounds(built):
    editions, _ = built
    checked = Counter()
    for edition in editions:
        if not edition.group_stages or (
            edition.competition == "FIFA World Cup" and edition.year < 2026
        ):
            continue
        through = set(qualifiers(edition.group_stages[0]))
        through |= set(BYES.get((edition.competition, edition.year), ()))
        assert through == edition.first_knockout_teams(), edition.label
        checked[edition.competition] += 1
    assert checked == {
        "UEFA Euro": 12,
        "Copa América": 14,
        "AFC Asian Cup": 13,
        "African Cup of Nations": 31,
        "Gold Cup": 18,
        "FIFA World Cup": 1,
    }


def test_editions_per_competition_and_the_unmodelled(built):
    editions, unmodelled = built
    assert Counter(e.competition for e in editions) == EXPECTED_EDITIONS
    reasons = Counter((c, r) for c, _, r in unmodelled)
    # Leagues (every team met every other, no knockout): the early Copas, the first Asian Cups,
    # the 1959 Cup of Nations.
    assert reasons[("Copa América", "a league: no group stage and knockout")] == 23
    assert all(c in COMPETITIONS for c, _ in reasons)
    world_cup_2026 = find_edition(editions, "FIFA World Cup", 2026)
    assert len(world_cup_2026.groups) == 12
    assert {len(g.teams) for g in world_cup_2026.groups} == {4}
    assert world_cup_2026.group("A").teams[0] == "Mexico"
    assert find_edition(editions, "UEFA Euro", 2020) is find_edition(editions, "UEFA Euro", 2021)
