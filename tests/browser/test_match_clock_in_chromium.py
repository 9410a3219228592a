"""The match page's chart reads on the match clock, in Debian's chromium: its ticks (0' to 90',
the stoppage stretches labelled at their end over HT and FT, extra time, the shootout's
column), the same axis as the PNG chart's (heartbreak.story.clock), tooltips on the clock,
event labels that never overlap nor have a line drawn through them, the chart as a table, and
the chart from the keyboard. (Fixtures: conftest.py.)"""

from __future__ import annotations

from itertools import pairwise

import httpx
import pytest

from heartbreak.story.clock import clock_axis

BELGIUM_JAPAN = 41696  # knockout, Chadli's winner at 90+4'
GERMANY_JAPAN = 45729  # group stage, both sides playing for the round of 16
ARGENTINA_FRANCE = 45790  # the 2022 final: extra time, then penalties
CZECHOSLOVAKIA_GERMANY = 10587  # the 1976 Euro final: penalties, no kick-by-kick record
PHONE = {"width": 390, "height": 844}

CHART = "Chart.getChart(document.getElementById('chart'))"


@pytest.fixture(scope="module")
def replays(base_url) -> dict[int, dict]:
    with httpx.Client(base_url=base_url, timeout=60) as client:
        return {
            match_id: client.get(f"/api/matches/{match_id}").json()
            for match_id in (BELGIUM_JAPAN, GERMANY_JAPAN, ARGENTINA_FRANCE, CZECHOSLOVAKIA_GERMANY)
        }


def open_chart(open_page, match_id: int, replays, viewport=None):
    page = open_page(f"/matches/{match_id}", viewport=viewport)
    page.wait_for_function(
        f"""n => {{ const c = window.Chart && {CHART};
                  return c && c.$heartbreak && c.data.datasets[0].data.length === n; }}""",
        arg=len(replays[match_id]["timeline"]),
    )
    return page


def ticks(page) -> list:
    return page.evaluate(f"() => {CHART}.scales.x.ticks.map(t => t.label)")


def drawn(page) -> dict:
    return page.evaluate(f"() => {CHART}.$heartbreak")


def overlap(a: dict, b: dict) -> bool:
    return (
        a["left"] < b["left"] + b["width"]
        and b["left"] < a["left"] + a["width"]
        and a["top"] < b["top"] + b["height"]
        and b["top"] < a["top"] + a["height"]
    )


def tooltip(page) -> dict:
    return page.evaluate(
        f"""() => {{ const t = {CHART}.tooltip;
                   return {{opacity: t.opacity, title: t.title,
                           body: t.body.map(b => b.lines).flat(), after: t.afterBody}}; }}"""
    )


def tick_boxes(page) -> list[dict]:
    """Where each tick label is drawn: its centre and its widest line, in pixels."""
    return page.evaluate(
        f"""() => {{ const c = {CHART}, s = c.scales.x, ctx = c.ctx;
                   ctx.save(); ctx.font = "11px system-ui, sans-serif";
                   const out = s.ticks.map(t => {{
                     const lines = [].concat(t.label);
                     const w = Math.max(...lines.map(l => ctx.measureText(l).width));
                     return {{x: s.getPixelForValue(t.value), width: w, label: t.label}}; }});
                   ctx.restore(); return out; }}"""
    )


def test_knockout_axis_reads_on_the_match_clock(open_page, replays):
    page = open_chart(open_page, BELGIUM_JAPAN, replays)
    assert ticks(page) == [
        "0'",
        "15'",
        "30'",
        ["45+3'", "HT"],
        "60'",
        "75'",
        "90'",
        ["90+5'", "FT"],
    ]
    art = drawn(page)
    # Stoppage time is a stretch of its own after 45' and after 90', ending at its label.
    assert [s["label"] for s in art["stretches"]] == ["45+3'", "90+5'"]
    assert [d["label"] for d in art["dividers"]] == ["HT", "FT"]
    assert art["shootout"] is None
    # Values still plotted against minutes played: the 90+4' goal sits at 96.5.
    xs = page.evaluate(f"() => {CHART}.data.datasets[0].data.map(d => d.x)")
    assert xs == [p["elapsed"] for p in replays[BELGIUM_JAPAN]["timeline"]]


