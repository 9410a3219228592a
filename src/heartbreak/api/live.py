"""Live matches over HTTP: create, feed events, read the state, follow it by Server-Sent Events.

- ``POST /api/live``: create a live match → its state (``live.id`` is its id), 201.
- ``GET /api/live``: every live match, oldest first.
- ``GET /api/live/{live_id}``: the current state.
- ``POST /api/live/{live_id}/events``: one message or a list → the new state.
- ``DELETE /api/live/{live_id}``: remove a live match and its log, 204; its streams end.
- ``GET /api/live/{live_id}/stream``: ``text/event-stream``; a frame at once and on every
  change, each with ``id:`` the number of messages received, a ``retry:`` hint, a comment as
  heartbeat every 15 s; the stream ends when the match is deleted. Two kinds of frame:

  - ``event: state``: the whole JSON state. The first frame of every stream is one (a client
    reconnecting with ``Last-Event-ID`` gets the current state first, like any other), and so
    is every change that is not a pure extension, and every frame to a subscriber that missed
    the one before (its queue dropped it);
  - ``event: append``: ``{"base", "timeline", "emotions", "live"}``, when the state is the one
    of id ``base`` with points added at the end of ``timeline`` and of each team's
    ``emotions`` and a new ``live``, nothing else changed (a clock tick); sent only to a
    subscriber whose last frame had id ``base``. Append the points, replace ``live``: the
    state is then exactly what ``GET /api/live/{live_id}`` answers for that ``id``.

A state is encoded once when it changes, whole and as an append; every answer and every
subscriber gets those bytes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from heartbreak.api.errors import ERROR_RESPONSES, error_response
from heartbreak.errors import InvalidInput, UnknownTeam
from heartbreak.live.service import HEARTBEAT, LiveService, Snapshot

live_router = APIRouter(prefix="/api/live", responses=ERROR_RESPONSES, tags=["live"])

#: Seconds between heartbeat comments on an idle stream.
HEARTBEAT_SECONDS = 15.0
#: Reconnection delay suggested to SSE clients, in milliseconds.
RETRY_MS = 3000

LiveId = Annotated[str, Path(description="The live match id (from POST /api/live).")]


def get_live(request: Request) -> LiveService:
    return request.app.state.live


class LiveCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    home: str = Field(description="Home (or first-named) team.")
    away: str = Field(description="Away (or second-named) team.")
    date: str = Field(description="Match date, YYYY-MM-DD.")
    neutral: bool = Field(False, description="Played on neutral ground.")
    knockout: bool = Field(False, description="Needs a winner (extra time, shootout).")
    competition: str | None = None
    stage: str | None = None
    city: str | None = None
    country: str | None = None
    elo_home: float | None = Field(None, description="Rating; default: the store's as of date.")
    elo_away: float | None = Field(None, description="Rating; default: the store's as of date.")


def _json(snapshot: Snapshot, status: int = 200) -> Response:
    """A state's JSON as encoded once by the service."""
    return Response(snapshot.body, status, media_type="application/json")


def _invalid(exc: InvalidInput, where: str = "body") -> JSONResponse:
    head = exc.message.split(":", 1)[0].strip()
    field = f"{where}.{head}" if head and " " not in head else None
    return error_response(422, "InvalidInput", exc.message, field)


@live_router.post("", status_code=201, summary="Create a live match")
def create(request: Request, body: LiveCreate) -> Any:
    live = get_live(request)
    try:
        live_id = live.create(body.model_dump())
    except InvalidInput as exc:
        return _invalid(exc)
    except UnknownTeam as exc:
        field = "body.home" if exc.name == body.home else "body.away"
        return error_response(404, "UnknownTeam", exc.message, field)
    return _json(live.snapshot(live_id), 201)


@live_router.get("", summary="Every live match")
def list_matches(request: Request) -> list[dict[str, Any]]:
    return get_live(request).list()


@live_router.get(
    "/{live_id}",
    summary="The state of a live match (the JSON of a replay so far)",
    response_model=dict[str, Any],
)
def state(request: Request, live_id: LiveId) -> Response:
    return _json(get_live(request).snapshot(live_id))


@live_router.delete(
    "/{live_id}",
    status_code=204,
    summary="Delete a live match and its log (its streams end)",
    response_class=Response,
)
def delete(request: Request, live_id: LiveId) -> Response:
    get_live(request).delete(live_id)
    return Response(status_code=204)


@live_router.post("/{live_id}/events", summary="Send one message or a list of them")
def events(
    request: Request,
    live_id: LiveId,
    body: Annotated[
        dict[str, Any] | list[dict[str, Any]],
        Body(
            description="A message {event_id, type, ...} or a list of them; see the README.",
        ),
    ],
) -> Any:
    live = get_live(request)
    live.match(live_id)  # an unknown id is a 404 before any message is judged
    try:
        return _json(live.ingest_snapshot(live_id, body))
    except InvalidInput as exc:
        return _invalid(exc)


@live_router.get(
    "/{live_id}/stream",
    summary="Follow a live match by Server-Sent Events",
    response_class=StreamingResponse,
)
async def stream(request: Request, live_id: LiveId) -> StreamingResponse:
    live = get_live(request)
    queue = live.subscribe(live_id)  # before reading the state, so no change falls between
    try:
        first = live.snapshot_if_ready(live_id) or await run_in_threadpool(live.snapshot, live_id)
    except BaseException:
        live.unsubscribe(live_id, queue)
        raise
    state = request.app.state
    live.keep_beating(lambda: float(getattr(state, "live_heartbeat", HEARTBEAT_SECONDS)))

    async def frames() -> AsyncIterator[bytes]:
        # A disconnected client cancels this generator (or fails its next write, at the
        # latest the next heartbeat's), so the wait needs no polling and no timer of its own:
        # one task per event loop queues the heartbeats of every subscriber.
        try:
            yield b"retry: %d\n\n" % RETRY_MS
            yield first.frame.data
            last = first.frame.seq
            while True:
                frame = await queue.get()
                if frame is HEARTBEAT:
                    yield frame.data
                elif frame is None:  # the live match was deleted, or the service closed
                    return
                elif frame.seq > last:  # (older ones were queued before the first state)
                    data = frame.bytes_after(last)  # an append only onto the frame sent last
                    last = frame.seq
                    yield data
        finally:
            live.unsubscribe(live_id, queue)

    return StreamingResponse(
        frames(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
