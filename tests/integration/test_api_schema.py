"""The HTTP API against its own OpenAPI schema (Schemathesis), in-process over ASGI, on the real
store.

Every ``/api`` operation gets generated requests, schema-valid and schema-invalid (the examples,
coverage and fuzzing phases; a fixed seed, derandomised), and a list of known-good requests on
real teams and matches. Every answer must:

- not be a server error (no 5xx);
- use a status code, content type and body that the schema documents for the operation;
- when it is a 4xx, have the one error shape ``{"error": {"status", "type", "message",
  "field"}}`` with its status echoed.

Live matches are logged in a temporary folder, not beside the shared store, with the default
limits; every request carries a token for every live match (the writes need one). The operations
on one live match (its state, its events, its stream) are sent to a real live match, created
first, so that they get past "no such live match"; and since the schema's message body is any
object, too loose to get past the first field, a last test feeds that match near-valid
messages.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from heartbreak.api import create_app
from heartbreak.api.limits import Limits
from heartbreak.drama.metrics import RANKED_METRICS
from heartbreak.live.state import MESSAGE_TYPES
from heartbreak.services import Heartbreak

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # the test client's note about a future httpx
    from fastapi.testclient import TestClient

ERROR_KEYS = {"status", "type", "message", "field"}
SEED = 20180702
BELGIUM_JAPAN = 41696
LIVE_ONE = "/api/live/{live_id}"

#: Generated examples per operation in the fuzzing phase (the examples and coverage phases add
#: their own cases, about 5 to 120 an operation).
EXAMPLES = 40
#: Fewer where an answer replays a match or appends to the live log, or is a stream.
FEWER_EXAMPLES = {
    "/api/matches/{match_id}": 25,
    "/api/live": 15,
    f"{LIVE_ONE}/events": 25,
    f"{LIVE_ONE}/stream": 5,
}


def assert_error_shape(status: int, body: Any) -> None:
    assert isinstance(body, dict) and set(body) == {"error"}, body
    error = body["error"]
    assert isinstance(error, dict) and set(error) == ERROR_KEYS, error
    assert error["status"] == status, error
    assert isinstance(error["type"], str) and error["type"], error
    assert isinstance(error["message"], str) and error["message"], error
    assert error["field"] is None or isinstance(error["field"], str), error
    assert "Traceback" not in error["message"], error


def error_shape(ctx, response, case) -> bool | None:
    """Schemathesis check: a 4xx answer is JSON in the one error shape, its status echoed, and
    not a failed store query (which a request cannot cause: that is the server's fault)."""
    if 400 <= response.status_code < 500:
        content_type = response.headers.get("content-type", [""])[0]
        assert content_type.startswith("application/json"), content_type
        body = response.json()
        assert_error_shape(response.status_code, body)
        assert body["error"]["type"] != "StoreError", body
    return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    error_shape,
]


@pytest.fixture(scope="module")
def session(real_db_path: Path):
    session = Heartbreak(db=real_db_path)
    yield session
    session.store.close()


@pytest.fixture
def app(session, tmp_path: Path):
    """An app per test: Schemathesis ends the app's lifespan (closing its live matches) when the
    test that started it ends."""
    app = create_app(session=session, live_log=tmp_path / "live.duckdb", limits=Limits())
    yield app
    app.state.live.close()


@pytest.fixture
def auth(app, bearer) -> dict[str, str]:
    """The Authorization header of a token for every live match of ``app``."""
    return bearer(app)


@pytest.fixture
def client(app, auth) -> TestClient:
    return TestClient(app, headers=auth, raise_server_exceptions=False)


def new_live_match(client: TestClient) -> str:
    """A live match: Belgium v Japan, 2018-07-02, a knockout on neutral ground; its id."""
    definition = {
        "home": "Belgium",
        "away": "Japan",
        "date": "2018-07-02",
        "neutral": True,
        "knockout": True,
    }
    response = client.post("/api/live", json=definition)
    assert response.status_code == 201, response.text
    return response.json()["live"]["id"]


@pytest.fixture
def live_id(client) -> str:
    return new_live_match(client)


