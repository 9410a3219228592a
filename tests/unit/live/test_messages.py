"""Live messages as one pydantic model a type: their canonical form (which the log keys by its
hash, so it must not change) and the one error reported, by precedence."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import TypeAdapter

from heartbreak.errors import InvalidInput
from heartbreak.live.state import (
    MESSAGE_TYPES,
    CorrectionMessage,
    GoalMessage,
    LiveDefinition,
    LiveMatch,
    LiveMessage,
    RetractionMessage,
    check_two_teams,
    message_key,
    parse_message,
)

KNOCKOUT = LiveMatch("Belgium", "Japan", dt.date(2018, 7, 2), knockout=True)
FRIENDLY = LiveMatch("Belgium", "Japan", dt.date(2018, 7, 2))

# (message sent, canonical form, its key): the key is the log's, so logs written before stay
# readable only while these stay the same.
CANONICAL = [
    (
        {"event_id": 7, "type": "goal", "minute": 48, "team": " japan ", "player": " Haraguchi "}
        | {"own_goal": False, "penalty": None},
        {"event_id": "7", "type": "goal", "version": 1, "minute": 48, "side": "away"}
        | {"player": "Haraguchi", "own_goal": False},
        "c971c82a798bf033d178889a3e6dc60be02ce9519f2f9182fe1f90f5438cc9d2",
    ),
    (
        {"event_id": "ht", "type": "period_end", "period": "first_half", "stoppage": 1},
        {"event_id": "ht", "type": "period_end", "version": 1, "period": "first_half"}
        | {"stoppage": 1},
        "2fa80a69a7e05f3d803d859c2dd5d2096c49836858f1fbe086419f1669e6d6a8",
    ),
    (
        {"event_id": "s2", "type": "stoppage", "period": "second_half", "minute": 90}
        | {"added": 4, "version": 2},
        {"event_id": "s2", "type": "stoppage", "version": 2, "period": "second_half"}
        | {"minute": 90, "added": 4},
        "0de666ff78b549f16be7d71a9a83b8d86ae901b149a8e1730d8ad3f8b167ac9f",
    ),
    (
        {"event_id": "c", "type": "clock", "minute": 45, "stoppage": 2, "period": "first_half"},
        {"event_id": "c", "type": "clock", "version": 1, "period": "first_half", "minute": 45}
        | {"stoppage": 2},
        "8bcf0577b00712cf2bd998fce38b81fc27a4a5dd3c30ee4eb619e1e190c8f896",
    ),
    (
        {"event_id": "g1", "type": "correction", "minute": 47, "team": "home", "player": ""},
        {"event_id": "g1", "type": "correction", "version": 2, "minute": 47, "side": "home"}
        | {"player": ""},
        "f6d8670c8a060785cfaa3030be9c6a47b2e033128014ea0cdb950c469401e3a2",
    ),
    (
        {"event_id": "g1", "type": "retraction", "version": "anything"},
        {"event_id": "g1", "type": "retraction"},
        "ef9caf1fd388df36a56bf9f56d3377225d69543419d2b778b8f250216c9b66bc",
    ),
    (
        {"event_id": "p", "type": "shootout", "team": "Japan"},
        {"event_id": "p", "type": "shootout", "version": 1, "side": "away"},
        "bef4130aa918c0dc49b9bc2830c45995a320a6dd529d3bd1de2904b5561b8aa8",
    ),
    (
        {"event_id": "2h", "type": "period_start", "period": "second_half"},
        {"event_id": "2h", "type": "period_start", "version": 1, "period": "second_half"},
        "149ccde915bae6324f61271483ca93e7912a28cf4e9576657b99d49ce6ec985b",
    ),
    (
        {"event_id": "r", "type": "red_card", "minute": 90, "stoppage": 3, "team": "away"}
        | {"player": None},
        {"event_id": "r", "type": "red_card", "version": 1, "minute": 90, "stoppage": 3}
        | {"side": "away"},
        "75a6dd4f2ec64b7687db933c32023b1be3b30b40a6e9f800a685d1d67a613725",
    ),
]


@pytest.mark.parametrize(("raw", "canonical", "key"), CANONICAL)
def test_the_canonical_form_and_its_key_are_unchanged(raw, canonical, key):
    out = parse_message(KNOCKOUT, raw)
    assert out == canonical and list(out) == list(canonical)
    assert message_key(out) == key


def test_the_type_picks_the_model():
    adapter = TypeAdapter(LiveMessage)
    context = {"context": {"match": KNOCKOUT}}
    goal = adapter.validate_python(
        {"event_id": 1, "type": "goal", "minute": 3, "team": "Belgium"}, **context
    )
    assert isinstance(goal, GoalMessage) and goal.team == "home"
    fix = adapter.validate_python({"event_id": 1, "type": "correction", "minute": 3}, **context)
    assert isinstance(fix, CorrectionMessage) and fix.version == 2
    gone = adapter.validate_python({"event_id": 1, "type": "retraction"}, **context)
    assert isinstance(gone, RetractionMessage)


NAMES = ", ".join(MESSAGE_TYPES)
PERIODS = "first_half, second_half, extra_time_first_half, extra_time_second_half"
K, F = KNOCKOUT, FRIENDLY
# (match, message, the error's message, its field): the event id is judged first, then the
# type, then a field the type has not (the first alphabetically), then the version, then a
# field the type needs, then the other fields in their order, then the rules over several.
ERRORS = [
    (
        K,
        {"event_id": True, "type": "penalty", "colour": 1},
        "event_id: the sender's id of the event is required",
        "event_id",
    ),
    (K, {"type": "goal"}, "event_id: the sender's id of the event is required", "event_id"),
    (K, {"event_id": 2**63, "type": "goal"}, "event_id: at most 64 characters", "event_id"),
    (K, {"event_id": "e" * 65, "type": "goal"}, "event_id: at most 64 characters", "event_id"),
    (
        K,
        {"event_id": "x", "type": "penalty", "colour": 1},
        f"type: 'penalty' is not one of {NAMES}",
        "type",
    ),
    (
        K,
        {"event_id": "x", "type": "goal", "zz": 1, "colour": 2, "version": 0},
        "colour: not a field of a goal message",
        "colour",
    ),
    (
        K,
        {"event_id": "x", "type": "retraction", "minute": 3},
        "minute: not a field of a retraction message",
        "minute",
    ),
    (
        K,
        {"event_id": "x", "type": "goal", "version": 0, "minute": 130},
        "version: must be a whole number from 1",
        "version",
    ),
    (
        K,
        {"event_id": "x", "type": "correction", "version": None, "minute": 3},
        "version: must be a whole number from 1",
        "version",
    ),
    (
        K,
        {"event_id": "x", "type": "correction", "version": 1},
        "version: a correction is version 2 or later",
        "version",
    ),
    (K, {"event_id": "x", "type": "goal", "minute": 130, "team": None}, "team: required", "team"),
    (
        K,
        {"event_id": "x", "type": "stoppage"},
        "added: the minutes of stoppage announced are required",
        "added",
    ),
    (
        K,
        {"event_id": "x", "type": "period_start"},
        "period: the period that starts is required",
        "period",
    ),
    (K, {"event_id": "x", "type": "shootout"}, "team: the shootout's winner is required", "team"),
    (
        K,
        {"event_id": "x", "type": "goal", "minute": 130, "team": "Brazil"},
        "minute: 130 is not between 0 and 120",
        "minute",
    ),
    (
        K,
        {"event_id": "x", "type": "goal", "minute": 30, "team": "Brazil", "own_goal": "y"},
        "team: 'Brazil' is neither Belgium nor Japan (nor home/away)",
        "team",
    ),
    (
        K,
        {"event_id": "x", "type": "red_card", "minute": 3.0, "team": "home"},
        "minute: must be a whole number",
        "minute",
    ),
    (
        K,
        {"event_id": "x", "type": "stoppage", "added": 3},
        f"period: None is not one of {PERIODS}",
        "period",
    ),
    (
        K,
        {"event_id": "x", "type": "period_start", "period": "shootout"},
        f"period: 'shootout' is not one of {PERIODS}",
        "period",
    ),
    (
        K,
        {"event_id": "x", "type": "correction", "player": "a" * 101},
        "player: at most 100 characters (this one has 101)",
        "player",
    ),
    (
        K,
        {"event_id": "x", "type": "goal", "minute": 0, "team": "home"},
        "minute: events are labelled from 1'",
        "minute",
    ),
    (
        K,
        {"event_id": "x", "type": "clock", "minute": 30, "stoppage": 2},
        "stoppage: only after a period's last minute (45, 90, 105, 120)",
        "stoppage",
    ),
    (
        K,
        {"event_id": "x", "type": "clock", "minute": 50, "period": "first_half"},
        "minute: 50 is not in the first_half (0 to 45)",
        "minute",
    ),
    (
        K,
        {"event_id": "x", "type": "clock", "minute": 90, "stoppage": 1}
        | {"period": "extra_time_first_half"},
        "stoppage: only after the extra_time_first_half's last minute",
        "stoppage",
    ),
    (
        F,
        {"event_id": "x", "type": "shootout", "team": "home"},
        "type: only a knockout match has a shootout (knockout is false)",
        "type",
    ),
    (
        F,
        {"event_id": "x", "type": "goal", "minute": 110, "team": "home"},
        "minute: 110 is extra time but knockout is false",
        "minute",
    ),
    (
        F,
        {"event_id": "x", "type": "period_start", "period": "extra_time_first_half"},
        "period: extra_time_first_half is extra time but knockout is false",
        "period",
    ),
    (
        F,
        {"event_id": "x", "type": "correction", "minute": 91},
        "minute: 91 is extra time but knockout is false",
        "minute",
    ),
    (K, ["not", "an", "object"], "message: must be a JSON object", "message"),
]


@pytest.mark.parametrize(("match", "raw", "message", "field"), ERRORS)
def test_the_one_error_reported(match, raw, message, field):
    with pytest.raises(InvalidInput) as info:
        parse_message(match, raw)
    assert (info.value.message, info.value.field) == (message, field)


def test_an_empty_correction_names_what_it_may_give():
    with pytest.raises(InvalidInput) as info:
        parse_message(KNOCKOUT, {"event_id": "x", "type": "correction", "player": None})
    assert info.value.field == "correction"
    assert info.value.message.startswith("correction: give at least one of minute, ")


def test_the_definition_model_leaves_the_two_teams_to_the_service():
    body = {"home": "Korea Republic", "away": "South Korea", "date": "2018-07-02"}
    match = LiveMatch.of(LiveDefinition.model_validate(body))  # the shape is fine
    assert match == LiveMatch.from_dict(body)
    with pytest.raises(InvalidInput) as info:
        check_two_teams(match)
    assert info.value.field == "away"
    assert info.value.message == (
        "away: 'South Korea' is South Korea, the home team: a team cannot play itself"
    )
    check_two_teams(KNOCKOUT)
    resolve = {"belgium": "Belgium", "les diables": "Belgium"}.get
    with pytest.raises(InvalidInput, match=r"^away: 'les diables' is Belgium"):
        check_two_teams(LiveMatch("belgium", "les diables", dt.date(2018, 7, 2)), resolve)
