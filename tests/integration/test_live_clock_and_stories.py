"""What a live state gives a page beyond the replay so far:

- ``stories``: the story as each side's fans lived it, so the side switch needs no request and
  a state is still encoded once for every subscriber; it rides in the whole-state frames only
  (a clock tick's append frame carries none);
- ``live.clock``: whether the clock runs, since when (the server's time of the message that
  brought it where it stands, kept in the log), where it stands on the chart's axis, the
  period's last minute and how far into stoppage it may run on; at a break, which break.
"""

from __future__ import annotations

import json
import warnings

import duckdb
import pytest

from heartbreak.api import create_app
from heartbreak.live.log import LiveLog
from heartbreak.live.service import LiveService
from heartbreak.live.state import (
    LiveMatch,
    definition_of,
    effective_events,
    feed_of,
    live_to_match,
    parse_message,
)
from heartbreak.services import Heartbreak

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

BELGIUM_JAPAN = 41696
HTML = {"accept": "text/html,application/xhtml+xml"}
CLOCK_FIELDS = {
    "period",
    "minute",
    "stoppage",
    "label",
    "period_over",
    "added",
    "running",
    "pause",
    "since_ms",
    "end_minute",
    "max_stoppage",
    "elapsed",
}


class Now:
    """A server clock the test moves (seconds since the epoch)."""

    def __init__(self, seconds: float = 1_000.0) -> None:
        self.seconds = seconds

    def __call__(self) -> float:
        return self.seconds


@pytest.fixture(scope="module")
def session(real_db_path) -> Heartbreak:
    return Heartbreak(db=real_db_path)


@pytest.fixture(scope="module")
def definition(session) -> dict:
    stored = session.store.match(BELGIUM_JAPAN)
    row = session.store.match_row(BELGIUM_JAPAN)
    return definition_of(stored, row["elo_home"], row["elo_away"])


@pytest.fixture
def now() -> Now:
    return Now()


@pytest.fixture
def live(session, tmp_path, now):
    service = LiveService(session, tmp_path / "live.duckdb", now=now)
    yield service
    service.close()


def goal(event_id: str, minute: int, team: str, **more) -> dict:
    return {"event_id": event_id, "type": "goal", "minute": minute, "team": team, **more}


def end(period: str, **more) -> dict:
    return {"event_id": f"end-{period}", "type": "period_end", "period": period, **more}


def start(period: str) -> dict:
    return {"event_id": f"start-{period}", "type": "period_start", "period": period}


def clock(minute: int, **more) -> dict:
    return {
        "event_id": f"c{minute}+{more.get('stoppage', 0)}",
        "type": "clock",
        "minute": minute,
        **more,
    }


# --- stories ---------------------------------------------------------------------------------


def test_a_live_state_tells_the_story_as_each_side_lived_it(session, live, definition):
    live_id = live.create(definition)
    messages = [end("first_half"), goal("g1", 48, "Japan"), goal("g2", 52, "Japan")]
    state = live.ingest(live_id, messages)
    stories = state["stories"]
    assert set(stories) == {"Belgium", "Japan"}
    assert state["story"] == stories[state["story_side"]]
    # each told as that side's replay so far would tell it
    match = LiveMatch.from_dict(definition)
    events = effective_events([parse_message(match, m) for m in messages])
    for team in ("Belgium", "Japan"):
        replay = session.replay_match(
            live_to_match(match, events),
            match.elo_home,
            match.elo_away,
            side=team,
            in_progress=True,
        )
        assert stories[team] == replay.story.text
        assert f"with {team}'s chance" in stories[team]
    # after the final whistle, the stories of the match as it finished
    feed = feed_of(session.store.match(BELGIUM_JAPAN))
    final = live.ingest(live_id, feed)
    assert final["live"]["finished"] is True
    events = effective_events([parse_message(match, m) for m in messages + feed])
    for team in ("Belgium", "Japan"):
        replay = session.replay_match(
            live_to_match(match, events), match.elo_home, match.elo_away, side=team
        )
        assert final["stories"][team] == replay.story.text


