"""The team page in a real browser: the rating chart's year axis spans the team's first to last
match, its most heartbreaking and most joyful markers never overlap (those close together are
moved apart, each joined to its point), each answers the pointer with its match and opens it,
and the page works for a team of one match as well as for Germany, on a desktop and a phone."""

from __future__ import annotations

import math

import httpx
import pytest

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# The fixtures (base_url, browser, open_page) are in conftest.py.

CHART = "Chart.getChart(document.getElementById('rating-chart'))"


def wait_for_chart(page, points: int) -> None:
    page.wait_for_function(
        f"n => {{ const c = window.Chart && {CHART};"
        " return c && c.data.datasets[0].data.length === n; }",
        arg=points,
    )


def chart_facts(page) -> dict:
    return page.evaluate(
        f"""() => {{ const c = {CHART};
            const marks = [1, 2].flatMap(i => c.getDatasetMeta(i).data.map((e, j) => ({{
                x: e.x, y: e.y, anchorY: e.anchorY, dataset: i, index: j,
                radius: e.options.radius, id: c.data.datasets[i].data[j].match_id }})));
            return {{ min: c.scales.x.min, max: c.scales.x.max,
                      ticks: c.scales.x.ticks.map(t => t.value),
                      labels: c.scales.x.ticks.map(t => t.label),
                      area: c.chartArea, marks }}; }}"""
    )


def profile(base_url, team):
    return httpx.get(f"{base_url}/api/teams/{team}", timeout=60).json()


def assert_apart(marks):
    for a, b in [(a, b) for i, a in enumerate(marks) for b in marks[i + 1 :]]:
        gap = math.hypot(a["x"] - b["x"], a["y"] - b["y"])
        assert gap >= a["radius"] + b["radius"], (a, b, gap)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_axis_spans_the_teams_years_and_the_markers_do_not_overlap(
    open_page, base_url, viewport
):
    japan = profile(base_url, "Japan")
    page = open_page("/teams/Japan", viewport=viewport)
    wait_for_chart(page, len(japan["rating_history"]))
    facts = chart_facts(page)
    assert math.floor(facts["min"]) == int(japan["first_match"][:4]) == 1917
    assert math.floor(facts["max"]) == int(japan["last_match"][:4])
    # Whole years only, inside the span, not crowded on a phone.
    assert all(float(t).is_integer() and facts["min"] <= t <= facts["max"] for t in facts["ticks"])
    assert 3 <= len(facts["ticks"]) <= (6 if viewport is PHONE else 12)
    marks = facts["marks"]
    expected = len(japan["most_heartbreaking"]) + len(japan["most_joyful"])
    assert len(marks) == expected == 10
    assert_apart(marks)
    # The three 2022 World Cup matches, eleven days apart, were moved apart: each moved marker
    # stays in the chart, on its match's date.
    moved = [m for m in marks if abs(m["y"] - m["anchorY"]) >= 1]
    assert moved
    area = facts["area"]
    assert all(area["top"] <= m["y"] <= area["bottom"] for m in marks)
    # Nothing scrolls sideways.
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_a_crowded_history_keeps_its_markers_apart(open_page, base_url):
    germany = profile(base_url, "Germany")
    page = open_page("/teams/Germany", viewport=PHONE)
    wait_for_chart(page, len(germany["rating_history"]))
    facts = chart_facts(page)
    assert math.floor(facts["min"]) == 1908
    assert_apart(facts["marks"])


def test_a_marker_answers_the_pointer_and_opens_its_match(open_page, base_url):
    japan = profile(base_url, "Japan")
    page = open_page("/teams/Japan", viewport=DESKTOP)
    wait_for_chart(page, len(japan["rating_history"]))
    first = japan["most_heartbreaking"][0]
    mark = next(m for m in chart_facts(page)["marks"] if m["id"] == first["match_id"])
    box = page.locator("#rating-chart").bounding_box()
    page.mouse.move(box["x"] + mark["x"], box["y"] + mark["y"])
    page.wait_for_function(f"() => {CHART}.tooltip.opacity > 0")
    tooltip = page.evaluate(
        f"() => {{ const t = {CHART}.tooltip; return [t.title, t.body.map(b => b.lines)]; }}"
    )
    assert tooltip[0] == ["Most heartbreaking #1"]
    assert "Belgium 3–2 Japan (2018-07-02)" in tooltip[1][0][0]
    assert tooltip[1][0][1] == first["reason"]
    page.mouse.click(box["x"] + mark["x"], box["y"] + mark["y"])
    page.wait_for_url(f"**/matches/{first['match_id']}?side=Japan")


def test_the_record_is_on_the_page_with_its_definition(open_page, base_url):
    japan = profile(base_url, "Japan")
    record = japan["knockout_record"]
    page = open_page("/teams/Japan", viewport=PHONE)
    assert page.locator(".ko-summary").inner_text() == record["summary"]
    assert page.locator(".ko-definition").inner_text() == record["definition"]
    assert page.locator(".ko-table tr[data-decided='on_penalties'] td").all_inner_texts() == [
        "3",
        "4",
    ]
    page.click(".ko-matches summary")
    assert page.locator(".ko-matches li").count() == record["played"] == 29


@pytest.mark.parametrize("team", ["Asturias", "Central Spain"])
def test_a_team_of_one_or_two_matches(open_page, base_url, team):
    facts_json = profile(base_url, team)
    page = open_page(f"/teams/{team.replace(' ', '%20')}", viewport=PHONE)
    wait_for_chart(page, len(facts_json["rating_history"]))
    facts = chart_facts(page)
    first, last = int(facts_json["first_match"][:4]), int(facts_json["last_match"][:4])
    assert facts["min"] < facts["max"]
    assert facts["labels"][0] == str(first) and facts["labels"][-1] == str(last)
    assert page.locator(".ko-summary").inner_text() == "No knockout match in a major tournament."
    assert page.evaluate(f"() => {CHART}.data.datasets[0].pointRadius > 0"), (
        "a short history shows its points"
    )
