"""Competition names as fans type them (heartbreak.data.competitions): exact names in any case,
the major tournaments' short names, else every competition containing the text, qualifiers only
when asked for."""

from __future__ import annotations

import pytest

from heartbreak.data.competitions import CompetitionResolver

#: Stored names that make the rules matter (the real store holds these, among 200 others).
NAMES = [
    "FIFA World Cup",
    "FIFA World Cup qualification",
    "Viva World Cup",
    "CONIFA World Cup qualification",
    "CONIFA World Football Cup",
    "UEFA Euro",
    "UEFA Euro qualification",
    "Central European International Cup",
    "African Cup of Nations",
    "African Cup of Nations qualification",
    "UEFA Nations League",
    "CONCACAF Nations League",
    "CONCACAF Nations League qualification",
    "Copa América",
    "Nations Cup",
    "Friendly",
]


@pytest.fixture(scope="module")
def resolver() -> CompetitionResolver:
    return CompetitionResolver(NAMES)


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        # 1. a stored name, in any case and without accents
        ("fifa world cup", ["FIFA World Cup"]),
        ("  FIFA  World Cup ", ["FIFA World Cup"]),
        ("Viva World Cup", ["Viva World Cup"]),
        ("copa america", ["Copa América"]),
        ("FIFA World Cup Qualification", ["FIFA World Cup qualification"]),
        ("Nations Cup", ["Nations Cup"]),
        # 2. a major tournament's short name, with or without its qualifiers
        ("World Cup", ["FIFA World Cup"]),
        ("world cup", ["FIFA World Cup"]),
        ("world cup qualification", ["FIFA World Cup qualification"]),
        ("World Cup qualifiers", ["FIFA World Cup qualification"]),
        ("world cup qualifying", ["FIFA World Cup qualification"]),
        ("Euro", ["UEFA Euro"]),
        ("Euros", ["UEFA Euro"]),
        ("euro qualifiers", ["UEFA Euro qualification"]),
        ("AFCON", ["African Cup of Nations"]),
        ("friendlies", ["Friendly"]),
        # 3. every competition containing it from a word's start, qualifiers only when asked
        ("nations league", ["CONCACAF Nations League", "UEFA Nations League"]),
        (
            "nations league qualification",
            ["CONCACAF Nations League qualification"],
        ),
        ("conifa world", ["CONIFA World Football Cup"]),
        ("americ", ["Copa América"]),
        ("ropean", []),
        ("Word Cup", []),
        ("", []),
    ],
)
def test_what_a_fan_types(resolver, typed, found):
    assert list(resolver.resolve(typed)) == found


def test_qualifiers_when_they_are_all_that_contain_the_text(resolver):
    assert resolver.resolve("conifa world cup") == ("CONIFA World Cup qualification",)


def test_a_short_name_the_store_lacks_is_read_as_text():
    only = CompetitionResolver(["Viva World Cup", "FIFA World Cup qualification"])
    assert only.resolve("World Cup") == ("Viva World Cup",)


def test_suggestions_for_a_misspelling(resolver):
    assert resolver.suggest("Word Cup")[0] == "FIFA World Cup"
    assert resolver.suggest("Copa Amerca")[0] == "Copa América"
    assert resolver.suggest("zzzz") == []
