"""Precedents: true facts about a match drawn from the history before it.

:func:`precedents` answers, for one match, a fixed set of queries over the ``matches`` and
``goals`` tables of the store (see :mod:`heartbreak.data.store`), which the caller passes in as
DataFrames; this module reads no file and speaks no SQL. Every query looks only at matches dated
strictly *before* the match (and at the match itself), so a later match never changes what is
said about an earlier one. Each query answers with a :class:`Precedent`: a sentence, how
remarkable it is, the earlier match its "since" points to and every number in the sentence
with where it came from.

What counts
-----------

*World Cup* means the men's FIFA World Cup finals as the Fjelstul World Cup Database records
them (1930-2022; Joshua C. Fjelstul, https://www.github.com/jfjelstul/worldcup, CC-BY-SA 4.0):
rows with competition ``"FIFA World Cup"`` and a World Cup stage (and, when the column is there,
a ``wc_match_id`` starting ``"M-"``). The international results (Mart Jürisoo,
https://github.com/martj42/international_results, CC0) are men's matches only, and World Cup
matches missing from the Fjelstul database (those of 2026) have no stage, so no World Cup
query speaks about them. A *World Cup knockout match* is one the database marks as knockout:
round of 16 (also the first rounds of 1934 and 1938), quarter-finals, semi-finals, third-place
match, final, and the replays of 1934 and 1938 (a drawn match that was replayed sent nobody
through). Team names are the data's current names (West Germany is "Germany").

*Won* means more goals at the end of play, extra time included; a shootout is not a win but a
way of *going through*. The team that went through is the ``winner`` column (the shootout winner
when the match was level).

Matches a user imported into the store (``source`` "user") are not history: no query reads
them, and such a match gets no facts, since they would rest on the user's data.

A fact is only told when the data it rests on is complete: a query over goals skips a match
whose goals do not all have minutes (``timeline_complete``), and a "since" or "first ever" that
would have to look past an earlier match with an incomplete record is not told at all.

The queries (``kind``):

- ``comeback`` (:func:`comeback`): the team that went through had been two or more goals down.
- ``late_winner`` (:func:`late_winner`): the latest winning goal in normal time (or in extra
  time) of a World Cup knockout match since ...
- ``first_knockout_goals`` (:func:`first_knockout_goals`): a team's first goals in a World Cup
  knockout match, after knockout matches without one.
- ``first_stage`` and ``stage_missed`` (:func:`stage_reached`): a round of the World Cup
  reached for the first time, or missed once more by a team that had never reached it.
- ``upset`` (:func:`upset`): the biggest upset by pre-match rating at that stage since ...
- ``hat_trick`` (:func:`hat_trick`): the first hat-trick at that stage since ...
- ``rout`` (:func:`rout`): the biggest winning margin at that stage since ...
- ``first_win_over`` (:func:`first_win_over`), ``winless_run_ended``
  (:func:`winless_run_ended`), ``heaviest_defeat`` (:func:`heaviest_defeat`): facts over all
  competitions.

Strength
--------

``strength`` (0-1) is ``weight[kind] × rarity``. For "since" facts the rarity grows with the
years back to the reference match, ``1 - 0.5 ** (years / 16)`` (16 years: 0.5, 48 years:
0.875); a "first ever" counts the years since the first match in which it could have happened.
For a team's own firsts the rarity grows with the number of tries ``n``, this one included
(World Cups played, exits at the stage, knockout matches, meetings), ``1 - 0.5 ** (n / 2)``; for
a winless run of ``k`` matches it is ``1 - 0.5 ** (k / 20)``. The weights (:data:`WEIGHTS`)
rank the kinds of fact by how much they say about the match itself.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from heartbreak.domain import NOMINAL_ENDS, Side, minute_label
from heartbreak.story.facts import LATE_EXTRA_MINUTE, LATE_MINUTE
from heartbreak.wording import MONTHS, number_tokens, possessive, round_half_up
from heartbreak.wording import ordinal as ordinal_text

WORLD_CUP = "FIFA World Cup"
#: The ``source`` of the matches a user imported into the store: not history.
USER_SOURCE = "user"

#: How much each kind of fact says about a match (see "Strength" above).
WEIGHTS: dict[str, float] = {
    "comeback": 1.0,
    "first_stage": 1.0,
    "late_winner": 0.9,
    "upset": 0.9,
    "hat_trick": 0.9,
    "first_knockout_goals": 0.8,
    "rout": 0.8,
    "heaviest_defeat": 0.8,
    "stage_missed": 0.6,
    "first_win_over": 0.6,
    "winless_run_ended": 0.6,
}
#: Years after which a "since" fact is half as rare as a "first ever".
HALF_LIFE_YEARS = 16.0
#: An upset needs the team that went through to be rated at least this much lower.
UPSET_MIN_POINTS = 100.0
#: A rout or a heavy defeat is a winning margin of at least this many goals.
MIN_MARGIN = 3
#: A first win over an opponent is told after at least this many earlier meetings.
MIN_MEETINGS = 3
#: A "heaviest defeat ever" is told after at least this many earlier matches of the team.
MIN_HISTORY = 10
#: A winless run is told when it lasted at least this many matches.
MIN_WINLESS_RUN = 10

#: Teams left in the tournament when a stage is played; a team that played a match of the
#: stage *reached* it. The second group stage was the last eight in 1974 and 1978 and the last
#: twelve in 1982; the final round of 1950 was the last four.
_TEAMS_LEFT = {
    "round of 16": 16,
    "quarter-finals": 8,
    "semi-finals": 4,
    "third-place match": 4,
    "final round": 4,
    "final": 2,
}
#: A stage as a noun ("a World Cup quarter-final").
_STAGE_NOUN = {
    "round of 16": "round-of-16 match",
    "quarter-finals": "quarter-final",
    "semi-finals": "semi-final",
    "third-place match": "third-place match",
    "final": "final",
}
#: Where going through a knockout stage leads: (teams left, as reached, as a first missed).
_NEXT = {
    "round of 16": (8, "reached the World Cup quarter-finals", "a first World Cup quarter-final"),
    "quarter-finals": (4, "reached the World Cup semi-finals", "a first World Cup semi-final"),
    "semi-finals": (2, "reached the World Cup final", "a first World Cup final"),
    "final": (1, "won the World Cup", "a first World Cup title"),
}
_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven"}


@dataclass(frozen=True)
class Precedent:
    """A true fact about a match, drawn from the history before it.

    ``kind`` names the query (see the module docstring); ``text`` is one sentence; ``strength``
    (0-1) how remarkable the fact is; ``team`` the team it is about; ``reference_match_id`` and
    ``reference_date`` the earlier match a "since" points to (None for a "first ever");
    ``numbers`` every number in ``text`` as ``(text, value, source)`` so the story can trace
    each one (digits inside names are listed with the name as value; an ordinal "3rd" is "3").
    """

    kind: str
    text: str
    strength: float
    match_id: int
    team: str | None
    reference_match_id: int | None
    reference_date: dt.date | None
    numbers: tuple[tuple[str, Any, str], ...]

    def __post_init__(self) -> None:
        written = Counter(number_tokens(self.text))
        listed = Counter(text for text, _, _ in self.numbers)
        if written != listed:
            raise ValueError(f"numbers {dict(listed)} do not match the text {self.text!r}")
        if not 0.0 <= self.strength <= 1.0:
            raise ValueError(f"strength {self.strength} is not between 0 and 1")

    def to_dict(self) -> dict[str, Any]:
        """The JSON view: kind, text, strength, reference_match_id, reference_date."""
        return {
            "kind": self.kind,
            "text": self.text,
            "strength": round(self.strength, 6),
            "reference_match_id": self.reference_match_id,
            "reference_date": (
                None if self.reference_date is None else self.reference_date.isoformat()
            ),
        }


# --- writing --------------------------------------------------------------------------------


class _Writer:
    """Builds a sentence and the list of its numbers together."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.numbers: list[tuple[str, Any, str]] = []

    def __call__(self, *parts: str) -> _Writer:
        self.parts.extend(parts)
        return self

    def name(self, name: str, source: str) -> str:
        """A name from the data; digits inside it are listed with the name as value."""
        for token in number_tokens(name):
            self.numbers.append((token, name, source))
        return name

    def num(self, text: str, value: Any, source: str) -> str:
        self.numbers.append((text, value, source))
        return text

    def year(self, row: pd.Series) -> str:
        day = _day(row["date"])
        return self.num(str(day.year), day, f"matches[match_id={int(row['match_id'])}].date")

    def count(self, value: int, source: str, ordinal: bool = False) -> str:
        text = ordinal_text(value) if ordinal else str(value)
        self.numbers.append((str(value), value, source))
        return text

    def build(
        self,
        kind: str,
        rarity: float,
        row: pd.Series,
        team: str | None,
        reference: pd.Series | None = None,
    ) -> Precedent:
        text = "".join(self.parts).strip()
        text = text[:1].upper() + text[1:]
        return Precedent(
            kind=kind,
            text=text,
            strength=float(np.clip(WEIGHTS[kind] * rarity, 0.0, 1.0)),
            match_id=int(row["match_id"]),
            team=team,
            reference_match_id=None if reference is None else int(reference["match_id"]),
            reference_date=None if reference is None else _day(reference["date"]),
            numbers=tuple(self.numbers),
        )