@pytest.fixture
def api_schema(app, auth):
    operations: list[dict[str, Any]] = [
        {"include-path": path, "generation": {"max-examples": examples}}
        for path, examples in FEWER_EXAMPLES.items()
    ]
    # A stream never ends by itself: the test reads it up to its first state event.
    operations.append({"include-path": f"{LIVE_ONE}/stream", "max-stream-events": 1})
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {
                "mode": "all",
                "max-examples": EXAMPLES,
                "deterministic": True,
                "database": "none",
            },
            "request-timeout": 10,
            "headers": auth,
            "operations": operations,
        }
    )
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=config)
    return schema.include(path_regex=r"^/api(/|$)")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_keeps_to_the_schema(case, client, live_id):
    if case.operation.path.startswith(LIVE_ONE):
        # A deletion gets a match of its own; the other operations share one.
        target = new_live_match(client) if case.method.upper() == "DELETE" else live_id
        case.path_parameters = {**(case.path_parameters or {}), "live_id": target}
    response = case.call()
    case.validate_response(response, checks=CHECKS)


# --- known-good requests -------------------------------------------------------------------

KNOWN_GOOD = [
    ("/api/health", {}, {}),
    ("/api/matches", {}, {"team": "Japan", "stage": "knockout", "date_from": "2018", "limit": 5}),
    ("/api/matches", {}, {"competition": "fifa world cup", "stage": "final", "offset": 10}),
    ("/api/matches", {}, {"date_from": "2030", "limit": 1000}),
    ("/api/matches", {}, {"competition": "World Cup", "order": "oldest", "limit": 3}),
    ("/api/matches/{match_id}", {"match_id": BELGIUM_JAPAN}, {}),
    ("/api/matches/{match_id}", {"match_id": BELGIUM_JAPAN}, {"side": "japan"}),
    *[("/api/top", {}, {"metric": metric}) for metric in RANKED_METRICS],
    ("/api/top", {}, {"competition": "FIFA World Cup", "stage": "knockout", "limit": 1000}),
    ("/api/top", {}, {"team": "JPN", "date_from": "2000", "date_to": "2018-07-02"}),
    ("/api/top", {}, {"stage": "final", "date_from": "2030"}),
    ("/api/teams/{team}", {"team": "Japan"}, {}),
    ("/api/teams/{team}", {"team": "BEL"}, {}),
    ("/api/teams/{team}", {"team": "Soviet Union"}, {}),
    ("/api/ratings", {}, {"date": "2018-07-02", "top": 5}),
    ("/api/ratings", {}, {"date": "1800-01-01"}),
    ("/api/predict", {}, {"home": "Belgium", "away": "Japan", "date": "2018-07-02"}),
    (
        "/api/predict",
        {},
        {"home": "bel", "away": "JPN", "date": "1800-01-01", "neutral": True, "knockout": True},
    ),
    ("/api/live", {}, {}),
]


@pytest.mark.parametrize(("path", "path_parameters", "query"), KNOWN_GOOD)
def test_known_good_requests_keep_to_the_schema(api_schema, path, path_parameters, query):
    case = api_schema[path]["GET"].Case(path_parameters=path_parameters, query=query)
    response = case.call()
    assert response.status_code == 200, response.text
    case.validate_response(response, checks=CHECKS)


def test_replays_of_a_sample_of_matches_keep_to_the_schema(api_schema, app):
    """Complete matches (a fixed sample, knockouts with extra time and shootouts among them) and
    incomplete ones (422)."""
    frame = app.state.session.store.matches()
    complete = frame[frame["timeline_complete"]]
    ids = complete[complete["shootout_winner"].notna()].sample(3, random_state=SEED)["match_id"]
    ids = [*ids, *complete.sample(5, random_state=SEED)["match_id"]]
    incomplete = frame[~frame["timeline_complete"]].sample(2, random_state=SEED)["match_id"]
    operation = api_schema["/api/matches/{match_id}"]["GET"]
    for match_id, status in [*((i, 200) for i in ids), *((i, 422) for i in incomplete)]:
        case = operation.Case(path_parameters={"match_id": int(match_id)}, query={})
        response = case.call()
        assert response.status_code == status, response.text
        case.validate_response(response, checks=CHECKS)


@pytest.mark.parametrize("match_id", [2**31, -(2**31) - 1, 115934196557])
def test_a_match_id_beyond_the_stored_range_is_no_such_match(api_schema, match_id):
    case = api_schema["/api/matches/{match_id}"]["GET"].Case(path_parameters={"match_id": match_id})
    response = case.call()
    assert response.status_code == 404, response.text
    assert response.json()["error"]["type"] == "NoSuchMatch"
    assert response.json()["error"]["field"] == "path.match_id"
    case.validate_response(response, checks=CHECKS)