def test_stories_ride_in_whole_states_and_never_in_a_clock_ticks_append(live, definition):
    live_id = live.create(definition)
    live.ingest(live_id, [end("first_half"), goal("g1", 48, "Japan")])
    tick = live.ingest_snapshot(live_id, clock(50))
    assert tick.frame.delta is not None, "a clock tick is an append"
    append = json.loads(tick.frame.delta.split(b"data: ", 1)[1])
    assert set(append) == {"base", "timeline", "emotions", "live"}
    whole = json.loads(tick.frame.data.split(b"data: ", 1)[1])
    assert set(whole["stories"]) == {"Belgium", "Japan"}
    # the other side's story costs the whole state little
    other = next(team for team in whole["stories"] if team != whole["story_side"])
    assert len(json.dumps(whole["stories"][other])) < 0.05 * len(tick.body)


# --- the clock -------------------------------------------------------------------------------


def test_the_clock_says_when_it_runs_and_since_when(live, definition, now, session, tmp_path):
    live_id = live.create(definition)
    before = live.state(live_id)["live"]["clock"]
    assert set(before) == CLOCK_FIELDS
    assert (before["running"], before["pause"], before["since_ms"]) == (False, "kick_off", None)

    now.seconds = 1_000
    kick_off = live.ingest(live_id, start("first_half"))["live"]["clock"]
    assert kick_off["running"] is True and kick_off["since_ms"] == 1_000_000
    assert (kick_off["elapsed"], kick_off["end_minute"], kick_off["max_stoppage"]) == (0, 45, 15)

    now.seconds = 2_800
    state = live.ingest(live_id, clock(30))
    at_30 = state["live"]["clock"]
    assert (at_30["label"], at_30["since_ms"]) == ("30'", 2_800_000)
    assert at_30["elapsed"] == state["timeline"][-1]["elapsed"] == 30
    # news at the same minute, or from before it, does not move the clock's start
    now.seconds = 2_830
    assert live.ingest(live_id, goal("g1", 30, "Japan"))["live"]["clock"]["since_ms"] == 2_800_000
    now.seconds = 2_900
    late = live.ingest(live_id, goal("g0", 20, "Belgium"))["live"]["clock"]
    assert (late["label"], late["since_ms"]) == ("30'", 2_800_000)

    # stoppage: announced minutes and five more at most
    now.seconds = 3_000
    added = {"event_id": "added-1", "type": "stoppage", "period": "first_half", "added": 3}
    state = live.ingest(live_id, [added, clock(45, stoppage=1)])
    in_stoppage = state["live"]["clock"]
    assert (in_stoppage["label"], in_stoppage["since_ms"]) == ("45+1'", 3_000_000)
    assert (in_stoppage["added"], in_stoppage["max_stoppage"]) == (3, 8)
    assert in_stoppage["elapsed"] == 46

    # half-time: still, at the end of the period on the chart
    now.seconds = 3_200
    state = live.ingest(live_id, end("first_half", stoppage=2))
    half_time = state["live"]["clock"]
    assert (half_time["running"], half_time["pause"], half_time["since_ms"]) == (
        False,
        "half_time",
        None,
    )
    assert half_time["elapsed"] == state["timeline"][-1]["elapsed"]
    assert state["timeline"][-1]["kind"] == "period_end"

    # the second half runs from its kick-off, on from the end of the first on the chart
    now.seconds = 4_000
    second = live.ingest(live_id, start("second_half"))["live"]["clock"]
    assert (second["running"], second["since_ms"], second["end_minute"]) == (True, 4_000_000, 90)
    assert second["elapsed"] == half_time["elapsed"]
    # a goal moves it on; its retraction takes it back to where it was, and since when
    now.seconds = 4_300
    assert live.ingest(live_id, goal("g2", 50, "Belgium"))["live"]["clock"]["since_ms"] == 4_300_000
    now.seconds = 4_400
    back = live.ingest(live_id, {"event_id": "g2", "type": "retraction"})
    assert back["live"]["clock"] == second

    # arrival times are kept in the log: a restarted server tells the same clock
    fresh = LiveService(session, tmp_path / "live.duckdb", now=Now(9_999))
    assert fresh.state(live_id) == back
    fresh.close()


