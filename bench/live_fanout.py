"""Live mode in its deployment: event-to-delivery latency through nginx + nchan to thousands of
subscribers, beside the in-process server's at 1000.

Why: one ``heartbreak serve`` process writes every frame to every subscriber itself, in Python,
which is what bounds it at about a thousand. In the deployment mode (``deploy/``,
:mod:`heartbreak.api.front`, :mod:`heartbreak.live.fanout`) nginx holds the streams and the
owner of the live matches publishes each frame once; this measures whether that holds 10,000
subscribers within 50 ms at p99 with nothing lost, and where the time goes.

Run (as root, nginx and libnginx-mod-nchan installed, gcc for the fleet; ``nice`` because the
machine is shared)::

    nice python bench/live_sse.py --fanout nchan [--subscribers 10000] [--rate 5]
        [--seconds 60] [--runs 3] [--nginx-workers 1|2] [--inprocess-subscribers 1000]
        [--sweep 1000,2000,5000,10000] [--db PATH]

In one invocation:

1. the in-process benchmark of ``live_sse.py`` at ``--inprocess-subscribers`` (its server, its
   asyncio subscribers, its report; 0 skips it): the baseline of the ratio;
2. ``--runs`` fan-out runs, each on a fresh deployment in a temporary folder: nginx with nchan
   from :func:`~heartbreak.api.front.standalone_config` (``--nginx-workers`` worker processes,
   the stream limit per address raised for the fleet), and one live owner (``heartbreak serve
   --fanout nchan --live-log ...``, with a token made in that log's token store); no web worker
   (``/api/live*`` goes to the owner; the web upstream is a port nothing listens on);
3. in each: a live match is created through nginx, three Python checking subscribers follow
   its stream through nginx as the live page does (an append onto the state whose
   ``live.version`` is its ``base``, else ``GET /api/live/{id}``), then the C fleet of
   ``sse_fleet.py`` opens ``--subscribers`` streams, all holding the first frame before the feed
   starts; then live_sse.py's feed (Belgium v Japan compressed into ``--seconds`` at ``--rate``
   messages a second) is POSTed through nginx;
4. latency = the fleet's arrival time (``time.monotonic()``) - ``time.monotonic()`` just before
   the message's POST was sent, for every (message, subscriber) pair expected (a repeated
   message makes no frame). Fleet event k is the k-th distinct message's frame (event 0 the one
   published at creation): by the frame ids the checkers saw when they saw them all (nchan's
   ``<time>:<tag>``, mapped to ``live.version`` by the JSON), else by order; every connection
   must have seen the same id sequence (``sequence_mismatches``).
5. ``--sweep N1,N2,...``: one more fan-out run per count, and a table of their p99.

Reported per run and as the median of the runs: p50/p95/p99/max ms (all messages, clock-only,
event messages), delivered/lost pairs, connections failed or closed early, the id sequence
check, the checkers' verdict (every state rebuilt equals the POST's answer for its version, and
the last equals ``GET /api/live/{id}``), the first and the last subscriber per message (the
first one is the owner's and nchan's queueing, last - first is nchan's write to everyone),
POST round trips, CPU and RSS of the owner and of every nginx process (from /proc; nginx CPU per
delivery; the connections each worker holds), CPU of the fleet and of this process, the CPU of
the other processes on the machine and the load average before and after; then the ratio of
the fan-out p99 to the in-process p99, and whether "p99 <= 50 ms and 0 lost at 10,000
subscribers" is met. The fleet coalesces wakeups (250 µs), so arrivals may be late by that.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
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
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np

import live_sse
from heartbreak.api.front import Front, standalone_config
from heartbreak.api.limits import Limits
from heartbreak.live.tokens import TokenStore, tokens_path_for
from sse_fleet import OPEN, Fleet, children, fnv1a64

NGINX = "/usr/sbin/nginx"
NCHAN_MODULE = Path("/usr/lib/nginx/modules/ngx_nchan_module.so")
HEARTBREAK = [sys.executable, "-c", "from heartbreak.cli import app; app()"]
CHECKERS = 3
#: standalone_config's worker_connections: streams one nginx worker can hold, less some room
#: for the feed, the checkers and the owner's connections.
MAX_PER_WORKER = 15_900
#: After the last message, wait this long at most for the fleet to hold every frame, and give
#: up sooner once nothing has come for QUIET seconds.
DRAIN, QUIET = 90.0, 10.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_listening(port: int, process: subprocess.Popen | None, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise SystemExit(f"the process for port {port} exited ({process.returncode})")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on port {port} after {timeout:g} s")


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def rss_mib(pid: int) -> float:
    with contextlib.suppress(OSError):
        return live_sse.proc_mem(pid)[0]
    return math.nan


def open_fds(pid: int) -> int:
    with contextlib.suppress(OSError):
        return len(os.listdir(f"/proc/{pid}/fd"))
    return -1


# --- the deployment ------------------------------------------------------------------------


class Deployment:
    """nginx + nchan from standalone_config and one live owner, in ``root``; stopped by
    :meth:`stop` (nginx with ``-s stop``, the owner with SIGINT), whatever happened."""

    def __init__(self, root: Path, db: str | None, workers: int, streams: int) -> None:
        self.root, self.db, self.workers = root, db, workers
        self.port, self.owner_port, self.publish_port = free_port(), free_port(), free_port()
        self.front = Front(
            listen=f"127.0.0.1:{self.port} backlog=4096",
            web_ports=(free_port(),),  # nothing listens there: /api/live* goes to the owner
            live_ports=(self.owner_port,),
            publish_port=self.publish_port,
        )
        self.limits = Limits(live_max_streams=streams)
        self.prefix = root / "nginx"
        self.conf = self.prefix / "nginx.conf"
        self.log = root / "live.duckdb"
        self.master = 0
        self.nginx_workers: list[int] = []
        self.owner: subprocess.Popen | None = None
        self.token = ""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def nginx_pids(self) -> list[int]:
        return [self.master, *self.nginx_workers]

    def start(self) -> Deployment:
        self.prefix.mkdir(parents=True, exist_ok=True)
        self.conf.write_text(standalone_config(self.front, self.limits, self.workers))
        subprocess.run([NGINX, "-p", str(self.prefix), "-c", str(self.conf)], check=True)
        pid_file = self.prefix / "nginx.pid"
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if pid_file.exists() and pid_file.read_text().strip():
                self.master = int(pid_file.read_text())
                self.nginx_workers = children(self.master)
                if len(self.nginx_workers) >= self.workers:
                    break
            time.sleep(0.05)
        else:
            raise SystemExit("nginx did not start its workers within 15 s")
        self.token = TokenStore(tokens_path_for(self.log)).create(label="bench")[0]
        args = [*HEARTBREAK, "serve", "--port", str(self.owner_port), "--live-log", str(self.log)]
        args += ["--fanout", "nchan", "--publish-url", f"http://127.0.0.1:{self.publish_port}/pub"]
        if self.db:
            args += ["--db", self.db]
        out = open(self.root / "owner.log", "wb")  # noqa: SIM115 (the process keeps it)
        self.owner = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
        out.close()
        started = time.monotonic()
        wait_listening(self.owner_port, self.owner, 180)
        wait_listening(self.port, None, 15)
        print(
            f"  deployment up: nginx pid {self.master}, owner pid {self.owner.pid} listening "
            f"after {time.monotonic() - started:.1f} s",
            file=sys.stderr,
        )
        return self

    def owner_warnings(self) -> list[str]:
        path = self.root / "owner.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        # heartbreak.live logs through logging's last resort (a bare message), uvicorn its own
        words = (
            "WARNING", "ERROR", "Error", "Traceback", "not published", "refused by nchan",
            "skipped",
        )  # fmt: skip
        return [line for line in text.splitlines() if any(w in line for w in words)]

    def stop(self) -> None:
        if self.owner is not None and self.owner.poll() is None:
            self.owner.send_signal(signal.SIGINT)
            try:
                self.owner.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.owner.kill()
                self.owner.wait(timeout=10)
        if self.master:
            stop = [NGINX, "-p", str(self.prefix), "-c", str(self.conf), "-s", "stop"]
            subprocess.run(stop, check=False, capture_output=True)
            deadline = time.monotonic() + 15
            while alive(self.master) and time.monotonic() < deadline:
                time.sleep(0.1)
            for pid in self.nginx_pids():  # only if -s stop did not end them
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


# --- the checking subscribers ----------------------------------------------------------------


class Checker(threading.Thread):
    """A stream followed through nginx as the live page follows it: a ``state`` frame replaces
    the state held; an ``append`` extends it when its ``base`` is the ``live.version`` held,
    else the state is fetched. Keeps the state held after each frame, by version, and each
    frame's nchan id."""

    def __init__(self, base: str, live_id: str, seconds: float) -> None:
        super().__init__(daemon=True)
        self.base, self.live_id = base, live_id
        self.deadline = time.monotonic() + seconds  # the whole thread's bound
        self.state: dict[str, Any] | None = None
        self.states: dict[int, dict[str, Any]] = {}
        self.ids: dict[int, str] = {}
        self.frames = {"state": 0, "append": 0}
        self.fetched = 0
        self.errors: list[str] = []
        self.first = threading.Event()
        self.done = threading.Event()
        self._stream: httpx.Response | None = None

    @property
    def version(self) -> int:
        return -1 if self.state is None else self.state["live"]["version"]

    def stop(self) -> None:
        self.done.set()
        if self._stream is not None:
            self._stream.close()
        self.join(timeout=10)

    def _frame(self, client: httpx.Client, kind: str, data: str, frame_id: str) -> None:
        payload = json.loads(data)
        version = payload["live"]["version"]
        self.frames[kind] = self.frames.get(kind, 0) + 1
        self.ids.setdefault(version, frame_id)
        if kind == "state":
            self.state = payload
        elif kind == "append" and self.state is not None and payload["base"] == self.version:
            self.state = live_sse.apply_append(self.state, payload)
        else:
            answer = client.get(f"/api/live/{self.live_id}")
            answer.raise_for_status()
            self.fetched += 1
            self.state = answer.json()
        if self.version == version:
            self.states[version] = self.state
        self.first.set()

    def run(self) -> None:
        try:
            with httpx.Client(base_url=self.base, timeout=httpx.Timeout(10, read=30)) as client:
                self._follow(client)
        except Exception as exc:  # a stream closed by stop() or a real failure
            if not self.done.is_set():
                self.errors.append(repr(exc))

    def _follow(self, client: httpx.Client) -> None:
        path = f"/api/live/{self.live_id}/stream"
        while not self.done.is_set() and time.monotonic() < self.deadline:
            headers = {"Accept": "text/event-stream"}
            with client.stream("GET", path, headers=headers) as stream:
                self._stream = stream
                if stream.status_code == 404:  # the channel's first frame is not there yet
                    time.sleep(0.1)
                    continue
                if stream.status_code != 200:
                    self.errors.append(f"stream answered {stream.status_code}")
                    return
                kind, data, frame_id = "message", [], ""
                for line in stream.iter_lines():
                    if self.done.is_set() or time.monotonic() > self.deadline:
                        return
                    if line == "":
                        if data:
                            self._frame(client, kind, "\n".join(data), frame_id)
                        kind, data, frame_id = "message", [], ""
                    elif line.startswith("event:"):
                        kind = line[6:].strip()
                    elif line.startswith("data:"):
                        data.append(line[5:].removeprefix(" "))
                    elif line.startswith("id:"):
                        frame_id = line[3:].strip()
                self.errors.append("the stream ended")
                return


