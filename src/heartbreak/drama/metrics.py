"""How dramatic a match was: summary numbers of one probability path.

Everything is computed on whole arrays of the path (numpy, no loop over points), so a ranking of
every match in the record is a loop over matches only.

Outcomes
--------
``p_o,t`` are the outcome probabilities at point t, over the outcomes that decide the match:

- a match that can end drawn: the three full-time outcomes (home win, draw, away win);
- a group match replayed for its stakes (:class:`~heartbreak.model.path.Stakes`): each side's
  chance of what matters to it and its complement, each halved (four columns summing to 1);
- a knockout: the two outcomes that matter, home goes through and away goes through
  (``p_home_advance`` and ``1 − p_home_advance``). The three full-time columns of a knockout path
  switch meaning when extra time starts (from "after 90'" to "after 120'"), a jump in the numbers
  that is no event on the pitch; P(advance) has no such break.

Both bases add up to 1, so ``Σ_o |Δp_o|`` is twice the probability mass that moved in either.

Metrics (t runs over the points, Δ is the change from the previous point)
--------------------------------------------------------------------------
- ``excitement = Σ_t Σ_o |Δp_o,t|``: the Excitement Index of win-probability analytics, "the
  total movement of the win probability line" (B. Burke, Advanced NFL Stats / Advanced Football
  Analytics, 2009; used for the NBA by inpredictable and for games by FiveThirtyEight), over the
  outcomes above.
- ``surprise = Σ_t √(Σ_o (Δp_o,t)²)``: the surprise of Ely, Frankel & Kamenica (2015, "Suspense
  and Surprise", Journal of Political Economy 123(1)) in the square-root (Euclidean distance)
  form used in empirical work (Bizzozero, Flepp & Franck 2016, "The importance of suspense and
  surprise in entertainment demand: evidence from Wimbledon", JEBO 130; Buraimo, Forrest, McHale &
  Tena 2020, "Unscripted drama: soccer audience response to suspense, surprise, and shock",
  Economic Inquiry 58(2)), which keeps each move in units of probability so that one big jump and
  several small ones are comparable. ``surprise_squared = Σ_t Σ_o (Δp_o,t)²`` is EFK's own form.
- ``suspense = Σ path.suspense`` over the MINUTE points: EFK's suspense,
  ``E_t[Σ_o (p_o,t+1 − p_o,t)²]``, summed minute by minute (the engine computes it per point).
- ``shock = max_t ½ Σ_o |p_o,t − p_o,0|``: how far beliefs ever stood from the pre-match
  expectation (total-variation distance, in [0, 1]); the shock of Buraimo et al. (2020), the
  distance of current from pre-match probabilities, taken at its largest over the match. The
  final whistle is included, so shock ≥ ``result_shock = ½ Σ_o |p_o,end − p_o,0|`` = 1 − the
  pre-match chance of the outcome that happened.
- ``comeback_low``: the lowest chance the eventual winner had of the result that matters (to go
  through in a knockout, to win otherwise); ``comeback = 1 − comeback_low`` (the Comeback Factor
  of Burke, Advanced NFL Stats, is 1/comeback_low; this form stays in [0, 1]). A draw without a
  winner: ``comeback_low`` None, ``comeback`` 0.
- the *decisive moment*: the point at which the winner took the lead it kept to the end (the
  point after the last one at which it was not ahead); in a shootout whose kicks are known
  (points of kind SHOOTOUT_KICK), the kick after which the winner's chance stayed above ½ to the
  end (the kick that turned it, not always the last); when the winner never led at the end
  otherwise (a shootout without its kicks, a walkover), the point of the loser's largest single
  drop in chance (the later of equal drops). ``decisive_index``, ``decisive_minute``,
  ``decisive_stoppage`` locate it.
- ``heartbreak`` (for the loser; 0 and None fields for a draw without a winner)::

      heartbreak = heartbreak_peak · exp(−blow_time_left / LATENESS_MINUTES)

  ``heartbreak_peak`` is the loser's highest chance of the result that matters before the
  decisive moment (kick-off included) and ``blow_time_left`` the path's ``time_left`` at it
  (minutes that were left to undo the blow; 0 for a shootout). A match settled level (a
  shootout) has two blows: the shootout, which takes away the highest chance the loser held in
  it before the decisive kick (the point before the first kick included; when the kicks are not
  known, the chance held just before the shootout), and, if the loser had led, the equaliser
  that took its lead, which takes away the peak held before it; heartbreak is the larger of the
  two, and ``heartbreak_peak``, ``blow_time_left`` and ``chance_before_blow`` describe that
  blow. Followed kick by kick, a shootout the loser led (Colombia against England in 2018: 83%
  after Jordan Henderson's miss) weighs as much as a lead lost in play at the whistle. This
  project's definition: HIGHER means more was lost, LATER means less time was left to recover,
  and the product makes either a low peak or a long time left enough to keep heartbreak small.
  ``LATENESS_MINUTES`` = 15 (the last quarter-hour, where goal rates are highest): a blow with
  15' left weighs e⁻¹ ≈ 0.37 of one at the whistle, one with 45' left 5%.
  ``chance_before_blow`` is the loser's chance just before the decisive moment. In a group match
  the peak counts only above what the loser kept at the whistle (its chance of what mattered
  then: Japan lost 1-0 to Poland in 2018 and went through, and there was no heartbreak).
- ``lead_changes``: how many times the side ahead on the score changed (1-0, 1-1, 1-2 is one);
  ``max_lead_home`` / ``max_lead_away``: the largest goal lead each side held (0 if never ahead).

Flags (``flags``, in this order when they apply)
-----------------------------------------------
- ``decided_in_stoppage_time``: the decisive moment came in stoppage time (of any period).
- ``late_winner``: the decisive moment was a goal in the last five minutes of regulation (85'
  or later, stoppage included) or of extra time (115' or later).
- ``late_equaliser``: the match ended level on goals and the goal that levelled it came that late.
- ``came_from_behind``: the winner trailed at some point.
- ``comeback_from_two_down``: the winner trailed by two goals or more.
- ``lead_lost``: a side that led at some point did not win.
- ``extra_time``: extra time was played.
- ``shootout``: the match went to a penalty shootout.
- ``upset``: the winner's pre-match chance of the result that matters was below 0.3
  (``UPSET_CHANCE``).

A match in progress (``in_progress=True``, the path ending where it stands) has no winner and
no result yet: ``late_equaliser`` is not given (nothing has ended level yet) and ``lead_lost``
means a side that led at some point is not ahead now.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from heartbreak.domain import EventType, Period, Side
from heartbreak.drama.ranked import RANKED_METRICS as RANKED_METRICS
from heartbreak.model.path import PointKind, ProbabilityPath

LATENESS_MINUTES = 15.0
"""Time scale of the lateness weight ``exp(−time_left / LATENESS_MINUTES)`` of heartbreak."""
UPSET_CHANCE = 0.3
"""A winner whose pre-match chance was below this caused an upset."""
_LATE_REGULATION, _LATE_EXTRA = 85, 115


@dataclass(frozen=True)
class DramaMetrics:
    """Drama numbers of one match (definitions in the module docstring)."""

    excitement: float
    surprise: float
    surprise_squared: float
    suspense: float
    shock: float
    result_shock: float
    winner: Side | None
    loser: Side | None
    comeback_low: float | None
    comeback: float
    heartbreak: float
    heartbreak_peak: float | None
    blow_time_left: float | None
    chance_before_blow: float | None
    decisive_index: int | None
    decisive_minute: int | None
    decisive_stoppage: int | None
    lead_changes: int
    max_lead_home: int
    max_lead_away: int
    flags: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain Python values (sides as strings, flags as a list), ready for JSON."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Side):
                value = value.value
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out


def outcome_probabilities(path: ProbabilityPath) -> np.ndarray:
    """The (n, k) outcome matrix the metrics use: (home, draw, away) full-time probabilities, or
    (home goes through, away goes through) in a knockout (see the module docstring)."""
    if path.p_home_advance is not None:
        adv = np.asarray(path.p_home_advance, dtype=float)
        return np.column_stack([adv, 1.0 - adv])
    if path.stakes is not None:
        # Each side's chance of what matters to it and its complement, halved: the two
        # sides' stakes are not complements (both may go through), and the halves keep the
        # columns summing to 1 (a knockout's two columns again when they are).
        home = np.asarray(path.stakes.home_chance, dtype=float)
        away = np.asarray(path.stakes.away_chance, dtype=float)
        return 0.5 * np.column_stack([home, 1.0 - home, away, 1.0 - away])
    return np.column_stack(
        [
            np.asarray(path.p_home_win, dtype=float),
            np.asarray(path.p_draw, dtype=float),
            np.asarray(path.p_away_win, dtype=float),
        ]
    )


def _chance(path: ProbabilityPath, side: Side) -> np.ndarray:
    chance = path.home_chance() if side is Side.HOME else path.away_chance()
    return np.asarray(chance, dtype=float)


def _match_chance(path: ProbabilityPath, side: Side) -> np.ndarray:
    """The side's chance of winning the match itself (of going through in a knockout)."""
    if path.p_home_advance is not None or path.stakes is None:
        return _chance(path, side)
    return np.asarray(path.p_home_win if side is Side.HOME else path.p_away_win, dtype=float)


