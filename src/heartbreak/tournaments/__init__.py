"""Tournaments: each final tournament's structure (editions, stages, groups, fixtures), the
table of its rules, and group tables as of any moment.

Pure code over the store's frames: :func:`editions` builds every modelled edition from the
``matches`` and ``cards`` rows that :meth:`heartbreak.data.store.Store.tournament_frames`
returns; :func:`group_table` ranks a group with its edition's tie-breaks; :func:`qualifiers`
says who goes through; :func:`rank_simulations` ranks many simulated result sets at once. See
docs/tournaments.md.
"""

from heartbreak.tournaments.rules import (
    COMPETITIONS,
    DRAWN_LOTS,
    RULES,
    Advance,
    Criterion,
    Rules,
    rules_for,
)
from heartbreak.tournaments.structure import (
    Edition,
    Fixture,
    Group,
    Stage,
    build_editions,
    editions,
    find_edition,
    unmodelled,
)
from heartbreak.tournaments.table import (
    Row,
    group_table,
    qualifiers,
    rank_simulations,
    stage_tables,
)

__all__ = [
    "COMPETITIONS",
    "DRAWN_LOTS",
    "RULES",
    "Advance",
    "Criterion",
    "Edition",
    "Fixture",
    "Group",
    "Row",
    "Rules",
    "Stage",
    "build_editions",
    "editions",
    "find_edition",
    "group_table",
    "qualifiers",
    "rank_simulations",
    "rules_for",
    "stage_tables",
    "unmodelled",
]
