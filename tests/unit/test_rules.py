"""The rules every match that comes in is held to (:mod:`heartbreak.rules`), and the reading of
users' files (:mod:`heartbreak.data.userfile`): known answers."""

from __future__ import annotations

import math

import pytest

from heartbreak.data.userfile import decode_text, parse_json
from heartbreak.domain import Event, EventType, Period, Side
from heartbreak.errors import InvalidInput
from heartbreak.model.inplay import InPlayModel
from heartbreak.rules import (
    MAX_RED_CARDS,
    RuleBroken,
    canonical_team,
    check_events,
    check_rating,
    check_teams,
    check_text,
)

TEAMS = ("Belgium", "Japan")
H, A = Side.HOME, Side.AWAY


def goal(minute, side, stoppage=0):
    return Event(EventType.GOAL, minute, stoppage, side=side)


def red(minute, side):
    return Event(EventType.RED_CARD, minute, side=side)


def end(period, stoppage=0):
    return Event(EventType.PERIOD_END, period.end_minute, stoppage, period=period)


def shootout(side):
    return Event(EventType.SHOOTOUT, 120, side=side, period=Period.SHOOTOUT)


def broken(events, knockout=True) -> RuleBroken:
    with pytest.raises(RuleBroken) as info:
        check_events(events, knockout, TEAMS)
    return info.value


def test_a_match_within_the_laws_passes():
    events = [
        red(10, A),
        goal(20, H),
        end(Period.FIRST_HALF, 2),
        goal(88, A),
        end(Period.SECOND_HALF, 4),
        goal(100, H),
        goal(118, A),
        end(Period.EXTRA_FIRST),
        end(Period.EXTRA_SECOND),
        shootout(A),
    ]
    check_events(sorted(events, key=lambda e: e.sort_key), True, TEAMS)
    check_events([red(m, H) for m in range(1, MAX_RED_CARDS + 1)], False, TEAMS)


def test_the_fifth_red_card_of_a_side_is_an_abandoned_match():
    fifth = red(50, A)
    rule = broken([*(red(m, A) for m in range(1, 5)), red(30, H), fifth])
    assert rule.event is fifth and rule.field == "team"
    assert rule.message.startswith("a fifth red card for Japan: a side with fewer than seven")


@pytest.mark.parametrize(
    ("events", "knockout", "field", "message"),
    [
        ([goal(95, H)], False, "minute", "95 is extra time but knockout is false"),
        (
            [end(Period.EXTRA_FIRST)],
            False,
            "period",
            "extra_time_first_half is extra time but knockout is false",
        ),
        ([shootout(H)], False, "type", "only a knockout match has a shootout (knockout is false)"),
        ([shootout(H), shootout(A)], True, "type", "a second shootout: the match has had one"),
        ([goal(3, H), shootout(H)], True, "type", "a shootout needs a level score (it is 1-0)"),
        (
            [end(Period.SECOND_HALF, 4), goal(90, H, 6)],
            True,
            "stoppage",
            "90+6' is after the end of the second half at 90+4'",
        ),
        (
            [goal(3, H), end(Period.SECOND_HALF), goal(100, A)],
            True,
            "minute",
            "100' is after full time: the match ended 1-0 at 90'",
        ),
    ],
)
def test_each_law_names_its_field(events, knockout, field, message):
    rule = broken(events, knockout)
    assert rule.field == field
    assert rule.message.startswith(message), rule.message


def test_ratings_are_finite_and_in_range():
    assert check_rating(None) is None
    assert check_rating(1500) == 1500.0 and check_rating("1800.5") == 1800.5
    for bad in (math.nan, math.inf, -math.inf, 1e308, 10**400, 3999.9, 0.0001, 399.99, 2800.01):
        with pytest.raises(ValueError, match="is not a rating"):
            check_rating(bad)
    for bad in (True, "strong", [1500]):
        with pytest.raises(ValueError):
            check_rating(bad)


def test_text_has_a_length_limit_and_no_control_characters():
    assert check_text("  round of 16 ") == "round of 16"
    with pytest.raises(ValueError, match="at most 100 characters"):
        check_text("x" * 101)
    with pytest.raises(ValueError, match="control characters"):
        check_text("final\x00")


def test_a_team_is_itself_under_any_name():
    assert canonical_team("Korea Republic") == "South Korea"
    assert canonical_team("Atlantis") == "Atlantis"
    with pytest.raises(ValueError, match=r"^away: 'South Korea' is South Korea, the home team"):
        check_teams("Korea Republic", "South Korea")
    with pytest.raises(ValueError, match="cannot play itself"):
        check_teams("JAPAN", " japan")

    def resolve(name, day):
        return {"jpn": "Japan", "japan": "Japan"}.get(name.lower())

    with pytest.raises(ValueError, match="cannot play itself"):
        check_teams("JPN", "Japan", None, resolve)
    check_teams("JPN", "Belgium", None, resolve)


def test_the_engine_counts_at_most_four_red_cards_a_side():
    model = InPlayModel()
    four = model.red_card_multipliers([4], [0])
    assert model.red_card_multipliers([100], [0]) == four


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"\x00\x01\x02binary", "a binary file"),
        ('{"a": "é"}'.encode("latin-1"), "not UTF-8 text (byte 0xe9 at offset 7; it looks like"),
        ('{"a": 1}'.encode("utf-16"), "the file is UTF-16 text"),
        ('{"a": 1}'.encode("utf-16-be"), "the file is UTF-16 text"),
        ('{"a": 1}'.encode("utf-32"), "the file is UTF-32 text"),
    ],
)
def test_text_that_is_not_utf8_is_named(raw, words):
    with pytest.raises(InvalidInput) as info:
        decode_text(raw, "f.json")
    assert info.value.message.startswith("f.json: ") and words in info.value.message


def test_a_byte_order_mark_is_dropped_and_json_nesting_is_bounded():
    assert decode_text(b'\xef\xbb\xbf{"a": 1}', "f.json") == '{"a": 1}'
    assert parse_json('{"a": "[[[[[[[[", "b": [[1]]}', "f.json") == {"a": "[[[[[[[[", "b": [[1]]}
    with pytest.raises(InvalidInput, match="nested more than 64 deep"):
        parse_json("[" * 65 + "]" * 65, "f.json")
    parse_json("[" * 64 + "]" * 64, "f.json")
    with pytest.raises(InvalidInput, match="not valid JSON"):
        parse_json('{"n": ' + "9" * 5000 + "}", "f.json")
