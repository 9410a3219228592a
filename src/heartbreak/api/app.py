"""The FastAPI app factory: one read-only store and one session per app, serving the JSON API
under ``/api`` and the web pages over the same views."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from heartbreak import __version__
from heartbreak.api.errors import MAX_BODY_BYTES, BodySizeLimit, install_error_handlers
from heartbreak.api.live import live_router
from heartbreak.api.pages import mount_pages
from heartbreak.api.routes import router
from heartbreak.services import Heartbreak


def create_app(
    db: Path | None = None,
    data_dir: Path | None = None,
    *,
    session: Heartbreak | None = None,
    max_body_bytes: int = MAX_BODY_BYTES,
    live_log: Path | None = None,
) -> FastAPI:
    """The HTTP API over one :class:`~heartbreak.services.Heartbreak` session.

    The store (``db``, else ``$HEARTBREAK_DB`` or the user data folder; built from ``data_dir``
    when missing) is opened read-only once, here; a ``session`` given by the caller is used as
    is and left open. Live matches are logged in ``live_log`` (default: ``<store>.live.duckdb``).
    """
    from heartbreak.live.log import log_path_for
    from heartbreak.live.service import LiveService

    owned = session is None
    if session is None:
        session = Heartbreak(db=db, data_dir=data_dir)
    session.store  # noqa: B018  (open, or build, the store now rather than on a request)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.live.close()
        if owned:
            app.state.session.store.close()

    # The docs pages (/docs, /redoc) with Swagger UI and ReDoc served from this app, no CDN.
    app = FastAPIOffline(
        title="Heartbreak",
        version=__version__,
        summary="The ride a football match gave its fans: probabilities, emotions, drama, story.",
        lifespan=lifespan,
    )
    app.state.session = session
    app.state.live = LiveService(session, live_log or log_path_for(session.store.path))
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)
    app.include_router(router)
    app.include_router(live_router)
    mount_pages(app)
    return app
