"""Live mode on the real store: a stored match fed as a live feed ends where its replay ends,
whatever duplicates, late arrivals, retractions, corrections and restarts happen on the way;
the state reaches subscribers by Server-Sent Events; the CLI feeds a real server."""

from __future__ import annotations

import asyncio
import json
import random
import socket
import warnings

import httpx
import pytest

from heartbreak.api import create_app
from heartbreak.live.log import LiveLog, log_path_for
from heartbreak.live.service import LiveService, apply_append
from heartbreak.live.state import definition_of, feed_of
from heartbreak.services import Heartbreak
from live_faults import faulty_schedule, without_id

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

BELGIUM_JAPAN = 41696
PROBABILITIES = ("p_home_win", "p_draw", "p_away_win", "p_home_advance")


@pytest.fixture(scope="module")
def session(real_db_path) -> Heartbreak:
    return Heartbreak(db=real_db_path)


@pytest.fixture(scope="module")
def stored(session):
    return session.store.match(BELGIUM_JAPAN)


@pytest.fixture(scope="module")
def reference(session) -> dict:
    return json.loads(json.dumps(session.replay_id(BELGIUM_JAPAN).to_dict()))


@pytest.fixture(scope="module")
def definition(session, stored) -> dict:
    row = session.store.match_row(BELGIUM_JAPAN)
    return definition_of(stored, row["elo_home"], row["elo_away"])


def assert_same_ride(state: dict, reference: dict) -> None:
    """The probabilities, emotions, metrics and story of a replay; the live match does not know
    the stored match's id."""
    assert state["live"]["finished"] is True
    assert len(state["timeline"]) == len(reference["timeline"])
    for got, want in zip(state["timeline"], reference["timeline"], strict=True):
        assert (got["label"], got["kind"], got["score"]) == (
            want["label"],
            want["kind"],
            want["score"],
        )
        for key in PROBABILITIES:
            assert got[key] == want[key], (got["label"], key)
    assert state["prematch"] == reference["prematch"]
    assert state["emotions"] == reference["emotions"]
    assert state["metrics"] == reference["metrics"]
    match = {k: v for k, v in state["match"].items() if k != "id"}
    assert match == {k: v for k, v in reference["match"].items() if k != "id"}


# --- the log -------------------------------------------------------------------------------


def test_the_log_keeps_each_message_once_in_arrival_order_across_reopening(tmp_path):
    path = log_path_for(tmp_path / "heartbreak.duckdb")
    assert path.name == "heartbreak.duckdb.live.duckdb"
    log = LiveLog(path)
    log.create_match("m1", {"home": "A", "away": "B", "date": "2020-01-01"})
    assert log.append("m1", "k2", {"event_id": "2"}) is True
    assert log.append("m1", "k1", {"event_id": "1"}) is True
    assert log.append("m1", "k2", {"event_id": "2"}) is False
    log.close()
    reopened = LiveLog(path)
    assert reopened.messages("m1") == [{"event_id": "2"}, {"event_id": "1"}]
    assert reopened.matches() == [("m1", {"home": "A", "away": "B", "date": "2020-01-01"})]
    assert reopened.match("m2") is None and reopened.messages("m2") == []
    reopened.close()


# --- the service ---------------------------------------------------------------------------


def test_a_stored_match_fed_live_ends_in_its_replay(
    session, stored, definition, reference, tmp_path
):
    live = LiveService(session, tmp_path / "live.duckdb")
    live_id = live.create(definition)
    start = live.state(live_id)
    assert [p["kind"] for p in start["timeline"]] == ["kick_off"]
    assert start["live"]["clock"]["label"] == "KO"
    assert start["prematch"] == reference["prematch"]
    seen = []
    for message in feed_of(stored):
        state = live.ingest(live_id, message)
        seen.append(state)
    after_52 = seen[2]  # half-time, 48', 52'
    assert after_52["match"]["score"] == {"home": 0, "away": 2}
    assert after_52["timeline"][-1]["label"] == "52'"
    assert after_52["live"]["finished"] is False
    assert after_52["timeline"] == reference["timeline"][: len(after_52["timeline"])]
    assert_same_ride(seen[-1], reference)
    assert seen[-1]["live"]["events_received"] == len(feed_of(stored))
    assert [m["id"] for m in live.list()] == [live_id]
    live.close()


