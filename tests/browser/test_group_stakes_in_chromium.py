"""A group match's chart follows its stakes, in Debian's chromium: Japan–Poland 2018, where
Japan played for the round of 16 and Poland, already out, only to win, plots Japan's chance of
going through (the JSON's ``p_home_qualify``), not of winning; Yerry Mina's goal for Colombia
against Senegal, played at the same time, is marked on the chart and told in the tooltip, the
readout, the table and the list of events, also when it reaches a live page in an ``append``
frame. A friendly and a knockout plot as before. (Fixtures: conftest.py.)"""

from __future__ import annotations

import math

import httpx
import pytest

SCOTLAND_ENGLAND = 1  # a friendly, 1872
BELGIUM_JAPAN = 41696  # a knockout, 2018
CHART = "Chart.getChart(document.getElementById('chart'))"
MINA = "Elsewhere: Colombia 1–0 Senegal, Yerry Mina 74'"

#: Runs before the page's scripts: keeps the page's EventSource, to hand it frames.
KEEP_SOURCES = """
(() => {
  const Native = window.EventSource;
  window.sources = [];
  function Kept(url, init) {
    const source = new Native(url, init);
    window.sources.push(source);
    return source;
  }
  Kept.prototype = Native.prototype;
  window.EventSource = Kept;
})();
"""
#: Hands the page's EventSource a frame: [type, id, data].
SEND = """([type, id, data]) => window.sources[0].dispatchEvent(
  new MessageEvent(type, { lastEventId: String(id), data: JSON.stringify(data) }))"""


@pytest.fixture(scope="module")
def japan_poland(base_url) -> dict:
    """The replay JSON of Japan v Poland, 2018-06-28 (found by the API's search)."""
    with httpx.Client(base_url=base_url, timeout=60) as client:
        found = client.get(
            "/api/matches",
            params={"team": "Japan", "opponent": "Poland", "date_from": "2018-06-28"},
        ).json()["matches"]
        (match,) = [m for m in found if m["date"] == "2018-06-28"]
        return client.get(f"/api/matches/{match['match_id']}", params={"side": "Japan"}).json()


def wait_for_chart(page, points: int) -> None:
    page.wait_for_function(
        f"""n => {{ const c = window.Chart && {CHART};
                  return c && c.$heartbreak && c.data.datasets[0].data.length === n; }}""",
        arg=points,
    )


def plotted(page) -> list[dict]:
    """Each dataset's label and values, as the chart holds them."""
    return page.evaluate(
        f"() => {CHART}.data.datasets.map(d => ({{label: d.label, y: d.data.map(p => p.y)}}))"
    )


def pct(p: float) -> str:
    """A chance as the page shows it (rounded half up, as Math.round)."""
    return f"{math.floor(100 * p + 0.5)}%"


def percent(timeline: list[dict], key: str) -> list[float]:
    return [100 * p[key] for p in timeline]


def elsewhere_index(replay: dict) -> int:
    (index,) = [i for i, p in enumerate(replay["timeline"]) if p.get("elsewhere")]
    return index


def test_a_group_match_plots_the_chance_of_reaching_the_next_stage(open_page, japan_poland):
    replay, timeline = japan_poland, japan_poland["timeline"]
    assert replay["stakes"]["home_goal"] == "through" and replay["stakes"]["away_goal"] == "win"
    page = open_page(f"/matches/{replay['match']['id']}?side=Japan")
    wait_for_chart(page, len(timeline))
    japan, poland, draw = plotted(page)
    assert japan["label"] == "Japan to reach the round of 16"
    assert japan["y"] == pytest.approx(percent(timeline, "p_home_qualify"))
    assert japan["y"] != pytest.approx(percent(timeline, "p_home_win"))
    # Poland, out whatever happened, played only to win.
    assert poland["label"] == "Poland to win"
    assert poland["y"] == pytest.approx(percent(timeline, "p_away_win"))
    assert draw["label"] == "Draw"

    # Mina's goal elsewhere: a marker on Japan's line at the point that first knew of it, a
    # label above the plot, a legend entry and a line in the list of events.
    i = elsewhere_index(replay)
    drawn = page.evaluate(f"() => {CHART}.$heartbreak")
    (marker,) = drawn["elsewhere"]
    assert marker["index"] == i and marker["text"] == MINA
    y = page.evaluate(
        f"v => {CHART}.scales.y.getPixelForValue(v)", 100 * timeline[i]["p_home_qualify"]
    )
    assert marker["y"] == pytest.approx(y)
    (label,) = [lb for lb in drawn["labels"] if lb["elsewhere"]]
    assert label["index"] == i and label["text"] == "74' Colombia 1–0 Senegal"
    legend = page.evaluate(f"() => {CHART}.legend.legendItems.map(item => item.text)")
    assert "goal in the group's other match" in legend
    assert (
        "74' Elsewhere: Colombia 1–0 Senegal, Yerry Mina"
        in page.locator("#events li").all_inner_texts()
    )

    # The point from the keyboard: the tooltip and the readout tell the goal elsewhere, the
    # stakes' chances and, in the tooltip, Japan's chances to win, draw and lose too.
    page.focus("#chart")
    page.keyboard.press("Home")
    for _ in range(i):
        page.keyboard.press("ArrowRight")
    tooltip = page.evaluate(
        f"""() => {{ const t = {CHART}.tooltip;
                   return {{body: t.body.map(b => b.lines).flat(), after: t.afterBody}}; }}"""
    )
    point = timeline[i]
    assert tooltip["body"][0] == f"Japan to reach the round of 16: {pct(point['p_home_qualify'])}"
    assert tooltip["body"][1] == f"Poland to win: {pct(point['p_away_win'])}"
    assert MINA in tooltip["after"]
    win_draw_lose = " / ".join(pct(point[k]) for k in ("p_home_win", "p_draw", "p_away_win"))
    assert f"Win / draw / lose: {win_draw_lose}" in tooltip["after"]
    readout = page.locator("#chart-readout").inner_text()
    assert f"{MINA}." in readout
    assert (
        f"Japan to reach the round of 16 {pct(point['p_home_qualify'])}, "
        f"Poland to win {pct(point['p_away_win'])}."
    ) in readout

    # The chart as a table: the stakes' chances and the goal elsewhere in its row.
    page.click("#chart-table-box summary")
    head = page.locator("#chart-table thead th").all_inner_texts()
    assert head[3:5] == ["Japan to reach the round of 16", "Poland to win"]
    rows = [
        r.locator("th, td").all_inner_texts() for r in page.locator("#chart-table tbody tr").all()
    ]
    (row,) = [r for r in rows if MINA in r[2]]
    assert row[3] == pct(point["p_home_qualify"])