# --- one fan-out run -------------------------------------------------------------------------


@dataclass
class FanoutRun:
    subscribers: int
    workers: int
    latencies: np.ndarray = field(default_factory=lambda: np.empty(0))
    by_kind: dict[str, np.ndarray] = field(default_factory=dict)
    first_ms: np.ndarray = field(default_factory=lambda: np.empty(0))  # per message
    last_ms: np.ndarray = field(default_factory=lambda: np.empty(0))
    connected: int = 0
    failed: int = 0
    no_first_frame: int = 0
    closed_early: int = 0
    expected: int = 0
    delivered: int = 0
    extra_events: int = 0
    mismatches: int = 0
    matched_by: str = "order"
    ids_agree: bool | None = None
    checked: int = 0
    wrong: int = 0
    final_ok: bool = False
    checker_notes: list[str] = field(default_factory=list)
    posts: dict[str, list[float]] = field(default_factory=dict)
    send_lag_ms: float = 0.0
    feed_s: float = 0.0  # from the first POST to the last answer
    frames: int = 0  # frames published during the feed
    wall_s: float = 0.0
    owner_cpu: tuple[float, float] = (0.0, 0.0)
    nginx_cpu: dict[str, tuple[float, float]] = field(default_factory=dict)  # role: user, sys
    nginx_fds: dict[str, int] = field(default_factory=dict)
    nginx_rss: dict[str, float] = field(default_factory=dict)
    owner_rss: tuple[float, float] = (0.0, 0.0)
    fleet_cpu: float = 0.0
    self_cpu: float = 0.0
    other_cpu: float = 0.0
    load_before: str = ""
    load_after: str = ""
    warnings: list[str] = field(default_factory=list)
    fleet_stats: dict[str, int] = field(default_factory=dict)

    @property
    def lost(self) -> int:
        return self.expected - self.delivered

    @property
    def nginx_total(self) -> float:
        return sum(u + s for u, s in self.nginx_cpu.values())

    def p(self, q: float, values: np.ndarray | None = None) -> float:
        values = self.latencies if values is None else values
        if values.size == 0:
            return math.nan
        return float(np.percentile(values, q, method="inverted_cdf"))  # live_sse's pct


