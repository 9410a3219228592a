"""The server's limits: documented settings, each with its error when reached.

Every limit is a field of :class:`Limits`, read from its environment variable by
:meth:`Limits.from_env` (``heartbreak serve`` and :func:`heartbreak.api.create_app` without
``limits=``), default in brackets:

- ``HEARTBREAK_LIVE_MAX_MATCHES`` (100): live matches held at once, finished or not; one more
  ``POST /api/live`` is 429 until one is deleted. It also bounds ``GET /api/live``.
- ``HEARTBREAK_LIVE_MAX_MESSAGES`` (5000): distinct messages a live match keeps; a request that
  would take it past is 413, and none of its messages is kept.
- ``HEARTBREAK_LIVE_RATE`` (50) and ``HEARTBREAK_LIVE_BURST`` (500): messages a second per
  writer (a token; while writes are open to loopback, a client address), a token bucket that
  holds ``BURST`` (a batch counts each message, a creation or a deletion one): 429 with
  ``Retry-After``.
- ``HEARTBREAK_LIVE_MAX_STREAMS`` (50): event streams open at once per client address; one more
  is 429.
- ``HEARTBREAK_LIVE_STREAM_IDLE`` (900 s): a stream with no new state for that long ends (an
  ``EventSource`` reconnects by itself and gets the current state).
- ``HEARTBREAK_LIVE_STREAM_STALL`` (30 s): a stream whose client stops reading (a write waits
  that long for room) is dropped; what it holds meanwhile is the kernel's send buffer
  (``HEARTBREAK_SEND_BUFFER_BYTES``), the connection's write buffer (64 KiB and one frame) and
  a mailbox of at most 64 references to frames shared by every subscriber.
- ``HEARTBREAK_SEND_BUFFER_BYTES`` (256 KiB): the kernel's send buffer of each connection
  (``heartbreak serve``; Linux would otherwise let it grow to megabytes for a client that does
  not read).
- ``HEARTBREAK_MAX_BODY_BYTES`` (1 MiB): a larger request body is 413.
- ``HEARTBREAK_BODY_TIMEOUT`` (10 s): a request body not received in full that long after the
  app starts reading it is 408.
- ``HEARTBREAK_MAX_HEADER_BYTES`` (16 KiB): a request line and headers larger than that are 431
  (:class:`HeaderSizeLimit`; ``heartbreak serve`` also stops buffering an unfinished one there:
  h11's ``max_incomplete_event_size``).
- ``HEARTBREAK_HEADER_TIMEOUT`` (10 s): a connection that has not sent a whole request line and
  headers that long after it opened (or after its last answer) gets 408 and is closed
  (``heartbreak serve``).
- ``HEARTBREAK_KEEP_ALIVE`` (5 s): an idle kept-alive connection is closed (uvicorn's
  ``timeout_keep_alive``).

Every error is in the one JSON shape, its message naming the limit and its setting.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields

import anyio
from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from heartbreak.api.errors import error_response
from heartbreak.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class Limits:
    """The server's limits (see the module's docstring for what each bounds)."""

    live_max_matches: int = 100
    live_max_messages: int = 5000
    live_rate: float = 50.0
    live_burst: int = 500
    live_max_streams: int = 50
    live_stream_idle: float = 900.0
    live_stream_stall: float = 30.0
    max_body_bytes: int = 1024 * 1024
    body_timeout: float = 10.0
    max_header_bytes: int = 16 * 1024
    header_timeout: float = 10.0
    keep_alive: int = 5
    send_buffer_bytes: int = 256 * 1024

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        """The limits, each from its ``HEARTBREAK_…`` variable when set; a value that is not a
        positive number is an error naming the variable."""
        environ = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            name = env_name(f.name)
            raw = environ.get(name)
            if raw is None or raw.strip() == "":
                continue
            kind = int if f.type in ("int", int) else float
            try:
                value = kind(raw.strip())
            except ValueError:
                value = None
            if value is None or not math.isfinite(value) or value <= 0:
                noun = "a whole number" if kind is int else "a number"
                raise InvalidInput(f"{name}: {raw!r} is not {noun} above 0")
            values[f.name] = value
        return cls(**values)


def env_name(field_name: str) -> str:
    """The environment variable of a limit: ``live_rate`` → ``HEARTBREAK_LIVE_RATE``."""
    return "HEARTBREAK_" + field_name.upper()


class RateLimiter:
    """A token bucket per writer (a token's id, or a loopback client's address: few of
    them): ``rate`` a second, holding at most ``burst``."""

    def __init__(self, rate: float, burst: int, now: Callable[[], float] = time.monotonic) -> None:
        self.rate = float(rate)
        self.burst = float(burst)
        self.now = now
        self._buckets: dict[str, tuple[float, float]] = {}  # writer → (level, at)
        self._lock = threading.Lock()

    def take(self, writer: str, cost: int = 1) -> float | None:
        """Take ``cost`` from the writer's bucket: None when it held that much, else the seconds
        to wait for it (nothing is taken then)."""
        now = self.now()
        with self._lock:
            level, at = self._buckets.get(writer, (self.burst, now))
            level = min(self.burst, level + (now - at) * self.rate)
            if cost <= level:
                self._buckets[writer] = (level - cost, now)
                return None
            self._buckets[writer] = (level, now)
        return (cost - level) / self.rate if cost <= self.burst else math.inf


class StreamSlots:
    """Event streams open per client address, at most ``limit`` each."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._open: dict[str, int] = {}
        self._lock = threading.Lock()

    def acquire(self, client: str) -> bool:
        with self._lock:
            count = self._open.get(client, 0)
            if count >= self.limit:
                return False
            self._open[client] = count + 1
            return True

    def release(self, client: str) -> None:
        with self._lock:
            count = self._open.get(client, 0) - 1
            if count > 0:
                self._open[client] = count
            else:
                self._open.pop(client, None)

    def open(self, client: str | None = None) -> int:
        """Streams open for one client address, or for all."""
        with self._lock:
            if client is None:
                return sum(self._open.values())
            return self._open.get(client, 0)


