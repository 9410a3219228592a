"""Shared fixtures.

- ``real_data_dir``, ``real_db_path``, ``real_store``: the real reference data (found through
  ``HEARTBREAK_DATA_DIR``) and a store built from it once per test session in a temporary folder.
  Tests that use them are skipped, with the reason, when the variable is unset.
- ``base_url``: the app over the real store, with a fresh live log and heartbeats every second,
  served by uvicorn on loopback (one server per test module); ``live_definition``: the body
  that creates Belgium v Japan, 2018, as a live match.
- ``live_headers``: the ``Authorization`` header of a token for every live match of the server
  at ``base_url`` (``serve_app`` makes one for every app it serves: ``live_token_of(url)``);
  ``bearer(app)``: the same header for an app of a test's own (a token made in its store);
  ``served_app``: the app at ``base_url``.
- ``tiny_data``: a small, consistent data folder written into ``tmp_path`` (a handful of real
  matches, including the quirks the build must accept), which a test can edit to inject one
  malformed row.
"""

# ruff: noqa: E501  (the tiny CSV files keep their real, long lines)

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _real_data_dir() -> Path | None:
    value = os.environ.get("HEARTBREAK_DATA_DIR")
    if not value:
        return None
    path = Path(value)
    if not path.is_absolute() and not path.exists():
        path = REPO / path
    return path.resolve()


@pytest.fixture(scope="session")
def real_data_dir() -> Path:
    """The real data folder (``HEARTBREAK_DATA_DIR``); skips when it is not set or missing."""
    path = _real_data_dir()
    if path is None:
        pytest.skip("HEARTBREAK_DATA_DIR is not set: real-data tests need the reference data")
    if not (path / "international" / "results.csv").is_file():
        pytest.skip(f"HEARTBREAK_DATA_DIR={path} does not hold international/results.csv")
    return path


