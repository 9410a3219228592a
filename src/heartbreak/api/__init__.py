"""The HTTP API: ``create_app()`` builds a FastAPI app over one read-only store.

Every endpoint answers JSON; every error is ``{"error": {"status", "type", "message",
"field"}}`` (see :mod:`heartbreak.api.errors`).
"""

from heartbreak.api.app import create_app

__all__ = ["create_app"]
