"""Fan-out of live frames through a server built for it: nginx with the nchan module.

In the deployment mode (``heartbreak serve --fanout nchan``, ``deploy/``) nginx holds every
subscriber's stream (``GET /api/live/{id}/stream`` is an nchan EventSource location), and the
process that owns the live matches publishes each new state to the match's channel once, with
one HTTP POST to nchan's publisher location: Python does no work per subscriber. nchan keeps a
buffer of the last frames of each channel, so a subscriber that reconnects with
``Last-Event-ID`` is sent the frames it missed, in order, and a new one the latest frame
(``nchan_subscriber_first_message -1``).

Every subscriber of a channel gets the same frame, so the frame is the append when the state
extends the one before (``event: append``, its ``base`` in the JSON) and the whole state
otherwise (``event: state``). A page that holds another state than an append's base fetches
``GET /api/live/{id}`` instead, as it does after any gap. nchan numbers the frames itself
(``id: <time>:<tag>``), so the state's own number travels in the JSON (``live.version``).

nchan answers a publish once it has handed the frame to every subscriber (about a quarter of a
second at 10,000 of them here), so frames are posted by one thread of their own, in the order
they were made: the feed's answer does not wait for the viewers. When frames come faster than
nchan takes them, a frame with a newer one of the same match waiting is skipped, and the newer
one goes out whole (an append only onto the frame posted last): the viewers are at most one
fan-out behind, never a growing queue. A publish that fails (nchan
down or slow) is logged and skipped: the message is already in the
durable log and the state served by ``GET /api/live/{id}`` is right; the next frame reaches the
subscribers, whose pages fetch the state they missed.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import deque
from typing import Protocol
from urllib.parse import quote

log = logging.getLogger("heartbreak.live")

#: Seconds a publish may take before it is given up: nchan answers once every subscriber has
#: the frame, which takes seconds at tens of thousands of them.
PUBLISH_TIMEOUT = 30.0

#: Frames skipped are logged at the first one of a match, then every this many: the viewers are
#: behind as long as it lasts, and one line per frame would flood the log.
SKIPS_REPORTED = 100


class Frame(Protocol):
    """What a fan-out reads of a :class:`heartbreak.live.service.Frame`: its number and its two
    payloads (the whole state's JSON, and the append's when the state extends the one before)."""

    seq: int
    base: int | None
    state_json: bytes
    append_json: bytes | None


class Fanout(Protocol):
    """Where a live service also publishes its frames (see :class:`NchanFanout`)."""

    def publish(self, live_id: str, frame: Frame) -> None: ...

    def end(self, live_id: str) -> None: ...

    def flush(self, timeout: float = 10.0) -> bool: ...

    def close(self) -> None: ...


class NchanFanout:
    """Publish each frame once to ``{publish_url}/{live_id}``, an nchan publisher location.

    The frame's payload is the POST's body and its kind the ``X-EventSource-Event`` header,
    which nchan writes as the EventSource ``event:`` line. Deleting a live match deletes its
    channel, which ends its subscribers' streams. Posts go out from one thread, in order."""

    def __init__(self, publish_url: str, timeout: float = PUBLISH_TIMEOUT) -> None:
        import httpx  # only the deployment mode needs it

        self.publish_url = publish_url.rstrip("/")
        self._http = httpx.Client(timeout=timeout)
        self._errors = (httpx.HTTPError,)
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="nchan-publisher", daemon=True)
        self._thread.start()

    def _url(self, live_id: str) -> str:
        return f"{self.publish_url}/{quote(live_id, safe='')}"

    def publish(self, live_id: str, frame: Frame) -> None:
        append = frame.append_json if frame.base is not None else None
        self._queue.put((live_id, frame.seq, frame.base, frame.state_json, append))

    def end(self, live_id: str) -> None:
        self._queue.put((live_id, None, None, None, None))

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every frame handed over so far is posted; False on timeout."""
        done = threading.Event()
        self._queue.put(done)
        return done.wait(timeout)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=10)
        self._http.close()

    def _run(self) -> None:
        posted: dict[str, int] = {}  # live id → the number of the frame it was posted last
        skipped: dict[str, int] = {}  # live id → frames skipped so far
        waiting: deque = deque()
        while True:
            if not waiting:
                waiting.append(self._queue.get())
            while True:  # everything handed over meanwhile
                try:
                    waiting.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            item = waiting.popleft()
            if item is None:
                return
            if isinstance(item, threading.Event):
                item.set()
                continue
            live_id, seq, base, state, append = item
            if state is None:
                posted.pop(live_id, None)
                skipped.pop(live_id, None)
                self._delete(live_id)
                continue
            if any(isinstance(o, tuple) and o[0] == live_id for o in waiting):
                # a newer frame of this match (or its end) is waiting: this one is past
                skipped[live_id] = count = skipped.get(live_id, 0) + 1
                if count == 1 or count % SKIPS_REPORTED == 0:
                    log.warning(
                        "live %s: frame %d skipped, nchan is slower than the feed"
                        " (%d skipped so far)",
                        live_id,
                        seq,
                        count,
                    )
                continue
            if append is not None and base == posted.get(live_id):
                self._post(live_id, seq, "append", append)
            else:
                self._post(live_id, seq, "state", state)
            posted[live_id] = seq

    def _post(self, live_id: str, seq: int, kind: str, body: bytes) -> None:
        try:
            answer = self._http.post(
                self._url(live_id),
                content=body,
                headers={"X-EventSource-Event": kind, "Content-Type": "application/json"},
            )
        except self._errors as exc:
            log.warning("live %s: frame %d not published to nchan (%s)", live_id, seq, exc)
            return
        if answer.status_code >= 300:
            log.warning(
                "live %s: frame %d refused by nchan (HTTP %d)", live_id, seq, answer.status_code
            )

    def _delete(self, live_id: str) -> None:
        try:
            self._http.delete(self._url(live_id))
        except self._errors as exc:
            log.warning("live %s: channel not deleted from nchan (%s)", live_id, exc)
