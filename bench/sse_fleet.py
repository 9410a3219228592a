"""A fleet of Server-Sent-Events subscribers in one C process, for latency benchmarks.

A Python asyncio client costs ~20 µs per delivery: 10,000 subscribers would take 200 ms of
client CPU per message, on the same two cores as the server under test. ``sse_fleet.c`` (built
here with gcc, cached under the temp folder by the hash of its source) holds every connection
from one thread with epoll and records, for every (event, connection) pair, the
``time.monotonic()`` clock at which the event's terminating blank line was read, and a 64-bit
FNV-1a hash of its ``id`` so callers can check every connection saw the same sequence. It costs
~5 µs of CPU a delivery, nearly all of it the kernel's read(); by default it sleeps 250 µs after
a wakeup that found few ready connections (``coalesce_us``), so arrival times may be late by
that much (0 turns it off and about doubles the fleet's CPU).

Use from another bench script (run from ``bench/`` or with it on ``sys.path``)::

    from sse_fleet import Fleet

    with Fleet("127.0.0.1", port, "/sub/x", count=10_000, max_events=64) as fleet:
        connected, failed = fleet.start()
        ...  # publish, recording time.monotonic() before each send
        fleet.wait_for(connected * n_messages, timeout=30)
        result = fleet.stop()
    arrivals = result.arrival_matrix(ids)  # (connections, messages), NaN where never received

Self-test, against a throwaway nginx with the nchan module (run as root; nginx and
libnginx-mod-nchan installed), which prints latency percentiles, losses, and the CPU of the
fleet and of nginx::

    nice python bench/sse_fleet.py --selftest [--subscribers 1000] [--messages 50] [--rate 5]
        [--workers 1] [--batch 256] [--coalesce-us 250]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.client
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

SOURCE = Path(__file__).resolve().with_name("sse_fleet.c")
CFLAGS = ["-O2", "-Wall", "-Wextra"]
MAGIC = b"SSEFLT1\0"

# Values of FleetResult.closed.
OPEN, CLOSED_BY_SERVER, ERROR, FAILED, BAD_STATUS = range(5)

NGINX = "/usr/sbin/nginx"
NCHAN_MODULE = "/usr/lib/nginx/modules/ngx_nchan_module.so"


class FleetError(RuntimeError):
    """The fleet could not be built, started or read."""


def fnv1a64(data: bytes | str) -> int:
    """The hash sse_fleet stores for an event's id value."""
    if isinstance(data, str):
        data = data.encode()
    h = 14695981039346656037
    for b in data:
        h = ((h ^ b) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h


def binary(source_path: Path = SOURCE) -> Path:
    """A bench C program compiled (``sse_fleet.c`` by default), built once per version of
    its source."""
    source = source_path.read_bytes()
    key = hashlib.sha256(source + " ".join(CFLAGS).encode()).hexdigest()[:16]
    out = Path(tempfile.gettempdir()) / "heartbreak-sse-fleet" / f"{source_path.stem}-{key}"
    if out.exists():
        return out
    gcc = shutil.which("gcc")
    if gcc is None:
        raise FleetError(f"the bench needs gcc to build {source_path} (apt-get install gcc)")
    out.parent.mkdir(parents=True, exist_ok=True)
    # Build beside the target and rename, so concurrent builds never see a partial binary.
    tmp = out.with_name(f"{out.name}.{os.getpid()}.tmp")
    proc = subprocess.run(
        [gcc, *CFLAGS, "-o", str(tmp), str(source_path), "-lm"], capture_output=True, text=True
    )
    if proc.returncode != 0:
        tmp.unlink(missing_ok=True)
        raise FleetError(f"gcc failed to build {source_path}:\n{proc.stderr}")
    os.replace(tmp, out)
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a live process, from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # Fields 14 and 15 of stat(5); the split starts at field 3.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """Direct children of a process (e.g. nginx's workers)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # exited while listing
        if ppid == pid:
            found.append(int(entry))
    return found


@dataclass
class FleetResult:
    """What the fleet recorded; row i is connection i."""

    times: np.ndarray  # (count, max_events) float64 monotonic seconds, NaN = no event
    hashes: np.ndarray  # (count, max_events) uint64 FNV-1a of the event's id, 0 = no event
    received: np.ndarray  # events per connection, also those past max_events
    bytes: np.ndarray  # bytes read per connection, headers included
    closed: np.ndarray  # OPEN, CLOSED_BY_SERVER, ERROR, FAILED or BAD_STATUS
    closed_at: np.ndarray  # monotonic seconds, NaN while open
    status: np.ndarray  # HTTP status, 0 if none
    attempts: np.ndarray  # connection attempts made
    headers_at: np.ndarray  # monotonic seconds the headers were read, NaN if never
    # The fleet's own counters (epoll waits, reads, ...): how hard it worked for the events.
    stats: dict[str, int] = field(default_factory=dict)

    @property
    def connected(self) -> np.ndarray:
        """Mask of the connections that got their 200 headers."""
        return (self.status == 200) & ~np.isnan(self.headers_at)

    def arrival_matrix(self, ids: list[str] | None = None) -> np.ndarray:
        """Arrival time of message j at connection i, NaN if it never came.

        With ``ids`` (the id of each message sent) events are matched by id hash, so a lost or
        extra event does not shift the rest; without, event k is message k.
        """
        if ids is None:
            return self.times.copy()
        want = np.array([fnv1a64(i) for i in ids], dtype=np.uint64)
        order = np.argsort(want)
        pos = np.searchsorted(want[order], self.hashes)
        pos = np.minimum(pos, len(want) - 1)
        match = (want[order][pos] == self.hashes) & (self.hashes != 0)
        rows, ks = np.nonzero(match)
        cols = order[pos[rows, ks]]
        out = np.full((self.times.shape[0], len(ids)), np.nan)
        # Times grow along a row, so the minimum is the first delivery of a repeated id.
        np.fmin.at(out, (rows, cols), self.times[rows, ks])
        return out

    def sequence_mismatches(self) -> int:
        """Connected connections whose stored id sequence differs from the most common one."""
        rows = [self.hashes[i].tobytes() for i in np.nonzero(self.connected)[0]]
        if not rows:
            return 0
        counts: dict[bytes, int] = {}
        for r in rows:
            counts[r] = counts.get(r, 0) + 1
        return len(rows) - max(counts.values())


def read_result(path: Path) -> FleetResult:
    raw = path.read_bytes()
    if raw[:8] != MAGIC:
        raise FleetError(f"{path} is not an sse_fleet output file")
    version, count, max_events = np.frombuffer(raw, dtype=np.int64, count=3, offset=8)
    if version != 1:
        raise FleetError(f"{path}: unknown version {version}")
    cells, off = int(count) * int(max_events), 32

    def take(dtype: type, n: int) -> np.ndarray:
        nonlocal off
        a = np.frombuffer(raw, dtype=dtype, count=n, offset=off).copy()
        off += 8 * n
        return a

    shape = (int(count), int(max_events))
    times = take(np.float64, cells).reshape(shape)
    hashes = take(np.uint64, cells).reshape(shape)
    n = int(count)
    result = FleetResult(
        times=times,
        hashes=hashes,
        received=take(np.int64, n),
        bytes=take(np.int64, n),
        closed=take(np.int64, n),
        closed_at=take(np.float64, n),
        status=take(np.int64, n),
        attempts=take(np.int64, n),
        headers_at=take(np.float64, n),
    )
    if off != len(raw):
        raise FleetError(f"{path}: {len(raw)} bytes, expected {off}")
    return result


class Fleet:
    """COUNT SSE subscribers to http://HOST:PORT/PATH, held by one sse_fleet process."""

    def __init__(
        self,
        host: str,
        port: int,
        path: str,
        count: int,
        max_events: int,
        *,
        batch: int = 256,
        retries: int = 5,
        connect_timeout: float = 10.0,
        max_seconds: float = 3600.0,
        coalesce_us: int = 250,
    ) -> None:
        self.host, self.port, self.path = host, port, path
        self.count, self.max_events = count, max_events
        self.options = [
            "--batch", str(batch),
            "--retries", str(retries),
            "--connect-timeout", str(connect_timeout),
            "--max-seconds", str(max_seconds),
            "--coalesce-us", str(coalesce_us),
        ]  # fmt: skip
        self._proc: subprocess.Popen[bytes] | None = None
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self._buf = b""

    def start(self, timeout: float = 120.0) -> tuple[int, int]:
        """Build, start, and wait until every connection has its headers or has failed."""
        exe = binary()
        self._dir = tempfile.TemporaryDirectory(prefix="sse-fleet-")
        self._out = Path(self._dir.name) / "fleet.bin"
        self._stderr = open(Path(self._dir.name) / "stderr.txt", "wb")  # noqa: SIM115
        args = [exe, self.host, str(self.port), self.path, str(self.count)]
        args += [str(self.max_events), str(self._out), *self.options]
        # The fleet gives up on pending connections a little before we give up on it.
        args += ["--setup-timeout", str(max(1.0, timeout - 5))]
        self._proc = subprocess.Popen(
            args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr
        )
        words = self._readline(time.monotonic() + timeout).split()
        if len(words) != 3 or words[0] != "ready":
            raise FleetError(f"sse_fleet said {' '.join(words)!r}, expected 'ready'")
        return int(words[1]), int(words[2])

    def pid(self) -> int:
        if self._proc is None:
            raise FleetError("the fleet is not running")
        return self._proc.pid

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid())

    def counts(self, timeout: float = 10.0) -> tuple[int, int]:
        """(events received over all connections, connections still open)."""
        self._send("count")
        words = self._readline(time.monotonic() + timeout).split()
        if len(words) != 3 or words[0] != "count":
            raise FleetError(f"sse_fleet said {' '.join(words)!r}, expected 'count'")
        return int(words[1]), int(words[2])

    def wait_for(self, events: int, timeout: float = 30.0, poll: float = 0.05) -> int:
        """Wait until the fleet holds ``events`` events in all (or timeout); returns the count."""
        deadline = time.monotonic() + timeout
        got = self.counts()[0]
        while got < events and time.monotonic() < deadline:
            time.sleep(poll)
            got = self.counts()[0]
        return got

    def stop(self, timeout: float = 60.0) -> FleetResult:
        """Stop the fleet and read what it recorded."""
        self._send("stop")
        line = self._readline(time.monotonic() + timeout)
        if line != "done":
            raise FleetError(f"sse_fleet said {line!r}, expected 'done'")
        assert self._proc is not None
        self._proc.wait(timeout=timeout)
        result = read_result(self._out)
        for line in (Path(self._dir.name) / "stderr.txt").read_text().splitlines():
            words = line.split()
            if words[:1] == ["stats"]:
                result.stats = {k: int(v) for k, v in zip(words[1::2], words[2::2], strict=True)}
        self.close()
        return result

    def close(self) -> None:
        """Kill the fleet if it still runs and remove its files."""
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.kill()
                self._proc.wait(timeout=10)
            for f in (self._proc.stdin, self._proc.stdout):
                if f is not None:
                    f.close()
            self._proc = None
            self._stderr.close()
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None

    def __enter__(self) -> Fleet:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _send(self, line: str) -> None:
        if self._proc is None or self._proc.stdin is None:
            raise FleetError("the fleet is not running")
        self._proc.stdin.write(line.encode() + b"\n")
        self._proc.stdin.flush()

    def _readline(self, deadline: float) -> str:
        assert self._proc is not None and self._proc.stdout is not None
        fd = self._proc.stdout.fileno()
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise FleetError(f"sse_fleet did not answer in time{self._stderr_tail()}")
            if select.select([fd], [], [], left)[0]:
                chunk = os.read(fd, 4096)
                if not chunk:
                    self._proc.wait(timeout=10)
                    raise FleetError(
                        f"sse_fleet exited ({self._proc.returncode}){self._stderr_tail()}"
                    )
                self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return line.decode().strip()

    def _stderr_tail(self) -> str:
        if self._dir is None:
            return ""
        text = (Path(self._dir.name) / "stderr.txt").read_text(errors="replace").strip()
        return f": {text[-2000:]}" if text else ""


