"""Live mode on the real store: a stored match fed as a live feed ends where its replay ends,
whatever duplicates, late arrivals, retractions, corrections and restarts happen on the way;
the state reaches subscribers by Server-Sent Events; the CLI feeds a real server."""

from __future__ import annotations

import copy
import json
import random
import socket
import threading
import time
import warnings

import httpx
import pytest

from heartbreak.api import create_app
from heartbreak.live.log import LiveLog, log_path_for
from heartbreak.live.service import LiveService
from heartbreak.live.state import feed_of
from heartbreak.services import Heartbreak

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
    info, row = stored.info, session.store.match_row(BELGIUM_JAPAN)
    return {
        "home": info.home,
        "away": info.away,
        "date": info.date.isoformat(),
        "neutral": info.neutral,
        "knockout": info.knockout,
        "competition": info.competition,
        "stage": info.stage,
        "city": info.city,
        "country": info.country,
        "elo_home": float(row["elo_home"]),
        "elo_away": float(row["elo_away"]),
    }


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


def without_id(state: dict) -> dict:
    out = copy.deepcopy(state)
    out["live"].pop("id")
    out["live"].pop("events_received")
    return out


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


def _faulty_schedule(feed: list[dict], rnd: random.Random) -> tuple[list[dict], int]:
    """The true feed with faults: a goal that is then retracted (VAR), a goal first sent at a
    wrong minute then corrected (sometimes corrected twice, back and forth), duplicates,
    out-of-order arrival (a retraction or a correction may come before its event); plus the
    position of a restart."""
    messages = [dict(m) for m in feed]
    goals = [m for m in messages if m["type"] == "goal"]
    wrong = rnd.choice(goals)
    true_minute = wrong["minute"]
    wrong_minute = rnd.choice([m for m in range(1, 90) if m != true_minute])
    first = {**wrong, "minute": wrong_minute}
    messages[messages.index(wrong)] = first
    fixes = [{"event_id": wrong["event_id"], "type": "correction", "minute": true_minute}]
    if rnd.random() < 0.5:
        fixes = [
            {"event_id": wrong["event_id"], "type": "correction", "version": 2, "minute": 3},
            {**fixes[0], "version": 3},
        ]
    var = {
        "event_id": "var-1",
        "type": "goal",
        "minute": rnd.randint(1, 89),
        "team": rnd.choice(["home", "away"]),
        "player": "Offside",
    }
    extra = [*fixes, var, {"event_id": "var-1", "type": "retraction"}]
    sent = messages + extra
    sent += [rnd.choice(sent) for _ in range(rnd.randint(1, 8))]
    rnd.shuffle(sent)
    return sent, rnd.randint(1, len(sent) - 1)


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
        sent, restart_at = _faulty_schedule(feed, rnd)
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


def test_one_faulty_session_over_http(session, stored, definition, reference, tmp_path):
    log = tmp_path / "live.duckdb"
    sent, restart_at = _faulty_schedule(feed_of(stored), random.Random(2018))
    client = TestClient(create_app(session=session, live_log=log), raise_server_exceptions=False)
    created = client.post("/api/live", json=definition)
    assert created.status_code == 201, created.text
    live_id = created.json()["live"]["id"]
    for i, message in enumerate(sent):
        if i == restart_at:
            client.app.state.live.close()
            client = TestClient(
                create_app(session=session, live_log=log), raise_server_exceptions=False
            )
        response = client.post(f"/api/live/{live_id}/events", json=message)
        assert response.status_code == 200, response.text
    assert_same_ride(client.get(f"/api/live/{live_id}").json(), reference)
    listed = client.get("/api/live").json()
    assert [m["id"] for m in listed] == [live_id]
    assert listed[0]["score"] == {"home": 3, "away": 2} and listed[0]["finished"]
    client.app.state.live.close()


def test_live_errors_use_the_one_shape(session, definition, tmp_path):
    client = TestClient(
        create_app(session=session, live_log=tmp_path / "live.duckdb"),
        raise_server_exceptions=False,
    )
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
def served(session, tmp_path):
    """The app served by uvicorn on a free loopback port in a thread; stopped within 10 s."""
    import uvicorn

    app = create_app(session=session, live_log=tmp_path / "live.duckdb")
    app.state.live_heartbeat = 1.0
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start within 10 s"
        assert thread.is_alive(), "the server stopped while starting"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", app
    server.should_exit = True
    thread.join(timeout=10)
    assert not thread.is_alive(), "the server did not stop within 10 s"


def _frames(lines):
    """SSE frames (dicts of field → value, comments under ``":"``) from a line iterator."""
    frame: dict[str, str] = {}
    for line in lines:
        if line == "":
            if frame:
                yield frame
            frame = {}
            continue
        field, _, value = line.partition(":")
        frame[field] = value.removeprefix(" ")


def test_subscribers_get_every_update_by_sse(served, definition):
    url, _ = served
    with httpx.Client(base_url=url, timeout=10.0) as client:
        live_id = client.post("/api/live", json=definition).json()["live"]["id"]
        with client.stream("GET", f"/api/live/{live_id}/stream") as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            frames = _frames(stream.iter_lines())
            assert "retry" in next(frames)
            first = next(frames)
            assert first["event"] == "state"
            assert json.loads(first["data"])["live"]["events_received"] == 0
            goal = {"event_id": "g1", "type": "goal", "minute": 48, "team": "Japan"}
            with httpx.Client(base_url=url, timeout=10.0) as other:
                assert other.post(f"/api/live/{live_id}/events", json=goal).status_code == 200
            frame = next(f for f in frames if f.get("event") == "state")
            state = json.loads(frame["data"])
            assert state["match"]["score"] == {"home": 0, "away": 1}
            assert state["live"]["events_received"] == 1
            heartbeat = next(frames)  # nothing new: a comment within the (shortened) interval
            assert set(heartbeat) == {""}


def test_the_cli_replays_a_stored_match_on_a_real_server(served, real_db_path, reference):
    from typer.testing import CliRunner

    from heartbreak.cli import app as cli

    url, _ = served
    result = CliRunner().invoke(
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
