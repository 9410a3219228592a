"""Tournament forecasts over the real store: every kind of edition, chances that add up, the
known past kept, the CLI's JSON the API's, and bad input refused in one line."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from heartbreak.cli import app

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("competition", "year", "qualifiers"),
    [
        ("World Cup", 2018, 16),
        ("World Cup", 1986, 16),  # the four best thirds
        ("World Cup", 2026, 32),  # the eight best thirds
        ("Euro", 2016, 16),
        ("Copa America", 2021, 8),
        ("Asian Cup", 2019, 16),
        ("Gold Cup", 2023, 8),
    ],
)
def test_chances_add_up_for_every_kind_of_edition(session, competition, year, qualifiers):
    result = session.tournament(competition, year, simulations=1_000, seed=3)
    assert sum(result.p_advance.values()) == pytest.approx(qualifiers)
    for team, positions in result.p_position.items():
        assert sum(positions.values()) == pytest.approx(1.0), team
    assert result.p_champion is not None
    assert sum(result.p_champion.values()) == pytest.approx(1.0)
    first = result.rounds[0]
    assert sum(result.p_round[first].values()) == pytest.approx(qualifiers)
    assert result.rounds[-1] == "final"


def test_the_known_past_is_certain(session):
    edition = session.edition("World Cup", 2018)
    after_groups = session.tournament("World Cup", 2018, "2018-06-29", simulations=500)
    through = {t for t, p in after_groups.p_advance.items() if p == 1.0}
    out = {t for t, p in after_groups.p_advance.items() if p == 0.0}
    assert through | out == set(edition.teams)
    assert through == {t for f in edition.stages[1].fixtures for t in f.teams}
    assert "Japan" in through and "Senegal" in out  # on fair play
    after_final = session.tournament("World Cup", 2018, "2018-07-16", simulations=200)
    assert after_final.p_champion["France"] == 1.0


def test_a_straight_knockout_and_a_second_group_stage_say_what_they_cannot_forecast(session):
    second_stage = session.tournament("World Cup", 1974, simulations=200)
    assert second_stage.p_champion is None and second_stage.rounds == ()
    assert sum(second_stage.p_advance.values()) == pytest.approx(8)


def test_the_cli_json_is_the_api_json(real_db_path, client, tmp_path):
    args = ["World Cup", "2022", "--as-of", "2022-12-01", "--sims", "500", "--seed", "5"]
    chart = tmp_path / "odds.svg"
    done = CliRunner().invoke(
        app,
        ["tournament", *args, "--format", "json", "--chart", str(chart), "--db", str(real_db_path)],
    )
    assert done.exit_code == 0, done.output
    from_cli = json.loads(done.stdout)
    answer = client.get(
        "/api/tournaments/World Cup/2022", params={"as_of": "2022-12-01", "sims": 500, "seed": 5}
    )
    assert answer.status_code == 200
    assert answer.json() == from_cli
    assert chart.read_text().startswith("<?xml")
    germany = next(f for f in from_cli["forecast"] if f["team"] == "Germany")
    assert 0.0 < germany["p_advance"] < 1.0  # before their last group match


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/tournaments/World Cup/1942", "path.year"),
        ("/api/tournaments/Friendly/2018", "path.competition"),
        ("/api/tournaments/World Cup/2018?sims=0", "query.sims"),
        ("/api/tournaments/World Cup/2018?as_of=soon", "query.as_of"),
    ],
)
def test_bad_requests_are_422_naming_the_field(client, path, field):
    answer = client.get(path)
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == field


def test_the_cli_refuses_bad_input_in_one_line(real_db_path):
    done = CliRunner().invoke(app, ["tournament", "World Cup", "1942", "--db", str(real_db_path)])
    assert done.exit_code == 2
    assert done.stderr.strip() == "error: year: no modelled edition of FIFA World Cup in 1942"


def test_the_tournament_page_and_its_chart(session, client):
    japan_poland = session.find_match("Japan", "Poland", "2018-06-28")
    match_page = client.get(f"/matches/{japan_poland}", headers={"accept": "text/html"}).text
    assert 'href="/tournaments/FIFA%20World%20Cup/2018"' in match_page
    page = client.get("/tournaments/FIFA%20World%20Cup/2018?as_of=2018-06-29")
    assert page.status_code == 200
    html = page.text
    assert "Group H" in html and "(fair play)" in html  # Japan over Senegal
    assert 'src="/tournaments/FIFA%20World%20Cup/2018/odds.svg"' in html
    chart = client.get("/tournaments/FIFA%20World%20Cup/2018/odds.svg")
    assert chart.status_code == 200 and chart.headers["content-type"].startswith("image/svg")
    assert client.get("/tournaments/FIFA%20World%20Cup/1942").status_code == 422
