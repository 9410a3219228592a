"""Shared fixtures of the browser tests: Playwright drives Debian's ``chromium`` against a real
server on loopback over the real store.

- ``base_url`` (tests/conftest.py): the app served by uvicorn, one server per test module;
- ``browser``: headless chromium, skipped with the reason when it is not installed;
- ``open_page(path, viewport=None, init_script=None, color_scheme=None)``: a fresh page at
  ``base_url + path`` (``init_script`` runs in it before the page's own scripts;
  ``color_scheme="dark"`` emulates a reader's dark mode); after the test, it checks that no
  script failed and that nothing was requested from another host;
- ``axe_violations(page)``: axe-core's violations on the page as it stands (axe is injected
  from the copy the ``axe-playwright-python`` test dependency ships, not fetched);
  ``axe_violations.describe(violations)`` tells them in a failure message.
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
    """``open_page(path, viewport=None, init_script=None, color_scheme=None)``: a fresh page
    at ``base_url + path``. After the test, it checks that no script failed and that nothing was
    requested from another host."""
    contexts, errors, foreign = [], [], []

    def open_(
        path: str,
        viewport: dict | None = None,
        init_script: str | None = None,
        color_scheme: str | None = None,
    ):
        context = browser.new_context(
            viewport=viewport or {"width": 1100, "height": 900}, color_scheme=color_scheme
        )
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


def _axe_source() -> Path:
    """axe-core's browser build, as shipped by the ``axe-playwright-python`` test dependency."""
    from importlib.resources import files

    try:
        source = files("axe_playwright_python") / "axe.min.js"
    except ModuleNotFoundError:
        pytest.fail("axe-playwright-python is missing: python3 -m pip install -e '.[test]'")
    return Path(str(source))


#: axe's result for each violation: the rule, how bad, its help and the nodes that fail it.
_AXE_RUN = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({ target: n.target.join(" "), html: n.html,
                                summary: n.failureSummary })),
  }));
}"""


def describe_violations(violations: list[dict], limit: int = 8) -> str:
    """Violations as lines to read: rule id, impact and help, then each failing node."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"][:limit]:
            summary = " ".join((node["summary"] or "").split())
            lines.append(f"    {node['target']}: {node['html'][:160]}")
            lines.append(f"        {summary[:400]}")
        if len(v["nodes"]) > limit:
            lines.append(f"    ... and {len(v['nodes']) - limit} more nodes")
    return "\n".join(lines)


@pytest.fixture(scope="session")
def axe_violations():
    """``axe_violations(page)``: axe-core's violations (WCAG 2 A/AA and best practices) on the
    page as it stands, and ``axe_violations.describe(violations)``: them as lines to read. The
    script is evaluated in the page, so it is no request to any host."""
    source = _axe_source()

    def run(page) -> list[dict]:
        if not page.evaluate("() => typeof window.axe === 'object'"):
            # evaluated by the browser's debugging protocol, which the pages' policy (no inline
            # script) does not govern, as a script tag added to the page would be refused
            page.evaluate(source.read_text(encoding="utf-8") + "\n;0")
        return page.evaluate(_AXE_RUN)

    run.describe = describe_violations
    return run
