"""Story facts read off replayed paths: leads, peak, turn, decisive moment, result, stake."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heartbreak.domain import Event, EventType, MatchInfo, Side
from heartbreak.model.path import PointKind
from heartbreak.story.facts import (
    chance_of,
    chance_phrase,
    decisive_moment,
    default_side,
    kind_mask,
    leads,
    live_points,
    path_winner,
    peak_chance,
    stake_of,
    story_facts,
)
from heartbreak.wording import round_half_up

from .conftest import AWAY, GOAL, HOME, build


def test_round_half_up_rounds_halves_away_from_even():
    assert [round_half_up(v) for v in (0.5, 1.5, 2.5, 25.5, 92.49)] == [1, 2, 3, 26, 92]


# --- Belgium 3-2 Japan ----------------------------------------------------------------------


def test_japan_led_2_0_from_52_to_69(belgium_japan):
    _, path = belgium_japan
    japan = [lead for lead in leads(path) if lead.side is AWAY]
    assert len(japan) == 1
    lead = japan[0]
    assert (lead.team, lead.margin, lead.score_for, lead.score_against) == ("Japan", 2, 2, 0)
    assert lead.start.label == "48'" and lead.end is not None and lead.end.label == "74'"
    assert lead.margin_from.label == "52'"
    assert lead.margin_until is not None and lead.margin_until.label == "69'"
    assert not lead.held


def test_belgium_led_only_from_the_stoppage_time_winner(belgium_japan):
    _, path = belgium_japan
    belgium = [lead for lead in leads(path) if lead.side is HOME]
    assert len(belgium) == 1
    assert belgium[0].start.label == "90+4'" and belgium[0].held
    assert (belgium[0].score_for, belgium[0].score_against) == (3, 2)


def test_japan_peak_chance_and_time_left(belgium_japan):
    match, path = belgium_japan
    facts = story_facts(path, match)
    chance = chance_of(path, AWAY)
    live = live_points(path)
    assert facts.side is AWAY and facts.team == "Japan" and facts.chance_of == "advance"
    assert facts.peak.value >= 0.8
    assert facts.peak.value == pytest.approx(chance[live].max())
    # Japan's best moment: 2-0 up in the second half, before Belgium's first goal.
    assert (facts.peak.home_goals, facts.peak.away_goals) == (0, 2)
    assert 52 <= facts.peak.moment.minute <= 69
    assert facts.peak.moment.time_left == pytest.approx(path.time_left[facts.peak.moment.index])
    assert 20 < facts.peak.moment.time_left < 45
    assert facts.prematch.value == pytest.approx(chance[0]) and facts.prematch.value < 0.5


def test_japan_turn_is_the_equaliser(belgium_japan):
    match, path = belgium_japan
    turn = story_facts(path, match).turn
    assert turn is not None
    assert turn.moment.label == "74'" and turn.cause is EventType.GOAL and turn.side is HOME
    assert turn.player == "Marouane Fellaini"
    chance = chance_of(path, AWAY)
    assert turn.fall == pytest.approx(np.max(chance[:-1] - chance[1:]))
    assert turn.fall > 0.3


def test_decisive_moment_is_the_stoppage_time_winner(belgium_japan):
    match, path = belgium_japan
    decisive = decisive_moment(path, match)
    assert decisive is not None
    assert decisive.kind == "winning_goal" and decisive.moment.label == "90+4'"
    assert decisive.player == "Nacer Chadli" and decisive.side is HOME
    assert decisive.moment.in_stoppage and decisive.moment.late
    assert decisive.winner_after > decisive.winner_before


def test_japan_were_knocked_out_of_a_quarter_final_place(belgium_japan):
    match, path = belgium_japan
    facts = story_facts(path, match)
    assert facts.outcome == "lost"
    assert facts.result.winner is HOME and facts.result.suffix == ""
    assert facts.stake.kind == "next_round" and facts.stake.prize == "quarter-finals"
    assert facts.stake.phrase == "a place in the quarter-finals"
    assert facts.final_chance == 0.0


def test_facts_from_the_other_side(belgium_japan):
    match, path = belgium_japan
    facts = story_facts(path, match, HOME)
    assert facts.team == "Belgium" and facts.outcome == "won"
    assert facts.low.value < 0.1 and (facts.low.home_goals, facts.low.away_goals) == (0, 2)
    assert facts.goals[0].chance_after < facts.goals[0].chance_before  # Japan's goal hurt


def test_to_dict_is_plain_json(belgium_japan):
    match, path = belgium_japan
    data = story_facts(path, match).to_dict()
    text = json.dumps(data)
    assert data["side"] == "away" and data["info"]["date"] == "2018-07-02"
    assert data["decisive"]["moment"]["label"] == "90+4'"
    assert data["leads"][0]["margin_from"]["label"] == "52'"
    assert data["stake"]["prize"] == "quarter-finals"
    assert "Nacer Chadli" in text


# --- other matches --------------------------------------------------------------------------


def test_routine_win(routine_win):
    match, path = routine_win
    facts = story_facts(path, match, HOME)
    assert facts.outcome == "won" and facts.chance_of == "win"
    assert len(facts.leads) == 1 and facts.leads[0].held
    assert facts.decisive is not None and facts.decisive.moment.label == "20'"
    assert facts.sealed is not None
    chance = chance_of(path, HOME)
    assert np.all(chance[facts.sealed.index :] >= 0.9)
    assert facts.stake.kind == "points"
    assert default_side(match) is AWAY  # the loser's story by default


def test_goalless_draw(goalless_draw):
    match, path = goalless_draw
    facts = story_facts(path, match)
    assert facts.side is HOME  # no loser: the home side
    assert facts.leads == () and facts.goals == () and facts.decisive is None
    assert facts.sealed is None and facts.outcome == "drew"
    assert facts.stake.kind == "win" and facts.stake.phrase == "a friendly win"


def test_shootout(shootout):
    match, path = shootout
    facts = story_facts(path, match)
    assert facts.side is HOME and facts.outcome == "lost"
    assert facts.result.extra_time and facts.result.suffix == "pens"
    decisive = facts.decisive
    assert decisive is not None and decisive.kind == "shootout" and decisive.side is AWAY
    assert decisive.winner_after == 1.0 and decisive.moment.label == "pens"
    # The shootout itself was the biggest fall of Spain's chance.
    assert facts.turn is not None and facts.turn.cause is EventType.SHOOTOUT
    assert facts.goals[0].own_goal and facts.goals[1].penalty
    assert path_winner(path) is AWAY


def test_red_card_moves_the_chance(red_card):
    match, path = red_card
    facts = story_facts(path, match, AWAY)
    assert len(facts.red_cards) == 1
    card = facts.red_cards[0]
    assert card.side is AWAY and card.moment.label == "30'" and card.player == "John Mensah"
    assert card.chance_after < card.chance_before
    assert story_facts(path, match, HOME).red_cards[0].chance_after > card.chance_after


def test_decisive_goal_is_the_last_lead_change():
    match, path = build(
        "A",
        "B",
        (4, 2),
        [
            Event(GOAL, 10, side=HOME),
            Event(GOAL, 20, side=AWAY),
            Event(GOAL, 30, side=AWAY),
            Event(GOAL, 60, side=HOME),
            Event(GOAL, 70, side=HOME),
            Event(GOAL, 80, side=HOME),
        ],
        competition="Friendly",
    )
    decisive = decisive_moment(path, match)
    assert decisive is not None and decisive.moment.label == "70'"
    assert [lead.side for lead in leads(path)] == [HOME, AWAY, HOME]


@pytest.mark.parametrize(
    ("stage", "knockout", "competition", "kind", "prize"),
    [
        ("round of 16", True, "FIFA World Cup", "next_round", "quarter-finals"),
        ("round of 32", True, "FIFA World Cup", "next_round", "round of 16"),
        ("quarter-finals", True, "FIFA World Cup", "next_round", "semi-finals"),
        ("quarter-final", True, "FIFA World Cup", "next_round", "semi-finals"),
        ("semi-finals", True, "FIFA World Cup", "next_round", "final"),
        ("final", True, "FIFA World Cup", "title", "the World Cup"),
        ("final", True, "Copa América", "title", "the Copa América"),
        ("final", True, "King's Cup", "title", "the King's Cup"),
        ("third-place match", True, "FIFA World Cup", "third_place", "third place"),
        ("group stage", False, "FIFA World Cup", "points", "points"),
        ("second group stage", False, "FIFA World Cup", "points", "points"),
        (None, False, "FIFA World Cup qualification", "points", "points"),
        (None, True, "King's Cup", "next_round", "next round"),
        (None, False, "Friendly", "win", "win"),
    ],
)
def test_stake_from_stage_and_competition(stage, knockout, competition, kind, prize):
    info = MatchInfo("A", "B", dt.date(2018, 7, 2), competition, stage, knockout=knockout)
    stake = stake_of(info)
    assert (stake.kind, stake.prize) == (kind, prize)


def test_chance_phrases():
    def phrase(stage, knockout=True, competition="FIFA World Cup"):
        info = MatchInfo("A", "B", dt.date(2018, 7, 2), competition, stage, knockout=knockout)
        return chance_phrase(stake_of(info), knockout)

    assert phrase("round of 16") == "reaching the quarter-finals"
    assert phrase("semi-finals") == "reaching the final"
    assert phrase("final") == "winning the World Cup"
    assert phrase(None, competition="King's Cup") == "going through"
    assert phrase("group stage", knockout=False) == "winning"


def test_kind_mask_selects_each_kind_and_the_path_keeps_full_kind_names(belgium_japan):
    _, path = belgium_japan
    # The replay never cuts a kind short (a fixed-width column once turned "final_whistle"
    # into "final_whistl"); every point has exactly one full kind.
    assert set(path.kind.tolist()) <= {k.value for k in PointKind}
    total = sum(int(kind_mask(path, kind).sum()) for kind in PointKind)
    assert total == len(path)
    assert kind_mask(path, PointKind.KICK_OFF).sum() == 1
    assert kind_mask(path, PointKind.FINAL_WHISTLE).sum() == 1


# --- properties over random timelines -------------------------------------------------------


@st.composite
def timelines(draw):
    n = draw(st.integers(0, 6))
    minutes = sorted(draw(st.lists(st.integers(1, 90), min_size=n, max_size=n)))
    sides = draw(st.lists(st.sampled_from([HOME, AWAY]), min_size=n, max_size=n))
    events = [
        Event(GOAL, m, side=s, player=f"P{i}")
        for i, (m, s) in enumerate(zip(minutes, sides, strict=True))
    ]
    home = sum(s is HOME for s in sides)
    return events, (home, n - home)


@settings(max_examples=40, deadline=None)
@given(timelines())
def test_facts_are_consistent_on_any_timeline(timeline):
    events, score = timeline
    match, path = build("A", "B", score, events, competition="Friendly")
    spells = leads(path)
    for a, b in itertools.pairwise(spells):
        assert a.end is not None and a.end.index <= b.start.index
    for lead in spells:
        assert lead.margin >= 1 and lead.score_for - lead.score_against == lead.margin
        assert lead.start.index <= lead.margin_from.index
    decisive = decisive_moment(path, match)
    if score[0] != score[1]:
        winner = HOME if score[0] > score[1] else AWAY
        assert decisive is not None and decisive.side is winner
        assert spells[-1].side is winner and spells[-1].held
        assert spells[-1].start == decisive.moment
    elif score == (0, 0):
        assert decisive is None
    else:
        assert decisive is not None and decisive.kind == "equaliser"
    for side in Side:
        peak = peak_chance(path, side)
        assert 0.0 <= peak.value <= 1.0
        assert live_points(path)[peak.moment.index]
