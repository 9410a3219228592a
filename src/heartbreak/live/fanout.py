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

A publish that fails (nchan down or slow) is logged and skipped: the message is already in the
durable log and the state served by ``GET /api/live/{id}`` is right; the next frame reaches the
subscribers, whose pages fetch the state they missed.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Protocol
from urllib.parse import quote

if TYPE_CHECKING:
    from heartbreak.live.service import Frame

log = logging.getLogger("heartbreak.live")

#: Seconds a publish may take before it is given up (it holds the match's ingest meanwhile).
PUBLISH_TIMEOUT = 1.0


class Fanout(Protocol):
    """Where a live service also publishes its frames (see :class:`NchanFanout`)."""

    def publish(self, live_id: str, frame: Frame) -> None: ...

    def end(self, live_id: str) -> None: ...

    def close(self) -> None: ...


class NchanFanout:
    """Publish each frame once to ``{publish_url}/{live_id}``, an nchan publisher location.

    The frame's payload is the POST's body and its kind the ``X-EventSource-Event`` header,
    which nchan writes as the EventSource ``event:`` line. Deleting a live match deletes its
    channel, which ends its subscribers' streams."""

    def __init__(self, publish_url: str, timeout: float = PUBLISH_TIMEOUT) -> None:
        import httpx  # only the deployment mode needs it

        self.publish_url = publish_url.rstrip("/")
        self._http = httpx.Client(timeout=timeout)
        self._errors = (httpx.HTTPError,)

    def _url(self, live_id: str) -> str:
        return f"{self.publish_url}/{quote(live_id, safe='')}"

    def publish(self, live_id: str, frame: Frame) -> None:
        kind, body = ("state", frame.state_json)
        if frame.append_json is not None:
            kind, body = ("append", frame.append_json)
        try:
            answer = self._http.post(
                self._url(live_id),
                content=body,
                headers={"X-EventSource-Event": kind, "Content-Type": "application/json"},
            )
        except self._errors as exc:
            log.warning("live %s: frame %d not published to nchan (%s)", live_id, frame.seq, exc)
            return
        if answer.status_code >= 300:
            log.warning(
                "live %s: frame %d refused by nchan (HTTP %d)",
                live_id,
                frame.seq,
                answer.status_code,
            )

    def end(self, live_id: str) -> None:
        try:
            self._http.delete(self._url(live_id))
        except self._errors as exc:
            log.warning("live %s: channel not deleted from nchan (%s)", live_id, exc)

    def close(self) -> None:
        self._http.close()
