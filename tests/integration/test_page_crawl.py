"""Every page works for every kind of match: a page of each kind, a large sample of stored
matches of every kind, and a crawl of every same-site link from the home page, the rankings, a
team page and a search, all on the real store."""

from __future__ import annotations

import json
import random
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from heartbreak.drama.metrics import RANKED_METRICS

HTML = {"accept": "text/html,application/xhtml+xml"}

#: A stored match of each kind (ids of the real store, checked by ``test_kinds_are_what_they_say``).
KINDS = {
    "world cup group match": 45729,  # Germany 1-2 Japan, 2022
    "knockout decided in 90 minutes": 41696,  # Belgium 3-2 Japan, 2018
    "knockout after extra time": 37937,  # Germany 1-0 Argentina, 2014 final
    "knockout on penalties": 45790,  # Argentina 3-3 France, 2022 final
    "the first international": 1,  # Scotland 0-0 England, 1872
    "qualifier": 1775,  # Sweden v Estonia, 1933
    "goals without minutes": 46384,  # Germany 1-4 Japan, 2023 friendly
    "some goal minutes listed": 5164,  # Taiwan 2-0 Vietnam Republic, 1960
}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append((attrs["href"], "download" in attrs))


def links_of(html: str) -> list[tuple[str, bool]]:
    """(href, is a download) of every link of a page."""
    parser = _Links()
    parser.feed(html)
    return parser.links


def test_kinds_are_what_they_say(session):
    store = session.store
    rows = {kind: store.match_row(match_id) for kind, match_id in KINDS.items()}
    assert rows["world cup group match"]["competition"] == "FIFA World Cup"
    assert not rows["world cup group match"]["knockout"]
    assert rows["knockout decided in 90 minutes"]["knockout"]
    assert not rows["knockout decided in 90 minutes"]["extra_time"]
    assert rows["knockout after extra time"]["extra_time"]
    assert rows["knockout on penalties"]["shootout_winner"] == "Argentina"
    assert str(rows["the first international"]["date"].date()) == "1872-11-30"
    assert "qualification" in rows["qualifier"]["competition"]
    assert rows["goals without minutes"]["goals_listed"] == 0
    assert not rows["goals without minutes"]["timeline_complete"]
    assert rows["some goal minutes listed"]["goals_listed"] > 0
    assert not rows["some goal minutes listed"]["timeline_complete"]


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_match_page_of_every_kind(client, kind):
    match_id = KINDS[kind]
    response = client.get(f"/matches/{match_id}", headers=HTML)
    assert response.status_code == 200, (kind, response.text[:500])
    assert response.headers["content-type"].startswith("text/html")
    api = client.get(f"/api/matches/{match_id}/record").json()
    home, away = api["match"]["home"], api["match"]["away"]
    assert home in response.text and away in response.text
    if api["replayable"]:
        assert 'id="chart"' in response.text
    else:
        # A real page: the score, the goals the record lists, the kick-off chances and why
        # there is no curve; never a bare 422.
        assert 'id="chart"' not in response.text
        assert "Why there is no minute-by-minute chart" in response.text
        assert api["reason"] in response.text.replace("&#39;", "'")
        assert "Before kick-off" in response.text
        for goal in api["goals"]:
            assert goal["player"] is None or goal["player"] in response.text


def test_a_record_lists_what_the_source_lists(client):
    taiwan = client.get(f"/api/matches/{KINDS['some goal minutes listed']}/record").json()
    assert taiwan["goals_scored"] == 2 and taiwan["goals_with_minutes"] == 1
    assert [g["label"] for g in taiwan["goals"]] == ["51'", None]
    assert taiwan["replayable"] is False
    assert "1 of the 2 goals" in taiwan["reason"]
    belgium_japan = client.get(f"/api/matches/{KINDS['knockout decided in 90 minutes']}/record")
    record = belgium_japan.json()
    assert record["replayable"] is True and record["reason"] is None
    assert [g["label"] for g in record["goals"]] == ["48'", "52'", "69'", "74'", "90+4'"]
    assert record["prematch"]["p_home_advance"] == pytest.approx(0.79, abs=0.02)
    assert client.get("/api/matches/99999999/record").status_code == 404


def test_a_live_match_page(client, live_definition):
    created = client.post("/api/live", json=live_definition)
    assert created.status_code in (200, 201), created.text
    live_id = created.json()["live"]["id"]
    assert client.get(f"/live/{live_id}", headers=HTML).status_code == 200
    assert client.get("/live", headers=HTML).status_code == 200


def _sample_ids(session, size: int, seed: int = 20180702) -> list[int]:
    """Match ids drawn from every stratum of the store: complete or not, knockout or not,
    World Cup, other competitions and friendlies, each decade."""
    frame = session.store.query(
        """SELECT match_id, timeline_complete, knockout,
                  CASE WHEN competition = 'FIFA World Cup' THEN 'wc'
                       WHEN competition = 'Friendly' THEN 'friendly' ELSE 'other' END AS kind,
                  (year(date) // 10) AS decade
           FROM matches"""
    )
    strata = frame.groupby(["timeline_complete", "knockout", "kind", "decade"])["match_id"]
    rng = random.Random(seed)
    groups = [sorted(ids.tolist()) for _, ids in strata]
    per_group = max(1, size // len(groups))
    out = []
    for ids in groups:
        out += rng.sample(ids, min(per_group, len(ids)))
    rest = sorted(set(frame["match_id"].tolist()) - set(out))
    out += rng.sample(rest, max(0, size - len(out)))
    return out


def test_a_sample_of_every_kind_renders(client, session):
    ids = _sample_ids(session, 500)
    assert len(ids) >= 500
    failures = []
    for match_id in ids:
        response = client.get(f"/matches/{match_id}", headers=HTML)
        if response.status_code != 200:
            failures.append((match_id, response.status_code))
    assert failures == []


#: How many pages the crawl visits at most.
CRAWL_LIMIT = 2000
#: Downloads (charts, CSV, JSON) followed from this many match pages; each kind of download is
#: the same code for every match, and a chart takes ten times a page to draw.
DOWNLOAD_PAGES = 10


def test_crawl_every_same_site_link(client, session):
    team = "Japan"
    starts = ["/", f"/teams/{team}", "/?team=Japan&competition=World+Cup", "/live", "/about"]
    starts += [f"/top?metric={metric}" for metric in RANKED_METRICS]
    queue, seen, failures = deque(starts), set(starts), []
    visited = 0
    pages_with_downloads: set[str] = set()
    while queue and visited < CRAWL_LIMIT:
        url = queue.popleft()
        response = client.get(url, headers=HTML)
        visited += 1
        if response.status_code != 200:
            failures.append((url, response.status_code))
            continue
        kind = response.headers.get("content-type", "")
        if not kind.startswith("text/html"):
            if kind.startswith("application/json"):
                json.loads(response.text)
            continue
        for href, download in links_of(response.text):
            if download:
                if url not in pages_with_downloads and len(pages_with_downloads) >= DOWNLOAD_PAGES:
                    continue
                pages_with_downloads.add(url)
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue  # another site (none is expected, but never followed)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target not in seen:
                seen.add(target)
                queue.append(target)
    assert failures == []
    assert visited > 100
    assert len(pages_with_downloads) == DOWNLOAD_PAGES
