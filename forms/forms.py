"""The contact form's fields: Wagtail's form builder plus length limits, a phone type,
a captcha and a honeypot."""

import re

import django.forms
from captcha.fields import CaptchaField, CaptchaTextInput
from captcha.models import CaptchaStore
from django.core.exceptions import ValidationError
from django.utils import timezone
from wagtail.contrib.forms.forms import BaseForm, FormBuilder

from base.text import lower_first

# Longest accepted value for each kind of field: too long is an error on the field.
MAX_LENGTHS = {
    "singleline": 200,
    "multiline": 5000,
    "email": 254,
    "phone": 40,
    "url": 2000,
    "hidden": 200,
}

CAPTCHA_NAME = "captcha"
CAPTCHA_LABEL = "Type the characters in the picture"
HONEYPOT_NAME = "website"
HONEYPOT_LABEL = "This field is for validation purposes and should be left unchanged."

PHONE_PATTERN = re.compile(r"\+?[0-9 ().\-]+")


def validate_phone(value):
    """A plausible phone number: digits with spaces, brackets, dots or dashes, and 7-15
    digits in all (an optional leading +)."""
    digits = sum(ch.isdigit() for ch in value)
    if not PHONE_PATTERN.fullmatch(value) or not 7 <= digits <= 15:
        raise ValidationError(
            "Enter a phone number, like 01632 960 001 or +44 808 157 0192.",
            code="invalid",
        )


def hint_id(bound_field):
    """The id of a field's hint, which its input names in aria-describedby."""
    return f"{bound_field.auto_id}_hint"


def error_id(bound_field):
    """The id of a field's error message, which its input names in aria-describedby."""
    return f"{bound_field.auto_id}_error"


def input_id(bound_field):
    """Where a link to the field goes: its input, or the first of its options for radio
    buttons and tick boxes (Django gives such a group no id of its own)."""
    if bound_field.id_for_label:
        return bound_field.id_for_label
    return next((option.id_for_label for option in bound_field.subwidgets), "")


class ContactCaptchaInput(CaptchaTextInput):
    """The captcha's picture (described for screen readers), key and answer box. Widgets
    are rendered by the form renderer, which reads app templates: hence forms/templates/."""

    template_name = "clinic_forms/widgets/captcha.html"

    # What belongs to the answer box only: on the hidden key these are invalid HTML.
    ANSWER_ONLY_ATTRS = ("required", "aria-describedby", "aria-invalid", "autocomplete")

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        hidden, answer = (subwidget["attrs"] for subwidget in context["widget"]["subwidgets"])
        for attr in self.ANSWER_ONLY_ATTRS:
            hidden.pop(attr, None)
        answer.pop("autocorrect", None)  # Safari's own attribute, not HTML
        return context


class OneTimeCaptchaField(CaptchaField):
    """django-simple-captcha's field, where a solved captcha is accepted once, even when the
    same answer is posted several times at once.

    The package reads the captcha's row, then deletes it: parallel posts can all read it
    before any deletes it, and all pass. Here the DELETE decides: of parallel posts, only the
    one whose DELETE removed the row may pass (the database serialises the deletes). Any
    attempt uses the captcha up, a wrong answer too, as in the package."""

    def clean(self, value):
        django.forms.MultiValueField.clean(self, value)
        key, answer = value[0], (value[1] or "").strip().lower()
        value[1] = ""
        CaptchaStore.remove_expired()
        store = CaptchaStore.objects.filter(hashkey=key, expiration__gt=timezone.now()).first()
        deleted = 0
        if store is not None:
            deleted, _ = CaptchaStore.objects.filter(pk=store.pk).delete()
        if not deleted or store.response != answer:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return value


