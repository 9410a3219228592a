"""Getting around in a real browser: the search a page at a time (filters kept), a misspelt
team answered with the form and its suggestions, a match's team links and its competition's
next match, an unknown team's page offering the right one."""

from __future__ import annotations

import re

import httpx

BELGIUM_JAPAN = 41696

# The fixtures (base_url, browser, open_page) are in conftest.py.


def test_search_pages_through_the_results_keeping_the_filters(open_page, base_url):
    total = httpx.get(
        f"{base_url}/api/matches",
        params={"competition": "World Cup", "stage": "knockout", "limit": 1},
        timeout=30,
    ).json()["total"]
    page = open_page("/")
    page.fill("input[name=competition]", "World Cup")
    page.select_option("select[name=stage]", "knockout")
    page.click("form.search button[type=submit]")
    page.wait_for_url("**/?*competition=World+Cup*")
    assert page.locator("#page-position").inner_text() == f"matches 1–50 of {total:,}"
    assert page.locator("#page-previous").count() == 0
    newest = page.locator("table.matches tbody tr").first.get_attribute("data-match-id")

    page.click("#page-next")
    page.wait_for_url("**offset=50*")
    assert page.locator("#page-position").inner_text() == f"matches 51–100 of {total:,}"
    assert page.locator("table.matches tbody tr").count() == 50
    # The form still says what was searched, and the dates still run newest first.
    assert page.input_value("input[name=competition]") == "World Cup"
    assert page.input_value("select[name=stage]") == "knockout"
    dates = page.locator("table.matches tbody tr td:first-child").all_inner_texts()
    assert dates == sorted(dates, reverse=True)

    page.click("#page-previous")
    page.wait_for_function(
        "() => document.getElementById('page-position').textContent.startsWith('matches 1–50')"
    )
    assert "offset" not in page.url
    first = page.locator("table.matches tbody tr").first.get_attribute("data-match-id")
    assert first == newest


def test_a_misspelt_team_gets_the_form_back_with_suggestions(open_page):
    page = open_page("/")
    page.fill("input[name=team]", "Japn")
    page.fill("input[name=opponent]", "Belgium")
    page.click("form.search button[type=submit]")
    page.wait_for_selector("#search-error")
    assert page.locator("#search-error").inner_text() == "There is no team called “Japn”."
    assert page.input_value("input[name=team]") == "Japn"
    assert page.input_value("input[name=opponent]") == "Belgium"
    suggestions = page.locator("#suggestions a").all_inner_texts()
    assert suggestions[0] == "Japan"
    page.click("#suggestions a >> text=Japan")
    page.wait_for_url(re.compile(r".*team=Japan.*opponent=Belgium|.*opponent=Belgium.*team=Japan"))
    assert page.input_value("input[name=team]") == "Japan"
    assert page.locator("#search-error").count() == 0
    page.click("text=Belgium 3–2 Japan")
    page.wait_for_url(f"**/matches/{BELGIUM_JAPAN}")


def test_the_match_page_leads_to_the_teams_and_the_next_match(open_page):
    page = open_page(f"/matches/{BELGIUM_JAPAN}")
    following = page.locator("#next-match")
    assert following.inner_text() == "next FIFA World Cup match: Sweden v Switzerland →"
    following.click()
    page.wait_for_url("**/matches/41697")
    assert page.locator("h1").inner_text().split() == ["Sweden", "1–0", "Switzerland"]
    page.click("#previous-match")
    page.wait_for_url(f"**/matches/{BELGIUM_JAPAN}")
    page.click(".scoreboard .team.away a")
    page.wait_for_url("**/teams/Japan")
    assert page.locator("h1").inner_text() == "Japan"


def test_an_unknown_team_page_offers_the_right_one(open_page):
    page = open_page("/teams/Japn")
    assert page.locator("#error-message").inner_text() == "There is no team called “Japn”."
    page.click("#suggestions a >> text=Japan")
    page.wait_for_url("**/teams/Japan")
    page.wait_for_function(
        """() => { const canvas = document.getElementById('rating-chart');
                   const c = window.Chart && Chart.getChart(canvas);
                   return c && c.data.datasets[0].data.length > 700; }"""
    )
