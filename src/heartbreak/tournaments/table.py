"""Group tables as of any moment, with each edition's tie-breaks; who goes through.

:func:`group_table` ranks one group from its fixtures' results (or results given instead: a
simulated or a live state), counting the matches finished by ``as_of``; each row says which
criterion separated the team from the one ranked just below it (``decided_by``).
:func:`qualifiers` applies a stage's :class:`~heartbreak.tournaments.rules.Advance` across its
groups (best third-placed teams included). :func:`rank_simulations` ranks many simulated result
sets of one group at once (numpy), with the same tie-breaks.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from fractions import Fraction

import numpy as np

from heartbreak.tournaments.rules import Criterion, Rules
from heartbreak.tournaments.structure import Fixture, Group, Stage

C = Criterion

#: A result: (home goals, away goals).
Score = tuple[int, int]


@dataclass(frozen=True)
class Row:
    """One line of a group table. ``fair_play`` is None when the data hold no cards;
    ``decided_by`` names the criterion that put the team above the next one (None for the
    last team)."""

    position: int
    team: str
    played: int
    won: int
    drawn: int
    lost: int
    goals_for: int
    goals_against: int
    points: int
    fair_play: int | None
    decided_by: str | None

    @property
    def goal_difference(self) -> int:
        return self.goals_for - self.goals_against

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class _Tally:
    played: int = 0
    won: int = 0
    drawn: int = 0
    lost: int = 0
    goals_for: int = 0
    goals_against: int = 0
    points: int = 0
    fair_play: int = 0


def _played(
    fixtures: Sequence[Fixture],
    results: Mapping[int, Score] | None,
    as_of: dt.date | dt.datetime | None,
) -> list[tuple[Fixture, Score]]:
    out = []
    for f in fixtures:
        if results is not None and f.match_id in results:
            home, away = results[f.match_id]
            out.append((f, (int(home), int(away))))
        elif f.played and f.finished_by(as_of):
            out.append((f, (int(f.home_score), int(f.away_score))))
    return out


def _tally(
    teams: Sequence[str], played: Sequence[tuple[Fixture, Score]], rules: Rules
) -> dict[str, _Tally]:
    table = {t: _Tally() for t in teams}
    for f, (hg, ag) in played:
        if f.home not in table or f.away not in table:
            continue
        for team, gf, ga, fp in (
            (f.home, hg, ag, f.fair_play_home),
            (f.away, ag, hg, f.fair_play_away),
        ):
            t = table[team]
            t.played += 1
            t.goals_for += gf
            t.goals_against += ga
            t.fair_play += fp
            if gf > ga:
                t.won += 1
                t.points += rules.points_win
            elif gf == ga:
                t.drawn += 1
                t.points += rules.points_draw
            else:
                t.lost += 1
    return table


def _goal_average(t: _Tally) -> Fraction | float:
    # A team that conceded nothing has an infinite average (FIFA ranked it first).
    if t.goals_against == 0:
        return float("inf") if t.goals_for else Fraction(0)
    return Fraction(t.goals_for, t.goals_against)


class _Ranker:
    """The tie-break of one group's table (module docstring of
    :mod:`heartbreak.tournaments.rules`)."""

    def __init__(
        self,
        teams: Sequence[str],
        played: Sequence[tuple[Fixture, Score]],
        rules: Rules,
        *,
        lots: Sequence[Sequence[str]] = (),
        cards: bool = True,
        play_offs: Sequence[Fixture] = (),
        rng: random.Random | None = None,
    ):
        self.rules = rules
        self.played = played
        self.table = _tally(teams, played, rules)
        self.lots = [tuple(order) for order in lots]
        self.cards = cards
        self.play_offs = [f for f in play_offs if f.winner is not None or f.played]
        self.rng = rng
        self.criteria = [c for c in rules.criteria if c != C.FAIR_PLAY or cards]
        self.boundary: dict[str, str] = {}

    def _h2h(self, concerned: Sequence[str]) -> dict[str, _Tally]:
        among = set(concerned)
        return _tally(
            list(concerned),
            [(f, s) for f, s in self.played if f.home in among and f.away in among],
            self.rules,
        )

    def _value(self, c: Criterion, team: str, concerned: Sequence[str], mini: dict | None):
        t = self.table[team]
        if c is C.POINTS:
            return t.points
        if c is C.GOAL_DIFFERENCE:
            return t.goals_for - t.goals_against
        if c is C.GOAL_AVERAGE:
            return _goal_average(t)
        if c is C.GOALS_SCORED:
            return t.goals_for
        if c is C.FAIR_PLAY:
            return t.fair_play
        assert mini is not None
        m = mini[team]
        if c is C.H2H_POINTS:
            return m.points
        if c is C.H2H_GOAL_DIFFERENCE:
            return m.goals_for - m.goals_against
        return m.goals_for

    def rank(self) -> list[str]:
        teams = list(self.table)
        teams.sort()
        return self._separate(teams, [C.POINTS, *self.criteria], 0, None)

    def _split(self, teams, values) -> list[list[str]]:
        order = sorted(set(values.values()), reverse=True)
        return [[t for t in teams if values[t] == v] for v in order]

    def _separate(
        self, teams: list[str], criteria: list[Criterion], i: int, concerned: list[str] | None
    ) -> list[str]:
        if len(teams) == 1:
            return teams
        if i == len(criteria):
            return self._draw(teams, final=True)
        c = criteria[i]
        if c is C.LOTS:
            drawn = self._recorded_lots(teams)
            if drawn is not None:
                return drawn
            if i == len(criteria) - 1:
                return self._draw(teams, final=True)
            return self._separate(teams, criteria, i + 1, concerned)
        if c is C.PLAY_OFF:
            winner = self._play_off(teams)
            if winner is None:
                return self._separate(teams, criteria, i + 1, concerned)
            loser = next(t for t in teams if t != winner)
            self.boundary[winner] = c.value
            return [winner, loser]
        if c.head_to_head:
            if concerned is None or self.rules.reapply:
                concerned = teams
            mini = self._h2h(concerned)
        else:
            concerned, mini = None, None
        values = {t: self._value(c, t, concerned or teams, mini) for t in teams}
        parts = self._split(teams, values)
        if len(parts) == 1:
            return self._separate(teams, criteria, i + 1, concerned)
        out: list[str] = []
        for n, part in enumerate(parts):
            if len(part) > 1 and c.head_to_head and self.rules.reapply:
                # Re-apply head-to-head to the teams still level (UEFA, CAF, AFC).
                first = next(k for k, x in enumerate(criteria) if x.head_to_head)
                ranked = self._separate(part, criteria, first, None)
            else:
                ranked = self._separate(part, criteria, i + 1, concerned)
            out.extend(ranked)
            if n < len(parts) - 1:
                self.boundary[ranked[-1]] = c.value
        return out

    def _play_off(self, teams: list[str]) -> str | None:
        if len(teams) != 2:
            return None
        for f in self.play_offs:
            if set(f.teams) == set(teams):
                if f.winner:
                    return f.winner
                if f.home_score != f.away_score:
                    return f.home if f.home_score > f.away_score else f.away
        return None

    def _recorded_lots(self, teams: list[str]) -> list[str] | None:
        for order in self.lots:
            if set(order) == set(teams):
                for a in order[:-1]:
                    self.boundary[a] = C.LOTS.value
                return list(order)
        return None

    def _draw(self, teams: list[str], final: bool) -> list[str]:
        drawn = self._recorded_lots(teams)
        if drawn is not None:
            return drawn
        out = list(teams)
        if self.rng is not None:
            self.rng.shuffle(out)
        for a in out[:-1]:
            self.boundary[a] = C.LOTS.value
        return out


def group_table(
    group: Group,
    results: Mapping[int, Score] | None = None,
    rules: Rules | None = None,
    as_of: dt.date | dt.datetime | None = None,
    rng: random.Random | None = None,
) -> list[Row]:
    """The table of ``group`` with the results of the fixtures finished by ``as_of`` (all when
    None), or of ``results`` ({match_id: (home goals, away goals)}, which take the place of the
    fixtures' own scores for the fixtures they name: a simulated or a live state). Ranked with
    ``rules`` (default: the group's). A tie that only lots can break is ordered by the recorded
    draw, else at random with ``rng``, else by name, and says ``lots``."""
    rules = rules or group.rules
    played = _played(group.matches, results, as_of)
    play_offs = [f for f, _ in _played(group.fixtures, results, as_of) if f.play_off]
    ranker = _Ranker(
        group.teams,
        played,
        rules,
        lots=group.lots,
        cards=group.cards,
        play_offs=play_offs,
        rng=rng,
    )
    order = ranker.rank()
    rows = []
    for n, team in enumerate(order):
        t = ranker.table[team]
        rows.append(
            Row(
                position=n + 1,
                team=team,
                played=t.played,
                won=t.won,
                drawn=t.drawn,
                lost=t.lost,
                goals_for=t.goals_for,
                goals_against=t.goals_against,
                points=t.points,
                fair_play=t.fair_play if group.cards else None,
                decided_by=ranker.boundary.get(team) if n < len(order) - 1 else None,
            )
        )
    return rows


def rank_across(rows: list[Row], rules: Rules, rng: random.Random | None) -> list[Row]:
    """Rows of different groups ranked on ``rules.across_groups``."""
    keys = []
    for r in rows:
        key = []
        for c in rules.across_groups:
            if c is C.POINTS:
                key.append(r.points)
            elif c is C.GOAL_DIFFERENCE:
                key.append(r.goal_difference)
            elif c is C.GOALS_SCORED:
                key.append(r.goals_for)
            elif c is C.FAIR_PLAY:
                key.append(r.fair_play or 0)
        keys.append(tuple(key))
    jitter = [rng.random() if rng else 0.0 for _ in rows]
    order = sorted(range(len(rows)), key=lambda i: (keys[i], jitter[i]), reverse=True)
    return [rows[i] for i in order]


def stage_tables(
    stage: Stage,
    results: Mapping[int, Score] | None = None,
    as_of: dt.date | dt.datetime | None = None,
    rng: random.Random | None = None,
) -> dict[str, list[Row]]:
    """The table of every group of ``stage``, by group name."""
    return {g.name: group_table(g, results, None, as_of, rng) for g in stage.groups}


def qualifiers(
    stage: Stage,
    results: Mapping[int, Score] | None = None,
    as_of: dt.date | dt.datetime | None = None,
    rng: random.Random | None = None,
) -> list[str]:
    """The teams that go through from ``stage``'s groups: the top ``per_group`` of each group,
    then the best ``best_of`` of those placed ``best_position`` (ranked across the groups)."""
    rules = stage.rules
    if rules is None:
        return []
    tables = stage_tables(stage, results, as_of, rng)
    advance = rules.advance
    through = [r.team for rows in tables.values() for r in rows[: advance.per_group]]
    if advance.best_of:
        placed = [
            rows[advance.best_position - 1]
            for rows in tables.values()
            if len(rows) >= advance.best_position
        ]
        through += [r.team for r in rank_across(placed, rules, rng)[: advance.best_of]]
    return through


# --------------------------------------------------------------------------- many at once


def _refine(classes: np.ndarray, value: np.ndarray) -> np.ndarray:
    """(S, T) tie classes refined by ``value``: a team's class is the number of teams ranked
    above it, first by their class (lower is better), then, within a class, by ``value``
    (higher is better); teams level on both share it. The classes are the positions so far,
    ties sharing the best of theirs."""
    if np.issubdtype(value.dtype, np.integer) and np.abs(value).max(initial=0) < 2048:
        # One integer key per team, smaller ranks higher: a single comparison of every pair.
        key = classes.astype(np.int32) * 4096 + (2047 - value.astype(np.int32))
        return (key[:, None, :] < key[:, :, None]).sum(axis=2, dtype=np.int8)
    c, cj = classes[:, :, None], classes[:, None, :]
    v, vj = value[:, :, None], value[:, None, :]
    return ((cj < c) | ((cj == c) & (vj > v))).sum(axis=2, dtype=np.int8)


# A class is the number of teams ranked strictly above (:func:`_refine`), so the classes of a
# simulation sum to at most T(T-1)/2, reached only when no two teams are level (the classes are
# then 0..T-1), and a refinement that splits a class raises the count of every team it puts
# lower: sums answer both questions without sorting.


def _split_rows(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """(S,) whether a refinement separated two teams of each simulation."""
    return after.sum(axis=1, dtype=np.int32) > before.sum(axis=1, dtype=np.int32)


def _tied(classes: np.ndarray) -> np.ndarray:
    """(S,) whether two teams of each simulation still share a class."""
    n = classes.shape[1]
    return classes.sum(axis=1, dtype=np.int32) < n * (n - 1) // 2


def rank_simulations(
    group: Group,
    home_goals: np.ndarray,
    away_goals: np.ndarray,
    rules: Rules | None = None,
    rng: np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rank ``S`` simulated result sets of one group at once.

    ``home_goals`` and ``away_goals``: (S, M) int arrays, the goals of ``group.matches`` (in that
    order) in each simulation. Returns ``positions`` (S, T): the 0-based position of each team
    of ``group.teams``, and the (S, T) ``points``, ``goal difference`` and ``goals scored``.

    The ties are those of :func:`tie_classes`; fair play, play-offs and lots are not simulated:
    a tie that reaches them is broken at random with ``rng``."""
    rng = rng if rng is not None else np.random.default_rng()
    classes, points, gd, gf = tie_classes(group, home_goals, away_goals, rules)
    return break_at_random(classes, rng), points, gd, gf


def break_at_random(classes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(S, T) 0-based positions: the teams still level in ``classes`` in a random order."""
    n_teams = classes.shape[1]
    # A class is the best position its teams share: each team is placed after the teams of its
    # class that drew a smaller number.
    positions = classes.astype(np.int64)
    level = np.flatnonzero(_tied(classes))
    if len(level):
        noise = rng.random((len(level), n_teams))
        first = np.arange(n_teams)[None, None, :] < np.arange(n_teams)[None, :, None]
        drew_less = (noise[:, None, :] < noise[:, :, None]) | (
            (noise[:, None, :] == noise[:, :, None]) & first
        )
        same = classes[level][:, None, :] == classes[level][:, :, None]
        positions[level] += (same & drew_less).sum(axis=2)
    return positions


def still_level(classes: np.ndarray) -> np.ndarray:
    """(S,) whether two teams of each simulation still share a class."""
    return _tied(classes)


def refine_classes(classes: np.ndarray, value: np.ndarray) -> np.ndarray:
    """(S, T) tie classes refined by one more criterion (higher ``value`` ranks higher), e.g.
    fair-play points (≤ 0) broadcast to every simulation."""
    value = np.broadcast_to(np.asarray(value), classes.shape)
    return _refine(classes, value.astype(np.int64))


def position_shares(classes: np.ndarray, teams: Sequence[int]) -> Callable[[int], np.ndarray]:
    """A function of ``position``: the (S, len(teams)) chance of each of ``teams`` (indices)
    finishing in the top ``position`` places when the teams still level are ordered at
    random (the places of its class above the cut, shared)."""
    mine = classes[:, list(teams)].astype(np.int64)
    size = (classes[:, None, :] == mine[:, :, None]).sum(axis=2)

    def share(position: int) -> np.ndarray:
        return np.clip((position - mine) / size, 0.0, 1.0)

    return share


def tie_classes(
    group: Group,
    home_goals: np.ndarray,
    away_goals: np.ndarray,
    rules: Rules | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The tie classes of ``S`` simulated result sets of one group, before fair play: (S, T)
    ``classes`` (a team's class is the best position it shares with the teams still level
    with it), and the (S, T) ``points``, ``goal difference`` and ``goals scored``; arguments
    as :func:`rank_simulations`.

    Every criterion is applied to all simulations at once, as :func:`group_table` applies it:
    overall points, goal difference, goals scored and goal average; a head-to-head criterion
    on the mini-table of the teams level when its block began (or, where the rules re-apply
    it, of the teams still level, the block starting again whenever it separates some). The
    criteria stop at the first of fair play, a play-off or lots."""
    rules = rules or group.rules
    matches = group.matches
    teams = list(group.teams)
    index = {t: k for k, t in enumerate(teams)}
    hg = np.asarray(home_goals, dtype=np.int64)
    ag = np.asarray(away_goals, dtype=np.int64)
    sims, n_teams = hg.shape[0], len(teams)
    h_idx = np.array([index[f.home] for f in matches], dtype=np.int64)
    a_idx = np.array([index[f.away] for f in matches], dtype=np.int64)
    win, draw = rules.points_win, rules.points_draw
    result = np.sign(hg - ag) + 1  # 0: away win, 1: draw, 2: home win
    pts_h = np.array([0, draw, win])[result]
    pts_a = np.array([win, draw, 0])[result]

    # The tallies gather each team's columns of [home points, away points, home goals, away
    # goals] of every match (S, 4M) and sum them: a team's points are its home points in its
    # home matches and its away points in its away matches, and so for goals for and against
    # (a column of zeros pads a team with fewer matches). Gathers, not a matrix product: no
    # BLAS threads, which a forked worker would oversubscribe.
    n_matches = len(matches)
    by_match = np.concatenate(
        [pts_h, pts_a, hg, ag, np.zeros((sims, 1), dtype=np.int64)], axis=1
    ).astype(np.int16)
    pad = 4 * n_matches
    played_by = [
        [(m, True) for m in range(n_matches) if h_idx[m] == t]
        + [(m, False) for m in range(n_matches) if a_idx[m] == t]
        for t in range(n_teams)
    ]
    width = max((len(p) for p in played_by), default=0)

    def columns(pick) -> np.ndarray:
        out = np.full((n_teams, max(width, 1)), pad, dtype=np.int64)
        for t, games in enumerate(played_by):
            for g, (m, home) in enumerate(games):
                out[t, g] = pick(m, home)
        return out

    point_cols = columns(lambda m, home: m if home else n_matches + m)
    for_cols = columns(lambda m, home: 2 * n_matches + m if home else 3 * n_matches + m)
    against_cols = columns(lambda m, home: 3 * n_matches + m if home else 2 * n_matches + m)
    # Each team's column of a match, for the mini-tables: which match each gathered column is.
    match_of = columns(lambda m, home: m)

    def tally(
        rows: np.ndarray | slice, among: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Points, goals for and against of each team in the simulations ``rows``, over all
        matches or (``among``: those rows' tie classes) over the matches between teams of one
        class."""
        values = by_match[rows]
        keep = None
        if among is not None:
            same = among[:, h_idx] == among[:, a_idx]  # (S, M): a match inside a class
            same = np.concatenate([same, np.zeros((len(same), 1), dtype=bool)], axis=1)
            keep = same[:, np.where(match_of == pad, n_matches, match_of)]
        out = []
        for cols in (point_cols, for_cols, against_cols):
            gathered = values[:, cols]  # (S, T, games)
            if keep is not None:
                gathered = gathered * keep
            out.append(gathered.sum(axis=2, dtype=np.int16))
        return out[0], out[1], out[2]

    points, gf, ga = tally(slice(None), None)
    gd = gf - ga

    def overall(c: Criterion) -> np.ndarray:
        if c is C.GOAL_DIFFERENCE:
            return gd
        if c is C.GOALS_SCORED:
            return gf
        # Goal average; a team that conceded nothing has an infinite one (as _goal_average).
        return np.where(ga == 0, np.where(gf > 0, np.inf, 0.0), gf / np.maximum(ga, 1))

    def head_to_head(rows: np.ndarray, among: np.ndarray) -> dict[Criterion, np.ndarray]:
        """The mini-table criteria of the simulations ``rows`` among their tie classes."""
        p, f, a = tally(rows, among)
        return {C.H2H_POINTS: p, C.H2H_GOAL_DIFFERENCE: f - a, C.H2H_GOALS_SCORED: f}

    classes = _refine(np.zeros((sims, n_teams), dtype=np.int8), points)
    criteria = list(rules.criteria)
    i = 0
    while i < len(criteria) and criteria[i] not in (C.FAIR_PLAY, C.PLAY_OFF, C.LOTS):
        if not criteria[i].head_to_head:
            # Only the simulations with teams still level can be changed by a criterion.
            level = np.flatnonzero(_tied(classes))
            classes[level] = _refine(classes[level], overall(criteria[i])[level])
            i += 1
            continue
        j = i
        while j < len(criteria) and criteria[j].head_to_head:
            j += 1
        block = criteria[i:j]
        # Only the simulations with teams still level need the mini-tables.
        rows = np.flatnonzero(_tied(classes))
        sub = classes[rows]
        if not rules.reapply:
            values = head_to_head(rows, sub)  # the teams level when the block began
            for c in block:
                sub = _refine(sub, values[c])
        else:
            # Re-applied: a simulation in which a criterion of the block separates some teams
            # starts the block again among the teams still level (with their own mini-table).
            live = np.arange(len(rows))
            while len(live):
                values = head_to_head(rows[live], sub[live])
                current = sub[live]
                again = np.zeros(len(live), dtype=bool)
                for c in block:
                    refined = _refine(current, values[c])
                    split = _split_rows(current, refined) & ~again
                    current = np.where(again[:, None], current, refined)
                    again |= split
                sub[live] = current
                live = live[again & _tied(current)]
        classes[rows] = sub
        i = j
    return classes, points, gd, gf