def test_the_same_axis_as_the_png_chart(open_page, replays):
    """clock.js and heartbreak.story.clock give the same axis for the same timeline."""
    for match_id in (BELGIUM_JAPAN, ARGENTINA_FRANCE):
        page = open_chart(open_page, match_id, replays)
        timeline = replays[match_id]["timeline"]
        js = page.evaluate(
            """() => { const s = JSON.parse(document.getElementById('state').textContent);
                       return HeartbreakClock.axis(s.timeline, s.match.extra_time); }"""
        )
        py = clock_axis(
            *[[p[k] for p in timeline] for k in ("minute", "stoppage", "period", "kind", "elapsed")]
        )
        assert js["x"] == pytest.approx(list(py.x))
        assert [(t["value"], t["label"], t["sub"], t["priority"]) for t in js["ticks"]] == [
            (pytest.approx(t.x), t.label, t.sub, t.priority) for t in py.ticks
        ]
        assert [(d["value"], d["label"]) for d in js["dividers"]] == [
            (d.x, d.label) for d in py.dividers
        ]
        assert [(s["start"], s["end"], s["label"]) for s in js["stoppage"]] == [
            (s.start, s.end, s.label) for s in py.stoppage
        ]
        assert js["end"] == pytest.approx(py.end)


def test_tooltip_minute_is_the_clock(open_page, replays):
    page = open_chart(open_page, BELGIUM_JAPAN, replays)
    timeline = replays[BELGIUM_JAPAN]["timeline"]
    winner = next(
        i for i, p in enumerate(timeline) if p["kind"] == "after_event" and p["label"] == "90+4'"
    )
    x, y = page.evaluate(
        f"""i => {{ const c = {CHART}, r = c.canvas.getBoundingClientRect();
                   const el = c.getDatasetMeta(0).data[i];
                   return [r.left + el.x + 2, r.top + c.scales.y.getPixelForValue(50)]; }}""",
        winner,
    )
    page.mouse.move(x, y)
    page.wait_for_function(f"() => {CHART}.tooltip.opacity > 0")
    tip = tooltip(page)
    assert tip["title"][0].split("  ")[0] == "90+4'"
    # The same point from the keyboard: the goal itself.
    page.focus("#chart")
    page.keyboard.press("End")
    for _ in range(len(timeline) - 1 - winner):
        page.keyboard.press("ArrowLeft")
    tip = tooltip(page)
    assert tip["title"] == ["90+4'  3–2"]
    assert "Goal, Belgium: Nacer Chadli" in tip["after"]
    # The end of a period reads as the axis does, with its stoppage.
    ends = [i for i, p in enumerate(timeline) if p["kind"] == "period_end"]
    titles = page.evaluate(
        f"""ends => ends.map(i => {CHART}.options.plugins.tooltip.callbacks.title(
                   [{{dataIndex: i}}]))""",
        ends,
    )
    assert titles == ["45+3' HT  0–0", "90+5' FT  3–2"]


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("match_id", [BELGIUM_JAPAN, GERMANY_JAPAN, ARGENTINA_FRANCE])
def test_event_labels_never_overlap(open_page, replays, match_id, viewport):
    page = open_chart(open_page, match_id, replays, viewport=viewport)
    art = drawn(page)
    labels = art["labels"]
    events = [
        p
        for p in replays[match_id]["timeline"]
        if p["kind"] == "after_event" and p["event"]["type"] in ("goal", "red_card")
    ]
    assert len(labels) == len(events)
    width = page.evaluate("() => document.getElementById('chart').clientWidth")
    for i, a in enumerate(labels):
        assert a["text"].startswith(replays[match_id]["timeline"][a["index"]]["label"])
        assert a["left"] >= 0 and a["left"] + a["width"] <= width
        for b in labels[i + 1 :]:
            assert not overlap(a, b), (a, b)
    # No event line (nor divider) is drawn through a label.
    for line in art["lines"] + art["dividers"]:
        for top, bottom in line["spans"]:
            for label in labels:
                crosses = label["left"] - 1 <= line["x"] <= label["left"] + label["width"] + 1
                inside = top < label["top"] + label["height"] and label["top"] < bottom
                assert not (crosses and inside), (line, label)
    # Tick labels do not collide either.
    boxes = tick_boxes(page)
    for a, b in pairwise(boxes):
        assert b["x"] - a["x"] >= (a["width"] + b["width"]) / 2, (a, b)


