import inspect
import io
import json
import os
import shutil

import hypothesis
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


def need_postgresql():
    from django.db import connection

    need(
        connection.vendor == "postgresql",
        "needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinic",
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


def add_procedures_in_bulk(count, title="Sample treatment", body_areas=()):
    """Like add_procedures, for lists of hundreds or thousands: the pages are written in a few
    bulk inserts rather than one `add_child` (a dozen queries and a search-index update) each.
    They have no revisions and are not in the search index. Returns their number."""
    from django.db.models import F
    from django.utils import timezone
    from wagtail.models import Page

    from procedures.models import ProcedureIndexPage, ProcedurePage

    index = ProcedureIndexPage.objects.get()
    last = index.get_last_child()
    first_step = Page._str2int(last.path[-Page.steplen :]) + 1 if last else 1
    now = timezone.now()
    pages = []
    for number in range(1, count + 1):
        name = f"{title} {number:03d}"
        slug = f"{name.lower().replace(' ', '-')}-{first_step + number}"
        page = ProcedurePage(
            title=name,
            draft_title=name,
            slug=slug,
            url_path=f"{index.url_path}{slug}/",
            path=Page._get_path(index.path, index.depth + 1, first_step + number - 1),
            depth=index.depth + 1,
            numchild=0,
            locale_id=index.locale_id,
            live=True,
            first_published_at=now,
            last_published_at=now,
            summary=f"{title} number {number}, for testing lists.",
            body=[],
            listed_title=name,  # as ProcedurePage.save() sets it for a live page
        )
        pages.append(page)
    # Django cannot bulk-insert a model with a parent table: the pages' rows first, then
    # the rows of the treatment table, each pointing at its page.
    Page.objects.bulk_create(pages, batch_size=500)
    page_ids = dict(Page.objects.filter(path__in=[p.path for p in pages]).values_list("path", "id"))
    for page in pages:
        page.page_ptr_id = page.id = page_ids[page.path]
        page.save_base(raw=True, force_insert=True)
    Page.objects.filter(pk=index.pk).update(numchild=F("numchild") + count)
    through = ProcedurePage.body_areas.through
    through.objects.bulk_create(
        [through(procedurepage_id=p.pk, bodyarea_id=a.pk) for p in pages for a in body_areas],
        batch_size=500,
    )
    return count


# The test files that run the site under gunicorn (or its worker) with the production settings.
SERVER_TEST_FILES = {
    "test_deploy_guide.py",
    "test_faults.py",
    "test_hung_database.py",
    "test_load.py",
    "test_mail_worker.py",
    "test_media_storage.py",
    "test_nginx.py",
    "test_production_server.py",
    "test_worker_recovery.py",
}

# The slow tiers, each with its marker; `make test` runs everything else, `make test-all` all.
# Every test of a slow tier is also marked `slow`.
SLOW_TIERS = {
    # Real Chromium driving the site (tests/e2e/).
    "browser": lambda item: "e2e" in item.path.parts,
    # The site under gunicorn with the production settings: faults, load, start-up.
    "server": lambda item: item.path.name in SERVER_TEST_FILES,
    # Several app processes sharing (or not) one cache.
    "multiprocess": lambda item: item.path.name == "test_multiprocess.py",
    # Generated hostile input (hypothesis), hundreds of requests per test.
    "fuzz": lambda item: hypothesis.is_hypothesis_test(getattr(item, "obj", None)),
}


def needs_services(item):
    """A fast-tier test that skips without PostgreSQL or Redis (CI runs it with them)."""
    function = getattr(item, "function", None)
    if function is None:
        return False
    source = inspect.getsource(function)
    return "need_postgresql()" in source or "need_redis()" in source


def pytest_collection_modifyitems(config, items):
    for item in items:
        if needs_services(item):
            item.add_marker("services")
        tiers = [name for name, belongs in SLOW_TIERS.items() if belongs(item)]
        for name in tiers:
            item.add_marker(name)
        if tiers:
            item.add_marker("slow")
