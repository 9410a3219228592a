"""Plain-data views of results: the JSON contract shared by the CLI and the HTTP API."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from heartbreak.domain import EventType, Side, minute_label
from heartbreak.model.path import PointKind

if TYPE_CHECKING:
    from heartbreak.domain import Match
    from heartbreak.services import MatchReplay, Prediction


def _num(value: float) -> float | None:
    """A float for JSON: rounded to 6 places, NaN as null."""
    value = float(value)
    return None if math.isnan(value) else round(value, 6)


def match_to_dict(match: Match, *, extra_time: bool | None, knockout: bool) -> dict[str, Any]:
    """The ``match`` block of a replay or a record: who, when, where, the result."""
    info, winner = match.info, match.winner
    return {
        "id": info.match_id,
        "home": info.home,
        "away": info.away,
        "date": info.date.isoformat(),
        "competition": info.competition,
        "stage": info.stage,
        "knockout": info.knockout,
        "neutral": info.neutral,
        "city": info.city,
        "country": info.country,
        "score": {"home": match.home_score, "away": match.away_score},
        "extra_time": extra_time,
        "shootout": match.shootout_winner is not None,
        "shootout_winner": info.team(match.shootout_winner) if match.shootout_winner else None,
        "winner": info.team(winner) if winner is not None else None,
        "advanced": info.team(winner) if (knockout and winner is not None) else None,
        "timeline_complete": match.timeline_complete,
    }


def prematch_to_dict(pre: Prediction) -> dict[str, Any]:
    """The ``prematch`` block: ratings, expected goals and the kick-off chances."""
    out = {
        "elo_home": round(pre.elo_home, 1),
        "elo_away": round(pre.elo_away, 1),
        "expected_goals_home": _num(pre.expected_goals_home),
        "expected_goals_away": _num(pre.expected_goals_away),
        "p_home_win": _num(pre.p_home_win),
        "p_draw": _num(pre.p_draw),
        "p_away_win": _num(pre.p_away_win),
    }
    if pre.knockout and pre.p_home_advance is not None:
        out["p_home_advance"] = _num(pre.p_home_advance)
    return out


def record_events(frame, kind: str) -> list[dict[str, Any]]:
    """The goals (``kind="goal"``) or sendings-off (``"red_card"``) a stored record lists,
    from the store's goals or cards rows; a minute the record does not give is null."""
    import pandas as pd

    def whole(value: Any) -> int | None:
        return None if value is None or pd.isna(value) else int(value)

    out = []
    for row in frame.itertuples(index=False):
        minute, stoppage = whole(row.minute), whole(row.stoppage) or 0
        player = row.scorer if kind == "goal" else row.player
        event: dict[str, Any] = {
            "type": kind,
            "team": row.team,
            "player": None if player is None or pd.isna(player) else str(player),
            "minute": minute,
            "stoppage": stoppage if minute is not None else None,
            "label": minute_label(minute, stoppage) if minute is not None else None,
        }
        if kind == "goal":
            event["own_goal"] = bool(row.own_goal)
            event["penalty"] = bool(row.penalty)
        out.append(event)
    return out


