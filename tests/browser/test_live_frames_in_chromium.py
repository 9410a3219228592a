"""The live page on delta frames, in Debian's chromium: clock messages reach the page as
``append`` frames, and the clock label and the chart follow them, without a reload and without
fetching the state; a goal comes as a whole ``state`` and appends follow it; an append that
does not build on the state drawn makes the page fetch the state, and the appends after it
apply again. (Fixtures: conftest.py.)"""

from __future__ import annotations

import httpx

#: Runs before the page's scripts: records the type and id of every frame the page's
#: EventSource receives, and keeps the source (to hand the page a frame of the test's own).
RECORD_FRAMES = """
(() => {
  const Native = window.EventSource;
  window.frames_seen = [];
  window.sources = [];
  function Recording(url, init) {
    const source = new Native(url, init);
    window.sources.push(source);
    ["state", "append"].forEach((type) => source.addEventListener(type, (e) => {
      window.frames_seen.push({ type: type, id: e.lastEventId });
    }));
    return source;
  }
  Recording.prototype = Native.prototype;
  window.EventSource = Recording;
})();
"""


def chart_points(page) -> int:
    return page.evaluate("() => Chart.getChart('chart').data.datasets[0].data.length")


def wait_for(page, clock: str, points: int, updates: int) -> None:
    """Until the page shows the clock label and draws the points, after ``updates`` frames."""
    page.wait_for_function(
        """([clock, points, updates]) => {
             const c = window.Chart && Chart.getChart('chart');
             return document.getElementById('clock').textContent === clock
               && c && c.data.datasets[0].data.length === points
               && Number(document.getElementById('match').dataset.updates) === updates; }""",
        arg=[clock, points, updates],
    )


def frames_seen(page) -> list[tuple[str, int]]:
    return [(f["type"], int(f["id"])) for f in page.evaluate("() => window.frames_seen")]


def test_clock_ticks_move_the_clock_and_the_chart_by_appends(
    open_page, base_url, live_definition, live_headers
):
    client = httpx.Client(base_url=base_url, timeout=30, headers=live_headers)
    created = client.post("/api/live", json=live_definition)
    assert created.status_code == 201, created.text
    live_id = created.json()["live"]["id"]
    state_url = f"{base_url}/api/live/{live_id}"

    def post(message) -> dict:
        response = client.post(f"/api/live/{live_id}/events", json=message)
        assert response.status_code == 200, response.text
        return response.json()

    page = open_page(f"/live/{live_id}", init_script=RECORD_FRAMES)
    fetched = []  # the page's requests for the whole state
    page.on("request", lambda request: request.url == state_url and fetched.append(request))
    wait_for(page, "KO", 1, 1)  # the stream's first frame: the state as it stands
    page.evaluate("() => { window.stillThisPage = true; }")

    updates = 1
    for i, minute in enumerate((10, 20, 30, 31), start=1):
        state = post({"event_id": f"t{minute}", "type": "clock", "minute": minute})
        updates += 1
        assert state["live"]["events_received"] == i
        wait_for(page, f"{minute}'", len(state["timeline"]), updates)
    assert chart_points(page) == 32  # kick-off and a point a minute
    assert frames_seen(page) == [("state", 0), ("append", 1), ("append", 2), ("append", 3),
                                 ("append", 4)]  # fmt: skip
    assert page.evaluate("() => document.getElementById('match').dataset.lastEventId") == "4"
    assert page.locator("#score").inner_text() == "0–0"

    # a goal: the whole state; the clock ticks after it are appends onto it
    state = post({"event_id": "g1", "type": "goal", "minute": 33, "team": "Japan"})
    updates += 1
    wait_for(page, "33'", len(state["timeline"]), updates)
    assert page.locator("#score").inner_text() == "0–1"
    for minute in (36, 40):
        state = post({"event_id": f"t{minute}", "type": "clock", "minute": minute})
        updates += 1
        wait_for(page, f"{minute}'", len(state["timeline"]), updates)
    assert [kind for kind, _ in frames_seen(page)[-3:]] == ["state", "append", "append"]
    assert page.locator("#events li").first.inner_text().startswith("33' Goal, Japan")
    page.click("button[data-side='Japan']")  # what Japan's fans felt, appends included
    feelings = state["emotions"]["Japan"]
    steps = [
        f"{e['emotion']} {e['label']}"
        for i, e in enumerate(feelings)
        if i == 0 or feelings[i - 1]["emotion"] != e["emotion"]
    ]
    assert page.locator("#journey li").all_inner_texts() == steps
    assert page.evaluate("() => window.stillThisPage === true"), "the page reloaded"
    assert fetched == [], "the page fetched the whole state in the normal path"

    # an append onto a state the page does not hold (as if a frame had been lost): the page
    # fetches the state, draws it, and applies the appends that build on it
    page.evaluate(
        """() => window.sources[0].dispatchEvent(new MessageEvent('append', {
                 lastEventId: '1000',
                 data: JSON.stringify({base: 999, timeline: [], emotions: {},
                                       live: {clock: {label: 'wrong'}}})
               }))"""
    )
    updates += 1
    wait_for(page, "40'", len(state["timeline"]), updates)
    assert len(fetched) == 1
    state = post({"event_id": "t44", "type": "clock", "minute": 44})
    updates += 1
    wait_for(page, "44'", len(state["timeline"]), updates)
    assert frames_seen(page)[-1] == ("append", state["live"]["events_received"])
    assert len(fetched) == 1
    assert page.evaluate("() => window.stillThisPage === true"), "the page reloaded"
    client.close()