@pytest.fixture(scope="session")
def real_build(real_data_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """The BuildReport of the session's one build of the real store."""
    from heartbreak.build import build_store

    db = tmp_path_factory.mktemp("real-store") / "heartbreak.duckdb"
    return build_store(real_data_dir, db)


@pytest.fixture(scope="session")
def real_db_path(real_build) -> Path:
    """Path of the store built from the real data once per session (read-only: do not write)."""
    return real_build.db_path


@pytest.fixture(scope="session")
def real_store(real_db_path: Path):
    """A read-only :class:`heartbreak.data.store.Store` over the real data, shared by the session."""
    from heartbreak.data.store import Store

    store = Store(real_db_path)
    yield store
    store.close()


# --------------------------------------------------------------------------- tiny data

TINY_FILES: dict[str, str] = {
    "international/results.csv": """\
        date,home_team,away_team,home_score,away_score,tournament,city,country,neutral
        1974-02-17,Tahiti,New Caledonia,2,1,Friendly,Papeete,Tahiti,FALSE
        1974-02-17,Tahiti,New Caledonia,1,2,Friendly,Papeete,Tahiti,FALSE
        1990-06-26,Yugoslavia,Spain,2,1,FIFA World Cup,Verona,Italy,TRUE
        1998-06-14,Serbia,Iran,1,0,FIFA World Cup,Saint-Étienne,France,TRUE
        2004-06-24,Portugal,England,2,2,UEFA Euro,Lisbon,Portugal,FALSE
        2018-06-19,Colombia,Japan,1,2,FIFA World Cup,Saransk,Russia,TRUE
        2018-07-02,Belgium,Japan,3,2,FIFA World Cup,Rostov-on-Don,Russia,TRUE
        2019-03-21,Belgium,Russia,3,1,UEFA Euro qualification,Brussels,Belgium,FALSE
        2019-11-16,Russia,Belgium,1,4,UEFA Euro qualification,"Saint Petersburg, Krestovsky",Russia,FALSE
        """,
    "international/goalscorers.csv": """\
        date,home_team,away_team,team,scorer,minute,own_goal,penalty
        1974-02-17,Tahiti,New Caledonia,Tahiti,A,10,FALSE,FALSE
        1974-02-17,Tahiti,New Caledonia,New Caledonia,B,20,FALSE,FALSE
        1974-02-17,Tahiti,New Caledonia,Tahiti,C,80,FALSE,FALSE
        1974-02-17,Tahiti,New Caledonia,New Caledonia,D,5,FALSE,FALSE
        1974-02-17,Tahiti,New Caledonia,Tahiti,E,30,FALSE,FALSE
        1974-02-17,Tahiti,New Caledonia,New Caledonia,F,NA,FALSE,FALSE
        2004-06-24,Portugal,England,England,Michael Owen,3,FALSE,FALSE
        2004-06-24,Portugal,England,Portugal,Hélder Postiga,83,FALSE,FALSE
        2004-06-24,Portugal,England,Portugal,Rui Costa,110,FALSE,FALSE
        2004-06-24,Portugal,England,England,Frank Lampard,115,FALSE,FALSE
        2018-07-02,Belgium,Japan,Japan,Wrong Source,50,FALSE,FALSE
        2019-03-21,Belgium,Russia,Belgium,Youri Tielemans,14,FALSE,FALSE
        2019-03-21,Belgium,Russia,Russia,Denis Cheryshev,16,FALSE,FALSE
        2019-03-21,Belgium,Russia,Belgium,Eden Hazard,45,FALSE,TRUE
        2019-03-21,Belgium,Russia,Belgium,Eden Hazard,88,FALSE,FALSE
        """,
    "international/shootouts.csv": """\
        date,home_team,away_team,winner,first_shooter
        2004-06-24,Portugal,England,Portugal,England
        2011-06-29,Saare County,Åland Islands,Åland Islands,
        """,
    "international/former_names.csv": """\
        current,former,start_date,end_date
        Serbia,FR Yugoslavia,1994-12-23,2003-02-03
        Russia,Soviet Union,1924-11-16,1991-11-13
        DR Congo,Zaïre,1971-01-10,1997-04-27
        """,
    "worldcup/matches.csv": """\
        key_id,tournament_name,match_id,stage_name,knockout_stage,replay,match_date,home_team_name,away_team_name,home_team_score,away_team_score,extra_time,penalty_shootout,home_team_score_penalties,away_team_score_penalties
        1,1990 FIFA Men's World Cup,M-1990-44,round of 16,1,0,1990-06-26,Spain,Yugoslavia,1,2,1,0,0,0
        2,1998 FIFA Men's World Cup,M-1998-12,group stage,0,0,1998-06-14,Yugoslavia,Iran,1,0,0,0,0,0
        3,2018 FIFA Men's World Cup,M-2018-15,group stage,0,0,2018-06-19,Colombia,Japan,1,2,0,0,0,0
        4,2018 FIFA Men's World Cup,M-2018-54,round of 16,1,0,2018-07-02,Belgium,Japan,3,2,0,0,0,0
        5,2019 FIFA Women's World Cup,W-2019-01,group stage,0,0,2019-06-07,France,South Korea,4,0,0,0,0,0
        """,
    "worldcup/goals.csv": """\
        key_id,tournament_name,match_id,team_name,home_team,away_team,family_name,given_name,minute_regulation,minute_stoppage,match_period,own_goal,penalty
        1,1990 FIFA Men's World Cup,M-1990-44,Yugoslavia,0,1,Stojković,Dragan,78,0,second half,0,0
        2,1990 FIFA Men's World Cup,M-1990-44,Spain,1,0,Salinas,Julio,83,0,second half,0,0
        3,1990 FIFA Men's World Cup,M-1990-44,Yugoslavia,0,1,Stojković,Dragan,92,0,"extra time, first half",0,0
        4,1998 FIFA Men's World Cup,M-1998-12,Yugoslavia,1,0,Mihajlović,Siniša,73,0,second half,0,0
        5,2018 FIFA Men's World Cup,M-2018-15,Japan,0,1,Kagawa,Shinji,6,0,first half,0,1
        6,2018 FIFA Men's World Cup,M-2018-15,Colombia,1,0,Quintero,Juan Fernando,39,0,first half,0,0
        7,2018 FIFA Men's World Cup,M-2018-15,Japan,0,1,Osako,Yuya,73,0,second half,0,0
        8,2018 FIFA Men's World Cup,M-2018-54,Japan,0,1,Haraguchi,Genki,48,0,second half,0,0
        9,2018 FIFA Men's World Cup,M-2018-54,Japan,0,1,Inui,Takashi,52,0,second half,0,0
        10,2018 FIFA Men's World Cup,M-2018-54,Belgium,1,0,Vertonghen,Jan,69,0,second half,0,0
        11,2018 FIFA Men's World Cup,M-2018-54,Belgium,1,0,Fellaini,Marouane,74,0,second half,0,0
        12,2018 FIFA Men's World Cup,M-2018-54,Belgium,1,0,Chadli,Nacer,90,4,"second half, stoppage time",0,0
        13,2019 FIFA Women's World Cup,W-2019-01,France,1,0,Le Sommer,Eugénie,9,0,first half,0,0
        """,
    "worldcup/bookings.csv": """\
        key_id,tournament_name,match_id,team_name,home_team,away_team,family_name,given_name,minute_regulation,minute_stoppage,match_period,yellow_card,red_card,second_yellow_card,sending_off
        1,2018 FIFA Men's World Cup,M-2018-15,Colombia,1,0,Sánchez,Carlos,3,0,first half,0,1,0,1
        2,2018 FIFA Men's World Cup,M-2018-15,Japan,0,1,Kawashima,Eiji,45,1,"first half, stoppage time",1,0,0,0
        """,
    "worldcup/penalty_kicks.csv": """\
        key_id,tournament_name,match_id,team_name,home_team,away_team,family_name,given_name,converted
        """,
    "worldcup/teams.csv": """\
        key_id,team_id,team_name,team_code,mens_team
        1,T-06,Belgium,BEL,1
        2,T-43,Japan,JPN,1
        3,T-86,West Germany,DEU,1
        4,T-87,Yugoslavia,YUG,1
        5,T-72,Soviet Union,SUN,1
        """,
}


class TinyData:
    """A small data folder; ``write``/``append``/``replace`` edit one of its files."""

    def __init__(self, root: Path) -> None:
        self.root = root
        for name, text in TINY_FILES.items():
            self.write(name, textwrap.dedent(text))

    def path(self, name: str) -> Path:
        return self.root / name

    def write(self, name: str, text: str) -> None:
        target = self.root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    def read(self, name: str) -> str:
        return (self.root / name).read_text(encoding="utf-8")

    def append(self, name: str, line: str) -> int:
        """Append one line; return its 1-based line number."""
        text = self.read(name)
        if not text.endswith("\n"):
            text += "\n"
        text += line + "\n"
        self.write(name, text)
        return text.count("\n")

    def replace(self, name: str, old: str, new: str) -> int:
        """Replace the one line containing ``old`` with ``new``; return its line number."""
        lines = self.read(name).split("\n")
        hits = [i for i, line in enumerate(lines) if old in line]
        assert len(hits) == 1, f"{old!r} found {len(hits)} times in {name}"
        lines[hits[0]] = lines[hits[0]].replace(old, new)
        self.write(name, "\n".join(lines))
        return hits[0] + 1


@pytest.fixture(scope="session")
def make_tiny_data():
    """``make_tiny_data(folder)``: the tiny data folder written into ``folder``, for fixtures of
    a wider scope than ``tiny_data``."""
    return TinyData


@pytest.fixture
def tiny_data(tmp_path: Path) -> TinyData:
    """A consistent small data folder in ``tmp_path / 'data'``."""
    return TinyData(tmp_path / "data")


# --------------------------------------------------------------------------- real servers


#: The token of every app served by ``serve_app``, and the app, by its base URL.
_LIVE_TOKENS: dict[str, str] = {}
_SERVED_APPS: dict[str, object] = {}
_SERVERS: dict[str, object] = {}


@pytest.fixture(scope="session")
def server_of():
    """``server_of(url)``: the ``uvicorn.Server`` that ``serve_app`` started for ``url``."""
    return _SERVERS.__getitem__


def live_token_of(url: str) -> str:
    """The token (for every live match) of the app ``serve_app`` serves at ``url``."""
    return _LIVE_TOKENS[url]


@pytest.fixture(scope="session")
def bearer():
    """``bearer(app)``: ``{"Authorization": "Bearer <token>"}`` for a new token, for every live
    match, made in the token store of an app of :func:`heartbreak.api.create_app`."""

    def make(app) -> dict[str, str]:
        token, _ = app.state.live_auth.tokens.create(label="tests")
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture(scope="module")
def served_app(base_url):
    """The app served at ``base_url`` (to lift a limit for a test, with ``monkeypatch``)."""
    return _SERVED_APPS[base_url]


@pytest.fixture(scope="module")
def live_headers(base_url) -> dict[str, str]:
    """The ``Authorization`` header of the live writes to the server at ``base_url``."""
    return {"Authorization": f"Bearer {live_token_of(base_url)}"}


@pytest.fixture(scope="session")
def serve_app():
    """Serve an ASGI app with uvicorn on a free loopback port in a thread, as ``heartbreak
    serve`` runs it (h11, the app's limits): ``serve_app(app)`` returns its base URL, and makes
    a token for every live match in the app's token store (``token=False``: none). Every server
    started is stopped (within 10 s) at the end of the
    session, or earlier by calling the ``stop`` attribute of the returned URL's server."""
    import socket
    import threading
    import time

    import uvicorn

    from heartbreak.api.limits import Limits
    from heartbreak.api.server import uvicorn_config

    running: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(app, token: bool = True) -> str:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        # as `heartbreak serve` runs it: h11, the app's limits on the connection
        limits = getattr(app.state, "limits", None) or Limits()
        server = uvicorn.Server(uvicorn_config(app, "127.0.0.1", port, limits, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline, "the server did not start within 10 s"
            assert thread.is_alive(), "the server stopped while starting"
            time.sleep(0.05)
        running.append((server, thread))
        url = f"http://127.0.0.1:{port}"
        _SERVED_APPS[url] = app
        _SERVERS[url] = server
        if token and hasattr(app.state, "live_auth"):  # a token for its live writes
            _LIVE_TOKENS[url] = app.state.live_auth.tokens.create(label="tests")[0]
        return url

    yield start
    for server, _ in running:
        server.should_exit = True
    for _, thread in running:
        thread.join(timeout=10)
        assert not thread.is_alive(), "a server did not stop within 10 s"


@pytest.fixture(scope="module")
def base_url(real_db_path, serve_app, tmp_path_factory) -> str:
    """The app over the real store (a fresh live log, heartbeats every second) on loopback."""
    from heartbreak.api import create_app
    from heartbreak.services import Heartbreak

    session = Heartbreak(db=real_db_path)
    app = create_app(session=session, live_log=tmp_path_factory.mktemp("live") / "live.duckdb")
    app.state.live_heartbeat = 1.0
    return serve_app(app)


@pytest.fixture(scope="session")
def live_definition() -> dict:
    """The body of ``POST /api/live`` for Belgium v Japan, 2018 (ratings from the store)."""
    return {
        "home": "Belgium",
        "away": "Japan",
        "date": "2018-07-02",
        "neutral": True,
        "knockout": True,
        "competition": "FIFA World Cup",
        "stage": "round of 16",
    }


def _sse_frames(lines):
    """Server-Sent Events frames (dicts of field → value; a comment's text under ``""``) from
    an iterator of the stream's lines."""
    frame: dict[str, str] = {}
    for line in lines:
        if line == "":
            if frame:
                yield frame
            frame = {}
            continue
        name, _, value = line.partition(":")
        frame[name] = value.removeprefix(" ")


@pytest.fixture(scope="session")
def sse_frames():
    """``sse_frames(lines)``: the SSE frames of a stream's lines (see ``_sse_frames``)."""
    return _sse_frames
