"""The FastAPI app factory: one read-only store and one session per app, serving the JSON API
under ``/api`` and the web pages over the same views."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from starlette.middleware.gzip import GZipMiddleware

from heartbreak import __version__
from heartbreak.api.auth import LiveAuth
from heartbreak.api.docs import mount_docs
from heartbreak.api.errors import BodySizeLimit, install_error_handlers
from heartbreak.api.freshness import ReopenChangedStore, StoreWatch
from heartbreak.api.headers import SecurityHeaders
from heartbreak.api.limits import (
    BodyTimeout,
    HeaderSizeLimit,
    Limits,
    RateLimiter,
    StreamSlots,
)
from heartbreak.api.live import live_router, quiet_dropped_streams
from heartbreak.api.pages import mount_pages
from heartbreak.api.routes import router
from heartbreak.live.fanout import Fanout
from heartbreak.services import Heartbreak

#: Responses from this size on are gzipped for a client that accepts it; Server-Sent Events
#: (``text/event-stream``) never are, so every frame leaves as soon as it is sent.
GZIP_MINIMUM_BYTES = 1024

#: The OpenAPI description, shown at the top of /docs and /redoc: the way back to the pages.
API_DESCRIPTION = """[← Heartbreak](/): the web pages (search, matches, rankings, teams, live).

JSON under `/api`, the same JSON as the command line's `--format json`; every error has one
shape, `{"error": {"status", "type", "message", "field"}}`."""


def create_app(
    db: Path | None = None,
    data_dir: Path | None = None,
    *,
    session: Heartbreak | None = None,
    max_body_bytes: int | None = None,
    live_log: Path | None = None,
    limits: Limits | None = None,
    live_open_loopback: bool = False,
    live_tokens: Path | None = None,
    fanout: Fanout | None = None,
) -> FastAPI:
    """The HTTP API over one :class:`~heartbreak.services.Heartbreak` session.

    The store (``db``, else ``$HEARTBREAK_DB`` or the user data folder; built from ``data_dir``
    when missing) is opened read-only once, here; a ``session`` given by the caller is used as
    is and left open. Live matches are logged in ``live_log`` (default: ``<store>.live.duckdb``)
    and their writers' tokens kept in ``live_tokens`` (default: beside the log,
    :func:`heartbreak.live.tokens.tokens_path_for`); ``live_open_loopback`` takes writes without
    a token from this machine while no token exists (:mod:`heartbreak.api.auth`). ``limits``
    (default: :meth:`Limits.from_env`) bounds what a client may cost (:mod:`heartbreak.api.limits`;
    ``max_body_bytes``, when given, overrides its body limit). ``fanout``: where every live frame
    is also published, for streams held by another server (:mod:`heartbreak.live.fanout`).
    """
    from heartbreak.live.log import log_path_for
    from heartbreak.live.service import LiveService
    from heartbreak.live.tokens import TokenStore, tokens_path_for

    owned = session is None
    if session is None:
        session = Heartbreak(db=db, data_dir=data_dir)
    session.store  # noqa: B018  (open, or build, the store now rather than on a request)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.live.close()
        # The session may have been replaced by one of the app's own (a new store file).
        if owned or app.state.session is not session:
            app.state.session.store.close()

    # Swagger UI and ReDoc served from this app, no CDN (fastapi_offline's copies); the pages
    # /docs and /redoc themselves are heartbreak.api.docs's.
    app = FastAPIOffline(
        docs_url=None,
        redoc_url=None,
        title="Heartbreak",
        version=__version__,
        summary="The ride a football match gave its fans: probabilities, emotions, drama, story.",
        description=API_DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.session = session
    app.state.live = LiveService(
        session, live_log or log_path_for(session.store.path), fanout=fanout
    )
    limits = limits or Limits.from_env()
    app.state.limits = limits
    app.state.live.max_matches = limits.live_max_matches
    app.state.live.max_messages = limits.live_max_messages
    tokens = TokenStore(live_tokens or tokens_path_for(app.state.live.log_path))
    app.state.live_auth = LiveAuth(tokens, open_loopback=live_open_loopback)
    app.state.live_rate = RateLimiter(limits.live_rate, limits.live_burst)
    app.state.live_streams = StreamSlots(limits.live_max_streams)
    quiet_dropped_streams()
    # A store replaced by an import or a rebuild is reopened at the next request.
    app.state.store_watch = StoreWatch(app)
    app.add_middleware(ReopenChangedStore)
    mount_docs(app)
    install_error_handlers(app)
    body_bytes = limits.max_body_bytes if max_body_bytes is None else max_body_bytes
    app.add_middleware(BodySizeLimit, max_bytes=body_bytes)
    app.add_middleware(BodyTimeout, seconds=limits.body_timeout)
    app.add_middleware(HeaderSizeLimit, max_bytes=limits.max_header_bytes)
    # Starlette's GZipMiddleware leaves text/event-stream alone (the live streams stay frame by
    # frame); tests/integration/test_compression_and_caching.py holds it to that.
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_BYTES, compresslevel=6)
    app.add_middleware(SecurityHeaders)  # outermost: every answer gets the headers
    app.include_router(router)
    app.include_router(live_router)
    mount_pages(app)
    return app
