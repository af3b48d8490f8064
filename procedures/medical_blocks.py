"""The sections that say what a treatment is and what it does: what it is and how it is done,
the evidence, the course of treatment, who should not have it, side effects and risks."""

from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from wagtail import blocks
from wagtail.snippets.blocks import SnippetChooserBlock

from base.blocks import (
    FALLBACK_NAME,
    SectionBlock,
    ValidatedStructBlock,
    at_least_one,
)

from .block_text import SORT_GRADE_LABELS, SORT_GRADES, ListItemBlock, stripped


class DescriptionBlock(SectionBlock):
    section = blocks.ChoiceBlock(
        choices=[
            ("what", "What it is"),
            ("how", "How it is done"),
            ("who", "Who it may help"),
            ("other", "Another heading (type it below)"),
        ],
        default="what",
        help_text="The heading is made from the page's name in headings, e.g. \"What is "
        'prolotherapy?" or "What are PRP injections?".',
    )
    custom_heading = blocks.CharBlock(
        required=False,
        max_length=120,
        help_text='Only for "Another heading". Do not name another procedure.',
    )
    body = blocks.RichTextBlock(features=["bold", "italic", "link", "ol", "ul", "h3"])

    # Each section's heading, for a singular name and for a plural one.
    HEADINGS = {
        "what": ("What is {name}?", "What are {name}?"),
        "how": ("How {name} is done", "How {name} are done"),
        "who": ("Who {name} may help", "Who {name} may help"),
    }

    def heading_patterns(self, value):
        return self.HEADINGS[value["section"]]

    def heading(self, value, context):
        if value["section"] == "other":
            return value["custom_heading"]
        return super().heading(value, context)

    def field_errors(self, value):
        if value["section"] == "other" and not stripped(value, "custom_heading"):
            return {"custom_heading": ValidationError('Type the heading for "Another heading".')}
        return {}

    class Meta:
        icon = "doc-full"
        template = "procedures/blocks/description.html"
        description = (
            "What the procedure is, or how it is done (injection sites, guidance, sedation)."
        )
        preview_value = {
            "section": "what",
            "body": "<p>Small amounts of a solution are injected where a tendon or ligament "
            "meets the bone.</p>",
        }


class RecommendationValue(blocks.StructValue):
    @property
    def grade_meaning(self):
        return SORT_GRADES.get(self.get("grade"), "")


class RecommendationBlock(blocks.StructBlock):
    population = blocks.CharBlock(
        max_length=200,
        help_text='Who it applies to, e.g. "knee osteoarthritis" or "patients with limited '
        'alternative options".',
    )
    grade = blocks.ChoiceBlock(
        choices=list(SORT_GRADE_LABELS.items()),
        help_text="Strength of recommendation (SORT), as the cited study grades it. "
        + " ".join(f"{grade}: {meaning}" for grade, meaning in SORT_GRADES.items()),
    )
    statement = blocks.CharBlock(
        required=False,
        max_length=300,
        help_text='Optional: what is recommended and on what basis, e.g. "Dextrose prolotherapy '
        'may be considered, based on two well-designed studies."',
    )

    class Meta:
        icon = "success"
        value_class = RecommendationValue


class FindingBlock(ValidatedStructBlock):
    conclusion = blocks.TextBlock(
        help_text="What the study or review concluded, in plain words.", max_length=1000
    )
    references = blocks.ListBlock(
        SnippetChooserBlock("procedures.Reference"),
        help_text="The publications this finding comes from (References in the admin).",
    )
    recommendations = blocks.ListBlock(
        RecommendationBlock(),
        default=[],
        required=False,
        help_text="Only where the cited study grades a recommendation; leave empty otherwise.",
    )
    caveats = blocks.TextBlock(
        required=False,
        max_length=500,
        help_text='Limits of the evidence, e.g. "The studies had a high risk of bias."',
    )

    def field_errors(self, value):
        cited = [reference for reference in value["references"] if reference is not None]
        return {"references": at_least_one(cited, "Cite at least one reference.")}

    class Meta:
        icon = "list-ul"


class EvidenceBlock(SectionBlock):
    statement = blocks.TextBlock(
        max_length=1000,
        help_text='The overall state of the evidence, e.g. "Prolotherapy remains unproven…".',
    )
    findings = blocks.ListBlock(FindingBlock())

    def field_errors(self, value):
        return {"findings": at_least_one(value["findings"], "Add at least one finding.")}

    def get_context(self, value, parent_context=None):
        """Each finding with its citations numbered as the page's list of sources numbers
        them: `findings` is a list of (finding, [(number, reference), …])."""
        context = super().get_context(value, parent_context=parent_context)
        page = (parent_context or {}).get("page")
        number = getattr(page, "citation_number", lambda reference: None)
        context["findings"] = [
            (
                finding,
                [(number(ref), ref) for ref in finding["references"] if ref is not None],
            )
            for finding in value["findings"]
        ]
        return context

    class Meta:
        heading = "What the evidence says about {name}"
        icon = "openquote"
        template = "procedures/blocks/evidence.html"
        description = "The evidence: findings that cite references, with SORT grades and caveats."
        preview_value = {
            "statement": "The evidence for this treatment is limited.",
            "findings": [
                {
                    "conclusion": "A review found modest benefit for pain.",
                    "references": [],
                    "recommendations": [{"population": "knee osteoarthritis", "grade": "B"}],
                    "caveats": "The studies had a high risk of bias.",
                }
            ],
        }


