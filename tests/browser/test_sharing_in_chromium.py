"""In chromium: the side switch puts the chosen side in the address and in every share link
and the embed code, and an address with ?side= opens on that side."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

BELGIUM_JAPAN = 41696


def side_of(url: str) -> list[str]:
    return parse_qs(urlsplit(url).query).get("side", [])


def test_the_switch_updates_the_address_and_the_share_links(open_page):
    page = open_page(f"/matches/{BELGIUM_JAPAN}?side=Japan")
    assert page.locator("#story-title").inner_text().endswith("as Japan fans lived it")
    page.locator("button[data-side='Belgium']").click()
    page.wait_for_function(
        "() => document.getElementById('story-title').textContent.includes('Belgium')"
    )
    assert side_of(page.url) == ["Belgium"]
    links = page.eval_on_selector_all("a[data-share]", "els => els.map(e => e.href)")
    assert len(links) == 5 and all(side_of(link) == ["Belgium"] for link in links)
    assert page.locator("#share-url").inner_text() == links[-1]
    assert "embed?side=Belgium" in page.locator("#embed-code").input_value()
    # The address now opens the page on Belgium's side.
    again = open_page(urlsplit(page.url).path + "?" + urlsplit(page.url).query)
    assert again.locator("button[data-side='Belgium']").get_attribute("aria-pressed") == "true"


def test_the_embed_shows_the_chart(open_page):
    page = open_page(f"/matches/{BELGIUM_JAPAN}/embed?side=Japan")
    image = page.locator("img")
    image.wait_for()
    page.wait_for_function("() => document.querySelector('img').complete")
    assert page.evaluate("document.querySelector('img').naturalWidth") > 600
