"""User matches never reach a fit or an evaluation."""

from __future__ import annotations

import pandas as pd

from heartbreak.services import _recorded_history


class FakeStore:
    def matches(self):
        return pd.DataFrame(
            {
                "match_id": [1, 2, 10_000_000],
                "source": ["international", "international+worldcup", "user"],
            }
        )

    def all_goals(self):
        return pd.DataFrame({"match_id": [1, 2, 10_000_000, 10_000_000]})

    def all_red_cards(self):
        return pd.DataFrame({"match_id": [2, 10_000_000]})


def test_user_matches_are_left_out():
    matches, goals, reds = _recorded_history(FakeStore())
    assert matches["match_id"].tolist() == [1, 2]
    assert goals["match_id"].tolist() == [1, 2]
    assert reds["match_id"].tolist() == [2]