def expected_frames(feed: list[dict]) -> list[int | None]:
    """The frame (state version) each message makes: a new one the next, a repeat none."""
    seen: set[str] = set()
    expect: list[int | None] = []
    for message in feed:
        key = json.dumps(message, sort_keys=True)
        expect.append(None if key in seen else len(seen) + 1)
        seen.add(key)
    return expect


def cpu_of(pids: dict[str, int]) -> dict[str, tuple[float, float]]:
    out = {}
    for role, pid in pids.items():
        try:
            out[role] = live_sse.proc_cpu(pid)
        except OSError:
            out[role] = (math.nan, math.nan)
    return out


def self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def fanout_run(
    feed: list[dict],
    subscribers: int,
    workers: int,
    rate: float,
    db: str | None,
    log_dir: str | None = None,
) -> FanoutRun:
    """One run on a fresh deployment (see the module's docstring)."""
    run = FanoutRun(subscribers, workers)
    expect = expected_frames(feed)
    run.frames = max(s for s in expect if s is not None)
    kinds = {
        seq: "event" if message["type"] in live_sse.EVENT_KINDS else "clock"
        for seq, message in zip(expect, feed, strict=True)
        if seq is not None
    }
    frames = max(kinds)  # versions 1..frames, 0 the frame published at creation
    bound = len(feed) / rate + 300  # what any part of one run may take at most
    with tempfile.TemporaryDirectory(prefix="live-fanout-", dir=log_dir) as tmp:
        deployment = Deployment(Path(tmp), db, workers, subscribers + CHECKERS + 16)
        checkers: list[Checker] = []
        client: httpx.Client | None = None
        try:
            deployment.start()
            auth = {"Authorization": f"Bearer {deployment.token}"}
            client = httpx.Client(base_url=deployment.base, timeout=30.0, headers=auth)
            created = client.post("/api/live", json=live_sse.DEFINITION)
            created.raise_for_status()
            live_id = created.json()["live"]["id"]
            checkers = [Checker(deployment.base, live_id, bound) for _ in range(CHECKERS)]
            for checker in checkers:
                checker.start()
            for checker in checkers:
                if not checker.first.wait(30):
                    raise SystemExit(f"a checker got no first frame in 30 s: {checker.errors}")
            path = f"/api/live/{live_id}/stream"
            with Fleet(
                "127.0.0.1", deployment.port, path, subscribers, frames + 8, max_seconds=bound
            ) as fleet:
                t = time.monotonic()
                run.connected, run.failed = fleet.start(timeout=180)
                held = fleet.wait_for(run.connected, timeout=30)
                run.no_first_frame = max(run.connected - held, 0)
                print(
                    f"  {run.connected} fleet connections ({run.failed} failed) in "
                    f"{time.monotonic() - t:.1f} s, {held} first frames held; nginx workers "
                    f"{len(deployment.nginx_workers)}",
                    file=sys.stderr,
                )
                time.sleep(0.5)  # the last subscriptions reach the channel (IPC between workers)
                roles = {"master": deployment.master}
                roles |= {f"worker {i + 1}": p for i, p in enumerate(deployment.nginx_workers)}
                run.load_before = load()
                nginx0, owner0 = cpu_of(roles), live_sse.proc_cpu(deployment.owner.pid)
                fleet0, self0, machine0 = fleet.cpu_seconds(), self_cpu(), live_sse.machine_cpu()
                wall0 = time.monotonic()
                sent, answers = feed_messages(client, live_id, feed, expect, rate, run)
                drain(fleet, run.connected * (frames + 1))
                for checker in checkers:
                    end = time.monotonic() + 10
                    while checker.version < frames and time.monotonic() < end:
                        time.sleep(0.05)
                run.wall_s = time.monotonic() - wall0
                nginx1, owner1 = cpu_of(roles), live_sse.proc_cpu(deployment.owner.pid)
                run.fleet_cpu = fleet.cpu_seconds() - fleet0
                run.self_cpu = self_cpu() - self0
                machine = live_sse.machine_cpu() - machine0
                run.load_after = load()
                run.nginx_cpu = {
                    role: (nginx1[role][0] - nginx0[role][0], nginx1[role][1] - nginx0[role][1])
                    for role in roles
                }
                run.owner_cpu = (owner1[0] - owner0[0], owner1[1] - owner0[1])
                run.nginx_fds = {role: open_fds(pid) for role, pid in roles.items()}
                run.nginx_rss = {role: rss_mib(pid) for role, pid in roles.items()}
                run.owner_rss = live_sse.proc_mem(deployment.owner.pid)
                used = run.nginx_total + sum(run.owner_cpu) + run.fleet_cpu + run.self_cpu
                run.other_cpu = max(machine - used, 0.0)
                result = fleet.stop()
            final = client.get(f"/api/live/{live_id}")
            final.raise_for_status()
            for checker in checkers:
                checker.stop()
            check_states(run, checkers, answers, final.json(), frames)
            measure(run, result, checkers, sent, kinds, frames)
            run.warnings = deployment.owner_warnings()
        finally:
            for checker in checkers:
                checker.stop()
            if client is not None:
                client.close()
            deployment.stop()
    return run