def replay_to_dict(result: MatchReplay) -> dict[str, Any]:
    """``{match, prematch, timeline, emotions, metrics, story, story_side, context, ranks,
    attribution}`` for one replay. ``ranks``: where each drama metric of a stored match stands
    (:meth:`heartbreak.services.Heartbreak.metric_ranks`; empty for other matches).
    ``context`` lists the precedents of a stored match (kind, text, strength,
    reference_match_id, reference_date), strongest first."""
    match, path, info = result.match, result.path, result.match.info
    knockout = path.p_home_advance is not None
    extra_time = bool(path.period.tolist().count("extra_time_first_half"))
    out_match = match_to_dict(match, extra_time=extra_time, knockout=knockout)
    prematch = prematch_to_dict(result.prematch)

    timeline = []
    for i in range(len(path)):
        point: dict[str, Any] = {
            "minute": int(path.minute[i]),
            "stoppage": int(path.stoppage[i]),
            "label": point_label(path, i),
            "kind": str(path.kind[i]),
            "period": str(path.period[i]),
            "elapsed": _num(path.elapsed[i]),
            "score": {"home": int(path.home_goals[i]), "away": int(path.away_goals[i])},
            "p_home_win": _num(path.p_home_win[i]),
            "p_draw": _num(path.p_draw[i]),
            "p_away_win": _num(path.p_away_win[i]),
        }
        if knockout:
            point["p_home_advance"] = _num(path.p_home_advance[i])
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
    metrics = (
        result.metrics.to_dict() if hasattr(result.metrics, "to_dict") else dict(result.metrics)
    )
    return {
        "match": out_match,
        "prematch": prematch,
        "timeline": timeline,
        "emotions": emotions,
        "metrics": _clean(metrics),
        "story": result.story.text,
        "story_side": info.team(result.story_side),
        "context": [fact.to_dict() for fact in getattr(result, "context", ())],
        "ranks": result.ranks,
        "attribution": _attribution(),
    }


def day(value: Any) -> str | None:
    """A stored date (a pandas timestamp) as ``YYYY-MM-DD``; None when missing."""
    import pandas as pd

    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date().isoformat()


def ratings_to_records(frame) -> list[dict[str, Any]]:
    """The ratings contract shared by ``heartbreak ratings --format json`` and the HTTP API:
    rank, team, rating (one decimal), matches, last_match."""
    return [
        {
            "rank": int(r.rank),
            "team": r.team,
            "rating": round(float(r.rating), 1),
            "matches": int(r.matches),
            "last_match": day(r.last_match),
        }
        for r in frame.itertuples(index=False)
    ]


def point_label(path, i: int) -> str:
    """How a fan names a point: "KO", "48'", "HT", "FT", "90+4'", "pens", and after a shootout
    kick the shootout's score, "pens 3–2"."""
    kind = path.kind[i]
    if kind == PointKind.KICK_OFF:
        return "KO"
    if kind == PointKind.FINAL_WHISTLE:
        return "FT"
    if kind == PointKind.PERIOD_END:
        period = path.period[i]
        return {
            "first_half": "HT",
            "second_half": "90'",
            "extra_time_first_half": "ET HT",
            "extra_time_second_half": "120'",
        }.get(str(period), "end")
    if kind == PointKind.SHOOTOUT_KICK:
        home, away = path.shootout_score(i)
        return f"pens {home}–{away}"
    if path.period[i] == "shootout":
        return "pens"
    return minute_label(int(path.minute[i]), int(path.stoppage[i]))


def shootout_line(path) -> str | None:
    """A shootout followed kick by kick in one line, the first kicker first: "France ✓ ✗ ✗ ✓,
    Argentina ✓ ✓ ✓ ✓ (Argentina won 4–2)"; None when the path has no kicks."""
    kicks = [
        path.events[int(path.event_index[i])]
        for i in range(len(path))
        if path.kind[i] == PointKind.SHOOTOUT_KICK
    ]
    if not kicks:
        return None
    info = path.info
    first = kicks[0].side
    marks = {
        side: " ".join("✓" if k.converted else "✗" for k in kicks if k.side is side)
        for side in (first, first.other)
    }
    rows = ", ".join(f"{info.team(side)} {mark}" for side, mark in marks.items())
    home, away = path.shootout_score(len(path) - 1)
    won = Side.HOME if home > away else Side.AWAY
    score = f"{max(home, away)}–{min(home, away)}"
    return f"{rows} ({info.team(won)} won {score})"


def _clean(value: Any) -> Any:
    """Make metrics JSON-safe: enums to values, NaN to null, tuples to lists."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, Side | EventType):
        return value.value
    if isinstance(value, float):
        return _num(value)
    if hasattr(value, "item"):  # numpy scalars
        return _clean(value.item())
    return value


def _attribution() -> str:
    try:
        from heartbreak.data.sources import ATTRIBUTION_SHORT
    except ImportError:  # pragma: no cover
        return ""
    return ATTRIBUTION_SHORT
