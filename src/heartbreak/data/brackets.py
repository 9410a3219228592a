"""The knockout rounds of the major tournaments, found from the results alone.

The international results carry no stage: a Euro quarter-final won in 90 minutes looks like a
group match. The World Cup database gives the World Cup's stages; for the other major
tournaments (:data:`MAJOR_TOURNAMENTS`), this module finds each edition's knockout stage from the
shape of its matches. An edition is a run of a competition's matches with no gap longer than
:data:`EDITION_GAP_DAYS`; its knockout stage is the longest run of its last matches that forms a
single-elimination bracket:

- every match has a winner (the score, else the shootout); a level match is replayed (the same
  two teams meet again) or decided by lot (the winner is the team that plays on);
- a team that loses plays no more, except in the third-place match (on one of the last two days,
  between two teams that do not play again: two losing semi-finalists, or two runners-up of the
  groups as at the 1980 Euro); at the end one team, the champion, has never lost;
- a team's first match of the bracket is not a group match: the two teams have not met before
  and have no opponent in common from the earlier rounds, or they have met before as often as
  any two teams of the edition had (a play-off after a league, or a rematch of group opponents);
  and in an edition where every team met every other, only a play-off can be a knockout;
- a two-legged tie (two meetings in a row, the venues swapped) counts as one tie, won on
  aggregate or by the team that plays on; neither leg had to produce a winner, so neither is a
  knockout match.

Tournaments played as a league (most Copa Américas before 1975, the CONCACAF Championships)
have no bracket; their play-offs do. Tested against the known format of every edition of the
Euro and the totals of the others (tests/unit/data/test_brackets.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

WORLD_CUP = "FIFA World Cup"

#: The competitions whose knockout rounds count as major: the World Cup (stages from the World
#: Cup database), the continental championships and the Confederations Cup. Their qualifiers,
#: the Nations Leagues, regional cups and friendlies are not among them.
MAJOR_TOURNAMENTS: tuple[str, ...] = (
    WORLD_CUP,
    "UEFA Euro",
    "Copa América",
    "African Cup of Nations",
    "AFC Asian Cup",
    "Gold Cup",
    "CONCACAF Championship",
    "Oceania Nations Cup",
    "Confederations Cup",
)

#: Matches of a competition further apart than this belong to different editions.
EDITION_GAP_DAYS = 90

#: A bracket's rounds by how many more matches their winners played: the final, then back.
ROUNDS = ("final", "semi-finals", "quarter-finals", "round of 16", "round of 32")


@dataclass(frozen=True)
class _Unit:
    """One match, or the two legs of a tie, between ``a`` and ``b``."""

    rows: tuple[int, ...]
    a: str
    b: str
    date: object
    winner: str | None
    leg: bool

    def has(self, team: str) -> bool:
        return team in (self.a, self.b)

    @property
    def pair(self) -> frozenset[str]:
        return frozenset((self.a, self.b))


def _winner(row) -> str | None:
    if row.home_score > row.away_score:
        return row.home
    if row.away_score > row.home_score:
        return row.away
    return row.shootout_winner if isinstance(row.shootout_winner, str) else None


def _units(rows: list) -> list[_Unit]:
    """The edition's matches as units, pairing the legs of two-legged ties."""
    used: set[int] = set()
    units: list[_Unit] = []
    for i, r in enumerate(rows):
        if i in used:
            continue
        j = _second_leg(rows, i, used)
        if j is None:
            units.append(_Unit((i,), r.home, r.away, r.date, _winner(r), leg=False))
            continue
        used.add(j)
        second = rows[j]
        replayed = any({x.home, x.away} == {r.home, r.away} for x in rows[j + 1 :])
        goals = Counter({r.home: 0, r.away: 0})
        for leg in (r, second):
            goals[leg.home] += leg.home_score
            goals[leg.away] += leg.away_score
        winner = None
        if not replayed:
            if goals[r.home] != goals[r.away]:
                winner = r.home if goals[r.home] > goals[r.away] else r.away
            elif isinstance(second.shootout_winner, str):
                winner = second.shootout_winner
        units.append(_Unit((i, j), r.home, r.away, r.date, winner, leg=True))
    return units


def _second_leg(rows: list, i: int, used: set[int]) -> int | None:
    """The index of the return leg of match ``i``: both teams' next match, the venues swapped."""
    r = rows[i]
    if bool(r.neutral):
        return None
    nxt = {}
    for team in (r.home, r.away):
        nxt[team] = next(
            (k for k in range(i + 1, len(rows)) if team in (rows[k].home, rows[k].away)), None
        )
    j = nxt[r.home]
    if j is None or j != nxt[r.away] or j in used:
        return None
    s = rows[j]
    if bool(s.neutral) or (s.home, s.away) != (r.away, r.home):
        return None
    return j