def test_the_other_side_plots_its_own_stakes(open_page, japan_poland):
    timeline = japan_poland["timeline"]
    page = open_page(f"/matches/{japan_poland['match']['id']}?side=Poland")
    wait_for_chart(page, len(timeline))
    poland, japan, _ = plotted(page)
    assert poland["label"] == "Poland to win"
    assert poland["y"] == pytest.approx(percent(timeline, "p_away_win"))
    assert japan["label"] == "Japan to reach the round of 16"
    assert japan["y"] == pytest.approx(percent(timeline, "p_home_qualify"))
    # The marker sits on the chosen side's line.
    (marker,) = page.evaluate(f"() => {CHART}.$heartbreak.elsewhere")
    y = page.evaluate(
        f"v => {CHART}.scales.y.getPixelForValue(v)",
        100 * timeline[marker["index"]]["p_away_win"],
    )
    assert marker["y"] == pytest.approx(y)


@pytest.mark.parametrize(
    ("match_id", "name", "home", "away"),
    [
        (SCOTLAND_ENGLAND, "to win", "p_home_win", "p_away_win"),
        (BELGIUM_JAPAN, "to go through", "p_home_advance", None),
    ],
)
def test_a_friendly_and_a_knockout_plot_as_before(open_page, base_url, match_id, name, home, away):
    replay = httpx.get(f"{base_url}/api/matches/{match_id}", timeout=60).json()
    assert replay["stakes"] is None
    m, timeline = replay["match"], replay["timeline"]
    page = open_page(f"/matches/{match_id}?side={m['home']}")
    wait_for_chart(page, len(timeline))
    sets = plotted(page)
    assert [s["label"] for s in sets[:2]] == [f"{m['home']} {name}", f"{m['away']} {name}"]
    assert sets[0]["y"] == pytest.approx(percent(timeline, home))
    other = [100 * (p[away] if away else 1 - p[home]) for p in timeline]
    assert sets[1]["y"] == pytest.approx(other)
    assert page.evaluate(f"() => {CHART}.$heartbreak.elsewhere") == []


def test_a_live_page_marks_the_goals_elsewhere_of_appended_points(
    open_page, base_url, live_definition, live_headers, japan_poland
):
    created = httpx.post(
        f"{base_url}/api/live", json=live_definition, headers=live_headers, timeout=30
    )
    assert created.status_code == 201, created.text
    live = created.json()["live"]
    page = open_page(f"/live/{live['id']}", init_script=KEEP_SOURCES)
    page.wait_for_function("() => Number(document.getElementById('match').dataset.updates) >= 1")
    # Frames of the test's own, as the stream sends them: a group match's state up to just
    # before Mina's goal, then an append of the points from it on.
    i, timeline = elsewhere_index(japan_poland), japan_poland["timeline"]
    emotions = japan_poland["emotions"]
    head = dict(japan_poland, live=live, timeline=timeline[:i])
    head["emotions"] = {team: e[:i] for team, e in emotions.items()}
    tail = {
        "base": 9000,
        "timeline": timeline[i:],
        "emotions": {team: e[i:] for team, e in emotions.items()},
        "live": live,
    }
    page.evaluate(SEND, ["state", 9000, head])
    wait_for_chart(page, i)
    assert page.evaluate(f"() => {CHART}.$heartbreak.elsewhere") == []
    page.evaluate(SEND, ["append", 9001, tail])
    wait_for_chart(page, len(timeline))
    assert page.evaluate("() => document.getElementById('match').dataset.lastEventId") == "9001"
    japan = next(s for s in plotted(page) if s["label"].startswith("Japan"))
    assert japan["label"] == "Japan to reach the round of 16"
    assert japan["y"] == pytest.approx(percent(timeline, "p_home_qualify"))
    (marker,) = page.evaluate(f"() => {CHART}.$heartbreak.elsewhere")
    assert marker["index"] == i and marker["text"] == MINA
    assert (
        "74' Elsewhere: Colombia 1–0 Senegal, Yerry Mina"
        in page.locator("#events li").all_inner_texts()
    )
