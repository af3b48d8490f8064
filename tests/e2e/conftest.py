"""Browser tests: a real Chromium (the Debian package) against pytest-django's live server.

Every browser context a test opens (through the `page`, `context` or `new_context`
fixtures) is watched: a console error, an uncaught page error or a request to any host but
the live server's fails the test, unless the test routed that address on purpose with
`browser_guard.route(...)`. A failed test leaves a screenshot and the HTML of each open page under
`test-results/<test id>/`.
"""

import os
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from playwright.sync_api import expect
from slugify import slugify

from home.demo import staff_password
from tests.conftest import CHROMIUM, content_types_first, load_demo_content, need_chromium

# Playwright's sync API runs an event loop in the test thread; Django refuses database
# access from a thread with a running loop unless told that this is fine.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

SUPERUSER = ("admin", "clinic-admin-local")

# Playwright waits 5 s by default for what a test expects to see. The admin's answers that a
# page waits on (the preview refreshed, an autosave, a chooser) take longer than that on a
# busy two-core machine; a test that expects something that never comes still fails.
expect.set_options(timeout=20_000)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Chromium from /usr/bin (never downloaded), without calls home."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session", autouse=True)
def _chromium_needed():
    """Skip (or fail in CI) before Playwright tries to start a browser that is not there.
    Session scope, so that it runs before pytest-playwright's session-wide `browser`."""
    need_chromium()


@pytest.fixture(scope="session")
def migrated_rows(django_db_setup, django_db_blocker):
    """The rows that the migrations create (Wagtail's root page, locale, collection, groups),
    as Django serialised them when it created the test database."""
    connection = connections[DEFAULT_DB_ALIAS]
    rows = getattr(connection, "_test_serialized_contents", None)
    if rows is None:
        with django_db_blocker.unblock():
            rows = content_types_first(connection.creation.serialize_db_to_string())
    return rows


class LiveServerRequests:
    """Counts the requests the live server is answering, from the moment it accepts a
    connection until the thread answering it has finished."""

    def __init__(self, httpd):
        self.busy = 0
        self.changed = threading.Condition()
        accept, answer = httpd.process_request, httpd.process_request_thread

        def process_request(request, client_address):
            with self.changed:
                self.busy += 1
            try:
                accept(request, client_address)
            except BaseException:
                self.finished_one()
                raise

        def process_request_thread(request, client_address):
            try:
                answer(request, client_address)
            finally:
                self.finished_one()

        httpd.process_request = process_request
        httpd.process_request_thread = process_request_thread

    def finished_one(self):
        with self.changed:
            self.busy -= 1
            self.changed.notify_all()

    def wait_until_idle(self, timeout=60):
        with self.changed:
            if not self.changed.wait_for(lambda: self.busy == 0, timeout):
                raise AssertionError(f"the live server still answers {self.busy} request(s)")


@pytest.fixture(scope="session")
def live_server_requests(live_server):
    return LiveServerRequests(live_server.thread.httpd)


@pytest.fixture
def site(
    migrated_rows,
    transactional_db,
    django_db_serialized_rollback,
    live_server,
    live_server_requests,
    browser_guard,
):
    """The demo site served by the live server; returns its base URL.

    The live server answers from another thread, so the data is committed
    (transactional_db) and every table is emptied after each test. Django's serialized
    rollback then puts the migrations' rows back before the next test, but it looks for them
    on the connection object of the current context, and under Playwright's event loop that
    is not the one which created the database: so they are handed to it here, and put back
    by hand if Django could not do it this time.

    After the test the browsers are closed and what they asked for last (an autosave, say)
    is answered before the tables are emptied: emptying them while a request writes can
    deadlock on PostgreSQL, and a row written after would stay for the next test."""
    from wagtail.models import Page

    connection = connections[DEFAULT_DB_ALIAS]
    connection._test_serialized_contents = migrated_rows
    if not Page.objects.exists():
        call_command("flush", verbosity=0, interactive=False, inhibit_post_migrate=True)
        connection.creation.deserialize_db_from_string(migrated_rows)
    load_demo_content()
    yield live_server.url
    browser_guard.close()
    live_server_requests.wait_until_idle()


# Logging in, as a person does.


def log_in(page, site, username, password=None):
    """Sign in through the admin's login form, typing the username and password.

    `password` defaults to the demo password of the staff account (`load_demo_content`)."""
    page.goto(f"{site}/admin/login/")
    page.get_by_label("Username").press_sequentially(username)
    page.get_by_label("Password").press_sequentially(password or staff_password(username))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{site}/admin/")
    expect(page.get_by_role("navigation", name="Main menu")).to_be_visible()
    return page


