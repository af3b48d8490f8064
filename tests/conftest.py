import io
import json
import os
import shutil

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connections
from django.test import override_settings

# In CI (REQUIRE_SERVICES=1) a missing service is a failure, not a skip.
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
CHROMIUM = "/usr/bin/chromium"


def need(available, reason):
    """Skip the test with a one-line reason when a part it needs is missing (fail in CI)."""
    if available:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def need_redis():
    from django.conf import settings

    need(
        settings.REDIS_URL,
        "needs Redis: start redis-server and set REDIS_URL=redis://127.0.0.1:6379/15",
    )


def need_chromium():
    need(
        os.path.exists(CHROMIUM) or shutil.which("chromium"),
        "needs Chromium: apt-get install -y chromium (as root)",
    )


def content_types_first(serialized):
    """The database's rows as Django serialises them for `serialized_rollback`, with the
    content types moved to the front.

    Django writes the rows app by app in INSTALLED_APPS order, so the content types come after
    the workflow task that a migration creates (procedures' clinical review task), and it
    restores them in that order into emptied tables. Wagtail's Task() looks up its content
    type when it is built: unless this process happened to have it cached, that lookup finds
    an empty table and inserts a new row, and restoring the real one then fails with a
    duplicate (app_label, model). Restored first, the content types are there to be found."""
    rows = json.loads(serialized)
    rows.sort(key=lambda row: row["model"] != "contenttypes.contenttype")
    return json.dumps(rows)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """pytest-django's test databases, with their serialised rows put in an order they can
    be restored in (see content_types_first)."""
    for connection in connections.all(initialized_only=True):
        serialized = getattr(connection, "_test_serialized_contents", None)
        if serialized is not None:
            connection._test_serialized_contents = content_types_first(serialized)


@pytest.fixture(autouse=True)
def clean_cache():
    """Every test starts with an empty cache (local memory, or the Redis database in CI)."""
    cache.clear()
    yield


def load_demo_content():
    """Run `load_demo_content` as `make run` does: with DEBUG on, the only way it creates its
    staff accounts (tests otherwise run with DEBUG off)."""
    out = io.StringIO()
    with override_settings(DEBUG=True):
        call_command("load_demo_content", stdout=out)
    return out.getvalue()


@pytest.fixture
def demo_content(db):
    """The site as `make run` sets it up: home page, settings, procedures and contact page."""
    return load_demo_content()


@pytest.fixture
def home_page(demo_content):
    from home.models import HomePage

    return HomePage.objects.get()


def add_procedures(count, title="Sample treatment", body_areas=()):
    """`count` live procedure pages under the treatments index, titled "<title> 001"…,
    each treating `body_areas`. Returns them."""
    from procedures.models import ProcedureIndexPage, ProcedurePage

    index = ProcedureIndexPage.objects.get()
    pages = []
    for number in range(1, count + 1):
        page = index.add_child(
            instance=ProcedurePage(
                title=f"{title} {number:03d}",
                summary=f"{title} number {number}, for testing lists.",
                body=[],
                live=True,
            )
        )
        if body_areas:
            page.body_areas.set(body_areas)
            page.save()
        pages.append(page)
    return pages