def feed_messages(
    client: httpx.Client,
    live_id: str,
    feed: list[dict],
    expect: list[int | None],
    rate: float,
    run: FanoutRun,
) -> tuple[np.ndarray, dict[int, bytes]]:
    """POST the feed on its schedule; the send time of each frame's message, and the POST's
    answer (the state) for each version."""
    sent = np.full(max(s for s in expect if s is not None) + 1, np.nan)
    answers: dict[int, bytes] = {}
    start = time.monotonic() + 0.2
    lags = []
    for i, message in enumerate(feed):
        due = start + i / rate
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        seq = expect[i]
        now = time.monotonic()
        lags.append(now - due)
        if seq is not None:
            sent[seq] = now
        response = client.post(f"/api/live/{live_id}/events", json=message)
        took = (time.monotonic() - now) * 1000
        response.raise_for_status()
        live = response.json()["live"]
        if seq is not None and live["version"] != seq:
            raise SystemExit(f"message {i}: the state's version is {live['version']}, not {seq}")
        if seq is not None:
            answers[seq] = response.content
        label = message["type"] if seq is not None else "repeat"
        run.posts.setdefault(label, []).append(took)
    run.send_lag_ms = max(lags) * 1000
    run.feed_s = time.monotonic() - start
    return sent, answers