def test_group_match_axis_and_table(open_page, replays):
    page = open_chart(open_page, GERMANY_JAPAN, replays)
    assert ticks(page)[-1] == ["90+5'", "FT"]
    assert ["45+3'", "HT"] in ticks(page)
    page.click("#chart-table-box summary")
    head = page.locator("#chart-table thead th").all_inner_texts()
    assert head == [
        "Minute",
        "Score",
        "What happened",
        "Germany to reach the round of 16",
        "Japan to reach the round of 16",
        "Draw",
        "Germany fans",
    ]
    rows = page.locator("#chart-table tbody tr").all()
    cells = [r.locator("th, td").all_inner_texts() for r in rows]
    asano = next(c for c in cells if c[0] == "83'")
    point = next(
        p
        for p in replays[GERMANY_JAPAN]["timeline"]
        if p["kind"] == "after_event" and p["label"] == "83'"
    )
    assert asano[1] == "1–2" and asano[2] == "Goal, Japan: Takuma Asano"
    assert asano[3] == f"{round(100 * point['p_home_qualify'])}%"
    assert asano[4] == f"{round(100 * point['p_away_qualify'])}%"
    assert asano[5] == f"{round(100 * point['p_draw'])}%"
    assert cells[0][0] == "KO" and cells[-1][0] == "90+5' FT"


def test_the_chart_as_a_table(open_page, replays):
    page = open_chart(open_page, BELGIUM_JAPAN, replays)
    box = page.locator("#chart-table-box")
    assert box.evaluate("el => el.tagName") == "DETAILS" and not box.evaluate("el => el.open")
    page.click("#chart-table-box summary")
    assert box.evaluate("el => el.open")
    assert page.locator("#chart-table caption").inner_text() == (
        "Each side's chance to go through, and what Japan fans felt"
    )
    head = page.locator("#chart-table thead th").all_inner_texts()
    assert head == [
        "Minute",
        "Score",
        "What happened",
        "Belgium to go through",
        "Japan to go through",
        "Japan fans",
    ]
    cells = [
        r.locator("th, td").all_inner_texts() for r in page.locator("#chart-table tbody tr").all()
    ]
    minutes = [c[0] for c in cells]
    assert minutes == [
        "KO",
        "15'",
        "30'",
        "45'",
        "45+3' HT",
        "48'",
        "52'",
        "60'",
        "69'",
        "74'",
        "75'",
        "90'",
        "90+4'",
        "90+5' FT",
    ]
    chadli = cells[minutes.index("90+4'")]
    point = next(
        p
        for p in replays[BELGIUM_JAPAN]["timeline"]
        if p["kind"] == "after_event" and p["label"] == "90+4'"
    )
    assert chadli[1:3] == ["3–2", "Goal, Belgium: Nacer Chadli"]
    assert chadli[3] == f"{round(100 * point['p_home_advance'])}%"
    assert chadli[5] == "despair"
    # Switching side re-tells the feelings.
    page.click("button[data-side='Belgium']")
    page.wait_for_function(
        "() => document.querySelector('#chart-table thead tr').lastChild.textContent"
        " === 'Belgium fans'"
    )
    last = page.locator("#chart-table tbody tr").last.locator("td").last.inner_text()
    assert last == "ecstasy"


