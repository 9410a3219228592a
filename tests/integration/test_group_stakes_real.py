"""Group matches replayed for their stakes over the real store: the three matches of the issue
(Japan–Poland 2018, Costa Rica–Germany 2022, South Korea–Portugal 2022), the JSON and the API,
and the verdict at the last whistle of groups of every kind of edition against who really went
through."""

from __future__ import annotations

import re

import numpy as np
import pytest
from fastapi.testclient import TestClient

from heartbreak.api import create_app
from heartbreak.domain import Side
from heartbreak.model.path import PointKind
from heartbreak.model.replay import replay

pytestmark = pytest.mark.slow


def _point(path, minute: int, stoppage: int = 0, kind: str = "after_event") -> int:
    hits = np.flatnonzero(
        (path.minute == minute) & (path.stoppage == stoppage) & (path.kind == kind)
    )
    assert hits.size, f"no {kind} point at {minute}+{stoppage}"
    return int(hits[-1])


@pytest.fixture(scope="module")
def japan_poland(session):
    return session.replay("Japan", "Poland", "2018-06-28", side="Japan")


def test_japan_lost_to_poland_and_went_through_on_fair_play(japan_poland):
    path = japan_poland.path
    stakes = path.stakes
    assert stakes is not None and stakes.home_goal == "through"
    assert stakes.p_home_qualify[-1] == 1.0
    # Bednarek's goal cut Japan's chance; Mina's for Colombia in Samara lifted it again.
    goal = _point(path, 59)
    assert stakes.p_home_qualify[goal] < stakes.p_home_qualify[goal - 1] - 0.15
    (mina,) = [g for g in stakes.elsewhere if g.team == "Colombia"]
    assert (mina.minute, mina.home, mina.away) == (74, "Senegal", "Colombia")
    assert stakes.p_home_qualify[mina.index] > stakes.p_home_qualify[mina.index - 1] + 0.15
    assert stakes.settlement["home"].decided_by == "fair play"
    assert stakes.settlement["home"].level_with == "Senegal"
    text = japan_poland.story.text
    assert "lost 1-0 but went through to the round of 16 on fair-play points" in text
    assert "as Colombia beat Senegal 1-0" in text
    assert str(japan_poland.emotions[Side.HOME][-1]) not in ("despair", "resignation")
    # Losing and going through is no heartbreak.
    assert japan_poland.metrics.heartbreak == 0.0


def test_costa_rica_were_heading_through_at_70_and_germany_out(session):
    replay = session.replay("Costa Rica", "Germany", "2022-12-01", side="Germany")
    path, stakes = replay.path, replay.path.stakes
    vargas = _point(path, 70)
    assert (path.home_goals[vargas], path.away_goals[vargas]) == (2, 1)
    assert stakes.p_home_qualify[vargas] > 0.5
    assert stakes.p_away_qualify[vargas] < 0.1
    assert stakes.p_away_qualify[-1] == 0.0 and stakes.p_home_qualify[-1] == 0.0
    assert "Germany won 4-2 but went out" in replay.story.text
    assert "as Japan beat Spain 2-1" in replay.story.text
    costa_rica = session.replay("Costa Rica", "Germany", "2022-12-01", side="Costa Rica")
    assert "went out" in costa_rica.story.text


def test_korea_through_at_the_whistle_of_uruguay_ghana(session):
    replay = session.replay("South Korea", "Portugal", "2022-12-02", side="South Korea")
    path, stakes = replay.path, replay.path.stakes
    hwang = _point(path, 90, 1)
    assert stakes.p_home_qualify[hwang] > stakes.p_home_qualify[hwang - 1] + 0.5
    # At Korea's own final whistle Uruguay were still playing Ghana (a booking at 90+10):
    # Korea's chance is high but not yet certain; at the whistle in Al Wakrah it is.
    own_end = int(np.flatnonzero(path.kind == PointKind.PERIOD_END.value)[-1])
    assert 0.5 < stakes.p_home_qualify[own_end] < 1.0
    assert path.kind[-1] == PointKind.FINAL_WHISTLE.value
    assert stakes.p_home_qualify[-1] == 1.0
    assert "went through to the round of 16 on goals scored" in replay.story.text
    # Portugal were already through and played for first place.
    assert stakes.away_goal == "first"


