"""The stakes of a group match: each side's chance of going through, at every point of its path.

At a point of a group match a team's chance of reaching the next stage is

    P(through) = Σ_c P(c | the states of the matches being played) · Q(c),

the sum running over ``c``, the final scores of the matches being played at that moment:

- **The matches being played**: the match itself and the group's matches kicked off with it
  (the same known kick-off, or both in the group's last round: the last round kicks off
  together; :meth:`~heartbreak.tournaments.structure.Group.simultaneous`). Each is replayed
  alongside, and their states are aligned on the time since their common kick-off: the minutes
  played (stoppage shown included) and a 15-minute half-time. A simultaneous match runs at least
  to its latest booking (the record proves that stoppage minute was played). The data give no
  real time of a final whistle, so the alignment is to the minute, not the second.
- **P(c | states)**: each match's final score from its state by the in-play model
  (:meth:`~heartbreak.model.inplay.InPlayModel.goals_to_come`), the matches independent given
  their states. A simultaneous match whose record lacks goal minutes is unknown until the
  whistle (its pre-match distribution), then its result.
- **Q(c)**: the chance of going through with those final scores, averaged over ``S``
  simulations of the group's later matches from the pre-match model (the ratings as of the
  match day), the same simulations for every ``c`` (common random numbers, so that the
  chances of neighbouring scores differ by the scores, not by the noise); exact when the group
  has no later match. Each result set is ranked with the edition's rules
  (:func:`~heartbreak.tournaments.table.tie_classes`), then on fair play *as of the moment*
  where the rules use it: the earlier matches' cards and the cards of the matches being played
  up to that minute (later matches count none); teams still level share the places at stake
  (lots). Matches finished before the kick-off count with their results.
- **Best-placed teams across groups** (e.g. the four best thirds): a team placed there goes
  through with the chance that its points, goal difference and goals scored rank among the best
  ``best_of`` of the other groups' teams in that place, those groups simulated as of the
  kick-off (their matches finished by then known, ties across groups shared).

Final scores whose chance never reaches :data:`EPSILON` at any point (combinations of the
simultaneous matches' scores: :data:`JOINT_EPSILON`) are left out (and each
point's chances renormalised), which keeps the sum to a few dozen scores per match.

What matters to a side (:class:`~heartbreak.model.path.Stakes`): its chance of going through;
for a side already through at kick-off whose first place is still open, its chance of finishing
first; when neither is open, its plain chance of winning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from heartbreak.domain import EventType, Match, Period, Side
from heartbreak.model.grid import ScoreGrid
from heartbreak.model.inplay import InPlayModel, StateBatch
from heartbreak.model.path import ElsewhereGoal, PointKind, ProbabilityPath, Settlement, Stakes
from heartbreak.model.replay import build_points, replayable_events
from heartbreak.tournaments.forecast import Strengths, draw_scores, simulate_group
from heartbreak.tournaments.rules import Advance, Criterion
from heartbreak.tournaments.structure import FAIR_PLAY, Edition, Fixture, Group, Stage
from heartbreak.tournaments.table import (
    group_table,
    position_shares,
    refine_classes,
    still_level,
    tie_classes,
)

#: A match's final scores below this chance at every point are left out of the sum, and so are
#: the combinations of simultaneous matches' final scores below :data:`JOINT_EPSILON`.
EPSILON = 1e-4
JOINT_EPSILON = 1e-5
#: The same for a match whose group has later matches to simulate.
EPSILON_SIMULATED = 1e-3
#: Simulations of a group's later matches (and of the other groups, for best-placed teams).
SIMULATIONS = 100
#: Scenario rows (final scores × simulations) a match's stakes rank at most, unless that would
#: leave fewer than MIN_SIMULATIONS simulations of the later matches.
ROW_BUDGET = 20_000
MIN_SIMULATIONS = 50
#: A chance this close to 0 or 1 counts as settled.
CERTAIN = 1e-9
#: Scenario rows ranked at once (bounds the memory of the ranking).
_CHUNK = 200_000
#: Minutes of break before each period: half-time 15, 5 before extra time, 1 between its
#: halves (the clock of the real time since kick-off).
_BREAK_BEFORE = {
    Period.FIRST_HALF.value: 0.0,
    Period.SECOND_HALF.value: 15.0,
    Period.EXTRA_FIRST.value: 20.0,
    Period.EXTRA_SECOND.value: 21.0,
    Period.SHOOTOUT.value: 21.0,
}
_PERIOD_CODE = {
    Period.FIRST_HALF: 0,
    Period.SECOND_HALF: 1,
    Period.EXTRA_FIRST: 2,
    Period.EXTRA_SECOND: 3,
}


@dataclass(frozen=True)
class Booking:
    """A card shown in a match being played: ``card`` is ``yellow``, ``second_yellow`` or
    ``red`` (the store's card kinds)."""

    team: str
    player: str | None
    card: str
    period: Period
    minute: int
    stoppage: int = 0


@dataclass(frozen=True)
class LiveMatch:
    """A match of the group being played: its fixture, its record (None, or a record without
    every goal's minute: its course is unknown), its pre-match expected goals and its cards.

    ``finished``: whether the record runs to the final whistle. A live feed's match still being
    played is not (its fixture's score is the score so far): after its latest news it plays on
    from the state it stands at, never reaching its result."""

    fixture: Fixture
    match: Match | None
    lam_home: float
    lam_away: float
    bookings: tuple[Booking, ...] = ()
    finished: bool = True

    @property
    def followed(self) -> bool:
        """Whether its course can be replayed (every goal has its minute)."""
        return self.match is not None and self.match.timeline_complete


@dataclass(frozen=True)
class Situation:
    """A group match in its tournament: the stage and group, the matches being played (the
    match itself first), the model's view of every team as of the day (for later matches and
    other groups) and the name of the next stage ("the round of 16")."""

    stage: Stage
    group: Group
    live: tuple[LiveMatch, ...]
    strengths: Strengths
    next_stage: str

    @property
    def fixture(self) -> Fixture:
        return self.live[0].fixture


def locate(edition: Edition, match_id: int) -> tuple[Stage, Group, Fixture] | None:
    """The group stage, group and fixture of a match of ``edition`` (None for a knockout
    match, a play-off, or a stage without rules)."""
    for stage in edition.group_stages:
        if stage.rules is None:
            continue
        for group in stage.groups:
            for fixture in group.matches:
                if fixture.match_id == match_id:
                    return stage, group, fixture
    return None


def next_stage(edition: Edition, stage: Stage) -> str:
    """What a group stage's teams play for, as a fan says it: "the round of 16", "the
    final" (the 1974 and 1978 second group stages: the group winners met in the final)."""
    later = edition.stages[edition.stages.index(stage) + 1 :]
    rounds = [s.name for s in later if not s.name.startswith("third")]
    if not rounds:
        return "the next round"
    name = rounds[0]
    return name if name.startswith("the ") else f"the {name}"


def bookings_of(cards: pd.DataFrame) -> tuple[Booking, ...]:
    """The bookings of a match from its ``cards`` rows (team, player, card, period, minute,
    stoppage)."""
    out = []
    for row in cards.itertuples(index=False):
        if pd.isna(row.minute) or not isinstance(row.period, str):
            continue
        player = row.player if isinstance(row.player, str) and row.player else None
        stoppage = 0 if pd.isna(row.stoppage) else int(row.stoppage)
        out.append(
            Booking(row.team, player, str(row.card), Period(row.period), int(row.minute), stoppage)
        )
    return tuple(out)


def situation_of(
    edition: Edition,
    match_id: int,
    records: Mapping[int, Match],
    expected_goals: Callable[[Fixture], tuple[float, float]],
    bookings: Mapping[int, Sequence[Booking]],
    strengths: Strengths,
    followed: Mapping[int, LiveMatch] | None = None,
) -> Situation | None:
    """The situation of a stored group match: the fixtures played with it from ``records``
    (match id → Match), their pre-match ``expected_goals`` and ``bookings``; None where the
    match has no group stakes (a knockout, a play-off, a stage without rules). ``followed``:
    the matches of the group followed live (fixture id → the match so far), in place of their
    records."""
    found = locate(edition, match_id)
    if found is None:
        return None
    stage, group, fixture = found
    followed = followed or {}
    live = []
    for f in (fixture, *simultaneous_fixtures(group, fixture)):
        if f.match_id in followed:
            live.append(followed[f.match_id])
            continue
        lam_home, lam_away = expected_goals(f)
        live.append(
            LiveMatch(
                f, records.get(f.match_id), lam_home, lam_away, tuple(bookings.get(f.match_id, ()))
            )
        )
    return Situation(stage, group, tuple(live), strengths, next_stage(edition, stage))


def simultaneous_fixtures(group: Group, fixture: Fixture) -> tuple[Fixture, ...]:
    """The fixtures of ``group`` played at the same time as ``fixture``: the same known
    kick-off on the same day, or both in the group's last round (its matches kick off
    together). Two matches of a day without known kick-offs are not taken as simultaneous
    outside the last round: the other counts as a later match."""
    last = group.last_round()
    out = []
    for other in group.simultaneous(fixture):
        same_time = fixture.kickoff is not None and other.kickoff == fixture.kickoff
        if same_time or {fixture.match_id, other.match_id} <= last:
            out.append(other)
    return tuple(out)


def group_stakes(
    situation: Situation,
    path: ProbabilityPath,
    model: InPlayModel,
    simulations: int = SIMULATIONS,
    seed: int | None = None,
) -> Stakes:
    """The stakes of ``situation``'s match at every point of its ``path`` (its replay by
    ``model``; see the module docstring); ``seed`` (default: the match id) makes the
    simulations repeatable."""
    live = situation.live
    me = live[0]
    if not me.followed:
        raise ValueError("the stakes follow a match whose every goal has its minute")
    group, fixture = situation.group, me.fixture
    rules = situation.stage.rules or group.rules
    rng = np.random.default_rng(fixture.match_id if seed is None else seed)
    matches = group.matches
    column = {f.match_id: m for m, f in enumerate(matches)}
    teams = list(group.teams)
    team_index = {t: k for k, t in enumerate(teams)}

    # The match's own points (those of its path) and their clock since kick-off.
    own = build_points([me.match], model.params.stoppage_means, model.params.shootout_conversion)
    clock = _real_time(own.columns)
    n = len(clock)
    if len(path) != n:
        raise ValueError(f"the path has {len(path)} points, the match's replay {n}")
    whistle = np.asarray(own.columns["kind"]) == PointKind.FINAL_WHISTLE.value

    # The group's matches: known (finished before the kick-off), live, or later (simulated).
    start = fixture.start
    live_ids = {lm.fixture.match_id for lm in live}
    known = [f for f in matches if f.match_id not in live_ids and f.played and f.finished_by(start)]
    later = [f for f in matches if f.match_id not in live_ids and f not in known]

    # Each live match's final-score chances at each point, as cells (home, away) and weights.
    cells, weights, finals, elsewhere, tables = [], [], [], [], []
    for k, lm in enumerate(live):
        if k == 0:
            aligned, table = np.arange(n), own
        elif lm.followed:
            table = build_points(
                [lm.match],
                model.params.stoppage_means,
                model.params.shootout_conversion,
                proven=[_proven_stoppage(lm.bookings)],
            )
            own_clock = _real_time(table.columns)
            aligned = np.searchsorted(own_clock, clock, side="right") - 1
            if lm.finished:
                aligned = np.where(whistle, len(own_clock) - 1, np.maximum(aligned, 0))
            else:  # still being played: never past its last point in play
                aligned = np.clip(aligned, 0, _last_in_play(table))
            elsewhere += _goals_elsewhere(lm, table, aligned)
        else:
            table = None
            aligned = None
        # With later matches simulated, the noise of the simulations dwarfs rarer scores.
        epsilon = EPSILON_SIMULATED if later else EPSILON
        c, w = _final_scores(lm, table, aligned, whistle, model, epsilon)
        tables.append(table)
        cells.append(c)
        weights.append(w)
        finals.append((lm.fixture.home_score or 0, lm.fixture.away_score or 0))

    grid_index, joint = _combinations(weights)  # (live, combos), (n, combos)
    combos = grid_index.shape[1]
    # Simultaneous matches with later ones to simulate (an early round kicked off together)
    # multiply the scores to rank: the simulations are then fewer, within a budget of rows.
    sims = 1 if not later else int(np.clip(ROW_BUDGET // combos, MIN_SIMULATIONS, simulations))
    later_goals = np.zeros((sims, 0, 2), dtype=np.int64)
    if later:
        home = [f.home for f in later]
        away = [f.away for f in later]
        neutral = [situation.strengths.neutral(h, a) for h, a in zip(home, away, strict=True)]
        grids = situation.strengths.score_grids(home, away, neutral)
        later_goals = draw_scores(np.asarray(grids), sims, rng)

    # Fair play at each point: the earlier matches', then the live matches' cards so far.
    uses_fair_play = group.cards and Criterion.FAIR_PLAY in rules.criteria
    fair = np.zeros((n, len(teams)), dtype=np.int64)
    if uses_fair_play:
        for f in known:
            fair[:, team_index[f.home]] += f.fair_play_home
            fair[:, team_index[f.away]] += f.fair_play_away
        for lm, table in zip(live, tables, strict=True):
            times = _booking_times(lm.bookings, table)
            fair += _fair_play_so_far(lm.bookings, times, clock, whistle, team_index)
    states, state_of = np.unique(fair, axis=0, return_inverse=True)
    state_of = state_of.reshape(-1)

    # Q: for every combination of live final scores, each side's chance of going through and
    # of finishing first, by fair-play state.
    sides = [team_index[fixture.home], team_index[fixture.away]]
    thirds = (
        _third_place_chances(situation, start, simulations, rng) if rules.advance.best_of else None
    )
    q_through = np.zeros((len(states), combos, 2))
    q_first = np.zeros((len(states), combos, 2))
    per_chunk = max(1, _CHUNK // sims)
    for lo in range(0, combos, per_chunk):
        hi = min(lo + per_chunk, combos)
        rows = (hi - lo) * sims
        hg = np.zeros((rows, len(matches)), dtype=np.int64)
        ag = np.zeros((rows, len(matches)), dtype=np.int64)
        for f in known:
            hg[:, column[f.match_id]] = f.home_score
            ag[:, column[f.match_id]] = f.away_score
        for k, lm in enumerate(live):
            chosen = cells[k][grid_index[k, lo:hi]]  # (combos, 2)
            hg[:, column[lm.fixture.match_id]] = np.repeat(chosen[:, 0], sims)
            ag[:, column[lm.fixture.match_id]] = np.repeat(chosen[:, 1], sims)
        for m, f in enumerate(later):
            hg[:, column[f.match_id]] = np.tile(later_goals[:, m, 0], hi - lo)
            ag[:, column[f.match_id]] = np.tile(later_goals[:, m, 1], hi - lo)
        classes, points, gd, gf = tie_classes(group, hg, ag, rules)
        chance = (
            thirds(points[:, sides], gd[:, sides], gf[:, sides]) if thirds is not None else None
        )
        through, first = _shares(classes, sides, rules.advance, chance)
        # Fair play only reorders the simulations with teams still level before it.
        level = np.flatnonzero(still_level(classes)) if uses_fair_play else np.zeros(0, int)
        for s, fair_state in enumerate(states):
            if len(level):
                through_s, first_s = through.copy(), first.copy()
                ranked = refine_classes(classes[level], fair_state)
                through_s[level], first_s[level] = _shares(
                    ranked, sides, rules.advance, None if chance is None else chance[level]
                )
            else:
                through_s, first_s = through, first
            q_through[s, lo:hi] = through_s.reshape(hi - lo, sims, 2).mean(axis=1)
            q_first[s, lo:hi] = first_s.reshape(hi - lo, sims, 2).mean(axis=1)

    p_through = np.einsum("nc,ncs->ns", joint, q_through[state_of])
    p_first = np.einsum("nc,ncs->ns", joint, q_first[state_of])
    p_through = np.clip(p_through, 0.0, 1.0)
    p_first = np.clip(p_first, 0.0, 1.0)

    win = (np.asarray(path.p_home_win), np.asarray(path.p_away_win))
    # The match's own result at kick-off, for each combination: 1 home win, 0 draw, -1 away win.
    own_result = np.sign(cells[0][grid_index[0], 0] - cells[0][grid_index[0], 1])
    chances, goals, leverage = [], [], []
    for k in range(2):
        goal, chance = _what_matters(p_through[:, k], p_first[:, k], win[k])
        goals.append(goal)
        chances.append(chance)
        q = (q_through if goal == "through" else q_first)[state_of[0], :, k]
        won, lost = (1, -1) if k == 0 else (-1, 1)
        leverage.append(
            0.0 if goal == "win" else _leverage(joint[0], q, own_result == won, own_result == lost)
        )
    over = all(lm.finished for lm in live)
    settlement = None if later or not over else _settle(group, live, finals, p_through[-1])
    return Stakes(
        next_stage=situation.next_stage,
        p_home_qualify=p_through[:, 0],
        p_away_qualify=p_through[:, 1],
        p_home_first=p_first[:, 0],
        p_away_first=p_first[:, 1],
        home_chance=chances[0],
        away_chance=chances[1],
        home_goal=goals[0],
        away_goal=goals[1],
        home_leverage=leverage[0],
        away_leverage=leverage[1],
        elsewhere=tuple(sorted(elsewhere, key=lambda g: (g.index, g.minute, g.stoppage))),
        simultaneous=tuple(
            (lm.fixture.home, lm.fixture.away, int(h), int(a))
            for lm, (h, a) in zip(live[1:], finals[1:], strict=True)
        ),
        settlement=settlement,
    )


# --------------------------------------------------------------------------- pieces


def _real_time(columns: dict[str, np.ndarray]) -> np.ndarray:
    """Minutes since kick-off at each point: minutes played plus the breaks before it."""
    period = np.asarray(columns["period"])
    breaks = np.array([_BREAK_BEFORE[str(p)] for p in period]) if len(period) else np.zeros(0)
    return np.asarray(columns["elapsed"], dtype=float) + breaks


def _proven_stoppage(bookings: Sequence[Booking]) -> tuple[int, int, int, int]:
    """The stoppage minutes of each period that a booking proves were played."""
    out = [0, 0, 0, 0]
    for b in bookings:
        code = _PERIOD_CODE.get(b.period)
        if code is not None:
            out[code] = max(out[code], int(b.stoppage))
    return tuple(out)  # type: ignore[return-value]


def _booking_times(bookings: Sequence[Booking], table) -> np.ndarray:
    """Each card's place on the clock since kick-off (during its minute, as events are), by
    the periods of its match's points; +inf for a match whose course is unknown (its cards
    count from the whistle)."""
    if table is None:
        return np.full(len(bookings), np.inf)
    cols = table.columns
    period, elapsed = np.asarray(cols["period"]), np.asarray(cols["elapsed"], dtype=float)
    minutes = np.asarray(cols["kind"]) == PointKind.MINUTE.value
    out = []
    for b in bookings:
        code = _PERIOD_CODE.get(b.period, 1)
        at = (period == b.period.value) & minutes
        start, length = (0, 45, 90, 105)[code], (45, 45, 15, 15)[code]
        # Minutes played before the period began (stoppage shown included): its first
        # minute's point is one minute in.
        before = float(elapsed[at].min()) - 1.0 if at.any() else float(start)
        if b.stoppage:
            into = length + b.stoppage - 0.5
        else:
            into = min(max(b.minute - start, 1), length) - 0.5
        out.append(before + into + _BREAK_BEFORE[b.period.value])
    return np.asarray(out, dtype=float)


def _fair_play_so_far(
    bookings: Sequence[Booking],
    times: np.ndarray,
    clock: np.ndarray,
    whistle: np.ndarray,
    team_index: dict[str, int],
) -> np.ndarray:
    """(n, T) each team's fair-play deductions from ``bookings`` (shown at ``times``) by each
    point (all of them at the final whistle); one deduction per player, the heaviest his
    cards make."""
    out = np.zeros((len(clock), len(team_index)), dtype=np.int64)
    held: dict[tuple[str, str | None], set[str]] = {}
    for k in np.argsort(times, kind="stable"):
        b = bookings[k]
        if b.team not in team_index:
            continue
        key = (b.team, b.player)
        before = _deduction(held.get(key, set()))
        held.setdefault(key, set()).add(b.card)
        change = _deduction(held[key]) - before
        shown = (clock >= times[k]) | whistle
        out[shown, team_index[b.team]] += change
    return out


def _deduction(cards: set[str]) -> int:
    """The fair-play points (≤ 0) of one player's cards in one match (FAIR_PLAY)."""
    if not cards:
        return 0
    if "second_yellow" in cards:
        return FAIR_PLAY["second_yellow"]
    if "red" in cards:
        return FAIR_PLAY["yellow_red" if "yellow" in cards else "red"]
    return FAIR_PLAY["yellow"]


def _final_scores(
    lm: LiveMatch,
    table,
    aligned: np.ndarray | None,
    whistle: np.ndarray,
    model: InPlayModel,
    epsilon: float = 1e-4,
) -> tuple[np.ndarray, np.ndarray]:
    """The final scores a live match may end with, (C, 2), and their chances at each point of
    the followed match, (n, C): those whose chance reaches ``epsilon`` at some point."""
    n = len(whistle)
    known = lm.finished and lm.fixture.played
    final = (int(lm.fixture.home_score or 0), int(lm.fixture.away_score or 0))
    if table is None:
        # Its course is unknown: the pre-match chances until the whistle, then its result
        # (when it has one by then).
        grid = ScoreGrid.from_rates(
            np.array([lm.lam_home]), np.array([lm.lam_away]), rho=model.params.rho
        ).remaining[0]
        size = max(grid.shape[0], final[0] + 1, final[1] + 1)
        chances = np.zeros((size, size))
        chances[: grid.shape[0], : grid.shape[1]] = grid
        per_point = np.broadcast_to(chances, (n, size, size)).copy()
        if known:
            per_point[whistle] = 0.0
            per_point[whistle, final[0], final[1]] = 1.0
    else:
        cols = table.columns
        states = table.states()
        lam_h = np.full(len(cols["elapsed"]), lm.lam_home)
        lam_a = np.full(len(cols["elapsed"]), lm.lam_away)
        rem_h, rem_a = model.goals_to_come(lam_h, lam_a, _regulation(states))
        used = np.unique(aligned)
        grid = ScoreGrid.from_rates(
            rem_h[used], rem_a[used], rho=model.params.rho
        ).remaining  # (u, G, G) goals to come
        hg, ag = cols["home_goals"][used], cols["away_goals"][used]
        size = int(max(hg.max(), ag.max())) + grid.shape[1]
        at_used = np.zeros((len(used), size, size))
        for r in range(len(used)):
            g = grid.shape[1]
            at_used[r, hg[r] : hg[r] + g, ag[r] : ag[r] + g] = grid[r]
        per_point = at_used[np.searchsorted(used, aligned)]
    keep = per_point.max(axis=0) >= epsilon
    if known:
        keep[final] = True
    home, away = np.nonzero(keep)
    weights = per_point[:, home, away]
    weights /= weights.sum(axis=1, keepdims=True)
    return np.column_stack([home, away]), weights


def _last_in_play(table) -> int:
    """The last point of a replay at which its match is still being played (before full time:
    after it, no goal is to come)."""
    kind = np.asarray(table.columns["kind"])
    period = np.asarray(table.columns["period"])
    in_play = (kind == PointKind.MINUTE.value) | (kind == PointKind.AFTER_EVENT.value)
    in_play &= period != Period.SHOOTOUT.value
    rows = np.flatnonzero(in_play)
    return int(rows[-1]) if len(rows) else 0


def _regulation(states: StateBatch) -> StateBatch:
    """The states as a group match plays them: no extra time."""
    return StateBatch(**{**states.__dict__, "knockout": np.zeros_like(states.knockout)})


def _shares(
    ranked: np.ndarray, sides: Sequence[int], advance: Advance, third: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """(rows, 2) the two sides' chances of going through and of finishing first in each
    ranked simulation; ``third``: their chances of going through if placed at the best-placed
    ranking's position."""
    share = position_shares(ranked, sides)
    through = share(advance.per_group)
    if third is not None:
        place = advance.best_position
        through = through + (share(place) - share(place - 1)) * third
    return through, share(1)


def _combinations(weights: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The combinations of the live matches' final scores that count: (L, K) their cell
    indices, and (n, K) their joint chance at each point (the matches independent given their
    states), renormalised over the combinations kept: those whose joint chance reaches
    :data:`JOINT_EPSILON` at some point (far fewer than all pairs of each match's scores, which
    shift with the scores during the match)."""
    joint = weights[0]
    index = np.arange(weights[0].shape[1])[None, :]
    for w in weights[1:]:
        product = joint[:, :, None] * w[:, None, :]  # (n, K, C)
        keep = np.nonzero(product.max(axis=0) >= JOINT_EPSILON)
        index = np.vstack([index[:, keep[0]], keep[1][None, :]])
        joint = product[:, keep[0], keep[1]]
    joint = joint / joint.sum(axis=1, keepdims=True)
    return index, joint


def _leverage(weights: np.ndarray, q: np.ndarray, won: np.ndarray, lost: np.ndarray) -> float:
    """How much of a side's goal the match carried at kick-off: its chance of the goal if it
    won the match minus its chance if it lost (0 when either cannot happen)."""
    if not (weights[won].sum() > 0 and weights[lost].sum() > 0):
        return 0.0
    if_won = float((weights[won] * q[won]).sum() / weights[won].sum())
    if_lost = float((weights[lost] * q[lost]).sum() / weights[lost].sum())
    return float(np.clip(if_won - if_lost, 0.0, 1.0))


def _what_matters(
    through: np.ndarray, first: np.ndarray, win: np.ndarray
) -> tuple[str, np.ndarray]:
    """A side's goal and its chance of it (see the module docstring)."""
    at_start = float(through[0])
    if CERTAIN < at_start < 1.0 - CERTAIN:
        return "through", through
    if at_start >= 1.0 - CERTAIN and CERTAIN < float(first[0]) < 1.0 - CERTAIN:
        return "first", first
    return "win", win


def _goals_elsewhere(lm: LiveMatch, table, aligned: np.ndarray) -> list[ElsewhereGoal]:
    """The goals of a simultaneous match, each placed at the first followed point that sees
    it."""
    events = replayable_events(lm.match)
    cols = table.columns
    kind = np.asarray(cols["kind"])
    out = []
    for k, e in enumerate(events):
        if e.type is not EventType.GOAL:
            continue
        rows = np.flatnonzero((kind == PointKind.AFTER_EVENT.value) & (cols["event_index"] == k))
        if not len(rows):
            continue
        seen = np.flatnonzero(aligned >= rows[0])
        if not len(seen):
            continue
        info = lm.match.info
        out.append(
            ElsewhereGoal(
                match_id=info.match_id,
                home=info.home,
                away=info.away,
                team=info.team(e.side),
                player=e.player,
                minute=e.minute,
                stoppage=e.stoppage,
                home_goals=int(cols["home_goals"][rows[0]]),
                away_goals=int(cols["away_goals"][rows[0]]),
                index=int(seen[0]),
                own_goal=e.own_goal,
                penalty=e.penalty,
            )
        )
    return out


def _third_place_chances(situation: Situation, start: dt.datetime, sims: int, rng):
    """A function of (points, goal difference, goals scored) arrays: the chance that a team
    with them, placed ``best_position`` in its group, is among the best ``best_of`` of that
    place across the stage's groups (the other groups simulated as of ``start``)."""
    stage, group = situation.stage, situation.group
    adv = (stage.rules or group.rules).advance
    place = adv.best_position - 1
    keys = []
    for other in stage.groups:
        if other.name == group.name or len(other.teams) <= place:
            continue
        pos, pts, gd, gf = simulate_group(other, start, situation.strengths, sims, rng)
        which = np.argmax(pos == place, axis=1)
        rows = np.arange(len(which))
        keys.append(_key(pts[rows, which], gd[rows, which], gf[rows, which]))
    others = np.stack(keys, axis=1) if keys else np.zeros((sims, 0), dtype=np.int64)
    # Each simulation's keys sorted within it, the simulations one after another: a count of
    # the keys above a value in every simulation is two searches of one array.
    spread = int(_key(10_000, 499, 999)) + 1
    flat = np.sort(others + np.arange(sims)[:, None] * spread, axis=None)
    ends = np.arange(1, sims + 1)[None, :] * others.shape[1]
    known: dict[int, float] = {}

    def shares(values: np.ndarray) -> np.ndarray:
        query = values[:, None] + np.arange(sims)[None, :] * spread  # (U, sims)
        right = np.searchsorted(flat, query, side="right")
        above = ends - right
        level = right - np.searchsorted(flat, query, side="left")
        return np.clip((adv.best_of - above) / (level + 1), 0.0, 1.0).mean(axis=1)

    def chance(points: np.ndarray, gd: np.ndarray, gf: np.ndarray) -> np.ndarray:
        mine = _key(points, gd, gf)
        distinct, inverse = np.unique(mine, return_inverse=True)
        new = [v for v in distinct.tolist() if v not in known]
        if new:
            values = shares(np.asarray(new, dtype=np.int64)).tolist()
            known.update(zip(new, values, strict=True))
        share = np.array([known[v] for v in distinct.tolist()])
        return share[inverse.reshape(mine.shape)]

    return chance


def _key(points, gd, gf) -> np.ndarray:
    """One integer that orders (points, goal difference, goals scored) lexicographically."""
    points, gd, gf = (np.asarray(x, dtype=np.int64) for x in (points, gd, gf))
    return (points * 1000 + (gd + 499)) * 1000 + gf


def _settle(
    group: Group,
    live: Sequence[LiveMatch],
    finals: Sequence[tuple[int, int]],
    at_whistle: np.ndarray,
) -> dict[str, Settlement]:
    """How the group ended for the match's two sides, every match of it being over; whether
    each went through is the chance at the whistle once it is 0 or 1 (a best-placed ranking
    across groups may still be open)."""
    results = {lm.fixture.match_id: score for lm, score in zip(live, finals, strict=True)}
    rows = group_table(group, results=results)
    per_group = group.rules.advance.per_group
    out = {}
    fixture = live[0].fixture
    for k, (side, team) in enumerate(((Side.HOME, fixture.home), (Side.AWAY, fixture.away))):
        n = next(i for i, r in enumerate(rows) if r.team == team)
        chance = float(at_whistle[k])
        went = True if chance >= 1.0 - CERTAIN else False if chance <= CERTAIN else None
        decided, level = None, None
        if n + 1 == per_group and n + 1 < len(rows):
            decided, level = rows[n].decided_by, rows[n + 1].team
        elif n == per_group:
            decided, level = rows[n - 1].decided_by, rows[n - 1].team
        out[side.value] = Settlement(n + 1, went, decided, level)
    return out
