"""Competition names as a fan types them: "World Cup", "euro qualifiers", "copa america".

:class:`CompetitionResolver` turns what was typed into the stored competitions it means, after
:func:`~heartbreak.data.teams.fold` (no case, no accents) and with "qualifier", "qualifiers",
"qualifying" and "quals" read as "qualification". The first rule that finds something decides:

1. **Exact:** the name of a stored competition ("fifa world cup" → FIFA World Cup).
2. **Short name:** one of :data:`SHORT_NAMES`, the names fans use for the major tournaments
   ("World Cup" → FIFA World Cup, "Euro" → UEFA Euro, "AFCON" → African Cup of Nations), also
   followed by "qualification" ("World Cup qualifiers" → FIFA World Cup qualification).
3. **Contained:** every stored competition whose name contains the text from the start of a
   word ("nations league" → CONCACAF Nations League and UEFA Nations League). Qualifying
   competitions are left out unless the text asks for them ("qualification") or they are all
   that contain it.

Nothing found is an empty answer (a filter that selects no match); :meth:`~CompetitionResolver.
suggest` then gives the closest names.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from heartbreak.data.teams import fold

#: Short names of the major tournaments (folded) → the stored competition.
SHORT_NAMES: dict[str, str] = {
    "world cup": "FIFA World Cup",
    "wc": "FIFA World Cup",
    "fifa wc": "FIFA World Cup",
    "euro": "UEFA Euro",
    "euros": "UEFA Euro",
    "european championship": "UEFA Euro",
    "uefa european championship": "UEFA Euro",
    "afcon": "African Cup of Nations",
    "africa cup of nations": "African Cup of Nations",
    "african nations cup": "African Cup of Nations",
    "asian cup": "AFC Asian Cup",
    "olympics": "Olympic Games",
    "confed cup": "Confederations Cup",
    "friendlies": "Friendly",
    "friendly match": "Friendly",
}

QUALIFICATION = "qualification"
_QUALIFIER_WORDS = re.compile(r"\b(qualifiers?|qualifying|quals|qualification)\b")


def _key(text: str) -> str:
    return _QUALIFIER_WORDS.sub(QUALIFICATION, fold(text))


class CompetitionResolver:
    """What a user typed → the stored competitions it means (see the module docs)."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = sorted({str(n) for n in names})
        self._folded = {_key(n): n for n in self.names}

    def resolve(self, text: str) -> tuple[str, ...]:
        """The stored competitions ``text`` names, sorted; empty when none fits."""
        key = _key(text)
        if not key:
            return ()
        if key in self._folded:
            return (self._folded[key],)
        short = self._short_name(key)
        if short is not None:
            return (short,)
        pattern = re.compile(r"(^|\s)" + re.escape(key))
        found = [name for folded, name in self._folded.items() if pattern.search(folded)]
        if QUALIFICATION not in key:
            finals = [name for name in found if QUALIFICATION not in _key(name)]
            found = finals or found
        return tuple(sorted(found))

    def _short_name(self, key: str) -> str | None:
        base, qualifying = key, False
        if key.endswith(" " + QUALIFICATION):
            base, qualifying = key.removesuffix(" " + QUALIFICATION), True
        target = SHORT_NAMES.get(base)
        if target is None:
            return None
        if qualifying:
            target = f"{target} {QUALIFICATION}"
        return self._folded.get(_key(target))

    def suggest(self, text: str, n: int = 3) -> list[str]:
        """The stored competitions closest to ``text`` (for an answer that found none)."""
        known = {short: self._folded.get(_key(name)) for short, name in SHORT_NAMES.items()}
        known = {key: name for key, name in known.items() if name is not None} | self._folded
        close = difflib.get_close_matches(_key(text), list(known), n=3 * n, cutoff=0.6)
        return list(dict.fromkeys(known[c] for c in close))[:n]
