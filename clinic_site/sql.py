"""Names for the few queries written out in SQL (where Django takes longer to build a query
than the database takes to run it): a model's table and a field's column, quoted for the
database that the model is read from. This module imports no app."""

from django.db import connections, router


def quote_name(model, name):
    return connections[router.db_for_read(model)].ops.quote_name(name)


def table(model):
    return quote_name(model, model._meta.db_table)


def column(model, field_name):
    return quote_name(model, model._meta.get_field(field_name).column)
