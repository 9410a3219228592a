"""Live matches over HTTP: create, feed events, read the state, follow it by Server-Sent Events.

- ``POST /api/live``: create a live match → its state (``live.id`` is its id), 201.
- ``GET /api/live``: every live match, oldest first.
- ``GET /api/live/{live_id}``: the current state.
- ``POST /api/live/{live_id}/events``: one message or a list → the new state.
- ``DELETE /api/live/{live_id}``: remove a live match and its log, 204; its streams end.
- ``GET /api/live/{live_id}/stream``: ``text/event-stream``; a frame at once and on every
  change, each with ``id:`` the state's version (the messages it reflects: the match's own,
  and for a group match those of the live matches of its group played at the same time), a
  ``retry:`` hint, a comment as
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
subscriber gets those bytes. Errors are raised (with their field) and answered in the one error
shape by :mod:`heartbreak.api.errors`.

The three writes need a bearer token (:mod:`heartbreak.api.auth`: 401 without a valid one, 403
with one for another match) and are rate-limited per writer; live matches, messages per match
and streams per client address are bounded (:mod:`heartbreak.api.limits`). A stream ends after
a time with nothing new (a comment says so), and is dropped when its client stops reading.
"""

from __future__ import annotations

import contextvars
import logging
import math
import time
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Body, Path, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from heartbreak.api.auth import BEARER, LiveWriteRoute
from heartbreak.api.errors import ERROR_RESPONSES, ErrorResponse
from heartbreak.api.limits import env_name
from heartbreak.errors import LimitReached
from heartbreak.live.service import HEARTBEAT, MAX_BATCH, LiveService, Snapshot
from heartbreak.live.state import LiveDefinition

live_router = APIRouter(
    prefix="/api/live", responses=ERROR_RESPONSES, tags=["live"], route_class=LiveWriteRoute
)

#: The answers a write may get besides its own and the common ones.
WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": text}
    for code, text in (
        (401, "No valid token (`WWW-Authenticate: Bearer`)"),
        (403, "A token for another live match (or, to create one, a token for one match)"),
        (413, "Over the messages a live match keeps (or the request body limit)"),
        (429, "Too many messages a second for this token, or too many live matches"),
    )
}
#: The answers a stream may get besides its own and the common ones.
STREAM_RESPONSES: dict[int | str, dict[str, Any]] = {
    429: {"model": ErrorResponse, "description": "Too many streams from this client address"},
}
#: What the write routes declare (the check itself is :class:`LiveWriteRoute`'s).
WRITE_SECURITY = [Security(BEARER)]

logger = logging.getLogger("uvicorn.error")

#: Seconds between heartbeat comments on an idle stream.
HEARTBEAT_SECONDS = 15.0
#: Reconnection delay suggested to SSE clients, in milliseconds.
RETRY_MS = 3000

LiveId = Annotated[str, Path(description="The live match id (from POST /api/live).")]


def get_live(request: Request) -> LiveService:
    return request.app.state.live


def _json(snapshot: Snapshot, status: int = 200) -> Response:
    """A state's JSON as encoded once by the service."""
    return Response(snapshot.body, status, media_type="application/json")


def _check_rate(request: Request, cost: int) -> None:
    """Raise :class:`~heartbreak.errors.LimitReached` (429) unless the writer may send ``cost``
    messages now."""
    limits = request.app.state.limits
    writer = request.state.live_writer
    wait = request.app.state.live_rate.take(writer.key, cost)
    if wait is None:
        return
    rate = f"{limits.live_rate:g} messages a second, bursts of {limits.live_burst}"
    settings = f"{env_name('live_rate')}, {env_name('live_burst')}"
    if math.isinf(wait):
        message = f"{cost} messages at once are more than a burst allows ({rate}; {settings})"
        headers = None
    else:
        message = f"too many messages for this writer ({rate}; {settings}); retry in {wait:.1f} s"
        headers = {"Retry-After": str(max(1, math.ceil(wait)))}
    raise LimitReached(message, 429, headers=headers)


@live_router.post(
    "",
    status_code=201,
    summary="Create a live match (a token for all live matches)",
    dependencies=WRITE_SECURITY,
    responses=WRITE_RESPONSES,
)
def create(request: Request, body: LiveDefinition) -> Any:
    # The body's shape is the model's (FastAPI's 422); the checks that need the store (the
    # teams' names, one team under two names) are the service's, naming the body's field.
    live = get_live(request)
    _check_rate(request, 1)
    live_id = live.create(body)
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
    dependencies=WRITE_SECURITY,
    responses=WRITE_RESPONSES,
)
def delete(request: Request, live_id: LiveId) -> Response:
    _check_rate(request, 1)
    get_live(request).delete(live_id)
    return Response(status_code=204)