def _day(value: Any) -> dt.date:
    return pd.Timestamp(value).date()


def _rarity_years(date: Any, since: Any) -> float:
    """``1 - 0.5 ** (years / HALF_LIFE_YEARS)`` for the years from ``since`` to ``date``."""
    years = max((pd.Timestamp(date) - pd.Timestamp(since)).days / 365.25, 0.0)
    return 1.0 - 0.5 ** (years / HALF_LIFE_YEARS)


def _rarity_chances(n: int) -> float:
    """``1 - 0.5 ** (n / 2)`` for ``n`` tries."""
    return 1.0 - 0.5 ** (max(n, 0) / 2.0)


# --- the tables -----------------------------------------------------------------------------


def prepare_matches(matches: pd.DataFrame) -> pd.DataFrame:
    """The ``matches`` rows in (date, match_id) order with ``date`` as a timestamp and the
    columns the queries add: ``world_cup`` (see the module docstring), ``wc_knockout``,
    ``through`` ("home", "away" or None: the side that went through, or won), ``won_side``
    (the side with more goals, or None) and ``year``."""
    m = matches.copy()
    m["date"] = pd.to_datetime(m["date"])
    m = m.sort_values(["date", "match_id"], kind="stable").reset_index(drop=True)
    stage = m["stage"] if "stage" in m else pd.Series(None, index=m.index, dtype=object)
    world_cup = (m["competition"] == WORLD_CUP).to_numpy() & stage.notna().to_numpy()
    if "wc_match_id" in m:
        world_cup &= m["wc_match_id"].fillna("").astype(str).str.startswith("M-").to_numpy()
    m["world_cup"] = world_cup
    m["wc_knockout"] = world_cup & m["knockout"].fillna(False).to_numpy(dtype=bool)
    hs, as_ = m["home_score"].to_numpy(), m["away_score"].to_numpy()
    won = np.where(hs > as_, "home", np.where(as_ > hs, "away", None))
    m["won_side"] = pd.Series(won, index=m.index, dtype=object)
    winner = m["winner"].to_numpy(dtype=object)
    home, away = m["home"].to_numpy(dtype=object), m["away"].to_numpy(dtype=object)
    through = np.where(winner == home, "home", np.where(winner == away, "away", None))
    through[pd.isna(winner)] = None
    m["through"] = pd.Series(through, index=m.index, dtype=object)
    m["year"] = m["date"].dt.year
    return m


