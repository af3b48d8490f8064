"""Demo content: the contact page under the home page (used by load_demo_content)."""

from base.models import ClinicSettings
from base.pages import add_published_child

from .models import ContactFormPage, FormField

INTRODUCTION = (
    "Please include non-medical questions and correspondence only. We read every message "
    "and use it only to answer you. For questions about your health or treatment, please "
    "book an appointment or call us. In an emergency, call your local emergency number."
)

THANK_YOU_TEXT = (
    "<p>We have received your message. Someone at the clinic will reply by e-mail within "
    "two working days.</p>"
    "<p>If your question is urgent, please call the clinic instead of waiting for our "
    "reply.</p>"
    "<p>In an emergency, call your local emergency number.</p>"
)

FIELDS = [
    {"label": "Name", "clean_name": "name", "field_type": "singleline", "required": True},
    {
        "label": "E-mail address",
        "clean_name": "email",
        "field_type": "email",
        "required": True,
        "help_text": "We will reply to this address.",
    },
    {
        "label": "Phone number",
        "clean_name": "phone",
        "field_type": "phone",
        "required": False,
        "help_text": "Optional. Only if you would like us to call you back.",
    },
    {
        "label": "Message",
        "clean_name": "message",
        "field_type": "multiline",
        "required": True,
        "help_text": "Non-medical questions only: please leave out symptoms and test results.",
    },
    {
        "label": "My message contains no medical details",
        "clean_name": "no_medical_details",
        "field_type": "checkbox",
        "required": True,
        "help_text": (
            "Please do not include symptoms, diagnoses, test results or other medical "
            "information. This form is not a secure channel for them."
        ),
    },
]


def load_contact_page(home_page, from_address="website@clinic.example"):
    """The "Contact us" page at /contact/ with its five fields, mailing messages to the
    clinic's address (an empty `from_address` sends from DEFAULT_FROM_EMAIL). Idempotent:
    when the page exists it is returned unchanged."""
    clinic = ClinicSettings.objects.filter(site__root_page=home_page).first()
    return add_published_child(
        home_page,
        ContactFormPage(
            title="Contact us",
            slug="contact",
            show_in_menus=True,
            introduction=INTRODUCTION,
            thank_you_text=THANK_YOU_TEXT,
            to_address=(clinic.email if clinic and clinic.email else "hello@clinic.example"),
            from_address=from_address,
            subject="New message from the website",
            form_fields=[
                FormField(sort_order=order, **field) for order, field in enumerate(FIELDS)
            ],
        ),
    )
