"""World Football Elo ratings over the whole history of men's internationals.

The method of eloratings.net ("The World Football Elo Rating System", eloratings.net/about):

- After each match ``R' = R + K·G·(W − We)``.
- ``We = 1 / (10^(−dr/400) + 1)``, where ``dr`` is the rating difference plus ``home_advantage``
  (100) for a side at home; 0 on neutral ground.
- ``W`` is 1 for a win, 0.5 for a draw, 0 for a defeat; a match decided by a shootout counts as
  a draw (the score after extra time is what counts).
- ``K`` by match type: 60 World Cup finals; 50 continental finals and major intercontinental
  tournaments; 40 World Cup and continental qualifiers and major tournaments; 30 all other
  tournaments; 20 friendlies.
- ``G`` by goal margin N: 1 for N ≤ 1, 1.5 for N = 2, (11 + N)/8 for N ≥ 3.

A team's first match starts from ``initial_rating``. Ratings used for a match on date D come only
from matches strictly before D (as-of semantics): all matches of one day are rated with the
ratings from before that day, and the day's changes are applied together afterwards. ``We`` is an
expected score, not a three-way probability; :mod:`heartbreak.model.prematch` turns ratings into
goal rates.
"""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

# Tournament names (as in the international results data) by K class.
WORLD_CUP_FINALS = frozenset({"FIFA World Cup"})
CONTINENTAL_FINALS = frozenset(
    {
        "UEFA Euro",
        "Copa América",
        "African Cup of Nations",
        "AFC Asian Cup",
        "Gold Cup",
        "CONCACAF Championship",
        "Oceania Nations Cup",
        "Confederations Cup",
    }
)
MAJOR_TOURNAMENTS = frozenset({"UEFA Nations League", "CONCACAF Nations League"})


@dataclass(frozen=True)
class EloParams:
    """Every parameter of the rating system in one place (defaults: eloratings.net)."""

    initial_rating: float = 1500.0
    home_advantage: float = 100.0
    k_world_cup: float = 60.0
    k_continental: float = 50.0
    k_qualifier: float = 40.0
    k_other_tournament: float = 30.0
    k_friendly: float = 20.0
    margin_two: float = 1.5
    margin_base: float = 11.0
    margin_divisor: float = 8.0

    def k_factor(self, competition: str) -> float:
        """K for a competition name as the international results data write it; a name typed
        another way ("copa america", "World Cup qualifier") gets the K of the name it means.
        The one table of K factors: the ratings use it, and so do the stakes of the fans'
        emotions (:func:`heartbreak.drama.emotions.stakes_weight`)."""
        name = _folded(competition)
        if name in _FOLDED_WORLD_CUP:
            return self.k_world_cup
        if name in _FOLDED_CONTINENTAL:
            return self.k_continental
        if "qualification" in name or "qualifier" in name or name in _FOLDED_MAJOR:
            return self.k_qualifier
        if name == "friendly":
            return self.k_friendly
        return self.k_other_tournament


@lru_cache(maxsize=4096)
def _folded(name: str) -> str:
    """A competition name without case, accents or surrounding spaces."""
    plain = unicodedata.normalize("NFKD", name)
    return "".join(c for c in plain if not unicodedata.combining(c)).casefold().strip()


_FOLDED_WORLD_CUP = frozenset(map(_folded, WORLD_CUP_FINALS))
# "Africa Cup of Nations" is the tournament's name since 2015; the data keep "African".
_FOLDED_CONTINENTAL = frozenset(map(_folded, CONTINENTAL_FINALS | {"Africa Cup of Nations"}))
_FOLDED_MAJOR = frozenset(map(_folded, MAJOR_TOURNAMENTS))


def expected_score(rating_difference: np.ndarray | float) -> np.ndarray | float:
    """``We = 1 / (10^(−dr/400) + 1)`` (eloratings.net)."""
    return 1.0 / (10.0 ** (-np.asarray(rating_difference) / 400.0) + 1.0)


