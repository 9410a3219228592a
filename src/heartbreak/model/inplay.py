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
- The goals to come of the two sides have the Dixon–Coles dependence ``rho`` (Dixon & Coles
  1997; see :class:`~heartbreak.model.grid.ScoreGrid`), as the pre-match grid does, so that the
  engine at kick-off and the pre-match model agree.
- Shootout: the home side wins with probability ``shootout_home`` (close to a coin toss:
  Csató & Petróczy 2022, "On the monotonicity of the penalty shootout", and references there).
  Where the record has the kicks, the replay follows them one by one
  (:mod:`heartbreak.model.shootout`), each converted with probability ``shootout_conversion``.

The defaults are documented assumptions: rates rising linearly by 23% either side of half-time
(44% of international goals come in the first half), 1.5 and 4 minutes of stoppage, extra time
at the average regulation rate, independent goals, shootout kicks converted 70% of the time.

Goals to come are Poisson counts with means equal to the integrated rates until the end of the
phase (regulation, or extra time once it has started), so a batch of states becomes one
:class:`~heartbreak.model.grid.ScoreGrid` and every probability is derived from it. Everything is
vectorised over states: a whole match path, or many matches at once, is one call.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
from scipy.special import gammainc, gammaincc, gammaincinv

from heartbreak.model.grid import ScoreGrid
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

    def __post_init__(self) -> None:
        if len(self.minute_rates) != len(TIME_BINS):
            raise ValueError(f"minute_rates needs {len(TIME_BINS)} values, one per time bin")
        object.__setattr__(self, "minute_rates", tuple(float(r) for r in self.minute_rates))

    def to_dict(self) -> dict:
        out = asdict(self)
        out["minute_rates"] = list(self.minute_rates)
        return out

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
        come; 0 once the match is over."""
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
        rem_h, rem_a = self.goals_to_come(lam_home, lam_away, states)

        # The tie-break value: P(home goes through | level at the end of the phase).
        knockout = np.asarray(states.knockout, dtype=bool)
        # Only knockout states still in regulation need the value of extra time.
        tie = np.full(len(base_h), p.shootout_home)
        needs_et = knockout & in_regulation
        if needs_et.any():
            tie[needs_et] = self._extra_time_value(
                (base_h * et_left)[needs_et], (base_a * et_left)[needs_et]
            )

        home, draw, away, adv = self._probabilities(
            rem_h, rem_a, states.home_goals, states.away_goals, tie
        )
        adv = np.where(knockout, adv, np.nan)

        plain_left = np.where(
            in_extra,
            self.remaining_extra_time(states.period, states.minute, states.stoppage, False),
            self.remaining_regulation(states.period, states.minute, states.stoppage, False),
        )
        finished = states.period == FINISHED
        time_left = np.where(finished, 0.0, plain_left)

        suspense = np.zeros(len(base_h))
        if with_suspense:
            rate = self.rate_at(states.period, states.minute, states.stoppage)
            suspense = self._suspense(
                rem_h,
                rem_a,
                base_h * rate,
                base_a * rate,
                states,
                tie,
                knockout,
                (home, draw, away, adv),
            )
        return StateProbabilities(
            home, draw, away, adv, time_left, np.where(finished, 0.0, suspense)
        )

    def _extra_time_value(self, et_h: np.ndarray, et_a: np.ndarray) -> np.ndarray:
        grid = ScoreGrid.from_rates(et_h, et_a, rho=self.params.rho)
        return grid.p_home_advance(self.params.shootout_home)

    def _probabilities(self, rem_h, rem_a, home_goals, away_goals, tie):
        grid = ScoreGrid.from_rates(rem_h, rem_a, home_goals, away_goals, rho=self.params.rho)
        home, draw, away = grid.outcome_probabilities()
        return home, draw, away, home + draw * tie

    def _suspense(self, rem_h, rem_a, rate_h, rate_a, states, tie, knockout, now):
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
        grid = ScoreGrid.from_rates(
            after_h, after_a, states.home_goals, states.away_goals, rho=self.params.rho
        )

        def future(extra_home: int, extra_away: int):
            home, draw, away = grid.outcome_probabilities(extra_home, extra_away)
            return home, draw, away, home + draw * tie

        quiet, home_goal, away_goal = future(0, 0), future(1, 0), future(0, 1)

        def move(nxt):
            three = (nxt[0] - now[0]) ** 2 + (nxt[1] - now[1]) ** 2 + (nxt[2] - now[2]) ** 2
            binary = 2.0 * (nxt[3] - now[3]) ** 2
            return np.where(knockout, np.nan_to_num(binary), three)

        return p_none * move(quiet) + p_goal_h * move(home_goal) + p_goal_a * move(away_goal)


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