@pytest.fixture
def superuser(site):
    """An administrator account (as `create_local_admin` makes); returns (username, password)."""
    from django.contrib.auth import get_user_model

    username, password = SUPERUSER
    get_user_model().objects.create_superuser(
        username=username, email="admin@clinic.example", password=password
    )
    return SUPERUSER


@pytest.fixture
def staff_browser(site, new_context):
    """Opens a browser of its own for a member of staff and logs them in:
    `staff_browser("reviewer")` returns the page they see after signing in."""

    def open_for(username, password=None):
        page = new_context().new_page()
        return log_in(page, site, username, password)

    return open_for


# The guard: no console error, no page error, no request to another host.


class BrowserGuard:
    """Collects what went wrong in the browser while a test ran."""

    def __init__(self, origin):
        self.origin = origin
        self.contexts = []
        self.expected = []  # URL patterns the test routes on purpose
        self.problems = []
        self.refused = []  # the site's replies of 400 and above, for the report

    def watch(self, context):
        self.contexts.append(context)
        context.on("console", self._on_console)
        context.on("weberror", lambda error: self.problems.append(f"page error: {error.error}"))
        context.on("request", self._on_request)
        context.on("response", self._on_response)

    def route(self, page, pattern, handler):
        """Route the URLs matching `pattern` (a regular expression) to `handler` on purpose:
        requests to them, and console errors about them failing, are what the test wants."""
        pattern = re.compile(pattern)
        self.expected.append(pattern)
        page.route(pattern, handler)

    def _is_expected(self, url):
        return any(pattern.search(url) for pattern in self.expected)

    def _on_console(self, message):
        if message.type != "error":
            return
        url = message.location.get("url", "")
        if self._is_expected(url):
            return
        self.problems.append(f"console error: {message.text} ({url or message.page.url})")

    def _on_request(self, request):
        parts = urlsplit(request.url)
        if parts.scheme not in ("http", "https", "ws", "wss"):
            return  # data:, blob:, about:
        if f"{parts.scheme}://{parts.netloc}" == self.origin or self._is_expected(request.url):
            return
        self.problems.append(f"request to another host: {request.method} {request.url}")

    def _on_response(self, response):
        if response.status >= 400 and not self._is_expected(response.url):
            self.refused.append(response)

    def _replies(self):
        """What the site answered to the requests it refused, as far as the browser kept it."""
        for response in self.refused:
            try:
                body = response.text()[:300]
            except Exception as error:  # the page has gone on and dropped the body
                body = f"(not kept: {error})"
            yield f"{response.status} {response.request.method} {response.url}: {body}"

    def close(self):
        """Close every browser context of the test, so that it asks for nothing more."""
        for context in self.contexts:
            if context in context.browser.contexts:  # not closed yet
                context.close()

    def check(self):
        if self.problems:
            listed = "\n  ".join([*self.problems, *self._replies()])
            raise AssertionError(f"the browser reported problems:\n  {listed}")

    def save_pages(self, folder):
        """A screenshot and the HTML of every page still open; returns the files written."""
        folder.mkdir(parents=True, exist_ok=True)
        saved = []
        pages = [page for context in self.contexts for page in context.pages]
        for number, page in enumerate(pages, start=1):
            if page.is_closed():
                continue
            stem = folder / f"page-{number}"
            try:
                page.screenshot(path=f"{stem}.png", full_page=True)
                saved.append(f"{stem}.png")
                Path(f"{stem}.html").write_text(
                    f"<!-- {page.url} -->\n{page.content()}", encoding="utf-8"
                )
                saved.append(f"{stem}.html")
            except Exception as error:  # a page that crashed: keep what could be saved
                saved.append(f"{stem}: not saved ({error})")
        return saved


GUARD = pytest.StashKey[BrowserGuard]()


@pytest.fixture(autouse=True)
def browser_guard(request, live_server):
    """Watches every browser context of the test (see `new_context` below)."""
    guard = BrowserGuard(live_server.url)
    request.node.stash[GUARD] = guard
    return guard


@pytest.fixture
def new_context(new_context, browser_guard):
    """pytest-playwright's `new_context` (which `context` and `page` use), watched."""

    def create(**kwargs):
        context = new_context(**kwargs)
        browser_guard.watch(context)
        return context

    return create


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A test whose browser reported problems fails, even if its own checks passed."""
    result = yield
    guard = item.stash.get(GUARD, None)
    if guard is not None:
        guard.check()
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """On failure, keep a screenshot and the HTML of each open page next to the test output."""
    report = yield
    guard = item.stash.get(GUARD, None)
    if report.failed and report.when in ("setup", "call") and guard is not None:
        folder = Path(item.config.getoption("--output")) / slugify(item.nodeid)
        saved = guard.save_pages(folder)
        if saved:
            report.sections.append(("browser pages at failure", "\n".join(saved)))
    return report
