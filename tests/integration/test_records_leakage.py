"""No leakage from later matches in the precedents of :mod:`heartbreak.story.records`: a property
over random hand-built histories (no real data, but about 45 s: up to 14 matches in each of 60
examples, each match's precedents found twice), kept out of the unit suite."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heartbreak.story.records import precedents
from precedent_history import FINAL, QF, R16, SF, History, traced

# --- no leakage from later matches ----------------------------------------------------------

TEAMS = ["A", "B", "C", "D", "E"]
STAGES = [None, "group stage", R16, QF, SF, FINAL]


@st.composite
def histories(draw) -> History:
    h = History()
    n = draw(st.integers(min_value=2, max_value=14))
    day = dt.date(1960, 1, 1)
    for _ in range(n):
        day += dt.timedelta(days=draw(st.sampled_from([0, 1, 400, 3000])))
        home, away = draw(st.lists(st.sampled_from(TEAMS), min_size=2, max_size=2, unique=True))
        stage = draw(st.sampled_from(STAGES))
        goals = draw(
            st.lists(
                st.tuples(st.sampled_from("ha"), st.integers(1, 120), st.integers(0, 6)),
                max_size=6,
            )
        )
        goals.sort(key=lambda g: (g[1], g[2]))
        texts = [
            f"{s} {m}+{x}" if x and m in (45, 90, 105, 120) else f"{s} {m}" for s, m, x in goals
        ]
        texts = (
            [t for t in texts if int(t.split()[1].split("+")[0]) <= 90] if stage is None else texts
        )
        hs = sum(t[0] == "h" for t in texts)
        as_ = sum(t[0] == "a" for t in texts)
        extra = any(int(t.split()[1].split("+")[0]) > 90 for t in texts)
        pens = (
            draw(st.sampled_from([home, away]))
            if hs == as_ and stage in (R16, QF, SF, FINAL)
            else None
        )
        elo = (draw(st.floats(1300, 2100)), draw(st.floats(1300, 2100)))
        h.add(day.isoformat(), home, away, texts, stage=stage, extra_time=extra, pens=pens, elo=elo)
    return h


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_no_future_leakage(h: History):
    """Each match's facts are the same from the whole history and from the history cut at its
    date (later matches, and others played the same day, change nothing)."""
    matches, goals = h.frames()
    for row in matches.itertuples(index=False):
        facts = precedents(row.match_id, matches, goals)
        cut = matches[(matches["date"] < row.date) | (matches["match_id"] == row.match_id)]
        alone = precedents(row.match_id, cut, goals[goals["match_id"].isin(cut["match_id"])])
        assert facts == alone
        for fact in facts:
            traced(fact)
            if fact.reference_date is not None:
                assert fact.reference_date < row.date.date()
