"""The typed sections a procedure page is built from (medical_blocks.py, care_blocks.py), as
the body's stream block.

Each section block names its heading after the page ("Side effects of prolotherapy"), so a
heading can never name another procedure, and refuses to be published empty: its errors sit
on the field at fault. Display logic lives in the value classes.
"""

import uuid

from wagtail import blocks

from practitioners.blocks import WhoDoesItBlock

from .care_blocks import (
    AftercareBlock,
    AlternativesBlock,
    CallToActionBlock,
    LocationMapBlock,
    PreparationBlock,
    QuestionsBlock,
    SourcesBlock,
    UrgentHelpBlock,
)
from .medical_blocks import (
    ContraindicationsBlock,
    DescriptionBlock,
    EvidenceBlock,
    RisksBlock,
    SideEffectsBlock,
    TreatmentScheduleBlock,
)


class ProcedureStreamBlock(blocks.StreamBlock):
    # In the order of a patient's path, as the block picker lists them.
    description = DescriptionBlock()
    evidence = EvidenceBlock()
    preparation = PreparationBlock()
    treatment_schedule = TreatmentScheduleBlock()
    aftercare = AftercareBlock()
    contraindications = ContraindicationsBlock()
    side_effects = SideEffectsBlock()
    risks = RisksBlock()
    alternatives = AlternativesBlock()
    urgent_help = UrgentHelpBlock()
    questions = QuestionsBlock()
    location_map = LocationMapBlock()
    who_does_it = WhoDoesItBlock()
    sources = SourcesBlock()
    call_to_action = CallToActionBlock()

    class Meta:
        # One list of questions: search engines read one FAQ per page.
        block_counts = {"sources": {"max_num": 1}, "questions": {"max_num": 1}}


def standard_sections():
    """The body a new procedure page starts with: every standard section, to fill in, in the
    order of a patient's path (what it is and why, how to prepare, what happens, recovery,
    risks, alternatives, when to get help).

    Each section is its block's complete default value (every field present, as the admin's
    editor needs) with an id of its own, and the location and the contact link set to the
    clinic's first location and contact page.
    """
    from django.apps import apps

    stream_block = (
        apps.get_model("procedures", "ProcedurePage")._meta.get_field("body").stream_block
    )
    location = apps.get_model("locations", "ClinicLocation").objects.order_by("pk").first()
    contact = apps.get_model("clinic_forms", "ContactFormPage").objects.order_by("path").first()

    def section(name, **values):
        block = stream_block.child_blocks[name]
        return (name, block.normalize({**block.get_default(), **values}), str(uuid.uuid4()))

    return blocks.StreamValue(
        stream_block,
        [
            section("description", section="what"),
            section("evidence"),
            section("preparation"),
            section("description", section="how"),
            section("treatment_schedule"),
            section("aftercare"),
            section("contraindications"),
            section("side_effects"),
            section("risks"),
            section("alternatives"),
            section("urgent_help"),
            section("questions"),
            section("location_map", location=location),
            section("who_does_it"),
            section("sources"),
            section("call_to_action", page=contact),
        ],
    )
