"""The API docs pages, with nothing from another host and a way back to the pages: Swagger UI
at ``/docs`` (fastapi_offline's copy; the spec is never sent to a validator) and ReDoc at
``/redoc``, whose bundle is served here with its one remote image (the Redocly logo) pointed at
the app's own icon. Each page opens with a "← Heartbreak" link to ``/``, and the OpenAPI
description they both show links there too."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response

from heartbreak.api.headers import docs_csp

#: fastapi_offline's copies of Swagger UI and ReDoc, and where it serves them.
OFFLINE_STATIC = Path(fastapi_offline.__file__).resolve().parent / "static"
OFFLINE_URL = "/static-offline-docs"
#: The image the ReDoc bundle would fetch from its makers' CDN.
REDOC_REMOTE_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
FAVICON = "/static/favicon.svg"
REDOC_JS = "/static-docs/redoc.standalone.js"

#: Swagger UI's settings: the spec is never sent to validator.swagger.io.
SWAGGER_UI_PARAMETERS = {"validatorUrl": None}

#: The bar on top of both docs pages: back to the pages.
BACK_BAR = (
    '<nav aria-label="Heartbreak" style="padding:.6rem 1rem;border-bottom:1px solid #d8d8d8;'
    'font:16px/1.4 system-ui,sans-serif;background:#fff">'
    '<a href="/" style="color:#005a8c;font-weight:600">← Heartbreak</a>'
    ' <span style="color:#5f5f5f">the web pages: search, matches, rankings, teams, live</span>'
    "</nav>"
)


#: An inline script (no ``src``) of a docs page: its text, which the page's policy allows by hash.
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def _with_back_bar(page: HTMLResponse) -> HTMLResponse:
    """The page with the bar on top, and its own Content-Security-Policy: its inline script
    (Swagger UI's settings) allowed by its SHA-256, inline styles, nothing from another host."""
    html = bytes(page.body).decode()
    html = html.replace("<html>", '<html lang="en">', 1).replace("<body>", "<body>" + BACK_BAR, 1)
    hashes = [
        base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        for text in INLINE_SCRIPT.findall(html)
    ]
    return HTMLResponse(html, headers={"Content-Security-Policy": docs_csp(hashes)})


def mount_docs(app: FastAPI) -> None:
    """``/docs``, ``/redoc`` and the ReDoc bundle (read once, here, and served at a URL
    versioned by its content). Create the app with ``docs_url=None, redoc_url=None``."""
    bundle = (OFFLINE_STATIC / "redoc.standalone.js").read_text(encoding="utf-8")
    bundle = bundle.replace(REDOC_REMOTE_LOGO, FAVICON)
    version = hashlib.sha256(bundle.encode()).hexdigest()[:12]

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        parameters = {**(app.swagger_ui_parameters or {}), **SWAGGER_UI_PARAMETERS}
        return _with_back_bar(
            get_swagger_ui_html(
                openapi_url=f"{root}{app.openapi_url}",
                title=f"{app.title} - Swagger UI",
                swagger_js_url=f"{root}{OFFLINE_URL}/swagger-ui-bundle.js",
                swagger_css_url=f"{root}{OFFLINE_URL}/swagger-ui.css",
                swagger_favicon_url=f"{root}{FAVICON}",
                swagger_ui_parameters=parameters,
            )
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return _with_back_bar(
            get_redoc_html(
                openapi_url=f"{root}{app.openapi_url}",
                title=f"{app.title} - ReDoc",
                redoc_js_url=f"{root}{REDOC_JS}?v={version}",
                redoc_favicon_url=f"{root}{FAVICON}",
                with_google_fonts=False,
            )
        )

    @app.get(REDOC_JS, include_in_schema=False)
    async def redoc_js(request: Request) -> Response:
        fresh = request.query_params.get("v") == version
        cache = "public, max-age=31536000, immutable" if fresh else "no-cache"
        return Response(bundle, media_type="text/javascript", headers={"cache-control": cache})
