"""The pages in a real browser: Playwright drives Debian's ``chromium`` against a real server on
loopback over the real store. The Belgium–Japan page draws its chart, tells its story and
switches side; the live page redraws when an event is posted, without a reload; pages fit a
phone; nothing is fetched from another host; no script error."""

from __future__ import annotations

import httpx
import pytest

BELGIUM_JAPAN = 41696
PHONE = {"width": 390, "height": 844}

# The fixtures (base_url, browser, open_page) are in conftest.py.


def journey(page) -> list[str]:
    return page.locator("#journey li").all_inner_texts()


def wait_for_chart(page, points: int) -> None:
    """Until Chart.js has drawn the chart with one value per timeline point."""
    page.wait_for_function(
        """n => { const c = window.Chart && Chart.getChart(document.getElementById('chart'));
                 return c && c.data.datasets.length >= 2
                          && c.data.datasets[0].data.length === n; }""",
        arg=points,
    )


def test_match_page_draws_the_chart_and_tells_the_story(open_page, base_url):
    replay = httpx.get(f"{base_url}/api/matches/{BELGIUM_JAPAN}", timeout=30).json()
    page = open_page(f"/matches/{BELGIUM_JAPAN}")
    wait_for_chart(page, len(replay["timeline"]))
    assert page.locator("h1").inner_text().split() == ["Belgium", "3–2", "Japan"]
    assert page.locator("#story").inner_text() == replay["story"]
    # The canvas really holds a drawing: many distinct colours (lines, band, markers).
    colours = page.evaluate(
        """() => { const c = document.getElementById('chart');
                   const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                   const seen = new Set();
                   for (let i = 0; i < d.length; i += 4 * 7)
                     if (d[i + 3]) seen.add(d[i] + ',' + d[i + 1] + ',' + d[i + 2]);
                   return seen.size; }"""
    )
    assert colours > 20
    # Told from Japan's side: the arc of the night, from the data alone.
    assert page.locator("button[data-side='Japan']").get_attribute("aria-pressed") == "true"
    steps = journey(page)
    assert steps[0] == "content KO"
    assert "joy 48'" in steps and "ecstasy 52'" in steps
    assert steps[-1] == "despair 90+4'"
    assert page.locator("#events li").count() == 5
    assert page.locator("[data-metric='heartbreak']").inner_text() == "0.767"


def test_the_chart_answers_the_pointer(open_page, base_url):
    page = open_page(f"/matches/{BELGIUM_JAPAN}")
    replay = httpx.get(f"{base_url}/api/matches/{BELGIUM_JAPAN}", timeout=30).json()
    wait_for_chart(page, len(replay["timeline"]))
    # Hover 1 minute after Inui's goal (52', 54.5 minutes played): the tooltip names the minute.
    x, y = page.evaluate(
        """() => { const c = Chart.getChart(document.getElementById('chart'));
                   const r = c.canvas.getBoundingClientRect();
                   return [r.left + c.scales.x.getPixelForValue(55.5),
                           r.top + c.scales.y.getPixelForValue(50)]; }"""
    )
    page.mouse.move(x, y)
    page.wait_for_function(
        "() => Chart.getChart(document.getElementById('chart')).tooltip.opacity > 0"
    )
    tooltip = page.evaluate(
        """() => { const t = Chart.getChart(document.getElementById('chart')).tooltip;
                   return {title: t.title, body: t.body.map(b => b.lines).flat(),
                           after: t.afterBody}; }"""
    )
    assert tooltip["title"] == ["53'  0–2"]
    assert tooltip["body"][0].startswith("Japan to go through: ")
    assert "Japan fans: ecstasy" in tooltip["after"]