class ScheduleValue(blocks.StructValue):
    @staticmethod
    def number_range(low, high):
        if low is None:
            return ""
        return f"{low}" if high in (None, low) else f"{low} to {high}"

    @property
    def sentence(self):
        """The schedule in words: "Sessions are usually every 2 to 6 weeks, …"."""
        interval = self.number_range(self.get("interval_min_weeks"), self.get("interval_max_weeks"))
        weeks = "week" if interval == "1" else "weeks"
        sentence = f"Sessions are usually given every {interval} {weeks}"
        if self.get("duration"):
            sentence += f" {stripped(self, 'duration')}"
        sessions = self.number_range(self.get("sessions_min"), self.get("sessions_max"))
        if sessions:
            if self.get("sessions_or_more"):
                sessions += " or more"
            noun = "treatment" if sessions == "1" else "treatments"
            sentence += f", in a series of {sessions} {noun}"
        return sentence + "."


class TreatmentScheduleBlock(SectionBlock):
    interval_min_weeks = blocks.IntegerBlock(
        min_value=1, max_value=104, label="Every (weeks, at least)"
    )
    interval_max_weeks = blocks.IntegerBlock(
        min_value=1, max_value=104, required=False, label="to (weeks, at most)"
    )
    duration = blocks.CharBlock(
        required=False, max_length=100, help_text='Optional, e.g. "for several months".'
    )
    sessions_min = blocks.IntegerBlock(min_value=1, max_value=100, label="Sessions (at least)")
    sessions_max = blocks.IntegerBlock(
        min_value=1, max_value=100, required=False, label="to (sessions, at most)"
    )
    sessions_or_more = blocks.BooleanBlock(
        required=False, label='"or more"', help_text="Tick when some patients need more sessions."
    )
    afterwards = blocks.TextBlock(
        required=False,
        max_length=500,
        help_text="What follows the series, e.g. treatment at less frequent intervals.",
    )

    def field_errors(self, value):
        errors = {}
        if value["interval_max_weeks"] is not None and (
            value["interval_max_weeks"] < value["interval_min_weeks"]
        ):
            errors["interval_max_weeks"] = ValidationError("Must not be less than the first.")
        if value["sessions_max"] is not None and value["sessions_max"] < value["sessions_min"]:
            errors["sessions_max"] = ValidationError("Must not be less than the first.")
        return errors

    class Meta:
        heading = "How often {name} is given"
        plural_heading = "How often {name} are given"
        icon = "date"
        template = "procedures/blocks/treatment_schedule.html"
        description = "How often sessions are given, how many, and what follows."
        value_class = ScheduleValue
        preview_value = {
            "interval_min_weeks": 2,
            "interval_max_weeks": 6,
            "sessions_min": 3,
            "sessions_max": 6,
            "sessions_or_more": True,
        }


class ContraindicationsBlock(SectionBlock):
    absolute = blocks.ListBlock(
        ListItemBlock(max_length=200, label="Absolute contraindication"),
        default=[],
        help_text="Conditions in which the procedure must not be done.",
    )
    relative = blocks.ListBlock(
        ListItemBlock(max_length=200, label="Relative contraindication"),
        default=[],
        help_text="Conditions in which the clinician weighs up the risks first.",
    )

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        page = (parent_context or {}).get("page")
        context["name"] = getattr(page, "title", "") or capfirst(FALLBACK_NAME)
        return context

    def field_errors(self, value):
        if value["absolute"] or value["relative"]:
            return {}
        return {"absolute": ValidationError("Add at least one contraindication.")}

    class Meta:
        heading = "Who should not have {name}"
        icon = "warning"
        template = "procedures/blocks/contraindications.html"
        description = "Contraindications, absolute and relative kept apart."
        preview_value = {"absolute": ["Local infection"], "relative": ["Acute fracture"]}


class SideEffectBlock(blocks.StructBlock):
    effect = blocks.CharBlock(max_length=200)
    note = blocks.CharBlock(
        required=False,
        max_length=200,
        help_text='Timing or frequency, e.g. "often within 72 hours of the injection".',
    )

    class Meta:
        icon = "minus"


class SideEffectsBlock(SectionBlock):
    introduction = blocks.CharBlock(
        required=False,
        max_length=300,
        help_text='e.g. "Reported side effects are generally mild and temporary."',
    )
    items = blocks.ListBlock(SideEffectBlock(), default=[])

    def field_errors(self, value):
        return {"items": at_least_one(value["items"], "Add at least one side effect.")}

    class Meta:
        heading = "Side effects of {name}"
        icon = "pick"
        template = "procedures/blocks/side_effects.html"
        description = "Side effects, each with an optional note of timing or frequency."
        preview_value = {
            "introduction": "Side effects are generally mild and temporary.",
            "items": [{"effect": "Bruising", "note": ""}],
        }


class RisksBlock(SectionBlock):
    introduction = blocks.CharBlock(
        required=False, max_length=300, help_text="Optional: a sentence before the list."
    )
    items = blocks.ListBlock(
        ListItemBlock(max_length=200, label="Risk or complication"), default=[]
    )

    def field_errors(self, value):
        return {"items": at_least_one(value["items"], "Add at least one risk or complication.")}

    class Meta:
        heading = "Risks and complications of {name}"
        icon = "warning"
        template = "procedures/blocks/risks.html"
        description = "Risks and complications. Leave the section out if there are none to list."
        preview_value = {"items": ["Infection"]}
