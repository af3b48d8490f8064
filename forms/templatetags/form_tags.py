from django import forms, template

register = template.Library()


@register.filter
def field_kind(bound_field):
    """How the field component lays a field out: "checkbox" (box, then label), "choices"
    (a fieldset of options), "captcha" or "input"."""
    widget = bound_field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
        return "choices"
    if bound_field.name == getattr(bound_field.form, "captcha_field_name", None):
        return "captcha"
    return "input"


@register.filter
def hint_id(bound_field):
    return f"{bound_field.auto_id}_hint"


@register.filter
def error_id(bound_field):
    return f"{bound_field.auto_id}_error"
