"""The tournament forecast on hand-made editions: exact answers where the model is certain,
chances that add up, a seed that repeats, results that are known staying known."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from heartbreak.errors import InvalidInput
from heartbreak.tournaments.forecast import Strengths, forecast
from heartbreak.tournaments.rules import rules_for
from heartbreak.tournaments.structure import Edition, Fixture, Group, Stage

DAY = dt.date(2030, 6, 1)
TEAMS = ("A", "B", "C", "D")
STRENGTH = {"A": 4, "B": 3, "C": 2, "D": 1}


def _fixture(match_id, day, home, away, stage, score=None, group=None, winner=None):
    return Fixture(
        match_id=match_id,
        date=DAY + dt.timedelta(days=day),
        home=home,
        away=away,
        home_score=None if score is None else score[0],
        away_score=None if score is None else score[1],
        stage=stage,
        group=group,
        winner=winner,
    )


def _edition(results: dict[int, tuple[int, int]] | None = None) -> Edition:
    """One group of four (round robin over three days), then a final between the top two."""
    results = results or {}
    rules = rules_for("FIFA World Cup", 2018)
    pairs = [("A", "B"), ("C", "D"), ("A", "C"), ("B", "D"), ("A", "D"), ("B", "C")]
    fixtures = tuple(
        _fixture(i + 1, i // 2, h, a, "group stage", results.get(i + 1), "Group 1")
        for i, (h, a) in enumerate(pairs)
    )
    group = Group("Group 1", "group stage", TEAMS, fixtures, rules)
    final = _fixture(7, 5, "A", "B", "final", (1, 0), winner="A")
    return Edition(
        "FIFA World Cup",
        2030,
        (
            Stage("group stage", False, fixtures, (group,), rules),
            Stage("final", True, (final,)),
        ),
    )


def _certain(home, away, neutral):
    """The stronger side always wins 1-0."""
    grids = np.zeros((len(home), 3, 3))
    for k, (h, a) in enumerate(zip(home, away, strict=True)):
        grids[k, 1, 0] = STRENGTH[h] > STRENGTH[a]
        grids[k, 0, 1] = STRENGTH[h] < STRENGTH[a]
    return grids


def _even(home, away, neutral):
    """Every match a coin: 1-0, 0-0 or 0-1, each a third."""
    grids = np.zeros((len(home), 2, 2))
    grids[:, 1, 0] = grids[:, 0, 0] = grids[:, 0, 1] = 1 / 3
    return grids


CERTAIN = Strengths(
    _certain,
    lambda h, a, n: np.array([float(STRENGTH[x] > STRENGTH[y]) for x, y in zip(h, a, strict=True)]),
)
EVEN = Strengths(_even, lambda h, a, n: np.full(len(h), 0.5))


def test_a_certain_model_gives_certain_odds():
    result = forecast(_edition(), DAY, CERTAIN, simulations=200, seed=1)
    assert result.p_position["A"] == {1: 1.0, 2: 0.0, 3: 0.0, 4: 0.0}
    assert result.p_position["B"][2] == 1.0
    assert result.p_advance == {"A": 1.0, "B": 1.0, "C": 0.0, "D": 0.0}
    assert result.p_round["final"] == {"A": 1.0, "B": 1.0, "C": 0.0, "D": 0.0}
    assert result.p_champion == {"A": 1.0, "B": 0.0, "C": 0.0, "D": 0.0}


def test_chances_add_up_and_the_seed_repeats():
    result = forecast(_edition(), DAY, EVEN, simulations=4_000, seed=7)
    for team in TEAMS:
        assert sum(result.p_position[team].values()) == pytest.approx(1.0)
    for position in range(1, 5):
        assert sum(result.p_position[t][position] for t in TEAMS) == pytest.approx(1.0)
    assert sum(result.p_advance.values()) == pytest.approx(2.0)
    assert sum(result.p_round["final"].values()) == pytest.approx(2.0)
    assert sum(result.p_champion.values()) == pytest.approx(1.0)
    # Even teams: each about a quarter of the titles (4,000 runs: a standard error of 0.007).
    assert all(abs(result.p_champion[t] - 0.25) < 0.04 for t in TEAMS)
    again = forecast(_edition(), DAY, EVEN, simulations=4_000, seed=7)
    assert again.to_dict() == result.to_dict()
    other = forecast(_edition(), DAY, EVEN, simulations=4_000, seed=8)
    assert other.to_dict() != result.to_dict()


def test_known_results_stay_known():
    # Upsets on the first two days (B over A, D over C and B, C over A, all 5-0) are known on
    # day 2: D has 6 points, B and C 3, A none.
    edition = _edition({1: (0, 5), 2: (0, 5), 3: (0, 5), 4: (0, 5)})
    result = forecast(edition, DAY + dt.timedelta(days=2), CERTAIN, simulations=100, seed=0)
    table = {row.team: row for row in result.tables["Group 1"]}
    assert [table[t].points for t in TEAMS] == [0, 3, 3, 6]
    # On the last day the stronger side wins 1-0: A 3, B 6, C 3, D 6 points, D ahead of B on
    # goal difference; the upsets put D through instead of A.
    assert result.p_advance == {"A": 0.0, "B": 1.0, "C": 0.0, "D": 1.0}
    before = forecast(edition, DAY, CERTAIN, simulations=100, seed=0)
    assert before.p_advance["A"] == 1.0  # on the first day nothing is known yet


def test_after_the_final_the_champion_is_certain():
    edition = _edition({1: (1, 0), 2: (1, 0), 3: (1, 0), 4: (1, 0), 5: (1, 0), 6: (1, 0)})
    after = forecast(edition, DAY + dt.timedelta(days=6), EVEN, simulations=50, seed=0)
    assert after.p_champion == {"A": 1.0, "B": 0.0, "C": 0.0, "D": 0.0}


def test_the_json_has_the_documented_keys():
    data = forecast(_edition(), DAY, EVEN, simulations=100, seed=0).to_dict()
    assert set(data) == {"tournament", "as_of", "simulations", "seed", "groups", "forecast"}
    assert set(data["tournament"]) == {"competition", "year", "start", "end", "format"}
    row = data["groups"][0]["table"][0]
    for key in ("position", "team", "played", "won", "drawn", "lost", "goals_for"):
        assert key in row
    for key in ("goals_against", "points", "fair_play", "decided_by"):
        assert key in row
    item = data["forecast"][0]
    assert set(item) >= {"team", "p_position", "p_advance", "p_round", "p_champion"}
    assert set(item["p_position"]) == {"1", "2", "3", "4"}


def test_the_number_of_simulations_is_bounded():
    with pytest.raises(InvalidInput, match="--sims"):
        forecast(_edition(), DAY, EVEN, simulations=0)
