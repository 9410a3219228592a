"""The story of a match in words, generated from its :class:`~heartbreak.story.facts.StoryFacts`.

:func:`tell_story` tells three to six sentences from one side's point of view (by default the
losing side, else the home side): the setting and the side's chance before kick-off, how the
lead came and went, the side's best (or worst) moment, the turn, the decisive moment and what
it meant. The wording follows the situation (a lead thrown away, a comeback, a late winner, a
shootout, a routine win, a draw, a red card); no sentence is written for a particular match.
Given ``context`` (true facts from the history before the match, from
:mod:`heartbreak.story.records`), it ends with the one or two strongest of them.

Every number in the text is written by a helper that also records it as a
:class:`StoryNumber` with where it came from (a point of the path, an event, the match date);
digits that come inside names (a team called "Team 1", the stage "round of 16") are traced to
the name. :meth:`Story.numbers` can so be checked against the replay number by number, and a
sentence with a number of unknown origin is a programming error.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from heartbreak.domain import Match, Period, Side
from heartbreak.drama.emotions import Emotion, fan_emotions
from heartbreak.model.path import PointKind, ProbabilityPath
from heartbreak.story.facts import (
    SEALED,
    Decisive,
    GoalFact,
    Lead,
    Moment,
    StoryFacts,
    chance_of,
    goal_phrase,
    kind_mask,
    live_points,
    moment_at,
    shootout_start,
    story_facts,
)
from heartbreak.story.records import Precedent
from heartbreak.wording import MONTHS, chance_parts, number_tokens, possessive, round_half_up

MIN_SENTENCES, MAX_SENTENCES = 3, 6
#: Middle sentences a story keeps before it makes room for a second context fact.
MIDDLE_KEPT_WITH_CONTEXT = 3
#: How many precedents (the strongest) a story with context tells, and how strong each must be.
CONTEXT_SENTENCES = 2
CONTEXT_MIN_STRENGTH = 0.1
#: A win whose chance stayed above the sealed level with this many minutes left was routine.
ROUTINE_MINUTES = 20.0
#: A decisive goal's effect on the side's chance is told when it moved it at least this much.
MIN_SWING = 0.15
#: A goal in a match played at the same time is told when it moved the side's chance this much.
ELSEWHERE_MOVE = 0.1


@dataclass(frozen=True)
class StoryNumber:
    """One number in a story and where it came from.

    ``text`` is the number as written (``"93%"``, ``"90+4'"``, ``"2-0"``, ``"26"``). ``kind``:

    - ``"percent"``: ``value`` is the story side's chance of what matters at path point
      ``index`` (:func:`~heartbreak.story.facts.chance_of`); ``relation`` is ``"="`` when the
      text is the value rounded to a whole percent, ``">"``/``"<"`` when the text is a bound
      ("over 99%", "under 1%").
    - ``"threshold"``: a fixed level the text compares the path with (``value``; e.g. "never
      below 90%" from point ``index`` on).
    - ``"minute"``: the minute label of path point ``index`` (``event_index`` for an event).
    - ``"score"``: ``value`` is (goals of ``side``, goals of the other side) at point ``index``.
    - ``"shootout_score"``: ``value`` is the shootout's score at point ``index``
      (:meth:`~heartbreak.model.path.ProbabilityPath.shootout_score`), ``side``'s goals first.
    - ``"minutes_left"``: ``value`` is ``path.time_left[index]``, written rounded.
    - ``"players"``: ``value`` players left on the pitch for ``side`` at point ``index``.
    - ``"date"``: a part of ``info.date`` (``value`` is the date).
    - ``"goals"``: how many goals a player scored (counted in ``path.events``).
    - ``"red_cards"``: how many red cards the match had (counted in ``path.events``).
    - ``"name"``: digits inside a name from the data (``value`` is the name, ``source`` says
      which: a team, a player, the competition, the stage).
    - ``"precedent"``: a number of a context fact (:class:`heartbreak.story.records.Precedent`):
      ``value`` and ``source`` as the precedent query gives them, ``source`` prefixed with
      ``precedents:<kind>:``.
    """

    text: str
    kind: str
    value: Any
    source: str
    index: int | None = None
    event_index: int | None = None
    side: Side | None = None
    relation: str = "="

    def to_dict(self) -> dict[str, Any]:
        value = self.value
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        return {
            "text": self.text,
            "kind": self.kind,
            "value": value,
            "source": self.source,
            "index": self.index,
            "event_index": self.event_index,
            "side": None if self.side is None else self.side.value,
            "relation": self.relation,
        }


@dataclass(frozen=True)
class Story:
    """A match told in a few sentences from ``side``'s point of view, with its facts."""

    side: Side
    team: str
    sentences: tuple[str, ...]
    facts: StoryFacts
    number_sources: tuple[StoryNumber, ...] = field(repr=False)

    @property
    def text(self) -> str:
        return " ".join(self.sentences)

    def numbers(self) -> tuple[StoryNumber, ...]:
        """Every number in :attr:`text` (sentence by sentence) with where it came from."""
        return self.number_sources

    def to_dict(self) -> dict[str, Any]:
        return {
            "side": self.side.value,
            "team": self.team,
            "text": self.text,
            "sentences": list(self.sentences),
            "numbers": [n.to_dict() for n in self.number_sources],
            "facts": self.facts.to_dict(),
        }

    def __str__(self) -> str:
        return self.text


# --- writing numbers ------------------------------------------------------------------------


@dataclass
class _Line:
    """A sentence being written, the numbers in it and where it sits in the story."""

    order: float
    priority: int
    parts: list[str] = field(default_factory=list)
    numbers: list[StoryNumber] = field(default_factory=list)

    @property
    def text(self) -> str:
        text = "".join(self.parts).strip()
        return text[:1].upper() + text[1:]


class _Pen:
    """Formats numbers and records where each came from, one line at a time."""

    def __init__(self, path: ProbabilityPath, facts: StoryFacts, emotions: np.ndarray) -> None:
        self.path = path
        self.facts = facts
        self.chance = chance_of(path, facts.side)
        self.emotions = emotions
        self.line: _Line | None = None

    def start(self, order: float, priority: int) -> _Line:
        self.line = _Line(order, priority)
        return self.line

    def add(self, number: StoryNumber) -> str:
        """Record a number in the current line; returns its text."""
        assert self.line is not None
        self.line.numbers.append(number)
        return number.text

    def write(self, *parts: str) -> None:
        assert self.line is not None
        self.line.parts.extend(parts)

    # Chances of what matters for the story side.
    def pct(self, index: int) -> str:
        """The side's chance at a point: "93%" (or "over 99%", "under 1%")."""
        value = float(self.chance[index])
        source = f"chance_of(path, {self.facts.side.value})[{index}]"
        qualifier, number = chance_parts(value)
        relation = {"over ": ">", "under ": "<"}.get(qualifier, "=")
        return qualifier + self.add(
            StoryNumber(number, "percent", value, source, index=index, relation=relation)
        )

    def threshold(self, level: float, index: int) -> str:
        return self.add(
            StoryNumber(f"{round_half_up(level * 100)}%", "threshold", level, "SEALED", index)
        )

    def minute(self, moment: Moment) -> str:
        if moment.period == Period.SHOOTOUT.value:
            return "the shootout"
        event = moment.event_index if moment.event_index >= 0 else None
        source = f"path.events[{event}].label" if event is not None else f"path[{moment.index}]"
        return self.add(
            StoryNumber(
                moment.label, "minute", moment.label, source, moment.index, event_index=event
            )
        )

    def score(self, side: Side, index: int) -> str:
        home, away = int(self.path.home_goals[index]), int(self.path.away_goals[index])
        first, second = (home, away) if side is Side.HOME else (away, home)
        return self.add(
            StoryNumber(
                f"{first}-{second}",
                "score",
                (first, second),
                f"path.home_goals/away_goals[{index}]",
                index,
                side=side,
            )
        )

    def shootout_score(self, side: Side, index: int) -> str:
        home, away = self.path.shootout_score(index)
        first, second = (home, away) if side is Side.HOME else (away, home)
        return self.add(
            StoryNumber(
                f"{first}-{second}",
                "shootout_score",
                (first, second),
                f"path.shootout_score({index})",
                index,
                side=side,
            )
        )

    def minutes_left(self, moment: Moment) -> str:
        """ "about 26 minutes left" (regulation or extra time, as the path counts it)."""
        value = float(self.path.time_left[moment.index])
        shown = round_half_up(value)
        regulation = moment.period in (Period.FIRST_HALF.value, Period.SECOND_HALF.value)
        of_what = " of normal time" if self.path.knockout and regulation else ""
        if shown <= 1:
            return f"barely a minute{of_what} left"
        number = StoryNumber(
            str(shown), "minutes_left", value, f"path.time_left[{moment.index}]", moment.index
        )
        return f"about {self.add(number)} minutes{of_what} left"

    def players(self, side: Side, index: int) -> str:
        reds = self.path.home_reds if side is Side.HOME else self.path.away_reds
        count = 11 - int(reds[index])
        number = StoryNumber(
            str(count), "players", count, f"11 - path.{side.value}_reds[{index}]", index, side=side
        )
        return f"{self.add(number)} men"

    def date(self, day: dt.date) -> str:
        d = self.add(StoryNumber(str(day.day), "date", day, "info.date"))
        y = self.add(StoryNumber(str(day.year), "date", day, "info.date"))
        return f"{d} {MONTHS[day.month - 1]} {y}"

    def names(self) -> list[tuple[str, str]]:
        """Names from the data that the text may quote, with where each came from."""
        info, stake = self.facts.info, self.facts.stake
        out = [
            (info.home, "info.home"),
            (info.away, "info.away"),
            (info.competition, "info.competition"),
            (info.stage or "", "info.stage"),
            (info.city or "", "info.city"),
            (stake.prize, "stake.prize"),
            (stake.phrase, "stake.phrase"),
        ]
        out += [
            (e.player or "", f"path.events[{i}].player") for i, e in enumerate(self.path.events)
        ]
        return [(name, source) for name, source in out if name]

    def finish(self, line: _Line) -> _Line:
        """Record the digits that names quoted in the line bring with them (a team called
        "Team 1", a stage called "round of 16"), so that every number in it has a source."""
        text = line.text
        left = Counter(number_tokens(text))
        left.subtract(n.text for n in line.numbers)
        for token, count in left.items():
            if count < 0:
                raise AssertionError(f"number {token!r} recorded but not written in {text!r}")
            for _ in range(count):
                source = next(
                    (
                        (name, where)
                        for name, where in self.names()
                        if name in text and token in number_tokens(name)
                    ),
                    None,
                )
                if source is None:
                    raise AssertionError(f"number {token!r} in {text!r} has no source")
                line.numbers.append(StoryNumber(token, "name", source[0], source[1]))
        return line


# --- words ----------------------------------------------------------------------------------


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _article(word: str) -> str:
    """ "a" or "an" before a word or a written number ("an 80% chance", "an 11% chance")."""
    if word[:1].isdigit():
        digits = re.match(r"\d+", word)
        number = digits.group(0) if digits else ""
        return "an" if number.startswith("8") or number in ("11", "18") else "a"
    return "an" if word[:1].upper() in "AEIO" else "a"


def _a_chance(pen: _Pen, index: int) -> str:
    """ "a 20% chance", "an 80% chance", "a chance of over 99%"."""
    text = pen.pct(index)
    if not text[:1].isdigit():
        return f"a chance of {text}"
    return f"{_article(text)} {text} chance"


def _subject(goal: GoalFact | Decisive) -> str:
    """A goal as the subject of a clause: "Takashi Inui", "a penalty by X", "an own goal by X"."""
    player = goal.player
    if goal.own_goal:
        return f"an own goal by {player}" if player else f"an own goal for {goal.team}"
    if not player:
        return f"{_article(goal.team)} {goal.team} goal"
    return f"a penalty by {player}" if goal.penalty else player


def _scored(goal: GoalFact | Decisive, what: str) -> str:
    """ "Nacer Chadli scored the winner", "an own goal by X gave Spain the winner"."""
    player = goal.player
    if goal.own_goal:
        who = f"an own goal by {player}" if player else "an own goal"
        return f"{who} gave {goal.team} {what}"
    if not player:
        return f"{goal.team} scored {what}"
    if goal.penalty:
        return f"{player} scored {what} from the penalty spot"
    return f"{player} scored {what}"


def _scorers(pen: _Pen, goals: list[GoalFact]) -> str:
    """ "Genki Haraguchi at 48' and Takashi Inui at 52'"."""
    return _join([f"{_subject(goal)} at {pen.minute(goal.moment)}" for goal in goals])


def _chance_goal(facts: StoryFacts) -> str:
    """What the side's chance is a chance of: "reaching the quarter-finals", "winning"."""
    return goal_phrase(facts.stake, facts.chance_of)


def _team(facts: StoryFacts, side: Side) -> str:
    return facts.team if side is facts.side else facts.opponent


def _where(pen: _Pen, facts: StoryFacts) -> str:
    """ "the round of 16 of the FIFA World Cup in Rostov-on-Don on 2 July 2018"."""
    info = facts.info
    competition = info.competition
    stage = info.stage
    if not stage and pen.path.stakes is not None:
        stage = "group stage"  # a group inferred from the results
    if stage and stage.strip().casefold() == "final":
        what = f"the {competition} final"
    elif stage:
        what = f"the {stage} of the {competition}"
    elif competition.casefold() == "friendly":
        what = "a friendly"
    else:
        what = f"{_article(competition)} {competition} match"
    place = f" in {info.city}" if info.city else ""
    return f"{what}{place} on {pen.date(info.date)}"


def _when(pen: _Pen, moment: Moment) -> str:
    """How late a moment was: "deep in stoppage time", "in extra time", "with about 7 minutes
    left" (late in a period without stoppage yet), or "" (not late)."""
    if moment.in_stoppage:
        where = "extra time" if moment.in_extra_time else "stoppage time"
        return f"deep in {where}" if moment.stoppage >= 3 else f"in {where}"
    if moment.in_extra_time:
        return "in extra time"
    if moment.late:
        return f"with {pen.minutes_left(moment)}"
    return ""


def _final_score(pen: _Pen, facts: StoryFacts) -> str:
    """The final score, the winner's goals first: "3-2", "2-1 after extra time"."""
    winner = facts.result.winner
    by_goals = winner is not None and facts.result.shootout_winner is None
    text = pen.score(winner if by_goals else facts.side, len(pen.path) - 1)
    if facts.result.extra_time:
        text += " after extra time"
    return text


def _goals_between(
    facts: StoryFacts, after: int, upto: int, side: Side | None = None
) -> list[GoalFact]:
    """Goals with ``after < index <= upto`` on the path (of one side if given)."""
    return [
        g
        for g in facts.goals
        if after < g.moment.index <= upto and (side is None or g.side is side)
    ]


def _spell_around(spells: tuple[Lead, ...], index: int) -> Lead:
    """The lead spell in force at a path point (the point just before a goal counts), else the
    last spell."""
    for lead in spells:
        end = lead.end.index if lead.end is not None else 10**9
        if lead.start.index <= index <= end:
            return lead
    return spells[-1]


# --- the sentences --------------------------------------------------------------------------


def _setting(pen: _Pen, facts: StoryFacts) -> _Line:
    line = pen.start(order=-1.0, priority=0)
    pre = facts.prematch.value
    role = "as outsiders, " if pre < 0.3 else "as favourites, " if pre > 0.6 else ""
    pen.write(
        f"{facts.team} faced {facts.opponent} in {_where(pen, facts)}, {role}with ",
        f"{_a_chance(pen, facts.prematch.moment.index)} of {_chance_goal(facts)} before kick-off.",
    )
    return line


def _early(pen: _Pen, facts: StoryFacts, before: int) -> _Line | None:
    """Goals before a lead spell began (the score was level again when it did)."""
    goals = [g for g in facts.goals if g.moment.index < before]
    if not goals:
        return None
    line = pen.start(order=goals[0].moment.index, priority=5)
    pen.write(f"{_scorers(pen, goals)} made it {pen.score(facts.side, goals[-1].moment.index)}.")
    return line


def _lead_built(pen: _Pen, facts: StoryFacts, lead: Lead) -> _Line:
    """ "Genki Haraguchi at 48' and Takashi Inui at 52' put Japan 2-0 up"."""
    line = pen.start(order=lead.start.index, priority=2)
    built = _goals_between(facts, lead.start.index - 1, lead.margin_from.index, lead.side)
    score = pen.score(lead.side, lead.margin_from.index)
    ahead = "ahead" if lead.margin == 1 else "up"
    pen.write(f"{_scorers(pen, built)} put {_team(facts, lead.side)} {score} {ahead}.")
    return line


def _peak(pen: _Pen, facts: StoryFacts) -> _Line | None:
    """The story side's best moment (the shootout has a sentence of its own)."""
    peak = facts.peak
    if peak.moment.period == Period.SHOOTOUT.value:
        return None
    if facts.in_progress and peak.moment.index == len(pen.path) - 1:
        return None  # where a match in progress stands now: the closing sentence tells it
    line = pen.start(order=peak.moment.index, priority=4)
    pen.write(
        f"At {pen.minute(peak.moment)} {possessive(facts.team)} chance of ",
        f"{_chance_goal(facts)} stood at {pen.pct(peak.moment.index)}, with ",
        f"{pen.minutes_left(peak.moment)}.",
    )
    return line


def _low(pen: _Pen, facts: StoryFacts) -> _Line | None:
    """The story side's worst moment (the shootout has a sentence of its own)."""
    low = facts.low
    if low.moment.period == Period.SHOOTOUT.value:
        return None
    if facts.in_progress and low.moment.index == len(pen.path) - 1:
        return None  # where a match in progress stands now: the closing sentence tells it
    line = pen.start(order=low.moment.index, priority=4)
    pen.write(
        f"By {pen.minute(low.moment)} {possessive(facts.team)} chance of ",
        f"{_chance_goal(facts)} was down to {pen.pct(low.moment.index)}, with ",
        f"{pen.minutes_left(low.moment)}.",
    )
    return line


def _fightback(pen: _Pen, facts: StoryFacts, goals: list[GoalFact], by: Side) -> _Line:
    """Goals that cut a lead: "Then Belgium hit back: X at 69' and Y at 74' made it 2-2"."""
    line = pen.start(order=goals[0].moment.index, priority=2)
    last = goals[-1]
    score = pen.score(by, last.moment.index)
    result = (
        f"brought them level at {score}"
        if last.home_goals == last.away_goals
        else (f"made it {score}")
    )
    pen.write(f"Then {_team(facts, by)} hit back: {_scorers(pen, goals)} {result}")
    turn = facts.turn
    hit = [g for g in goals if g.moment.index == turn.moment.index] if turn else []
    if turn is not None and hit:
        moved = "cutting" if turn.after < turn.before else "lifting"
        numbers = f"{pen.pct(turn.moment.index - 1)} to {pen.pct(turn.moment.index)}"
        if len(goals) == 1:
            pen.write(f", {moved} {possessive(facts.team)} chance from {numbers}")
        else:
            word = "equaliser" if hit[0].home_goals == hit[0].away_goals else "goal"
            pen.write(
                f"; the {word} at {pen.minute(turn.moment)} alone took ",
                f"{possessive(facts.team)} chance from {numbers}",
            )
    pen.write(".")
    return line


def _decisive(pen: _Pen, facts: StoryFacts) -> _Line | None:
    d = facts.decisive
    if d is None:
        return None
    line = pen.start(order=d.moment.index, priority=1)
    team = _team(facts, d.side)
    if d.kind == "shootout":
        after = " after extra time" if facts.result.extra_time else " at full time"
        level = pen.score(facts.side, len(pen.path) - 1)
        pen.write(
            f"Level at {level}{after}, the match went to penalties, where ",
            f"{possessive(facts.team)} chance of {_chance_goal(facts)} stood at ",
            f"{pen.pct(shootout_start(pen.path))}, and {_shootout_won(pen, d, team)}.",
        )
        return line
    minute = pen.minute(d.moment)
    when = _when(pen, d.moment)
    when = f", {when}" if when else ""
    swing = _swing(pen, facts, d)
    later = _goals_between(facts, d.moment.index, len(pen.path))
    first = facts.goals[0].moment.index == d.moment.index
    # "and Belgium won 3-2"; "and won 1-0" when the team itself is the subject (no scorer known).
    team_subject = not d.player and not d.own_goal

    def won(subject: str = team) -> str:
        if later:
            return ""
        if team_subject:
            return f", and won {_final_score(pen, facts)}"
        return f", and {subject} won {_final_score(pen, facts)}"

    if d.kind == "equaliser":
        pen.write(f"{_scored(d, 'the equaliser')} at {minute}{when}{swing}")
        pen.write(f", and it finished {_final_score(pen, facts)}.")
    elif first and not later:
        pen.write(f"{_scored(d, 'the only goal')} at {minute}{when}{swing}{won()}.")
    elif first:
        pen.write(
            f"{_scored(d, 'the first goal')} at {minute}{when}{swing}, and {team} never trailed."
        )
    elif d.moment.late or d.moment.in_extra_time:
        pen.write(f"At {minute}{when}, {_scored(d, 'the winner')}{swing}{won()}.")
    else:
        pen.write(f"{_subject(d)} put {team} ahead for good at {minute}{swing}{won('they')}.")
    return line


def _shootout_won(pen: _Pen, d: Decisive, team: str) -> str:
    """ "Argentina won the shootout", with its score and the kick that decided it when the
    kicks are known: "Gonzalo Montiel's kick won the shootout 4-2 for Argentina", "Croatia won
    the shootout 4-2 when Marquinhos missed"."""
    kick = d.kick
    if kick is None:
        return f"{team} won the shootout"
    score = pen.shootout_score(d.side, d.moment.index)
    if kick.player and kick.converted and kick.side is d.side:
        return f"{possessive(kick.player)} kick won the shootout {score} for {team}"
    if kick.player and not kick.converted and kick.side is not d.side:
        return f"{team} won the shootout {score} when {kick.player} missed"
    return f"{team} won the shootout {score}"


def _swing(pen: _Pen, facts: StoryFacts, d: Decisive) -> str:
    """ ", cutting Senegal's chance of winning from 84% to 18%" when the decisive goal was the
    story side's turn, or ", lifting England's chance ..." when it came at the side's lowest."""
    index = d.moment.index
    if abs(pen.chance[index] - pen.chance[index - 1]) < MIN_SWING:
        return ""
    turn = facts.turn
    if turn is not None and turn.moment.index == index:
        verb = "cutting"
    elif facts.low.moment.index == index - 1 and d.side is facts.side:
        verb = "lifting"
    else:
        return ""
    numbers = f"{pen.pct(index - 1)} to {pen.pct(index)}"
    return f", {verb} {possessive(facts.team)} chance of {_chance_goal(facts)} from {numbers}"


def _tally(pen: _Pen, facts: StoryFacts) -> _Line | None:
    """Goals after the decisive one: "Brazil went on to win 7-1, Philippe Coutinho scoring a
    hat-trick", or "X at 60' added another, and Y replied at 70'; Germany won 2-1"."""
    d = facts.decisive
    if d is None or d.kind != "winning_goal":
        return None
    later = _goals_between(facts, d.moment.index, len(pen.path))
    if not later:
        return None
    line = pen.start(order=later[0].moment.index, priority=2)
    winner = _team(facts, d.side)
    theirs = [g for g in later if g.side is d.side]
    replies = [g for g in later if g.side is not d.side]
    score = _final_score(pen, facts)
    if len(theirs) > 2:
        pen.write(f"{winner} went on to win {score}")
        scorers = [
            g.player for g in facts.goals if g.side is d.side and g.player and not g.own_goal
        ]
        count = max((scorers.count(p) for p in scorers), default=0)
        best = list(dict.fromkeys(p for p in scorers if scorers.count(p) == count))
        if count >= 2:
            how = {2: "twice", 3: "a hat-trick"}.get(count)
            if how is None:
                number = StoryNumber(
                    str(count), "goals", count, f"goals by {best[0]} in path.events", side=d.side
                )
                how = f"{pen.add(number)} goals"
            each = " each" if len(best) > 1 and count == 2 else ""
            how = "hat-tricks" if len(best) > 1 and count == 3 else how
            pen.write(f", {_join(best)} scoring {how}{each}")
    elif theirs:
        pen.write(f"{_scorers(pen, theirs)} added more, and {winner} won {score}")
    else:
        pen.write(f"{winner} won {score}")
    if replies:
        pen.write(f", with {_scorers(pen, replies)} replying for {_team(facts, replies[0].side)}")
    pen.write(".")
    return line


def _goalless(pen: _Pen, facts: StoryFacts) -> _Line:
    """A match without goals: how the side's chance drifted as time ran out."""
    path = pen.path
    minutes = np.flatnonzero(live_points(path) & kind_mask(path, PointKind.MINUTE))
    late = [i for i in minutes if path.time_left[i] <= 10.5]
    index = int(late[0]) if late else int(minutes[-1]) if len(minutes) else 0
    moment = moment_at(path, index)
    line = pen.start(order=index, priority=3)
    moved = "risen" if pen.chance[index] > facts.prematch.value else "drifted"
    pen.write(
        f"Neither side found the net, and with {pen.minutes_left(moment)} ",
        f"{possessive(facts.team)} chance of {_chance_goal(facts)} had {moved} to ",
        f"{pen.pct(index)}.",
    )
    return line


def _red_card(pen: _Pen, facts: StoryFacts) -> _Line | None:
    """The red card that moved the side's chance most."""
    if not facts.red_cards:
        return None
    card = max(facts.red_cards, key=lambda c: abs(c.chance_after - c.chance_before))
    line = pen.start(order=card.moment.index, priority=3)
    who = card.player or "a player"
    team = _team(facts, card.side)
    direction = "fell" if card.chance_after < card.chance_before else "rose"
    change = f"{direction} from {pen.pct(card.moment.index - 1)} to {pen.pct(card.moment.index)}"
    minute = pen.minute(card.moment)
    if len(facts.red_cards) > 1:
        count = StoryNumber(
            str(len(facts.red_cards)),
            "red_cards",
            len(facts.red_cards),
            "red cards in path.events",
        )
        pen.write(f"In a match of {pen.add(count)} red cards, ")
    if card.side is facts.side:
        pen.write(
            f"{who} was sent off at {minute}, leaving {team} with ",
            f"{pen.players(card.side, card.moment.index)}, and their chance of ",
            f"{_chance_goal(facts)} {change}.",
        )
    else:
        pen.write(
            f"{possessive(team)} {who} was sent off at {minute}, and ",
            f"{possessive(facts.team)} chance of {_chance_goal(facts)} {change}.",
        )
    return line


def _sealed(pen: _Pen, facts: StoryFacts) -> _Line | None:
    """A routine win: from when on the side's chance never dropped below the sealed level."""
    sealed = facts.sealed
    if sealed is None or facts.outcome != "won" or sealed.time_left < ROUTINE_MINUTES:
        return None
    line = pen.start(order=sealed.index, priority=5)
    pen.write(
        f"From {pen.minute(sealed)} on, {possessive(facts.team)} chance of ",
        f"{_chance_goal(facts)} never fell below {pen.threshold(SEALED, sealed.index)}.",
    )
    return line


#: How a tie-break that settled a place is said: "went through on fair-play points".
_SETTLED_ON = {
    "goal difference": "on goal difference",
    "goal average": "on goal average",
    "goals scored": "on goals scored",
    "head-to-head points": "on their head-to-head record",
    "head-to-head goal difference": "on head-to-head goal difference",
    "head-to-head goals scored": "on head-to-head goals",
    "fair play": "on fair-play points",
    "play-off": "after a play-off",
    "lots": "by the drawing of lots",
}


def _elsewhere_result(pen: _Pen, k: int) -> str:
    """The final result of the k-th match played at the same time: "Colombia beat Senegal
    1-0", "Spain and Germany drew 1-1"."""
    home, away, hg, ag = pen.path.stakes.simultaneous[k]
    first, second = (home, away) if hg >= ag else (away, home)
    high, low = max(hg, ag), min(hg, ag)
    score = pen.add(
        StoryNumber(
            f"{high}-{low}",
            "score",
            (high, low),
            f"path.stakes.simultaneous[{k}]",
            len(pen.path) - 1,
        )
    )
    if hg == ag:
        return f"{home} and {away} drew {score}"
    return f"{first} beat {second} {score}"


def _group_outcome(pen: _Pen, facts: StoryFacts) -> str:
    """What a group match meant for the side, from its stakes: through or out, how (the
    tie-break at the cut) and what the matches played at the same time did."""
    stakes, team, outcome = pen.path.stakes, facts.team, facts.outcome
    end = len(pen.path) - 1
    side = facts.side
    through = float((stakes.p_home_qualify if side is Side.HOME else stakes.p_away_qualify)[end])
    settled = (stakes.settlement or {}).get(side.value)
    stage = facts.stake.prize

    def result() -> str:
        # The winner's goals first, as a result is said: "lost 1-0", "won 4-2".
        score = pen.score(side.other if outcome == "lost" else side, end)
        return {"won": f"won {score}", "lost": f"lost {score}", "drew": f"drew {score}"}[outcome]

    how = ""
    if settled is not None and settled.decided_by in _SETTLED_ON:
        how = f" {_SETTLED_ON[settled.decided_by]}"

    def elsewhere() -> str:
        if not stakes.simultaneous:
            return ""
        return ", as " + _join([_elsewhere_result(pen, k) for k in range(len(stakes.simultaneous))])

    if facts.chance_of == "first" and settled is not None and settled.position is not None:
        place = {1: "first", 2: "second", 3: "third", 4: "fourth"}.get(settled.position)
        if place is not None:
            joined = "but" if outcome == "lost" else "and"
            return f"{team} {result()} {joined} finished {place} in the group{elsewhere()}"
    # The result is said where it is a contrast (lost but through, won but out) or not told
    # yet (a draw); a win that took the side through and a defeat that put it out were told.
    if through >= 1.0 - 1e-9:
        told = outcome == "won"
        done = team if told else f"{team} {result()} {'but' if outcome == 'lost' else 'and'}"
        return f"{done} went through to the {stage}{how}{elsewhere()}"
    if through <= 1e-9:
        told = outcome == "lost"
        done = team if told else f"{team} {result()} {'but' if outcome == 'won' else 'and'}"
        return f"{done} went out{how}{elsewhere()}"
    if facts.chance_of == "through":
        told = result()
        left = f"left with {_a_chance(pen, end)} of {_chance_goal(facts)}"
        return f"{team} {told}{elsewhere()}, {left}"
    return f"{team} {result()}{elsewhere()}"


def _elsewhere(pen: _Pen, facts: StoryFacts) -> _Line | None:
    """The goal in a match played at the same time that moved the side's chance most (by at
    least :data:`ELSEWHERE_MOVE`): "At 74' Colombia scored against Senegal, lifting Japan's
    chance of reaching the round of 16 from 51% to 76%." """
    stakes = pen.path.stakes
    if stakes is None or not stakes.elsewhere or facts.chance_of == "win":
        return None
    chance = pen.chance
    moves = [(abs(float(chance[g.index] - chance[g.index - 1])), g) for g in stakes.elsewhere]
    size, goal = max(moves, key=lambda item: item[0])
    if size < ELSEWHERE_MOVE or goal.index < 1:
        return None
    k = stakes.elsewhere.index(goal)
    line = pen.start(order=goal.index, priority=1)
    minute = pen.add(
        StoryNumber(
            goal.label, "minute", goal.label, f"path.stakes.elsewhere[{k}].label", goal.index
        )
    )
    other = goal.away if goal.team == goal.home else goal.home
    verb = "lifting" if chance[goal.index] > chance[goal.index - 1] else "cutting"
    pen.write(
        f"At {minute} {goal.team} scored against {other}, {verb} {possessive(facts.team)} ",
        f"chance of {_chance_goal(facts)} from {pen.pct(goal.index - 1)} to ",
        f"{pen.pct(goal.index)}.",
    )
    return line


def _outcome(pen: _Pen, facts: StoryFacts) -> _Line:
    """What the result meant for the side, and (when they turned) how its fans' feelings did."""
    line = pen.start(order=float("inf"), priority=0)
    stake, outcome, team = facts.stake, facts.outcome, facts.team
    if stake.kind == "group":
        pen.write(_group_outcome(pen, facts), _feeling(pen, facts), ".")
        return line
    if outcome == "won":
        onward = "" if stake.prize == "next round" else f" to the {stake.prize}"
        text = {
            "next_round": f"{team} went through{onward}",
            "title": f"{team} won {stake.prize}",
            "third_place": f"{team} finished third",
            "points": f"{team} took the points",
        }.get(stake.kind, f"{team} had their win")
    elif outcome == "lost":
        text = {
            "next_round": f"{team} were knocked out and missed out on {stake.phrase}",
            "title": f"{team} missed out on {stake.prize}, and {facts.opponent} took it",
            "third_place": f"{team} finished fourth",
            "points": f"{team} left with nothing",
        }.get(stake.kind, f"{team} went home beaten")
    else:
        score = "" if facts.decisive else f"It finished {_final_score(pen, facts)}, and "
        if facts.info.knockout:
            rest = "neither side went through on the day"
        elif stake.kind == "points":
            rest = "the sides shared the points"
        else:
            rest = "neither side had the win"
        text = score + rest
    pen.write(text, _feeling(pen, facts), ".")
    return line


def _so_far(pen: _Pen, facts: StoryFacts) -> _Line:
    """Where a match in progress stood at the end of its path: "At 74' it was 2-2, with
    Japan's chance of reaching the quarter-finals at 33%." """
    line = pen.start(order=float("inf"), priority=0)
    end = len(pen.path) - 1
    moment = moment_at(pen.path, end)
    at = f"At {pen.minute(moment)}" if end > 0 else "At kick-off"
    pen.write(
        f"{at} it was {pen.score(facts.side, end)}, with {possessive(facts.team)} chance of ",
        f"{_chance_goal(facts)} at {pen.pct(end)}.",
    )
    return line


def _feeling(pen: _Pen, facts: StoryFacts) -> str:
    """How the fans' feelings turned, when they did: ": for their fans, the ecstasy of 52'
    ended in despair" (from :func:`heartbreak.drama.emotions.fan_emotions`)."""
    path = pen.path
    labels = pen.emotions
    final = Emotion(str(labels[-1]))
    up = (Emotion.ECSTASY, Emotion.ELATION, Emotion.JOY)
    down = (Emotion.DESPAIR, Emotion.AGONY, Emotion.DISMAY)
    if final in up:
        wanted = down
    elif final in down or final is Emotion.DISAPPOINTMENT:
        wanted = up
    else:
        return ""
    for emotion in wanted:
        hits = np.flatnonzero(labels[:-1] == emotion.value)
        if len(hits):
            moment = moment_at(path, int(hits[0]))
            return (
                f": for their fans, the {emotion.value} of {pen.minute(moment)} "
                f"ended in {final.value}"
            )
    return ""


# --- the story ------------------------------------------------------------------------------


def _middle(pen: _Pen, facts: StoryFacts) -> Iterable[_Line | None]:
    """The sentences between the setting and the outcome, chosen by the shape of the match."""
    side, other = facts.side, facts.side.other
    outcome = facts.outcome
    yield _red_card(pen, facts)
    yield _elsewhere(pen, facts)
    if not facts.goals:
        if not facts.in_progress:  # a goalless match so far: the closing sentence tells it
            yield _goalless(pen, facts)
        yield _decisive(pen, facts)
        return
    end = len(pen.path)
    if facts.leads_of(side) and outcome != "won":
        # A lead thrown away: the spell in which the side was closest to its goal.
        lead = _spell_around(facts.leads_of(side), facts.peak.moment.index)
        yield _early(pen, facts, lead.start.index)
        yield _lead_built(pen, facts, lead)
        turn = facts.turn
        told_by_turn = turn is not None and turn.moment.index - 1 == facts.peak.moment.index
        if facts.peak.value >= facts.prematch.value + 0.1 and not told_by_turn:
            yield _peak(pen, facts)
        lost = _goals_between(facts, lead.start.index, lead.end.index if lead.end else end, other)
        if facts.decisive is not None:
            lost = [g for g in lost if g.moment.index != facts.decisive.moment.index]
        if lost:
            yield _fightback(pen, facts, lost, other)
        yield _decisive(pen, facts)
        return
    if facts.leads_of(other) and outcome != "lost":
        # A comeback: the spell in which the side was furthest from its goal.
        lead = _spell_around(facts.leads_of(other), facts.low.moment.index)
        yield _early(pen, facts, lead.start.index)
        yield _lead_built(pen, facts, lead)
        decisive_next = facts.decisive is not None and (
            facts.decisive.moment.index - 1 == facts.low.moment.index
        )
        if facts.low.value <= facts.prematch.value - 0.1 and not decisive_next:
            yield _low(pen, facts)
        stop = lead.end.index if lead.end else end
        back = _goals_between(facts, lead.start.index, stop, side)
        if facts.decisive is not None:
            back = [g for g in back if g.moment.index != facts.decisive.moment.index]
        if back:
            yield _fightback(pen, facts, back, side)
        yield _decisive(pen, facts)
        yield _tally(pen, facts)
        return
    # One-way traffic, or a level match the side never led nor trailed in for long.
    d = facts.decisive
    if d is not None and d.kind == "winning_goal":
        yield _early(pen, facts, d.moment.index)
    yield _decisive(pen, facts)
    yield _tally(pen, facts)
    if outcome == "won":
        yield _sealed(pen, facts)
    elif facts.peak.value >= facts.prematch.value + 0.1:
        yield _peak(pen, facts)


def tell_story(
    path: ProbabilityPath,
    match: Match,
    side: Side | None = None,
    context: Sequence[Precedent] = (),
    *,
    in_progress: bool = False,
    emotions: np.ndarray | None = None,
    facts: StoryFacts | None = None,
) -> Story:
    """Three to six sentences on ``match`` from ``side``'s point of view (default: the losing
    side, else the home side), every number traceable to ``path`` (see :meth:`Story.numbers`).

    ``emotions``: the side's fans' feeling at every point of ``path``, as the replay holds them
    (:func:`heartbreak.results.build_replay`); :func:`~heartbreak.drama.emotions.fan_emotions`
    of the path when not given. ``facts``: the story facts of ``path`` from that side, when
    already worked out (:func:`~heartbreak.story.facts.story_facts`).

    ``context``: true facts about the match from the history before it
    (:func:`heartbreak.story.records.precedents`); the :data:`CONTEXT_SENTENCES` strongest (of
    strength :data:`CONTEXT_MIN_STRENGTH` or more) are told last, one sentence each, and fewer
    sentences of the match itself are kept to stay within six. Their numbers are traced to the
    precedent query (``kind="precedent"``).

    ``in_progress``: a match still being played, ``path`` ending where it stands (its latest
    event): the story tells it so far and ends with where it stood, not with a result.
    """
    if facts is None:
        facts = story_facts(path, match, side, in_progress=in_progress)
    if emotions is None:
        emotions = fan_emotions(path, facts.side)
    elif len(emotions) != len(path):
        raise ValueError(f"emotions: {len(emotions)} labels for a path of {len(path)} points")
    pen = _Pen(path, facts, np.asarray(emotions))
    first = _setting(pen, facts)
    middle = [line for line in _middle(pen, facts) if line is not None]
    last = _so_far(pen, facts) if in_progress else _outcome(pen, facts)
    # The match's own story comes first: context fills what room the middle leaves (at least one
    # fact, two when the middle is short).
    room = MAX_SENTENCES - 2 - min(len(middle), MIDDLE_KEPT_WITH_CONTEXT)
    told = _context(pen, context)[: max(room, 1)]
    # Keep the most important middle sentences, then tell them in match order.
    kept = sorted(middle, key=lambda line: line.priority)[: MAX_SENTENCES - 2 - len(told)]
    kept.sort(key=lambda line: line.order)
    if len(kept) < MIN_SENTENCES - 2 and not in_progress:
        kept.append(_range(pen, facts))
    lines = [pen.finish(line) for line in (first, *kept, last, *told)]
    return Story(
        side=facts.side,
        team=facts.team,
        sentences=tuple(line.text for line in lines),
        facts=facts,
        number_sources=tuple(n for line in lines for n in line.numbers),
    )


def _context(pen: _Pen, context: Sequence[Precedent]) -> list[_Line]:
    """One sentence for each of the strongest precedents, strongest first; a fact weaker than
    :data:`CONTEXT_MIN_STRENGTH` (a "since" a few days back) is not told."""
    strong = [fact for fact in context if fact.strength >= CONTEXT_MIN_STRENGTH]
    chosen = sorted(strong, key=lambda fact: -fact.strength)[:CONTEXT_SENTENCES]
    lines = []
    for fact in chosen:
        line = pen.start(order=float("inf"), priority=0)
        for text, value, source in fact.numbers:
            pen.add(StoryNumber(text, "precedent", value, f"precedents:{fact.kind}:{source}"))
        pen.write(fact.text)
        lines.append(line)
    return lines


def _range(pen: _Pen, facts: StoryFacts) -> _Line:
    """A fallback sentence: the range the side's chance moved through."""
    line = pen.start(order=0.0, priority=9)
    pen.write(
        f"Along the way {possessive(facts.team)} chance of {_chance_goal(facts)} ranged from ",
        f"{pen.pct(facts.low.moment.index)} at {pen.minute(facts.low.moment)} to ",
        f"{pen.pct(facts.peak.moment.index)} at {pen.minute(facts.peak.moment)}.",
    )
    return line
