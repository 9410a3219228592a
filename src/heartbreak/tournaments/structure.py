"""Tournaments as domain objects: editions, their stages, groups and fixtures.

Pure code over the store's frames (``matches`` and ``cards`` rows, as
:meth:`heartbreak.data.store.Store.tournament_frames` returns them): no files, no SQL.

- **World Cups 1930–2022** come from the World Cup database: each match's stage, group and
  local kick-off time are stored with it (``matches.stage``, ``group_name``, ``kickoff``). A
  second meeting of two teams of a group (1954, 1958) is that group's play-off.
- **The 2026 World Cup** and the editions of the **Euro, Copa América, Asian Cup, Cup of
  Nations and Gold Cup**: an edition is a run of the competition's matches with no gap longer
  than :data:`heartbreak.data.brackets.EDITION_GAP_DAYS`; its knockout rounds are the stored
  stages (:mod:`heartbreak.data.brackets`, the 2026 schedule); its groups are *inferred*: the
  matches before the first knockout match form a graph of teams, and each connected part must
  be a round-robin clique (every pair met once). An edition whose matches do not split so
  (a league, home-and-away groups, a final round) is not modelled: :func:`unmodelled` says why.

An edition is named by the year of its first match (Euro 2020 is 2021, the 2023 Asian Cup
2024); :func:`edition` also accepts the official year (:data:`OFFICIAL_YEARS`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import pandas as pd

from heartbreak.data.brackets import EDITION_GAP_DAYS
from heartbreak.errors import InvalidInput
from heartbreak.tournaments.rules import (
    AWARDED,
    COMPETITIONS,
    DRAWN_LOTS,
    WORLD_CUP,
    Rules,
    rules_for,
)

#: Edition years that differ from the year of the first match: (competition, official) → ours.
OFFICIAL_YEARS: dict[tuple[str, int], int] = {
    ("UEFA Euro", 2020): 2021,
    ("AFC Asian Cup", 2023): 2024,
    ("African Cup of Nations", 2021): 2022,
    ("African Cup of Nations", 2023): 2024,
}

#: How long a match lasts, for "results as of a time": a match counts once it has finished.
MATCH_LENGTH = dt.timedelta(hours=2)

#: The 2026 World Cup's group letters (the draw of 5 December 2025), by one team of each group;
#: other inferred groups are lettered in the order of their first match.
GROUP_LETTERS: dict[tuple[str, int], dict[str, str]] = {
    (WORLD_CUP, 2026): {
        "Mexico": "A",
        "Canada": "B",
        "Brazil": "C",
        "United States": "D",
        "Germany": "E",
        "Netherlands": "F",
        "Belgium": "G",
        "Spain": "H",
        "France": "I",
        "Argentina": "J",
        "Portugal": "K",
        "England": "L",
    }
}

#: Fair-play deductions per player and match (2018 FIFA World Cup Regulations, art. 32.5; one
#: deduction per player and match): first yellow, indirect red (second yellow), direct red,
#: yellow and direct red.
FAIR_PLAY = {"yellow": -1, "second_yellow": -3, "red": -4, "yellow_red": -5}


@dataclass(frozen=True)
class Fixture:
    """One match of a tournament, with its result (None while it is unplayed; the awarded
    score where the result was overturned, ``awarded``) and each side's fair-play points
    (deductions, ≤ 0; 0 where the data hold no cards)."""

    match_id: int
    date: dt.date
    home: str
    away: str
    home_score: int | None
    away_score: int | None
    stage: str
    group: str | None = None
    kickoff: dt.time | None = None
    play_off: bool = False
    winner: str | None = None
    fair_play_home: int = 0
    fair_play_away: int = 0
    awarded: bool = False

    @property
    def teams(self) -> tuple[str, str]:
        return (self.home, self.away)

    @property
    def start(self) -> dt.datetime:
        """Local kick-off (midnight when the time is unknown)."""
        return dt.datetime.combine(self.date, self.kickoff or dt.time(0, 0))

    @property
    def played(self) -> bool:
        return self.home_score is not None and self.away_score is not None

    def finished_by(self, as_of: dt.date | dt.datetime | None) -> bool:
        """Whether the match had finished by ``as_of``: a date counts the whole day; a time
        counts the matches that kicked off at least :data:`MATCH_LENGTH` before it (a match
        without a known kick-off counts from the end of its day)."""
        if as_of is None:
            return True
        if not isinstance(as_of, dt.datetime):
            return self.date <= as_of
        if self.kickoff is None:
            return dt.datetime.combine(self.date, dt.time.max) <= as_of
        return self.start + MATCH_LENGTH <= as_of


@dataclass(frozen=True)
class Group:
    """A group of one stage: its teams, its fixtures (play-offs included, marked) and rules.
    ``lots``: recorded draws of lots (team orders); ``cards``: whether the data hold the
    group's cards (fair play can only be computed then)."""

    name: str
    stage: str
    teams: tuple[str, ...]
    fixtures: tuple[Fixture, ...]
    rules: Rules
    lots: tuple[tuple[str, ...], ...] = ()
    cards: bool = False
    inferred: bool = False

    @property
    def matches(self) -> tuple[Fixture, ...]:
        """The round-robin fixtures (play-offs left out)."""
        return tuple(f for f in self.fixtures if not f.play_off)

    def simultaneous(self, fixture: Fixture) -> tuple[Fixture, ...]:
        """The group's other fixtures played at the same time as ``fixture``: on the same day,
        with the same local kick-off, or either kick-off unknown, or both in the group's last
        round (kicked off together across time zones: Volgograd and Samara, 2018)."""
        last = self.last_round()
        return tuple(
            f
            for f in self.matches
            if f.match_id != fixture.match_id
            and f.date == fixture.date
            and (
                f.kickoff == fixture.kickoff
                or None in (f.kickoff, fixture.kickoff)
                or {f.match_id, fixture.match_id} <= last
            )
        )

    def last_round(self) -> set[int]:
        """The fixtures of the group's last round: each team's last match, where every team
        plays in it; in a group with a team resting each round (five teams: Copa América
        2021), the matches of its last day, where there are more than one."""
        latest: dict[str, Fixture] = {}
        for f in self.matches:
            for t in f.teams:
                if t not in latest or f.start > latest[t].start:
                    latest[t] = f
        last = {f.match_id for f in latest.values()}
        if 2 * len(last) == len(latest):
            return last
        if len(self.teams) % 2 and self.matches:
            day = max(f.date for f in self.matches)
            final_day = {f.match_id for f in self.matches if f.date == day}
            if len(final_day) > 1:
                return final_day
        return set()


