"""The drama index, ``heartbreak top`` and ``heartbreak team`` on the real store."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from heartbreak.cli import app
from heartbreak.drama.metrics import RANKED_METRICS

runner = CliRunner()


def run(db, *args):
    return runner.invoke(app, [*args, "--db", str(db)])


def test_the_index_covers_every_match_twice(real_store):
    counts = real_store.query(
        "SELECT count(*) AS rows, count(DISTINCT match_id) AS matches, "
        "sum(CASE WHEN complete THEN 1 ELSE 0 END) AS complete FROM drama"
    ).iloc[0]
    assert counts["rows"] == 2 * counts["matches"]
    assert counts["matches"] == len(real_store.matches())
    # Incomplete matches carry pre-match figures only.
    incomplete = real_store.query("SELECT * FROM drama WHERE NOT complete")
    assert incomplete["prematch_chance"].notna().all()
    assert incomplete["heartbreak"].isna().all() and incomplete["peak_chance"].isna().all()


def test_heartbreak_and_comeback_sit_on_the_loser_and_the_winner(real_store):
    rows = real_store.query("SELECT result, heartbreak, comeback FROM drama WHERE complete")
    assert (rows.loc[rows["result"] != "lost", "heartbreak"] == 0).all()
    assert (rows.loc[rows["result"] != "won", "comeback"] == 0).all()


def test_acceptance_japan_2018_is_among_the_most_heartbreaking_world_cup_knockouts(real_db_path):
    done = run(
        real_db_path,
        "top",
        "--metric",
        "heartbreak",
        "--competition",
        "FIFA World Cup",
        "--stage",
        "knockout",
        "--limit",
        "10",
        "--format",
        "json",
    )
    assert done.exit_code == 0, done.output
    records = json.loads(done.output)
    assert len(records) == 10
    assert [r["rank"] for r in records] == list(range(1, 11))
    values = [r["value"] for r in records]
    assert values == sorted(values, reverse=True)
    keys = {
        "rank",
        "match_id",
        "date",
        "home",
        "away",
        "score",
        "competition",
        "stage",
        "side",
        "metric",
        "value",
        "reason",
    }
    assert all(set(r) == keys for r in records)
    japan = [r for r in records if r["date"] == "2018-07-02" and r["away"] == "Japan"]
    assert len(japan) == 1 and japan[0]["side"] == "Japan"
    assert "90+4'" in japan[0]["reason"] and "Japan" in japan[0]["reason"]


@pytest.mark.parametrize("metric", RANKED_METRICS)
def test_every_metric_ranks(real_db_path, metric):
    done = run(real_db_path, "top", "--metric", metric, "--limit", "5", "--format", "json")
    assert done.exit_code == 0, done.output
    records = json.loads(done.output)
    assert len(records) == 5 and all(r["metric"] == metric for r in records)
    assert all(r["reason"] for r in records)


def test_filters(real_db_path):
    done = run(
        real_db_path,
        "top",
        "--metric",
        "comeback",
        "--stage",
        "final",
        "--from",
        "1950",
        "--to",
        "2022",
        "--limit",
        "50",
        "--format",
        "json",
    )
    records = json.loads(done.output)
    assert records and all(r["stage"] == "final" for r in records)
    assert all("1950" <= r["date"][:4] <= "2022" for r in records)
    done = run(real_db_path, "top", "--team", "Japan", "--limit", "20", "--format", "json")
    assert all("Japan" in (r["home"], r["away"]) for r in json.loads(done.output))


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("--metric", "joy"), "--metric"),
        (("--stage", "semis"), "--stage"),
        (("--from", "20x8"), "--from"),
        (("--team", "Atlantis"), "Atlantis"),
    ],
)
def test_bad_filters_are_one_clear_error(real_db_path, args, named):
    done = run(real_db_path, "top", *args)
    assert done.exit_code == 2
    assert named in done.output


def test_team_profile(real_db_path, tmp_path):
    chart = tmp_path / "japan.png"
    done = run(real_db_path, "team", "Japan", "--format", "json", "--chart", str(chart))
    assert done.exit_code == 0, done.output
    profile = json.loads(done.output[done.output.index("{") : done.output.rindex("}") + 1])
    assert profile["team"] == "Japan"
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    record = profile["knockout_record"]
    assert record["played"] == record["won"] + record["lost"] + record["level"]
    assert record["definition"] and record["summary"]
    dates = [r["date"] for r in profile["most_heartbreaking"]]
    assert "2018-07-02" in dates
    assert all(r["side"] == "Japan" for r in profile["most_heartbreaking"] + profile["most_joyful"])


def test_team_errors(real_db_path, tmp_path):
    assert run(real_db_path, "team", "Atlantis").exit_code == 2
    assert run(real_db_path, "team", "Japan", "--chart", str(tmp_path / "x.gif")).exit_code == 2
