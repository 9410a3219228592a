"""The live pages in Debian's chromium, with the time under the test's control: the server's
clock (the live service's ``now``) and the page's (Playwright's ``page.clock``, paused) move
together, so nothing sleeps and every minute shown is known.

- the clock runs on between messages, from the server's time of the message that set it, into
  stoppage (45+1', ...) and no further than the stoppage announced allows; it stands still at
  half-time and at the break before extra time; the fans' band of the chart ends at the clock;
- level after extra time, the page waits for the shootout before it says full time;
- the side switch tells the story as that side's fans lived it, and keeps doing so as the
  match goes on;
- a score change is read out by screen readers (an aria-live region), nothing else is;
- ``/live`` keeps itself up to date: a match created appears, its score and clock move,
  the finished one is marked, in-play matches come first; with none, it says so to fans and
  suggests the most heartbreaking matches.
"""

from __future__ import annotations

import httpx
import pytest

#: 18:00 UTC on 11 June 2026, the server's (and the pages') time when the module starts.
START = 1_781_200_800.0


class ServerClock:
    """The live service's clock (seconds since the epoch), moved only by the test."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def __call__(self) -> float:
        return self.seconds


@pytest.fixture(scope="module")
def server_clock() -> ServerClock:
    return ServerClock(START)


@pytest.fixture(scope="module")
def base_url(real_db_path, serve_app, tmp_path_factory, server_clock) -> str:
    """The app over the real store on loopback, its live service on the test's clock."""
    from heartbreak.api import create_app
    from heartbreak.services import Heartbreak

    app = create_app(
        session=Heartbreak(db=real_db_path),
        live_log=tmp_path_factory.mktemp("live") / "live.duckdb",
    )
    app.state.live.now = server_clock
    app.state.live_heartbeat = 1.0
    return serve_app(app)


@pytest.fixture
def client(base_url, live_headers):
    with httpx.Client(base_url=base_url, timeout=30, headers=live_headers) as client:
        yield client


def create(client, definition) -> str:
    created = client.post("/api/live", json=definition)
    assert created.status_code == 201, created.text
    return created.json()["live"]["id"]


def post(client, live_id: str, message) -> dict:
    response = client.post(f"/api/live/{live_id}/events", json=message)
    assert response.status_code == 200, response.text
    return response.json()


def open_paused(open_page, path: str, clock: ServerClock):
    """A page at ``path`` whose clock is installed, and paused, at the server's time before
    the page is read (a static file is opened first, to have a page to install it in)."""
    page = open_page("/static/app.css")
    page.clock.install(time=clock.seconds - 60)  # (its time flows until paused: from before)
    page.clock.pause_at(clock.seconds)
    page.goto(page.url.rsplit("/static/", 1)[0] + path)
    return page


def forward(page, clock: ServerClock, seconds: float) -> None:
    """Move the server's clock and the page's by the same time (the page's timers due fire)."""
    clock.seconds += seconds
    page.clock.fast_forward(int(seconds * 1000))


def shows(page, selector: str, text: str) -> None:
    page.wait_for_function(
        "([s, t]) => { const e = document.querySelector(s); return e && e.textContent === t; }",
        arg=[selector, text],
    )


def band_colour_at(page, elapsed: float) -> list[int]:
    """The RGBA of the fans' band of the chart (drawn just above the plot area) at a minute."""
    return page.evaluate(
        """(at) => { const c = Chart.getChart('chart'); c.draw();
             const x = Math.round(c.scales.x.getPixelForValue(at)) * devicePixelRatio;
             const y = Math.round(c.chartArea.top - 15) * devicePixelRatio;
             return Array.from(c.ctx.getImageData(x, y, 1, 1).data); }""",
        elapsed,
    )


def is_blank(rgba: list[int]) -> bool:
    return rgba[3] == 0 or min(rgba[:3]) >= 250