@live_router.post(
    "/{live_id}/events",
    summary="Send one message or a list of them",
    dependencies=WRITE_SECURITY,
    responses=WRITE_RESPONSES,
)
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
    # (a list over the batch limit is the service's 422, so it costs only that limit)
    cost = min(len(body), MAX_BATCH) if isinstance(body, list) else 1
    _check_rate(request, cost)
    return _json(live.ingest_snapshot(live_id, body))


#: Set in the task of a stream dropped for not reading, so that uvicorn's note that the answer
#: was left unfinished (it closes the connection) is not logged as an error.
_DROPPED: contextvars.ContextVar[bool] = contextvars.ContextVar("live_dropped", default=False)


class _QuietDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (_DROPPED.get() and "without completing response" in record.getMessage())


def quiet_dropped_streams() -> None:
    """Keep uvicorn from logging a dropped stream's unfinished answer as an error (once)."""
    target = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietDrops) for f in target.filters):
        target.addFilter(_QuietDrops())


class LiveStream(StreamingResponse):
    """A live match's event stream: each write of a frame may wait at most ``stall`` seconds
    for the client to make room (it is not reading: the server's write buffer is full); past
    that, the stream is dropped (its answer left unfinished, which makes the server close the
    connection). ``on_close`` runs once the answer is over, however it ends."""

    def __init__(self, content, *, stall: float, on_close: Callable[[], None], **kw) -> None:
        super().__init__(content, **kw)
        self.stall = stall
        self.on_close = on_close
        self.dropped = False

    async def stream_response(self, send: Send) -> None:
        start = {"type": "http.response.start", "status": self.status_code}
        await send({**start, "headers": self.raw_headers})
        async for chunk in self.body_iterator:
            with anyio.move_on_after(self.stall) as waited:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            if waited.cancelled_caught:
                self.dropped = True
                await self.body_iterator.aclose()  # type: ignore[attr-defined]
                return
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.on_close()
            if self.dropped:
                _DROPPED.set(True)
                client = scope.get("client") or ("?", 0)
                logger.info(
                    "%s - live stream dropped: the client read nothing for %g s (%s)",
                    client[0],
                    self.stall,
                    env_name("live_stream_stall"),
                )


@live_router.get(
    "/{live_id}/stream",
    summary="Follow a live match by Server-Sent Events",
    response_class=StreamingResponse,
    responses=STREAM_RESPONSES,
)
async def stream(request: Request, live_id: LiveId) -> StreamingResponse:
    live = get_live(request)
    state = request.app.state
    limits = state.limits
    live.match(live_id)  # an unknown id is a 404 before any limit is counted
    client = request.client.host if request.client else "unknown"
    slots = state.live_streams
    if not slots.acquire(client):
        raise LimitReached(
            f"this client address has {slots.limit} live streams open, the limit"
            f" ({env_name('live_max_streams')}); close one first"
        )
    queue = None
    closed = False

    def close() -> None:
        nonlocal closed
        if not closed:
            closed = True
            slots.release(client)
            if queue is not None:
                live.unsubscribe(live_id, queue)

    try:
        queue = live.subscribe(live_id)  # before reading the state, so no change falls between
        first = live.snapshot_if_ready(live_id) or await run_in_threadpool(live.snapshot, live_id)
    except BaseException:
        close()
        raise
    live.keep_beating(lambda: float(getattr(state, "live_heartbeat", HEARTBEAT_SECONDS)))
    idle = float(limits.live_stream_idle)

    async def frames() -> AsyncIterator[bytes]:
        # A disconnected client cancels this generator (or fails its next write, at the
        # latest the next heartbeat's), so the wait needs no polling and no timer of its own:
        # one task per event loop queues the heartbeats of every subscriber.
        try:
            yield b"retry: %d\n\n" % RETRY_MS
            yield first.frame.data
            last = first.frame.seq
            changed = time.monotonic()
            while True:
                frame = await queue.get()
                if frame is HEARTBEAT:
                    if time.monotonic() - changed >= idle:  # nothing new for long: end
                        yield b": idle for %ds, closing\n\n" % round(idle)
                        return
                    yield frame.data
                elif frame is None:  # the live match was deleted, or the service closed
                    return
                elif frame.seq > last:  # (older ones were queued before the first state)
                    data = frame.bytes_after(last)  # an append only onto the frame sent last
                    last = frame.seq
                    changed = time.monotonic()
                    yield data
        finally:
            close()

    return LiveStream(
        frames(),
        stall=float(limits.live_stream_stall),
        on_close=close,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