def drain(fleet: Fleet, events: int) -> None:
    """Wait for the fleet to hold ``events`` in all, DRAIN s at most, QUIET s without news."""
    deadline = time.monotonic() + DRAIN
    got, changed = fleet.counts()[0], time.monotonic()
    while got < events and time.monotonic() < deadline and time.monotonic() - changed < QUIET:
        time.sleep(0.1)
        now = fleet.counts()[0]
        if now != got:
            got, changed = now, time.monotonic()


def check_states(
    run: FanoutRun, checkers: list[Checker], answers: dict[int, bytes], final: dict, frames: int
) -> None:
    expected: dict[int, Any] = {}
    run.final_ok = True
    for i, checker in enumerate(checkers):
        checked, wrong = live_sse.compare_states(checker.states, answers, expected)
        run.checked += checked
        run.wrong += wrong
        if checker.state != final:
            run.final_ok = False
        missing = frames + 1 - len(checker.ids)
        run.checker_notes.append(
            f"checker {i + 1}: {checker.frames.get('state', 0)} state + "
            f"{checker.frames.get('append', 0)} append frames, {missing} versions missed, "
            f"{checker.fetched} GETs, final version {checker.version}, holds GET's state: "
            f"{checker.state == final}" + (f", errors {checker.errors}" if checker.errors else "")
        )


