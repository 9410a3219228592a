"""Cards and groups in live mode: a yellow card stands like an event (corrected, retracted) but
never reaches the replay's events, only a group's fair play (the bookings); a red card says
whether it was a second yellow; a live match may be played in a tournament's group."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heartbreak.domain import Event, EventType, Match, MatchInfo, Period, Side
from heartbreak.errors import InvalidInput
from heartbreak.live.state import (
    Clock,
    LiveMatch,
    bookings_of_records,
    check_cards,
    current_clock,
    definition_of,
    effective_events,
    events_of,
    feed_of,
    message_key,
    parse_message,
    standing_records,
)
from heartbreak.rules import MAX_STOPPAGE
from heartbreak.tournaments.stakes import Booking

# A group match: no extra time, so a card after 90' is refused.
MATCH = LiveMatch(
    "Spain",
    "Portugal",
    dt.date(2018, 6, 15),
    neutral=True,
    competition="FIFA World Cup",
    year=2018,
    group="B",
)
KNOCKOUT = LiveMatch("Belgium", "Japan", dt.date(2018, 7, 2), knockout=True)


def msg(**fields):
    return parse_message(MATCH, fields)


def records(messages):
    """The standing records of messages, keyed as the log keys them."""
    return standing_records({message_key(m): m for m in messages})


def bookings(messages):
    return bookings_of_records(MATCH, records(messages))


# --- the message ---------------------------------------------------------------------------


def test_a_yellow_card_parses_to_its_canonical_form():
    raw = {"event_id": 7, "type": "yellow_card", "minute": 45, "stoppage": 2}
    out = parse_message(MATCH, raw | {"team": " portugal ", "player": " Pepe "})
    expected = {"event_id": "7", "type": "yellow_card", "version": 1, "minute": 45}
    expected |= {"stoppage": 2, "side": "away", "player": "Pepe"}
    assert out == expected and list(out) == list(expected)
    # Empty fields are left out, as for every message (the log keys the canonical form).
    bare = msg(event_id="y", type="yellow_card", minute=3, team="home", stoppage=None)
    assert bare == {
        "event_id": "y",
        "type": "yellow_card",
        "version": 1,
        "minute": 3,
        "side": "home",
    }


def test_a_red_card_keeps_its_second_yellow_flag():
    second = msg(event_id="r", type="red_card", minute=60, team="Spain", second_yellow=True)
    assert second == {"event_id": "r", "type": "red_card", "version": 1, "minute": 60} | {
        "side": "home",
        "second_yellow": True,
    }
    straight = msg(event_id="r", type="red_card", minute=60, team="Spain")
    assert "second_yellow" not in straight
    assert message_key(second) != message_key(straight)


Y = {"event_id": "y", "type": "yellow_card"}
# (match, message, the error's message, its field), as test_messages' precedence has it.
ERRORS = [
    (MATCH, Y | {"minute": 30}, "team: required", "team"),
    (MATCH, Y | {"minute": 30, "team": None}, "team: required", "team"),
    (MATCH, Y | {"team": "home"}, "minute: required", "minute"),
    (MATCH, Y | {"minute": 0, "team": "home"}, "minute: events are labelled from 1'", "minute"),
    (
        MATCH,
        Y | {"minute": 30, "team": "Brazil"},
        "team: 'Brazil' is neither Spain nor Portugal (nor home/away)",
        "team",
    ),
    (
        MATCH,
        Y | {"minute": 30, "team": "home", "own_goal": False},
        "own_goal: not a field of a yellow_card message",
        "own_goal",
    ),
    (
        MATCH,
        Y | {"minute": 30, "team": "home", "second_yellow": True},
        "second_yellow: not a field of a yellow_card message",
        "second_yellow",
    ),
    (
        MATCH,
        Y | {"minute": 100, "team": "home"},
        "minute: 100 is extra time but knockout is false",
        "minute",
    ),
    (
        MATCH,
        Y | {"minute": 90, "stoppage": MAX_STOPPAGE + 1, "team": "home"},
        f"stoppage: {MAX_STOPPAGE + 1} is not between 0 and {MAX_STOPPAGE}",
        "stoppage",
    ),
    (
        MATCH,
        {"event_id": "r", "type": "red_card", "minute": 30, "team": "home", "second_yellow": "y"},
        "second_yellow: must be true or false",
        "second_yellow",
    ),
]


@pytest.mark.parametrize(("match", "raw", "message", "field"), ERRORS)
def test_a_bad_card_names_its_field(match, raw, message, field):
    with pytest.raises(InvalidInput) as info:
        parse_message(match, raw)
    assert (info.value.message, info.value.field) == (message, field)


def test_a_knockout_books_in_extra_time():
    out = parse_message(KNOCKOUT, Y | {"minute": 100, "team": "Japan"})
    assert (out["minute"], out["side"]) == (100, "away")


# --- the fold ------------------------------------------------------------------------------

EVENTS = [
    msg(event_id="g1", type="goal", minute=4, team="Portugal", player="Ronaldo", penalty=True),
    msg(event_id="g2", type="goal", minute=24, team="Spain", player="Costa"),
    msg(event_id="ht", type="period_end", period="first_half", stoppage=1),
    msg(event_id="r1", type="red_card", minute=60, team="home", second_yellow=True),
    msg(event_id="g3", type="goal", minute=88, team="away", player="Ronaldo"),
]
CARDS = [
    msg(event_id="y1", type="yellow_card", minute=12, team="away", player="Pepe"),
    msg(event_id="y2", type="yellow_card", minute=30, team="home", player="Busquets"),
    msg(event_id="y3", type="yellow_card", minute=90, stoppage=3, team="home"),
    msg(event_id="r2", type="red_card", minute=89, team="Portugal", player="Guerreiro"),
    msg(event_id="y2", type="correction", minute=33, player="Koke"),
    msg(event_id="y1", type="retraction"),
]


def test_a_yellow_card_is_no_event_but_moves_the_clock():
    yellow = msg(event_id="y", type="yellow_card", minute=70, team="away")
    assert effective_events([*EVENTS, yellow]) == effective_events(EVENTS)
    assert events_of(records([*EVENTS, yellow])) == events_of(records(EVENTS))
    assert current_clock(EVENTS) == Clock(Period.SECOND_HALF, 88)
    late = msg(event_id="y", type="yellow_card", minute=90, stoppage=4, team="home")
    assert current_clock([*EVENTS, late]) == Clock(Period.SECOND_HALF, 90, 4)
    # After half-time, with nothing else sent in the second half, the card alone moves it on.
    assert current_clock([*EVENTS[:3], yellow]) == Clock(Period.SECOND_HALF, 70)


def test_correcting_a_yellow_card_changes_its_booking():
    yellow = msg(event_id="y", type="yellow_card", minute=30, team="home", player="Busquets")
    assert bookings([yellow]) == (Booking("Spain", "Busquets", "yellow", Period.FIRST_HALF, 30),)
    fix = msg(event_id="y", type="correction", minute=45, stoppage=2, team="Portugal")
    fix_player = msg(event_id="y", type="correction", version=3, player="Pepe")
    # Corrections apply by version, whatever their order of arrival.
    for sent in ([yellow, fix, fix_player], [fix_player, fix, yellow]):
        assert bookings(sent) == (Booking("Portugal", "Pepe", "yellow", Period.FIRST_HALF, 45, 2),)
        assert effective_events(sent) == ()


def test_retracting_a_yellow_card_removes_its_booking_and_its_time():
    yellow = msg(event_id="y", type="yellow_card", minute=80, team="home")
    gone = msg(event_id="y", type="retraction")
    for sent in ([*EVENTS, yellow, gone], [gone, *EVENTS, yellow]):
        assert [b.card for b in bookings(sent)] == ["second_yellow"]  # r1's is left
        assert current_clock(sent) == current_clock(EVENTS)


def test_correcting_a_second_yellow_keeps_its_flag():
    fix = msg(event_id="r1", type="correction", minute=61)
    (booking,) = bookings([EVENTS[3], fix])
    assert (booking.card, booking.minute) == ("second_yellow", 61)


def test_bookings_are_the_standing_cards_in_match_order():
    sent = [*CARDS, *EVENTS]
    assert bookings(sent) == (
        Booking("Spain", "Koke", "yellow", Period.FIRST_HALF, 33),  # y2 corrected; y1 retracted
        Booking("Spain", None, "second_yellow", Period.SECOND_HALF, 60),
        Booking("Portugal", "Guerreiro", "red", Period.SECOND_HALF, 89),
        Booking("Spain", None, "yellow", Period.SECOND_HALF, 90, 3),
    )
    # The red cards, and only they, are events of the replay.
    reds = [e for e in effective_events(sent) if e.type is EventType.RED_CARD]
    assert [(e.event_id, e.side) for e in reds] == [("r1", Side.HOME), ("r2", Side.AWAY)]
    assert effective_events(sent) == effective_events([*EVENTS, CARDS[3]])


def test_a_second_yellow_set_false_is_a_straight_red():
    red = msg(event_id="r", type="red_card", minute=20, team="away", second_yellow=False)
    assert [b.card for b in bookings([red])] == ["red"]


YELLOW_IDS = ("y1", "y2", "y3")
RED_IDS = ("x1", "x2")


@st.composite
def card_messages(draw):
    """A card, a correction or a retraction; yellow and red cards under ids of their own."""
    kind = draw(st.sampled_from(["yellow_card", "red_card", "correction", "retraction"]))
    ids = {"yellow_card": YELLOW_IDS, "red_card": RED_IDS}.get(kind, YELLOW_IDS + RED_IDS)
    event_id = draw(st.sampled_from(ids))
    if kind == "retraction":
        return msg(event_id=event_id, type=kind)
    fields = {"event_id": event_id, "type": kind, "minute": draw(st.integers(1, 90))}
    if fields["minute"] in (45, 90):
        fields["stoppage"] = draw(st.integers(0, 6))
    fields["player"] = draw(st.sampled_from([None, "Pepe", "Koke"]))
    if kind == "correction":
        fields["version"] = draw(st.integers(2, 4))
        if draw(st.booleans()):
            fields["team"] = draw(st.sampled_from(["home", "away"]))
        return msg(**fields)
    fields["team"] = draw(st.sampled_from(["Spain", "Portugal"]))
    fields["version"] = draw(st.integers(1, 2))
    if kind == "red_card":
        fields["second_yellow"] = draw(st.sampled_from([None, False, True]))
    return msg(**fields)


cards = st.lists(card_messages(), max_size=10)


@settings(max_examples=100, deadline=None)
@given(cards, st.lists(st.sampled_from(EVENTS), max_size=5), st.randoms())
def test_any_order_and_repetition_folds_to_the_same_bookings(sent, events, rnd):
    mixed = sent + events
    again = mixed + rnd.sample(mixed, k=len(mixed) // 2)
    rnd.shuffle(again)
    assert bookings(again) == bookings(mixed)
    assert current_clock(again) == current_clock(mixed)
    # Whatever the yellow cards' corrections and retractions, the events are those without them.
    others = [m for m in mixed if m["event_id"] not in YELLOW_IDS]
    assert effective_events(again) == effective_events(others)


# --- the definition ------------------------------------------------------------------------

BODY = {"home": "Spain", "away": "Portugal", "date": "2018-06-15"}
WORLD_CUP = {"competition": "FIFA World Cup"}


NOT_A_TOURNAMENT = "competition: a group is of a tournament: give its competition"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"year": 2018}, "year: a year names a tournament's group: give group too"),
        (WORLD_CUP | {"year": 2018}, "year: a year names a tournament's group: give group too"),
        ({"group": "B"}, NOT_A_TOURNAMENT),
        ({"group": "B", "competition": "Friendly"}, NOT_A_TOURNAMENT),
        ({"group": "B", "competition": None}, NOT_A_TOURNAMENT),  # none given is a friendly
        (WORLD_CUP | {"group": "B", "knockout": True}, "knockout: a group match is not a knockout"),
        (WORLD_CUP | {"group": "B", "year": 1871}, "year: Input should be greater than or equal"),
        (WORLD_CUP | {"group": "B", "year": 2101}, "year: Input should be less than or equal"),
        (WORLD_CUP | {"group": "B", "year": "soon"}, "year: Input should be a valid integer"),
        (WORLD_CUP | {"group": 2}, "group: must be text"),
    ],
)
def test_a_bad_group_names_its_field(extra, message):
    with pytest.raises(InvalidInput) as info:
        LiveMatch.from_dict(BODY | extra)
    assert info.value.message.startswith(message)
    assert info.value.field == message.split(":")[0]


def test_a_group_is_of_a_year_the_dates_unless_given():
    match = LiveMatch.from_dict(BODY | WORLD_CUP | {"group": " B "})
    assert (match.year, match.group) == (2018, "B")
    assert match.group_key == ("FIFA World Cup", 2018, "B")
    assert LiveMatch.from_dict(match.to_dict()) == match
    given_year = LiveMatch.from_dict(BODY | WORLD_CUP | {"group": "Group B", "year": 2017})
    assert given_year.group_key == ("FIFA World Cup", 2017, "Group B")


def test_no_group_no_group_key():
    plain = LiveMatch.from_dict(BODY | WORLD_CUP)
    assert (plain.year, plain.group, plain.group_key) == (None, None, None)
    assert LiveMatch.from_dict(plain.to_dict()) == plain
    # Built directly, a group without its year names no tournament.
    assert LiveMatch("Spain", "Portugal", dt.date(2018, 6, 15), group="B").group_key is None
    assert MATCH.group_key == ("FIFA World Cup", 2018, "B")


# --- a stored match as a feed --------------------------------------------------------------

INFO = MatchInfo(
    "Spain",
    "Portugal",
    dt.date(2018, 6, 15),
    "FIFA World Cup",
    stage="Group B",
    neutral=True,
    city="Sochi",
    country="Russia",
)
STORED = Match(
    INFO,
    1,
    2,
    (
        Event(EventType.GOAL, 4, side=Side.AWAY, player="Ronaldo", penalty=True),
        Event(EventType.GOAL, 24, side=Side.HOME, player="Costa"),
        Event(EventType.RED_CARD, 60, side=Side.HOME, player="Busquets"),
        Event(EventType.RED_CARD, 75, side=Side.AWAY, player="Pepe"),
        Event(EventType.GOAL, 90, 2, side=Side.AWAY, player="Ronaldo"),
    ),
    extra_time=False,
)
# The store's bookings of STORED: Busquets's red was a second yellow, Pepe's straight.
STORED_CARDS = (
    Booking("Portugal", "Guerreiro", "yellow", Period.FIRST_HALF, 12),
    Booking("Spain", "Busquets", "yellow", Period.FIRST_HALF, 30),
    Booking("Spain", "Busquets", "second_yellow", Period.SECOND_HALF, 60),
    Booking("Portugal", "Pepe", "red", Period.SECOND_HALF, 75),
    Booking("Spain", None, "yellow", Period.SECOND_HALF, 82),
)
GROUP = ("FIFA World Cup", 2018, "B")


def test_the_definition_of_a_group_match_carries_its_group():
    body = definition_of(STORED, 1900.0, 1950.0, group=GROUP)
    assert (body["competition"], body["year"], body["group"]) == GROUP
    assert LiveMatch.from_dict(body).group_key == GROUP
    plain = definition_of(STORED, 1900.0, 1950.0)
    assert "year" not in plain and "group" not in plain
    assert {k: v for k, v in body.items() if k not in ("year", "group")} == plain
    assert LiveMatch.from_dict(plain).group_key is None


def test_a_feed_without_cards_is_unchanged():
    expected = [
        {"event_id": "goal-1", "type": "goal", "minute": 4, "team": "Portugal"}
        | {"player": "Ronaldo", "own_goal": False, "penalty": True},
        {"event_id": "goal-2", "type": "goal", "minute": 24, "team": "Spain"}
        | {"player": "Costa", "own_goal": False, "penalty": False},
        {"event_id": "end-first_half", "type": "period_end", "period": "first_half"},
        {"event_id": "red_card-3", "type": "red_card", "minute": 60, "team": "Spain"}
        | {"player": "Busquets"},
        {"event_id": "red_card-4", "type": "red_card", "minute": 75, "team": "Portugal"}
        | {"player": "Pepe"},
        {"event_id": "goal-5", "type": "goal", "minute": 90, "team": "Portugal", "stoppage": 2}
        | {"player": "Ronaldo", "own_goal": False, "penalty": False},
        {"event_id": "end-second_half", "type": "period_end", "period": "second_half"}
        | {"stoppage": 2},
    ]
    assert feed_of(STORED) == expected
    assert feed_of(STORED, ()) == expected
    assert feed_of(STORED, iter(())) == expected


def test_a_feed_with_cards_books_them_and_parses_back():
    feed = feed_of(STORED, STORED_CARDS)
    yellows = [m for m in feed if m["type"] == "yellow_card"]
    assert yellows == [
        {"event_id": "yellow_card-1", "type": "yellow_card", "minute": 12, "team": "Portugal"}
        | {"player": "Guerreiro"},
        {"event_id": "yellow_card-2", "type": "yellow_card", "minute": 30, "team": "Spain"}
        | {"player": "Busquets"},
        {"event_id": "yellow_card-3", "type": "yellow_card", "minute": 82, "team": "Spain"},
    ]
    reds = {m["event_id"]: m.get("second_yellow") for m in feed if m["type"] == "red_card"}
    assert reds == {"red_card-3": True, "red_card-4": None}
    # Beside the cards, the feed is the one without them.
    plain = [
        {k: v for k, v in m.items() if k != "second_yellow"}
        for m in feed
        if m["type"] != "yellow_card"
    ]
    assert plain == feed_of(STORED)
    live = LiveMatch.from_dict(definition_of(STORED, group=GROUP))
    parsed = [parse_message(live, m) for m in feed]
    assert [m["side"] for m in parsed if m["type"] == "yellow_card"] == ["away", "home", "home"]
    standing = standing_records({message_key(m): m for m in parsed})
    assert bookings_of_records(live, standing) == STORED_CARDS
    assert effective_events(parsed) == effective_events(
        [parse_message(live, m) for m in feed_of(STORED)]
    )


def test_a_card_in_stoppage_time_comes_before_its_period_ends():
    late = Booking("Spain", "Ramos", "yellow", Period.FIRST_HALF, 45, 3)
    feed = feed_of(STORED, (late,))
    order = [m["event_id"] for m in feed]
    assert order.index("yellow_card-1") < order.index("end-first_half")
    (half_time,) = (m for m in feed if m["event_id"] == "end-first_half")
    assert half_time.get("stoppage", 0) >= 3


def test_a_yellow_card_after_its_period_ended_is_refused():
    standing = records(
        [
            msg(event_id="end", type="period_end", period="first_half", stoppage=2),
            msg(event_id="late", type="yellow_card", minute=45, stoppage=3, team="home"),
        ]
    )
    with pytest.raises(InvalidInput) as caught:
        check_cards(standing)
    assert caught.value.field == "minute"
    assert "after the end of the first half (45+2')" in caught.value.message
    check_cards([r for r in standing if r["type"] == "period_end"])  # the end alone stands
