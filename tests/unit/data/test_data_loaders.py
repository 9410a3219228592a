"""Validation of the source CSVs: each class of malformed row, located by file and line."""

from __future__ import annotations

import io

import pytest

from heartbreak.data.loaders import (
    load_sources,
    parse_goalscorers,
    parse_results,
    read_csv,
)
from heartbreak.errors import BadSourceRow, BadSourceRows

RESULTS = "international/results.csv"
GOALS = "international/goalscorers.csv"
HEADER = "date,home_team,away_team,home_score,away_score,tournament,city,country,neutral"


def bad_rows(tiny_data) -> list[BadSourceRow]:
    with pytest.raises(BadSourceRows) as caught:
        load_sources(tiny_data.root)
    return caught.value.rows


def only_bad_row(tiny_data) -> BadSourceRow:
    rows = bad_rows(tiny_data)
    assert len(rows) == 1, [r.message for r in rows]
    return rows[0]


def test_tiny_data_loads_with_its_quirks_as_warnings(tiny_data):
    sources = load_sources(tiny_data.root)
    assert sources.bad_rows == []
    assert any("Saare County" in w for w in sources.warnings)
    assert any("no minute" in w for w in sources.warnings)
    # The double-header: two matches with the same date and teams, goals split by score.
    tahiti = sources.results[sources.results["home"] == "Tahiti"]
    assert list(tahiti["match_id"]) == [1, 2]
    goals = sources.goals[sources.goals["match_id"].isin([1, 2])]
    assert list(goals.groupby("match_id").size()) == [3, 3]


def test_parsers_take_open_streams():
    text = f"{HEADER}\n2018-07-02,Belgium,Japan,3,2,FIFA World Cup,Rostov,Russia,TRUE\n"
    table = parse_results(io.StringIO(text))
    assert table.bad_rows == []
    row = table.frame.iloc[0]
    assert (row["home"], row["away"], row["home_score"], row["away_score"]) == (
        "Belgium",
        "Japan",
        3,
        2,
    )
    assert bool(row["neutral"]) is True
    assert parse_results(io.BytesIO(text.encode())).frame.shape == table.frame.shape


def test_missing_column_is_a_whole_file_problem_on_line_1(tiny_data):
    text = tiny_data.read(RESULTS).replace(",neutral", "", 1)
    tiny_data.write(RESULTS, text)
    row = only_bad_row(tiny_data)
    assert (row.file, row.line) == (RESULTS, 1)
    assert "missing column neutral" in row.problem
    # It cannot be skipped: the file itself is unusable.
    with pytest.raises(BadSourceRow) as caught:
        load_sources(tiny_data.root, skip_bad_rows=True)
    assert caught.value.line == 1


def test_unparseable_date(tiny_data):
    line = tiny_data.replace(RESULTS, "2019-11-16,Russia,Belgium", "2019-13-16,Russia,Belgium")
    row = only_bad_row(tiny_data)
    assert (row.file, row.line) == (RESULTS, line)
    assert "'2019-13-16' is not a date" in row.problem


@pytest.mark.parametrize("score", ["x", "-1", "1.5", ""])
def test_unparseable_or_negative_score(tiny_data, score):
    line = tiny_data.replace(RESULTS, "Belgium,Russia,3,1,", f"Belgium,Russia,{score},1,")
    rows = bad_rows(tiny_data)
    # The goals of that match still point at an existing row: one bad row only.
    assert [(r.file, r.line) for r in rows] == [(RESULTS, line)]
    assert "home_score" in rows[0].problem


@pytest.mark.parametrize("minute", ["0", "131", "-3", "12a", ""])
def test_goal_minute_outside_1_to_130(tiny_data, minute):
    line = tiny_data.replace(GOALS, "Youri Tielemans,14,", f"Youri Tielemans,{minute},")
    row = only_bad_row(tiny_data)
    assert (row.file, row.line) == (GOALS, line)
    assert "minute" in row.problem


def test_na_minute_is_an_unknown_minute_not_an_error(tiny_data):
    tiny_data.replace(GOALS, "Youri Tielemans,14,", "Youri Tielemans,NA,")
    sources = load_sources(tiny_data.root)
    assert sources.goals["minute"].isna().sum() == 2


def test_minute_130_is_allowed(tiny_data):
    tiny_data.replace(GOALS, "Frank Lampard,115,", "Frank Lampard,130,")
    assert load_sources(tiny_data.root).bad_rows == []


def test_goal_for_a_team_not_in_the_match(tiny_data):
    line = tiny_data.replace(GOALS, "Belgium,Russia,Russia,Denis", "Belgium,Russia,Brazil,Denis")
    row = only_bad_row(tiny_data)
    assert (row.file, row.line) == (GOALS, line)
    assert "'Brazil', who did not play in Belgium v Russia" in row.problem


def test_goal_whose_match_does_not_exist(tiny_data):
    line = tiny_data.append(GOALS, "2019-03-22,Belgium,Russia,Belgium,Ghost,10,FALSE,FALSE")
    row = only_bad_row(tiny_data)
    assert (row.file, row.line) == (GOALS, line)
    assert "no match Belgium v Russia on 2019-03-22" in row.problem


def test_duplicate_match_is_an_identical_row(tiny_data):
    first = tiny_data.replace(RESULTS, "2019-03-21,Belgium", "2019-03-21,Belgium")
    copy = tiny_data.read(RESULTS).split("\n")[first - 1]
    line = tiny_data.append(RESULTS, copy)
    row = only_bad_row(tiny_data)
    assert (row.file, row.line) == (RESULTS, line)
    assert f"duplicate of the match on line {first}" in row.problem


