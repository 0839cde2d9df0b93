"""Fixtures for the browser tests: a real Chromium, driven by Playwright's sync API, against
pytest-django's `live_server` (which also serves /static/ because django.contrib.staticfiles
is installed, so Bootstrap and the page's scripts load as they do in production).

Chromium is Debian's (/usr/bin/chromium; CI installs it). Without it the tests are skipped.
"""

import os
import shutil
from collections.abc import Iterator

import pytest
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler
from pytest_django import live_server_helper

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Long enough for a slow CI machine, short enough that a broken locator fails fast.
TIMEOUT_MS = 10_000


class _OneRequestAtATime(LiveServerThread):
    """A live server that answers one request at a time, in its own thread.

    On SQLite the test database lives in memory and every thread of the live server shares the
    test's one connection. Two requests served at once (a page and the fragment it loads) would
    each open their request's transaction on that connection, and the first to commit would end
    the other's (`no such savepoint`). Served in turn, each page keeps its own transaction.
    """

    def _create_server(self, connections_override=None):
        return WSGIServer((self.host, self.port), QuietWSGIRequestHandler, allow_reuse_address=False)


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server; on SQLite, one that serves a request at a time."""
    address = request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    server = live_server_helper.LiveServer(address, start=False)
    if server.thread.connections_override:
        thread = server.thread
        server.thread = _OneRequestAtATime(
            thread.host,
            static_handler=thread.static_handler,
            connections_override=thread.connections_override,
        )
        server.thread.daemon = True
    server.start()
    yield server
    server.stop()


@pytest.fixture
def async_unsafe_allowed() -> Iterator[None]:
    """Playwright's sync API runs an event loop in the test thread, and Django refuses ORM
    calls from a thread with a running loop unless told this is deliberate."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def chromium(async_unsafe_allowed):
    """A headless Chromium, closed after the test."""
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.skip(f"needs Chromium at {CHROMIUM} (CI installs Debian's chromium package)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _counts(message) -> bool:
    """A console error, other than the browser's own request for a favicon the site does not have."""
    return message.type == "error" and not (message.location.get("url") or "").endswith("/favicon.ico")


@pytest.fixture
def browser_page(chromium, live_server, transactional_db):
    """A fresh page (its own cookies) on a desktop-sized window.

    `page.problems` collects failed requests (4xx/5xx, including /static/) and console errors;
    the test asserts it is empty at the end.
    """
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.problems = problems = []

    def on_response(response):
        if response.status >= 400:
            problems.append(f"{response.status} {response.request.method} {response.url}")

    def on_console(message):
        if _counts(message):
            problems.append(f"console: {message.text} ({message.location.get('url')})")

    page.on("response", on_response)

    def on_request_failed(request):
        # A request the browser itself cancelled because the page moved on (a favicon still
        # loading when a form is submitted) is not a fault of the site.
        if "ERR_ABORTED" not in (request.failure or ""):
            problems.append(f"failed {request.url}: {request.failure}")

    page.on("requestfailed", on_request_failed)
    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    try:
        yield page
    finally:
        context.close()
