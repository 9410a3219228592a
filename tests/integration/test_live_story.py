"""A match in progress is told so far: the story ends with where it stands, never with a result
it does not have yet, and the drama metrics are those of the minutes played."""

from __future__ import annotations

import pytest

from heartbreak.live.state import (
    LiveMatch,
    definition_of,
    effective_events,
    feed_of,
    live_to_match,
    parse_message,
)
from heartbreak.services import Heartbreak
from heartbreak.story.narrative import number_tokens

BELGIUM_JAPAN = 41696
RESULT_WORDS = ("finished", "won", "knocked out", "went through", "missed out", "took the points")


@pytest.fixture(scope="module")
def session(real_db_path) -> Heartbreak:
    return Heartbreak(db=real_db_path)


@pytest.fixture(scope="module")
def live(session) -> tuple[LiveMatch, list[dict]]:
    stored = session.store.match(BELGIUM_JAPAN)
    row = session.store.match_row(BELGIUM_JAPAN)
    live = LiveMatch.from_dict(definition_of(stored, row["elo_home"], row["elo_away"]))
    return live, feed_of(stored)


def so_far(session, live, upto: int, side: str = "Japan"):
    """The replay of Belgium v Japan as it stood after the events up to minute ``upto``."""
    match, feed = live
    played = [
        parse_message(match, m)
        for m in feed
        if m["type"] != "period_end" and m.get("minute", 0) <= upto
    ]
    if upto > 45:
        played.append(parse_message(match, feed_end_of_first_half(feed)))
    events = effective_events(played)
    return session.replay_match(
        live_to_match(match, events),
        match.elo_home,
        match.elo_away,
        side=side,
        in_progress=True,
    )


def feed_end_of_first_half(feed: list[dict]) -> dict:
    return next(m for m in feed if m.get("period") == "first_half")


@pytest.mark.parametrize(
    ("upto", "ending"),
    [
        (0, "At kick-off it was 0-0, with Japan's chance of reaching the quarter-finals at 20%."),
        (52, "At 52' it was 2-0, with Japan's chance of reaching the quarter-finals at 81%."),
        (74, "At 74' it was 2-2, with Japan's chance of reaching the quarter-finals at 32%."),
    ],
)
def test_the_story_so_far_ends_where_the_match_stands(session, live, upto, ending):
    replay = so_far(session, live, upto)
    text = replay.story.text
    assert text.endswith(ending)
    assert not any(word in text for word in RESULT_WORDS), text
    # Every number in it is traced to where it came from, as in a finished match's story.
    traced = replay.story.numbers()
    assert sorted(number_tokens(text)) == sorted(n.text for n in traced)
    assert all(n.source for n in traced)


def test_the_story_so_far_tells_the_goals_scored(session, live):
    text = so_far(session, live, 74).story.text
    for scorer in ("Genki Haraguchi", "Takashi Inui", "Jan Vertonghen", "Marouane Fellaini"):
        assert scorer in text
    assert "Nacer Chadli" not in text


def test_metrics_so_far_have_no_winner_and_no_heartbreak_yet(session, live):
    metrics = so_far(session, live, 74).metrics.to_dict()
    finished = session.replay_id(BELGIUM_JAPAN).metrics.to_dict()
    assert metrics["winner"] is None and metrics["loser"] is None
    assert metrics["heartbreak"] == 0 and metrics["comeback"] == 0
    assert metrics["flags"] == ["lead_lost"]  # Japan led, and are not ahead now
    assert 0 < metrics["excitement"] < finished["excitement"]
    assert so_far(session, live, 52).metrics.to_dict()["flags"] == []


def test_a_finished_match_is_told_as_before(session):
    replay = session.replay_id(BELGIUM_JAPAN)
    assert "Belgium won 3-2" in replay.story.text
    assert replay.metrics.to_dict()["heartbreak"] > 0.7


def test_a_live_match_is_told_so_far_until_its_final_whistle(session, live, tmp_path):
    from heartbreak.live.service import LiveService

    match, feed = live
    service = LiveService(session, tmp_path / "live.duckdb")
    live_id = service.create(match.to_dict())
    first_half = [m for m in feed if m.get("minute", 99) <= 52 or m.get("period") == "first_half"]
    service.ingest(live_id, first_half)
    state = service.ingest(live_id, {"event_id": "tick", "type": "clock", "minute": 60})
    assert state["live"]["finished"] is False
    assert state["story"].endswith("with Belgium's chance of reaching the quarter-finals at 19%.")
    assert state["metrics"]["winner"] is None
    rest = [m for m in feed if m not in first_half]
    final = service.ingest(live_id, rest)
    assert final["live"]["finished"] is True
    assert "Nacer Chadli scored the winner, and Belgium won 3-2." in final["story"]
    assert final["story"].endswith("the ecstasy of 52' ended in despair.")
    assert final["metrics"]["heartbreak"] > 0.7
    service.close()
