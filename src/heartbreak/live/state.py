"""The pure core of live mode: a live match's definition and the fold of its message log.

A live feed sends *messages*, each keyed by the sender's ``event_id``:

- ``goal``, ``red_card``, ``shootout`` (the shootout's winner), ``period_end`` (half-time, full
  time, extra-time half-time, end of extra time) and ``stoppage`` (minutes added announced):
  an event, version 1 unless ``version`` says otherwise;
- ``period_start`` (``period``: a period kicks off) and ``clock`` (``minute``, optional
  ``stoppage`` and ``period``: the feed's time update): they move the clock and nothing else,
  they are not events; sent again under the same ``event_id`` (or under new ones), the
  furthest position stands;
- ``correction``: a new version (``version`` ≥ 2) of an event, carrying only the fields that
  change (minute, stoppage, side, player, own_goal, penalty, added);
- ``retraction``: the event (or clock update) is removed (as after a VAR review), whenever it
  arrives.

:func:`effective_events` folds any collection of messages into the events that stand, so the
same set of messages replays to the same events whatever their order or repetition.
:func:`current_clock` is the furthest match time of everything that stands: events, period
ends and starts, stoppage announcements and clock updates alike (a clock update never takes
the clock back; retract it to do so). ``stoppage``, ``period_start`` and ``clock`` never reach
the events, so they change what is visible (the replay cut at the clock), never the
probabilities.
No files, no clock, no store: messages in, domain objects out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from pydantic import ValidationError

from heartbreak.domain import Event, EventType, Match, MatchInfo, Period, Side, minute_label
from heartbreak.errors import InvalidInput
from heartbreak.rules import (
    MAX_EVENT_ID,
    MAX_STOPPAGE,
    SHOOTOUT_OUTSIDE_KNOCKOUT,
    MatchHeader,
    RuleBroken,
    Text,
    check_events,
    check_text,
    extra_time_outside_knockout,
    invalid_input,
)

#: Message types that create an event (version 1 by default).
EVENT_TYPES = ("goal", "red_card", "period_end", "stoppage", "shootout")
#: Message types that only move the clock (version 1 by default; the furthest stands).
CLOCK_TYPES = ("period_start", "clock")
#: Every message type.
MESSAGE_TYPES = (*EVENT_TYPES, *CLOCK_TYPES, "correction", "retraction")
#: Record types that stand but are not events of the match.
_NOT_EVENTS = ("stoppage", *CLOCK_TYPES)
#: Fields a correction may change.
CORRECTABLE = ("minute", "stoppage", "side", "player", "own_goal", "penalty", "added")
_PLAY_PERIODS = (Period.FIRST_HALF, Period.SECOND_HALF, Period.EXTRA_FIRST, Period.EXTRA_SECOND)
_MAX_STOPPAGE = MAX_STOPPAGE


@dataclass(frozen=True, slots=True)
class LiveMatch:
    """What is known before kick-off of a live match; ratings default to the store's."""

    home: str
    away: str
    date: dt.date
    neutral: bool = False
    knockout: bool = False
    competition: str = "Friendly"
    stage: str | None = None
    city: str | None = None
    country: str | None = None
    elo_home: float | None = None
    elo_away: float | None = None

    def info(self) -> MatchInfo:
        return MatchInfo(
            home=self.home,
            away=self.away,
            date=self.date,
            competition=self.competition,
            stage=self.stage,
            knockout=self.knockout,
            neutral=self.neutral,
            city=self.city,
            country=self.country,
        )

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["date"] = self.date.isoformat()
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], context: dict[str, Any] | None = None) -> LiveMatch:
        """A definition from JSON-like data, held to :class:`LiveDefinition` (the rules of
        :mod:`heartbreak.rules`); an error names the field."""
        if not isinstance(data, Mapping):
            raise InvalidInput("body: a live match is a JSON object", field="body")
        try:
            valid = LiveDefinition.model_validate(dict(data), context=context)
        except ValidationError as exc:
            raise invalid_input(exc) from None
        return cls(**valid.model_dump())


class LiveDefinition(MatchHeader):
    """The definition of a live match (``POST /api/live``): :class:`heartbreak.rules.
    MatchHeader` (teams, date, competition, stage, venue, stakes, ratings, within the limits)
    with the city and the country."""

    city: Text = None
    country: Text = None


