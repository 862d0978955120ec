"""Fixtures of the browser suite: one portal with the demo data started as
`make start` does (DEMO=1), and Debian's Chromium driven by Playwright."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright
from tests.browser.browser import AccessibilityLedger
from tests.browser.browser import chromium_missing
from tests.browser.browser import launch
from tests.portal import RunningPortal
import os
import pytest


@pytest.fixture(scope="session")
def demo_portal(tmp_path_factory):
    """A portal of its own: the journeys file applications, which the HTTP
    suites' shared portal must not see."""
    home = tmp_path_factory.mktemp("browser-portal")
    with RunningPortal(home, DEMO=1, ADMIN_PASSWORD="s3cret-browser") as running:
        yield running


@pytest.fixture(scope="session")
def chromium():
    missing = chromium_missing()
    if missing:
        # CI must run this suite; elsewhere a missing browser is said, not hidden.
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def ledger():
    return AccessibilityLedger(Axe())


@pytest.fixture
def page(chromium):
    """A fresh browser profile (no cookies) per test, in Spanish."""
    context = chromium.new_context(
        locale="es-ES", accept_downloads=True, viewport={"width": 1280, "height": 900}
    )
    # Generous: a busy 2-core machine once took over 30 s for one step.
    context.set_default_timeout(90_000)
    context.set_default_navigation_timeout(90_000)
    page = context.new_page()
    yield page
    context.close()
