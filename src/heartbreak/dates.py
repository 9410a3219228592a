"""Calendar dates a user gives, read in one place.

- :data:`Day`: the pydantic type of a date field (``YYYY-MM-DD`` text, a ``datetime.date``, a
  ``datetime.datetime`` for its day), used by every input model and the API's parameters;
- :data:`StartBound` and :data:`EndBound`: a ``--from``/``--to`` bound, a YEAR (its first day,
  or its last) or a date;
- :func:`parse_day` and :func:`parse_bound`: the same outside a model, raising
  :class:`~heartbreak.errors.InvalidInput` with the field named in the message and in
  ``field``.

At the bottom of the layers: imports nothing of Heartbreak but :mod:`heartbreak.errors`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BeforeValidator, TypeAdapter, ValidationError

from heartbreak.errors import InvalidInput

#: The longest text read as a date (longer text is not one, and is not echoed back).
MAX_DATE_TEXT = 32

DAY_FORMAT = "YYYY-MM-DD"
BOUND_FORMAT = "YYYY or YYYY-MM-DD"


def check_day(value: Any) -> dt.date:
    """A calendar date: a ``datetime.date`` (a ``datetime`` gives its day) or ISO text,
    YYYY-MM-DD; anything else (None: "a date is required") raises ValueError (as a pydantic
    validator)."""
    if value is None:
        raise ValueError(f"a date is required ({DAY_FORMAT})")
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) <= MAX_DATE_TEXT:
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    shown = repr(value) if not isinstance(value, str) or len(value) <= MAX_DATE_TEXT else "the text"
    raise ValueError(f"{shown} is not a date ({DAY_FORMAT})")


def _year(text: str, end: bool) -> dt.date | None:
    if text.isdigit() and len(text) == 4:
        return dt.date(int(text), 12, 31) if end else dt.date(int(text), 1, 1)
    return None


def check_bound(value: Any, end: bool) -> dt.date | None:
    """A ``--from`` (``end`` false) or ``--to`` bound: a YEAR, its first day (or its last when
    ``end``), or a date; None and dates pass through (a ``datetime`` gives its day). Anything
    else raises ValueError."""
    if isinstance(value, dt.datetime):
        return value.date()
    if value is None or isinstance(value, dt.date):
        return value
    text = str(value).strip()
    year = _year(text, end)
    if year is not None:
        return year
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{value!r} is not a year or a date ({BOUND_FORMAT})") from None


def _start(value: Any) -> dt.date | None:
    return check_bound(value, end=False)


def _end(value: Any) -> dt.date | None:
    return check_bound(value, end=True)


Day = Annotated[dt.date, BeforeValidator(check_day)]
"""A calendar date (see :func:`check_day`)."""
StartBound = Annotated[dt.date | None, BeforeValidator(_start)]
"""The first day of a range: a YEAR (its 1 January) or a date (see :func:`check_bound`)."""
EndBound = Annotated[dt.date | None, BeforeValidator(_end)]
"""The last day of a range: a YEAR (its 31 December) or a date (see :func:`check_bound`)."""

_DAY: TypeAdapter[dt.date] = TypeAdapter(Day)
_BOUNDS: dict[bool, TypeAdapter[dt.date | None]] = {
    False: TypeAdapter(StartBound),
    True: TypeAdapter(EndBound),
}


def parse_day(value: str | dt.date | None, field: str = "date") -> dt.date:
    """A date from ``YYYY-MM-DD`` text (or a date); the error names ``field`` (``--date``,
    ``date``) in its message and its ``field``."""
    if value is None:
        raise InvalidInput(f"{field}: a date is required ({DAY_FORMAT})", field=field)
    text = value if isinstance(value, dt.date) else str(value).strip()
    try:
        return _DAY.validate_python(text)
    except ValidationError:
        raise InvalidInput(
            f"{field}: {value!r} is not a date ({DAY_FORMAT})", field=field
        ) from None


def parse_bound(value: str | dt.date | None, field: str, end: bool) -> dt.date | None:
    """A ``--from``/``--to`` bound (see :func:`check_bound`); None passes through. The error
    names ``field`` in its message and its ``field``."""
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return _BOUNDS[end].validate_python(value)
    except ValidationError:
        raise InvalidInput(
            f"{field}: {value!r} is not a year or a date ({BOUND_FORMAT})", field=field
        ) from None