# --- self-test against nginx + nchan ---------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


NGINX_CONF = """\
load_module {module};
{user}
worker_processes {workers};
worker_rlimit_nofile 20000;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{
    worker_connections 16000;
    multi_accept on;
}}
http {{
    access_log off;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    client_max_body_size 1m;
    client_body_buffer_size 64k;
    keepalive_requests 100000;
    keepalive_timeout 300s;
    server {{
        listen 127.0.0.1:{port} backlog=16384;
        location ~ ^/sub/([^/]+)$ {{
            nchan_subscriber eventsource;
            nchan_channel_id $1;
            nchan_message_buffer_length 64;
        }}
        location ~ ^/pub/([^/]+)$ {{
            nchan_publisher;
            nchan_channel_id $1;
            nchan_message_buffer_length 64;
        }}
    }}
}}
"""


def start_nginx(tmp: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    for exe in (NGINX, NCHAN_MODULE):
        if not Path(exe).exists():
            raise FleetError(
                f"the self-test needs {exe} (apt-get install nginx libnginx-mod-nchan)"
            )
    # Workers run as root so they can use the root-owned temp folder.
    user = "user root;" if os.geteuid() == 0 else ""
    conf = tmp / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(module=NCHAN_MODULE, user=user, workers=workers, tmp=tmp, port=port)
    )
    log = open(tmp / "stderr.txt", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [NGINX, "-c", str(conf), "-p", str(tmp), "-e", str(tmp / "error.log")],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    proc.wait()
    logs = "".join(p.read_text(errors="replace") for p in tmp.glob("*.txt"))
    logs += (tmp / "error.log").read_text(errors="replace") if (tmp / "error.log").exists() else ""
    raise FleetError(f"nginx did not start:\n{logs[-3000:]}")


def stop_nginx(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def nginx_cpu(master: int, workers: list[int]) -> float:
    total = 0.0
    for pid in [master, *workers]:
        with contextlib.suppress(OSError):  # a worker that has exited
            total += cpu_seconds(pid)
    return total


def payload(j: int) -> bytes:
    """~700 bytes, every 9th ~26 KB: the mix of small appends and whole states."""
    size = 26_000 if j % 9 == 8 else 700
    body = {"seq": j, "kind": "state" if size > 1000 else "append", "pad": ""}
    body["pad"] = "x" * (size - len(json.dumps(body)))
    return json.dumps(body).encode()


class Publisher:
    """POSTs to nchan over one keep-alive connection."""

    def __init__(self, port: int, channel: str) -> None:
        self.port, self.url = port, f"/pub/{channel}"
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def publish(self, body: bytes) -> tuple[float, str]:
        """(time.monotonic() just before sending, the message's id from nchan's answer)."""
        headers = {"X-EventSource-Event": "append", "Content-Type": "application/json"}
        for attempt in range(2):
            sent = time.monotonic()
            try:
                self.conn.request("POST", self.url, body=body, headers=headers)
                resp = self.conn.getresponse()
                text = resp.read().decode(errors="replace")
                break
            except (OSError, http.client.HTTPException):
                # One reconnect if nginx closed the keep-alive connection.
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt:
                    raise
        if resp.status not in (200, 201, 202):
            raise FleetError(f"publish answered {resp.status}: {text[:200]}")
        m = re.search(r"last message id:\s*(\S+)", text)
        return sent, m.group(1) if m else ""

    def close(self) -> None:
        self.conn.close()


def pct(a: np.ndarray, q: float) -> float:
    return float(np.percentile(a, q)) if a.size else float("nan")


def selftest(args: argparse.Namespace) -> int:
    load0 = os.getloadavg()
    tmp = Path(tempfile.mkdtemp(prefix="sse-fleet-nginx-"))
    nginx = None
    try:
        port = free_port()
        nginx = start_nginx(tmp, port, args.workers)
        workers = children(nginx.pid)
        channel = f"selftest{os.getpid()}"
        fleet = Fleet(
            "127.0.0.1", port, f"/sub/{channel}", args.subscribers, args.messages + 8,
            batch=args.batch, coalesce_us=args.coalesce_us,
        )  # fmt: skip
        with fleet:
            t = time.monotonic()
            connected, failed = fleet.start(timeout=args.setup_timeout)
            print(
                f"subscribers: {connected} connected, {failed} failed, in "
                f"{time.monotonic() - t:.1f} s (nginx workers: {len(workers)})"
            )
            # Give the last subscriptions a moment to reach the channel (IPC between workers).
            time.sleep(0.5)
            cpu0 = fleet.cpu_seconds(), nginx_cpu(nginx.pid, workers)
            pub = Publisher(port, channel)
            sends, ids, round_trips = [], [], []
            t0 = time.monotonic()
            for j in range(args.messages):
                delay = t0 + j / args.rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                sent, mid = pub.publish(payload(j))
                round_trips.append(time.monotonic() - sent)
                sends.append(sent)
                ids.append(mid)
            pub.close()
            publish_s = time.monotonic() - t0
            expected = connected * args.messages
            fleet.wait_for(expected, timeout=args.drain_timeout)
            cpu1 = fleet.cpu_seconds(), nginx_cpu(nginx.pid, workers)
            result = fleet.stop()
        load1 = os.getloadavg()
        delivered = report(result, np.array(sends), ids, expected, failed)
        rt = np.array(round_trips) * 1e3
        print(
            f"publishing: {args.messages} messages in {publish_s:.1f} s (asked "
            f"{args.messages / args.rate:.1f} s); POST round trip ms: p50 {pct(rt, 50):.1f} "
            f"max {rt.max():.1f}"
        )
        used = cpu1[0] - cpu0[0], cpu1[1] - cpu0[1]
        per = [1e6 * u / max(1, delivered) for u in used]
        print(
            f"CPU s while publishing and draining: fleet {used[0]:.2f}, nginx {used[1]:.2f} "
            f"(per delivery: fleet {per[0]:.1f} µs, nginx {per[1]:.1f} µs); whole run: "
            f"fleet {cpu1[0]:.2f}, nginx {cpu1[1]:.2f}"
        )
        st = result.stats
        if st:
            print(
                f"fleet: {st['reads']} reads, {st['waits']} epoll waits "
                f"(coalescing {args.coalesce_us} µs)"
            )
        loads = [" ".join(f"{x:.2f}" for x in la) for la in (load0, load1)]
        print(
            f"load average (1, 5, 15 min): before {loads[0]}, after {loads[1]}; "
            f"{os.cpu_count()} CPUs"
        )
        return 0
    finally:
        if nginx is not None:
            stop_nginx(nginx)
        shutil.rmtree(tmp, ignore_errors=True)


def report(
    result: FleetResult, sends: np.ndarray, ids: list[str], expected: int, failed: int
) -> int:
    """Print latency and loss over every (message, connected subscriber) pair."""
    ok = result.connected
    # Match by id when nchan told us every id; else by position.
    by_id = all(ids) and len(set(ids)) == len(ids)
    arrivals = result.arrival_matrix(ids if by_id else None)[ok][:, : len(sends)]
    lat = (arrivals - sends[None, :]) * 1e3
    got = ~np.isnan(lat)
    delivered = int(got.sum())
    print(
        f"delivered {delivered} of {expected} expected (matched by {'id' if by_id else 'order'})"
        f", lost {expected - delivered}, connections failed {failed}, "
        f"closed early {int(np.count_nonzero(result.closed[ok] != OPEN))}"
    )
    mismatches = result.sequence_mismatches()
    extra = int((result.received[ok] - got.sum(axis=1)).sum())
    print(
        f"same id sequence on every connection: {mismatches == 0} ({mismatches} differ); "
        f"events besides those sent: {extra}"
    )
    large = np.arange(len(sends)) % 9 == 8
    for name, cols in (("all", slice(None)), ("~700 B", ~large), ("~26 KB", large)):
        v = lat[:, cols][got[:, cols]]
        print(
            f"latency {name:>6} ms (n={v.size}): p50 {pct(v, 50):.2f}  p95 {pct(v, 95):.2f}  "
            f"p99 {pct(v, 99):.2f}  max {pct(v, 100):.2f}"
        )
    # Per message, when the first and the last subscriber had it: the fan-out's spread.
    if delivered:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            first, last = np.nanmin(lat, axis=0), np.nanmax(lat, axis=0)
            print(
                f"per message, ms: first subscriber median {np.nanmedian(first):.2f}, "
                f"last subscriber median {np.nanmedian(last):.2f} max {np.nanmax(last):.2f}"
            )
    return delivered


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--selftest", action="store_true", help="run against a throwaway nginx+nchan")
    p.add_argument("--subscribers", type=int, default=1000)
    p.add_argument("--messages", type=int, default=50)
    p.add_argument("--rate", type=float, default=5.0, help="messages per second")
    p.add_argument("--workers", type=int, default=1, help="nginx worker processes")
    p.add_argument("--batch", type=int, default=256, help="connections set up at once")
    p.add_argument("--coalesce-us", type=int, default=250)
    p.add_argument("--setup-timeout", type=float, default=180.0)
    p.add_argument("--drain-timeout", type=float, default=30.0)
    args = p.parse_args(argv)
    if not args.selftest:
        p.print_help()
        return 2
    if args.subscribers < 1 or args.messages < 1 or args.rate <= 0:
        p.error("--subscribers, --messages and --rate must be positive")
    try:
        return selftest(args)
    except FleetError as e:
        print(f"sse_fleet: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
