"""The sections around the treatment on a patient's path: how to prepare, recovery and
aftercare, alternatives, when to get help, questions, where to have it, the sources and the
call to action."""

from django.core.exceptions import ValidationError
from wagtail import blocks
from wagtail.snippets.blocks import SnippetChooserBlock

from base.blocks import (
    SectionBlock,
    ValidatedStructBlock,
    at_least_one,
)
from base.models import ClinicSettings
from base.text import tel_href

from .block_text import SHORT_RICH_TEXT, ListItemBlock, plain_text, stripped


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
    page = blocks.PageChooserBlock(
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
    location = SnippetChooserBlock(
        "locations.ClinicLocation",
        help_text='Clinic locations are listed under "Clinic content" in the menu.',
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
    page = blocks.PageChooserBlock(
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
