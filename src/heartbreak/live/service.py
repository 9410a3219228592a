"""Live matches as a service: create, ingest messages, current state, subscribers, delete.

The state of a live match is a pure function of its definition and its logged messages
(:mod:`heartbreak.live.state`): the JSON of a replay of the match so far
(:meth:`heartbreak.services.MatchReplay.to_dict`, timeline and emotions cut at the clock until
the final whistle), ``"stories"``: the story as each side's fans lived it (team → text; the
side switch of a live page reads it, so a state is encoded once for every subscriber whatever
the side they follow), plus ``"live": {"id", "clock", "finished", "events_received",
"version", "group"}``. The
clock carries what a page needs to run it on between messages (:func:`clock_block`): whether it
is running, since when (the server's time of the message that brought it there), where it
stands on the chart's axis and how far into stoppage it may run.

The service keeps each live match's messages in memory beside the durable log, and the replay
of the last few sets of events that stood (a replay does not depend on the clock): a message
that only moves the clock re-cuts a cached replay instead of replaying the match. Each new
state is encoded once, as JSON and as one Server-Sent Events frame whose ``id`` is the state's
``version``, the number of messages it reflects, and that one :class:`Frame` is handed to every
subscriber.

A live match may name its tournament group (``competition``, ``year``, ``group``: a group the
store models, and one of its fixtures). Its state then holds its stakes, computed from its own
messages and those of the live matches of its group played at the same time (the session's
:meth:`~heartbreak.services.Heartbreak.live_group_stakes`): its ``version`` counts all of them,
and ``live.group`` names the group and those matches. A message to one of them that changes its
events, its cards or its final whistle makes a new state of every other, computed before the
message is logged and published to each one's subscribers.

Two kinds of frame, with the same ``id``:

- ``event: state``: the whole state's JSON, as ``GET /api/live/{id}`` answers it;
- ``event: append``: when the new state is the previous one extended, that is equal but for
  ``timeline`` and each team's ``emotions`` having grown (the old lists exact prefixes of the
  new) and for ``live`` (:func:`extension`), what changed only:
  ``{"base": <id of the previous state>, "timeline": [new points], "emotions": {team: [new
  points]}, "live": {...}}``. A client holding the state of id ``base`` appends the points and
  replaces ``live`` (:func:`apply_append`) to get exactly the new state. A clock tick is such
  an extension (the same replay, cut further on); a change of the events is not.

A frame carries both encodings, each made once for every subscriber: the append when there is
one, and always the whole state. Each subscriber is sent the append only when the last frame it
was sent is the append's base, and the whole state otherwise (it has just connected, or it fell
behind and its :class:`Mailbox` dropped frames): :meth:`Frame.bytes_after`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from heartbreak.domain import Event
from heartbreak.errors import (
    HeartbreakError,
    InvalidInput,
    LimitReached,
    NoSuchMatch,
    UnknownTeam,
)
from heartbreak.live.fanout import Fanout
from heartbreak.live.log import LiveLog, LogHeld
from heartbreak.live.state import (
    Clock,
    LiveDefinition,
    LiveMatch,
    bookings_of_records,
    check_cards,
    check_standing,
    check_two_teams,
    clock_of,
    clock_pause,
    clock_since,
    events_of,
    is_finished,
    live_to_match,
    max_stoppage,
    message_key,
    parse_message,
    standing_records,
)
from heartbreak.rules import Resolve
from heartbreak.services import FollowedMatch

#: Most messages accepted in one request.
MAX_BATCH = 500
#: Replays kept per live match, one per set of events (a retraction goes back to an old set).
REPLAYS_KEPT = 8
#: States a subscriber may fall behind by before it loses the oldest.
QUEUE_SIZE = 64


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
    """The replay JSON with its timeline and emotions cut at the clock (nothing after now).

    The ``timeline`` and ``emotions`` entries are replaced by new containers; the points they
    hold, and every other entry, are shared with ``state``."""
    keep = [i for i, p in enumerate(state["timeline"]) if _visible(p, clock)]
    state["timeline"] = [state["timeline"][i] for i in keep]
    state["emotions"] = {
        team: [points[i] for i in keep] for team, points in state["emotions"].items()
    }
    return state


def clock_elapsed(timeline: Sequence[Mapping[str, Any]], clock: Clock, stopped: bool) -> float:
    """Where the clock stands on the chart's axis (the timeline's ``elapsed``: minutes played,
    stoppage included) of a state's timeline cut at it: the latest point's when the clock is
    stopped at a break (the end of the period is the latest point), else the start of the
    clock's period (the end of the period before it) plus the minutes played in it."""
    if stopped or not timeline:
        return float(timeline[-1]["elapsed"]) if timeline else 0.0
    index = clock.key[0]
    base = 0.0
    for point in timeline:
        if point["kind"] == "period_end" and _point_key(point)[0] < index:
            base = max(base, float(point["elapsed"]))
    start = clock.period.start_minute
    return base + max(0, clock.minute - start) + clock.stoppage


