"""Group stakes on hand-made groups: the vectorised tie classes and their shares against the
table, fair play as of the minute, the matches played at the same time (their goals, their
longer stoppage), what matters to each side, and the small pieces the stakes are built from.

Every group is the round robin A-B, C-D (day 0), A-C, B-D (day 4), A-D, B-C (day 8, the last
round, kicked off together at 20:00); the model is the packaged one, every team rated alike."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heartbreak.domain import Event, EventType, Match, MatchInfo, Period, Side
from heartbreak.model.inplay import InPlayModel
from heartbreak.model.params import load_params
from heartbreak.model.path import PointKind
from heartbreak.model.prematch import PrematchModel
from heartbreak.model.replay import build_points, replay
from heartbreak.tournaments.forecast import model_strengths
from heartbreak.tournaments.rules import Advance, Criterion, Rules, rules_for
from heartbreak.tournaments.stakes import (
    Booking,
    Situation,
    _booking_times,
    _combinations,
    _fair_play_so_far,
    _real_time,
    _third_place_chances,
    _what_matters,
    bookings_of,
    group_stakes,
    locate,
    next_stage,
    simultaneous_fixtures,
    situation_of,
)
from heartbreak.tournaments.structure import Edition, Fixture, Group, Stage
from heartbreak.tournaments.structure import _fair_play as fixture_fair_play
from heartbreak.tournaments.table import (
    break_at_random,
    group_table,
    position_shares,
    qualifiers,
    rank_simulations,
    refine_classes,
    still_level,
    tie_classes,
)

C = Criterion
DAY = dt.date(2018, 6, 14)
FIFA_2018 = rules_for("FIFA World Cup", 2018)
EURO_2016 = rules_for("UEFA Euro", 2016)
FIFA_1962 = rules_for("FIFA World Cup", 1962)
TEAMS = ("A", "B", "C", "D")
PAIRS = (("A", "B"), ("C", "D"), ("A", "C"), ("B", "D"), ("A", "D"), ("B", "C"))
DAYS = (0, 0, 4, 4, 8, 8)
KICKOFFS = (dt.time(15), dt.time(18), dt.time(15), dt.time(18), dt.time(20), dt.time(20))
SH, FH = Period.SECOND_HALF, Period.FIRST_HALF

PARAMS = load_params()
PREMATCH = PrematchModel.from_params(PARAMS.goals)
MODEL = InPlayModel(PARAMS.inplay)


def _equal_rates(home, away, neutral):
    """Every team rated 1800, by the Elo-only goal model."""
    level = np.full(len(home), 1800.0)
    return PREMATCH.expected_goals(level, level, np.asarray(neutral, bool))


STRENGTHS = model_strengths(_equal_rates, PARAMS.goals.rho, MODEL)
_LAM = PREMATCH.expected_goals(np.array([1800.0]), np.array([1800.0]), np.array([True]))
LAM = float(_LAM[0][0])  # both sides alike: the same expected goals


# --------------------------------------------------------------------------- builders


def fixture(n, home, away, score, day=0, kickoff=None, fp=(0, 0), group="Group X") -> Fixture:
    return Fixture(
        match_id=n,
        date=DAY + dt.timedelta(days=day),
        home=home,
        away=away,
        home_score=None if score is None else score[0],
        away_score=None if score is None else score[1],
        stage="group stage",
        group=group,
        kickoff=kickoff,
        fair_play_home=fp[0],
        fair_play_away=fp[1],
    )


def round_robin(scores, fair=None, cards=False, rules=FIFA_2018, kickoffs=KICKOFFS) -> Group:
    """The group of the module docstring with ``scores`` (one per match, in PAIRS order) and
    ``fair`` ({match id: (home, away) fair-play points})."""
    fair = fair or {}
    fixtures = tuple(
        fixture(n, h, a, s, day, kick, fair.get(n, (0, 0)))
        for n, ((h, a), s, day, kick) in enumerate(
            zip(PAIRS, scores, DAYS, kickoffs, strict=True), start=1
        )
    )
    return Group("Group X", "group stage", TEAMS, fixtures, rules, cards=cards)


def edition(group: Group, *others: Group, rules: Rules | None = None) -> Edition:
    """A group stage (``group`` and ``others``), then a round of 16 and a final."""
    groups = (group, *others)
    fixtures = tuple(f for g in groups for f in g.fixtures)
    knockout = fixture(99, "A", "B", (1, 0), day=12)
    final = fixture(100, "A", "B", (1, 0), day=16)
    return Edition(
        "FIFA World Cup",
        2018,
        (
            Stage("group stage", False, fixtures, groups, rules or group.rules),
            Stage("round of 16", True, (replace(knockout, stage="round of 16", group=None),)),
            Stage("final", True, (replace(final, stage="final", group=None),)),
        ),
    )


def goal(side: Side, minute: int, stoppage: int = 0) -> Event:
    return Event(EventType.GOAL, minute, stoppage, side=side, player=f"{side} {minute}")


def record(f: Fixture, *events: Event) -> Match:
    goals = [e for e in events if e.type is EventType.GOAL]
    assert sum(e.side is Side.HOME for e in goals) == f.home_score
    assert sum(e.side is Side.AWAY for e in goals) == f.away_score
    info = MatchInfo(f.home, f.away, f.date, "FIFA World Cup", "group stage", match_id=f.match_id)
    return Match(info, f.home_score, f.away_score, tuple(events))


def stakes_of(ed: Edition, match_id: int, records, bookings=None, **kwargs):
    """The situation of ``match_id``, its path and its stakes."""
    situation = situation_of(ed, match_id, records, lambda f: (LAM, LAM), bookings or {}, STRENGTHS)
    assert situation is not None
    path = replay(situation.live[0].match, LAM, LAM, MODEL)
    return situation, path, group_stakes(situation, path, MODEL, **kwargs)


def point(path, kind: PointKind, period: Period = SH, minute=None, stoppage=0) -> int:
    """The index of the one point of ``path`` of that kind (and minute)."""
    hits = (np.asarray(path.kind) == kind.value) & (np.asarray(path.period) == period.value)
    if minute is not None:
        hits &= (path.minute == minute) & (path.stoppage == stoppage)
    (found,) = np.flatnonzero(hits)
    return int(found)


def whistle_expectation(group: Group, team: str, results=None) -> tuple[float, float]:
    """(through, first) of ``team`` by the group's final table (top ``per_group`` through)."""
    rows = group_table(group, results=results)
    top = [r.team for r in rows[: group.rules.advance.per_group]]
    return float(team in top), float(rows[0].team == team)


