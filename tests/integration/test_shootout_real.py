"""World Cup shootouts kick by kick, on the real store: the 2022 final (Argentina 3-3 France,
Argentina 4-2 on penalties; France first: Mbappé ✓, Messi ✓, Coman ✗, Dybala ✓, Tchouaméni ✗,
Paredes ✓, Kolo Muani ✓, Montiel ✓), its JSON, feelings, drama and story; every World Cup
shootout of the record replayed kick by kick, in the drama index as in the replay."""

from __future__ import annotations

import numpy as np
import pytest

from heartbreak.domain import Side
from heartbreak.drama.emotions import Emotion
from heartbreak.model.path import PointKind
from heartbreak.model.shootout import kick_chances

FINAL_2022 = 45790
JAPAN_CROATIA_2022 = 45773
CROATIA_BRAZIL_2022 = 45777
NETHERLANDS_ARGENTINA_2022 = 45778
KICK = PointKind.SHOOTOUT_KICK.value


@pytest.fixture(scope="module")
def final(session):
    return session.replay_id(FINAL_2022)


def kick_points(path) -> np.ndarray:
    return np.flatnonzero(np.asarray(path.kind) == KICK)


def test_the_store_has_the_kicks_and_the_first_shooter(real_store):
    kicks = real_store.shootout_kicks(FINAL_2022)
    assert len(kicks) == 8
    match = real_store.match(FINAL_2022)
    taken = [(k.side, k.player, k.converted) for k in match.shootout_kicks]
    assert taken[:3] == [
        (Side.AWAY, "Kylian Mbappé", True),
        (Side.HOME, "Lionel Messi", True),
        (Side.AWAY, "Kingsley Coman", False),
    ]
    assert taken[-1] == (Side.HOME, "Gonzalo Montiel", True)


def test_the_2022_final_has_a_point_per_kick(final, real_store, session):
    path = final.path
    points = kick_points(path)
    assert len(points) == len(real_store.shootout_kicks(FINAL_2022)) == 8
    # Before the first kick, a coin toss; after the last, Argentina (home) through; the whistle.
    assert path.p_home_advance[points[0] - 1] == pytest.approx(0.5)
    assert path.p_home_advance[points[-1]] == 1.0 and path.p_home_advance[-1] == 1.0
    assert path.kind[-1] == PointKind.FINAL_WHISTLE.value and points[-1] == len(path) - 2
    # Argentina's chance kick by kick, under the fitted conversion probability.
    p = session.params.inplay.shootout_conversion
    assert p == pytest.approx(196 / 279)
    argentina = path.p_home_advance[points]
    expected = kick_chances(final.match.shootout_kicks, p).p_home
    np.testing.assert_allclose(argentina, expected)
    assert argentina[0] < 0.5  # Mbappé scores first
    assert argentina[1] == pytest.approx(0.5)  # Messi levels
    assert argentina[2] > 0.7 and argentina[4] > 0.9  # Coman's and Tchouaméni's misses
    assert argentina[6] < argentina[5]  # Kolo Muani keeps France alive
    assert (argentina[:-1] < 1.0).all()


def test_the_timeline_json_carries_the_kicks(final):
    timeline = final.to_dict()["timeline"]
    kicks = [p for p in timeline if p["kind"] == KICK]
    assert len(kicks) == 8
    assert kicks[2]["event"] == {
        "type": "shootout_kick",
        "team": "France",
        "player": "Kingsley Coman",
        "converted": False,
    }
    assert kicks[2]["label"] == "pens 1–1" and kicks[2]["period"] == "shootout"
    assert [p["label"] for p in kicks][-2:] == ["pens 3–2", "pens 4–2"]
    assert kicks[-1]["shootout_score"] == {"home": 4, "away": 2}
    assert kicks[-1]["p_home_advance"] == 1.0
    assert not any(p.get("event", {}).get("type") == "shootout" for p in timeline)


