"""The pre-match goal model: team attacking and defensive strengths anchored on Elo.

Each side's goals are Poisson (Maher 1982, "Modelling association football scores", Statistica
Neerlandica 36(3)) with a team attack and a team defence, as in Dixon & Coles (1997, "Modelling
association football scores and inefficiencies in the football betting market", JRSS C 46(2)):

    log λ_home = α + γ_h·h + γ_h,host·h·f + δ·f + attack[home] + defence[away]
    log λ_away = α + γ_a·h + γ_a,host·h·f + δ·f + attack[away] + defence[home]

    attack[i]  =  κ_a·z_i + u_i,        defence[i] = −κ_d·z_i + v_i,

with h = 1 when the home side plays at home, f = 1 in a final tournament (:func:`is_final_
tournament`: a World Cup of any kind but its qualifiers, or one of the six continental majors), so
that γ_host is the host nation's edge at a tournament, and z_i = (Elo of team i on the fit's day
− the mean Elo of the teams in the window) / 400. The per-team deviations u, v carry a ridge
penalty ½·ridge·Σ(u² + v²), a Gaussian prior centred on the Elo-based rates κ·z: a team with few
matches stays at the rates its Elo gives, a team with many moves to what its goals say.

The parameters are fitted by weighted maximum likelihood on the internationals of the
``window_years`` before the fit's day, each weighted by exp(−ξ·age in days) (the time weighting
of Dixon & Coles 1997, section 4.5), so the home advantage and the scoring level follow recent
years (home advantage fell after 2020's empty stadiums). Newton's method with the exact
gradient and Hessian.

The strengths are refitted on a schedule (:func:`fit_days`) and a match takes the latest fit on
or before its day, strengths frozen through a tournament: on the validation editions
(1994–2009) letting in-tournament Elo changes in made the forecasts worse. Settings were chosen
on those editions only (see ``bench/prematch_team_strengths.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

#: The six continental majors whose final tournaments count as tournaments (f = 1).
MAJOR_FINAL_TOURNAMENTS = frozenset(
    {
        "UEFA Euro",
        "Copa América",
        "AFC Asian Cup",
        "African Cup of Nations",
        "Gold Cup",
    }
)

#: The coefficients of a fit, in the order of the parameter vector.
COEFFICIENTS = (
    "intercept",
    "home_attack",
    "home_defence",
    "host_attack",
    "host_defence",
    "final_tournament",
    "elo_attack",
    "elo_defence",
)


def is_final_tournament(competition: pd.Series | Sequence[str]) -> np.ndarray:
    """Whether each competition is a final tournament: a World Cup but its qualifiers, or a
    continental major."""
    comp = pd.Series(list(competition), dtype=object).fillna("").astype(str)
    world_cup = comp.str.contains("World Cup") & ~comp.str.contains("qualification")
    return (world_cup | comp.isin(MAJOR_FINAL_TOURNAMENTS)).to_numpy(dtype=bool)


@dataclass(frozen=True)
class StrengthParams:
    """How the strengths are fitted (chosen on the 1994–2009 validation editions) and the
    Dixon–Coles ρ of the score grid, fitted by ``heartbreak model fit`` on the fitted rates."""

    window_years: int = 8
    time_decay: float = 0.001  # ξ per day: a match two years old counts 0.48
    ridge: float = 1.0
    min_matches: int = 100  # a window with fewer is not fitted (the earliest years)
    rho: float = -0.1

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class GoalFit:
    """One fit of the goal model as of a day: its coefficients and every team's strengths."""

    as_of: dt.date
    coefficients: Mapping[str, float]
    attack: Mapping[str, float]
    defence: Mapping[str, float]
    elo_mean: float
    matches: int