# --- messages ------------------------------------------------------------------------------


def _side(match: LiveMatch, value: Any) -> str:
    text = str(value).strip() if value is not None else ""
    if text.casefold() in ("home", match.home.casefold()):
        return "home"
    if text.casefold() in ("away", match.away.casefold()):
        return "away"
    raise InvalidInput(
        f"team: {value!r} is neither {match.home} nor {match.away} (nor home/away)", field="team"
    )


def _int(raw: Mapping[str, Any], name: str, low: int, high: int) -> int:
    value = raw[name]
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{name}: must be a whole number", field=name)
    if not low <= value <= high:
        raise InvalidInput(f"{name}: {value} is not between {low} and {high}", field=name)
    return value


def _bool(raw: Mapping[str, Any], name: str) -> bool:
    value = raw[name]
    if not isinstance(value, bool):
        raise InvalidInput(f"{name}: must be true or false", field=name)
    return value


def _period(raw: Mapping[str, Any]) -> str:
    value = raw.get("period")
    names = [p.value for p in _PLAY_PERIODS]
    if value not in names:
        raise InvalidInput(f"period: {value!r} is not one of {', '.join(names)}", field="period")
    return str(value)


_ALLOWED = {
    "goal": {"minute", "stoppage", "team", "player", "own_goal", "penalty"},
    "red_card": {"minute", "stoppage", "team", "player"},
    "shootout": {"team"},
    "period_end": {"period", "stoppage"},
    "stoppage": {"period", "added", "minute", "stoppage"},
    "period_start": {"period"},
    "clock": {"minute", "stoppage", "period"},
    "correction": {"minute", "stoppage", "team", "player", "own_goal", "penalty", "added"},
    "retraction": set(),
}


