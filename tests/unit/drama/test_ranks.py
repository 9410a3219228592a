"""Ranks of drama values: 1 is the highest, ties share a place, a value computed again ties
with its stored self."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from heartbreak.drama.ranks import TIE_TOLERANCE, Rank, RankTable, rank_in
from heartbreak.wording import ordinal, share_at_top


def test_highest_is_first_and_ties_share_a_place():
    values = np.sort(np.array([0.1, 0.5, 0.5, 0.9]))
    assert rank_in(values, 0.9) == Rank(1, 4)
    assert rank_in(values, 0.5) == Rank(2, 4)
    assert rank_in(values, 0.1) == Rank(4, 4)
    assert rank_in(values, 1.5) == Rank(1, 4)  # above all: first
    assert rank_in(values, 0.0) == Rank(5, 4)  # below all: after the last


def test_a_recomputed_value_ties_with_itself():
    values = np.sort(np.array([0.2, 0.78416, 0.9]))
    assert rank_in(values, 0.78416 - TIE_TOLERANCE / 2).rank == 2


def test_nothing_to_rank_against():
    assert rank_in(np.empty(0), 0.5) is None


def test_percentile():
    assert Rank(1, 200).percentile == pytest.approx(100.0)
    assert Rank(200, 200).percentile == pytest.approx(0.5)
    assert Rank(3, 964).to_dict() == {"rank": 3, "of": 964, "percentile": 99.79}


def test_rank_within_a_competition():
    table = RankTable([0.9, 0.1, 0.5, 0.7], ["Cup", "Cup", "Friendly", "Friendly"])
    assert table.rank(0.7) == Rank(2, 4)
    assert table.rank_within(0.7, "Friendly") == Rank(1, 2)
    assert table.rank_within(0.7, "Cup") == Rank(2, 2)
    assert table.rank_within(0.7, "Nowhere") is None


def test_nan_values_are_not_ranked():
    assert RankTable([0.3, float("nan")], ["a", "a"]).rank(0.3) == Rank(1, 1)


@given(st.lists(st.floats(0, 10, allow_nan=False), min_size=1, max_size=50), st.floats(0, 10))
def test_rank_counts_the_values_above(values, value):
    rank = rank_in(np.sort(np.array(values)), value)
    assert rank.rank == 1 + sum(v > value + TIE_TOLERANCE for v in values)
    assert 1 <= rank.rank <= len(values) + 1


def test_ordinals_and_shares():
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111, 1907)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "101st",
        "111th",
        "1,907th",
    ]
    assert share_at_top(6, 13485) == "top 0.1%"
    assert share_at_top(130, 1068) == "top 12%"
    assert share_at_top(1, 1) == "top 100%"
