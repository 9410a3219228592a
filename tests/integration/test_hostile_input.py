"""Hostile and careless input: every way a match comes in is held to the same rules
(:mod:`heartbreak.rules`), and what breaks them costs nothing and changes nothing.

One test per class of bad input: the command line exits 2 with one line on stderr (no
traceback), the API answers 4xx in the one error shape, and the store, the user-matches file
(``<db>.user-matches.json``) and every live state are byte-identical afterwards. 100 red cards,
in a file, an import or a live match, are refused by a process that stays under 500 MB
(asserted on each child process's peak memory). Hypothesis-generated live message sequences
either end in the clean replay's state or are refused without changing it.

Stores are built from the tiny data (a second or so)."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from heartbreak.api import create_app
from heartbreak.build import build_store
from heartbreak.cli import app as cli
from heartbreak.data.usermatches import user_matches_path
from heartbreak.domain import Event, EventType, Match, MatchInfo, Side
from heartbreak.errors import InvalidInput
from heartbreak.live.log import LiveLog
from heartbreak.live.service import LiveService
from heartbreak.live.state import (
    check_standing,
    definition_of,
    events_of,
    feed_of,
    standing_records,
)
from heartbreak.rules import MAX_EVENTS, RATING_MAX, RATING_MIN
from heartbreak.services import Heartbreak

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

runner = CliRunner()
MEMORY_LIMIT_MB = 500

# A friendly of the tiny store's teams, as a user writes it (README schema).
FRIENDLY = {
    "home": "Belgium",
    "away": "Japan",
    "date": "2019-06-01",
    "elo_home": 1900,
    "elo_away": 1750,
    "events": [
        {"type": "goal", "minute": 12, "team": "Japan", "player": "Yuya Osako"},
        {"type": "red_card", "minute": 40, "team": "Belgium"},
        {"type": "goal", "minute": 90, "stoppage": 5, "team": "Belgium"},
    ],
}
# A team the store does not know, in a match imported once for the whole module.
ATLANTIS = {
    "home": "Atlantis",
    "away": "Russia",
    "date": "2030-07-01",
    "elo_home": 1600,
    "events": [{"type": "goal", "minute": 30, "team": "Russia"}],
}
CSV_COLUMNS = ["home", "away", "date", "neutral", "knockout", "type", "minute", "stoppage", "team"]


def red_cards(n: int, team: str = "Japan") -> list[dict]:
    return [{"type": "red_card", "minute": 1 + i % 90, "team": team} for i in range(n)]


# --------------------------------------------------------------------------- the world


class World:
    """A tiny store with one imported match, and the means to poke at it."""

    def __init__(self, root: Path, data: Path) -> None:
        self.root = root
        self.data = data
        self.db = root / "store" / "heartbreak.duckdb"
        self.user_file = user_matches_path(self.db)
        self.files = root / "files"
        self.files.mkdir(exist_ok=True)

    def fingerprint(self) -> dict[str, str | None]:
        """SHA-256 of the store and of the user-matches file (None when missing)."""
        return {
            path.name: hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None
            for path in (self.db, self.user_file)
        }

    def invoke(self, *args: str, data_dir: bool = True):
        extra = ["--db", str(self.db)] + (["--data-dir", str(self.data)] if data_dir else [])
        return runner.invoke(cli, [*args, *extra])

    def json_file(self, data, name: str = "match.json") -> Path:
        path = self.files / name
        path.write_text(json.dumps(data), encoding="utf-8")
        return path

    def csv_file(self, match: dict, name: str = "match.csv") -> Path:
        path = self.files / name
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS, extrasaction="ignore")
            writer.writeheader()
            head = {k: match.get(k, "") for k in ("home", "away", "date")}
            head["neutral"] = str(match.get("neutral", False)).lower()
            head["knockout"] = str(match.get("knockout", False)).lower()
            for event in match["events"] or [{}]:
                writer.writerow({**head, **event})
        return path

    def raw_file(self, data: bytes, name: str) -> Path:
        path = self.files / name
        path.write_bytes(data)
        return path


@pytest.fixture(scope="module")
def world(tmp_path_factory, make_tiny_data) -> World:
    root = tmp_path_factory.mktemp("hostile")
    data = make_tiny_data(root / "data")
    w = World(root, data.root)
    build_store(w.data, w.db, allow_modified=True)
    result = w.invoke("import", str(w.json_file(ATLANTIS, "atlantis.json")))
    assert result.exit_code == 0, result.stderr
    assert w.user_file.is_file()
    return w


def one_line(result) -> str:
    """The one line of a refused command: exit code 2, ``error: ...`` on stderr, no traceback,
    nothing on stdout."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert isinstance(result.exception, SystemExit), result.exception  # not a traceback
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    assert result.stdout == ""
    return lines[0]


