"""The team's knockout record on the real store: it counts what it says it counts.

The numbers below were read match by match from the store and checked against the tournaments'
records: Japan's 29 knockouts of major tournaments (5 at the World Cup, 2 at the 2001
Confederations Cup, 22 at the Asian Cup), Germany's 77 (the 1938 World Cup match against
Switzerland drawn and replayed), and the friendly Japan lost on penalties to Switzerland in 1993,
which is a draw and not a knockout.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from heartbreak.cli import app as cli
from heartbreak.data.brackets import MAJOR_TOURNAMENTS
from heartbreak.history import DECIDED, KNOCKOUT_DEFINITION, knockout_record

HTML = {"accept": "text/html,application/xhtml+xml"}


@pytest.fixture(scope="module")
def record(session):
    return lambda team: session.team(team).to_dict()["knockout_record"]


def tally(rec) -> dict[str, tuple[int, int]]:
    return {how: (rec["decided"][how]["won"], rec["decided"][how]["lost"]) for how in DECIDED}


def test_japan(record):
    rec = record("Japan")
    assert rec["definition"] == KNOCKOUT_DEFINITION
    assert (rec["played"], rec["won"], rec["lost"], rec["level"]) == (29, 17, 12, 0)
    assert tally(rec) == {
        "in_90": (12, 8),
        "after_extra_time": (2, 0),
        "on_penalties": (3, 4),
        "not_recorded": (0, 0),
    }
    assert (rec["shootouts_won"], rec["shootouts_lost"]) == (3, 4)
    by_competition: dict[str, list[str]] = {}
    for m in rec["matches"]:
        by_competition.setdefault(m["competition"], []).append(m["result"])
    # Every World Cup knockout lost: 2002, 2010 (penalties), 2018, 2022 (penalties), 2026.
    assert by_competition["FIFA World Cup"] == ["lost"] * 5
    assert by_competition["Confederations Cup"] == ["won", "lost"]
    assert len(by_competition["AFC Asian Cup"]) == 22
    # Asian Cup finals won in 90 minutes count: 1992, 2000 and 2004.
    finals = [m for m in rec["matches"] if m["stage"] == "final"]
    assert [(m["date"][:4], m["result"], m["decided"]) for m in finals] == [
        ("1992", "won", "in_90"),
        ("2000", "won", "in_90"),
        ("2001", "lost", "in_90"),
        ("2004", "won", "in_90"),
        ("2011", "won", "after_extra_time"),
        ("2019", "lost", "in_90"),
    ]
    belgium = next(m for m in rec["matches"] if m["date"] == "2018-07-02")
    assert (belgium["opponent"], belgium["result"], belgium["decided"]) == (
        "Belgium",
        "lost",
        "in_90",
    )


def test_a_friendly_decided_on_penalties_is_not_counted(record, session):
    rec = record("Japan")
    assert rec["not_counted"]["friendlies_decided_on_penalties"] == 1
    assert "1993-01-23" not in {m["date"] for m in rec["matches"]}
    friendly = session.store.find_matches("Japan", "Switzerland", "1993-01-23").iloc[0]
    assert friendly["shootout_winner"] == "Switzerland"
    assert not friendly["knockout"] and friendly["winner"] is None
    # Outside the major tournaments: three World Cup qualifying play-offs decided in extra time
    # (1973, 1980, the 1997 golden goal against Iran) and four shootouts in invitation cups.
    assert rec["not_counted"]["other_competitions"] == 7
    assert "friendly decided on penalties" in rec["not_counted"]["summary"]


def test_germany(record):
    rec = record("Germany")
    assert (rec["played"], rec["won"], rec["lost"], rec["level"]) == (77, 52, 24, 1)
    assert tally(rec) == {
        "in_90": (40, 18),
        "after_extra_time": (6, 4),
        "on_penalties": (6, 2),
        "not_recorded": (0, 0),
    }
    level = [m for m in rec["matches"] if m["result"] == "level"]
    assert [(m["date"], m["opponent"]) for m in level] == [("1938-06-04", "Switzerland")]
    euro = [m for m in rec["matches"] if m["competition"] == "UEFA Euro"]
    # Euro winners in 1972, 1980 (finals in 90 minutes) and 1996 (golden goal).
    won_finals = [m["date"][:4] for m in euro if m["stage"] == "final" and m["result"] == "won"]
    assert won_finals == ["1972", "1980", "1996"]


def test_the_record_adds_up_for_every_team(session):
    rows = session.store.query(
        """SELECT d.*, m.date, m.home, m.away, m.home_score, m.away_score, m.competition,
                  m.stage, m.knockout, m.extra_time, m.shootout_winner, m.winner
           FROM drama d JOIN matches m USING (match_id) ORDER BY m.date, d.match_id"""
    )
    assert rows["team"].nunique() > 300
    for team, drama in rows.groupby("team"):
        rec = knockout_record(team, drama)
        assert rec["played"] == rec["won"] + rec["lost"] + rec["level"] == len(rec["matches"])
        assert rec["won"] == sum(v["won"] for v in rec["decided"].values())
        assert rec["lost"] == sum(v["lost"] for v in rec["decided"].values())
        assert {m["competition"] for m in rec["matches"]} <= set(MAJOR_TOURNAMENTS)
        assert rec["summary"]


def test_a_team_without_a_knockout(record):
    rec = record("Asturias")
    assert (rec["played"], rec["matches"], rec["summary"]) == (
        0,
        [],
        "No knockout match in a major tournament.",
    )


def test_the_cli_states_the_definition_and_the_breakdown(real_db_path):
    done = CliRunner().invoke(
        cli, ["team", "Japan", "--db", str(real_db_path)], env={"COLUMNS": "400"}
    )
    assert done.exit_code == 0, done.output
    text = " ".join(done.output.split())
    assert (
        "Knockout record: 29 matches: won 17 (12 in 90', 2 after extra time, 3 on penalties), "
        "lost 12 (8 in 90', 4 on penalties)."
    ) in text
    assert " ".join(KNOCKOUT_DEFINITION.split()) in text
    assert "Not counted: 1 friendly decided on penalties (a draw)" in text


def test_the_page_states_the_definition_and_the_breakdown(client):
    html = client.get("/teams/Japan", headers=HTML).text
    assert KNOCKOUT_DEFINITION.replace("'", "&#39;") in html
    assert (
        '<tr data-decided="in_90"><th scope="row">in 90&#39;</th><td>12</td><td>8</td></tr>' in html
    )
    assert html.count('<li data-result="') == 29
    assert client.get("/api/teams/Japan").json()["knockout_record"]["played"] == 29


@pytest.mark.parametrize("team", ["Asturias", "Central Spain", "Niue", "Brazil"])
def test_every_kind_of_team_has_a_page(client, team):
    response = client.get(f"/teams/{team}", headers=HTML)
    assert response.status_code == 200
    assert "Knockout record" in response.text


def test_an_unknown_team_is_a_404_page_with_suggestions(client):
    response = client.get("/teams/Japn", headers=HTML)
    assert response.status_code == 404
    assert 'href="/teams/Japan"' in response.text


@pytest.mark.parametrize("team", ["Japan", "Germany", "Asturias"])
def test_the_drawn_chart_spans_the_teams_years_and_keeps_markers_apart(session, team):
    import matplotlib.dates as mdates

    profile = session.team(team)
    fig = profile.plot()
    ax = fig.axes[0]
    low, high = (mdates.num2date(v).date() for v in ax.get_xlim())
    assert low <= profile.first_match and high >= profile.last_match
    pad = max((profile.last_match - profile.first_match).days * 0.011, 366)
    assert (profile.first_match - low).days <= pad and (high - profile.last_match).days <= pad
    points = [p for c in ax.collections for p in ax.transData.transform(c.get_offsets())]
    marks = len(profile.heartbreaks) + len(profile.joys)
    assert len(points) == marks
    size = (46**0.5) * fig.dpi / 72
    for i, (ax_, ay) in enumerate(points):
        for bx, by in points[i + 1 :]:
            assert ((ax_ - bx) ** 2 + (ay - by) ** 2) ** 0.5 >= size
