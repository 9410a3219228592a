"""Delta frames: a state that only extends the one before goes out as an ``append`` (what is
new, onto the id it builds on); any other change, and any subscriber that did not get the state
the append builds on, gets the whole ``state``. A fake session stands in for the replays (a
point a minute, the score moving with the goals), so the frame decision is tested on the
service's own snapshots, clock ticks and changes of the events."""

from __future__ import annotations

import asyncio
import copy
import json

import pytest

from heartbreak.domain import EventType, Period, Side
from heartbreak.live.service import (
    Frame,
    LiveService,
    Mailbox,
    apply_append,
    cut_at_clock,
    extension,
    sse_frame,
)
from heartbreak.live.state import Clock

DEFINITION = {
    "home": "Belgium",
    "away": "Japan",
    "date": "2018-07-02",
    "neutral": True,
    "knockout": True,
    "elo_home": 1930.0,
    "elo_away": 1760.0,
}


class FakeReplay:
    """A replay's JSON in the shape of the real one, as far as live mode looks at it."""

    def __init__(self, match) -> None:
        self.match = match

    def to_dict(self) -> dict:
        info = self.match.info
        goals = sorted((e.minute, e.side) for e in self.match.events if e.type is EventType.GOAL)
        home = away = 0
        timeline = []
        for minute in range(0, 91):
            period = "first_half" if minute <= 45 else "second_half"
            kind = "kick_off" if minute == 0 else "minute"
            timeline.append(self._point(minute, period, kind, home, away))
            for at, side in goals:
                if at == minute:
                    home, away = home + (side is Side.HOME), away + (side is Side.AWAY)
                    timeline.append(self._point(minute, period, "after_event", home, away))
            if minute == 45:
                timeline.append(self._point(45, "first_half", "period_end", home, away))
        timeline.append(self._point(90, "second_half", "final_whistle", home, away))
        emotions = {
            team: [
                {"emotion": "hope" if i % 2 else "anxiety", "at": i} for i in range(len(timeline))
            ]
            for team in (info.home, info.away)
        }
        return {
            "match": {"home": info.home, "away": info.away, "score": {"home": home, "away": away}},
            "prematch": {"p_home_win": 0.5},
            "timeline": timeline,
            "emotions": emotions,
            "metrics": {"goals": home + away},
            "story": f"{home}-{away}",
        }

    def stories(self) -> dict:
        info = self.match.info
        story = self.to_dict()["story"]
        return {team: f"as {team} fans: {story}" for team in (info.home, info.away)}

    @staticmethod
    def _point(minute, period, kind, home, away) -> dict:
        return {
            "minute": minute,
            "stoppage": 0,
            "period": period,
            "kind": kind,
            "label": f"{minute}'",
            "elapsed": float(minute),
            "score": {"home": home, "away": away},
            "p_home_win": 0.5 + 0.01 * (home - away),
        }


class FakeSession:
    def __init__(self) -> None:
        self.replays = 0

    def replay_match(self, match, elo_home, elo_away, *, in_progress=False) -> FakeReplay:
        self.replays += 1
        self.in_progress = in_progress
        return FakeReplay(match)


@pytest.fixture
def live(tmp_path):
    service = LiveService(FakeSession(), tmp_path / "live.duckdb")
    yield service
    service.close()


def clock(event_id: str, minute: int, **fields) -> dict:
    return {"event_id": event_id, "type": "clock", "minute": minute, **fields}


def goal(event_id: str, minute: int, team: str) -> dict:
    return {"event_id": event_id, "type": "goal", "minute": minute, "team": team}


def frame_parts(data: bytes) -> tuple[int, str, dict]:
    head, _, body = data.partition(b"\ndata: ")
    assert body.endswith(b"\n\n") and b"\n" not in body[:-2]
    lines = dict(line.split(": ", 1) for line in head.decode().split("\n"))
    return int(lines["id"]), lines["event"], json.loads(body)


def json_copy(state: dict) -> dict:
    return json.loads(json.dumps(state))


# --- the decision on states ---------------------------------------------------------------


def replay_dict() -> dict:
    from heartbreak.live.state import LiveMatch, live_to_match

    match = LiveMatch.from_dict(DEFINITION)
    return FakeReplay(live_to_match(match, ())).to_dict()