# "Open": after two rounds A and B have 4 points, C and D 1. In the last round D beat A 2-1
# (A 20', D 60', 85') while C beat B 1-0 (70'): all four end on 4 points; B is first on goal
# difference, A second ahead of C on goals scored.
OPEN_SCORES = ((1, 1), (0, 0), (1, 0), (2, 0), (1, 2), (0, 1))
OPEN = round_robin(OPEN_SCORES)
OPEN_5 = record(OPEN.fixtures[4], goal(Side.HOME, 20), goal(Side.AWAY, 60), goal(Side.AWAY, 85))
OPEN_6 = record(OPEN.fixtures[5], goal(Side.AWAY, 70))
OPEN_3 = record(OPEN.fixtures[2], goal(Side.HOME, 30))

# "Fair": B beat A and D, C beat D and drew with A; C's yellow card against D (-1) is the only
# card before the last round. There B beat C 1-0 (10') and A beat D 1-0 (20'): A and C end
# level on everything but fair play. A's players are booked at 80' and 86' (-2).
FAIR_SCORES = ((0, 1), (1, 0), (1, 1), (2, 0), (1, 0), (1, 0))
FAIR_BOOKINGS = {5: (Booking("A", "a1", "yellow", SH, 80), Booking("A", "a2", "yellow", SH, 86))}
FAIR = round_robin(FAIR_SCORES, fair={2: (-1, 0), 5: (-2, 0)}, cards=True)
FAIR_UNBOOKED = round_robin(FAIR_SCORES, fair={2: (-1, 0)}, cards=True)
FAIR_5 = record(FAIR.fixtures[4], goal(Side.HOME, 20))
FAIR_6 = record(FAIR.fixtures[5], goal(Side.HOME, 10))


@pytest.fixture(scope="module")
def open_stakes():
    return stakes_of(edition(OPEN), 5, {5: OPEN_5, 6: OPEN_6})


# --------------------------------------------------------------------------- tie classes


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    rules=st.sampled_from([FIFA_2018, EURO_2016, FIFA_1962]),
    rate=st.sampled_from([0.3, 0.8, 1.6]),
)
def test_tie_classes_and_a_random_break_are_rank_simulations(seed, rules, rate):
    group = round_robin(OPEN_SCORES, rules=rules)
    data = np.random.default_rng(seed)
    hg, ag = data.poisson(rate, (150, 6)), data.poisson(rate, (150, 6))
    expected = rank_simulations(group, hg, ag, rules, rng=np.random.default_rng(seed + 1))
    classes, points, gd, gf = tie_classes(group, hg, ag, rules)
    positions = break_at_random(classes, np.random.default_rng(seed + 1))
    np.testing.assert_array_equal(positions, expected[0])
    for mine, theirs in zip((points, gd, gf), expected[1:], strict=True):
        np.testing.assert_array_equal(mine, theirs)
    # A class is the best position its teams share: a random break only orders within it.
    assert (np.sort(positions, axis=1) == np.arange(4)).all()
    assert (positions >= classes).all()
    size = (classes[:, None, :] == classes[:, :, None]).sum(axis=2)
    assert (positions < classes + size).all()
    assert (still_level(classes) == (size > 1).any(axis=1)).all()


def test_position_shares_are_the_average_over_random_breaks():
    group = round_robin(OPEN_SCORES)
    data = np.random.default_rng(5)
    hg, ag = data.poisson(0.4, (120, 6)), data.poisson(0.4, (120, 6))
    classes, *_ = tie_classes(group, hg, ag)
    assert still_level(classes).mean() > 0.2  # low scores: many ties to share
    draws = 3000
    positions = break_at_random(np.tile(classes, (draws, 1)), np.random.default_rng(6))
    positions = positions.reshape(draws, *classes.shape)
    share = position_shares(classes, [0, 1, 2, 3])
    for k in range(5):
        frequency = (positions < k).mean(axis=0)
        # 3,000 breaks: a standard error of at most 0.009 per share.
        assert np.abs(frequency - share(k)).max() < 0.04, k
        untied = ~still_level(classes)
        np.testing.assert_array_equal(frequency[untied], share(k)[untied])
    np.testing.assert_allclose(share(4), 1.0)
    np.testing.assert_allclose(share(0), 0.0)
    np.testing.assert_allclose(share(2).sum(axis=1), 2.0)  # two places shared out


