"""Known answers for World Football Elo on tiny hand-made histories.

Every expected number below is worked out by hand from the eloratings.net formula:
``R' = R + K·G·(W − We)``, ``We = 1 / (10^(−dr/400) + 1)``. For two 1500 sides with the home
side at home, ``dr = 100`` and ``We = 1 / (10^−0.25 + 1) = 0.6400649998``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from heartbreak.ratings.elo import EloParams, EloRatings, expected_score, margin_multiplier

WE_AT_HOME = 0.6400649998028851  # 1 / (10^(-100/400) + 1)


def history(*rows: tuple) -> pd.DataFrame:
    """Rows of (date, home, away, home_score, away_score, competition, neutral)."""
    df = pd.DataFrame(
        rows,
        columns=["date", "home", "away", "home_score", "away_score", "competition", "neutral"],
    )
    df.insert(0, "match_id", np.arange(1, len(df) + 1))
    df["date"] = pd.to_datetime(df["date"])
    return df


def pre(elo: EloRatings, match_id: int) -> tuple[float, float]:
    row = elo.pre_match_.set_index("match_id").loc[match_id]
    return float(row["elo_home"]), float(row["elo_away"])


# --- the formula pieces -------------------------------------------------------------------------


def test_expected_score_known_values() -> None:
    assert expected_score(0.0) == pytest.approx(0.5)
    assert expected_score(100.0) == pytest.approx(WE_AT_HOME, abs=1e-12)
    assert expected_score(400.0) == pytest.approx(10 / 11)
    assert expected_score(-400.0) == pytest.approx(1 / 11)
    np.testing.assert_allclose(expected_score(np.array([-100.0, 100.0])).sum(), 1.0)


def test_margin_multiplier_table() -> None:
    margins = np.array([0, 1, -1, 2, -2, 3, 4, -4, 5, 10])
    expected = [1, 1, 1, 1.5, 1.5, 14 / 8, 15 / 8, 15 / 8, 16 / 8, 21 / 8]
    np.testing.assert_allclose(margin_multiplier(margins), expected)


@pytest.mark.parametrize(
    ("competition", "k"),
    [
        ("FIFA World Cup", 60),
        ("UEFA Euro", 50),
        ("Copa América", 50),
        ("African Cup of Nations", 50),
        ("AFC Asian Cup", 50),
        ("Gold Cup", 50),
        ("Confederations Cup", 50),
        ("FIFA World Cup qualification", 40),
        ("UEFA Euro qualification", 40),
        ("African Cup of Nations qualification", 40),
        ("UEFA Nations League", 40),
        ("CONCACAF Nations League", 40),
        ("Friendly", 20),
        ("Merdeka Tournament", 30),
        ("COSAFA Cup", 30),
        ("King's Cup", 30),
    ],
)
def test_k_by_competition_name(competition: str, k: float) -> None:
    assert EloParams().k_factor(competition) == k


# --- single matches between two 1500 sides ------------------------------------------------------


def test_friendly_two_nil_home_win() -> None:
    # K = 20, G = 1.5, W = 1: change = 30 · (1 − 0.64006500) = 10.79805.
    elo = EloRatings().fit(history(("2000-01-01", "A", "B", 2, 0, "Friendly", False)))
    assert elo.ratings_["A"] == pytest.approx(1510.798050005913, abs=1e-9)
    assert elo.ratings_["B"] == pytest.approx(1489.201949994087, abs=1e-9)
    assert pre(elo, 1) == (1500.0, 1500.0)


def test_world_cup_draw_at_home_costs_the_host() -> None:
    # K = 60, G = 1, W = 0.5: change = 60 · (0.5 − 0.64006500) = −8.40390.
    elo = EloRatings().fit(history(("2000-01-01", "Host", "Guest", 1, 1, "FIFA World Cup", False)))
    assert elo.ratings_["Host"] == pytest.approx(1491.596100011827, abs=1e-9)
    assert elo.ratings_["Guest"] == pytest.approx(1508.403899988173, abs=1e-9)


def test_world_cup_draw_on_neutral_ground_between_equals_changes_nothing() -> None:
    elo = EloRatings().fit(history(("2000-01-01", "A", "B", 2, 2, "FIFA World Cup", True)))
    assert elo.ratings_ == {"A": 1500.0, "B": 1500.0}


def test_world_cup_draw_between_unequal_sides() -> None:
    # After the friendly, A = 1510.79805 and B = 1489.20195; dr = 21.59610 on neutral ground,
    # We(A) = 1 / (10^(−21.59610/400) + 1) = 0.53103932; change = 60 · (0.5 − We) = −1.86236.
    elo = EloRatings().fit(
        history(
            ("2000-01-01", "A", "B", 2, 0, "Friendly", False),
            ("2000-06-01", "A", "B", 0, 0, "FIFA World Cup", True),
        )
    )
    assert pre(elo, 2) == pytest.approx((1510.798050005913, 1489.201949994087), abs=1e-9)
    assert elo.ratings_["A"] == pytest.approx(1510.798050005913 - 1.862359265731, abs=1e-9)
    assert elo.ratings_["B"] == pytest.approx(1489.201949994087 + 1.862359265731, abs=1e-9)


def test_four_nil_margin() -> None:
    # Qualifier on neutral ground: K = 40, G = (11 + 4)/8 = 1.875, W − We = 0.5 → 37.5.
    elo = EloRatings().fit(
        history(("2000-01-01", "A", "B", 4, 0, "FIFA World Cup qualification", True))
    )
    assert elo.ratings_["A"] == pytest.approx(1537.5)
    assert elo.ratings_["B"] == pytest.approx(1462.5)


def test_away_win_by_four_at_home() -> None:
    # The home side loses 0-4 at home in a friendly: 20 · 1.875 · (0 − 0.64006500) = −24.00244.
    elo = EloRatings().fit(history(("2000-01-01", "A", "B", 0, 4, "Friendly", False)))
    assert elo.ratings_["A"] == pytest.approx(1500 - 37.5 * WE_AT_HOME, abs=1e-9)
    assert elo.ratings_["A"] == pytest.approx(1475.997562507392, abs=1e-9)
    assert elo.ratings_["B"] == pytest.approx(1524.002437492608, abs=1e-9)


def test_neutral_versus_home_advantage() -> None:
    # A 1-0 friendly win: 20 · (1 − 0.5) = 10 on neutral ground, 20 · (1 − 0.640065) = 7.19870
    # at home (the home side was expected to win, so it gains less).
    neutral = EloRatings().fit(history(("2000-01-01", "A", "B", 1, 0, "Friendly", True)))
    home = EloRatings().fit(history(("2000-01-01", "A", "B", 1, 0, "Friendly", False)))
    assert neutral.ratings_["A"] == pytest.approx(1510.0)
    assert home.ratings_["A"] == pytest.approx(1507.198700003942, abs=1e-9)
    assert home.ratings_["B"] == pytest.approx(1492.801299996058, abs=1e-9)


def test_changes_are_zero_sum() -> None:
    elo = EloRatings().fit(
        history(
            ("2000-01-01", "A", "B", 3, 1, "Friendly", False),
            ("2000-01-05", "B", "C", 0, 0, "UEFA Euro", True),
            ("2000-02-01", "C", "A", 5, 0, "COSAFA Cup", False),
        )
    )
    assert sum(elo.ratings_.values()) == pytest.approx(3 * 1500.0)


# --- the same-day rule and as-of semantics ------------------------------------------------------


def test_two_matches_on_one_day_use_the_ratings_from_before_that_day() -> None:
    # Day 1: A beats B and B beats C, all neutral friendlies 1-0. Both matches are rated from
    # 1500: A +10, B −10 + 10 = 1500, C −10. B's second match does not see its first result.
    elo = EloRatings().fit(
        history(
            ("2000-01-01", "A", "B", 1, 0, "Friendly", True),
            ("2000-01-01", "B", "C", 1, 0, "Friendly", True),
            ("2000-01-02", "B", "A", 0, 0, "Friendly", True),
        )
    )
    assert pre(elo, 1) == (1500.0, 1500.0)
    assert pre(elo, 2) == (1500.0, 1500.0)
    # Day 2 sees the day-1 changes applied together.
    assert pre(elo, 3) == pytest.approx((1500.0, 1510.0))
    # B (1500) draws with A (1510): We(B) = 1/(10^(10/400) + 1) = 0.48561; change = 20 · 0.01439.
    we_b = 1.0 / (10.0 ** (10.0 / 400.0) + 1.0)
    assert elo.ratings_["B"] == pytest.approx(1500.0 + 20 * (0.5 - we_b))
    assert elo.ratings_["C"] == pytest.approx(1490.0)


def test_same_day_rule_is_not_sequential() -> None:
    # A sequential update would rate B's second match from 1490 and give a different result.
    same_day = EloRatings().fit(
        history(
            ("2000-01-01", "A", "B", 1, 0, "Friendly", True),
            ("2000-01-01", "B", "C", 1, 0, "Friendly", True),
        )
    )
    next_day = EloRatings().fit(
        history(
            ("2000-01-01", "A", "B", 1, 0, "Friendly", True),
            ("2000-01-02", "B", "C", 1, 0, "Friendly", True),
        )
    )
    assert same_day.ratings_["B"] == pytest.approx(1500.0)
    assert pre(next_day, 2) == (1490.0, 1500.0)
    # B (1490) beats C (1500): We = 1/(10^(10/400) + 1); gain 20 · (1 − We).
    we = 1.0 / (10.0 ** (10.0 / 400.0) + 1.0)
    assert next_day.ratings_["B"] == pytest.approx(1490.0 + 20 * (1 - we))
    assert next_day.ratings_["B"] != pytest.approx(same_day.ratings_["B"])


def test_a_team_playing_twice_in_a_day_gets_both_changes() -> None:
    elo = EloRatings().fit(
        history(
            ("2000-01-01", "A", "B", 1, 0, "Friendly", True),
            ("2000-01-01", "A", "C", 1, 0, "Friendly", True),
        )
    )
    assert elo.ratings_["A"] == pytest.approx(1520.0)
    after = elo.history_.query("team == 'A'")["rating_after"].to_numpy()
    np.testing.assert_allclose(after, [1520.0, 1520.0])


def test_pre_match_ratings_only_see_earlier_days() -> None:
    base = history(
        ("2000-01-01", "A", "B", 2, 0, "Friendly", False),
        ("2000-03-01", "B", "C", 1, 3, "UEFA Euro", True),
        ("2000-05-01", "C", "A", 0, 0, "FIFA World Cup", True),
    )
    later = pd.concat(
        [
            base,
            history(
                ("2000-05-01", "A", "C", 9, 0, "Friendly", False),
                ("2001-01-01", "A", "B", 0, 7, "FIFA World Cup", False),
            ).assign(match_id=[0, 11]),  # 0 sorts before match 3 on its day
        ],
        ignore_index=True,
    )
    a = EloRatings().fit(base).pre_match_.set_index("match_id")
    b = EloRatings().fit(later).pre_match_.set_index("match_id")
    # Matches later than (or on the same day as) a match do not change the ratings going into it.
    pd.testing.assert_frame_equal(a.loc[[1, 2, 3]], b.loc[[1, 2, 3]])


def test_input_order_does_not_matter() -> None:
    df = history(
        ("2000-01-01", "A", "B", 2, 0, "Friendly", False),
        ("2000-03-01", "B", "C", 1, 3, "UEFA Euro", True),
        ("2000-05-01", "C", "A", 0, 0, "FIFA World Cup", True),
    )
    forward = EloRatings().fit(df)
    backward = EloRatings().fit(df.iloc[::-1].reset_index(drop=True))
    assert forward.ratings_ == pytest.approx(backward.ratings_)
    pd.testing.assert_frame_equal(
        forward.pre_match_.sort_values("match_id").reset_index(drop=True),
        backward.pre_match_.sort_values("match_id").reset_index(drop=True),
    )


def test_history_records_rating_before_and_after_each_match() -> None:
    elo = EloRatings().fit(
        history(
            ("2000-01-01", "A", "B", 2, 0, "Friendly", False),
            ("2000-06-01", "A", "B", 0, 0, "FIFA World Cup", True),
        )
    )
    h = elo.history_
    assert list(h.columns) == ["team", "date", "match_id", "rating_before", "rating_after"]
    assert len(h) == 4
    a = h[h["team"] == "A"].sort_values("date")
    np.testing.assert_allclose(a["rating_before"], [1500.0, 1510.798050005913])
    np.testing.assert_allclose(a["rating_after"].iloc[0], a["rating_before"].iloc[1])
    np.testing.assert_allclose(a["rating_after"].iloc[-1], elo.ratings_["A"])


# --- parameters ---------------------------------------------------------------------------------


def test_overrides_replace_single_parameters() -> None:
    elo = EloRatings(k_friendly=40.0, home_advantage=0.0)
    assert elo.params.k_friendly == 40.0
    assert elo.params.home_advantage == 0.0
    assert elo.params.k_world_cup == 60.0
    elo.fit(history(("2000-01-01", "A", "B", 1, 0, "Friendly", False)))
    # No home advantage: We = 0.5; K = 40: change = 20.
    assert elo.ratings_["A"] == pytest.approx(1520.0)


def test_overrides_apply_on_top_of_given_params() -> None:
    base = EloParams(initial_rating=1000.0, k_world_cup=80.0)
    elo = EloRatings(base, k_world_cup=10.0)
    assert elo.params.initial_rating == 1000.0
    assert elo.params.k_world_cup == 10.0
    assert base.k_world_cup == 80.0
    elo.fit(history(("2000-01-01", "A", "B", 1, 0, "FIFA World Cup", True)))
    assert elo.ratings_["A"] == pytest.approx(1005.0)
    assert elo.ratings_["B"] == pytest.approx(995.0)


def test_params_object_without_overrides_is_used_as_is() -> None:
    params = EloParams(initial_rating=1200.0)
    assert EloRatings(params).params is params


def test_margin_parameters_are_used() -> None:
    elo = EloRatings(margin_two=2.0).fit(history(("2000-01-01", "A", "B", 2, 0, "Friendly", True)))
    assert elo.ratings_["A"] == pytest.approx(1500.0 + 20 * 2.0 * 0.5)


def test_unknown_override_is_an_error() -> None:
    with pytest.raises(TypeError):
        EloRatings(k_unknown=1.0)


def test_params_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        EloParams().k_friendly = 1.0  # type: ignore[misc]