def knockout_goals(
    ko: pd.DataFrame, goals: pd.DataFrame, stoppage_from: pd.Timestamp | None = None
) -> pd.DataFrame:
    """Per World Cup knockout match (index match_id), what the goal queries need.

    ``known``: the timeline is complete (every goal listed, with its minute and stoppage);
    ``deficit_home``/``deficit_away``: the most goals each side was behind at any time;
    ``win_*`` (period, minute, stoppage, scorer, own_goal, team, seq): the winning goal of a
    match won in play — the goal of the winner that took it past the loser's final total, i.e.
    the one that put it ahead for the last time; ``win_exact``: its time is exact, which it is
    not when it is written at a period's nominal end (45', 90', 105', 120') without a stoppage
    minute in a match before ``stoppage_from`` (the first day the data has a stoppage minute;
    None: never), since it may then have come in stoppage time; ``hat_trick_scorer`` and
    ``hat_trick_team``: the first player to score three goals in the match (own goals do not
    count), or None; ``scorers_known``: ``known`` and every goal but own goals has a scorer's
    name.
    """
    ids = ko["match_id"].to_numpy()
    g = goals[goals["match_id"].isin(ids)].sort_values(["match_id", "seq"], kind="stable")
    out = pd.DataFrame(index=pd.Index(ids, name="match_id"))
    rows = ko.set_index("match_id")
    home = (g["side"] == "home").astype(int)
    away = (g["side"] == "away").astype(int)
    diff = home.groupby(g["match_id"]).cumsum() - away.groupby(g["match_id"]).cumsum()
    out["deficit_home"] = (-diff).groupby(g["match_id"]).max().reindex(ids).fillna(0).clip(0)
    out["deficit_away"] = diff.groupby(g["match_id"]).max().reindex(ids).fillna(0).clip(0)
    listed_home = home.groupby(g["match_id"]).sum().reindex(ids, fill_value=0)
    listed_away = away.groupby(g["match_id"]).sum().reindex(ids, fill_value=0)
    timed = (g["minute"].notna() & g["stoppage"].notna()).groupby(g["match_id"]).all()
    complete = rows["timeline_complete"].fillna(False).astype(bool).reindex(ids)
    out["known"] = (
        complete.to_numpy()
        & (listed_home.to_numpy() == rows["home_score"].reindex(ids).to_numpy())
        & (listed_away.to_numpy() == rows["away_score"].reindex(ids).to_numpy())
        & timed.reindex(ids, fill_value=True).to_numpy()
    )

    # The winning goal: the (loser's final goals + 1)-th goal of the side that won in play.
    won = rows["won_side"].reindex(ids)
    loser_goals = np.minimum(rows["home_score"], rows["away_score"]).reindex(ids)
    g = g.assign(
        _won=won.reindex(g["match_id"]).to_numpy(),
        _need=loser_goals.reindex(g["match_id"]).to_numpy() + 1,
    )
    of_winner = g[g["side"] == g["_won"]]
    nth = of_winner.groupby("match_id").cumcount() + 1
    winning = of_winner[nth.to_numpy() == of_winner["_need"].to_numpy()].set_index("match_id")
    for column in ("period", "minute", "stoppage", "scorer", "own_goal", "team", "seq"):
        out[f"win_{column}"] = winning[column].reindex(ids).astype(object).to_numpy()
    at_end = winning["minute"].isin(NOMINAL_ENDS) & (winning["stoppage"].fillna(0) == 0)
    dates = pd.to_datetime(rows["date"]).reindex(winning.index)
    unrecorded = np.ones(len(winning), bool) if stoppage_from is None else dates < stoppage_from
    out["win_exact"] = ~(at_end & unrecorded).reindex(ids, fill_value=False).to_numpy(dtype=bool)

    # Hat-tricks: the first player to reach three goals in the match.
    scored = g[~g["own_goal"].astype(bool) & g["scorer"].notna()]
    nth_goal = scored.groupby(["match_id", "scorer"]).cumcount() + 1
    third = scored[nth_goal.to_numpy() == 3].drop_duplicates("match_id").set_index("match_id")
    out["hat_trick_scorer"] = third["scorer"].reindex(ids).astype(object).to_numpy()
    out["hat_trick_team"] = third["team"].reindex(ids).astype(object).to_numpy()
    unnamed = g["scorer"].isna() & ~g["own_goal"].astype(bool)
    out["scorers_known"] = out["known"] & ~unnamed.groupby(g["match_id"]).any().reindex(
        ids, fill_value=False
    ).to_numpy(dtype=bool)
    return out


# --- looking back ---------------------------------------------------------------------------


def latest_precedent(
    earlier: pd.DataFrame, hit: np.ndarray, known: np.ndarray
) -> tuple[str, pd.Series | None]:
    """The latest earlier match that counts, over ``earlier`` in (date, match_id) order.

    Returns ``("since", row)`` for the latest hit, ``("first", None)`` when there is none, and
    ``("unknown", None)`` when a match after the latest hit (or any match, without a hit) has an
    incomplete record, so that nobody can say whether it counted; also ``("unknown", None)``
    when there is no earlier match at all, since a "first ever" needs an earlier chance.
    """
    hit = np.asarray(hit, dtype=bool) & np.asarray(known, dtype=bool)
    known = np.asarray(known, dtype=bool)
    if len(earlier) == 0:
        return "unknown", None
    hits = np.flatnonzero(hit)
    last = int(hits[-1]) if len(hits) else -1
    if not known[last + 1 :].all():
        return "unknown", None
    if last < 0:
        return "first", None
    return "since", earlier.iloc[last]


def _side_team(row: pd.Series, side: str) -> str:
    return str(row[side])


def _other(side: str) -> str:
    return "away" if side == "home" else "home"


def _against(w: _Writer, row: pd.Series, side: str) -> str:
    """ "Germany against England in 1970" for the match ``row`` from ``side``'s view."""
    ref = int(row["match_id"])
    team = w.name(_side_team(row, side), f"matches[match_id={ref}].{side}")
    other = w.name(_side_team(row, _other(side)), f"matches[match_id={ref}].{_other(side)}")
    return f"{team} against {other} in {w.year(row)}"


def _stage_noun(w: _Writer, stage: str) -> str:
    return w.name(_STAGE_NOUN[stage], "stage")


