"""Queries compiled once per database connection (clinic_site/sql.py `compiled_once`): they
give the objects Django's own queryset gives, and a page view builds no SQL the second time."""

import logging

import pytest
from django.core.cache import cache
from django.db.models.sql.compiler import SQLCompiler
from wagtail.models import Page

from clinic_site.sql import compiled_once
from procedures.models import BodyArea, ProcedurePage, Reference
from tests.conftest import add_procedures

PAGE_VIEWS = ["/", "/procedures/", "/procedures/prolotherapy/", "/contact/"]


@pytest.fixture
def compiled(monkeypatch):
    """The SQL of each query that Django compiles while the test runs."""
    compiled = []
    as_sql = SQLCompiler.as_sql

    def compile_and_note(self, *args, **kwargs):
        sql, params = as_sql(self, *args, **kwargs)
        compiled.append(sql)
        return sql, params

    monkeypatch.setattr(SQLCompiler, "as_sql", compile_and_note)
    return compiled


def pages_by_id(ids):
    return compiled_once(
        Page, ("test pages", len(ids)), lambda: Page.objects.filter(pk__in=ids).order_by(), ids
    )


def test_a_query_compiled_once_reads_what_django_reads(demo_content, compiled):
    first, second, third = Page.objects.order_by("path")[1:4]
    assert sorted(pages_by_id([first.pk, second.pk]), key=lambda p: p.path) == [first, second]
    compiled.clear()

    found = sorted(pages_by_id([third.pk, second.pk]), key=lambda p: p.path)

    assert compiled == []
    assert found == [second, third]
    assert [p.title for p in found] == [second.title, third.title]
    assert pages_by_id([third.pk, 10**6]) == [third]  # no such page: not there


def test_related_rows_and_annotations_come_as_django_gives_them(demo_content, compiled):
    def pages(slug):
        return compiled_once(
            Page,
            "test pages with their procedure",
            lambda: Page.objects.filter(slug=slug).select_related("procedurepage"),
            [slug],
        )

    pages("contact")
    compiled.clear()
    (page,) = pages("prolotherapy")

    assert compiled == []
    assert isinstance(page.procedurepage, ProcedurePage)
    assert page.procedurepage.body == ProcedurePage.objects.get(slug="prolotherapy").body


def test_parameters_not_as_django_binds_them_are_not_kept(demo_content, compiled, caplog):
    first, second = Reference.objects.order_by("pk")[:2]
    ids = [second.pk, first.pk]

    def read_in_order_given(ids):
        return compiled_once(
            Reference,
            "test ids out of order",
            lambda: Reference.objects.filter(pk__in=sorted(ids)).order_by(),
            ids,  # Django binds them sorted
        )

    with caplog.at_level(logging.WARNING, logger="clinic_site.sql"):
        assert sorted(read_in_order_given(ids), key=lambda r: r.pk) == [first, second]
    assert "it was not kept" in caplog.text
    compiled.clear()
    assert sorted(read_in_order_given(ids), key=lambda r: r.pk) == [first, second]
    assert compiled != []  # compiled again, as Django does


def test_a_page_view_builds_no_sql_the_second_time(client, demo_content, compiled, caplog):
    with caplog.at_level(logging.WARNING, logger="clinic_site.sql"):
        for address in PAGE_VIEWS:
            client.get(address)
        cache.clear()
        compiled.clear()
        response = client.get("/procedures/prolotherapy/")

    assert "Side effects of prolotherapy" in response.text
    assert compiled == []
    assert caplog.text == ""  # every query's parameters were as Django binds them


def test_a_treatment_names_its_body_areas_as_saved_and_as_previewed(client, demo_content):
    first, second = BodyArea.objects.order_by("name")[:2]
    (page,) = add_procedures(1, title="Sample joint treatment", body_areas=[second, first])
    both = f"{first.name}, {second.name}"  # in order of name

    assert f"<dt>Treats</dt><dd>{both}</dd>" in client.get(page.url).text

    page.body_areas.set([second])  # an edit not yet published: a preview shows it
    page.save_revision()
    assert page.get_latest_revision_as_object().body_area_names == second.name
    assert ProcedurePage.objects.get(pk=page.pk).body_area_names == both
