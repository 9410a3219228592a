"""Every kind of page, in Debian's chromium, passes axe-core's checks (WCAG 2 A and AA and
axe's best practices) with no violation, in the light and the dark colour scheme; the dark
scheme really is dark; the first thing a keyboard reaches is a visible "Skip to content" link;
and no page scrolls sideways at 320 px. (Fixtures: conftest.py.)"""

from __future__ import annotations

import httpx
import pytest

BELGIUM_JAPAN = 41696  # a knockout: Belgium 3-2 Japan, 2018
GERMANY_JAPAN = 45729  # a group match: Germany 1-2 Japan, 2022
SCOTLAND_ENGLAND = 1  # the first international, 1872
ARGENTINA_FRANCE = 45790  # the 2022 final, won on penalties

#: Every kind of page, by name; "record" and "live-match" are filled in by the ``pages``
#: fixture.
PAGES = {
    "home": "/",
    "search": "/?team=Japan&opponent=Belgium",
    "search-error": "/?team=Japn",
    "rankings": "/top",
    "team": "/teams/Japan",
    "knockout": f"/matches/{BELGIUM_JAPAN}",
    "group": f"/matches/{GERMANY_JAPAN}",
    "1872": f"/matches/{SCOTLAND_ENGLAND}",
    "shootout": f"/matches/{ARGENTINA_FRANCE}",
    "record": None,
    "error": "/matches/999999",
    "unknown-team": "/teams/Japn",
    "live": "/live",
    "live-match": None,
    "about": "/about",
    "embed": f"/matches/{BELGIUM_JAPAN}/embed?side=Japan",
}
PHONE_320 = {"width": 320, "height": 640}


@pytest.fixture(scope="module")
def pages(base_url, live_definition, live_headers) -> dict[str, str]:
    """The pages' paths, with a match known by its result alone (Japan 1-0 Iceland, 2026: no
    goal minutes) and a live match (a goal and a red card in)."""
    with httpx.Client(base_url=base_url, timeout=30, headers=live_headers) as client:
        day = {"date_from": "2026-05-31", "date_to": "2026-05-31"}
        found = client.get("/api/matches", params={"team": "Japan", "opponent": "Iceland", **day})
        (record,) = found.json()["matches"]
        assert not record["timeline_complete"]
        created = client.post("/api/live", json=live_definition)
        assert created.status_code == 201, created.text
        live_id = created.json()["live"]["id"]
        for message in (
            {"event_id": "g1", "type": "goal", "minute": 48, "team": "Japan"},
            {"event_id": "r1", "type": "red_card", "minute": 60, "team": "Belgium"},
        ):
            posted = client.post(f"/api/live/{live_id}/events", json=message)
            assert posted.status_code == 200, posted.text
    return {
        **PAGES,
        "record": f"/matches/{record['match_id']}",
        "live-match": f"/live/{live_id}",
    }


def open_drawn(open_page, path: str, **options):
    """A page once its scripts have drawn it: a match page's journey and chart, a team's
    rating chart, a live page's first frame."""
    page = open_page(path, **options)
    page.wait_for_load_state("load")
    if page.locator("#match").count():
        page.wait_for_function(
            """() => document.querySelector('#journey li')
                     && window.Chart && Chart.getChart(document.getElementById('chart'))"""
        )
    if page.locator("#match[data-live-id]").count():
        page.wait_for_function(
            "() => Number(document.getElementById('match').dataset.updates) >= 1"
        )
    if page.locator("#rating-chart").count():
        page.wait_for_function(
            "() => window.Chart && Chart.getChart(document.getElementById('rating-chart'))"
        )
    return page


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(PAGES))
def test_no_axe_violations(open_page, pages, axe_violations, name, scheme):
    page = open_drawn(open_page, pages[name], color_scheme=scheme)
    violations = axe_violations(page)
    assert violations == [], f"axe-core on {pages[name]} ({scheme}):\n" + axe_violations.describe(
        violations
    )


def _luminance(css_colour: str) -> float:
    """Relative luminance (WCAG) of a ``#rrggbb`` or ``rgb(...)``/``rgba(...)`` colour."""
    if css_colour.startswith("#"):
        channels = [int(css_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    else:
        parts = css_colour[css_colour.index("(") + 1 : css_colour.index(")")].split(",")
        channels = [float(p) / 255 for p in parts[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize("name", ["home", "knockout", "team"])
def test_dark_mode_follows_the_reader(open_page, pages, name):
    colours = {}
    for scheme in ("light", "dark"):
        page = open_drawn(open_page, pages[name], color_scheme=scheme)
        colours[scheme] = page.evaluate(
            """() => { const s = getComputedStyle(document.body);
                       return [s.backgroundColor, s.color]; }"""
        )
    (light_bg, light_ink), (dark_bg, dark_ink) = colours["light"], colours["dark"]
    assert _luminance(light_bg) > 0.8 and _luminance(light_ink) < 0.1
    assert _luminance(dark_bg) < 0.05, f"{name}: the dark page's background is {dark_bg}"
    assert _luminance(dark_ink) > 0.6, f"{name}: the dark page's text is {dark_ink}"


@pytest.mark.parametrize("name", ["knockout", "team"])
def test_charts_take_the_colour_scheme(open_page, pages, name):
    """The charts' text and grid follow the page's colours: light text on a dark page."""
    canvas = "chart" if name == "knockout" else "rating-chart"
    seen = {}
    for scheme in ("light", "dark"):
        page = open_drawn(open_page, pages[name], color_scheme=scheme)
        seen[scheme] = page.evaluate(
            """(id) => { const c = Chart.getChart(document.getElementById(id));
                         return [Chart.defaults.color, c.options.scales.x.grid.color]; }""",
            canvas,
        )
    (light_text, light_grid), (dark_text, dark_grid) = seen["light"], seen["dark"]
    assert _luminance(light_text) < 0.2 and _luminance(light_grid) > 0.7, seen["light"]
    assert _luminance(dark_text) > 0.35 and _luminance(dark_grid) < 0.05, seen["dark"]


@pytest.mark.parametrize("name", ["home", "knockout", "error"])
def test_skip_link_comes_first_and_shows_when_focused(open_page, pages, name):
    page = open_drawn(open_page, pages[name])
    hidden = page.locator("a.skip-link").bounding_box()
    assert hidden["y"] + hidden["height"] <= 0, "the skip link shows before it is focused"
    page.keyboard.press("Tab")
    focused = page.evaluate(
        """() => { const a = document.activeElement, r = a.getBoundingClientRect(),
                          s = getComputedStyle(a);
                   return {text: a.textContent, href: a.getAttribute('href'), width: r.width,
                           top: r.top, outline: s.outlineStyle}; }"""
    )
    assert focused["text"] == "Skip to content"
    assert focused["href"] == "#content"
    assert focused["width"] > 50 and focused["top"] >= 0, "the focused skip link is not seen"
    assert focused["outline"] != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "content"


@pytest.mark.parametrize("name", list(PAGES))
def test_no_page_scrolls_sideways_at_320_px(open_page, pages, name):
    page = open_drawn(open_page, pages[name], viewport=PHONE_320)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE_320["width"], f"{pages[name]} scrolls sideways at 320 px ({width} px)"


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_the_api_docs_link_back_to_the_pages(open_page, base_url, path):
    page = open_page(path)
    back = page.locator("nav a[href='/']", has_text="← Heartbreak")
    back.wait_for(state="visible")
    with page.expect_navigation():
        back.click()
    assert page.url.rstrip("/") == base_url
    assert page.locator("h1").first.inner_text() == "The ride a football match gave its fans"
