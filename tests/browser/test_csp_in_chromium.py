"""The Content-Security-Policy in chromium: no page, the API docs included, does anything the
policy refuses (a ``securitypolicyviolation`` event or a console error about the policy), the
live page's stream included; the embed may be framed by another site, the other pages not."""

from __future__ import annotations

import httpx
import pytest

BELGIUM_JAPAN = 41696

#: Keeps every policy violation of the page (and of its frames) in ``window.__csp``.
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective}: ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`);
});
"""
CHART = "() => window.Chart && Chart.getChart('chart')"
#: The embed: the chart as an image, drawn.
IMAGE = "() => { const i = document.querySelector('img'); return i && i.naturalWidth > 0; }"


@pytest.fixture(scope="module")
def live_id(base_url, live_definition, live_headers) -> str:
    with httpx.Client(base_url=base_url, timeout=30, headers=live_headers) as client:
        created = client.post("/api/live", json=live_definition)
        assert created.status_code == 201, created.text
        return created.json()["live"]["id"]


def violations(page) -> list[str]:
    page.wait_for_timeout(300)  # (late ones: a chart drawn, a stream's first frame)
    return page.evaluate("() => window.__csp")


def open_watched(open_page, path: str):
    page = open_page(path, init_script=WATCH)
    console: list[str] = []
    page.on(
        "console",
        lambda m: console.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return page, console


@pytest.mark.parametrize(
    ("path", "ready"),
    [
        ("/", "() => document.querySelector('main')"),
        ("/?team=Japn", "() => document.querySelector('main')"),
        (f"/matches/{BELGIUM_JAPAN}?side=Japan", CHART),
        (f"/matches/{BELGIUM_JAPAN}/embed?side=Japan", IMAGE),
        ("/top", "() => document.querySelector('main')"),
        ("/teams/Japan", "() => window.Chart && Chart.getChart('rating-chart')"),
        ("/about", "() => document.querySelector('main')"),
        ("/matches/abc", "() => document.querySelector('main')"),
        ("/docs", "() => document.querySelector('.swagger-ui .info')"),
        ("/redoc", "() => document.querySelector('redoc h1')"),
    ],
)
def test_no_page_violates_the_policy(open_page, path, ready):
    page, console = open_watched(open_page, path)
    page.wait_for_function(ready)
    assert violations(page) == []
    assert console == []


def test_a_violation_would_be_seen(open_page):
    """The watch works: an inline script added to a page is refused, and seen."""
    page, console = open_watched(open_page, "/about")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.ran = true'; document.body.append(s); }"
    )
    assert page.evaluate("() => window.ran") is None
    assert any(v.startswith("script-src") for v in violations(page))
    assert console


def test_the_live_pages_and_their_stream_keep_to_the_policy(
    open_page, base_url, live_id, live_headers
):
    page, console = open_watched(open_page, f"/live/{live_id}")
    page.wait_for_function("() => Number(document.getElementById('match').dataset.updates) >= 1")
    goal = {"event_id": "g1", "type": "goal", "minute": 48, "team": "Japan"}
    posted = httpx.post(
        f"{base_url}/api/live/{live_id}/events", json=goal, headers=live_headers, timeout=30
    )
    assert posted.status_code == 200
    page.wait_for_function("() => document.getElementById('score').textContent === '0–1'")
    assert violations(page) == [] and console == []
    index, console = open_watched(open_page, "/live")
    index.wait_for_function(f"() => document.querySelector('a[href=\"/live/{live_id}\"]')")
    assert violations(index) == [] and console == []


def test_only_the_embed_may_be_framed_by_another_site(open_page, base_url):
    page = open_page("/about")
    frames = {
        "embed": f"{base_url}/matches/{BELGIUM_JAPAN}/embed?side=Japan",
        "page": f"{base_url}/matches/{BELGIUM_JAPAN}?side=Japan",
    }
    # a page of another origin (about:blank's, opaque) framing both
    page.goto("about:blank")
    page.set_content(
        "".join(
            f'<iframe name="{n}" src="{u}" width="600" height="400"></iframe>'
            for n, u in frames.items()
        )
    )
    embed = page.frame(name="embed")
    embed.wait_for_function(IMAGE)
    blocked = page.frame(name="page")
    page.wait_for_timeout(500)
    assert blocked.url.startswith("chrome-error:")  # refused: frame-ancestors 'none'
    assert blocked.locator("canvas").count() == 0