def parse_message(match: LiveMatch, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Validate one message of the feed and return its canonical form (teams as sides, no
    empty fields); an error names the field."""
    if not isinstance(raw, Mapping):
        raise InvalidInput("message: must be a JSON object", field="message")
    event_id = raw.get("event_id")
    if isinstance(event_id, int) and not isinstance(event_id, bool) and abs(event_id) >= 2**63:
        raise InvalidInput(f"event_id: at most {MAX_EVENT_ID} characters", field="event_id")
    if not isinstance(event_id, str | int) or isinstance(event_id, bool) or not str(event_id):
        raise InvalidInput("event_id: the sender's id of the event is required", field="event_id")
    if len(str(event_id)) > MAX_EVENT_ID:
        raise InvalidInput(f"event_id: at most {MAX_EVENT_ID} characters", field="event_id")
    kind = raw.get("type")
    if kind not in MESSAGE_TYPES:
        raise InvalidInput(f"type: {kind!r} is not one of {', '.join(MESSAGE_TYPES)}", field="type")
    extra = sorted(set(raw) - _ALLOWED[kind] - {"event_id", "type", "version"})
    if extra:
        raise InvalidInput(f"{extra[0]}: not a field of a {kind} message", field=extra[0])
    out: dict[str, Any] = {"event_id": str(event_id), "type": kind}
    if kind == "retraction":
        return out
    default_version = 2 if kind == "correction" else 1
    version = raw.get("version", default_version)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise InvalidInput("version: must be a whole number from 1", field="version")
    if kind == "correction" and version < 2:
        raise InvalidInput("version: a correction is version 2 or later", field="version")
    out["version"] = version
    present = {k for k in _ALLOWED[kind] if raw.get(k) is not None}
    if kind in ("goal", "red_card") and not {"minute", "team"} <= present:
        missing = "minute" if "minute" not in present else "team"
        raise InvalidInput(f"{missing}: required", field=missing)
    if kind == "shootout" and "team" not in present:
        raise InvalidInput("team: the shootout's winner is required", field="team")
    if kind == "stoppage" and "added" not in present:
        raise InvalidInput("added: the minutes of stoppage announced are required", field="added")
    if kind == "period_start" and "period" not in present:
        raise InvalidInput("period: the period that starts is required", field="period")
    if kind == "clock" and "minute" not in present:
        raise InvalidInput("minute: the match minute is required", field="minute")
    if kind == "correction" and not present:
        raise InvalidInput(
            f"correction: give at least one of {', '.join(_ALLOWED[kind])}", field="correction"
        )
    if kind in ("period_end", "stoppage", "period_start") or (
        kind == "clock" and "period" in present
    ):
        out["period"] = _period(raw)
    if "minute" in present:
        out["minute"] = _int(raw, "minute", 0, 120)
    if "stoppage" in present:
        out["stoppage"] = _int(raw, "stoppage", 0, _MAX_STOPPAGE)
    if "added" in present:
        out["added"] = _int(raw, "added", 0, _MAX_STOPPAGE)
    if "team" in present:
        out["side"] = _side(match, raw["team"])
    if "player" in present:
        try:
            out["player"] = check_text(raw["player"])
        except ValueError as exc:
            raise InvalidInput(f"player: {exc}", field="player") from None
    for name in ("own_goal", "penalty"):
        if name in present:
            out[name] = _bool(raw, name)
    if kind == "clock":
        _check_clock(out)
    elif "minute" in out and "period" not in out and out["minute"] == 0 and kind != "correction":
        raise InvalidInput("minute: events are labelled from 1'", field="minute")
    if not match.knockout:
        _check_not_extra_time(out)
    return out


def _check_not_extra_time(message: Mapping[str, Any]) -> None:
    """A match that is not a knockout has no extra time and no shootout: the same rules, and
    messages, as :func:`heartbreak.rules.check_events` (for the messages that are not events,
    too: a clock update or a period's start in extra time)."""
    if message["type"] == "shootout":
        raise InvalidInput(f"type: {SHOOTOUT_OUTSIDE_KNOCKOUT}", field="type")
    period = message.get("period")
    if period is not None and Period(period).is_extra_time:
        raise InvalidInput(f"period: {extra_time_outside_knockout(period)}", field="period")
    minute = message.get("minute")
    if minute is not None and minute > Period.SECOND_HALF.end_minute:
        raise InvalidInput(f"minute: {extra_time_outside_knockout(minute)}", field="minute")


def check_standing(match: LiveMatch, events: tuple[Event, ...]) -> None:
    """The events that would stand (of :func:`events_of`, in match order), held to the laws of
    the game (:func:`heartbreak.rules.check_events`: a fifth red card for a side, extra time or
    a shootout outside a knockout, a second shootout, a shootout without a level score, an
    event after its period's end or after full time); an error names the field."""
    try:
        check_events(events, match.knockout, (match.home, match.away))
    except RuleBroken as exc:
        where = exc.event.event_id if exc.event is not None else None
        error = InvalidInput(f"{exc.field}: {exc.message}", field=exc.field)
        error.event_id = where  # type: ignore[attr-defined]
        raise error from None


def _check_clock(message: Mapping[str, Any]) -> None:
    """A clock update's minute lies in its period, and stoppage follows a period's last minute."""
    minute, stoppage = message["minute"], message.get("stoppage", 0)
    ends = sorted({p.end_minute for p in _PLAY_PERIODS})
    if stoppage and minute not in ends:
        raise InvalidInput(
            f"stoppage: only after a period's last minute ({', '.join(f'{m}' for m in ends)})",
            field="stoppage",
        )
    if "period" in message:
        period = Period(message["period"])
        if not period.start_minute <= minute <= period.end_minute:
            raise InvalidInput(
                f"minute: {minute} is not in the {period.value} "
                f"({period.start_minute} to {period.end_minute})",
                field="minute",
            )
        if stoppage and minute != period.end_minute:
            raise InvalidInput(
                f"stoppage: only after the {period.value}'s last minute", field="stoppage"
            )


def message_key(message: Mapping[str, Any]) -> str:
    """The content hash of a canonical message: equal content, equal key."""
    text = json.dumps(message, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


# --- the fold ------------------------------------------------------------------------------


def _records(messages: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The latest version of every event that stands, as plain records."""
    return standing_records({message_key(m): m for m in messages})


def standing_records(keyed: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The records that stand, in match order, from canonical messages keyed by
    :func:`message_key` (as the log keeps them: the keys are trusted, not recomputed)."""
    by_id: dict[str, list[tuple[str, Mapping[str, Any]]]] = defaultdict(list)
    for key, message in keyed.items():
        by_id[message["event_id"]].append((key, message))
    out = []
    for versions in by_id.values():
        if len(versions) == 1:  # the common case: one message, an event or a clock update
            message = versions[0][1]
            if message["type"] in _STANDALONE:
                out.append(dict(message))
            continue
        if any(m["type"] == "retraction" for _, m in versions):
            continue
        bases = [
            (m["version"], _furthest(m), key, m) for key, m in versions if m["type"] in _STANDALONE
        ]
        if not bases:
            continue  # a correction whose event has not arrived yet waits for it
        version, _, _, base = max(bases, key=lambda b: b[:3])
        record = dict(base)
        fixes = sorted(
            (m["version"], key, m)
            for key, m in versions
            if m["type"] == "correction" and m["version"] > version
        )
        for _, _, fix in fixes:
            record.update({k: fix[k] for k in CORRECTABLE if k in fix})
        out.append(record)
    return sorted(out, key=_sort_key)


_STANDALONE = frozenset((*EVENT_TYPES, *CLOCK_TYPES))


def _furthest(message: Mapping[str, Any]) -> tuple[int, int, int]:
    """Between versions alike, a clock update further on stands (others: by content)."""
    return _time(message) if message["type"] in CLOCK_TYPES else (-1, -1, -1)


def _period_of(record: Mapping[str, Any]) -> Period:
    if record["type"] == "clock":
        return _clock_period(record)
    if "period" in record:
        return Period(record["period"])
    if record["type"] == "shootout":
        return Period.SHOOTOUT
    return Period.of_minute(record["minute"], record.get("stoppage", 0))


def _clock_period(record: Mapping[str, Any]) -> Period:
    """A clock update's period: the one it names when its minute lies in it (a correction
    may have moved the minute out), else the period of its minute."""
    minute, stoppage = record["minute"], record.get("stoppage", 0)
    if "period" in record:
        period = Period(record["period"])
        if period.start_minute <= minute <= period.end_minute and (
            not stoppage or minute == period.end_minute
        ):
            return period
    return Period.of_minute(minute, stoppage)


_PERIOD_INDEX = {period: i for i, period in enumerate(Period)}


def _time(record: Mapping[str, Any]) -> tuple[int, int, int]:
    """(period, minute, stoppage) of a record; a period's end is at its last minute, its start
    at its first."""
    period = _period_of(record)
    if record["type"] == "period_end":
        minute = period.end_minute
    elif record["type"] == "period_start":
        return (_PERIOD_INDEX[period], period.start_minute, 0)
    else:
        minute = record.get("minute", period.end_minute)
    return (_PERIOD_INDEX[period], minute, record.get("stoppage", 0))


_TYPE_RANK = {
    "period_start": 0,
    "clock": 0,
    "stoppage": 0,
    "goal": 1,
    "red_card": 1,
    "period_end": 2,
    "shootout": 3,
}


def _sort_key(record: Mapping[str, Any]) -> tuple:
    return (*_time(record), _TYPE_RANK[record["type"]], record["event_id"])


def _event(record: Mapping[str, Any]) -> Event:
    period = _period_of(record)
    _, minute, stoppage = _time(record)
    side = Side(record["side"]) if "side" in record else None
    return Event(
        EventType(record["type"]),
        minute,
        stoppage,
        side=side,
        player=record.get("player") or None,
        own_goal=record.get("own_goal", False),
        penalty=record.get("penalty", False),
        period=period,
        event_id=record["event_id"],
    )


def effective_events(messages: Iterable[Mapping[str, Any]]) -> tuple[Event, ...]:
    """The events that stand after every message: the latest version of each event id,
    retracted ids removed, duplicates ignored, in match order (then by event id).
    ``stoppage``, ``period_start`` and ``clock`` are not events (see :func:`current_clock`)."""
    return events_of(_records(messages))


def events_of(records: Iterable[Mapping[str, Any]]) -> tuple[Event, ...]:
    """The events among standing records (of :func:`standing_records`), in their order."""
    return tuple(_event(r) for r in records if r["type"] not in _NOT_EVENTS)


@dataclass(frozen=True, slots=True)
class Clock:
    """How far the match has gone: the furthest event, period end or start, stoppage
    announcement or clock update that stands; ``period_over`` once its period has ended."""

    period: Period = Period.FIRST_HALF
    minute: int = 0
    stoppage: int = 0
    period_over: bool = False
    added: int | None = None  # stoppage minutes announced for the current period

    @property
    def key(self) -> tuple[int, int, int]:
        return (_PERIOD_INDEX[self.period], self.minute, self.stoppage)

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period.value,
            "minute": self.minute,
            "stoppage": self.stoppage,
            "label": minute_label(self.minute, self.stoppage) if self.minute else "KO",
            "period_over": self.period_over,
            "added": self.added,
        }


def current_clock(messages: Iterable[Mapping[str, Any]]) -> Clock:
    """The clock after every message (kick-off when nothing stands): the furthest time of
    everything that stands; its period is over when that period's end stands (or a
    shootout's result does)."""
    return clock_of(_records(messages))


def clock_of(records: list[Mapping[str, Any]]) -> Clock:
    """The clock of standing records in match order (of :func:`standing_records`)."""
    if not records:
        return Clock()
    last = records[-1]
    index, minute, stoppage = _time(last)
    period = list(Period)[index]
    added = max(
        (r["added"] for r in records if r["type"] == "stoppage" and _period_of(r) is period),
        default=None,
    )
    over = last["type"] == "shootout" or any(
        r["type"] == "period_end" and r["period"] == period.value for r in records
    )
    return Clock(period, minute, stoppage, over, added)


#: Stoppage minutes a running clock ticks on to, past those announced, before it waits for the
#: feed (a feed silent for long does not run the clock on for ever).
TICK_PAST_ANNOUNCED = 5
#: Stoppage minutes a running clock ticks on to when none were announced.
TICK_UNANNOUNCED = 15

#: The breaks of a match: the clock stands still (see :func:`clock_pause`).
PAUSES = (
    "kick_off",
    "half_time",
    "extra_time_next",
    "extra_time_half_time",
    "shootout_next",
    "full_time",
)


def clock_pause(
    match: LiveMatch, records: list[Mapping[str, Any]], events: tuple[Event, ...], clock: Clock
) -> str | None:
    """Why the clock stands still, or None while a period is being played: ``kick_off``
    (nothing stands yet), ``half_time``, ``extra_time_next`` (the end of normal time, level in a
    knockout), ``extra_time_half_time``, ``shootout_next`` (the end of extra time, level) or
    ``full_time``."""
    if not records:
        return "kick_off"
    if any(e.type is EventType.SHOOTOUT for e in events) or clock.period is Period.SHOOTOUT:
        return "full_time"
    if not clock.period_over:
        return None
    if clock.period is Period.FIRST_HALF:
        return "half_time"
    if clock.period is Period.EXTRA_FIRST:
        return "extra_time_half_time"
    finished = is_finished(match, events)
    if clock.period is Period.SECOND_HALF:
        return "full_time" if finished else "extra_time_next"
    match_so_far = live_to_match(match, events)
    level = match_so_far.home_score == match_so_far.away_score
    return "shootout_next" if match.knockout and level else "full_time"


def clock_since(
    keyed: Mapping[str, Mapping[str, Any]],
    received: Mapping[str, float | None],
    records: list[Mapping[str, Any]],
) -> float | None:
    """When the clock reached the position it stands at (seconds since the epoch, as
    ``received`` gives the arrival of each message by its key): the earliest time a record
    standing at that position took it, which is the latest arrival among the messages of its
    event id that set its time (the event or clock update, and corrections of its minute or
    stoppage). None when nothing stands or no arrival is known."""
    if not records:
        return None
    position = _time(records[-1])
    ids = {r["event_id"] for r in records if _time(r) == position}
    formed: dict[str, float] = {}
    for key, message in keyed.items():
        event_id = message["event_id"]
        at = received.get(key)
        if event_id not in ids or at is None:
            continue
        sets_time = message["type"] in _STANDALONE or (
            message["type"] == "correction" and ("minute" in message or "stoppage" in message)
        )
        if sets_time and at > formed.get(event_id, float("-inf")):
            formed[event_id] = at
    return min(formed.values(), default=None)


def max_stoppage(clock: Clock) -> int:
    """The stoppage minute of the clock's period that a running clock ticks on to at most: the
    announced minutes and :data:`TICK_PAST_ANNOUNCED` more, else :data:`TICK_UNANNOUNCED`;
    never less than the stoppage the clock already shows."""
    limit = TICK_UNANNOUNCED if clock.added is None else clock.added + TICK_PAST_ANNOUNCED
    return max(clock.stoppage, min(limit, _MAX_STOPPAGE))


def is_finished(match: LiveMatch, events: tuple[Event, ...]) -> bool:
    """Whether the final whistle has gone: end of extra time, a shootout, or the end of the
    second half when no extra time is due (not a knockout, or a side ahead)."""
    home = sum(e.type is EventType.GOAL and e.side is Side.HOME for e in events)
    away = sum(e.type is EventType.GOAL and e.side is Side.AWAY for e in events)
    for event in events:
        if event.type is EventType.SHOOTOUT:
            return True
        if event.type is EventType.PERIOD_END and event.period is Period.EXTRA_SECOND:
            return True
        if (
            event.type is EventType.PERIOD_END
            and event.period is Period.SECOND_HALF
            and (not match.knockout or home != away)
        ):
            return True
    return False


def live_to_match(match: LiveMatch, events: tuple[Event, ...]) -> Match:
    """The domain match so far: goals, red cards and any shootout of the effective events."""
    played = tuple(e for e in events if e.type in (EventType.GOAL, EventType.RED_CARD))
    shootout = [e for e in events if e.type is EventType.SHOOTOUT]
    extra = any(e.period is not None and e.period.is_extra_time for e in events)
    finished = is_finished(match, events)
    return Match(
        info=match.info(),
        home_score=sum(e.type is EventType.GOAL and e.side is Side.HOME for e in played),
        away_score=sum(e.type is EventType.GOAL and e.side is Side.AWAY for e in played),
        events=played,
        extra_time=True if extra else (False if finished else None),
        shootout_winner=shootout[-1].side if shootout else None,
    )


def definition_of(
    match: Match, elo_home: float | None = None, elo_away: float | None = None
) -> dict[str, Any]:
    """A stored match as the body that creates its live match (``POST /api/live``): teams,
    date, venue, stakes and, when given, the pre-match ratings (else the server's, as of the
    date)."""
    info = match.info
    body: dict[str, Any] = {
        "home": info.home,
        "away": info.away,
        "date": info.date.isoformat(),
        "neutral": info.neutral,
        "knockout": info.knockout,
        "competition": info.competition,
        "stage": info.stage,
        "city": info.city,
        "country": info.country,
    }
    if elo_home is not None and elo_away is not None:
        body.update(elo_home=float(elo_home), elo_away=float(elo_away))
    return body


def feed_of(match: Match) -> list[dict[str, Any]]:
    """A finished match as the messages a live feed would have sent, in match order: its goals
    and red cards (event ids kept, else made up), the end of every period played (at the latest
    stoppage minute recorded in it) and the shootout."""
    info = match.info
    out: list[dict[str, Any]] = []
    played = [e for e in match.events if e.type in (EventType.GOAL, EventType.RED_CARD)]
    for i, event in enumerate(sorted(played, key=lambda e: e.sort_key), start=1):
        message: dict[str, Any] = {
            "event_id": event.event_id or f"{event.type.value}-{i}",
            "type": event.type.value,
            "minute": event.minute,
            "team": info.team(event.side) if event.side else None,
        }
        if event.stoppage:
            message["stoppage"] = event.stoppage
        if event.player:
            message["player"] = event.player
        if event.type is EventType.GOAL:
            message["own_goal"] = event.own_goal
            message["penalty"] = event.penalty
        out.append(message)
    extra = bool(match.extra_time) or any(
        e.period is not None and e.period.is_extra_time for e in played
    )
    if not extra and match.info.knockout and match.shootout_winner is not None:
        extra = match.home_score == match.away_score and match.extra_time is None
    for period in _PLAY_PERIODS if extra else _PLAY_PERIODS[:2]:
        stoppage = max((e.stoppage for e in played if e.period is period), default=0)
        message = {"event_id": f"end-{period.value}", "type": "period_end", "period": period.value}
        if stoppage:
            message["stoppage"] = stoppage
        out.append(message)
    if match.shootout_winner is not None and match.home_score == match.away_score:
        out.append(
            {"event_id": "shootout", "type": "shootout", "team": info.team(match.shootout_winner)}
        )

    def when(message: dict[str, Any]) -> tuple:
        record = {k: v for k, v in message.items() if k != "team"}
        return _sort_key(record)

    return sorted(out, key=when)


def elapsed_minutes(message: dict[str, Any]) -> float:
    """Minutes of play before a message of :func:`feed_of` (stoppage counted), for pacing."""
    _, minute, stoppage = _time(message)
    return float(minute + stoppage)
