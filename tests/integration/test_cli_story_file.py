"""``heartbreak story --file``: a match of the user's own, JSON or CSV (README schema).

A well-formed file replays into the same JSON contract as a stored match; a malformed one stops
with one line on stderr, exit code 2, naming the field (JSON) or the file and line (CSV).
"""

from __future__ import annotations

import copy
import csv
import hashlib
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from heartbreak.cli import app

runner = CliRunner()

TOP_KEYS = {
    "context",
    "match",
    "prematch",
    "timeline",
    "emotions",
    "metrics",
    "story",
    "story_side",
    "stakes",
    "ranks",
    "attribution",
}
CSV_COLUMNS = [
    "home",
    "away",
    "date",
    "neutral",
    "knockout",
    "competition",
    "stage",
    "type",
    "minute",
    "stoppage",
    "team",
    "player",
    "own_goal",
    "penalty",
    "shootout_winner",
]

# Belgium 3-2 Japan, 2 July 2018, as a user would write it (README schema).
BELGIUM_JAPAN = {
    "home": "Belgium",
    "away": "Japan",
    "date": "2018-07-02",
    "competition": "FIFA World Cup",
    "stage": "round of 16",
    "neutral": True,
    "knockout": True,
    "elo_home": 2060,
    "elo_away": 1803,
    "events": [
        {"type": "goal", "minute": 48, "team": "Japan", "player": "Genki Haraguchi"},
        {"type": "goal", "minute": 52, "team": "Japan", "player": "Takashi Inui"},
        {"type": "goal", "minute": 69, "team": "Belgium", "player": "Jan Vertonghen"},
        {"type": "goal", "minute": 74, "team": "Belgium", "player": "Marouane Fellaini"},
        {"type": "goal", "minute": 90, "stoppage": 4, "team": "Belgium", "player": "Nacer Chadli"},
    ],
}

# A knockout with an own goal, a red card, goals in extra time and a shootout.
EXTRA_TIME = {
    "home": "Portugal",
    "away": "England",
    "date": "2004-06-24",
    "competition": "UEFA Euro",
    "stage": "quarter-finals",
    "knockout": True,
    "shootout_winner": "Portugal",
    "events": [
        {"type": "goal", "minute": 3, "team": "England"},
        {"type": "goal", "minute": 20, "team": "Portugal", "own_goal": True},
        {"type": "goal", "minute": 25, "team": "England"},
        {"type": "red_card", "minute": 60, "team": "England"},
        {"type": "goal", "minute": 83, "team": "Portugal", "penalty": True, "player": "X"},
        {"type": "goal", "minute": 110, "team": "Portugal"},
        {"type": "goal", "minute": 115, "team": "England"},
    ],
}


def invoke(db: Path, *args: str):
    return runner.invoke(app, [*args, "--db", str(db)])


