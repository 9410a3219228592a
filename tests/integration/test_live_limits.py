"""Bounded by design: every limit of :mod:`heartbreak.api.limits`, reached, gives its error in
the one shape and changes nothing; streams end when idle and are dropped when their client
stops reading, holding no more than the connection's write buffer; the connection's own limits
(header size, header and body timeouts) answer in the JSON shape too.
"""

from __future__ import annotations

import contextlib
import json
import socket
import time
import warnings

import httpx
import pytest
from typer.testing import CliRunner

from heartbreak.api import create_app
from heartbreak.api.limits import Limits
from heartbreak.cli import app as cli
from heartbreak.errors import InvalidInput

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

ERROR_KEYS = {"status", "type", "message", "field"}
#: The transport's high-water mark (asyncio's default, uvicorn's flow control).
HIGH_WATER = 64 * 1024


def limited(session, tmp_path, **limits):
    app = create_app(session=session, live_log=tmp_path / "live.duckdb", limits=Limits(**limits))
    app.state.live_heartbeat = 0.25
    return app


def assert_limit(response, status: int, setting: str) -> dict:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == ERROR_KEYS and error["status"] == status
    assert error["type"] == "LimitReached" and setting in error["message"]
    return error


def goal(n: int, team: str = "Japan") -> dict:
    return {"event_id": f"g{n}", "type": "goal", "minute": 10 + n % 80, "team": team}


# --- live matches, messages, rate ----------------------------------------------------------


def test_live_matches_held_at_once_are_bounded(session, tmp_path, bearer, live_definition):
    app = limited(session, tmp_path, live_max_matches=2)
    client = TestClient(app, headers=bearer(app), raise_server_exceptions=False)
    ids = [client.post("/api/live", json=live_definition).json()["live"]["id"] for _ in "ab"]
    listed = client.get("/api/live").content
    assert_limit(client.post("/api/live", json=live_definition), 429, "HEARTBREAK_LIVE_MAX_MATCHES")
    assert client.get("/api/live").content == listed  # (and so the list is bounded too)
    assert [m for m, _ in app.state.live.log.matches()] == ids
    assert client.delete(f"/api/live/{ids[0]}").status_code == 204
    assert client.post("/api/live", json=live_definition).status_code == 201
    app.state.live.close()


def test_messages_per_match_are_bounded_and_a_refused_batch_keeps_nothing(
    session, tmp_path, bearer, live_definition
):
    app = limited(session, tmp_path, live_max_messages=3)
    client = TestClient(app, headers=bearer(app), raise_server_exceptions=False)
    live_id = client.post("/api/live", json=live_definition).json()["live"]["id"]
    events = f"/api/live/{live_id}/events"
    assert client.post(events, json=[goal(1), goal(2)]).status_code == 200
    before = client.get(f"/api/live/{live_id}").content
    error = assert_limit(
        client.post(events, json=[goal(3), goal(4)]), 413, "HEARTBREAK_LIVE_MAX_MESSAGES"
    )
    assert error["message"].startswith("events:")
    assert client.get(f"/api/live/{live_id}").content == before
    assert len(app.state.live.log.messages(live_id)) == 2
    assert client.post(events, json=goal(1)).status_code == 200  # a repeat takes no room
    assert client.post(events, json=goal(3)).status_code == 200
    assert_limit(client.post(events, json=goal(4)), 413, "HEARTBREAK_LIVE_MAX_MESSAGES")
    assert len(app.state.live.log.messages(live_id)) == 3
    app.state.live.close()


def test_messages_a_second_are_bounded_per_token(session, tmp_path, bearer, live_definition):
    app = limited(session, tmp_path, live_rate=1.0, live_burst=3)
    first, second = bearer(app), bearer(app)
    client = TestClient(app, raise_server_exceptions=False)
    live_id = client.post("/api/live", json=live_definition, headers=first).json()["live"]["id"]
    events = f"/api/live/{live_id}/events"
    assert client.post(events, json=[goal(1), goal(2)], headers=first).status_code == 200
    before = client.get(f"/api/live/{live_id}").content
    refused = client.post(events, json=goal(3), headers=first)
    error = assert_limit(refused, 429, "HEARTBREAK_LIVE_RATE")
    assert "retry in" in error["message"] and int(refused.headers["retry-after"]) >= 1
    assert client.get(f"/api/live/{live_id}").content == before
    # another token has a bucket of its own; a batch bigger than a burst never fits
    assert client.post(events, json=goal(3), headers=second).status_code == 200
    too_big = client.post(events, json=[goal(n) for n in range(4, 8)], headers=second)
    assert "more than a burst" in assert_limit(too_big, 429, "HEARTBREAK_LIVE_BURST")["message"]
    assert "retry-after" not in too_big.headers
    time.sleep(1.1)  # the bucket fills at a message a second
    assert client.post(events, json=goal(4), headers=first).status_code == 200
    assert app.state.live.state(live_id)["live"]["events_received"] == 4
    app.state.live.close()


