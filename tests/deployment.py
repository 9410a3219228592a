"""The deployment mode of ``deploy/`` run for real on loopback: nginx with nchan in front, a web
worker, the owner of the live matches and its standby (``heartbreak serve`` processes), and a
follower of a live stream that does what the live page does."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from heartbreak.api.front import Front, standalone_config
from heartbreak.api.limits import Limits
from heartbreak.live.service import apply_append
from heartbreak.live.tokens import TokenStore, tokens_path_for

NCHAN = Path("/usr/lib/nginx/modules/ngx_nchan_module.so")
HEARTBREAK = [sys.executable, "-c", "from heartbreak.cli import app; app()"]


def require_nginx() -> str:
    """nginx's path; skips when nginx or its nchan module is missing (``.ci/run`` installs
    both: ``apt-get install nginx-light libnginx-mod-nchan``)."""
    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if nginx is None or not NCHAN.exists():
        pytest.skip("needs nginx with nchan (apt-get install nginx-light libnginx-mod-nchan)")
    return nginx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_listening(port: int, process: subprocess.Popen | None = None, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the process for port {port} exited ({process.returncode})")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on port {port} after {timeout:g} s")


@dataclass
class Deployment:
    """nginx + nchan on ``front.listen``, two web workers, the live owner and its standby, over
    a store (read-only) and a live log in ``root``."""

    db: Path
    root: Path
    limits: Limits = field(default_factory=Limits)
    env: dict[str, str] = field(default_factory=dict)
    nginx: str = ""
    front: Front = field(init=False)
    port: int = field(init=False)
    processes: dict[int, subprocess.Popen] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self.port = free_port()
        self.front = Front(
            listen=f"127.0.0.1:{self.port} backlog=4096",
            web_ports=(free_port(), free_port()),
            live_ports=(free_port(), free_port()),
            publish_port=free_port(),
        )
        self.log = self.root / "live.duckdb"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def token(self, match: str | None = None) -> str:
        return TokenStore(tokens_path_for(self.log)).create(label="tests", live_id=match)[0]

    def _serve(self, port: int, live: bool) -> subprocess.Popen:
        args = [*HEARTBREAK, "serve", "--db", str(self.db), "--port", str(port)]
        args += ["--live-log", str(self.log)]
        if live:
            publish = f"http://127.0.0.1:{self.front.publish_port}/pub"
            args += ["--fanout", "nchan", "--publish-url", publish]
        out = open(self.root / f"serve-{port}.log", "ab")  # noqa: SIM115 (the process keeps it)
        process = subprocess.Popen(
            args, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **self.env}
        )
        self.processes[port] = process
        return process

    def start(self) -> Deployment:
        prefix = self.root / "nginx"
        prefix.mkdir(parents=True, exist_ok=True)
        self.conf = prefix / "nginx.conf"
        self.conf.write_text(standalone_config(self.front, self.limits))
        subprocess.run([self.nginx, "-p", str(prefix), "-c", str(self.conf)], check=True)
        owner, standby = self.front.live_ports
        for web in self.front.web_ports:
            self._serve(web, live=False)
        wait_listening(owner, self._serve(owner, live=True))
        self._serve(standby, live=True)  # waits for the live log: listens only once it owns it
        for web in self.front.web_ports:
            wait_listening(web, self.processes[web])
        wait_listening(self.port)
        return self

    def owner(self) -> int:
        """The port of the live process that listens (the owner of the live log)."""
        for port in self.front.live_ports:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    return port
            except OSError:
                continue
        raise AssertionError("no live process listens")

    def kill(self, port: int) -> None:
        """Kill a process at once (SIGKILL: no clean shutdown), and start it again as its
        service manager would (a live one comes back as the standby)."""
        process = self.processes[port]
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        self._serve(port, live=port in self.front.live_ports)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        prefix = self.root / "nginx"
        subprocess.run(
            [self.nginx, "-p", str(prefix), "-c", str(self.conf), "-s", "stop"], check=False
        )
        pid = prefix / "nginx.pid"
        deadline = time.monotonic() + 10
        while pid.exists() and time.monotonic() < deadline:
            time.sleep(0.1)


def send(client: httpx.Client, url: str, body, headers: dict, timeout: float = 30) -> dict:
    """POST as a feed does: sent again while the live service is taking over (503, or the
    connection fails), until it is accepted; the answer's JSON."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            answer = client.post(url, json=body, headers=headers)
        except httpx.TransportError:
            answer = None
        if answer is not None and answer.status_code not in (502, 503, 504):
            assert answer.is_success, answer.text
            return answer.json()
        assert time.monotonic() < deadline, f"not accepted within {timeout:g} s"
        time.sleep(0.2)