def test_a_replay_cut_further_on_is_an_append_of_the_new_points():
    replay = replay_dict()
    at_10 = cut_at_clock(dict(replay), Clock(Period.FIRST_HALF, 10))
    at_12 = cut_at_clock(dict(replay), Clock(Period.FIRST_HALF, 12))
    at_10["live"], at_12["live"] = {"events_received": 1}, {"events_received": 2}
    grown = extension(at_10, at_12)
    assert grown is not None
    assert [p["minute"] for p in grown["timeline"]] == [11, 12]
    assert {team: len(points) for team, points in grown["emotions"].items()} == {
        "Belgium": 2,
        "Japan": 2,
    }
    assert grown["live"] is at_12["live"]
    assert apply_append(at_10, grown) == at_12
    # equal copies pass as well as shared objects
    assert extension(copy.deepcopy(at_10), copy.deepcopy(at_12)) == json_copy(grown)
    # nothing new but the live block: an append with no points
    same = {**at_12, "live": {"events_received": 3}}
    assert extension(at_12, same) == {
        "timeline": [],
        "emotions": {"Belgium": [], "Japan": []},
        "live": {"events_received": 3},
    }


@pytest.mark.parametrize(
    "change",
    [
        "score",
        "story",
        "new key",
        "key gone",
        "shorter timeline",
        "changed point",
        "changed emotion",
        "emotions of another team",
        "no live",
    ],
)
def test_anything_but_an_extension_is_not_an_append(change):
    replay = replay_dict()
    old = cut_at_clock(dict(replay), Clock(Period.FIRST_HALF, 10))
    new = cut_at_clock(dict(replay), Clock(Period.FIRST_HALF, 12))
    old["live"], new["live"] = {"events_received": 1}, {"events_received": 2}
    new = copy.deepcopy(new)
    if change == "score":
        new["match"]["score"]["home"] = 1
    elif change == "story":
        new["story"] = "another"
    elif change == "new key":
        new["context"] = []
    elif change == "key gone":
        del new["metrics"]
    elif change == "shorter timeline":
        old, new = new, {**old, "live": {"events_received": 3}}
    elif change == "changed point":
        new["timeline"][3]["p_home_win"] = 0.9
    elif change == "changed emotion":
        new["emotions"]["Japan"][0]["emotion"] = "joy"
    elif change == "emotions of another team":
        new["emotions"]["Brazil"] = new["emotions"].pop("Japan")
    elif change == "no live":
        del new["live"]
        del old["live"]
    assert extension(old, new) is None
    assert sse_frame(2, b"{}", 1, extension(old, new)).delta is None


def test_a_frame_carries_both_encodings_and_a_subscriber_behind_gets_the_whole_state():
    replay = replay_dict()
    old = cut_at_clock(dict(replay), Clock(Period.FIRST_HALF, 10))
    new = cut_at_clock(dict(replay), Clock(Period.FIRST_HALF, 11))
    old["live"], new["live"] = {"events_received": 6}, {"events_received": 7}
    body = json.dumps(new, separators=(",", ":")).encode()
    frame = sse_frame(7, body, 6, extension(old, new))
    seq, kind, data = frame_parts(frame.data)
    assert (seq, kind, data) == (7, "state", json_copy(new))
    seq, kind, data = frame_parts(frame.delta)
    assert (seq, kind, data["base"]) == (7, "append", 6)
    assert apply_append(json_copy(old), data) == json_copy(new)
    assert len(frame.delta) < len(frame.data) / 5
    assert frame.bytes_after(6) is frame.delta  # it holds the base: what is new
    assert frame.bytes_after(5) is frame.data  # it missed the frame before: everything
    assert frame.bytes_after(-1) is frame.data
    assert Frame(7, frame.data).bytes_after(6) is frame.data  # no append: everything


# --- the decision on the service's snapshots ---------------------------------------------------


