"""Plain-data pieces of the JSON contract shared by the CLI and the HTTP API: a match, its
recorded events, path-point labels, stored dates and ratings, JSON-safe numbers."""

from __future__ import annotations

import math
from typing import Any

from heartbreak.domain import EventType, Match, Side, minute_label
from heartbreak.model.path import PointKind


def num(value: float) -> float | None:
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


def clean(value: Any) -> Any:
    """Make metrics JSON-safe: enums to values, NaN to null, tuples to lists."""
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    if isinstance(value, Side | EventType):
        return value.value
    if isinstance(value, float):
        return num(value)
    if hasattr(value, "item"):  # numpy scalars
        return clean(value.item())
    return value