@pytest.mark.parametrize(
    ("messages", "pauses"),
    [
        # level after 90' in a knockout: extra time, its half-time, then penalties
        (
            [end("first_half"), end("second_half")],
            ["half_time", "extra_time_next"],
        ),
        (
            [end("first_half"), end("second_half"), start("extra_time_first_half")],
            ["half_time", "extra_time_next", None],
        ),
        (
            [
                end("first_half"),
                end("second_half"),
                end("extra_time_first_half"),
                end("extra_time_second_half"),
                {"event_id": "pens", "type": "shootout", "team": "Japan"},
            ],
            ["half_time", "extra_time_next", "extra_time_half_time", "shootout_next", "full_time"],
        ),
        # a side ahead after 90': full time
        (
            [goal("g1", 48, "Japan"), end("second_half")],
            [None, "full_time"],
        ),
    ],
)
def test_the_clock_stands_still_at_every_break(live, definition, messages, pauses):
    live_id = live.create(definition)
    seen = []
    for message in messages:
        state = live.ingest(live_id, message)
        seen.append(state["live"]["clock"]["pause"])
        assert state["live"]["clock"]["running"] is (seen[-1] is None)
    assert seen == pauses


def test_the_list_gives_each_match_the_clock_of_its_state(live, definition, now):
    live_id = live.create(definition)
    now.seconds = 5_000
    state = live.ingest(live_id, [end("first_half"), goal("g1", 48, "Japan")])
    (listed,) = live.list()
    assert listed["clock"] == state["live"]["clock"]
    assert listed["clock"]["since_ms"] == 5_000_000
    assert (listed["score"], listed["finished"]) == ({"home": 0, "away": 1}, False)


def test_a_log_written_before_arrival_times_runs_no_clock_on(session, definition, tmp_path):
    path = tmp_path / "old.live.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE live_matches (live_id VARCHAR PRIMARY KEY, seq BIGINT NOT NULL, "
        "definition VARCHAR NOT NULL)"
    )
    con.execute(
        "CREATE TABLE live_messages (live_id VARCHAR NOT NULL, message_id VARCHAR NOT NULL, "
        "seq BIGINT NOT NULL, body VARCHAR NOT NULL, PRIMARY KEY (live_id, message_id))"
    )
    con.execute("INSERT INTO live_matches VALUES ('old', 1, ?)", [json.dumps(definition)])
    con.close()
    log = LiveLog(path)
    match = LiveMatch.from_dict(definition)
    message = parse_message(match, {"event_id": "c", "type": "clock", "minute": 12})
    log.append("old", "k", message)  # (no time given)
    assert log.received("old") == {"k": None}
    log.close()
    live = LiveService(session, path)
    ticking = live.state("old")["live"]["clock"]
    assert (ticking["label"], ticking["running"], ticking["since_ms"]) == ("12'", True, None)
    live.close()


# --- over HTTP, and the pages ------------------------------------------------------------------


@pytest.fixture
def client(session, tmp_path, bearer):
    app = create_app(session=session, live_log=tmp_path / "live.duckdb")
    app.state.live.now = Now(1_781_200_800)
    with TestClient(app, headers=bearer(app)) as client:
        yield client


def test_the_api_answers_the_stories_and_the_clock(client, definition):
    created = client.post("/api/live", json=definition)
    assert created.status_code == 201
    live_id = created.json()["live"]["id"]
    state = client.post(f"/api/live/{live_id}/events", json=start("first_half")).json()
    assert set(state["stories"]) == {"Belgium", "Japan"}
    assert set(state["live"]["clock"]) == CLOCK_FIELDS
    assert state["live"]["clock"]["since_ms"] == 1_781_200_800_000
    assert client.get(f"/api/live/{live_id}").json() == state
    assert client.get("/api/live").json()[0]["clock"] == state["live"]["clock"]


def test_the_live_pages_speak_to_fans(client, definition):
    index = client.get("/live", headers=HTML).text
    main = index.split("<main", 1)[1].split("</main>", 1)[0]
    assert "No match is live right now." in main
    assert main.count('href="/matches/') == 5  # the most heartbreaking, to relive
    assert "POST" not in main and "/api/live" not in main
    assert 'href="/docs' in main and 'data-server-now="1781200800000"' in main

    live_id = client.post("/api/live", json=definition).json()["live"]["id"]
    index = client.get("/live", headers=HTML).text
    assert f'href="/live/{live_id}"' in index and "/static/live_index.js" in index
    page = client.get(f"/live/{live_id}", headers=HTML).text
    assert 'id="live-announcer"' in page and 'aria-live="polite"' in page
    assert 'data-server-now="1781200800000"' in page and "/static/live_clock.js" in page
    assert client.get("/static/live_clock.js").status_code == 200
    assert client.get("/static/live_index.js").status_code == 200
