"""The benchmark's database: the demo content and 1,000 sample procedures (10,000 in the set-up
BENCH_LARGE adds), loaded only into a scratch database that bench/run.py made for this run.

A scratch database is a SQLite file in a directory named `clinic-bench-…` under the system's
temporary directory, or a PostgreSQL database named `clinic_bench_<number>` (or
`clinic_bench_<number>_large`), which the bench creates (CREATE DATABASE fails if it exists)
and drops. Anything else, the developer's db.sqlite3 or the database DATABASE_URL names, is
refused before a single query.

The sample procedures are marked as what they are: "Sample procedure 0001 (benchmark data)",
with a summary that says they are not a real treatment. They are published straight away
(live, without a revision each, written in bulk), which is all a visitor's request reads; the
body is the standard sections a new page starts with, and each treats one of the demo's body
areas. The search index is then built, as `manage.py update_index` builds it.
"""

import re
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

SCRATCH_DIR_PREFIX = "clinic-bench-"
SCRATCH_POSTGRES_NAME = re.compile(r"^clinic_bench_\d+(_large)?$")
SAMPLE_COUNT = 1000
SAMPLE_SUMMARY = "Sample content for the benchmark; not a real treatment."


class NotScratchDatabase(RuntimeError):
    pass


def scratch_database_problem(settings_dict):
    """Why the bench must not write to this database, or None when it is a scratch one."""
    engine = settings_dict["ENGINE"].rsplit(".", 1)[-1]
    name = str(settings_dict["NAME"])
    if engine == "sqlite3":
        temp = Path(tempfile.gettempdir()).resolve()
        path = Path(name).resolve()
        if path.parent.parent != temp or not path.parent.name.startswith(SCRATCH_DIR_PREFIX):
            return (
                f"the SQLite database {name} is not in a {SCRATCH_DIR_PREFIX}* directory "
                f"under {temp}"
            )
        return None
    if engine == "postgresql":
        if not SCRATCH_POSTGRES_NAME.match(name):
            return f"the PostgreSQL database {name!r} is not named clinic_bench_<number>[_large]"
        return None
    return f"the bench only loads SQLite or PostgreSQL scratch databases, not {engine}"


def refuse_unless_scratch(conn=connection):
    problem = scratch_database_problem(conn.settings_dict)
    if problem:
        raise NotScratchDatabase(f"Refusing to load benchmark data: {problem}.")


def sample_title(number):
    return f"Sample procedure {number:04d} (benchmark data)"


def prepare(samples=SAMPLE_COUNT, out=None):
    """Migrate the scratch database, load the demo content (no accounts) and the samples."""
    refuse_unless_scratch()
    call_command("migrate", "--noinput", verbosity=0)
    call_command("load_demo_content", "--no-accounts", stdout=out)
    load_sample_procedures(samples)
    build_search_index(out)
    settle()


def build_search_index(out=None):
    """Index every page for the search, as `manage.py update_index` does. Saving a page only
    queues the task that indexes it, for the task worker, which the bench does not run:
    without this, every search would find nothing."""
    refuse_unless_scratch()
    call_command("update_index", stdout=out)


def settle():
    """On PostgreSQL, gather the new rows' statistics now (VACUUM ANALYZE), as autovacuum
    would soon after a load: then it does not do so while the bench measures, and the query
    plans are those of a site in use."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def child_path(parent_path, number, steplen, alphabet):
    """The tree path of the `number`-th child (from 1) under `parent_path`, as treebeard
    numbers children: the number in base len(alphabet), padded to `steplen` digits."""
    digits = ""
    while number:
        number, rest = divmod(number, len(alphabet))
        digits = alphabet[rest] + digits
    return parent_path + digits.rjust(steplen, alphabet[0])


@transaction.atomic
def load_sample_procedures(count=SAMPLE_COUNT):
    """Add sample procedures under the treatments index until there are `count` of them;
    return how many were added. Running it again adds none.

    They are written in bulk (a few thousand rows per statement, then one row each in the
    treatments table), not one `add_child` each (a dozen queries, the reading level worked
    out, a search-index task): 10,000 of them load in about a minute. Each treats one of the
    demo's body areas, in turn, and has the standard sections a new page starts with."""
    from wagtail.models import Page

    from procedures.models import BodyArea, ProcedureIndexPage, ProcedurePage, standard_sections
    from procedures.readability import page_smog

    refuse_unless_scratch()
    index = ProcedureIndexPage.objects.get()
    existing = ProcedurePage.objects.filter(title__endswith="(benchmark data)").count()
    if existing >= count:
        return 0
    last = index.get_last_child()
    step = int(last.path[-Page.steplen :], len(Page.alphabet)) if last else 0
    body = standard_sections()  # one value for all: each page stores its own copy
    smog = page_smog(ProcedurePage(summary=SAMPLE_SUMMARY, body=body))
    areas = list(BodyArea.objects.order_by("name"))
    now = timezone.now()
    pages = []
    for number in range(existing + 1, count + 1):
        step += 1
        title = sample_title(number)
        slug = slugify(title)
        pages.append(
            ProcedurePage(
                title=title,
                draft_title=title,
                slug=slug,
                url_path=f"{index.url_path}{slug}/",
                path=child_path(index.path, step, Page.steplen, Page.alphabet),
                depth=index.depth + 1,
                numchild=0,
                locale_id=index.locale_id,
                live=True,
                has_unpublished_changes=False,
                first_published_at=now,
                last_published_at=now,
                summary=SAMPLE_SUMMARY,
                body=body,
                smog_grade=smog,
                listed_title=title,  # as ProcedurePage.save() sets it for a live page
            )
        )
    # Django cannot insert a model with a parent table in bulk: the pages' rows first, then
    # each treatment's own row, pointing at its page.
    Page.objects.bulk_create(pages, batch_size=2000)
    ids = dict(Page.objects.filter(path__in=[p.path for p in pages]).values_list("path", "id"))
    for page in pages:
        page.page_ptr_id = page.id = ids[page.path]
        page.save_base(raw=True, force_insert=True)
    Page.objects.filter(pk=index.pk).update(numchild=F("numchild") + len(pages))
    if areas:
        through = ProcedurePage.body_areas.through
        through.objects.bulk_create(
            [
                through(procedurepage_id=page.pk, bodyarea_id=areas[n % len(areas)].pk)
                for n, page in enumerate(pages)
            ],
            batch_size=2000,
        )
    return len(pages)
