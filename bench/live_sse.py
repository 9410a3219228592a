"""Live mode under load: event-to-delivery latency of Server-Sent Events to many subscribers.

Run: HEARTBREAK_DATA_DIR=../shared/data python bench/live_sse.py
         [--subscribers 1000] [--rate 5] [--seconds 60] [--baseline-subscribers 1] [--db PATH]

``--fanout nchan`` measures the deployment mode instead (nginx+nchan holding the streams, the C
fleet of sse_fleet.py as subscribers), beside this in-process run: see bench/live_fanout.py.

What it does, in one run:

1. starts a real uvicorn server in a subprocess (the app of ``heartbreak serve``, run as it runs
   it: h11 and its limits) on loopback, over the store, with its own live log in a temporary
   folder, a token for the feed (made in that log's token store) and room for every subscriber
   (``HEARTBREAK_LIVE_MAX_STREAMS``: they all come from one address);
2. a baseline first: a live match (Belgium v Japan, 2018-07-02, knockout, neutral ground) with
   ``--baseline-subscribers`` subscribers and the same feed;
3. then the measured run: a new live match with ``--subscribers`` subscribers (each a raw
   asyncio connection reading the chunked ``text/event-stream``), all connected and holding the
   first state before the feed starts, then ``--rate`` messages a second for ``--seconds``;
4. the feed: the match's real goals and period ends (from the store, as ``feed_of`` gives
   them), period starts, a stoppage announcement per half, a red card that is then retracted
   (as after a VAR review; it did not happen), a goal first sent at a wrong minute then
   corrected, a message sent twice, and clock updates in between, the whole match compressed
   into ``--seconds``;
5. every POST's send time is recorded; every subscriber records the time each frame arrives,
   by its SSE ``id`` (the number of distinct messages received, which the POST's answer
   confirms), whether the frame is a whole ``state`` or an ``append`` onto the state before
   it: either is the update. Latency = frame arrival at a subscriber - POST send, for every
   (message, subscriber) pair expected. A message sent twice expects no new frame.

Reported: p50/p95/p99/max latency in ms (all messages, then clock-only messages and messages
that change the events), delivered vs expected frames, lost updates (expected frames that never
arrived: the server's queues drop the oldest state for a subscriber that falls behind, and such
a frame counts as lost), frames out of order, connection errors, the frames of each kind and
their bytes, POST round trips by kind, the server's CPU and memory (from /proc) and the client's
CPU, and the ratios to the baseline. Every subscriber checks that each append builds on the
frame it received last (else the frame counts as malformed). One subscriber in every hundred
also decodes every frame, rebuilds the state from the appends, and, after the run, compares
the state it holds at each id with the POST's answer for that id. The client and the server
run on the same machine and share its cores; the output says how many.

To find out where the time goes: ``--details N`` lists the N slowest messages (frame size, first
and last subscriber, POST round trip); ``--profile FILE`` runs the server under cProfile;
``LIVE_SSE_GC=1`` makes the server print its garbage collector's long pauses (the server
freezes its start-up heap out of their reach, as ``heartbreak serve`` does:
``heartbreak.api.server.settle_heap``). The experiment ``--server-http`` changes the server
from what ``heartbreak serve`` runs, and the output says so.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import math
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from heartbreak.api.limits import Limits
from heartbreak.live.tokens import TokenStore, tokens_path_for

BELGIUM_JAPAN = 41696
DEFINITION = {
    "home": "Belgium",
    "away": "Japan",
    "date": "2018-07-02",
    "neutral": True,
    "knockout": True,
    "competition": "FIFA World Cup",
    "stage": "Round of 16",
}
EVENT_KINDS = ("goal", "red_card", "period_end", "shootout", "correction", "retraction")

SERVER = """
import os
import sys
import uvicorn
from pathlib import Path
from heartbreak.api import create_app
from heartbreak.api.limits import Limits
from heartbreak.api.server import settle_heap, uvicorn_options
from heartbreak.services import Heartbreak