def test_position_shares_of_a_three_way_tie():
    classes = np.array([[0, 0, 0, 3], [0, 1, 1, 1]], dtype=np.int8)
    share = position_shares(classes, [0, 1, 2, 3])
    # Two places among three level teams: two thirds each; the fourth has none of them.
    np.testing.assert_allclose(share(2)[0], [2 / 3, 2 / 3, 2 / 3, 0.0])
    np.testing.assert_allclose(share(1)[0], [1 / 3, 1 / 3, 1 / 3, 0.0])
    np.testing.assert_allclose(share(3)[0], [1.0, 1.0, 1.0, 0.0])
    np.testing.assert_allclose(share(2)[1], [1.0, 1 / 3, 1 / 3, 1 / 3])
    np.testing.assert_allclose(share(1)[1], [1.0, 0.0, 0.0, 0.0])
    # A subset of the teams, in the order asked.
    np.testing.assert_allclose(position_shares(classes, [3, 1])(2)[1], [1 / 3, 1 / 3])


def test_refine_classes_by_fair_play_splits_only_the_teams_level():
    classes = np.array([[0, 0, 2, 2], [0, 0, 2, 2], [0, 1, 2, 3]], dtype=np.int8)
    fair = np.array([-1, -3, 0, 0])
    refined = refine_classes(classes, fair)
    # Higher fair play (fewer deductions) ranks higher; the teams still level stay level; a
    # team of a lower class is not lifted by its better fair play; a ranked row is unchanged.
    np.testing.assert_array_equal(refined, [[0, 1, 2, 2], [0, 1, 2, 2], [0, 1, 2, 3]])
    np.testing.assert_array_equal(still_level(refined), [True, True, False])
    per_row = refine_classes(classes[:2], np.array([[0, -2, -1, -5], [-2, -2, -4, -1]]))
    np.testing.assert_array_equal(per_row, [[0, 1, 2, 3], [0, 0, 3, 2]])


def test_fair_play_refinement_is_the_table_of_2018_group_h():
    fixtures = [
        fixture(1, "Colombia", "Japan", (1, 2), 0, dt.time(15), (-3, -1)),
        fixture(2, "Poland", "Senegal", (1, 2), 0, dt.time(18), (-2, -3)),
        fixture(3, "Japan", "Senegal", (2, 2), 5, dt.time(20), (-2, -2)),
        fixture(4, "Poland", "Colombia", (0, 3), 5, dt.time(21), (0, -2)),
        fixture(5, "Japan", "Poland", (0, 1), 10, dt.time(17), (-1, 0)),
        fixture(6, "Senegal", "Colombia", (0, 1), 10, dt.time(18), (-1, -2)),
    ]
    teams = ("Colombia", "Japan", "Poland", "Senegal")
    group = Group("Group H", "group stage", teams, tuple(fixtures), FIFA_2018, cards=True)
    hg = np.array([[f.home_score for f in fixtures]])
    ag = np.array([[f.away_score for f in fixtures]])
    classes, *_ = tie_classes(group, hg, ag)
    np.testing.assert_array_equal(classes, [[0, 1, 3, 1]])  # Japan and Senegal level
    fair = np.zeros(4, dtype=np.int64)
    for f in fixtures:
        fair[teams.index(f.home)] += f.fair_play_home
        fair[teams.index(f.away)] += f.fair_play_away
    refined = refine_classes(classes, fair)
    order = [teams[k] for k in np.argsort(refined[0])]
    assert order == ["Colombia", "Japan", "Senegal", "Poland"]
    assert order == [r.team for r in group_table(group)]


# --------------------------------------------------------------------------- group stakes


def test_last_round_stakes_end_where_the_table_does(open_stakes):
    situation, path, stakes = open_stakes
    assert [lm.fixture.match_id for lm in situation.live] == [5, 6]
    n = len(path)
    arrays = (
        stakes.p_home_qualify,
        stakes.p_away_qualify,
        stakes.p_home_first,
        stakes.p_away_first,
        stakes.home_chance,
        stakes.away_chance,
    )
    for values in arrays:
        assert values.shape == (n,)
        assert ((values >= 0.0) & (values <= 1.0)).all()
    # Finishing first is one way of going through.
    assert (stakes.p_home_first <= stakes.p_home_qualify + 1e-12).all()
    assert (stakes.p_away_first <= stakes.p_away_qualify + 1e-12).all()
    # At the whistle: exactly what the final table says (B, A, C, D: A through, D out).
    assert [r.team for r in group_table(OPEN)] == ["B", "A", "C", "D"]
    assert (stakes.p_home_qualify[-1], stakes.p_home_first[-1]) == whistle_expectation(OPEN, "A")
    assert (stakes.p_away_qualify[-1], stakes.p_away_first[-1]) == whistle_expectation(OPEN, "D")
    assert (stakes.p_home_qualify[-1], stakes.p_away_qualify[-1]) == (1.0, 0.0)
    # Both sides could go either way at kick-off: what matters is going through.
    assert (stakes.home_goal, stakes.away_goal) == ("through", "through")
    np.testing.assert_array_equal(stakes.home_chance, stakes.p_home_qualify)
    assert 0.5 < stakes.p_home_qualify[0] < 1.0 and 0.0 < stakes.p_away_qualify[0] < 0.5
    assert stakes.next_stage == "the round of 16"
    assert stakes.simultaneous == (("B", "C", 0, 1),)
    # The settlement is the table's: A second (ahead of C on goals scored), D fourth.
    rows = group_table(OPEN)
    home, away = stakes.settlement["home"], stakes.settlement["away"]
    assert (home.position, home.through) == (2, True)
    assert (home.decided_by, home.level_with) == (rows[1].decided_by, "C") == ("goals scored", "C")
    assert (away.position, away.through) == (4, False)


