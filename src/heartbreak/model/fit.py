"""Fit the model on training years only: ``heartbreak model fit``.

Everything uses matches dated before ``train_end`` (default 2019-07-01, the start of the in-play
evaluation), so the held-out years never shape a parameter:

1. **Pre-match goal model** (:class:`~heartbreak.model.prematch.PrematchModel`): Poisson rates in
   the Elo difference and venue plus the Dixon–Coles ρ, by maximum likelihood on the
   ``goal_model_years`` before ``train_end`` (international scoring drifts; a recent window
   tracks it).
2. **Stoppage time**: in the World Cup database stoppage-time goals carry their exact minute.
   With the scoring rate of the last five regular minutes of a half (r per minute), the expected
   stoppage is (goals in stoppage) / r; fitted on the World Cup tournaments of the training
   window.
3. **Time profile** (the bin rates θ_b of :class:`~heartbreak.model.inplay.InPlayParams`): a
   Poisson process with rate λ_side/90 · θ_b has the closed-form maximum-likelihood estimate θ_b
   = (goals in bin b) / Σ (λ_side/90 · exposure_b) over every side of every training match, then
   scaled so that a whole match with the expected stoppage scores λ (the pre-match model sets
   the level, the profile shares it out over the minutes); the exposure of the bins "45" and
   "90" is one minute plus the expected stoppage, of the extra time bins fifteen minutes plus
   stoppage, counted only for matches that played extra time. Matches come from well-recorded
   competitions (see :func:`well_recorded`), so that goal lists are complete whatever the score.
   Each match weighs ``0.5 ** (age / PROFILE_HALF_LIFE)`` (:func:`recency_weights`): goals in
   the last minute and stoppage of the second half have nearly doubled (0.11 a match in
   2000–03, 0.21 in 2024–26) while the rest of the half scores as before, so an equal-weight
   pool of 30 years under-rates them. The half-life, 1.5 years, minimised the log loss pooled
   over the checkpoints of the walk-forward evaluation of 2000-07-01 to 2010-07-01 among
   none, 8, 4, 3, 2, 1.5 and 1 (pooled 4.5862 equal-weight, 4.5706 at 1.5; 89': 0.1858 →
   0.1776).
4. **Red cards**: multipliers of the punished side's and the opponent's rates, by maximum
   likelihood of the goals scored before and after each sending-off in World Cup matches
   (cards are recorded from 1970) given the fitted time profile.
4b. **Score effects** (:func:`fit_score_effects`; Dixon & Robinson 1998): multipliers of a
   side's rate while it leads and while it trails (by one goal or more:
   :data:`SCORE_CAP`), before and from minute :data:`SCORE_LATE_FROM`, by maximum likelihood
   of the goals of the time profile's matches spell by spell between events, given the time
   profile and the red cards, relative to the rate while level. Not fitted by default
   (:data:`SCORE_EFFECTS`): walk-forward on 2000-07-01 to 2010-07-01 with a refit each year and
   the recency-weighted profile they lower the log loss pooled over the checkpoints from
   4.5706 to 4.5639 (85': 0.2719 → 0.2710; 89': 0.1776 → 0.1768; a cap of 2 goals, 4.5651, and
   a recency-weighted fit, 4.5671, did worse), but they take the place of ρ in regulation: the
   engine at kick-off, which is what a prediction is, would no longer be the pre-match score
   grid, which the pre-match evaluation and the peer benchmark score.
5. **Shootouts** stay a coin toss for the side named first before the first kick; the fit
   reports the share of shootouts that side won in training, for reference. Kick by kick
   (:mod:`heartbreak.model.shootout`), every kick is converted with the same probability p,
   whose maximum-likelihood estimate is the share of the training years' World Cup shootout
   kicks that were converted (the kicks the record has).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd

from heartbreak.model.inplay import (
    FIRST_HALF,
    SECOND_HALF,
    TIME_BINS,
    InPlayModel,
    InPlayParams,
)
from heartbreak.model.optimize import fit_maximum_likelihood
from heartbreak.model.params import ModelParams
from heartbreak.model.prematch import PrematchModel, _dixon_coles_log_tau
from heartbreak.model.strengths import StrengthParams
from heartbreak.ratings.elo import EloParams

DEFAULT_TRAIN_END = "2019-07-01"
GOAL_MODEL_YEARS = 10
PROFILE_YEARS = 30
#: Half-life in years of a training match's weight in the time profile (None: equal weights).
PROFILE_HALF_LIFE: float | None = 1.5
STOPPAGE_SINCE = "2002-01-01"
COVERAGE = 0.95
#: Score effects: whether fit_model fits them (else none: see the module docstring), the largest
#: margin with its own multipliers and the minute the late ones start.
SCORE_EFFECTS = False
SCORE_CAP = 1
SCORE_LATE_FROM = 75.0


def well_recorded(matches: pd.DataFrame, threshold: float = COVERAGE) -> pd.Series:
    """Matches whose competition had complete goal lists that year.

    A match's own ``timeline_complete`` depends on its score (a 0-0 is always complete, a 4-3 is
    often missing scorers), so selecting on it skews results toward few goals. Selecting whole
    competition-years where at least ``threshold`` of the matches with goals have complete
    goal lists keeps the selection independent of each match's result.
    """
    year = pd.to_datetime(matches["date"]).dt.year
    scored = (matches["home_score"] + matches["away_score"]) > 0
    key = matches["competition"].astype(str) + "|" + year.astype(str)
    coverage = matches.loc[scored, "timeline_complete"].groupby(key[scored]).mean()
    return matches["timeline_complete"].astype(bool) & (key.map(coverage).fillna(0.0) >= threshold)


def _years_before(end: str, years: int) -> str:
    day = dt.date.fromisoformat(end)
    return day.replace(year=day.year - years).isoformat()


def goal_bin(minute: np.ndarray, period: np.ndarray) -> np.ndarray:
    """The time bin of each goal from its minute label and period (−1 if it has no minute)."""
    minute = np.asarray(minute, dtype=float)
    period = np.asarray(period, dtype=object)
    out = np.full(len(minute), -1)
    for b, (lo, hi) in enumerate(TIME_BINS):
        out = np.where((minute >= lo) & (minute <= hi), b, out)
    # A first-half goal labelled after 45 (rare in the data) is stoppage time of the first half.
    out = np.where((period == "first_half") & (minute >= 45), 3, out)
    out = np.where((period == "second_half") & (minute >= 90), 8, out)
    # Likewise a goal labelled after 105 or 120 in extra time is that period's stoppage time.
    out = np.where((period == "extra_time_first_half") & (minute >= 105), 9, out)
    out = np.where((period == "extra_time_second_half") & (minute >= 120), 10, out)
    out = np.where(np.isnan(minute), -1, out)
    return out


def fit_stoppage(matches: pd.DataFrame, goals: pd.DataFrame, since: str, until: str) -> dict:
    """Expected stoppage of each half from World Cup goals with exact stoppage minutes."""
    wc = matches[
        (matches["source"] == "international+worldcup")
        & (pd.to_datetime(matches["date"]) >= since)
        & (pd.to_datetime(matches["date"]) < until)
    ]
    g = goals[goals["match_id"].isin(wc["match_id"])]
    out = {}
    for name, period, end in (
        ("stoppage_first_half", "first_half", 45),
        ("stoppage_second_half", "second_half", 90),
        ("stoppage_extra_first", "extra_time_first_half", 105),
        ("stoppage_extra_second", "extra_time_second_half", 120),
    ):
        in_period = g[g["period"] == period]
        stoppage = int((in_period["stoppage"].fillna(0) > 0).sum())
        late = int(((in_period["minute"] > end - 5) & (in_period["stoppage"].fillna(0) == 0)).sum())
        out[name] = {"stoppage_goals": stoppage, "last_five_minutes_goals": late}
        out[name]["mean"] = stoppage / (late / 5.0) if late >= 20 else None
    out["matches"] = len(wc)
    return out


def fit_time_profile(
    matches: pd.DataFrame,
    goals: pd.DataFrame,
    lam_h: np.ndarray,
    lam_a: np.ndarray,
    stoppage: InPlayParams,
    weights: np.ndarray | None = None,
) -> tuple[tuple[float, ...], dict]:
    """Closed-form bin rates θ_b (see the module docstring); ``weights``: one per match (the
    recency weight), 1 for all by default."""
    ids = matches["match_id"].to_numpy()
    extra = _played_extra_time(matches).to_numpy()
    weight = np.ones(len(ids)) if weights is None else np.asarray(weights, dtype=float)
    g = goals[goals["match_id"].isin(ids)]
    bins = goal_bin(g["minute"].to_numpy(), g["period"].to_numpy())
    goal_weight = pd.Series(weight, index=ids).reindex(g["match_id"].to_numpy()).to_numpy()
    counts = np.bincount(
        bins[bins >= 0], weights=goal_weight[bins >= 0], minlength=len(TIME_BINS)
    ).astype(float)
    exposure = np.array([15, 15, 14, 1, 15, 15, 10, 4, 1, 15, 15], dtype=float)
    exposure[3] += stoppage.stoppage_first_half
    exposure[8] += stoppage.stoppage_second_half
    exposure[9] += stoppage.stoppage_extra_first
    exposure[10] += stoppage.stoppage_extra_second
    side_rates = weight * (lam_h + lam_a) / 90.0
    expected = np.concatenate(
        [
            np.full(9, side_rates.sum()) * exposure[:9],
            np.full(2, side_rates[extra].sum()) * exposure[9:],
        ]
    )
    theta = counts / expected
    # The pre-match model sets the level (its λ is the expected goals of a whole match); the
    # profile only shares it out over the minutes, so a match with the expected stoppage scores λ.
    level = float((theta[:9] * exposure[:9]).sum()) / 90.0
    theta = theta / level
    report = {
        "level_before_scaling": round(level, 4),
        "goals_per_bin": np.bincount(bins[bins >= 0], minlength=len(TIME_BINS)).tolist(),
        "matches": len(ids),
        "extra_time_matches": int(extra.sum()),
    }
    return tuple(float(t) for t in theta), report


def recency_weights(
    matches: pd.DataFrame, until: str, half_life: float | None
) -> np.ndarray | None:
    """Each match's weight ``0.5 ** (age / half_life)``, its age in years before ``until``
    (the exponential down-weighting of Dixon & Coles 1997, §4.5); None for equal weights."""
    if half_life is None:
        return None
    age = (pd.Timestamp(until) - pd.to_datetime(matches["date"])).dt.days.to_numpy() / 365.25
    return 0.5 ** (age / half_life)


def _played_extra_time(matches: pd.DataFrame) -> pd.Series:
    recorded = matches["extra_time"].fillna(False).astype(bool)
    level = matches["home_score"] == matches["away_score"]
    shootout = matches["shootout_winner"].notna() & level & matches["knockout"].astype(bool)
    return recorded | (shootout & matches["extra_time"].isna())


def fit_red_cards(
    matches: pd.DataFrame,
    goals: pd.DataFrame,
    reds: pd.DataFrame,
    lam_h: np.ndarray,
    lam_a: np.ndarray,
    model: InPlayModel,
) -> tuple[float, float, dict]:
    """Multipliers (own, opponent) of the scoring rates after a sending-off (regulation only)."""
    wc = matches["source"].to_numpy() == "international+worldcup"
    ids = matches["match_id"].to_numpy()[wc]
    lam = dict(zip(ids, zip(lam_h[wc], lam_a[wc], strict=True), strict=True))
    r = reds[reds["match_id"].isin(ids) & reds["period"].isin(["first_half", "second_half"])]
    g = goals[goals["match_id"].isin(ids) & goals["period"].isin(["first_half", "second_half"])]
    rows = []  # (expected goals at the base rate, goals, own reds, opponent reds)
    full = float(model.remaining_regulation(FIRST_HALF, 0.0, 0.0))
    for match_id in r["match_id"].unique():
        cards = r[r["match_id"] == match_id]
        clocks = [_clock(c.period, c.minute, c.stoppage) for c in cards.itertuples()]
        left = [float(model.remaining_regulation(*c)) for c in clocks]
        cuts = [full, *left, 0.0]
        sides = cards["side"].tolist()
        mg = g[g["match_id"] == match_id]
        goal_left = [
            float(model.remaining_regulation(*_clock(x.period, x.minute, x.stoppage)))
            for x in mg.itertuples()
        ]
        for side, rate in (("home", lam[match_id][0]), ("away", lam[match_id][1])):
            for k in range(len(cuts) - 1):
                hi, lo = cuts[k], cuts[k + 1]
                scored = sum(
                    1
                    for gl, gs in zip(goal_left, mg["side"], strict=True)
                    if gs == side and lo <= gl < hi
                )
                own = sum(1 for s in sides[:k] if s == side)
                rows.append((rate / 90.0 * (hi - lo), scored, own, k - own))
    if not rows:
        return 1.0, 1.0, {"sendings_off": 0}
    e, y, own, opp = (np.array(col, dtype=float) for col in zip(*rows, strict=True))

    def nll(params: np.ndarray) -> tuple[float, np.ndarray]:
        mu = e * np.exp(params[0] * own + params[1] * opp)
        value = float(np.sum(mu - y * np.log(np.maximum(mu, 1e-300))))
        return value, np.array([((mu - y) * own).sum(), ((mu - y) * opp).sum()])

    multipliers = fit_maximum_likelihood(nll, np.zeros(2))
    report = {
        "sendings_off": len(r),
        "matches": int(r["match_id"].nunique()),
        "goals_after_a_sending_off": int(y[(own + opp) > 0].sum()),
    }
    return float(np.exp(multipliers[0])), float(np.exp(multipliers[1])), report


def score_effect_exposures(
    matches: pd.DataFrame,
    goals: pd.DataFrame,
    reds: pd.DataFrame,
    lam_h: np.ndarray,
    lam_a: np.ndarray,
    model: InPlayModel,
    cap: int = SCORE_CAP,
) -> pd.DataFrame:
    """Each side's spells of regulation between events, with the goals that end them.

    The events of each match (its regulation goals and sendings-off, and the minute
    ``score_late_from``) cut regulation into spells of one score and one count of players. Per
    spell and side: ``expected``, the goals the side would expect at the rate λ/90 · θ · red-card
    multipliers (the profile-weighted minutes from the engine's clock, the expected stoppage
    included, as in :func:`fit_red_cards`); ``goals``, 1 if the spell ends with the side's
    goal; ``lead``, the side's goal difference clipped to ±``cap``; ``late``, whether the spell
    is played from ``score_late_from`` on. One row per (spell, side).
    """
    ids = matches["match_id"].to_numpy()
    periods = ["first_half", "second_half"]
    g = goals[goals["match_id"].isin(ids) & goals["period"].isin(periods)]
    r = reds[reds["match_id"].isin(ids) & reds["period"].isin(periods)]
    events = pd.concat(
        [
            g[["match_id", "side", "period", "minute", "stoppage"]].assign(kind="goal"),
            r[["match_id", "side", "period", "minute", "stoppage"]].assign(kind="red"),
        ],
        ignore_index=True,
    )
    clock = [_clock(e.period, e.minute, e.stoppage) for e in events.itertuples()]
    full = float(model.remaining_regulation(FIRST_HALF, 0.0, 0.0))
    if clock:
        period, minute, stoppage = (np.array(col) for col in zip(*clock, strict=True))
        events["at"] = full - model.remaining_regulation(period, minute, stoppage)
    else:
        events["at"] = np.zeros(0)
    late_at = full - float(model.remaining_regulation(SECOND_HALF, model.params.score_late_from, 0))
    marks = pd.DataFrame(
        {
            "match_id": np.repeat(ids, 2),
            "side": None,
            "kind": np.tile(["late", "end"], len(ids)),
            "at": np.tile([late_at, full], len(ids)),
        }
    )
    events = pd.concat([events[["match_id", "side", "kind", "at"]], marks], ignore_index=True)
    # At one clock, a mark comes first: the spell it ends has the same score either way.
    events["order"] = events["kind"].map({"late": 0, "end": 2}).fillna(1)
    events = events.sort_values(["match_id", "at", "order"], kind="stable").reset_index(drop=True)
    home, away = events["side"] == "home", events["side"] == "away"
    goal, red = events["kind"] == "goal", events["kind"] == "red"
    by_match = events.groupby("match_id", sort=False)
    # The state during the spell that each event ends: everything strictly before it.
    before = {}
    for name, mask in (
        ("hg", goal & home),
        ("ag", goal & away),
        ("hr", red & home),
        ("ar", red & away),
    ):
        before[name] = (mask.astype(int).groupby(events["match_id"]).cumsum() - mask).to_numpy()
    start = by_match["at"].shift(fill_value=0.0).to_numpy()
    length = np.maximum(events["at"].to_numpy() - start, 0.0)
    late = start >= late_at - 1e-9
    rate = pd.Series(lam_h, index=ids), pd.Series(lam_a, index=ids)
    base_h = rate[0].reindex(events["match_id"]).to_numpy() / 90.0
    base_a = rate[1].reindex(events["match_id"]).to_numpy() / 90.0
    mult_h, mult_a = model.red_card_multipliers(before["hr"], before["ar"])
    diff = np.clip(before["hg"] - before["ag"], -cap, cap)
    out = pd.DataFrame(
        {
            "match_id": np.concatenate([events["match_id"], events["match_id"]]),
            "side": np.repeat(["home", "away"], len(events)),
            "expected": np.concatenate([base_h * mult_h * length, base_a * mult_a * length]),
            "goals": np.concatenate([(goal & home), (goal & away)]).astype(int),
            "lead": np.concatenate([diff, -diff]),
            "late": np.concatenate([late, late]),
        }
    )
    return out


def fit_score_effects(
    exposures: pd.DataFrame, cap: int = SCORE_CAP, relative: bool = True
) -> tuple[dict, dict]:
    """Rate multipliers of a side that leads or trails (Dixon & Robinson 1998, "A birth process
    model for association football matches", The Statistician 47(3): scoring rates that depend
    on the current score), by maximum likelihood given the time profile and red cards.

    Each spell of :func:`score_effect_exposures` is a Poisson count with mean
    ``expected · κ_c``: one free κ_c per class c of level, (lead 1…cap, trail 1…cap) ×
    (before, from ``score_late_from``). The classes partition the spells, so the likelihood
    separates and each κ_c has the closed form (goals in c) / (expected in c), the Poisson rate
    estimate. With ``relative`` the multipliers are divided by the level one: the pre-match
    model sets the level at 0-0, the score effects only how a lead changes it (the engine's κ
    is 1 when level). Returns the :class:`InPlayParams` fields and a report of the counts.
    """

    def rate(cell: pd.DataFrame) -> tuple[float, dict]:
        scored, expected = int(cell["goals"].sum()), float(cell["expected"].sum())
        value = scored / expected if scored > 0 and expected > 0 else 1.0
        return value, {"goals": scored, "expected": round(expected, 2)}

    level, report = rate(exposures[exposures["lead"] == 0])
    report = {"level": {**report, "rate": round(level, 4)}}
    scale = level if relative else 1.0
    fields = {}
    for late, suffix in ((False, ""), (True, "_late")):
        for sign, name in ((1, "lead"), (-1, "trail")):
            values = []
            for k in range(1, cap + 1):
                cell = exposures[(exposures["lead"] == sign * k) & (exposures["late"] == late)]
                value, report[f"{name}{suffix}_{k}"] = rate(cell)
                values.append(value / scale)
            fields[f"score_{name}{suffix}"] = tuple(values)
    report["relative_to_level"] = relative
    return fields, report


def fit_score_effect_step(
    pool: pd.DataFrame,
    goals: pd.DataFrame,
    reds: pd.DataFrame,
    lam_h: np.ndarray,
    lam_a: np.ndarray,
    params: InPlayParams,
    enabled: bool = SCORE_EFFECTS,
) -> tuple[dict, dict]:
    """The score-effect fields of :class:`InPlayParams` fitted on ``pool`` (rates ``lam_h``,
    ``lam_a``) given the time profile, stoppage and red cards of ``params``
    (:func:`score_effect_exposures`, :func:`fit_score_effects`), with a report; none (the
    defaults: no effect) unless ``enabled``."""
    if not enabled:
        return {}, {"fitted": False}
    ones = (1.0,) * SCORE_CAP
    blank = replace(
        params,
        score_lead=ones,
        score_trail=ones,
        score_lead_late=ones,
        score_trail_late=ones,
        score_late_from=SCORE_LATE_FROM,
    )
    exposures = score_effect_exposures(
        pool, goals, reds, lam_h, lam_a, InPlayModel(blank), SCORE_CAP
    )
    fields, report = fit_score_effects(exposures, SCORE_CAP)
    return {**fields, "score_late_from": SCORE_LATE_FROM}, {"fitted": True, **report}


def _clock(period: str, minute: float, stoppage: float) -> tuple[int, float, float]:
    """Engine clock (period, minute, stoppage) of an event labelled minute(+stoppage)."""
    code = FIRST_HALF if period == "first_half" else SECOND_HALF
    end = 45.0 if code == FIRST_HALF else 90.0
    stoppage = 0.0 if pd.isna(stoppage) else float(stoppage)
    if stoppage > 0:
        return code, end, stoppage - 0.5
    return code, min(float(minute), end) - 0.5, 0.0


def fit_shootout_conversion(
    matches: pd.DataFrame, kicks: pd.DataFrame | None
) -> tuple[float, dict]:
    """The share of the shootout kicks of ``matches`` that were converted (the maximum-likelihood
    p of independent kicks), with the counts; the default p when there are none."""
    if kicks is None:
        chosen = pd.DataFrame({"match_id": [], "converted": []})
    else:
        chosen = kicks[kicks["match_id"].isin(matches["match_id"])]
    taken = len(chosen)
    scored = int(chosen["converted"].astype(bool).sum()) if taken else 0
    report = {
        "kicks": taken,
        "kicks_converted": scored,
        "kick_shootouts": int(chosen["match_id"].nunique()),
    }
    if taken == 0:
        return InPlayParams().shootout_conversion, report
    return scored / taken, report


def fit_rho(
    matches: pd.DataFrame, lam_home: np.ndarray, lam_away: np.ndarray
) -> tuple[float, dict]:
    """The Dixon & Coles (1997) low-score dependence ρ by maximum likelihood of the scores of
    ``matches`` given their pre-match rates (the rates held fixed: only the four low-score cells
    depend on ρ)."""
    from scipy.optimize import minimize_scalar

    gh = matches["home_score"].to_numpy(dtype=float)
    ga = matches["away_score"].to_numpy(dtype=float)
    lam_h, lam_a = np.asarray(lam_home, dtype=float), np.asarray(lam_away, dtype=float)

    def negative_log_likelihood(rho: float) -> float:
        return -float(_dixon_coles_log_tau(lam_h, lam_a, gh, ga, rho).sum())

    found = minimize_scalar(negative_log_likelihood, bounds=(-0.5, 0.5), method="bounded")
    rho = round(float(found.x), 6)
    return rho, {"matches": len(matches), "rho": rho}


def fit_model(
    matches: pd.DataFrame,
    goals: pd.DataFrame,
    reds: pd.DataFrame,
    train_end: str = DEFAULT_TRAIN_END,
    goal_model_years: int = GOAL_MODEL_YEARS,
    profile_years: int = PROFILE_YEARS,
    profile_half_life: float | None = PROFILE_HALF_LIFE,
    elo: EloParams | None = None,
    kicks: pd.DataFrame | None = None,
    strengths: StrengthParams | None = None,
    score_effects: bool | None = None,
) -> ModelParams:
    """Fit every parameter on matches before ``train_end`` (see the module docstring);
    ``kicks`` are the shootout kicks of the record (``shootout_kicks`` rows); ``strengths``:
    the settings of the goal model the store's rates were fitted with (ρ is fitted here);
    ``score_effects``: whether to fit them (default :data:`SCORE_EFFECTS`; else none)."""
    dates = pd.to_datetime(matches["date"])
    before = matches[dates < train_end]
    goal_start = _years_before(train_end, goal_model_years)
    # The Elo-only goal model: the baseline; its rates stand in for rows without stored ones.
    prematch = PrematchModel(goal_start, train_end, dixon_coles=True).fit(before)
    window = before[pd.to_datetime(before["date"]) >= goal_start]
    rho, rho_report = fit_rho(window, *prematch.rates(window))
    strengths = replace(strengths or StrengthParams(), rho=rho)

    stoppage_report = fit_stoppage(before, goals, STOPPAGE_SINCE, train_end)
    defaults = InPlayParams()
    means = {
        name: (stoppage_report[name]["mean"] or getattr(defaults, name))
        for name in (
            "stoppage_first_half",
            "stoppage_second_half",
            "stoppage_extra_first",
            "stoppage_extra_second",
        )
    }
    stoppage = InPlayParams(**means)

    profile_start = _years_before(train_end, profile_years)
    pool = before[well_recorded(before) & (pd.to_datetime(before["date"]) >= profile_start)]
    lam_h, lam_a = prematch.rates(pool)
    recency = recency_weights(pool, train_end, profile_half_life)
    rates, profile_report = fit_time_profile(pool, goals, lam_h, lam_a, stoppage, recency)
    shaped = InPlayModel(InPlayParams(minute_rates=rates, **means))

    cards_pool = before[pd.to_datetime(before["date"]) >= "1970-01-01"]
    lam_ch, lam_ca = prematch.rates(cards_pool)
    own, opp, red_report = fit_red_cards(cards_pool, goals, reds, lam_ch, lam_ca, shaped)
    score_fields, score_report = fit_score_effect_step(
        pool,
        goals,
        reds,
        lam_h,
        lam_a,
        replace(shaped.params, red_card_own=own, red_card_opponent=opp),
        SCORE_EFFECTS if score_effects is None else score_effects,
    )

    shootouts = before[before["shootout_winner"].notna() & before["knockout"].astype(bool)]
    home_share = float((shootouts["shootout_winner"] == shootouts["home"]).mean())
    conversion, kick_report = fit_shootout_conversion(before, kicks)
    inplay = InPlayParams(
        minute_rates=rates,
        **means,
        red_card_own=own,
        red_card_opponent=opp,
        rho=strengths.rho,
        shootout_home=0.5,
        shootout_conversion=conversion,
        **score_fields,
    )
    fitted = {
        "train_end": train_end,
        "goal_model_window": [goal_start, train_end],
        "goal_model_matches": prematch.n_train_,
        "rho": rho_report,
        "time_profile_window": [profile_start, train_end],
        "time_profile": profile_report,
        "stoppage": stoppage_report,
        "red_cards": red_report,
        "score_effects": score_report,
        "shootouts": {
            "count": len(shootouts),
            "first_named_won_share": round(home_share, 4),
            **kick_report,
        },
        "coverage_threshold": COVERAGE,
    }
    return ModelParams(
        elo=elo or EloParams(),
        strengths=strengths,
        goals=prematch.params_,
        inplay=inplay,
        fitted=fitted,
    )