@dataclass(frozen=True)
class Stage:
    """A stage of an edition: a group stage (``groups``) or a knockout round."""

    name: str
    knockout: bool
    fixtures: tuple[Fixture, ...]
    groups: tuple[Group, ...] = ()
    rules: Rules | None = None


@dataclass(frozen=True)
class Edition:
    """One final tournament: its stages in order. ``inferred``: its groups were inferred from
    the results (not read from the World Cup database)."""

    competition: str
    year: int
    stages: tuple[Stage, ...]
    inferred: bool = False
    official_year: int | None = None

    @property
    def fixtures(self) -> tuple[Fixture, ...]:
        return tuple(f for s in self.stages for f in s.fixtures)

    @property
    def start(self) -> dt.date:
        return min(f.date for f in self.fixtures)

    @property
    def end(self) -> dt.date:
        return max(f.date for f in self.fixtures)

    @property
    def teams(self) -> tuple[str, ...]:
        return tuple(sorted({t for f in self.fixtures for t in f.teams}))

    @property
    def groups(self) -> tuple[Group, ...]:
        return tuple(g for s in self.stages for g in s.groups)

    @property
    def group_stages(self) -> tuple[Stage, ...]:
        return tuple(s for s in self.stages if s.groups)

    @property
    def knockout_stages(self) -> tuple[Stage, ...]:
        return tuple(s for s in self.stages if s.knockout)

    @property
    def format(self) -> str:
        """A short description: "8 groups of 4, then round of 16" or "knockout"."""
        if not self.group_stages:
            return "knockout"
        first = self.group_stages[0]
        sizes = Counter(len(g.teams) for g in first.groups)
        parts = [
            " and ".join(
                f"{n} group{'s' if n > 1 else ''} of {size}" for size, n in sorted(sizes.items())
            )
        ]
        later = [s.name for s in self.stages[self.stages.index(first) + 1 :]]
        if later:
            parts.append(later[0])
        return ", then ".join(parts)

    def group(self, name: str, stage: str | None = None) -> Group:
        """The group called ``name`` ("Group H" or "H") of ``stage`` (default: the first group
        stage that has it); raises InvalidInput."""
        wanted = {name, f"Group {name}"}
        for g in self.groups:
            if g.name in wanted and (stage is None or g.stage == stage):
                return g
        raise InvalidInput(
            f"group: {self.competition} {self.year} has no group {name!r}", field="group"
        )

    def first_knockout_teams(self) -> frozenset[str]:
        """The teams of the knockout rounds after the first group stage: those of its first
        round, and the teams that entered later without playing the groups (a third-place
        match and a final played as the first round, as at the 1980 Euro, count together)."""
        if not self.group_stages:
            return frozenset()
        after = self.stages.index(self.group_stages[0]) + 1
        return frozenset(
            t
            for stage in self.stages[after:]
            if stage.knockout
            for f in stage.fixtures
            for t in f.teams
        )

    @property
    def label(self) -> str:
        return f"{self.competition} {self.official_year or self.year}"


