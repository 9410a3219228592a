"""Take the README's screenshots of the web pages for Belgium v Japan, 2018, in Debian's chromium.

    HEARTBREAK_DATA_DIR=../shared/data python3 docs/screenshots.py [--db PATH] [--out docs]

- ``match-page.png``: ``/matches/{id}``, told from Japan's side.
- ``group-match-page.png``: Germany 1-2 Japan, 2022 World Cup group stage, as Germany's fans
  lived it.
- ``final-2022-page.png``: Argentina 3-3 France, the 2022 final won on penalties, as France's
  fans lived it.
- ``record-page.png``: Germany 1-4 Japan, 2023, a match whose record has no goal minutes.
- ``match-page-phone.png``: Belgium v Japan at phone width (390 px).
- ``live-page.png``: ``/live/{id}`` after the match was fed as a live feed up to 80' (the real
  goals up to then, a VAR-retracted goal and a clock update), as a viewer's page drew it from
  the event stream, without a reload.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn
from playwright.sync_api import sync_playwright

from heartbreak.api import create_app
from heartbreak.api.server import uvicorn_config
from heartbreak.live.state import definition_of, feed_of
from heartbreak.services import Heartbreak

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


#: Match pages shot: file name → (home, away, date, side told).
MATCH_PAGES = {
    "match-page.png": ("Belgium", "Japan", "2018-07-02", "Japan"),
    "group-match-page.png": ("Germany", "Japan", "2022-11-23", "Germany"),
    "final-2022-page.png": ("Argentina", "France", "2022-12-18", "France"),
}


def serve(app) -> tuple[str, uvicorn.Server]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    limits = app.state.limits  # as heartbreak serve runs it
    server = uvicorn.Server(uvicorn_config(app, "127.0.0.1", port, limits, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


def shoot(page, path: Path, last: str) -> None:
    """The page from its top to the bottom of the ``last`` element."""
    bottom = page.evaluate(
        "sel => { const r = document.querySelector(sel).getBoundingClientRect();"
        " return r.bottom + window.scrollY + 12; }",
        last,
    )
    width = page.viewport_size["width"]
    clip = {"x": 0, "y": 0, "width": width, "height": bottom}
    page.screenshot(path=str(path), full_page=True, clip=clip)
    print(f"wrote {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=None, help="store (default: the usual one)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args()

    session = Heartbreak(db=args.db)
    match_id = session.find_match("Belgium", "Japan", "2018-07-02")
    stored = session.store.match(match_id)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(session=session, live_log=Path(tmp) / "live.duckdb")
        token, _ = app.state.live_auth.tokens.create(label="screenshots")
        auth = {"headers": {"Authorization": f"Bearer {token}"}, "timeout": 30}
        base, server = serve(app)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=args.chromium, args=ARGS)
                page = browser.new_page(viewport={"width": 1000, "height": 900})
                for name, (home, away, day, side) in MATCH_PAGES.items():
                    shown = session.find_match(home, away, day)
                    page.goto(f"{base}/matches/{shown}?side={side}")
                    page.wait_for_function("() => window.Chart && Chart.getChart('chart')")
                    shoot(page, args.out / name, "section.story")
                record = session.find_match("Germany", "Japan", "2023-09-09")
                page.goto(f"{base}/matches/{record}")
                shoot(page, args.out / "record-page.png", "section.prematch")
                phone = browser.new_page(viewport={"width": 390, "height": 844})
                phone.goto(f"{base}/matches/{match_id}?side=Japan")
                phone.wait_for_function("() => window.Chart && Chart.getChart('chart')")
                shoot(phone, args.out / "match-page-phone.png", "section.journey")

                created = httpx.post(f"{base}/api/live", json=definition_of(stored), **auth)
                created = created.json()
                live_id = created["live"]["id"]
                page.goto(f"{base}/live/{live_id}")
                page.wait_for_function(
                    "() => Number(document.getElementById('match').dataset.updates) >= 1"
                )
                page.click("button[data-side='Japan']")
                feed = [
                    m
                    for m in feed_of(stored)
                    if m.get("minute", 0) <= 80 and m.get("period") in (None, "first_half")
                ]
                var_goal = {"event_id": "var-1", "type": "goal", "minute": 30, "team": "Belgium"}
                feed.insert(1, var_goal)
                feed.insert(2, {"event_id": "var-1", "type": "retraction"})
                feed.append({"event_id": "clock-80", "type": "clock", "minute": 80})
                for message in feed:
                    httpx.post(f"{base}/api/live/{live_id}/events", json=message, **auth)
                page.wait_for_function(
                    "() => document.getElementById('clock').textContent === \"80'\""
                )
                shoot(page, args.out / "live-page.png", "section.story")
                browser.close()
        finally:
            server.should_exit = True


if __name__ == "__main__":
    main()
