"""An index on the depth of Wagtail's pages.

Each page view reads, in one query, the pages on its path (found by slug, which Wagtail
indexes) and the home page's children for the main menu (found by depth, which it does not).
Without this index the database reads every page of the site to find the menu; with it, both
halves of the query are index look-ups. The index is on Wagtail's table, so it is made here
in SQL that SQLite and PostgreSQL both read."""

from django.db import migrations

INDEX = "home_page_depth_idx"


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0003_readability_target"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX {INDEX} ON wagtailcore_page (depth)",
            f"DROP INDEX {INDEX}",
        ),
    ]