def refused_unchanged(world: World, *args: str, data_dir: bool = True) -> str:
    """Run a command that must be refused; the store and the user file stay byte-identical."""
    before = world.fingerprint()
    line = one_line(world.invoke(*args, data_dir=data_dir))
    assert world.fingerprint() == before, line
    return line


def with_events(events, **fields) -> dict:
    return {**copy.deepcopy(FRIENDLY), **fields, "events": events}


# --------------------------------------------------------------------------- the laws of the game


def _statsbomb():
    path = Path(__file__).resolve().parents[1] / "unit" / "data" / "test_statsbomb.py"
    spec = importlib.util.spec_from_file_location("statsbomb_fixture", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def statsbomb_with_red_cards(n: int) -> list[dict]:
    """The hand-written StatsBomb events file of the reader's tests, with ``n`` more Japanese
    players sent off in the first half."""
    sb = _statsbomb()
    events = sb.match_events()
    end = next(i for i, e in enumerate(events) if e["type"]["id"] == 34)
    jerseys = [player[4] for player in sb.JAPAN_XI]
    cards = [
        sb._event(
            1000 + i,
            1,
            f"00:{10 + i % 30:02d}:00.000",
            (22, "Foul Committed"),
            sb.JAPAN,
            possession_team=sb.BELGIUM,
            player=sb._player(sb.JAPAN_XI, jerseys[i % len(jerseys)]),
            position={"id": 3, "name": "Right Center Back"},
            location=[40.0, 30.0],
            foul_committed={"card": {"id": 5, "name": "Red Card"}},
        )
        for i in range(n)
    ]
    return events[:end] + cards + events[end:]


FIFTH_RED = "a fifth red card for Japan: a side with fewer than seven players is an abandoned match"


@pytest.mark.parametrize("reds", [5, 100])
def test_a_fifth_red_card_is_an_abandoned_match_wherever_it_comes_in(world, reds):
    match = with_events(red_cards(reds), knockout=False)
    story_json = world.json_file(match)
    assert FIFTH_RED in refused_unchanged(world, "story", "--file", str(story_json))
    story_csv = world.csv_file(match)
    line = refused_unchanged(world, "story", "--file", str(story_csv))
    assert FIFTH_RED in line and str(story_csv) in line
    assert FIFTH_RED in refused_unchanged(world, "import", str(story_json))
    statsbomb = world.json_file(statsbomb_with_red_cards(reds), "events.json")
    line = refused_unchanged(world, "import", str(statsbomb), "--date", "2018-07-02")
    assert FIFTH_RED in line and "events[" in line


def test_four_red_cards_a_side_are_still_a_match(world):
    match = with_events([*red_cards(4), *red_cards(4, "Belgium")])
    result = world.invoke("story", "--file", str(world.json_file(match)), "--format", "json")
    assert result.exit_code == 0, result.stderr
    timeline = json.loads(result.stdout)["timeline"]
    assert sum(p.get("event", {}).get("type") == "red_card" for p in timeline) == 8


LAWS = {
    "extra time outside a knockout": (
        with_events([{"type": "goal", "minute": 110, "team": "Japan"}]),
        "events[0].minute: 110 is extra time but knockout is false",
    ),
    "a shootout outside a knockout": (
        with_events([], shootout_winner="Japan"),
        "shootout_winner: only a knockout match has a shootout (knockout is false)",
    ),
    "a shootout after a decided match": (
        with_events([{"type": "goal", "minute": 3, "team": "Japan"}], knockout=True)
        | {"shootout_winner": "Japan"},
        "shootout_winner: a shootout needs a level score (it is 0-1)",
    ),
    "more goals than any match": (
        with_events([{"type": "goal", "minute": 1 + i % 90, "team": "Japan"} for i in range(201)]),
        f"events: more than {MAX_EVENTS} goals and red cards in one match",
    ),
}


@pytest.mark.parametrize("case", sorted(LAWS))
def test_the_laws_of_the_game_hold_for_files_and_imports(world, case):
    match, message = LAWS[case]
    path = world.json_file(match)
    assert refused_unchanged(world, "story", "--file", str(path)) == f"error: {path}: {message}"
    assert refused_unchanged(world, "import", str(path)) == f"error: {path}: {message}"


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("NaN", "nan"),
        ("Infinity", "inf"),
        ("-Infinity", "-inf"),
        ("1e308", "1e+308"),
        ("1e400", "inf"),
        ("3999.9", "3999.9"),
        ("0.0001", "0.0001"),
    ],
)
def test_a_rating_is_finite_and_in_range(world, text, shown):
    body = json.dumps(with_events([])).replace('"elo_home": 1900', f'"elo_home": {text}')
    path = world.raw_file(body.encode(), "rating.json")
    message = f"elo_home: {shown} is not a rating: ratings are finite numbers from "
    message += f"{RATING_MIN:g} to {RATING_MAX:g}"
    assert message in refused_unchanged(world, "story", "--file", str(path))
    assert message in refused_unchanged(world, "import", str(path))
    file = world.json_file(with_events([]), "plain.json")
    line = refused_unchanged(world, "import", str(file), "--elo-home", text.lower())
    assert line.startswith("error: --elo-home: ") and "is not a rating" in line