# --- streams -------------------------------------------------------------------------------


def wait_until(condition, seconds: float = 15.0, what: str = "") -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not within {seconds} s: {what}"
        time.sleep(0.05)


def test_streams_per_client_address_are_bounded(
    session, tmp_path, serve_app, live_definition, sse_frames
):
    app = limited(session, tmp_path, live_max_streams=2)
    url = serve_app(app)
    live_id = app.state.live.create(live_definition)
    path = f"{url}/api/live/{live_id}/stream"
    readers = []  # (held: a reader dropped closes its stream)
    with contextlib.ExitStack() as first, contextlib.ExitStack() as second:
        for stack in (first, second):
            stream = stack.enter_context(httpx.stream("GET", path, timeout=10))
            assert stream.status_code == 200
            readers.append(sse_frames(stream.iter_lines()))
            assert "retry" in next(readers[-1]) and next(readers[-1])["event"] == "state"
        third = httpx.get(path, timeout=10)
        assert_limit(third, 429, "HEARTBREAK_LIVE_MAX_STREAMS")
        assert app.state.live_streams.open("127.0.0.1") == 2
        first.close()
        wait_until(lambda: app.state.live_streams.open("127.0.0.1") == 1, what="a slot freed")
        with httpx.stream("GET", path, timeout=10) as again:
            assert again.status_code == 200
    wait_until(lambda: app.state.live_streams.open() == 0, what="every slot freed")
    wait_until(lambda: app.state.live.subscribers(live_id) == 0, what="every subscriber gone")


def test_a_stream_with_nothing_new_ends_after_its_idle_lifetime(
    session, tmp_path, serve_app, live_definition, sse_frames, bearer
):
    app = limited(session, tmp_path, live_stream_idle=1.0)
    url = serve_app(app)
    live_id = app.state.live.create(live_definition)
    with httpx.Client(base_url=url, timeout=10) as client:
        started = time.monotonic()
        with client.stream("GET", f"/api/live/{live_id}/stream") as stream:
            frames = list(sse_frames(stream.iter_lines()))
        took = time.monotonic() - started
    assert [f.get("event") for f in frames if "event" in f] == ["state"]
    assert frames[-1] == {"": "idle for 1s, closing"}
    assert 1.0 <= took < 8.0
    wait_until(lambda: app.state.live.subscribers(live_id) == 0, what="the subscriber gone")
    assert app.state.live_streams.open() == 0


def _raw_stream(port: int, live_id: str) -> socket.socket:
    """A client that asks for a stream and then reads nothing (a small receive buffer)."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    sock.sendall(f"GET /api/live/{live_id}/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    return sock


def test_a_client_that_does_not_read_is_dropped_holding_a_bounded_buffer(
    session, tmp_path, serve_app, server_of, live_definition, sse_frames, bearer
):
    app = limited(session, tmp_path, live_stream_stall=1.0, live_rate=1000.0, live_burst=1000)
    url = serve_app(app)
    server = server_of(url)
    port = int(url.rsplit(":", 1)[1])
    auth = bearer(app)
    live_id = app.state.live.create(live_definition)
    sleepers = [_raw_stream(port, live_id) for _ in range(8)]
    wait_until(lambda: app.state.live.subscribers(live_id) == 8, what="8 subscribers")
    held: list[int] = []

    def buffers() -> list[int]:
        return [p.transport.get_write_buffer_size() for p in list(server.server_state.connections)]

    with (
        httpx.Client(base_url=url, timeout=30, headers=auth) as feed,
        feed.stream("GET", f"/api/live/{live_id}/stream") as reader,
    ):
        follower = sse_frames(reader.iter_lines())
        assert "retry" in next(follower) and next(follower)["event"] == "state"
        largest = 0
        for n in range(40):  # a goal then its retraction: a whole state of some 40 kB each
            for message in (goal(n), {"event_id": f"g{n}", "type": "retraction"}):
                posted = feed.post(f"/api/live/{live_id}/events", json=message)
                assert posted.status_code == 200, posted.text
                largest = max(largest, len(posted.content))
                held.append(max(buffers(), default=0))
                frame = next(f for f in follower if "event" in f)  # the reader keeps up
                assert int(frame["id"]) == app.state.live.state(live_id)["live"]["events_received"]
        # the sleepers are dropped once a write of theirs has waited the stall time; the
        # reader is not
        wait_until(lambda: app.state.live.subscribers(live_id) == 1, what="the sleepers dropped")
        assert app.state.live_streams.open() == 1
    frame_bytes = largest + 200  # the SSE and chunk framing around a state
    assert 0 < max(held) <= HIGH_WATER + frame_bytes, (max(held), frame_bytes)
    # a dropped connection is closed, and aborted when its client still does not read
    wait_until(lambda: len(server.server_state.connections) == 0, 20, "the connections gone")
    for sock in sleepers:
        sock.close()


# --- the connection: header size, header and body timeouts, malformed requests --------------


def _exchange(port: int, data: bytes, wait: float = 10.0) -> tuple[int, dict, bytes]:
    """Send raw bytes, read the answer until the server closes: status, body JSON, raw."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        if data:
            sock.sendall(data)
        raw = b""
        while chunk := sock.recv(65536):
            raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body), raw


