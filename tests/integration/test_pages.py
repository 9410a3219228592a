"""The web pages, in-process: each page is drawn from exactly the JSON of its API view, serves
every asset itself, and turns errors into pages for browsers (and the one JSON shape for the
rest)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

BELGIUM_JAPAN = 41696
HTML = {"accept": "text/html,application/xhtml+xml"}


class _Page(HTMLParser):
    """The parts of a page the tests read: asset references, ids, the embedded JSON."""

    def __init__(self) -> None:
        super().__init__()
        self.assets: list[str] = []
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.state: str | None = None
        self._in_state = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "script" and attrs.get("src"):
            self.assets.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.assets.append(attrs["href"])
        if tag in ("img", "iframe") and attrs.get("src"):
            self.assets.append(attrs["src"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        self._in_state = tag == "script" and attrs.get("id") == "state"

    def handle_data(self, data):
        if self._in_state:
            self.state = (self.state or "") + data

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_state = False


def page(client, url: str, status: int = 200) -> _Page:
    response = client.get(url, headers=HTML)
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    parsed = _Page()
    parsed.feed(response.text)
    return parsed


def test_match_page_carries_exactly_the_api_json(client):
    parsed = page(client, f"/matches/{BELGIUM_JAPAN}")
    assert json.loads(parsed.state) == client.get(f"/api/matches/{BELGIUM_JAPAN}").json()
    assert {"chart", "story", "journey", "metrics", "events", "context", "score"} <= parsed.ids


def test_match_page_told_from_either_side(client):
    for side in ("Belgium", "Japan"):
        parsed = page(client, f"/matches/{BELGIUM_JAPAN}?side={side}")
        state = json.loads(parsed.state)
        assert state == client.get(f"/api/matches/{BELGIUM_JAPAN}?side={side}").json()
        assert state["story_side"] == side


def test_match_page_shows_the_story_and_events_without_script(client):
    text = client.get(f"/matches/{BELGIUM_JAPAN}", headers=HTML).text
    story = client.get(f"/api/matches/{BELGIUM_JAPAN}").json()["story"]
    assert story.replace("'", "&#39;") in text
    for scorer in ("Genki Haraguchi", "Takashi Inui", "Jan Vertonghen", "Nacer Chadli"):
        assert scorer in text
    assert "Belgium were the first team to come from two goals down" in text


def test_home_lists_come_from_the_rankings_view(client):
    text = client.get("/", headers=HTML).text
    for metric in ("heartbreak", "comeback"):
        rows = client.get(
            "/api/top", params={"metric": metric, "competition": "FIFA World Cup"}
        ).json()
        section = text.split(f'id="list-{metric}"', 1)[1].split("</section>", 1)[0]
        found = re.findall(r'href="/matches/(\d+)\?side=', section)
        assert [int(m) for m in found] == [r["match_id"] for r in rows]
    assert "Belgium 3–2 Japan" in text


def test_home_search_lists_the_matches_view(client):
    params = {"team": "Japan", "opponent": "Belgium"}
    text = client.get("/", params=params, headers=HTML).text
    api = client.get("/api/matches", params=params).json()
    assert f"{api['total']} matches" in text or f"{api['total']} match" in text
    assert f'href="/matches/{BELGIUM_JAPAN}"' in text


def test_rankings_page_is_the_top_view(client):
    params = {"metric": "shock", "competition": "FIFA World Cup", "limit": "7"}
    text = client.get("/top", params=params, headers=HTML).text
    rows = client.get("/api/top", params=params).json()
    found = re.findall(r'<td><a href="/matches/(\d+)\?side=', text)
    assert [int(m) for m in found] == [r["match_id"] for r in rows]
    assert '<option value="shock" selected>' in text


def test_team_page_is_the_team_view(client):
    parsed = page(client, "/teams/Japan")
    assert json.loads(parsed.state) == client.get("/api/teams/Japan").json()
    assert "rating-chart" in parsed.ids


def test_team_json_carries_the_rating_history(client, session):
    profile = client.get("/api/teams/Japan").json()
    history = profile["rating_history"]
    assert len(history) == profile["matches"]
    assert history[-1]["rating"] == profile["rating_now"]
    assert max(h["rating"] for h in history) == profile["peak_rating"]["value"]


def test_live_pages(client):
    created = client.post(
        "/api/live",
        json={"home": "Belgium", "away": "Japan", "date": "2018-07-02", "knockout": True},
    ).json()
    live_id = created["live"]["id"]
    index = client.get("/live", headers=HTML).text
    assert f'href="/live/{live_id}"' in index
    parsed = page(client, f"/live/{live_id}")
    assert json.loads(parsed.state) == client.get(f"/api/live/{live_id}").json()
    assert {"live-badge", "clock", "chart"} <= parsed.ids


@pytest.mark.parametrize(
    "url", ["/", "/top", f"/matches/{BELGIUM_JAPAN}", "/teams/Brazil", "/live", "/docs", "/redoc"]
)
def test_every_asset_is_served_here(client, url):
    response = client.get(url, headers=HTML)
    assert response.status_code == 200
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", response.text), (
        "a page loads an asset from another host"
    )
    assets = re.findall(r"""(?:src|href)\s*[:=]\s*["'](/static[^"']+)["']""", response.text)
    assets += re.findall(r"""['"](/static-offline-docs/[^"']+)['"]""", response.text)
    assert assets
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


def test_errors_are_pages_for_browsers_and_json_for_the_api(client):
    parsed = page(client, "/matches/999999999", status=404)
    assert "error-message" in parsed.ids
    assert page(client, "/teams/Atlantis", status=404)
    assert page(client, "/top?limit=0", status=422)
    assert page(client, "/nowhere", status=404)
    api = client.get("/api/matches/999999999", headers=HTML)
    assert api.status_code == 404 and api.json()["error"]["type"] == "NoSuchMatch"
    plain = client.get("/matches/999999999")
    assert plain.status_code == 404 and plain.json()["error"]["field"] == "path.match_id"


def test_pages_are_not_in_the_openapi_schema(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert all(path.startswith("/api/") for path in paths)


def test_embedded_json_cannot_close_its_script(client, session):
    from heartbreak.api.pages import _embed

    text = _embed({"story": "</script><script>alert(1)</script>"})
    assert "</" not in text
    assert json.loads(text)["story"] == "</script><script>alert(1)</script>"


def test_a_final_won_on_penalties_says_so(client, session):
    final = session.find_match("Argentina", "France", "2022-12-18")
    text = client.get(f"/matches/{final}", headers=HTML).text
    result = text.split('id="result">', 1)[1].split("</p>", 1)[0]
    assert result == "Argentina won on penalties."
    # The kicks are on record: the shootout is listed kick by kick, with its winner.
    assert "Shootout: France ✓ ✗ ✗ ✓, Argentina ✓ ✓ ✓ ✓ (Argentina won 4–2)" in text
    assert "Kylian Mbappé" in text


def test_a_search_form_s_empty_fields_mean_not_given(client):
    blank = {"team": "Japan", "opponent": "Belgium", "competition": "", "stage": "", "date_to": ""}
    text = client.get("/", params=blank, headers=HTML).text
    assert f'href="/matches/{BELGIUM_JAPAN}"' in text
    empty = {"metric": "comeback", "stage": "", "team": ""}
    ranked = client.get("/top", params=empty, headers=HTML)
    assert ranked.status_code == 200
    bad = page(client, "/top?stage=semis", status=422)
    assert "error-message" in bad.ids
