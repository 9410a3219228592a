"""The live page behind the deployment mode's front, in Debian's chromium: nginx with nchan holds
the page's stream, the owner of the live matches publishes each frame once, and the page follows
the match to its end, through the owner being killed and its standby taking over, ending on
exactly the state that ``GET /api/live/{id}`` answers. (Fixtures: conftest.py, deployment.py.)"""

from __future__ import annotations

import httpx
import pytest

from deployment import Deployment, require_nginx, send
from heartbreak.live.state import definition_of, feed_of
from heartbreak.services import Heartbreak

BELGIUM_JAPAN = 41696


@pytest.fixture(scope="module")
def deployment(real_db_path, tmp_path_factory):
    deployment = Deployment(
        real_db_path, tmp_path_factory.mktemp("front"), nginx=require_nginx()
    ).start()
    yield deployment
    deployment.stop()


@pytest.fixture(scope="module")
def base_url(deployment) -> str:
    return deployment.url


def test_the_live_page_follows_a_match_through_the_front_and_a_takeover(
    open_page, deployment, real_db_path
):
    session = Heartbreak(db=real_db_path)
    stored = session.store.match(BELGIUM_JAPAN)
    row = session.store.match_row(BELGIUM_JAPAN)
    feed = feed_of(stored)
    headers = {"Authorization": f"Bearer {deployment.token()}"}
    with httpx.Client(base_url=deployment.url, timeout=30) as client:
        created = send(
            client, "/api/live", definition_of(stored, row["elo_home"], row["elo_away"]), headers
        )
        live_id = created["live"]["id"]
        page = open_page(f"/live/{live_id}")
        page.wait_for_function("() => window.Chart && Chart.getChart('chart')")
        half = len(feed) // 2
        for message in feed[:half]:
            state = send(client, f"/api/live/{live_id}/events", message, headers)
        score = f"{state['match']['score']['home']}–{state['match']['score']['away']}"
        page.wait_for_function(
            "(version) => Number(document.getElementById('match').dataset.lastEventId) === version",
            arg=state["live"]["version"],
        )
        assert page.locator("#score").inner_text().replace(" ", "") == score
        deployment.kill(deployment.owner())
        for message in feed[half:]:
            send(client, f"/api/live/{live_id}/events", message, headers)
        final = client.get(f"/api/live/{live_id}").json()
    page.wait_for_function(
        "(version) => Number(document.getElementById('match').dataset.lastEventId) === version",
        arg=final["live"]["version"],
    )
    assert final["live"]["finished"] is True
    assert page.locator("#clock").inner_text() == "FT"
    assert page.locator("#score").inner_text().replace(" ", "") == "3–2"
    drawn = page.evaluate("() => Chart.getChart('chart').data.datasets[0].data.length")
    assert drawn == len(final["timeline"])
