"""The shootout kick by kick: the format's early ends, exact chances against a brute-force count
of every way the kicks can go, recorded shootouts replayed and checked."""

from __future__ import annotations

from itertools import product

import pytest

from heartbreak.domain import ShootoutKick, Side, in_turn
from heartbreak.model.shootout import (
    ROUNDS,
    first_kicker_chance,
    kick_chances,
    kicks_problem,
    outcome,
)

H, A = Side.HOME, Side.AWAY


def brute_force(a: int, b: int, na: int, nb: int, p1: float, p2: float) -> float:
    """The first kicker's chance from a state in the first five pairs, by summing over every
    way the kicks left in them can go (kicks after the shootout is decided change no winner, so
    all of them can be counted) and, when level after five each, sudden death in pairs."""
    left1, left2 = ROUNDS - na, ROUNDS - nb
    decisive = p1 * (1 - p2) + (1 - p1) * p2
    sudden_death = p1 * (1 - p2) / decisive
    total = 0.0
    for kicks in product((0, 1), repeat=left1 + left2):
        first, second = kicks[:left1], kicks[left1:]
        weight = 1.0
        for k in first:
            weight *= p1 if k else 1 - p1
        for k in second:
            weight *= p2 if k else 1 - p2
        fa, fb = a + sum(first), b + sum(second)
        total += weight * (1.0 if fa > fb else 0.0 if fa < fb else sudden_death)
    return total


# --- the format -----------------------------------------------------------------------------


def test_three_nil_with_two_kicks_each_left_is_over() -> None:
    assert outcome(3, 0, 3, 3) == 1
    assert first_kicker_chance(3, 0, 3, 3, 0.7) == 1.0
    assert outcome(0, 3, 3, 3) == 0
    assert first_kicker_chance(0, 3, 3, 3, 0.7) == 0.0


def test_a_lead_the_other_can_still_catch_is_open() -> None:
    # 3-0 after three kicks against two: the second kicker still has three to take.
    assert outcome(3, 0, 3, 2) is None
    assert 0.9 < first_kicker_chance(3, 0, 3, 2, 0.7) < 1.0
    # 4-3 after five and four: the second kicker's fifth can level it.
    assert outcome(4, 3, 5, 4) is None
    assert first_kicker_chance(4, 3, 5, 4, 0.7) == pytest.approx(0.3 + 0.7 * 0.5)


def test_after_five_each_a_difference_ends_it() -> None:
    assert outcome(4, 3, 5, 5) == 1
    assert outcome(5, 5, 5, 5) is None


@pytest.mark.parametrize("p", [0.5, 0.7, 0.7025, 0.9])
def test_before_the_first_kick_equal_sides_are_a_coin_toss(p: float) -> None:
    assert first_kicker_chance(0, 0, 0, 0, p) == pytest.approx(0.5, abs=1e-12)


@pytest.mark.parametrize("p", [0.6, 0.75])
def test_sudden_death_is_symmetric(p: float) -> None:
    # Level after the same number of kicks, in sudden death: a coin toss again.
    for n in (5, 6, 9):
        assert first_kicker_chance(n - 1, n - 1, n, n, p) == pytest.approx(0.5)
    # The first kicker scores in sudden death: the other must score to go on.
    assert first_kicker_chance(6, 5, 6, 5, p) == pytest.approx((1 - p) + p * 0.5)
    # The first kicker misses: the other scores to win.
    assert first_kicker_chance(5, 5, 6, 5, p) == pytest.approx((1 - p) * 0.5)
    # After the pair, a difference decides.
    assert first_kicker_chance(6, 5, 6, 6, p) == 1.0
    assert first_kicker_chance(5, 6, 6, 6, p) == 0.0


def test_sudden_death_with_unequal_sides() -> None:
    p1, p2 = 0.8, 0.6
    q = p1 * (1 - p2) / (p1 * (1 - p2) + (1 - p1) * p2)
    assert first_kicker_chance(5, 5, 5, 5, p1, p2) == pytest.approx(q)
    assert q > 0.5


