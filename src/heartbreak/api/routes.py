"""The JSON endpoints under ``/api``: parse the query (pydantic models), call the session,
return the same JSON as the command line's ``--format json``."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from heartbreak.api.errors import ERROR_RESPONSES
from heartbreak.dates import Day, EndBound, StartBound
from heartbreak.drama.metrics import RANKED_METRICS
from heartbreak.history import rankings_to_records
from heartbreak.serialize import day, ratings_to_records
from heartbreak.services import Heartbreak

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES)


def get_session(request: Request) -> Heartbreak:
    """The app's one :class:`~heartbreak.services.Heartbreak` session."""
    return request.app.state.session


Session = Annotated[Heartbreak, Depends(get_session)]


# --- parameter types ---------------------------------------------------------------------


FromDate = Annotated[
    StartBound, Field(description="From this year (its first day) or date, inclusive.")
]
ToDate = Annotated[
    EndBound, Field(description="Up to this year (its last day) or date, inclusive.")
]


class Stage(StrEnum):
    knockout = "knockout"
    group = "group"
    final = "final"


Metric = StrEnum("Metric", {name: name for name in RANKED_METRICS})


class _Query(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Order(StrEnum):
    newest = "newest"
    oldest = "oldest"


#: How a competition filter reads what was typed (see heartbreak.data.competitions).
COMPETITION_HELP = (
    'A stored competition in any case ("fifa world cup"), a major tournament\'s short name '
    '("World Cup", "Euro", "AFCON"; with "qualifiers": "World Cup qualifiers"), else every '
    'competition whose name contains the text ("Nations League"), qualifying competitions only '
    "when the text asks for them."
)


class MatchQuery(_Query):
    team: str | None = Field(None, description="Matches this team played.")
    opponent: str | None = Field(None, description="... against this team.")
    competition: str | None = Field(None, description=COMPETITION_HELP)
    stage: Stage | None = Field(
        None, description="knockout (needed a winner), group (the others) or final."
    )
    date_from: FromDate = None
    date_to: ToDate = None
    order: Order = Field(
        Order.newest, description="newest (latest first, the default) or oldest (earliest first)."
    )
    limit: int = Field(50, ge=1, le=1000, description="Matches per page.")
    offset: int = Field(0, ge=0, description="Matches to skip (the page's start).")


class TopQuery(_Query):
    metric: Metric = Field(Metric("heartbreak"), description="What to rank by.")
    competition: str | None = Field(None, description=COMPETITION_HELP)
    stage: Stage | None = None
    team: str | None = Field(None, description="Only matches this team played.")
    date_from: FromDate = None
    date_to: ToDate = None
    limit: int = Field(10, ge=1, le=1000)


class TournamentQuery(_Query):
    as_of: Day | None = Field(
        None, description="Forecast at the start of this day (default: the first day)."
    )
    sims: int = Field(5_000, ge=1, le=20_000, description="Simulated tournaments.")
    seed: int = Field(0, ge=0, le=2**32 - 1, description="Seed (same seed, same odds).")


class RatingsQuery(_Query):
    date: Day = Field(description="Ratings as of this date (matches before it).")
    top: int = Field(20, ge=1, description="How many teams.")


class PredictQuery(_Query):
    home: str = Field(description="Home (or first-named) team.")
    away: str = Field(description="Away (or second-named) team.")
    date: Day = Field(description="Match date.")
    neutral: bool = Field(False, description="Played on neutral ground.")
    knockout: bool = Field(False, description="Needs a winner: adds p_home_advance.")
    competition: str | None = Field(
        None,
        description="The competition, e.g. 'World Cup' (default a friendly): a final "
        "tournament's host plays with its host edge.",
    )


class ReplayQuery(_Query):
    side: str | None = Field(None, description="Tell the story as this team's fans lived it.")


# --- response models ---------------------------------------------------------------------


class Score(BaseModel):
    home: int
    away: int


class MatchSummary(BaseModel):
    match_id: int
    date: str
    home: str
    away: str
    score: Score
    competition: str
    stage: str | None
    knockout: bool
    timeline_complete: bool
    winner: str | None


class MatchPage(BaseModel):
    total: int = Field(description="Matches that fit the filters.")
    limit: int
    offset: int
    matches: list[MatchSummary]


class Ranked(BaseModel):
    rank: int
    match_id: int
    date: str
    home: str
    away: str
    score: Score
    competition: str
    stage: str | None
    side: str
    metric: str
    value: float
    reason: str


class Rating(BaseModel):
    rank: int
    team: str
    rating: float
    matches: int
    last_match: str | None


class PredictionOut(BaseModel):
    home: str
    away: str
    date: str
    neutral: bool
    knockout: bool
    elo_home: float
    elo_away: float
    expected_goals_home: float
    expected_goals_away: float
    p_home_win: float
    p_draw: float
    p_away_win: float
    p_home_advance: float | None = Field(None, description="Only for a knockout.")


class Health(BaseModel):
    status: str
    schema_version: int | None
    built_at: str | None
    user_matches: int
    counts: dict[str, int]
    attribution: dict[str, str]
    modified_sources: dict[str, str] = Field(
        default_factory=dict,
        description="The source files whose SHA-256 is not the pinned one, with their actual "
        "SHA-256: the store was built from them with `heartbreak data build --allow-modified`.",
    )


# --- endpoints ---------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


@router.get("/health", response_model=Health, summary="Store facts: when built, table sizes")
def health(session: Session) -> dict[str, Any]:
    meta = session.store.meta()
    return {
        "status": "ok",
        "schema_version": meta.get("schema_version"),
        "built_at": meta.get("built_at"),
        "user_matches": int(meta.get("user_matches", 0) or 0),
        "counts": meta.get("counts", {}),
        "attribution": meta.get("attribution", {}),
        "modified_sources": meta.get("modified", {}),
    }


@router.get("/matches", response_model=MatchPage, summary="Search the stored matches")
def matches(session: Session, q: Annotated[MatchQuery, Query()]) -> dict[str, Any]:
    """Matches newest first (``order=oldest``: oldest first), a page of ``limit`` from
    ``offset``, filtered like ``heartbreak export matches``; ``stage``: ``knockout`` (matches
    that needed a winner), ``group`` (the others), ``final``."""
    total, page = session.store.search_matches(
        team=q.team,
        opponent=q.opponent,
        competition=q.competition,
        date_from=q.date_from,
        date_to=q.date_to,
        knockout={Stage.knockout: True, Stage.group: False}.get(q.stage),
        final=True if q.stage is Stage.final else None,
        newest_first=q.order is Order.newest,
        limit=q.limit,
        offset=q.offset,
    )
    rows = [
        {
            "match_id": int(r.match_id),
            "date": day(r.date),
            "home": r.home,
            "away": r.away,
            "score": {"home": int(r.home_score), "away": int(r.away_score)},
            "competition": r.competition,
            "stage": _text(r.stage),
            "knockout": bool(r.knockout),
            "timeline_complete": bool(r.timeline_complete),
            "winner": _text(r.winner),
        }
        for r in page.itertuples(index=False)
    ]
    return {"total": total, "limit": q.limit, "offset": q.offset, "matches": rows}


#: Replays kept per app: a session's store does not change while it is open, so a replay's JSON
#: is computed once per (match, side) and served again from memory (about 40 KiB each).
REPLAY_CACHE_SIZE = 512


@lru_cache(maxsize=REPLAY_CACHE_SIZE)
def replay_state(session: Heartbreak, match_id: int, side: str | None) -> dict[str, Any]:
    """The JSON of a stored match's replay (shared by the API and the match page; read-only)."""
    return session.replay_id(match_id, side=side).to_dict()


@router.get(
    "/matches/{match_id}",
    summary="Replay a stored match (the JSON of `heartbreak story --format json`)",
    response_description="match, prematch, timeline, emotions, metrics, story, story_side, "
    "stakes (a group match's, else null), context, attribution",
    response_class=JSONResponse,
)
def replay(
    session: Session,
    match_id: Annotated[int, Path(description="The stored match id.")],
    q: Annotated[ReplayQuery, Query()],
) -> JSONResponse:
    """The replay of a stored match: probabilities point by point, both sides' emotions, drama
    metrics, story and precedents. A match whose record lacks goal minutes cannot be replayed
    (422)."""
    # Answered as is: the dict is already the JSON contract, so no per-request re-encoding.
    return JSONResponse(replay_state(session, match_id, q.side))


@lru_cache(maxsize=REPLAY_CACHE_SIZE)
def record_state(session: Heartbreak, match_id: int) -> dict[str, Any]:
    """The JSON of a stored match's record (shared by the API and the match page)."""
    return session.record(match_id).to_dict()


@router.get(
    "/matches/{match_id}/record",
    summary="What the record of a stored match holds, replayable or not",
    response_description="match, prematch, goals, red_cards, goals_scored, goals_with_minutes, "
    "replayable, reason, attribution",
    response_class=JSONResponse,
)
def record(
    session: Session, match_id: Annotated[int, Path(description="The stored match id.")]
) -> JSONResponse:
    """The result, every goal and sending-off the record lists (a minute may be null), the
    pre-match chances, and, for a match whose goal minutes are not all known, why it has no
    minute-by-minute replay. Answers for every stored match."""
    return JSONResponse(record_state(session, match_id))


@router.get(
    "/top",
    response_model=list[Ranked],
    summary="The most dramatic matches (as `heartbreak top --format json`)",
)
def top(session: Session, q: Annotated[TopQuery, Query()]) -> list[dict[str, Any]]:
    metric = str(q.metric.value)
    frame = session.top(
        metric,
        competition=q.competition,
        stage=q.stage.value if q.stage is not None else None,
        team=q.team,
        date_from=q.date_from,
        date_to=q.date_to,
        limit=q.limit,
    )
    return rankings_to_records(frame, metric)


@router.get(
    "/teams/{team}",
    summary="A team's history (as `heartbreak team --format json`)",
    response_description="team, matches, first_match, last_match, rating_now, peak_rating, "
    "knockout_record, most_heartbreaking, most_joyful",
)
def team(
    session: Session, team: Annotated[str, Path(description="Team name, alias or FIFA code.")]
) -> dict[str, Any]:
    return session.team(team).to_dict()


@router.get(
    "/tournaments/{competition}/{year}",
    summary="A tournament's group tables and odds (as `heartbreak tournament --format json`)",
    response_description="tournament, as_of, simulations, seed, groups (tables), forecast "
    "(p_position, p_advance, p_round, p_champion per team)",
)
def tournament(
    session: Session,
    competition: Annotated[str, Path(description='e.g. "World Cup", "Euro" (any case).')],
    year: Annotated[int, Path(ge=1872, le=2100, description="The edition's year.")],
    q: Annotated[TournamentQuery, Query()],
) -> dict[str, Any]:
    return session.tournament(competition, year, q.as_of, q.sims, q.seed).to_dict()


@router.get(
    "/ratings",
    response_model=list[Rating],
    summary="World Football Elo ratings as of a date (as `heartbreak ratings --format json`)",
)
def ratings(session: Session, q: Annotated[RatingsQuery, Query()]) -> list[dict[str, Any]]:
    return ratings_to_records(session.ratings(q.date, top=q.top))


@router.get(
    "/predict",
    response_model=PredictionOut,
    response_model_exclude_unset=True,
    summary="Pre-match probabilities (as `heartbreak predict --format json`)",
)
def predict(session: Session, q: Annotated[PredictQuery, Query()]) -> dict[str, Any]:
    return session.predict(
        q.home, q.away, q.date, neutral=q.neutral, knockout=q.knockout, competition=q.competition
    ).to_dict()
