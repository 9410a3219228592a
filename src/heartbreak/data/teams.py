"""Team names: one canonical name per team, and every other name mapped onto it.

The canonical name is the one the international results data uses (the team's current name,
see its ``former_names.csv``). Other names come from four places, each an explicit table:

- ``former_name``: ``international/former_names.csv`` (former → current, with the dates the
  former name was in use), e.g. Dahomey → Benin until 1975-11-30.
- ``worldcup``: :data:`WORLDCUP_NAMES`, the names of the Fjelstul World Cup Database that differ
  from the international results names. Date-aware: "Yugoslavia" is Serbia for the Federal
  Republic of Yugoslavia (1994-12-23 to 2003-02-03, the dates of ``former_names.csv``; e.g. the
  1998 World Cup) but Yugoslavia itself before the break-up of 1992.
- ``fifa_code``: the three-letter codes of ``worldcup/teams.csv`` (``team_code`` → mapped name).
- ``common``: :data:`COMMON_ALIASES`, names people type (FIFA's official short names and
  English variants): "USA", "Korea Republic", "IR Iran", "Côte d'Ivoire", "Türkiye", ...

:class:`TeamResolver` resolves what a user types through all of them, ignoring case, accents,
curly apostrophes, dots, hyphens and repeated spaces.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from heartbreak.dates import parse_day
from heartbreak.errors import UnknownTeam


@dataclass(frozen=True, slots=True)
class Alias:
    """Another name for a canonical team, optionally valid only between two dates (inclusive)."""

    alias: str
    team: str
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    kind: str = "common"

    def valid_on(self, date: dt.date) -> bool:
        if self.start_date is not None and date < self.start_date:
            return False
        return not (self.end_date is not None and date > self.end_date)

    @property
    def dated(self) -> bool:
        return self.start_date is not None or self.end_date is not None


ALIAS_KINDS = ("former_name", "worldcup", "fifa_code", "common")

#: Fjelstul World Cup Database names → international results names. Sources: the names of both
#: data sets at their pinned commits, and ``former_names.csv`` for the dates of FR Yugoslavia.
WORLDCUP_NAMES: tuple[Alias, ...] = (
    Alias("West Germany", "Germany", kind="worldcup"),
    Alias("East Germany", "German DR", kind="worldcup"),
    Alias("Zaire", "DR Congo", kind="worldcup"),
    Alias("Dutch East Indies", "Indonesia", kind="worldcup"),
    Alias("Soviet Union", "Russia", kind="worldcup"),
    Alias("Serbia and Montenegro", "Serbia", kind="worldcup"),
    Alias("Yugoslavia", "Serbia", dt.date(1994, 12, 23), dt.date(2003, 2, 3), kind="worldcup"),
    Alias("Chinese Taipei", "Taiwan", kind="worldcup"),
)

#: Names users type → canonical names (FIFA's official names and common English variants).
COMMON_ALIASES: tuple[Alias, ...] = tuple(
    Alias(alias, team, kind="common")
    for alias, team in (
        ("USA", "United States"),
        ("US", "United States"),
        ("United States of America", "United States"),
        ("Korea Republic", "South Korea"),
        ("Republic of Korea", "South Korea"),
        ("Korea DPR", "North Korea"),
        ("DPR Korea", "North Korea"),
        ("IR Iran", "Iran"),
        ("Côte d'Ivoire", "Ivory Coast"),
        ("Cote d'Ivoire", "Ivory Coast"),
        ("Czechia", "Czech Republic"),
        ("Türkiye", "Turkey"),
        ("China PR", "China"),
        ("Holland", "Netherlands"),
        ("Ireland Republic", "Republic of Ireland"),
        ("Congo DR", "DR Congo"),
        ("Cabo Verde", "Cape Verde"),
        ("UAE", "United Arab Emirates"),
        ("Bosnia", "Bosnia and Herzegovina"),
        ("Trinidad", "Trinidad and Tobago"),
    )
)

_FOLD_DROP = re.compile(r"[.\u2019\u2018`´]")
_FOLD_SPACE = re.compile(r"[\s\-\u2010-\u2015_]+")


def fold(text: str) -> str:
    """A name reduced for comparison: no accents, no case, apostrophes unified, dots dropped.

    >>> fold("  Côte d’Ivoire ")
    "cote d'ivoire"
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    stripped = stripped.replace("\u2019", "'").replace("\u2018", "'")
    stripped = _FOLD_DROP.sub("", stripped)
    return _FOLD_SPACE.sub(" ", stripped).strip().casefold()


def map_worldcup_name(name: str, date: dt.date | None = None) -> str:
    """The international results name of a World Cup DB team name on a date."""
    for alias in WORLDCUP_NAMES:
        if alias.alias == name and (not alias.dated or (date is not None and alias.valid_on(date))):
            return alias.team
    return name


def map_worldcup_names(names: pd.Series, dates: pd.Series) -> pd.Series:
    """Vectorised :func:`map_worldcup_name` over a column of names and a column of dates."""
    out = names.astype(object).to_numpy(copy=True)
    day = pd.to_datetime(dates).to_numpy()
    raw = names.to_numpy()
    for alias in WORLDCUP_NAMES:
        mask = raw == alias.alias
        if alias.start_date is not None:
            mask &= day >= np.datetime64(alias.start_date)
        if alias.end_date is not None:
            mask &= day <= np.datetime64(alias.end_date)
        out[mask] = alias.team
    return pd.Series(out, index=names.index, dtype=names.dtype)


