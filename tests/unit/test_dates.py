"""The one date type (:mod:`heartbreak.dates`): what it reads and the errors it gives."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from pydantic import BaseModel, ValidationError

from heartbreak.dates import Day, EndBound, StartBound, parse_bound, parse_day
from heartbreak.errors import InvalidInput

JULY_2 = dt.date(2018, 7, 2)


@pytest.mark.parametrize(
    "value",
    ["2018-07-02", " 2018-07-02 ", "20180702", JULY_2, dt.datetime(2018, 7, 2, 21, 0)],
)
def test_a_day_from_text_a_date_or_a_datetime(value):
    assert parse_day(value) == JULY_2
    assert parse_day(pd.Timestamp("2018-07-02 20:00")) == JULY_2


def test_a_bad_day_names_its_field_in_the_message_and_the_error():
    with pytest.raises(InvalidInput) as info:
        parse_day("2018-06-31", "--date")
    assert info.value.message == "--date: '2018-06-31' is not a date (YYYY-MM-DD)"
    assert info.value.field == "--date"
    with pytest.raises(InvalidInput) as info:
        parse_day(None)
    assert info.value.message == "date: a date is required (YYYY-MM-DD)"
    assert info.value.field == "date"


def test_bounds_read_a_year_as_its_first_or_last_day():
    assert parse_bound("2018", "--from", end=False) == dt.date(2018, 1, 1)
    assert parse_bound("2018", "--to", end=True) == dt.date(2018, 12, 31)
    assert parse_bound("2018-07-02", "--to", end=True) == JULY_2
    assert parse_bound(None, "--to", end=True) is None
    assert parse_bound(JULY_2, "--to", end=True) == JULY_2
    with pytest.raises(InvalidInput) as info:
        parse_bound("1st May", "--from", end=False)
    assert info.value.message == ("--from: '1st May' is not a year or a date (YYYY or YYYY-MM-DD)")
    assert info.value.field == "--from"


class _Model(BaseModel):
    day: Day
    start: StartBound = None
    stop: EndBound = None


def test_the_pydantic_types():
    made = _Model(day="2018-07-02", start="1930", stop="2022")
    assert (made.day, made.start, made.stop) == (JULY_2, dt.date(1930, 1, 1), dt.date(2022, 12, 31))
    with pytest.raises(ValidationError, match=r"'2 July' is not a date \(YYYY-MM-DD\)"):
        _Model(day="2 July")
    with pytest.raises(ValidationError, match="the text is not a date"):
        _Model(day="x" * 33)  # long text is not echoed back
    with pytest.raises(ValidationError, match=r"'May' is not a year or a date"):
        _Model(day=JULY_2, stop="May")
