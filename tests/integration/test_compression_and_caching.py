"""Responses travel light: pages and JSON from 1 KB on are gzipped for a client that accepts
it, the live streams never are (every frame still arrives at once); assets sit at URLs
versioned by their content, kept for a year, while pages are revalidated on every visit; the
API docs lead back to the pages."""

from __future__ import annotations

import hashlib
import re
import time
import warnings

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from heartbreak.api.pages import STATIC_DIR, VersionedStaticFiles, static_versions

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

BELGIUM_JAPAN = 41696
HTML = {"accept": "text/html", "accept-encoding": "gzip"}
YEAR = "public, max-age=31536000, immutable"


def _version(name: str) -> str:
    return hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:12]


@pytest.mark.parametrize("path", ["/", f"/matches/{BELGIUM_JAPAN}", "/teams/Japan"])
def test_pages_are_gzipped_and_revalidated(base_url, path):
    response = httpx.get(base_url + path, headers=HTML, timeout=30)
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in response.headers["vary"].lower()
    assert response.headers["cache-control"] == "no-cache"
    assert "<main" in response.text  # httpx undoes the gzip


def test_json_is_gzipped_from_1_kb_on(base_url):
    big = httpx.get(f"{base_url}/api/matches/{BELGIUM_JAPAN}", timeout=30)
    assert big.headers["content-encoding"] == "gzip"
    assert big.json()["match"]["id"] == BELGIUM_JAPAN
    small = httpx.get(f"{base_url}/api/matches?team=Japan&limit=1", timeout=30)
    assert len(small.content) < 1024
    assert "content-encoding" not in small.headers
    plain = httpx.get(
        f"{base_url}/api/matches/{BELGIUM_JAPAN}", headers={"accept-encoding": "identity"}
    )
    assert "content-encoding" not in plain.headers and plain.json() == big.json()


def test_live_streams_are_not_gzipped_and_frames_arrive_at_once(
    base_url, live_definition, sse_frames, live_headers
):
    with httpx.Client(base_url=base_url, timeout=10.0, headers=live_headers) as client:
        live_id = client.post("/api/live", json=live_definition).json()["live"]["id"]
        started = time.monotonic()
        headers = {"accept": "text/event-stream", "accept-encoding": "gzip"}
        with client.stream("GET", f"/api/live/{live_id}/stream", headers=headers) as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            assert "content-encoding" not in stream.headers
            frames = sse_frames(stream.iter_lines())
            assert "retry" in next(frames)
            assert next(frames)["event"] == "state"
            assert time.monotonic() - started < 2.0, "the first frame was held back"
            goal = {"event_id": "g1", "type": "goal", "minute": 48, "team": "Japan"}
            posted_at = time.monotonic()
            with httpx.Client(base_url=base_url, timeout=10.0, headers=live_headers) as other:
                assert other.post(f"/api/live/{live_id}/events", json=goal).status_code == 200
            frame = next(f for f in frames if f.get("event") in ("state", "append"))
            assert frame["id"] == "1"
            assert time.monotonic() - posted_at < 1.0, "a frame was held back"


def test_pages_link_assets_by_version_and_assets_are_kept_a_year(base_url):
    page = httpx.get(f"{base_url}/matches/{BELGIUM_JAPAN}", headers=HTML, timeout=30).text
    assets = re.findall(r"""(?:src|href)="(/static/[^"]+)\"""", page)
    assert {a.split("?")[0] for a in assets} >= {
        "/static/app.css",
        "/static/favicon.svg",
        "/static/chart.umd.min.js",
        "/static/match.js",
    }
    for asset in assets:
        name, _, query = asset.removeprefix("/static/").partition("?")
        assert query == f"v={_version(name)}", asset
        response = httpx.get(base_url + asset, headers={"accept-encoding": "gzip"})
        assert response.status_code == 200
        assert response.headers["cache-control"] == YEAR, asset
    css = httpx.get(f"{base_url}/static/app.css", headers={"accept-encoding": "gzip"})
    assert css.headers["content-encoding"] == "gzip"
    assert css.headers["cache-control"] == "no-cache"  # no version: revalidate
    stale = httpx.get(f"{base_url}/static/app.css?v=000000000000")
    assert stale.headers["cache-control"] == "no-cache"
    etag = css.headers["etag"]
    again = httpx.get(f"{base_url}/static/app.css", headers={"if-none-match": etag})
    assert again.status_code == 304 and again.headers["cache-control"] == "no-cache"


def test_an_asset_s_version_follows_its_content(tmp_path):
    (tmp_path / "app.css").write_text("body { color: black; }")
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "logo.svg").write_text("<svg/>")
    before = static_versions(tmp_path)
    assert set(before) == {"app.css", "img/logo.svg"}

    def served(versions):
        app = Starlette(
            routes=[Mount("/static", VersionedStaticFiles(directory=tmp_path, versions=versions))]
        )
        return TestClient(app)

    def cache_control(client, name: str, version: str) -> str:
        return client.get(f"/static/{name}?v={version}").headers["cache-control"]

    with served(before) as client:
        assert cache_control(client, "app.css", before["app.css"]) == YEAR
        assert cache_control(client, "img/logo.svg", before["img/logo.svg"]) == YEAR
    (tmp_path / "app.css").write_text("body { color: navy; }")
    after = static_versions(tmp_path)
    assert after["app.css"] != before["app.css"]
    assert after["img/logo.svg"] == before["img/logo.svg"]
    with served(after) as client:
        old = client.get(f"/static/app.css?v={before['app.css']}")
        assert old.text == "body { color: navy; }"
        assert old.headers["cache-control"] == "no-cache"  # an old URL is not kept
        assert cache_control(client, "app.css", after["app.css"]) == YEAR


def test_the_api_docs_lead_back_to_the_pages(base_url):
    description = httpx.get(f"{base_url}/openapi.json").json()["info"]["description"]
    assert description.startswith("[← Heartbreak](/)")
    for path in ("/docs", "/redoc"):
        page = httpx.get(base_url + path, headers=HTML).text
        assert '<a href="/"' in page.split("</nav>", 1)[0], f"{path} opens without the way back"
        assert 'href="/static/favicon.svg"' in page
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
        scripts = re.findall(r'<script src="([^"]+)"', page)
        assert scripts
        for script in scripts:
            assert httpx.get(base_url + script).status_code == 200, script
    assert '"validatorUrl": null' in httpx.get(f"{base_url}/docs").text
    (redoc_js,) = re.findall(r'src="([^"]+)"', httpx.get(f"{base_url}/redoc").text)
    bundle = httpx.get(base_url + redoc_js)
    assert bundle.headers["cache-control"] == YEAR
    assert "cdn.redoc.ly" not in bundle.text  # its logo is the app's own icon