def _late(period: np.ndarray, minute: np.ndarray) -> np.ndarray:
    """Points in the last five minutes of regulation or of extra time (stoppage included)."""
    return ((period == Period.SECOND_HALF.value) & (minute >= _LATE_REGULATION)) | (
        (period == Period.EXTRA_SECOND.value) & (minute >= _LATE_EXTRA)
    )


def drama_metrics(
    path: ProbabilityPath, winner: Side | None, *, in_progress: bool = False
) -> DramaMetrics:
    """The drama numbers of a match; ``winner`` won or went through (None for a draw, and for
    a match ``in_progress``, whose path ends where it stands)."""
    n = len(path)
    if n == 0:
        raise ValueError("an empty path has no drama metrics")
    probs = outcome_probabilities(path)
    moves = np.diff(probs, axis=0)
    squared = np.sum(moves**2, axis=1)
    distance = 0.5 * np.abs(probs - probs[0]).sum(axis=1)
    kind = np.asarray(path.kind)
    suspense = np.asarray(path.suspense, dtype=float)
    period = np.asarray(path.period)
    minute = np.asarray(path.minute)
    stoppage = np.asarray(path.stoppage)
    time_left = np.asarray(path.time_left, dtype=float)
    gd = np.asarray(path.home_goals, dtype=int) - np.asarray(path.away_goals, dtype=int)

    leader = np.sign(gd)
    led = leader[leader != 0]
    lead_changes = int(np.count_nonzero(led[1:] != led[:-1]))
    max_lead_home = max(0, int(gd.max()))
    max_lead_away = max(0, int((-gd).max()))

    extra_time = bool(np.isin(period, [Period.EXTRA_FIRST.value, Period.EXTRA_SECOND.value]).any())
    shootout = bool((period == Period.SHOOTOUT.value).any()) or any(
        e.type is EventType.SHOOTOUT for e in path.events
    )
    late = _late(period, minute)

    flags: list[str] = []
    comeback_low: float | None = None
    comeback = 0.0
    loser: Side | None = None
    heartbreak = 0.0
    peak = blow_time_left = before_blow = None
    k: int | None = None
    if winner is not None:
        loser = winner.other
        won = _chance(path, winner)
        lost = _chance(path, loser)
        comeback_low = float(won.min())
        comeback = 1.0 - comeback_low
        lead = gd if winner is Side.HOME else -gd
        by_goal = lead[-1] > 0
        kicks = kind == PointKind.SHOOTOUT_KICK.value
        if by_goal:
            not_ahead = np.flatnonzero(lead <= 0)
            k = int(not_ahead[-1]) + 1 if not_ahead.size else 0
        elif kicks.any():
            not_ahead = np.flatnonzero(won <= 0.5 + 1e-9)
            k = min(int(not_ahead[-1]) + 1, n - 1) if not_ahead.size else 0
        elif n > 1:
            drops = np.round(-np.diff(lost), 12)
            k = n - 1 - int(np.argmax(drops[::-1]))
        else:
            k = 0
        peak = float(lost[: max(k, 1)].max())
        before_blow = float(lost[max(k - 1, 0)])
        blow_time_left = float(time_left[k])
        # What the loser kept at the end: nothing in a knockout or a plain match; in a group
        # match its chance of what mattered at the whistle (a team may lose and go through).
        kept = float(lost[-1]) if path.stakes is not None else 0.0
        heartbreak = max(peak - kept, 0.0) * float(np.exp(-blow_time_left / LATENESS_MINUTES))
        if not by_goal:
            # Settled level (a shootout): the shootout takes away the best chance the loser held
            # in it before the decisive kick; what it held before the shootout was taken by the
            # equaliser.
            start = np.flatnonzero(period == Period.SHOOTOUT.value)
            in_shootout = int(start[0]) if start.size else k
            peak = float(lost[in_shootout:k].max()) if in_shootout < k else before_blow
            heartbreak = peak * float(np.exp(-blow_time_left / LATENESS_MINUTES))
            levelled = np.flatnonzero((lead[:-1] < 0) & (lead[1:] == 0)) + 1
            if levelled.size:
                e = int(levelled[-1])
                lost_lead = float(lost[:e].max()) * float(
                    np.exp(-float(time_left[e]) / LATENESS_MINUTES)
                )
                if lost_lead > heartbreak:
                    heartbreak, peak = lost_lead, float(lost[:e].max())
                    before_blow = float(lost[e - 1])
                    blow_time_left = float(time_left[e])
        if stoppage[k] > 0 and period[k] != Period.SHOOTOUT.value:
            flags.append("decided_in_stoppage_time")
        if by_goal and late[k]:
            flags.append("late_winner")
    if gd[-1] == 0 and not in_progress:
        total = np.asarray(path.home_goals, dtype=int) + np.asarray(path.away_goals, dtype=int)
        scored = np.flatnonzero(np.diff(total) > 0) + 1
        if scored.size and late[scored[-1]]:
            flags.append("late_equaliser")
    if winner is not None:
        lead = gd if winner is Side.HOME else -gd
        if lead.min() <= -1:
            flags.append("came_from_behind")
        if lead.min() <= -2:
            flags.append("comeback_from_two_down")
    ahead = (
        (Side.HOME if gd[-1] > 0 else Side.AWAY if gd[-1] < 0 else None) if in_progress else winner
    )
    if (max_lead_home > 0 and ahead is not Side.HOME) or (
        max_lead_away > 0 and ahead is not Side.AWAY
    ):
        flags.append("lead_lost")
    if extra_time:
        flags.append("extra_time")
    if shootout:
        flags.append("shootout")
    if winner is not None and _match_chance(path, winner)[0] < UPSET_CHANCE:
        flags.append("upset")

    return DramaMetrics(
        excitement=float(np.abs(moves).sum()),
        surprise=float(np.sqrt(squared).sum()),
        surprise_squared=float(squared.sum()),
        suspense=float(suspense[kind == PointKind.MINUTE.value].sum()),
        shock=float(distance.max()),
        result_shock=float(distance[-1]),
        winner=winner,
        loser=loser,
        comeback_low=comeback_low,
        comeback=float(comeback),
        heartbreak=float(heartbreak),
        heartbreak_peak=peak,
        blow_time_left=blow_time_left,
        chance_before_blow=before_blow,
        decisive_index=k,
        decisive_minute=None if k is None else int(minute[k]),
        decisive_stoppage=None if k is None else int(stoppage[k]),
        lead_changes=lead_changes,
        max_lead_home=max_lead_home,
        max_lead_away=max_lead_away,
        flags=tuple(flags),
    )
