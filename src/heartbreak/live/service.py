"""Live matches as a service: create, ingest messages, current state, and subscribers.

The state of a live match is a pure function of its definition and its logged messages
(:mod:`heartbreak.live.state`): the JSON of a replay of the match so far
(:meth:`heartbreak.services.MatchReplay.to_dict`, timeline and emotions cut at the clock until
the final whistle) plus ``"live": {"id", "clock", "finished", "events_received"}``.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from heartbreak.errors import InvalidInput, NoSuchMatch
from heartbreak.live.log import LiveLog
from heartbreak.live.state import (
    Clock,
    LiveMatch,
    current_clock,
    effective_events,
    is_finished,
    live_to_match,
    message_key,
    parse_message,
)

#: Most messages accepted in one request.
MAX_BATCH = 500


def _point_key(point: Mapping[str, Any]) -> tuple[int, int, int]:
    order = ("first_half", "second_half", "extra_time_first_half", "extra_time_second_half")
    period = point["period"]
    index = order.index(period) if period in order else len(order)
    return (index, point["minute"], point["stoppage"])


def _visible(point: Mapping[str, Any], clock: Clock) -> bool:
    """Whether a point of the replay has been reached by the clock."""
    if point["kind"] == "final_whistle" or point["period"] == "shootout":
        return False
    index, minute, stoppage = _point_key(point)
    clock_index = clock.key[0]
    if index != clock_index:
        return index < clock_index
    if point["kind"] == "period_end":
        return clock.period_over
    return (minute, stoppage) <= (clock.minute, clock.stoppage)


def cut_at_clock(state: dict[str, Any], clock: Clock) -> dict[str, Any]:
    """The replay JSON with its timeline and emotions cut at the clock (nothing after now)."""
    keep = [i for i, p in enumerate(state["timeline"]) if _visible(p, clock)]
    state["timeline"] = [state["timeline"][i] for i in keep]
    state["emotions"] = {
        team: [points[i] for i in keep] for team, points in state["emotions"].items()
    }
    return state


class LiveService:
    """Live matches over one session (ratings and models) and one durable log."""

    def __init__(self, session, log_path: str | Path) -> None:
        self.session = session
        self.log_path = Path(log_path)
        self._log: LiveLog | None = None
        self._lock = threading.Lock()
        self._ingesting = threading.Lock()  # one ingest at a time: states publish in order
        self._subscribers: dict[str, list[tuple[asyncio.AbstractEventLoop, asyncio.Queue]]] = {}
        self._cache: dict[str, tuple[str, dict[str, Any]]] = {}

    @property
    def log(self) -> LiveLog:
        """The durable log, opened (and created) on first use."""
        with self._lock:
            if self._log is None:
                self._log = LiveLog(self.log_path)
            return self._log

    def close(self) -> None:
        with self._lock:
            if self._log is not None:
                self._log.close()
                self._log = None

    # --- matches ---
    def create(self, match: LiveMatch | Mapping[str, Any]) -> str:
        """Register a live match; missing ratings are the store's as of its date."""
        live = match if isinstance(match, LiveMatch) else LiveMatch.from_dict(match)
        definition = live.to_dict()
        if live.elo_home is None or live.elo_away is None:
            for side in ("home", "away"):
                if definition[f"elo_{side}"] is None:
                    team = self.session.resolve_team(definition[side], live.date)
                    definition[side] = team
                    definition[f"elo_{side}"] = self.session.team_rating(team, live.date)
        live = LiveMatch.from_dict(definition)
        live_id = uuid.uuid4().hex[:12]
        self.log.create_match(live_id, live.to_dict())
        return live_id

    def match(self, live_id: str) -> LiveMatch:
        definition = self.log.match(str(live_id))
        if definition is None:
            raise NoSuchMatch(f"live_id: no live match {live_id!r}")
        return LiveMatch.from_dict(definition)

    def list(self) -> list[dict[str, Any]]:
        """Every live match: id, teams, date, score, clock, finished, events received."""
        out = []
        for live_id, definition in self.log.matches():
            live = LiveMatch.from_dict(definition)
            messages = self.log.messages(live_id)
            events = effective_events(messages)
            match = live_to_match(live, events)
            out.append(
                {
                    "id": live_id,
                    "home": live.home,
                    "away": live.away,
                    "date": live.date.isoformat(),
                    "score": {"home": match.home_score, "away": match.away_score},
                    "clock": current_clock(messages).to_dict(),
                    "finished": is_finished(live, events),
                    "events_received": len(messages),
                }
            )
        return out

    # --- ingest ---
    def append(self, live_id: str, message: Mapping[str, Any]) -> bool:
        """Validate and log one message; True when it was new (no state is computed)."""
        live = self.match(live_id)
        canonical = parse_message(live, message)
        return self.log.append(str(live_id), message_key(canonical), canonical)

    def ingest(
        self, live_id: str, message: Mapping[str, Any] | Sequence[Mapping[str, Any]]
    ) -> dict[str, Any]:
        """Log one message (or a list, all validated before any is logged) and return the new
        state; subscribers get it when anything changed."""
        live = self.match(live_id)
        batch = [message] if isinstance(message, Mapping) else list(message)
        if not batch:
            raise InvalidInput("events: at least one message is required")
        if len(batch) > MAX_BATCH:
            raise InvalidInput(f"events: at most {MAX_BATCH} messages at once")
        canonical = []
        for i, raw in enumerate(batch):
            try:
                canonical.append(parse_message(live, raw))
            except InvalidInput as exc:
                if len(batch) == 1:
                    raise
                raise InvalidInput(f"{exc.message} (message {i})") from None
        with self._ingesting:
            new = False
            for item in canonical:
                new = self.log.append(str(live_id), message_key(item), item) or new
            state = self.state(live_id)
            if new:
                self.publish(live_id, state)
        return state

    # --- state ---
    def state(self, live_id: str) -> dict[str, Any]:
        """The current state of a live match (recomputed only when the log changed)."""
        live = self.match(live_id)
        messages = self.log.messages(str(live_id))
        events = effective_events(messages)
        clock = current_clock(messages)
        finished = is_finished(live, events)
        key = message_key(
            {
                "events": [repr(e) for e in events],
                "clock": clock.to_dict(),
                "n": len(messages),
            }
        )
        with self._lock:
            cached = self._cache.get(live_id)
        if cached is not None and cached[0] == key:
            return cached[1]
        match = live_to_match(live, events)
        replay = self.session.replay_match(match, live.elo_home, live.elo_away)
        state = replay.to_dict()
        if not finished:
            state = cut_at_clock(state, clock)
        state["live"] = {
            "id": str(live_id),
            "clock": clock.to_dict(),
            "finished": finished,
            "events_received": len(messages),
        }
        with self._lock:
            self._cache[live_id] = (key, state)
        return state

    # --- pub/sub ---
    def subscribe(self, live_id: str) -> asyncio.Queue:
        """A queue that receives every new state of a live match (call from the event loop)."""
        self.match(live_id)
        queue: asyncio.Queue = asyncio.Queue(maxsize=64)
        with self._lock:
            self._subscribers.setdefault(live_id, []).append((asyncio.get_running_loop(), queue))
        return queue

    def unsubscribe(self, live_id: str, queue: asyncio.Queue) -> None:
        with self._lock:
            entries = self._subscribers.get(live_id, [])
            self._subscribers[live_id] = [(lp, q) for lp, q in entries if q is not queue]

    def publish(self, live_id: str, state: dict[str, Any]) -> None:
        """Hand a state to every subscriber of the match, from any thread."""
        with self._lock:
            entries = list(self._subscribers.get(live_id, []))
        for loop, queue in entries:
            try:
                loop.call_soon_threadsafe(_offer, queue, state)
            except RuntimeError:  # the subscriber's loop has closed
                self.unsubscribe(live_id, queue)


def _offer(queue: asyncio.Queue, state: dict[str, Any]) -> None:
    """Put a state on a queue; a slow subscriber loses the oldest state, never the newest."""
    if queue.full():
        queue.get_nowait()
    queue.put_nowait(state)
