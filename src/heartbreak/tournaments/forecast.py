"""A tournament forecast: every team's chance of each group position, of going through, of
reaching each knockout round and of winning, by a seeded, vectorised Monte Carlo of the matches
not yet played as of a moment.

The matches finished by ``as_of`` keep their results; every other match is drawn from its
pre-match score grid (the model's joint distribution of the score, Dixon–Coles low-score
correction included: :class:`heartbreak.model.grid.ScoreGrid`), ``simulations`` times at once.
Each group is ranked with its edition's tie-breaks (:func:`~heartbreak.tournaments.table.
rank_simulations`), the best-placed teams across groups by the stage's ``across_groups``
criteria; a knockout tie is won with the model's chance to advance (extra time and a shootout
included: :meth:`heartbreak.model.inplay.InPlayModel.evaluate` at kick-off), drawn per
simulation.

The bracket is the edition's own, read from its knockout fixtures: which group positions met
in the first knockout round (group winner A v runner-up B, …) and which earlier ties fed each
later one. A third-placed team's slot depends on the combination of groups the best thirds come
from (a table in the regulations, e.g. UEFA Euro 2016 annex); the forecast fills the thirds'
slots with the simulated best thirds in the order of the actual edition's best thirds, which
is exact for the combination that happened and an approximation for the others. Editions with
a second group stage (1950, 1974–1982 World Cups) are forecast up to the end of their first
group stage; later rounds are given only once their teams are known (``as_of`` after it).

The chances of the model are those of pre-match ratings as of ``as_of`` (only matches before it
count), so a forecast made at a date uses nothing that happened later.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from heartbreak.errors import InvalidInput
from heartbreak.model.inplay import InPlayModel, kickoff_states
from heartbreak.tournaments.structure import Edition, Fixture, Group, Stage
from heartbreak.tournaments.table import Row, group_table, rank_across, rank_simulations

#: The most simulations one forecast may ask for (memory: about 100 bytes per match and run).
MAX_SIMULATIONS = 1_000_000

#: ``score_grids(home, away, neutral)``: the (n, G, G) probabilities of each score of n matches.
ScoreGrids = Callable[[Sequence[str], Sequence[str], Sequence[bool]], np.ndarray]
#: ``advance(home, away, neutral)``: each home side's chance to win n knockout ties.
AdvanceChances = Callable[[Sequence[str], Sequence[str], Sequence[bool]], np.ndarray]


@dataclass(frozen=True)
class Strengths:
    """What the forecast needs of the model, for any pairs of teams: the score grid of a match
    and the chance to win a knockout tie; ``hosts``: the teams that play at home."""

    score_grids: ScoreGrids
    advance: AdvanceChances
    hosts: frozenset[str] = frozenset()

    def neutral(self, home: str, away: str) -> bool:
        return home not in self.hosts and away not in self.hosts


#: ``rates(home, away, neutral)``: the pre-match expected goals (λ_home, λ_away) of n matches.
GoalRates = Callable[[Sequence[str], Sequence[str], Sequence[bool]], tuple[np.ndarray, np.ndarray]]


def model_strengths(
    rates: GoalRates,
    rho: float,
    inplay: InPlayModel,
    hosts: frozenset[str] = frozenset(),
) -> Strengths:
    """The model's :class:`Strengths` from the goal model's ``rates`` of any pairs of the
    edition's teams as of a day: score grids (with the Dixon–Coles ``rho``), knockout chances
    of the in-play model at kick-off (extra time and a shootout included)."""
    from heartbreak.model.grid import ScoreGrid

    def score_grids(home, away, neutral):
        lam_h, lam_a = rates(home, away, np.asarray(neutral, bool))
        return ScoreGrid.from_rates(lam_h, lam_a, rho=rho).remaining

    def advance(home, away, neutral):
        lam_h, lam_a = rates(home, away, np.asarray(neutral, bool))
        states = kickoff_states(np.ones(len(lam_h), dtype=bool))
        return inplay.evaluate(lam_h, lam_a, states, with_suspense=False).p_home_advance

    return Strengths(score_grids, advance, hosts)


@dataclass(frozen=True)
class TournamentForecast:
    """A forecast of one edition as of a moment (see the module docstring).

    ``tables``: each group's table as of ``as_of`` (group name → rows); ``p_position``: (team →
    {position: chance}) within its group; ``p_advance``: of going through from the first group
    stage; ``p_round``: of playing in each knockout round (round name → team → chance);
    ``p_champion``: of winning the tournament (None where the format cannot be forecast that
    far from ``as_of``)."""

    edition: Edition
    as_of: dt.date
    simulations: int
    seed: int
    tables: dict[str, list[Row]]
    groups_of: dict[str, str]
    p_position: dict[str, dict[int, float]]
    p_advance: dict[str, float]
    p_round: dict[str, dict[str, float]]
    p_champion: dict[str, float] | None
    rounds: tuple[str, ...] = field(default=())

    @property
    def teams(self) -> tuple[str, ...]:
        return self.edition.teams

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``heartbreak tournament`` and ``GET /api/tournaments/...``."""
        e = self.edition
        forecast = []
        for team in sorted(self.teams, key=self._order):
            forecast.append(
                {
                    "team": team,
                    "group": self.groups_of.get(team),
                    "p_position": {str(k): v for k, v in self.p_position.get(team, {}).items()},
                    "p_advance": self.p_advance.get(team),
                    "p_round": {r: self.p_round[r].get(team, 0.0) for r in self.rounds},
                    "p_champion": None if self.p_champion is None else self.p_champion[team],
                }
            )
        return {
            "tournament": {
                "competition": e.competition,
                "year": e.official_year or e.year,
                "start": e.start.isoformat(),
                "end": e.end.isoformat(),
                "format": e.format,
            },
            "as_of": self.as_of.isoformat(),
            "simulations": self.simulations,
            "seed": self.seed,
            "groups": [
                {"name": name, "table": [row.to_dict() for row in rows]}
                for name, rows in self.tables.items()
            ],
            "forecast": forecast,
        }

    def _order(self, team: str) -> tuple:
        champion = self.p_champion[team] if self.p_champion is not None else 0.0
        return (-champion, -self.p_advance.get(team, 0.0), team)

    def to_frame(self) -> pd.DataFrame:
        """One row per team: group, each position's chance, p_advance, each round, champion."""
        rows = []
        for item in self.to_dict()["forecast"]:
            row = {"team": item["team"], "group": item["group"]}
            row |= {f"p_position_{k}": v for k, v in item["p_position"].items()}
            row["p_advance"] = item["p_advance"]
            row |= {f"p_{r}": v for r, v in item["p_round"].items()}
            row["p_champion"] = item["p_champion"]
            rows.append(row)
        return pd.DataFrame(rows)