class Follower(threading.Thread):
    """A live stream followed as the live page follows it: a ``state`` frame replaces the
    state; an ``append`` extends it when its ``base`` is the state held, else the state is
    fetched (``GET /api/live/{id}``); ``reconnect_after`` frames, the stream is closed and
    opened again with ``Last-Event-ID`` (as EventSource does after a dropped connection)."""

    def __init__(self, base: str, live_id: str, reconnect_after: int | None = None) -> None:
        super().__init__(daemon=True)
        self.base, self.live_id = base, live_id
        self.reconnect_after = reconnect_after
        self.state: dict | None = None
        self.frames = 0
        self.fetched = 0
        self.reconnected = 0
        self.errors: list[str] = []
        self.done = threading.Event()
        self.connected = threading.Event()
        self._response: httpx.Response | None = None

    def stop(self) -> None:
        """End the stream now (not at its next frame or heartbeat) and wait for the thread."""
        self.done.set()
        if self._response is not None:
            self._response.close()
        self.join(timeout=10)

    @property
    def version(self) -> int | None:
        return None if self.state is None else self.state["live"]["version"]

    def _fetch(self, client: httpx.Client) -> None:
        answer = client.get(f"{self.base}/api/live/{self.live_id}")
        if answer.is_success:
            fetched = answer.json()
            if self.version is None or fetched["live"]["version"] >= self.version:
                self.state = fetched
            self.fetched += 1

    def _frame(self, client: httpx.Client, kind: str, data: str) -> None:
        payload = json.loads(data)
        self.frames += 1
        if kind == "state":
            self.state = payload
        elif kind == "append":
            if self.version is not None and payload["live"]["version"] <= self.version:
                return
            if self.state is not None and payload["base"] == self.version:
                self.state = apply_append(self.state, payload)
            else:
                self._fetch(client)

    def run(self) -> None:
        last_id = None
        with httpx.Client(timeout=httpx.Timeout(10, read=60)) as client:
            while not self.done.is_set():
                headers = {"Accept": "text/event-stream"}
                if last_id is not None:
                    headers["Last-Event-ID"] = last_id
                try:
                    with client.stream(
                        "GET", f"{self.base}/api/live/{self.live_id}/stream", headers=headers
                    ) as stream:
                        self._response = stream
                        if stream.status_code != 200:
                            self.errors.append(f"stream answered {stream.status_code}")
                            return
                        self.connected.set()
                        kind, data, frame_id = "message", [], None
                        for line in stream.iter_lines():
                            if self.done.is_set():
                                return
                            if line == "":
                                if data:
                                    self._frame(client, kind, "\n".join(data))
                                    last_id = frame_id or last_id
                                    if self.reconnect_after and self.frames == self.reconnect_after:
                                        self.reconnected += 1
                                        break
                                kind, data, frame_id = "message", [], None
                            elif line.startswith("event:"):
                                kind = line[6:].strip()
                            elif line.startswith("data:"):
                                data.append(line[5:].removeprefix(" "))
                            elif line.startswith("id:"):
                                frame_id = line[3:].strip()
                except Exception as exc:  # closed by stop(), or a real failure
                    if self.done.is_set():
                        return
                    self.errors.append(f"stream: {exc!r}")
                    time.sleep(0.2)