def test_live_operations_on_a_real_match_keep_to_the_schema(api_schema, live_id, auth):
    events = [
        {"event_id": "k1", "type": "goal", "minute": 48, "team": "Japan", "player": "Haraguchi"},
        {"event_id": "k2", "type": "goal", "minute": 52, "team": "away"},
    ]
    cases = [
        api_schema["/api/live"]["POST"].Case(
            body={"home": "Japan", "away": "Colombia", "date": "2018-06-19"},
            media_type="application/json",
        ),
        api_schema[f"{LIVE_ONE}/events"]["POST"].Case(
            path_parameters={"live_id": live_id}, body=events, media_type="application/json"
        ),
        api_schema[LIVE_ONE]["GET"].Case(path_parameters={"live_id": live_id}),
        api_schema[f"{LIVE_ONE}/stream"]["GET"].Case(path_parameters={"live_id": live_id}),
    ]
    if "DELETE" in api_schema[LIVE_ONE]:
        cases.append(api_schema[LIVE_ONE]["DELETE"].Case(path_parameters={"live_id": live_id}))
    for case in cases:
        response = case.call(headers=auth)  # (the config's headers go to generated cases only)
        assert response.status_code < 300, response.text
        case.validate_response(response, checks=CHECKS)


# --- near-valid live messages --------------------------------------------------------------

#: The fields of each message type (README, live mode); anything else is rejected.
FIELDS_OF = {
    "goal": ("minute", "stoppage", "team", "player", "own_goal", "penalty"),
    "red_card": ("minute", "stoppage", "team", "player"),
    "shootout": ("team",),
    "period_end": ("period", "stoppage"),
    "stoppage": ("period", "added", "minute", "stoppage"),
    "period_start": ("period",),
    "clock": ("minute", "stoppage", "period"),
    "correction": ("minute", "stoppage", "team", "player", "own_goal", "penalty", "added"),
    "retraction": (),
}
PERIODS = ["first_half", "second_half", "extra_time_first_half", "extra_time_second_half"]
JUNK = st.one_of(
    st.none(),
    st.integers(-5, 10**6),
    st.floats(allow_nan=False, width=32),
    st.text(max_size=4),
    st.lists(st.integers(0, 3), max_size=2),
    st.dictionaries(st.just("minute"), st.integers(0, 3), max_size=1),
    st.sampled_from(["home", "Brazil", "shootout", "45", True]),
)
VALID = {
    "minute": st.integers(0, 120),
    "stoppage": st.integers(0, 10),
    "added": st.integers(0, 10),
    "team": st.sampled_from(["home", "away", "Belgium", "japan"]),
    "player": st.text(max_size=8),
    "own_goal": st.booleans(),
    "penalty": st.booleans(),
    "period": st.sampled_from(PERIODS),
    "version": st.integers(1, 3),
    "event_id": st.one_of(st.integers(0, 30).map(str), st.integers(0, 30)),
}


def _value(name: str) -> st.SearchStrategy[Any]:
    """Mostly a valid value of the field; one time in eight, anything."""
    return st.integers(0, 7).flatmap(lambda n: JUNK if n == 0 else VALID[name])


@st.composite
def messages(draw) -> dict[str, Any]:
    kind = draw(st.sampled_from([*MESSAGE_TYPES, "GOAL", None]))
    fields = FIELDS_OF.get(kind, ("minute",))
    if draw(st.integers(0, 7)) == 0:
        fields = (*fields, draw(st.sampled_from(sorted(VALID))))  # maybe a foreign field
    message = {
        "event_id": draw(_value("event_id")),
        "type": kind,
    }
    chosen = draw(st.lists(st.sampled_from(fields), unique=True)) if fields else []
    for name in chosen:
        message[name] = draw(_value(name))
    if draw(st.integers(0, 4)) == 0:
        message["version"] = draw(_value("version"))
    return message


@given(body=st.one_of(messages(), st.lists(messages(), max_size=4)))
@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_near_valid_live_messages_are_answered_or_rejected_in_shape(client, live_id, body):
    response = client.post(f"/api/live/{live_id}/events", json=body)
    assert response.status_code in (200, 422), response.text
    if response.status_code == 422:
        assert_error_shape(422, response.json())
    else:
        state = response.json()
        assert state["live"]["id"] == live_id
        assert state["match"]["home"] == "Belgium"
