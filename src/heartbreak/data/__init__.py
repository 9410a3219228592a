"""The data layer: pinned sources, fetching, loading and validation, team names, the store.

The build that fills the store (ratings, drama index) is :mod:`heartbreak.build`, above this
layer. Loaders are the only code that opens the source CSVs, and :class:`Store` is the only code
that speaks SQL. World Cup data come from the Fjelstul World Cup Database (CC-BY-SA 4.0): anything
published from it carries :data:`ATTRIBUTION_WORLDCUP` or :data:`ATTRIBUTION_SHORT`.

The names below are imported from their modules when first used: importing one module of the
layer (``heartbreak.data.sources``) then costs no httpx, pandas or DuckDB.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

#: Each exported name and the module that defines it.
_HOMES = {
    "ProgressCallback": "fetch",
    "fetch_sources": "fetch",
    "locate_sources": "fetch",
    "Sources": "loaders",
    "Table": "loaders",
    "load_sources": "loaders",
    "ATTRIBUTION_INTERNATIONAL": "sources",
    "ATTRIBUTION_SHORT": "sources",
    "ATTRIBUTION_WORLDCUP": "sources",
    "DATA_HINT": "sources",
    "NEEDED_SOURCES": "sources",
    "SOURCES": "sources",
    "Source": "sources",
    "SCHEMA_VERSION": "store",
    "StaleStore": "store",
    "Store": "store",
    "Alias": "teams",
    "TeamResolver": "teams",
    "fold": "teams",
    "map_worldcup_name": "teams",
}

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


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})