def test_the_replay_json_and_the_api_carry_the_stakes(session):
    client = TestClient(create_app(session=session))
    match_id = session.find_match("Japan", "Poland", "2018-06-28")
    response = client.get(f"/api/matches/{match_id}")
    assert response.status_code == 200, response.text
    body = response.json()
    for point in body["timeline"]:
        assert 0.0 <= point["p_home_qualify"] <= 1.0
        assert 0.0 <= point["p_away_qualify"] <= 1.0
    events = [e for p in body["timeline"] for e in p.get("elsewhere", [])]
    assert events == body["stakes"]["elsewhere_goals"]
    (event,) = events
    assert event["type"] == "elsewhere_goal"
    assert event["team"] == "Colombia" and event["minute"] == 74
    assert event["match"]["home"] == "Senegal" and event["match"]["away"] == "Colombia"
    assert body["stakes"]["simultaneous"] == [
        {"home": "Senegal", "away": "Colombia", "score": {"home": 0, "away": 1}}
    ]
    assert body["timeline"][-1]["p_home_qualify"] == 1.0
    page = client.get(f"/matches/{match_id}", headers={"accept": "text/html"}).text
    assert re.search(r"To reach the round of 16: Japan \d+%, Poland 0%", page)


def test_a_knockout_and_a_friendly_have_no_stakes(session):
    knockout = session.replay("Belgium", "Japan", "2018-07-02")
    assert knockout.path.stakes is None
    assert "stakes" in knockout.to_dict() and knockout.to_dict()["stakes"] is None
    friendly = session.replay("England", "Scotland", "1872-11-30")
    assert friendly.path.stakes is None


def _last_round_matches(session):
    """The last match of a group of the first group stage of every modelled edition (the
    first group whose last match has every goal's minute)."""
    chosen = []
    for edition in session.editions:
        if not edition.group_stages:
            continue
        stage = edition.group_stages[0]
        for group in stage.groups:
            # The group's last match to be played: nothing of the group is left after it.
            latest = max(group.matches, key=lambda f: (f.start, f.match_id))
            if session.store.match(latest.match_id).timeline_complete:
                chosen.append((edition, stage, latest))
                break
    return chosen


def _next_stage_teams(edition, stage) -> frozenset[str]:
    """The teams that went through from a group stage: those of the next group stage (1974–1982
    World Cups) or of the knockout rounds."""
    later = edition.stages[edition.stages.index(stage) + 1 :]
    if later and not later[0].knockout:
        return frozenset(t for f in later[0].fixtures for t in f.teams)
    return edition.first_knockout_teams()


def _stakes_of(session, match_id: int):
    """The stakes of a stored match's path, without the story and the precedents."""
    match = session.store.match(match_id)
    row = session.store.match_row(match_id)
    pre = session.prediction_of(match.info, float(row["elo_home"]), float(row["elo_away"]))
    path = replay(match, pre.expected_goals_home, pre.expected_goals_away, session.inplay)
    return session.group_stakes([match], [path])[0].stakes


def test_the_last_whistle_gives_the_real_verdict_in_every_kind_of_edition(session):
    chosen = _last_round_matches(session)
    assert len(chosen) >= 60
    competitions = {edition.competition for edition, _, _ in chosen}
    assert len(competitions) == 6
    checked = 0
    for edition, stage, fixture in chosen:
        stakes = _stakes_of(session, fixture.match_id)
        assert stakes is not None, edition.label
        for arr in (stakes.p_home_qualify, stakes.p_away_qualify):
            assert np.isfinite(arr).all() and arr.min() >= 0.0 and arr.max() <= 1.0
        through = _next_stage_teams(edition, stage)
        for side, team in (("home", fixture.home), ("away", fixture.away)):
            verdict = stakes.settlement[side].through
            if verdict is None:  # a best-placed ranking or a play-off still to come
                continue
            final = getattr(stakes, f"p_{side}_qualify")[-1]
            assert final in (0.0, 1.0), (edition.label, team, final)
            assert verdict == (team in through), (edition.label, team)
            checked += 1
    assert checked >= 100


def test_the_drama_index_agrees_with_the_replay(session, japan_poland):
    match_id = japan_poland.info.match_id
    rows = session.store.query("SELECT * FROM drama WHERE match_id = ?", [match_id])
    japan = rows[rows["side"] == "home"].iloc[0]
    chance = japan_poland.path.stakes.home_chance
    assert japan["prematch_chance"] == pytest.approx(float(chance[0]))
    assert japan["heartbreak"] == pytest.approx(0.0)
    assert japan["excitement"] == pytest.approx(japan_poland.metrics.excitement)
