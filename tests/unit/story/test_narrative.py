"""Stories told from replayed paths: wording by situation, and every number checked."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heartbreak.domain import Event, Match, MatchInfo, ShootoutKick
from heartbreak.model.path import ProbabilityPath
from heartbreak.model.replay import replay
from heartbreak.story.facts import chance_of, moment_at
from heartbreak.story.narrative import Story, number_tokens, tell_story
from heartbreak.wording import round_half_up

from .conftest import AWAY, GOAL, HOME, RED, belgium_japan_match, build


def check_numbers(story: Story, path: ProbabilityPath, match: Match) -> None:
    """Every number in the text is listed by ``numbers()``, and each listed number agrees with
    the replay (percentages rounded from the path, minutes from events, scores from states)."""
    numbers = story.numbers()
    assert Counter(number_tokens(story.text)) == Counter(n.text for n in numbers)
    chance = chance_of(path, story.side)
    info = match.info
    names = {info.home, info.away, info.competition, info.stage, info.city}
    names |= {e.player for e in path.events}
    names |= {story.facts.stake.prize, story.facts.stake.phrase}
    for n in numbers:
        if n.kind == "percent":
            assert n.value == chance[n.index]
            shown = int(n.text.rstrip("%"))
            if n.relation == "=":
                assert round_half_up(n.value * 100) == shown
            elif n.relation == ">":
                assert n.value * 100 > shown
            else:
                assert n.value * 100 < shown
        elif n.kind == "threshold":
            assert np.all(chance[n.index :] >= n.value)
            assert n.text == f"{round_half_up(n.value * 100)}%"
        elif n.kind == "minute":
            assert n.text == moment_at(path, n.index).label
            if n.event_index is not None:
                assert path.events[n.event_index].label == n.text
                assert path.event_index[n.index] == n.event_index
        elif n.kind == "score":
            goals = (path.home_goals[n.index], path.away_goals[n.index])
            first, second = goals if n.side is HOME else goals[::-1]
            assert n.value == (first, second) and n.text == f"{first}-{second}"
        elif n.kind == "shootout_score":
            pens = path.shootout_score(n.index)
            first, second = pens if n.side is HOME else pens[::-1]
            assert n.value == (first, second) and n.text == f"{first}-{second}"
        elif n.kind == "minutes_left":
            assert n.value == path.time_left[n.index]
            assert n.text == str(round_half_up(n.value))
        elif n.kind == "players":
            reds = path.home_reds if n.side is HOME else path.away_reds
            assert n.value == 11 - reds[n.index] == int(n.text)
        elif n.kind == "date":
            assert n.value == info.date and n.text in (str(info.date.day), str(info.date.year))
        elif n.kind == "red_cards":
            assert n.value == sum(e.type is RED for e in path.events) == int(n.text)
        elif n.kind == "goals":
            counts = Counter(e.player for e in path.events if e.type is GOAL)
            assert n.value in counts.values() and n.text == str(n.value)
        elif n.kind == "name":
            assert n.value in names and n.text in number_tokens(n.value)
        else:
            raise AssertionError(f"unexpected kind {n.kind!r}")


def check_numbers_independently(story: Story, path: ProbabilityPath) -> None:
    """Without trusting ``numbers()``: every percentage is the side's chance at some point,
    rounded; every minute label is a point of the path; every score a state of the match."""
    chance = chance_of(path, story.side)
    shown = {round_half_up(v * 100) for v in chance} | {90, 99, 1}  # 90: the sealed level
    labels = {moment_at(path, i).label for i in range(len(path))}
    states = set(zip(path.home_goals, path.away_goals, strict=True))
    states |= {path.shootout_score(i) for i in range(len(path))}
    states |= {(a, h) for h, a in states}
    for token in number_tokens(story.text):
        if token.endswith("%"):
            assert int(token[:-1]) in shown, token
        elif token.endswith("'"):
            assert token in labels, token
        elif "-" in token:
            a, b = (int(v) for v in token.split("-"))
            assert (a, b) in states, token


def sentences_ok(story: Story) -> None:
    assert 3 <= len(story.sentences) <= 6
    for sentence in story.sentences:
        assert sentence[:1].isupper() and sentence.endswith("."), sentence
    assert story.text == " ".join(story.sentences)


# --- Belgium 3-2 Japan ----------------------------------------------------------------------


def test_japan_story(belgium_japan):
    match, path = belgium_japan
    story = tell_story(path, match)
    assert story.side is AWAY and story.team == "Japan"
    sentences_ok(story)
    text = story.text
    assert "Japan" in text and "Belgium" in text
    assert "2-0" in text  # the lead
    assert "90+4'" in text and "Nacer Chadli" in text  # the stoppage-time winner
    assert "knocked out" in text and "a place in the quarter-finals" in text
    assert "3-2" in text
    check_numbers(story, path, match)
    check_numbers_independently(story, path)


def test_japan_story_names_its_peak(belgium_japan):
    match, path = belgium_japan
    story = tell_story(path, match)
    peak = story.facts.peak
    assert f"{round_half_up(peak.value * 100)}%" in story.text
    percents = [n for n in story.numbers() if n.kind == "percent"]
    assert any(n.index == peak.moment.index for n in percents)


def test_belgium_story(belgium_japan):
    match, path = belgium_japan
    story = tell_story(path, match, HOME)
    assert story.side is HOME
    sentences_ok(story)
    assert "went through to the quarter-finals" in story.text
    assert "2-0" in story.text and "90+4'" in story.text
    check_numbers(story, path, match)
    check_numbers_independently(story, path)


def test_story_is_generated_from_data_not_written_for_the_match():
    """The same match with other names tells the same story with the other names."""
    match, path = belgium_japan_match()
    renamed_info = MatchInfo(
        "Atlantis",
        "Lemuria",
        match.info.date,
        match.info.competition,
        match.info.stage,
        knockout=True,
        neutral=True,
        city="Zerzura",
        country="Nowhere",
    )
    players = {e.player: f"Player {chr(65 + i)}" for i, e in enumerate(match.events)}
    events = tuple(
        Event(e.type, e.minute, e.stoppage, side=e.side, player=players[e.player])
        for e in match.events
    )
    renamed = Match(renamed_info, 3, 2, events)
    other = tell_story(replay(renamed, 1.927, 0.685), renamed)
    original = tell_story(path, match).text
    for old, new in [
        ("Belgium", "Atlantis"),
        ("Japan", "Lemuria"),
        ("Rostov-on-Don", "Zerzura"),
        *players.items(),
    ]:
        original = original.replace(old, new)
    assert other.text == original


def test_story_to_dict_is_plain_json(belgium_japan):
    match, path = belgium_japan
    data = tell_story(path, match).to_dict()
    json.dumps(data)
    assert data["side"] == "away" and data["team"] == "Japan"
    assert data["text"] == " ".join(data["sentences"])
    assert {n["text"] for n in data["numbers"]} >= {"2-0", "90+4'", "3-2"}


# --- other matches --------------------------------------------------------------------------


def test_routine_win_from_both_sides(routine_win):
    match, path = routine_win
    loser = tell_story(path, match)
    assert loser.side is AWAY
    assert "Miroslav Klose" in loser.text and "1-0" in loser.text and "20'" in loser.text
    assert "left with nothing" in loser.text
    winner = tell_story(path, match, HOME)
    assert "took the points" in winner.text and "never fell below 90%" in winner.text
    assert "as favourites" in winner.text
    for story in (loser, winner):
        sentences_ok(story)
        check_numbers(story, path, match)
        check_numbers_independently(story, path)


def test_goalless_draw(goalless_draw):
    match, path = goalless_draw
    story = tell_story(path, match)
    assert story.side is HOME
    sentences_ok(story)
    assert "0-0" in story.text and "Neither side found the net" in story.text
    assert "a friendly" in story.text and "1872" in story.text
    check_numbers(story, path, match)
    check_numbers_independently(story, path)


# Spain 1-1 Russia, 2018: Spain first; Iniesta ✓, Smolov ✓, Piqué ✓, Ignashevich ✓, Koke ✗,
# Golovin ✓, Ramos ✓, Cheryshev ✓, Aspas ✗: Russia 4-3.
KICKS = tuple(
    ShootoutKick(side, bool(scored), player)
    for side, scored, player in (
        (HOME, 1, "Andrés Iniesta"),
        (AWAY, 1, "Fyodor Smolov"),
        (HOME, 1, "Gerard Piqué"),
        (AWAY, 1, "Sergey Ignashevich"),
        (HOME, 0, "Koke"),
        (AWAY, 1, "Aleksandr Golovin"),
        (HOME, 1, "Sergio Ramos"),
        (AWAY, 1, "Denis Cheryshev"),
        (HOME, 0, "Iago Aspas"),
    )
)


def test_shootout_kick_by_kick(shootout):
    match, _ = shootout
    match = replace(match, shootout_kicks=KICKS)
    path = replay(match, 1.6, 0.8)
    loser = tell_story(path, match)
    # Spain's chance before the first kick, and the miss that settled it.
    assert "stood at 50%, and Russia won the shootout 4-3 when Iago Aspas missed." in loser.text
    check_numbers(loser, path, match)
    check_numbers_independently(loser, path)
    # A shootout settled by the winner's kick names the kicker.
    scored = (ShootoutKick(HOME, True, "Iago Aspas"), ShootoutKick(AWAY, True, "Mário Fernandes"))
    won_by_kick = replace(match, shootout_kicks=(*KICKS[:8], *scored))
    path = replay(won_by_kick, 1.6, 0.8)
    story = tell_story(path, won_by_kick)
    assert "Mário Fernandes' kick won the shootout 5-4 for Russia." in story.text
    check_numbers(story, path, won_by_kick)
    check_numbers_independently(story, path)


def test_shootout(shootout):
    match, path = shootout
    loser = tell_story(path, match)
    assert loser.side is HOME
    assert "penalties" in loser.text and "Russia won the shootout" in loser.text
    assert "1-1 after extra time" in loser.text and "own goal by Sergey Ignashevich" in loser.text
    assert "knocked out" in loser.text
    winner = tell_story(path, match, AWAY)
    assert "went through to the quarter-finals" in winner.text
    for story in (loser, winner):
        sentences_ok(story)
        check_numbers(story, path, match)
        check_numbers_independently(story, path)


def test_red_card(red_card):
    match, path = red_card
    punished = tell_story(path, match)
    assert punished.side is AWAY
    assert "John Mensah was sent off at 30'" in punished.text
    assert "10 men" in punished.text and "fell from" in punished.text
    other = tell_story(path, match, HOME)
    assert "Ghana's John Mensah was sent off" in other.text and "rose from" in other.text
    for story in (punished, other):
        sentences_ok(story)
        check_numbers(story, path, match)
        check_numbers_independently(story, path)


def test_late_winner_after_a_comeback():
    match, path = build(
        "Italy",
        "Germany",
        (2, 1),
        [
            Event(GOAL, 30, side=AWAY, player="Player One"),
            Event(GOAL, 70, side=HOME, player="Player Two"),
            Event(GOAL, 119, side=HOME, player="Player Three"),
        ],
        (1.2, 1.3),
        stage="semi-finals",
        knockout=True,
        extra_time=True,
    )
    loser = tell_story(path, match)
    assert "in extra time" in loser.text and "2-1 after extra time" in loser.text
    assert "a place in the final" in loser.text
    winner = tell_story(path, match, HOME)
    assert "hit back" in winner.text and "went through to the final" in winner.text
    for story in (loser, winner):
        sentences_ok(story)
        check_numbers(story, path, match)
        check_numbers_independently(story, path)


def test_digits_in_names_are_sourced():
    match, path = build(
        "Team 1",
        "Team 2",
        (1, 0),
        [Event(GOAL, 5, side=HOME, player="Number 9")],
        stage="round of 32",
        knockout=True,
    )
    for side in (HOME, AWAY):
        story = tell_story(path, match, side)
        check_numbers(story, path, match)
        kinds = {n.source for n in story.numbers() if n.kind == "name"}
        assert "info.home" in kinds and "info.stage" in kinds


def test_percent_bounds_near_certainty():
    """A chance that rounds to 100% (or 0%) while the match is live is written as a bound."""
    match, path = build(
        "Strong",
        "Weak",
        (3, 0),
        [Event(GOAL, m, side=HOME, player=f"Scorer {m}") for m in (2, 3, 4)],
        (4.0, 0.2),
        competition="Friendly",
    )
    for side in (HOME, AWAY):
        story = tell_story(path, match, side)
        sentences_ok(story)
        check_numbers(story, path, match)
        assert not re.search(r"\b(100|0)%", story.text)


# --- properties over random timelines -------------------------------------------------------


@st.composite
def matches(draw):
    n = draw(st.integers(0, 7))
    minutes = sorted(draw(st.lists(st.integers(1, 90), min_size=n, max_size=n)))
    kinds = draw(st.lists(st.sampled_from([GOAL, GOAL, GOAL, RED]), min_size=n, max_size=n))
    sides = draw(st.lists(st.sampled_from([HOME, AWAY]), min_size=n, max_size=n))
    events = [
        Event(k, m, side=s, player=f"Player {chr(65 + i)}")
        for i, (k, m, s) in enumerate(zip(kinds, minutes, sides, strict=True))
    ]
    home = sum(k is GOAL and s is HOME for k, s in zip(kinds, sides, strict=True))
    away = sum(k is GOAL and s is AWAY for k, s in zip(kinds, sides, strict=True))
    knockout = draw(st.booleans())
    shootout = draw(st.sampled_from([HOME, AWAY])) if knockout and home == away else None
    stage = draw(st.sampled_from([None, "group stage", "round of 16", "final"]))
    if stage in ("round of 16", "final"):
        knockout = True
    elif stage == "group stage":
        knockout, shootout = False, None
    rates = (draw(st.floats(0.3, 3.0)), draw(st.floats(0.3, 3.0)))
    return build(
        "Home",
        "Away",
        (home, away),
        events,
        rates,
        stage=stage,
        knockout=knockout,
        extra_time=shootout is not None,
        shootout_winner=shootout,
    )


@settings(max_examples=60, deadline=None)
@given(matches(), st.sampled_from([None, HOME, AWAY]))
def test_any_match_tells_a_checked_story(built, side):
    match, path = built
    story = tell_story(path, match, side)
    sentences_ok(story)
    check_numbers(story, path, match)
    check_numbers_independently(story, path)


@pytest.mark.parametrize("side", [HOME, AWAY])
def test_story_side_and_facts_agree(belgium_japan, side):
    match, path = belgium_japan
    story = tell_story(path, match, side)
    assert story.facts.side is side and story.team == match.info.team(side)
