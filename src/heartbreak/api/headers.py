"""Security headers on every answer, pages, API and assets alike.

- ``Content-Security-Policy``: everything from this app only, no inline script (the pages'
  scripts are files; their data sits in ``<script type="application/json">`` blocks, which are
  never run), no inline style (the scripts colour elements through ``element.style``, which a
  policy does not govern), images also as ``data:`` URLs, no plugins, forms posting here only,
  and no framing (``frame-ancestors 'none'``) but for the embeddable chart,
  ``/matches/{id}/embed``, which any site may frame (``frame-ancestors *``);
- ``X-Frame-Options: DENY`` (the same, for browsers that predate ``frame-ancestors``), not on
  the embed;
- ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: same-origin``.

A response that sets its own ``Content-Security-Policy`` keeps it: the API docs pages
(:mod:`heartbreak.api.docs`) allow their one inline script by its hash and inline styles
(Swagger UI and ReDoc style themselves so), and fetch nothing from another host.
"""

from __future__ import annotations

import re

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: The embeddable chart: any site may frame it.
EMBED_PATH = re.compile(r"^/matches/[^/]+/embed/?$")

_BASE = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
)
#: The policy of every answer but the embed's.
CSP = "; ".join((*_BASE, "frame-ancestors 'none'"))
#: The embed's policy: as the others', but any site may frame it.
EMBED_CSP = "; ".join((*_BASE, "frame-ancestors *"))


def docs_csp(script_hashes: list[str]) -> str:
    """The policy of an API docs page: its inline scripts allowed by hash, inline styles."""
    scripts = " ".join(f"'sha256-{h}'" for h in script_hashes)
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' {scripts}".rstrip(),
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


class SecurityHeaders:
    """ASGI middleware adding the headers above to every HTTP answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        embed = bool(EMBED_PATH.match(scope.get("path", "")))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if "content-security-policy" not in headers:
                    headers["Content-Security-Policy"] = EMBED_CSP if embed else CSP
                if not embed:
                    headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
            await send(message)

        await self.app(scope, receive, send_with_headers)