# --- World Cup queries ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Scope:
    """The match, its World Cup knockout history before it and their goal summaries."""

    row: pd.Series
    earlier: pd.DataFrame  # World Cup knockout matches dated before the match, in order
    stats: pd.DataFrame  # knockout_goals() of earlier + the match
    world_cup: pd.DataFrame  # every World Cup match dated before the match (all stages)

    @property
    def here(self) -> pd.Series:
        return self.stats.loc[int(self.row["match_id"])]

    def earlier_stats(self) -> pd.DataFrame:
        return self.stats.loc[self.earlier["match_id"].to_numpy()]


def comeback(scope: _Scope) -> list[Precedent]:
    """The team that went through had been two or more goals down (``kind="comeback"``).

    Counts in a World Cup knockout match with a complete timeline; the deficit is the largest
    number of goals the team was behind at any time, extra time included. Two facts, by how the
    team went through:

    - *won* (more goals after extra time, if played): "the first team to come from two goals
      down to win a World Cup knockout match since X against Y in YEAR" — the reference is the
      latest earlier knockout match *won* by a team at least as many goals down; shootouts do
      not count as wins.
    - *on penalties* (level after extra time, then the shootout): "... and go through on
      penalties", against earlier comebacks that went through on penalties.

    "two", "three": the team's largest deficit. "First ever" needs an earlier chance: an earlier
    knockout match won in play (or, for the shootout, an earlier one decided on penalties).
    """
    row, here = scope.row, scope.here
    side = row["through"]
    if side is None or not here["known"]:
        return []
    deficit = int(here[f"deficit_{side}"])
    if deficit < 2:
        return []
    earlier, stats = scope.earlier, scope.earlier_stats()
    through = earlier["through"].to_numpy(dtype=object)
    their_deficit = np.where(
        through == "home",
        stats["deficit_home"].to_numpy(),
        np.where(through == "away", stats["deficit_away"].to_numpy(), 0),
    )
    in_play = row["won_side"] is not None
    if in_play:
        ways = earlier["won_side"].notna().to_numpy()
    else:
        ways = earlier["won_side"].isna().to_numpy() & earlier["through"].notna().to_numpy()
    # The chances: matches that went the same way (the scores say which, even without goals).
    known = stats["known"].to_numpy(dtype=bool)
    earlier = earlier[ways]
    status, ref = latest_precedent(earlier, (their_deficit >= deficit)[ways], known[ways])
    if status == "unknown":
        return []
    w = _Writer()
    team = w.name(row[side], f"matches[match_id={int(row['match_id'])}].{side}")
    ever = " ever" if status == "first" else ""
    down = _WORDS.get(deficit) or w.count(deficit, "largest deficit in goals")
    if in_play:
        w(f"{team} were the first team{ever} to come from {down} goals down to win a World Cup ")
        w("knockout match")
    else:
        it = " and win it" if row["stage"] == "final" else " and go through"
        w(f"{team} were the first team{ever} to come from {down} goals down in a World Cup ")
        w(f"knockout match{it} on penalties")
    if ref is not None:
        ref_side = str(ref["through"])
        w(" since ", _against(w, ref, ref_side))
        rarity = _rarity_years(row["date"], ref["date"])
    else:
        rarity = _rarity_years(row["date"], earlier["date"].iloc[0])
    w(".")
    return [w.build("comeback", rarity, row, row[side], ref)]


def late_winner(scope: _Scope) -> list[Precedent]:
    """The latest winning goal in normal time (or in extra time) of a World Cup knockout match
    since ... (``kind="late_winner"``).

    The winning goal is the goal that put the winner ahead for the last time in a match won in
    play (see :func:`knockout_goals`). *In normal time*: a winning goal in the first or second
    half, compared by minute and stoppage minute (90+5' is later than 90+4'); told when it came
    from the 85th minute on. *In extra time*: one in extra time, told from the 115th minute on.
    The reference is the latest earlier knockout match whose winning goal in the same phase came
    at least as late (a tie counts: "the latest since" means none later or as late in between);
    "ever" when every earlier one came earlier (and there was one in the same phase). Minutes and
    stoppage minutes are those of the World Cup database, which has stoppage minutes from 1990
    on: before the first goal with one, a goal written at 45', 90', 105' or 120' may have come
    in stoppage time (``win_exact`` of :func:`knockout_goals`). Such a winning goal is not told,
    and an earlier one at the same minute cannot be compared with a stoppage-time winner, which
    is then not told either.
    """
    row, here = scope.row, scope.here
    if row["won_side"] is None or not here["known"] or pd.isna(here["win_minute"]):
        return []
    if not here["win_exact"]:
        return []
    period = str(here["win_period"])
    extra = period.startswith("extra_time")
    minute, stoppage = int(here["win_minute"]), int(here["win_stoppage"])
    if minute < (LATE_EXTRA_MINUTE if extra else LATE_MINUTE):
        return []
    earlier, stats = scope.earlier, scope.earlier_stats()
    periods = stats["win_period"].astype(str).to_numpy()
    same_phase = np.char.startswith(periods.astype(str), "extra_time") == extra
    same_phase &= stats["win_minute"].notna().to_numpy()
    minutes = pd.to_numeric(stats["win_minute"], errors="coerce").fillna(-1).to_numpy()
    stoppages = pd.to_numeric(stats["win_stoppage"], errors="coerce").fillna(-1).to_numpy()
    as_late = (minutes > minute) | ((minutes == minute) & (stoppages >= stoppage))
    # The chances: matches won in play in the same phase, and those won in play whose record is
    # incomplete (their winning goal may have come in either phase).
    inexact = ~stats["win_exact"].to_numpy(dtype=bool) & (minutes == minute) & (stoppage > 0)
    known = stats["known"].to_numpy(dtype=bool) & ~inexact
    chances = earlier["won_side"].notna().to_numpy() & (same_phase | ~known)
    earlier = earlier[chances]
    status, ref = latest_precedent(earlier, (same_phase & as_late)[chances], known[chances])
    if status == "unknown":
        return []
    mid = int(row["match_id"])
    w = _Writer()
    who = _goal_owner(w, here, f"goals[match_id={mid}, seq={int(here['win_seq'])}]")
    label = minute_label(minute, stoppage)
    w.num(label, label, f"goals[match_id={mid}, seq={int(here['win_seq'])}].minute")
    phase = "extra time" if extra else "normal time"
    if ref is None:
        w(f"{who} winner at {label} was the latest ever in {phase} in a World Cup knockout match")
        rarity = _rarity_years(row["date"], earlier["date"].iloc[0])
    else:
        ref_id = int(ref["match_id"])
        ref_stats = scope.stats.loc[ref_id]
        source = f"goals[match_id={ref_id}, seq={int(ref_stats['win_seq'])}]"
        ref_who = _goal_owner(w, ref_stats, source)
        ref_label = minute_label(int(ref_stats["win_minute"]), int(ref_stats["win_stoppage"]))
        w.num(ref_label, ref_label, source + ".minute")
        w(f"{who} winner at {label} was the latest in {phase} in a World Cup knockout match ")
        w(f"since {ref_who} at {ref_label} for ", _against(w, ref, str(ref["won_side"])))
        rarity = _rarity_years(row["date"], ref["date"])
    w(".")
    team = row[row["won_side"]]
    return [w.build("late_winner", rarity, row, team, ref)]


