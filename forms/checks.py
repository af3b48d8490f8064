"""Start-up checks of the contact form's settings: a bad value is named, with what it should
be, before the site serves anyone (`manage.py check --deploy`, `migrate` and every command)."""

from django.core.checks import Error, register

from base.checks import whole_number_problem

# A hundred years: longer is no retention period, and past datetime's range.
MAX_RETENTION_DAYS = 36500


@register()
def check_contact_form_settings(app_configs, **kwargs):
    problems = [
        (
            whole_number_problem("FORM_SUBMISSION_RETENTION_DAYS", 1, MAX_RETENTION_DAYS),
            "Days contact messages are kept before purge_form_submissions deletes them.",
            "clinic_forms.E001",
        ),
        (
            whole_number_problem("CONTACT_RATE_LIMIT", 1),
            "Contact messages a client address may send per CONTACT_RATE_WINDOW.",
            "clinic_forms.E002",
        ),
        (
            whole_number_problem("CONTACT_RATE_WINDOW", 1),
            "Seconds over which CONTACT_RATE_LIMIT counts (3600: an hour).",
            "clinic_forms.E003",
        ),
    ]
    return [Error(message, hint=hint, id=id_) for message, hint, id_ in problems if message]
