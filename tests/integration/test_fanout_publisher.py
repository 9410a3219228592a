"""The nchan publisher of the deployment mode against a real HTTP server that answers slowly, as
nchan does with many subscribers: frames go out in order, one POST each; when they come faster
than the server takes them, the past ones of a match are skipped and the newest goes out whole;
an append goes out only onto the frame posted last."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from heartbreak.live.fanout import NchanFanout
from heartbreak.live.service import encode_state, sse_frame


class SlowChannel(BaseHTTPRequestHandler):
    delay = 0.0
    posts: ClassVar[list[tuple[str, str, dict]]] = []
    deleted: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        time.sleep(self.delay)
        self.posts.append((self.path, self.headers["X-EventSource-Event"], json.loads(body)))
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_DELETE(self) -> None:
        self.deleted.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def channel():
    SlowChannel.posts, SlowChannel.deleted, SlowChannel.delay = [], [], 0.0
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowChannel)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/pub"
    server.shutdown()


def frame(seq: int, base: int | None):
    state = {"live": {"version": seq}, "timeline": list(range(seq + 1))}
    append = None if base is None else {"timeline": [seq], "live": {"version": seq}}
    return sse_frame(seq, encode_state(state), base, append)


def test_frames_go_out_in_order_appends_onto_the_one_before(channel):
    fanout = NchanFanout(channel)
    fanout.publish("m1", frame(0, None))
    assert fanout.flush()
    for seq in range(1, 4):
        fanout.publish("m1", frame(seq, seq - 1))
        assert fanout.flush()
    fanout.end("m1")
    assert fanout.flush()
    fanout.close()
    kinds = [(path, kind, body["live"]["version"]) for path, kind, body in SlowChannel.posts]
    assert kinds == [("/pub/m1", "state", 0)] + [("/pub/m1", "append", s) for s in (1, 2, 3)]
    assert SlowChannel.posts[1][2]["base"] == 0
    assert SlowChannel.deleted == ["/pub/m1"]


def test_a_slow_channel_gets_the_newest_state_not_a_queue(channel, caplog):
    SlowChannel.delay = 0.3
    fanout = NchanFanout(channel)
    fanout.publish("m1", frame(0, None))
    time.sleep(0.05)  # frame 0 is being posted: the next ones queue up behind it
    for seq in range(1, 8):
        fanout.publish("m1", frame(seq, seq - 1))
        fanout.publish("m2", frame(seq, None))
    assert fanout.flush(timeout=10)
    fanout.close()
    posts = [(path, kind, body["live"]["version"]) for path, kind, body in SlowChannel.posts]
    # m1: frame 0, then the newest whole (frames 1-6 were past by the time the thread got
    # to them, and 7's append is onto 6, which was never posted); m2: its newest alone
    assert posts == [("/pub/m1", "state", 0), ("/pub/m1", "state", 7), ("/pub/m2", "state", 7)]
    # the operator hears of it once per match, not once per frame skipped
    skips = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
    assert skips == [
        "live m1: frame 1 skipped, nchan is slower than the feed (1 skipped so far)",
        "live m2: frame 1 skipped, nchan is slower than the feed (1 skipped so far)",
    ]