def _goal_owner(w: _Writer, stats: pd.Series, source: str) -> str:
    """ "Nacer Chadli's" for a winning goal, "Belgium's" for an own goal or an unnamed one."""
    scorer = stats["win_scorer"]
    if isinstance(scorer, str) and scorer and not bool(stats["win_own_goal"]):
        return possessive(w.name(scorer, source + ".scorer"))
    return possessive(w.name(str(stats["win_team"]), source + ".team"))


def first_knockout_goals(scope: _Scope, goals: pd.DataFrame) -> list[Precedent]:
    """A team's first goals in a World Cup knockout match (``kind="first_knockout_goals"``).

    Told for each team that scored in this knockout match after at least one earlier World Cup
    knockout match in which it scored no goal (its score after extra time; shootout kicks are
    not goals; own goals by the opponent count, as the score counts them). Needs only the
    scores of the earlier matches, and the minutes of this match's goals.
    """
    row = scope.row
    if not scope.here["known"]:
        return []
    mid = int(row["match_id"])
    mine = goals[goals["match_id"] == mid].sort_values("seq")
    out = []
    for side in ("home", "away"):
        team = row[side]
        if int(row[f"{side}_score"]) == 0:
            continue
        earlier = scope.earlier
        as_home = earlier["home"] == team
        as_away = earlier["away"] == team
        played = int((as_home | as_away).sum())
        scored = int(earlier.loc[as_home, "home_score"].sum()) + int(
            earlier.loc[as_away, "away_score"].sum()
        )
        if played == 0 or scored > 0:
            continue
        theirs = mine[mine["side"] == side]
        w = _Writer()
        name = w.name(team, f"matches[match_id={mid}].{side}")
        labels = []
        for g in theirs.itertuples(index=False):
            label = minute_label(int(g.minute), int(g.stoppage))
            labels.append(w.num(label, label, f"goals[match_id={mid}, seq={int(g.seq)}].minute"))
        at = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
        noun, verb = ("goal", "was") if len(labels) == 1 else ("goals", "were")
        n = w.count(played, f"earlier World Cup knockout matches of {team}")
        matches = "knockout match" if played == 1 else "knockout matches"
        w(f"{possessive(name)} {noun} at {at} {verb} their first in a World Cup knockout ")
        w(f"match, after {n} {matches} without one.")
        out.append(w.build("first_knockout_goals", _rarity_chances(played + 1), row, team))
    return out


def _reached(world_cup: pd.DataFrame, team: str) -> int:
    """The fewest teams left in any World Cup stage the team played (99: none beyond groups)."""
    theirs = world_cup[(world_cup["home"] == team) | (world_cup["away"] == team)]
    left = [_teams_left(s, y) for s, y in zip(theirs["stage"], theirs["year"], strict=True)]
    return min([n for n in left if n is not None], default=99)


def _teams_left(stage: str, year: int) -> int | None:
    if stage == "second group stage":
        return 8 if year in (1974, 1978) else 12
    return _TEAMS_LEFT.get(stage)


def champions(world_cup: pd.DataFrame) -> set[str]:
    """Teams that won a World Cup among ``world_cup``'s matches: the team that went through in
    each final, and for a tournament decided by a final round (1950) the team with most points
    there (two for a win, one for a draw), when one team has most."""
    finals = world_cup[world_cup["stage"] == "final"]
    won = {str(r[r["through"]]) for _, r in finals.iterrows() if r["through"] is not None}
    rounds = world_cup[world_cup["stage"] == "final round"]
    for _, games in rounds.groupby("year"):
        points: Counter[str] = Counter()
        for r in games.itertuples(index=False):
            points[r.home] += 2 if r.won_side == "home" else 1 if r.won_side is None else 0
            points[r.away] += 2 if r.won_side == "away" else 1 if r.won_side is None else 0
        (top, best), *rest = points.most_common() or [("", 0)]
        if top and all(p < best for _, p in rest):
            won.add(top)
    return won


