"""The HTTP API driven in-process on the real store, plus one test over real HTTP; the error
shapes, validation and documentation on the tiny store (``tiny_client``)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import httpx
import pytest

from heartbreak.api import create_app
from heartbreak.api.errors import BodySizeLimit, error_body
from heartbreak.api.routes import get_session, router
from heartbreak.services import Heartbreak

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # the test client's note about a future httpx
    from fastapi.testclient import TestClient

ERROR_KEYS = {"status", "type", "message", "field"}


@pytest.fixture(scope="module")
def session(real_db_path) -> Heartbreak:
    return Heartbreak(db=real_db_path)


@pytest.fixture(scope="module")
def client(session) -> TestClient:
    return TestClient(create_app(session=session), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def belgium_japan(session) -> int:
    return session.find_match("Belgium", "Japan", "2018-07-02")


def assert_error(response, status: int, type_: str, field: str | None = None) -> dict:
    """The one error shape, with the status echoed in the body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == ERROR_KEYS
    assert error["status"] == status
    assert error["type"] == type_
    assert isinstance(error["message"], str) and error["message"]
    assert error["field"] == field
    assert "Traceback" not in response.text
    return error


# --- happy paths -------------------------------------------------------------------------


def test_health_summarises_the_store(client, session):
    body = client.get("/api/health").json()
    meta = session.store.meta()
    assert body["status"] == "ok"
    assert body["built_at"] == meta["built_at"]
    assert body["counts"] == meta["counts"]
    assert body["counts"]["matches"] > 40_000
    assert "worldcup" in body["attribution"]


def test_replay_is_exactly_the_story_json(client, session, belgium_japan):
    response = client.get(f"/api/matches/{belgium_japan}")
    assert response.status_code == 200, response.text
    expected = json.loads(json.dumps(session.replay_id(belgium_japan).to_dict()))
    assert response.json() == expected
    assert response.json()["match"]["home"] == "Belgium"


def test_replay_told_from_one_side(client, session, belgium_japan):
    body = client.get(f"/api/matches/{belgium_japan}", params={"side": "Japan"}).json()
    expected = session.replay_id(belgium_japan, side="Japan").to_dict()
    assert body == json.loads(json.dumps(expected))
    assert body["story_side"] == expected["story_side"]


def test_match_search_filters_and_pages(client, belgium_japan):
    params = {"team": "Japan", "opponent": "Belgium", "date_from": "2018", "date_to": "2018"}
    body = client.get("/api/matches", params=params).json()
    assert body["total"] == 1 and body["offset"] == 0
    (row,) = body["matches"]
    assert row == {
        "match_id": belgium_japan,
        "date": "2018-07-02",
        "home": "Belgium",
        "away": "Japan",
        "score": {"home": 3, "away": 2},
        "competition": "FIFA World Cup",
        "stage": "round of 16",
        "knockout": True,
        "timeline_complete": True,
        "winner": "Belgium",
    }
    first = client.get("/api/matches", params={"team": "Japan", "limit": 3}).json()
    second = client.get("/api/matches", params={"team": "Japan", "limit": 3, "offset": 3}).json()
    assert first["total"] == second["total"] > 6
    ids = [m["match_id"] for m in first["matches"] + second["matches"]]
    assert len(set(ids)) == 6
    dates = [m["date"] for m in first["matches"] + second["matches"]]
    assert dates == sorted(dates, reverse=True)  # newest first by default
    oldest = client.get("/api/matches", params={"team": "Japan", "limit": 6, "order": "oldest"})
    dates = [m["date"] for m in oldest.json()["matches"]]
    assert dates == sorted(dates) and dates[0] < first["matches"][-1]["date"]


def test_match_search_by_stage(client):
    finals = client.get(
        "/api/matches", params={"competition": "fifa world cup", "stage": "final", "limit": 1000}
    ).json()
    assert finals["total"] >= 20
    assert all(m["stage"] == "final" and m["knockout"] for m in finals["matches"])
    group = client.get(
        "/api/matches", params={"competition": "FIFA World Cup", "stage": "group", "limit": 5}
    ).json()
    assert group["matches"] and not any(m["knockout"] for m in group["matches"])


def test_top_has_japan_2018_among_world_cup_knockouts(client, belgium_japan):
    params = {"metric": "heartbreak", "competition": "FIFA World Cup", "stage": "knockout"}
    records = client.get("/api/top", params={**params, "limit": 10}).json()
    assert [r["rank"] for r in records] == list(range(1, 11))
    values = [r["value"] for r in records]
    assert values == sorted(values, reverse=True)
    assert any(r["match_id"] == belgium_japan and r["side"] == "Japan" for r in records)


