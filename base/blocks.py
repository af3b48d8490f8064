"""The base blocks of a page's typed sections, shared by the apps whose blocks go into a
procedure page's body. This module imports no app.

A section block names its heading after the page it is on ("Side effects of prolotherapy"),
so a heading can never name another procedure, and refuses to be published empty: its errors
sit on the field at fault.
"""

from django.core.exceptions import ValidationError
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError

FALLBACK_NAME = "this treatment"


def procedure_name(context):
    """The page's name as headings use it, and whether it is plural."""
    page = (context or {}).get("page")
    name = getattr(page, "name_in_sentence", None)
    if not name:
        return FALLBACK_NAME, False
    return name, page.name_is_plural


def at_least_one(items, message):
    return None if items else ValidationError(message)


class ValidatedStructBlock(blocks.StructBlock):
    """A struct block whose own checks put each error on its field.

    Subclasses return a dict of field errors from `field_errors(value)`; they are raised when
    the page is published or submitted for review, and deferred while a draft is saved.
    """

    def field_errors(self, value):
        return {}

    def clean(self, value):
        value = super().clean(value)
        if not self.is_deferred_validation:
            errors = {name: e for name, e in self.field_errors(value).items() if e is not None}
            if errors:
                raise StructBlockValidationError(block_errors=errors)
        return value


class SectionBlock(ValidatedStructBlock):
    """A titled section of a procedure page.

    `Meta.heading` is a pattern with `{name}`, filled with the page's name in headings;
    `Meta.plural_heading` is the pattern for a plural name, where it differs.
    """

    def heading_patterns(self, value):
        """The heading's pattern for a singular name and for a plural one."""
        return self.meta.heading, self.meta.plural_heading or self.meta.heading

    def heading(self, value, context):
        name, plural = procedure_name(context)
        singular_pattern, plural_pattern = self.heading_patterns(value)
        return (plural_pattern if plural else singular_pattern).format(name=name)

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["heading"] = self.heading(value, parent_context)
        return context

    class Meta:
        heading = ""
        plural_heading = ""
        group = "Procedure sections"
