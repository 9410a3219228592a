"""The deployment mode of ``deploy/`` for real: nginx with nchan holds the streams, a web worker,
the owner of the live matches and its standby are ``heartbreak serve`` processes.

- a live match fed with the live tests' faults (duplicates, late arrivals, a VAR retraction, a
  corrected minute) while the owner is killed (SIGKILL) mid-match: every message accepted is in
  the state afterwards, which is the clean replay's, and every stream, one of them reconnecting
  with ``Last-Event-ID`` on the way, ends on exactly that state;
- a web worker killed: the pages still answer;
- the feed writers' tokens and the app's limits hold through the front, nginx's own refusals
  in the API's one error shape.
"""

from __future__ import annotations

import json
import random
import time

import httpx
import pytest

from deployment import Deployment, Follower, require_nginx, send, wait_listening
from heartbreak.api.limits import Limits
from heartbreak.live.service import LiveService
from heartbreak.live.state import definition_of, feed_of
from heartbreak.services import Heartbreak
from live_faults import faulty_schedule, without_id

BELGIUM_JAPAN = 41696
STREAMS_PER_ADDRESS = 8
BURST = 80


@pytest.fixture(scope="module")
def deployment(real_db_path, tmp_path_factory):
    nginx = require_nginx()
    deployment = Deployment(
        real_db_path,
        tmp_path_factory.mktemp("deployment"),
        limits=Limits(live_max_streams=STREAMS_PER_ADDRESS),
        env={"HEARTBREAK_LIVE_BURST": str(BURST), "HEARTBREAK_LIVE_RATE": "20"},
        nginx=nginx,
    )
    deployment.start()
    yield deployment
    deployment.stop()


@pytest.fixture(scope="module")
def session(real_db_path) -> Heartbreak:
    return Heartbreak(db=real_db_path)


@pytest.fixture(scope="module")
def definition(session) -> dict:
    row = session.store.match_row(BELGIUM_JAPAN)
    return definition_of(session.store.match(BELGIUM_JAPAN), row["elo_home"], row["elo_away"])


@pytest.fixture(scope="module")
def clean(session, definition, tmp_path_factory) -> dict:
    """The state of the true feed, replayed once in this process."""
    live = LiveService(session, tmp_path_factory.mktemp("clean") / "live.duckdb")
    live_id = live.create(definition)
    state = without_id(live.ingest(live_id, feed_of(session.store.match(BELGIUM_JAPAN))))
    live.close()
    return state


def test_a_killed_owner_loses_nothing_and_every_stream_ends_on_the_clean_state(
    deployment, session, definition, clean
):
    headers = {"Authorization": f"Bearer {deployment.token()}"}
    sent, kill_at = faulty_schedule(feed_of(session.store.match(BELGIUM_JAPAN)), random.Random(7))
    with httpx.Client(base_url=deployment.url, timeout=30) as client:
        live_id = send(client, "/api/live", definition, headers)["live"]["id"]
        followers = [Follower(deployment.url, live_id) for _ in range(3)]
        followers.append(Follower(deployment.url, live_id, reconnect_after=4))
        for follower in followers:
            follower.start()
        for follower in followers:
            assert follower.connected.wait(20), follower.errors
        killed = None
        for i, message in enumerate(sent):
            if i == kill_at:
                killed = deployment.owner()
                deployment.kill(killed)
                started = time.monotonic()
            send(client, f"/api/live/{live_id}/events", message, headers)
            if i == kill_at:
                print(f"the standby took over in {time.monotonic() - started:.2f} s")
        final = client.get(f"/api/live/{live_id}").json()
    assert deployment.owner() != killed  # the standby owns the log now
    distinct = {json.dumps(m, sort_keys=True) for m in sent}
    assert final["live"]["events_received"] == len(distinct)  # every accepted message
    assert without_id(final) == clean
    deadline = time.monotonic() + 30
    while any(f.version != final["live"]["version"] for f in followers):
        assert time.monotonic() < deadline, [(f.version, f.errors) for f in followers]
        time.sleep(0.1)
    for follower in followers:
        follower.stop()
        assert follower.state == final
        assert follower.frames > 0
    seen = [(f.frames, f.fetched, f.reconnected, f.errors) for f in followers]
    assert followers[-1].reconnected == 1, seen


def test_a_killed_web_worker_is_not_seen(deployment):
    first, second = deployment.front.web_ports
    with httpx.Client(base_url=deployment.url, timeout=30) as client:
        assert client.get("/api/health").status_code == 200
        deployment.kill(first)  # the front sends the requests to the other one meanwhile
        for _ in range(10):
            assert client.get("/api/matches", params={"team": "Japan"}).status_code == 200
        wait_listening(first, deployment.processes[first])
        deployment.kill(second)
        assert client.get("/api/health").status_code == 200
        wait_listening(second, deployment.processes[second])


def _error(answer: httpx.Response, status: int) -> dict:
    assert answer.status_code == status, answer.text
    body = answer.json()["error"]
    assert body["status"] == status
    assert set(body) == {"status", "type", "message", "field"}
    return body


def test_tokens_and_limits_hold_through_the_front(deployment, definition):
    headers = {"Authorization": f"Bearer {deployment.token()}"}
    with httpx.Client(base_url=deployment.url, timeout=30) as client:
        _error(client.post("/api/live", json=definition), 401)
        live_id = send(client, "/api/live", definition, headers)["live"]["id"]
        other_id = send(client, "/api/live", definition, headers)["live"]["id"]
        theirs = {"Authorization": f"Bearer {deployment.token(other_id)}"}
        clock = {"event_id": "c", "type": "clock", "minute": 3}
        _error(client.post(f"/api/live/{live_id}/events", json=clock, headers=theirs), 403)
        # the front's limits (nginx) and the app's (its rate limit per writer)
        big = b"[" + b" " * (2 * 1024 * 1024) + b"]"
        content_type = {"Content-Type": "application/json"}
        answer = client.post(
            f"/api/live/{live_id}/events", content=big, headers={**headers, **content_type}
        )
        _error(answer, 413)
        _error(client.get("/api/search", headers={"Cookie": "x" * 20_000}), 431)
        batch = [{"event_id": f"c{i}", "type": "clock", "minute": 3} for i in range(BURST + 1)]
        answer = client.post(f"/api/live/{live_id}/events", json=batch, headers=headers)
        _error(answer, 429)
        assert client.get(f"/api/live/{live_id}").json()["live"]["events_received"] == 0
        # live streams per client address, counted by nginx
        streams = []
        try:
            for _ in range(STREAMS_PER_ADDRESS):
                stream = client.stream(
                    "GET",
                    f"/api/live/{live_id}/stream",
                    headers={"Accept": "text/event-stream"},
                )
                streams.append(stream)
                assert stream.__enter__().status_code == 200
            one_more = client.get(
                f"/api/live/{live_id}/stream", headers={"Accept": "text/event-stream"}
            )
            _error(one_more, 429)
        finally:
            for stream in streams:
                stream.__exit__(None, None, None)
        # an unknown live id: nchan refuses the stream; the state is the app's 404
        sse = {"Accept": "text/event-stream"}
        unknown = client.get("/api/live/nosuchmatch0/stream", headers=sse)
        assert unknown.status_code == 403
        _error(client.get("/api/live/nosuchmatch0"), 404)
