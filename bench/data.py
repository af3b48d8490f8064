"""The benchmark's database: the demo content and 1,000 sample procedures, loaded only into a
scratch database that bench/run.py made for this run.

A scratch database is a SQLite file in a directory named `clinic-bench-…` under the system's
temporary directory, or a PostgreSQL database named `clinic_bench_<number>`, which the bench
creates (CREATE DATABASE fails if it exists) and drops. Anything else, the developer's
db.sqlite3 or the database DATABASE_URL names, is refused before a single query.

The sample procedures are marked as what they are: "Sample procedure 0001 (benchmark data)",
with a summary that says they are not a real treatment. They are published straight away
(live, without a revision each), which is all a visitor's request reads; the body is the
standard sections a new page starts with. The search index is then built, as
`manage.py update_index` builds it.
"""

import re
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

SCRATCH_DIR_PREFIX = "clinic-bench-"
SCRATCH_POSTGRES_NAME = re.compile(r"^clinic_bench_\d+$")
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
            return f"the PostgreSQL database {name!r} is not named clinic_bench_<number>"
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


@transaction.atomic
def load_sample_procedures(count=SAMPLE_COUNT):
    """Add sample procedures under the treatments index until there are `count` of them;
    return how many were added. Running it again adds none."""
    from procedures.models import ProcedureIndexPage, ProcedurePage, standard_sections

    refuse_unless_scratch()
    index = ProcedureIndexPage.objects.get()
    existing = ProcedurePage.objects.filter(title__endswith="(benchmark data)").count()
    body = standard_sections()  # one value for all: each page stores its own copy
    now = timezone.now()
    for number in range(existing + 1, count + 1):
        title = sample_title(number)
        index.add_child(
            instance=ProcedurePage(
                title=title,
                slug=slugify(title),
                summary=SAMPLE_SUMMARY,
                body=body,
                live=True,
                has_unpublished_changes=False,
                first_published_at=now,
                last_published_at=now,
            )
        )
    return count - existing