def test_a_goal_elsewhere_is_listed_where_the_chance_sees_it(open_stakes):
    _situation, path, stakes = open_stakes
    (elsewhere,) = stakes.elsewhere
    assert (elsewhere.match_id, elsewhere.home, elsewhere.away) == (6, "B", "C")
    assert (elsewhere.team, elsewhere.minute, elsewhere.stoppage) == ("C", 70, 0)
    assert (elsewhere.home_goals, elsewhere.away_goals) == (0, 1)
    i = elsewhere.index
    # Scored during the 70th minute: the followed match knows of it at the end of that minute.
    assert i == point(path, PointKind.MINUTE, minute=70)
    assert i - 1 == point(path, PointKind.MINUTE, minute=69)
    # B losing opens first place to A: a jump far beyond a minute's drift.
    jump = stakes.p_home_first[i] - stakes.p_home_first[i - 1]
    drift = np.abs(np.diff(stakes.p_home_first[i - 8 : i])).max()
    assert jump > 0.2 and jump > 20 * drift
    # And C on 4 points puts A's place at risk should D score again: A's chance falls.
    assert stakes.p_home_qualify[i] < stakes.p_home_qualify[i - 1] - 5e-3
    assert (np.diff(stakes.p_home_qualify[i - 8 : i]) > 0).all()


def test_without_the_other_record_its_goal_is_not_seen_before_the_whistle():
    _situation, path, stakes = stakes_of(edition(OPEN), 5, {5: OPEN_5})
    assert stakes.elsewhere == ()
    assert stakes.simultaneous == (("B", "C", 0, 1),)
    # The whistle still knows the result.
    assert (stakes.p_home_qualify[-1], stakes.p_away_qualify[-1]) == (1.0, 0.0)
    # Before it, nothing of B v C moves the chances at 70'.
    i = point(path, PointKind.MINUTE, minute=70)
    assert abs(stakes.p_home_first[i] - stakes.p_home_first[i - 1]) < 0.02
    # A's own match over, B v C is still its pre-match chances: C winning by two would put
    # A level with B (lots) or behind.
    end = point(path, PointKind.PERIOD_END)
    assert 0.0 < stakes.p_home_qualify[end] < 1.0 - 1e-3


def test_cards_of_a_match_whose_course_is_unknown_count_from_the_whistle():
    # B v C followed, A v D without its goals' minutes: A's cards count only at the whistle.
    blind = replace(FAIR_5, timeline_complete=False)
    _s, path, stakes = stakes_of(edition(FAIR), 6, {5: blind, 6: FAIR_6}, FAIR_BOOKINGS)
    _s, _p, seen = stakes_of(edition(FAIR), 6, {5: FAIR_5, 6: FAIR_6}, FAIR_BOOKINGS)
    assert stakes.elsewhere == () and seen.elsewhere != ()
    c = stakes.p_away_qualify
    i79, i80 = (point(path, PointKind.MINUTE, minute=m) for m in (79, 80))
    i85, i86 = (point(path, PointKind.MINUTE, minute=m) for m in (85, 86))
    assert abs(c[i80] - c[i79]) < 0.05 and abs(c[i86] - c[i85]) < 0.05
    assert seen.p_away_qualify[i80] > seen.p_away_qualify[i79] + 0.15
    # C through at the whistle, on fair play: the table's answer either way.
    assert c[-1] == seen.p_away_qualify[-1] == whistle_expectation(FAIR, "C")[0] == 1.0


def test_fair_play_counts_as_of_the_minute():
    records = {5: FAIR_5, 6: FAIR_6}
    _s, path, booked = stakes_of(edition(FAIR), 5, records, FAIR_BOOKINGS)
    _s, _p, unbooked = stakes_of(edition(FAIR_UNBOOKED), 5, records)
    assert [r.team for r in group_table(FAIR)][:3] == ["B", "C", "A"]
    assert [r.team for r in group_table(FAIR_UNBOOKED)][:3] == ["B", "A", "C"]
    assert group_table(FAIR)[1].decided_by == "fair play"
    i79, i80 = (point(path, PointKind.MINUTE, minute=m) for m in (79, 80))
    i85, i86 = (point(path, PointKind.MINUTE, minute=m) for m in (85, 86))
    p, q = booked.p_home_qualify, unbooked.p_home_qualify
    # Until the first card A is ahead of C on fair play (0 against -1): the same chances.
    np.testing.assert_array_equal(p[:i80], q[:i80])
    assert q[i79] > 0.6
    # At 80' A is level with C (lots: half of the places at stake), at 86' behind.
    assert p[i80] < p[i79] - 0.15
    assert p[i86] < p[i85] - 0.15
    assert q[i80] > q[i79] and q[i86] > q[i85]
    assert (p[i80:] < q[i80:]).all()
    # With the first card alone, A and C stay level from 80': the scores that leave them
    # level on everything else count half for A, where the second card makes them count
    # nothing. The same scores, so the loss against no card is exactly twice as large.
    single = round_robin(FAIR_SCORES, fair={2: (-1, 0), 5: (-1, 0)}, cards=True)
    one_card = {5: FAIR_BOOKINGS[5][:1]}
    _s, _p, first_only = stakes_of(edition(single), 5, records, one_card)
    r = first_only.p_home_qualify
    np.testing.assert_array_equal(r[:i86], p[:i86])
    np.testing.assert_allclose(q[i86:] - p[i86:], 2.0 * (q[i86:] - r[i86:]), rtol=1e-9)
    assert r[-1] == pytest.approx(0.5)
    assert first_only.settlement["home"].through is None
    assert first_only.settlement["home"].decided_by == "lots"
    # At the whistle: exactly the tables' answers.
    assert p[-1] == whistle_expectation(FAIR, "A")[0] == 0.0
    assert q[-1] == whistle_expectation(FAIR_UNBOOKED, "A")[0] == 1.0
    home = booked.settlement["home"]
    assert (home.position, home.through, home.decided_by, home.level_with) == (
        3,
        False,
        "fair play",
        "C",
    )
    assert unbooked.settlement["home"].position == 2
    # D, out before kick-off, has nothing at stake: its plain chance of winning.
    assert booked.away_goal == "win"
    np.testing.assert_array_equal(booked.away_chance, path.p_away_win)
    assert (booked.p_away_qualify == 0.0).all()


