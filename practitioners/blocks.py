"""The "Who does it" section of a procedure page: the practitioners who give the treatment,
each linked to their profile. procedures.blocks puts it in the page's body."""

from wagtail import blocks

from base.blocks import SectionBlock, at_least_one


class WhoDoesItValue(blocks.StructValue):
    @property
    def live_practitioners(self):
        """The chosen practitioners whose profiles are live (only those can be linked to)."""
        return [p for p in self.get("practitioners", []) if p is not None and p.live]


class WhoDoesItBlock(SectionBlock):
    practitioners = blocks.ListBlock(
        blocks.PageChooserBlock(page_type="practitioners.PractitionerPage", label="Practitioner"),
        default=[],
        help_text='The clinicians who give this treatment, from "Our clinicians". A new '
        "profile shows here once it is live.",
    )

    def field_errors(self, value):
        chosen = [practitioner for practitioner in value["practitioners"] if practitioner]
        return {"practitioners": at_least_one(chosen, "Choose at least one practitioner.")}

    class Meta:
        heading = "Who gives {name}"
        icon = "user"
        template = "practitioners/blocks/who_does_it.html"
        description = "The practitioners who give the treatment, linked to their profiles."
        value_class = WhoDoesItValue
        preview_value = {"practitioners": []}
