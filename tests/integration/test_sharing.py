"""Sharing a match: the chosen side in the address, link previews with the chart image, the
chart as PNG and SVG, the data as CSV and JSON, and an embeddable chart."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import parse_qs, urlsplit

HTML = {"accept": "text/html,application/xhtml+xml"}
BELGIUM_JAPAN = 41696
FINAL_2022 = 45790
GERMANY_JAPAN_2023 = 46384  # no goal minutes: no chart


def meta(html: str, key: str) -> str:
    found = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)"', html)
    assert found, key
    return found.group(1)


def test_link_previews_carry_the_chart_of_the_chosen_side(client):
    html = client.get(f"/matches/{BELGIUM_JAPAN}?side=Japan", headers=HTML).text
    image = meta(html, "og:image")
    assert image.startswith("http://testserver/matches/41696/chart.png")
    assert parse_qs(urlsplit(image).query) == {"side": ["Japan"]}
    assert meta(html, "twitter:card") == "summary_large_image"
    assert meta(html, "twitter:image") == image
    assert meta(html, "og:url") == "http://testserver/matches/41696?side=Japan"
    assert "Japan" in meta(html, "og:description")
    other = client.get(f"/matches/{BELGIUM_JAPAN}?side=Belgium", headers=HTML).text
    assert parse_qs(urlsplit(meta(other, "og:image")).query) == {"side": ["Belgium"]}


def test_the_chart_as_png_and_svg(client):
    png = client.get(f"/matches/{BELGIUM_JAPAN}/chart.png?side=Japan")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    svg = client.get(f"/matches/{FINAL_2022}/chart.svg?side=France")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in svg.content[:2000] and "France" in svg.text
    assert client.get(f"/matches/{BELGIUM_JAPAN}/chart.gif").status_code == 404
    assert client.get(f"/matches/{BELGIUM_JAPAN}/chart.png?side=Brazil").status_code == 422


def test_the_data_as_csv_with_its_attribution(client):
    response = client.get(f"/matches/{BELGIUM_JAPAN}/timeline.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    lines = response.text.splitlines()
    assert lines[0].startswith("# ") and "Fjelstul" in response.text.split("\n\n")[0]
    rows = list(csv.DictReader(io.StringIO("\n".join(x for x in lines if not x.startswith("#")))))
    api = client.get(f"/api/matches/{BELGIUM_JAPAN}").json()
    assert len(rows) == len(api["timeline"])
    assert rows[-1]["emotion_Japan"] == api["emotions"]["Japan"][-1]["emotion"]


def test_the_page_offers_every_download_and_the_embed(client):
    html = client.get(f"/matches/{BELGIUM_JAPAN}?side=Japan", headers=HTML).text
    for href in (
        "/matches/41696/chart.png?side=Japan",
        "/matches/41696/chart.svg?side=Japan",
        "/matches/41696/timeline.csv?side=Japan",
        "/api/matches/41696?side=Japan",
    ):
        assert f'href="{href}"' in html
        assert client.get(href).status_code == 200
    assert "&lt;iframe src=&quot;http://testserver/matches/41696/embed?side=Japan" in html
    # The page's own links stay relative: it names no host but in its previews' metadata.
    assert 'href="/matches/41696?side=Japan"' in html


def test_the_embed_is_the_chart_alone(client):
    html = client.get(f"/matches/{BELGIUM_JAPAN}/embed?side=Japan", headers=HTML).text
    assert '<img src="/matches/41696/chart.svg?side=Japan"' in html
    assert 'href="/matches/41696?side=Japan" target="_top"' in html
    assert "<nav" not in html  # no site chrome
    assert "Fjelstul" in html


def test_a_match_without_a_chart_shares_its_record(client):
    html = client.get(f"/matches/{GERMANY_JAPAN_2023}", headers=HTML).text
    assert "og:image" not in html
    assert "Germany 1–4 Japan" in meta(html, "og:title")