def test_cards_count_only_where_the_group_has_them():
    records = {5: FAIR_5, 6: FAIR_6}
    no_cards = replace(FAIR, cards=False)
    _s, path, stakes = stakes_of(edition(no_cards), 5, records, FAIR_BOOKINGS)
    # A and C level at the end: lots, half the place each, the cards notwithstanding.
    assert stakes.p_home_qualify[-1] == pytest.approx(0.5)
    assert stakes.settlement["home"].through is None
    i79, i80 = (point(path, PointKind.MINUTE, minute=m) for m in (79, 80))
    assert abs(stakes.p_home_qualify[i80] - stakes.p_home_qualify[i79]) < 0.02


def test_fair_play_deductions_so_far_one_per_player():
    bookings = (
        Booking("A", "p", "yellow", SH, 60),
        Booking("A", "p", "second_yellow", SH, 75),
        Booking("B", "q", "yellow", FH, 10),
        Booking("B", "r", "yellow", FH, 12),
        Booking("B", "s", "yellow", SH, 88),
        Booking("B", "s", "red", SH, 89),
        Booking("Z", "z", "red", FH, 5),  # not a team of the group
    )
    times = np.array([60.5, 75.5, 10.5, 12.5, 88.5, 89.5, 5.5])
    clock = np.array([0.0, 11.0, 30.0, 65.0, 80.0, 89.0, 90.0, 90.0])
    whistle = np.array([False] * 7 + [True])
    out = _fair_play_so_far(bookings, times, clock, whistle, {"A": 0, "B": 1})
    # A: a yellow (-1), then the same player's second yellow: -3 in all, not -4.
    np.testing.assert_array_equal(out[:, 0], [0, 0, 0, -1, -3, -3, -3, -3])
    # B: two players' yellows (-1 each), then a yellow and a red for one player: -5 for him.
    np.testing.assert_array_equal(out[:, 1], [0, -1, -2, -2, -2, -3, -7, -7])
    # At the whistle the deductions are those of the fixtures' fair play.
    cards = pd.DataFrame(
        {
            "match_id": [1] * 6,
            "team": [b.team for b in bookings[:6]],
            "player": [b.player for b in bookings[:6]],
            "card": [b.card for b in bookings[:6]],
        }
    )
    fair = fixture_fair_play(cards)
    assert (out[-1, 0], out[-1, 1]) == (fair[(1, "A")], fair[(1, "B")]) == (-3, -7)
    # Cards of a match whose course is unknown count from the whistle only.
    late = _fair_play_so_far(bookings[:1], np.array([np.inf]), clock, whistle, {"A": 0})
    np.testing.assert_array_equal(late[:, 0], [0] * 7 + [-1])


def test_booking_times_fall_in_their_minute():
    f = OPEN.fixtures[5]
    table = build_points(
        [OPEN_6], MODEL.params.stoppage_means, MODEL.params.shootout_conversion, [(0, 9, 0, 0)]
    )
    clock = _real_time(table.columns)
    kind = np.asarray(table.columns["kind"])
    period = np.asarray(table.columns["period"])
    minute, stoppage = table.columns["minute"], table.columns["stoppage"]

    def at(p: Period, m: int, s: int = 0) -> float:
        (row,) = np.flatnonzero(
            (kind == PointKind.MINUTE.value) & (period == p.value) & (minute == m) & (stoppage == s)
        )
        return float(clock[row])

    cards = (
        Booking(f.home, "x", "yellow", FH, 12),
        Booking(f.home, "x", "yellow", SH, 80),
        Booking(f.away, "y", "yellow", SH, 90, 9),
        Booking(f.away, "y", "yellow", FH, 45, 2),
    )
    times = _booking_times(cards, table)
    assert at(FH, 11) < times[0] < at(FH, 12)
    assert at(SH, 79) < times[1] < at(SH, 80)
    assert at(SH, 90, 8) < times[2] < at(SH, 90, 9)
    assert at(FH, 45, 1) < times[3] < at(FH, 45, 2)
    assert times[1] - at(SH, 80) == pytest.approx(-0.5)
    assert np.isinf(_booking_times(cards, None)).all()


def test_a_simultaneous_match_that_runs_longer_keeps_the_chance_open():
    late = {6: (Booking("B", "b", "yellow", SH, 90, 9),)}
    _s, path, stakes = stakes_of(edition(OPEN), 5, {5: OPEN_5, 6: OPEN_6}, late)
    _s, _p, control = stakes_of(edition(OPEN), 5, {5: OPEN_5, 6: OPEN_6})
    end = point(path, PointKind.PERIOD_END)
    assert path.stoppage[end] < 9  # the followed match's own stoppage: fewer minutes
    whistle = point(path, PointKind.FINAL_WHISTLE)
    assert whistle == len(path) - 1 == end + 1
    # Its own match over (D won 2-1), A still waits on B v C, which has minutes to play: a
    # second goal for C would leave A level with B on everything (lots).
    assert 0.5 < stakes.p_home_qualify[end] < 1.0 - 1e-3
    assert stakes.p_home_qualify[whistle] in (0.0, 1.0)
    assert stakes.p_home_qualify[whistle] == whistle_expectation(OPEN, "A")[0]
    # Both matches over together: settled at the followed match's end already.
    assert control.p_home_qualify[end] == pytest.approx(control.p_home_qualify[whistle], abs=1e-9)
    # Up to the followed match's last minutes, the two agree.
    i80 = point(path, PointKind.MINUTE, minute=80)
    np.testing.assert_allclose(stakes.p_home_qualify[:i80], control.p_home_qualify[:i80])