class HoneypotField(django.forms.CharField):
    """A text box that people never see. It never fails validation; what a robot types in
    it is only looked at, never stored."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", HONEYPOT_LABEL)
        kwargs.setdefault(
            "widget",
            django.forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        return (value or "").strip()[:200]


class ContactForm(BaseForm):
    """The form a person fills in. Sets aria-describedby and aria-invalid on each widget
    from its hint and errors, so the rendered inputs say what is wrong with them."""

    captcha_field_name = CAPTCHA_NAME
    honeypot_field_name = HONEYPOT_NAME

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.describe_fields()

    def full_clean(self):
        super().full_clean()
        self.describe_fields(self.errors)

    def typed_values(self):
        """What was typed in each field but the captcha and the honeypot, read as each widget
        reads it: the initial values of a new form that shows it again without judging it
        (a new captcha picture, or over the rate limit), so no captcha is used up."""
        return {
            name: field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            for name, field in self.fields.items()
            if name not in (self.captcha_field_name, self.honeypot_field_name)
        }

    def describe_fields(self, errors=None):
        errors = errors or {}
        for name, field in self.fields.items():
            widget = field.widget
            ids = []
            if field.help_text:
                ids.append(hint_id(self[name]))
            if name in errors:
                ids.append(error_id(self[name]))
                widget.attrs["aria-invalid"] = "true"
            else:
                widget.attrs.pop("aria-invalid", None)
            if ids:
                widget.attrs["aria-describedby"] = " ".join(ids)
            else:
                widget.attrs.pop("aria-describedby", None)

    @property
    def honeypot_filled(self):
        return bool(self.is_bound and self.cleaned_data.get(self.honeypot_field_name))

    def submission_data(self):
        """What is stored: everything but the captcha and the honeypot."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in (self.captcha_field_name, self.honeypot_field_name)
        }


class ContactFormBuilder(FormBuilder):
    """Wagtail's form builder with a length limit on every field, a "phone" type, and the
    captcha and honeypot after the editor's fields."""

    def create_singleline_field(self, field, options):
        return django.forms.CharField(**options)

    def create_email_field(self, field, options):
        options["error_messages"].setdefault(
            "invalid", "Enter an e-mail address in the correct format, like name@example.com."
        )
        field_ = django.forms.EmailField(**options)
        field_.widget.attrs.setdefault("autocomplete", "email")
        return field_

    def create_phone_field(self, field, options):
        options["validators"] = [validate_phone]
        options["widget"] = django.forms.TextInput(
            attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}
        )
        return django.forms.CharField(**options)

    def get_field_options(self, field):
        options = super().get_field_options(field)
        label = field.label
        if field.field_type == "checkbox":
            required = f"Tick the box to confirm: {label}"
        elif field.field_type in ("dropdown", "radio", "checkboxes", "multiselect"):
            required = f"Choose {lower_first(label)}"
        else:
            required = f"Enter {lower_first(label)}"
        options["error_messages"] = {
            "required": required,
            "max_length": (
                f"{label} must be %(limit_value)d characters or fewer (it has %(show_value)d)."
            ),
        }
        if field.field_type in MAX_LENGTHS:
            options["max_length"] = MAX_LENGTHS[field.field_type]
        return options

    @property
    def formfields(self):
        formfields = super().formfields
        for name, form_field in formfields.items():
            # The limit is enforced on the server with a clear message; a maxlength
            # attribute would silently cut a pasted message short instead.
            form_field.widget.attrs.pop("maxlength", None)
            if name in ("name", "full_name", "your_name"):
                form_field.widget.attrs.setdefault("autocomplete", "name")
        formfields[self.captcha_name(formfields)] = OneTimeCaptchaField(
            label=CAPTCHA_LABEL,
            help_text="Letters are not case sensitive. If you cannot read them, get a new picture.",
            widget=ContactCaptchaInput(),
            error_messages={
                "required": "Type the characters you see in the picture",
                "incomplete": "Type the characters you see in the picture",
                "invalid": (
                    "The characters you typed did not match the picture. "
                    "Type the characters in the new picture."
                ),
            },
        )
        formfields[self.honeypot_name(formfields)] = HoneypotField()
        return formfields

    def captcha_name(self, formfields):
        return self._free_name(CAPTCHA_NAME, formfields)

    def honeypot_name(self, formfields):
        return self._free_name(HONEYPOT_NAME, formfields)

    @staticmethod
    def _free_name(name, taken):
        candidate, n = name, 1
        while candidate in taken:
            n += 1
            candidate = f"{name}_{n}"
        return candidate

    def get_form_class(self):
        formfields = self.formfields
        names = list(formfields)
        attrs = dict(formfields)
        # The captcha and honeypot are the last two fields added by `formfields`.
        attrs["captcha_field_name"] = names[-2]
        attrs["honeypot_field_name"] = names[-1]
        return type("ContactForm", (ContactForm,), attrs)