def clock_block(
    clock: Clock,
    pause: str | None,
    since: float | None,
    timeline: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """A state's ``live.clock``: the clock's position (``period``, ``minute``, ``stoppage``,
    ``label``, ``period_over``, ``added``) and how a page runs it on between messages:

    - ``running``: a period is being played (``pause`` is null); else ``pause`` says which
      break it is (:data:`heartbreak.live.state.PAUSES`) and the clock stands still;
    - ``since_ms``: while running, the server's time (milliseconds since the epoch) when the
      clock reached this position, the arrival of the message that brought it there (null when
      stopped, or unknown in an old log);
    - ``end_minute``: the period's last minute; the minutes after it are its stoppage
      (45+1', 45+2', ...);
    - ``max_stoppage``: the stoppage minute it runs on to at most without news from the feed;
    - ``elapsed``: where it stands on the chart's axis (minutes played, stoppage included).

    A minute after ``since_ms`` the clock shows the next minute, and so on."""
    running = pause is None
    out = clock.to_dict()
    out.update(
        running=running,
        pause=pause,
        since_ms=round(since * 1000) if running and since is not None else None,
        end_minute=clock.period.end_minute,
        max_stoppage=max_stoppage(clock),
        elapsed=round(clock_elapsed(timeline, clock, not running), 6),
    )
    return out


@dataclass(frozen=True, slots=True)
class Frame:
    """One update as Server-Sent Events send it, encoded once for every subscriber: ``data``
    is ``id: seq``, ``event: state`` and the whole state's JSON; ``delta``, when the state
    extends the state of id ``base`` (see :func:`extension`), is ``id: seq``,
    ``event: append`` and what changed since that one. ``state_json`` and ``append_json`` are
    the two payloads alone, for a fan-out that frames them itself
    (:mod:`heartbreak.live.fanout`)."""

    seq: int
    data: bytes
    base: int | None = None
    delta: bytes | None = None
    state_json: bytes = b""
    append_json: bytes | None = None

    def bytes_after(self, last: int) -> bytes:
        """What to send a subscriber whose last frame sent had id ``last``: the append frame
        when it builds on exactly that state, else the whole state."""
        if self.delta is not None and self.base == last:
            return self.delta
        return self.data


#: What a subscriber's queue gets to send a heartbeat comment (see :meth:`LiveService.beat`).
HEARTBEAT = Frame(-1, b": heartbeat\n\n")


class Mailbox:
    """A subscriber's frames, oldest first: at most ``size`` of them (a subscriber that falls
    behind loses the oldest frame, never the newest), one reader. Lighter than an
    :class:`asyncio.Queue`, as a publish offers a frame to every subscriber at once."""

    __slots__ = ("_items", "_waiter", "size")

    def __init__(self, size: int = QUEUE_SIZE) -> None:
        self._items: deque[Frame | None] = deque()
        self._waiter: asyncio.Future | None = None
        self.size = size

    def offer(self, item: Frame | None) -> None:
        """Add an item, dropping the oldest when full, and wake the reader (loop thread)."""
        if len(self._items) >= self.size:
            self._items.popleft()
        self._items.append(item)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def empty(self) -> bool:
        return not self._items

    def qsize(self) -> int:
        return len(self._items)

    def get_nowait(self) -> Frame | None:
        if not self._items:
            raise asyncio.QueueEmpty
        return self._items.popleft()

    async def get(self) -> Frame | None:
        while not self._items:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._items.popleft()


class Snapshot(NamedTuple):
    """The current state of a live match: as a dict, as JSON and as an SSE frame (with its
    append frame when it extends the state computed before it)."""

    state: dict[str, Any]
    body: bytes
    frame: Frame


@dataclass(slots=True)
class _Live:
    """A live match in memory: its definition, its messages (keyed as in the log, in arrival
    order), recent replays by what they replay (the events, and for a group match the cards and
    the simultaneous live matches as they stood), and the current snapshot."""

    match: LiveMatch
    messages: dict[str, dict[str, Any]]
    # when each message arrived (by its key; seconds since the epoch, None when unknown)
    received: dict[str, float | None] = field(default_factory=dict)
    replays: OrderedDict[tuple, dict[str, Any]] = field(default_factory=OrderedDict)
    current: Snapshot | None = None
    # the last snapshot computed (``current`` is cleared by a new message; this is not): the
    # base of the next one's append frame
    last: Snapshot | None = None
    # a group match's fixture in the store, and the fixtures played at the same time
    fixture_id: int | None = None
    simultaneous: frozenset[int] = frozenset()
    # what ``messages`` make (None: not worked out yet), kept so that a new message sorts the
    # match's messages once, not three times
    standing: _Standing | None = None


@dataclass(frozen=True, slots=True)
class _Standing:
    """What a live match's messages make: the records and events that stand, its cards (for a
    group's fair play) and whether its final whistle has gone."""

    records: list[dict[str, Any]]
    events: tuple[Event, ...]
    bookings: tuple
    finished: bool


def encode_state(state: Mapping[str, Any]) -> bytes:
    """A state's JSON, as the API answers it (compact UTF-8)."""
    return json.dumps(state, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


def sse_frame(
    seq: int, body: bytes, base: int | None = None, append: Mapping[str, Any] | None = None
) -> Frame:
    """The SSE frame of a state's JSON (one ``data`` line: the JSON has no raw newline), with
    the append frame of ``append`` (an :func:`extension` of the state of id ``base``)."""
    data = b"id: %d\nevent: state\ndata: %s\n\n" % (seq, body)
    if append is None or base is None:
        return Frame(seq, data, state_json=body)
    payload = encode_state({"base": base, **append})
    delta = b"id: %d\nevent: append\ndata: %s\n\n" % (seq, payload)
    return Frame(seq, data, base, delta, body, payload)


#: The entries of a state that an append frame carries; every other entry must be unchanged.
GROWING = ("timeline", "emotions", "live")


def _grown(old: list, new: list) -> list | None:
    """The items appended to ``old`` to make ``new``, or None when ``old`` is not a prefix of
    ``new`` (the points of a re-cut replay are the same objects: the comparison of each is an
    identity check)."""
    n = len(old)
    if len(new) < n or new[:n] != old:
        return None
    return new[n:]


def extension(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any] | None:
    """What an append frame carries from ``old`` to ``new`` (``{"timeline", "emotions",
    "live"}``: the new points and the new ``live``), or None when ``new`` is not ``old``
    extended: when any entry but those three differs, or a team's emotions or the timeline do
    not start with the old list. (The entries of a replay re-cut at a new clock are the same
    objects, so the check is cheap; equal copies pass too.)"""
    if old.keys() != new.keys() or not all(key in new for key in GROWING):
        return None
    for key, value in new.items():
        if key not in GROWING and value is not old[key] and value != old[key]:
            return None
    timeline = _grown(old["timeline"], new["timeline"])
    if timeline is None:
        return None
    old_emotions, new_emotions = old["emotions"], new["emotions"]
    if old_emotions.keys() != new_emotions.keys():
        return None
    emotions = {}
    for team, points in new_emotions.items():
        grown = _grown(old_emotions[team], points)
        if grown is None:
            return None
        emotions[team] = grown
    return {"timeline": timeline, "emotions": emotions, "live": new["live"]}


def apply_append(state: Mapping[str, Any], append: Mapping[str, Any]) -> dict[str, Any]:
    """The state an append frame's data makes of the state of id ``append["base"]`` (a new
    dict; ``state`` is not changed): the timeline and each team's emotions extended, ``live``
    replaced."""
    out = dict(state)
    out["timeline"] = [*state["timeline"], *append["timeline"]]
    out["emotions"] = {
        team: [*points, *append["emotions"].get(team, ())]
        for team, points in state["emotions"].items()
    }
    out["live"] = append["live"]
    return out


class LiveService:
    """Live matches over one session (ratings and models) and one durable log."""

    def __init__(
        self,
        session,
        log_path: str | Path,
        now: Callable[[], float] = time.time,
        fanout: Fanout | None = None,
    ) -> None:
        self.session = session
        # Where each frame is also published once, for subscribers held by another server
        # (None: only this process's subscribers).
        self.fanout = fanout
        self.now = now  # the server's clock (seconds since the epoch): when messages arrive
        self.log_path = Path(log_path)
        self._log: LiveLog | None = None
        self._lock = threading.Lock()  # the log handle and the subscriber lists
        # Every change (ingest, delete, loading a match into memory) holds this one, so
        # states are computed and published in order.
        self._ingesting = threading.RLock()
        self._live: dict[str, _Live] = {}
        # a tournament group (competition, year, group) → its live matches' ids (built from the
        # log on first use)
        self._groups: dict[tuple[str, int, str], set[str]] | None = None
        # live id → event loop → the queues of that loop's subscribers (replaced, never
        # changed in place, so a publish can hand the tuple over without copying it)
        self._subscribers: dict[str, dict[asyncio.AbstractEventLoop, tuple[Mailbox, ...]]]
        self._subscribers = {}
        self._beating: dict[asyncio.AbstractEventLoop, asyncio.Task] = {}
        # Limits (None: none): live matches held at once, distinct messages per live match.
        self.max_matches: int | None = None
        self.max_messages: int | None = None

    @property
    def log(self) -> LiveLog:
        """The durable log, opened (and created) on first use."""
        with self._lock:
            if self._log is None:
                self._log = LiveLog(self.log_path)
            return self._log

    def hold_log(self, poll: float = 0.25) -> None:
        """Open the log, waiting while another process holds it: a standby owner of the live
        matches takes over the moment the owner dies (the lock goes with its process)."""
        while True:
            try:
                self.log  # noqa: B018  (opened here, or the error says who holds it)
                return
            except LogHeld:
                time.sleep(poll)

    def close(self) -> None:
        """Close the log; every subscriber's stream ends."""
        with self._ingesting, self._lock:
            if self._log is not None:
                self._log.close()
                self._log = None
            self._live.clear()
            subscribers, self._subscribers = self._subscribers, {}
        for loops in subscribers.values():
            _hand_over(loops, None)
        if self.fanout is not None:
            self.fanout.close()

    # --- matches ---
    def create(self, match: LiveMatch | LiveDefinition | Mapping[str, Any]) -> str:
        """Register a live match; missing ratings are the store's as of its date. Before
        anything is logged, the definition is held to :class:`heartbreak.live.state.
        LiveDefinition` (its shape, and the limits of :mod:`heartbreak.rules`: ratings in range,
        text within its limits; already, for a validated one), then to what needs the store:
        two teams, not one under two names (:func:`~heartbreak.live.state.check_two_teams`,
        through the session's names and aliases), names the store knows when it gives the
        ratings."""
        resolve = self._resolver()
        if isinstance(match, LiveDefinition):
            live = LiveMatch.of(match)
        else:
            live = LiveMatch.from_dict(match.to_dict() if isinstance(match, LiveMatch) else match)
        check_two_teams(live, resolve)
        definition = live.to_dict()
        grouped = live.group is not None
        if live.elo_home is None or live.elo_away is None or grouped:
            for side in ("home", "away"):
                if definition[f"elo_{side}"] is None or grouped:
                    try:
                        team = self.session.resolve_team(definition[side], live.date)
                    except UnknownTeam as exc:
                        raise UnknownTeam(exc.name, exc.suggestions, field=side) from None
                    definition[side] = team
                    if definition[f"elo_{side}"] is None:
                        definition[f"elo_{side}"] = self.session.team_rating(team, live.date)
        fixture = None
        if grouped:
            edition, fixture = self.session.group_fixture(
                live.competition,
                live.year,
                live.group,
                definition["home"],
                definition["away"],
                live.date,
            )
            definition.update(
                competition=edition.competition,
                year=edition.year,
                group=fixture.group,
                stage=live.stage or fixture.group,
            )
        live = LiveMatch.from_dict(definition)
        check_two_teams(live, resolve)
        live_id = uuid.uuid4().hex[:12]
        with self._ingesting:
            self._check_matches()
            groups = self._group_index()
            self.log.create_match(live_id, live.to_dict())
            entry = _Live(live, {}, {})
            if fixture is not None:
                self._place(entry, fixture.match_id)
                groups.setdefault(live.group_key, set()).add(live_id)
            self._live[live_id] = entry
            if self.fanout is not None:  # the channel exists (and has its state) from now on
                self.fanout.publish(live_id, self._snapshot(live_id, entry).frame)
                self.fanout.flush(timeout=5.0)
        return live_id

    def _place(self, entry: _Live, fixture_id: int) -> None:
        """Tie a group match's entry to its fixture, and to the fixtures played with it."""
        entry.fixture_id = fixture_id
        entry.simultaneous = self.session.simultaneous_fixtures(fixture_id)

    def _group_index(self) -> dict[tuple[str, int, str], set[str]]:
        """The live matches of each tournament group (hold ``_ingesting``)."""
        if self._groups is None:
            groups: dict[tuple[str, int, str], set[str]] = {}
            for live_id, definition in self.log.matches():
                key = LiveMatch.from_dict(definition).group_key
                if key is not None:
                    groups.setdefault(key, set()).add(live_id)
            self._groups = groups
        return self._groups

    def _played_with(self, live_id: str, entry: _Live) -> list[tuple[str, _Live]]:
        """The other live matches of a group match's group played at the same time, by id
        (hold ``_ingesting``)."""
        key = entry.match.group_key
        if key is None or entry.fixture_id is None:
            return []
        out = []
        for other_id in sorted(self._group_index().get(key, ()) - {live_id}):
            try:
                other = self._entry(other_id)
            except NoSuchMatch:  # deleted meanwhile
                continue
            if other.fixture_id in entry.simultaneous:
                out.append((other_id, other))
        return out

    def _resolver(self) -> Resolve | None:
        """What tells a team from itself through the session's names and aliases (None for a
        session that resolves no names)."""
        resolve_team = getattr(self.session, "resolve_team", None)
        if resolve_team is None:
            return None

        def resolve(name: str, day: dt.date | None = None) -> str | None:
            try:
                return resolve_team(name, day)
            except UnknownTeam:
                return None

        return resolve

    def _check_matches(self) -> None:
        """Refuse a new live match when as many as allowed are held (hold ``_ingesting``)."""
        if self.max_matches is not None and len(self.log.matches()) >= self.max_matches:
            raise LimitReached(
                f"the server holds {self.max_matches} live matches, its limit"
                " (HEARTBREAK_LIVE_MAX_MATCHES); delete one first"
            )

    def _check_room(self, entry: _Live, messages: Sequence[Mapping[str, Any]]) -> None:
        """Refuse messages that would take a live match past the messages it may keep (the
        ones already kept do not count again)."""
        if self.max_messages is None:
            return
        new = {message_key(m) for m in messages} - entry.messages.keys()
        if len(entry.messages) + len(new) > self.max_messages:
            raise LimitReached(
                f"events: this live match keeps at most {self.max_messages} messages"
                f" (HEARTBREAK_LIVE_MAX_MESSAGES); it has {len(entry.messages)}",
                413,
            )

    def _entry(self, live_id: str) -> _Live:
        """A live match in memory, read from the log on first use."""
        live_id = str(live_id)
        entry = self._live.get(live_id)
        if entry is not None:
            return entry
        with self._ingesting:
            entry = self._live.get(live_id)
            if entry is None:
                definition = self.log.match(live_id)
                if definition is None:
                    raise NoSuchMatch(f"live_id: no live match {live_id!r}", field="live_id")
                messages = dict(self.log.keyed_messages(live_id))
                received = self.log.received(live_id)
                live = LiveMatch.from_dict(definition)
                entry = _Live(live, messages, received)
                if live.group_key is not None:
                    _, fixture = self.session.group_fixture(
                        live.competition, live.year, live.group, live.home, live.away, live.date
                    )
                    self._place(entry, fixture.match_id)
                self._live[live_id] = entry
            return entry

    def match(self, live_id: str) -> LiveMatch:
        return self._entry(live_id).match

    def list(self) -> list[dict[str, Any]]:
        """Every live match: id, teams, date, score, clock (as in its state, running on
        between messages), finished, events received."""
        out = []
        for live_id, _ in self.log.matches():
            try:
                entry = self._entry(live_id)
                state = self.snapshot(live_id).state
            except NoSuchMatch:  # deleted meanwhile
                continue
            live = entry.match
            out.append(
                {
                    "id": live_id,
                    "home": live.home,
                    "away": live.away,
                    "date": live.date.isoformat(),
                    "score": state["match"]["score"],
                    "clock": state["live"]["clock"],
                    "finished": state["live"]["finished"],
                    "events_received": state["live"]["events_received"],
                }
            )
        return out

    def delete(self, live_id: str) -> None:
        """Remove a live match and its messages from the log; its subscribers' streams end."""
        live_id = str(live_id)
        with self._ingesting:
            self._entry(live_id)  # NoSuchMatch when unknown
            self.log.delete_match(live_id)
            self._live.pop(live_id, None)
            with self._lock:
                subscribers = self._subscribers.pop(live_id, {})
            _hand_over(subscribers, None)
            if self.fanout is not None:
                self.fanout.end(live_id)

    # --- ingest ---
    def _admit(
        self, live_id: str, entry: _Live, batch: Sequence[dict[str, Any]]
    ) -> tuple[Snapshot, bool]:
        """Admit canonical messages (hold ``_ingesting``): those not kept yet are held to the
        laws of the game together with every message kept (:func:`check_standing`), the state
        they make is computed, and only then are they logged, in one transaction. A message
        refused, or whose state cannot be computed, is never logged and leaves the state and
        the subscribers as they were. The snapshot, and whether any message was new."""
        new: dict[str, dict[str, Any]] = {}
        for message in batch:
            key = message_key(message)
            if key not in entry.messages:
                new.setdefault(key, message)
        if not new:
            return self._snapshot(live_id, entry), False
        at = self.now()
        messages = {**entry.messages, **new}
        received = {**entry.received, **dict.fromkeys(new, at)}
        standing = _standing_of(entry.match, messages)
        try:
            check_standing(entry.match, standing.events)
            check_cards(standing.records)
        except InvalidInput as exc:
            raise _located(exc, batch) from None
        # The live matches of the group played at the same time: their stakes move with this
        # match's goals and cards, so their states are computed anew (before anything is
        # logged, like this match's own).
        others: list[tuple[str, _Live, Snapshot]] = []
        try:
            snapshot = self._compute(live_id, entry, messages, received, standing)
            if _moves_others(self._standing(entry), standing):
                pending = {live_id: (standing, len(messages))}
                for other_id, other in self._played_with(live_id, entry):
                    state = self._compute(
                        other_id,
                        other,
                        other.messages,
                        other.received,
                        self._standing(other),
                        pending,
                    )
                    others.append((other_id, other, state))
        except HeartbreakError:
            raise
        except Exception as exc:  # refused rather than logged: it would poison every read
            raise InvalidInput(
                f"type: the match cannot be replayed with this message ({type(exc).__name__})",
                field="type",
            ) from None
        self.log.append_many(live_id, [(key, message, at) for key, message in new.items()])
        entry.messages = messages
        entry.received = received
        entry.standing = standing
        entry.current = entry.last = snapshot
        for other_id, other, state in others:
            other.current = other.last = state
            self.publish(other_id, state.frame)
        return snapshot, True

    def _standing(self, entry: _Live) -> _Standing:
        """What a live match's messages kept make (hold ``_ingesting``)."""
        if entry.standing is None:
            entry.standing = _standing_of(entry.match, entry.messages)
        return entry.standing

    def append(self, live_id: str, message: Mapping[str, Any]) -> bool:
        """Validate one message, compute the state it makes and log it (as :meth:`ingest`,
        which also returns the state); True when it was new."""
        live_id = str(live_id)
        canonical = parse_message(self.match(live_id), message)
        with self._ingesting:
            entry = self._entry(live_id)
            self._check_room(entry, [canonical])
            snapshot, new = self._admit(live_id, entry, [canonical])
            if new:
                self.publish(live_id, snapshot.frame)
            return new

    def ingest(
        self, live_id: str, message: Mapping[str, Any] | Sequence[Mapping[str, Any]]
    ) -> dict[str, Any]:
        """Log one message (or a list, all validated, held to the laws of the game and their
        state computed before any is logged) and return the new state; subscribers get it when
        anything changed."""
        return self.ingest_snapshot(live_id, message).state

    def ingest_snapshot(
        self, live_id: str, message: Mapping[str, Any] | Sequence[Mapping[str, Any]]
    ) -> Snapshot:
        """As :meth:`ingest`, the new state with its JSON and SSE frame."""
        live_id = str(live_id)
        live = self.match(live_id)
        batch = [message] if isinstance(message, Mapping) else list(message)
        if not batch:
            raise InvalidInput("events: at least one message is required", field="events")
        if len(batch) > MAX_BATCH:
            raise InvalidInput(f"events: at most {MAX_BATCH} messages at once", field="events")
        canonical = []
        for i, raw in enumerate(batch):
            try:
                canonical.append(parse_message(live, raw))
            except InvalidInput as exc:
                if len(batch) == 1:
                    raise
                raise InvalidInput(f"{exc.message} (message {i})", field=exc.field) from None
        with self._ingesting:
            entry = self._entry(live_id)
            self._check_room(entry, canonical)
            snapshot, new = self._admit(live_id, entry, canonical)
            if new:
                self.publish(live_id, snapshot.frame)
        return snapshot

    # --- state ---
    def state(self, live_id: str) -> dict[str, Any]:
        """The current state of a live match (recomputed only when the log changed)."""
        return self.snapshot(live_id).state

    def snapshot(self, live_id: str) -> Snapshot:
        """The current state with its JSON and SSE frame."""
        live_id = str(live_id)
        entry = self._entry(live_id)
        current = entry.current
        if current is not None:
            return current
        with self._ingesting:
            return self._snapshot(live_id, self._entry(live_id))

    def snapshot_if_ready(self, live_id: str) -> Snapshot | None:
        """The current snapshot when it needs no computing, else None."""
        return self._entry(live_id).current

    def _snapshot(self, live_id: str, entry: _Live) -> Snapshot:
        """The entry's current snapshot, computed when missing (hold ``_ingesting``)."""
        if entry.current is not None:
            return entry.current
        snapshot = self._compute(
            live_id, entry, entry.messages, entry.received, self._standing(entry)
        )
        entry.current = entry.last = snapshot
        return snapshot

    def _compute(
        self,
        live_id: str,
        entry: _Live,
        messages: Mapping[str, Mapping[str, Any]],
        received_at: Mapping[str, float | None],
        standing: _Standing,
        pending: Mapping[str, tuple[_Standing, int]] | None = None,
    ) -> Snapshot:
        """The snapshot of a live match with these messages (keyed, with their arrival times)
        and what stands among them; ``pending``: the live matches of its group whose new
        messages are not kept yet (id → what they make, and their number). The entry's replays
        are a cache, nothing else of it changes (hold ``_ingesting``)."""
        live = entry.match
        records, events, finished = standing.records, standing.events, standing.finished
        clock = clock_of(records)
        version = len(messages)
        group: list[FollowedMatch] = []
        key: tuple = events
        others = self._played_with(live_id, entry)
        if entry.fixture_id is not None:
            pending = pending or {}
            played_with = []
            for other_id, other in others:
                theirs, count = pending.get(other_id) or (
                    self._standing(other),
                    len(other.messages),
                )
                played_with.append((other, theirs))
                version += count
            group = [_followed(entry, standing)]
            group += [_followed(other, theirs) for other, theirs in played_with]
            key = (
                events,
                standing.bookings,
                tuple((f.fixture_id, f.match.events, f.bookings, f.finished) for f in group[1:]),
            )
        replay = entry.replays.get(key)
        if replay is None:
            match = live_to_match(live, events)
            # Until the final whistle the story and the metrics are told so far (as the match
            # stood after its latest event): they depend on the events only (and for a group
            # match on the cards and the simultaneous live matches), like this cache.
            grouped = {"group": group} if group else {}
            told = self.session.replay_match(
                match, live.elo_home, live.elo_away, in_progress=not finished, **grouped
            )
            replay = told.to_dict()
            replay["stories"] = told.stories()
            entry.replays[key] = replay
            while len(entry.replays) > REPLAYS_KEPT:
                entry.replays.popitem(last=False)
        else:
            entry.replays.move_to_end(key)
        state = dict(replay)
        if not finished:
            state = cut_at_clock(state, clock)
        received = len(messages)
        pause = clock_pause(live, records, events, clock)
        since = clock_since(messages, received_at, records) if pause is None else None
        state["live"] = {
            "id": live_id,
            "clock": clock_block(clock, pause, since, state["timeline"]),
            "finished": finished,
            "events_received": received,
            "version": version,
            "group": _group_block(live, [other_id for other_id, _ in others]),
        }
        body = encode_state(state)
        previous = entry.last
        append = None if previous is None else extension(previous.state, state)
        base = None if previous is None else previous.frame.seq
        return Snapshot(state, body, sse_frame(version, body, base, append))

    # --- pub/sub ---
    def subscribe(self, live_id: str) -> Mailbox:
        """A mailbox that receives the :class:`Frame` of every new state of a live match,
        :data:`HEARTBEAT` when :meth:`beat` says so, and ``None`` when the match is deleted
        (call from the event loop)."""
        live_id = str(live_id)
        self._entry(live_id)
        queue = Mailbox(QUEUE_SIZE)
        loop = asyncio.get_running_loop()
        with self._lock:
            loops = self._subscribers.setdefault(live_id, {})
            loops[loop] = (*loops.get(loop, ()), queue)
        try:
            self._entry(live_id)  # deleted meanwhile: its end was handed out before this queue
        except NoSuchMatch:
            self.unsubscribe(live_id, queue)
            raise
        return queue

    def unsubscribe(self, live_id: str, queue: Mailbox) -> None:
        with self._lock:
            loops = self._subscribers.get(str(live_id), {})
            for loop, queues in list(loops.items()):
                if queue in queues:
                    rest = tuple(q for q in queues if q is not queue)
                    if rest:
                        loops[loop] = rest
                    else:
                        del loops[loop]
            if not loops:
                self._subscribers.pop(str(live_id), None)

    def beat(self) -> int:
        """Offer a heartbeat to every subscriber of the running loop with nothing queued;
        how many subscribers the loop has."""
        loop = asyncio.get_running_loop()
        with self._lock:
            groups = [loops.get(loop, ()) for loops in self._subscribers.values()]
        for queues in groups:
            for queue in queues:
                if queue.empty():
                    queue.offer(HEARTBEAT)
        return sum(map(len, groups))

    def keep_beating(self, every: Callable[[], float]) -> None:
        """Make sure the running loop has one task offering heartbeats every ``every()``
        seconds to its subscribers, until it has none (one timer for all, not one each)."""
        loop = asyncio.get_running_loop()
        task = self._beating.get(loop)
        if task is None or task.done():
            self._beating[loop] = loop.create_task(self._beats(every))

    async def _beats(self, every: Callable[[], float]) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                await asyncio.sleep(every())
                if not self.beat():
                    return
        finally:
            if self._beating.get(loop) is asyncio.current_task():
                del self._beating[loop]

    def subscribers(self, live_id: str) -> int:
        """How many subscribers a live match has."""
        with self._lock:
            return sum(len(q) for q in self._subscribers.get(str(live_id), {}).values())

    def publish(self, live_id: str, frame: Frame) -> None:
        """Hand a frame to every subscriber of the match, from any thread: one call per event
        loop, whatever the number of subscribers; and to the fan-out, once (called in the order
        of the states, under ``_ingesting``)."""
        if self.fanout is not None:
            self.fanout.publish(str(live_id), frame)
        with self._lock:
            loops = dict(self._subscribers.get(str(live_id), {}))
        for loop in _hand_over(loops, frame):
            with self._lock:
                self._subscribers.get(str(live_id), {}).pop(loop, None)


def _standing_of(live: LiveMatch, messages: Mapping[str, Mapping[str, Any]]) -> _Standing:
    """What keyed messages make of a live match."""
    records = standing_records(messages)
    events = events_of(records)
    return _Standing(records, events, bookings_of_records(live, records), is_finished(live, events))


def _moves_others(before: _Standing, after: _Standing) -> bool:
    """Whether new messages change what a group's other matches read of this one: its events,
    its cards or its final whistle (a clock update does not)."""
    return (before.events, before.bookings, before.finished) != (
        after.events,
        after.bookings,
        after.finished,
    )


def _followed(entry: _Live, standing: _Standing) -> FollowedMatch:
    """A group match followed live, as its messages make it (for the session's stakes)."""
    live = entry.match
    return FollowedMatch(
        entry.fixture_id,
        live_to_match(live, standing.events),
        live.elo_home,
        live.elo_away,
        standing.bookings,
        standing.finished,
    )


def _group_block(live: LiveMatch, played_with: Sequence[str]) -> dict[str, Any] | None:
    """A state's ``live.group``: the tournament group of a group match and the ids of the live
    matches of the group played at the same time (null outside a group)."""
    if live.group_key is None:
        return None
    return {
        "competition": live.competition,
        "year": live.year,
        "group": live.group,
        "played_with": list(played_with),
    }


def _located(error: InvalidInput, batch: Sequence[Mapping[str, Any]]) -> InvalidInput:
    """A rule's error with the position of the message it is about, in a list of several."""
    event_id = getattr(error, "event_id", None)
    if len(batch) > 1:
        for i, message in enumerate(batch):
            if message.get("event_id") == event_id:
                return InvalidInput(f"{error.message} (message {i})", field=error.field)
    return InvalidInput(error.message, field=error.field)


def _hand_over(
    loops: Mapping[asyncio.AbstractEventLoop, tuple[Mailbox, ...]], item: Frame | None
) -> list[asyncio.AbstractEventLoop]:
    """Offer an item to queues, one call per loop; the loops that have closed."""
    closed = []
    for loop, queues in loops.items():
        try:
            loop.call_soon_threadsafe(_offer_all, queues, item)
        except RuntimeError:  # the subscribers' loop has closed
            closed.append(loop)
    return closed


def _offer_all(queues: tuple[Mailbox, ...], item: Frame | None) -> None:
    """Offer an item to mailboxes (on their loop's thread)."""
    for queue in queues:
        queue.offer(item)