def measure(
    run: FanoutRun,
    result,
    checkers: list[Checker],
    sent: np.ndarray,
    kinds: dict[int, str],
    frames: int,
) -> None:
    """Latency of every (message, connected subscriber) pair, and the losses."""
    ok = result.connected
    run.closed_early = int(np.count_nonzero(result.closed[ok] != OPEN))
    run.mismatches = result.sequence_mismatches()
    run.fleet_stats = result.stats
    ids: dict[int, str] = {}
    for checker in checkers:
        for version, frame_id in checker.ids.items():
            ids.setdefault(version, frame_id)
    if all(v in ids for v in range(frames + 1)):
        order = [ids[v] for v in range(frames + 1)]
        arrivals = result.arrival_matrix(order)[ok]
        run.matched_by = "id (the checkers' frame ids)"
        # the fleet's most common sequence against the checkers' ids
        rows = result.hashes[ok][:, : frames + 1]
        if rows.size:
            values, counts = np.unique(rows, axis=0, return_counts=True)
            common = values[np.argmax(counts)]
            want = np.array([fnv1a64(i) for i in order], dtype=np.uint64)
            run.ids_agree = bool(np.array_equal(common, want))
    else:
        arrivals = result.times[ok][:, : frames + 1]
    lat = (arrivals[:, 1:] - sent[None, 1:]) * 1000
    got = ~np.isnan(lat)
    run.expected = lat.size
    run.delivered = int(got.sum())
    run.extra_events = int(result.received[ok].sum() - (~np.isnan(arrivals)).sum())
    run.latencies = lat[got]
    kind_of = np.array([kinds[s] for s in range(1, frames + 1)])
    for kind in ("clock", "event"):
        cols = kind_of == kind
        run.by_kind[kind] = lat[:, cols][got[:, cols]]
    if run.delivered:
        with np.errstate(all="ignore"):
            seen = got.any(axis=0)
            run.first_ms = np.nanmin(lat[:, seen], axis=0)
            run.last_ms = np.nanmax(lat[:, seen], axis=0)


# --- report ----------------------------------------------------------------------------------


def summary(run: FanoutRun, values: np.ndarray) -> str:
    if values.size == 0:
        return "no deliveries"
    return (
        f"p50 {run.p(50, values):7.1f}  p95 {run.p(95, values):7.1f}  p99 {run.p(99, values):7.1f}"
        f"  max {values.max():7.1f} ms  (n={values.size})"
    )


