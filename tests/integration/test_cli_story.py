"""``heartbreak story`` from the outside, on the real store: the JSON contract, the acceptance
ride of Belgium 3-2 Japan (2 July 2018, World Cup round of 16), text, charts and errors.

Japan led 2-0 through Haraguchi (48') and Inui (52'); Vertonghen (69'), Fellaini (74') and
Chadli (90+4') took Belgium through.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from heartbreak.cli import app
from heartbreak.drama.emotions import Emotion

runner = CliRunner()

BELGIUM_JAPAN = ["story", "Belgium", "Japan", "--date", "2018-07-02"]
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
MATCH_KEYS = {
    "id",
    "home",
    "away",
    "date",
    "competition",
    "stage",
    "knockout",
    "neutral",
    "city",
    "country",
    "score",
    "extra_time",
    "shootout",
    "shootout_winner",
    "winner",
    "advanced",
    "timeline_complete",
}
PREMATCH_KEYS = {
    "elo_home",
    "elo_away",
    "expected_goals_home",
    "expected_goals_away",
    "p_home_win",
    "p_draw",
    "p_away_win",
    "p_home_advance",
}
POINT_KEYS = {
    "minute",
    "stoppage",
    "label",
    "kind",
    "period",
    "elapsed",
    "score",
    "p_home_win",
    "p_draw",
    "p_away_win",
    "p_home_advance",
}
EVENT_KEYS = {"type", "team", "player", "own_goal", "penalty"}


def invoke(db: Path, *args: str):
    return runner.invoke(app, [*args, "--db", str(db)])


def run_script(args: list[str], db: Path, data_dir: Path) -> subprocess.CompletedProcess:
    """The installed ``heartbreak`` console script, on the session's store."""
    script = Path(sys.executable).with_name("heartbreak")
    command = str(script) if script.is_file() else shutil.which("heartbreak")
    assert command, "the `heartbreak` console script is not installed"
    env = {**os.environ, "HEARTBREAK_DB": str(db), "HEARTBREAK_DATA_DIR": str(data_dir)}
    return subprocess.run([command, *args], capture_output=True, text=True, env=env, timeout=120)


def error_line(result) -> str:
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    return lines[0]


@pytest.fixture
def store_untouched(real_db_path: Path):
    """The store file is byte-identical after the test's failing commands."""
    before = hashlib.sha256(real_db_path.read_bytes()).hexdigest()
    yield real_db_path
    assert hashlib.sha256(real_db_path.read_bytes()).hexdigest() == before