def test_ratings_default_to_the_store(session, tmp_path):
    live = LiveService(session, tmp_path / "live.duckdb")
    live_id = live.create({"home": "belgium", "away": "JPN", "date": "2018-07-02"})
    match = live.match(live_id)
    assert (match.home, match.away) == ("Belgium", "Japan")
    assert match.elo_home == pytest.approx(session.team_rating("Belgium", match.date))
    live.close()


def test_a_restarted_service_resumes_the_same_state(session, stored, definition, tmp_path):
    log = tmp_path / "live.duckdb"
    first = LiveService(session, log)
    live_id = first.create(definition)
    first.ingest(live_id, feed_of(stored)[:3])
    before, listed = first.state(live_id), first.list()
    first.close()
    second = LiveService(session, log)
    assert second.state(live_id) == before
    assert second.list() == listed
    second.close()


def test_faults_and_restarts_end_in_the_clean_state(session, stored, definition, tmp_path):
    feed = feed_of(stored)
    log = tmp_path / "live.duckdb"
    live = LiveService(session, log)
    clean_id = live.create(definition)
    clean = without_id(live.ingest(clean_id, feed))
    match = session.replay_match(stored, definition["elo_home"], definition["elo_away"]).to_dict()
    assert [p["p_home_win"] for p in clean["timeline"]] == [
        p["p_home_win"] for p in match["timeline"]
    ]
    for seed in range(100):
        rnd = random.Random(seed)
        sent, restart_at = faulty_schedule(feed, rnd)
        live_id = live.create(definition)
        for i, message in enumerate(sent):
            if i == restart_at:
                live.close()
                live = LiveService(session, log)
            live.append(live_id, message)
        final = live.state(live_id)
        assert without_id(final) == clean, f"seed {seed}"
        distinct = {json.dumps(m, sort_keys=True) for m in sent}
        assert final["live"]["events_received"] == len(distinct)
    live.close()


# --- over HTTP -----------------------------------------------------------------------------


def test_one_faulty_session_over_http(session, stored, definition, reference, tmp_path, bearer):
    log = tmp_path / "live.duckdb"
    sent, restart_at = faulty_schedule(feed_of(stored), random.Random(2018))
    app = create_app(session=session, live_log=log)
    auth = bearer(app)  # kept beside the log: the restarted server knows it too
    client = TestClient(app, headers=auth, raise_server_exceptions=False)
    created = client.post("/api/live", json=definition)
    assert created.status_code == 201, created.text
    live_id = created.json()["live"]["id"]
    for i, message in enumerate(sent):
        if i == restart_at:
            client.app.state.live.close()
            client = TestClient(
                create_app(session=session, live_log=log),
                headers=auth,
                raise_server_exceptions=False,
            )
        response = client.post(f"/api/live/{live_id}/events", json=message)
        assert response.status_code == 200, response.text
    assert_same_ride(client.get(f"/api/live/{live_id}").json(), reference)
    listed = client.get("/api/live").json()
    assert [m["id"] for m in listed] == [live_id]
    assert listed[0]["score"] == {"home": 3, "away": 2} and listed[0]["finished"]
    client.app.state.live.close()