def former_name_aliases(former_names: pd.DataFrame) -> list[Alias]:
    """Aliases from a parsed ``former_names.csv`` (current, former, start_date, end_date)."""
    return [
        Alias(
            row.former, row.current, _as_date(row.start_date), _as_date(row.end_date), "former_name"
        )
        for row in former_names.itertuples(index=False)
    ]


def fifa_code_aliases(wc_teams: pd.DataFrame) -> list[Alias]:
    """Aliases from ``worldcup/teams.csv`` (columns team_name, team_code): code → mapped name."""
    seen: dict[str, str] = {}
    for name, code in zip(wc_teams["team_name"], wc_teams["team_code"], strict=True):
        if code and code not in seen:
            seen[code] = map_worldcup_name(name)
    return [Alias(code, team, kind="fifa_code") for code, team in seen.items()]


def all_aliases(
    names: Iterable[str],
    former_names: pd.DataFrame | None = None,
    wc_teams: pd.DataFrame | None = None,
) -> list[Alias]:
    """Every alias whose team is among ``names``, without trivial or repeated entries."""
    canonical = set(names)
    found: list[Alias] = []
    if former_names is not None:
        found += former_name_aliases(former_names)
    found += WORLDCUP_NAMES
    if wc_teams is not None:
        found += fifa_code_aliases(wc_teams)
    found += COMMON_ALIASES
    out: list[Alias] = []
    seen: set[tuple[str, str, dt.date | None, dt.date | None]] = set()
    for alias in found:
        if alias.team not in canonical or fold(alias.alias) == fold(alias.team):
            continue
        key = (fold(alias.alias), alias.team, alias.start_date, alias.end_date)
        if key in seen:
            continue
        seen.add(key)
        out.append(alias)
    return out


def _as_date(value: object) -> dt.date | None:
    """A date of a table or a caller (a day, ISO text: see :func:`heartbreak.dates.parse_day`);
    None for a missing one (None, NaT, NaN, empty text) or a value that is not a date at all."""
    if type(value) is dt.date:  # what parse_day would return, without its validator
        return value
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, dt.date | str):
        return parse_day(value) if value != "" else None
    return None


class TeamResolver:
    """Resolve what a user types to a canonical team name.

    ``names`` are the canonical names; ``aliases`` are :class:`Alias` objects or a plain mapping
    alias → team. Resolution, after :func:`fold`: an alias valid on ``date`` (when a date is
    given and the alias is dated), then a canonical name, then any other alias. Unknown text
    raises :class:`~heartbreak.errors.UnknownTeam` with the closest names.
    """

    def __init__(
        self, names: Iterable[str], aliases: Iterable[Alias] | Mapping[str, str] = ()
    ) -> None:
        self.names = sorted(set(names))
        self._canonical = {fold(n): n for n in self.names}
        items = (
            [Alias(a, t) for a, t in aliases.items()]
            if isinstance(aliases, Mapping)
            else list(aliases)
        )
        self._aliases: dict[str, list[Alias]] = {}
        for alias in items:
            self._aliases.setdefault(fold(alias.alias), []).append(alias)
        order = {
            kind: i for i, kind in enumerate(("common", "fifa_code", "worldcup", "former_name"))
        }
        for entries in self._aliases.values():
            entries.sort(key=lambda a: (a.dated, order.get(a.kind, 9)))
        # The folded key of each name and alias as stored: text typed exactly so (most rows of
        # a batch of fixtures) skips fold's Unicode work.
        self._keys = {a.alias: fold(a.alias) for a in items}
        self._keys.update((n, key) for key, n in self._canonical.items())

    def __contains__(self, text: object) -> bool:
        return isinstance(text, str) and fold(text) in self._canonical

    def resolve(self, text: str, date: dt.date | str | None = None) -> str:
        """The canonical name for ``text`` (on ``date`` if given); raises UnknownTeam."""
        key = self._keys.get(text) if isinstance(text, str) else None
        if key is None:
            key = fold(text)
        when = _as_date(date) if date is not None else None
        entries = self._aliases.get(key, [])
        if when is not None:
            for alias in entries:
                if alias.dated and alias.valid_on(when):
                    return alias.team
        if key in self._canonical:
            return self._canonical[key]
        if entries:
            return entries[0].team
        raise UnknownTeam(text, self.suggest(text))

    def suggest(self, text: str, n: int = 5) -> list[str]:
        """Up to ``n`` canonical names closest to ``text`` (substring matches first)."""
        key = fold(text)
        if not key:
            return []
        keys = list(self._canonical) + list(self._aliases)
        hits: list[str] = [k for k in keys if key in k or (len(k) > 3 and k in key)]
        hits.sort(key=len)
        hits += difflib.get_close_matches(key, keys, n=n * 2, cutoff=0.6)
        out: list[str] = []
        for k in hits:
            team = self._canonical.get(k) or self._aliases[k][0].team
            if team not in out:
                out.append(team)
            if len(out) == n:
                break
        return out


def aliases_from_frame(frame: pd.DataFrame) -> list[Alias]:
    """The aliases of a ``team_aliases`` table (alias, team, start_date, end_date, kind)."""
    return [
        Alias(
            r.alias,
            r.team,
            None if pd.isna(r.start_date) else pd.Timestamp(r.start_date).date(),
            None if pd.isna(r.end_date) else pd.Timestamp(r.end_date).date(),
            r.kind,
        )
        for r in frame.itertuples(index=False)
    ]
