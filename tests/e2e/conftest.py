"""Browser tests: a real Chromium (the Debian package) against pytest-django's live server."""

import os
import shutil

import pytest
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections

from tests.conftest import CHROMIUM, load_demo_content, need_chromium

# Playwright's sync API runs an event loop in the test thread; Django refuses database
# access from a thread with a running loop unless told that this is fine.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


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
            rows = connection.creation.serialize_db_to_string()
    return rows


@pytest.fixture
def site(migrated_rows, transactional_db, django_db_serialized_rollback, live_server):
    """The demo site served by the live server; returns its base URL.

    The live server answers from another thread, so the data is committed
    (transactional_db) and every table is emptied after each test. Django's serialized
    rollback then puts the migrations' rows back before the next test, but it looks for them
    on the connection object of the current context, and under Playwright's event loop that
    is not the one which created the database: so they are handed to it here, and put back
    by hand if Django could not do it this time."""
    from wagtail.models import Page

    connection = connections[DEFAULT_DB_ALIAS]
    connection._test_serialized_contents = migrated_rows
    if not Page.objects.exists():
        call_command("flush", verbosity=0, interactive=False, inhibit_post_migrate=True)
        connection.creation.deserialize_db_from_string(migrated_rows)
    load_demo_content()
    return live_server.url
