"""Shared fixtures of the browser tests: Playwright drives Debian's ``chromium`` against a real
server on loopback over the real store.

- ``base_url`` (tests/conftest.py): the app served by uvicorn, one server per test module;
- ``browser``: headless chromium, skipped with the reason when it is not installed;
- ``open_page(path, viewport=None, init_script=None)``: a fresh page at ``base_url + path``
  (``init_script`` runs in it before the page's own scripts); after the test, it checks that
  no script failed and that nothing was requested from another host.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

#: Debian's package puts the browser here; HEARTBREAK_CHROMIUM can point elsewhere.
CHROMIUM = os.environ.get("HEARTBREAK_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
#: As root, in a closed network: no sandbox, no GPU, no background connections.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM}: install Debian's chromium (see README)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, base_url):
    """``open_page(path, viewport=None, init_script=None)``: a fresh page at
    ``base_url + path``. After the test, it checks that no script failed and that nothing was
    requested from another host."""
    contexts, errors, foreign = [], [], []

    def open_(path: str, viewport: dict | None = None, init_script: str | None = None):
        context = browser.new_context(viewport=viewport or {"width": 1100, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on(
            "request",
            lambda request: (
                None
                if request.url.startswith((base_url, "data:", "blob:"))
                else foreign.append(request.url)
            ),
        )
        if init_script is not None:
            page.add_init_script(init_script)
        page.goto(base_url + path)
        return page

    yield open_
    for context in contexts:
        context.close()
    assert errors == [], "script errors on the page"
    assert foreign == [], "the page fetched from another host"
