"""Only the feed writes: every live write needs a token, reads stay public, tokens are made,
listed and revoked with the command line and kept as their hash only.

- every write (create, events, delete) without a token, with a malformed header, an unknown or
  a revoked token is 401 with ``WWW-Authenticate: Bearer``; with another match's token 403
  (and a one-match token cannot create); the state and the log are unchanged by a refused write;
- every read (the list, a state, a stream, the pages) is 200 without a token;
- ``heartbreak live token create`` prints the token once, ``list`` never shows it, ``revoke``
  ends it at once (on a running server), the store holds only its SHA-256, owner-only;
- a fresh loopback server takes writes from this machine until a token is made, and no longer;
- no answer and no log line carries a token.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import stat
import warnings

import httpx
import pytest
from typer.testing import CliRunner

from heartbreak.api import create_app
from heartbreak.cli import app as cli
from heartbreak.live.log import log_path_for
from heartbreak.live.tokens import TokenStore, tokens_path_for

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

GOAL = {"event_id": "g1", "type": "goal", "minute": 48, "team": "Japan"}
HTML = {"accept": "text/html"}


@pytest.fixture
def app(session, tmp_path):
    app = create_app(session=session, live_log=tmp_path / "live.duckdb")
    yield app
    app.state.live.close()


@pytest.fixture
def tokens(app) -> TokenStore:
    return app.state.live_auth.tokens


def bearer_of(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_refused(response, status: int, token: str | None = None) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"status", "type", "message", "field"}
    assert error["status"] == status and error["field"] == "header.authorization"
    assert error["type"] == {401: "Unauthorized", 403: "Forbidden"}[status]
    assert response.headers["www-authenticate"].startswith("Bearer")
    if token is not None:
        assert token not in response.text and token not in str(response.headers)


def writes(live_id: str) -> list[tuple[str, str, dict]]:
    """Every kind of live write: method, path, request arguments."""
    return [
        (
            "POST",
            "/api/live",
            {"json": {"home": "Japan", "away": "Colombia", "date": "2018-06-19"}},
        ),
        ("POST", f"/api/live/{live_id}/events", {"json": GOAL}),
        ("POST", f"/api/live/{live_id}/events", {"json": [GOAL]}),
        ("DELETE", f"/api/live/{live_id}", {}),
    ]


def test_every_write_without_a_valid_token_is_401_and_changes_nothing(app, tokens, live_definition):
    token, _ = tokens.create(label="feed")
    client = TestClient(app, raise_server_exceptions=False)
    live_id = client.post("/api/live", json=live_definition, headers=bearer_of(token)).json()
    live_id = live_id["live"]["id"]
    before = client.get(f"/api/live/{live_id}").content
    revoked, info = tokens.create(label="old")
    tokens.revoke(info.id)
    wrong = "hb_" + "x" * 43
    for method, path, kwargs in writes(live_id):
        for headers in (
            {},
            {"Authorization": "Bearer"},
            {"Authorization": f"Basic {token}"},
            {"Authorization": f"Bearer {token} extra"},
            bearer_of(wrong),
            bearer_of(revoked),
        ):
            response = client.request(method, path, headers=headers, **kwargs)
            assert_refused(response, 401, token)
            assert wrong not in response.text and revoked not in response.text
    # the check comes before the body is read: a body that is not JSON is 401 too
    garbage = client.post(
        f"/api/live/{live_id}/events",
        content=b"{nope",
        headers={"content-type": "application/json"},
    )
    assert_refused(garbage, 401)
    assert client.get(f"/api/live/{live_id}").content == before
    assert [m["id"] for m in client.get("/api/live").json()] == [live_id]
    assert app.state.live.log.messages(live_id) == []


def test_a_token_for_another_match_is_403_and_for_its_own_match_writes(
    app, tokens, live_definition
):
    everything, _ = tokens.create()
    client = TestClient(app, raise_server_exceptions=False)
    ids = [
        client.post("/api/live", json=live_definition, headers=bearer_of(everything)).json()[
            "live"
        ]["id"]
        for _ in "ab"
    ]
    mine, other = ids
    scoped, _ = tokens.create(label="one match", live_id=mine)
    for method, path, kwargs in writes(other):
        assert_refused(client.request(method, path, headers=bearer_of(scoped), **kwargs), 403)
    created = client.post("/api/live", json=live_definition, headers=bearer_of(scoped))
    assert_refused(created, 403, scoped)
    assert "all live matches" in created.json()["error"]["message"]
    assert app.state.live.state(other)["live"]["events_received"] == 0
    posted = client.post(f"/api/live/{mine}/events", json=GOAL, headers=bearer_of(scoped))
    assert posted.status_code == 200 and posted.json()["match"]["score"] == {"home": 0, "away": 1}
    assert client.delete(f"/api/live/{mine}", headers=bearer_of(scoped)).status_code == 204
    assert [m["id"] for m in client.get("/api/live").json()] == [other]


def test_every_read_is_public(app, tokens, live_definition):
    token, _ = tokens.create()
    client = TestClient(app, raise_server_exceptions=False)
    live_id = client.post("/api/live", json=live_definition, headers=bearer_of(token)).json()
    live_id = live_id["live"]["id"]
    client.post(f"/api/live/{live_id}/events", json=GOAL, headers=bearer_of(token))
    for path, headers in (
        ("/api/live", {}),
        (f"/api/live/{live_id}", {}),
        ("/live", HTML),
        (f"/live/{live_id}", HTML),
        ("/openapi.json", {}),
    ):
        assert client.get(path, headers=headers).status_code == 200, path
    app.state.live.delete(live_id)  # (the stream then ends at once)
    live_id = app.state.live.create(live_definition)
    with client.stream("GET", f"/api/live/{live_id}/stream") as stream:
        assert stream.status_code == 200
        lines = stream.iter_lines()
        assert next(lines).startswith("retry:")
        app.state.live.delete(live_id)


def test_the_schema_says_which_operations_need_the_token(app):
    schema = TestClient(app).get("/openapi.json").json()
    (scheme,) = schema["components"]["securitySchemes"].values()
    assert scheme == {**scheme, "type": "http", "scheme": "bearer"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            writes = path.startswith("/api/live") and method in ("post", "delete")
            assert bool(operation.get("security")) == writes, (method, path)
            if writes:
                assert {"401", "403", "429"} <= set(operation["responses"]), (method, path)


# --- the command line --------------------------------------------------------------------------


def run(*args: str, **env: str):
    return CliRunner(env=env or None).invoke(cli, list(args))


def test_the_token_commands_print_once_list_without_it_and_revoke(
    session, tmp_path, live_definition
):
    db = tmp_path / "heartbreak.duckdb"  # no store needed: the tokens live beside its live log
    made = run("live", "token", "create", "--label", "stadium feed", "--db", str(db))
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    assert token.startswith("hb_") and len(token) == 46 and made.stdout == token + "\n"
    token_id = re.match(r"token ([0-9a-f]{8}) \(all live matches\)", made.stderr).group(1)
    assert token not in made.stderr

    store = tokens_path_for(log_path_for(db))
    assert store.name == "heartbreak.duckdb.live-tokens.sqlite"
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    raw = store.read_bytes()
    assert token.encode() not in raw and token[3:].encode() not in raw
    assert hashlib.sha256(token.encode()).hexdigest().encode() in raw

    scoped = run("live", "token", "create", "--match", "abc123def456", "--db", str(db))
    assert scoped.exit_code == 0 and "live match abc123def456" in scoped.stderr

    listed = run("live", "token", "list", "--db", str(db))
    assert listed.exit_code == 0, listed.output
    assert token not in listed.output and token_id in listed.output
    assert "stadium feed" in listed.output and "all live matches" in listed.output
    assert "live match abc123def456" in listed.output and "never" in listed.output
    rows = json.loads(run("live", "token", "list", "--format", "json", "--db", str(db)).stdout)
    assert rows[0]["id"] == token_id and all(token not in str(r) for r in rows)
    assert set(rows[0]) >= {"id", "label", "scope", "created", "last_used"}

    # the server beside that log takes the token, records its use, and refuses it once revoked
    app = create_app(session=session, live_log=log_path_for(db))
    client = TestClient(app, raise_server_exceptions=False)
    assert (
        client.post("/api/live", json=live_definition, headers=bearer_of(token)).status_code == 201
    )
    rows = json.loads(run("live", "token", "list", "--format", "json", "--db", str(db)).stdout)
    assert next(r for r in rows if r["id"] == token_id)["last_used"] is not None
    revoked = run("live", "token", "revoke", token_id, "--db", str(db))
    assert revoked.exit_code == 0 and token_id in revoked.stdout
    assert_refused(client.post("/api/live", json=live_definition, headers=bearer_of(token)), 401)
    listed = run("live", "token", "list", "--db", str(db))
    assert token_id not in listed.stdout
    assert token_id in run("live", "token", "list", "--all", "--db", str(db)).stdout
    app.state.live.close()

    again = run("live", "token", "revoke", "nosuchid", "--db", str(db))
    assert again.exit_code == 2 and again.stderr.startswith("error: ")
    assert again.stderr.count("\n") == 1
    bad = run("live", "token", "create", "--match", "../etc", "--db", str(db))
    assert bad.exit_code == 2 and bad.stderr.count("\n") == 1


def test_live_replay_without_the_token_says_how_to_give_it(
    session, tmp_path, serve_app, real_db_path
):
    url = serve_app(create_app(session=session, live_log=tmp_path / "live.duckdb"))
    base = ["live", "replay", "Belgium", "Japan", "--date", "2018-07-02", "--speed", "0"]
    refused = run(*base, "--url", url, "--db", str(real_db_path))
    assert refused.exit_code == 2
    assert "401" in refused.stderr and "--token" in refused.stderr
    wrong = "hb_" + "y" * 43
    refused = run(*base, "--url", url, "--db", str(real_db_path), "--token", wrong)
    assert refused.exit_code == 2 and wrong not in refused.output


# --- a fresh server on loopback -----------------------------------------------------------------


def test_a_fresh_loopback_server_takes_this_machines_writes_until_a_token_exists(
    session, tmp_path, serve_app, live_definition
):
    app = create_app(session=session, live_log=tmp_path / "live.duckdb", live_open_loopback=True)
    url = serve_app(app, token=False)
    assert app.state.live_auth.open_to_loopback()
    created = httpx.post(f"{url}/api/live", json=live_definition, timeout=30)
    assert created.status_code == 201, created.text
    live_id = created.json()["live"]["id"]
    # a page of another site, reached through a name it resolves to 127.0.0.1, names its host
    rebound = httpx.post(
        f"{url}/api/live/{live_id}/events", json=GOAL, headers={"Host": "evil.example"}
    )
    assert_refused(rebound, 401)
    assert httpx.post(f"{url}/api/live/{live_id}/events", json=GOAL).status_code == 200
    # the first token closes it, at once and for good (a revoked token still counts)
    token, info = app.state.live_auth.tokens.create()
    assert not app.state.live_auth.open_to_loopback()
    assert_refused(httpx.delete(f"{url}/api/live/{live_id}"), 401)
    app.state.live_auth.tokens.revoke(info.id)
    assert_refused(httpx.delete(f"{url}/api/live/{live_id}"), 401)
    assert_refused(httpx.delete(f"{url}/api/live/{live_id}", headers=bearer_of(token)), 401)


def test_a_server_not_open_to_loopback_refuses_writes_without_a_token(
    session, tmp_path, serve_app, live_definition
):
    app = create_app(session=session, live_log=tmp_path / "live.duckdb")
    url = serve_app(app, token=False)
    assert_refused(httpx.post(f"{url}/api/live", json=live_definition, timeout=30), 401)
    # open to loopback, but the client is not on this machine (the test client's address)
    app = create_app(session=session, live_log=tmp_path / "b.duckdb", live_open_loopback=True)
    assert_refused(TestClient(app).post("/api/live", json=live_definition), 401)


def test_serve_opens_live_writes_to_loopback_only_on_a_loopback_address(real_db_path, monkeypatch):
    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda api, **kw: calls.append((api, kw)))
    for host, opened, said in (
        ("127.0.0.1", True, "open to this machine until a token is made"),
        ("0.0.0.0", False, "closed until a token is made"),
    ):
        done = CliRunner().invoke(cli, ["serve", "--host", host, "--db", str(real_db_path)])
        assert done.exit_code == 0, done.output
        api, kw = calls.pop()
        assert api.state.live_auth.open_loopback is opened and said in done.stderr
        assert kw["http"].__name__ == "HeartbreakH11Protocol"
        assert kw["h11_max_incomplete_event_size"] == api.state.limits.max_header_bytes


# --- no token in any log -----------------------------------------------------------------------


def test_no_log_line_carries_a_token(session, tmp_path, serve_app, live_definition):
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep(logging.DEBUG)
    loggers = [logging.getLogger(n) for n in ("uvicorn.access", "uvicorn.error", "")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
    try:
        app = create_app(session=session, live_log=tmp_path / "live.duckdb")
        url = serve_app(app, token=False)
        token, _ = app.state.live_auth.tokens.create()
        wrong = "hb_" + "z" * 43
        with httpx.Client(base_url=url, timeout=30) as client:
            created = client.post("/api/live", json=live_definition, headers=bearer_of(token))
            live_id = created.json()["live"]["id"]
            client.post(f"/api/live/{live_id}/events", json=GOAL, headers=bearer_of(token))
            client.post(f"/api/live/{live_id}/events", json=GOAL, headers=bearer_of(wrong))
            client.post(f"/api/live/{live_id}/events", json={"x": 1}, headers=bearer_of(token))
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.removeHandler(handler)
            lg.setLevel(level)
    lines = [record.getMessage() for record in records]
    assert any("/api/live" in line for line in lines), "the access log was not captured"
    assert not [line for line in lines if token in line or wrong in line]
