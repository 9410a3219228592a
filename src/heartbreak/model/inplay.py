"""In-play engine: from pre-match goal rates and a match state to outcome probabilities.

The goal process (parameters in :class:`InPlayParams`; :mod:`heartbreak.model.fit` fits them on
the data and ``heartbreak model fit`` writes them to the packaged parameter file):

- Each side scores as a Poisson process whose per-minute rate is ``λ/90 · θ_b``: ``λ`` is the
  side's expected goals from the pre-match model and ``θ_b`` the rate of the time bin ``b`` the
  minute falls in, relative to a flat 90 minutes. Bins by the minute a goal is labelled with:
  1–15, 16–30, 31–44, 45 and its stoppage, 46–60, 61–75, 76–85, 86–89, 90 and its stoppage,
  extra time 91–105 and 106–120 (each with its stoppage). Goals rise through a match (Armatas,
  Yiannakos & Sileloglou 2007), and stoppage minutes are dense with them.
- Stoppage time: the minutes added to period p have mean ``μ_p`` (see :func:`residual_stoppage`);
  at ``x`` minutes into stoppage the expected play left is ``E[S − x | S > x]``; stoppage
  minutes score at the rate of the period's last bin.
- A red card multiplies the punished side's rate by ``red_card_own`` and the opponent's by
  ``red_card_opponent`` for the rest of the match (Ridder, Cramer & Hopstaken 1994, "Down to
  ten: estimating the effect of a red card in soccer", JASA 89(427); Vecer, Kopriva & Ichiba
  2009, JQAS 5(1)).
- Score effects (Dixon & Robinson 1998, "A birth process model for association football
  matches", The Statistician 47(3)): in regulation a side's rate is multiplied by
  ``score_lead[k − 1]`` while it leads by k goals and ``score_trail[k − 1]`` while it trails by
  k (the last entry for every larger margin), by the ``_late`` ones from minute
  ``score_late_from`` on, and by 1 while level.
- Without score effects, the goals to come of the two sides have the Dixon–Coles dependence
  ``rho`` (Dixon & Coles 1997; see :class:`~heartbreak.model.grid.ScoreGrid`), as the pre-match
  grid does, so that the engine at kick-off and the pre-match model agree. With them, the
  score effects take the place of ρ in regulation (both make draws likelier than independent
  goals would; using both would count that twice), so the engine at kick-off differs a little
  from the pre-match grid (by under a percentage point of P(home win) with the values fitted
  on the years before 2019-07-01). The packaged parameters have none (see
  :mod:`heartbreak.model.fit`).
- Shootout: the home side wins with probability ``shootout_home`` (close to a coin toss:
  Csató & Petróczy 2022, "On the monotonicity of the penalty shootout", and references there).
  Where the record has the kicks, the replay follows them one by one
  (:mod:`heartbreak.model.shootout`), each converted with probability ``shootout_conversion``.

The defaults are documented assumptions: rates rising linearly by 23% either side of half-time
(44% of international goals come in the first half), 1.5 and 4 minutes of stoppage, extra time
at the average regulation rate, independent goals, shootout kicks converted 70% of the time.

Without score effects, goals to come are Poisson counts with means equal to the integrated
rates until the end of the phase (regulation, or extra time once it has started), so a batch of
states becomes one :class:`~heartbreak.model.grid.ScoreGrid` and every probability is derived
from it. With score effects the rates depend on the goal difference, and so does the result: in
regulation the difference is a birth process whose final sign :func:`score_effect_outcomes`
computes exactly (to 1e-13) for every state; extra time (its value from regulation, and states
in it) stays a score grid without score effects. Everything is vectorised over states: a whole
match path, or many matches at once, is one call.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
from scipy.special import gammainc, gammaincc, gammaincinv

from heartbreak.model.grid import ScoreGrid, grid_size
from heartbreak.rules import MAX_RED_CARDS

# Period indices used in the engine's arrays.
FIRST_HALF, SECOND_HALF, EXTRA_FIRST, EXTRA_SECOND, FINISHED = 0, 1, 2, 3, 4
PERIOD_START = np.array([0.0, 45.0, 90.0, 105.0, 120.0])
PERIOD_END = np.array([45.0, 90.0, 105.0, 120.0, 120.0])

#: Time bins of the rate profile: (first, last) minute label; 45, 90, 105 and 120 include the
#: period's stoppage time.
TIME_BINS: tuple[tuple[int, int], ...] = (
    (1, 15),
    (16, 30),
    (31, 44),
    (45, 45),
    (46, 60),
    (61, 75),
    (76, 85),
    (86, 89),
    (90, 90),
    (91, 105),
    (106, 120),
)
# Continuous-time knots of the regulation bins: the bin of label m covers (m − 1, m].
_REG_KNOTS = np.array([0.0, 15.0, 30.0, 44.0, 45.0, 60.0, 75.0, 85.0, 89.0, 90.0])
FIRST_HALF_END_BIN, SECOND_HALF_END_BIN, EXTRA_FIRST_BIN, EXTRA_SECOND_BIN = 3, 8, 9, 10


def ramp_rates(ramp: float = 0.23, stoppage_first: float = 1.5, stoppage_second: float = 4.0):
    """Bin rates of a linear rise ``s(m) = 1 + ramp·(m − 45)/45`` (each bin at its midpoint),
    scaled so that a match with the expected stoppage scores exactly λ in regulation; extra time
    at the average regulation rate."""
    raw = np.array([1.0 + ramp * ((lo - 1 + hi) / 2.0 - 45.0) / 45.0 for lo, hi in TIME_BINS[:9]])
    exposure = np.diff(_REG_KNOTS)
    exposure[FIRST_HALF_END_BIN] += stoppage_first
    exposure[SECOND_HALF_END_BIN] += stoppage_second
    scale = 90.0 / float((raw * exposure).sum())
    flat = 90.0 / float(exposure.sum())
    return (*(float(r) for r in raw * scale), flat, flat)


_SCORE_FIELDS = ("score_lead", "score_trail", "score_lead_late", "score_trail_late")


@dataclass(frozen=True)
class InPlayParams:
    """Parameters of the in-play goal process (see module docstring)."""

    minute_rates: tuple[float, ...] = field(default_factory=ramp_rates)
    stoppage_first_half: float = 1.5
    stoppage_second_half: float = 4.0
    stoppage_extra_first: float = 0.5
    stoppage_extra_second: float = 1.0
    red_card_own: float = 0.7
    red_card_opponent: float = 1.3
    rho: float = 0.0
    shootout_home: float = 0.5
    shootout_conversion: float = 0.7
    # Score effects: multipliers of a side's rate when it leads (trails) by 1, 2, … goals, the
    # last entry for every larger margin; the "_late" ones from minute score_late_from on.
    score_lead: tuple[float, ...] = (1.0, 1.0)
    score_trail: tuple[float, ...] = (1.0, 1.0)
    score_lead_late: tuple[float, ...] = (1.0, 1.0)
    score_trail_late: tuple[float, ...] = (1.0, 1.0)
    score_late_from: float = 75.0

    def __post_init__(self) -> None:
        if len(self.minute_rates) != len(TIME_BINS):
            raise ValueError(f"minute_rates needs {len(TIME_BINS)} values, one per time bin")
        object.__setattr__(self, "minute_rates", tuple(float(r) for r in self.minute_rates))
        lengths = set()
        for name in _SCORE_FIELDS:
            values = tuple(float(v) for v in getattr(self, name))
            if not values or min(values) <= 0:
                raise ValueError(f"{name} needs one or more positive multipliers")
            lengths.add(len(values))
            object.__setattr__(self, name, values)
        if len(lengths) != 1:
            raise ValueError(f"{', '.join(_SCORE_FIELDS)} need the same number of values")
        if not 45.0 <= self.score_late_from <= 90.0:
            raise ValueError("score_late_from must be a second-half minute (45-90)")

    def to_dict(self) -> dict:
        out = asdict(self)
        for name in ("minute_rates", *_SCORE_FIELDS):
            out[name] = list(getattr(self, name))
        return out

    @property
    def has_score_effects(self) -> bool:
        return any(v != 1.0 for name in _SCORE_FIELDS for v in getattr(self, name))

    @property
    def stoppage_means(self) -> np.ndarray:
        return np.array(
            [
                self.stoppage_first_half,
                self.stoppage_second_half,
                self.stoppage_extra_first,
                self.stoppage_extra_second,
                0.0,
            ]
        )


def _gamma_logsf(x: np.ndarray, shape: np.ndarray) -> np.ndarray:
    """log P(X > x) for X ~ Gamma(shape, 1), computed as ``scipy.stats.gamma.logsf`` does (the
    log of the survival above the median, log1p of minus the cdf below it, for precision in
    each tail) but from scipy.special: scipy.stats costs a second to import."""
    with np.errstate(divide="ignore"):
        return np.where(
            x > gammaincinv(shape, 0.5), np.log(gammaincc(shape, x)), np.log1p(-gammainc(shape, x))
        )


def residual_stoppage(mean: np.ndarray, played: np.ndarray) -> np.ndarray:
    """Expected stoppage still to come, ``E[S − x | S > x]``, with ``x`` minutes already played.

    S is Gamma-distributed with mean μ and shape ``max(μ, 1)`` (variance about μ, as for a count
    of minutes). A shape of at least 1 gives a non-decreasing hazard, so the expected time left
    never grows as stoppage goes on (Barlow & Proschan 1965, "Mathematical Theory of
    Reliability": IFR distributions have decreasing mean residual life). For a Gamma(a, θ),
    ``E[S·1{S>x}] = μ·P(S' > x)`` with ``S' ~ Gamma(a + 1, θ)``.
    """
    mean = np.maximum(np.asarray(mean, dtype=float), 1e-9)
    played = np.maximum(np.asarray(played, dtype=float), 0.0)
    shape = np.maximum(mean, 1.0)
    scale = mean / shape
    x = played / scale
    with np.errstate(invalid="ignore"):  # −inf − (−inf) far in the tail; handled below
        ratio = np.exp(_gamma_logsf(x, shape + 1.0) - _gamma_logsf(x, shape))
    return np.maximum(np.where(np.isfinite(ratio), mean * ratio - played, scale), 0.0)


def _rate_pairs(base_h: np.ndarray, base_a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct (home, away) rate pairs, (C, 2), and each state's pair index."""
    order = np.lexsort((base_a, base_h))
    h, a = base_h[order], base_a[order]
    new = np.ones(len(order), dtype=bool)
    new[1:] = (h[1:] != h[:-1]) | (a[1:] != a[:-1])
    inverse = np.empty(len(order), dtype=np.int64)
    inverse[order] = np.cumsum(new) - 1
    return np.column_stack([h[new], a[new]]), inverse


def score_effect_outcomes(
    base_h: np.ndarray,
    base_a: np.ndarray,
    tables: np.ndarray,
    late_left: float,
    queries: list[tuple[np.ndarray, list[np.ndarray]]],
) -> list[list[tuple[np.ndarray, np.ndarray]]]:
    """P(home ahead), P(level) at the end of regulation when the scoring rates depend on the
    goal difference (a birth process: Dixon & Robinson 1998, "A birth process model for
    association football matches", The Statistician 47(3)).

    Time is counted in profile-weighted minutes (a side scores ``base`` per weighted minute at
    κ = 1), so the goal difference ``d`` is a continuous-time Markov chain with rates constant
    within each phase: up at ``base_h · κ(d)``, down at ``base_a · κ(−d)``, with
    ``tables[phase]`` the κ by lead (:meth:`InPlayModel.score_multipliers`); the late phase is
    the last ``late_left`` weighted minutes. Each query ``(left, [d, …])`` asks, for every
    state, the outcome with ``left`` weighted minutes to come from each difference ``d``.

    Computed by uniformisation (Jensen 1953, "Markoff chains as an aid in the study of Markoff
    processes", Skandinavisk Aktuarietidskrift 36; Grassmann 1977, "Transient solutions in
    Markovian queueing systems", Computers & Operations Research 4(1)): with Λ at least every
    total rate and P = I + Q/Λ, ``exp(Q·t) = Σ_k Pois(k; Λt) · P^k``. Working backwards from the
    indicator of each final sign, ``P^k`` gives the answer for every starting difference at
    once, so the states that share their rates (a match's points between two events) share one
    recursion and each weighs its terms by its own ``left``. The late phase gives, for every
    difference, the chances from the start of the late phase, and the early phase starts from
    those. The differences run over ±M, absorbing at the ends, with M and the number of terms
    such that the Poisson tail left out is below 1e-13 (coming back from ±M takes M goals).
    """
    base_h = np.asarray(base_h, dtype=float)
    base_a = np.asarray(base_a, dtype=float)
    pairs, inverse = _rate_pairs(base_h, base_a)
    cap = (tables.shape[1] - 1) // 2
    lam = (pairs[:, 0] + pairs[:, 1]) * max(float(tables.max()), 1.0)  # Λ per rate pair
    lam_max = float(lam.max(initial=0.0))
    lefts = [np.maximum(np.asarray(left, dtype=float), 0.0) for left, _ in queries]
    longest = max([late_left, *(float(left.max(initial=0.0)) for left in lefts)])
    half = max(grid_size(lam_max * longest), cap + 1)
    d = np.arange(-half, half + 1)
    width = len(d)
    moves = []  # per phase: (up, down) chances of one uniformised step, absorbing at the ends
    for phase in (0, 1):
        up = pairs[:, :1] * tables[phase, np.clip(d, -cap, cap) + cap] / lam[:, None]
        down = pairs[:, 1:] * tables[phase, np.clip(-d, -cap, cap) + cap] / lam[:, None]
        up[:, [0, -1]] = 0.0
        down[:, [0, -1]] = 0.0
        moves.append((up, down))

    def step(u: np.ndarray, phase: int) -> np.ndarray:
        up, down = moves[phase]
        out = u.copy()
        out[:, :, :-1] += up[:, :-1] * (u[:, :, 1:] - u[:, :, :-1])
        out[:, :, 1:] += down[:, 1:] * (u[:, :, :-1] - u[:, :, 1:])
        return out

    n = len(base_h)
    out = [np.zeros((2, len(diffs), n)) for _, diffs in queries]
    late = [left <= late_left for left in lefts]
    # The indicators of the final sign, u[0] "home ahead" and u[1] "level", per pair and d.
    u = np.empty((2, len(pairs), width))
    u[0], u[1] = d > 0, d == 0
    for phase in (1, 0):
        rows = [np.flatnonzero(is_late == bool(phase)) for is_late in late]
        spans = [
            (left[r] if phase else left[r] - late_left) for left, r in zip(lefts, rows, strict=True)
        ]
        x = [lam[inverse[r]] * span for r, span in zip(rows, spans, strict=True)]
        # Each state's cell (pair, difference) in u's last two axes, flattened: (diffs, rows).
        cells = [
            inverse[r] * width + np.clip(np.asarray(diffs)[:, r], -half, half) + half
            for r, (_, diffs) in zip(rows, queries, strict=True)
        ]
        weight = [np.exp(-v) for v in x]
        acc = [np.zeros((2, *c.shape)) for c in cells]
        longest = max([float(v.max(initial=0.0)) for v in x] + [lam_max * late_left * phase])
        if phase:
            x_start = lam * late_left
            w_start = np.exp(-x_start)
            start = np.zeros_like(u)
        terms = grid_size(longest)
        for k in range(terms):
            flat = u.reshape(2, -1)
            for q in range(len(queries)):
                acc[q] += weight[q] * np.take(flat, cells[q], axis=1)
                weight[q] = weight[q] * x[q] / (k + 1)
            if phase:
                start += w_start[:, None] * u
                w_start = w_start * x_start / (k + 1)
            if k + 1 < terms:
                u = step(u, phase)
        for q, r in enumerate(rows):
            out[q][:, :, r] = acc[q]
        if phase:
            u = start
    answers = []
    for q in out:
        home = np.clip(q[0], 0.0, 1.0)
        level = np.clip(q[1], 0.0, 1.0 - home)
        answers.append(list(zip(home, level, strict=True)))
    return answers


@dataclass(frozen=True)
class StateBatch:
    """A batch of match states as arrays of equal length.

    ``period``: FIRST_HALF … EXTRA_SECOND, or FINISHED; ``minute``: the nominal clock within the
    period (e.g. 47.5 in the middle of the 48th minute; the period's end minute while in
    stoppage); ``stoppage``: minutes of stoppage already played (0 if not in stoppage).
    ``knockout`` marks states of matches that need a winner.
    """

    period: np.ndarray
    minute: np.ndarray
    stoppage: np.ndarray
    home_goals: np.ndarray
    away_goals: np.ndarray
    home_reds: np.ndarray
    away_reds: np.ndarray
    knockout: np.ndarray


@dataclass(frozen=True)
class StateProbabilities:
    """Engine output for a batch of states."""

    p_home_win: np.ndarray
    p_draw: np.ndarray
    p_away_win: np.ndarray
    p_home_advance: np.ndarray  # NaN where the match is not a knockout
    time_left: np.ndarray
    suspense: np.ndarray


class InPlayModel:
    """Outcome probabilities for batches of in-play states."""

    def __init__(self, params: InPlayParams | None = None) -> None:
        self.params = params or InPlayParams()

    # --- the time profile -------------------------------------------------------------------
    @property
    def _rates(self) -> np.ndarray:
        return np.asarray(self.params.minute_rates)

    def rate_at(self, period, minute, stoppage) -> np.ndarray:
        """θ at a state: the rate of the minute being played, relative to a flat 90 minutes."""
        period = np.asarray(period)
        minute = np.asarray(minute, dtype=float)
        stoppage = np.asarray(stoppage, dtype=float)
        rates = self._rates
        # The minute being played is (m, m + 1]; in regular time its bin follows the knots.
        reg_bin = np.clip(np.searchsorted(_REG_KNOTS, minute + 0.5) - 1, 0, 8)
        reg = rates[reg_bin]
        reg = np.where((period == FIRST_HALF) & (stoppage > 0), rates[FIRST_HALF_END_BIN], reg)
        reg = np.where((period == SECOND_HALF) & (stoppage > 0), rates[SECOND_HALF_END_BIN], reg)
        extra = np.where(period == EXTRA_FIRST, rates[EXTRA_FIRST_BIN], rates[EXTRA_SECOND_BIN])
        out = np.where(period <= SECOND_HALF, reg, extra)
        return np.where(period == FINISHED, 0.0, out)

    def _cumulative(self, minute: np.ndarray) -> np.ndarray:
        """∫₀^m θ(u) du over regular time (no stoppage), piecewise linear between the knots."""
        widths = np.diff(_REG_KNOTS)
        cum = np.concatenate([[0.0], np.cumsum(self._rates[:9] * widths)])
        return np.interp(np.asarray(minute, dtype=float), _REG_KNOTS, cum)

    def remaining_regulation(self, period, minute, stoppage, weighted: bool = True) -> np.ndarray:
        """Regulation play still to come from a state: in minutes at the flat rate, weighted by
        the time profile (``λ/90`` times it is the expected goals to come), or, when not
        ``weighted``, in plain minutes (expected stoppage included)."""
        period = np.asarray(period)
        minute = np.asarray(minute, dtype=float)
        stoppage = np.asarray(stoppage, dtype=float)
        mu = self.params.stoppage_means
        if weighted:
            cum, end1, end2 = (
                self._cumulative,
                *self._rates[[FIRST_HALF_END_BIN, SECOND_HALF_END_BIN]],
            )
        else:
            cum, end1, end2 = (lambda m: np.asarray(m, dtype=float)), 1.0, 1.0
        end_half = np.where(period == FIRST_HALF, 45.0, 90.0)
        end_rate = np.where(period == FIRST_HALF, end1, end2)
        in_stoppage = stoppage > 0
        regular = np.where(in_stoppage, 0.0, cum(end_half) - cum(np.minimum(minute, end_half)))
        this_stoppage = residual_stoppage(np.where(period == FIRST_HALF, mu[0], mu[1]), stoppage)
        this_period = regular + this_stoppage * end_rate
        second_half = (cum(90.0) - cum(45.0)) + mu[1] * end2
        out = np.where(period == FIRST_HALF, this_period + second_half, this_period)
        return np.where(period <= SECOND_HALF, out, 0.0)

    def remaining_extra_time(self, period, minute, stoppage, weighted: bool = True) -> np.ndarray:
        """Extra-time play still to come from a state (all of it for a state in regulation), in
        the units of :meth:`remaining_regulation`."""
        period = np.asarray(period)
        minute = np.asarray(minute, dtype=float)
        stoppage = np.asarray(stoppage, dtype=float)
        mu = self.params.stoppage_means
        r1, r2 = self._rates[[EXTRA_FIRST_BIN, EXTRA_SECOND_BIN]] if weighted else (1.0, 1.0)
        end = np.where(period == EXTRA_FIRST, 105.0, 120.0)
        rate = np.where(period == EXTRA_FIRST, r1, r2)
        regular = np.where(stoppage > 0, 0.0, end - np.minimum(np.maximum(minute, end - 15.0), end))
        this_period = (
            regular + residual_stoppage(np.where(period == EXTRA_FIRST, mu[2], mu[3]), stoppage)
        ) * rate
        out = np.where(period == EXTRA_FIRST, this_period + (15.0 + mu[3]) * r2, this_period)
        full = (15.0 + mu[2]) * r1 + (15.0 + mu[3]) * r2
        out = np.where(period <= SECOND_HALF, full, out)
        return np.where(period == FINISHED, 0.0, out)

    def red_card_multipliers(self, home_reds, away_reds) -> tuple[np.ndarray, np.ndarray]:
        """Rate multipliers (home, away) for the players sent off so far, counting at most
        :data:`MAX_RED_CARDS` a side: a side with fewer than seven players is an abandoned match
        (the rules refuse a fifth red card; the cap keeps the score grid small whatever
        arrives, as the opponent's rate grows by ``red_card_opponent`` for each)."""
        own, opp = self.params.red_card_own, self.params.red_card_opponent
        hr = np.clip(np.asarray(home_reds, dtype=float), 0, MAX_RED_CARDS)
        ar = np.clip(np.asarray(away_reds, dtype=float), 0, MAX_RED_CARDS)
        return own**hr * opp**ar, own**ar * opp**hr

    # --- probabilities ----------------------------------------------------------------------
    def _base_rates(self, lam_home, lam_away, states: StateBatch) -> tuple[np.ndarray, np.ndarray]:
        """Each side's goals per flat minute from now on, with the red cards so far."""
        mult_h, mult_a = self.red_card_multipliers(states.home_reds, states.away_reds)
        base_h = np.asarray(lam_home, dtype=float) / 90.0 * mult_h
        base_a = np.asarray(lam_away, dtype=float) / 90.0 * mult_a
        return base_h, base_a

    def goals_to_come(
        self, lam_home, lam_away, states: StateBatch
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each side's expected goals from a state to the end of the current phase
        (regulation, or extra time once it has started): the Poisson means of the goals to
        come; 0 once the match is over.

        Without score effects, these means and ``rho`` give the score grid from which
        :meth:`evaluate` derives every probability. Score effects are left out here: the one
        user of the whole distribution of final scores (the group stakes of
        :mod:`heartbreak.tournaments.stakes`) takes the goals to come as Poisson with ρ, an
        approximation when parameters have score effects (the birth process of
        :func:`score_effect_outcomes` tracks the goal difference, not each side's goals)."""
        base_h, base_a = self._base_rates(lam_home, lam_away, states)
        in_extra = (states.period == EXTRA_FIRST) | (states.period == EXTRA_SECOND)
        left = self.remaining_regulation(states.period, states.minute, states.stoppage)
        if in_extra.any():
            et_left = self.remaining_extra_time(states.period, states.minute, states.stoppage)
            left = np.where(in_extra, et_left, left)
        return base_h * left, base_a * left

    def evaluate(
        self, lam_home, lam_away, states: StateBatch, with_suspense: bool = True
    ) -> StateProbabilities:
        """Outcome probabilities for every state in the batch.

        ``lam_home``/``lam_away``: each state's pre-match expected goals (per 90 minutes).
        """
        p = self.params
        base_h, base_a = self._base_rates(lam_home, lam_away, states)
        in_extra = (states.period == EXTRA_FIRST) | (states.period == EXTRA_SECOND)
        in_regulation = states.period <= SECOND_HALF
        et_left = self.remaining_extra_time(states.period, states.minute, states.stoppage)
        left = self.remaining_regulation(states.period, states.minute, states.stoppage)
        # The goals to come of :meth:`goals_to_come`, from the play left computed once.
        phase_left = np.where(in_extra, et_left, left)
        rem_h, rem_a = base_h * phase_left, base_a * phase_left

        # The tie-break value: P(home goes through | level at the end of the phase).
        knockout = np.asarray(states.knockout, dtype=bool)
        # Only knockout states still in regulation need the value of extra time.
        tie = np.full(len(base_h), p.shootout_home)
        needs_et = knockout & in_regulation
        if needs_et.any():
            tie[needs_et] = self._extra_time_value(
                (base_h * et_left)[needs_et], (base_a * et_left)[needs_et]
            )

        rate = None
        if with_suspense:
            rate = self.rate_at(states.period, states.minute, states.stoppage)
        birth = in_regulation & p.has_score_effects
        if not birth.any():
            home, draw, away, adv, suspense = self._grid_outcomes(
                rem_h,
                rem_a,
                states.home_goals,
                states.away_goals,
                tie,
                knockout,
                base_h,
                base_a,
                rate,
            )
        else:
            # Score effects in regulation: the birth process; extra time stays a score grid.
            n = len(base_h)
            home, draw, away, adv, suspense = (np.zeros(n) for _ in range(5))
            rows = np.flatnonzero(birth)
            parts = self._birth_outcomes(
                base_h[rows],
                base_a[rows],
                (np.asarray(states.home_goals) - np.asarray(states.away_goals))[rows],
                left[rows],
                tie[rows],
                knockout[rows],
                None if rate is None else rate[rows],
            )
            for out, part in zip((home, draw, away, adv, suspense), parts, strict=True):
                out[rows] = part
            rows = np.flatnonzero(~birth)
            if len(rows):
                parts = self._grid_outcomes(
                    rem_h[rows],
                    rem_a[rows],
                    states.home_goals[rows],
                    states.away_goals[rows],
                    tie[rows],
                    knockout[rows],
                    base_h[rows],
                    base_a[rows],
                    None if rate is None else rate[rows],
                )
                for out, part in zip((home, draw, away, adv, suspense), parts, strict=True):
                    out[rows] = part
        adv = np.where(knockout, adv, np.nan)

        plain_left = np.where(
            in_extra,
            self.remaining_extra_time(states.period, states.minute, states.stoppage, False),
            self.remaining_regulation(states.period, states.minute, states.stoppage, False),
        )
        finished = states.period == FINISHED
        time_left = np.where(finished, 0.0, plain_left)
        return StateProbabilities(
            home, draw, away, adv, time_left, np.where(finished, 0.0, suspense)
        )

    def _grid_outcomes(
        self, rem_h, rem_a, home_goals, away_goals, tie, knockout, base_h, base_a, rate
    ):
        """(home, draw, away, advance, suspense) from the score grid of the goals to come;
        suspense 0 when ``rate`` (θ now) is None."""
        home, draw, away, adv = self._probabilities(rem_h, rem_a, home_goals, away_goals, tie)
        suspense = np.zeros(len(rem_h))
        if rate is not None:
            suspense = self._suspense(
                rem_h,
                rem_a,
                base_h * rate,
                base_a * rate,
                home_goals,
                away_goals,
                tie,
                knockout,
                (home, draw, away, adv),
            )
        return home, draw, away, adv, suspense

    # --- score effects: the birth process on the goal difference ------------------------------
    def score_multipliers(self, lead, late) -> np.ndarray:
        """κ of a side with goal difference ``lead`` (its goals minus the other side's), in the
        late part of regulation where ``late``: 1 when level, else the ``score_lead``/
        ``score_trail`` multiplier of the margin (the last one for every larger margin)."""
        tables = self._score_tables
        cap = (tables.shape[1] - 1) // 2
        index = np.clip(np.asarray(lead, dtype=int), -cap, cap) + cap
        return tables[np.asarray(late, dtype=int), index]

    @property
    def _score_tables(self) -> np.ndarray:
        """(2, 2·cap + 1): κ by phase (before, from ``score_late_from``) and lead −cap…cap."""
        p = self.params
        return np.array(
            [
                [*reversed(p.score_trail), 1.0, *p.score_lead],
                [*reversed(p.score_trail_late), 1.0, *p.score_lead_late],
            ]
        )

    def _birth_outcomes(self, base_h, base_a, diff, left, tie, knockout, rate):
        """(home, draw, away, advance, suspense) of regulation states under score effects:
        ``diff`` the goal difference now, ``left`` the profile-weighted regulation minutes to
        come (:meth:`remaining_regulation`), ``rate`` θ now (None: no suspense)."""
        late_left = float(self.remaining_regulation(SECOND_HALF, self.params.score_late_from, 0.0))
        queries = [(left, [diff])]
        if rate is not None:
            # One minute of play (never more than is left), then the three futures of
            # :meth:`_suspense`: no goal, a home goal, an away goal.
            step = np.minimum(rate, left)
            queries.append((left - step, [diff, diff + 1, diff - 1]))
        results = score_effect_outcomes(base_h, base_a, self._score_tables, late_left, queries)
        home, draw = results[0][0]
        now = (home, draw, 1.0 - home - draw, home + draw * tie)
        suspense = np.zeros(len(base_h))
        if rate is not None:
            late = left <= late_left
            kappa_h = self.score_multipliers(diff, late)
            kappa_a = self.score_multipliers(-diff, late)
            p_goal_h = 1.0 - np.exp(-base_h * kappa_h * step)
            p_goal_a = 1.0 - np.exp(-base_a * kappa_a * step)
            p_none = np.clip(1.0 - p_goal_h - p_goal_a, 0.0, 1.0)
            futures = [(h, d, 1.0 - h - d, h + d * tie) for h, d in results[1]]
            suspense = _expected_move(now, futures, (p_none, p_goal_h, p_goal_a), knockout)
        return (*now, suspense)

    def _extra_time_value(self, et_h: np.ndarray, et_a: np.ndarray) -> np.ndarray:
        grid = ScoreGrid.from_rates(et_h, et_a, rho=self.params.rho)
        return grid.p_home_advance(self.params.shootout_home)

    def _probabilities(self, rem_h, rem_a, home_goals, away_goals, tie):
        grid = ScoreGrid.from_rates(rem_h, rem_a, home_goals, away_goals, rho=self.params.rho)
        home, draw, away = grid.outcome_probabilities()
        return home, draw, away, home + draw * tie

    def _suspense(self, rem_h, rem_a, rate_h, rate_a, home_goals, away_goals, tie, knockout, now):
        """E_t[Σ_o (p_o,t+1 − p_o,t)²] over the next minute of play (Ely, Frankel & Kamenica 2015).

        Over the outcomes that matter: advance/out in a knockout, else win/draw/loss.
        """
        # One minute of play, never more than what is left.
        step_h = np.minimum(rate_h, rem_h)
        step_a = np.minimum(rate_a, rem_a)
        after_h, after_a = rem_h - step_h, rem_a - step_a
        p_goal_h = 1.0 - np.exp(-step_h)
        p_goal_a = 1.0 - np.exp(-step_a)
        p_none = np.clip(1.0 - p_goal_h - p_goal_a, 0.0, 1.0)
        # The three futures share the goals still to come after the minute: one grid.
        grid = ScoreGrid.from_rates(after_h, after_a, home_goals, away_goals, rho=self.params.rho)

        def future(extra_home: int, extra_away: int):
            home, draw, away = grid.outcome_probabilities(extra_home, extra_away)
            return home, draw, away, home + draw * tie

        quiet, home_goal, away_goal = future(0, 0), future(1, 0), future(0, 1)

        return _expected_move(
            now, (quiet, home_goal, away_goal), (p_none, p_goal_h, p_goal_a), knockout
        )


def _expected_move(now, futures, chances, knockout) -> np.ndarray:
    """Σ_f P(f) · Σ_o (p_o,f − p_o,now)²: over advance/out (both squared) in a knockout, else
    over win/draw/loss."""
    total = np.zeros(len(knockout))
    for nxt, chance in zip(futures, chances, strict=True):
        three = (nxt[0] - now[0]) ** 2 + (nxt[1] - now[1]) ** 2 + (nxt[2] - now[2]) ** 2
        binary = 2.0 * (nxt[3] - now[3]) ** 2
        total = total + chance * np.where(knockout, np.nan_to_num(binary), three)
    return total


def kickoff_states(knockout: np.ndarray) -> StateBatch:
    """The kick-off state of each match (0-0, no cards), knockouts marked."""
    n = len(knockout)
    zeros = np.zeros(n, dtype=int)
    return StateBatch(
        period=np.full(n, FIRST_HALF),
        minute=np.zeros(n),
        stoppage=np.zeros(n),
        home_goals=zeros,
        away_goals=zeros,
        home_reds=zeros,
        away_reds=zeros,
        knockout=np.asarray(knockout, dtype=bool),
    )