# --------------------------------------------------------------------------- building


def _time(value: object) -> dt.time | None:
    if not isinstance(value, str) or not value:
        return None
    hours, minutes = value.split(":")
    return dt.time(int(hours), int(minutes))


def _fair_play(cards: pd.DataFrame | None) -> dict[tuple[int, str], int]:
    """Fair-play points (≤ 0) per (match_id, team), from the cards of each player."""
    if cards is None or cards.empty:
        return {}
    kinds: dict[tuple[int, str, str], set[str]] = {}
    for match_id, team, player, card in zip(
        cards["match_id"], cards["team"], cards["player"], cards["card"], strict=True
    ):
        kinds.setdefault((int(match_id), str(team), str(player)), set()).add(str(card))
    out: dict[tuple[int, str], int] = {}
    for (match_id, team, _player), held in kinds.items():
        if "second_yellow" in held:
            points = FAIR_PLAY["second_yellow"]
        elif "red" in held:
            points = FAIR_PLAY["yellow_red" if "yellow" in held else "red"]
        else:
            points = FAIR_PLAY["yellow"]
        out[(match_id, team)] = out.get((match_id, team), 0) + points
    return out


@dataclass(frozen=True)
class _Match:
    """A stored match, as the builder reads it."""

    match_id: int
    date: dt.date
    home: str
    away: str
    home_score: int
    away_score: int
    stage: str | None
    group: str | None
    kickoff: str | None
    winner: str | None
    from_database: bool
    competition: str


def _records(frame: pd.DataFrame) -> list[_Match]:
    def text(value: object) -> str | None:
        return value if isinstance(value, str) and value else None

    columns = [
        frame[c].tolist()
        for c in (
            "match_id",
            "date",
            "home",
            "away",
            "home_score",
            "away_score",
            "stage",
            "group_name",
            "kickoff",
            "winner",
            "wc_match_id",
            "competition",
        )
    ]
    return [
        _Match(
            int(mid),
            pd.Timestamp(day).date(),
            home,
            away,
            int(hs),
            int(as_),
            text(stage),
            text(group),
            text(kick),
            text(winner),
            text(wc) is not None,
            comp,
        )
        for mid, day, home, away, hs, as_, stage, group, kick, winner, wc, comp in zip(
            *columns, strict=True
        )
    ]