def test_a_goal_elsewhere_after_the_final_minute_is_seen_at_the_whistle():
    late_six = replace(OPEN.fixtures[5], home_score=0, away_score=1)
    m6 = record(late_six, goal(Side.AWAY, 90, 8))
    _s, path, stakes = stakes_of(edition(OPEN), 5, {5: OPEN_5, 6: m6})
    (elsewhere,) = stakes.elsewhere
    assert elsewhere.label == "90+8'"
    assert (elsewhere.home_goals, elsewhere.away_goals) == (0, 1)
    assert elsewhere.index == len(path) - 1 == point(path, PointKind.FINAL_WHISTLE)
    # At the followed match's end B v C is still 0-0 with minutes to play: only two goals for
    # C (A then level with B on everything: lots) would cost A.
    end = point(path, PointKind.PERIOD_END)
    assert 1.0 - 1e-2 < stakes.p_home_qualify[end] < 1.0 - 1e-6
    assert stakes.p_home_qualify[-1] == whistle_expectation(OPEN, "A")[0] == 1.0
    assert stakes.p_home_first[-1] == whistle_expectation(OPEN, "A")[1] == 0.0


def test_what_matters_to_each_side():
    # B v C in the fair group: B (6 points) is through before kick-off, first place open;
    # C plays for going through.
    situation, path, stakes = stakes_of(edition(FAIR), 6, {5: FAIR_5, 6: FAIR_6}, FAIR_BOOKINGS)
    assert [lm.fixture.match_id for lm in situation.live] == [6, 5]
    assert stakes.p_home_qualify[0] >= 1.0 - 1e-9
    assert 0.0 < stakes.p_home_first[0] < 1.0
    assert stakes.home_goal == "first"
    np.testing.assert_array_equal(stakes.home_chance, stakes.p_home_first)
    assert stakes.away_goal == "through"
    np.testing.assert_array_equal(stakes.away_chance, stakes.p_away_qualify)
    # The fair-play swing of A's cards is C's: up at 80' and 86' in the other match.
    i79, i80 = (point(path, PointKind.MINUTE, minute=m) for m in (79, 80))
    assert stakes.p_away_qualify[i80] > stakes.p_away_qualify[i79] + 0.15
    assert stakes.p_away_qualify[-1] == 1.0 and stakes.p_home_first[-1] == 1.0
    assert path.home_chance() is path.p_home_win  # the path itself holds no stakes
    assert replace(path, stakes=stakes).home_chance() is stakes.home_chance


def test_what_matters_from_the_chances_at_kick_off():
    win = np.array([0.4, 0.5, 1.0])
    goal, chance = _what_matters(np.array([1.0, 1.0, 1.0]), np.array([0.3, 0.6, 1.0]), win)
    assert goal == "first" and chance[1] == 0.6
    assert _what_matters(np.array([0.2, 0.4, 1.0]), np.array([0.0, 0.1, 1.0]), win)[0] == "through"
    for through, first in (([0.0, 0.0, 0.0], [0.0, 0.0, 0.0]), ([1.0, 1.0, 1.0], [1.0] * 3)):
        goal, chance = _what_matters(np.array(through), np.array(first), win)
        assert goal == "win" and chance is win


def other_group(name: str, teams: tuple[str, ...], scores, first_id: int, rules: Rules) -> Group:
    """A round robin of ``teams`` (three or four) played before the fair group's last round."""
    if len(teams) == 3:
        pairs = ((0, 1), (1, 2), (0, 2))
    else:
        pairs = ((0, 1), (2, 3), (0, 2), (1, 3), (0, 3), (1, 2))
    fixtures = tuple(
        fixture(first_id + k, teams[h], teams[a], s, 1 + k, dt.time(12), group=name)
        for k, ((h, a), s) in enumerate(zip(pairs, scores, strict=True))
    )
    return Group(name, "group stage", teams, fixtures, rules, cards=True)


def test_best_thirds_across_groups():
    # The fair group's A finishes third (4 points, goal difference 0, 2 goals scored); the
    # best third of the two groups goes through too. In the other group P wins every match,
    # Q beats S 2-0 and draws with R (4 points, +1, 2 goals); R's match with S decides its
    # third: R (4, 0, 1) below A; R (4, 0, 2) level with A; Q (4, +1, 2) above A.
    best = replace(FIFA_2018, advance=Advance(2, 1, 3))
    group = replace(FAIR, rules=best)
    records = {5: FAIR_5, 6: FAIR_6}
    for r_s, through in (((1, 0), 1.0), ((2, 1), 0.5), ((3, 1), 0.0)):
        scores = ((1, 0), r_s, (1, 0), (2, 0), (1, 0), (0, 0))
        y = other_group("Group Y", ("P", "Q", "R", "S"), scores, 11, best)
        ed = edition(group, y, rules=best)
        _s, _p, stakes = stakes_of(ed, 5, records, FAIR_BOOKINGS)
        assert stakes.p_home_qualify[-1] == pytest.approx(through, abs=1e-12), r_s
        assert 0.0 < stakes.p_home_qualify[0] < 1.0
        settled = stakes.settlement["home"]
        assert settled.position == 3
        assert settled.through == {1.0: True, 0.5: None, 0.0: False}[through]
        if through != 0.5:
            assert ("A" in qualifiers(ed.group_stages[0])) == bool(through)


