"""The typed sections a procedure page is built from.

Each section block names its heading after the page ("Side effects of prolotherapy"), so a
heading can never name another procedure, and refuses to be published empty: its errors sit
on the field at fault. Display logic lives in the value classes.
"""

import uuid
from html import unescape

from django.core.exceptions import ValidationError
from django.utils.html import strip_tags
from django.utils.text import capfirst
from wagtail import blocks
from wagtail.snippets.blocks import SnippetChooserBlock

from clinic_site.blocks import (
    FALLBACK_NAME,
    PageLinkChooserBlock,
    ReadByIdMixin,
    SectionBlock,
    ValidatedStructBlock,
    at_least_one,
)
from clinic_site.text import tel_href
from practitioners.blocks import WhoDoesItBlock

# The strength-of-recommendation taxonomy (SORT; Ebell MH et al., Am Fam Physician 2004):
# each grade's meaning in full, as patients read it, and a short label for the editor's menu.
SORT_GRADES = {
    "A": "Recommendation based on consistent and good-quality patient-oriented evidence.",
    "B": "Recommendation based on inconsistent or limited-quality patient-oriented evidence.",
    "C": (
        "Recommendation based on consensus, usual practice, opinion, disease-oriented "
        "evidence or case series."
    ),
}
SORT_GRADE_LABELS = {
    "A": "A: good-quality evidence",
    "B": "B: limited or inconsistent evidence",
    "C": "C: consensus, opinion or case series",
}


def stripped(value, name):
    """A text field of a struct value without surrounding spaces; "" when it was never filled
    in (a section made in code, not in the editor, holds None)."""
    return (value.get(name) or "").strip()


def plain_text(rich_text):
    """Rich text as the words a reader sees, on one line (internal links expanded)."""
    return " ".join(unescape(strip_tags(str(rich_text or ""))).split())


# The few rich-text features a short answer or note needs.
SHORT_RICH_TEXT = ["bold", "italic", "link", "ul", "ol"]


class ListItemBlock(blocks.CharBlock):
    """A line of a list. The admin shows a list's items without labels, so each item's input
    carries its label as its accessible name (read out by screen readers)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.field.widget.attrs["aria-label"] = self.label


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


class ReferenceChooserBlock(ReadByIdMixin, SnippetChooserBlock):
    """A reference, chosen (or created) in the references snippet's chooser."""

    def __init__(self, **kwargs):
        super().__init__("procedures.Reference", **kwargs)


class ClinicLocationChooserBlock(ReadByIdMixin, SnippetChooserBlock):
    """A clinic location, chosen (or created) in the clinic locations snippet's chooser."""

    def __init__(self, **kwargs):
        super().__init__("procedures.ClinicLocation", **kwargs)


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
        ReferenceChooserBlock(),
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
    def _range(low, high):
        if low is None:
            return ""
        return f"{low}" if high in (None, low) else f"{low} to {high}"

    @property
    def sentence(self):
        """The schedule in words: "Sessions are usually every 2 to 6 weeks, …"."""
        interval = self._range(self.get("interval_min_weeks"), self.get("interval_max_weeks"))
        weeks = "week" if interval == "1" else "weeks"
        sentence = f"Sessions are usually given every {interval} {weeks}"
        if self.get("duration"):
            sentence += f" {stripped(self, 'duration')}"
        sessions = self._range(self.get("sessions_min"), self.get("sessions_max"))
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


class PreparationStepValue(blocks.StructValue):
    @property
    def text(self):
        """The step as one line: "Stop eating (6 hours before)"."""
        step, timing = stripped(self, "step"), stripped(self, "timing")
        return f"{step} ({timing})" if timing else step


class PreparationStepBlock(blocks.StructBlock):
    step = blocks.CharBlock(max_length=200, help_text='What to do, e.g. "Stop eating".')
    timing = blocks.CharBlock(
        required=False,
        max_length=100,
        help_text='Optional: when, e.g. "6 hours before".',
    )

    class Meta:
        icon = "check"
        value_class = PreparationStepValue


class PreparationBlock(SectionBlock):
    introduction = blocks.CharBlock(
        required=False, max_length=300, help_text="Optional: a sentence before the steps."
    )
    steps = blocks.ListBlock(PreparationStepBlock(), default=[])

    def field_errors(self, value):
        return {"steps": at_least_one(value["steps"], "Add at least one step.")}

    class Meta:
        label = "How to prepare"
        heading = "How to prepare for {name}"
        icon = "clipboard-list"
        template = "procedures/blocks/preparation.html"
        description = "What to do before the procedure, each step with an optional timing."
        preview_value = {
            "steps": [{"step": "Bring a list of the medicines you take", "timing": ""}],
        }


