"""In chromium: a match page says where each drama measure ranks, and its links lead to the
method page's explanation of that measure."""

from __future__ import annotations

from heartbreak.drama.emotions import Emotion

BELGIUM_JAPAN = 41696


def test_ranks_read_as_places_and_lead_to_their_explanation(open_page):
    page = open_page(f"/matches/{BELGIUM_JAPAN}?side=Japan")
    heartbreak = page.locator("[data-rank='heartbreak']")
    assert heartbreak.inner_text().startswith("8th of ")
    assert heartbreak.inner_text().endswith("FIFA World Cup matches")
    page.locator("a[href='/about#heartbreak']").click()
    page.wait_for_url("**/about#heartbreak")
    explained = page.locator("#heartbreak")
    assert "losing side's best chance" in explained.inner_text()
    # The anchor is scrolled into view.
    top = page.evaluate("document.getElementById('heartbreak').getBoundingClientRect().top")
    assert -1 <= top < page.viewport_size["height"]  # (sub-pixel layout)


def test_the_method_page_shows_the_model_card_tables(open_page):
    page = open_page("/about#model-card")
    assert page.locator("#model-card table").count() >= 2
    assert page.locator("#feelings dt").count() == len(Emotion)  # every feeling, defined
