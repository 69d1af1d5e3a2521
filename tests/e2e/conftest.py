"""Browser tests: Debian's chromium, driven by Playwright, against a live server
(docs/testing.md).

`make browser-deps` (part of `make test`) installs chromium and fetches axe-core; where it
could not, the tests that need them skip and say why. One browser serves every test in this
package; each test gets a fresh context (no cookies), so tests do not see each other.

Fixtures: `page` (a tab on the live server, in Japanese like a new desk PC), `librarian` (a
page on which the world's librarian has signed in through the real form), and the helpers
`sign_in(page, username, password)`, `axe(page)` (serious and critical accessibility
violations) and `screenshot(page, name)` (docs/screenshots/<lang>/<name>.png).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("SHOKA_CHROMIUM", "/usr/bin/chromium")
SCREENSHOT_DIR = ROOT / "docs" / "screenshots"
# The desk PCs the issue names: 1366×768 laptops.
VIEWPORT = {"width": 1366, "height": 768}
SERIOUS = ("serious", "critical")
PASSWORD = "x"  # the world fixture's staff password (tests/conftest.py)


def axe_source() -> Path | None:
    """axe-core's script, fetched by `make browser-deps` (SHOKA_AXE_JS names it)."""
    named = os.environ.get("SHOKA_AXE_JS")  # the Makefile names the pinned version
    if named:
        return Path(named) if Path(named).is_file() else None
    found = sorted((ROOT / "var" / "node").glob("axe-core-*.min.js"), key=os.path.getmtime)
    return found[-1] if found else None


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"no chromium at {CHROMIUM}: `make browser-deps` installs it (as root)")
    # Playwright's sync API keeps an asyncio loop in this thread, so Django takes the test's
    # own database calls for calls from async code: allow them while the browser is open.
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                # root has no user namespaces for chromium's sandbox; the pages are our own
                args=["--no-sandbox", "--disable-dev-shm-usage"],
            )
            yield browser
            browser.close()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture
def page(browser: Browser, live_server: Any) -> Iterator[Page]:
    """A tab of a new browser context on the live server, in Japanese (the library's default
    language, as a desk PC set up in Japan asks for). `page.goto("/")` is relative to the
    live server."""
    context = browser.new_context(
        base_url=live_server.url, locale="ja-JP", timezone_id="Asia/Tokyo", viewport=VIEWPORT
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


def _sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Fill in and send the sign-in form, as a person would."""
    if urlsplit(page.url).path != "/login/":
        page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    with page.expect_navigation():
        page.locator("form:has(#id_password) [type=submit]").click()


@pytest.fixture
def sign_in() -> Callable[..., None]:
    """`sign_in(page, username, password="x")` through the sign-in form."""
    return _sign_in


@pytest.fixture
def librarian(world: Any, page: Page) -> Page:
    """A page on which the world's librarian has signed in through the form (home page)."""
    _sign_in(page, world.staff_user.get_username())
    assert urlsplit(page.url).path == "/", f"sign-in failed, still on {page.url}"
    return page


class Violations(list[dict[str, Any]]):
    """axe-core violations, shown readably when an assertion fails: rule, impact, help and
    the offending elements."""

    def __repr__(self) -> str:
        lines = [f"{len(self)} serious/critical axe violation(s):"]
        for v in self:
            lines.append(f"  {v['id']} ({v['impact']}): {v['help']} — {v['helpUrl']}")
            for node in v["nodes"][:5]:
                summary = " ".join(node.get("failureSummary", "").split())
                lines.append(f"      {json.dumps(node['target'])}: {summary}")
        return "\n".join(lines)


def _axe(page: Page) -> Violations:
    source = axe_source()
    if source is None:
        pytest.skip("axe-core is missing from var/node/: `make browser-deps` fetches it")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(source))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return Violations(v for v in result["violations"] if v["impact"] in SERIOUS)


@pytest.fixture
def axe() -> Callable[[Page], Violations]:
    """`axe(page)`: run axe-core on the page as it is now and return the serious and critical
    violations (`assert not violations, violations`). Skips where axe-core is missing."""
    return _axe


def _screenshot(page: Page, name: str) -> Path | None:
    if os.environ.get("SHOKA_SCREENSHOTS") != "1":
        return None
    lang = page.evaluate("() => document.documentElement.lang") or "unknown"
    path = SCREENSHOT_DIR / lang / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
    return path


@pytest.fixture
def screenshot() -> Callable[[Page, str], Path | None]:
    """`screenshot(page, name)`: save docs/screenshots/<lang>/<name>.png, the language read
    from <html lang>, when SHOKA_SCREENSHOTS=1 (plain runs leave the committed ones alone)."""
    return _screenshot
