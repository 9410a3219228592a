"""Hand-built matches replayed into paths, shared by the story tests.

Each fixture is a ``(match, path)`` pair; :func:`build` makes more.
"""

from __future__ import annotations

import datetime as dt

import pytest

from heartbreak.domain import Event, EventType, Match, MatchInfo, Side
from heartbreak.model.path import ProbabilityPath
from heartbreak.model.replay import replay

GOAL, RED = EventType.GOAL, EventType.RED_CARD
HOME, AWAY = Side.HOME, Side.AWAY


def build(
    home: str,
    away: str,
    score: tuple[int, int],
    events: list[Event],
    rates: tuple[float, float] = (1.4, 1.1),
    *,
    date: str = "2018-07-02",
    competition: str = "FIFA World Cup",
    stage: str | None = None,
    knockout: bool = False,
    city: str | None = None,
    country: str | None = None,
    extra_time: bool = False,
    shootout_winner: Side | None = None,
) -> tuple[Match, ProbabilityPath]:
    info = MatchInfo(
        home,
        away,
        dt.date.fromisoformat(date),
        competition,
        stage,
        knockout=knockout,
        neutral=True,
        city=city,
        country=country,
    )
    match = Match(
        info,
        score[0],
        score[1],
        tuple(events),
        extra_time=extra_time,
        shootout_winner=shootout_winner,
    )
    return match, replay(match, *rates)


def belgium_japan_match() -> tuple[Match, ProbabilityPath]:
    """Belgium 3-2 Japan, World Cup round of 16, 2 July 2018 (pre-match xG 1.93 v 0.69)."""
    return build(
        "Belgium",
        "Japan",
        (3, 2),
        [
            Event(GOAL, 48, side=AWAY, player="Genki Haraguchi"),
            Event(GOAL, 52, side=AWAY, player="Takashi Inui"),
            Event(GOAL, 69, side=HOME, player="Jan Vertonghen"),
            Event(GOAL, 74, side=HOME, player="Marouane Fellaini"),
            Event(GOAL, 90, 4, side=HOME, player="Nacer Chadli"),
        ],
        (1.927, 0.685),
        stage="round of 16",
        knockout=True,
        city="Rostov-on-Don",
        country="Russia",
    )


@pytest.fixture(scope="module")
def belgium_japan() -> tuple[Match, ProbabilityPath]:
    return belgium_japan_match()


@pytest.fixture(scope="module")
def routine_win() -> tuple[Match, ProbabilityPath]:
    """A favourite's 1-0 group-stage win with an early goal."""
    return build(
        "Germany",
        "Latvia",
        (1, 0),
        [Event(GOAL, 20, side=HOME, player="Miroslav Klose")],
        (2.2, 0.5),
        date="2004-06-23",
        competition="UEFA Euro",
        stage="group stage",
        city="Porto",
    )


@pytest.fixture(scope="module")
def goalless_draw() -> tuple[Match, ProbabilityPath]:
    """A 0-0 friendly."""
    return build(
        "England", "Scotland", (0, 0), [], (1.4, 1.2), date="1872-11-30", competition="Friendly"
    )


@pytest.fixture(scope="module")
def shootout() -> tuple[Match, ProbabilityPath]:
    """1-1 after extra time, the away side wins the shootout."""
    return build(
        "Spain",
        "Russia",
        (1, 1),
        [
            Event(GOAL, 12, side=HOME, player="Sergey Ignashevich", own_goal=True),
            Event(GOAL, 41, side=AWAY, player="Artem Dzyuba", penalty=True),
        ],
        (1.6, 0.8),
        date="2018-07-01",
        stage="round of 16",
        knockout=True,
        city="Moscow",
        extra_time=True,
        shootout_winner=AWAY,
    )


@pytest.fixture(scope="module")
def red_card() -> tuple[Match, ProbabilityPath]:
    """The away side goes down to ten men at 30' and loses 1-0 to a late goal."""
    return build(
        "Uruguay",
        "Ghana",
        (1, 0),
        [
            Event(RED, 30, side=AWAY, player="John Mensah"),
            Event(GOAL, 80, side=HOME, player="Diego Forlán"),
        ],
        (1.3, 1.0),
        date="2010-07-02",
        stage="quarter-finals",
        knockout=True,
    )