def test_the_clock_runs_on_between_messages_and_stands_still_at_the_breaks(
    open_page, client, live_definition, server_clock
):
    live_id = create(client, live_definition)
    post(client, live_id, {"event_id": "ko", "type": "period_start", "period": "first_half"})
    server_clock.seconds += 44 * 60  # the server's clock alone: no page yet
    state = post(client, live_id, {"event_id": "c44", "type": "clock", "minute": 44})
    assert state["live"]["clock"]["since_ms"] == round(server_clock.seconds * 1000)

    page = open_paused(open_page, f"/live/{live_id}", server_clock)
    shows(page, "#clock", "44'")
    assert page.locator("#clock").get_attribute("data-running") == "true"
    forward(page, server_clock, 30)
    shows(page, "#clock", "44'")
    forward(page, server_clock, 60)  # 1'30" after the message
    shows(page, "#clock", "45'")
    forward(page, server_clock, 60)
    shows(page, "#clock", "45+1'")  # past the period's last minute: stoppage
    forward(page, server_clock, 60)
    shows(page, "#clock", "45+2'")

    # The fans' band ends at the clock, not at the chart's right edge, and follows it.
    elapsed = 44 + 3.5  # 3'30" after the 44' message
    assert not is_blank(band_colour_at(page, elapsed - 1))
    assert is_blank(band_colour_at(page, elapsed + 3))
    forward(page, server_clock, 5 * 60)  # no news from the feed: the clock runs on
    shows(page, "#clock", "45+7'")
    assert not is_blank(band_colour_at(page, elapsed + 3))

    # Half-time: the clock stands still, however long the break.
    post(client, live_id, {"event_id": "ht", "type": "period_end", "period": "first_half"})
    shows(page, "#clock", "HT")
    assert page.locator("#clock").get_attribute("data-running") == "false"
    forward(page, server_clock, 15 * 60)
    shows(page, "#clock", "HT")

    # The second half: from its kick-off, then stoppage as announced, and no further.
    post(client, live_id, {"event_id": "2h", "type": "period_start", "period": "second_half"})
    shows(page, "#clock", "45'")
    forward(page, server_clock, 61)
    shows(page, "#clock", "46'")
    forward(page, server_clock, 30 * 60)
    shows(page, "#clock", "76'")
    added = {"event_id": "4", "type": "stoppage", "period": "second_half", "added": 4}
    post(client, live_id, [{"event_id": "c90", "type": "clock", "minute": 90}, added])
    shows(page, "#clock", "90'")
    forward(page, server_clock, 3 * 60)
    shows(page, "#clock", "90+3'")
    forward(page, server_clock, 30 * 60)  # the feed fell silent: 4 announced, 5 more at most
    shows(page, "#clock", "90+9'")

    # Level at the end of normal time in a knockout: the break before extra time.
    post(client, live_id, {"event_id": "ft", "type": "period_end", "period": "second_half"})
    shows(page, "#clock", "90' · extra time next")
    forward(page, server_clock, 5 * 60)
    shows(page, "#clock", "90' · extra time next")
    assert page.locator("#live-badge").text_content() == "Live"


def test_the_side_switch_tells_the_story_of_that_side(open_page, client, live_definition):
    live_id = create(client, live_definition)
    state = post(
        client,
        live_id,
        [
            {"event_id": "ht", "type": "period_end", "period": "first_half"},
            {"event_id": "g1", "type": "goal", "minute": 48, "team": "Japan", "player": "Genki"},
        ],
    )
    stories = state["stories"]
    assert set(stories) == {"Belgium", "Japan"} and stories["Belgium"] != stories["Japan"]
    page = open_page(f"/live/{live_id}")
    page.wait_for_function("() => Number(document.getElementById('match').dataset.updates) >= 1")
    shown = page.locator("#match").get_attribute("data-side")
    assert page.locator("#story").inner_text() == stories[shown] == state["story"]

    page.click("button[data-side='Japan']")
    shows(page, "#story", stories["Japan"])
    shows(page, "#story-title", "The story, as Japan fans lived it")
    page.click("button[data-side='Belgium']")
    shows(page, "#story", stories["Belgium"])
    shows(page, "#story-title", "The story, as Belgium fans lived it")

    # The side chosen stays chosen as the match goes on: its story is told so far.
    page.click("button[data-side='Japan']")
    goal = {"event_id": "g2", "type": "goal", "minute": 52, "team": "Japan", "player": "Inui"}
    later = post(client, live_id, goal)["stories"]
    shows(page, "#score", "0–2")
    shows(page, "#story", later["Japan"])
    assert later["Japan"] != stories["Japan"] and "52'" in later["Japan"]


def test_score_changes_are_read_out(open_page, client, live_definition):
    live_id = create(client, live_definition)
    post(client, live_id, {"event_id": "ht", "type": "period_end", "period": "first_half"})
    page = open_page(f"/live/{live_id}")
    page.wait_for_function("() => Number(document.getElementById('match').dataset.updates) >= 1")
    region = page.locator("#live-announcer")
    assert region.get_attribute("aria-live") == "polite"
    assert region.inner_text() == ""  # the state the page opened with is not news
    # what changes on every frame is not read out
    assert page.locator("#live-status").get_attribute("aria-live") is None

    post(client, live_id, {"event_id": "g1", "type": "goal", "minute": 48, "team": "Japan"})
    shows(page, "#live-announcer", "Goal: Belgium 0–1 Japan, 48'")
    post(client, live_id, {"event_id": "g2", "type": "goal", "minute": 69, "team": "Belgium"})
    shows(page, "#live-announcer", "Goal: Belgium 1–1 Japan, 69'")
    post(client, live_id, {"event_id": "c70", "type": "clock", "minute": 70})
    shows(page, "#clock", "70'")
    assert region.inner_text() == "Goal: Belgium 1–1 Japan, 69'"
    post(client, live_id, {"event_id": "g2", "type": "retraction"})  # VAR
    shows(page, "#live-announcer", "Goal ruled out: Belgium 0–1 Japan")
    post(client, live_id, {"event_id": "ft", "type": "period_end", "period": "second_half"})
    shows(page, "#live-announcer", "Full time: Belgium 0–1 Japan")
    shows(page, "#live-badge", "Full time")