def report(name: str, run: FanoutRun, messages: int, rate: float) -> None:
    print(
        f"\n{name}: nginx+nchan ({run.workers} worker(s)), {run.subscribers} fleet subscribers, "
        f"{messages} messages at {rate:g}/s; load average before {run.load_before}, after "
        f"{run.load_after}"
    )
    print(f"  event-to-delivery, all messages   {summary(run, run.latencies)}")
    print(f"  event-to-delivery, clock only     {summary(run, run.by_kind['clock'])}")
    print(f"  event-to-delivery, event messages {summary(run, run.by_kind['event'])}")
    agree = {None: "not checked", True: "yes", False: "NO"}[run.ids_agree]
    print(
        f"  pairs: delivered {run.delivered} of {run.expected}; lost {run.lost}; matched by "
        f"{run.matched_by}; connections {run.connected} (failed {run.failed}, without the "
        f"first frame {run.no_first_frame}, closed early {run.closed_early}); id sequence "
        f"differs on {run.mismatches}; the fleet's ids are the checkers': {agree}; events "
        f"besides those expected {run.extra_events}"
    )
    print(
        f"  checkers: {run.checked} rebuilt states compared with the POST's answer, {run.wrong} "
        f"differ; all hold GET /api/live/{{id}} at the end: {run.final_ok}"
    )
    for note in run.checker_notes:
        print(f"    {note}")
    if run.first_ms.size:
        tenth = max(len(run.first_ms) // 10, 1)
        spread = run.last_ms - run.first_ms
        print(
            f"  per message: first subscriber median {np.median(run.first_ms):.1f} ms "
            f"(first tenth of the feed {np.median(run.first_ms[:tenth]):.1f}, last tenth "
            f"{np.median(run.first_ms[-tenth:]):.1f}, max {run.first_ms.max():.1f}); last "
            f"subscriber median {np.median(run.last_ms):.1f}, max {run.last_ms.max():.1f}; "
            f"last - first median {np.median(spread):.1f}, max {spread.max():.1f} ms"
        )
    live_sse.print_post_round_trips(run.posts)
    wall = max(run.wall_s, 1e-9)
    owner = sum(run.owner_cpu)
    per = 1e6 * run.nginx_total / max(run.delivered, 1)
    print(
        f"  over {run.wall_s:.1f} s: nginx CPU {run.nginx_total:.1f} s "
        f"({100 * run.nginx_total / wall:.0f}% of one core; {per:.1f} µs per delivery, "
        f"{1000 * run.nginx_total / max(run.frames, 1):.0f} ms per frame); "
        f"owner CPU {owner:.1f} s ({100 * owner / wall:.0f}%; user {run.owner_cpu[0]:.1f}, "
        f"system {run.owner_cpu[1]:.1f}); owner RSS {run.owner_rss[0]:.0f} MiB "
        f"(peak {run.owner_rss[1]:.0f})"
    )
    for role, (user, system) in run.nginx_cpu.items():
        print(
            f"    nginx {role}: CPU {user + system:.1f} s (user {user:.1f}, system "
            f"{system:.1f}; {100 * (user + system) / wall:.0f}%), {run.nginx_fds[role]} fds, "
            f"RSS {run.nginx_rss[role]:.0f} MiB"
        )
    print(
        f"  client: fleet CPU {run.fleet_cpu:.1f} s ({100 * run.fleet_cpu / wall:.0f}%), this "
        f"process (feed + checkers) {run.self_cpu:.1f} s; the feed took {run.feed_s:.1f} s "
        f"(its schedule {(messages - 1) / rate:.1f} s; a POST waits for the one before), "
        f"worst lag of a POST behind its schedule {run.send_lag_ms:.1f} ms; other processes "
        f"on the machine {run.other_cpu:.1f} CPU s ({100 * run.other_cpu / wall:.0f}% of one core)"
    )
    if run.warnings:
        print(f"  the owner's log: {len(run.warnings)} warnings, e.g. {run.warnings[:3]}")


def median_of(runs: list[FanoutRun], get) -> float:
    return statistics.median(get(run) for run in runs)


def inprocess(
    feed: list[dict], subscribers: int, rate: float, db: str | None, log_dir: str | None = None
):
    """live_sse.py's measured run, its server started as live_sse.main starts it."""
    streams = max(Limits().live_max_streams, subscribers + 16)
    with live_sse.inprocess_server(db, streams, log_dir) as (base, port, pid, token):
        before = load()
        run = asyncio.run(live_sse.run_feed(base, port, pid, feed, subscribers, rate, token))
        live_sse.report("in-process (live_sse.py)", run, len(feed), rate)
        print(f"  load average before {before}, after {load()}")
        return run


def main(args: argparse.Namespace) -> None:
    """``live_sse.py --fanout nchan``: the in-process baseline, the runs, the sweep."""
    if not Path(NGINX).exists() or not NCHAN_MODULE.exists():
        raise SystemExit("needs nginx and its nchan module (apt-get install nginx-light "
                         "libnginx-mod-nchan)")  # fmt: skip
    subscribers = args.subscribers or 10_000
    sweep = [int(n) for n in args.sweep.split(",")] if args.sweep else []
    largest = max([subscribers if args.runs else 0, *sweep])
    if largest > MAX_PER_WORKER * args.nginx_workers:
        raise SystemExit(
            f"{largest} subscribers: more than the {MAX_PER_WORKER} connections per nginx "
            "worker of standalone_config"
        )
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, 2 * args.inprocess_subscribers + 256))
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    feed = build_feed(args)
    print(
        f"live fan-out benchmark: {len(feed)} messages at {args.rate:g}/s, Belgium v Japan; "
        f"{len(os.sched_getaffinity(0))} CPU core(s) shared by nginx, the owner, the fleet and "
        f"this process; {args.runs} run(s) at {subscribers} subscribers, nginx "
        f"{args.nginx_workers} worker(s); load average now {load()}"
    )
    baseline = None
    if args.inprocess_subscribers:
        baseline = inprocess(
            feed, args.inprocess_subscribers, args.rate, args.db, args.live_log_dir
        )
    runs = []
    for i in range(args.runs):
        run = fanout_run(
            feed, subscribers, args.nginx_workers, args.rate, args.db, args.live_log_dir
        )
        report(f"fan-out run {i + 1} of {args.runs}", run, len(feed), args.rate)
        runs.append(run)
    if runs:
        print(f"\nfan-out, median of {len(runs)} run(s) at {subscribers} subscribers:")
        for label, get in (
            ("all", lambda r: r.latencies),
            ("clock", lambda r: r.by_kind["clock"]),
            ("event", lambda r: r.by_kind["event"]),
        ):
            values = [
                " ".join(f"{run.p(q, get(run)):.1f}" for run in runs) for q in (50, 95, 99, 100)
            ]
            medians = [
                median_of(runs, lambda r, q=q, g=get: r.p(q, g(r))) for q in (50, 95, 99, 100)
            ]
            print(
                f"  {label:<5} p50 {medians[0]:.1f}  p95 {medians[1]:.1f}  p99 {medians[2]:.1f}"
                f"  max {medians[3]:.1f} ms   (per run: p50 {values[0]} | p95 {values[1]} | "
                f"p99 {values[2]} | max {values[3]})"
            )
        print(
            f"  lost {median_of(runs, lambda r: r.lost):g} (per run "
            f"{[r.lost for r in runs]}), connections failed "
            f"{[r.failed + r.no_first_frame + r.closed_early for r in runs]}, nginx CPU "
            f"{median_of(runs, lambda r: 100 * r.nginx_total / r.wall_s):.0f}% of a core, "
            f"{median_of(runs, lambda r: 1e6 * r.nginx_total / max(r.delivered, 1)):.1f} µs per "
            f"delivery, owner "
            f"{median_of(runs, lambda r: 100 * sum(r.owner_cpu) / r.wall_s):.0f}%, fleet "
            f"{median_of(runs, lambda r: 100 * r.fleet_cpu / r.wall_s):.0f}%, other processes "
            f"{median_of(runs, lambda r: 100 * r.other_cpu / r.wall_s):.0f}%; load averages "
            f"{[r.load_after for r in runs]}"
        )
        p99 = median_of(runs, lambda r: r.p(99))
        if baseline is not None:
            base99 = live_sse.pct(baseline.latencies, 99)
            print(
                f"\nfan-out p99 at {subscribers} / in-process p99 at "
                f"{baseline.subscribers}: {p99:.1f} / {base99:.1f} ms = x{p99 / base99:.2f}"
            )
        lost = sum(r.lost for r in runs)
        ok = p99 <= 50 and lost == 0 and subscribers >= 10_000
        print(
            f"target p99 <= 50 ms and 0 lost at 10,000 subscribers: {'met' if ok else 'NOT met'}"
            f" (median p99 {p99:.1f} ms, lost {lost} over {len(runs)} run(s), at {subscribers} "
            "subscribers)"
        )
    if sweep:
        rows = []
        for count in sweep:
            run = fanout_run(feed, count, args.nginx_workers, args.rate, args.db, args.live_log_dir)
            report(f"sweep at {count}", run, len(feed), args.rate)
            rows.append(run)
        print(f"\nsweep, nginx {args.nginx_workers} worker(s), one run each:")
        for run in rows:
            clock, event = run.by_kind["clock"], run.by_kind["event"]
            print(
                f"  {run.subscribers:>6} subscribers: p50 {run.p(50):7.1f}  p99 {run.p(99):7.1f}"
                f" (clock {run.p(99, clock):.1f}, event messages {run.p(99, event):.1f})  max "
                f"{run.p(100):7.1f} ms, lost {run.lost}, nginx "
                f"{100 * run.nginx_total / run.wall_s:.0f}% of a core, other processes "
                f"{100 * run.other_cpu / run.wall_s:.0f}%, load {run.load_after}"
            )
        meets = [r.subscribers for r in rows if r.p(99) <= 50 and r.lost == 0]
        print(f"  largest count with p99 <= 50 ms and 0 lost: {max(meets) if meets else 'none'}")


def build_feed(args: argparse.Namespace) -> list[dict]:
    return live_sse.build_feed(live_sse.stored_feed(args.db), int(args.rate * args.seconds))