def flat(text: str) -> str:
    """Text with any run of whitespace (terminal wrapping included) as one space."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def story(real_db_path, real_data_dir) -> dict:
    """``heartbreak story Belgium Japan --date 2018-07-02 --format json``, the console script."""
    done = run_script([*BELGIUM_JAPAN, "--format", "json"], real_db_path, real_data_dir)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def goal_points(story) -> list[int]:
    """Indices of the timeline points that carry a goal (just after it)."""
    return [i for i, p in enumerate(story["timeline"]) if p.get("event", {}).get("type") == "goal"]


def japan_advance(point: dict) -> float:
    return 1.0 - point["p_home_advance"]


# --------------------------------------------------------------------------- the contract


def test_top_level_keys(story):
    assert set(story) == TOP_KEYS
    assert story["story_side"] == "Japan"  # the loser's ride by default
    assert "Fjelstul" in story["attribution"]


def test_match_block(story):
    match = story["match"]
    assert set(match) == MATCH_KEYS
    assert isinstance(match["id"], int)
    assert (match["home"], match["away"], match["date"]) == ("Belgium", "Japan", "2018-07-02")
    assert match["competition"] == "FIFA World Cup"
    assert match["stage"] == "round of 16"
    assert match["knockout"] is True
    assert match["neutral"] is True
    assert match["score"] == {"home": 3, "away": 2}
    assert match["extra_time"] is False
    assert match["shootout"] is False
    assert match["shootout_winner"] is None
    assert match["winner"] == "Belgium"
    assert match["advanced"] == "Belgium"
    assert match["timeline_complete"] is True


def test_prematch_block_agrees_with_predict(story, real_db_path):
    pre = story["prematch"]
    assert set(pre) == PREMATCH_KEYS
    assert pre["p_home_win"] + pre["p_draw"] + pre["p_away_win"] == pytest.approx(1, abs=1e-5)
    assert 0.5 < pre["p_home_advance"] < 1
    predicted = invoke(
        real_db_path,
        "predict",
        *BELGIUM_JAPAN[1:],
        "--neutral",
        "--knockout",
        "--competition",
        "World Cup",
        "--format",
        "json",
    )
    assert predicted.exit_code == 0, predicted.stderr
    expected = json.loads(predicted.stdout)
    for key in PREMATCH_KEYS:
        assert pre[key] == pytest.approx(expected[key], abs=1e-6), key


def test_timeline_points(story):
    timeline = story["timeline"]
    assert len(timeline) > 90
    assert timeline[0]["label"] == "KO" and timeline[0]["kind"] == "kick_off"
    assert timeline[-1]["label"] == "FT" and timeline[-1]["kind"] == "final_whistle"
    elapsed = [p["elapsed"] for p in timeline]
    assert elapsed == sorted(elapsed)
    for point in timeline:
        assert POINT_KEYS <= set(point) <= POINT_KEYS | {"event"}
        assert isinstance(point["minute"], int) and isinstance(point["stoppage"], int)
        assert point["period"] in ("first_half", "second_half")
        total = point["p_home_win"] + point["p_draw"] + point["p_away_win"]
        assert total == pytest.approx(1, abs=1e-5)
        assert 0 <= point["p_home_advance"] <= 1
        if "event" in point:
            assert point["kind"] == "after_event"
            assert set(point["event"]) == EVENT_KEYS


def test_goal_events(story, goal_points):
    timeline = story["timeline"]
    goals = [timeline[i] for i in goal_points]
    assert len(goals) == 5
    assert [g["event"]["team"] for g in goals] == [
        "Japan",
        "Japan",
        "Belgium",
        "Belgium",
        "Belgium",
    ]
    assert [(g["minute"], g["stoppage"]) for g in goals] == [
        (48, 0),
        (52, 0),
        (69, 0),
        (74, 0),
        (90, 4),
    ]
    assert [g["label"] for g in goals] == ["48'", "52'", "69'", "74'", "90+4'"]
    assert [(g["score"]["home"], g["score"]["away"]) for g in goals] == [
        (0, 1),
        (0, 2),
        (1, 2),
        (2, 2),
        (3, 2),
    ]
    last = goals[-1]["event"]
    assert last["team"] == "Belgium"
    assert "Chadli" in last["player"]
    assert last["own_goal"] is False and last["penalty"] is False
    assert "Haraguchi" in goals[0]["event"]["player"]
    assert goals[-1]["period"] == "second_half"


def test_emotions_follow_the_timeline(story):
    timeline, emotions = story["timeline"], story["emotions"]
    assert set(emotions) == {"Belgium", "Japan"}
    names = {e.value for e in Emotion}
    for feelings in emotions.values():
        assert len(feelings) == len(timeline)
        for point, feeling in zip(timeline, feelings, strict=True):
            assert (feeling["minute"], feeling["stoppage"], feeling["label"]) == (
                point["minute"],
                point["stoppage"],
                point["label"],
            )
            assert feeling["emotion"] in names


def test_metrics_and_story(story):
    metrics = story["metrics"]
    assert metrics["heartbreak"] > 0.5
    assert metrics["winner"] == "home" and metrics["loser"] == "away"
    text = story["story"]
    assert "2-0" in text
    assert "90+4'" in text
    assert "knocked out" in text
    assert "Japan" in text and "Belgium" in text


# --------------------------------------------------------------------------- acceptance


def test_japans_chance_rises_with_its_goals_and_falls_with_belgiums(story, goal_points):
    timeline = story["timeline"]
    moves = {}
    for i in goal_points:
        before, after = timeline[i - 1], timeline[i]
        assert before["kind"] == "before_event" and after["kind"] == "after_event"
        assert (before["minute"], before["stoppage"]) == (after["minute"], after["stoppage"])
        moves[after["label"]] = japan_advance(after) - japan_advance(before)
    assert moves["48'"] > 0
    assert moves["52'"] > 0
    assert moves["69'"] < 0
    assert moves["74'"] < 0
    assert moves["90+4'"] < 0


def test_japan_at_two_up_and_at_the_end(story, goal_points):
    timeline = story["timeline"]
    two_up = [p for p in timeline if (p["score"]["home"], p["score"]["away"]) == (0, 2)]
    assert two_up
    assert max(japan_advance(p) for p in two_up) >= 0.80
    after_winner = timeline[goal_points[-1]]
    assert after_winner["label"] == "90+4'"
    assert japan_advance(after_winner) < 0.05
    assert timeline[-1]["label"] == "FT"
    assert japan_advance(timeline[-1]) == pytest.approx(0.0, abs=1e-9)


def test_japans_fans_ride(story, goal_points):
    """Content before 48', joy at 48', ecstasy at 52', despair at the end — in that order."""
    feelings = [f["emotion"] for f in story["emotions"]["Japan"]]
    first_goal, second_goal = goal_points[0], goal_points[1]
    assert set(feelings[:first_goal]) == {"content"}
    assert feelings[first_goal] == "joy"
    assert feelings[second_goal] == "ecstasy"
    assert feelings[-1] == "despair"
    order = [
        feelings.index("content"),
        feelings.index("joy"),
        feelings.index("ecstasy"),
        len(feelings) - 1 - feelings[::-1].index("despair"),
    ]
    assert order == sorted(order)
    assert order[0] < first_goal <= order[1] < order[2] <= second_goal < order[3]


