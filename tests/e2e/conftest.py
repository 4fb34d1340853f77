"""Browser journeys: Debian's Chromium driven by Playwright against pytest-django's live server.

Users are signed in by copying a test client's session cookie into the browser context, which
keeps the journeys fast. Screenshots go to $SCREENSHOT_DIR (the Makefile sets it; by default
test-artifacts/screenshots/, ignored by git).
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import BASE_DIR, need_service

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Where `make test` and `make e2e` keep the screenshots of the key pages (SCREENSHOT_DIR).
SCREENSHOTS = BASE_DIR / os.environ.get("SCREENSHOT_DIR", "test-artifacts/screenshots")


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        need_service(f"Chromium at {CHROMIUM} for the browser tests (make sysdeps-test)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in the test's thread, which makes Django refuse
    # ORM calls from it. The tests' own queries are plain synchronous code, so allow them while
    # the browser runs (module scope: the rest of the suite keeps Django's guard).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def signed_in(browser, live_server):
    """`signed_in(user)`: a new browser context (its own cookies and storage) as `user`."""
    contexts = []

    def open_context(user, *, width=1280, height=900):
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": width, "height": height}
        )
        context.set_default_timeout(10_000)
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot():
    """`screenshot(page, name)`: a full-page PNG in test-artifacts/screenshots/ (only the
    viewport with `full_page=False`, for pages too long to capture whole)."""

    def take(page, name: str, *, full_page: bool = True) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)

    return take


def field(page, path: str):
    """The input, select or textarea of the structured field at `path` in the editor."""
    return page.locator(f'[data-path="{path}"]').locator("input, select, textarea").first


def fill_ab_plan(page) -> None:
    """The spec's worked A/B numbers (§4.6): 5% baseline, +10% relative MDE, α 5%, power 80%,
    a 50/50 split and 10,000 eligible users a day: 31,231 per arm, 7 days."""
    field(page, "ab_test.metric_type").select_option("proportion")
    field(page, "ab_test.baseline_rate").fill("5")  # shares are typed in %
    field(page, "ab_test.mde.value").fill("0.1")
    field(page, "ab_test.mde.type").select_option("relative")
    field(page, "ab_test.alpha").fill("5")
    field(page, "ab_test.power").fill("80")
    field(page, "ab_test.allocation.control").fill("50")
    field(page, "ab_test.allocation.treatment").fill("50")
    field(page, "ab_test.daily_eligible_units").fill("10000")
