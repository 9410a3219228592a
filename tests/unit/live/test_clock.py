"""Clock updates and period starts: they move the clock, never the events, in any order."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heartbreak.domain import Period
from heartbreak.errors import InvalidInput
from heartbreak.live.service import Mailbox, cut_at_clock
from heartbreak.live.state import (
    Clock,
    LiveMatch,
    current_clock,
    effective_events,
    message_key,
    parse_message,
)

MATCH = LiveMatch("Belgium", "Japan", dt.date(2018, 7, 2), neutral=True, knockout=True)


def msg(**fields):
    return parse_message(MATCH, fields)


EVENTS = [
    msg(event_id="g1", type="goal", minute=48, team="Japan"),
    msg(event_id="g2", type="goal", minute=52, team="away"),
    msg(event_id="ht", type="period_end", period="first_half", stoppage=1),
    msg(event_id="r1", type="red_card", minute=60, team="home"),
    msg(event_id="r1", type="retraction"),
    msg(event_id="g1", type="correction", minute=47),
]
PLAY = [Period.FIRST_HALF, Period.SECOND_HALF, Period.EXTRA_FIRST, Period.EXTRA_SECOND]


@st.composite
def clock_messages(draw):
    """A valid clock update or period start, under one of a few event ids."""
    event_id = draw(st.sampled_from(["c1", "c2", "c3", "tick"]))
    if draw(st.booleans()):
        period = draw(st.sampled_from(PLAY))
        return msg(event_id=event_id, type="period_start", period=period.value)
    period = draw(st.sampled_from(PLAY))
    minute = draw(st.integers(period.start_minute, period.end_minute))
    fields = {"event_id": event_id, "type": "clock", "minute": minute}
    if minute == period.end_minute:
        fields["stoppage"] = draw(st.integers(0, 6))
    if draw(st.booleans()):
        fields["period"] = period.value
    elif minute == period.start_minute and period is not Period.FIRST_HALF:
        fields["period"] = period.value  # 45 alone is the first half's last minute
    if draw(st.booleans()):
        fields["version"] = draw(st.integers(1, 3))
    return msg(**fields)


clocks = st.lists(clock_messages(), max_size=8)
events = st.lists(st.sampled_from(EVENTS), max_size=8)


@settings(max_examples=100, deadline=None)
@given(events, clocks, st.randoms())
def test_clock_messages_never_change_the_events(sent, ticks, rnd):
    mixed = sent + ticks
    rnd.shuffle(mixed)
    assert effective_events(mixed) == effective_events(sent)


@settings(max_examples=100, deadline=None)
@given(events, clocks, st.randoms())
def test_the_clock_is_order_free_and_idempotent(sent, ticks, rnd):
    mixed = sent + ticks
    again = mixed * 2
    rnd.shuffle(again)
    assert current_clock(again) == current_clock(mixed)


@settings(max_examples=100, deadline=None)
@given(events, clocks, clock_messages())
def test_a_new_clock_update_never_takes_the_clock_back(sent, ticks, tick):
    tick = {**tick, "event_id": "new"}
    before = current_clock(sent + ticks)
    after = current_clock([*sent, *ticks, tick])
    assert after.key >= before.key
    assert after.key >= current_clock([tick]).key  # the furthest of everything that stands


@settings(max_examples=100, deadline=None)
@given(events, clock_messages())
def test_a_retracted_clock_update_counts_for_nothing(sent, tick):
    retraction = msg(event_id=tick["event_id"], type="retraction")
    # the tick's id is not an event's id, so retracting it leaves the events alone
    assert current_clock([*sent, tick, retraction]) == current_clock(sent)
    assert current_clock([retraction, *sent, tick]) == current_clock(sent)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(1, 90), min_size=1, max_size=6), st.randoms())
def test_one_id_sent_again_and_again_stands_at_its_furthest(minutes, rnd):
    ticks = [msg(event_id="clock", type="clock", minute=m) for m in minutes]
    rnd.shuffle(ticks)
    clock = current_clock(ticks)
    assert clock.minute == max(minutes)
    assert clock.period is Period.of_minute(max(minutes))


def test_the_clock_in_words():
    assert current_clock([msg(event_id="ko", type="period_start", period="first_half")]) == Clock()
    tick = msg(event_id="t", type="clock", minute=30)
    assert current_clock([tick]) == Clock(Period.FIRST_HALF, 30, 0)
    assert current_clock([tick]).to_dict()["label"] == "30'"
    added = msg(event_id="t2", type="clock", minute=45, stoppage=2)
    assert current_clock([tick, added]) == Clock(Period.FIRST_HALF, 45, 2)
    # half-time stands: a late tick of the first half does not reopen it
    ht = msg(event_id="ht", type="period_end", period="first_half", stoppage=1)
    assert current_clock([added, ht]) == Clock(Period.FIRST_HALF, 45, 2, period_over=True)
    second = msg(event_id="2h", type="period_start", period="second_half")
    assert current_clock([added, ht, second]) == Clock(Period.SECOND_HALF, 45, 0)
    assert current_clock([second, msg(event_id="t3", type="clock", minute=61)]).minute == 61
    # a goal further on moves the clock as before; a clock update behind it does not move it
    goal = msg(event_id="g", type="goal", minute=70, team="home")
    assert current_clock([goal, msg(event_id="t4", type="clock", minute=65)]).minute == 70
    extra = msg(event_id="et", type="period_start", period="extra_time_first_half")
    assert current_clock([goal, extra]) == Clock(Period.EXTRA_FIRST, 90, 0)
    # a correction moves a clock update like an event
    fix = msg(event_id="t", type="correction", minute=33)
    assert current_clock([tick, fix]) == Clock(Period.FIRST_HALF, 33, 0)
    # its stoppage minutes announced still show
    announced = msg(event_id="a", type="stoppage", period="first_half", added=3)
    assert current_clock([announced, tick]).added == 3


def test_clock_messages_are_canonical_and_keyed_by_content():
    a = msg(event_id=7, type="clock", minute=12)
    assert a == {"event_id": "7", "type": "clock", "version": 1, "minute": 12}
    assert message_key(a) == message_key(msg(event_id="7", type="clock", minute=12))
    assert message_key(a) != message_key(msg(event_id="7", type="clock", minute=13))
    start = msg(event_id="s", type="period_start", period="second_half")
    assert start == {"event_id": "s", "type": "period_start", "version": 1, "period": "second_half"}
    assert msg(event_id="k", type="clock", minute=0)["minute"] == 0  # kick-off


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"event_id": "x", "type": "clock"}, "minute"),
        ({"event_id": "x", "type": "clock", "minute": 121}, "minute"),
        ({"event_id": "x", "type": "clock", "minute": "12"}, "minute"),
        ({"event_id": "x", "type": "clock", "minute": 30, "stoppage": 2}, "stoppage"),
        ({"event_id": "x", "type": "clock", "minute": 45, "stoppage": 31}, "stoppage"),
        ({"event_id": "x", "type": "clock", "minute": 50, "period": "first_half"}, "minute"),
        ({"event_id": "x", "type": "clock", "minute": 30, "period": "shootout"}, "period"),
        ({"event_id": "x", "type": "clock", "minute": 45, "period": "2nd"}, "period"),
        (
            {"event_id": "x", "type": "clock", "minute": 45, "stoppage": 1}
            | {"period": "second_half"},
            "stoppage",
        ),
        ({"event_id": "x", "type": "clock", "minute": 3, "team": "home"}, "team"),
        ({"event_id": "x", "type": "clock", "minute": 3, "version": 0}, "version"),
        ({"type": "clock", "minute": 3}, "event_id"),
        ({"event_id": "x", "type": "period_start"}, "period"),
        ({"event_id": "x", "type": "period_start", "period": "half_time"}, "period"),
        ({"event_id": "x", "type": "period_start", "period": "shootout"}, "period"),
        ({"event_id": "x", "type": "period_start", "period": "first_half", "minute": 1}, "minute"),
    ],
)
def test_bad_clock_messages_name_the_field(raw, field):
    with pytest.raises(InvalidInput) as info:
        parse_message(MATCH, raw)
    assert info.value.message.startswith(f"{field}:")


# --- the cut at the clock -----------------------------------------------------------------


def _point(kind, period, minute, stoppage=0):
    return {"kind": kind, "period": period, "minute": minute, "stoppage": stoppage}


STATE = {
    "timeline": [
        _point("kick_off", "first_half", 0),
        _point("minute", "first_half", 30),
        _point("minute", "first_half", 45, 1),
        _point("period_end", "first_half", 45, 1),
        _point("minute", "second_half", 46),
        _point("minute", "second_half", 61),
        _point("period_end", "second_half", 90, 3),
        _point("final_whistle", "second_half", 90, 3),
    ],
    "emotions": {"Belgium": list(range(8)), "Japan": list(range(10, 18))},
    "story": "kept",
}


@pytest.mark.parametrize(
    ("messages", "shown"),
    [
        ([], 1),
        ([msg(event_id="t", type="clock", minute=30)], 2),
        ([msg(event_id="t", type="clock", minute=45, stoppage=1)], 3),
        ([msg(event_id="ht", type="period_end", period="first_half", stoppage=1)], 4),
        ([msg(event_id="2h", type="period_start", period="second_half")], 4),
        ([msg(event_id="t", type="clock", minute=61)], 6),
        ([msg(event_id="ft", type="period_end", period="second_half", stoppage=3)], 7),
    ],
)
def test_the_replay_is_shown_up_to_the_clock(messages, shown):
    cut = cut_at_clock(dict(STATE), current_clock(messages))
    assert cut["timeline"] == STATE["timeline"][:shown]
    assert cut["emotions"] == {team: v[:shown] for team, v in STATE["emotions"].items()}
    assert cut["story"] == "kept"
    assert len(STATE["timeline"]) == 8  # the cut is a new list; the replay is left whole


# --- a subscriber's mailbox -----------------------------------------------------------------


def test_a_mailbox_drops_its_oldest_frame_when_full():
    box = Mailbox(3)
    for item in range(5):
        box.offer(item)
    assert box.qsize() == 3
    assert [box.get_nowait() for _ in range(3)] == [2, 3, 4]
    assert box.empty()
