"""Live tournaments on the real store: a final group round fed live, both matches at once.

Japan–Poland and Senegal–Colombia, World Cup 2018 Group H, kicked off together on 28 June.
Fed live as their feeds would have sent them (goals, cards, period ends), interleaved by the
clock, each match's stakes follow the other's events: Yerry Mina's goal for Colombia at 74'
lifts Japan's chance of the round of 16, and at the whistles Japan are through on fair-play
points, exactly as the stored replay of the group has it."""

from __future__ import annotations

import json
import warnings

import httpx
import pytest

from heartbreak.api import create_app
from heartbreak.live.service import LiveService
from heartbreak.live.state import definition_of, elapsed_minutes, feed_of
from heartbreak.services import Heartbreak
from heartbreak.tournaments.stakes import bookings_of

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

JAPAN_POLAND = 41687
SENEGAL_COLOMBIA = 41688
GROUP_H = ("FIFA World Cup", 2018, "Group H")


@pytest.fixture(scope="module")
def session(real_db_path) -> Heartbreak:
    return Heartbreak(db=real_db_path)


def _definition(session: Heartbreak, match_id: int, group=GROUP_H) -> dict:
    row = session.store.match_row(match_id)
    return definition_of(session.store.match(match_id), row["elo_home"], row["elo_away"], group)


def _cards(session: Heartbreak, match_id: int):
    return bookings_of(
        session.store.query("SELECT * FROM cards WHERE match_id = ? ORDER BY seq", [match_id])
    )


def _round(session: Heartbreak, live_ids: dict[int, str]) -> list[tuple[str, dict]]:
    """The two matches' feeds interleaved by the clock: (live id, message)."""
    feeds = []
    for order, (match_id, live_id) in enumerate(live_ids.items()):
        feed = feed_of(session.store.match(match_id), _cards(session, match_id))
        feeds += [(elapsed_minutes(m), order, k, live_id, m) for k, m in enumerate(feed)]
    return [(live_id, m) for *_, live_id, m in sorted(feeds, key=lambda f: f[:3])]


@pytest.fixture(scope="module")
def reference(session) -> dict:
    return json.loads(json.dumps(session.replay_id(JAPAN_POLAND).to_dict()))


@pytest.fixture(scope="module")
def fed(session, tmp_path_factory):
    """The service after the whole round was fed, and the states of Japan–Poland after each
    message (id of the match the message went to, the state)."""
    service = LiveService(session, tmp_path_factory.mktemp("live") / "live.duckdb")
    ids = {
        mid: service.create(_definition(session, mid)) for mid in (JAPAN_POLAND, SENEGAL_COLOMBIA)
    }
    seen = []
    for live_id, message in _round(session, ids):
        service.ingest(live_id, message)
        seen.append((live_id, message, service.state(ids[JAPAN_POLAND])))
    yield service, ids, seen
    service.close()


def test_the_round_fed_live_ends_in_the_stored_stakes(fed, reference):
    service, ids, _ = fed
    state = service.state(ids[JAPAN_POLAND])
    assert state["live"]["finished"] is True
    got = [(p["label"], p["p_home_qualify"], p["p_away_qualify"]) for p in state["timeline"]]
    want = [(p["label"], p["p_home_qualify"], p["p_away_qualify"]) for p in reference["timeline"]]
    assert got == want
    assert state["stakes"] == reference["stakes"]
    assert state["timeline"][-1]["p_home_qualify"] == 1.0
    settled = state["stakes"]["settlement"]["home"]
    assert (settled["through"], settled["decided_by"]) == (True, "fair play")
    assert "fair-play points" in state["stories"]["Japan"]
    assert state["emotions"] == reference["emotions"]


def test_a_goal_elsewhere_moves_the_stakes_of_the_other_match(fed):
    service, ids, seen = fed
    japan = ids[JAPAN_POLAND]
    # Mina's goal, sent to Senegal–Colombia, is a new state of Japan–Poland: its version grows
    # and the goal is among its stakes' goals elsewhere.
    k = next(
        i
        for i, (live_id, m, _) in enumerate(seen)
        if live_id == ids[SENEGAL_COLOMBIA] and m["type"] == "goal"
    )
    before, after = seen[k - 1][2], seen[k][2]
    assert after["live"]["version"] == before["live"]["version"] + 1
    assert after["live"]["events_received"] == before["live"]["events_received"]
    assert [g["player"] for g in after["stakes"]["elsewhere_goals"]] == ["Yerry Mina"]
    assert before["stakes"]["elsewhere_goals"] == []
    # The goal's point on Japan's timeline, once Japan's clock has passed it, lifts Japan.
    final = service.state(japan)
    marked = [i for i, p in enumerate(final["timeline"]) if p.get("elsewhere")]
    (i,) = marked
    assert final["timeline"][i]["elsewhere"][0]["team"] == "Colombia"
    assert final["timeline"][i]["p_home_qualify"] > final["timeline"][i - 1]["p_home_qualify"]
    assert final["live"]["group"] == {
        "competition": "FIFA World Cup",
        "year": 2018,
        "group": "Group H",
        "played_with": [ids[SENEGAL_COLOMBIA]],
    }
    # Every message of the round is counted once in each match's version.
    assert final["live"]["version"] == len(seen)


