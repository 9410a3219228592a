"""A running server sees a new store without a restart.

An import (``heartbreak import``) or a rebuild (``heartbreak data build``) replaces the store file
by renaming a new one onto it; the server's session still reads the old file. Before each HTTP
request, :class:`ReopenChangedStore` compares the identity of the file at the store's path
(device, inode, size, modification time) with that of the file the app's session opened. When
it changed, a new session over the new file (:meth:`heartbreak.services.Heartbreak.reopened`)
replaces the app's session (and the live service's) for the requests that follow; requests
already running finish on the session they began with, which is then dropped. The replay and
chart caches, keyed by session, are emptied, so no cache serves a match of the old store. A file
that cannot be opened (being replaced by another tool, say) leaves the app on its current
session until a later request.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import anyio.to_thread
from starlette.types import ASGIApp, Receive, Scope, Send

from heartbreak.errors import HeartbreakError


def file_identity(path: Path) -> tuple[int, int, int, int] | None:
    """What changes when a file is replaced or rewritten; None when there is no file."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


class StoreWatch:
    """Swaps an app's session for a new one when its store file is replaced."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._lock = threading.Lock()
        self.identity = file_identity(self._path())
        self.reopened = 0

    def _path(self) -> Path:
        return Path(self.app.state.session.store.path)

    def changed(self) -> bool:
        """Whether the file at the store's path is not the one the session opened."""
        identity = file_identity(self._path())
        return identity is not None and identity != self.identity

    def refresh(self) -> bool:
        """Open the new store and swap the sessions; True when it did."""
        with self._lock:
            identity = file_identity(self._path())
            if identity is None or identity == self.identity:
                return False
            session = self.app.state.session
            try:
                fresh = session.reopened()
            except HeartbreakError:
                return False
            self.app.state.session = fresh
            live = getattr(self.app.state, "live", None)
            if live is not None and getattr(live, "session", None) is session:
                live.session = fresh
            self.identity = identity
            self.reopened += 1
            _clear_caches()
            return True


def _clear_caches() -> None:
    from heartbreak.api import pages, routes

    caches = ((routes, "replay_state"), (routes, "record_state"), (pages, "_chart_file"))
    for module, name in caches:
        cached = getattr(module, name, None)
        if cached is not None and hasattr(cached, "cache_clear"):
            cached.cache_clear()


class ReopenChangedStore:
    """ASGI middleware: before each HTTP request, reopen the store when its file was replaced
    (``app.state.store_watch``, a :class:`StoreWatch`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            watch = getattr(scope["app"].state, "store_watch", None)
            if watch is not None and watch.changed():
                await anyio.to_thread.run_sync(watch.refresh)
        await self.app(scope, receive, send)
