"""Form data as the Wagtail admin's page editor posts it, for procedure pages."""

from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

# The sections a new procedure page starts with, in order.
STANDARD_SECTION_TYPES = [
    "description",
    "evidence",
    "preparation",
    "description",
    "treatment_schedule",
    "aftercare",
    "contraindications",
    "side_effects",
    "risks",
    "alternatives",
    "urgent_help",
    "questions",
    "location_map",
    "who_does_it",
    "sources",
    "call_to_action",
]


def listblock(values):
    """ListBlock form data: like a StreamField's, one entry per item."""
    data = {
        str(i): {"value": value, "deleted": "", "order": str(i), "id": ""}
        for i, value in enumerate(values)
    }
    data["count"] = str(len(values))
    return data


def procedure_form_data(title, slug, body, body_area_ids=(), **fields):
    data = nested_form_data(
        {
            "title": title,
            "slug": slug,
            "summary": f"{title}: a sample treatment for testing.",
            "procedure_type": "NoninvasiveProcedure",
            "last_reviewed": "",
            "reviewed_by": "",
            "next_review_due": "",
            **fields,
            "body": streamfield(body),
        }
    )
    data["body_areas"] = list(body_area_ids)  # a multiple choice: one key, many values
    return data


def minimal_procedure_body(contact_page_id):
    """A body that passes validation: a description and the contact link."""
    return [
        ("description", {"section": "what", "custom_heading": "", "body": rich_text("<p>x</p>")}),
        (
            "call_to_action",
            {"heading": "Ask us", "text": "", "page": contact_page_id, "button_label": "Contact"},
        ),
    ]
