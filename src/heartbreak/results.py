"""The result objects every face reads: a prediction, a replay, a match's record.

A replay flows one way (:func:`build_replay`): match → probability path → both sides'
emotions → drama metrics → story facts → both sides' stories, each computed once into a
:class:`MatchReplay`; its chart, text, JSON and table only read what it holds. Each object
converts itself: ``to_dict`` (the JSON contract shared by the CLI and the HTTP API),
``to_frame`` (pandas) and ``plot`` (matplotlib).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from heartbreak.data.sources import ATTRIBUTION_SHORT
from heartbreak.domain import Match, MatchInfo, Side
from heartbreak.drama.emotions import both_sides_emotions
from heartbreak.drama.metrics import DramaMetrics, drama_metrics
from heartbreak.errors import InvalidInput
from heartbreak.model.grid import ScoreGrid
from heartbreak.model.path import ElsewhereGoal, PointKind, ProbabilityPath, Stakes
from heartbreak.serialize import clean, match_to_dict, num, point_label, record_events
from heartbreak.story.facts import default_side
from heartbreak.story.narrative import Story, tell_story
from heartbreak.story.records import Precedent


@dataclass(frozen=True)
class Prediction:
    """Pre-match probabilities for one fixture, all derived from one score grid."""

    home: str
    away: str
    date: dt.date
    neutral: bool
    knockout: bool
    elo_home: float
    elo_away: float
    expected_goals_home: float
    expected_goals_away: float
    p_home_win: float
    p_draw: float
    p_away_win: float
    p_home_advance: float | None
    grid: ScoreGrid = field(repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        out = {
            "home": self.home,
            "away": self.away,
            "date": self.date.isoformat(),
            "neutral": self.neutral,
            "knockout": self.knockout,
            "elo_home": round(self.elo_home, 1),
            "elo_away": round(self.elo_away, 1),
            "expected_goals_home": self.expected_goals_home,
            "expected_goals_away": self.expected_goals_away,
            "p_home_win": self.p_home_win,
            "p_draw": self.p_draw,
            "p_away_win": self.p_away_win,
        }
        if self.knockout:
            out["p_home_advance"] = self.p_home_advance
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row with the fields of :meth:`to_dict`."""
        return pd.DataFrame([self.to_dict()])

    def score_frame(self, max_goals: int = 6) -> pd.DataFrame:
        """Exact-score probabilities, home goals down the rows, away goals across."""
        g = self.grid.remaining[0, : max_goals + 1, : max_goals + 1]
        return pd.DataFrame(
            g,
            index=pd.Index(range(len(g)), name=self.home),
            columns=pd.Index(range(g.shape[1]), name=self.away),
        )

    def plot(self, ax=None, max_goals: int = 6):
        """A heat map of exact-score probabilities."""
        import matplotlib.pyplot as plt

        frame = self.score_frame(max_goals)
        if ax is None:
            _, ax = plt.subplots(figsize=(5, 4.5))
        ax.imshow(frame.to_numpy(), cmap="viridis", origin="upper")
        for (i, j), value in np.ndenumerate(frame.to_numpy()):
            ax.text(
                j,
                i,
                f"{value:.0%}" if value >= 0.005 else "",
                ha="center",
                va="center",
                color="white" if value < frame.to_numpy().max() * 0.6 else "black",
                fontsize=8,
            )
        ax.set_xlabel(f"{self.away} goals")
        ax.set_ylabel(f"{self.home} goals")
        ax.set_title(f"{self.home} v {self.away}, {self.date:%d %b %Y}")
        return ax


