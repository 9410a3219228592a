"""``heartbreak serve``'s HTTP server: uvicorn over h11, with the limits of the connection.

:func:`uvicorn_options` are uvicorn's settings for the
:class:`~heartbreak.api.limits.Limits` (:func:`uvicorn_config`, a configuration with them); the
HTTP protocol is :func:`protocol_class`'s, h11's
uvicorn protocol with three changes:

- a malformed request gets the one JSON error shape (400; 431 when its request line and headers
  are over ``HEARTBREAK_MAX_HEADER_BYTES``) instead of uvicorn's plain text;
- a connection must send a whole request line and headers within ``HEARTBREAK_HEADER_TIMEOUT``
  of opening (or of the first bytes of its next request), else it gets 408 in the same shape and
  is closed (uvicorn alone waits for the first request for ever; an idle kept-alive connection
  is closed by uvicorn's keep-alive timeout);
- each connection's kernel send buffer is ``HEARTBREAK_SEND_BUFFER_BYTES`` (not left to grow
  to megabytes for a client that does not read);
- a connection closed while its client is not reading (its write buffer not empty, say a live
  stream dropped for not reading) is aborted after a few seconds rather than kept until the
  client reads.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import socket
from typing import Any

import h11
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol

from heartbreak.api.errors import error_body
from heartbreak.api.limits import Limits, env_name
from heartbreak.services import Heartbreak

#: Seconds a closed connection may still take to hand its last bytes to its client.
LINGER_SECONDS = 5.0

_REASONS = {400: "Bad Request", 408: "Request Timeout", 431: "Request Header Fields Too Large"}
_TYPES = {400: "BadRequest", 408: "RequestTimeout", 431: "RequestHeaderFieldsTooLarge"}


class _LingeringTransport:
    """A transport whose ``close`` becomes an ``abort`` when its buffer is not written out
    within :data:`LINGER_SECONDS`."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop

    def close(self) -> None:
        transport = self._transport
        if transport.is_closing():
            return
        transport.close()
        if transport.get_write_buffer_size():
            self._loop.call_later(LINGER_SECONDS, transport.abort)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


def _error_bytes(status: int, message: str) -> tuple[list[tuple[bytes, bytes]], bytes]:
    body = json.dumps(error_body(status, _TYPES[status], message)).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    return headers, body


def protocol_class(limits: Limits) -> type[H11Protocol]:
    """uvicorn's h11 protocol with the JSON errors, the header timeout and the lingering
    close described above."""

    class HeartbreakH11Protocol(H11Protocol):
        header_timeout = limits.header_timeout
        max_header_bytes = limits.max_header_bytes

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            sock = transport.get_extra_info("socket")
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, limits.send_buffer_bytes)
            self.transport = _LingeringTransport(transport, self.loop)  # type: ignore[assignment]
            self._header_timer: asyncio.TimerHandle | None = None
            self._armed_for: Any = None
            self._arm_header_timer()  # a new connection: its first request is due

        def _arm_header_timer(self) -> None:
            """The request whose head is awaited must be in within the header timeout (a new
            request replaces ``self.scope``: the timer then finds it in)."""
            if self._header_timer is not None:
                self._header_timer.cancel()
            self._armed_for = self.scope
            self._header_timer = self.loop.call_later(self.header_timeout, self._header_timed_out)

        def data_received(self, data: bytes) -> None:
            between = self.cycle is None or self.cycle.response_complete
            if between and (self._header_timer is None or self._armed_for is not self.scope):
                self._arm_header_timer()  # the first bytes of the next request
            super().data_received(data)

        def _header_timed_out(self) -> None:
            self._header_timer = None
            if self.scope is not self._armed_for or self.transport.is_closing():
                return  # the request came in meanwhile
            if self.cycle is not None and not self.cycle.response_complete:
                return
            self._send_error(
                408,
                f"no whole request line and headers within {self.header_timeout:g} s"
                f" ({env_name('header_timeout')})",
            )

        def connection_lost(self, exc: Exception | None) -> None:
            if getattr(self, "_header_timer", None) is not None:
                self._header_timer.cancel()
                self._header_timer = None
            super().connection_lost(exc)

        def send_400_response(self, msg: str) -> None:
            pending = len(self.conn.trailing_data[0])
            if pending > self.max_header_bytes:
                self._send_error(
                    431,
                    f"request line and headers over {self.max_header_bytes} bytes"
                    f" ({env_name('max_header_bytes')})",
                )
            else:
                self._send_error(400, "invalid HTTP request")

        def _send_error(self, status: int, message: str) -> None:
            headers, body = _error_bytes(status, message)
            try:
                output = self.conn.send(
                    h11.Response(status_code=status, headers=headers, reason=_REASONS[status])
                )
                output += self.conn.send(h11.Data(data=body))
                output += self.conn.send(h11.EndOfMessage())
            except h11.LocalProtocolError:  # nothing can be answered in this state
                output = b""
            if output:
                self.transport.write(output)
            self.transport.close()

    return HeartbreakH11Protocol


#: The garbage collector's thresholds in a server (Python's default: 700, 10, 10). A live frame
#: goes to every subscriber in one burst that allocates a few objects per subscriber; collected
#: every 700 allocations, the young generation catches them in flight and promotes them, and the
#: old generations' growth then sets off a full collection every few seconds. Collected every
#: 50,000, a burst is over first and its objects die by reference count.
SERVER_GC_THRESHOLDS = (50_000, 10, 10)


def settle_heap(session: Heartbreak) -> None:
    """Before serving: load the session (:meth:`Heartbreak.warm`), move every object alive into
    the garbage collector's permanent generation (:func:`gc.freeze`: what a server keeps to its
    end anyway), and set :data:`SERVER_GC_THRESHOLDS`. Without this, full collections walk the
    modules, the session's tables and every subscriber's coroutines a few times a minute
    under a live feed, 130-240 ms each, and every frame waits behind one
    (``LIVE_SSE_GC=1 python bench/live_sse.py`` prints the pauses)."""
    session.warm()
    gc.collect()
    gc.freeze()
    gc.set_threshold(*SERVER_GC_THRESHOLDS)


def uvicorn_options(limits: Limits) -> dict[str, Any]:
    """uvicorn's settings for the limits (``uvicorn.run(app, host=..., **uvicorn_options())``):
    h11 with the limits' header size and timeouts, and the keep-alive timeout."""
    return {
        "http": protocol_class(limits),
        "h11_max_incomplete_event_size": limits.max_header_bytes,
        "timeout_keep_alive": limits.keep_alive,
    }


def uvicorn_config(app: Any, host: str, port: int, limits: Limits, **options: Any) -> Config:
    """uvicorn's configuration of an app as ``heartbreak serve`` runs it."""
    return Config(app, host=host, port=port, **uvicorn_options(limits), **options)