@pytest.fixture
def tight(session, tmp_path, serve_app):
    app = limited(session, tmp_path, header_timeout=1.0, body_timeout=1.0)
    url = serve_app(app)
    return app, int(url.rsplit(":", 1)[1])


def assert_shape(body: dict, status: int, type_: str) -> str:
    assert set(body) == {"error"} and set(body["error"]) == ERROR_KEYS, body
    assert body["error"]["status"] == status and body["error"]["type"] == type_, body
    return body["error"]["message"]


def test_a_body_that_does_not_arrive_in_time_is_408(tight, bearer):
    app, port = tight
    token = bearer(app)["Authorization"]
    head = (
        "POST /api/live HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Content-Length: 100\r\n"
    )
    started = time.monotonic()
    status, body, _ = _exchange(port, f'{head}Authorization: {token}\r\n\r\n{{"home"'.encode())
    assert 1.0 <= time.monotonic() - started < 6.0
    assert status == 408 and "HEARTBREAK_BODY_TIMEOUT" in assert_shape(body, 408, "RequestTimeout")
    # without a token, the answer does not wait for the body
    started = time.monotonic()
    status, body, _ = _exchange(port, f"{head}Connection: close\r\n\r\n{{".encode())
    assert status == 401 and time.monotonic() - started < 1.0
    assert not app.state.live.log.matches()


def test_headers_that_do_not_arrive_in_time_are_408(tight):
    _, port = tight
    for data in (b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n", b""):
        started = time.monotonic()
        status, body, _ = _exchange(port, data)
        assert 1.0 <= time.monotonic() - started < 6.0
        assert status == 408
        assert "HEARTBREAK_HEADER_TIMEOUT" in assert_shape(body, 408, "RequestTimeout")


def test_oversized_and_malformed_requests_get_the_json_shape(tight):
    _, port = tight
    big = b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 20_000 + b"\r\n\r\n"
    status, body, raw = _exchange(port, big)
    assert status == 431 and b"content-type: application/json" in raw.lower()
    assert "HEARTBREAK_MAX_HEADER_BYTES" in assert_shape(body, 431, "RequestHeaderFieldsTooLarge")
    # a head still unfinished past the limit is not buffered further (the server's own check)
    status, body, _ = _exchange(port, big[:-4])
    assert status == 431
    assert "HEARTBREAK_MAX_HEADER_BYTES" in assert_shape(body, 431, "RequestHeaderFieldsTooLarge")
    status, body, _ = _exchange(port, b"HELLO THERE\r\n\r\n")
    assert status == 400 and assert_shape(body, 400, "BadRequest")
    # a normal request on the same server is answered as ever
    status, body, _ = _exchange(
        port, b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    assert status == 200 and body["status"] == "ok"


# --- the settings ----------------------------------------------------------------------------


def test_limits_are_read_from_the_environment(monkeypatch, session, tmp_path):
    limits = Limits.from_env({"HEARTBREAK_LIVE_MAX_MATCHES": "7", "HEARTBREAK_LIVE_RATE": "2.5"})
    assert (limits.live_max_matches, limits.live_rate) == (7, 2.5)
    assert limits.live_max_streams == Limits().live_max_streams
    for value in ("many", "0", "-1", "1.5", "inf"):
        with pytest.raises(InvalidInput, match="HEARTBREAK_LIVE_MAX_MATCHES"):
            Limits.from_env({"HEARTBREAK_LIVE_MAX_MATCHES": value})
    monkeypatch.setenv("HEARTBREAK_LIVE_MAX_STREAMS", "3")
    app = create_app(session=session, live_log=tmp_path / "live.duckdb")
    assert app.state.limits.live_max_streams == 3 and app.state.live_streams.limit == 3


def test_serve_stops_with_one_line_on_a_bad_setting(real_db_path, monkeypatch):
    monkeypatch.setenv("HEARTBREAK_LIVE_STREAM_IDLE", "soon")
    done = CliRunner().invoke(cli, ["serve", "--db", str(real_db_path)])
    assert done.exit_code == 2
    assert done.stderr.startswith("error: HEARTBREAK_LIVE_STREAM_IDLE: ")
    assert done.stderr.count("\n") == 1
