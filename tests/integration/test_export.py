"""``heartbreak export matches|drama|timeline``: the tables parse back (CSV with
``comment='#'``, Parquet, JSON), carry the data attribution, follow the filters and agree with
the store and the replay; bad options are one line and exit code 2.

Most tests use a store built from the ``tiny_data`` folder; one export of each kind runs on the
real store."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from heartbreak.build import build_store
from heartbreak.cli import app
from heartbreak.data.sources import ATTRIBUTION_INTERNATIONAL, ATTRIBUTION_WORLDCUP
from heartbreak.data.store import Store
from heartbreak.data.usermatches import USER_MATCH_ID_BASE
from heartbreak.drama.emotions import Emotion
from heartbreak.services import Heartbreak

runner = CliRunner()
EMOTIONS = {e.value for e in Emotion}
TIMELINE_COLUMNS = [
    "match_id",
    "point",
    "minute",
    "stoppage",
    "label",
    "kind",
    "period",
    "elapsed",
    "time_left",
    "home_goals",
    "away_goals",
    "home_reds",
    "away_reds",
    "p_home_win",
    "p_draw",
    "p_away_win",
    "p_home_advance",
    "p_home_qualify",
    "p_away_qualify",
    "suspense",
    "emotion_home",
    "emotion_away",
]


def invoke(db: Path, *args: str, data_dir: Path | None = None):
    extra = ["--data-dir", str(data_dir)] if data_dir is not None else []
    return runner.invoke(app, ["export", *args, "--db", str(db), *extra])


def ok(result) -> str:
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr)
    return result.stdout


def error_line(result) -> str:
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    assert result.stdout == ""
    return lines[0]


def read_csv(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), comment="#")


def comment_lines(text: str) -> list[str]:
    lines = []
    for line in text.splitlines():
        if not line.startswith("# "):
            break
        lines.append(line[2:])
    return lines


def assert_attribution(lines_or_values) -> None:
    text = "\n".join(lines_or_values)
    assert ATTRIBUTION_INTERNATIONAL in text
    assert ATTRIBUTION_WORLDCUP in text
    assert "CC BY-SA 4.0" in text


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory, make_tiny_data) -> Path:
    """A tiny store with one imported match (the same data as the ``tiny_data`` fixture)."""
    folder = tmp_path_factory.mktemp("export")
    data = make_tiny_data(folder / "data")
    db = folder / "store" / "heartbreak.duckdb"
    build_store(data.root, db, allow_modified=True)
    user = folder / "user.json"
    user.write_text(
        json.dumps(
            {
                "home": "Belgium",
                "away": "Japan",
                "date": "2019-06-01",
                "competition": "Cup #1, the first",
                "events": [
                    {"type": "goal", "minute": 10, "team": "Japan", "player": "#9"},
                    {"type": "goal", "minute": 90, "stoppage": 2, "team": "Belgium"},
                ],
            }
        ),
        encoding="utf-8",
    )
    result = runner.invoke(
        app, ["import", str(user), "--db", str(db), "--data-dir", str(data.root)]
    )
    assert result.exit_code == 0, result.stderr
    return db


# --------------------------------------------------------------------------- matches


def test_matches_csv_to_stdout_parses_back_with_the_attribution(tiny_db):
    text = ok(invoke(tiny_db, "matches"))
    assert_attribution(comment_lines(text))
    frame = read_csv(text)
    with Store(tiny_db) as store:
        stored = store.matches()
        drama = store.query("SELECT * FROM drama")
    assert frame["match_id"].tolist() == stored["match_id"].tolist()
    assert list(frame.columns) == [
        *stored.columns,
        "prematch_chance_home",
        "prematch_chance_away",
        "prematch_draw",
    ]
    home = drama[drama["side"] == "home"].set_index("match_id")["prematch_chance"]
    np.testing.assert_allclose(
        frame["prematch_chance_home"], home.reindex(frame["match_id"]).to_numpy()
    )
    knockout = frame["knockout"].astype(bool)
    assert frame.loc[knockout, "prematch_draw"].isna().all()
    total = frame["prematch_chance_home"] + frame["prematch_chance_away"] + frame["prematch_draw"]
    np.testing.assert_allclose(total[~knockout], 1.0)
    # A '#' inside a value is data, not a comment.
    user = frame[frame["match_id"] == USER_MATCH_ID_BASE].iloc[0]
    assert (user["competition"], user["source"]) == ("Cup #1, the first", "user")


@pytest.mark.parametrize(
    ("args", "ids"),
    [
        (["--team", "japan"], [6, 7, USER_MATCH_ID_BASE]),
        (["--team", "Soviet Union"], [8, 9]),
        (["--from", "2018", "--to", "2018"], [6, 7]),
        (["--from", "2018-07-01", "--to", "2019-03-21"], [7, 8]),
        (["--competition", "fifa world cup"], [3, 4, 6, 7]),
        (["--competition", "World Cup"], [3, 4, 6, 7]),
        (["--competition", "Euro"], [5]),
        (["--competition", "euro qualifiers"], [8, 9]),
        (["--competition", "FIFA World Cup", "--team", "Belgium", "--from", "2018"], [7]),
        (["--from", "2031"], []),
    ],
)
def test_matches_filters(tiny_db, args, ids):
    frame = read_csv(ok(invoke(tiny_db, "matches", *args)))
    assert frame["match_id"].tolist() == ids


def test_matches_json_and_parquet(tiny_db, tmp_path):
    data = json.loads(ok(invoke(tiny_db, "matches", "--format", "json", "--team", "Japan")))
    assert set(data) == {"attribution", "rows"}
    assert_attribution(data["attribution"].values())
    assert [r["match_id"] for r in data["rows"]] == [6, 7, USER_MATCH_ID_BASE]
    assert data["rows"][1]["date"] == "2018-07-02"
    assert data["rows"][1]["extra_time"] is False

    out = tmp_path / "matches.parquet"
    result = invoke(tiny_db, "matches", "--format", "parquet", "--out", str(out))
    ok(result)
    assert "9" in result.stderr or "10" in result.stderr
    frame = pd.read_parquet(out)
    assert len(frame) == 10
    metadata = pq.read_metadata(out).metadata
    assert_attribution(
        v.decode() for k, v in metadata.items() if k.decode().startswith("attribution:")
    )


# --------------------------------------------------------------------------- drama


def test_drama_json_joins_the_match_facts(tiny_db):
    data = json.loads(ok(invoke(tiny_db, "drama", "--format", "json", "--from", "2018")))
    assert_attribution(data["attribution"].values())
    rows = pd.DataFrame(data["rows"])
    with Store(tiny_db) as store:
        drama = store.query("SELECT * FROM drama")
        matches = store.matches(date_from="2018-01-01")
    assert rows["match_id"].tolist() == [i for i in matches["match_id"] for _ in (0, 1)]
    assert rows["side"].tolist() == ["home", "away"] * len(matches)
    assert {"date", "home", "away", "home_score", "competition", "winner", "source"} <= set(rows)
    merged = rows.merge(drama, on=["match_id", "side"], suffixes=("", "_stored"))
    np.testing.assert_allclose(merged["excitement"], merged["excitement_stored"])
    belgium = rows[(rows["match_id"] == 7) & (rows["side"] == "away")].iloc[0]
    assert (belgium["team"], belgium["result"], belgium["home_score"]) == ("Japan", "lost", 3)


def test_drama_csv_of_a_team(tiny_db):
    frame = read_csv(ok(invoke(tiny_db, "drama", "--team", "Belgium")))
    assert sorted(set(frame["match_id"])) == [7, 8, 9, USER_MATCH_ID_BASE]
    assert len(frame) == 8


# --------------------------------------------------------------------------- timeline


def test_timeline_parquet_agrees_with_the_replay(tiny_db, tmp_path):
    out = tmp_path / "timeline.parquet"
    ok(invoke(tiny_db, "timeline", "--format", "parquet", "--out", str(out), "--team", "Japan"))
    frame = pd.read_parquet(out)
    metadata = pq.read_metadata(out).metadata
    assert_attribution(v.decode() for k, v in metadata.items() if b"attribution" in k)
    assert list(frame.columns) == TIMELINE_COLUMNS
    assert sorted(set(frame["match_id"])) == [6, 7, USER_MATCH_ID_BASE]
    session = Heartbreak(db=tiny_db)
    for match_id, rows in frame.groupby("match_id"):
        replay = session.replay_id(int(match_id))
        expected = replay.to_frame()
        assert len(rows) == len(expected)
        assert rows["point"].tolist() == list(range(len(rows)))
        for column in ("minute", "stoppage", "kind", "home_goals", "away_goals"):
            np.testing.assert_array_equal(rows[column].to_numpy(), expected[column].to_numpy())
        for column in ("p_home_win", "p_draw", "p_away_win", "suspense"):
            np.testing.assert_allclose(rows[column], expected[column], atol=1e-12)
        home, away = replay.info.home, replay.info.away
        assert rows["emotion_home"].tolist() == expected[f"emotion_{home}"].tolist()
        assert rows["emotion_away"].tolist() == expected[f"emotion_{away}"].tolist()
        assert rows["kind"].iloc[-1] == "final_whistle" and rows["label"].iloc[-1] == "FT"
        assert set(rows["emotion_home"]) <= EMOTIONS
    knockout = frame[frame["match_id"] == 7]
    assert knockout["p_home_advance"].notna().all()
    assert knockout["p_home_advance"].iloc[-1] == 1.0  # Belgium went through
    assert frame.loc[frame["match_id"] == 6, "p_home_advance"].isna().all()
    user = frame[frame["match_id"] == USER_MATCH_ID_BASE]
    assert "90+2'" in user["label"].tolist()


def test_timeline_csv_and_json_hold_the_same_rows(tiny_db):
    csv_frame = read_csv(ok(invoke(tiny_db, "timeline", "--competition", "UEFA Euro")))
    data = json.loads(
        ok(invoke(tiny_db, "timeline", "--competition", "UEFA Euro", "--format", "json"))
    )
    json_frame = pd.DataFrame(data["rows"])
    assert len(csv_frame) == len(json_frame) > 100
    assert set(csv_frame["match_id"]) == {5}  # Portugal v England, 2004
    assert csv_frame["label"].tolist() == json_frame["label"].tolist()
    np.testing.assert_allclose(csv_frame["p_home_advance"], json_frame["p_home_advance"])
    assert "shootout" in set(csv_frame["period"])


def test_timeline_skips_incomplete_matches(tiny_db):
    # The Tahiti double-header of 1974: the second match lacks a goal's minute.
    frame = read_csv(ok(invoke(tiny_db, "timeline", "--team", "Tahiti")))
    assert set(frame["match_id"]) == {1}


def test_timeline_of_no_match_is_an_empty_table(tiny_db, tmp_path):
    text = ok(invoke(tiny_db, "timeline", "--from", "2031"))
    assert_attribution(comment_lines(text))
    frame = read_csv(text)
    assert frame.empty and list(frame.columns) == TIMELINE_COLUMNS
    out = tmp_path / "empty.parquet"
    ok(invoke(tiny_db, "timeline", "--from", "2031", "--format", "parquet", "--out", str(out)))
    assert pd.read_parquet(out).empty
    data = json.loads(ok(invoke(tiny_db, "timeline", "--from", "2031", "--format", "json")))
    assert data["rows"] == []


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("args", "start"),
    [
        (["matches", "--format", "parquet"], "error: --out: Parquet is a binary format"),
        (["matches", "--team", "Narnia"], "error: --team: unknown team 'Narnia'"),
        (["matches", "--competition", "Word Cup"], "error: --competition: no matches in"),
        (["drama", "--from", "1st May"], "error: --from: '1st May' is not a year or a date"),
        (["timeline", "--to", "2018-13-01"], "error: --to: '2018-13-01' is not a year"),
        (["matches", "--from", "2019", "--to", "2018"], "error: --from/--to: 2019-01-01 is after"),
    ],
)
def test_bad_options_are_one_line(tiny_db, args, start):
    line = error_line(invoke(tiny_db, *args))
    assert line.startswith(start), line


@pytest.mark.parametrize(
    ("args", "start"),
    [
        (["matches", "--format", "xml"], "error: Invalid value for '--format'"),
        (["everything"], "error: Invalid value for 'what'"),
    ],
)
def test_usage_errors_are_one_line(tiny_db, args, start):
    done = subprocess.run(
        [sys.executable, "-m", "heartbreak", "export", *args, "--db", str(tiny_db)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert done.stderr.startswith(start), done.stderr


def test_a_failed_export_leaves_the_previous_file(tiny_db, tmp_path):
    out = tmp_path / "matches.csv"
    out.write_text("previous\n", encoding="utf-8")
    error_line(invoke(tiny_db, "matches", "--team", "Narnia", "--out", str(out)))
    assert out.read_text(encoding="utf-8") == "previous\n"
    line = error_line(invoke(tiny_db, "matches", "--out", str(tmp_path / "no" / "such.csv")))
    assert line.startswith("error: --out: cannot write")
    ok(invoke(tiny_db, "matches", "--out", str(out)))
    assert len(read_csv(out.read_text(encoding="utf-8"))) == 10
    assert [p.name for p in tmp_path.iterdir()] == ["matches.csv"]


# --------------------------------------------------------------------------- real store


def test_real_matches_of_the_2018_world_cup(real_db_path):
    text = ok(
        invoke(
            real_db_path,
            "matches",
            "--competition",
            "FIFA World Cup",
            "--from",
            "2018",
            "--to",
            "2018",
        )
    )
    assert_attribution(comment_lines(text))
    frame = read_csv(text)
    assert len(frame) == 64
    row = frame[(frame["home"] == "Belgium") & (frame["away"] == "Japan")].iloc[0]
    assert (row["home_score"], row["away_score"], row["stage"]) == (3, 2, "round of 16")
    assert 0.5 < row["prematch_chance_home"] < 1.0
    assert row["prematch_chance_home"] + row["prematch_chance_away"] == pytest.approx(1.0)


def test_real_drama_of_the_2022_world_cup(real_db_path, tmp_path):
    out = tmp_path / "drama.json"
    ok(
        invoke(
            real_db_path,
            "drama",
            "--format",
            "json",
            "--out",
            str(out),
            "--competition",
            "FIFA World Cup",
            "--from",
            "2022-01-01",
            "--to",
            "2022-12-31",
        )
    )
    data = json.loads(out.read_text(encoding="utf-8"))
    assert_attribution(data["attribution"].values())
    rows = pd.DataFrame(data["rows"])
    assert len(rows) == 128
    final = rows[(rows["stage"] == "final") & (rows["side"] == "away")].iloc[0]
    assert (final["team"], final["result"]) == ("France", "lost")
    assert final["heartbreak"] > 0


def test_real_timeline_of_the_2018_world_cup(real_db_path, tmp_path):
    out = tmp_path / "timeline.parquet"
    ok(
        invoke(
            real_db_path,
            "timeline",
            "--format",
            "parquet",
            "--out",
            str(out),
            "--competition",
            "FIFA World Cup",
            "--from",
            "2018",
            "--to",
            "2018",
        )
    )
    frame = pd.read_parquet(out)
    assert_attribution(
        v.decode() for k, v in pq.read_metadata(out).metadata.items() if b"attribution" in k
    )
    assert frame["match_id"].nunique() == 64
    with Store(real_db_path) as store:
        match_id = store.find_match("Belgium", "Japan", "2018-07-02")
    ride = frame[frame["match_id"] == match_id]
    expected = Heartbreak(db=real_db_path).replay_id(match_id).to_frame()
    np.testing.assert_allclose(ride["p_home_advance"], expected["p_home_advance"])
    assert ride["emotion_away"].tolist() == expected["emotion_Japan"].tolist()
    goals = ride[ride["kind"] == "after_event"]["label"].tolist()
    assert goals == ["48'", "52'", "69'", "74'", "90+4'"]