class _Edition:
    """One edition's matches and the facts about its earlier rounds that the bracket needs."""

    def __init__(self, frame: pd.DataFrame):
        self.rows = list(frame.itertuples(index=False))
        self.units = _units(self.rows)
        teams = set(frame["home"]) | set(frame["away"])
        pairs = {frozenset((r.home, r.away)) for r in self.rows}
        self.n_pairs = len(teams) * (len(teams) - 1) // 2
        self.round_robin = len(teams) >= 2 and len(pairs) == self.n_pairs
        # Every match at one side's home, with more than two hosts: a home-and-away league.
        hosts = {r.home for r in self.rows if not bool(r.neutral)}
        self.home_and_away = not any(bool(r.neutral) for r in self.rows) and len(hosts) > 2

    def stages(self) -> dict[int, str]:
        """The stage of each match of the edition's knockout stage, by row position."""
        if self.home_and_away:
            return {}
        starts = [
            k
            for k in range(len(self.units))
            if k == 0 or self.units[k].date != self.units[k - 1].date
        ]
        for k in starts:
            found = self._bracket(k)
            if found:
                return found
        return {}

    def _bracket(self, k: int) -> dict[int, str] | None:
        """The stages of the knockout matches if units k.. form a bracket (module docstring)."""
        tail = self.units[k:]
        prefix = self.rows[: min(tail[0].rows)]
        met = Counter(frozenset((r.home, r.away)) for r in prefix)
        most = max(met.values(), default=0)
        after_league = len(met) == self.n_pairs
        last_two = sorted({u.date for u in tail})[-2:]

        def entry(u: _Unit) -> str | None:
            """How a team's first bracket match may pair them: "new" (never met, nobody in
            common), "playoff" (after a league), "rematch" (group opponents), or None."""
            if met[u.pair]:
                if met[u.pair] < most:
                    return None
                return "playoff" if after_league else "rematch"
            if self.round_robin:
                return None
            before = self.rows[: min(u.rows)]
            common = _opponents(before, u.a) & _opponents(before, u.b)
            return None if common else "new"

        def walk(i: int, lost: frozenset, seen: frozenset, third, kinds: Counter):
            """How units i.. were decided, [(unit, role, winner)], or None if no bracket."""
            if i == len(tail):
                alive = {t for u in tail for t in (u.a, u.b)} - lost
                if third is not None:
                    alive -= third
                if len(alive) != 1 or kinds["rematch"] > kinds["new"]:
                    return None
                return []
            u = tail[i]
            later = tail[i + 1 :]
            plays_on = any(x.has(u.a) or x.has(u.b) for x in later)
            fresh = u.a not in seen or u.b not in seen
            how = entry(u) if fresh else "seen"
            if how is None:
                return None
            kinds = kinds + Counter({how: 1})
            both_new = u.a not in seen and u.b not in seen
            seen = seen | u.pair
            # the third-place match: two losing semi-finalists, or two group runners-up
            if (
                third is None
                and not u.leg
                and not plays_on
                and ((u.a in lost and u.b in lost) or (u.date in last_two and both_new))
            ):
                rest = walk(i + 1, lost, seen, u.pair, kinds)
                if rest is not None:
                    return [(u, "third", u.winner), *rest]
            if u.a in lost or u.b in lost:
                return None
            role = "play-off" if how == "playoff" else "match"
            if u.winner is None and any(x.pair == u.pair for x in later):
                rest = walk(i + 1, lost, seen, third, kinds)
                return None if rest is None else [(u, "replayed", None), *rest]
            for w in [u.winner] if u.winner else [u.a, u.b]:  # else by lot, or away goals
                rest = walk(i + 1, lost | {u.b if w == u.a else u.a}, seen, third, kinds)
                if rest is not None:
                    return [(u, role, w), *rest]
            return None

        decisions = walk(0, frozenset(), frozenset(), None, Counter())
        if decisions is None:
            return None
        # Rounds back from the final: a match is one round before its winner's next match; a
        # replayed match is in the round of its replay.
        depth: dict[int, int] = {}
        for n in range(len(decisions) - 1, -1, -1):
            u, role, winner = decisions[n]
            later = range(n + 1, len(decisions))
            if role == "replayed":
                depth[n] = depth[next(j for j in later if decisions[j][0].pair == u.pair)]
            elif role == "match":
                nxt = next(
                    (
                        j
                        for j in later
                        if decisions[j][1] == "match" and decisions[j][0].has(winner)
                    ),
                    None,
                )
                depth[n] = 0 if nxt is None else depth[nxt] + 1
        stages: dict[int, str] = {}
        for n, (u, role, winner) in enumerate(decisions):
            if u.leg or (role == "third" and winner is None):
                continue
            if role in ("third", "play-off"):
                stage = "third-place match" if role == "third" else "play-off"
            else:
                stage = ROUNDS[min(depth[n], len(ROUNDS) - 1)]
            stages.update({row: stage for row in u.rows})
        return stages


def _opponents(rows: list, team: str) -> set[str]:
    return {r.away for r in rows if r.home == team} | {r.home for r in rows if r.away == team}


def bracket_stages(matches: pd.DataFrame, competitions: Sequence[str] | None = None) -> np.ndarray:
    """The knockout stage of each match ("final", "semi-finals", ..., "third-place match",
    "play-off"), None for a match outside its edition's knockout stage, as an object array in
    the order of ``matches`` (columns: match_id, date, home, away, home_score, away_score,
    competition, neutral, shootout_winner). Only ``competitions`` (default: the major tournaments
    other than the World Cup, whose stages come from its own database) are looked at."""
    wanted = set(competitions if competitions is not None else MAJOR_TOURNAMENTS[1:])
    out = np.full(len(matches), None, dtype=object)
    frame = matches.reset_index(drop=True)
    frame = frame.assign(_pos=np.arange(len(frame)), _day=pd.to_datetime(frame["date"]))
    frame = frame[frame["competition"].isin(wanted)]
    for _, comp in frame.groupby("competition", sort=False):
        comp = comp.sort_values(["_day", "match_id"], kind="stable")
        edition = (comp["_day"].diff().dt.days.fillna(0) > EDITION_GAP_DAYS).cumsum()
        for _, ed in comp.groupby(edition.to_numpy(), sort=False):
            ed = ed.reset_index(drop=True)
            cols = ed[["home", "away", "home_score", "away_score", "neutral"]].assign(
                date=ed["_day"], shootout_winner=ed["shootout_winner"]
            )
            positions = ed["_pos"].to_numpy()
            for row, stage in _Edition(cols).stages().items():
                out[positions[row]] = stage
    return out
