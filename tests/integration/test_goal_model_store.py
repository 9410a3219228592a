"""The goal model in the real store: every fit sees only the matches before its day, every
match's stored rates are what a prediction gives for it, across kinds of match, and a user's
rating replaces a side's fitted strength."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from heartbreak.model.strengths import is_final_tournament


@pytest.fixture(scope="module")
def session(real_db_path):
    from heartbreak.services import Heartbreak

    return Heartbreak(db=real_db_path)


def test_every_fit_counts_only_the_matches_of_its_window(real_store, session):
    fits, strengths = real_store.goal_fits()
    matches = real_store.matches()
    real = matches[matches["source"] != "user"]
    days = pd.to_datetime(real["date"])
    years = session.params.strengths.window_years
    assert len(fits) > 300
    for row in fits.sample(25, random_state=0).itertuples():
        day = pd.Timestamp(row.as_of)
        window = (days < day) & (days >= day - pd.DateOffset(years=years))
        assert row.matches == int(window.sum())
    # Every final tournament of the majors starts with a fit of its own day.
    first_day = pd.Timestamp("2018-06-14").date()
    assert first_day in set(pd.to_datetime(fits["as_of"]).dt.date)
    assert strengths.groupby("as_of")["team"].nunique().min() > 10


def sample_of_kinds(matches: pd.DataFrame) -> pd.DataFrame:
    """A few matches of each kind: World Cup group and knockout, friendlies, qualifiers, the
    nineteenth century, continental finals, a neutral and a home match."""
    m = matches[matches["source"] != "user"]
    comp = m["competition"]
    kinds = [
        m[(comp == "FIFA World Cup") & ~m["knockout"].astype(bool)],
        m[(comp == "FIFA World Cup") & m["knockout"].astype(bool)],
        m[comp == "Friendly"],
        m[comp.str.contains("qualification")],
        m[pd.to_datetime(m["date"]) < "1900-01-01"],
        m[comp.isin(["UEFA Euro", "Copa América", "African Cup of Nations"])],
    ]
    return pd.concat([k.sample(min(len(k), 8), random_state=1) for k in kinds])


def test_stored_rates_are_the_predictions_of_every_kind_of_match(real_store, session):
    sample = sample_of_kinds(real_store.matches())
    assert sample[["xg_home", "xg_away"]].notna().all().all()
    frame = sample[
        ["home", "away", "date", "neutral", "knockout", "competition", "elo_home", "elo_away"]
    ].copy()
    frame["date"] = pd.to_datetime(frame["date"]).dt.date
    predictions = session.predict_many(frame)
    got = np.array([[p.expected_goals_home, p.expected_goals_away] for p in predictions])
    assert np.allclose(got, sample[["xg_home", "xg_away"]].to_numpy(), rtol=1e-12)
    # The record of a stored match carries the same rates.
    match_id = int(sample["match_id"].iloc[0])
    record = session.record(match_id)
    assert record.prematch.expected_goals_home == pytest.approx(sample["xg_home"].iloc[0])


def test_a_host_plays_with_its_host_edge_and_a_friendly_without(session):
    fit = session.prematch_model.history.fits.iloc[-1]
    day = pd.Timestamp(fit["as_of"]).date()
    base = {"home": "Mexico", "away": "Canada", "date": day, "neutral": False, "knockout": False}
    rows = pd.DataFrame([{**base, "competition": "FIFA World Cup"}, {**base}])
    rows["competition"] = rows["competition"].fillna("Friendly")
    tournament, friendly = session.predict_many(rows)
    ratio_h = tournament.expected_goals_home / friendly.expected_goals_home
    assert ratio_h == pytest.approx(np.exp(fit["host_attack"] + fit["final_tournament"]))
    assert is_final_tournament(["FIFA World Cup"])[0]


def test_a_given_rating_is_the_sides_whole_strength(session):
    fitted = session.predict("Brazil", "Bolivia", "2022-06-01")
    rating = fitted.elo_home
    given = session.predict("Brazil", "Bolivia", "2022-06-01", elo_home=rating)
    assert given.elo_home == rating
    # Brazil's fitted strengths are not its Elo-based rates; the given rating uses only those.
    assert given.expected_goals_home != pytest.approx(fitted.expected_goals_home, rel=1e-6)
    stronger = session.predict("Brazil", "Bolivia", "2022-06-01", elo_home=rating + 200)
    assert stronger.expected_goals_home > given.expected_goals_home
    assert stronger.expected_goals_away < given.expected_goals_away


def test_predict_takes_the_competition_as_fans_type_it(session):
    from heartbreak.errors import InvalidInput

    at_home = dict(date="2026-06-20", neutral=False)
    friendly = session.predict("Mexico", "Canada", **at_home)
    world_cup = session.predict("Mexico", "Canada", competition="world cup", **at_home)
    assert world_cup.expected_goals_home != pytest.approx(friendly.expected_goals_home)
    assert session.predict("Mexico", "Canada", competition="Friendly", **at_home) == friendly
    with pytest.raises(InvalidInput, match="competition: 'qualification': it could be") as info:
        session.predict("Mexico", "Canada", competition="qualification", **at_home)
    assert info.value.field == "competition"
    with pytest.raises(InvalidInput, match="no stored competition"):
        session.predict("Mexico", "Canada", competition="Moon Cup", **at_home)