def test_the_chart_from_the_keyboard(open_page, replays):
    page = open_chart(open_page, BELGIUM_JAPAN, replays)
    timeline = replays[BELGIUM_JAPAN]["timeline"]
    canvas = page.locator("#chart")
    assert canvas.get_attribute("tabindex") == "0"
    assert page.locator("#chart-readout").get_attribute("aria-live") == "polite"
    # Tab reaches the chart after the side switch.
    page.focus("button[data-side='Japan']")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "chart"

    def active() -> list[int]:
        return page.evaluate(f"() => {CHART}.getActiveElements().map(e => e.index)")

    page.keyboard.press("ArrowRight")
    assert active() == [0, 0]
    assert tooltip(page)["opacity"] > 0 and tooltip(page)["title"] == ["KO  0–0"]
    readout = page.locator("#chart-readout").inner_text()
    assert readout.startswith("KO: Belgium 0, Japan 0.") and "Japan fans: content" in readout
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    assert active() == [3, 3]
    page.keyboard.press("ArrowLeft")
    assert active() == [2, 2]
    page.keyboard.press("Home")
    page.keyboard.press("ArrowLeft")  # stays on the first point
    assert active() == [0, 0]
    page.keyboard.press("End")
    assert active() == [len(timeline) - 1] * 2
    assert tooltip(page)["title"] == ["90+5' FT  3–2"]
    assert page.locator("#chart-readout").inner_text().startswith("90+5' FT: Belgium 3, Japan 2.")
    page.keyboard.press("Escape")
    assert active() == []


def test_shootout_after_extra_time(open_page, replays):
    page = open_chart(open_page, ARGENTINA_FRANCE, replays)
    labels = ticks(page)
    assert labels[0] == "0'" and labels[-1] == "pens"
    for tick in (["45+3'", "HT"], ["90+5'", "ET"], ["105'", "ET HT"], ["120+1'", "AET"]):
        assert tick in labels
    assert "FT" not in [t[1] for t in labels if isinstance(t, list)]
    art = drawn(page)
    column = art["shootout"]
    assert column is not None and column["right"] - column["left"] > 40
    # The shootout's points are spread across its column: France's fall to 0 has width, and so
    # has the feeling it brought.
    timeline = replays[ARGENTINA_FRANCE]["timeline"]
    shoot = [i for i, p in enumerate(timeline) if p["period"] == "shootout"]
    pixels = page.evaluate(f"idx => idx.map(i => {CHART}.getDatasetMeta(0).data[i].x)", shoot)
    assert all(b - a > 10 for a, b in pairwise(pixels))
    assert all(column["left"] < px < column["right"] for px in pixels)
    france = page.evaluate(f"idx => idx.map(i => {CHART}.data.datasets[0].data[i].y)", shoot)
    assert france[0] == pytest.approx(50, abs=5) and france[-1] == 0
    assert page.evaluate(f"() => {CHART}.data.datasets[0].label") == "France to go through"
    # The feeling after the shootout is drawn over a width, in its colour.
    colour = page.evaluate(
        f"""i => {{ const c = {CHART}, el = c.getDatasetMeta(0).data[i];
                   const band = c.$heartbreak.band;
                   const d = c.ctx.getImageData(Math.round(el.x + 4) * devicePixelRatio,
                       Math.round(band.top + band.height / 2) * devicePixelRatio, 1, 1).data;
                   return [d[0], d[1], d[2]]; }}""",
        shoot[-2],
    )
    assert colour == [0x7F, 0x27, 0x04]  # despair, from the kick that decided it
    # Its tooltip is the shootout, not a minute.
    title = page.evaluate(
        f"i => {CHART}.options.plugins.tooltip.callbacks.title([{{dataIndex: i}}])", shoot[0]
    )
    assert title == "pens  3–3"


