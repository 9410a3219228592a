"""Where a drama metric's value stands among every match ranked by it: "3rd of 964 FIFA World
Cup matches" means more to a reader than 0.00182.

A :class:`RankTable` holds one metric's values over the population that ``heartbreak top``
ranks (see :meth:`heartbreak.data.store.Store.drama_rankings`), overall and per competition,
sorted once; a rank is then two binary searches.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

#: Values closer than this count as equal, so that a stored match's own value, computed again
#: by a replay, ties with itself instead of ranking one place below.
TIE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Rank:
    """A value's place among ``of`` ranked values (1 is the highest; ties share a place) and
    the share of them it is at least as high as (``percentile``, 0–100)."""

    rank: int
    of: int

    @property
    def percentile(self) -> float:
        return 100.0 * (self.of - self.rank + 1) / self.of

    def to_dict(self) -> dict[str, float | int]:
        return {"rank": self.rank, "of": self.of, "percentile": round(self.percentile, 2)}


def rank_in(sorted_values: np.ndarray, value: float) -> Rank | None:
    """The rank of ``value`` among ascending ``sorted_values``: one more than the number of
    values above it. None when there is nothing to rank against."""
    if len(sorted_values) == 0:
        return None
    # Values within the tolerance above ``value`` tie with it rather than rank above it.
    above = len(sorted_values) - int(
        np.searchsorted(sorted_values, value + TIE_TOLERANCE, side="right")
    )
    return Rank(rank=above + 1, of=len(sorted_values))


class RankTable:
    """One metric's ranked values, overall and by competition."""

    def __init__(self, values: Iterable[float], competitions: Iterable[str]) -> None:
        values = np.asarray(list(values), dtype=float)
        competitions = np.asarray(list(competitions), dtype=object)
        keep = ~np.isnan(values)
        values, competitions = values[keep], competitions[keep]
        order = np.argsort(values, kind="stable")
        self.values = values[order]
        by_competition: dict[str, list[float]] = {}
        for name, value in zip(competitions[order], self.values, strict=True):
            by_competition.setdefault(str(name), []).append(float(value))
        self.by_competition = {k: np.asarray(v) for k, v in by_competition.items()}

    def rank(self, value: float) -> Rank | None:
        return rank_in(self.values, value)

    def rank_within(self, value: float, competition: str) -> Rank | None:
        return rank_in(self.by_competition.get(competition, np.empty(0)), value)