class _Posterior:
    """The weighted Poisson negative log-likelihood plus the ridge penalty of one window, with
    its gradient and Hessian-vector product (for Newton-CG): every rate's log is linear in the
    parameters, so H·s = Jᵀ·diag(w·λ)·J·s + ridge·s on the team deviations."""

    def __init__(self, design_h, design_a, gh, ga, w, hi, ai, z, ridge):
        self.design_h, self.design_a = design_h, design_a
        self.gh, self.ga, self.w, self.hi, self.ai, self.z = gh, ga, w, hi, ai, z
        self.ridge, self.nt, self.k = ridge, len(z), design_h.shape[1]
        self._at: np.ndarray | None = None

    def _split(self, p):
        k, nt = self.k, self.nt
        return p[:k], p[k], p[k + 1], p[k + 2 : k + 2 + nt], p[k + 2 + nt :]

    def _linear(self, p):
        """(η_home, η_away) of every match, linear in p."""
        theta, ka, kd, u, v = self._split(p)
        attack, defence = ka * self.z + u, -kd * self.z + v
        eta_h = self.design_h @ theta + attack[self.hi] + defence[self.ai]
        eta_a = self.design_a @ theta + attack[self.ai] + defence[self.hi]
        return eta_h, eta_a

    def _transpose(self, r_h, r_a):
        """Jᵀ·(r_home, r_away): the gradient of Σ r·η with respect to p."""
        nt, hi, ai = self.nt, self.hi, self.ai
        d_attack = np.bincount(hi, r_h, nt) + np.bincount(ai, r_a, nt)
        d_defence = np.bincount(ai, r_h, nt) + np.bincount(hi, r_a, nt)
        return np.concatenate(
            [
                self.design_h.T @ r_h + self.design_a.T @ r_a,
                [d_attack @ self.z, -(d_defence @ self.z)],
                d_attack,
                d_defence,
            ]
        )

    def _ridge(self, p):
        out = np.zeros_like(p)
        out[self.k + 2 :] = self.ridge * p[self.k + 2 :]
        return out

    def value_and_gradient(self, p):
        eta_h, eta_a = self._linear(p)
        lam_h, lam_a = np.exp(eta_h), np.exp(eta_a)
        self._at, self._lam = p.copy(), (lam_h, lam_a)
        w = self.w
        value = float((w * (lam_h - self.gh * eta_h + lam_a - self.ga * eta_a)).sum())
        value += 0.5 * self.ridge * float(p[self.k + 2 :] @ p[self.k + 2 :])
        grad = self._transpose(w * (lam_h - self.gh), w * (lam_a - self.ga)) + self._ridge(p)
        return value, grad

    def hessian(self, p) -> np.ndarray:
        """The Hessian Jᵀ·diag(w·λ)·J + ridge, assembled block by block: each rate's log has
        the design and two Elo columns, one attack and one defence entry, so the attack–attack
        and defence–defence blocks are diagonal and the rest are sums over the matches."""
        if self._at is None or not np.array_equal(p, self._at):
            self.value_and_gradient(p)
        lam_h, lam_a = self._lam
        k, nt, hi, ai, z = self.k, self.nt, self.hi, self.ai, self.z
        c_h, c_a = self.w * lam_h, self.w * lam_a
        # The columns of each rate's log in the coefficients (design, κ_a, κ_d).
        coef_h = np.column_stack([self.design_h, z[hi], -z[ai]])
        coef_a = np.column_stack([self.design_a, z[ai], -z[hi]])
        m = k + 2
        out = np.zeros((m + 2 * nt, m + 2 * nt))
        out[:m, :m] = coef_h.T @ (c_h[:, None] * coef_h) + coef_a.T @ (c_a[:, None] * coef_a)
        u, v = slice(m, m + nt), slice(m + nt, m + 2 * nt)
        for j in range(m):
            wh, wa = c_h * coef_h[:, j], c_a * coef_a[:, j]
            out[j, u] = np.bincount(hi, wh, nt) + np.bincount(ai, wa, nt)
            out[j, v] = np.bincount(ai, wh, nt) + np.bincount(hi, wa, nt)
        out[u, :m] = out[:m, u].T
        out[v, :m] = out[:m, v].T
        diag = np.arange(nt)
        out[m + diag, m + diag] = np.bincount(hi, c_h, nt) + np.bincount(ai, c_a, nt) + self.ridge
        out[m + nt + diag, m + nt + diag] = (
            np.bincount(ai, c_h, nt) + np.bincount(hi, c_a, nt) + self.ridge
        )
        # attack[home]·defence[away] in the home rate, attack[away]·defence[home] in the away.
        cross = np.bincount(hi * nt + ai, c_h, nt * nt) + np.bincount(ai * nt + hi, c_a, nt * nt)
        out[u, v] = cross.reshape(nt, nt)
        out[v, u] = out[u, v].T
        return out

    def hessian_product(self, p, s):
        if self._at is None or not np.array_equal(p, self._at):
            self.value_and_gradient(p)
        lam_h, lam_a = self._lam
        d_h, d_a = self._linear(s)
        return self._transpose(self.w * lam_h * d_h, self.w * lam_a * d_a) + self._ridge(s)


