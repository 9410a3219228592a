"""Match-page weight and load time in Debian's chromium, this version against an earlier one in
the same run.

Run: HEARTBREAK_DATA_DIR=../shared/data python bench/page_weight.py [--before REV] [--loads 7]
     [--chromium /usr/bin/chromium]

Checks out ``--before`` (a git revision of this repository; default: the last one before the
match-page work) into a temporary worktree, builds its store with its own code, and serves
both versions with ``heartbreak serve`` in child processes on loopback (the earlier one with its
``src`` first on ``PYTHONPATH``). Each match page is then loaded ``--loads`` times in a fresh
browser context (empty cache) from each server in turn, so that drift hits both alike.

For each page and version, medians over the loads of:

- bytes transferred (the page and everything it fetched, as the wire carried them, compressed
  where the server compressed) and bytes decoded, and the number of requests;
- DOMContentLoaded and load, from the navigation's start (Navigation Timing);
- chart drawn: until the page's chart exists (``Chart.getChart('chart')``), from the start.

A page the earlier version could not serve is reported with its status. Both servers and the
browser share this machine's two cores with nothing else of the bench running meanwhile.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
#: The last revision before the match pages were reworked (every non-knockout page failed).
BEFORE = "4dbc1e5"
#: Pages measured: name → path.
PAGES = {
    "knockout (Belgium v Japan 2018)": "/matches/41696?side=Japan",
    "group (Germany v Japan 2022)": "/matches/45729?side=Japan",
    "shootout (2022 final)": "/matches/45790?side=France",
}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def server(db: Path, pythonpath: str | None):
    """``heartbreak serve`` over ``db`` in a child process; yields its base URL."""
    port = free_port()
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    child = subprocess.Popen(
        [sys.executable, "-m", "heartbreak", "serve", "--db", str(db), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(base + "/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or child.poll() is not None:
                raise RuntimeError(f"the server on {base} did not start")
            time.sleep(0.3)
        yield base
    finally:
        child.terminate()
        child.wait(timeout=20)


def build_store(db: Path, pythonpath: str | None) -> None:
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    subprocess.run(
        [sys.executable, "-m", "heartbreak", "data", "build", "--db", str(db)],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def load(browser, url: str) -> dict[str, float] | None:
    """One load of ``url`` in a fresh context: bytes, requests and timings, or None if the page
    did not answer 200."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    try:
        start = time.perf_counter()
        response = page.goto(url, wait_until="load")
        if response is None or response.status != 200:
            return {"status": response.status if response else 0}
        page.wait_for_function("() => window.Chart && Chart.getChart('chart')", timeout=30_000)
        drawn = (time.perf_counter() - start) * 1000
        timing = page.evaluate(
            """() => {
              const nav = performance.getEntriesByType('navigation')[0];
              const res = performance.getEntriesByType('resource');
              const all = [nav, ...res];
              return {
                transferred: all.reduce((s, e) => s + (e.transferSize || 0), 0),
                decoded: all.reduce((s, e) => s + (e.decodedBodySize || 0), 0),
                requests: all.length,
                dom: nav.domContentLoadedEventEnd,
                load: nav.loadEventEnd,
              };
            }"""
        )
        return {**timing, "drawn": drawn, "status": 200}
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BEFORE, help="the earlier git revision")
    parser.add_argument("--loads", type=int, default=7)
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        worktree = tmp_path / "before"
        subprocess.run(
            ["git", "-C", str(REPO), "worktree", "add", "--detach", str(worktree), args.before],
            check=True,
            capture_output=True,
        )
        try:
            versions = {"before": str(worktree / "src"), "now": str(REPO / "src")}
            dbs = {name: tmp_path / f"{name}.duckdb" for name in versions}
            for name, path in versions.items():
                print(f"building the store of {name} …", flush=True)
                build_store(dbs[name], path)
            results: dict[tuple[str, str], list[dict]] = {}
            with (
                server(dbs["before"], versions["before"]) as before_url,
                server(dbs["now"], versions["now"]) as now_url,
                sync_playwright() as playwright,
            ):
                browser = playwright.chromium.launch(
                    executable_path=args.chromium, args=CHROMIUM_ARGS
                )
                bases = {"before": before_url, "now": now_url}
                for path in PAGES.values():  # warm both servers' replays
                    for base in bases.values():
                        httpx.get(base + path, timeout=60)
                for _ in range(args.loads):
                    for page_name, path in PAGES.items():
                        for version, base in bases.items():
                            results.setdefault((page_name, version), []).append(
                                load(browser, base + path)
                            )
                browser.close()
        finally:
            subprocess.run(
                ["git", "-C", str(REPO), "worktree", "remove", "--force", str(worktree)],
                check=False,
                capture_output=True,
            )

    print(f"\nmedians of {args.loads} loads each, empty cache; before = {args.before}\n")
    print(
        "| page | version | transferred KiB | decoded KiB | requests | DOMContentLoaded ms "
        "| load ms | chart drawn ms |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for (page_name, version), loads in results.items():
        ok = [r for r in loads if r and r.get("status") == 200]
        if not ok:
            status = loads[0]["status"] if loads and loads[0] else "no answer"
            print(f"| {page_name} | {version} | HTTP {status} | | | | | |")
            continue

        def med(key: str, ok=ok) -> float:
            return statistics.median(r[key] for r in ok)

        print(
            f"| {page_name} | {version} | {med('transferred') / 1024:.1f} "
            f"| {med('decoded') / 1024:.1f} | {med('requests'):.0f} | {med('dom'):.0f} "
            f"| {med('load'):.0f} | {med('drawn'):.0f} |"
        )


if __name__ == "__main__":
    main()
