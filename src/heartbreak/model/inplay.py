"""In-play engine: from pre-match goal rates and a match state to outcome probabilities.

Model (documented assumptions; :mod:`heartbreak.model.fit` replaces them by fitted values):

- Each side scores as a Poisson process whose per-minute rate follows the time of the match,
  ``λ · s(m) / N``, where ``λ`` is the side's expected regulation goals from the pre-match model,
  ``s(m) = 1 + ramp·(m − 45)/45`` rises through the match (about 44% of international goals come
  in the first half; Armatas, Yiannakos & Sileloglou 2007 report the same rise for top
  competitions), and ``N = 90 + μ₁·s(45) + μ₂·s(90)`` makes the expected regulation goals
  (stoppage included) equal ``λ``.
- Stoppage time: the minutes added to period p have mean ``μ_p`` (see
  :func:`residual_stoppage`); at ``x`` minutes into stoppage the expected play left is
  ``E[S − x | S > x]``. Stoppage minutes score at the
  rate of the period's last minute.
- A red card multiplies the punished side's rate by ``red_card_own`` and the opponent's by
  ``red_card_opponent`` for the rest of the match (Ridder, Cramer & Hopstaken 1994, "Down to
  ten: estimating the effect of a red card in soccer", JASA 89(427); Vecer, Kopriva & Ichiba
  2009, JQAS 5(1)).
- Extra time (knockouts level after 90'): both sides score at ``extra_time_rate`` times the
  average regulation per-minute rate for 30 minutes plus stoppage.
- Shootout: the home side wins with probability ``shootout_home`` (close to a coin toss:
  Csató & Petróczy 2022, "On the monotonicity of the penalty shootout", and references there).

Goals to come are then independent Poisson counts with means equal to the integrated rates, so a
batch of states becomes one :class:`~heartbreak.model.grid.ScoreGrid` and every probability is
derived from it. Everything is vectorised over states: a whole match path, or many matches at
once, is one call.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy.stats import gamma

from heartbreak.model.grid import ScoreGrid

# Period indices used in the engine's arrays.
FIRST_HALF, SECOND_HALF, EXTRA_FIRST, EXTRA_SECOND, FINISHED = 0, 1, 2, 3, 4
PERIOD_START = np.array([0.0, 45.0, 90.0, 105.0, 120.0])
PERIOD_END = np.array([45.0, 90.0, 105.0, 120.0, 120.0])


@dataclass(frozen=True)
class InPlayParams:
    """Assumptions of the in-play goal process (see module docstring)."""

    ramp: float = 0.23
    stoppage_first_half: float = 1.5
    stoppage_second_half: float = 4.0
    stoppage_extra_first: float = 0.5
    stoppage_extra_second: float = 1.0
    extra_time_rate: float = 1.0
    red_card_own: float = 0.7
    red_card_opponent: float = 1.3
    shootout_home: float = 0.5

    def to_dict(self) -> dict[str, float]:
        return asdict(self)

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
    with np.errstate(invalid="ignore"):  # −inf − (−inf) far in the tail; handled below
        ratio = np.exp(
            gamma.logsf(played, shape + 1.0, scale=scale) - gamma.logsf(played, shape, scale=scale)
        )
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
    def _shape(self, minute: np.ndarray) -> np.ndarray:
        return 1.0 + self.params.ramp * (np.asarray(minute, dtype=float) - 45.0) / 45.0

    def _cumulative_shape(self, minute: np.ndarray) -> np.ndarray:
        """∫₀^m s(u) du."""
        m = np.asarray(minute, dtype=float)
        return m + self.params.ramp * (m * m / 2.0 - 45.0 * m) / 45.0

    def _normaliser(self) -> float:
        mu = self.params.stoppage_means
        return 90.0 + mu[0] * float(self._shape(45.0)) + mu[1] * float(self._shape(90.0))

    def remaining_regulation(self, period, minute, stoppage, ramp: bool = True) -> np.ndarray:
        """Remaining regulation play from a state, weighted by the time profile when ``ramp``
        (in units where a whole match with expected stoppage is ``N``), else in plain minutes."""
        period = np.asarray(period)
        minute = np.asarray(minute, dtype=float)
        stoppage = np.asarray(stoppage, dtype=float)
        mu = self.params.stoppage_means
        shape = self._shape if ramp else (lambda m: np.ones_like(np.asarray(m, dtype=float)))
        cum = self._cumulative_shape if ramp else (lambda m: np.asarray(m, dtype=float))
        end_half = np.where(period == FIRST_HALF, 45.0, 90.0)
        in_stoppage = stoppage > 0
        regular = np.where(in_stoppage, 0.0, cum(end_half) - cum(np.minimum(minute, end_half)))
        this_stoppage = residual_stoppage(np.where(period == FIRST_HALF, mu[0], mu[1]), stoppage)
        this_period = regular + this_stoppage * shape(end_half)
        second_half = (cum(90.0) - cum(45.0)) + mu[1] * shape(90.0)
        out = np.where(period == FIRST_HALF, this_period + second_half, this_period)
        return np.where(period <= SECOND_HALF, out, 0.0)

    def remaining_extra_time(self, period, minute, stoppage) -> np.ndarray:
        """Remaining extra-time minutes from a state (all of it for a state in regulation)."""
        period = np.asarray(period)
        minute = np.asarray(minute, dtype=float)
        stoppage = np.asarray(stoppage, dtype=float)
        mu = self.params.stoppage_means
        full = 30.0 + mu[2] + mu[3]
        end = np.where(period == EXTRA_FIRST, 105.0, 120.0)
        regular = np.where(stoppage > 0, 0.0, end - np.minimum(np.maximum(minute, end - 15.0), end))
        this_period = regular + residual_stoppage(
            np.where(period == EXTRA_FIRST, mu[2], mu[3]), stoppage
        )
        out = np.where(period == EXTRA_FIRST, this_period + 15.0 + mu[3], this_period)
        out = np.where(period <= SECOND_HALF, full, out)
        return np.where(period == FINISHED, 0.0, out)

    def red_card_multipliers(self, home_reds, away_reds) -> tuple[np.ndarray, np.ndarray]:
        """Rate multipliers (home, away) for the players sent off so far."""
        own, opp = self.params.red_card_own, self.params.red_card_opponent
        hr = np.asarray(home_reds, dtype=float)
        ar = np.asarray(away_reds, dtype=float)
        return own**hr * opp**ar, own**ar * opp**hr

    # --- probabilities ----------------------------------------------------------------------
    def evaluate(
        self, lam_home, lam_away, states: StateBatch, with_suspense: bool = True
    ) -> StateProbabilities:
        """Outcome probabilities for every state in the batch.

        ``lam_home``/``lam_away``: each state's pre-match expected regulation goals.
        """
        p = self.params
        lam_h = np.asarray(lam_home, dtype=float)
        lam_a = np.asarray(lam_away, dtype=float)
        norm = self._normaliser()
        mult_h, mult_a = self.red_card_multipliers(states.home_reds, states.away_reds)
        in_extra = (states.period == EXTRA_FIRST) | (states.period == EXTRA_SECOND)
        in_regulation = states.period <= SECOND_HALF

        reg_left = self.remaining_regulation(states.period, states.minute, states.stoppage)
        et_left = self.remaining_extra_time(states.period, states.minute, states.stoppage)
        et_rate_h = p.extra_time_rate * lam_h / norm * mult_h
        et_rate_a = p.extra_time_rate * lam_a / norm * mult_a
        # Goals to come until the end of the current phase (regulation, or extra time).
        rem_h = np.where(in_extra, et_rate_h * et_left, lam_h / norm * mult_h * reg_left)
        rem_a = np.where(in_extra, et_rate_a * et_left, lam_a / norm * mult_a * reg_left)

        # The tie-break value: P(home goes through | level at the end of the phase).
        knockout = np.asarray(states.knockout, dtype=bool)
        # Only knockout states still in regulation need the value of extra time.
        tie = np.full(len(lam_h), p.shootout_home)
        needs_et = knockout & in_regulation
        if needs_et.any():
            tie[needs_et] = self._extra_time_value(
                (et_rate_h * et_left)[needs_et], (et_rate_a * et_left)[needs_et]
            )

        probs = self._probabilities(rem_h, rem_a, states.home_goals, states.away_goals, tie)
        home, draw, away, adv = probs
        adv = np.where(knockout, adv, np.nan)

        time_left = np.where(
            in_extra,
            et_left,
            self.remaining_regulation(states.period, states.minute, states.stoppage, ramp=False),
        )
        finished = states.period == FINISHED
        time_left = np.where(finished, 0.0, time_left)

        suspense = np.zeros(len(lam_h))
        if with_suspense:
            suspense = self._suspense(
                rem_h,
                rem_a,
                states,
                tie,
                knockout,
                in_extra,
                lam_h,
                lam_a,
                norm,
                mult_h,
                mult_a,
                (home, draw, away, adv),
            )
        return StateProbabilities(
            home, draw, away, adv, time_left, np.where(finished, 0.0, suspense)
        )

    def _extra_time_value(self, et_h: np.ndarray, et_a: np.ndarray) -> np.ndarray:
        grid = ScoreGrid.from_rates(et_h, et_a)
        return grid.p_home_advance(self.params.shootout_home)

    @staticmethod
    def _probabilities(rem_h, rem_a, home_goals, away_goals, tie):
        grid = ScoreGrid.from_rates(rem_h, rem_a, home_goals, away_goals)
        home, draw, away = grid.outcome_probabilities()
        return home, draw, away, home + draw * tie

    def _suspense(
        self, rem_h, rem_a, states, tie, knockout, in_extra, lam_h, lam_a, norm, mult_h, mult_a, now
    ):
        """E_t[Σ_o (p_o,t+1 − p_o,t)²] over the next minute of play (Ely, Frankel & Kamenica 2015).

        Over the outcomes that matter: advance/out in a knockout, else win/draw/loss.
        """
        minute_end = np.where(
            states.stoppage > 0, PERIOD_END[np.minimum(states.period, 4)], states.minute
        )
        shape = np.where(
            in_extra, self.params.extra_time_rate, self._shape(np.clip(minute_end, 0, 90))
        )
        rate_h = lam_h / norm * mult_h * shape
        rate_a = lam_a / norm * mult_a * shape
        # One minute of play, never more than what is left.
        step_h = np.minimum(rate_h, rem_h)
        step_a = np.minimum(rate_a, rem_a)
        after_h, after_a = rem_h - step_h, rem_a - step_a
        p_goal_h = 1.0 - np.exp(-step_h)
        p_goal_a = 1.0 - np.exp(-step_a)
        p_none = np.clip(1.0 - p_goal_h - p_goal_a, 0.0, 1.0)
        # The three futures share the goals still to come after the minute: one grid.
        grid = ScoreGrid.from_rates(after_h, after_a, states.home_goals, states.away_goals)

        def future(extra_home: int, extra_away: int):
            home, draw, away = grid.outcome_probabilities(extra_home, extra_away)
            return home, draw, away, home + draw * tie

        quiet, home_goal, away_goal = future(0, 0), future(1, 0), future(0, 1)

        def move(nxt):
            three = (nxt[0] - now[0]) ** 2 + (nxt[1] - now[1]) ** 2 + (nxt[2] - now[2]) ** 2
            binary = 2.0 * (nxt[3] - now[3]) ** 2
            return np.where(knockout, np.nan_to_num(binary), three)

        return p_none * move(quiet) + p_goal_h * move(home_goal) + p_goal_a * move(away_goal)
