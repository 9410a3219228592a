"""How numbers, chances and dates are put into words, shared by the stories, the rankings' reasons,
the charts and the pages: one wording for each."""

from __future__ import annotations

import datetime as dt
import math
import re


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 101st, 111th, 1,907th."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n:,}{suffix}"


def share_at_top(rank: int, of: int) -> str:
    """How high a rank stands as a share: "top 0.1%", "top 5%", "top 40%"."""
    share = 100.0 * rank / of
    if share < 1:
        return f"top {max(share, 0.1):.1f}%"
    return f"top {share:.0f}%"


def round_half_up(value: float) -> int:
    """Round as people do (2.5 → 3), not to even as :func:`round` does."""
    return math.floor(value + 0.5)


def chance_parts(value: float) -> tuple[str, str]:
    """A chance as a fan reads it, split into a qualifier and the number written: (``""``,
    ``"93%"``); (``"over "``, ``"99%"``) for a chance that rounds to 100% without being
    certain; (``"under "``, ``"1%"``) for one that rounds to 0% without being impossible."""
    shown = round_half_up(float(value) * 100)
    if shown >= 100 and value < 1.0:
        return "over ", "99%"
    if shown <= 0 < value:
        return "under ", "1%"
    return "", f"{shown}%"


def chance_text(value: float) -> str:
    """A chance as a fan reads it: "93%", "over 99%", "under 1%", "100%" (see
    :func:`chance_parts`)."""
    qualifier, number = chance_parts(value)
    return qualifier + number


MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(day: dt.date) -> str:
    """A date as the stories write it: "2 July 2018"."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def possessive(name: str) -> str:
    """ "Japan's", "Netherlands'"."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


# Minute labels (not a possessive: "Team 1's"), percentages, scores, plain numbers.
_NUMBER = re.compile(r"\d+\+\d+'(?![A-Za-z])|\d+'(?![A-Za-z])|\d+%|\d+-\d+|\d+")


def number_tokens(text: str) -> list[str]:
    """Every number in a text as written: minute labels (``90+4'``), percentages, scores
    (``2-0``) and plain numbers."""
    return _NUMBER.findall(text)