def test_belgiums_fans_end_happy(story):
    last = story["emotions"]["Belgium"][-1]["emotion"]
    assert Emotion(last).positive
    assert Emotion(last).valence > 0


# --------------------------------------------------------------------------- text and side


def test_side_japan_text_tells_the_story(story, real_db_path, real_data_dir):
    done = run_script([*BELGIUM_JAPAN, "--side", "Japan"], real_db_path, real_data_dir)
    assert done.returncode == 0, done.stderr
    text = flat(done.stdout)
    assert flat(story["story"]) in text
    assert "Belgium 3–2 Japan" in text
    assert "Japan fans:" in text
    assert "Goals: 48' Japan, 52' Japan, 69' Belgium, 74' Belgium, 90+4' Belgium" in text


def test_side_belgium_tells_the_other_ride(story, real_db_path):
    result = invoke(real_db_path, *BELGIUM_JAPAN, "--side", "belgium", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["story_side"] == "Belgium"
    assert data["story"] != story["story"]
    assert data["timeline"] == story["timeline"]
    text = invoke(real_db_path, *BELGIUM_JAPAN, "--side", "Belgium")
    assert text.exit_code == 0
    assert "Belgium fans:" in text.stdout


def test_side_by_fifa_code(story, real_db_path):
    result = invoke(real_db_path, *BELGIUM_JAPAN, "--side", "JPN")
    assert result.exit_code == 0, result.stderr
    assert "Japan fans:" in result.stdout
    data = json.loads(
        invoke(real_db_path, *BELGIUM_JAPAN, "--side", "JPN", "--format", "json").stdout
    )
    assert data["story_side"] == "Japan"


@pytest.mark.usefixtures("store_untouched")
def test_side_that_did_not_play(real_db_path):
    result = invoke(real_db_path, *BELGIUM_JAPAN, "--side", "Brazil")
    message = error_line(result)
    assert "side" in message
    assert "Brazil" in message
    assert result.stdout == ""


# --------------------------------------------------------------------------- charts


def test_png_chart(real_db_path, tmp_path):
    target = tmp_path / "ride.png"
    result = invoke(real_db_path, *BELGIUM_JAPAN, "--side", "Japan", "--chart", str(target))
    assert result.exit_code == 0, result.stderr
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert target.stat().st_size > 10_000
    assert "chart written to" in result.stderr
    assert "Japan fans:" in result.stdout


def test_svg_chart_with_json(real_db_path, tmp_path):
    target = tmp_path / "ride.svg"
    result = invoke(real_db_path, *BELGIUM_JAPAN, "--chart", str(target), "--format", "json")
    assert result.exit_code == 0, result.stderr
    json.loads(result.stdout)  # the chart note goes to stderr, stdout stays JSON
    text = target.read_text(encoding="utf-8")
    assert text.lstrip().startswith("<?xml")
    assert "<svg" in text and text.rstrip().endswith("</svg>")


@pytest.mark.usefixtures("store_untouched")
def test_gif_chart_is_refused(real_db_path, tmp_path):
    target = tmp_path / "ride.gif"
    result = invoke(real_db_path, *BELGIUM_JAPAN, "--chart", str(target))
    message = error_line(result)
    assert "--chart" in message
    assert not target.exists()
    assert result.stdout == ""


# --------------------------------------------------------------------------- other errors


@pytest.mark.usefixtures("store_untouched")
def test_no_match_on_that_date(real_db_path):
    message = error_line(invoke(real_db_path, "story", "Belgium", "Japan", "--date", "2018-07-03"))
    assert "2018-07-03" in message
    assert "Belgium" in message and "Japan" in message


@pytest.mark.usefixtures("store_untouched")
def test_bad_or_missing_date(real_db_path):
    assert "--date" in error_line(invoke(real_db_path, "story", "Belgium", "Japan"))
    message = error_line(invoke(real_db_path, "story", "Belgium", "Japan", "--date", "2018-7-32"))
    assert "--date" in message and "2018-7-32" in message


@pytest.mark.usefixtures("store_untouched")
def test_unknown_team(real_db_path):
    message = error_line(invoke(real_db_path, "story", "Belgum", "Japan", "--date", "2018-07-02"))
    assert "Belgum" in message and "Belgium" in message


def test_teams_in_either_order_and_by_alias(story, real_db_path):
    result = invoke(
        real_db_path, "story", "JPN", "belgium", "--date", "2018-07-02", "--format", "json"
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["match"] == story["match"]


@pytest.mark.usefixtures("store_untouched")
def test_a_match_with_an_incomplete_timeline_is_refused(real_db_path, real_store):
    """A match whose record lists fewer goal minutes than its score cannot be replayed."""
    candidates = real_store.matches(timeline_complete=False)
    candidates = candidates[candidates["goals_listed"] > 0]
    assert len(candidates) > 0
    for row in candidates.itertuples(index=False):
        if len(real_store.find_matches(row.home, row.away, row.date.date())) == 1:
            break
    else:  # pragma: no cover
        pytest.fail("no unambiguous match with an incomplete timeline")
    match = real_store.match(row.match_id)
    assert match.timeline_complete is False
    goals = sum(e.type.value == "goal" for e in match.events)
    assert goals < row.home_score + row.away_score  # goals with a minute fall short
    result = invoke(real_db_path, "story", row.home, row.away, "--date", f"{row.date:%Y-%m-%d}")
    message = error_line(result)
    assert row.home in message and row.away in message
    assert "cannot be replayed" in message
    assert result.stdout == ""


@pytest.mark.usefixtures("store_untouched")
def test_two_matches_on_one_day_are_named(real_db_path, real_store):
    """Tahiti played New Caledonia twice on 17 February 1974: the error names both ids."""
    ids = real_store.find_matches("Tahiti", "New Caledonia", "1974-02-17")["match_id"].tolist()
    assert len(ids) == 2
    message = error_line(
        invoke(real_db_path, "story", "Tahiti", "New Caledonia", "--date", "1974-02-17")
    )
    assert "2 matches" in message
    for match_id in ids:
        assert str(match_id) in message


@pytest.mark.parametrize("match_id", ["2147483648", "-2147483649", "12905417769291538759680"])
def test_a_match_id_beyond_the_stored_range_is_no_such_match(real_db_path, match_id):
    result = invoke(real_db_path, "story", "--id", match_id)
    assert error_line(result) == f"error: no match with id {match_id}"