db, log, port, profile, http = sys.argv[1:6]
port = int(port)
if os.environ.get("LIVE_SSE_GC"):  # report the garbage collector's pauses
    import gc, time
    started = {}
    def watch(phase, info):
        if phase == "start":
            started["t"] = time.perf_counter()
        elif info["generation"] == 2 or time.perf_counter() - started["t"] > 0.01:
            ms = (time.perf_counter() - started["t"]) * 1000
            print(f"gc gen{info['generation']} {ms:.1f} ms, {info['collected']} collected",
                  file=sys.stderr)
    gc.callbacks.append(watch)
session = Heartbreak(db=Path(db) if db else None)
limits = Limits.from_env()
app = create_app(session=session, live_log=Path(log), limits=limits)
settle_heap(session)  # as heartbreak serve does
config = dict(host="127.0.0.1", port=port, log_level="warning", backlog=4096,
              timeout_graceful_shutdown=5, **uvicorn_options(limits))
if http != "serve":  # an experiment: another HTTP implementation than heartbreak serve's
    config["http"] = http
if profile:
    import cProfile
    cProfile.run("uvicorn.run(app, **config)", profile)
else:
    uvicorn.run(app, **config)
"""


# --- the feed ------------------------------------------------------------------------------


FIRST_ADDED, SECOND_ADDED = 2, 4


def _positions() -> list[tuple[int, int]]:
    """Every clock position of the match, 2 minutes added to the first half and 4 to the
    second: (minute, stoppage)."""
    first = [(m, 0) for m in range(1, 46)] + [(45, s) for s in range(1, FIRST_ADDED + 1)]
    second = [(m, 0) for m in range(46, 91)] + [(90, s) for s in range(1, SECOND_ADDED + 1)]
    return first + second


def _slot(minute: int, stoppage: int = 0) -> float:
    """Where a match time falls among :func:`_positions` (a half's stoppage never past the
    minutes added)."""
    if minute <= 45:
        return minute - 1 + min(stoppage, FIRST_ADDED)
    return 45 + FIRST_ADDED + (minute - 46) + min(stoppage, SECOND_ADDED)


def build_feed(real: list[dict[str, Any]], total: int) -> list[dict[str, Any]]:
    """``total`` messages (at least the others than clock updates): the real goals and period
    ends, with the faults of a live feed, and clock updates filling the rest, in match order."""
    end_of = {"first_half": _slot(45, FIRST_ADDED) + 0.6, "second_half": _slot(90, 9) + 0.9}
    special: list[tuple[float, dict[str, Any]]] = [
        (-1.0, {"event_id": "ko", "type": "period_start", "period": "first_half"}),
        (_slot(46) - 0.2, {"event_id": "2h", "type": "period_start", "period": "second_half"}),
        (
            _slot(45) + 0.2,
            {"event_id": "add-1", "type": "stoppage", "period": "first_half", "added": FIRST_ADDED},
        ),
        (
            _slot(90) + 0.2,
            {
                "event_id": "add-2",
                "type": "stoppage",
                "period": "second_half",
                "added": SECOND_ADDED,
            },
        ),
        # a red card, retracted after review (it did not happen)
        (_slot(64) + 0.5, {"event_id": "rc-1", "type": "red_card", "minute": 64, "team": "Japan"}),
        (_slot(66) + 0.5, {"event_id": "rc-1", "type": "retraction"}),
    ]
    for message in real:
        if message["type"] == "period_end":
            if message["period"] in end_of:
                special.append((end_of[message["period"]], dict(message)))
        elif message["type"] in ("goal", "red_card"):
            special.append((_slot(message["minute"], message.get("stoppage", 0)) + 0.5, message))
    goals = [m for _, m in special if m["type"] == "goal"]
    # the third goal is first sent a minute early, corrected two updates later
    wrong = goals[2]
    special = [(t, {**m, "minute": m["minute"] - 1} if m is wrong else m) for t, m in special]
    fix = {"event_id": wrong["event_id"], "type": "correction", "minute": wrong["minute"]}
    special.append((_slot(wrong["minute"]) + 1.7, fix))
    # the second goal's message arrives twice
    special.append((_slot(goals[1]["minute"]) + 2.6, dict(goals[1])))

    positions = _positions()
    ticks = max(total - len(special), 0)
    clock = []
    for i in range(ticks):
        where = min(i * len(positions) // ticks, len(positions) - 1)
        minute, stoppage = positions[where]
        message: dict[str, Any] = {"event_id": f"clock-{i}", "type": "clock", "minute": minute}
        if stoppage:
            message["stoppage"] = stoppage
        clock.append((where + 0.1, message))
    ordered = sorted(special + clock, key=lambda item: item[0])
    return [message for _, message in ordered]


def stored_feed(db: str | None) -> list[dict[str, Any]]:
    from heartbreak.live.state import feed_of
    from heartbreak.services import Heartbreak

    session = Heartbreak(db=Path(db) if db else None)
    feed = feed_of(session.store.match(BELGIUM_JAPAN))
    session.store.close()
    return feed


# --- the subscribers -----------------------------------------------------------------------


_READ_BUFFER = bytearray(256 * 1024)  # every subscriber reads into it, one at a time


STATE_HEAD, APPEND_HEAD = b"event: state\ndata: ", b"event: append\ndata: "
BASE = b'{"base":'


def apply_append(state: dict[str, Any], append: dict[str, Any]) -> dict[str, Any]:
    """The state an append frame makes of the state it builds on (a new dict)."""
    out = dict(state)
    out["timeline"] = state["timeline"] + append["timeline"]
    out["emotions"] = {
        team: points + append["emotions"][team] for team, points in state["emotions"].items()
    }
    out["live"] = append["live"]
    return out


class Subscriber(asyncio.BufferedProtocol):
    """One SSE client: an HTTP/1.1 GET, the chunked body decoded as it arrives, each frame's
    arrival time recorded by its id. Frame bytes are scanned, not copied (but for the first
    few of each frame, to read its id and an append's base; and all of them when ``check``,
    to decode the JSON and rebuild the state)."""

    HEAD = 64  # bytes kept from the start of each frame: 'id: N\nevent: append\ndata: {"base":M,'

    def __init__(self, path: str, capacity: int, check: bool, live_id: str) -> None:
        loop = asyncio.get_running_loop()
        self.path = path
        self.check = check
        self.live_id = live_id
        self.arrivals = array("d", [math.nan]) * capacity
        self.sizes = array("l", [0]) * capacity
        self.order: list[int] = []
        self.pending = bytearray()  # the response head, until it is complete
        self.line = bytearray()  # a chunk-size line split between reads
        self.head = bytearray()  # the start of the current frame
        self.full = bytearray()  # the whole current frame, when checking
        self.size = 0  # bytes of the current frame so far
        self.newline = True  # at the start of a line
        self.headers_done = False
        self.status = 0
        self.chunk_left = 0  # payload bytes of the current chunk still to come
        self.crlf_left = 0  # bytes of the CRLF after the current chunk still to come
        self.first = loop.create_future()
        self.closed = loop.create_future()
        self.error: str | None = None
        self.bad_frames = 0
        self.last = -1  # the id of the last frame received
        self.kinds = {"state": [0, 0], "append": [0, 0]}  # frames, bytes
        self.state: dict[str, Any] | None = None  # when checking: the state rebuilt
        self.states: dict[int, dict[str, Any]] = {}  # when checking: the state held at each id
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport
        transport.write(
            f"GET {self.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
            "Cache-Control: no-cache\r\n\r\n".encode()
        )

    def connection_lost(self, exc) -> None:
        if not self.closed.done():
            self.closed.set_result(exc)
        if not self.first.done():
            self.first.set_exception(ConnectionError(f"closed before the first frame: {exc}"))

    def get_buffer(self, sizehint: int) -> memoryview:
        return memoryview(_READ_BUFFER)

    def buffer_updated(self, nbytes: int) -> None:
        now = time.perf_counter()
        data: bytes | bytearray = _READ_BUFFER
        pos, n = 0, nbytes
        if not self.headers_done:
            self.pending += _READ_BUFFER[:nbytes]
            end = self.pending.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.pending[:end]).decode("latin-1")
            data = bytes(self.pending[end + 4 :])
            pos, n = 0, len(data)
            self.pending.clear()
            self.status = int(head.split(" ", 2)[1])
            if self.status != 200 or "chunked" not in head.lower():
                self.error = f"status {self.status}"
                self.transport.close()
                return
            self.headers_done = True
        while pos < n:
            if self.chunk_left:
                take = min(self.chunk_left, n - pos)
                self._payload(data, pos, pos + take, now)
                pos += take
                self.chunk_left -= take
            elif self.crlf_left:
                skip = min(self.crlf_left, n - pos)
                pos += skip
                self.crlf_left -= skip
            else:
                end = data.find(b"\n", pos, n)
                if end < 0:
                    self.line += data[pos:n]
                    return
                self.line += data[pos:end]
                size = int(bytes(self.line).strip(), 16)
                self.line.clear()
                pos = end + 1
                if size == 0:
                    return  # the end of the body
                self.chunk_left, self.crlf_left = size, 2

    def _payload(self, data: bytes | bytearray, pos: int, end: int, now: float) -> None:
        """Event-stream bytes ``data[pos:end]``, line by line (a newline search is a memchr):
        a frame ends at an empty line."""
        while pos < end:
            newline = data.find(b"\n", pos, end)
            if newline == pos and self.newline:  # an empty line
                self._end_frame(now)
                pos += 1
                continue
            stop = end if newline < 0 else newline + 1
            if len(self.head) < self.HEAD:
                self.head += data[pos : min(stop, pos + self.HEAD - len(self.head))]
            if self.check:
                self.full += data[pos:stop]
            self.size += stop - pos
            self.newline = newline >= 0
            pos = stop

    def _end_frame(self, now: float) -> None:
        head, size, full = bytes(self.head), self.size, self.full
        self.head, self.full, self.size, self.newline = bytearray(), bytearray(), 0, True
        if not head.startswith(b"id: "):
            return  # the retry hint or a heartbeat
        newline = head.find(b"\n")
        seq = int(head[4:newline])
        if head.startswith(STATE_HEAD, newline + 1):
            kind, start = "state", newline + 1 + len(STATE_HEAD)
        elif head.startswith(APPEND_HEAD, newline + 1):
            kind, start = "append", newline + 1 + len(APPEND_HEAD)
            comma = head.find(b",", start)
            if not head.startswith(BASE, start) or int(head[start + len(BASE) : comma]) != (
                self.last
            ):
                self.bad_frames += 1  # an append onto another state than the one received
        else:
            self.bad_frames += 1
            return
        self.last = seq
        counts = self.kinds[kind]
        counts[0] += 1
        counts[1] += size
        if self.check:
            data = json.loads(bytes(full[start:]))
            if kind == "state":
                self.state = data
            elif self.state is None or data["base"] != self.state["live"]["events_received"]:
                self.bad_frames += 1
            else:
                self.state = apply_append(self.state, data)
            if self.state is not None:
                live = self.state["live"]
                if live["events_received"] != seq or live["id"] != self.live_id:
                    self.bad_frames += 1
                self.states[seq] = self.state
        if 0 <= seq < len(self.arrivals):
            if math.isnan(self.arrivals[seq]):
                self.arrivals[seq] = now
                self.sizes[seq] = size
            self.order.append(seq)
        if not self.first.done():
            self.first.set_result(seq)


async def connect_all(port: int, live_id: str, count: int, capacity: int) -> tuple[list, int]:
    loop = asyncio.get_running_loop()
    path = f"/api/live/{live_id}/stream"
    gate = asyncio.Semaphore(64)
    subscribers: list[Subscriber] = []
    errors = 0

    async def one(i: int) -> None:
        nonlocal errors
        async with gate:
            try:
                _, sub = await loop.create_connection(
                    lambda: Subscriber(path, capacity, i % 100 == 0, live_id), "127.0.0.1", port
                )
                await asyncio.wait_for(sub.first, 30)
            except (OSError, ConnectionError, TimeoutError) as exc:
                errors += 1
                print(f"  subscriber {i}: {exc!r}", file=sys.stderr)
                return
            subscribers.append(sub)

    await asyncio.gather(*(one(i) for i in range(count)))
    return subscribers, errors


# --- one run -------------------------------------------------------------------------------


@dataclass
class Run:
    subscribers: int
    latencies: list[float] = field(default_factory=list)
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    posts: dict[str, list[float]] = field(default_factory=dict)
    expected: int = 0
    delivered: int = 0
    lost: int = 0
    late_frames: int = 0
    out_of_order: int = 0
    bad_frames: int = 0
    frames: dict[str, list[int]] = field(default_factory=dict)  # kind: frames, bytes
    checked: int = 0  # states rebuilt by the checking subscribers and compared
    wrong: int = 0  # of which differ from the POST's answer
    connection_errors: int = 0
    send_lag_ms: float = 0.0
    other_cpu_s: float = 0.0  # by processes other than the server and this client
    server_cpu_s: tuple[float, float] = (0.0, 0.0)  # user, system
    client_cpu_s: tuple[float, float] = (0.0, 0.0)
    wall_s: float = 0.0
    rss_mib: float = 0.0
    hwm_mib: float = 0.0
    messages: list[tuple[int, str, int, float, float, float]] = field(default_factory=list)


def proc_cpu(pid: int) -> tuple[float, float]:
    """A process's user and system CPU seconds so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def machine_cpu() -> float:
    """CPU seconds spent by every process on the machine so far (all cores)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    busy = sum(int(x) for x in fields[:8]) - int(fields[3]) - int(fields[4])  # less idle, iowait
    return busy / os.sysconf("SC_CLK_TCK")


def proc_mem(pid: int) -> tuple[float, float]:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            key, value = line.split(":")
            values[key] = int(value.split()[0]) / 1024
    return values.get("VmRSS", math.nan), values.get("VmHWM", math.nan)


def client_cpu() -> tuple[float, float]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime, usage.ru_stime


async def run_feed(
    base: str, port: int, pid: int, feed: list[dict], subscribers: int, rate: float, token: str
) -> Run:
    run = Run(subscribers)
    auth = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, timeout=30.0, headers=auth) as client:
        created = await client.post("/api/live", json=DEFINITION)
        created.raise_for_status()
        live_id = created.json()["live"]["id"]
        # which frame each message should produce: a new message, the next id; a repeat, none
        seen: set[str] = set()
        expect: list[int | None] = []
        for message in feed:
            key = json.dumps(message, sort_keys=True)
            expect.append(None if key in seen else len(seen) + 1)
            seen.add(key)
        capacity = len(seen) + 2
        subs, run.connection_errors = await connect_all(port, live_id, subscribers, capacity)
        print(f"  {len(subs)} subscribers hold the first state", file=sys.stderr)
        gc.collect()
        gc.freeze()
        sent_at = array("d", [math.nan]) * capacity
        answers: dict[int, bytes] = {}  # the POST's answer for each id: the state
        kind_of: dict[int, str] = {}
        type_of: dict[int, str] = {}
        post_of: dict[int, float] = {}
        cpu0, client0, wall0 = proc_cpu(pid), client_cpu(), time.perf_counter()
        machine0 = machine_cpu()
        start = time.perf_counter() + 0.2
        lags = []
        for i, message in enumerate(feed):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            now = time.perf_counter()
            lags.append(now - due)
            seq = expect[i]
            if seq is not None:
                sent_at[seq] = now
                kind_of[seq] = "event" if message["type"] in EVENT_KINDS else "clock"
                type_of[seq] = message["type"]
            response = await client.post(f"/api/live/{live_id}/events", json=message)
            took = (time.perf_counter() - now) * 1000
            response.raise_for_status()
            got = response.json()["live"]["events_received"]
            if seq is not None and got != seq:
                raise SystemExit(f"message {i}: the server counts {got} messages, expected {seq}")
            if seq is not None:
                post_of[seq] = took
                answers[seq] = response.content
            label = message["type"] if seq is not None else "repeat"
            run.posts.setdefault(label, []).append(took)
        last = max(s for s in expect if s is not None)
        deadline = time.perf_counter() + 10
        while time.perf_counter() < deadline:
            if all(not math.isnan(s.arrivals[last]) for s in subs):
                break
            await asyncio.sleep(0.05)
        run.wall_s = time.perf_counter() - wall0
        run.server_cpu_s = tuple(b - a for a, b in zip(cpu0, proc_cpu(pid), strict=True))
        run.client_cpu_s = tuple(b - a for a, b in zip(client0, client_cpu(), strict=True))
        run.rss_mib, run.hwm_mib = proc_mem(pid)
        run.other_cpu_s = machine_cpu() - machine0 - sum(run.server_cpu_s) - sum(run.client_cpu_s)
        run.send_lag_ms = max(lags) * 1000
        gc.unfreeze()
        expected_states: dict[int, Any] = {}
        for sub in subs:
            run.bad_frames += sub.bad_frames
            for kind, (frames, size) in sub.kinds.items():
                total = run.frames.setdefault(kind, [0, 0])
                total[0] += frames
                total[1] += size
            checked, wrong = compare_states(sub.states, answers, expected_states)
            run.checked += checked
            run.wrong += wrong
            previous = 0
            for seq in sub.order:
                if seq < previous:
                    run.out_of_order += 1
                previous = seq
            for seq, kind in kind_of.items():
                run.expected += 1
                arrived = sub.arrivals[seq]
                if math.isnan(arrived):
                    run.lost += 1
                    continue
                run.delivered += 1
                latency = (arrived - sent_at[seq]) * 1000
                run.latencies.append(latency)
                run.by_kind.setdefault(kind, []).append(latency)
            if sub.closed.done():
                run.connection_errors += 1  # the server closed a stream it should have kept
            sub.transport.close()
        for seq in kind_of:
            times = [(s.arrivals[seq] - sent_at[seq]) * 1000 for s in subs]
            times = [t for t in times if not math.isnan(t)]
            if times:
                size = max(s.sizes[seq] for s in subs)
                run.messages.append((seq, type_of[seq], size, min(times), max(times), post_of[seq]))
        await client.delete(f"/api/live/{live_id}")
    return run


def compare_states(
    states: dict[int, Any], answers: dict[int, bytes], decoded: dict[int, Any]
) -> tuple[int, int]:
    """How many of a subscriber's rebuilt states (by id) were compared with the POST's answer
    for that id, and how many differ; ``decoded`` caches the answers' JSON across subscribers.
    The first state, sent before the feed, has no answer and is not compared."""
    checked = wrong = 0
    for seq, state in states.items():
        if seq not in answers:
            continue
        if seq not in decoded:
            decoded[seq] = json.loads(answers[seq])
        checked += 1
        wrong += state != decoded[seq]
    return checked, wrong


# --- report --------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def summary(values: list[float]) -> str:
    return (
        f"p50 {pct(values, 50):7.1f}  p95 {pct(values, 95):7.1f}  p99 {pct(values, 99):7.1f}  "
        f"max {max(values, default=math.nan):7.1f} ms  (n={len(values)})"
    )


def print_post_round_trips(posts: dict[str, list[float]]) -> None:
    """The feed's POST round trips by message type: median and max."""
    for label in sorted(posts):
        values = posts[label]
        print(
            f"  POST round trip {label:<13} median {statistics.median(values):6.1f}  "
            f"max {max(values):6.1f} ms  (n={len(values)})"
        )


