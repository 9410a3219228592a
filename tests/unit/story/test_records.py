"""Precedents on tiny hand-built histories (tests/precedent_history.py): each query's definition,
"first ever" and "since", ties, extra time and shootouts, incomplete records; and the story's
closing sentences built from them. No leakage from later matches, a slow property, is checked in
tests/integration/test_records_leakage.py."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from heartbreak.domain import Side
from heartbreak.story.narrative import number_tokens, tell_story
from heartbreak.story.records import (
    MIN_MEETINGS,
    MIN_WINLESS_RUN,
    UPSET_MIN_POINTS,
    champions,
    precedents,
    prepare_matches,
)
from precedent_history import FINAL, QF, R16, SF, History, traced

from .conftest import belgium_japan_match

# --- comeback -------------------------------------------------------------------------------


def test_comeback_first_ever_needs_an_earlier_chance():
    h = History()
    only = h.add(
        "1954-06-26", "Austria", "Switzerland", ["a 10", "a 20", "h 30", "h 40", "h 50"], stage=QF
    )
    assert h.facts(only, "comeback") == []  # no earlier knockout match: nothing to compare with
    h = History()
    h.add("1950-06-01", "Spain", "Chile", ["h 10"], stage=R16)
    m = h.add(
        "1954-06-26", "Austria", "Switzerland", ["a 10", "a 20", "h 30", "h 40", "h 50"], stage=QF
    )
    fact = h.fact(m, "comeback")
    assert fact.text == (
        "Austria were the first team ever to come from two goals down to win a World Cup "
        "knockout match."
    )
    assert fact.reference_match_id is None and fact.reference_date is None
    assert fact.team == "Austria" and fact.match_id == m
    traced(fact)


def test_comeback_since_the_latest_earlier_one_and_extra_time_counts_as_a_win():
    h = History()
    old = h.add(
        "1966-07-23",
        "North Korea",
        "Portugal",
        ["h 1", "h 22", "h 25", "a 27", "a 43", "a 56", "a 59", "a 80"],
        stage=QF,
    )
    aet = h.add(
        "1970-06-14",
        "England",
        "Germany",
        ["h 31", "h 49", "a 68", "a 82", "a 108"],
        stage=QF,
        extra_time=True,
    )
    h.add("1990-06-24", "Brazil", "Argentina", ["a 81"], stage=R16)
    m = h.add(
        "2018-07-02",
        "Belgium",
        "Japan",
        ["a 48", "a 52", "h 69", "h 74", "h 90+4 Nacer Chadli"],
        stage=R16,
    )
    fact = h.fact(m, "comeback")
    assert fact.text == (
        "Belgium were the first team to come from two goals down to win a World Cup knockout "
        "match since Germany against England in 1970."
    )
    assert fact.reference_match_id == aet and fact.reference_date == dt.date(1970, 6, 14)
    assert ("1970", dt.date(1970, 6, 14), f"matches[match_id={aet}].date") in fact.numbers
    traced(fact)
    # Portugal's was from three down: the 1970 one does not count for a three-goal comeback.
    assert h.fact(aet, "comeback").reference_match_id == old


def test_a_shootout_after_a_comeback_is_going_through_not_winning():
    h = History()
    h.add("1970-01-01", "A", "B", ["h 10"], stage=R16)
    h.add("1980-01-01", "P", "Q", ["h 10", "a 20"], stage=R16, extra_time=True, pens="Q")
    shootout = h.add(
        "1982-07-08",
        "Germany",
        "France",
        ["a 10", "h 20", "a 92", "a 98", "h 102", "h 108"],
        stage=SF,
        extra_time=True,
        pens="Germany",
    )
    m = h.add("1990-06-01", "C", "D", ["a 10", "a 20", "h 30", "h 40", "h 50"], stage=R16)
    # The later in-play comeback ignores the shootout: first ever *to win*.
    assert "first team ever to come from two goals down to win" in h.fact(m, "comeback").text
    fact = h.fact(shootout, "comeback")
    assert fact.text == (
        "Germany were the first team ever to come from two goals down in a World Cup knockout "
        "match and go through on penalties."
    )
    # A second shootout comeback refers to the first; a final says "win it".
    final = h.add(
        "1994-07-17",
        "E",
        "F",
        ["h 10", "h 20", "a 30", "a 40"],
        stage=FINAL,
        extra_time=True,
        pens="F",
    )
    fact = h.fact(final, "comeback")
    assert fact.reference_match_id == shootout
    assert fact.text.endswith("match and win it on penalties since Germany against France in 1982.")
    traced(fact)


def test_comeback_deficits_and_ties():
    h = History()
    h.add("1950-01-01", "A", "B", ["h 1"], stage=R16)
    three = h.add(
        "1954-01-01", "C", "D", ["h 1", "h 2", "h 3", "a 4", "a 5", "a 6", "a 7"], stage=QF
    )
    two = h.add("1958-01-01", "E", "F", ["h 1", "h 2", "a 4", "a 5", "a 6"], stage=QF)
    one = h.add("1962-01-01", "G", "H", ["h 1", "a 4", "a 5"], stage=QF)
    again = h.add(
        "1966-01-01", "I", "J", ["h 1", "h 2", "h 3", "a 4", "a 5", "a 6", "a 7"], stage=SF
    )
    assert h.facts(one, "comeback") == []  # one goal down is no comeback here
    assert h.fact(two, "comeback").reference_match_id == three  # from three down counts for two
    fact = h.fact(again, "comeback")
    assert fact.reference_match_id == three and "from three goals down" in fact.text
    assert h.fact(three, "comeback").reference_match_id is None


def test_comeback_is_not_told_over_an_incomplete_record():
    h = History()
    h.add("1950-01-01", "A", "B", ["h 1"], stage=R16)
    ref = h.add("1954-01-01", "C", "D", ["h 1", "h 2", "a 4", "a 5", "a 6"], stage=QF)
    hole = h.add("1958-01-01", "E", "F", (2, 3), stage=QF, complete=False)
    m = h.add("1962-01-01", "G", "H", ["h 1", "h 2", "a 4", "a 5", "a 6"], stage=QF)
    assert h.facts(m, "comeback") == []  # the 1958 match may have been one
    # A match decided on penalties could not have been won from behind: its record is no gap.
    h.matches[hole - 1]["home_score"] = 3
    h.matches[hole - 1]["winner"] = h.matches[hole - 1]["shootout_winner"] = "E"
    assert h.fact(m, "comeback").reference_match_id == ref
    h.matches[hole - 1].update(home_score=2, winner="F", shootout_winner=None)
    h.matches[hole - 1]["date"] = pd.Timestamp("1952-01-01")  # before the reference: fine
    assert h.fact(m, "comeback").reference_match_id == ref
    # The match's own record must be complete.
    h.matches[m - 1]["timeline_complete"] = False
    assert h.facts(m, "comeback") == []


def test_world_cup_queries_need_a_world_cup_knockout_match():
    h = History()
    h.add("1950-01-01", "A", "B", ["h 1"], stage=R16)
    group = h.add("1954-01-01", "C", "D", ["h 1", "h 2", "a 4", "a 5", "a 6"], stage="group stage")
    euro = h.add(
        "1954-01-02", "C", "D", ["h 1", "h 2", "a 4", "a 5", "a 6"], competition="UEFA Euro"
    )
    women = h.add("1954-01-03", "C", "D", ["h 1", "h 2", "a 4", "a 5", "a 6"], stage=QF)
    h.matches[women - 1]["wc_match_id"] = "W-1954-01"
    for m in (group, euro, women):
        assert h.facts(m, "comeback") == []


# --- late winner ----------------------------------------------------------------------------


def test_late_winner_ties_count_as_as_late():
    h = History()
    totti = h.add("2006-06-26", "Italy", "Australia", ["h 90+5 Francesco Totti"], stage=R16)
    hunt = h.add(
        "2014-06-29",
        "Netherlands",
        "Mexico",
        ["a 48", "h 88", "h 90+4 Klaas-Jan Huntelaar"],
        stage=R16,
    )
    h.add("2014-07-01", "X", "Y", ["h 90+3"], stage=R16)
    m = h.add(
        "2018-07-02",
        "Belgium",
        "Japan",
        ["a 48", "a 52", "h 69", "h 74", "h 90+4 Nacer Chadli"],
        stage=R16,
    )
    fact = h.fact(m, "late_winner")
    assert fact.text == (
        "Nacer Chadli's winner at 90+4' was the latest in normal time in a World Cup knockout "
        "match since Klaas-Jan Huntelaar's at 90+4' for Netherlands against Mexico in 2014."
    )
    assert fact.reference_match_id == hunt
    traced(fact)
    # Huntelaar's own: Totti's 90+5' came later.
    assert h.fact(hunt, "late_winner").reference_match_id == totti
    # Totti's: the latest ever (2006 had an earlier chance: none before it here, so nothing).
    assert h.facts(totti, "late_winner") == []


def test_late_winner_ever_early_winners_and_the_winning_goal():
    h = History()
    h.add("1962-06-10", "A", "B", ["h 85"], stage=QF)
    m = h.add("1966-01-01", "C", "D", ["h 88"], stage=QF)
    assert h.fact(m, "late_winner").text == (
        "C player's winner at 88' was the latest ever in normal time in a World Cup knockout match."
    )
    early = h.add("1970-01-01", "E", "F", ["h 60"], stage=QF)
    assert h.facts(early, "late_winner") == []  # before the 85th minute: not told
    # 4-2: the winning goal is the one that took E past F's final two goals (50'), not 90+5'.
    padded = h.add(
        "1974-01-01", "E", "F", ["h 30", "h 40", "h 50", "a 60", "a 70", "h 90+5"], stage=QF
    )
    assert h.facts(padded, "late_winner") == []
    # An own goal's winner is the team's.
    og = h.add("1978-01-01", "G", "H", ["a 90+6 og:Unlucky Defender"], stage=QF)
    assert h.fact(og, "late_winner").text.startswith("H's winner at 90+6' was the latest ever")


def test_late_winner_phases_are_compared_apart_and_shootouts_have_none():
    h = History()
    grosso = h.add(
        "2006-07-04",
        "Germany",
        "Italy",
        ["a 119 Fabio Grosso", "a 120+1"],
        stage=SF,
        extra_time=True,
    )
    h.add("2008-01-01", "A", "B", ["h 90+2"], stage=R16)
    iniesta = h.add(
        "2010-07-11", "Netherlands", "Spain", ["a 116 Andrés Iniesta"], stage=FINAL, extra_time=True
    )
    fact = h.fact(iniesta, "late_winner")
    assert fact.text == (
        "Andrés Iniesta's winner at 116' was the latest in extra time in a World Cup knockout "
        "match since Fabio Grosso's at 119' for Italy against Germany in 2006."
    )
    assert fact.reference_match_id == grosso
    # A 90+1' winner in normal time is compared with the normal-time winners only.
    m = h.add("2012-01-01", "C", "D", ["h 90+1"], stage=R16)
    assert h.fact(m, "late_winner").reference_match_id == 2
    pens = h.add("2014-01-01", "E", "F", ["h 90+5", "a 90+6"], stage=R16, extra_time=True, pens="E")
    assert h.facts(pens, "late_winner") == []


def test_late_winner_waits_for_stoppage_minutes_to_be_recorded():
    """Before the data's first stoppage minute, a winner written at 90' may have come in
    stoppage time: it is not told, and it blocks a later stoppage-time "latest"."""
    h = History()
    h.add("1958-01-01", "A", "B", ["h 80"], stage=QF)
    rojas = h.add("1962-06-16", "Chile", "Yugoslavia", ["h 90 Eladio Rojas"], stage=QF)
    assert h.facts(rojas, "late_winner") == []
    h.add("1990-06-10", "C", "D", ["h 45+1", "a 50"], stage="group stage")  # first stoppage
    davids = h.add("1998-06-29", "E", "F", ["h 38", "a 48", "h 90+2 Edgar Davids"], stage=R16)
    assert h.facts(davids, "late_winner") == []  # Rojas' 90' may have been 90+2' or later
    at_90 = h.add("1998-07-04", "G", "H", ["h 12", "a 17", "h 90 Dennis Bergkamp"], stage=QF)
    fact = h.fact(at_90, "late_winner")  # 90' after 1990 is exact; 90+2' came later
    assert fact.reference_match_id == davids
    early = h.add("2002-01-01", "I", "J", ["h 89"], stage=QF)
    assert h.fact(early, "late_winner").reference_match_id == at_90
    # A stoppage-time winner is compared with the 90' of 1962 once a later one is as late.
    later = h.add("2006-06-26", "K", "L", ["h 90+1"], stage=R16)
    assert h.fact(later, "late_winner").reference_match_id == davids


# --- first knockout goals -------------------------------------------------------------------


def test_first_knockout_goals_after_scoreless_knockout_matches():
    h = History()
    h.add("2002-06-14", "Japan", "Tunisia", ["h 50", "h 75"], stage="group stage")
    h.add("2002-06-18", "Japan", "Turkey", ["a 12"], stage=R16)
    h.add("2010-06-29", "Paraguay", "Japan", [], stage=R16, extra_time=True, pens="Paraguay")
    m = h.add(
        "2018-07-02", "Belgium", "Japan", ["a 48", "a 52", "h 69", "h 74", "h 90+4"], stage=R16
    )
    fact = h.fact(m, "first_knockout_goals")
    assert fact.text == (
        "Japan's goals at 48' and 52' were their first in a World Cup knockout match, after 2 "
        "knockout matches without one."
    )
    assert fact.team == "Japan" and fact.reference_match_id is None
    traced(fact)
    later = h.add(
        "2022-12-05",
        "Japan",
        "Croatia",
        ["h 43", "a 55"],
        stage=R16,
        extra_time=True,
        pens="Croatia",
    )
    assert h.facts(later, "first_knockout_goals") == []  # they had scored by then
    # One goal, one earlier match; a team new to the knockouts gets nothing.
    h2 = History()
    h2.add("1986-06-17", "Morocco", "Germany", ["a 87"], stage=R16)
    m2 = h2.add("2022-12-10", "Morocco", "Portugal", ["h 42"], stage=QF)
    assert h2.fact(m2, "first_knockout_goals").text == (
        "Morocco's goal at 42' was their first in a World Cup knockout match, after 1 knockout "
        "match without one."
    )
    assert all(f.team != "Portugal" for f in h2.facts(m2, "first_knockout_goals"))


# --- stages ---------------------------------------------------------------------------------


def test_first_stage_counts_world_cups_and_later_stages():
    h = History()
    h.add("1986-06-01", "South Korea", "Italy", ["a 10"], stage="group stage")
    h.add("1994-07-09", "Italy", "Spain", ["h 88"], stage=QF)
    h.add("1990-06-01", "South Korea", "Spain", ["a 10"], stage="group stage")
    h.add("2002-06-04", "South Korea", "Poland", ["h 10"], stage="group stage")
    m = h.add(
        "2002-06-18", "South Korea", "Italy", ["a 18", "h 88", "h 117"], stage=R16, extra_time=True
    )
    fact = h.fact(m, "first_stage")
    assert fact.text == (
        "South Korea reached the World Cup quarter-finals for the first time, at their 3rd "
        "World Cup."
    )
    traced(fact)
    # Italy had been further: no "stage_missed" for them.
    assert all(f.team != "Italy" for f in h.facts(m, "stage_missed"))
    # A team that played a semi-final before cannot reach the quarter-finals "for the first time".
    h.add("2006-06-01", "T", "U", ["h 10"], stage=SF)
    again = h.add("2010-06-01", "T", "V", ["h 10"], stage=R16)
    assert h.facts(again, "first_stage") == []


def test_second_group_stage_of_1974_and_1978_is_the_last_eight_but_not_that_of_1982():
    h = History()
    h.add("1974-06-26", "Poland", "Sweden", ["h 10"], stage="second group stage")
    h.add("1982-06-28", "Austria", "France", ["a 10"], stage="second group stage")
    poland = h.add("1986-06-16", "Poland", "Brazil", ["h 10"], stage=R16)
    austria = h.add("1990-06-16", "Austria", "Brazil", ["h 10"], stage=R16)
    assert h.facts(poland, "first_stage") == []
    assert h.fact(austria, "first_stage").text.startswith(
        "Austria reached the World Cup quarter-finals"
    )


def test_stage_missed_counts_exits_at_that_stage_and_a_first_title():
    h = History()
    h.add("1934-05-27", "Japan", "Turkey", (1, 1), stage=R16, extra_time=True)  # drawn, replayed
    h.add("1934-05-31", "Japan", "Turkey", ["a 12"], stage=R16)
    h.add("2010-06-29", "Paraguay", "Japan", [], stage=R16, extra_time=True, pens="Paraguay")
    m = h.add("2018-07-02", "Belgium", "Japan", ["a 48", "h 69", "h 90+4"], stage=R16)
    fact = h.fact(m, "stage_missed")
    assert (
        fact.text
        == "Japan fell one step short of a first World Cup quarter-final, for the 3rd time."
    )
    traced(fact)
    first = h.add("2018-07-03", "Z", "Newcomer", ["h 10"], stage=R16)
    assert h.fact(first, "stage_missed").text == (
        "Newcomer fell one step short of a first World Cup quarter-final."
    )
    final = h.add("2018-07-15", "France", "Croatia", ["h 10"], stage=FINAL)
    assert (
        h.fact(final, "stage_missed").text
        == "Croatia fell one step short of a first World Cup title."
    )
    assert (
        h.fact(final, "first_stage").text
        == "France won the World Cup for the first time, at their first World Cup."
    )


def test_champions_include_the_final_round_of_1950():
    h = History()
    h.add("1950-07-09", "Spain", "Uruguay", ["h 1", "a 2"], stage="final round")
    h.add("1950-07-09", "Brazil", "Sweden", ["h 1"], stage="final round")
    h.add("1950-07-13", "Sweden", "Uruguay", ["a 1"], stage="final round")
    h.add("1950-07-13", "Brazil", "Spain", ["h 1"], stage="final round")
    h.add("1950-07-16", "Brazil", "Uruguay", ["a 1"], stage="final round")
    h.add("1950-07-16", "Spain", "Sweden", ["a 1"], stage="final round")
    assert champions(prepare_matches(h.frames()[0])) == {"Uruguay"}
    final = h.add("1954-07-04", "Uruguay", "Germany", ["h 1"], stage=FINAL)
    assert h.facts(final, "first_stage") == []  # Uruguay had won it in 1950
    assert h.fact(final, "stage_missed").team == "Germany"


# --- upsets, hat-tricks, routs --------------------------------------------------------------


def test_upset_by_rating_at_the_same_stage():
    h = History()
    h.add("1990-06-24", "Brazil", "Argentina", ["a 81"], stage=R16, elo=(2000, 1850))
    h.add("1994-06-24", "Big", "Small", ["a 81"], stage=QF, elo=(2400, 1500))  # other stage
    h.add("1998-06-24", "Big", "Small", ["a 81"], stage=R16, elo=(1700, 1650))  # under 100
    m = h.add(
        "2002-06-18",
        "South Korea",
        "Italy",
        ["h 117"],
        stage=R16,
        extra_time=True,
        elo=(1790, 1916),
    )
    fact = h.fact(m, "upset")
    assert fact.text == (
        "By pre-match rating, South Korea (126 points below Italy) pulled off the biggest upset "
        "in a World Cup round-of-16 match since Argentina against Brazil in 1990."
    )
    assert fact.reference_match_id == 1
    assert ("126", 126.0, f"matches[match_id={m}].elo_away - elo_home") in fact.numbers
    assert ("16", "round-of-16 match", "stage") in fact.numbers
    traced(fact)
    bigger = h.add(
        "2006-06-18",
        "Minnow",
        "Giant",
        [],
        stage=R16,
        extra_time=True,
        pens="Minnow",
        elo=(1500, 1900),
    )
    fact = h.fact(bigger, "upset")  # a shootout counts: the underdog went through
    assert "biggest upset ever in a World Cup round-of-16 match" in fact.text
    small = h.add(
        "2010-06-18", "A", "B", ["a 10"], stage=R16, elo=(1600, 1600 - UPSET_MIN_POINTS + 1)
    )
    assert h.facts(small, "upset") == []


def test_hat_trick_since_at_the_same_stage():
    h = History()
    hurst = h.add(
        "1966-07-30",
        "England",
        "Germany",
        ["h 18 Geoff Hurst", "a 12", "h 101 Geoff Hurst", "h 120 Geoff Hurst", "h 78"],
        stage=FINAL,
        extra_time=True,
    )
    h.add("1970-06-01", "A", "B", ["h 1 X", "h 2 X", "h 3 X"], stage=SF)  # another stage
    h.add("1974-07-07", "C", "D", ["h 1 Y", "h 2 Y", "a 3 og:Y"], stage=FINAL)  # own goal: no
    m = h.add(
        "2022-12-18",
        "Argentina",
        "France",
        [
            "h 23 Lionel Messi",
            "h 36 Ángel Di María",
            "a 80 Kylian Mbappé",
            "a 81 Kylian Mbappé",
            "h 108 Lionel Messi",
            "a 118 Kylian Mbappé",
        ],
        stage=FINAL,
        extra_time=True,
        pens="Argentina",
    )
    fact = h.fact(m, "hat_trick")
    assert fact.text == (
        "Kylian Mbappé scored the first hat-trick in a World Cup final since Geoff Hurst for "
        "England against Germany in 1966."
    )
    assert fact.team == "France" and fact.reference_match_id == hurst
    traced(fact)
    assert h.facts(hurst, "hat_trick") == []  # no earlier final: no "first ever"
    # A goal without a scorer's name leaves the question open.
    h.goals[-2]["scorer"] = None
    assert h.facts(m, "hat_trick") == []


def test_rout_biggest_margin_at_the_stage():
    h = History()
    h.add(
        "1930-07-26",
        "Argentina",
        "United States",
        ["h 1", "h 2", "h 3", "h 4", "h 5", "h 6", "a 7"],
        stage=SF,
    )
    h.add(
        "1954-06-30",
        "Germany",
        "Austria",
        ["h 1", "h 2", "h 3", "h 4", "h 5", "h 6", "a 7"],
        stage=SF,
    )
    m = h.add(
        "2014-07-08",
        "Brazil",
        "Germany",
        ["a 11", "a 23", "a 24", "a 26", "a 29", "a 69", "a 79", "h 90"],
        stage=SF,
    )
    fact = h.fact(m, "rout")
    assert fact.text == (
        "Germany's 7-1 win over Brazil was the biggest winning margin ever in a World Cup "
        "semi-final."
    )
    traced(fact)
    tie = h.add("2018-07-08", "E", "F", ["h 1", "h 2", "h 3", "h 4", "h 5", "h 6"], stage=SF)
    fact = h.fact(tie, "rout")
    assert fact.reference_match_id == m
    assert fact.text.endswith("since Germany against Brazil in 2014 (7-1).")
    narrow = h.add("2022-07-08", "G", "H", ["h 1", "h 2"], stage=SF)
    assert h.facts(narrow, "rout") == []


# --- all competitions -----------------------------------------------------------------------


def test_first_win_over_an_opponent():
    h = History()
    h.add("1999-06-03", "Japan", "Belgium", (0, 0))
    h.add("2002-06-04", "Japan", "Belgium", (2, 2), stage="group stage")
    h.add("2009-05-31", "Japan", "Belgium", (4, 0))
    h.add("2013-11-19", "Belgium", "Japan", (2, 3))
    h.add("2016-01-01", "Belgium", "Japan", (1, 1), competition="Cup", pens="Belgium")
    m = h.add("2017-11-14", "Belgium", "Japan", (1, 0))
    fact = h.fact(m, "first_win_over")
    assert fact.text == "Belgium had never beaten Japan in 5 earlier meetings, the first in 1999."
    assert fact.team == "Belgium"
    traced(fact)
    assert h.facts(h.add("2018-07-02", "Belgium", "Japan", (3, 2)), "first_win_over") == []
    h2 = History()
    for _ in range(MIN_MEETINGS - 1):
        h2.add("2000-01-01", "A", "B", (0, 1))
    assert h2.facts(h2.add("2001-01-01", "A", "B", (1, 0)), "first_win_over") == []


def test_winless_run_ended():
    h = History()
    h.add("1987-01-01", "Oman", "X", (1, 0))
    for i in range(MIN_WINLESS_RUN):
        h.add(f"1988-{3 + i % 9:02d}-0{1 + i // 9}", "Oman", "Y", (0, i % 2))
    h.add("1990-01-01", "Oman", "Y", (1, 1), competition="Cup", pens="Oman")  # not a win
    m = h.add("1991-01-01", "Y", "Oman", (0, 2))
    fact = h.fact(m, "winless_run_ended")
    assert fact.text == (
        f"The win ended a run of {MIN_WINLESS_RUN + 1} matches without a win for Oman, going "
        "back to March 1988."
    )
    traced(fact)
    h.matches[5]["home_score"] = 2  # a win inside the run: it is now shorter
    assert h.facts(m, "winless_run_ended") == []


def test_heaviest_defeat():
    h = History()
    for i in range(10):
        h.add(f"1914-0{1 + i % 9}-1{i // 9}", "Brazil", "Z", (1, 0))
    ref = h.add("1920-09-18", "Brazil", "Uruguay", (0, 6))
    h.add("1940-03-05", "Argentina", "Brazil", (6, 1))
    m = h.add("2014-07-08", "Brazil", "Germany", (1, 7))
    fact = h.fact(m, "heaviest_defeat")
    assert fact.text == "It was Brazil's heaviest defeat since losing 0-6 to Uruguay in 1920."
    assert fact.reference_match_id == ref
    traced(fact)
    worse = h.add("2015-01-01", "Germany", "Brazil", (8, 0))
    assert h.fact(worse, "heaviest_defeat").text == "It was Brazil's heaviest defeat ever."
    newcomer = h.add("2016-01-01", "Germany", "Newcomer", (5, 0))
    assert h.facts(newcomer, "heaviest_defeat") == []  # too short a history for "ever"


# --- the whole query ------------------------------------------------------------------------


def belgium_japan_history() -> History:
    h = History()
    h.add(
        "1966-07-23",
        "North Korea",
        "Portugal",
        ["h 1", "h 22", "h 25", "a 27", "a 43", "a 56", "a 59", "a 80"],
        stage=QF,
    )
    h.add(
        "1970-06-14",
        "England",
        "Germany",
        ["h 31", "h 49", "a 68", "a 82", "a 108"],
        stage=QF,
        extra_time=True,
    )
    h.add(
        "1986-06-22",
        "Spain",
        "Belgium",
        ["h 35", "a 85"],
        stage=QF,
        extra_time=True,
        pens="Belgium",
    )
    h.add("2002-06-18", "Japan", "Turkey", ["a 12"], stage=R16)
    h.add("2010-06-29", "Paraguay", "Japan", [], stage=R16, extra_time=True, pens="Paraguay")
    h.add(
        "2014-06-29",
        "Netherlands",
        "Mexico",
        ["a 48", "h 88", "h 90+4 Klaas-Jan Huntelaar"],
        stage=R16,
    )
    h.add(
        "2018-07-02",
        "Belgium",
        "Japan",
        ["a 48 Genki Haraguchi", "a 52 Takashi Inui", "h 69", "h 74", "h 90+4 Nacer Chadli"],
        stage=R16,
        elo=(2060, 1803),
    )
    return h


def test_precedents_are_sorted_strongest_first():
    facts = belgium_japan_history().facts(7)
    assert [f.kind for f in facts] == [
        "comeback",
        "first_knockout_goals",
        "stage_missed",
        "late_winner",
    ]
    assert [f.strength for f in facts] == sorted((f.strength for f in facts), reverse=True)
    for fact in facts:
        traced(fact)
    with pytest.raises(KeyError):
        belgium_japan_history().facts(999)


def test_side_puts_its_team_first_among_facts_of_equal_strength(monkeypatch):
    from heartbreak.story import records

    h = History()
    m = h.add("2001-01-01", "A", "B", (1, 0))

    def fixed(team: str):
        def query(row, earlier):
            return [records.Precedent("test", f"{team} fact.", 0.5, m, team, None, None, ())]

        return query

    monkeypatch.setattr(records, "first_win_over", fixed("A"))
    monkeypatch.setattr(records, "heaviest_defeat", fixed("B"))
    assert [f.team for f in h.facts(m)] == ["A", "B"]  # the order of the queries
    assert [f.team for f in h.facts(m, side=Side.AWAY)] == ["B", "A"]
    assert [f.team for f in h.facts(m, side="away")] == ["B", "A"]
    assert [f.team for f in h.facts(m, side="B")] == ["B", "A"]
    assert [f.team for f in h.facts(m, side="home")] == ["A", "B"]
    with pytest.raises(ValueError, match="did not play"):
        h.facts(m, side="Z")


def test_input_order_and_extra_columns_do_not_matter():
    h = belgium_japan_history()
    matches, goals = h.frames()
    shuffled = matches.sample(frac=1.0, random_state=3).assign(city="somewhere")
    assert precedents(7, shuffled, goals.sample(frac=1.0, random_state=4)) == precedents(
        7, matches, goals
    )


def test_imported_user_matches_are_not_history_and_get_no_facts():
    h = belgium_japan_history()
    fake = h.add("2017-01-01", "Japan", "Zaire", ["h 10", "h 20"], stage=R16)  # Japan scored
    matches, goals = h.frames()
    assert h.facts(7, "first_knockout_goals") == []
    matches["source"] = np.where(matches["match_id"] == fake, "user", "international")
    found = precedents(7, matches, goals)
    assert "first_knockout_goals" in {f.kind for f in found}
    assert precedents(fake, matches, goals) == []


def test_precedent_checks_its_numbers_and_serialises():
    fact = belgium_japan_history().facts(7)[0]
    with pytest.raises(ValueError, match="do not match"):
        dataclasses.replace(fact, numbers=())
    with pytest.raises(ValueError, match="between 0 and 1"):
        dataclasses.replace(fact, strength=1.5)
    data = fact.to_dict()
    assert set(data) == {"kind", "text", "strength", "reference_match_id", "reference_date"}
    assert data["reference_date"] == "1970-06-14" and data["reference_match_id"] == 2


# --- the story with context -----------------------------------------------------------------


def test_story_without_context_is_unchanged():
    match, path = belgium_japan_match()
    plain, empty = tell_story(path, match), tell_story(path, match, context=())
    assert plain.sentences == empty.sentences
    assert plain.number_sources == empty.number_sources


def test_story_ends_with_the_strongest_facts_and_traces_their_numbers():
    match, path = belgium_japan_match()
    facts = belgium_japan_history().facts(7)
    assert len(facts) >= 3
    story = tell_story(path, match, context=list(reversed(facts)))
    assert 3 <= len(story.sentences) <= 6
    told_facts = [f for f in facts if f.text in story.sentences]
    # One or two facts, the strongest, told last and strongest first.
    assert 1 <= len(told_facts) <= 2
    assert told_facts == facts[: len(told_facts)]
    assert story.sentences[-len(told_facts) :] == tuple(f.text for f in told_facts)
    assert all(f.text not in story.text for f in facts[len(told_facts) :])
    assert Counter(number_tokens(story.text)) == Counter(n.text for n in story.numbers())
    told = [n for n in story.numbers() if n.kind == "precedent"]
    assert [(n.text, n.value) for n in told] == [
        (t, v) for fact in told_facts for t, v, _ in fact.numbers
    ]
    assert all(re.match(r"precedents:(comeback|first_knockout_goals):", n.source) for n in told)
    # The match's own sentences still tell the ride: at least three of its middle sentences.
    plain = tell_story(path, match)
    assert story.sentences[0] == plain.sentences[0]
    assert story.sentences[-len(told_facts) - 1] == plain.sentences[-1]
    own = len(story.sentences) - len(told_facts)
    assert own >= min(len(plain.sentences), 5)
    assert "90+4'" in story.text and "2-0" in story.text


def test_story_with_one_fact_and_any_side():
    match, path = belgium_japan_match()
    fact = belgium_japan_history().facts(7)[0]
    for side in (None, Side.HOME, Side.AWAY):
        story = tell_story(path, match, side, context=[fact])
        assert story.sentences[-1] == fact.text
        assert len(story.sentences) <= 6
        assert Counter(number_tokens(story.text)) == Counter(n.text for n in story.numbers())


def test_story_leaves_out_facts_too_weak_to_tell():
    from heartbreak.story.narrative import CONTEXT_MIN_STRENGTH

    match, path = belgium_japan_match()
    strong, *_ = belgium_japan_history().facts(7)
    weak = dataclasses.replace(strong, strength=CONTEXT_MIN_STRENGTH / 2)
    assert tell_story(path, match, context=[weak]).sentences == tell_story(path, match).sentences
    told = tell_story(path, match, context=[weak, strong]).sentences
    assert told[-1] == strong.text and weak.text not in told[:-1]