def test_same_date_and_teams_with_other_scores_are_two_matches(tiny_data):
    # The default tiny data holds the real Tahiti v New Caledonia double-header (2-1, 1-2).
    sources = load_sources(tiny_data.root)
    assert len(sources.results[sources.results["home"] == "Tahiti"]) == 2


def test_world_cup_goal_for_a_team_not_in_the_match(tiny_data):
    line = tiny_data.replace(
        "worldcup/goals.csv", "M-2018-54,Belgium,1,0,Chadli", "M-2018-54,Brazil,1,0,Chadli"
    )
    row = only_bad_row(tiny_data)
    assert (row.file, row.line) == ("worldcup/goals.csv", line)


def test_world_cup_goal_whose_match_does_not_exist(tiny_data):
    line = tiny_data.replace(
        "worldcup/goals.csv", "M-2018-54,Belgium,1,0,Chadli", "M-2018-99,Belgium,1,0,Chadli"
    )
    row = only_bad_row(tiny_data)
    assert (row.file, row.line) == ("worldcup/goals.csv", line)
    assert "M-2018-99" in row.problem


def test_world_cup_match_without_a_results_row(tiny_data):
    line = tiny_data.replace(
        "worldcup/matches.csv", "2018-07-02,Belgium,Japan", "2018-07-03,Belgium,Japan"
    )
    row = only_bad_row(tiny_data)
    assert (row.file, row.line) == ("worldcup/matches.csv", line)
    assert "no row of international/results.csv on 2018-07-03" in row.problem


def test_world_cup_stoppage_minute_outside_range(tiny_data):
    line = tiny_data.replace("worldcup/goals.csv", "Chadli,Nacer,90,4", "Chadli,Nacer,131,4")
    row = only_bad_row(tiny_data)
    assert (row.file, row.line) == ("worldcup/goals.csv", line)


def test_all_bad_rows_are_collected_and_sorted(tiny_data):
    a = tiny_data.replace(RESULTS, "2019-11-16,Russia,Belgium", "2019-02-30,Russia,Belgium")
    b = tiny_data.replace(GOALS, "Youri Tielemans,14,", "Youri Tielemans,200,")
    c = tiny_data.replace(GOALS, "Eden Hazard,88,FALSE", "Eden Hazard,88,MAYBE")
    rows = bad_rows(tiny_data)
    assert [(r.file, r.line) for r in rows] == [(GOALS, b), (GOALS, c), (RESULTS, a)]
    with pytest.raises(BadSourceRows) as caught:
        load_sources(tiny_data.root)
    assert "and 2 more bad rows" in caught.value.message


def test_skip_bad_rows_drops_them_and_reports_the_count(tiny_data):
    tiny_data.replace(RESULTS, "Belgium,Russia,3,1,", "Belgium,Russia,3,x,")
    tiny_data.replace(GOALS, "Frank Lampard,115,", "Frank Lampard,999,")
    sources = load_sources(tiny_data.root, skip_bad_rows=True)
    assert sources.skipped == 2
    assert len(sources.results) == 8
    # The goals of the dropped match go with it.
    assert any("left out with their skipped matches" in w for w in sources.warnings)
    assert "Frank Lampard" not in set(sources.goals["scorer"])
    assert "Youri Tielemans" not in set(sources.goals["scorer"])


def test_wrong_number_of_fields_is_a_bad_row(tiny_data):
    line = tiny_data.append(RESULTS, "2020-01-01,Belgium,Russia,1,1,Friendly,Brussels,Belgium")
    row = only_bad_row(tiny_data)
    assert (row.file, row.line) == (RESULTS, line)
    assert "expected 9 fields, found 8" in row.problem


def test_line_numbers_count_physical_lines():
    # A quoted field spanning two lines and a blank line: line numbers stay physical.
    text = (
        f"{HEADER}\n"
        '2018-07-02,Belgium,Japan,3,2,FIFA World Cup,"Rostov\non-Don",Russia,TRUE\n'
        "\n"
        "2018-07-03,Sweden,Switzerland,x,0,FIFA World Cup,Saint Petersburg,Russia,TRUE\n"
    )
    table = parse_results(io.StringIO(text))
    assert [r.line for r in table.bad_rows] == [5]
    assert list(table.frame["line"]) == [2, 5]
    assert list(table.frame["match_id"]) == [1, 2]


def test_read_csv_keeps_na_as_text():
    text = "date,home_team,away_team,team,scorer,minute,own_goal,penalty\n"
    text += "1970-01-01,A,B,A,NA,NA,FALSE,FALSE\n"
    frame, bad, _ = read_csv(io.StringIO(text), GOALS, ["scorer", "minute"])
    assert bad == []
    assert frame.loc[0, "scorer"] == "NA"
    assert parse_goalscorers(io.StringIO(text)).frame["minute"].isna().all()


def test_not_utf8_is_a_whole_file_problem(tiny_data):
    tiny_data.path(RESULTS).write_bytes(
        tiny_data.read(RESULTS).encode() + b"2020-01-01,K\xf6ln,B,1,1,Friendly,X,Y,FALSE\n"
    )
    row = only_bad_row(tiny_data)
    assert row.file == RESULTS
    assert "not UTF-8" in row.problem