def test_shootout_kick_by_kick(open_page, replays):
    """The 2022 final's eight kicks: one point each across the shootout's column, a dot or a
    cross on the line and a ✓ or ✗ in the kicking side's row, the kicker and the running score
    in the tooltip, every kick in the table and the shootout in one line of the events."""
    page = open_chart(open_page, ARGENTINA_FRANCE, replays)
    timeline = replays[ARGENTINA_FRANCE]["timeline"]
    kicks = [i for i, p in enumerate(timeline) if p["kind"] == "shootout_kick"]
    assert len(kicks) == 8
    art = drawn(page)
    column = art["shootout"]
    drawn_kicks = art["kicks"]
    assert [k["index"] for k in drawn_kicks] == kicks
    pixels = [k["x"] for k in drawn_kicks]
    assert all(b - a > 10 for a, b in pairwise(pixels))
    assert all(column["left"] < px < column["right"] for px in pixels)
    # France's fans (the side shown) in the upper row: Mbappé ✓, Coman ✗, Tchouaméni ✗,
    # Kolo Muani ✓; Argentina's four ✓ below.
    france = [k["glyph"] for k in drawn_kicks if k["team"] == "France"]
    argentina = [k["glyph"] for k in drawn_kicks if k["team"] == "Argentina"]
    assert france == ["✓", "✗", "✗", "✓"] and argentina == ["✓"] * 4
    assert {k["row"] for k in drawn_kicks if k["team"] == "France"} == {0}
    # Each dot sits on the line, at that kick's chance.
    line = page.evaluate(f"idx => idx.map(i => {CHART}.getDatasetMeta(0).data[i].y)", kicks)
    assert [k["y"] for k in drawn_kicks] == pytest.approx(line, abs=0.5)
    # The tooltip names the kicker and the shootout's score.
    coman = kicks[2]
    title = page.evaluate(
        f"i => {CHART}.options.plugins.tooltip.callbacks.title([{{dataIndex: i}}])", coman
    )
    assert title == "Shootout kick 3: Argentina 1–1 France"
    after = page.evaluate(
        f"i => {CHART}.options.plugins.tooltip.callbacks.afterBody([{{dataIndex: i}}])", coman
    )
    assert after[0] == "Kick missed, France: Kingsley Coman"
    montiel = page.evaluate(
        f"i => {CHART}.options.plugins.tooltip.callbacks.title([{{dataIndex: i}}])", kicks[-1]
    )
    assert montiel == "Shootout kick 8: Argentina 4–2 France"
    # The table has a row per kick, and the events list the shootout in one line.
    page.click("#chart-table-box summary")
    rows = [
        r.locator("th, td").all_inner_texts() for r in page.locator("#chart-table tbody tr").all()
    ]
    in_shootout = [r for r in rows if r[0].startswith("pens ")]
    assert [r[0] for r in in_shootout][:3] == ["pens 0–1", "pens 1–1", "pens 1–1"]
    assert len(in_shootout) == 8 and in_shootout[-1][2] == "Kick scored, Argentina: Gonzalo Montiel"
    assert page.locator("#events li.shootout").inner_text() == (
        "pens Shootout: France ✓ ✗ ✗ ✓, Argentina ✓ ✓ ✓ ✓ (Argentina won 4–2)"
    )
    # On a phone the kicks are still on the line, and the page does not scroll sideways.
    phone = open_chart(open_page, ARGENTINA_FRANCE, replays, viewport=PHONE)
    assert len(drawn(phone)["kicks"]) == 8
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]


def test_shootout_without_kicks_on_record(open_page, replays):
    page = open_chart(open_page, CZECHOSLOVAKIA_GERMANY, replays, viewport=PHONE)
    labels = ticks(page)
    assert labels[-1] == "pens"
    art = drawn(page)
    assert art["shootout"]["right"] - art["shootout"]["left"] > 20
    assert art["kicks"] == []
    assert art["dividers"][-1]["label"] == "AET"
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"]


def test_live_chart_shows_the_minutes_to_come(open_page, base_url, live_definition, live_headers):
    created = httpx.post(
        f"{base_url}/api/live", json=live_definition, headers=live_headers, timeout=30
    )
    assert created.status_code == 201, created.text
    live_id = created.json()["live"]["id"]
    goal = {"event_id": "g1", "type": "goal", "minute": 20, "team": "Japan"}
    url = f"{base_url}/api/live/{live_id}/events"
    assert httpx.post(url, json=goal, headers=live_headers, timeout=30).is_success
    page = open_page(f"/live/{live_id}")
    page.wait_for_function(f"() => window.Chart && {CHART} && {CHART}.$heartbreak")
    labels = ticks(page)
    assert labels[0] == "0'" and "75'" in labels and "90'" in labels
    assert page.evaluate(f"() => {CHART}.scales.x.max") >= 90
