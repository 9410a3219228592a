"""StatsBomb open-data event files → a user's match (goals and sendings-off with their minutes).

The only code that opens StatsBomb files. It checks the fields it relies on first (so that a
malformed file stops with one line naming the file and the field), then hands the bytes to
kloppy's StatsBomb deserializer (``kloppy.statsbomb.load``, https://kloppy.pysport.org/) and
reads from the kloppy events:

- goals: shots with outcome Goal (a shot of type Penalty is a penalty), and own goals; kloppy
  turns the open data's "Own Goal Against" event (team: the side of the player who put the ball
  into his own net) into a shot with result OWN_GOAL and drops its twin "Own Goal For", so an
  own goal counts once, for the opponent of the player's team;
- sendings-off: cards of type Red Card or Second Yellow (from "Foul Committed" and "Bad
  Behaviour" events), against the player's team; cards without a player (a manager's) do not
  reduce a side and are left out;
- period 5 is the penalty shootout: its converted kicks decide ``shootout_winner`` and are not
  goals; periods 3 and 4 are extra time (the match then needed a winner: ``knockout``).

Minutes: the open data's ``timestamp`` is the time since the start of the event's period. A
period starts at 0', 45', 90' or 105' and lasts 45 or 15 minutes; an event ``t`` into it is in
minute ``start + floor(t) + 1`` (the match-report convention: 0:00–0:59 is the first minute),
and beyond the period's nominal end it is stoppage time, ``end + x``: the second half's
48:10 is 93:10 on the match clock, the fourth minute of stoppage, 90+4'.

The events file names the teams (``team.name``) but not the date or the competition; the home
side is the team of the first Starting XI event, as in the open data and in kloppy. Without a
lineup file the lineups are taken from the two Starting XI events (and the players named in
other events), which is all kloppy needs.

Format: the StatsBomb Open Data specification, https://github.com/statsbomb/open-data
(``doc/Open Data Events v4.0.0.pdf``, ``doc/Open Data Lineups v2.0.0.pdf``): an events file is
a JSON list of events with ``id``, ``index``, ``period``, ``timestamp`` ("HH:MM:SS.mmm"),
``type`` {id, name}, ``team`` and ``possession_team`` {id, name}; the first two are the teams'
Starting XI (type 35) with ``tactics`` {formation, lineup: [{player, position, jersey_number}]};
every period has Half Start (18) and Half End (34) events; shots (16) carry ``shot.outcome``
(97 Goal) and ``shot.end_location``; cards are ``foul_committed.card`` or ``bad_behaviour.card``
(5 Red Card, 6 Second Yellow, 7 Yellow Card). A lineup file is a JSON list of two
{team_id, team_name, lineup: [{player_id, player_name, jersey_number, ...}]}.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from heartbreak.data.userfile import UserEvent, UserMatch
from heartbreak.errors import InvalidInput

STARTING_XI = 35
HALF_START = 18
HALF_END = 34
#: Period → (first minute label offset, nominal length in minutes); period 5 is the shootout.
PERIODS = {1: (0, 45), 2: (45, 45), 3: (90, 15), 4: (105, 15)}
SHOOTOUT_PERIOD = 5
#: The longest stoppage a user match may have (:class:`~heartbreak.data.userfile.UserEvent`).
MAX_STOPPAGE = 30
_TIMESTAMP = re.compile(r"^\d{2}:\d{2}:\d{2}(\.\d+)?$")


@dataclass(frozen=True)
class StatsBombMatch:
    """What an events file says about a match: the teams (as named in the file), the goals and
    sendings-off in order (:class:`~heartbreak.data.userfile.UserEvent`), whether extra time was
    played and who won a shootout."""

    home: str
    away: str
    events: tuple[UserEvent, ...]
    extra_time: bool
    shootout_winner: str | None

    def to_user_match(self, date: dt.date | str, **fields: Any) -> UserMatch:
        """The match in the user-match schema, on ``date``; ``fields`` (competition, stage,
        neutral, knockout, elo_home, elo_away) are passed through. A match with extra time or a
        shootout is a knockout."""
        data = {
            "home": self.home,
            "away": self.away,
            "date": date,
            "extra_time": self.extra_time,
            "shootout_winner": self.shootout_winner,
            "events": [e.model_dump() for e in self.events],
            **{k: v for k, v in fields.items() if v is not None},
        }
        if self.extra_time or self.shootout_winner is not None:
            data["knockout"] = True
        return UserMatch.model_validate(data)


def clock_label(period: int, seconds: float) -> tuple[int, int]:
    """(minute, stoppage) of an event ``seconds`` into ``period`` (1–4), as a fan writes it.

    >>> clock_label(1, 5 * 60 + 30)     # 5:30 is in the 6th minute
    (6, 0)
    >>> clock_label(2, 48 * 60 + 10)    # 45:00 + 48:10 = 93:10, 90+4'
    (90, 4)
    """
    start, length = PERIODS[period]
    played = int(max(seconds, 0.0) // 60)
    if played < length:
        return start + played + 1, 0
    return start + length, played - length + 1


def _clock(path: Path, event: Any) -> tuple[int, int]:
    """The minute label of a kloppy event; more than 30 minutes of stoppage is an error."""
    minute, stoppage = clock_label(event.period.id, event.timestamp.total_seconds())
    if stoppage > MAX_STOPPAGE:
        raise InvalidInput(
            f"{path}: event {event.event_id}: {minute}+{stoppage}' is more than "
            f"{MAX_STOPPAGE} minutes into stoppage time"
        )
    return minute, stoppage


def _read_json(path: Path, what: str) -> tuple[bytes, Any]:
    """A JSON file's bytes and data, read as every user file is (UTF-8, size and depth limits:
    :func:`heartbreak.data.userfile.read_json`)."""
    from heartbreak.data.userfile import read_json

    return read_json(path, what)


def _ref(event: dict, key: str, where: str, path: Path) -> dict:
    value = event.get(key)
    if not isinstance(value, dict) or not isinstance(value.get("id"), int):
        raise InvalidInput(f"{path}: {where}.{key}: an object with an integer id is required")
    if not isinstance(value.get("name"), str):
        raise InvalidInput(f"{path}: {where}.{key}.name: a name is required")
    return value


def check_events(events: Any, path: Path) -> list[dict]:
    """The events of an open-data events file, checked for the fields the reader relies on."""
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        raise InvalidInput(f"{path}: a StatsBomb events file is a JSON list of event objects")
    if len(events) < 2:
        raise InvalidInput(f"{path}: events: the two Starting XI events are missing")
    periods: dict[int, set[int]] = {}
    for i, event in enumerate(events):
        where = f"events[{i}]"
        if not isinstance(event.get("id"), str):
            raise InvalidInput(f"{path}: {where}.id: an event id (text) is required")
        kind = _ref(event, "type", where, path)
        _ref(event, "team", where, path)
        _ref(event, "possession_team", where, path)
        period = event.get("period")
        if not isinstance(period, int) or not 1 <= period <= SHOOTOUT_PERIOD:
            raise InvalidInput(f"{path}: {where}.period: {period!r} is not a period 1-5")
        stamp = event.get("timestamp")
        if not isinstance(stamp, str) or not _TIMESTAMP.match(stamp):
            raise InvalidInput(f"{path}: {where}.timestamp: {stamp!r} is not HH:MM:SS.mmm")
        periods.setdefault(period, set()).add(kind["id"])
        if i < 2:
            if kind["id"] != STARTING_XI:
                raise InvalidInput(
                    f"{path}: {where}.type: the first two events must be the teams' "
                    f"Starting XI (type {STARTING_XI}), not {kind['name']!r}"
                )
            tactics = event.get("tactics")
            lineup = tactics.get("lineup") if isinstance(tactics, dict) else None
            if not isinstance(lineup, list) or not isinstance(tactics.get("formation"), int):
                raise InvalidInput(
                    f"{path}: {where}.tactics: a formation and a lineup list are required"
                )
            for j, slot in enumerate(lineup):
                spot = f"{where}.tactics.lineup[{j}]"
                if not isinstance(slot, dict):
                    raise InvalidInput(f"{path}: {spot}: a player entry is required")
                _ref(slot, "player", spot, path)
                _ref(slot, "position", spot, path)
                if not isinstance(slot.get("jersey_number"), int):
                    raise InvalidInput(f"{path}: {spot}.jersey_number: a number is required")
        if kind["id"] == 16:
            shot = event.get("shot")
            if not isinstance(shot, dict) or not isinstance(shot.get("end_location"), list):
                raise InvalidInput(f"{path}: {where}.shot.end_location: a location is required")
            _ref(shot, "outcome", f"{where}.shot", path)
    first, second = events[0]["team"], events[1]["team"]
    if first["id"] == second["id"]:
        raise InvalidInput(
            f"{path}: events[1].team: both Starting XI events are for {first['name']}"
        )
    for period, kinds in sorted(periods.items()):
        if HALF_START not in kinds or HALF_END not in kinds:
            raise InvalidInput(
                f"{path}: period {period}: needs its Half Start ({HALF_START}) and Half End "
                f"({HALF_END}) events"
            )
    return events


def _lineups_from_events(events: list[dict]) -> list[dict]:
    """Lineups in the open-data lineup format from the Starting XI events and the players named
    in the other events (substitutes get jersey number 0 when no event gives theirs)."""
    teams: dict[int, dict] = {}
    for event in events[:2]:
        team = event["team"]
        players = {
            slot["player"]["id"]: {
                "player_id": slot["player"]["id"],
                "player_name": slot["player"]["name"],
                "player_nickname": None,
                "jersey_number": slot["jersey_number"],
            }
            for slot in event["tactics"]["lineup"]
        }
        teams[team["id"]] = {"team_id": team["id"], "team_name": team["name"], "players": players}
    for event in events[2:]:
        team = teams.get(event["team"]["id"])
        if team is None:
            continue
        named = [event.get("player")]
        named.append((event.get("substitution") or {}).get("replacement"))
        for slot in (event.get("tactics") or {}).get("lineup") or []:
            named.append(slot.get("player"))
        for player in named:
            if isinstance(player, dict) and isinstance(player.get("id"), int):
                team["players"].setdefault(
                    player["id"],
                    {
                        "player_id": player["id"],
                        "player_name": player.get("name") or str(player["id"]),
                        "player_nickname": None,
                        "jersey_number": 0,
                    },
                )
    return [
        {
            "team_id": t["team_id"],
            "team_name": t["team_name"],
            "lineup": list(t["players"].values()),
        }
        for t in teams.values()
    ]


def _check_lineups(lineups: Any, events: list[dict], path: Path) -> None:
    if not isinstance(lineups, list) or len(lineups) != 2:
        raise InvalidInput(f"{path}: a StatsBomb lineup file is a JSON list of the two teams")
    ids = {events[0]["team"]["id"], events[1]["team"]["id"]}
    for i, team in enumerate(lineups):
        where = f"[{i}]"
        if not isinstance(team, dict) or team.get("team_id") not in ids:
            raise InvalidInput(
                f"{path}: {where}.team_id: not one of the events file's teams "
                f"({', '.join(str(t) for t in sorted(ids))})"
            )
        if not isinstance(team.get("team_name"), str) or not isinstance(team.get("lineup"), list):
            raise InvalidInput(f"{path}: {where}: team_name and a lineup list are required")
        for j, player in enumerate(team["lineup"]):
            spot = f"{where}.lineup[{j}]"
            if not isinstance(player, dict) or not isinstance(player.get("player_id"), int):
                raise InvalidInput(f"{path}: {spot}.player_id: a player id is required")
            if not isinstance(player.get("jersey_number"), int):
                raise InvalidInput(f"{path}: {spot}.jersey_number: a number is required")
    if {t["team_id"] for t in lineups} != ids:
        raise InvalidInput(f"{path}: the lineups must be those of the events file's two teams")


def is_events_file(path: str | Path) -> bool:
    """Whether a JSON file looks like StatsBomb events: a list whose first item has a ``type``
    object and a ``period`` (a user's match file is one object, or a list of matches)."""
    from heartbreak.data.userfile import read_json

    try:
        _, data = read_json(path, "FILE")
    except InvalidInput:
        return False
    return (
        isinstance(data, list)
        and bool(data)
        and isinstance(data[0], dict)
        and isinstance(data[0].get("type"), dict)
        and "period" in data[0]
    )


def read_statsbomb(
    events_file: str | Path, lineup_file: str | Path | None = None
) -> StatsBombMatch:
    """Read a StatsBomb open-data events file (and its lineup file, when given)."""
    events_path = Path(events_file)
    raw_events, events = _read_json(events_path, "FILE")
    events = check_events(events, events_path)
    if lineup_file is not None:
        lineup_path = Path(lineup_file)
        raw_lineups, lineups = _read_json(lineup_path, "--lineup")
        _check_lineups(lineups, events, lineup_path)
    else:
        raw_lineups = json.dumps(_lineups_from_events(events)).encode("utf-8")

    from kloppy import statsbomb
    from kloppy.domain import CardType, EventType, SetPieceQualifier, SetPieceType, ShotResult

    try:
        dataset = statsbomb.load(
            event_data=raw_events,
            lineup_data=raw_lineups,
            event_types=["shot", "card"],
        )
    except Exception as exc:  # kloppy raises KeyError, DeserializationError, ...
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise InvalidInput(
            f"{events_path}: kloppy cannot read it as StatsBomb data ({detail})"
        ) from None

    home_team, away_team = dataset.metadata.teams
    name = {home_team.team_id: home_team.name, away_team.team_id: away_team.name}

    def other(team_id: str) -> str:
        return away_team.name if team_id == home_team.team_id else home_team.name

    found: list[UserEvent] = []
    kicks = {home_team.name: 0, away_team.name: 0}
    extra_time = any(p.id in (3, 4) for p in dataset.metadata.periods)
    for event in dataset.events:
        period = event.period.id
        player = event.player.name if event.player is not None else None
        if event.event_type is EventType.SHOT:
            if event.result not in (ShotResult.GOAL, ShotResult.OWN_GOAL):
                continue
            if period == SHOOTOUT_PERIOD:
                if event.result is ShotResult.GOAL:
                    kicks[name[event.team.team_id]] += 1
                continue
            own = event.result is ShotResult.OWN_GOAL
            penalty = event.get_qualifier_value(SetPieceQualifier) is SetPieceType.PENALTY
            minute, stoppage = _clock(events_path, event)
            found.append(
                UserEvent(
                    type="goal",
                    minute=minute,
                    stoppage=stoppage,
                    team=other(event.team.team_id) if own else name[event.team.team_id],
                    player=player,
                    own_goal=own,
                    penalty=penalty and not own,
                )
            )
        elif event.event_type is EventType.CARD:
            if event.card_type not in (CardType.RED, CardType.SECOND_YELLOW):
                continue
            if period == SHOOTOUT_PERIOD or player is None:
                continue
            minute, stoppage = _clock(events_path, event)
            found.append(
                UserEvent(
                    type="red_card",
                    minute=minute,
                    stoppage=stoppage,
                    team=name[event.team.team_id],
                    player=player,
                )
            )
    shootout_winner = None
    if any(p.id == SHOOTOUT_PERIOD for p in dataset.metadata.periods):
        home_kicks, away_kicks = kicks[home_team.name], kicks[away_team.name]
        if home_kicks != away_kicks:
            shootout_winner = home_team.name if home_kicks > away_kicks else away_team.name
    return StatsBombMatch(
        home=home_team.name,
        away=away_team.name,
        events=tuple(found),
        extra_time=extra_time,
        shootout_winner=shootout_winner,
    )
