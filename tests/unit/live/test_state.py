"""The fold of a live feed: order, repetition, retractions and corrections do not change it."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heartbreak.domain import EventType, Period, Side
from heartbreak.errors import InvalidInput
from heartbreak.live.state import (
    Clock,
    LiveMatch,
    current_clock,
    effective_events,
    is_finished,
    live_to_match,
    parse_message,
)

MATCH = LiveMatch("Belgium", "Japan", dt.date(2018, 7, 2), neutral=True, knockout=True)


def msg(**fields):
    return parse_message(MATCH, fields)


EVENTS = [
    msg(event_id="g1", type="goal", minute=48, team="Japan", player="Haraguchi"),
    msg(event_id="g2", type="goal", minute=52, team="away", player="Inui"),
    msg(event_id="r1", type="red_card", minute=60, team="Belgium"),
    msg(event_id="g3", type="goal", minute=69, team="Belgium", penalty=True),
    msg(event_id="ht", type="period_end", period="first_half", stoppage=1),
    msg(event_id="s2", type="stoppage", period="second_half", minute=90, added=4),
    msg(event_id="g4", type="goal", minute=90, stoppage=4, team="home", own_goal=True),
    msg(event_id="ft", type="period_end", period="second_half", stoppage=5),
]
FIXES = [
    msg(event_id="g1", type="correction", minute=47),
    msg(event_id="g3", type="correction", version=3, player="Vertonghen", penalty=False),
    msg(event_id="r1", type="retraction"),
    msg(event_id="zz", type="retraction"),
    msg(event_id="g9", type="correction", minute=10),  # its event never arrives
]
ALL = EVENTS + FIXES

messages = st.lists(st.sampled_from(ALL), min_size=0, max_size=25)


@settings(max_examples=100, deadline=None)
@given(st.permutations(ALL), st.lists(st.sampled_from(ALL), max_size=10), st.randoms())
def test_any_order_and_duplication_gives_the_same_events(order, extra, rnd):
    shuffled = list(order) + list(extra)
    rnd.shuffle(shuffled)
    assert effective_events(shuffled) == effective_events(ALL)
    assert current_clock(shuffled) == current_clock(ALL)


@settings(max_examples=100, deadline=None)
@given(messages, st.randoms())
def test_any_subset_is_order_independent(subset, rnd):
    shuffled = subset * 2
    rnd.shuffle(shuffled)
    assert effective_events(shuffled) == effective_events(subset)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(EVENTS), messages)
def test_retraction_wins_whether_it_comes_before_or_after(event, rest):
    retraction = msg(event_id=event["event_id"], type="retraction")
    before = effective_events([retraction, *rest, event])
    after = effective_events([*rest, event, retraction])
    assert before == after
    assert event["event_id"] not in {e.event_id for e in before}


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from([e for e in EVENTS if e["type"] in ("goal", "red_card")]),
    st.integers(1, 120),
    st.booleans(),
)
def test_correcting_then_correcting_back_is_the_original(event, minute, back_first):
    wrong = msg(event_id=event["event_id"], type="correction", version=2, minute=minute)
    back = msg(event_id=event["event_id"], type="correction", version=3, minute=event["minute"])
    sent = [back, event, wrong] if back_first else [event, wrong, back]
    assert effective_events(sent) == effective_events([event])


def test_the_fold_in_words():
    events = effective_events(ALL)
    ids = [e.event_id for e in events]
    assert ids == ["ht", "g1", "g2", "g3", "g4", "ft"]  # match order; r1 retracted; g9 waits
    g1 = events[1]
    assert (g1.minute, g1.side, g1.player) == (47, Side.AWAY, "Haraguchi")
    g3 = events[3]
    assert (g3.player, g3.penalty) == ("Vertonghen", False)
    assert events[0].type is EventType.PERIOD_END and events[0].period is Period.FIRST_HALF
    assert events[4].own_goal and events[4].stoppage == 4
    clock = current_clock(ALL)
    assert clock == Clock(Period.SECOND_HALF, 90, 5, period_over=True, added=4)
    match = live_to_match(MATCH, events)
    assert (match.home_score, match.away_score) == (2, 2)
    assert not is_finished(MATCH, events)  # level in a knockout: extra time is due


def test_a_level_knockout_is_not_over_at_ninety():
    events = effective_events(
        [
            msg(event_id="a", type="goal", minute=10, team="home"),
            msg(event_id="b", type="goal", minute=20, team="away"),
            msg(event_id="ft", type="period_end", period="second_half", stoppage=3),
        ]
    )
    assert not is_finished(MATCH, events)
    assert live_to_match(MATCH, events).extra_time is None
    more = (*events, *effective_events([msg(event_id="p", type="shootout", team="Japan")]))
    assert is_finished(MATCH, more)
    assert live_to_match(MATCH, more).shootout_winner is Side.AWAY


def test_kick_off_clock():
    assert current_clock([]) == Clock()
    assert current_clock([]).to_dict()["label"] == "KO"


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"type": "goal", "minute": 3, "team": "home"}, "event_id"),
        ({"event_id": "x", "type": "penalty"}, "type"),
        ({"event_id": "x", "type": "goal", "minute": 3, "team": "Brazil"}, "team"),
        ({"event_id": "x", "type": "goal", "minute": 130, "team": "home"}, "minute"),
        ({"event_id": "x", "type": "goal", "team": "home"}, "minute"),
        (
            {"event_id": "x", "type": "goal", "minute": 3, "team": "home", "own_goal": "y"},
            "own_goal",
        ),
        ({"event_id": "x", "type": "period_end", "period": "third_half"}, "period"),
        ({"event_id": "x", "type": "stoppage", "period": "first_half"}, "added"),
        ({"event_id": "x", "type": "correction"}, "correction"),
        ({"event_id": "x", "type": "correction", "version": 1, "minute": 4}, "version"),
        ({"event_id": "x", "type": "goal", "minute": 3, "team": "home", "colour": 1}, "colour"),
    ],
)
def test_bad_messages_name_the_field(raw, field):
    with pytest.raises(InvalidInput) as info:
        parse_message(MATCH, raw)
    assert info.value.message.startswith(f"{field}:")


def test_definition_round_trip_and_errors():
    assert LiveMatch.from_dict(MATCH.to_dict()) == MATCH
    with pytest.raises(InvalidInput, match=r"^date:"):
        LiveMatch.from_dict({"home": "A", "away": "B", "date": "02/07/2018"})
    with pytest.raises(InvalidInput, match=r"^elo_home:"):
        LiveMatch.from_dict({"home": "A", "away": "B", "date": "2018-07-02", "elo_home": "x"})
