"""Team names: the World Cup DB mapping, aliases and the resolver."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from heartbreak.data.teams import (
    COMMON_ALIASES,
    WORLDCUP_NAMES,
    Alias,
    TeamResolver,
    all_aliases,
    fold,
    map_worldcup_name,
    map_worldcup_names,
)
from heartbreak.errors import UnknownTeam

NAMES = [
    "Belgium",
    "China",
    "Czech Republic",
    "DR Congo",
    "German DR",
    "Germany",
    "Indonesia",
    "Iran",
    "Ivory Coast",
    "Japan",
    "North Korea",
    "Russia",
    "Serbia",
    "South Korea",
    "Turkey",
    "United States",
    "Yugoslavia",
]


@pytest.mark.parametrize(
    ("name", "date", "expected"),
    [
        ("West Germany", dt.date(1974, 7, 7), "Germany"),
        ("East Germany", dt.date(1974, 6, 22), "German DR"),
        ("Zaire", dt.date(1974, 6, 14), "DR Congo"),
        ("Dutch East Indies", dt.date(1938, 6, 5), "Indonesia"),
        ("Soviet Union", dt.date(1966, 7, 12), "Russia"),
        ("Serbia and Montenegro", dt.date(2006, 6, 11), "Serbia"),
        ("Yugoslavia", dt.date(1998, 6, 14), "Serbia"),
        ("Yugoslavia", dt.date(1994, 12, 23), "Serbia"),
        ("Yugoslavia", dt.date(2003, 2, 3), "Serbia"),
        ("Yugoslavia", dt.date(1990, 6, 26), "Yugoslavia"),
        ("Yugoslavia", dt.date(1930, 7, 14), "Yugoslavia"),
        ("Belgium", dt.date(2018, 7, 2), "Belgium"),
    ],
)
def test_worldcup_names_map_to_international_names(name, date, expected):
    assert map_worldcup_name(name, date) == expected
    mapped = map_worldcup_names(pd.Series([name]), pd.Series([pd.Timestamp(date)]))
    assert mapped.iloc[0] == expected


def test_yugoslavia_without_a_date_is_yugoslavia():
    assert map_worldcup_name("Yugoslavia") == "Yugoslavia"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("USA", "United States"),
        ("United States of America", "United States"),
        ("Korea Republic", "South Korea"),
        ("Korea DPR", "North Korea"),
        ("IR Iran", "Iran"),
        ("Côte d'Ivoire", "Ivory Coast"),
        ("Cote d'Ivoire", "Ivory Coast"),
        ("côte d’ivoire", "Ivory Coast"),
        ("Czechia", "Czech Republic"),
        ("Türkiye", "Turkey"),
        ("Turkiye", "Turkey"),
        ("China PR", "China"),
        ("belgium", "Belgium"),
        ("  BELGIUM ", "Belgium"),
        ("West Germany", "Germany"),
        ("BEL", "Belgium"),
        ("YUG", "Yugoslavia"),
        ("SUN", "Russia"),
    ],
)
def test_resolver_aliases(text, expected):
    teams = pd.DataFrame(
        {
            "team_name": ["Belgium", "Yugoslavia", "Soviet Union", "West Germany", "Germany"],
            "team_code": ["BEL", "YUG", "SUN", "DEU", "DEU"],
        }
    )
    resolver = TeamResolver(NAMES, all_aliases(NAMES, wc_teams=teams))
    assert resolver.resolve(text) == expected


def test_resolver_is_date_aware_for_dated_aliases():
    resolver = TeamResolver(NAMES, all_aliases(NAMES))
    assert resolver.resolve("Yugoslavia") == "Yugoslavia"
    assert resolver.resolve("Yugoslavia", dt.date(1998, 6, 14)) == "Serbia"
    assert resolver.resolve("Yugoslavia", "1990-06-26") == "Yugoslavia"


def test_former_names_are_aliases():
    former = pd.DataFrame(
        {
            "current": ["DR Congo"],
            "former": ["Zaïre"],
            "start_date": [pd.Timestamp("1971-01-10")],
            "end_date": [pd.Timestamp("1997-04-27")],
        }
    )
    aliases = all_aliases(NAMES, former_names=former)
    zaire = [a for a in aliases if a.kind == "former_name"]
    assert zaire == [
        Alias("Zaïre", "DR Congo", dt.date(1971, 1, 10), dt.date(1997, 4, 27), "former_name")
    ]
    resolver = TeamResolver(NAMES, aliases)
    assert resolver.resolve("Zaire") == "DR Congo"
    assert resolver.resolve("zaïre", dt.date(1974, 6, 14)) == "DR Congo"


def test_unknown_team_carries_the_closest_names():
    resolver = TeamResolver(NAMES, all_aliases(NAMES))
    with pytest.raises(UnknownTeam) as caught:
        resolver.resolve("Belgim")
    assert caught.value.suggestions[0] == "Belgium"
    assert "Belgium" in caught.value.message
    with pytest.raises(UnknownTeam) as caught:
        resolver.resolve("Korea")
    assert {"South Korea", "North Korea"} <= set(caught.value.suggestions)


def test_unknown_empty_name():
    with pytest.raises(UnknownTeam):
        TeamResolver(NAMES).resolve("   ")


def test_plain_mapping_aliases():
    resolver = TeamResolver(["Belgium"], {"Red Devils": "Belgium"})
    assert resolver.resolve("red devils") == "Belgium"
    assert "belgium" in resolver


def test_aliases_pointing_outside_the_names_are_dropped():
    aliases = all_aliases(["Belgium"])
    assert aliases == []


def test_alias_tables_have_the_documented_kinds():
    assert {a.kind for a in WORLDCUP_NAMES} == {"worldcup"}
    assert {a.kind for a in COMMON_ALIASES} == {"common"}


def test_fold():
    assert fold("Côte d’Ivoire") == fold("cote d'ivoire")
    assert fold("Guinea-Bissau") == fold("guinea bissau")
    assert fold("U.S.A.") == fold("USA")