def stage_reached(scope: _Scope) -> list[Precedent]:
    """A stage reached for the first time, or missed once more (``kind="first_stage"`` and
    ``"stage_missed"``).

    A team *reached* a stage when it played a match of it (or of a later stage; see
    ``_TEAMS_LEFT`` for the group rounds of 1950 and 1974-1982); it *won the World Cup* as in
    :func:`champions`. For a round of 16, quarter-final, semi-final or final:

    - the team that went through "reached the World Cup quarter-finals for the first time" (or
      semi-finals, final; "won the World Cup") when it had never reached that stage or a later
      one, "at their 13th World Cup" counting the tournaments it had played, this one included;
    - the team that went out "fell one step short of a first World Cup quarter-final" when it
      had never reached it either, "for the 3rd time" counting its matches of the same stage it
      did not go through (a drawn match that was replayed does not count), this one included.
    """
    row = scope.row
    stage = row["stage"]
    side = row["through"]
    if stage not in _NEXT or side is None:
        return []
    level, reached, missed = _NEXT[stage]
    before = scope.world_cup
    mid = int(row["match_id"])
    out = []
    winner, loser = row[side], row[_other(side)]
    new = winner not in champions(before) if level == 1 else _reached(before, winner) > level
    if new:
        w = _Writer()
        name = w.name(winner, f"matches[match_id={mid}].{side}")
        theirs = before[(before["home"] == winner) | (before["away"] == winner)]
        cups = len(set(theirs["year"]) | {int(row["year"])})
        if cups == 1:
            at = "their first World Cup"
        else:
            at = f"their {w.count(cups, f'World Cups played by {winner}', ordinal=True)} World Cup"
        w(f"{name} {reached} for the first time, at {at}.")
        out.append(w.build("first_stage", _rarity_chances(cups), row, winner))
    never = loser not in champions(before) if level == 1 else _reached(before, loser) > level
    if never:
        w = _Writer()
        name = w.name(loser, f"matches[match_id={mid}].{_other(side)}")
        theirs = before[(before["home"] == loser) | (before["away"] == loser)]
        same = theirs[theirs["stage"] == stage]
        exits = int((same["through"].notna() & (same["winner"] != loser)).sum()) + 1
        w(f"{name} fell one step short of {missed}")
        if exits > 1:
            w(", for the ", w.count(exits, f"{stage} exits of {loser}", ordinal=True), " time")
        w(".")
        out.append(w.build("stage_missed", _rarity_chances(exits), row, loser))
    return out


def upset(scope: _Scope) -> list[Precedent]:
    """The biggest upset by pre-match rating at a World Cup knockout stage since ...
    (``kind="upset"``).

    The upset is how many Elo points (the store's pre-match ``elo_home``/``elo_away``, World
    Football Elo as fitted by :mod:`heartbreak.ratings.elo`, without home advantage) the team
    that went through (on penalties too) was rated below the team it knocked out; told from
    :data:`UPSET_MIN_POINTS`. The reference is the latest earlier match of the same stage with
    an upset at least as big; "ever" needs an earlier match of the stage.
    """
    row = scope.row
    side = row["through"]
    stage = row["stage"]
    if side is None or stage not in _STAGE_NOUN:
        return []
    gap = float(row[f"elo_{_other(side)}"] - row[f"elo_{side}"])
    if not np.isfinite(gap) or gap < UPSET_MIN_POINTS:
        return []
    earlier = scope.earlier[scope.earlier["stage"] == stage]
    through = earlier["through"].to_numpy(dtype=object)
    eh, ea = earlier["elo_home"].to_numpy(dtype=float), earlier["elo_away"].to_numpy(dtype=float)
    their_gap = np.where(through == "home", ea - eh, np.where(through == "away", eh - ea, -np.inf))
    known = np.isfinite(eh) & np.isfinite(ea)
    status, ref = latest_precedent(earlier, their_gap >= gap, known)
    if status == "unknown":
        return []
    mid = int(row["match_id"])
    w = _Writer()
    team = w.name(row[side], f"matches[match_id={mid}].{side}")
    other = w.name(row[_other(side)], f"matches[match_id={mid}].{_other(side)}")
    points = round_half_up(gap)
    w.num(str(points), gap, f"matches[match_id={mid}].elo_{_other(side)} - elo_{side}")
    w(f"By pre-match rating, {team} ({points} points below {other}) pulled off the biggest upset")
    noun = _stage_noun(w, stage)
    if ref is None:
        w(f" ever in a World Cup {noun}.")
        rarity = _rarity_years(row["date"], earlier["date"].iloc[0])
    else:
        w(f" in a World Cup {noun} since ", _against(w, ref, str(ref["through"])), ".")
        rarity = _rarity_years(row["date"], ref["date"])
    return [w.build("upset", rarity, row, row[side], ref)]


def hat_trick(scope: _Scope) -> list[Precedent]:
    """The first hat-trick at a World Cup knockout stage since ... (``kind="hat_trick"``).

    A hat-trick is three or more goals by one player in the match, own goals not counted; the
    reference is the latest earlier match of the same stage with one; "ever" needs an earlier
    match of the stage. Matches with a goal without a scorer's name cannot be judged.
    """
    row, here = scope.row, scope.here
    stage = row["stage"]
    if stage not in _STAGE_NOUN or not here["scorers_known"]:
        return []
    scorer = here["hat_trick_scorer"]
    if not isinstance(scorer, str):
        return []
    earlier = scope.earlier[scope.earlier["stage"] == stage]
    stats = scope.stats.loc[earlier["match_id"].to_numpy()]
    hit = stats["hat_trick_scorer"].map(lambda s: isinstance(s, str)).to_numpy(dtype=bool)
    status, ref = latest_precedent(earlier, hit, stats["scorers_known"].to_numpy(dtype=bool))
    if status == "unknown":
        return []
    mid = int(row["match_id"])
    w = _Writer()
    name = w.name(scorer, f"goals[match_id={mid}].scorer")
    noun = _stage_noun(w, stage)
    if ref is None:
        w(f"{name} scored the first ever hat-trick in a World Cup {noun}.")
        rarity = _rarity_years(row["date"], earlier["date"].iloc[0])
    else:
        ref_id = int(ref["match_id"])
        ref_stats = scope.stats.loc[ref_id]
        ref_name = w.name(str(ref_stats["hat_trick_scorer"]), f"goals[match_id={ref_id}].scorer")
        ref_team = str(ref_stats["hat_trick_team"])
        ref_side = "home" if ref["home"] == ref_team else "away"
        w(f"{name} scored the first hat-trick in a World Cup {noun} since {ref_name} for ")
        w(_against(w, ref, ref_side), ".")
        rarity = _rarity_years(row["date"], ref["date"])
    return [w.build("hat_trick", rarity, row, str(here["hat_trick_team"]), ref)]