def test_live_errors_use_the_one_shape(session, definition, tmp_path, bearer):
    app = create_app(session=session, live_log=tmp_path / "live.duckdb")
    client = TestClient(app, headers=bearer(app), raise_server_exceptions=False)
    missing = client.get("/api/live/nope")
    assert missing.status_code == 404
    assert missing.json()["error"]["type"] == "NoSuchMatch"
    live_id = client.post("/api/live", json=definition).json()["live"]["id"]
    bad = client.post(
        f"/api/live/{live_id}/events",
        json={"event_id": "x", "type": "goal", "minute": 130, "team": "Belgium"},
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "body.minute"
    team = client.post(
        f"/api/live/{live_id}/events",
        json={"event_id": "x", "type": "goal", "minute": 13, "team": "Brazil"},
    )
    assert team.status_code == 422 and team.json()["error"]["field"] == "body.team"
    date = client.post("/api/live", json={**definition, "date": "2 July"})
    assert date.status_code == 422 and date.json()["error"]["field"] == "body.date"
    team = client.post("/api/live", json={**definition, "home": "Belgum", "elo_home": None})
    assert team.status_code == 404 and team.json()["error"]["field"] == "body.home"
    unknown = client.post("/api/live/nope/events", json={"event_id": "x", "type": "retraction"})
    assert unknown.status_code == 404
    assert client.get(f"/api/live/{live_id}").json()["live"]["events_received"] == 0
    client.app.state.live.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def served(session, tmp_path, serve_app):
    """The app served by uvicorn on a free loopback port, and the app."""
    app = create_app(session=session, live_log=tmp_path / "live.duckdb")
    app.state.live_heartbeat = 1.0
    return serve_app(app), app


def test_subscribers_get_every_update_by_sse(served, definition, sse_frames, bearer):
    url, app = served
    auth = bearer(app)
    with httpx.Client(base_url=url, timeout=10.0, headers=auth) as client:
        live_id = client.post("/api/live", json=definition).json()["live"]["id"]
        with client.stream("GET", f"/api/live/{live_id}/stream") as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            frames = sse_frames(stream.iter_lines())
            assert "retry" in next(frames)
            first = next(frames)
            assert first["event"] == "state"
            assert json.loads(first["data"])["live"]["events_received"] == 0
            goal = {"event_id": "g1", "type": "goal", "minute": 48, "team": "Japan"}
            with httpx.Client(base_url=url, timeout=10.0, headers=auth) as other:
                assert other.post(f"/api/live/{live_id}/events", json=goal).status_code == 200
            frame = next(f for f in frames if f.get("event") == "state")
            state = json.loads(frame["data"])
            assert state["match"]["score"] == {"home": 0, "away": 1}
            assert state["live"]["events_received"] == 1
            heartbeat = next(frames)  # nothing new: a comment within the (shortened) interval
            assert set(heartbeat) == {""}


def test_the_cli_replays_a_stored_match_on_a_real_server(served, real_db_path, reference, bearer):
    from typer.testing import CliRunner

    from heartbreak.cli import app as cli

    url, app = served
    token = bearer(app)["Authorization"].removeprefix("Bearer ")
    result = CliRunner(env={"HEARTBREAK_LIVE_TOKEN": token}).invoke(
        cli,
        [
            "live",
            "replay",
            "Belgium",
            "Japan",
            "--date",
            "2018-07-02",
            "--speed",
            "0",
            "--url",
            url,
            "--db",
            str(real_db_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "finished=True" in result.output
    (listed,) = httpx.get(f"{url}/api/live", timeout=10).json()
    assert listed["score"] == {"home": 3, "away": 2}
    state = httpx.get(f"{url}/api/live/{listed['id']}", timeout=10).json()
    assert_same_ride(state, reference)


def test_the_cli_reports_an_unreachable_server(real_db_path):
    from typer.testing import CliRunner

    from heartbreak.cli import app as cli

    url = f"http://127.0.0.1:{_free_port()}"
    result = CliRunner().invoke(
        cli,
        [
            "live",
            "replay",
            "Belgium",
            "Japan",
            "--date",
            "2018-07-02",
            "--url",
            url,
            "--db",
            str(real_db_path),
        ],
    )
    assert result.exit_code == 2
    assert "cannot reach" in result.output


# --- the clock without events, the replay cache, one frame for all ---------------------------


class CountingSession:
    """A session that counts its replays (everything else is the real session's)."""

    def __init__(self, session) -> None:
        self.session = session
        self.replays = 0

    def __getattr__(self, name):
        return getattr(self.session, name)

    def replay_match(self, *args, **kwargs):
        self.replays += 1
        return self.session.replay_match(*args, **kwargs)


def test_clock_updates_move_the_cut_and_nothing_else(
    session, stored, definition, reference, tmp_path
):
    counting = CountingSession(session)
    live = LiveService(counting, tmp_path / "live.duckdb")
    live_id = live.create(definition)
    feed = feed_of(stored)
    at_52 = live.ingest(live_id, feed[:3])  # half-time, 48', 52'
    replays = counting.replays
    at_60 = live.ingest(live_id, {"event_id": "t60", "type": "clock", "minute": 60})
    assert counting.replays == replays  # the replay of the same events, cut further on
    assert at_60["timeline"][-1]["label"] == "60'"
    assert at_60["live"]["clock"]["label"] == "60'" and at_60["live"]["events_received"] == 4
    assert at_60["timeline"][: len(at_52["timeline"])] == at_52["timeline"]
    assert at_60["timeline"] == reference["timeline"][: len(at_60["timeline"])]  # before 69'
    for team, points in at_60["emotions"].items():
        assert points == reference["emotions"][team][: len(points)]
    assert {k: v for k, v in at_60.items() if k not in ("timeline", "emotions", "live")} == {
        k: v for k, v in at_52.items() if k not in ("timeline", "emotions", "live")
    }
    # a clock update behind the clock changes nothing visible, but is received
    behind = live.ingest(live_id, {"event_id": "t55", "type": "clock", "minute": 55})
    assert behind["timeline"] == at_60["timeline"] and behind["live"]["events_received"] == 5
    # a goal replays; its retraction goes back to the replay of the events before it
    goal = {"event_id": "var", "type": "goal", "minute": 58, "team": "Belgium"}
    assert live.ingest(live_id, goal)["match"]["score"] == {"home": 1, "away": 2}
    assert counting.replays == replays + 1
    back = live.ingest(live_id, {"event_id": "var", "type": "retraction"})
    assert counting.replays == replays + 1
    assert back["timeline"] == at_60["timeline"]
    # the state is the same function of the messages in a service that never saw it happen
    fresh = LiveService(session, tmp_path / "live.duckdb")
    assert fresh.state(live_id) == back
    fresh.close()
    live.close()


def test_a_period_start_shows_the_half_time_before_any_second_half_event(
    session, definition, reference, tmp_path
):
    live = LiveService(session, tmp_path / "live.duckdb")
    live_id = live.create(definition)
    start = {"event_id": "2h", "type": "period_start", "period": "second_half"}
    kick_off = {"event_id": "ko", "type": "period_start", "period": "first_half"}
    state = live.ingest(live_id, [kick_off])
    assert [p["kind"] for p in state["timeline"]] == ["kick_off"]
    state = live.ingest(live_id, start)
    assert state["timeline"][-1]["kind"] == "period_end"
    assert state["timeline"][-1]["period"] == "first_half"
    assert all(p["period"] == "first_half" for p in state["timeline"])
    clock = state["live"]["clock"]
    assert (clock["period"], clock["minute"], clock["period_over"]) == ("second_half", 45, False)
    assert state["prematch"] == reference["prematch"]
    assert live.ingest(live_id, start) == state  # idempotent: nothing new, nothing changes
    live.close()


def test_every_subscriber_gets_the_same_encoded_frame(session, definition, tmp_path):
    live = LiveService(session, tmp_path / "live.duckdb")
    live_id = live.create(definition)
    goal = {"event_id": "g1", "type": "goal", "minute": 48, "team": "Japan"}

    async def follow():
        first, second = live.subscribe(live_id), live.subscribe(live_id)
        state = await asyncio.to_thread(live.ingest, live_id, goal)
        a = await asyncio.wait_for(first.get(), 10)
        b = await asyncio.wait_for(second.get(), 10)
        await asyncio.to_thread(live.ingest, live_id, goal)  # a repeat: no frame
        assert first.empty() and second.empty()
        await asyncio.to_thread(live.delete, live_id)
        ends = await asyncio.wait_for(first.get(), 10), await asyncio.wait_for(second.get(), 10)
        return state, a, b, ends

    state, a, b, ends = asyncio.run(follow())
    assert a is b  # one frame object, encoded once, for every subscriber
    head, _, data = a.data.partition(b"\ndata: ")
    assert head == b"id: 1\nevent: state" and data.endswith(b"\n\n") and a.seq == 1
    assert json.loads(data) == json.loads(json.dumps(state))
    assert ends == (None, None)  # the match was deleted: the streams end
    assert live.subscribers(live_id) == 0
    live.close()


# --- deleting a live match -------------------------------------------------------------------


def test_delete_removes_a_live_match_and_its_log_for_good(
    session, stored, definition, tmp_path, bearer
):
    log = tmp_path / "live.duckdb"
    app = create_app(session=session, live_log=log)
    client = TestClient(app, headers=bearer(app), raise_server_exceptions=False)
    gone, kept = (client.post("/api/live", json=definition).json()["live"]["id"] for _ in "ab")
    for live_id in (gone, kept):
        response = client.post(f"/api/live/{live_id}/events", json=feed_of(stored)[:3])
        assert response.status_code == 200
    kept_state = client.get(f"/api/live/{kept}").json()
    deleted = client.delete(f"/api/live/{gone}")
    assert deleted.status_code == 204 and deleted.content == b""
    for response in (
        client.get(f"/api/live/{gone}"),
        client.delete(f"/api/live/{gone}"),
        client.post(f"/api/live/{gone}/events", json={"event_id": "x", "type": "retraction"}),
        client.get(f"/api/live/{gone}/stream"),
    ):
        assert response.status_code == 404, response.text
        assert response.json()["error"]["type"] == "NoSuchMatch"
        assert response.json()["error"]["field"] == "path.live_id"
    assert [m["id"] for m in client.get("/api/live").json()] == [kept]
    client.app.state.live.close()
    reopened = LiveLog(log)  # durable: the rows are gone from the file
    assert reopened.match(gone) is None and reopened.messages(gone) == []
    assert len(reopened.messages(kept)) == 3
    reopened.close()
    client = TestClient(create_app(session=session, live_log=log), raise_server_exceptions=False)
    assert client.get(f"/api/live/{gone}").status_code == 404
    assert client.get(f"/api/live/{kept}").json() == kept_state
    client.app.state.live.close()


# --- Server-Sent Events: ids, reconnection, the end of a stream ------------------------------


def test_sse_frames_carry_ids_and_streams_end_when_the_match_is_deleted(
    served, definition, sse_frames, bearer
):
    url, app = served
    with httpx.Client(base_url=url, timeout=10.0, headers=bearer(app)) as client:
        live_id = client.post("/api/live", json=definition).json()["live"]["id"]

        def post(message):
            response = client.post(f"/api/live/{live_id}/events", json=message)
            assert response.status_code == 200, response.text
            return response.json()

        with client.stream("GET", f"/api/live/{live_id}/stream") as stream:
            frames = sse_frames(stream.iter_lines())
            assert "retry" in next(frames)
            first = next(frames)
            assert (first["id"], first["event"]) == ("0", "state")
            goal = {"event_id": "g1", "type": "goal", "minute": 48, "team": "Japan"}
            post(goal)
            frame = next(frames)
            assert frame["id"] == "1" and json.loads(frame["data"])["live"]["events_received"] == 1
            held = json.loads(frame["data"])
            post(goal)  # a repeat changes nothing: no frame, the next is a heartbeat
            assert set(next(frames)) == {""}
            state = post({"event_id": "t", "type": "clock", "minute": 50})
            frame = next(frames)  # a clock tick: an append onto the state of frame 1
            assert (frame["id"], frame["event"]) == ("2", "append")
            assert apply_append(held, json.loads(frame["data"])) == state
            assert state["live"]["clock"]["label"] == "50'"
            # a client reconnecting gets the current state first, whatever it last saw
            headers = {"Last-Event-ID": "1"}
            with client.stream("GET", f"/api/live/{live_id}/stream", headers=headers) as again:
                replayed = sse_frames(again.iter_lines())
                assert "retry" in next(replayed)
                current = next(replayed)
                assert current["id"] == "2" and json.loads(current["data"]) == state
                assert client.delete(f"/api/live/{live_id}").status_code == 204
                rest = list(replayed)  # the stream ends, cleanly
                assert all(f.get("event") != "state" for f in rest)
            rest = list(frames)
            assert all(f.get("event") != "state" for f in rest)
        assert client.get(f"/api/live/{live_id}").status_code == 404


class RecordingFanout:
    """A fan-out that keeps what it is handed (the protocol of heartbreak.live.fanout)."""

    def __init__(self) -> None:
        self.frames: list[tuple[str, int, bytes | None, bytes]] = []
        self.ended: list[str] = []
        self.closed = False

    def publish(self, live_id, frame) -> None:
        self.frames.append((live_id, frame.seq, frame.append_json, frame.state_json))

    def end(self, live_id) -> None:
        self.ended.append(live_id)

    def flush(self, timeout: float = 10.0) -> bool:
        return True

    def close(self) -> None:
        self.closed = True


def test_a_fanout_gets_each_new_state_once_in_order(session, stored, definition, tmp_path):
    fanout = RecordingFanout()
    live = LiveService(session, tmp_path / "live.duckdb", fanout=fanout)
    live_id = live.create(definition)
    assert [seq for _, seq, _, _ in fanout.frames] == [0]  # the channel has its state at once
    feed = feed_of(stored)
    for message in [*feed, feed[3]]:  # a repeat makes no new state
        live.append(live_id, message)
    seqs = [seq for _, seq, _, _ in fanout.frames]
    assert seqs == list(range(len(feed) + 1))
    state = {}
    for _, seq, append, whole in fanout.frames:
        assert json.loads(whole)["live"]["version"] == seq
        if append is not None:  # an append builds on the frame before it
            delta = json.loads(append)
            assert delta["base"] == seq - 1
            state = apply_append(state, delta)
            assert state == json.loads(whole)
        state = json.loads(whole)
    assert state == live.state(live_id)
    live.delete(live_id)
    assert fanout.ended == [live_id]
    live.close()
    assert fanout.closed