def test_top_is_the_cli_contract(client, session):
    from heartbreak.history import rankings_to_records

    params = {"metric": "comeback", "team": "Germany", "date_from": "1950", "limit": 5}
    got = client.get("/api/top", params=params).json()
    frame = session.top("comeback", team="Germany", date_from="1950", limit=5)
    assert got == json.loads(json.dumps(rankings_to_records(frame, "comeback")))


def test_team_is_the_profile(client, session):
    response = client.get("/api/teams/japan")
    assert response.status_code == 200, response.text
    assert response.json() == json.loads(json.dumps(session.team("Japan").to_dict()))


def test_ratings_as_of_a_date(client):
    rows = client.get("/api/ratings", params={"date": "2018-07-02", "top": 5}).json()
    assert [r["rank"] for r in rows] == [1, 2, 3, 4, 5]
    assert set(rows[0]) == {"rank", "team", "rating", "matches", "last_match"}
    assert all(r["last_match"] < "2018-07-02" for r in rows)
    assert [r["rating"] for r in rows] == sorted((r["rating"] for r in rows), reverse=True)


def test_predict_is_the_cli_contract(client, session):
    params = {"home": "Belgium", "away": "Japan", "date": "2018-07-02"}
    knockout = client.get("/api/predict", params={**params, "neutral": True, "knockout": True})
    expected = session.predict("Belgium", "Japan", "2018-07-02", neutral=True, knockout=True)
    assert knockout.json() == json.loads(json.dumps(expected.to_dict()))
    plain = client.get("/api/predict", params=params).json()
    assert "p_home_advance" not in plain and plain["neutral"] is False
    assert abs(plain["p_home_win"] + plain["p_draw"] + plain["p_away_win"] - 1) < 1e-9


def test_openapi_documents_every_endpoint(tiny_client):
    spec = tiny_client.get("/openapi.json").json()
    paths = set(spec["paths"])
    assert {
        "/api/matches",
        "/api/matches/{match_id}",
        "/api/top",
        "/api/teams/{team}",
        "/api/ratings",
        "/api/predict",
        "/api/health",
    } <= paths
    assert all(op.get("summary") for item in spec["paths"].values() for op in item.values())
    error_ref = {"$ref": "#/components/schemas/ErrorResponse"}
    for code in ("404", "422", "500"):
        responses = spec["paths"]["/api/predict"]["get"]["responses"]
        assert responses[code]["content"]["application/json"]["schema"] == error_ref
    assert tiny_client.get("/docs").status_code == 200


def test_every_endpoint_is_in_the_readme():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for route in router.routes:
        assert f"`GET {route.path}" in readme, f"{route.path} is not documented in README.md"


# --- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/ratings", {"date": "2018-13-02"}, "query.date"),
        ("/api/ratings", {}, "query.date"),
        ("/api/top", {"date_from": "20x"}, "query.date_from"),
        ("/api/matches", {"date_to": "yesterday"}, "query.date_to"),
        ("/api/predict", {"home": "Belgium", "away": "Japan", "date": "2 July"}, "query.date"),
        ("/api/top", {"metric": "drama"}, "query.metric"),
        ("/api/matches", {"stage": "semi"}, "query.stage"),
        ("/api/matches", {"limit": 0}, "query.limit"),
        ("/api/matches", {"nonsense": 1}, "query.nonsense"),
    ],
)
def test_invalid_parameters_are_422_naming_the_field(tiny_client, url, params, field):
    error = assert_error(tiny_client.get(url, params=params), 422, "ValidationError", field)
    assert error["message"].startswith(field)


def test_match_id_must_be_a_number(tiny_client):
    assert_error(tiny_client.get("/api/matches/abc"), 422, "ValidationError", "path.match_id")


def test_unknown_team_is_404_with_suggestions(tiny_client):
    error = assert_error(tiny_client.get("/api/teams/Japn"), 404, "UnknownTeam", "path.team")
    assert "Japan" in error["message"]
    params = {"home": "Belgium", "away": "Japn", "date": "2018-07-02"}
    error = assert_error(
        tiny_client.get("/api/predict", params=params), 404, "UnknownTeam", "query.away"
    )
    assert "closest: Japan" in error["message"]
    assert_error(
        tiny_client.get("/api/top", params={"team": "Atlantis"}), 404, "UnknownTeam", "query.team"
    )


def test_unknown_match_is_404(tiny_client):
    error = assert_error(
        tiny_client.get("/api/matches/999999999"), 404, "NoSuchMatch", "path.match_id"
    )
    assert "999999999" in error["message"]


def test_incomplete_timeline_is_422(client, session):
    incomplete = session.store.matches(timeline_complete=False, limit=1)
    match_id = int(incomplete["match_id"].iloc[0])
    error = assert_error(
        client.get(f"/api/matches/{match_id}"), 422, "InvalidInput", "path.match_id"
    )
    assert "minute by minute" in error["message"]


