"""One error tree for the whole package.

Every error a user can cause is a :class:`HeartbreakError`. The CLI turns any of them into one
line on stderr and exit code 2; the HTTP API into one JSON error shape with a 4xx status.
"""

from __future__ import annotations


class HeartbreakError(Exception):
    """Base class of every error Heartbreak reports to a user."""

    exit_code = 2
    http_status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        #: The input the error is about, as the input names it (``date``, ``--from``,
        #: ``events[2].minute``), when the code that raised it knows; the API answers with it
        #: (:mod:`heartbreak.api.errors`). None: not told.
        self.field = field

    def __str__(self) -> str:
        return self.message


class DataUnavailable(HeartbreakError):
    """The source files are neither in a local folder nor downloadable."""

    http_status = 503


class ChecksumMismatch(HeartbreakError):
    """A downloaded or copied source file does not have its pinned SHA-256."""


class BadSourceRow(HeartbreakError):
    """A malformed row in a source file, located by file and line."""

    def __init__(self, file: str, line: int, problem: str) -> None:
        self.file = file
        self.line = line
        self.problem = problem
        super().__init__(f"{file}:{line}: {problem}")


class BadSourceRows(HeartbreakError):
    """One or more malformed rows; the message names the first and counts the rest."""

    def __init__(self, rows: list[BadSourceRow]) -> None:
        self.rows = rows
        first = rows[0].message
        more = (
            f" (and {len(rows) - 1} more bad rows; --skip-bad-rows skips them)"
            if len(rows) > 1
            else (" (--skip-bad-rows skips it)")
        )
        super().__init__(first + more)


class StoreError(HeartbreakError):
    """The store is missing, unreadable or from an incompatible version."""


class UnknownTeam(HeartbreakError):
    """A team name that matches no team or alias; carries the closest names."""

    http_status = 404

    def __init__(self, name: str, suggestions: list[str], *, field: str | None = None) -> None:
        self.name = name
        self.suggestions = suggestions
        hint = f"; closest: {', '.join(suggestions)}" if suggestions else ""
        super().__init__(f"unknown team {name!r}{hint}", field=field)


class NoSuchMatch(HeartbreakError):
    """No stored match fits the request."""

    http_status = 404


class InvalidInput(HeartbreakError):
    """A user-supplied value or file is malformed; the message names the field, and so does
    ``field`` (keyword argument) when the code that raises it knows the field."""

    http_status = 422


class LimitReached(HeartbreakError):
    """A documented limit of the server was reached; the message names it and its setting.
    ``http_status`` is 429 (a count or a rate) or 413 (a size); ``headers``: HTTP headers of
    the answer (``Retry-After``)."""

    http_status = 429

    def __init__(
        self, message: str, http_status: int = 429, *, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.headers = headers