def test_a_certain_best_third_is_a_place_more():
    # The other group's third has no point: a third of the fair group (at least one point)
    # goes through for certain, as if the top three of the group did.
    best = replace(FIFA_2018, advance=Advance(2, 1, 3))
    three = replace(FIFA_2018, advance=Advance(3))
    y = other_group("Group Y", ("P", "Q", "R"), ((1, 0), (1, 0), (1, 0)), 11, best)
    records = {5: FAIR_5, 6: FAIR_6}
    _s, _p, thirds = stakes_of(
        edition(replace(FAIR, rules=best), y, rules=best), 5, records, FAIR_BOOKINGS
    )
    _s, _p, top_three = stakes_of(
        edition(replace(FAIR, rules=three), replace(y, rules=three), rules=three),
        5,
        records,
        FAIR_BOOKINGS,
    )
    for name in ("p_home_qualify", "p_away_qualify", "p_home_first", "p_away_first"):
        np.testing.assert_allclose(getattr(thirds, name), getattr(top_three, name), atol=1e-12)
    assert 0.0 < thirds.p_away_qualify.max() < 1.0  # D can still finish third
    assert thirds.p_home_qualify[-1] == 1.0


def test_third_place_chances_rank_against_the_other_groups():
    rules = Rules(3, (C.GOAL_DIFFERENCE, C.GOALS_SCORED, C.LOTS), Advance(1, 2, 3))
    wins = ((1, 0), (1, 0), (1, 0))
    x = other_group("Group X", ("A", "B", "C"), wins, 1, rules)
    y = other_group("Group Y", ("P", "Q", "R"), wins, 11, rules)  # third R: 0 points, -2, 0
    z = other_group("Group Z", ("S", "T", "U"), ((1, 1),) * 3, 21, rules)  # third: 2, 0, 2
    stage = Stage("group stage", False, x.fixtures + y.fixtures + z.fixtures, (x, y, z), rules)
    situation = Situation(stage, x, (), STRENGTHS, "the next round")
    start = dt.datetime.combine(DAY + dt.timedelta(days=30), dt.time(12))
    points, gd, gf = (
        np.array([3, 2, 2, 0, 0]),
        np.array([0, 0, -1, -2, -3]),
        np.array([1, 2, 5, 0, 0]),
    )
    # Two of the three thirds go through: ahead of both or of one, level with the second
    # (a share of the place), or behind both.
    chance = _third_place_chances(situation, start, 20, np.random.default_rng(0))
    np.testing.assert_allclose(chance(points, gd, gf), [1.0, 1.0, 1.0, 0.5, 0.0])
    # One of them: level with the best (half of it), or behind it.
    one = replace(situation, stage=replace(stage, rules=replace(rules, advance=Advance(1, 1, 3))))
    chance = _third_place_chances(one, start, 20, np.random.default_rng(0))
    np.testing.assert_allclose(chance(points, gd, gf), [1.0, 0.5, 0.0, 0.0, 0.0])
    np.testing.assert_allclose(chance(points[:2, None], gd[:2, None], gf[:2, None]), [[1.0], [0.5]])


# --------------------------------------------------------------------------- pieces


def test_combinations_of_simultaneous_scores(monkeypatch):
    import heartbreak.tournaments.stakes as stakes_module

    # The thresholds below are worked out for a joint threshold of 1e-6.
    monkeypatch.setattr(stakes_module, "JOINT_EPSILON", 1e-6)
    joint_epsilon = 1e-6
    first = np.array([[0.5, 0.5, 0.0], [0.98, 0.015, 0.005]])
    second = np.array([[0.9, 0.1 - 1e-7, 1e-7], [0.99, 0.01 - 1e-4, 1e-4]])
    index, joint = _combinations([first, second])
    assert index.shape[0] == 2 and joint.shape == (2, index.shape[1])
    # The third scores of both: 5e-7 at most, left out; every other pair reaches 1e-6 at
    # some point (the first's second and the second's third: 1.5e-6 at the second point).
    assert index.shape[1] == 8
    np.testing.assert_allclose(joint.sum(axis=1), 1.0)
    product = first[:, :, None] * second[:, None, :]
    kept = product[:, index[0], index[1]]
    # Every pair kept reaches JOINT_EPSILON somewhere; every pair left out never does.
    assert (kept.max(axis=0) >= joint_epsilon).all()
    left = np.ones(product.shape[1:], dtype=bool)
    left[index[0], index[1]] = False
    assert (product[:, left].max(axis=0, initial=0.0) < joint_epsilon).all()
    assert left.sum() == 1 and left[2, 2]
    np.testing.assert_allclose(joint, kept / kept.sum(axis=1, keepdims=True))
    # One match alone: its own chances.
    index, joint = _combinations([first])
    np.testing.assert_array_equal(index, [[0, 1, 2]])
    np.testing.assert_allclose(joint, first)


def test_simultaneous_fixtures():
    kickoffs = (dt.time(15), dt.time(15), None, None, None, None)
    group = round_robin(OPEN_SCORES, kickoffs=kickoffs)
    f = group.fixtures
    # The same known kick-off on a day: simultaneous.
    assert simultaneous_fixtures(group, f[0]) == (f[1],)
    # Kick-offs unknown outside the last round: the other is a later match, though the group
    # counts them as played at the same time.
    assert group.simultaneous(f[2]) == (f[3],)
    assert simultaneous_fixtures(group, f[2]) == ()
    # The last round kicks off together, known times or not.
    assert simultaneous_fixtures(group, f[4]) == (f[5],)
    assert simultaneous_fixtures(group, f[5]) == (f[4],)
    # Even with different local kick-offs on the record (across time zones).
    apart = round_robin(OPEN_SCORES, kickoffs=(*KICKOFFS[:4], dt.time(16), dt.time(20)))
    assert simultaneous_fixtures(apart, apart.fixtures[4]) == (apart.fixtures[5],)
    # Different known kick-offs on a day outside the last round: not simultaneous.
    assert simultaneous_fixtures(OPEN, OPEN.fixtures[2]) == ()
    moved = replace(OPEN.fixtures[5], date=DAY + dt.timedelta(days=9))
    later_day = replace(OPEN, fixtures=(*OPEN.fixtures[:5], moved))
    assert simultaneous_fixtures(later_day, later_day.fixtures[4]) == ()