def test_level_after_extra_time_the_page_waits_for_the_shootout(open_page, client, live_definition):
    live_id = create(client, live_definition)
    periods = ("first_half", "second_half", "extra_time_first_half", "extra_time_second_half")
    ends = [{"event_id": p, "type": "period_end", "period": p} for p in periods]
    post(client, live_id, ends[:3])
    page = open_page(f"/live/{live_id}")
    page.wait_for_function("() => Number(document.getElementById('match').dataset.updates) >= 1")
    shows(page, "#clock", "ET HT")

    post(client, live_id, ends[3])  # 120', level: no final whistle yet, whatever the replay says
    shows(page, "#clock", "120' · penalties next")
    assert page.locator("#live-badge").text_content() == "Live"
    assert page.locator("#result").text_content() == "Level after extra time: penalties to come."
    assert page.locator("#live-announcer").text_content() == ""

    post(client, live_id, {"event_id": "pens", "type": "shootout", "team": "Japan"})
    shows(page, "#clock", "FT")
    shows(page, "#live-badge", "Full time")
    shows(page, "#result", "Japan won on penalties.")
    shows(page, "#live-announcer", "Full time: Belgium 0–0 Japan, Japan won on penalties")


def test_the_live_matches_page_keeps_itself_up_to_date(
    open_page, client, live_definition, server_clock
):
    for match in client.get("/api/live").json():
        assert client.delete(f"/api/live/{match['id']}").status_code == 204
    page = open_paused(open_page, "/live", server_clock)

    # Nothing live: said to fans, with matches to relive; the API is a note for developers.
    empty = page.locator("#live-empty")
    assert empty.is_visible() and "No match is live right now." in empty.inner_text()
    suggestions = empty.locator("ol.ranked li a")
    assert suggestions.count() == 5
    assert suggestions.first.get_attribute("href").startswith("/matches/")
    main = page.locator("main").inner_text()
    assert "POST" not in main and "/api/live" not in main
    assert page.locator(".dev-note a").get_attribute("href").startswith("/docs")

    # A match created appears without a reload.
    page.evaluate("() => { window.stillThisPage = true; }")
    first = create(client, live_definition)
    forward(page, server_clock, 5)
    item = page.locator(f"li[data-live-id='{first}']")
    item.wait_for()
    assert not empty.is_visible()
    assert item.locator(".teams").inner_text() == "Belgium 0–0 Japan"
    assert item.locator(".badge").text_content() == "Live"
    assert item.locator("a").get_attribute("href") == f"/live/{first}"

    # Its score and clock move: on every answer, and the clock between them.
    half_time = {"event_id": "ht", "type": "period_end", "period": "first_half"}
    post(
        client,
        first,
        [half_time, {"event_id": "g1", "type": "goal", "minute": 48, "team": "Japan"}],
    )
    forward(page, server_clock, 5)
    shows(page, f"li[data-live-id='{first}'] .score", "0–1")
    shows(page, f"li[data-live-id='{first}'] .clock", "48'")
    forward(page, server_clock, 60)
    shows(page, f"li[data-live-id='{first}'] .clock", "49'")

    # Finished: marked, and listed after a match still in play.
    post(client, first, {"event_id": "ft", "type": "period_end", "period": "second_half"})
    second = create(client, {**live_definition, "home": "Croatia", "away": "Brazil"})
    forward(page, server_clock, 5)
    shows(page, f"li[data-live-id='{first}'] .clock", "FT")
    assert "finished" in item.get_attribute("class")
    assert item.locator(".badge").text_content() == "Full time"
    order = page.locator("#live-list li").evaluate_all("(l) => l.map((e) => e.dataset.liveId)")
    assert order == [second, first]

    # Deleted ones go; with none left, the page says so again.
    for live_id in (first, second):
        client.delete(f"/api/live/{live_id}")
    forward(page, server_clock, 5)
    empty.wait_for()
    assert page.locator("#live-list li").count() == 0
    assert page.evaluate("() => window.stillThisPage === true"), "the page reloaded"