@dataclass(frozen=True)
class MatchReplay:
    """A replayed match: its path, both sides' emotions, drama metrics and stories, each
    computed once by :func:`build_replay`; the chart, the text, the JSON, the exports and the
    pages only read them.

    ``story`` is the story told from the chosen side (default: the loser, else the home side),
    ``told`` both sides' stories. ``context``: true facts about a stored match from the history
    before it, strongest first (:func:`heartbreak.story.records.precedents`); empty for a user's
    own match. ``in_progress``: a live match told so far (see :func:`build_replay`). ``ranks``:
    where each drama metric stands (:meth:`heartbreak.services.Heartbreak.metric_ranks`).
    """

    match: Match
    prematch: Prediction
    path: ProbabilityPath
    emotions: dict[Side, np.ndarray]
    metrics: DramaMetrics
    story: Story
    context: tuple[Precedent, ...] = ()
    in_progress: bool = False
    ranks: dict[str, Any] = field(default_factory=dict, compare=False)
    told: dict[Side, Story] = field(default_factory=dict, repr=False, compare=False)

    @property
    def info(self) -> MatchInfo:
        return self.match.info

    def side(self, team: str | None) -> Side | None:
        """The side a team name refers to (None passes through)."""
        if team is None:
            return None
        try:
            return self.info.side_of(team)
        except KeyError:
            raise InvalidInput(
                f"side: {team!r} did not play in {self.info.home} v {self.info.away}", field="side"
            ) from None

    def to_frame(self) -> pd.DataFrame:
        """The path as a table: one row per point, emotions of both sides included."""
        p = self.path
        frame = pd.DataFrame(
            {
                "minute": p.minute,
                "stoppage": p.stoppage,
                "period": p.period,
                "kind": p.kind,
                "elapsed": p.elapsed,
                "time_left": p.time_left,
                "home_goals": p.home_goals,
                "away_goals": p.away_goals,
                "home_reds": p.home_reds,
                "away_reds": p.away_reds,
                "p_home_win": p.p_home_win,
                "p_draw": p.p_draw,
                "p_away_win": p.p_away_win,
            }
        )
        if p.p_home_advance is not None:
            frame["p_home_advance"] = p.p_home_advance
        if p.stakes is not None:
            frame["p_home_qualify"] = p.stakes.p_home_qualify
            frame["p_away_qualify"] = p.stakes.p_away_qualify
        frame["suspense"] = p.suspense
        frame[f"emotion_{self.info.home}"] = self.emotions[Side.HOME]
        frame[f"emotion_{self.info.away}"] = self.emotions[Side.AWAY]
        return frame

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract shared by the CLI and the HTTP API."""
        return replay_to_dict(self)

    def plot(self, side: str | None = None, ax=None):
        """Draw the probability chart (matplotlib) for one side (default: the story's side)."""
        from heartbreak.story.chart import draw_path  # matplotlib loads only to draw

        chosen = self.side(side) or self.story_side
        return draw_path(self.path, side=chosen, emotions=self.emotions[chosen], ax=ax)

    def chart_bytes(self, fmt: str = "png", side: str | None = None) -> bytes:
        """The chart (as :meth:`plot` draws it) as the bytes of a PNG or SVG file."""
        from heartbreak.story.chart import chart_bytes

        chosen = self.side(side) or self.story_side
        return chart_bytes(self.path, fmt, side=chosen, emotions=self.emotions[chosen])

    def save_chart(self, file: str | Path, side: str | None = None) -> Path:
        """Write the chart (as :meth:`plot` draws it) to a PNG or SVG file."""
        from heartbreak.story.chart import save_chart

        chosen = self.side(side) or self.story_side
        save_chart(self.path, file, side=chosen, emotions=self.emotions[chosen])
        return Path(file)

    @property
    def story_side(self) -> Side:
        return self.story.side

    def stories(self) -> dict[str, str]:
        """The story as each side's fans lived it (team → text), told from the same path."""
        return {self.info.team(side): self.told[side].text for side in (Side.HOME, Side.AWAY)}


@dataclass(frozen=True)
class MatchRecord:
    """What the record of a stored match holds, whether or not it replays minute by minute:
    the result, every goal and sending-off it lists (a goal's minute may be unknown), the
    pre-match chances, and why there is no minute-by-minute replay when there is none.

    Most matches before the 1990s have a result but not every goal's minute; their record is
    all there is to tell, and ``to_dict`` is the JSON of ``GET /api/matches/{id}/record``.
    """

    match: Match
    prematch: Prediction
    goals: pd.DataFrame = field(repr=False)
    red_cards: pd.DataFrame = field(repr=False)

    @property
    def replayable(self) -> bool:
        return self.match.timeline_complete

    @property
    def goals_with_minutes(self) -> int:
        return int(self.goals["minute"].notna().sum())

    @property
    def reason(self) -> str | None:
        """Why the match has no minute-by-minute replay (None when it has one)."""
        if self.replayable:
            return None
        scored = self.match.home_score + self.match.away_score
        listed = self.goals_with_minutes
        if len(self.goals) == 0:
            return (
                f"The record gives the score but none of the {scored} goals' minutes, so the "
                "chances cannot be followed minute by minute."
            )
        return (
            f"The record gives the minute of {listed} of the {scored} goals, so the chances "
            "cannot be followed minute by minute."
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``GET /api/matches/{id}/record``."""
        info = self.match.info
        return {
            "match": match_to_dict(
                self.match, extra_time=self.match.extra_time, knockout=info.knockout
            ),
            "prematch": prematch_to_dict(self.prematch),
            "goals": record_events(self.goals, "goal"),
            "red_cards": record_events(self.red_cards, "red_card"),
            "goals_scored": self.match.home_score + self.match.away_score,
            "goals_with_minutes": self.goals_with_minutes,
            "replayable": self.replayable,
            "reason": self.reason,
            "attribution": ATTRIBUTION_SHORT,
        }

    def to_frame(self) -> pd.DataFrame:
        """The goals and sendings-off listed, one row each (goals first, each in match order)."""
        rows = record_events(self.goals, "goal") + record_events(self.red_cards, "red_card")
        return pd.DataFrame(rows)


# --- the JSON contract ---


def prematch_to_dict(pre: Prediction) -> dict[str, Any]:
    """The ``prematch`` block: ratings, expected goals and the kick-off chances."""
    out = {
        "elo_home": round(pre.elo_home, 1),
        "elo_away": round(pre.elo_away, 1),
        "expected_goals_home": num(pre.expected_goals_home),
        "expected_goals_away": num(pre.expected_goals_away),
        "p_home_win": num(pre.p_home_win),
        "p_draw": num(pre.p_draw),
        "p_away_win": num(pre.p_away_win),
    }
    if pre.knockout and pre.p_home_advance is not None:
        out["p_home_advance"] = num(pre.p_home_advance)
    return out


def replay_to_dict(result: MatchReplay) -> dict[str, Any]:
    """``{match, prematch, timeline, emotions, metrics, story, story_side, stakes, context,
    ranks, attribution}`` for one replay (``stakes``: a group match's, see
    :func:`stakes_to_dict`, else null). ``ranks``: where each drama metric of a stored match stands
    (:meth:`heartbreak.services.Heartbreak.metric_ranks`; empty for other matches).
    ``context`` lists the precedents of a stored match (kind, text, strength,
    reference_match_id, reference_date), strongest first."""
    match, path, info = result.match, result.path, result.match.info
    knockout = path.p_home_advance is not None
    extra_time = bool(path.period.tolist().count("extra_time_first_half"))
    out_match = match_to_dict(match, extra_time=extra_time, knockout=knockout)
    prematch = prematch_to_dict(result.prematch)

    stakes = path.stakes
    elsewhere: dict[int, list[dict[str, Any]]] = {}
    for goal in stakes.elsewhere if stakes is not None else ():
        elsewhere.setdefault(goal.index, []).append(elsewhere_goal_to_dict(goal))
    timeline = []
    for i in range(len(path)):
        point: dict[str, Any] = {
            "minute": int(path.minute[i]),
            "stoppage": int(path.stoppage[i]),
            "label": point_label(path, i),
            "kind": str(path.kind[i]),
            "period": str(path.period[i]),
            "elapsed": num(path.elapsed[i]),
            "score": {"home": int(path.home_goals[i]), "away": int(path.away_goals[i])},
            "p_home_win": num(path.p_home_win[i]),
            "p_draw": num(path.p_draw[i]),
            "p_away_win": num(path.p_away_win[i]),
        }
        if knockout:
            point["p_home_advance"] = num(path.p_home_advance[i])
        if stakes is not None:
            point["p_home_qualify"] = num(stakes.p_home_qualify[i])
            point["p_away_qualify"] = num(stakes.p_away_qualify[i])
            if i in elsewhere:
                point["elsewhere"] = elsewhere[i]
        if path.event_index[i] >= 0 and path.kind[i] == PointKind.AFTER_EVENT:
            event = path.events[path.event_index[i]]
            point["event"] = {
                "type": event.type.value,
                "team": info.team(event.side) if event.side else None,
                "player": event.player,
                "own_goal": event.own_goal,
                "penalty": event.penalty,
            }
        elif path.kind[i] == PointKind.SHOOTOUT_KICK:
            kick = path.events[path.event_index[i]]
            point["event"] = {
                "type": kick.type.value,
                "team": info.team(kick.side) if kick.side else None,
                "player": kick.player,
                "converted": bool(kick.converted),
            }
            home, away = path.shootout_score(i)
            point["shootout_score"] = {"home": home, "away": away}
        timeline.append(point)

    emotions = {
        info.team(side): [
            {
                "minute": int(path.minute[i]),
                "stoppage": int(path.stoppage[i]),
                "label": point_label(path, i),
                "emotion": str(labels[i]),
            }
            for i in range(len(path))
        ]
        for side, labels in result.emotions.items()
    }
    metrics = result.metrics.to_dict()
    return {
        "match": out_match,
        "prematch": prematch,
        "timeline": timeline,
        "emotions": emotions,
        "metrics": clean(metrics),
        "story": result.story.text,
        "story_side": info.team(result.story_side),
        "stakes": stakes_to_dict(stakes) if stakes is not None else None,
        "context": [fact.to_dict() for fact in result.context],
        "ranks": result.ranks,
        "attribution": ATTRIBUTION_SHORT,
    }


def elsewhere_goal_to_dict(goal: ElsewhereGoal) -> dict[str, Any]:
    """A goal in a match played at the same time, as a timeline event (``elsewhere_goal``)."""
    return {
        "type": "elsewhere_goal",
        "match": {"id": goal.match_id, "home": goal.home, "away": goal.away},
        "team": goal.team,
        "player": goal.player,
        "minute": goal.minute,
        "stoppage": goal.stoppage,
        "label": goal.label,
        "own_goal": goal.own_goal,
        "penalty": goal.penalty,
        "score": {"home": goal.home_goals, "away": goal.away_goals},
    }


def stakes_to_dict(stakes: Stakes) -> dict[str, Any]:
    """The ``stakes`` block of a group match's replay: what each side played for, the matches
    played at the same time, the goals scored in them and how the group ended."""
    return {
        "next_stage": stakes.next_stage,
        "home_goal": stakes.home_goal,
        "away_goal": stakes.away_goal,
        "simultaneous": [
            {"home": h, "away": a, "score": {"home": hg, "away": ag}}
            for h, a, hg, ag in stakes.simultaneous
        ],
        "elsewhere_goals": [elsewhere_goal_to_dict(g) for g in stakes.elsewhere],
        "settlement": None
        if stakes.settlement is None
        else {side: dataclasses.asdict(s) for side, s in stakes.settlement.items()},
    }


# --- the pipeline ---


def build_replay(
    match: Match,
    prediction: Prediction,
    path: ProbabilityPath,
    side: str | None,
    context: Sequence[Precedent] = (),
    *,
    in_progress: bool = False,
) -> MatchReplay:
    """Attach emotions, metrics and story to a path; ``context`` (precedents of a stored match,
    strongest first) is kept on the replay and its strongest facts end the story.

    ``in_progress``: a live match still being played (``match`` holds its events so far). The
    path still runs on to an expected final whistle, but the metrics and the story are those of
    the match as it stood after its latest event (kick-off when there is none): no winner, no
    result, nothing about minutes not yet played.
    """
    emotions = both_sides_emotions(path)
    told = path.head(_after_latest_event(path) + 1) if in_progress else path
    metrics = drama_metrics(told, None if in_progress else match.winner, in_progress=in_progress)
    chosen = None
    if side is not None:
        try:
            chosen = match.info.side_of(side)
        except KeyError:
            raise InvalidInput(
                f"side: {side!r} did not play in {match.info.home} v {match.info.away}",
                field="side",
            ) from None
    context = tuple(context)
    stories = {
        s: tell_story(
            told,
            match,
            s,
            context=context,
            in_progress=in_progress,
            emotions=emotions[s][: len(told)],
        )
        for s in (Side.HOME, Side.AWAY)
    }
    story = stories[chosen if chosen is not None else default_side(match)]
    return MatchReplay(
        match, prediction, path, emotions, metrics, story, context, in_progress, told=stories
    )


def _after_latest_event(path: ProbabilityPath) -> int:
    """The index of the point just after the path's latest event (0, kick-off, when none)."""
    after = np.flatnonzero(np.asarray(path.kind) == PointKind.AFTER_EVENT.value)
    return int(after[-1]) if len(after) else 0