def _fixture(m: _Match, stage: str, group: str | None, fair: dict) -> Fixture:
    score = AWARDED.get((m.competition, m.date.isoformat(), m.home, m.away))
    home_score, away_score = score if score else (m.home_score, m.away_score)
    return Fixture(
        match_id=m.match_id,
        date=m.date,
        home=m.home,
        away=m.away,
        home_score=home_score,
        away_score=away_score,
        stage=stage,
        group=group,
        kickoff=_time(m.kickoff),
        winner=m.winner,
        fair_play_home=fair.get((m.match_id, m.home), 0),
        fair_play_away=fair.get((m.match_id, m.away), 0),
        awarded=score is not None,
    )


def _group(
    competition: str,
    year: int,
    stage: str,
    name: str,
    fixtures: list[Fixture],
    rules: Rules,
    cards: bool,
    inferred: bool,
) -> Group:
    seen: set[frozenset[str]] = set()
    marked = []
    for f in sorted(fixtures, key=lambda f: (f.start, f.match_id)):
        pair = frozenset(f.teams)
        marked.append(f if pair not in seen else replace(f, play_off=True))
        seen.add(pair)
    teams = tuple(dict.fromkeys(t for f in marked for t in f.teams))
    lots = tuple(
        order for order in DRAWN_LOTS.get((competition, year), ()) if set(order) <= set(teams)
    )
    return Group(
        name=name,
        stage=stage,
        teams=teams,
        fixtures=tuple(marked),
        rules=rules,
        lots=lots,
        cards=cards,
        inferred=inferred,
    )