def test_a_clock_update_moves_no_other_match(session, tmp_path):
    service = LiveService(session, tmp_path / "live.duckdb")
    japan = service.create(_definition(session, JAPAN_POLAND))
    senegal = service.create(_definition(session, SENEGAL_COLOMBIA))
    before = service.snapshot(japan)
    service.ingest(senegal, {"event_id": "c1", "type": "clock", "minute": 30})
    assert service.snapshot(japan) is before  # nothing of Senegal–Colombia's stakes changed
    service.ingest(
        senegal, {"event_id": "y1", "type": "yellow_card", "minute": 31, "team": "Senegal"}
    )
    assert service.snapshot(japan).frame.seq == before.frame.seq + 2
    service.close()


def test_a_restarted_service_resumes_the_group(fed, session, tmp_path):
    service, ids, _ = fed
    states = {mid: service.state(live_id) for mid, live_id in ids.items()}
    again = LiveService(session, service.log_path)
    try:
        for mid, live_id in ids.items():
            assert again.state(live_id) == states[mid]
    finally:
        again.close()


def test_a_group_is_checked_against_the_store(session, tmp_path, bearer):
    app = create_app(session=session, live_log=tmp_path / "live.duckdb")
    client = TestClient(app, headers=bearer(app), raise_server_exceptions=False)
    body = _definition(session, JAPAN_POLAND)
    cases = [
        ({"group": "Z"}, "body.group", "its groups: Group A"),
        ({"year": 2017}, "body.year", "no modelled edition"),
        ({"date": "2018-06-27"}, "body.date", "is on 2018-06-28"),
        (
            {"home": "Poland", "away": "Japan", "elo_home": None, "elo_away": None},
            "body.home",
            "Japan first",
        ),
        ({"away": "Brazil", "elo_away": None}, "body.away", "its teams:"),
        ({"competition": "Friendly"}, "body.competition", "give its competition"),
        ({"knockout": True}, "body.knockout", "not a knockout"),
        ({"group": None}, "body.year", "give group too"),
    ]
    for change, field, words in cases:
        answer = client.post("/api/live", json={**body, **change})
        assert 400 <= answer.status_code < 500, change
        error = answer.json()["error"]
        assert (error["field"], words in error["message"]) == (field, True), (change, error)
    assert client.get("/api/live").json() == []
    # "World Cup", "h" and the year are read as a fan types them; the store's names are kept.
    made = client.post("/api/live", json={**body, "competition": "World Cup", "group": "h"})
    assert made.status_code == 201, made.json()
    assert made.json()["live"]["group"]["group"] == "Group H"
    assert made.json()["stakes"]["next_stage"] == "the round of 16"
    client.app.state.live.close()


def test_a_goal_elsewhere_reaches_the_subscribers_by_sse(
    session, tmp_path, serve_app, bearer, sse_frames
):
    app = create_app(session=session, live_log=tmp_path / "live.duckdb")
    url = serve_app(app)
    auth = bearer(app)
    with httpx.Client(base_url=url, timeout=20.0, headers=auth) as client:
        japan = client.post("/api/live", json=_definition(session, JAPAN_POLAND)).json()
        senegal = client.post("/api/live", json=_definition(session, SENEGAL_COLOMBIA)).json()
        japan_id, senegal_id = japan["live"]["id"], senegal["live"]["id"]
        client.post(
            f"/api/live/{japan_id}/events", json={"event_id": "c", "type": "clock", "minute": 80}
        )
        with client.stream("GET", f"/api/live/{japan_id}/stream") as stream:
            frames = sse_frames(stream.iter_lines())
            assert "retry" in next(frames)
            first = next(frames)
            start = json.loads(first["data"])
            goal = {
                "event_id": "g",
                "type": "goal",
                "minute": 74,
                "team": "Colombia",
                "player": "Yerry Mina",
            }
            with httpx.Client(base_url=url, timeout=20.0, headers=auth) as other:
                assert other.post(f"/api/live/{senegal_id}/events", json=goal).status_code == 200
            frame = next(f for f in frames if f.get("event") == "state")
            state = json.loads(frame["data"])
            assert int(frame["id"]) == int(first["id"]) + 1 == state["live"]["version"]
            assert state["stakes"]["simultaneous"][0]["score"] == {"home": 0, "away": 1}
            assert (
                state["timeline"][-1]["p_home_qualify"] != start["timeline"][-1]["p_home_qualify"]
            )


def test_the_cli_replays_a_whole_final_group_round(
    session, real_db_path, tmp_path, serve_app, bearer, reference
):
    from typer.testing import CliRunner

    from heartbreak.cli import app as cli

    app = create_app(session=session, live_log=tmp_path / "live.duckdb")
    url = serve_app(app)
    token = bearer(app)["Authorization"].removeprefix("Bearer ")

    def replay(home: str, away: str, day: str):
        args = [home, away, "--date", day, "--simultaneous", "--speed", "0", "--url", url]
        env = {"HEARTBREAK_LIVE_TOKEN": token}
        return CliRunner(env=env).invoke(cli, ["live", "replay", *args, "--db", str(real_db_path)])

    result = replay("Japan", "Poland", "2018-06-28")
    assert result.exit_code == 0, result.output
    summaries = [line for line in result.output.splitlines() if "finished=True" in line]
    assert len(summaries) == 2
    assert "p_home_qualify=1.000 p_away_qualify=0.000" in summaries[0]
    listed = {(m["home"], m["away"]): m for m in httpx.get(f"{url}/api/live", timeout=10).json()}
    assert listed[("Senegal", "Colombia")]["score"] == {"home": 0, "away": 1}
    state = httpx.get(f"{url}/api/live/{listed[('Japan', 'Poland')]['id']}", timeout=10).json()
    assert state["stakes"] == reference["stakes"]
    alone = replay("Belgium", "Japan", "2018-07-02")
    assert alone.exit_code != 0
    assert "--simultaneous: no match of its group" in alone.output
