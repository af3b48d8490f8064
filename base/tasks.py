"""Background tasks of the ground floor, run by the task worker (`manage.py db_worker`)."""

from django_tasks import task
from wagtail.admin.forms.auth import PasswordResetForm


@task()
def send_password_reset(
    email,
    domain,
    use_https,
    subject_template_name,
    email_template_name,
    html_email_template_name=None,
    from_email=None,
):
    """Mail a password reset link to each active account with the address `email` (none when
    no account has it), as Wagtail's "Forgotten password?" form does inside the request. The
    link's token is made here, so no reset link is ever stored in the task queue."""
    form = PasswordResetForm({"email": email})
    if not form.is_valid():
        return "invalid"
    form.save(
        domain_override=domain,
        use_https=use_https,
        subject_template_name=subject_template_name,
        email_template_name=email_template_name,
        html_email_template_name=html_email_template_name,
        from_email=from_email,
    )
    return "done"
