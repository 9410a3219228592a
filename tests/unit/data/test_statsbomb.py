"""Reading StatsBomb open-data event files: a small events file and lineup file written by hand
in the open-data format (StatsBomb Open Data specification, Events v4.0.0 and Lineups v2.0.0),
read through kloppy into goals and sendings-off with their minutes."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from heartbreak.data.statsbomb import clock_label, read_statsbomb
from heartbreak.errors import InvalidInput

BELGIUM = {"id": 782, "name": "Belgium"}
JAPAN = {"id": 778, "name": "Japan"}
REGULAR_PLAY = {"id": 1, "name": "Regular Play"}

# (player id, name, position id, position name, jersey number): the two starting XIs.
BELGIUM_XI = [
    (3089, "Thibaut Courtois", 1, "Goalkeeper", 1),
    (3113, "Toby Alderweireld", 3, "Right Center Back", 2),
    (3226, "Vincent Kompany", 4, "Center Back", 4),
    (3134, "Jan Vertonghen", 5, "Left Center Back", 5),
    (3084, "Thomas Meunier", 7, "Right Wing Back", 15),
    (3102, "Yannick Carrasco", 8, "Left Wing Back", 11),
    (3082, "Axel Witsel", 13, "Right Center Midfield", 6),
    (3095, "Kevin De Bruyne", 15, "Left Center Midfield", 7),
    (3167, "Dries Mertens", 18, "Right Attacking Midfield", 14),
    (3128, "Eden Hazard", 20, "Left Attacking Midfield", 10),
    (3099, "Romelu Lukaku", 23, "Center Forward", 9),
]
JAPAN_XI = [
    (5621, "Eiji Kawashima", 1, "Goalkeeper", 1),
    (5622, "Hiroki Sakai", 2, "Right Back", 21),
    (5623, "Maya Yoshida", 3, "Right Center Back", 22),
    (5624, "Gen Shoji", 5, "Left Center Back", 3),
    (5625, "Yuto Nagatomo", 6, "Left Back", 5),
    (5626, "Makoto Hasebe", 9, "Right Defensive Midfield", 17),
    (5627, "Gaku Shibasaki", 11, "Left Defensive Midfield", 7),
    (5628, "Genki Haraguchi", 17, "Right Wing", 8),
    (5629, "Shinji Kagawa", 19, "Center Attacking Midfield", 10),
    (5630, "Takashi Inui", 21, "Left Wing", 14),
    (5631, "Yuya Osako", 23, "Center Forward", 15),
]
HONDA = {"id": 5632, "name": "Keisuke Honda"}


def _event(index: int, period: int, timestamp: str, kind: tuple[int, str], team, **extra):
    minutes, seconds = int(timestamp[3:5]) + 60 * int(timestamp[:2]), int(timestamp[6:8])
    return {
        "id": f"00000000-0000-4000-8000-{index:012d}",
        "index": index,
        "period": period,
        "timestamp": timestamp,
        "minute": minutes
        + (45 if period == 2 else 90 if period == 3 else 105 if period == 4 else 0),
        "second": seconds,
        "type": {"id": kind[0], "name": kind[1]},
        "possession": 1,
        "possession_team": extra.pop("possession_team", team),
        "play_pattern": REGULAR_PLAY,
        "team": team,
        "duration": 0.0,
        **extra,
    }


def _xi(index: int, team, formation: int, players) -> dict:
    lineup = [
        {
            "player": {"id": pid, "name": name},
            "position": {"id": pos, "name": pos_name},
            "jersey_number": jersey,
        }
        for pid, name, pos, pos_name, jersey in players
    ]
    return _event(
        index,
        1,
        "00:00:00.000",
        (35, "Starting XI"),
        team,
        tactics={"formation": formation, "lineup": lineup},
    )


def _player(players, number: int) -> dict:
    pid, name, _, _, _ = next(p for p in players if p[4] == number)
    return {"id": pid, "name": name}


def _shot(index, period, timestamp, team, player, outcome, kind=(87, "Open Play")) -> dict:
    return _event(
        index,
        period,
        timestamp,
        (16, "Shot"),
        team,
        player=player,
        position={"id": 23, "name": "Center Forward"},
        location=[108.0, 38.0],
        shot={
            "statsbomb_xg": 0.12,
            "end_location": [120.0, 39.0, 1.2],
            "body_part": {"id": 40, "name": "Right Foot"},
            "type": {"id": kind[0], "name": kind[1]},
            "outcome": {"id": outcome[0], "name": outcome[1]},
            "technique": {"id": 93, "name": "Normal"},
        },
    )


GOAL = (97, "Goal")
SAVED = (100, "Saved")


def _periods(index: int, period: int, end: str) -> tuple[list[dict], list[dict]]:
    start = [
        _event(index, period, "00:00:00.000", (18, "Half Start"), JAPAN),
        _event(index + 1, period, "00:00:00.000", (18, "Half Start"), BELGIUM),
    ]
    stop = [
        _event(index + 100, period, end, (34, "Half End"), JAPAN),
        _event(index + 101, period, end, (34, "Half End"), BELGIUM),
    ]
    return start, stop


def match_events() -> list[dict]:
    """Belgium v Japan as an open-data events file: Japan score at 20:15 (21'), Belgium have a
    man sent off at 38:02 (39'), a yellow card that does not count, Belgium score a penalty
    10:05 into the second half (56'), a saved shot, a Japanese own goal 30:00 into it (76'),
    a substitution, and the substitute scores 48:10 into the second half (90+4')."""
    h1_start, h1_end = _periods(3, 1, "00:47:10.000")
    h2_start, h2_end = _periods(20, 2, "00:50:30.000")
    first_half = [
        _shot(5, 1, "00:20:15.400", JAPAN, _player(JAPAN_XI, 15), GOAL),
        _event(
            6,
            1,
            "00:38:02.100",
            (22, "Foul Committed"),
            BELGIUM,
            possession_team=JAPAN,
            player=_player(BELGIUM_XI, 4),
            position={"id": 4, "name": "Center Back"},
            location=[40.0, 30.0],
            foul_committed={"card": {"id": 5, "name": "Red Card"}},
        ),
        _event(
            7,
            1,
            "00:41:00.000",
            (24, "Bad Behaviour"),
            JAPAN,
            possession_team=BELGIUM,
            player=_player(JAPAN_XI, 17),
            position={"id": 9, "name": "Right Defensive Midfield"},
            bad_behaviour={"card": {"id": 7, "name": "Yellow Card"}},
        ),
    ]
    second_half = [
        _shot(22, 2, "00:10:05.000", BELGIUM, _player(BELGIUM_XI, 10), GOAL, kind=(88, "Penalty")),
        _shot(23, 2, "00:20:00.000", JAPAN, _player(JAPAN_XI, 8), SAVED),
        _event(
            24,
            2,
            "00:30:00.500",
            (20, "Own Goal Against"),
            JAPAN,
            possession_team=BELGIUM,
            player=_player(JAPAN_XI, 22),
            position={"id": 3, "name": "Right Center Back"},
            location=[3.0, 40.0],
        ),
        _event(25, 2, "00:30:00.500", (25, "Own Goal For"), BELGIUM, location=[117.0, 40.0]),
        _event(
            26,
            2,
            "00:35:00.000",
            (19, "Substitution"),
            JAPAN,
            possession_team=BELGIUM,
            player=_player(JAPAN_XI, 10),
            position={"id": 19, "name": "Center Attacking Midfield"},
            substitution={"outcome": {"id": 103, "name": "Tactical"}, "replacement": HONDA},
        ),
        _shot(27, 2, "00:48:10.000", JAPAN, HONDA, GOAL),
    ]
    return [
        _xi(1, BELGIUM, 352, BELGIUM_XI),
        _xi(2, JAPAN, 4231, JAPAN_XI),
        *h1_start,
        *first_half,
        *h1_end,
        *h2_start,
        *second_half,
        *h2_end,
    ]


def match_lineups() -> list[dict]:
    """The lineup file: both squads (the starting XIs and Honda on the bench)."""

    def squad(team, players, bench=()):
        return {
            "team_id": team["id"],
            "team_name": team["name"],
            "lineup": [
                {
                    "player_id": pid,
                    "player_name": name,
                    "player_nickname": None,
                    "jersey_number": jersey,
                    "country": {"id": 0, "name": team["name"]},
                }
                for pid, name, _, _, jersey in [*players, *bench]
            ],
        }

    return [
        squad(BELGIUM, BELGIUM_XI),
        squad(JAPAN, JAPAN_XI, [(HONDA["id"], HONDA["name"], 0, "", 4)]),
    ]


def knockout_events() -> list[dict]:
    """The same match level after 90', then extra time (a goal each: 5:30 into its first
    period, 96', for Japan; 16:20 into its second, 120+2', for Belgium) and a shootout (period
    5) that Belgium win 2-1; the shootout's goals are not match goals."""
    events = match_events()
    extra = []
    for period, end in ((3, "00:16:00.000"), (4, "00:17:30.000"), (5, "00:06:00.000")):
        start, stop = _periods(40 + 10 * period, period, end)
        extra += start
        if period == 3:
            extra.append(_shot(53, 3, "00:05:30.000", JAPAN, HONDA, GOAL))
        elif period == 4:
            extra.append(_shot(63, 4, "00:16:20.000", BELGIUM, _player(BELGIUM_XI, 9), GOAL))
        else:
            pen = (88, "Penalty")
            extra += [
                _shot(73, 5, "00:01:00.000", BELGIUM, _player(BELGIUM_XI, 9), GOAL, pen),
                _shot(74, 5, "00:02:00.000", JAPAN, HONDA, GOAL, pen),
                _shot(75, 5, "00:03:00.000", BELGIUM, _player(BELGIUM_XI, 10), GOAL, pen),
                _shot(76, 5, "00:04:00.000", JAPAN, _player(JAPAN_XI, 8), SAVED, pen),
            ]
        extra += stop
    return events + extra


def write(tmp_path: Path, events, lineups=None) -> tuple[Path, Path | None]:
    events_file = tmp_path / "events.json"
    events_file.write_text(json.dumps(events, indent=1), encoding="utf-8")
    lineup_file = None
    if lineups is not None:
        lineup_file = tmp_path / "lineups.json"
        lineup_file.write_text(json.dumps(lineups, indent=1), encoding="utf-8")
    return events_file, lineup_file


EXPECTED = [
    ("goal", 21, 0, "Japan", "Yuya Osako", False, False),
    ("red_card", 39, 0, "Belgium", "Vincent Kompany", False, False),
    ("goal", 56, 0, "Belgium", "Eden Hazard", False, True),
    ("goal", 76, 0, "Belgium", "Maya Yoshida", True, False),
    ("goal", 90, 4, "Japan", "Keisuke Honda", False, False),
]


def as_rows(match) -> list[tuple]:
    return [
        (e.type, e.minute, e.stoppage, e.team, e.player, e.own_goal, e.penalty)
        for e in match.events
    ]


@pytest.mark.parametrize("with_lineups", [True, False])
def test_reads_goals_own_goals_penalties_red_cards_and_stoppage(tmp_path, with_lineups):
    events_file, lineup_file = write(
        tmp_path, match_events(), match_lineups() if with_lineups else None
    )
    match = read_statsbomb(events_file, lineup_file)
    assert (match.home, match.away) == ("Belgium", "Japan")
    assert as_rows(match) == EXPECTED
    assert match.extra_time is False
    assert match.shootout_winner is None


def test_converts_to_a_user_match(tmp_path):
    events_file, lineup_file = write(tmp_path, match_events(), match_lineups())
    user = read_statsbomb(events_file, lineup_file).to_user_match(
        "2018-07-02", competition="FIFA World Cup", stage="round of 16", neutral=True
    )
    assert (user.home, user.away, user.date.isoformat()) == ("Belgium", "Japan", "2018-07-02")
    assert (user.competition, user.stage, user.neutral) == ("FIFA World Cup", "round of 16", True)
    assert user.knockout is False and user.extra_time is False
    goals = [e for e in user.events if e.type == "goal"]
    assert sum(e.team == "Belgium" for e in goals) == 2
    assert sum(e.team == "Japan" for e in goals) == 2


def test_extra_time_and_shootout(tmp_path):
    events_file, _ = write(tmp_path, knockout_events())
    match = read_statsbomb(events_file)
    assert match.extra_time is True
    assert match.shootout_winner == "Belgium"
    assert as_rows(match)[-2:] == [
        ("goal", 96, 0, "Japan", "Keisuke Honda", False, False),
        ("goal", 120, 2, "Belgium", "Romelu Lukaku", False, False),
    ]
    user = match.to_user_match("2018-07-02")
    assert user.knockout is True  # extra time was played: the match needed a winner
    assert user.shootout_winner == "Belgium"


@pytest.mark.parametrize(
    ("period", "clock", "label"),
    [
        (1, "00:00:00", (1, 0)),
        (1, "00:05:30", (6, 0)),
        (1, "00:44:59", (45, 0)),
        (1, "00:45:00", (45, 1)),
        (1, "00:47:10", (45, 3)),
        (2, "00:00:01", (46, 0)),
        (2, "00:44:59", (90, 0)),
        (2, "00:48:10", (90, 4)),
        (3, "00:05:30", (96, 0)),
        (3, "00:15:20", (105, 1)),
        (4, "00:14:59", (120, 0)),
        (4, "00:16:20", (120, 2)),
    ],
)
def test_clock_labels(period, clock, label):
    h, m, s = (int(x) for x in clock.split(":"))
    assert clock_label(period, h * 3600 + m * 60 + s) == label


def message(excinfo) -> str:
    return str(excinfo.value)


def test_not_json_names_file_and_line(tmp_path):
    bad = tmp_path / "events.json"
    bad.write_text('[\n{"id": "x",\n', encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        read_statsbomb(bad)
    assert message(caught).startswith(f"{bad}:")
    assert "not valid JSON" in message(caught)


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda ev: ev[5].update(timestamp="20:15"), "events[5].timestamp"),
        (lambda ev: ev[5].update(period=7), "events[5].period"),
        (lambda ev: ev[5].pop("team"), "events[5].team"),
        (lambda ev: ev[4]["shot"].pop("end_location"), "events[4].shot.end_location"),
        (lambda ev: ev[0].update(type={"id": 30, "name": "Pass"}), "events[0].type"),
        (lambda ev: ev[1]["tactics"]["lineup"][0].pop("jersey_number"), "jersey_number"),
        (lambda ev: [ev.remove(e) for e in ev[2:4]], "period 1: needs its Half Start"),
    ],
)
def test_malformed_events_name_the_field(tmp_path, edit, field):
    events = copy.deepcopy(match_events())
    edit(events)
    events_file, _ = write(tmp_path, events)
    with pytest.raises(InvalidInput) as caught:
        read_statsbomb(events_file)
    assert message(caught).startswith(f"{events_file}: ")
    assert field in message(caught)
    assert "\n" not in message(caught)


def test_lineup_of_another_match_is_an_error(tmp_path):
    lineups = match_lineups()
    lineups[1]["team_id"] = 999
    events_file, lineup_file = write(tmp_path, match_events(), lineups)
    with pytest.raises(InvalidInput) as caught:
        read_statsbomb(events_file, lineup_file)
    assert message(caught).startswith(f"{lineup_file}: [1].team_id")


def test_not_an_events_file(tmp_path):
    events_file, _ = write(tmp_path, {"home": "Belgium"})
    with pytest.raises(InvalidInput, match="JSON list of event objects"):
        read_statsbomb(events_file)


def test_missing_file_names_the_option(tmp_path):
    with pytest.raises(InvalidInput, match="--lineup: cannot read"):
        events_file, _ = write(tmp_path, match_events())
        read_statsbomb(events_file, tmp_path / "missing.json")
