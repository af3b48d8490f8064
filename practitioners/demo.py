"""Demo content: the "Our clinicians" page and a fictional example clinician, whom the demo
reviewer account is linked to. Running these again changes nothing.

The clinician is invented and says so in their name. Their profile gives no registration
number: a made-up number could be a real clinician's on the public register.
"""

from wagtail.rich_text import RichText

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
    index = PractitionerIndexPage.objects.child_of(home_page).first()
    if index is None:
        index = home_page.add_child(
            instance=PractitionerIndexPage(
                title="Our clinicians",
                slug="clinicians",
                show_in_menus=True,
                introduction="The clinicians who give our treatments.",
            )
        )
        index.save_revision().publish()
    return index


def load_example_clinician(index):
    """The fictional example clinician's profile, live."""
    clinician = PractitionerPage.objects.child_of(index).filter(slug="example-clinician").first()
    if clinician is None:
        clinician = index.add_child(instance=PractitionerPage(**EXAMPLE_CLINICIAN))
        clinician.save_revision().publish()
    return clinician


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
