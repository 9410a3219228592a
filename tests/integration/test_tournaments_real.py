"""Stages of the 2026 World Cup in the real store, from the schedule's dates (the table itself
is checked in tests/unit/data/test_tournaments.py)."""

from __future__ import annotations

import pytest


@pytest.mark.slow
def test_every_2026_world_cup_match_gets_its_stage(real_store):
    m = real_store.matches(competition="FIFA World Cup", date_from="2026-01-01")
    counts = m.groupby("stage").size().to_dict()
    assert counts == {
        "group stage": 72,
        "round of 32": 16,
        "round of 16": 8,
        "quarter-finals": 4,
        "semi-finals": 2,
        "third-place match": 1,
        "final": 1,
    }
    assert (m["knockout"] == (m["stage"] != "group stage")).all()
    final = m[m["stage"] == "final"].iloc[0]
    assert (final["home"], final["away"]) == ("Spain", "Argentina")
