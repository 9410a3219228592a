"""The data layer: pinned sources, fetching, loading and validation, team names, the store.

The build that fills the store (ratings, drama index) is :mod:`heartbreak.build`, above this
layer. Loaders are the only code that opens the source CSVs, and :class:`Store` is the only code
that speaks SQL. World Cup data come from the Fjelstul World Cup Database (CC-BY-SA 4.0): anything
published from it carries :data:`ATTRIBUTION_WORLDCUP` or :data:`ATTRIBUTION_SHORT`.
"""

from heartbreak.data.fetch import ProgressCallback, fetch_sources, locate_sources
from heartbreak.data.loaders import Sources, Table, load_sources
from heartbreak.data.sources import (
    ATTRIBUTION_INTERNATIONAL,
    ATTRIBUTION_SHORT,
    ATTRIBUTION_WORLDCUP,
    DATA_HINT,
    NEEDED_SOURCES,
    SOURCES,
    Source,
)
from heartbreak.data.store import SCHEMA_VERSION, StaleStore, Store
from heartbreak.data.teams import Alias, TeamResolver, fold, map_worldcup_name

__all__ = [
    "ATTRIBUTION_INTERNATIONAL",
    "ATTRIBUTION_SHORT",
    "ATTRIBUTION_WORLDCUP",
    "DATA_HINT",
    "NEEDED_SOURCES",
    "SCHEMA_VERSION",
    "SOURCES",
    "Alias",
    "ProgressCallback",
    "Source",
    "Sources",
    "StaleStore",
    "Store",
    "Table",
    "TeamResolver",
    "fetch_sources",
    "fold",
    "load_sources",
    "locate_sources",
    "map_worldcup_name",
]
