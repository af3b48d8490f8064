"""SQL for the queries that every page view runs, where Django takes longer to build a query
than the database takes to run it.

- `table` and `column`: a model's table and a field's column, quoted for the database that the
  model is read from, for the few queries written out in SQL.
- `compiled_once`: a queryset whose SQL Django compiles once per database connection, then
  runs again with new parameters.

This module imports no app.
"""

import copy
import logging

from django.db import connections, router

logger = logging.getLogger(__name__)

# Compiled queries kept per database connection; past this many (a query shape that depends
# on the request, such as the number of steps in a path) they are all let go.
MAX_COMPILED_PER_CONNECTION = 200


def quote_name(model, name):
    return connections[router.db_for_read(model)].ops.quote_name(name)


def table(model):
    return quote_name(model, model._meta.db_table)


def column(model, field_name):
    return quote_name(model, model._meta.get_field(field_name).column)


def compiled_once(model, key, build, params):
    """The objects of the queryset of `model` that `build()` makes, as `list(build())` gives
    them, with its SQL compiled once per database connection.

    Django compiles a queryset into SQL every time it runs one: for the small queries of a
    page view (the site, the path, the chosen snippets) that takes longer than the database
    takes to answer. Here the first run under `key` on a connection builds and compiles the
    queryset, and later runs send the same SQL with `params`, read into objects by Django's
    own code (select_related and annotations included) with the converters of each column
    (a StreamField's JSON, say) that the first run found.

    `key` names the query's shape: everything that changes its SQL (a list's length, say).
    `params` are the values that change between runs, in the order Django binds them. The
    first run checks them against Django's: when they differ, the queryset runs as usual and
    a warning is logged. Each value is bound as the type Django bound in the first run (on
    PostgreSQL, an integer as the column's size).
    """
    params = tuple(params)
    connection = connections[router.db_for_read(model)]
    kept = connection.__dict__.setdefault("clinic_compiled_queries", {})
    kept_key = (model, key)
    entry = kept.get(kept_key)
    if entry is None:
        queryset = build()
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, bound = compiler.as_sql()
        if tuple(bound) != params:
            logger.warning(
                "Query %r of %s binds %r, not the parameters given %r: it was not kept.",
                key,
                model.__name__,
                bound,
                params,
            )
            return list(queryset)
        if len(kept) >= MAX_COMPILED_PER_CONNECTION:
            kept.clear()
        types = tuple(type(value) for value in bound)
        fields = [selected[0] for selected in compiler.select[: compiler.col_count]]
        converters = compiler.get_converters(fields)
        kept[kept_key] = entry = (queryset, compiler, sql, types, converters)
    queryset, compiler, sql, types, converters = entry
    params = tuple(
        value if type(value) is bound_type else bound_type(value)
        for value, bound_type in zip(params, types, strict=True)
    )
    run = copy.copy(compiler)  # its select list and row readers, as the first run made them
    run.as_sql = lambda *args, **kwargs: (sql, params)
    run.get_converters = lambda expressions: converters
    queryset = queryset._chain()
    queryset.query.get_compiler = lambda *args, **kwargs: run
    return list(queryset)
