"""``predict --batch`` is one query of the ratings history and one call of the model for the
whole file, and gives what the fixtures' single predictions give, on fixtures of the real store
across eras (friendlies, qualifiers, World Cup knockouts, neutral venues, the first matches)
and names given through aliases; a bad row is still one line naming the file and the line."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from heartbreak.cli import app

runner = CliRunner()

#: Up to this many stored matches of each kind, spread over the record's 150 years.
PER_KIND = 25

#: Fixtures the store's matches do not give: names through aliases (a date-bound one:
#: Yugoslavia is Serbia from 1994 to 2003), two matches of one team on one day (the ratings
#: before it count neither), the first day of international football, a date to come, and each
#: spelling of a flag.
EXTRA = [
    ("Yugoslavia", "Brazil", "1998-06-10", "true", "false"),
    ("YUG", "Brazil", "1998-06-10", "true", "false"),
    ("West Germany", "Netherlands", "1974-07-07", "false", "true"),
    ("USA", "Korea Republic", "2018-06-01", "0", ""),
    ("côte d'ivoire", "GHANA", "2010-01-01", "yes", "no"),
    ("Tahiti", "New Caledonia", "1974-02-17", "f", "t"),
    ("Tahiti", "New Caledonia", "1974-02-18", "n", "y"),
    ("Scotland", "England", "1872-11-30", "FALSE", "False"),
    ("Scotland", "England", "1872-12-01", "false", "1"),
    ("Soviet Union", "Hungary", "1966-07-23", "TRUE", "true"),
    ("Brazil", "Argentina", "2026-12-01", "false", "false"),
]

#: Every probability a prediction gives (the rest of a row is compared exactly).
PROBABILITIES = ("p_home_win", "p_draw", "p_away_win", "p_home_advance")


def _flag(value: str) -> bool:
    return value.strip().lower() in ("true", "1", "yes", "y", "t")


@pytest.fixture(scope="module")
def fixtures(session) -> list[tuple[str, str, str, str, str]]:
    """Stored matches of each kind, evenly spaced in time, then :data:`EXTRA`."""
    frame = session.store.query(
        """
        WITH kinds AS (
            SELECT home, away, date, neutral, knockout, match_id, CASE
                WHEN competition = 'FIFA World Cup' AND knockout THEN 'world cup knockout'
                WHEN competition LIKE '%qualification%' THEN 'qualifier'
                WHEN competition = 'Friendly' THEN 'friendly'
                WHEN neutral THEN 'neutral venue'
                ELSE 'other' END AS kind
            FROM matches WHERE source != 'user'
        ), ranked AS (
            SELECT *, row_number() OVER (PARTITION BY kind ORDER BY date, match_id) - 1 AS rn,
                   count(*) OVER (PARTITION BY kind) AS n
            FROM kinds
        )
        SELECT * FROM ranked WHERE rn % (n // ? + 1) = 0 ORDER BY date, match_id
        """,
        [PER_KIND],
    )
    assert set(frame["kind"]) >= {"world cup knockout", "qualifier", "friendly", "neutral venue"}
    assert frame["date"].min() < pd.Timestamp("1900-01-01")
    rows = [
        (
            r.home,
            r.away,
            pd.Timestamp(r.date).date().isoformat(),
            "true" if r.neutral else "false",
            "1" if r.knockout else "",
        )
        for r in frame.itertuples(index=False)
    ]
    return rows + EXTRA


def write_csv(path: Path, rows, bad: str | None = None) -> Path:
    """A fixtures file of ``rows``; with ``bad``, that raw line after them, then them again."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["home", "away", "date", "neutral", "knockout"])
        writer.writerows(rows)
        if bad is not None:
            handle.write(bad + "\n")
            writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def fixtures_csv(fixtures, tmp_path_factory) -> Path:
    return write_csv(tmp_path_factory.mktemp("batch") / "fixtures.csv", fixtures)


@pytest.fixture(scope="module")
def batch(session, fixtures_csv):
    return session.predict_file(fixtures_csv)


def test_the_batch_gives_each_fixtures_single_prediction(session, fixtures, batch):
    assert len(batch) == len(fixtures)
    for (home, away, date, neutral, knockout), got in zip(fixtures, batch, strict=True):
        one = session.predict(home, away, date, neutral=_flag(neutral), knockout=_flag(knockout))
        want, have = one.to_dict(), got.to_dict()
        # The score grid of a batch is as long as its likeliest big score needs (goals past
        # a 1e-13 tail are left out), so a probability may move in its last digits.
        for key in PROBABILITIES:
            assert have.pop(key, None) == pytest.approx(want.pop(key, None), abs=1e-12), key
        assert have == want


def test_the_ratings_of_a_batch_are_each_fixtures_rating(session, fixtures, batch):
    """Ratings and names exactly as row-by-row lookups give them, and the whole prediction as
    the model gives it for those ratings in the same batch."""
    teams = [p.home for p in batch] + [p.away for p in batch]
    dates = [p.date for p in batch] * 2
    one_by_one = [session.team_rating(t, d) for t, d in zip(teams, dates, strict=True)]
    assert list(session.team_ratings(teams, dates)) == one_by_one
    frame = pd.DataFrame(
        {
            "home": [p.home for p in batch],
            "away": [p.away for p in batch],
            "date": [p.date for p in batch],
            "neutral": [p.neutral for p in batch],
            "knockout": [p.knockout for p in batch],
            "elo_home": one_by_one[: len(batch)],
            "elo_away": one_by_one[len(batch) :],
        }
    )
    assert session.predict_many(frame) == batch


def test_the_command_prints_the_batch_line_by_line(real_db_path, fixtures_csv, batch):
    done = runner.invoke(app, ["predict", "--batch", str(fixtures_csv), "--db", str(real_db_path)])
    assert done.exit_code == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines == [json.dumps(p.to_dict(), ensure_ascii=False) for p in batch]


#: Bad rows and the one line each gives (``{where}``: the file and the row's line).
BAD_ROWS = {
    "Frnace,Argentina,2018-06-30,true,true": "{where}: unknown team 'Frnace'; closest: France",
    "France,Argentina,2018-06-31,true,true": "{where}: date: '2018-06-31' is not a date "
    "(YYYY-MM-DD)",
    "France,Argentina,2018-06-30,maybe,true": "{where}: neutral: 'maybe' is not true/false",
    "Frnace,Argentina,2018-06-30,maybe,true": "{where}: neutral: 'maybe' is not true/false",
    "France,,2018-06-30,true,true": "{where}: away: a team name is required",
    "USA,United States,2018-06-30,true,true": "{where}: away: 'United States' is United "
    "States, the home team: a team cannot play itself",
    "Yugoslavia,Serbia,1998-06-10,true,false": "{where}: away: 'Serbia' is Serbia, the home "
    "team: a team cannot play itself",
    "France,Argentina": "{where}: date: a date is required (YYYY-MM-DD)",
}


@pytest.mark.parametrize("row", list(BAD_ROWS))
def test_a_bad_row_is_one_line_naming_file_and_line(real_db_path, fixtures, tmp_path, row):
    path = write_csv(tmp_path / "fixtures.csv", fixtures[:100], bad=row)
    done = runner.invoke(app, ["predict", "--batch", str(path), "--db", str(real_db_path)])
    assert done.exit_code == 2
    assert done.stdout == ""
    where = f"{path}:102"  # the header, 100 good rows, then the bad one
    assert done.stderr.splitlines() == ["error: " + BAD_ROWS[row].format(where=where)]
