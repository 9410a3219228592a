"""Fixtures of the integration tests: over the real store, one session and one in-process app
per test module; over the tiny data (tests/conftest.py's ``TINY_FILES``), a store built once
per test session (``tiny_db_path``), a session and an in-process app per module
(``tiny_session``, ``tiny_app``, ``tiny_client``), for the tests whose answers do not depend on
the real data (error shapes, headers, validation, documentation)."""

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


@pytest.fixture(scope="session")
def tiny_db_path(make_tiny_data, tmp_path_factory):
    """A store built from the tiny data once per test session (read-only: do not write)."""
    from heartbreak.build import build_store

    root = tmp_path_factory.mktemp("tiny-store")
    data = make_tiny_data(root / "data")
    # The tiny files are not the pinned sources: their checksums differ.
    return build_store(data.root, root / "heartbreak.duckdb", allow_modified=True).db_path


@pytest.fixture(scope="module")
def tiny_session(tiny_db_path) -> Heartbreak:
    """A session over the tiny store."""
    return Heartbreak(db=tiny_db_path)


@pytest.fixture(scope="module")
def tiny_app(tiny_session, tmp_path_factory):
    """The app (:func:`heartbreak.api.create_app`) over ``tiny_session``, with a fresh live log."""
    return create_app(
        session=tiny_session, live_log=tmp_path_factory.mktemp("tiny-live") / "live.duckdb"
    )


@pytest.fixture(scope="module")
def tiny_client(tiny_app):
    """``tiny_app`` in process (``TestClient``); a server error is answered, not raised."""
    with TestClient(tiny_app, raise_server_exceptions=False) as client:
        yield client
