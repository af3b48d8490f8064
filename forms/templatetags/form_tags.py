from django import forms, template

from forms.forms import error_id, hint_id, input_id

register = template.Library()


@register.filter
def field_kind(bound_field):
    """How the field component lays a field out: "checkbox" (box, then label), "choices"
    (a fieldset of options), "captcha", "honeypot" (hidden from people) or "input"."""
    widget = bound_field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
        return "choices"
    if bound_field.name == getattr(bound_field.form, "captcha_field_name", None):
        return "captcha"
    if bound_field.name == getattr(bound_field.form, "honeypot_field_name", None):
        return "honeypot"
    return "input"


register.filter("hint_id", hint_id)
register.filter("error_id", error_id)
register.filter("input_id", input_id)


@register.filter
def described_by(bound_field):
    """The ids the field's input is described by (set by the form from its hint and errors)."""
    return bound_field.field.widget.attrs.get("aria-describedby", "")
