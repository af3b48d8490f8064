"""Demo content: the "Our clinicians" page and a fictional example clinician, whom the demo
reviewer account is linked to. Running these again changes nothing.

The clinician is invented and says so in their name. Their profile gives no registration
number: a made-up number could be a real clinician's on the public register.
"""

from wagtail.rich_text import RichText

from base.pages import add_published_child

from .models import PractitionerIndexPage, PractitionerPage

EXAMPLE_CLINICIAN = {
    "title": "Dr Riley Reviewer (example clinician)",
    "slug": "example-clinician",
    "role": "pain consultant",
    "qualifications": "MBBS\nFRCA",
    "biography": RichText(
        "<p>This is an example profile on the demo site: Dr Riley Reviewer is not a real "
        "clinician. A real profile tells patients about the clinician's experience and what "
        "to expect when they see them.</p>"
    ),
}


def load_practitioner_index(home_page):
    """The clinicians index at /clinicians/."""
    return add_published_child(
        home_page,
        PractitionerIndexPage(
            title="Our clinicians",
            slug="clinicians",
            show_in_menus=True,
            introduction="The clinicians who give our treatments.",
        ),
    )


def load_example_clinician(index):
    """The fictional example clinician's profile, live."""
    return add_published_child(index, PractitionerPage(**EXAMPLE_CLINICIAN))


def add_treatment(clinician, treatment):
    """List `treatment` among those the clinician gives, if it is not there yet."""
    if clinician.treatments.filter(pk=treatment.pk).exists():
        return
    clinician.treatments.add(treatment)
    clinician.save_revision().publish()


def link_account(clinician, user):
    """Link the staff account to the clinician's profile, unless one is linked already."""
    if clinician.user_id is not None or hasattr(user, "practitioner_profile"):
        return
    clinician.user = user
    clinician.save_revision().publish()