def test_the_fans_feel_each_kick(session):
    france = session.replay_id(FINAL_2022, side="France")
    labels = dict(france.emotions)
    points = kick_points(france.path)
    fr = [Emotion(str(e)) for e in labels[Side.AWAY][points]]
    ar = [Emotion(str(e)) for e in labels[Side.HOME][points]]
    # France: Coman's miss is a heavy blow, Tchouaméni's all hope gone; despair at the end.
    assert fr[2] is Emotion.DISMAY and fr[4] is Emotion.DESPAIR
    assert fr[-1] is Emotion.DESPAIR and labels[Side.AWAY][-1] == Emotion.DESPAIR
    assert all(not e.positive for e in fr[1:])
    # Argentina: lifted by each French miss, ecstatic from Montiel's kick.
    assert ar[2].positive and ar[4].positive
    assert ar[-1] is Emotion.ECSTASY and labels[Side.HOME][-1] == Emotion.ECSTASY


def test_the_story_names_the_deciding_kick(final):
    text = final.story.text
    assert "where France's chance of winning the World Cup stood at 50%" in text
    assert "Gonzalo Montiel's kick won the shootout 4-2 for Argentina." in text
    numbers = final.story.numbers()
    score = next(n for n in numbers if n.kind == "shootout_score")
    assert score.value == (4, 2) and final.path.shootout_score(score.index) == (4, 2)


@pytest.mark.parametrize(
    ("match_id", "winner", "sentence"),
    [
        (JAPAN_CROATIA_2022, "Croatia", "Mario Pašalić's kick won the shootout 3-1 for Croatia."),
        (CROATIA_BRAZIL_2022, "Croatia", "Croatia won the shootout 4-2 when Marquinhos missed."),
        (
            NETHERLANDS_ARGENTINA_2022,
            "Argentina",
            "Lautaro Martínez's kick won the shootout 4-3 for Argentina.",
        ),
    ],
)
def test_the_2022_shootouts(session, match_id, winner, sentence):
    replay = session.replay_id(match_id)
    path = replay.path
    assert len(kick_points(path)) == len(replay.match.shootout_kicks) >= 7
    won = Side.HOME if replay.match.info.home == winner else Side.AWAY
    assert path.p_home_advance[-1] == (1.0 if won is Side.HOME else 0.0)
    assert sentence in replay.story.text


def test_every_world_cup_shootout_replays_kick_by_kick(session, real_store):
    ids = real_store.query("SELECT DISTINCT match_id FROM shootout_kicks ORDER BY match_id")
    ids = ids["match_id"].tolist()
    assert len(ids) == 35
    for match_id in ids:
        replay = session.replay_id(match_id)
        kicks = real_store.shootout_kicks(match_id)
        assert len(kick_points(replay.path)) == len(kicks), match_id
        # The drama index holds the metrics of this same path.
        rows = real_store.drama_of(match_id)
        metrics = replay.metrics
        assert np.isclose(rows["heartbreak"].max(), metrics.heartbreak), match_id
        assert np.allclose(rows["excitement"], metrics.excitement), match_id
        assert np.allclose(rows["surprise"], metrics.surprise), match_id


def test_a_peak_in_the_shootout_is_told_as_one(session):
    top = session.top("heartbreak", competition="FIFA World Cup", stage="knockout", limit=50)
    colombia = top[(top["match_id"] == 41698)]
    assert len(colombia) == 1
    assert colombia["reason"].iloc[0].startswith("Colombia had 83% to go through in the shootout;")


def test_a_shootout_the_loser_led_is_heartbreak(session):
    # Colombia led England 3-2 after Jordan Henderson's miss (2018) and lost 4-3.
    colombia = session.replay_id(41698).metrics
    assert colombia.heartbreak == pytest.approx(colombia.heartbreak_peak)
    assert 0.8 < colombia.heartbreak < 0.9 and colombia.blow_time_left == 0.0