# --------------------------------------------------------------------------- the bracket


@dataclass(frozen=True)
class _Slot:
    """Where a knockout side comes from: a group position (``group``, ``position``), the
    ``rank``-th best of the teams placed ``position`` across groups (``group`` None), the
    winner (or loser) of an earlier tie (``tie``), or a team drawn into the first round
    (``team``, its index in the edition's teams)."""

    group: str | None = None
    position: int | None = None
    rank: int | None = None
    tie: int | None = None
    loser: bool = False
    team: int | None = None


@dataclass(frozen=True)
class _Tie:
    fixture: Fixture
    stage: str
    home: _Slot
    away: _Slot


def _first_group_stage(edition: Edition) -> Stage | None:
    return edition.group_stages[0] if edition.group_stages else None


def _final_positions(stage: Stage) -> dict[str, tuple[str, int]]:
    """Each team's (group, position) in the final tables of ``stage``."""
    out = {}
    for g in stage.groups:
        for row in group_table(g):
            out[row.team] = (g.name, row.position)
    return out


def _bracket(edition: Edition) -> list[_Tie] | None:
    """The knockout ties after the first group stage, each side traced to its slot; None when
    a tie's side cannot be traced (a second group stage, a replay)."""
    first = _first_group_stage(edition)
    after = edition.stages[edition.stages.index(first) + 1 :] if first else edition.stages
    if any(s.groups for s in after):
        return None
    positions = _final_positions(first) if first is not None else {}
    rules = first.rules if first is not None else None
    best = rules.advance if rules is not None else None
    thirds: list[str] = []
    if rules is not None and best is not None and best.best_of:
        placed = [
            r for g in first.groups for r in group_table(g) if r.position == best.best_position
        ]
        thirds = [r.team for r in rank_across(placed, rules, None)]
    teams = list(edition.teams)
    ties: list[_Tie] = []
    won: dict[str, int] = {}  # team → index of the last tie it won
    lost: dict[str, int] = {}
    for stage in after:
        for f in sorted(stage.fixtures, key=lambda f: (f.start, f.match_id)):
            if f.play_off:
                return None
            sides = []
            for team in f.teams:
                if team in won and (stage.name != "third-place match" or team not in lost):
                    slot = _Slot(tie=won[team])
                elif team in lost:
                    slot = _Slot(tie=lost[team], loser=True)
                elif team in positions:
                    group, pos = positions[team]
                    if team in thirds:
                        slot = _Slot(position=pos, rank=thirds.index(team))
                    else:
                        slot = _Slot(group=group, position=pos)
                elif first is None and stage is after[0]:
                    slot = _Slot(team=teams.index(team))
                else:
                    return None
                sides.append(slot)
            index = len(ties)
            ties.append(_Tie(f, stage.name, sides[0], sides[1]))
            if f.winner is None:
                return None
            loser = f.away if f.winner == f.home else f.home
            if stage.name == "third-place match":
                continue
            won[f.winner] = index
            lost[loser] = index
    return ties