def _newton(posterior: _Posterior, start: np.ndarray, max_steps: int = 100) -> np.ndarray:
    """Minimise a smooth convex function by Newton's method with a backtracking (Armijo)
    line search (Nocedal & Wright 2006, "Numerical Optimization", algorithm 3.1), stopping
    when the Newton decrement gᵀH⁻¹g/2 is below 1e-12. A tiny diagonal term keeps a column
    that the window never exercises (e.g. no host at a tournament yet) at its start."""
    p = start.copy()
    value, grad = posterior.value_and_gradient(p)
    for _ in range(max_steps):
        hessian = posterior.hessian(p)
        hessian[np.diag_indices(len(p))] += 1e-10
        step = np.linalg.solve(hessian, grad)
        decrement = float(grad @ step)
        if decrement / 2.0 < 1e-12:
            break
        t = 1.0
        while True:
            trial = p - t * step
            trial_value, trial_grad = posterior.value_and_gradient(trial)
            if trial_value <= value - 1e-4 * t * decrement or t < 1e-10:
                break
            t *= 0.5
        p, value, grad = trial, trial_value, trial_grad
    return p


def design(neutral: np.ndarray, final: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The columns of α, γ_h, γ_a, γ_h,host, γ_a,host and δ for the home and the away rate."""
    h = 1.0 - np.asarray(neutral, dtype=float)
    f = np.asarray(final, dtype=float)
    one, zero = np.ones_like(h), np.zeros_like(h)
    home = np.column_stack([one, h, zero, h * f, zero, f])
    away = np.column_stack([one, zero, h, zero, h * f, f])
    return home, away


def fit_goals(
    window: pd.DataFrame,
    as_of: dt.date,
    elo: Mapping[str, float],
    params: StrengthParams,
    start: GoalFit | None = None,
) -> GoalFit:
    """Fit the model on ``window`` (columns date, home, away, home_score, away_score,
    neutral, competition: the matches before ``as_of``); ``elo``: each team's rating on
    ``as_of``; ``start``: an earlier fit to start the optimiser from (only speeds it up)."""
    age = (pd.Timestamp(as_of) - pd.to_datetime(window["date"])).dt.days.to_numpy(float)
    return _fit_arrays(
        window["home"].to_numpy(dtype=object),
        window["away"].to_numpy(dtype=object),
        window["home_score"].to_numpy(float),
        window["away_score"].to_numpy(float),
        window["neutral"].to_numpy(bool),
        is_final_tournament(window["competition"]),
        age,
        as_of,
        elo,
        params,
        start,
    )


def _fit_arrays(home, away, gh, ga, neutral, final, age, as_of, elo, params, start) -> GoalFit:
    """:func:`fit_goals` on the window's columns as arrays (``age``: days before ``as_of``)."""
    teams, codes = np.unique(np.concatenate([home, away]), return_inverse=True)
    hi, ai = codes[: len(home)], codes[len(home) :]
    nt = len(teams)
    ratings = np.array([elo.get(t, np.nan) for t in teams], dtype=float)
    known = ~np.isnan(ratings)
    elo_mean = float(ratings[known].mean()) if known.any() else 1500.0
    z = np.where(known, (ratings - elo_mean) / 400.0, 0.0)
    design_h, design_a = design(neutral, final)
    w = np.exp(-params.time_decay * age)
    k = design_h.shape[1]
    p0 = np.zeros(k + 2 + 2 * nt)
    p0[k], p0[k + 1] = 1.0, 1.0
    if start is not None:
        p0[: k + 2] = [start.coefficients[name] for name in COEFFICIENTS]
        p0[k + 2 : k + 2 + nt] = [
            start.attack.get(t, 0.0) - p0[k] * z[i] for i, t in enumerate(teams)
        ]
        p0[k + 2 + nt :] = [
            start.defence.get(t, 0.0) + p0[k + 1] * z[i] for i, t in enumerate(teams)
        ]
    posterior = _Posterior(design_h, design_a, gh, ga, w, hi, ai, z, params.ridge)
    found = _newton(posterior, p0)
    ka, kd = found[k], found[k + 1]
    attack = ka * z + found[k + 2 : k + 2 + nt]
    defence = -kd * z + found[k + 2 + nt :]
    return GoalFit(
        as_of=as_of,
        coefficients={name: float(x) for name, x in zip(COEFFICIENTS, found[: k + 2], strict=True)},
        attack={str(t): float(a) for t, a in zip(teams, attack, strict=True)},
        defence={str(t): float(d) for t, d in zip(teams, defence, strict=True)},
        elo_mean=elo_mean,
        matches=len(home),
    )


def fit_days(dates: pd.Series, tournament_starts: Sequence[dt.date] = ()) -> list[dt.date]:
    """The days the strengths are refitted: every 1 January and 1 July from the first year of
    ``dates`` to the day after the last, and the first day of every final tournament (so a
    tournament's matches take strengths fitted on everything before it)."""
    days = pd.to_datetime(dates)
    first, last = days.min().year, days.max().year + 1
    schedule = {dt.date(y, m, 1) for y in range(first, last + 1) for m in (1, 7)}
    schedule |= {pd.Timestamp(d).date() for d in tournament_starts}
    end = days.max().date() + dt.timedelta(days=1)
    return sorted(d for d in schedule if d <= end)


class StrengthHistory:
    """Every fit of the strengths, and the rates of any fixture from them.

    ``fits``: one row per fit (as_of, the :data:`COEFFICIENTS`, elo_mean, matches), sorted by
    as_of; ``strengths``: as_of, team, attack, defence. A fixture takes the latest fit on or
    before its day; a side whose team that fit does not know, or whose rating was given by the
    user (``rating_only``), takes the Elo-based strength κ·z of its rating. Before the first fit
    (1872–1908 in the data, or a store too small to fit) a fixture takes the ``prior``
    coefficients (:func:`prior_of`: the Elo-only goal model), which need no team strengths.
    """

    def __init__(
        self,
        fits: pd.DataFrame,
        strengths: pd.DataFrame,
        prior: Mapping[str, float] | None = None,
    ) -> None:
        self.fits = fits.sort_values("as_of", kind="stable").reset_index(drop=True)
        self.prior = dict(prior) if prior is not None else None
        self.strengths = strengths
        self._days = _day_numbers(self.fits["as_of"])
        # Strengths keyed by (fit day, team code), sorted: a fixture's lookup is a binary search.
        codes, teams = pd.factorize(strengths["team"].to_numpy(dtype=object))
        self._teams = pd.Index(teams, dtype=object)
        keys = _day_numbers(strengths["as_of"]) * _KEY_SPAN + codes
        order = np.argsort(keys, kind="stable")
        self._keys = keys[order]
        self._attack = strengths["attack"].to_numpy(float)[order]
        self._defence = strengths["defence"].to_numpy(float)[order]

    def _strengths_of(self, teams, day: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(attack, defence, found) of each team in the fit of each day."""
        codes = self._teams.get_indexer(pd.Index(list(teams), dtype=object))
        keys = day * _KEY_SPAN + np.maximum(codes, 0)
        at = np.minimum(np.searchsorted(self._keys, keys), max(len(self._keys) - 1, 0))
        if len(self._keys) == 0:
            empty = np.zeros(len(keys))
            return empty, empty, np.zeros(len(keys), bool)
        found = (codes >= 0) & (self._keys[at] == keys)
        return self._attack[at], self._defence[at], found

    @classmethod
    def from_fits(
        cls, fits: Sequence[GoalFit], prior: Mapping[str, float] | None = None
    ) -> StrengthHistory:
        rows = [
            {"as_of": f.as_of, **f.coefficients, "elo_mean": f.elo_mean, "matches": f.matches}
            for f in fits
        ]
        strengths = [
            {"as_of": f.as_of, "team": team, "attack": f.attack[team], "defence": f.defence[team]}
            for f in fits
            for team in f.attack
        ]
        columns = ["as_of", *COEFFICIENTS, "elo_mean", "matches"]
        return cls(
            pd.DataFrame(rows, columns=columns),
            pd.DataFrame(strengths, columns=["as_of", "team", "attack", "defence"]),
            prior,
        )

    def fit_index(self, dates) -> np.ndarray:
        """The row of :attr:`fits` each day takes (−1 before the first fit)."""
        return np.searchsorted(self._days, _day_numbers(dates), side="right") - 1

    def match_rates(self, matches: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`rates` of rows with the store's ``matches`` columns (teams, date, venue,
        competition and ratings)."""
        return self.rates(
            matches["home"],
            matches["away"],
            matches["date"],
            matches["neutral"].to_numpy(bool),
            is_final_tournament(matches["competition"]),
            matches["elo_home"].to_numpy(float),
            matches["elo_away"].to_numpy(float),
        )

    def rates(
        self,
        home: Sequence[str],
        away: Sequence[str],
        dates,
        neutral,
        final,
        elo_home,
        elo_away,
        rating_only_home=None,
        rating_only_away=None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Expected goals (λ_home, λ_away) of each fixture (see the class docstring)."""
        n = len(home)
        at = self.fit_index(dates)
        before = at < 0
        if before.any() and self.prior is None:
            raise ValueError("no fit of the goal model on or before that day, and no prior")
        fit = self.fits.iloc[np.maximum(at, 0)] if len(self.fits) else None
        c, mean, day = {}, np.full(n, PRIOR_ELO_MEAN), np.full(n, -(2**20), dtype=np.int64)
        if fit is not None:
            mean = np.where(before, PRIOR_ELO_MEAN, fit["elo_mean"].to_numpy(float))
            day = np.where(before, day, self._days[np.maximum(at, 0)])
        for name in COEFFICIENTS:
            fitted = fit[name].to_numpy(float) if fit is not None else np.zeros(n)
            c[name] = np.where(before, (self.prior or {}).get(name, 0.0), fitted)
        only_h = np.zeros(n, bool) if rating_only_home is None else np.asarray(rating_only_home)
        only_a = np.zeros(n, bool) if rating_only_away is None else np.asarray(rating_only_away)

        def strengths(teams, elo, only):
            z = (np.asarray(elo, dtype=float) - mean) / 400.0
            fitted_attack, fitted_defence, found = self._strengths_of(teams, day)
            use = found & ~np.asarray(only, dtype=bool)
            attack = np.where(use, fitted_attack, c["elo_attack"] * z)
            defence = np.where(use, fitted_defence, -c["elo_defence"] * z)
            return attack, defence

        att_h, def_h = strengths(list(home), elo_home, only_h)
        att_a, def_a = strengths(list(away), elo_away, only_a)
        design_h, design_a = design(np.asarray(neutral, dtype=bool), np.asarray(final, dtype=bool))
        theta = np.column_stack([c[name] for name in COEFFICIENTS[:6]])
        eta_h = (design_h * theta).sum(axis=1) + att_h + def_a
        eta_a = (design_a * theta).sum(axis=1) + att_a + def_h
        return np.exp(eta_h), np.exp(eta_a)


#: Team codes in a strengths key (day · span + code): more than any number of teams.
_KEY_SPAN = np.int64(1) << 20

#: The mean rating the prior's Elo-based strengths are centred on (it cancels out of a match's
#: rates when κ_a = κ_d, as in the Elo-only model).
PRIOR_ELO_MEAN = 1500.0


def prior_of(intercept: float, rating_slope: float, home_attack: float, home_defence: float):
    """The coefficients of the Elo-only goal model (:mod:`heartbreak.model.prematch`) in this
    model's terms: κ_a = κ_d = its rating slope and no host or tournament term, so that
    attack[home] + defence[away] = slope·(Elo_home − Elo_away)/400."""
    return {
        "intercept": intercept,
        "home_attack": home_attack,
        "home_defence": home_defence,
        "host_attack": 0.0,
        "host_defence": 0.0,
        "final_tournament": 0.0,
        "elo_attack": rating_slope,
        "elo_defence": rating_slope,
    }


def fit_history(
    matches: pd.DataFrame,
    ratings: pd.DataFrame,
    params: StrengthParams,
    days: Sequence[dt.date],
    progress=None,
    prior: Mapping[str, float] | None = None,
) -> StrengthHistory:
    """Fit the strengths on each of ``days`` from ``matches`` (the real, rated internationals:
    date, home, away, scores, neutral, competition) and ``ratings`` (team, date, match_id,
    rating_after: each team's rating after each match), each fit on the matches before its day
    only. Days whose window has fewer than ``params.min_matches`` matches are skipped;
    ``prior``: the coefficients before the first fit (:func:`prior_of`)."""
    from threadpoolctl import threadpool_limits

    # Hundreds of small dense solves: BLAS threads only contend for the cores there.
    with threadpool_limits(limits=1, user_api="blas"):
        return _fit_history(matches, ratings, params, days, progress, prior)


def _fit_history(matches, ratings, params, days, progress, prior) -> StrengthHistory:
    m = matches.sort_values(["date", "match_id"], kind="stable")
    match_days = _day_numbers(pd.to_datetime(m["date"]).to_numpy())
    r = ratings.sort_values(["date", "match_id"], kind="stable")
    rating_days = _day_numbers(pd.to_datetime(r["date"]).to_numpy())
    home, away = m["home"].to_numpy(dtype=object), m["away"].to_numpy(dtype=object)
    gh, ga = m["home_score"].to_numpy(float), m["away_score"].to_numpy(float)
    neutral, final = m["neutral"].to_numpy(bool), is_final_tournament(m["competition"])
    rating_teams = r["team"].to_numpy(dtype=object)
    rating_values = r["rating_after"].to_numpy(dtype=float)
    fits: list[GoalFit] = []
    previous = None
    elo: dict[str, float] = {}  # each team's latest rating before the day, carried forward
    seen = 0
    for i, day in enumerate(sorted(days)):
        end = _day_numbers([day])[0]
        begin = _day_numbers([_years_before(day, params.window_years)])[0]
        upto = int(np.searchsorted(rating_days, end))
        elo.update(zip(rating_teams[seen:upto], rating_values[seen:upto], strict=True))
        seen = upto
        lo, hi = np.searchsorted(match_days, [begin, end])
        if hi - lo >= params.min_matches:
            part = slice(lo, hi)
            age = (end - match_days[part]).astype(float)
            previous = _fit_arrays(
                home[part],
                away[part],
                gh[part],
                ga[part],
                neutral[part],
                final[part],
                age,
                day,
                elo,
                params,
                previous,
            )
            fits.append(previous)
        if progress is not None:
            progress(i + 1, len(days))
    return StrengthHistory.from_fits(fits, prior)


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _day_numbers(days) -> np.ndarray:
    """Days since 1970-01-01 of dates, Timestamps or datetime64 values (1677–2262)."""
    values = days.to_numpy() if isinstance(days, pd.Series) else np.asarray(days)
    if values.dtype.kind != "M":
        values = pd.to_datetime(pd.Series(values.astype(object))).to_numpy()
    return values.astype("datetime64[D]").astype(np.int64)


class GoalModel:
    """The pre-match goal model of a store: its :class:`StrengthHistory` and the Dixon–Coles
    ρ of its score grids. ``rates(matches)`` gives stored matches' rates (their ``xg_home``,
    ``xg_away``), ``fixture_rates`` any fixture's."""

    def __init__(self, history: StrengthHistory, rho: float) -> None:
        self.history = history
        self.rho = rho

    def rates(self, matches: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """(λ_home, λ_away) of rows with the store's ``matches`` columns."""
        if "xg_home" in matches and matches["xg_home"].notna().all():
            return matches["xg_home"].to_numpy(float), matches["xg_away"].to_numpy(float)
        return self.history.match_rates(matches)

    def fixture_rates(self, *args, **kwargs) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`StrengthHistory.rates`."""
        return self.history.rates(*args, **kwargs)

    def grid(self, lam_home, lam_away):
        from heartbreak.model.grid import ScoreGrid

        return ScoreGrid.from_rates(lam_home, lam_away, rho=self.rho)

    def rates_on(self, day: dt.date, rating: Mapping[str, float], final: bool = True):
        """``rates(home, away, neutral)`` of any pairs of teams on ``day`` (ratings from
        ``rating``), at a final tournament unless ``final`` is False: for simulations."""

        def rates(home, away, neutral):
            n = len(home)
            return self.fixture_rates(
                list(home),
                list(away),
                [day] * n,
                np.asarray(neutral, bool),
                np.full(n, final),
                np.array([rating[t] for t in home], dtype=float),
                np.array([rating[t] for t in away], dtype=float),
            )

        return rates