LONG = "x" * 900_000
TEXTS = {
    "a team's name": ({"home": LONG}, "home: a team name has at most 60 characters"),
    "a player's name": (
        {"events": [{"type": "goal", "minute": 3, "team": "Japan", "player": LONG}]},
        "events[0].player: at most 100 characters",
    ),
    "a competition": ({"competition": "C" * 101}, "competition: at most 100 characters"),
    "a stage with a newline": ({"stage": "final\nerror: forged"}, "stage: control characters"),
}


@pytest.mark.parametrize("case", sorted(TEXTS))
def test_every_text_field_has_a_length_limit(world, case):
    change, message = TEXTS[case]
    path = world.json_file({**with_events([]), **change})
    assert message in refused_unchanged(world, "story", "--file", str(path))
    assert message in refused_unchanged(world, "import", str(path))


def test_a_team_cannot_play_itself_through_any_alias(world):
    korea = with_events([], home="Korea Republic", away="South Korea")
    for path in (world.json_file(korea), world.csv_file(korea)):
        line = refused_unchanged(world, "story", "--file", str(path))
        assert line == (
            f"error: {path}: away: 'South Korea' is South Korea, the home team: "
            "a team cannot play itself"
        )
        assert "a team cannot play itself" in refused_unchanged(world, "import", str(path))
    renamed = world.json_file(with_events([]), "plain.json")
    line = refused_unchanged(world, "import", str(renamed), "--away", "BELGIUM")
    assert "a team cannot play itself" in line
    for pair in ("Japan,Japan", "Japan,JAPAN", "Serbia,Yugoslavia"):
        text = f"home,away,date,neutral\nBelgium,Russia,2019-03-21,false\n{pair},1998-06-14,1\n"
        fixtures = world.raw_file(text.encode(), "fixtures.csv")
        line = refused_unchanged(world, "predict", "--batch", str(fixtures))
        assert line.startswith(f"error: {fixtures}:3: away: ")
        assert line.endswith("the home team: a team cannot play itself")


# --------------------------------------------------------------------------- files


ENCODINGS = {
    "binary": lambda text: bytes(range(256)) * 4,
    "Latin-1": lambda text: text.replace("Belgium", "Bélgium").encode("latin-1"),
    "UTF-16": lambda text: text.encode("utf-16"),
    "UTF-16 without a BOM": lambda text: text.encode("utf-16-le"),
}
ENCODING_WORDS = {
    "binary": "a binary file (it holds NUL bytes), not UTF-8 text",
    "Latin-1": "not UTF-8 text (byte 0xe9 at offset",
    "UTF-16": "the file is UTF-16 text, not UTF-8; save it as UTF-8",
    "UTF-16 without a BOM": "the file is UTF-16 text, not UTF-8; save it as UTF-8",
}


@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
def test_files_are_utf8_and_anything_else_gets_one_line_naming_it(world, encoding):
    encode = ENCODINGS[encoding]
    json_text = json.dumps(FRIENDLY, ensure_ascii=False)
    csv_text = world.csv_file(FRIENDLY).read_text(encoding="utf-8")
    fixtures_text = "home,away,date,neutral\nBelgium,Japan,2018-07-02,true\n"
    cases = [
        (world.raw_file(encode(json_text), "match.json"), ("story", "--file")),
        (world.raw_file(encode(csv_text), "match.csv"), ("story", "--file")),
        (world.raw_file(encode(json_text), "import.json"), ("import",)),
        (world.raw_file(encode(csv_text), "import.csv"), ("import",)),
        (world.raw_file(encode(fixtures_text), "fixtures.csv"), ("predict", "--batch")),
    ]
    for path, command in cases:
        line = refused_unchanged(world, *command, str(path))
        assert line.startswith(f"error: {path}: "), line
        assert ENCODING_WORDS[encoding] in line, line


