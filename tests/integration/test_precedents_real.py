"""Precedents on the real store: the facts told about Belgium 3-2 Japan (2 July 2018) and a few
other famous matches, each checked against a separate pandas computation over the real data
written here (not with the query's code), and the ``context`` of ``heartbreak story``.

Belgium came back from 0-2 (Haraguchi 48', Inui 52') through Vertonghen 69', Fellaini 74' and
Chadli 90+4'. The previous World Cup knockout match won from two goals down is West Germany's
3-2 over England after extra time in the 1970 quarter-final (named "Germany" in the data);
before it Portugal's 5-3 over North Korea (1966, from 0-3). West Germany's 1982 semi-final
against France came back from 1-3 in extra time but was won on penalties: not a win.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import heartbreak.services as services
from heartbreak.cli import app
from heartbreak.story.narrative import number_tokens
from heartbreak.story.records import Precedent, precedents

runner = CliRunner()

DAY = pd.Timestamp("2018-07-02")
KO_STAGES = {"round of 16", "quarter-finals", "semi-finals", "third-place match", "final"}


@pytest.fixture(scope="module")
def tables(real_store) -> tuple[pd.DataFrame, pd.DataFrame]:
    return real_store.matches(), real_store.all_goals()


@pytest.fixture(scope="module")
def ko(tables) -> pd.DataFrame:
    """Men's World Cup knockout matches, by an independent filter: Fjelstul ids "M-" and a
    knockout stage name."""
    matches = tables[0]
    wc = matches[matches["wc_match_id"].fillna("").str.startswith("M-")]
    return wc[wc["stage"].isin(KO_STAGES)].sort_values(["date", "match_id"])


@pytest.fixture(scope="module")
def running(tables, ko) -> pd.DataFrame:
    """Per knockout match: the largest deficit of the team that went through, the side that won
    in play, and the winning goal (found by replaying the goals one by one in Python)."""
    goals = tables[1]
    rows = []
    for m in ko.itertuples(index=False):
        g = goals[goals["match_id"] == m.match_id].sort_values("seq")
        through = "home" if m.winner == m.home else "away" if m.winner == m.away else None
        won = (
            "home"
            if m.home_score > m.away_score
            else "away"
            if m.away_score > m.home_score
            else None
        )
        home = away = 0
        worst = {"home": 0, "away": 0}
        winning = None
        for goal in g.itertuples(index=False):
            home += goal.side == "home"
            away += goal.side == "away"
            worst["home"] = max(worst["home"], away - home)
            worst["away"] = max(worst["away"], home - away)
            # The winner's goal that took it from level to ahead, for the last time.
            lead = home - away if won == "home" else away - home
            if won is not None and goal.side == won and lead == 1:
                winning = goal
        rows.append(
            {
                "match_id": m.match_id,
                "date": m.date,
                "home": m.home,
                "away": m.away,
                "stage": m.stage,
                "through": through,
                "won": won,
                "deficit": worst[through] if through else 0,
                "complete": bool(m.timeline_complete) and len(g) == m.home_score + m.away_score,
                "win_minute": None if winning is None else int(winning.minute),
                "win_stoppage": None if winning is None else int(winning.stoppage),
                "win_period": None if winning is None else winning.period,
                "win_scorer": None if winning is None else winning.scorer,
            }
        )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def belgium_japan(real_store) -> int:
    return real_store.find_match("Belgium", "Japan", "2018-07-02")


@pytest.fixture(scope="module")
def facts(belgium_japan, tables) -> dict[str, Precedent]:
    found = precedents(belgium_japan, *tables)
    by_kind = {f.kind: f for f in found}
    assert len(by_kind) == len(found)  # one fact of each kind for this match
    return by_kind


def check_numbers(fact: Precedent) -> None:
    assert sorted(number_tokens(fact.text)) == sorted(t for t, _, _ in fact.numbers)


# --- Belgium 3-2 Japan ----------------------------------------------------------------------


def test_belgium_japan_facts_strongest_first(belgium_japan, tables):
    found = precedents(belgium_japan, *tables)
    assert [f.kind for f in found] == [
        "comeback",
        "first_knockout_goals",
        "stage_missed",
        "late_winner",
    ]
    for fact in found:
        check_numbers(fact)
        assert fact.match_id == belgium_japan


def test_belgium_japan_comeback(facts, running, belgium_japan):
    fact = facts["comeback"]
    assert fact.text == (
        "Belgium were the first team to come from two goals down to win a World Cup knockout "
        "match since Germany against England in 1970."
    )
    here = running.set_index("match_id").loc[belgium_japan]
    assert here["deficit"] == 2 and here["won"] == "home"
    before = running[(running["date"] < DAY) & running["won"].notna()]
    assert before["complete"].all()
    comebacks = before[before["deficit"] >= 2]
    latest = comebacks.iloc[-1]
    assert (latest["home"], latest["away"], latest["date"].year) == ("England", "Germany", 1970)
    assert fact.reference_match_id == latest["match_id"]
    assert str(fact.reference_date) == "1970-06-14"
    # Every earlier one, oldest first (West Germany's 1982 shootout is not among them).
    assert [(r.date.year, r.home, r.away) for r in comebacks.itertuples()] == [
        (1938, "Germany", "Switzerland"),
        (1938, "Brazil", "Sweden"),
        (1954, "Switzerland", "Austria"),
        (1954, "Germany", "Hungary"),
        (1966, "North Korea", "Portugal"),
        (1970, "England", "Germany"),
    ]
    shootout = running[(running["deficit"] >= 2) & running["won"].isna()]
    assert [(r.date.year, r.home, r.away) for r in shootout.itertuples()] == [
        (1982, "Germany", "France")
    ]


def test_belgium_japan_first_knockout_goals(facts, ko, tables, belgium_japan):
    fact = facts["first_knockout_goals"]
    assert fact.text == (
        "Japan's goals at 48' and 52' were their first in a World Cup knockout match, after 2 "
        "knockout matches without one."
    )
    earlier = ko[(ko["date"] < DAY) & ((ko["home"] == "Japan") | (ko["away"] == "Japan"))]
    assert [d.year for d in earlier["date"]] == [2002, 2010]
    japan_goals = np.where(earlier["home"] == "Japan", earlier["home_score"], earlier["away_score"])
    assert japan_goals.tolist() == [0, 0]
    goals = tables[1]
    theirs = goals[(goals["match_id"] == belgium_japan) & (goals["team"] == "Japan")]
    assert theirs["minute"].tolist() == [48, 52] and theirs["stoppage"].tolist() == [0, 0]


def test_belgium_japan_stage_missed(facts, tables):
    fact = facts["stage_missed"]
    assert fact.text == (
        "Japan fell one step short of a first World Cup quarter-final, for the 3rd time."
    )
    matches = tables[0]
    wc = matches[matches["wc_match_id"].fillna("").str.startswith("M-")]
    japan = wc[((wc["home"] == "Japan") | (wc["away"] == "Japan")) & (wc["date"] <= DAY)]
    assert set(japan["stage"]) == {"group stage", "round of 16"}
    r16 = japan[japan["stage"] == "round of 16"]
    assert len(r16) == 3 and (r16["winner"] != "Japan").all() and r16["winner"].notna().all()


def test_belgium_japan_late_winner(facts, running, belgium_japan):
    fact = facts["late_winner"]
    assert fact.text == (
        "Nacer Chadli's winner at 90+4' was the latest in normal time in a World Cup knockout "
        "match since Klaas-Jan Huntelaar's at 90+4' for Netherlands against Mexico in 2014."
    )
    here = running.set_index("match_id").loc[belgium_japan]
    assert (here["win_minute"], here["win_stoppage"], here["win_scorer"]) == (
        90,
        4,
        "Nacer Chadli",
    )
    normal = running[
        (running["date"] < DAY) & running["win_period"].isin(["first_half", "second_half"])
    ]
    as_late = normal[
        (normal["win_minute"] > 90) | ((normal["win_minute"] == 90) & (normal["win_stoppage"] >= 4))
    ]
    # Totti's 90+5' penalty (2006) and Huntelaar's 90+4' penalty (2014): the latest is the tie.
    assert [
        (r.date.year, r.win_scorer, r.win_minute, r.win_stoppage) for r in as_late.itertuples()
    ] == [
        (2006, "Francesco Totti", 90, 5),
        (2014, "Klaas-Jan Huntelaar", 90, 4),
    ]
    assert fact.reference_match_id == as_late.iloc[-1]["match_id"]


def test_stoppage_minutes_before_1990_are_not_guessed(real_store, tables, running):
    """The World Cup data has stoppage minutes from 1990 on: Davids' 90+2' winner (1998) cannot
    be called the latest, since earlier winners written at 90' (Rojas, 1962) may have come later;
    Huntelaar's 90+4' (2014) is compared with Totti's 90+5' (2006)."""
    matches, goals = tables
    wc = matches[matches["wc_match_id"].fillna("").str.startswith("M-")]
    timed = goals[goals["match_id"].isin(wc["match_id"]) & (goals["stoppage"] > 0)]
    first = wc[wc["match_id"].isin(timed["match_id"])]["date"].min()
    assert first.year == 1990
    old_90 = running[(running["date"] < first) & (running["win_minute"] == 90)]
    assert not old_90.empty and (old_90["win_stoppage"] == 0).all()
    davids = real_store.find_match("Netherlands", "Serbia", "1998-06-29")
    assert running.set_index("match_id").loc[davids, "win_stoppage"] == 2
    assert "late_winner" not in {f.kind for f in precedents(davids, *tables)}
    huntelaar = real_store.find_match("Netherlands", "Mexico", "2014-06-29")
    fact = {f.kind: f for f in precedents(huntelaar, *tables)}["late_winner"]
    assert fact.text == (
        "Klaas-Jan Huntelaar's winner at 90+4' was the latest in normal time in a World Cup "
        "knockout match since Francesco Totti's at 90+5' for Italy against Australia in 2006."
    )


def test_belgium_japan_tells_nothing_it_cannot_back(tables, belgium_japan, facts):
    """No upset (Belgium were the higher rated), no first quarter-final for Belgium (1986), no
    first win over Japan (1-0 in November 2017), no rout, hat-trick or heavy defeat."""
    matches = tables[0]
    row = matches.set_index("match_id").loc[belgium_japan]
    assert row["elo_home"] > row["elo_away"]
    belgium = matches[
        ((matches["home"] == "Belgium") | (matches["away"] == "Belgium")) & (matches["date"] < DAY)
    ]
    assert "quarter-finals" in set(belgium["stage"].dropna())
    meetings = belgium[(belgium["home"] == "Japan") | (belgium["away"] == "Japan")]
    assert "Belgium" in set(meetings["winner"].dropna())
    assert set(facts) == {"comeback", "first_knockout_goals", "stage_missed", "late_winner"}


def test_no_future_leakage_on_the_real_data(tables, belgium_japan):
    matches, goals = tables
    cut = matches[(matches["date"] < DAY) | (matches["match_id"] == belgium_japan)]
    assert precedents(belgium_japan, cut, goals[goals["match_id"].isin(cut["match_id"])]) == (
        precedents(belgium_japan, matches, goals)
    )


# --- other famous matches -------------------------------------------------------------------


def test_portugal_north_korea_1966(real_store, tables, running):
    mid = real_store.find_match("Portugal", "North Korea", "1966-07-23")
    found = {f.kind: f for f in precedents(mid, *tables)}
    assert found["comeback"].text == (
        "Portugal were the first team to come from three goals down to win a World Cup knockout "
        "match since Austria against Switzerland in 1954."
    )
    assert found["hat_trick"].text == (
        "Eusébio scored the first hat-trick in a World Cup quarter-final since Theodor Wagner for "
        "Austria against Switzerland in 1954."
    )
    assert found["first_stage"].text == (
        "Portugal reached the World Cup semi-finals for the first time, at their first World Cup."
    )
    # Independently: the only earlier three-goal comeback, and Portugal's World Cup history.
    before = running[(running["date"] < pd.Timestamp("1966-07-23")) & (running["deficit"] >= 3)]
    assert [(r.date.year, r.home, r.away) for r in before.itertuples()] == [
        (1954, "Switzerland", "Austria")
    ]
    matches = tables[0]
    wc = matches[matches["wc_match_id"].fillna("").str.startswith("M-")]
    portugal = wc[(wc["home"] == "Portugal") | (wc["away"] == "Portugal")]
    assert portugal["date"].min().year == 1966
    # Quarter-final hat-tricks between 1954 and 1966: none; in 1954 Wagner and Hügi.
    goals = tables[1]
    qf = running[running["stage"] == "quarter-finals"]["match_id"]
    tally = (
        goals[goals["match_id"].isin(qf) & ~goals["own_goal"]]
        .groupby(["match_id", "scorer"])
        .size()
    )
    trebles = tally[tally >= 3].reset_index()
    years = running.set_index("match_id").loc[trebles["match_id"], "date"].dt.year.tolist()
    assert [y for y in years if 1954 <= y <= 1966] == [1954, 1954, 1966]
    assert {"Theodor Wagner", "Josef Hügi"} <= set(trebles["scorer"])


def test_brazil_germany_2014(real_store, tables, running):
    mid = real_store.find_match("Brazil", "Germany", "2014-07-08")
    found = {f.kind: f for f in precedents(mid, *tables)}
    assert found["rout"].text == (
        "Germany's 7-1 win over Brazil was the biggest winning margin ever in a World Cup "
        "semi-final."
    )
    assert found["heaviest_defeat"].text == (
        "It was Brazil's heaviest defeat since losing 0-6 to Uruguay in 1920."
    )
    matches = tables[0]
    semis = matches[
        matches["wc_match_id"].fillna("").str.startswith("M-")
        & (matches["stage"] == "semi-finals")
        & (matches["date"] < pd.Timestamp("2014-07-08"))
    ]
    assert (semis["home_score"] - semis["away_score"]).abs().max() == 5
    brazil = matches[
        ((matches["home"] == "Brazil") | (matches["away"] == "Brazil"))
        & (matches["date"] < pd.Timestamp("2014-07-08"))
    ]
    lost_by = np.where(
        brazil["home"] == "Brazil",
        brazil["away_score"] - brazil["home_score"],
        brazil["home_score"] - brazil["away_score"],
    )
    worst = brazil[lost_by >= 6]
    assert [(r.date.year, r.home, r.away) for r in worst.itertuples()] == [
        (1920, "Brazil", "Uruguay")
    ]
    assert found["heaviest_defeat"].reference_match_id == worst["match_id"].iloc[0]


def test_the_2022_final(real_store, tables, running):
    mid = real_store.find_match("Argentina", "France", "2022-12-18")
    found = precedents(mid, *tables)
    assert [f.kind for f in found] == ["hat_trick"]
    assert found[0].text == (
        "Kylian Mbappé scored the first hat-trick in a World Cup final since Geoff Hurst for "
        "England against Germany in 1966."
    )
    goals = tables[1]
    finals = running[running["stage"] == "final"]["match_id"]
    tally = (
        goals[goals["match_id"].isin(finals) & ~goals["own_goal"]]
        .groupby(["match_id", "scorer"])
        .size()
    )
    trebles = tally[tally >= 3].reset_index()
    assert trebles["scorer"].tolist() == ["Geoff Hurst", "Kylian Mbappé"]
    # No comeback: France came from 0-2 to 3-3 but lost the shootout.
    row = running.set_index("match_id").loc[mid]
    assert row["through"] == "home" and pd.isna(row["won"])


def test_spain_2010_first_title(real_store, tables):
    mid = real_store.find_match("Netherlands", "Spain", "2010-07-11")
    found = {f.kind: f for f in precedents(mid, *tables)}
    assert found["first_stage"].text == (
        "Spain won the World Cup for the first time, at their 13th World Cup."
    )
    assert found["stage_missed"].text == (
        "Netherlands fell one step short of a first World Cup title, for the 3rd time."
    )
    matches = tables[0]
    wc = matches[
        matches["wc_match_id"].fillna("").str.startswith("M-")
        & (matches["date"] <= pd.Timestamp("2010-07-11"))
    ]
    spain = wc[(wc["home"] == "Spain") | (wc["away"] == "Spain")]
    assert spain["date"].dt.year.nunique() == 13
    finals = wc[wc["stage"] == "final"]
    assert "Spain" not in set(finals["winner"].iloc[:-1])
    dutch = finals[(finals["home"] == "Netherlands") | (finals["away"] == "Netherlands")]
    assert [d.year for d in dutch["date"]] == [1974, 1978, 2010]
    assert (dutch["winner"] != "Netherlands").all()


# --- the story and the JSON contract --------------------------------------------------------


@pytest.fixture(scope="module")
def story_json(real_db_path) -> dict:
    result = runner.invoke(
        app,
        [
            "story",
            "Belgium",
            "Japan",
            "--date",
            "2018-07-02",
            "--format",
            "json",
            "--db",
            str(real_db_path),
        ],
    )
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_story_json_has_the_context_and_tells_the_strongest(story_json, facts):
    context = story_json["context"]
    assert [c["kind"] for c in context] == [
        "comeback",
        "first_knockout_goals",
        "stage_missed",
        "late_winner",
    ]
    for item in context:
        assert set(item) == {"kind", "text", "strength", "reference_match_id", "reference_date"}
        assert item["text"] == facts[item["kind"]].text
    assert context[0]["reference_match_id"] == facts["comeback"].reference_match_id
    assert context[0]["reference_date"] == "1970-06-14"
    strengths = [c["strength"] for c in context]
    assert strengths == sorted(strengths, reverse=True)
    text = story_json["story"]
    # The ride takes four sentences of the middle, so one fact fits: the strongest.
    assert text.endswith(context[0]["text"])
    assert all(c["text"] not in text for c in context[1:])
    assert text.count(".") >= 3
    # The ride is still told: the lead, the turn, the late winner, the way out.
    assert "2-0" in text and "90+4'" in text and "knocked out" in text
    assert "hit back" in text


def test_replays_cache_the_history_and_user_files_get_no_context(real_db_path, tmp_path):
    hb = services.Heartbreak(db=real_db_path)
    calls = {"matches": 0, "goals": 0}
    store = hb.store
    matches, all_goals = store.matches, store.all_goals

    def count_matches(*args, **kwargs):
        calls["matches"] += 1
        return matches(*args, **kwargs)

    def count_goals(*args, **kwargs):
        calls["goals"] += 1
        return all_goals(*args, **kwargs)

    store.matches, store.all_goals = count_matches, count_goals
    try:
        first = hb.replay("Belgium", "Japan", "2018-07-02")
        second = hb.replay("Brazil", "Germany", "2014-07-08", side="Germany")
    finally:
        del store.matches, store.all_goals
    assert calls == {"matches": 1, "goals": 1}
    assert [f.kind for f in first.context][:2] == ["comeback", "first_knockout_goals"]
    assert first.story.text.endswith(first.context[0].text)
    assert {f.kind for f in second.context} >= {"rout", "heaviest_defeat"}
    assert first.to_dict()["context"] == [f.to_dict() for f in first.context]

    path = Path(tmp_path) / "match.json"
    path.write_text(
        json.dumps(
            {
                "home": "Belgium",
                "away": "Japan",
                "date": "2018-07-02",
                "competition": "FIFA World Cup",
                "stage": "round of 16",
                "neutral": True,
                "knockout": True,
                "events": [
                    {"type": "goal", "minute": 48, "team": "Japan"},
                    {"type": "goal", "minute": 52, "team": "Japan"},
                    {"type": "goal", "minute": 69, "team": "Belgium"},
                    {"type": "goal", "minute": 74, "team": "Belgium"},
                    {"type": "goal", "minute": 90, "stoppage": 4, "team": "Belgium"},
                ],
            }
        ),
        encoding="utf-8",
    )
    result = runner.invoke(
        app, ["story", "--file", str(path), "--format", "json", "--db", str(real_db_path)]
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["context"] == []
    assert "1970" not in data["story"]


def test_one_prepared_history_answers_as_the_history_cut_at_each_match(tables):
    """A server keeps one History for every replay: its answers for World Cup knockout matches
    across the eras of stoppage minutes, and for other matches, equal those of the tables cut
    just after each match (a fresh preparation that never saw anything later)."""
    from heartbreak.story.records import History

    matches, goals = tables
    history = History(matches, goals)
    world_cup = matches["competition"] == "FIFA World Cup"
    wc_ko = matches[world_cup & matches["knockout"].fillna(False)]
    sample = pd.concat(
        [
            wc_ko.sample(40, random_state=7),
            matches[matches["timeline_complete"].fillna(False)].sample(20, random_state=7),
        ]
    )
    told = 0
    for row in sample.itertuples(index=False):
        cut = matches[(matches["date"] < row.date) | (matches["match_id"] == row.match_id)]
        alone = precedents(row.match_id, cut, goals[goals["match_id"].isin(cut["match_id"])])
        found = history.precedents(row.match_id)
        assert found == alone, row.match_id
        told += len(found)
    assert told > 20