@pytest.mark.parametrize(("p1", "p2"), [(0.7, 0.7), (0.8, 0.6), (0.55, 0.9)])
def test_every_state_agrees_with_a_brute_force_count(p1: float, p2: float) -> None:
    for na in range(ROUNDS + 1):
        for nb in (na - 1, na):
            if not 0 <= nb <= ROUNDS:
                continue
            for a, b in product(range(na + 1), range(nb + 1)):
                got = first_kicker_chance(a, b, na, nb, p1, p2)
                assert got == pytest.approx(brute_force(a, b, na, nb, p1, p2), abs=1e-12)


def test_kicks_must_alternate() -> None:
    with pytest.raises(ValueError, match="alternate"):
        first_kicker_chance(0, 0, 2, 0, 0.7)
    with pytest.raises(ValueError, match=r"\(0, 1\)"):
        first_kicker_chance(0, 0, 0, 0, 1.0)


# --- recorded shootouts ------------------------------------------------------------------------


def kicks(*spec: tuple[Side, int]) -> tuple[ShootoutKick, ...]:
    return tuple(
        ShootoutKick(side, bool(scored), f"{side.value} {i}")
        for i, (side, scored) in enumerate(spec)
    )


# The 2022 World Cup final (Argentina home): France first; Mbappé ✓, Messi ✓, Coman ✗,
# Dybala ✓, Tchouaméni ✗, Paredes ✓, Kolo Muani ✓, Montiel ✓: Argentina 4-2.
FINAL_2022 = kicks((A, 1), (H, 1), (A, 0), (H, 1), (A, 0), (H, 1), (A, 1), (H, 1))


def test_the_2022_final_kick_by_kick() -> None:
    assert kicks_problem(FINAL_2022, H) is None
    chances = kick_chances(FINAL_2022, 0.7)
    assert chances.home_goals.tolist() == [0, 1, 1, 2, 2, 3, 3, 4]
    assert chances.away_goals.tolist() == [1, 1, 1, 1, 1, 1, 2, 2]
    p = chances.p_home
    # Mbappé scores first: Argentina below a coin toss; Messi levels: a coin toss again.
    assert p[0] == pytest.approx(1 - first_kicker_chance(1, 0, 1, 0, 0.7)) and p[0] < 0.5
    assert p[1] == pytest.approx(0.5)
    # Each French miss lifts Argentina; Kolo Muani's goal lowers it a little; Montiel ends it.
    assert p[2] > 0.7 and p[4] > 0.9 and p[6] < p[5]
    assert p[-1] == 1.0 and (p[:-1] < 1).all()


def test_in_turn_puts_the_first_kicker_first() -> None:
    by_side = {H: [k for k in FINAL_2022 if k.side is H], A: [k for k in FINAL_2022 if k.side is A]}
    assert in_turn(by_side, A) == FINAL_2022
    # A side with a kick more (the shootout ended on the first kicker's kick).
    short = {H: by_side[H][:3], A: by_side[A]}
    assert [k.side for k in in_turn(short, A)] == [A, H, A, H, A, H, A]


def test_problems_of_a_record() -> None:
    assert kicks_problem((), H) == "no kicks"
    assert kicks_problem(FINAL_2022, None) == "no winner"
    assert "out of turn" in kicks_problem(kicks((A, 1), (A, 1), (H, 1)), H)
    assert "decided" in kicks_problem((*FINAL_2022, ShootoutKick(A, True)), H)
    assert "before the shootout is decided" in kicks_problem(FINAL_2022[:-1], H)
    assert "the home side the winner" in kicks_problem(FINAL_2022, A)
    # Germany 4-1 Mexico, 1986: the shootout ends after seven kicks, the first kicker's fourth.
    early = kicks((A, 1), (H, 1), (A, 1), (H, 0), (A, 1), (H, 0), (A, 1))
    assert kicks_problem(early, A) is None
    assert kick_chances(early, 0.7).p_home[-1] == 0.0