class AftercareValue(blocks.StructValue):
    @property
    def shows_what_to_expect(self):
        return bool(plain_text(self.get("what_to_expect")))

    @property
    def followup(self):
        """The section's words in one paragraph, as search engines are given them."""
        parts = [plain_text(self.get("what_to_expect")), stripped(self, "recovery_time")]
        avoid = [(item or "").strip() for item in self.get("avoid") or []]
        if avoid:
            parts.append("What to avoid: " + "; ".join(avoid) + ".")
        return " ".join(part for part in parts if part)


class AftercareBlock(SectionBlock):
    what_to_expect = blocks.RichTextBlock(
        required=False,
        features=SHORT_RICH_TEXT,
        help_text="How people usually feel and what they can do in the first days.",
    )
    recovery_time = blocks.CharBlock(
        required=False,
        max_length=300,
        label="How long recovery takes",
        help_text='e.g. "Most people go back to their usual activities the next day."',
    )
    avoid = blocks.ListBlock(
        ListItemBlock(max_length=200, label="Something to avoid"),
        default=[],
        required=False,
        label="What to avoid",
    )

    def field_errors(self, value):
        if (
            plain_text(value["what_to_expect"])
            or stripped(value, "recovery_time")
            or value["avoid"]
        ):
            return {}
        return {
            "what_to_expect": ValidationError(
                "Say what to expect, how long recovery takes or what to avoid."
            )
        }

    class Meta:
        label = "Recovery and aftercare"
        heading = "Recovery and aftercare after {name}"
        icon = "calendar-check"
        template = "procedures/blocks/aftercare.html"
        description = (
            "What happens afterwards: what to expect, how long recovery takes, what to avoid."
        )
        value_class = AftercareValue
        preview_value = {
            "what_to_expect": "<p>The treated area may be sore for a few days.</p>",
            "recovery_time": "",
            "avoid": [],
        }


class AlternativeValue(blocks.StructValue):
    @property
    def title(self):
        """The chosen treatment's title, or the name typed."""
        page = self.get("page")
        return page.title if page is not None else stripped(self, "name")

    @property
    def linked_page(self):
        """The chosen treatment's page while it is live, so that no link leads nowhere."""
        page = self.get("page")
        return page if page is not None and page.live else None


class AlternativeBlock(ValidatedStructBlock):
    page = PageLinkChooserBlock(
        page_type="procedures.ProcedurePage",
        required=False,
        label="One of our treatments",
        help_text="Choose the page of a treatment we offer, or type a name below.",
    )
    name = blocks.CharBlock(
        required=False,
        max_length=120,
        label="Or another treatment",
        help_text='A treatment we do not have a page for, e.g. "Physiotherapy".',
    )
    note = blocks.CharBlock(
        max_length=300, help_text="A short note: how it differs, or who it may suit."
    )

    def field_errors(self, value):
        page, name = value["page"], stripped(value, "name")
        if page is None and not name:
            return {"page": ValidationError("Choose one of our treatments or type a name.")}
        if page is not None and name:
            return {"name": ValidationError("Either choose a treatment or type a name, not both.")}
        return {}

    class Meta:
        icon = "redirect"
        value_class = AlternativeValue


class AlternativesValue(blocks.StructValue):
    @property
    def shown_items(self):
        """The alternatives that still have a name: a chosen page since deleted has none."""
        return [item for item in self.get("items") or [] if item.title]


class AlternativesBlock(SectionBlock):
    introduction = blocks.CharBlock(
        required=False, max_length=300, help_text="Optional: a sentence before the list."
    )
    items = blocks.ListBlock(AlternativeBlock(), default=[], label="Alternatives")

    def field_errors(self, value):
        return {"items": at_least_one(value["items"], "Add at least one alternative.")}

    class Meta:
        label = "Alternatives"
        heading = "Alternatives to {name}"
        icon = "redirect"
        template = "procedures/blocks/alternatives.html"
        value_class = AlternativesValue
        description = "Other treatments: our own pages, linked, or others by name, with a note."
        preview_value = {
            "items": [{"page": None, "name": "Physiotherapy", "note": "Exercises to help."}],
        }


def symptoms(label, help_text):
    """A level's list of symptoms, labelled with what to do."""
    return blocks.ListBlock(
        ListItemBlock(max_length=200, label=label),
        default=[],
        required=False,
        label=label,
        help_text=help_text,
    )