def test_a_side_that_did_not_play_is_422(client, belgium_japan):
    response = client.get(f"/api/matches/{belgium_japan}", params={"side": "Brazil"})
    assert_error(response, 422, "InvalidInput", "query.side")


def test_unknown_route_and_method(tiny_client):
    assert_error(tiny_client.get("/api/nowhere"), 404, "NotFound")
    assert_error(tiny_client.get("/nowhere"), 404, "NotFound")
    assert_error(tiny_client.delete("/api/health"), 405, "MethodNotAllowed")


def test_unexpected_failure_is_500_without_details(tiny_session):
    app = create_app(session=tiny_session)

    def broken():
        raise RuntimeError("secret internals at /srv/x.py line 3")

    app.dependency_overrides[get_session] = broken
    client = TestClient(app, raise_server_exceptions=False)
    response = client.get("/api/health")
    assert_error(response, 500, "InternalError")
    assert "secret" not in response.text


def test_a_body_over_one_mib_is_413(tiny_client):
    response = tiny_client.post("/api/health", content=b"x" * (1024 * 1024 + 1))
    assert_error(response, 413, "PayloadTooLarge")
    # Within the limit the request goes on to routing (no POST here).
    assert_error(tiny_client.post("/api/health", content=b"{}"), 405, "MethodNotAllowed")


def test_a_streamed_body_over_the_limit_is_413():
    async def echo(scope, receive, send):
        size = 0
        while True:
            message = await receive()
            size += len(message.get("body", b""))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": str(size).encode()})

    client = TestClient(BodySizeLimit(echo, max_bytes=100))

    def chunks(n):
        for _ in range(n):
            yield b"x" * 30

    assert client.post("/", content=chunks(3)).text == "90"
    response = client.post("/", content=chunks(4))
    assert response.status_code == 413
    assert response.json() == error_body(
        413, "PayloadTooLarge", "request body over the limit of 100 bytes"
    )


# --- the server --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(session, serve_app, tmp_path_factory) -> str:
    """The app served by uvicorn on a free loopback port."""
    live_log = tmp_path_factory.mktemp("live") / "live.duckdb"
    return serve_app(create_app(session=session, live_log=live_log))


def test_served_over_real_http(served):
    response = httpx.get(f"{served}/api/health", timeout=5)
    assert response.status_code == 200
    assert response.json()["counts"]["matches"] > 40_000
    missing = httpx.get(f"{served}/api/nowhere", timeout=5)
    assert missing.status_code == 404 and missing.json()["error"]["type"] == "NotFound"


def test_concurrent_requests_get_the_answers_of_sequential_ones(served, client, belgium_japan):
    from concurrent.futures import ThreadPoolExecutor

    urls = [
        f"/api/matches/{belgium_japan}?side=Japan",
        "/api/teams/Brazil",
        "/api/top?metric=suspense&limit=5",
        "/api/ratings?date=1990-06-01&top=10",
        "/api/matches?team=Italy&limit=20",
        "/api/predict?home=Italy&away=Germany&date=2006-07-04&neutral=true&knockout=true",
        "/api/teams/Japn",
    ] * 3
    expected = {url: (r.status_code, r.json()) for url in urls for r in [client.get(url)]}
    with httpx.Client(base_url=served, timeout=30) as http, ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(http.get, urls))
    for url, response in zip(urls, answers, strict=True):
        assert (response.status_code, response.json()) == expected[url], url


def test_serve_command_runs_uvicorn_with_the_options(real_db_path, monkeypatch):
    import uvicorn
    from typer.testing import CliRunner

    from heartbreak.cli import app

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda api, **kw: calls.append((api, kw)))
    done = CliRunner().invoke(
        app, ["serve", "--host", "0.0.0.0", "--port", "8123", "--db", str(real_db_path)]
    )
    assert done.exit_code == 0, done.output
    ((api, kw),) = calls
    assert kw["host"] == "0.0.0.0" and kw["port"] == 8123
    with TestClient(api) as client:
        assert client.get("/api/health").json()["status"] == "ok"


def test_a_team_cannot_play_itself(tiny_client):
    response = tiny_client.get(
        "/api/predict", params={"home": "Japan", "away": "JPN", "date": "2018-07-02"}
    )
    error = assert_error(response, 422, "InvalidInput", "query.away")
    assert "cannot play itself" in error["message"]


def test_replay_side_by_code_or_alias(client, belgium_japan):
    by_name = client.get(f"/api/matches/{belgium_japan}", params={"side": "Japan"}).json()
    by_code = client.get(f"/api/matches/{belgium_japan}", params={"side": "JPN"}).json()
    assert by_code == by_name