def test_switching_side_retells_the_match(open_page, base_url):
    page = open_page(f"/matches/{BELGIUM_JAPAN}")
    belgium = httpx.get(
        f"{base_url}/api/matches/{BELGIUM_JAPAN}", params={"side": "Belgium"}, timeout=30
    ).json()
    page.click("button[data-side='Belgium']")
    page.wait_for_function("() => document.getElementById('match').dataset.side === 'Belgium'")
    assert page.locator("button[data-side='Belgium']").get_attribute("aria-pressed") == "true"
    assert page.locator("button[data-side='Japan']").get_attribute("aria-pressed") == "false"
    assert page.locator("#journey-title").inner_text() == "What Belgium fans felt"
    page.wait_for_function(
        "text => document.getElementById('story').textContent === text", arg=belgium["story"]
    )
    assert journey(page)[-1].startswith("ecstasy")
    label = page.evaluate(
        "() => Chart.getChart(document.getElementById('chart')).data.datasets[0].label"
    )
    assert label == "Belgium to go through"
    page.click("button[data-side='Japan']")
    page.wait_for_function("() => document.getElementById('match').dataset.side === 'Japan'")
    assert journey(page)[-1] == "despair 90+4'"


def test_live_page_redraws_when_an_event_is_posted(
    open_page, base_url, live_definition, live_headers
):
    auth = {"headers": live_headers, "timeout": 30}
    created = httpx.post(f"{base_url}/api/live", json=live_definition, **auth)
    assert created.status_code == 201, created.text
    live_id = created.json()["live"]["id"]
    page = open_page(f"/live/{live_id}")
    # The stream's first frame is the state as it stands.
    page.wait_for_function("() => Number(document.getElementById('match').dataset.updates) >= 1")
    assert page.locator("#score").inner_text() == "0–0"
    page.evaluate("() => { window.stillThisPage = true; }")

    goal = {"event_id": "g1", "type": "goal", "minute": 48, "team": "Japan"}
    posted = httpx.post(f"{base_url}/api/live/{live_id}/events", json=goal, **auth)
    assert posted.status_code == 200, posted.text
    page.wait_for_function("() => document.getElementById('score').textContent === '0–1'")
    assert page.evaluate("() => window.stillThisPage === true"), "the page reloaded"
    assert page.locator("#clock").inner_text() == "48'"
    assert page.locator("#events li").first.inner_text().startswith("48' Goal, Japan")
    page.click("button[data-side='Japan']")
    assert journey(page)[-1] == "joy 48'"
    page.click("button[data-side='Belgium']")
    assert journey(page)[-1] == "dismay 48'"

    # A VAR review takes the goal back: the page follows.
    retraction = {"event_id": "g1", "type": "retraction"}
    httpx.post(f"{base_url}/api/live/{live_id}/events", json=retraction, **auth)
    page.wait_for_function("() => document.getElementById('score').textContent === '0–0'")
    assert page.evaluate("() => window.stillThisPage === true")


@pytest.mark.parametrize(
    "path", ["/", "/?team=Japan", f"/matches/{BELGIUM_JAPAN}", "/top", "/teams/Japan", "/live"]
)
def test_pages_fit_a_phone(open_page, path):
    page = open_page(path, viewport=PHONE)
    page.wait_for_load_state("load")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{path} scrolls sideways on a phone ({width} px)"


def test_search_leads_to_the_match(open_page, base_url):
    page = open_page("/")
    assert page.locator("#list-heartbreak li").count() == 10
    page.fill("input[name=team]", "Japan")
    page.fill("input[name=opponent]", "Belgium")
    page.fill("input[name=date_from]", "2018")
    page.click("form.search button[type=submit]")
    page.wait_for_url("**/?*team=Japan*")
    page.click("text=Belgium 3–2 Japan")
    page.wait_for_url(f"**/matches/{BELGIUM_JAPAN}")
    assert "Nacer Chadli" in page.locator("#story").inner_text()


def test_team_page_draws_the_rating(open_page):
    page = open_page("/teams/Japan")
    page.wait_for_function(
        """() => { const canvas = document.getElementById('rating-chart');
                   const c = window.Chart && Chart.getChart(canvas);
                   return c && c.data.datasets[0].data.length > 700; }"""
    )
    marked = page.evaluate(
        "() => Chart.getChart(document.getElementById('rating-chart')).data.datasets[1].data.length"
    )
    assert marked >= 1


def test_the_story_says_whose_ride_it_tells(open_page):
    page = open_page(f"/matches/{BELGIUM_JAPAN}")
    assert page.locator("#story-title").inner_text() == "The story, as Japan fans lived it"
    page.click("button[data-side='Belgium']")
    page.wait_for_function(
        "() => document.getElementById('story-title').textContent.includes('Belgium')"
    )
