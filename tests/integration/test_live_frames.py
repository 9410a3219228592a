"""Delta frames over a real server (uvicorn on loopback, the real store): a subscriber that
applies the frames it is sent (a whole ``state``, or an ``append`` onto the state of its
``base``) holds, after every message and at the end, exactly the state that the POST answers
and that ``GET /api/live/{id}`` returns; a clock tick goes out as an append, a change of the
events as a whole state; a subscriber so slow that its queue drops frames never gets an append
onto a state it does not hold, and still ends with the exact state."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import socket

import httpx

from heartbreak.api.limits import RateLimiter


class Follower:
    """A client of the stream: applies each frame as a browser would, checking that an append
    builds on the state it holds; counts the frames of each kind."""

    def __init__(self) -> None:
        self.state: dict | None = None
        self.id: int | None = None
        self.ids: list[int] = []
        self.kinds: list[str] = []
        self.wrong_base = 0

    def apply(self, frame: dict) -> None:
        seq, kind, data = int(frame["id"]), frame["event"], json.loads(frame["data"])
        if kind == "state":
            self.state = data
        else:
            assert kind == "append", kind
            assert set(data) == {"base", "timeline", "emotions", "live"}
            if data["base"] != self.id:
                self.wrong_base += 1
            self.state = {
                **self.state,
                "timeline": self.state["timeline"] + data["timeline"],
                "emotions": {
                    team: points + data["emotions"][team]
                    for team, points in self.state["emotions"].items()
                },
                "live": data["live"],
            }
        self.id = seq
        self.ids.append(seq)
        self.kinds.append(kind)
        assert self.state["live"]["events_received"] == seq

    def follow_until(self, frames, seq: int) -> None:
        """Apply frames until the one of id ``seq``."""
        while self.id is None or self.id < seq:
            frame = next(frames)
            if "event" in frame:
                self.apply(frame)


def test_a_subscriber_applying_the_frames_holds_the_state_of_the_api(
    base_url, live_definition, sse_frames, live_headers
):
    with httpx.Client(base_url=base_url, timeout=30.0, headers=live_headers) as client:
        live_id = client.post("/api/live", json=live_definition).json()["live"]["id"]
        feed = [
            ("append", {"event_id": "ko", "type": "period_start", "period": "first_half"}),
            ("append", {"event_id": "c1", "type": "clock", "minute": 10}),
            ("append", {"event_id": "c2", "type": "clock", "minute": 20}),
            ("append", {"event_id": "c3", "type": "clock", "minute": 30}),
            ("append", {"event_id": "c0", "type": "clock", "minute": 25}),  # behind: no points
            ("state", {"event_id": "g1", "type": "goal", "minute": 33, "team": "Belgium"}),
            ("append", {"event_id": "c4", "type": "clock", "minute": 40}),
            (
                "append",
                {"event_id": "a1", "type": "stoppage", "period": "first_half", "added": 2},
            ),
            ("append", {"event_id": "c5", "type": "clock", "minute": 45, "stoppage": 1}),
            # the end of the half adds its point; the start of the next shows the stoppage
            # minutes of the replay before that point: what kind of frame is up to the replay
            (None, {"event_id": "ht", "type": "period_end", "period": "first_half"}),
            (None, {"event_id": "2h", "type": "period_start", "period": "second_half"}),
            ("append", {"event_id": "c6", "type": "clock", "minute": 47}),
            ("state", {"event_id": "g2", "type": "goal", "minute": 48, "team": "Japan"}),
            ("append", {"event_id": "c7", "type": "clock", "minute": 52}),
            ("state", {"event_id": "g1", "type": "retraction"}),  # VAR: no goal
            ("state", {"event_id": "g3", "type": "goal", "minute": 50, "team": "Japan"}),
            ("state", {"event_id": "g3", "type": "correction", "minute": 52}),
            ("append", {"event_id": "c8", "type": "clock", "minute": 60}),
            ("state", {"event_id": "c8", "type": "retraction"}),  # the clock goes back
            ("append", {"event_id": "c9", "type": "clock", "minute": 64}),
            ("append", {"event_id": "c10", "type": "clock", "minute": 65}),
        ]
        follower = Follower()
        with client.stream("GET", f"/api/live/{live_id}/stream") as stream:
            frames = sse_frames(stream.iter_lines())
            follower.follow_until(frames, 0)
            assert follower.kinds == ["state"]  # a stream starts with the whole state
            for i, (kind, message) in enumerate(feed, start=1):
                posted = client.post(f"/api/live/{live_id}/events", json=message)
                assert posted.status_code == 200, posted.text
                follower.follow_until(frames, i)
                assert follower.id == i
                assert follower.state == posted.json(), message
                if kind is not None:
                    assert follower.kinds[-1] == kind, message
            # a repeat makes no frame: the next one is the next message's
            again = client.post(f"/api/live/{live_id}/events", json=feed[-1][1])
            assert again.json()["live"]["events_received"] == len(feed)
            last = {"event_id": "c11", "type": "clock", "minute": 66}
            assert client.post(f"/api/live/{live_id}/events", json=last).status_code == 200
            follower.follow_until(frames, len(feed) + 1)
        assert follower.ids == list(range(len(feed) + 2))
        assert follower.wrong_base == 0
        assert follower.state == client.get(f"/api/live/{live_id}").json()
        assert follower.state["live"]["clock"]["label"] == "66'"
        assert follower.kinds.count("append") >= 14

        # a client reconnecting with Last-Event-ID starts with the whole state again
        headers = {"Last-Event-ID": str(len(feed))}
        with client.stream("GET", f"/api/live/{live_id}/stream", headers=headers) as stream:
            frames = sse_frames(stream.iter_lines())
            again = Follower()
            again.follow_until(frames, len(feed) + 1)
            assert again.kinds == ["state"] and again.state == follower.state
        client.delete(f"/api/live/{live_id}")


def test_a_slow_subscriber_gets_whole_states_after_a_drop_and_ends_with_the_state(
    base_url, served_app, monkeypatch, live_definition, sse_frames, live_headers
):
    # A small queue, and a client that reads nothing while the feed goes on, with a small
    # receive buffer: once the socket's buffers are full, the server's queue for it drops the
    # oldest frames.
    monkeypatch.setattr("heartbreak.live.service.QUEUE_SIZE", 4)
    # The feed floods, and the client reads nothing for as long as that takes: lift the rate
    # limit and the time a stream may stall (tests/integration/test_live_limits.py tests them).
    limits = dataclasses.replace(served_app.state.limits, live_stream_stall=600.0)
    monkeypatch.setattr(served_app.state, "limits", limits)
    monkeypatch.setattr(served_app.state, "live_rate", RateLimiter(10**6, 10**6))
    port = int(base_url.rsplit(":", 1)[1])
    with contextlib.ExitStack() as stack:
        client = stack.enter_context(
            httpx.Client(base_url=base_url, timeout=30.0, headers=live_headers)
        )
        live_id = client.post("/api/live", json=live_definition).json()["live"]["id"]
        slow = stack.enter_context(socket.socket())
        slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        slow.settimeout(60)
        slow.connect(("127.0.0.1", port))
        slow.sendall(
            f"GET /api/live/{live_id}/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Accept: text/event-stream\r\n\r\n".encode()
        )
        reader = stack.enter_context(slow.makefile("rb"))
        head = b""
        while not head.endswith(b"\r\n\r\n"):
            head += reader.readline()
        assert head.startswith(b"HTTP/1.1 200") and b"chunked" in head.lower()
        slow_frames = sse_frames(_chunked_lines(reader))
        follower = Follower()
        follower.follow_until(slow_frames, 0)

        # goals (each a new replay, a whole state of some 40 KB), their retractions and clock
        # ticks (appends), until far more has been sent than the socket's buffers hold
        sent = 0
        posted_bytes = 0
        minute = 1
        while posted_bytes < 16 * 2**20:
            for message in (
                {"event_id": f"g{sent}", "type": "goal", "minute": 30, "team": "Japan"},
                {"event_id": f"c{sent}", "type": "clock", "minute": min(minute, 44)},
                {"event_id": f"g{sent}", "type": "retraction"},
                {"event_id": f"d{sent}", "type": "clock", "minute": min(minute + 1, 44)},
            ):
                posted = client.post(f"/api/live/{live_id}/events", json=message)
                assert posted.status_code == 200, posted.text
                posted_bytes += len(posted.content)
            sent += 1
            minute += 1
        # then clock ticks only, more than the queue holds: the oldest frame the queue keeps
        # is an append whose base was dropped
        ticks = 6
        for i in range(ticks):
            tick = {"event_id": f"t{i}", "type": "clock", "minute": 45, "stoppage": i}
            assert client.post(f"/api/live/{live_id}/events", json=tick).status_code == 200
        final = client.get(f"/api/live/{live_id}").json()
        total = final["live"]["events_received"]
        assert total == 4 * sent + ticks

        follower.follow_until(slow_frames, total)
        client.delete(f"/api/live/{live_id}")  # its streams end

    assert follower.state == final
    assert follower.wrong_base == 0
    gaps = [i for i in range(1, len(follower.ids)) if follower.ids[i] > follower.ids[i - 1] + 1]
    assert gaps, "no frame was dropped: the test did not fall behind"
    for i in gaps:  # the frame after a gap is the whole state
        assert follower.kinds[i] == "state"
    # (and it was a clock tick, which a subscriber holding the state before gets as an append)
    assert follower.ids[gaps[-1]] > 4 * sent
    assert follower.kinds[-1] == "append"  # once it has caught up, appends again


def _chunked_lines(reader):
    """The lines of a chunked HTTP body read from a file."""
    pending = b""
    while True:
        size = int(reader.readline().strip(), 16)
        if size == 0:
            return
        pending += reader.read(size)
        reader.read(2)
        *lines, pending = pending.split(b"\n")
        for line in lines:
            yield line.decode()