def rout(scope: _Scope) -> list[Precedent]:
    """The biggest winning margin at a World Cup knockout stage since ... (``kind="rout"``).

    Told for a win by :data:`MIN_MARGIN` goals or more; the reference is the latest earlier
    match of the same stage won by at least as many goals; "ever" needs an earlier match of the
    stage.
    """
    row = scope.row
    stage = row["stage"]
    side = row["won_side"]
    if side is None or stage not in _STAGE_NOUN:
        return []
    margin = abs(int(row["home_score"]) - int(row["away_score"]))
    if margin < MIN_MARGIN:
        return []
    earlier = scope.earlier[scope.earlier["stage"] == stage]
    margins = (earlier["home_score"] - earlier["away_score"]).abs().to_numpy()
    status, ref = latest_precedent(earlier, margins >= margin, np.ones(len(earlier), bool))
    if status == "unknown":
        return []
    mid = int(row["match_id"])
    w = _Writer()
    team = w.name(row[side], f"matches[match_id={mid}].{side}")
    other = w.name(row[_other(side)], f"matches[match_id={mid}].{_other(side)}")
    score = _score(w, row, side)
    w(f"{possessive(team)} {score} win over {other} was the biggest winning margin ")
    noun = _stage_noun(w, stage)
    if ref is None:
        w(f"ever in a World Cup {noun}.")
        rarity = _rarity_years(row["date"], earlier["date"].iloc[0])
    else:
        ref_side = str(ref["won_side"])
        w(f"in a World Cup {noun} since ", _against(w, ref, ref_side))
        w(" (", _score(w, ref, ref_side), ").")
        rarity = _rarity_years(row["date"], ref["date"])
    return [w.build("rout", rarity, row, row[side], ref)]


def _score(w: _Writer, row: pd.Series, side: str) -> str:
    """The score with ``side``'s goals first: "7-1"."""
    own, other = int(row[f"{side}_score"]), int(row[f"{_other(side)}_score"])
    return w.num(f"{own}-{other}", (own, other), f"matches[match_id={int(row['match_id'])}] score")


# --- all competitions -----------------------------------------------------------------------


def _team_matches(earlier: pd.DataFrame, team: str) -> tuple[pd.DataFrame, np.ndarray]:
    """The team's earlier matches and, for each, the team's side ("home"/"away")."""
    theirs = earlier[(earlier["home"] == team) | (earlier["away"] == team)]
    return theirs, np.where(theirs["home"].to_numpy() == team, "home", "away")


def first_win_over(row: pd.Series, earlier: pd.DataFrame) -> list[Precedent]:
    """A team's first win over an opponent (``kind="first_win_over"``), all competitions.

    Told for the team that won in play when it had met the opponent at least
    :data:`MIN_MEETINGS` times before (every match in the data, friendlies included) and won
    none of them (a shootout is not a win).
    """
    side = row["won_side"]
    if side is None:
        return []
    team, other = row[side], row[_other(side)]
    meetings = earlier[
        ((earlier["home"] == team) & (earlier["away"] == other))
        | ((earlier["home"] == other) & (earlier["away"] == team))
    ]
    if len(meetings) < MIN_MEETINGS:
        return []
    won = meetings["won_side"].to_numpy(dtype=object)
    theirs = np.where(meetings["home"].to_numpy() == team, "home", "away")
    if (won == theirs).any():
        return []
    mid = int(row["match_id"])
    w = _Writer()
    name = w.name(team, f"matches[match_id={mid}].{side}")
    opp = w.name(other, f"matches[match_id={mid}].{_other(side)}")
    n = w.count(len(meetings), f"earlier meetings of {team} and {other}")
    first = meetings.iloc[0]
    w(f"{name} had never beaten {opp} in {n} earlier meetings, the first in {w.year(first)}.")
    return [w.build("first_win_over", _rarity_chances(len(meetings) + 1), row, team, None)]


def winless_run_ended(row: pd.Series, earlier: pd.DataFrame) -> list[Precedent]:
    """A win that ended a long run without one (``kind="winless_run_ended"``).

    Told for the team that won in play when its matches just before (all competitions) had
    gone :data:`MIN_WINLESS_RUN` or more without a win (draws, defeats and shootouts); the run
    goes back to the match after its last win, or to its first match in the data.
    """
    side = row["won_side"]
    if side is None:
        return []
    team = row[side]
    theirs, sides = _team_matches(earlier, team)
    wins = np.flatnonzero(theirs["won_side"].to_numpy(dtype=object) == sides)
    start = int(wins[-1]) + 1 if len(wins) else 0
    run = len(theirs) - start
    if run < MIN_WINLESS_RUN:
        return []
    first = theirs.iloc[start]
    mid = int(row["match_id"])
    w = _Writer()
    name = w.name(team, f"matches[match_id={mid}].{side}")
    n = w.count(run, f"matches of {team} since its last win")
    day = _day(first["date"])
    month = MONTHS[day.month - 1]
    w(f"The win ended a run of {n} matches without a win for {name}, going back to {month} ")
    w(w.year(first), ".")
    return [w.build("winless_run_ended", 1.0 - 0.5 ** (run / 20), row, team, None)]


def heaviest_defeat(row: pd.Series, earlier: pd.DataFrame) -> list[Precedent]:
    """A team's heaviest defeat since ... (``kind="heaviest_defeat"``), all competitions.

    Told for a defeat by :data:`MIN_MARGIN` goals or more (after extra time); the reference is
    the team's latest earlier defeat by at least as many goals; "ever" means heavier than every
    defeat since its first match in the data, and needs :data:`MIN_HISTORY` earlier matches.
    """
    side = row["won_side"]
    if side is None:
        return []
    loser_side = _other(side)
    team = row[loser_side]
    margin = abs(int(row["home_score"]) - int(row["away_score"]))
    if margin < MIN_MARGIN:
        return []
    theirs, sides = _team_matches(earlier, team)
    if len(theirs) == 0:
        return []
    hs, as_ = theirs["home_score"].to_numpy(), theirs["away_score"].to_numpy()
    lost_by = np.where(sides == "home", as_ - hs, hs - as_)
    _status, ref = latest_precedent(theirs, lost_by >= margin, np.ones(len(theirs), bool))
    mid = int(row["match_id"])
    w = _Writer()
    name = w.name(team, f"matches[match_id={mid}].{loser_side}")
    if ref is None:
        w(f"It was {possessive(name)} heaviest defeat ever.")
        rarity = _rarity_years(row["date"], theirs["date"].iloc[0])
    else:
        ref_side = "home" if ref["home"] == team else "away"
        opp = w.name(ref[_other(ref_side)], f"matches[match_id={int(ref['match_id'])}].opponent")
        score = _score(w, ref, ref_side)
        w(f"It was {possessive(name)} heaviest defeat since losing {score} to {opp} in ")
        w(w.year(ref), ".")
        rarity = _rarity_years(row["date"], ref["date"])
    return [w.build("heaviest_defeat", rarity, row, team, ref)]


