"""Fixtures of the integration tests over the real store: one session and one in-process app
per test module."""

from __future__ import annotations

import warnings

import pytest

from heartbreak.api import create_app
from heartbreak.services import Heartbreak

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def session(real_db_path) -> Heartbreak:
    """A session over the real store."""
    return Heartbreak(db=real_db_path)


@pytest.fixture(scope="module")
def client(session, tmp_path_factory, bearer):
    """The app over ``session`` with a fresh live log, in process (``TestClient``), sending a
    token for every live match with each request."""
    app = create_app(session=session, live_log=tmp_path_factory.mktemp("live") / "live.duckdb")
    with TestClient(app, headers=bearer(app)) as client:
        yield client
