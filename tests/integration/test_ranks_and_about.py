"""Drama measures mean something: each is ranked among the matches ``top`` ranks, overall and
within the competition, and the method page explains every one of them."""

from __future__ import annotations

import re

import pytest

from heartbreak.drama.metrics import RANKED_METRICS

HTML = {"accept": "text/html,application/xhtml+xml"}
BELGIUM_JAPAN = 41696
SCOTLAND_ENGLAND_1872 = 1


@pytest.mark.parametrize("metric", RANKED_METRICS)
def test_a_match_s_rank_is_its_place_in_top(session, metric):
    """The rank of the top listed World Cup matches is their place in the list."""
    ranked = session.top(metric, competition="FIFA World Cup", limit=5)
    for row in ranked.itertuples(index=False):
        rank = session.replay_id(int(row.match_id)).ranks[metric]
        assert rank["competition"] == "FIFA World Cup"
        # Ties share the best place they hold.
        assert rank["competition_rank"] <= row.rank
        assert rank["value"] == pytest.approx(row.value, abs=1e-6)
        assert (
            rank["rank"]
            <= session.top(metric, limit=10_000).query("match_id == @row.match_id")["rank"].iloc[0]
        )


def test_belgium_japan_ranks(session):
    ranks = session.replay_id(BELGIUM_JAPAN).ranks
    heartbreak = ranks["heartbreak"]
    # After three World Cup shootouts the loser led, Netherlands 2-1 Mexico, 2014 (Mexico led
    # until 88' and lost to a penalty at 90+4') and Greece 2-1 Ivory Coast, 2014 (a penalty at
    # 90+3' put Ivory Coast out of the group).
    assert heartbreak["competition_rank"] == 8
    assert heartbreak["competition_of"] == len(
        session.top("heartbreak", competition="FIFA World Cup", limit=100_000)
    )
    assert heartbreak["of"] == len(session.top("heartbreak", limit=100_000))
    assert heartbreak["percentile"] > 99.9
    assert set(ranks) == set(RANKED_METRICS)


def test_a_draw_has_no_heartbreak_rank(session):
    ranks = session.replay_id(SCOTLAND_ENGLAND_1872).ranks
    assert ranks["heartbreak"] is None and ranks["comeback"] is None
    assert ranks["suspense"]["competition"] == "Friendly"
    assert ranks["suspense"]["competition_of"] > 1000


def test_the_api_and_the_page_show_the_ranks(client):
    state = client.get(f"/api/matches/{BELGIUM_JAPAN}").json()
    of = state["ranks"]["heartbreak"]["competition_of"]
    page = client.get(f"/matches/{BELGIUM_JAPAN}", headers=HTML).text
    assert f"8th of {of:,} FIFA World Cup matches" in page
    assert 'href="/about#heartbreak"' in page


def test_the_method_page_explains_every_measure_and_feeling(client):
    page = client.get("/about", headers=HTML)
    assert page.status_code == 200
    text = page.text
    for metric in RANKED_METRICS:
        assert f'id="{metric}"' in text
    for feeling in ("content", "joy", "ecstasy", "despair", "resignation"):
        assert re.search(rf"<dt[^>]*>{feeling}</dt>", text)
    # The model card's figures, from the one model card.
    assert 'id="model-card"' in text and '<table tabindex="0">' in text
    assert "0.1595" in text  # the in-play RPS at 0' in the model card's table
    assert 'href="/about"' in client.get("/", headers=HTML).text