# --------------------------------------------------------------------------- simulation


def draw_scores(grids: np.ndarray, sims: int, rng: np.random.Generator) -> np.ndarray:
    """(sims, n, 2) scores drawn from n score grids (each (G, G), summing to 1)."""
    n, size, _ = grids.shape
    out = np.empty((sims, n, 2), dtype=np.int64)
    cumulative = np.cumsum(grids.reshape(n, size * size), axis=1)
    uniform = rng.random((n, sims))
    for m in range(n):
        # Inverse transform sampling: the first cell whose cumulative chance passes the draw.
        cells = np.searchsorted(cumulative[m], uniform[m] * cumulative[m, -1], side="right")
        out[:, m, 0], out[:, m, 1] = np.divmod(np.minimum(cells, size * size - 1), size)
    return out


def simulate_group(
    group: Group,
    as_of: dt.date,
    strengths: Strengths,
    sims: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(sims, T) 0-based positions of ``group.teams``, with their points, goal difference and
    goals scored, the matches not finished by ``as_of`` drawn."""
    matches = group.matches
    goals = np.zeros((sims, len(matches), 2), dtype=np.int64)
    todo = [m for m, f in enumerate(matches) if not (f.played and f.finished_by(as_of))]
    for m, f in enumerate(matches):
        if m not in todo:
            goals[:, m] = (f.home_score, f.away_score)
    if not todo:
        # Every result known: the table itself, with what simulations cannot draw (fair play,
        # a recorded draw of lots).
        rows = {r.team: r for r in group_table(group, as_of=as_of)}
        teams = group.teams
        fixed = [
            np.array([getattr(rows[t], name) for t in teams], dtype=np.int64)
            for name in ("position", "points", "goal_difference", "goals_for")
        ]
        fixed[0] = fixed[0] - 1
        return tuple(np.broadcast_to(x, (sims, len(teams))) for x in fixed)
    home = [matches[m].home for m in todo]
    away = [matches[m].away for m in todo]
    neutral = [strengths.neutral(h, a) for h, a in zip(home, away, strict=True)]
    grids = strengths.score_grids(home, away, neutral)
    goals[:, todo] = draw_scores(grids, sims, rng)
    return rank_simulations(group, goals[:, :, 0], goals[:, :, 1], rng=rng)


def _best_placed(
    stage: Stage,
    positions: dict[str, np.ndarray],
    stats: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]],
    rng: np.random.Generator,
) -> np.ndarray:
    """(sims, best_of) the indices (into the stage's team list) of the best teams placed
    ``best_position`` across groups, best first, by points, goal difference and goals scored
    (then at random: fair play and lots are not simulated)."""
    adv = stage.rules.advance
    sims = next(iter(positions.values())).shape[0]
    cand_team = np.empty((sims, len(stage.groups)), dtype=np.int64)
    keys = np.empty((3, sims, len(stage.groups)))
    offset = 0
    for k, g in enumerate(stage.groups):
        pos = positions[g.name]
        pts, gd, gf = stats[g.name]
        which = np.argmax(pos == adv.best_position - 1, axis=1)
        cand_team[:, k] = offset + which
        rows = np.arange(sims)
        keys[0, :, k], keys[1, :, k], keys[2, :, k] = (
            pts[rows, which],
            gd[rows, which],
            gf[rows, which],
        )
        offset += len(g.teams)
    noise = rng.random((sims, len(stage.groups)))
    order = np.lexsort([noise, -keys[2], -keys[1], -keys[0]], axis=-1)[:, : adv.best_of]
    return np.take_along_axis(cand_team, order, axis=1)


def forecast(
    edition: Edition,
    as_of: dt.date,
    strengths: Strengths,
    simulations: int = 10_000,
    seed: int = 0,
) -> TournamentForecast:
    """The forecast of ``edition`` as of the start of day ``as_of`` (the matches of earlier
    days are known); see the module docstring."""
    if not 1 <= simulations <= MAX_SIMULATIONS:
        raise InvalidInput(
            f"--sims: {simulations} is not between 1 and {MAX_SIMULATIONS:,}", field="sims"
        )
    rng = np.random.default_rng(seed)
    known = as_of - dt.timedelta(days=1)  # finished by the end of the day before
    first = _first_group_stage(edition)
    tables: dict[str, list[Row]] = {}
    groups_of: dict[str, str] = {}
    p_position: dict[str, dict[int, float]] = {}
    p_advance: dict[str, float] = {}
    teams = list(edition.teams)
    index = {t: i for i, t in enumerate(teams)}
    sims = simulations
    # alive[s, t]: team t is through to the knockout rounds in simulation s.
    through = np.zeros((sims, len(teams)), dtype=bool)
    slot_team: dict[tuple, np.ndarray] = {}
    if first is not None:
        positions: dict[str, np.ndarray] = {}
        stats = {}
        stage_teams: list[str] = []
        for g in first.groups:
            tables[g.name] = group_table(g, as_of=known)
            pos, points, gd, gf = simulate_group(g, known, strengths, sims, rng)
            positions[g.name] = pos
            stats[g.name] = (points, gd, gf)
            stage_teams += list(g.teams)
            for k, team in enumerate(g.teams):
                groups_of[team] = g.name
                counts = np.bincount(pos[:, k], minlength=len(g.teams)) / sims
                p_position[team] = {p + 1: float(c) for p, c in enumerate(counts)}
        adv = first.rules.advance if first.rules is not None else None
        if adv is not None:
            for g in first.groups:
                pos = positions[g.name]
                for k, team in enumerate(g.teams):
                    through[:, index[team]] = pos[:, k] < adv.per_group
                for p in range(len(g.teams)):
                    slot_team[(g.name, p + 1)] = np.array(
                        [index[t] for t in g.teams], dtype=np.int64
                    )[np.argmax(pos == p, axis=1)]
            if adv.best_of:
                best = _best_placed(first, positions, stats, rng)
                stage_index = np.array([index[t] for t in stage_teams], dtype=np.int64)
                for r in range(adv.best_of):
                    chosen = stage_index[best[:, r]]
                    through[np.arange(sims), chosen] = True
                    slot_team[("best", r)] = chosen
        for team in teams:
            if team in groups_of:
                p_advance[team] = float(through[:, index[team]].mean())
    ties = _bracket(edition)
    rounds: list[str] = []
    p_round: dict[str, dict[str, float]] = {}
    p_champion: dict[str, float] | None = None
    if ties is not None:
        advance = _advance_matrix(strengths, teams)
        winners: list[np.ndarray] = []
        losers: list[np.ndarray] = []
        champion = None
        for tie in ties:
            home = _slot_team(tie.home, slot_team, winners, losers, sims)
            away = _slot_team(tie.away, slot_team, winners, losers, sims)
            f = tie.fixture
            if f.finished_by(known) and f.winner is not None:
                w = np.full(sims, index[f.winner])
                played = (home == index[f.home]) & (away == index[f.away])
                # Results are known only where the simulated pair is the real one, which it
                # is once every earlier match is known.
                draw = rng.random(sims) < advance[home, away]
                sim_w = np.where(draw, home, away)
                w = np.where(played, w, sim_w)
            else:
                w = np.where(rng.random(sims) < advance[home, away], home, away)
            loser = np.where(w == home, away, home)
            winners.append(w)
            losers.append(loser)
            if tie.stage not in p_round:
                p_round[tie.stage] = {t: 0.0 for t in teams}
                rounds.append(tie.stage)
            counts = np.bincount(np.concatenate([home, away]), minlength=len(teams)) / sims
            for t in teams:
                p_round[tie.stage][t] += float(counts[index[t]])
            if tie.stage == "final":
                champion = w
        if champion is not None:
            counts = np.bincount(champion, minlength=len(teams)) / sims
            p_champion = {t: float(counts[index[t]]) for t in teams}
    return TournamentForecast(
        edition=edition,
        as_of=as_of,
        simulations=sims,
        seed=seed,
        tables=tables,
        groups_of=groups_of,
        p_position=p_position,
        p_advance=p_advance,
        p_round=p_round,
        p_champion=p_champion,
        rounds=tuple(rounds),
    )


def _slot_team(
    slot: _Slot,
    slot_team: dict[tuple, np.ndarray],
    winners: list[np.ndarray],
    losers: list[np.ndarray],
    sims: int,
) -> np.ndarray:
    """(sims,) the team index of a knockout side in each simulation."""
    if slot.team is not None:
        return np.full(sims, slot.team, dtype=np.int64)
    if slot.tie is not None:
        return (losers if slot.loser else winners)[slot.tie]
    if slot.group is None:
        return slot_team[("best", slot.rank)]
    return slot_team[(slot.group, slot.position)]


def _advance_matrix(strengths: Strengths, teams: Sequence[str]) -> np.ndarray:
    """(T, T): the chance that team i, named first, wins a knockout tie with team j."""
    n = len(teams)
    home = [teams[i] for i in range(n) for _ in range(n)]
    away = [teams[j] for _ in range(n) for j in range(n)]
    neutral = [strengths.neutral(x, y) for x, y in zip(home, away, strict=True)]
    return np.asarray(strengths.advance(home, away, neutral), dtype=float).reshape(n, n)