def test_a_byte_order_mark_is_accepted(world):
    text = json.dumps(FRIENDLY)
    path = world.raw_file(b"\xef\xbb\xbf" + text.encode(), "bom.json")
    assert world.invoke("story", "--file", str(path)).exit_code == 0
    fixtures = world.raw_file(
        b"\xef\xbb\xbfhome,away,date,neutral\nBelgium,Japan,2018-07-02,1\n", "f.csv"
    )
    assert world.invoke("predict", "--batch", str(fixtures)).exit_code == 0


def test_json_has_a_depth_limit_and_numbers_a_size(world):
    deep = world.raw_file(b'{"home": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "deep.json")
    for command in (("story", "--file"), ("import",)):
        line = refused_unchanged(world, *command, str(deep))
        assert line == (
            f"error: {deep}: JSON nested more than 64 deep; a match file is nested 3 deep"
        )
    text = json.dumps(with_events([])).replace("1900", "9" * 5000)
    huge = world.raw_file(text.encode(), "n.json")
    for command in (("story", "--file"), ("import",)):
        assert "not valid JSON" in refused_unchanged(world, *command, str(huge))


def test_a_csv_field_has_a_size_limit(world):
    field = "y" * (129 * 1024)
    match = with_events([{"type": "goal", "minute": 3, "team": "Japan", "player": field}])
    text = world.csv_file(match).read_text(encoding="utf-8")
    path = world.raw_file(text.replace(",Japan\n", f",Japan,{field}\n").encode(), "big.csv")
    for command in (("story", "--file"), ("import",)):
        line = refused_unchanged(world, *command, str(path))
        assert line == f"error: {path}:2: a field longer than 65,536 characters"
    text = f"home,away,date,neutral\n{field},Japan,2018-07-02,1\n"
    fixtures = world.raw_file(text.encode(), "f.csv")
    line = refused_unchanged(world, "predict", "--batch", str(fixtures))
    assert line == f"error: {fixtures}:2: a field longer than 65,536 characters"


# --------------------------------------------------------------------------- the store's place


@pytest.fixture
def no_build(monkeypatch):
    """Fail loudly if a build starts reading the sources."""

    def refuse(*args, **kwargs):
        raise AssertionError("the build started")

    monkeypatch.setattr("heartbreak.build.load_sources", refuse)


def test_a_store_path_that_is_a_folder_is_refused_before_any_work(world, tmp_path, no_build):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    match = str(world.json_file(FRIENDLY))
    expected = f"error: --db: {folder} is a folder; give the store's file, e.g. "
    commands = [
        ("story", "Belgium", "Japan", "--date", "2018-07-02"),
        ("top",),
        ("import", match),
        ("data", "build"),
    ]
    for command in commands:
        result = runner.invoke(cli, [*command, "--db", str(folder), "--data-dir", str(world.data)])
        assert one_line(result).startswith(expected), command
    assert list(folder.iterdir()) == []


def _unwritable(tmp_path: Path) -> Path:
    """A folder no file can be written in: a read-only one (root writes anywhere, so for root
    a folder under /proc)."""
    if os.geteuid() == 0:
        return Path("/proc/heartbreak-hostile-test")
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    return folder


def test_a_folder_that_cannot_be_written_is_refused_before_any_work(world, tmp_path, no_build):
    db = _unwritable(tmp_path) / "heartbreak.duckdb"
    match = str(world.json_file(FRIENDLY))
    for command in (("import", match), ("data", "build")):
        result = runner.invoke(cli, [*command, "--db", str(db), "--data-dir", str(world.data)])
        line = one_line(result)
        assert line.startswith(f"error: --db: cannot write the store in {db.parent} ("), line


def test_a_team_of_imported_matches_only_gets_a_clear_answer(world):
    line = refused_unchanged(world, "team", "Atlantis")
    assert line.startswith("error: Atlantis has played only imported matches (10000000)")
    session = Heartbreak(db=world.db)
    client = TestClient(create_app(session=session, live_log=world.root / "team.live.duckdb"))
    answer = client.get("/api/teams/Atlantis")
    assert_error_shape(answer, 404)
    assert "played only imported matches" in answer.json()["error"]["message"]
    client.app.state.live.close()
    session.store.close()


# --------------------------------------------------------------------------- live


def assert_error_shape(response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"status", "type", "message", "field"}
    assert body["error"]["status"] == status
    return body["error"]


def _match(home, away, knockout, goals, reds=(), shootout=None, extra_time=None) -> Match:
    """A domain match: ``goals``/``reds`` as (minute, stoppage, side)."""
    events = [Event(EventType.GOAL, m, s, side=side) for m, s, side in goals]
    events += [Event(EventType.RED_CARD, m, s, side=side) for m, s, side in reds]
    events.sort(key=lambda e: e.sort_key)
    info = MatchInfo(home, away, dt.date(2019, 6, 1), "Friendly", knockout=knockout)
    return Match(
        info,
        sum(e.side is Side.HOME for e in events if e.type is EventType.GOAL),
        sum(e.side is Side.AWAY for e in events if e.type is EventType.GOAL),
        tuple(events),
        extra_time=extra_time,
        shootout_winner=shootout,
    )


H, A = Side.HOME, Side.AWAY
#: Clean matches fed live: a knockout won in stoppage, one that goes to extra time and a
#: shootout (with a sending-off), and a friendly with three.
MATCHES = {
    "won in stoppage": _match(
        "Belgium", "Japan", True, [(48, 0, A), (52, 0, A), (69, 0, H), (74, 0, H), (90, 4, H)]
    ),
    "extra time and a shootout": _match(
        "Portugal",
        "England",
        True,
        [(3, 0, A), (83, 0, H), (110, 0, H), (115, 0, A)],
        reds=[(60, 0, A)],
        shootout=H,
        extra_time=True,
    ),
    "a friendly with red cards": _match(
        "Colombia",
        "Japan",
        False,
        [(6, 0, A), (39, 0, H), (73, 0, A)],
        reds=[(3, 0, H), (45, 1, A), (80, 0, A)],
    ),
}
RATINGS = (1850.0, 1700.0)


@pytest.fixture(scope="module")
def session(world) -> Heartbreak:
    session = Heartbreak(db=world.db)
    yield session
    session.store.close()


@pytest.fixture(scope="module")
def clean(session, tmp_path_factory) -> dict[str, dict]:
    """The state of each match fed in order, without its id."""
    live = LiveService(session, tmp_path_factory.mktemp("clean") / "live.duckdb")
    out = {}
    for name, match in MATCHES.items():
        live_id = live.create(definition_of(match, *RATINGS))
        out[name] = without_id(live.ingest(live_id, feed_of(match)))
        assert out[name]["live"]["finished"] is True
    live.close()
    return out


def without_id(state: dict) -> dict:
    out = copy.deepcopy(state)
    out["live"].pop("id")
    return out


class LiveWorld:
    """An app over the tiny store, its live service and a client holding a token."""

    def __init__(self, session: Heartbreak, log: Path, bearer) -> None:
        self.app = create_app(session=session, live_log=log)
        self.client = TestClient(self.app, headers=bearer(self.app))
        self.live: LiveService = self.app.state.live

    def fingerprint(self) -> dict:
        """Every live match's state as the API answers it, its log and the list."""
        out = {"list": self.client.get("/api/live").content}
        for live_id, _ in self.live.log.matches():
            out[live_id] = (
                self.client.get(f"/api/live/{live_id}").content,
                self.live.log.keyed_messages(live_id),
            )
        return out

    def refused(self, method: str, url: str, status: int = 422, **kwargs) -> dict:
        before = self.fingerprint()
        error = assert_error_shape(self.client.request(method, url, **kwargs), status)
        assert self.fingerprint() == before, error
        return error


@pytest.fixture
def api(session, tmp_path, bearer):
    world = LiveWorld(session, tmp_path / "live.duckdb", bearer)
    yield world
    world.live.close()


def definition(name: str) -> dict:
    return definition_of(MATCHES[name], *RATINGS)


def test_a_live_match_with_absurd_ratings_or_one_team_twice_is_refused(api):
    base = definition("won in stoppage")
    cases = [
        ({**base, "elo_home": 3999.9, "elo_away": 0.0001}, "body.elo_home"),
        ({**base, "elo_away": 0.0001}, "body.elo_away"),
        ({**base, "home": "Korea Republic", "away": "South Korea"}, "body.away"),
        ({**base, "home": "JAPAN", "away": "Japan"}, "body.away"),
        ({**base, "home": "x" * 61}, "body.home"),
        ({**base, "competition": "c" * 101}, "body.competition"),
    ]
    for body, field in cases:
        assert api.refused("POST", "/api/live", json=body)["field"] == field
    huge = api.client.post("/api/live", json={**base, "home": LONG})  # 900 kB: refused too
    assert huge.status_code in (413, 422)
    assert_error_shape(huge, huge.status_code)
    for number in ("NaN", "Infinity", "-Infinity", "1e308", "1e999"):
        text = json.dumps(base).replace('"elo_home": 1850.0', f'"elo_home": {number}')
        error = api.refused(
            "POST", "/api/live", content=text, headers={"content-type": "application/json"}
        )
        assert error["field"] == "body.elo_home" and "is not a rating" in error["message"]
    assert api.live.log.matches() == []


def _goal(event_id, minute, team, **more):
    return {"event_id": event_id, "type": "goal", "minute": minute, "team": team, **more}


def test_live_messages_that_break_the_laws_are_refused_and_never_stored(api):
    knockout = api.client.post("/api/live", json=definition("won in stoppage")).json()
    friendly = api.client.post("/api/live", json=definition("a friendly with red cards")).json()
    ko, fr = knockout["live"]["id"], friendly["live"]["id"]
    events = f"/api/live/{ko}/events"
    reds = [
        {"event_id": f"r{i}", "type": "red_card", "minute": 10 + i % 80, "team": "Japan"}
        for i in range(100)
    ]
    error = api.refused("POST", events, json=reds)
    assert error["message"].startswith(f"team: {FIFTH_RED}") and error["field"] == "body.team"
    for red in reds[:4]:
        assert api.client.post(events, json=red).status_code == 200
    assert api.refused("POST", events, json=reds[4])["message"].startswith(f"team: {FIFTH_RED}")
    assert api.refused("POST", f"/api/live/{fr}/events", json=_goal("e", 110, "Japan")) == {
        "status": 422,
        "type": "InvalidInput",
        "message": "minute: 110 is extra time but knockout is false",
        "field": "body.minute",
    }
    shootout = {"event_id": "so", "type": "shootout", "team": "Japan"}
    friendly_shootout = api.refused("POST", f"/api/live/{fr}/events", json=shootout)
    assert friendly_shootout["message"] == (
        "type: only a knockout match has a shootout (knockout is false)"
    )
    clock = {"event_id": "c", "type": "clock", "minute": 100}
    assert "extra time" in api.refused("POST", f"/api/live/{fr}/events", json=clock)["message"]
    # A knockout level after extra time goes to a shootout, once; nothing then changes the score.
    ends = [
        {"event_id": f"end-{p}", "type": "period_end", "period": p}
        for p in ("first_half", "second_half", "extra_time_first_half", "extra_time_second_half")
    ]
    assert api.client.post(events, json=[*ends, shootout]).status_code == 200
    second = {"event_id": "so-2", "type": "shootout", "team": "Belgium"}
    assert api.refused("POST", events, json=second)["message"] == (
        "type: a second shootout: the match has had one (won by Japan)"
    )
    assert api.refused("POST", events, json=_goal("late", 110, "Japan"))["message"] == (
        "type: a shootout needs a level score (it is 0-1)"
    )
    assert api.refused("POST", events, json=_goal("late", 70, "Japan"))["message"] == (
        "minute: 105' is after full time: the match ended 0-1 at 90', with no extra time to play"
    )
    assert (
        "after the end of the second half of extra time"
        in api.refused("POST", events, json=_goal("late", 120, "Japan", stoppage=3))["message"]
    )
    # A knockout decided at 90': extra time would be after full time.
    decided = api.client.post("/api/live", json=definition("won in stoppage")).json()["live"]["id"]
    url = f"/api/live/{decided}/events"
    assert api.client.post(url, json=[_goal("g", 30, "Japan"), ends[1]]).status_code == 200
    assert api.refused("POST", url, json=_goal("et", 100, "Belgium"))["message"] == (
        "minute: 100' is after full time: the match ended 0-1 at 90', with no extra time to play"
    )
    assert (
        "after the end of the second half"
        in api.refused("POST", url, json=_goal("st", 90, "Belgium", stoppage=2))["message"]
    )
    assert api.refused("POST", url, json=_goal("p", 31, "Japan", player=LONG[:200]))["field"] == (
        "body.player"
    )
    assert api.refused("POST", url, json=_goal("e" * 65, 31, "Japan"))["field"] == "body.event_id"
    # Nothing refused was kept: a server started afresh on the same log agrees.
    states = {i: api.client.get(f"/api/live/{i}").json() for i in (ko, fr, decided)}
    api.live.close()
    again = LiveService(api.live.session, api.live.log_path)
    for live_id, state in states.items():
        assert again.state(live_id)["timeline"] == state["timeline"]
        assert again.state(live_id)["live"]["events_received"] == state["live"]["events_received"]
    again.close()


# --------------------------------------------------------------------------- live, generated


def _faulty(feed: list[dict], data) -> list[dict]:
    """A feed as a careless network delivers it: in any order, some messages twice, a goal
    first sent at a wrong minute and corrected, a goal retracted after a review."""
    messages = [dict(m) for m in feed]
    goals = [m for m in messages if m["type"] == "goal"]
    extra: list[dict] = []
    if goals and data.draw(st.booleans(), label="corrected"):
        wrong = data.draw(st.sampled_from(goals), label="wrong goal")
        minute = data.draw(st.integers(1, 89), label="wrong minute")
        messages[messages.index(wrong)] = {**wrong, "minute": minute, "stoppage": 0}
        fix = {"event_id": wrong["event_id"], "type": "correction", "minute": wrong["minute"]}
        fix["stoppage"] = wrong.get("stoppage", 0)
        extra.append(fix)
    if data.draw(st.booleans(), label="reviewed"):
        minute = data.draw(st.integers(1, 89), label="reviewed minute")
        team = data.draw(st.sampled_from(["home", "away"]), label="reviewed team")
        extra += [
            {"event_id": "var", "type": "goal", "minute": minute, "team": team},
            {"event_id": "var", "type": "retraction"},
        ]
    sent = data.draw(st.permutations(messages + extra), label="order")
    repeats = data.draw(st.lists(st.sampled_from(sent), max_size=4), label="repeats")
    return sent + repeats


SLOW = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SLOW
@given(data=st.data())
def test_faulty_feeds_end_in_the_clean_state_or_are_refused_without_change(
    session, clean, tmp_path, data
):
    name = data.draw(st.sampled_from(sorted(MATCHES)), label="match")
    sent = _faulty(feed_of(MATCHES[name]), data)
    live = LiveService(session, tmp_path / f"live-{len(os.listdir(tmp_path))}.duckdb")
    live_id = live.create(definition(name))
    refused: list[dict] = []
    for message in sent:
        before = (live.snapshot(live_id).body, live.log.keyed_messages(live_id))
        try:
            live.ingest(live_id, message)
        except InvalidInput:
            assert (live.snapshot(live_id).body, live.log.keyed_messages(live_id)) == before
            refused.append(message)
    if refused:  # a feed told 422 sends again what was refused, once the gap is filled
        live.ingest(live_id, refused)
    event(f"{name}: {'some refused, then sent again' if refused else 'none refused'}")
    final = without_id(live.state(live_id))
    distinct = {json.dumps(m, sort_keys=True) for m in sent}
    assert final["live"].pop("events_received") == len(distinct)
    assert final["live"].pop("version") == len(distinct)  # a match outside a group: its own
    want = copy.deepcopy(clean[name])
    want["live"].pop("events_received")
    want["live"].pop("version")
    assert final == want
    live.close()


def _message(draw) -> dict:
    kinds = ["goal", "goal", "red_card", "red_card", "shootout", "period_end", "correction"]
    kind = draw(st.sampled_from([*kinds, "retraction", "clock", "stoppage"]))
    message: dict = {"event_id": draw(st.sampled_from([f"m{i}" for i in range(12)])), "type": kind}
    if kind in ("goal", "red_card", "correction", "clock"):
        message["minute"] = draw(st.integers(0, 125))
        if draw(st.booleans()):
            message["stoppage"] = draw(st.integers(0, 32))
    if kind in ("goal", "red_card", "shootout") or (kind == "correction" and draw(st.booleans())):
        message["team"] = draw(st.sampled_from(["home", "away", "Japan", "Brazil"]))
    if kind in ("period_end", "stoppage"):
        periods = ["first_half", "second_half", "extra_time_first_half", "extra_time_second_half"]
        message["period"] = draw(st.sampled_from(periods))
    if kind == "stoppage":
        message["added"] = draw(st.integers(0, 31))
    if kind == "correction":
        message["version"] = draw(st.integers(2, 4))
    return message


@st.composite
def any_message(draw) -> dict:
    return _message(draw)


@SLOW
@given(knockout=st.booleans(), sent=st.lists(any_message(), min_size=1, max_size=25))
def test_any_message_is_kept_with_its_replay_or_refused_without_change(
    session, tmp_path, knockout, sent
):
    name = "won in stoppage" if knockout else "a friendly with red cards"
    log = tmp_path / f"live-{len(os.listdir(tmp_path))}.duckdb"
    live = LiveService(session, log)
    live_id = live.create(definition(name))
    match = live.match(live_id)
    for message in sent:
        before = (live.snapshot(live_id).body, live.log.keyed_messages(live_id))
        try:
            live.ingest(live_id, message)
        except InvalidInput:
            assert (live.snapshot(live_id).body, live.log.keyed_messages(live_id)) == before
    state = live.snapshot(live_id).body
    kept = dict(live.log.keyed_messages(live_id))
    check_standing(match, events_of(standing_records(kept)))  # what stands keeps the laws
    live.close()
    again = LiveService(session, log)  # and replays after a restart, to the same state
    assert json.loads(again.snapshot(live_id).body)["timeline"] == json.loads(state)["timeline"]
    again.close()


# --------------------------------------------------------------------------- bounded cost


#: Runs a command and prints its exit code and its peak memory (``ru_maxrss`` from ``wait4``,
#: in kB). A small process of its own: a child forked straight from the test process would count
#: the test process's memory as its own (Linux carries the peak of the process image it was
#: forked from across ``exec``).
LAUNCHER = (
    "import os, subprocess, sys\n"
    "child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
    "_, status, usage = os.wait4(child.pid, 0)\n"
    "print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)\n"
)


def _peak_mb(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str, float]:
    """Run a child process; its exit code, its stderr and its peak resident memory in MB."""
    done = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    code, peak_kb = done.stdout.split()
    return int(code), done.stderr, int(peak_kb) / 1024


LIVE_CHILD = textwrap.dedent(
    """
    import json, sys, warnings
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient
    from heartbreak.api import create_app
    from heartbreak.services import Heartbreak

    db, log, definition = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    app = create_app(session=Heartbreak(db=db), live_log=log)
    token, _ = app.state.live_auth.tokens.create(label="child")
    client = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    live_id = client.post("/api/live", json=definition).json()["live"]["id"]
    url = f"/api/live/{live_id}/events"
    reds = [
        {"event_id": f"r{i}", "type": "red_card", "minute": 1 + i % 90, "team": "Japan"}
        for i in range(100)
    ]
    codes = [client.post(url, json=reds).status_code]
    codes += [client.post(url, json=red).status_code for red in reds]
    state = client.get(url.removesuffix("/events")).json()
    sys.stderr.write(json.dumps({"codes": codes, "received": state["live"]["events_received"]}))
    app.state.live.close()
    """
)


def test_a_hundred_red_cards_are_refused_in_bounded_memory(world, tmp_path):
    env = {**os.environ, "HEARTBREAK_DATA_DIR": str(world.data)}
    match = world.json_file(with_events(red_cards(100), knockout=True), "reds.json")
    main = [sys.executable, "-c", "from heartbreak.cli import main; main()"]
    before = world.fingerprint()
    for command in (["story", "--file", str(match)], ["import", str(match)]):
        code, err, peak = _peak_mb([*main, *command, "--db", str(world.db)], env, tmp_path)
        assert code == 2 and FIFTH_RED in err and len(err.strip().splitlines()) == 1, err
        assert peak < MEMORY_LIMIT_MB, (command, peak)
    assert world.fingerprint() == before
    body = json.dumps(definition("won in stoppage"))
    args = [sys.executable, "-c", LIVE_CHILD, str(world.db), str(tmp_path / "l.duckdb"), body]
    code, err, peak = _peak_mb(args, env, tmp_path)
    assert code == 0, err
    report = json.loads(err.strip().splitlines()[-1])
    assert report["codes"] == [422] + [200] * 4 + [422] * 96
    assert report["received"] == 4
    assert peak < MEMORY_LIMIT_MB, peak


def test_the_extremes_of_the_ratings_replay_in_bounded_memory(world, tmp_path):
    """A side at the top of the range against one at the bottom, four of its players sent off,
    a hundred goals and a shootout: the largest replay the rules allow."""
    goals = [{"type": "goal", "minute": 1 + i % 120, "team": "Belgium"} for i in range(98)]
    goals += [{"type": "goal", "minute": 118, "team": "Japan"}] * 98
    match = with_events(
        [*red_cards(4), *goals],
        knockout=True,
        elo_home=RATING_MAX,
        elo_away=RATING_MIN,
        shootout_winner="Japan",
    )
    path = world.json_file(match, "extreme.json")
    env = {**os.environ, "HEARTBREAK_DATA_DIR": str(world.data)}
    main = [sys.executable, "-c", "from heartbreak.cli import main; main()"]
    command = [*main, "story", "--file", str(path), "--db", str(world.db)]
    code, err, peak = _peak_mb(command, env, tmp_path)
    assert code == 0, err
    assert peak < MEMORY_LIMIT_MB, peak


def test_the_log_is_untouched_by_refusals(session, tmp_path):
    """The log keeps what was admitted, nothing else: one transaction per batch."""
    log_path = tmp_path / "live.duckdb"
    live = LiveService(session, log_path)
    live_id = live.create(definition("won in stoppage"))
    live.ingest(live_id, feed_of(MATCHES["won in stoppage"])[:3])
    kept = live.log.keyed_messages(live_id)
    with pytest.raises(InvalidInput):
        live.ingest(live_id, [_goal("x1", 10, "home"), *red_cards_messages(5)])
    assert live.log.keyed_messages(live_id) == kept
    live.close()
    log = LiveLog(log_path)
    assert log.keyed_messages(live_id) == kept
    log.close()


def red_cards_messages(n: int) -> list[dict]:
    return [
        {"event_id": f"red-{i}", "type": "red_card", "minute": 20 + i, "team": "away"}
        for i in range(n)
    ]
