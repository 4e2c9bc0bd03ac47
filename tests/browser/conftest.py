"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

- The browser is the system Chromium (``CHROMIUM_PATH`` or ``chromium`` on PATH); Playwright's own
  browser downloads are never used. Without Chromium the tests are skipped with the reason — unless
  ``REQUIRE_BROWSER=1`` (CI), then they fail.
- Each test gets a fresh browser context in Polish (``pl-PL``, the site's default language) and the
  ``audit`` helper, which runs axe-core (WCAG 2.1 A/AA) on a page and also fails on console errors
  (CSP violations, broken scripts) and on static files that did not load.
- A failing test leaves a full-page screenshot in ``test-results/browser/``.
  ``BROWSER_SCREENSHOTS=1`` also keeps a screenshot of every audited page there.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

# Playwright's sync API runs an event loop in the main thread; Django's ORM (used by the test itself to
# set up and check data) refuses to run "in an async context" unless told it is safe. It is: the loop
# only drives the browser.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
TIMEOUT_MS = 10_000
_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[pytest.TestReport]:
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


def _results_dir(config: pytest.Config) -> Path:
    path = config.rootpath / "test-results" / "browser"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_")[:150]


# --- the browser ----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_path() -> str:
    configured = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if configured and Path(configured).is_file() and os.access(configured, os.X_OK):
        return configured
    where = (
        f"CHROMIUM_PATH={os.environ['CHROMIUM_PATH']!r} is not an executable file"
        if os.environ.get("CHROMIUM_PATH")
        else "CHROMIUM_PATH is not set and there is no 'chromium' on PATH"
    )
    reason = f"Chromium not found ({where}): install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH"
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


# --- the page under test and its audit ------------------------------------------------------------------------------


@dataclass
class PageAudit:
    """Collects what the browser reports about a page and checks it, axe-core included."""

    page: Any
    shots_dir: Path
    test_name: str
    keep_screenshots: bool = False
    console_errors: list[str] = field(default_factory=list)
    failed_resources: list[str] = field(default_factory=list)
    navigated: list[str] = field(default_factory=list)
    audited: list[str] = field(default_factory=list)
    _axe: Any = None

    def watch(self) -> None:
        page = self.page
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console_errors.append(f"uncaught: {error}"))
        page.on("response", self._on_response)
        page.on("requestfailed", lambda request: self.failed_resources.append(f"{request.url} ({request.failure})"))
        page.on("framenavigated", lambda frame: frame == page.main_frame and self.navigated.append(frame.url))

    def _on_console(self, message: Any) -> None:
        if message.type != "error":
            return
        url = message.location.get("url") or ""
        # The browser logs the status of the 404 page itself (the test checks that status) and of the
        # /favicon.ico it asks for on its own (the site declares no icon). Everything else — CSP refusals,
        # script errors, missing files — is a defect.
        if "status of 404" in message.text and (url == self.page.url or urlsplit(url).path == "/favicon.ico"):
            return
        self.console_errors.append(f"{message.text} [{url}]")

    def _on_response(self, response: Any) -> None:
        if response.request.resource_type != "document" and response.status >= 400:
            self.failed_resources.append(f"{response.status} {response.url}")

    def __call__(self, label: str) -> None:
        """Check the current page: WCAG 2.1 A/AA by axe-core, no console errors, all resources loaded."""
        from axe_playwright_python.sync_playwright import Axe

        page = self.page
        page.wait_for_load_state("load")
        if self._axe is None:
            self._axe = Axe()
        if self.keep_screenshots:
            page.screenshot(path=str(self.shots_dir / f"{self.test_name}--{_safe_name(label)}.png"), full_page=True)
        results = self._axe.run(
            page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
        )
        self.audited.append(page.url)
        problems = [format_violation(violation) for violation in results.response["violations"]]
        assert not problems, f"axe-core: WCAG 2.1 A/AA violations on {label} ({page.url}):\n" + "\n".join(problems)
        assert page.evaluate("document.styleSheets.length") >= 1, f"{label}: no stylesheet loaded"
        assert not self.failed_resources, f"{label}: resources failed to load: {self.failed_resources}"
        assert not self.console_errors, f"{label}: browser console errors: {self.console_errors}"

    def unaudited(self) -> list[str]:
        audited = {_without_fragment(url) for url in self.audited}
        return [
            url
            for url in dict.fromkeys(map(_without_fragment, self.navigated))
            if url not in audited and url != "about:blank"
        ]


def _without_fragment(url: str) -> str:
    return url.split("#", 1)[0]


def format_violation(violation: dict[str, Any]) -> str:
    lines = [f"- {violation['id']} ({violation.get('impact')}): {violation['help']} — {violation['helpUrl']}"]
    for node in violation["nodes"]:
        target = " ".join(" >>> ".join(t) if isinstance(t, list) else t for t in node["target"])
        lines.append(f"    at {target}: {node.get('failureSummary', '').replace(chr(10), ' ')}")
        lines.append(f"       {node.get('html', '')[:200]}")
    return "\n".join(lines)


@pytest.fixture
def page(browser: Any, live_server: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    context = browser.new_context(
        base_url=live_server.url,
        locale="pl-PL",
        timezone_id="Europe/Warsaw",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    audit = PageAudit(
        page=page,
        shots_dir=_results_dir(request.config),
        test_name=_safe_name(request.node.name),
        keep_screenshots=os.environ.get("BROWSER_SCREENSHOTS") == "1",
    )
    audit.watch()
    page.audit = audit
    try:
        yield page
        reports = request.node.stash.get(_REPORTS, {})
        if "call" in reports and reports["call"].passed:
            assert not audit.unaudited(), f"pages visited but not checked with axe-core: {audit.unaudited()}"
    finally:
        reports = request.node.stash.get(_REPORTS, {})
        if "call" in reports and reports["call"].failed:
            shot = _results_dir(request.config) / f"{_safe_name(request.node.nodeid)}.png"
            try:
                page.screenshot(path=str(shot), full_page=True)
            except Exception as exc:  # the browser may be gone; the test's own error is what matters
                print(f"could not take a screenshot of the failure: {exc}")
            else:
                print(f"screenshot of the failure: {shot}")
        context.close()


@pytest.fixture
def audit(page: Any) -> PageAudit:
    return page.audit