def _components(rows: list[_Match]) -> list[list[_Match]]:
    """The matches of each connected part of the teams' graph, in order of first match."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for m in rows:
        parent[find(m.home)] = find(m.away)
    parts: dict[str, list[_Match]] = {}
    for m in rows:
        parts.setdefault(find(m.home), []).append(m)
    return list(parts.values())


def _is_round_robin(rows: list[_Match]) -> bool:
    teams = {t for m in rows for t in (m.home, m.away)}
    pairs = Counter(frozenset((m.home, m.away)) for m in rows)
    n = len(teams)
    return len(pairs) == n * (n - 1) // 2 and max(pairs.values()) == 1


def _by(rows: list[_Match], key) -> dict:
    out: dict = {}
    for m in rows:
        out.setdefault(key(m), []).append(m)
    return out


def _sorted(fixtures) -> tuple[Fixture, ...]:
    return tuple(sorted(fixtures, key=lambda f: (f.start, f.match_id)))


@dataclass
class _Built:
    editions: list[Edition] = field(default_factory=list)
    unmodelled: list[tuple[str, int, str]] = field(default_factory=list)


def _world_cup_from_database(year: int, rows: list[_Match], fair: dict) -> Edition:
    cards = year >= 1970  # the World Cup database's bookings begin in 1970
    stages: list[Stage] = []
    for stage_name, in_stage in _by(rows, lambda m: m.stage or "").items():
        rules = rules_for(WORLD_CUP, year, stage_name)
        grouped = [m for m in in_stage if m.group]
        if stage_name == "final round":  # 1950: one group, which the database does not name
            grouped = [replace(m, group="Group 1") for m in in_stage]
        groups: list[Group] = []
        if grouped and rules is not None:
            for name, g in sorted(_by(grouped, lambda m: m.group).items()):
                fixtures = [_fixture(m, stage_name, name, fair) for m in g]
                groups.append(
                    _group(WORLD_CUP, year, stage_name, name, fixtures, rules, cards, False)
                )
        fixtures = [f for g in groups for f in g.fixtures] or [
            _fixture(m, stage_name, None, fair) for m in in_stage
        ]
        stages.append(
            Stage(
                stage_name, not groups, _sorted(fixtures), tuple(groups), rules if groups else None
            )
        )
    return Edition(WORLD_CUP, year, tuple(stages), inferred=False)


def _inferred(competition: str, year: int, rows: list[_Match], fair: dict, built: _Built) -> None:
    """An edition whose groups are inferred from the results (module docstring)."""
    knockout = [m for m in rows if m.stage not in (None, "group stage")]
    if not knockout:
        league = all(m.stage is None for m in rows) and _is_round_robin(rows)
        reason = "a league: no group stage and knockout" if league else "no knockout round found"
        built.unmodelled.append((competition, year, reason))
        return
    first_ko = min(m.date for m in knockout)
    pool = [m for m in rows if m.stage in (None, "group stage") and m.date < first_ko]
    rules = rules_for(competition, year)
    stages: list[Stage] = []
    if pool:
        parts = _components(pool)
        if not all(_is_round_robin(p) for p in parts):
            built.unmodelled.append(
                (competition, year, "its first-round matches are not single round-robin groups")
            )
            return
        if rules is None:
            built.unmodelled.append((competition, year, "no rules in the table for its groups"))
            return
        letters = GROUP_LETTERS.get((competition, year), {})
        spare = iter("ABCDEFGHIJKLMNOP")
        groups = []
        for part in parts:
            members = {t for m in part for t in (m.home, m.away)}
            named = [letters[t] for t in sorted(members) if t in letters]
            name = f"Group {named[0] if named else next(spare)}"
            fixtures = [_fixture(m, "group stage", name, fair) for m in part]
            groups.append(
                _group(competition, year, "group stage", name, fixtures, rules, False, True)
            )
        groups.sort(key=lambda g: g.name)
        fixtures = _sorted(f for g in groups for f in g.fixtures)
        stages.append(Stage("group stage", False, fixtures, tuple(groups), rules))
    later = [m for m in rows if m.date >= first_ko and m.stage not in (None, "group stage")]
    for stage_name, in_stage in _by(later, lambda m: m.stage).items():
        fixtures = _sorted(_fixture(m, stage_name, None, fair) for m in in_stage)
        stages.append(Stage(stage_name, True, fixtures))
    official = next(
        (o for (c, o), y in OFFICIAL_YEARS.items() if c == competition and y == year), None
    )
    built.editions.append(
        Edition(competition, year, tuple(stages), inferred=bool(pool), official_year=official)
    )


def build_editions(
    matches: pd.DataFrame, cards: pd.DataFrame | None = None
) -> tuple[list[Edition], list[tuple[str, int, str]]]:
    """Every edition of :data:`~heartbreak.tournaments.rules.COMPETITIONS` in ``matches``
    (``matches`` rows) with the fair play of ``cards`` (``cards`` rows), and the editions that
    could not be modelled as (competition, year, reason)."""
    built = _Built()
    fair = _fair_play(cards)
    frame = matches[matches["competition"].isin(COMPETITIONS)]
    if "source" in frame:
        frame = frame[frame["source"] != "user"]
    frame = frame.assign(
        **{c: None for c in ("group_name", "kickoff", "wc_match_id") if c not in frame}
    )
    frame = frame.sort_values(["date", "match_id"], kind="stable")
    for competition, comp in _by(_records(frame), lambda m: m.competition).items():
        runs: list[list[_Match]] = []
        for m in comp:
            if not runs or (m.date - runs[-1][-1].date).days > EDITION_GAP_DAYS:
                runs.append([])
            runs[-1].append(m)
        for rows in runs:
            year = rows[0].date.year
            if competition == WORLD_CUP and all(m.from_database for m in rows):
                built.editions.append(_world_cup_from_database(year, rows, fair))
            else:
                _inferred(competition, year, rows, fair, built)
    built.editions.sort(key=lambda e: (COMPETITIONS.index(e.competition), e.year))
    return built.editions, built.unmodelled


def editions(matches: pd.DataFrame, cards: pd.DataFrame | None = None) -> list[Edition]:
    """Every modelled edition (see :func:`build_editions`)."""
    return build_editions(matches, cards)[0]


def unmodelled(matches: pd.DataFrame) -> list[tuple[str, int, str]]:
    """The editions that are not modelled, as (competition, year, reason)."""
    return build_editions(matches)[1]


def find_edition(all_editions: Iterable[Edition], competition: str, year: int) -> Edition:
    """The edition of ``competition`` in ``year`` (our year or the official one); raises
    InvalidInput."""
    year = OFFICIAL_YEARS.get((competition, year), year)
    for e in all_editions:
        if e.competition == competition and e.year == year:
            return e
    raise InvalidInput(f"year: no modelled edition of {competition} in {year}", field="year")