def test_clock_ticks_are_appends_and_changes_of_the_events_whole_states(live):
    live_id = live.create(DEFINITION)
    first = live.snapshot(live_id)
    assert first.frame.delta is None  # nothing before it
    held = json_copy(first.state)
    held_id = first.frame.seq
    kinds = []
    feed = [
        clock("t1", 10),
        clock("t2", 20),
        clock("t0", 15),  # behind the clock: only the live block changes
        goal("g1", 22, "Japan"),
        clock("t3", 30),
        {"event_id": "g1", "type": "correction", "minute": 25},
        clock("t4", 40),
        {"event_id": "g1", "type": "retraction"},
        clock("t5", 45, stoppage=2),
        {"event_id": "ht", "type": "period_start", "period": "second_half"},
        {"event_id": "t5", "type": "retraction"},  # the clock is still in the second half
        {"event_id": "ht", "type": "retraction"},  # the clock goes back to 40': not an append
        clock("t6", 60),
        {"event_id": "x", "type": "correction", "minute": 3},  # its event has not come
    ]
    for message in feed:
        snapshot = live.ingest_snapshot(live_id, message)
        frame = snapshot.frame
        if frame.delta is not None:
            assert frame.base == held_id
            _, kind, data = frame_parts(frame.delta)
            held = apply_append(held, data)
        else:
            _, kind, held = frame_parts(frame.data)
        held_id = frame.seq
        kinds.append(kind)
        assert held == json_copy(snapshot.state) == json_copy(live.state(live_id))
    assert kinds == [
        "append",
        "append",
        "append",
        "state",  # a goal: the score changes
        "append",
        "state",  # the goal moves
        "append",
        "state",  # the goal is taken back
        "append",
        "append",  # a period starts: half-time comes into view
        "append",
        "state",  # the clock goes back
        "append",
        "append",  # a correction waiting for its event changes nothing but the count
    ]


def test_a_repeated_message_makes_no_frame_and_the_next_one_builds_on_the_last(live):
    live_id = live.create(DEFINITION)
    live.ingest(live_id, clock("t1", 10))
    again = live.ingest_snapshot(live_id, clock("t1", 10))
    assert again.frame.seq == 1
    after = live.ingest_snapshot(live_id, clock("t2", 11)).frame
    assert (after.seq, after.base) == (2, 1) and after.delta is not None


def test_a_restarted_service_sends_its_first_change_whole(live, tmp_path):
    live_id = live.create(DEFINITION)
    live.ingest(live_id, clock("t1", 10))
    live.close()
    again = LiveService(FakeSession(), tmp_path / "live.duckdb")
    try:
        frame = again.ingest_snapshot(live_id, clock("t2", 11)).frame
        assert frame.delta is None and frame_parts(frame.data)[1] == "state"
    finally:
        again.close()


# --- subscribers that fall behind -------------------------------------------------------------


def follow(frames: list[Frame], size: int, read_every: int) -> dict:
    """A subscriber with a mailbox of ``size``, reading one frame after every ``read_every``
    published (then the rest), sent what the stream sends: ``bytes_after`` its last frame."""
    box = Mailbox(size)
    last, held, counts = frames[0].seq, None, {"state": 0, "append": 0, "wrong base": 0}
    _, _, held = frame_parts(frames[0].data)
    sent: list[bytes] = []

    def read() -> None:
        nonlocal last, held
        frame = box.get_nowait()
        data = frame.bytes_after(last)
        seq, kind, body = frame_parts(data)
        counts[kind] += 1
        if kind == "append":
            if body["base"] != held["live"]["events_received"]:
                counts["wrong base"] += 1
            held = apply_append(held, body)
        else:
            held = body
        last = seq
        sent.append(data)

    for i, frame in enumerate(frames[1:], start=1):
        box.offer(frame)
        if i % read_every == 0:
            read()
    while not box.empty():
        read()
    counts["held"] = held
    counts["sent"] = len(sent)
    return counts


def test_a_subscriber_whose_mailbox_dropped_frames_gets_whole_states_and_ends_right(live):
    live_id = live.create(DEFINITION)
    frames = [live.snapshot(live_id).frame]
    messages = [clock(f"t{m}", m) for m in range(1, 60)]
    messages.insert(20, goal("g1", 21, "Belgium"))
    messages.insert(41, {"event_id": "g1", "type": "retraction"})
    for message in messages:
        frames.append(live.ingest_snapshot(live_id, message).frame)
    final = json_copy(live.state(live_id))

    keeping_up = follow(frames, size=4, read_every=1)
    assert keeping_up["held"] == final
    assert keeping_up["wrong base"] == 0
    assert (keeping_up["state"], keeping_up["append"]) == (2, len(messages) - 2)

    behind = follow(frames, size=4, read_every=3)  # reads a third of what comes: drops
    assert behind["held"] == final
    assert behind["wrong base"] == 0
    assert behind["sent"] < len(messages)  # frames were dropped
    assert behind["state"] > 2  # after every drop, the whole state
    # once it keeps up again (the mailbox drained at the end), appends resume
    assert behind["append"] >= 3


def test_the_mailbox_drops_the_oldest():
    async def run():
        box = Mailbox(2)
        for seq in range(1, 5):
            box.offer(Frame(seq, b""))
        return [(await box.get()).seq for _ in range(box.qsize())]

    assert asyncio.run(run()) == [3, 4]