# --- all together ---------------------------------------------------------------------------


class History:
    """The history the precedent queries read, prepared once for many matches.

    ``matches`` and ``goals`` are the store's tables (:meth:`Store.matches`,
    :meth:`Store.all_goals`), whole or in part. The preparation (:func:`prepare_matches`, the
    World Cup subsets, each team's rows and the goal summaries of World Cup knockout matches) is
    done here once, so that :meth:`precedents` costs only the queries of one match: a server
    answering many replays keeps one ``History``. Every answer equals :func:`precedents` on the
    same tables.
    """

    def __init__(self, matches: pd.DataFrame, goals: pd.DataFrame) -> None:
        m = prepare_matches(matches)
        self.matches = m
        self.goals = goals
        imported = (m["source"] == USER_SOURCE).to_numpy() if "source" in m else None
        self._imported = imported if imported is not None and imported.any() else None
        self._position = pd.Series(np.arange(len(m)), index=m["match_id"].to_numpy())
        self._dates = m["date"].to_numpy()
        # Matches dated before D are the prefix m[:searchsorted(D)] (m is in date order).
        history = m if self._imported is None else m[~self._imported]
        self._world_cup = history[history["world_cup"].to_numpy()]
        self._knockouts = self._world_cup[self._world_cup["wc_knockout"].to_numpy()]
        # Matches with a goal given a stoppage minute.
        self._timed = set(goals.loc[goals["stoppage"].fillna(0) > 0, "match_id"].astype(int))
        self._wc_timed = self._world_cup["match_id"].isin(self._timed).to_numpy()
        self._stats: dict[Any, pd.DataFrame] = {}

    def _before(self, frame: pd.DataFrame, date: Any) -> pd.DataFrame:
        """The rows of a date-ordered subset of the matches dated strictly before ``date``."""
        return frame.iloc[: int(np.searchsorted(frame["date"].to_numpy(), date, side="left"))]

    def _knockout_stats(self, stoppage_from: Any) -> pd.DataFrame:
        """:func:`knockout_goals` of every World Cup knockout match, once per stoppage date."""
        key = None if stoppage_from is None else pd.Timestamp(stoppage_from)
        if key not in self._stats:
            self._stats[key] = knockout_goals(self._knockouts, self.goals, stoppage_from)
        return self._stats[key]

    def precedents(self, match_id: int, *, side: Side | str | None = None) -> list[Precedent]:
        """True facts about one match from the history before it, strongest first (see
        :func:`precedents`)."""
        if int(match_id) not in self._position.index:
            raise KeyError(f"no match with id {match_id}")
        at = int(self._position[int(match_id)])
        m = self.matches
        row = m.iloc[at]
        if self._imported is not None and self._imported[at]:
            return []
        earlier = m.iloc[: int(np.searchsorted(self._dates, self._dates[at], side="left"))]
        if self._imported is not None:
            earlier = earlier[~self._imported[: len(earlier)]]
        facts: list[Precedent] = []
        if row["wc_knockout"]:
            world_cup = self._before(self._world_cup, self._dates[at])
            ko = self._before(self._knockouts, self._dates[at])
            # The first day the World Cup data has a stoppage minute (from it on they are
            # written), among the earlier World Cup matches and this one.
            timed_dates = world_cup["date"].to_numpy()[self._wc_timed[: len(world_cup)]]
            here_timed = int(match_id) in self._timed
            candidates = [*timed_dates[:1], *([row["date"]] if here_timed else [])]
            stoppage_from = min(candidates) if candidates else None
            ids = np.append(ko["match_id"].to_numpy(), int(match_id))
            stats = self._knockout_stats(stoppage_from).loc[ids]
            scope = _Scope(row=row, earlier=ko, stats=stats, world_cup=world_cup)
            facts += comeback(scope)
            facts += late_winner(scope)
            facts += first_knockout_goals(scope, self.goals)
            facts += stage_reached(scope)
            facts += upset(scope)
            facts += hat_trick(scope)
            facts += rout(scope)
        facts += first_win_over(row, earlier)
        facts += winless_run_ended(row, earlier)
        facts += heaviest_defeat(row, earlier)
        ours = _team_of(row, side)
        return sorted(facts, key=lambda f: (-f.strength, f.team != ours if ours else False))


def precedents(
    match_id: int,
    matches: pd.DataFrame,
    goals: pd.DataFrame,
    *,
    side: Side | str | None = None,
) -> list[Precedent]:
    """True facts about one match from the history before it, strongest first.

    ``matches`` and ``goals`` are the store's tables (:meth:`Store.matches`,
    :meth:`Store.all_goals`), whole or in part: only matches dated before this one (and the
    match itself) are read, and never a match a user imported. ``side`` (a
    :class:`~heartbreak.domain.Side`, "home"/"away" or a team's name) is the point of view:
    among facts of equal strength, those about that side's team come first. An unknown
    ``match_id`` raises KeyError. For many matches over the same tables, keep one
    :class:`History`.
    """
    return History(matches, goals).precedents(match_id, side=side)


def _team_of(row: pd.Series, side: Side | str | None) -> str | None:
    if side is None:
        return None
    text = str(side.value if isinstance(side, Side) else side)
    if text in ("home", "away"):
        return str(row[text])
    if text in (row["home"], row["away"]):
        return text
    raise ValueError(f"side: {side!r} did not play in {row['home']} v {row['away']}")