def report(name: str, run: Run, messages: int, rate: float, details: int = 0) -> None:
    print(f"\n{name}: {run.subscribers} subscriber(s), {messages} messages at {rate:g}/s")
    print(f"  event-to-delivery, all messages           {summary(run.latencies)}")
    print(f"  event-to-delivery, clock only             {summary(run.by_kind.get('clock', []))}")
    print(f"  event-to-delivery, events change (replay) {summary(run.by_kind.get('event', []))}")
    print(
        f"  frames: delivered {run.delivered} of {run.expected} expected; lost {run.lost}; "
        f"out of order {run.out_of_order}; malformed {run.bad_frames}; "
        f"connection errors {run.connection_errors}"
    )
    kinds = "; ".join(
        f"{kind} {frames} ({size / 2**20:.1f} MiB, {size / max(frames, 1) / 1024:.1f} KiB each)"
        for kind, (frames, size) in sorted(run.frames.items())
    )
    print(f"  frames received by kind: {kinds}")
    print(
        f"  states rebuilt by the checking subscribers: {run.checked} compared with the POST's "
        f"answer, {run.wrong} differ"
    )
    print_post_round_trips(run.posts)
    server, client = sum(run.server_cpu_s), sum(run.client_cpu_s)
    print(
        f"  server CPU {server:.1f} s (user {run.server_cpu_s[0]:.1f}, system "
        f"{run.server_cpu_s[1]:.1f}) over {run.wall_s:.1f} s ({100 * server / run.wall_s:.0f}% "
        f"of one core); server RSS {run.rss_mib:.0f} MiB (peak {run.hwm_mib:.0f})"
    )
    print(
        f"  client CPU {client:.1f} s (user {run.client_cpu_s[0]:.1f}, system "
        f"{run.client_cpu_s[1]:.1f}; {100 * client / run.wall_s:.0f}% of one core); "
        f"worst lag of a POST behind its schedule {run.send_lag_ms:.1f} ms"
    )
    print(
        f"  other processes on the machine meanwhile: {max(run.other_cpu_s, 0):.1f} CPU s "
        f"({100 * max(run.other_cpu_s, 0) / run.wall_s:.0f}% of one core)"
    )
    spread = [last - first for _, _, _, first, last, _ in run.messages]
    if spread:
        print(
            "  per message, first to last subscriber: "
            f"median {statistics.median(spread):.1f} ms, max {max(spread):.1f} ms"
        )
    if details:
        print("  slowest messages: id type frame-bytes first-ms last-ms post-ms")
        for row in sorted(run.messages, key=lambda r: -r[4])[:details]:
            print("   ", row[0], row[1], row[2], *(f"{x:.1f}" for x in row[3:]))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def inprocess_server(
    db: str | None,
    streams: int,
    log_dir: str | None = None,
    profile: str = "",
    http: str = "serve",
) -> Iterator[tuple[str, int, int, str]]:
    """The in-process server (:data:`SERVER`, as ``heartbreak serve`` runs its app) on a free
    loopback port, with a live log in a temporary folder under ``log_dir``, a feed token made
    in it and room for ``streams`` streams from one address; yields (base URL, port, pid,
    token) once it answers, and stops it after."""
    with tempfile.TemporaryDirectory(dir=log_dir) as tmp:
        port = free_port()
        log = Path(tmp) / "live.duckdb"
        token, _ = TokenStore(tokens_path_for(log)).create(label="bench")
        env = {**os.environ, "HEARTBREAK_LIVE_MAX_STREAMS": str(streams)}
        argv = [sys.executable, "-c", SERVER, db or "", str(log), str(port), profile, http]
        server = subprocess.Popen(argv, env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                if server.poll() is not None:
                    raise SystemExit("the in-process server stopped while starting")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{base}/api/health", timeout=5).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise SystemExit("the in-process server did not start within 120 s")
                time.sleep(0.2)
            yield base, port, server.pid, token
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--subscribers", type=int, default=None, help="1000; 10000 with --fanout nchan"
    )
    parser.add_argument("--rate", type=float, default=5.0, help="messages a second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--baseline-subscribers", type=int, default=1, help="0: no baseline")
    parser.add_argument("--db", default=None, help="the store (default: $HEARTBREAK_DB, ...)")
    parser.add_argument("--profile", default=None, help="write the server's cProfile stats here")
    parser.add_argument("--details", type=int, default=0, help="list the N slowest messages")
    parser.add_argument(
        "--live-log-dir",
        default=None,
        help="where the live log's temporary folder goes (default: the system's temp folder); "
        "the log commits, with an fsync, every message before its frame goes out, so a disk "
        "whose fsync stalls shows here (/dev/shm takes the disk out)",
    )
    experiments = parser.add_argument_group(
        "experiments (the server then differs from heartbreak serve, and the output says so)"
    )
    experiments.add_argument(
        "--server-http",
        default="serve",
        choices=["serve", "h11", "httptools"],
        help="uvicorn's HTTP implementation (serve: heartbreak serve's, h11 with its limits; "
        "h11: uvicorn's own h11 protocol)",
    )
    fanout = parser.add_argument_group(
        "fan-out through nginx+nchan, the deployment mode (bench/live_fanout.py)"
    )
    fanout.add_argument(
        "--fanout",
        default="none",
        choices=["none", "nchan"],
        help="nchan: the in-process run as the baseline, then nginx+nchan with the C fleet",
    )
    fanout.add_argument("--runs", type=int, default=3, help="fan-out runs (median reported)")
    fanout.add_argument("--nginx-workers", type=int, default=1, choices=[1, 2])
    fanout.add_argument(
        "--inprocess-subscribers", type=int, default=1000, help="the baseline's; 0: none"
    )
    fanout.add_argument(
        "--sweep", default="", help="N1,N2,...: one more fan-out run per subscriber count"
    )
    args = parser.parse_args()
    if args.fanout == "nchan":
        import live_fanout  # bench/ is on sys.path: this script's folder

        live_fanout.main(args)
        return
    args.subscribers = args.subscribers or 1000

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, 2 * args.subscribers + 256))
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))  # the server inherits it
    cores = len(os.sched_getaffinity(0))
    feed = build_feed(stored_feed(args.db), int(args.rate * args.seconds))
    kinds: dict[str, int] = {}
    for message in feed:
        kinds[message["type"]] = kinds.get(message["type"], 0) + 1
    http = {"serve": "h11 (heartbreak serve's protocol)", "h11": "h11 (uvicorn's protocol)"}
    http = http.get(args.server_http, args.server_http)
    setup = f"server: uvicorn, one worker, HTTP {http}"
    print(
        f"live SSE benchmark: {len(feed)} messages ("
        + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1]))
        + f"), Belgium v Japan 2018-07-02; {cores} CPU core(s) shared by the client (this "
        f"process, one event loop) and the server; {setup}; fd limit "
        f"{resource.getrlimit(resource.RLIMIT_NOFILE)[0]}"
    )

    streams = max(Limits().live_max_streams, args.subscribers + args.baseline_subscribers + 16)
    with inprocess_server(
        args.db, streams, args.live_log_dir, args.profile or "", args.server_http
    ) as (base, port, pid, token):
        runs = []
        if args.baseline_subscribers:
            baseline = asyncio.run(
                run_feed(base, port, pid, feed, args.baseline_subscribers, args.rate, token)
            )
            report("baseline", baseline, len(feed), args.rate, args.details)
            runs.append(baseline)
        measured = asyncio.run(run_feed(base, port, pid, feed, args.subscribers, args.rate, token))
        report("measured", measured, len(feed), args.rate, args.details)
        if args.baseline_subscribers:
            ratios = "  ".join(
                f"p{q} x{pct(measured.latencies, q) / pct(baseline.latencies, q):.1f}"
                for q in (50, 95, 99)
            )
            print(f"\nmeasured / baseline latency: {ratios}")
        ok = pct(measured.latencies, 99) <= 50 and measured.lost == 0
        print(
            f"target p99 <= 50 ms and 0 lost: {'met' if ok else 'NOT met'} "
            f"(p99 {pct(measured.latencies, 99):.1f} ms, lost {measured.lost})"
        )


if __name__ == "__main__":
    main()
