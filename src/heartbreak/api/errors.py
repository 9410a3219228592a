"""One JSON error shape for every 4xx and 5xx answer, translated once at the boundary.

``{"error": {"status": int, "type": str, "message": str, "field": str | null}}``

- :class:`~heartbreak.errors.HeartbreakError` → its ``http_status`` (UnknownTeam and NoSuchMatch
  404, InvalidInput 422, LimitReached 429 or 413, the others 400 or their own status);
  ``field`` is the part of the request the error is about: the error's own ``field`` (a
  parameter, ``query.date``, or a field of a JSON body, ``body.minute``); for an error raised
  without one, the parameter holding an unknown team's name, the one the message starts with
  (``side: ...``), else the endpoint's one path parameter (``path.match_id``).
- A request that fails validation → 422, ``field`` the first failing location (``query.date``).
- An unknown route → 404; a wrong method → 405; a body over the limit → 413.
- Anything unexpected → 500 with a fixed message: no traceback leaves the server.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from heartbreak.errors import HeartbreakError, LimitReached, UnknownTeam
from heartbreak.rules import FieldError

#: Largest request body accepted, in bytes (1 MiB).
MAX_BODY_BYTES = 1024 * 1024

_HTTP_TYPES = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    408: "RequestTimeout",
    413: "PayloadTooLarge",
    422: "ValidationError",
    429: "LimitReached",
    500: "InternalError",
}


class ErrorDetail(BaseModel):
    status: int
    type: str
    message: str
    field: str | None = None


class ErrorResponse(BaseModel):
    """The one error shape of the API."""

    error: ErrorDetail


#: ``responses=`` entry documenting the error shape in the OpenAPI schema.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": text}
    for code, text in (
        (400, "Malformed request (e.g. a body that is not UTF-8 JSON)"),
        (404, "Unknown team or match"),
        (422, "Invalid parameter (the error names the field)"),
        (500, "Unexpected failure (no details are given)"),
    )
}


def error_body(status: int, type_: str, message: str, field: str | None = None) -> dict:
    return {"error": {"status": status, "type": type_, "message": message, "field": field}}


def error_response(
    status: int, type_: str, message: str, field: str | None = None, headers=None
) -> JSONResponse:
    return JSONResponse(error_body(status, type_, message, field), status, headers=headers)


def _wants_page(request: Request) -> bool:
    """A browser asking for a page (not ``/api``, HTML accepted): it gets the error as a page."""
    path = request.url.path
    if path == "/api" or path.startswith(("/api/", "/static/")):
        return False
    return "text/html" in request.headers.get("accept", "")


def _answer(
    request: Request,
    status: int,
    type_: str,
    message: str,
    field: str | None = None,
    headers=None,
    error: Exception | None = None,
) -> Response:
    """The one error shape, or the same error as a page for a browser outside ``/api`` (the
    page is given the error and its field too, to tell it in a reader's words)."""
    page = getattr(request.app.state, "error_page", None)
    if page is not None and _wants_page(request):
        return page(request, status, message, headers, error=error, field=field)
    return error_response(status, type_, message, field, headers)


#: Request methods whose input is their JSON body.
_BODY_METHODS = frozenset(("POST", "PUT", "PATCH"))


def _parameter(name: str, request: Request) -> str | None:
    """``path.x`` or ``query.x`` for a request parameter called ``name`` as the command line
    spells it (``--from`` is ``date_from``), else None."""
    key = name.strip().lstrip("-").replace("-", "_")
    key = {"from": "date_from", "to": "date_to"}.get(key, key)
    if key in request.path_params:
        return f"path.{key}"
    if key in request.query_params:
        return f"query.{key}"
    return None


def _field_of(exc: HeartbreakError, request: Request) -> str | None:
    """The part of the request an error is about.

    - The error's own ``field`` when it has one: the request parameter of that name, else
      (a request with a JSON body) that field of the body, ``body.minute``.
    - A limit without one is about no field.
    - An unknown team raised without its field: the parameter holding the team's name.
    - Else the endpoint's one path parameter, if it has one.
    """
    if exc.field is not None:
        found = _parameter(exc.field, request)
        if found is None and request.method in _BODY_METHODS:
            found = f"body.{exc.field}"
        if found is not None:
            return found
    elif isinstance(exc, LimitReached):
        return None
    elif isinstance(exc, UnknownTeam):
        params = [("path", k, v) for k, v in request.path_params.items()]
        params += [("query", k, v) for k, v in request.query_params.items()]
        for where, key, value in params:
            if str(value) == exc.name:
                return f"{where}.{key}"
    path_params = list(request.path_params)
    return f"path.{path_params[0]}" if len(path_params) == 1 else None


async def _heartbreak_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HeartbreakError)
    status = int(getattr(exc, "http_status", 400))
    field = _field_of(exc, request)
    headers = getattr(exc, "headers", None)
    return _answer(request, status, type(exc).__name__, exc.message, field, headers, error=exc)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if not errors:
        return _answer(request, 422, "ValidationError", "invalid request")
    first = errors[0]
    loc = [str(part) for part in first.get("loc", ())]
    message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
    raised = (first.get("ctx") or {}).get("error")
    if isinstance(raised, FieldError):  # a rule over the whole body, broken at one field
        loc.append(raised.field)
        message = raised.problem
    field = ".".join(loc) or None
    if field:
        message = f"{field}: {message}"
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more)"
    return _answer(request, 422, "ValidationError", message, field)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    if status == 404 and exc.detail == "Not Found":
        message = f"no such endpoint: {request.method} {request.url.path}"
    elif status == 405:
        message = f"{request.method} is not allowed on {request.url.path}"
    else:
        message = str(exc.detail)
    type_ = _HTTP_TYPES.get(status, "HTTPError")
    return _answer(request, status, type_, message, headers=getattr(exc, "headers", None))


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    # Starlette raises the exception again once this answer is sent, so the server logs it.
    return _answer(request, 500, "InternalError", "internal server error")


def install_error_handlers(app: FastAPI) -> None:
    """Route every error through the one shape."""
    app.add_exception_handler(HeartbreakError, _heartbreak_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)


class _BodyTooLarge(HTTPException):
    """Raised when a streamed body grows past the limit; an HTTPException so that the app's
    handlers (and FastAPI's body parsing) pass it on as a 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body over the limit of {limit} bytes")


class BodySizeLimit:
    """ASGI middleware: a request body over ``max_bytes`` gets 413 in the error shape, whether
    its ``Content-Length`` says so up front or a streamed body grows past the limit."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _message(self) -> str:
        return f"request body over the limit of {self.max_bytes} bytes"

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(413, "PayloadTooLarge", self._message())
        await response(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.max_bytes:
                    await self._reject(scope, receive, send)
                    return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if started:
                raise
            await self._reject(scope, receive, send)