def test_locate_and_next_stage():
    ed = edition(OPEN)
    stage, group, found = locate(ed, 4)
    assert (stage.name, group.name, found.match_id) == ("group stage", "Group X", 4)
    assert locate(ed, 99) is None  # a knockout match
    assert locate(ed, 12345) is None
    ruleless = replace(ed, stages=(replace(ed.stages[0], rules=None), *ed.stages[1:]))
    assert locate(ruleless, 4) is None
    assert situation_of(ruleless, 4, {}, lambda f: (LAM, LAM), {}, STRENGTHS) is None
    assert next_stage(ed, ed.stages[0]) == "the round of 16"
    second = Stage("second round", False, ())
    third = Stage("third-place match", True, ())
    final = Stage("final", True, ())
    late = replace(ed, stages=(ed.stages[0], second, third, final))
    assert next_stage(late, second) == "the final"
    assert next_stage(late, ed.stages[0]) == "the second round"
    assert next_stage(late, final) == "the next round"


def test_bookings_of_card_rows():
    cards = pd.DataFrame(
        {
            "team": ["A", "A", "B", "B"],
            "player": ["x", "", "y", None],
            "card": ["yellow", "red", "second_yellow", "yellow"],
            "period": ["second_half", "first_half", None, "second_half"],
            "minute": [80, 45, 70, np.nan],
            "stoppage": [np.nan, 2, 0, 0],
        }
    )
    assert bookings_of(cards) == (
        Booking("A", "x", "yellow", SH, 80, 0),
        Booking("A", None, "red", FH, 45, 2),
    )


def test_the_situation_of_a_match_and_its_checks():
    ed = edition(OPEN)
    bookings = {6: (Booking("B", "b", "yellow", SH, 50),)}
    situation = situation_of(
        ed, 6, {5: OPEN_5, 6: OPEN_6}, lambda f: (1.1, 0.9), bookings, STRENGTHS
    )
    assert situation.fixture.match_id == 6
    assert [lm.fixture.match_id for lm in situation.live] == [6, 5]
    assert [lm.match for lm in situation.live] == [OPEN_6, OPEN_5]
    assert situation.live[0].bookings == bookings[6] and situation.live[1].bookings == ()
    assert (situation.live[0].lam_home, situation.live[0].lam_away) == (1.1, 0.9)
    assert situation.next_stage == "the round of 16"
    path = replay(OPEN_6, 1.1, 0.9, MODEL)
    with pytest.raises(ValueError, match="points"):
        group_stakes(situation, path.head(20), MODEL)
    blind = replace(OPEN_6, timeline_complete=False)
    unknown = replace(situation, live=(replace(situation.live[0], match=blind), situation.live[1]))
    assert not unknown.live[0].followed
    with pytest.raises(ValueError, match="every goal"):
        group_stakes(unknown, path, MODEL)


# --------------------------------------------------------------------------- determinism


def test_the_same_seed_gives_the_same_stakes():
    # A v C in the second round: B v D later that day and the last round are simulated.
    ed = edition(OPEN)
    records = {3: OPEN_3}
    situation, _path, first = stakes_of(ed, 3, records, simulations=60, seed=1)
    assert [lm.fixture.match_id for lm in situation.live] == [3]
    _s, _p, again = stakes_of(ed, 3, records, simulations=60, seed=1)
    _s, _p, other = stakes_of(ed, 3, records, simulations=60, seed=2)
    _s, _p, default = stakes_of(ed, 3, records, simulations=60)
    _s, _p, by_id = stakes_of(ed, 3, records, simulations=60, seed=3)
    names = ("p_home_qualify", "p_away_qualify", "p_home_first", "p_away_first")
    for name in names:
        np.testing.assert_array_equal(getattr(first, name), getattr(again, name))
        np.testing.assert_array_equal(getattr(default, name), getattr(by_id, name))
    assert any(not np.array_equal(getattr(first, n), getattr(other, n)) for n in names)
    # Later matches to play: no settlement, nothing certain at the whistle.
    assert first.settlement is None and first.simultaneous == () and first.elsewhere == ()
    assert 0.0 < first.p_home_qualify[-1] < 1.0
    # A won: its chance rises over the match, the loser's falls.
    assert first.p_home_qualify[-1] > first.p_home_qualify[0]
    assert first.p_away_qualify[-1] < first.p_away_qualify[0]


def test_stakes_head_keeps_the_goals_elsewhere_it_reaches(open_stakes):
    _situation, path, stakes = open_stakes
    i = stakes.elsewhere[0].index
    before, after = stakes.head(i), stakes.head(i + 1)
    assert before.elsewhere == () and after.elsewhere == stakes.elsewhere
    for name in ("p_home_qualify", "p_away_qualify", "p_home_first", "home_chance"):
        np.testing.assert_array_equal(getattr(before, name), getattr(stakes, name)[:i])
        assert len(getattr(after, name)) == i + 1
    assert before.settlement is None and stakes.settlement is not None
    assert (before.home_goal, before.simultaneous) == (stakes.home_goal, stakes.simultaneous)
    head = replace(path, stakes=stakes).head(i)
    assert len(head) == i and head.stakes.elsewhere == ()
    np.testing.assert_array_equal(head.home_chance(), stakes.home_chance[:i])
