"""Who may write to live mode: the feed, with a bearer token.

Every write (``POST /api/live``, ``POST /api/live/{id}/events``, ``DELETE /api/live/{id}``)
needs ``Authorization: Bearer <token>``, a token made by ``heartbreak live token create`` and
kept (as its hash) in the token store beside the live log (:mod:`heartbreak.live.tokens`):

- no token, a malformed header, or a token unknown or revoked: 401, with
  ``WWW-Authenticate: Bearer``;
- a token for one live match used on another, or to create a live match (creating needs a token
  for all live matches): 403;
- pages, ``GET`` requests and event streams need none.

The check runs before the request's body is read, so a write without a valid token is 401
whatever its body. A token is only ever read from the header: never from the address (which
access logs keep), and no answer repeats it.

**A fresh server.** While no token has ever been made, an app made with
``open_loopback=True`` (``heartbreak serve`` bound to a loopback address: 127.0.0.1, ::1,
localhost) takes writes without a token from a client on this machine (a loopback address)
that addressed it by a loopback name (the ``Host`` header: a page of another site reached
through DNS rebinding names its own host, and is refused). The first token made closes that
for good, on every host (a revoked token still counts). Bound to any other address, or made by
:func:`heartbreak.api.create_app` without ``open_loopback``, a server with no token refuses
every write.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPBearer

from heartbreak.api.errors import error_response
from heartbreak.live.tokens import TokenInfo, TokenStore

#: Methods that write.
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: The OpenAPI description of the scheme (the check itself is :class:`LiveWriteRoute`'s).
BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="LiveToken",
    description="A live-mode token (`heartbreak live token create`), needed by every write.",
)
REALM = 'Bearer realm="heartbreak live"'
HOW = (
    "send Authorization: Bearer <token>, a token made by `heartbreak live token create`"
    " (heartbreak live replay: --token or HEARTBREAK_LIVE_TOKEN)"
)
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})


def is_loopback(host: str | None) -> bool:
    """Whether an address (or ``localhost``) is this machine's."""
    if not host:
        return False
    host = host.strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _host_name(header: str) -> str:
    """The name of a ``Host`` header, without its port."""
    header = header.strip().lower()
    if header.startswith("["):
        return header.split("]", 1)[0] + "]"
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


@dataclass(frozen=True, slots=True)
class Writer:
    """Who a write comes from: a token, or (no token yet) a client of this machine."""

    key: str  # what the rate limit counts by
    token: TokenInfo | None = None


class LiveAuth:
    """The write check of one app over one token store."""

    def __init__(self, tokens: TokenStore, open_loopback: bool = False) -> None:
        self.tokens = tokens
        self.open_loopback = open_loopback

    def open_to_loopback(self) -> bool:
        """Whether writes without a token are taken from this machine (no token made yet)."""
        return self.open_loopback and not self.tokens.any()

    def authorize(self, request: Request, live_id: str | None) -> Writer | JSONResponse:
        """The writer of a write to ``live_id`` (None: a creation), or the 401/403 answer."""
        header = request.headers.get("authorization")
        if header is None:
            client = request.client.host if request.client else None
            host = _host_name(request.headers.get("host", ""))
            if (
                self.open_to_loopback()
                and is_loopback(client)
                and (host in LOOPBACK_NAMES or is_loopback(host))
            ):
                return Writer(f"loopback:{client}")
            return _unauthorized(f"live writes need a token: {HOW}")
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or " " in token:
            return _unauthorized(
                f"the Authorization header is not 'Bearer <token>': {HOW}", "invalid_request"
            )
        info = self.tokens.check(token)
        if info is None:
            return _unauthorized("the token is not valid (unknown or revoked)", "invalid_token")
        if not info.allows(live_id):
            if live_id is None:
                message = (
                    f"token {info.id} is for live match {info.live_id} only: creating a live"
                    " match needs a token for all live matches"
                )
            else:
                message = f"token {info.id} is for another live match, not {live_id}"
            return error_response(
                403,
                "Forbidden",
                message,
                "header.authorization",
                headers={"WWW-Authenticate": f'{REALM}, error="insufficient_scope"'},
            )
        return Writer(f"token:{info.id}", info)


def _unauthorized(message: str, error: str | None = None) -> JSONResponse:
    challenge = REALM if error is None else f'{REALM}, error="{error}"'
    return error_response(
        401, "Unauthorized", message, "header.authorization", {"WWW-Authenticate": challenge}
    )


class LiveWriteRoute(APIRoute):
    """A route of the live router: a write is authorised (:class:`LiveAuth`, the app's
    ``state.live_auth``) before its body is read; the writer is left in
    ``request.state.live_writer``."""

    def get_route_handler(self):
        handler = super().get_route_handler()
        if not (self.methods or set()) & WRITE_METHODS:
            return handler

        async def guarded(request: Request):
            auth: LiveAuth = request.app.state.live_auth
            live_id = request.path_params.get("live_id")
            target = None if live_id is None else str(live_id)
            # (the token store is a file: read off the event loop)
            writer = await run_in_threadpool(auth.authorize, request, target)
            if isinstance(writer, JSONResponse):
                return writer
            request.state.live_writer = writer
            return await handler(request)

        return guarded
