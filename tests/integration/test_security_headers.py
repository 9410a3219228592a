"""Security headers on every kind of answer: pages, the embed, API JSON, assets, errors and the
API docs; and pages whose HTML needs no inline script or style (what the policy forbids)."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

import pytest

from heartbreak.api.headers import CSP, EMBED_CSP

BELGIUM_JAPAN = 41696
HTML = {"accept": "text/html,application/xhtml+xml"}


@pytest.fixture(scope="module")
def live_id(client, live_definition) -> str:
    created = client.post("/api/live", json=live_definition)
    assert created.status_code == 201, created.text
    live_id = created.json()["live"]["id"]
    goal = {"event_id": "g1", "type": "goal", "minute": 48, "team": "Japan"}
    assert client.post(f"/api/live/{live_id}/events", json=goal).status_code == 200
    return live_id


@pytest.fixture(scope="module")
def record_id(client) -> int:
    """A match known by its result alone (no goal minutes)."""
    found = client.get("/api/matches", params={"team": "Japan", "opponent": "Iceland"}).json()
    return next(m["match_id"] for m in found["matches"] if not m["timeline_complete"])


@pytest.fixture(scope="module")
def pages(live_id, record_id) -> list[str]:
    return [
        "/",
        "/?team=Japn",
        f"/matches/{BELGIUM_JAPAN}?side=Japan",
        f"/matches/{record_id}",
        "/top",
        "/teams/Japan",
        "/about",
        "/live",
        f"/live/{live_id}",
        "/matches/abc",  # an error, as a page
    ]


def assert_common(response) -> None:
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff", response.url
    assert headers["referrer-policy"] == "same-origin", response.url
    assert "content-security-policy" in headers, response.url


def test_pages_api_assets_and_errors_carry_the_headers(client, pages, live_id):
    other = [
        "/api/health",
        f"/api/matches/{BELGIUM_JAPAN}",
        "/api/nowhere",
        f"/api/live/{live_id}",
        "/openapi.json",
        "/static/app.css",
        f"/matches/{BELGIUM_JAPAN}/chart.svg",
        f"/matches/{BELGIUM_JAPAN}/timeline.csv",
    ]
    for path in [*pages, *other]:
        response = client.get(path, headers=HTML if path in pages else {})
        assert response.status_code in (200, 404), (path, response.status_code)
        assert_common(response)
        assert response.headers["content-security-policy"] == CSP, path
        assert response.headers["x-frame-options"] == "DENY", path
    refused = client.post("/api/live", json={}, headers={"Authorization": "Bearer nope"})
    assert refused.status_code == 401 and refused.headers["content-security-policy"] == CSP


def test_the_policy_allows_nothing_from_another_host_and_no_inline_code():
    directives = dict(d.split(" ", 1) for d in CSP.split("; "))
    assert directives["default-src"] == "'self'" and directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe" not in CSP and "http" not in CSP
    assert CSP.replace("frame-ancestors 'none'", "frame-ancestors *") == EMBED_CSP


def test_the_embed_may_be_framed_by_any_site(client):
    response = client.get(f"/matches/{BELGIUM_JAPAN}/embed?side=Japan", headers=HTML)
    assert response.status_code == 200
    assert_common(response)
    assert response.headers["content-security-policy"] == EMBED_CSP
    assert "x-frame-options" not in response.headers


class InlineCode(HTMLParser):
    """What a strict policy refuses in a page: inline scripts (a ``<script>`` without ``src``
    that is not a data block), inline event handlers, ``style`` attributes and elements."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "script" and "src" not in named and named.get("type") != "application/json":
            self.found.append(f"<script {named}>")
        if tag == "style":
            self.found.append("<style>")
        for name, _ in attrs:
            if name.startswith("on") or name == "style":
                self.found.append(f"<{tag} {name}=...>")


def test_no_page_has_inline_scripts_handlers_or_styles(client, pages):
    for path in [*pages, f"/matches/{BELGIUM_JAPAN}/embed"]:
        parser = InlineCode()
        parser.feed(client.get(path, headers=HTML).text)
        assert parser.found == [], path


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_the_api_docs_allow_their_own_inline_script_only(client, path):
    response = client.get(path, headers=HTML)
    assert response.status_code == 200
    assert_common(response)
    policy = response.headers["content-security-policy"]
    directives = dict(d.split(" ", 1) for d in policy.split("; "))
    inline = re.findall(r"<script>(.*?)</script>", response.text, re.DOTALL)
    hashes = {
        f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in inline
    }
    assert set(directives["script-src"].split()) == {"'self'", *hashes}
    assert (path == "/docs") == bool(hashes)  # Swagger UI's settings; ReDoc has none
    assert directives["frame-ancestors"] == "'none'"
    assert "http" not in policy and "unsafe-eval" not in policy
    for src in re.findall(r'(?:src|href)="([^"]+)"', response.text):
        assert src.startswith("/"), src  # nothing from another host
