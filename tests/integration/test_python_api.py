"""The notebook face: :class:`heartbreak.services.Heartbreak` and the module-level functions on
the real store, and their agreement with the command line."""

from __future__ import annotations

import datetime as dt
import json

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from typer.testing import CliRunner

import heartbreak.services as services
from heartbreak.cli import app
from heartbreak.domain import Side
from heartbreak.drama.emotions import Emotion
from heartbreak.errors import HeartbreakError, InvalidInput

matplotlib.use("Agg")

runner = CliRunner()

PREDICTION_KEYS = [
    "home",
    "away",
    "date",
    "neutral",
    "knockout",
    "elo_home",
    "elo_away",
    "expected_goals_home",
    "expected_goals_away",
    "p_home_win",
    "p_draw",
    "p_away_win",
    "p_home_advance",
]
DAY = "2018-07-02"


def cli_json(db, *args: str):
    result = runner.invoke(app, [*args, "--db", str(db), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def hb(real_db_path) -> services.Heartbreak:
    return services.Heartbreak(db=real_db_path)


@pytest.fixture(scope="module")
def prediction(hb) -> services.Prediction:
    return hb.predict("Belgium", "Japan", DAY, neutral=True, knockout=True)


@pytest.fixture(scope="module")
def japan_2018(hb) -> services.MatchReplay:
    return hb.replay("Belgium", "Japan", DAY)


@pytest.fixture
def close_figures():
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


# --------------------------------------------------------------------------- predict


def test_prediction_to_dict_matches_the_cli(prediction, real_db_path):
    row = prediction.to_dict()
    assert list(row) == PREDICTION_KEYS
    assert (row["home"], row["away"], row["date"]) == ("Belgium", "Japan", DAY)
    assert row["p_home_win"] > row["p_away_win"]
    assert row["p_home_advance"] > 0.5
    assert row["p_home_win"] + row["p_draw"] + row["p_away_win"] == pytest.approx(1, abs=1e-9)
    cli = cli_json(
        real_db_path, "predict", "Belgium", "Japan", "--date", DAY, "--neutral", "--knockout"
    )
    assert cli == pytest.approx(row)


def test_prediction_to_frame(prediction):
    frame = prediction.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert frame.shape == (1, len(PREDICTION_KEYS))
    assert list(frame.columns) == PREDICTION_KEYS
    assert frame.iloc[0].to_dict() == prediction.to_dict()


def test_prediction_score_frame(prediction):
    frame = prediction.score_frame()
    assert frame.shape == (7, 7)
    assert frame.index.name == "Belgium" and frame.columns.name == "Japan"
    assert list(frame.index) == list(range(7)) and list(frame.columns) == list(range(7))
    cells = frame.to_numpy()
    assert (cells >= 0).all()
    assert 0.95 < cells.sum() <= 1
    assert (cells.sum(axis=0) <= 1).all() and (cells.sum(axis=1) <= 1).all()
    assert prediction.score_frame(max_goals=3).shape == (4, 4)
    # Untruncated, the grid holds every outcome, and the outcome chances come from it.
    full = prediction.score_frame(max_goals=60).to_numpy()
    assert full.sum() == pytest.approx(1, abs=1e-9)
    assert np.tril(full, -1).sum() == pytest.approx(prediction.p_home_win, abs=1e-9)
    assert np.trace(full) == pytest.approx(prediction.p_draw, abs=1e-9)
    assert np.triu(full, 1).sum() == pytest.approx(prediction.p_away_win, abs=1e-9)
    # The most likely score has Belgium ahead.
    i, j = np.unravel_index(cells.argmax(), cells.shape)
    assert i > j


def test_prediction_plot(prediction, close_figures):
    ax = prediction.plot()
    assert "Belgium" in ax.get_title() and "Japan" in ax.get_title()


def test_prediction_without_knockout(hb, prediction):
    plain = hb.predict("belgium", "JPN", dt.date(2018, 7, 2), neutral=True)
    assert plain.p_home_advance is None
    assert "p_home_advance" not in plain.to_dict()
    assert (plain.home, plain.away) == ("Belgium", "Japan")
    assert plain.p_home_win == pytest.approx(prediction.p_home_win, abs=1e-12)


def test_prediction_with_given_ratings(hb):
    even = hb.predict("Atlantis", "Lemuria", DAY, neutral=True, elo_home=1700, elo_away=1700)
    assert even.p_home_win == pytest.approx(even.p_away_win, abs=1e-9)
    assert even.expected_goals_home == pytest.approx(even.expected_goals_away, abs=1e-9)


def test_prediction_errors(hb):
    with pytest.raises(HeartbreakError, match="Belgum"):
        hb.predict("Belgum", "Japan", DAY)
    with pytest.raises(InvalidInput, match="date"):
        hb.predict("Belgium", "Japan", "2018-02-30")


# --------------------------------------------------------------------------- ratings


def test_ratings_frame(hb, real_db_path):
    frame = hb.ratings(DAY, top=10)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == ["rank", "team", "rating", "matches", "last_match"]
    assert len(frame) == 10
    assert frame["rank"].tolist() == list(range(1, 11))
    assert frame["rating"].is_monotonic_decreasing
    assert frame["team"].iloc[0] == "Brazil"
    assert (pd.to_datetime(frame["last_match"]) < pd.Timestamp(DAY)).all()
    cli = cli_json(real_db_path, "ratings", "--date", DAY, "--top", "10")
    assert [r["team"] for r in cli] == frame["team"].tolist()
    assert [r["rating"] for r in cli] == [round(x, 1) for x in frame["rating"]]
    everyone = hb.ratings(dt.date(2018, 7, 2))
    assert len(everyone) > 200
    assert everyone.head(10).equals(frame)


# --------------------------------------------------------------------------- replay


def test_replay_frame(japan_2018):
    frame = japan_2018.to_frame()
    assert len(frame) == len(japan_2018.path) == len(japan_2018.to_dict()["timeline"])
    for column in ("minute", "stoppage", "kind", "p_home_win", "p_draw", "p_away_win"):
        assert column in frame.columns
    assert "p_home_advance" in frame.columns
    assert {"emotion_Belgium", "emotion_Japan"} <= set(frame.columns)
    names = {e.value for e in Emotion}
    assert set(frame["emotion_Japan"].astype(str)) <= names
    assert set(frame["emotion_Belgium"].astype(str)) <= names
    feelings = japan_2018.to_dict()["emotions"]
    assert frame["emotion_Japan"].astype(str).tolist() == [f["emotion"] for f in feelings["Japan"]]
    assert frame["p_home_advance"].iloc[-1] == 1.0
    totals = frame["p_home_win"] + frame["p_draw"] + frame["p_away_win"]
    assert np.allclose(totals, 1, atol=1e-9)
    goals = frame[frame["kind"] == "after_event"]
    assert list(zip(goals["home_goals"], goals["away_goals"], strict=True)) == [
        (0, 1),
        (0, 2),
        (1, 2),
        (2, 2),
        (3, 2),
    ]


def test_replay_to_dict_is_the_cli_json(japan_2018, real_db_path):
    cli = cli_json(real_db_path, "story", "Belgium", "Japan", "--date", DAY)
    mine = json.loads(json.dumps(japan_2018.to_dict()))
    assert set(mine) == set(cli)
    for key in ("match", "prematch", "emotions", "metrics"):
        assert set(mine[key]) == set(cli[key]), key
    assert [set(p) for p in mine["timeline"]] == [set(p) for p in cli["timeline"]]
    assert mine == cli


def test_replay_metrics_and_story(japan_2018):
    metrics = japan_2018.metrics.to_dict()
    assert metrics["heartbreak"] > 0.5
    assert metrics["loser"] == "away"
    assert metrics["winner"] == "home"
    assert japan_2018.story_side is Side.AWAY
    assert "knocked out" in japan_2018.story.text
    assert japan_2018.info.home == "Belgium" and japan_2018.info.away == "Japan"


def test_replay_plot_returns_a_figure(japan_2018, close_figures):
    import matplotlib.pyplot as plt

    assert isinstance(japan_2018.plot(), Figure)
    assert isinstance(japan_2018.plot(side="Belgium"), Figure)
    fig, ax = plt.subplots()
    assert japan_2018.plot(ax=ax) is fig
    with pytest.raises(InvalidInput, match="Brazil"):
        japan_2018.plot(side="Brazil")


def test_replay_save_chart(japan_2018, tmp_path):
    target = japan_2018.save_chart(tmp_path / "ride.svg", side="Japan")
    assert target.read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_replay_side_and_errors(hb, japan_2018, real_store):
    belgium = hb.replay("Japan", "Belgium", DAY, side="Belgium")
    assert belgium.story_side is Side.HOME
    assert belgium.to_dict()["timeline"] == japan_2018.to_dict()["timeline"]
    with pytest.raises(InvalidInput, match="Brazil"):
        hb.replay("Belgium", "Japan", DAY, side="Brazil")
    with pytest.raises(HeartbreakError, match="2018-07-03"):
        hb.replay("Belgium", "Japan", "2018-07-03")
    incomplete = real_store.matches(timeline_complete=False, limit=1)
    with pytest.raises(InvalidInput, match="cannot be replayed"):
        hb.replay_id(int(incomplete["match_id"].iloc[0]))


# --------------------------------------------------------------------------- default session


def test_module_functions_use_the_environment(monkeypatch, real_db_path, prediction):
    """``import heartbreak.services as hb; hb.predict(...)`` as in the README."""
    monkeypatch.setenv("HEARTBREAK_DB", str(real_db_path))
    monkeypatch.setattr(services, "_default", None)
    row = services.predict("Belgium", "Japan", DAY, neutral=True, knockout=True).to_dict()
    assert row == prediction.to_dict()
    assert services.ratings(DAY, top=3)["team"].iloc[0] == "Brazil"
    ride = services.replay("Belgium", "Japan", DAY, side="Japan")
    assert ride.story_side is Side.AWAY
    assert "90+4'" in ride.story.text
    assert services.session() is services.session()