class _BodyTimedOut(HTTPException):
    """Raised when a request body is not in within the time allowed; an HTTPException so that
    the app's handlers (and FastAPI's body parsing) pass it on as a 408."""

    def __init__(self, seconds: float) -> None:
        super().__init__(408, _timeout_message(seconds), headers={"Connection": "close"})


def _timeout_message(seconds: float) -> str:
    return f"the request body did not arrive within {seconds:g} s ({env_name('body_timeout')})"


class BodyTimeout:
    """ASGI middleware: a request body must arrive in full within ``seconds`` of the app's
    first read of it, else the answer is 408 in the error shape (and the connection closes).
    Waiting for the client to go away once the body is in (as a stream does) has no limit."""

    def __init__(self, app: ASGIApp, seconds: float = Limits.body_timeout) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        deadline: float | None = None
        complete = False
        started = False

        async def timed_receive() -> Message:
            nonlocal deadline, complete
            if complete:
                return await receive()
            loop_time = anyio.current_time()
            if deadline is None:
                deadline = loop_time + self.seconds
            with anyio.move_on_after(max(0.0, deadline - loop_time)) as waited:
                message = await receive()
            if waited.cancelled_caught:
                raise _BodyTimedOut(self.seconds)
            if message["type"] != "http.request" or not message.get("more_body", False):
                complete = True
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, timed_receive, tracking_send)
        except _BodyTimedOut:
            if started:
                raise
            response = error_response(
                408,
                "RequestTimeout",
                _timeout_message(self.seconds),
                None,
                headers={"Connection": "close"},
            )
            await response(scope, receive, send)


def head_bytes(scope: Scope) -> int:
    """The size of a request's line and headers, about as they came over the wire."""
    size = len(scope.get("method", "")) + len(scope.get("raw_path") or b"") + 12
    size += len(scope.get("query_string") or b"") + 1
    return size + sum(len(name) + len(value) + 4 for name, value in scope.get("headers", ()))


class HeaderSizeLimit:
    """ASGI middleware: a request whose line and headers are over ``max_bytes`` gets 431 in the
    error shape (``heartbreak serve``'s server also stops buffering an unfinished head there)."""

    def __init__(self, app: ASGIApp, max_bytes: int = Limits.max_header_bytes) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and head_bytes(scope) > self.max_bytes:
            message = (
                f"request line and headers over {self.max_bytes} bytes"
                f" ({env_name('max_header_bytes')})"
            )
            response = error_response(
                431, "RequestHeaderFieldsTooLarge", message, None, headers={"Connection": "close"}
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