def margin_multiplier(margin: np.ndarray, params: EloParams = EloParams()) -> np.ndarray:
    """G: 1 for a margin ≤ 1, 1.5 for 2, (11 + N)/8 for N ≥ 3 (eloratings.net)."""
    n = np.abs(np.asarray(margin, dtype=float))
    return np.where(
        n <= 1,
        1.0,
        np.where(n == 2, params.margin_two, (params.margin_base + n) / params.margin_divisor),
    )


class EloRatings:
    """Fit World Football Elo over a match history (scikit-learn style).

    ``fit(matches)`` takes a DataFrame with columns ``match_id, date, home, away, home_score,
    away_score, competition, neutral`` and learns:

    - ``pre_match_``: DataFrame[match_id, elo_home, elo_away], the ratings going into each match;
    - ``history_``: DataFrame[team, date, match_id, rating_before, rating_after];
    - ``ratings_``: dict team → rating after the last match.
    """

    def __init__(self, params: EloParams | None = None, **overrides: float) -> None:
        base = params or EloParams()
        self.params = EloParams(**{**asdict(base), **overrides}) if overrides else base

    def fit(self, matches: pd.DataFrame) -> EloRatings:
        p = self.params
        df = matches.sort_values(["date", "match_id"], kind="stable")
        home = df["home"].to_numpy()
        away = df["away"].to_numpy()
        hs = df["home_score"].to_numpy(dtype=float)
        as_ = df["away_score"].to_numpy(dtype=float)
        neutral = df["neutral"].to_numpy(dtype=bool)
        dates = df["date"].to_numpy()
        k = np.fromiter((p.k_factor(c) for c in df["competition"]), dtype=float, count=len(df))
        g = margin_multiplier(hs - as_, p)
        w = np.where(hs > as_, 1.0, np.where(hs == as_, 0.5, 0.0))
        home_adv = np.where(neutral, 0.0, p.home_advantage)

        n = len(df)
        before_h = np.empty(n)
        before_a = np.empty(n)
        after_h = np.empty(n)
        after_a = np.empty(n)
        ratings: dict[str, float] = {}
        init = p.initial_rating
        # Matches of one day see only ratings from before that day.
        day_start = 0
        while day_start < n:
            day_end = day_start
            day = dates[day_start]
            while day_end < n and dates[day_end] == day:
                day_end += 1
            deltas: dict[str, float] = {}
            for i in range(day_start, day_end):
                rh = ratings.get(home[i], init)
                ra = ratings.get(away[i], init)
                we = 1.0 / (10.0 ** (-(rh - ra + home_adv[i]) / 400.0) + 1.0)
                change = k[i] * g[i] * (w[i] - we)
                before_h[i], before_a[i] = rh, ra
                deltas[home[i]] = deltas.get(home[i], 0.0) + change
                deltas[away[i]] = deltas.get(away[i], 0.0) - change
            for team, delta in deltas.items():
                ratings[team] = ratings.get(team, init) + delta
            for i in range(day_start, day_end):
                after_h[i] = ratings[home[i]]
                after_a[i] = ratings[away[i]]
            day_start = day_end

        ids = df["match_id"].to_numpy()
        self.pre_match_ = pd.DataFrame(
            {"match_id": ids, "elo_home": before_h, "elo_away": before_a}
        )
        self.history_ = (
            pd.concat(
                [
                    pd.DataFrame(
                        {
                            "team": home,
                            "date": dates,
                            "match_id": ids,
                            "rating_before": before_h,
                            "rating_after": after_h,
                        }
                    ),
                    pd.DataFrame(
                        {
                            "team": away,
                            "date": dates,
                            "match_id": ids,
                            "rating_before": before_a,
                            "rating_after": after_a,
                        }
                    ),
                ],
                ignore_index=True,
            )
            .sort_values(["date", "match_id", "team"], kind="stable")
            .reset_index(drop=True)
        )
        self.ratings_ = ratings
        return self
