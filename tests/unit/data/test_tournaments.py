"""Stages of the 2026 World Cup from the schedule's dates."""

from __future__ import annotations

import datetime as dt
import itertools

import pandas as pd

from heartbreak.data.tournaments import STAGES_BY_DATE, stages_by_date


def test_dates_map_to_stages_only_for_the_world_cup():
    competition = pd.Series(["FIFA World Cup", "FIFA World Cup", "FIFA World Cup", "Friendly"])
    dates = pd.Series(["2026-06-27", "2026-06-28", "2026-07-19", "2026-07-19"])
    stage, knockout = stages_by_date(competition, dates)
    assert stage.tolist() == ["group stage", "round of 32", "final", None]
    assert knockout.tolist() == [False, True, True, None]


def test_the_table_is_ordered_and_does_not_overlap():
    for (_, last, *_), (first, *_) in itertools.pairwise(STAGES_BY_DATE):
        assert last < first
    assert all(first <= last for first, last, *_ in STAGES_BY_DATE)
    assert STAGES_BY_DATE[-1][:3] == (dt.date(2026, 7, 19), dt.date(2026, 7, 19), "final")