class UrgentHelpBlock(SectionBlock):
    """When to get help, in three levels as NHS care cards have them. The clinic's phone and
    the emergency number come from the clinic settings, so each is typed once."""

    non_urgent = symptoms(
        "Non-urgent: contact the clinic if",
        'Symptoms, one an item, e.g. "you still have pain after 2 weeks".',
    )
    urgent = symptoms(
        "Urgent: call the clinic now if",
        'Symptoms, one an item, e.g. "the injection site is hot, red and swollen".',
    )
    urgent_line = blocks.CharBlock(
        required=False,
        max_length=60,
        label="Urgent line (name)",
        help_text='Optional: a line to call when the clinic is closed, e.g. "NHS 111".',
    )
    urgent_line_number = blocks.CharBlock(
        required=False,
        max_length=20,
        label="Urgent line (number)",
        help_text='Its number as patients dial it, e.g. "111".',
    )
    emergency = symptoms(
        "Emergency: call the emergency number if",
        "Symptoms, one an item. The emergency number is the one in the clinic settings.",
    )

    def field_errors(self, value):
        errors = {}
        if not (value["non_urgent"] or value["urgent"] or value["emergency"]):
            errors["non_urgent"] = ValidationError(
                "List the symptoms of at least one level: non-urgent, urgent or emergency."
            )
        line, number = stripped(value, "urgent_line"), stripped(value, "urgent_line_number")
        if line and not tel_href(number):
            errors["urgent_line_number"] = ValidationError("Give the urgent line's number.")
        if number and not line:
            errors["urgent_line"] = ValidationError('Name the urgent line, e.g. "NHS 111".')
        if line and not value["urgent"]:
            errors["urgent"] = ValidationError(
                "List the urgent symptoms that the urgent line is for."
            )
        return errors

    def get_context(self, value, parent_context=None):
        """The clinic's phone and emergency number, from the settings of the request's site."""
        from home.models import ClinicSettings

        context = super().get_context(value, parent_context=parent_context)
        request = (parent_context or {}).get("request")
        context["clinic"] = ClinicSettings.for_request(request) if request else None
        context["urgent_line_href"] = tel_href(value.get("urgent_line_number") or "")
        return context

    class Meta:
        label = "When to get help"
        heading = "When to get help after {name}"
        icon = "error"
        template = "procedures/blocks/urgent_help.html"
        description = "Symptoms to act on, in three levels: non-urgent, urgent and emergency."
        preview_value = {
            "non_urgent": ["You still have pain after 2 weeks"],
            "urgent": [],
            "emergency": ["You have difficulty breathing"],
        }


class QuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(max_length=200, help_text="As a patient would ask it.")
    answer = blocks.RichTextBlock(features=SHORT_RICH_TEXT)

    class Meta:
        icon = "help"


class QuestionsBlock(SectionBlock):
    items = blocks.ListBlock(QuestionBlock(), default=[], label="Questions")

    def field_errors(self, value):
        return {"items": at_least_one(value["items"], "Add at least one question.")}

    class Meta:
        label = "Questions patients ask"
        heading = "Questions patients ask about {name}"
        icon = "help"
        template = "procedures/blocks/questions.html"
        description = "Questions patients ask, each with its answer."
        preview_value = {
            "items": [{"question": "Will it hurt?", "answer": "<p>Ask us at your visit.</p>"}]
        }


class LocationMapBlock(SectionBlock):
    location = ClinicLocationChooserBlock(
        help_text='Clinic locations are listed under "Clinic content" in the menu.'
    )
    zoom = blocks.IntegerBlock(
        default=16, min_value=10, max_value=19, help_text="16 shows the streets around it."
    )

    class Meta:
        heading = "Where to have {name}"
        icon = "site"
        template = "procedures/blocks/location_map.html"
        description = "A clinic location: address, opening hours, directions and a map."
        preview_value = {"location": None, "zoom": 16}


class SourcesBlock(SectionBlock):
    extra_credits = blocks.ListBlock(
        ListItemBlock(max_length=200, label="Credit"),
        default=[],
        required=False,
        help_text='Other sources that are not a citation, e.g. "PubMed". The references the '
        "page cites are listed automatically.",
    )

    class Meta:
        heading = "Sources"
        icon = "list-ol"
        template = "procedures/blocks/sources.html"
        description = "The references cited on this page (listed for you), and other credits."
        preview_value = {"extra_credits": ["PubMed"]}


class CallToActionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(default="Contact us today", max_length=100)
    text = blocks.TextBlock(
        required=False,
        max_length=300,
        default="Have a question about this treatment? Send us a message or call us.",
    )
    page = PageLinkChooserBlock(
        page_type="clinic_forms.ContactFormPage", help_text="The contact page."
    )
    button_label = blocks.CharBlock(default="Contact us", max_length=40)

    class Meta:
        icon = "mail"
        template = "procedures/blocks/call_to_action.html"
        description = "A link to the contact page."
        group = "Procedure sections"
        preview_value = {
            "heading": "Contact us today",
            "text": "Have a question about this treatment?",
            "button_label": "Contact us",
        }


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
    location = apps.get_model("procedures", "ClinicLocation").objects.order_by("pk").first()
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