def write_json(folder: Path, data, name: str = "match.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def csv_rows(data: dict) -> list[dict]:
    """The README's CSV layout of a match dict: one row per event, match columns repeated."""
    match = {
        "home": data["home"],
        "away": data["away"],
        "date": data["date"],
        "neutral": str(data.get("neutral", False)).lower(),
        "knockout": str(data.get("knockout", False)).lower(),
        "competition": data.get("competition", ""),
        "stage": data.get("stage", ""),
        "shootout_winner": data.get("shootout_winner") or "",
    }
    rows = []
    for event in data["events"] or [{}]:
        row = {**dict.fromkeys(CSV_COLUMNS, ""), **match}
        for key, value in event.items():
            row[key] = str(value).lower() if isinstance(value, bool) else str(value)
        rows.append(row)
    return rows


def write_csv(folder: Path, rows: list[dict], name: str = "match.csv", columns=None) -> Path:
    path = folder / name
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns or CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def replay_file(db: Path, path: Path, *extra: str) -> dict:
    result = invoke(db, "story", "--file", str(path), "--format", "json", *extra)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == TOP_KEYS
    return data


def error_line(result) -> str:
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    assert result.stdout == ""
    return lines[0]


def without_players(timeline: list[dict]) -> list[dict]:
    out = copy.deepcopy(timeline)
    for point in out:
        if "event" in point:
            point["event"]["player"] = None
    return out


def goal_moves(data: dict, side: str) -> dict[str, float]:
    """The jump in ``side``'s chance to go through across each goal, by its label."""
    timeline = data["timeline"]
    home = side == data["match"]["home"]
    moves = {}
    for i, point in enumerate(timeline):
        if point.get("event", {}).get("type") == "goal":
            jump = point["p_home_advance"] - timeline[i - 1]["p_home_advance"]
            moves[point["label"]] = jump if home else -jump
    return moves


@pytest.fixture(scope="module")
def stored(real_db_path) -> dict:
    """The stored Belgium v Japan replay, to compare files against."""
    result = invoke(
        real_db_path, "story", "Belgium", "Japan", "--date", "2018-07-02", "--format", "json"
    )
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def store_untouched(real_db_path: Path):
    before = hashlib.sha256(real_db_path.read_bytes()).hexdigest()
    yield real_db_path
    assert hashlib.sha256(real_db_path.read_bytes()).hexdigest() == before


# --------------------------------------------------------------------------- good files


def test_json_with_ratings_gives_the_contract(real_db_path, tmp_path):
    data = replay_file(real_db_path, write_json(tmp_path, BELGIUM_JAPAN))
    match = data["match"]
    assert match["id"] is None
    assert (match["home"], match["away"], match["date"]) == ("Belgium", "Japan", "2018-07-02")
    assert match["stage"] == "round of 16"
    assert match["knockout"] is True and match["neutral"] is True
    assert match["score"] == {"home": 3, "away": 2}
    assert match["extra_time"] is False and match["shootout"] is False
    assert match["winner"] == "Belgium" and match["advanced"] == "Belgium"
    assert data["prematch"]["elo_home"] == 2060.0
    assert data["prematch"]["elo_away"] == 1803.0
    assert 0.5 < data["prematch"]["p_home_advance"] < 1
    goals = [p for p in data["timeline"] if "event" in p]
    assert [g["label"] for g in goals] == ["48'", "52'", "69'", "74'", "90+4'"]
    assert "Chadli" in goals[-1]["event"]["player"]
    moves = goal_moves(data, "Japan")
    assert moves["48'"] > 0 and moves["52'"] > 0
    assert moves["69'"] < 0 and moves["74'"] < 0 and moves["90+4'"] < 0
    assert data["timeline"][-1]["p_home_advance"] == 1.0
    assert set(data["emotions"]) == {"Belgium", "Japan"}
    assert data["emotions"]["Japan"][-1]["emotion"] == "despair"
    assert data["metrics"]["heartbreak"] > 0.5
    assert data["story_side"] == "Japan"
    assert "knocked out" in data["story"]


def test_json_with_the_stored_ratings_replays_like_the_store(
    real_db_path, real_store, stored, tmp_path
):
    row = real_store.match_row(stored["match"]["id"])
    user = {**BELGIUM_JAPAN, "elo_home": float(row["elo_home"]), "elo_away": float(row["elo_away"])}
    data = replay_file(real_db_path, write_json(tmp_path, user))
    assert data["prematch"] == stored["prematch"]
    assert data["timeline"] == stored["timeline"]
    assert data["emotions"] == stored["emotions"]
    assert data["metrics"] == stored["metrics"]
    for key in ("home", "away", "date", "stage", "score", "winner", "advanced", "extra_time"):
        assert data["match"][key] == stored["match"][key], key


def test_json_relying_on_store_ratings(real_db_path, stored, tmp_path):
    user = copy.deepcopy(BELGIUM_JAPAN)
    del user["elo_home"], user["elo_away"]
    user["home"], user["away"] = "belgium", "JAPAN"
    for event in user["events"]:
        event.pop("player")
        event["team"] = event["team"].lower()
    data = replay_file(real_db_path, write_json(tmp_path, user))
    assert (data["match"]["home"], data["match"]["away"]) == ("Belgium", "Japan")
    assert data["prematch"]["elo_home"] == stored["prematch"]["elo_home"]
    assert data["prematch"]["elo_away"] == stored["prematch"]["elo_away"]
    assert without_players(data["timeline"]) == without_players(stored["timeline"])
    assert data["emotions"] == stored["emotions"]
    goals = [p["event"] for p in data["timeline"] if "event" in p]
    assert [g["team"] for g in goals] == ["Japan", "Japan", "Belgium", "Belgium", "Belgium"]
    assert all(g["player"] is None for g in goals)


def test_csv_gives_what_the_json_gives(real_db_path, tmp_path):
    """CSV has no rating columns: both files rely on the store's ratings."""
    user = copy.deepcopy(BELGIUM_JAPAN)
    del user["elo_home"], user["elo_away"]
    from_json = replay_file(real_db_path, write_json(tmp_path, user))
    from_csv = replay_file(real_db_path, write_csv(tmp_path, csv_rows(user)))
    assert from_csv == from_json
    assert from_csv["match"]["score"] == {"home": 3, "away": 2}


def test_csv_in_any_event_order_and_without_optional_columns(real_db_path, stored, tmp_path):
    rows = csv_rows({**BELGIUM_JAPAN, "events": BELGIUM_JAPAN["events"][::-1]})
    columns = ["home", "away", "date", "neutral", "knockout", "type", "minute", "stoppage", "team"]
    data = replay_file(real_db_path, write_csv(tmp_path, rows, columns=columns))
    assert data["match"]["competition"] == "Friendly"  # the default
    assert data["match"]["stage"] is None
    # The same ride, as a friendly: the goal model's tournament term moves the chances, which
    # start from what predict gives the fixture (a friendly by default).
    got, expected = without_players(data["timeline"]), without_players(stored["timeline"])
    chances = ("p_home_win", "p_draw", "p_away_win", "p_home_advance")
    assert [{k: v for k, v in p.items() if k not in chances} for p in got] == [
        {k: v for k, v in p.items() if k not in chances} for p in expected
    ]
    from heartbreak.services import Heartbreak

    kickoff = Heartbreak(db=real_db_path).predict(
        "Belgium", "Japan", "2018-07-02", neutral=True, knockout=True
    )
    assert got[0]["p_home_advance"] == pytest.approx(kickoff.p_home_advance, abs=1e-6)


def test_csv_match_without_events(real_db_path, tmp_path):
    user = {"home": "Japan", "away": "Belgium", "date": "2018-07-02", "events": []}
    data = replay_file(real_db_path, write_csv(tmp_path, csv_rows(user)))
    assert data["match"]["score"] == {"home": 0, "away": 0}
    assert data["match"]["winner"] is None and data["match"]["advanced"] is None
    assert "p_home_advance" not in data["prematch"]
    assert not any("event" in p for p in data["timeline"])
    final = data["timeline"][-1]
    assert (final["p_home_win"], final["p_draw"], final["p_away_win"]) == (0.0, 1.0, 0.0)


def test_extra_time_own_goal_red_card_and_shootout(real_db_path, tmp_path):
    data = replay_file(real_db_path, write_json(tmp_path, EXTRA_TIME))
    match = data["match"]
    assert match["score"] == {"home": 3, "away": 3}
    assert match["extra_time"] is True
    assert match["shootout"] is True and match["shootout_winner"] == "Portugal"
    assert match["advanced"] == "Portugal"
    periods = {p["period"] for p in data["timeline"]}
    assert {"extra_time_first_half", "extra_time_second_half", "shootout"} <= periods
    events = {p["label"]: p["event"] for p in data["timeline"] if "event" in p}
    assert events["20'"]["own_goal"] is True and events["20'"]["team"] == "Portugal"
    assert events["60'"]["type"] == "red_card" and events["60'"]["team"] == "England"
    assert events["83'"]["penalty"] is True
    assert events["110'"]["team"] == "Portugal"
    after_red = next(p for p in data["timeline"] if p["label"] == "60'" and "event" in p)
    before_red = data["timeline"][data["timeline"].index(after_red) - 1]
    assert after_red["p_home_advance"] > before_red["p_home_advance"]
    assert data["timeline"][-1]["p_home_advance"] == 1.0
    assert data["emotions"]["England"][-1]["emotion"] == "despair"


def test_a_level_knockout_on_penalties_gets_extra_time_unless_the_file_says_not(
    real_db_path, tmp_path
):
    user = {**copy.deepcopy(BELGIUM_JAPAN), "shootout_winner": "Japan"}
    user["events"] = user["events"][:4]  # 2-2
    data = replay_file(real_db_path, write_json(tmp_path, user))
    assert data["match"]["extra_time"] is True
    assert data["match"]["advanced"] == "Japan"
    assert "extra_time_second_half" in {p["period"] for p in data["timeline"]}
    # A file that says there was no extra time (a two-legged tie) goes straight to penalties.
    data = replay_file(real_db_path, write_json(tmp_path, {**user, "extra_time": False}))
    assert data["match"]["extra_time"] is False
    assert "extra_time_first_half" not in {p["period"] for p in data["timeline"]}


def test_goal_without_a_scorer_takes_the_right_article(real_db_path, tmp_path):
    data = replay_file(real_db_path, write_json(tmp_path, EXTRA_TIME))
    assert re.search(r"\b[Aa] England goal\b", data["story"]) is None, data["story"]


def test_teams_the_store_does_not_know_need_ratings(real_db_path, tmp_path):
    user = {
        "home": "Atlantis",
        "away": "Lemuria",
        "date": "2020-01-01",
        "elo_home": 1500,
        "elo_away": 1700,
        "events": [{"type": "goal", "minute": 10, "team": "lemuria"}],
    }
    data = replay_file(real_db_path, write_json(tmp_path, user))
    assert (data["match"]["home"], data["match"]["away"]) == ("Atlantis", "Lemuria")
    assert data["match"]["winner"] == "Lemuria"
    assert data["prematch"]["p_away_win"] > data["prematch"]["p_home_win"]
    del user["elo_home"]
    message = error_line(invoke(real_db_path, "story", "--file", str(write_json(tmp_path, user))))
    assert "Atlantis" in message


def test_side_text_and_chart_from_a_file(real_db_path, tmp_path):
    path = write_json(tmp_path, BELGIUM_JAPAN)
    chart = tmp_path / "mine.png"
    result = invoke(
        real_db_path, "story", "--file", str(path), "--side", "Belgium", "--chart", str(chart)
    )
    assert result.exit_code == 0, result.stderr
    assert "Belgium fans:" in result.stdout
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    message = error_line(invoke(real_db_path, "story", "--file", str(path), "--side", "Brazil"))
    assert "side" in message and "Brazil" in message


# --------------------------------------------------------------------------- malformed JSON


def _drop_home(d):
    del d["home"]


def _set_event(index: int, **changes):
    def change(d):
        d["events"][index].update(changes)

    return change


def _set(**changes):
    def change(d):
        d.update(changes)

    return change


def _extra_time_goal_without_knockout(d):
    d["knockout"] = False
    d["events"][4].update(minute=100, stoppage=0)


def _shootout_in_a_league_match(d):
    d["knockout"] = False
    d["events"] = d["events"][:4]
    d["shootout_winner"] = "Japan"


BAD_JSON = {
    "missing home": (_drop_home, ["home"]),
    "minute 0": (_set_event(1, minute=0), ["events[1].minute"]),
    "minute 130": (_set_event(1, minute=130), ["events[1].minute"]),
    "negative stoppage": (_set_event(4, stoppage=-1), ["events[4].stoppage"]),
    "team not in the match": (_set_event(2, team="Brazil"), ["events[2].team", "Brazil"]),
    "red card typo": (_set_event(3, type="red card"), ["events[3].type"]),
    "unknown event field": (_set_event(0, scorer="X"), ["events[0].scorer"]),
    "extra time without knockout": (
        _extra_time_goal_without_knockout,
        ["events[4].minute", "knockout"],
    ),
    "shootout without knockout": (_shootout_in_a_league_match, ["shootout_winner", "knockout"]),
    "shootout after a decided match": (_set(shootout_winner="Japan"), ["shootout_winner"]),
    "shootout winner who did not play": (_set(shootout_winner="Brazil"), ["shootout_winner"]),
    "bad date": (_set(date="2018-02-30"), ["date"]),
    "misspelt field": (_set(knokout=True), ["knokout"]),
    "a team playing itself": (_set(away="Belgium"), ["away"]),
    "text rating": (_set(elo_home="strong"), ["elo_home"]),
}


@pytest.mark.parametrize("case", sorted(BAD_JSON))
def test_malformed_json_names_the_field(store_untouched, tmp_path, case):
    change, named = BAD_JSON[case]
    data = copy.deepcopy(BELGIUM_JAPAN)
    change(data)
    path = write_json(tmp_path, data)
    message = error_line(invoke(store_untouched, "story", "--file", str(path)))
    assert str(path) in message
    for part in named:
        assert part in message, (part, message)


def test_invalid_json_names_file_and_line(store_untouched, tmp_path):
    path = tmp_path / "match.json"
    path.write_text('{"home": "Belgium",\n "away": "Japan",\n "date": }\n', encoding="utf-8")
    message = error_line(invoke(store_untouched, "story", "--file", str(path)))
    assert f"{path}:3:" in message
    assert "JSON" in message


def test_json_that_is_not_an_object(store_untouched, tmp_path):
    path = write_json(tmp_path, [BELGIUM_JAPAN])
    assert str(path) in error_line(invoke(store_untouched, "story", "--file", str(path)))


# --------------------------------------------------------------------------- malformed CSV


def test_csv_missing_column_is_line_1(store_untouched, tmp_path):
    columns = [c for c in CSV_COLUMNS if c != "date"]
    path = write_csv(tmp_path, csv_rows(BELGIUM_JAPAN), columns=columns)
    message = error_line(invoke(store_untouched, "story", "--file", str(path)))
    assert f"{path}:1:" in message
    assert "date" in message


@pytest.mark.parametrize(
    ("line", "column", "value", "named"),
    [
        (3, "minute", "5x", "minute"),
        (3, "minute", "0", "minute"),
        (3, "minute", "130", "minute"),
        (4, "type", "red card", "type"),
        (5, "own_goal", "perhaps", "own_goal"),
        (3, "date", "2018-07-03", "date"),
        (4, "home", "Brazil", "home"),
    ],
)
def test_csv_bad_cell_names_file_and_line(store_untouched, tmp_path, line, column, value, named):
    rows = csv_rows(BELGIUM_JAPAN)
    rows[line - 2][column] = value  # line 1 is the header
    path = write_csv(tmp_path, rows)
    message = error_line(invoke(store_untouched, "story", "--file", str(path)))
    assert f"{path}:{line}:" in message
    assert named in message


def test_csv_event_team_not_in_the_match(store_untouched, tmp_path):
    rows = csv_rows(BELGIUM_JAPAN)
    rows[2]["team"] = "Brazil"
    path = write_csv(tmp_path, rows)
    message = error_line(invoke(store_untouched, "story", "--file", str(path)))
    assert str(path) in message
    assert "team" in message and "Brazil" in message


def test_csv_with_a_header_only(store_untouched, tmp_path):
    path = write_csv(tmp_path, [])
    message = error_line(invoke(store_untouched, "story", "--file", str(path)))
    assert f"{path}:2:" in message


# --------------------------------------------------------------------------- the option itself


def test_unknown_extension(store_untouched, tmp_path):
    path = tmp_path / "match.txt"
    path.write_text(json.dumps(BELGIUM_JAPAN), encoding="utf-8")
    message = error_line(invoke(store_untouched, "story", "--file", str(path)))
    assert "--file" in message
    assert ".json" in message and ".csv" in message


def test_missing_file(store_untouched, tmp_path):
    path = tmp_path / "nowhere.json"
    message = error_line(invoke(store_untouched, "story", "--file", str(path)))
    assert "--file" in message and str(path) in message


def test_file_together_with_teams(store_untouched, tmp_path):
    path = write_json(tmp_path, BELGIUM_JAPAN)
    message = error_line(invoke(store_untouched, "story", "Belgium", "Japan", "--file", str(path)))
    assert "--file" in message
    message = error_line(
        invoke(
            store_untouched,
            "story",
            "Belgium",
            "Japan",
            "--date",
            "2018-07-02",
            "--file",
            str(path),
        )
    )
    assert "--file" in message
