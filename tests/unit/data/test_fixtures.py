"""A ``predict --batch`` row as one pydantic model (:class:`heartbreak.data.userfile.Fixture`),
validated once by :func:`heartbreak.data.userfile.load_fixtures`."""

from __future__ import annotations

import datetime as dt

import pytest

from heartbreak.data.userfile import load_fixtures
from heartbreak.errors import InvalidInput, UnknownTeam


def canonical(name: str, day: dt.date) -> str:
    if name == "Belgum":
        raise UnknownTeam(name, ["Belgium"])
    return {"BEL": "Belgium"}.get(name, name)


def fixtures(tmp_path, *rows: str) -> list:
    path = tmp_path / "fixtures.csv"
    path.write_text("\n".join(["home,away,date,neutral", *rows]) + "\n", encoding="utf-8")
    return list(load_fixtures(path, {"canonical": canonical}))


def test_rows_are_read_with_canonical_teams_and_flags(tmp_path):
    [(line, fixture)] = fixtures(tmp_path, "BEL, Japan ,2018-07-02,yes")
    assert line == 2
    assert (fixture.home, fixture.away, fixture.date) == ("Belgium", "Japan", dt.date(2018, 7, 2))
    assert (fixture.neutral, fixture.knockout) == (True, False)


@pytest.mark.parametrize(
    ("row", "message", "field"),
    [
        ("Belgium,Japan,2018-06-31,1", "date: '2018-06-31' is not a date (YYYY-MM-DD)", "date"),
        ("Belgium,Japan", "date: a date is required (YYYY-MM-DD)", "date"),
        ("Belgium,,2018-07-02,1", "away: a team name is required", "away"),
        ("Belgium,Japan,2018-07-02,maybe", "neutral: 'maybe' is not true/false", "neutral"),
        ("Belgum,Japan,2018-07-02,1", "unknown team 'Belgum'; closest: Belgium", "home"),
        (
            "Japan,JAPAN,2018-07-02,1",
            "away: 'JAPAN' is Japan, the home team: a team cannot play itself",
            "away",
        ),
    ],
)
def test_a_bad_row_names_file_line_and_field(tmp_path, row, message, field):
    with pytest.raises(InvalidInput) as info:
        fixtures(tmp_path, "Belgium,Japan,2018-07-02,1", row)
    assert info.value.message == f"{tmp_path / 'fixtures.csv'}:3: {message}"
    assert info.value.field == field
