"""Getting around, in-process over the real store: team links, a competition's previous and next
match, the search newest first a page at a time, competitions as fans type them, a misspelt
team answered with its suggestions, and error pages in a reader's words."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from heartbreak.api.pages import _team_url

BELGIUM_JAPAN = 41696
HTML = {"accept": "text/html,application/xhtml+xml"}


def get_page(client, url: str, status: int = 200, **params) -> str:
    response = client.get(url, params=params or None, headers=HTML)
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def link(text: str, element_id: str) -> tuple[str, str] | None:
    """(href, text) of the link with this id, or None."""
    found = re.search(rf'<a id="{element_id}"[^>]*href="([^"]+)"[^>]*>([^<]*)</a>', text)
    if found is None:
        found = re.search(rf'<a [^>]*id="{element_id}"[^>]*href="([^"]+)"[^>]*>([^<]*)</a>', text)
    return None if found is None else (html.unescape(found[1]), html.unescape(found[2]))


def match_ids(text: str) -> list[int]:
    section = text.split('aria-label="Search results"', 1)[1].split("</section>", 1)[0]
    return [int(m) for m in re.findall(r'<tr data-match-id="(\d+)">', section)]


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


# --- 1. team links -----------------------------------------------------------------------


def test_the_match_page_links_both_teams_to_their_pages(client):
    text = get_page(client, f"/matches/{BELGIUM_JAPAN}")
    header = text.split('<header class="scoreboard">', 1)[1].split("</header>", 1)[0]
    assert '<a href="/teams/Belgium">Belgium</a>' in header
    assert '<a href="/teams/Japan">Japan</a>' in header
    for team in ("Belgium", "Japan"):
        assert get_page(client, f"/teams/{team}")


def test_team_links_are_url_encoded_and_lead_to_the_team(client, session):
    assert _team_url("São Tomé and Príncipe") == "/teams/S%C3%A3o%20Tom%C3%A9%20and%20Pr%C3%ADncipe"
    assert _team_url("A/B?c#d") == "/teams/A%2FB%3Fc%23d"
    _, rows = session.store.search_matches(team="Curaçao", limit=1000)
    match_id = int(rows.loc[rows["timeline_complete"], "match_id"].iloc[0])
    assert 'href="/teams/Cura%C3%A7ao"' in get_page(client, f"/matches/{match_id}")
    assert "Curaçao" in get_page(client, "/teams/Cura%C3%A7ao")


def test_ranked_lists_link_the_side_and_the_opponent(client):
    ranked = get_page(client, "/top", metric="heartbreak", competition="FIFA World Cup")
    assert re.search(r'<td><a href="/teams/[^"]+">[^<]+</a></td>', ranked)
    team = get_page(client, "/teams/Japan")
    section = team.split('id="list-heartbreaking"', 1)[1].split("</section>", 1)[0]
    assert 'v <a class="team-link" href="/teams/Belgium">Belgium</a>' in section
    assert 'href="/teams/Japan"' not in section


def test_a_search_for_a_team_links_its_page(client):
    text = get_page(client, "/", team="japan", opponent="BEL")
    pages = text.split('id="team-pages"', 1)[1].split("</p>", 1)[0]
    assert 'href="/teams/Japan"' in pages and 'href="/teams/Belgium"' in pages


# --- 2. previous and next match of the competition ---------------------------------------


def test_previous_and_next_match_of_the_competition(client, session):
    text = get_page(client, f"/matches/{BELGIUM_JAPAN}")
    previous, following = link(text, "previous-match"), link(text, "next-match")
    assert previous == ("/matches/41695", "← previous FIFA World Cup match: Brazil v Mexico")
    assert following == ("/matches/41697", "next FIFA World Cup match: Sweden v Switzerland →")
    back = get_page(client, following[0])
    assert link(back, "previous-match")[0] == f"/matches/{BELGIUM_JAPAN}"
    # Brazil v Mexico was played the same day: (date, match id) orders the two.
    rows = session.store.match_neighbours(BELGIUM_JAPAN)
    assert str(rows["previous"]["date"].date()) == "2018-07-02"
    assert rows["previous"]["competition"] == rows["next"]["competition"] == "FIFA World Cup"


def test_the_first_and_last_match_of_a_competition_have_one_neighbour(client, session):
    first = session.store.search_matches(competition="FIFA World Cup", newest_first=False, limit=1)
    last = session.store.search_matches(competition="FIFA World Cup", limit=1)
    first_id = int(first[1]["match_id"].iloc[0])
    last_id = int(last[1]["match_id"].iloc[0])
    opening = get_page(client, f"/matches/{first_id}")
    assert link(opening, "previous-match") is None and link(opening, "next-match")
    closing = get_page(client, f"/matches/{last_id}")
    assert link(closing, "next-match") is None and link(closing, "previous-match")


def test_a_live_match_has_no_neighbours(client):
    created = client.post(
        "/api/live",
        json={"home": "Belgium", "away": "Japan", "date": "2018-07-02", "knockout": True},
    ).json()
    text = get_page(client, f"/live/{created['live']['id']}")
    assert 'class="neighbours"' not in text and 'id="next-match"' not in text
    assert 'href="/teams/Japan"' in text


# --- 3. the search: newest first, ordered, a page at a time ------------------------------


def test_the_api_search_is_newest_first_with_an_order(client):
    newest = client.get("/api/matches", params={"competition": "FIFA World Cup"}).json()
    dates = [m["date"] for m in newest["matches"]]
    assert len(dates) == 50 and dates == sorted(dates, reverse=True)
    oldest = client.get(
        "/api/matches", params={"competition": "FIFA World Cup", "order": "oldest"}
    ).json()
    assert oldest["total"] == newest["total"]
    assert oldest["matches"][0]["date"] == "1930-07-13"
    bad = client.get("/api/matches", params={"order": "sideways"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "query.order"


def test_the_order_is_in_the_openapi_schema(client):
    spec = client.get("/openapi.json").json()
    params = {p["name"]: p for p in spec["paths"]["/api/matches"]["get"]["parameters"]}
    assert {"order", "limit", "offset", "competition"} <= set(params)
    order = params["order"]["schema"]
    enum = order.get("enum") or spec["components"]["schemas"][order["$ref"].rsplit("/", 1)[1]]
    assert (enum if isinstance(enum, list) else enum["enum"]) == ["newest", "oldest"]
    assert "newest" in params["order"]["description"]
    assert "World Cup" in params["competition"]["description"]


def test_the_search_pages_keep_the_filters(client):
    filters = {"competition": "FIFA World Cup", "stage": "knockout"}
    api = client.get("/api/matches", params={**filters, "limit": 1000}).json()
    total = api["total"]
    assert total > 100
    first = get_page(client, "/", **filters)
    assert match_ids(first) == [m["match_id"] for m in api["matches"][:50]]
    assert f"matches 1–50 of {total:,}" in first
    assert link(first, "page-previous") is None
    href, text = link(first, "page-next")
    assert text == "next page →"
    assert query_of(href) == {**filters, "offset": "50"}
    second = get_page(client, href)
    assert match_ids(second) == [m["match_id"] for m in api["matches"][50:100]]
    assert f"matches 51–100 of {total:,}" in second
    assert query_of(link(second, "page-previous")[0]) == filters
    # The last page has no next page.
    last_start = (total - 1) // 50 * 50
    last = get_page(client, "/", **filters, offset=str(last_start))
    assert link(last, "page-next") is None
    assert f"matches {last_start + 1:,}–{total:,} of {total:,}" in last


def test_the_search_form_keeps_the_order_and_the_page_size(client):
    text = get_page(client, "/", team="Japan", order="oldest", limit="5")
    assert '<option value="oldest" selected>' in text
    assert '<input type="hidden" name="limit" value="5">' in text
    api = client.get("/api/matches", params={"team": "Japan", "order": "oldest", "limit": 5})
    assert match_ids(text) == [m["match_id"] for m in api.json()["matches"]]
    following = query_of(link(text, "page-next")[0])
    assert following == {"team": "Japan", "order": "oldest", "limit": "5", "offset": "5"}
    assert "matches 1–5 of" in text


def test_thousands_are_grouped_on_the_page(client):
    total = client.get("/api/matches", params={"limit": 1}).json()["total"]
    text = get_page(client, "/", order="newest")
    assert total > 10_000 and f"matches 1–50 of {total:,}" in text


# --- 4. competitions as fans type them ---------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("World Cup", "FIFA World Cup"),
        ("world cup", "FIFA World Cup"),
        ("world cup qualification", "FIFA World Cup qualification"),
        ("World Cup qualifiers", "FIFA World Cup qualification"),
        ("euro", "UEFA Euro"),
        ("copa america", "Copa América"),
    ],
)
def test_a_competition_as_a_fan_types_it(client, session, typed, stored):
    loose = client.get("/api/matches", params={"competition": typed, "limit": 5}).json()
    exact = client.get("/api/matches", params={"competition": stored, "limit": 5}).json()
    assert loose == exact and loose["total"] > 0
    assert {m["competition"] for m in loose["matches"]} == {stored}
    top = client.get("/api/top", params={"competition": typed, "limit": 5}).json()
    assert top == client.get("/api/top", params={"competition": stored, "limit": 5}).json()
    cli_top = session.top("heartbreak", competition=typed, limit=5)
    assert cli_top["match_id"].tolist() == [r["match_id"] for r in top]


def test_world_cup_does_not_take_in_the_qualifiers_or_other_world_cups(session):
    store = session.store
    assert store.resolve_competition("World Cup") == ("FIFA World Cup",)
    assert "FIFA World Cup qualification" not in store.resolve_competition("world cup")
    names = set(store.resolve_competition("nations league"))
    assert names == {"UEFA Nations League", "CONCACAF Nations League"}


def test_the_page_says_which_competition_it_searched(client):
    text = get_page(client, "/", competition="World Cup")
    assert "World Cup: FIFA World Cup" in text
    unknown = get_page(client, "/", competition="Word Cup")
    note = unknown.split('id="competitions"', 1)[1].split("</p>", 1)[0]
    assert "No competition is called Word Cup" in note
    assert 'href="/?competition=FIFA+World+Cup"' in note


# --- 5. a misspelt team ------------------------------------------------------------------


def test_a_misspelt_team_shows_the_form_again_with_suggestions(client):
    text = get_page(client, "/", status=404, team="Japn", date_from="2018", order="oldest")
    assert '<input name="team" value="Japn"' in text
    assert '<input name="date_from" value="2018"' in text
    assert '<option value="oldest" selected>' in text
    assert "There is no team called “Japn”." in text
    suggestions = text.split('id="suggestions"', 1)[1].split("</ul>", 1)[0]
    hrefs = [html.unescape(h) for h in re.findall(r'href="([^"]+)"', suggestions)]
    assert query_of(hrefs[0]) == {"team": "Japan", "date_from": "2018", "order": "oldest"}
    assert get_page(client, hrefs[0])
    assert 'aria-label="Search results"' not in text
    assert 'id="list-heartbreak"' in text  # the rest of the page is there


def test_a_misspelt_opponent_keeps_the_team(client):
    text = get_page(client, "/", status=404, team="Japan", opponent="Belgim", offset="50")
    suggestions = text.split('id="suggestions"', 1)[1].split("</ul>", 1)[0]
    first = html.unescape(re.findall(r'href="([^"]+)"', suggestions)[0])
    assert query_of(first) == {"team": "Japan", "opponent": "Belgium"}


def test_an_invalid_field_shows_the_form_again(client):
    text = get_page(client, "/", status=422, team="Japan", date_from="yesterday")
    assert '<input name="date_from" value="yesterday"' in text
    message = text.split('id="search-error">', 1)[1].split("</p>", 1)[0]
    assert message.startswith("From: ") and "query." not in message


def test_an_unknown_team_page_offers_the_suggestions(client):
    text = get_page(client, "/teams/Japn", status=404)
    assert "There is no team called “Japn”." in text
    suggestions = text.split('id="suggestions"', 1)[1].split("</ul>", 1)[0]
    assert '<a href="/teams/Japan">Japan</a>' in suggestions
    ranked = get_page(client, "/top", status=404, team="Japn", metric="shock")
    suggestions = ranked.split('id="suggestions"', 1)[1].split("</ul>", 1)[0]
    first = html.unescape(re.findall(r'href="([^"]+)"', suggestions)[0])
    assert urlsplit(first).path == "/top"
    assert query_of(first) == {"team": "Japan", "metric": "shock"}


# --- 6. error pages speak to a reader ----------------------------------------------------


def message_of(text: str) -> str:
    return html.unescape(text.split('id="error-message">', 1)[1].split("</p>", 1)[0])


@pytest.mark.parametrize("bad", ["abc", "12.5", "-3", "999999999", "99999999999999999999"])
def test_no_such_match_is_a_404_page_that_says_so(client, bad):
    text = get_page(client, f"/matches/{bad}", status=404)
    assert message_of(text) == f"/matches/{bad}: there is no match with that id."
    assert "path.match_id" not in text and "Input should be" not in text
    assert '<a href="/">Search the matches</a>' in text


def test_other_error_pages_speak_to_a_reader(client):
    assert message_of(get_page(client, "/nowhere", status=404)) == (
        "/nowhere: there is no such page."
    )
    limit = message_of(get_page(client, "/top?limit=0", status=422))
    assert limit == "limit=0: should be greater than or equal to 1"
    live = message_of(get_page(client, "/live/nope", status=404))
    assert live == "/live/nope: there is no live match with that id."


def test_the_api_error_shape_is_unchanged(client):
    api = client.get("/api/matches/abc", headers=HTML)
    assert api.status_code == 422
    assert api.json()["error"] == {
        "status": 422,
        "type": "ValidationError",
        "message": "path.match_id: Input should be a valid integer, unable to parse string as "
        "an integer",
        "field": "path.match_id",
    }
    team = client.get("/api/teams/Japn", headers=HTML).json()["error"]
    assert team == {
        "status": 404,
        "type": "UnknownTeam",
        "message": "unknown team 'Japn'; closest: Japan, Jordan",
        "field": "path.team",
    }
    plain = client.get("/matches/abc")  # not a browser: the JSON shape
    assert plain.status_code == 404 and plain.json()["error"]["field"] == "path.match_id"
