"""Stages of World Cup tournaments that the Fjelstul World Cup Database does not hold yet.

The database pinned in ``shared/data`` ends with 2022; the international results run to July
2026. For the 2026 World Cup (48 teams: twelve groups, then a round of 32), the stage of each
match follows from its date in the published schedule. An explicit table, like the team-name
mapping, and tested against the data (72 group matches, then 16, 8, 4, 2, 1 and 1).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

WORLD_CUP = "FIFA World Cup"

#: (first day, last day, stage, knockout) for World Cups after the database's last tournament.
STAGES_BY_DATE: tuple[tuple[dt.date, dt.date, str, bool], ...] = (
    (dt.date(2026, 6, 11), dt.date(2026, 6, 27), "group stage", False),
    (dt.date(2026, 6, 28), dt.date(2026, 7, 3), "round of 32", True),
    (dt.date(2026, 7, 4), dt.date(2026, 7, 7), "round of 16", True),
    (dt.date(2026, 7, 9), dt.date(2026, 7, 11), "quarter-finals", True),
    (dt.date(2026, 7, 14), dt.date(2026, 7, 15), "semi-finals", True),
    (dt.date(2026, 7, 18), dt.date(2026, 7, 18), "third-place match", True),
    (dt.date(2026, 7, 19), dt.date(2026, 7, 19), "final", True),
)


def stages_by_date(competition: pd.Series, dates: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(stage or None, knockout or None) for each match from :data:`STAGES_BY_DATE`."""
    day = pd.to_datetime(dates).dt.date.to_numpy()
    is_world_cup = (competition == WORLD_CUP).to_numpy()
    stage = np.full(len(day), None, dtype=object)
    knockout = np.full(len(day), None, dtype=object)
    for first, last, name, needs_winner in STAGES_BY_DATE:
        rows = is_world_cup & (day >= first) & (day <= last)
        stage[rows] = name
        knockout[rows] = needs_winner
    return stage, knockout
