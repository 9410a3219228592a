"""Penalty shootouts kick by kick: each side's chance of going through after every kick.

The format is the one of the Laws of the Game (IFAB, Laws of the Game 2023/24, Law 10 "Determining
the Outcome of a Match", section 3 "Kicks from the penalty mark"): the teams take kicks
alternately; both take five kicks, unless before both have taken five one has scored more than
the other could score even if it converted all its remaining kicks, when no more kicks are taken;
if the scores are level after five kicks each, kicks continue in pairs until one team has scored
a goal more than the other from the same number of kicks (sudden death). The team that kicks
first keeps kicking first in every pair.

The model: every kick is converted independently with probability ``p`` (the same for both
sides; ``InPlayParams.shootout_conversion``, fitted by ``heartbreak model fit`` on the World Cup
shootout kicks before the training end). From any state (goals and kicks taken by each side) the
chance that the first kicker wins is exact: a recursion over the kicks that can still be taken
in the first five pairs, and in sudden death, from a level state after the same number of
kicks, the closed form

    q = p₁(1 − p₂) / (p₁(1 − p₂) + (1 − p₁)p₂)

(a pair decides with probability p₁(1 − p₂) + (1 − p₁)p₂, and then for the first kicker with the
share above). With one ``p`` for both sides q = ½, and so is the chance of either side before
the first kick, whoever kicks first: the shootout starts as the coin toss of the in-play engine
(``InPlayParams.shootout_home``) and moves kick by kick from there.

:func:`first_kicker_chance` is the chance from a state; :func:`kick_chances` replays a recorded
shootout (the kicks in the order taken) into the home side's chance after each kick;
:func:`kicks_problem` says why a record of kicks cannot be a complete shootout won by the
recorded winner (None when it can).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np

from heartbreak.domain import ShootoutKick, Side

#: Kicks each side takes before sudden death.
ROUNDS = 5


def outcome(
    first_goals: int, second_goals: int, first_taken: int, second_taken: int, rounds: int = ROUNDS
) -> int | None:
    """1 when the first kicker has won, 0 when the second has, None while the shootout is open.

    A side has won when the other cannot catch up even by converting every kick it may still
    take: in the first ``rounds`` pairs, its kicks up to ``rounds``; in sudden death, the kick
    left in the current pair.
    """
    most = max(rounds, first_taken)  # kicks each side takes at most in this stage
    if first_goals > second_goals + (most - second_taken):
        return 1
    if second_goals > first_goals + (most - first_taken):
        return 0
    return None


def first_kicker_chance(
    first_goals: int,
    second_goals: int,
    first_taken: int,
    second_taken: int,
    p_first: float,
    p_second: float | None = None,
    rounds: int = ROUNDS,
) -> float:
    """The chance that the side kicking first wins the shootout from a state, exactly (see the
    module docstring). ``p_second`` defaults to ``p_first``."""
    if not (first_taken == second_taken or first_taken == second_taken + 1):
        raise ValueError(
            f"kicks alternate: the first kicker has taken {first_taken}, the second {second_taken}"
        )
    p2 = p_first if p_second is None else p_second
    return _chance(float(p_first), float(p2), int(rounds))(
        int(first_goals), int(second_goals), int(first_taken), int(second_taken)
    )


@lru_cache(maxsize=64)
def _chance(p1: float, p2: float, rounds: int):
    if not (0.0 < p1 < 1.0 and 0.0 < p2 < 1.0):
        raise ValueError(f"conversion probabilities must be in (0, 1), got {p1} and {p2}")
    decides_first = p1 * (1.0 - p2)
    sudden_death = decides_first / (decides_first + (1.0 - p1) * p2)

    @cache
    def value(a: int, b: int, na: int, nb: int) -> float:
        done = outcome(a, b, na, nb, rounds)
        if done is not None:
            return float(done)
        if na == nb and na >= rounds:  # level after the same number of kicks: sudden death
            return sudden_death
        if na == nb:
            return p1 * value(a + 1, b, na + 1, nb) + (1.0 - p1) * value(a, b, na + 1, nb)
        return p2 * value(a, b + 1, na, nb + 1) + (1.0 - p2) * value(a, b, na, nb + 1)

    return value


@dataclass(frozen=True)
class KickChances:
    """A recorded shootout replayed: after each kick, the shootout score and the home side's
    chance of going through (1 or 0 after the deciding kick)."""

    home_goals: np.ndarray
    away_goals: np.ndarray
    p_home: np.ndarray


def kicks_problem(kicks: Sequence[ShootoutKick], winner: Side | None) -> str | None:
    """Why ``kicks`` (in the order taken) are not a complete shootout won by ``winner``: the
    sides do not alternate, a kick comes after the shootout was over, or it ends open or with
    the other winner. None when they are one."""
    if not kicks:
        return "no kicks"
    if winner is None:
        return "no winner"
    first = kicks[0].side
    goals = {Side.HOME: 0, Side.AWAY: 0}
    taken = {Side.HOME: 0, Side.AWAY: 0}
    for i, kick in enumerate(kicks):
        expected = first if i % 2 == 0 else first.other
        if kick.side is not expected:
            return f"kick {i + 1} is taken by the {kick.side.value} side out of turn"
        state = (goals[first], goals[first.other], taken[first], taken[first.other])
        if outcome(*state) is not None:
            return f"kick {i + 1} comes after the shootout was decided"
        taken[kick.side] += 1
        goals[kick.side] += int(bool(kick.converted))
    done = outcome(goals[first], goals[first.other], taken[first], taken[first.other])
    if done is None:
        return "the kicks end before the shootout is decided"
    won = first if done == 1 else first.other
    if won is not winner:
        return f"the kicks make the {won.value} side the winner, the record the {winner.value}"
    return None


def kick_chances(kicks: Sequence[ShootoutKick], p: float) -> KickChances:
    """After each kick (in the order taken): the shootout score and the home side's chance of
    winning the shootout, every kick converted with probability ``p``."""
    n = len(kicks)
    home, away, p_home = np.zeros(n, np.int64), np.zeros(n, np.int64), np.zeros(n)
    if n == 0:
        return KickChances(home, away, p_home)
    first = kicks[0].side
    goals = {Side.HOME: 0, Side.AWAY: 0}
    taken = {Side.HOME: 0, Side.AWAY: 0}
    for i, kick in enumerate(kicks):
        taken[kick.side] += 1
        goals[kick.side] += int(bool(kick.converted))
        chance = first_kicker_chance(
            goals[first], goals[first.other], taken[first], taken[first.other], p
        )
        home[i], away[i] = goals[Side.HOME], goals[Side.AWAY]
        p_home[i] = chance if first is Side.HOME else 1.0 - chance
    return KickChances(home, away, p_home)
