"""Domain words: states folded from events, minute labels, periods and winners."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from heartbreak.domain import (
    Event,
    EventType,
    Match,
    MatchInfo,
    MatchState,
    Period,
    Side,
    apply,
    fold,
    initial_state,
    minute_label,
)

INFO = MatchInfo("Belgium", "Japan", dt.date(2018, 7, 2), "FIFA World Cup", knockout=True)


def goal(minute: int, side: Side, stoppage: int = 0) -> Event:
    return Event(EventType.GOAL, minute, stoppage, side=side)


def test_initial_state_is_kick_off() -> None:
    state = initial_state()
    assert state == MatchState()
    assert (state.period, state.minute, state.stoppage) == (Period.FIRST_HALF, 0, 0)
    assert (state.home_goals, state.away_goals, state.home_reds, state.away_reds) == (0, 0, 0, 0)
    assert not state.finished
    assert state.shootout_winner is None
    assert state.last_event is None
    assert state.goal_difference == 0


def test_apply_goal_returns_a_new_state_and_leaves_the_old_one_unchanged() -> None:
    before = initial_state()
    event = goal(48, Side.AWAY)
    after = apply(before, event)
    assert after is not before
    assert before == MatchState()
    assert before.away_goals == 0 and before.last_event is None
    assert after.away_goals == 1 and after.home_goals == 0
    assert (after.period, after.minute, after.stoppage) == (Period.SECOND_HALF, 48, 0)
    assert after.last_event is event
    assert after.goal_difference == -1
    assert after.goals(Side.AWAY) == 1 and after.goals(Side.HOME) == 0


def test_states_are_frozen() -> None:
    state = initial_state()
    with pytest.raises(dataclasses.FrozenInstanceError):
        state.home_goals = 3  # type: ignore[misc]


def test_apply_red_card_counts_against_the_punished_side() -> None:
    state = apply(initial_state(), Event(EventType.RED_CARD, 30, side=Side.HOME))
    assert (state.home_reds, state.away_reds) == (1, 0)
    assert state.reds(Side.HOME) == 1 and state.reds(Side.AWAY) == 0
    assert (state.home_goals, state.away_goals) == (0, 0)
    state = apply(state, Event(EventType.RED_CARD, 80, side=Side.AWAY))
    assert (state.home_reds, state.away_reds) == (1, 1)


def test_period_end_moves_the_clock_only() -> None:
    state = apply(initial_state(), goal(10, Side.HOME))
    after = apply(state, Event(EventType.PERIOD_END, 45, 2))
    assert (after.period, after.minute, after.stoppage) == (Period.FIRST_HALF, 45, 2)
    assert (after.home_goals, after.away_goals) == (1, 0)
    assert not after.finished


def test_fold_gives_the_state_after_every_event() -> None:
    events = (
        goal(48, Side.AWAY),
        goal(52, Side.AWAY),
        goal(69, Side.HOME),
        goal(74, Side.HOME),
        goal(90, Side.HOME, stoppage=4),
    )
    states = fold(events)
    assert len(states) == len(events)
    assert [(s.home_goals, s.away_goals) for s in states] == [
        (0, 1),
        (0, 2),
        (1, 2),
        (2, 2),
        (3, 2),
    ]
    assert [s.last_event for s in states] == list(events)
    assert (states[-1].minute, states[-1].stoppage) == (90, 4)
    assert fold(()) == []


def test_fold_starts_from_a_given_state_without_changing_it() -> None:
    start = apply(initial_state(), goal(20, Side.HOME))
    states = fold([goal(30, Side.HOME)], start)
    assert states[-1].home_goals == 2
    assert start.home_goals == 1


def test_shootout_finishes_the_match_and_a_later_goal_is_an_error() -> None:
    level = fold([goal(10, Side.HOME), goal(100, Side.AWAY)])[-1]
    done = apply(level, Event(EventType.SHOOTOUT, 120, side=Side.AWAY, period=Period.SHOOTOUT))
    assert done.finished
    assert done.shootout_winner is Side.AWAY
    assert (done.home_goals, done.away_goals) == (1, 1)
    with pytest.raises(ValueError, match="after the final whistle"):
        apply(done, goal(120, Side.HOME))
    with pytest.raises(ValueError, match="after the final whistle"):
        apply(done, Event(EventType.RED_CARD, 120, side=Side.HOME))


def test_goal_after_a_finished_state_is_an_error() -> None:
    with pytest.raises(ValueError):
        apply(MatchState(finished=True), goal(90, Side.HOME, stoppage=9))
    with pytest.raises(ValueError):
        fold([goal(90, Side.HOME)], MatchState(finished=True))


def test_goal_or_red_card_without_a_side_is_an_error() -> None:
    with pytest.raises(ValueError):
        apply(initial_state(), Event(EventType.GOAL, 10))
    with pytest.raises(ValueError):
        apply(initial_state(), Event(EventType.RED_CARD, 10))


@pytest.mark.parametrize(
    ("minute", "stoppage", "label"),
    [(67, 0, "67'"), (45, 2, "45+2'"), (90, 4, "90+4'"), (1, 0, "1'"), (120, 3, "120+3'")],
)
def test_minute_label(minute: int, stoppage: int, label: str) -> None:
    assert minute_label(minute, stoppage) == label
    assert Event(EventType.GOAL, minute, stoppage, side=Side.HOME).label == label


def test_minute_label_default_stoppage() -> None:
    assert minute_label(93) == "93'"


@pytest.mark.parametrize(
    ("minute", "stoppage", "period"),
    [
        (0, 0, Period.FIRST_HALF),
        (1, 0, Period.FIRST_HALF),
        (45, 0, Period.FIRST_HALF),
        (45, 2, Period.FIRST_HALF),
        (46, 0, Period.SECOND_HALF),
        (90, 0, Period.SECOND_HALF),
        (90, 4, Period.SECOND_HALF),
        (91, 0, Period.EXTRA_FIRST),
        (105, 1, Period.EXTRA_FIRST),
        (106, 0, Period.EXTRA_SECOND),
        (120, 3, Period.EXTRA_SECOND),
    ],
)
def test_period_of_minute(minute: int, stoppage: int, period: Period) -> None:
    assert Period.of_minute(minute, stoppage) is period
    assert Event(EventType.GOAL, minute, stoppage, side=Side.HOME).period is period


def test_period_of_minute_after_extra_time_is_an_error() -> None:
    with pytest.raises(ValueError):
        Period.of_minute(121)


def test_period_bounds_and_extra_time_flag() -> None:
    assert (Period.FIRST_HALF.start_minute, Period.FIRST_HALF.end_minute) == (0, 45)
    assert (Period.SECOND_HALF.start_minute, Period.SECOND_HALF.end_minute) == (45, 90)
    assert (Period.EXTRA_FIRST.start_minute, Period.EXTRA_FIRST.end_minute) == (90, 105)
    assert (Period.EXTRA_SECOND.start_minute, Period.EXTRA_SECOND.end_minute) == (105, 120)
    assert [p.is_extra_time for p in Period] == [False, False, True, True, False]


def test_explicit_period_is_kept() -> None:
    event = Event(EventType.SHOOTOUT, 120, side=Side.HOME, period=Period.SHOOTOUT)
    assert event.period is Period.SHOOTOUT


def test_event_sort_key_orders_stoppage_before_the_next_period() -> None:
    events = [
        goal(46, Side.HOME),
        goal(45, Side.HOME, stoppage=2),
        goal(91, Side.AWAY),
        goal(90, Side.AWAY, stoppage=5),
        goal(3, Side.HOME),
    ]
    ordered = sorted(events, key=lambda e: e.sort_key)
    assert [e.label for e in ordered] == ["3'", "45+2'", "46'", "90+5'", "91'"]


def test_side_other() -> None:
    assert Side.HOME.other is Side.AWAY
    assert Side.AWAY.other is Side.HOME


def test_match_info_team_and_side_of() -> None:
    assert INFO.team(Side.HOME) == "Belgium"
    assert INFO.team(Side.AWAY) == "Japan"
    assert INFO.side_of("japan") is Side.AWAY
    assert INFO.side_of("BELGIUM") is Side.HOME
    with pytest.raises(KeyError):
        INFO.side_of("Brazil")


@pytest.mark.parametrize(
    ("home", "away", "shootout", "winner"),
    [
        (3, 2, None, Side.HOME),
        (0, 1, None, Side.AWAY),
        (1, 1, None, None),
        (1, 1, Side.AWAY, Side.AWAY),
        (0, 0, Side.HOME, Side.HOME),
        # The score decides; a shootout winner recorded on an unequal score does not.
        (2, 1, Side.AWAY, Side.HOME),
    ],
)
def test_match_winner_counts_shootouts(
    home: int, away: int, shootout: Side | None, winner: Side | None
) -> None:
    match = Match(INFO, home, away, extra_time=shootout is not None, shootout_winner=shootout)
    assert match.winner is winner


def test_a_shootout_after_a_friendly_does_not_make_a_winner() -> None:
    friendly = MatchInfo("Japan", "Switzerland", dt.date(1993, 1, 23), "Friendly")
    assert Match(friendly, 1, 1, shootout_winner=Side.AWAY).winner is None
    assert Match(INFO, 1, 1, shootout_winner=Side.AWAY).winner is Side.AWAY
