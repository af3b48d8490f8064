"""Demo content: the prolotherapy page, its two references and a fictional clinic location; the
fictional example clinician (practitioners.demo) gives it and reviewed it.

Every medical statement below comes from the clinic's original prolotherapy page, and the
references are as verified in the project's seed notes. The clinic location is invented and
says so. Running these again changes nothing.
"""

import datetime

from django.utils import timezone
from wagtail.rich_text import RichText

from base.pages import add_published_child
from locations.models import ClinicLocation, OpeningHoursException, OpeningTime

from .models import BodyArea, ProcedureIndexPage, ProcedurePage, Reference

LOCATION = {
    "name": "Example Clinic",
    "street_address": "1 Example Street",
    "locality": "Exampletown",
    "postal_code": "EX1 2AB",
    "country": "GB",
    "phone": "+44 20 7946 0000",
    "latitude": "51.507400",
    "longitude": "-0.127800",
}

# The example clinic's hours (as invented as the clinic): Monday to Friday 09:00 to 17:00, and
# closed on the coming 25 and 26 December, so that its pages show a change to the hours.
OPENING_TIMES = [(weekday, datetime.time(9), datetime.time(17)) for weekday in range(1, 6)]


def coming_christmas(today):
    """25 December this year, or next year's once this year's 26 December is over."""
    year = today.year if today <= datetime.date(today.year, 12, 26) else today.year + 1
    return datetime.date(year, 12, 25)


def load_location():
    """The example clinic location with its opening hours (left as it is once it exists)."""
    location = ClinicLocation.objects.filter(name=LOCATION["name"]).first()
    if location is not None:
        return location
    christmas = coming_christmas(timezone.localdate())
    location = ClinicLocation(
        **LOCATION,
        opening_times=[
            OpeningTime(weekday=weekday, opens=opens, closes=closes)
            for weekday, opens, closes in OPENING_TIMES
        ],
        opening_exceptions=[
            OpeningHoursException(
                label="Christmas",
                first_day=christmas,
                last_day=christmas + datetime.timedelta(days=1),
            )
        ],
    )
    location.full_clean()
    for child in [*location.opening_times.all(), *location.opening_exceptions.all()]:
        child.full_clean(exclude=["location"])
    location.save()
    return location


WEE_2021 = {
    "authors": "Wee TC, et al.",
    "title": "Dextrose prolotherapy in knee osteoarthritis: A systematic review and meta-analysis",
    "journal": "J Clin Orthop Trauma",
    "year": 2021,
    "date_detail": "May 20",
    "volume": "19",
    "issue": "",
    "pages": "108–117",
    "doi": "10.1016/j.jcot.2021.05.015",
    "pmid": "34046305",
}

HAUSER_2022 = {
    "authors": "Hauser RA, Matias D, Woznica D, Rawlings B, Woldin BA",
    "title": "Lumbar instability as an etiology of low back pain and its treatment by "
    "prolotherapy: A review",
    "journal": "J Back Musculoskelet Rehabil",
    "year": 2022,
    "date_detail": "",
    "volume": "35",
    "issue": "4",
    "pages": "701–712",
    "doi": "10.3233/BMR-210097",
    "pmid": "",
}

WHAT_IT_IS = (
    "<p>Prolotherapy is a controversial regenerative medicine treatment aimed at causing "
    "irritation or minor damage to tissue with hope of stimulating the body’s healing "
    "mechanisms. During this treatment, small amounts of an irritant solution are injected at "
    "the site of painful and degenerated tendon insertions, joints, ligaments, and adjacent "
    "joint spaces during several treatment sessions to promote the growth of normal cells and "
    "tissues.</p>"
    "<p>Irritant solutions used for prolotherapy often contain highly concentrated dextrose. "
    "More recently, autologous cellular solutions, such as platelet-rich plasma (PRP), bone "
    "marrow, or adipose tissue, are also being used.</p>"
)

HOW_IT_IS_DONE = (
    "<p>Prolotherapy involves the injection of an irritant solution into a joint space, "
    "weakened ligament, or tendon insertion to relieve pain. The procedure is frequently done "
    "under ultrasound guidance to view the structures. Although the procedure is tolerated "
    "easily by most, you may be offered light sedation.</p>"
)

ABSOLUTE_CONTRAINDICATIONS = [
    "Local abscess",
    "Bleeding disorders",
    "Patient on anticoagulant medication",
    "Known allergy to prolotherapy agent",
    "Acute infections such as cellulitis",
    "Septic arthritis",
]
RELATIVE_CONTRAINDICATIONS = ["Acute gouty arthritis", "Acute fracture"]

SIDE_EFFECTS = [
    ("Mild pain and irritation at the injection site", "often within 72 hours of the injection"),
    ("Numbness at the injection site", ""),
    ("Mild bleeding", ""),
    ("Lightheadedness", ""),
    ("Allergic reactions to the agent used", ""),
    ("Bruising", ""),
    ("Infection", ""),
    ("Nerve damage", ""),
]


def _get_or_create(model, lookup, values):
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        instance = model(**{**lookup, **values})
        instance.full_clean()
        instance.save()
    return instance


def prolotherapy_body(wee, hauser, location, contact_page, clinician):
    return [
        ("description", {"section": "what", "custom_heading": "", "body": RichText(WHAT_IT_IS)}),
        (
            "evidence",
            {
                "statement": (
                    "Prolotherapy remains unproven at present. Studies show that it offers "
                    "modest pain relief, but many experts say evidence of its effectiveness and "
                    "safety is still lacking."
                ),
                "findings": [
                    {
                        "conclusion": (
                            "A systematic review and meta-analysis of 11 randomised trials "
                            "(837 patients) concluded that prolotherapy in knee osteoarthritis "
                            "confers potential benefits for pain."
                        ),
                        "references": [wee],
                        "recommendations": [
                            {
                                "population": "knee osteoarthritis",
                                "grade": "B",
                                "statement": "Based on two well-designed studies, dextrose "
                                "prolotherapy may be considered.",
                            },
                            {
                                "population": "patients with limited alternative options",
                                "grade": "C",
                                "statement": "This treatment is safe and may be considered.",
                            },
                        ],
                        "caveats": "The studies had a high risk of bias.",
                    },
                    {
                        "conclusion": (
                            "A review concluded that non-biologic prolotherapy or cellular "
                            "prolotherapy, including platelet-rich plasma (PRP), can be "
                            "beneficial in restoring spinal stability and resolving chronic low "
                            "back pain."
                        ),
                        "references": [hauser],
                        "recommendations": [],
                        "caveats": "This is a narrative review, not a trial.",
                    },
                ],
            },
        ),
        (
            "description",
            {"section": "how", "custom_heading": "", "body": RichText(HOW_IT_IS_DONE)},
        ),
        (
            "treatment_schedule",
            {
                "interval_min_weeks": 2,
                "interval_max_weeks": 6,
                "duration": "for several months",
                "sessions_min": 3,
                "sessions_max": 6,
                "sessions_or_more": True,
                "afterwards": (
                    "Many patients may need treatment at less frequent intervals until "
                    "treatments are rarely required, if at all."
                ),
            },
        ),
        (
            "contraindications",
            {"absolute": ABSOLUTE_CONTRAINDICATIONS, "relative": RELATIVE_CONTRAINDICATIONS},
        ),
        (
            "side_effects",
            {
                "introduction": "Reported side effects are generally mild and temporary.",
                "items": [{"effect": effect, "note": note} for effect, note in SIDE_EFFECTS],
            },
        ),
        ("location_map", {"location": location, "zoom": 16}),
        ("who_does_it", {"practitioners": [clinician]}),
        ("sources", {"extra_credits": ["PubMed"]}),
        (
            "call_to_action",
            {
                "heading": "Contact us today",
                "text": "Questions about prolotherapy? Send us a message or call us.",
                "page": contact_page,
                "button_label": "Contact us",
            },
        ),
    ]


def load_procedure_index(home_page):
    """The procedures index at /procedures/ (first in the menu)."""
    return add_published_child(
        home_page,
        ProcedureIndexPage(
            title="Treatments",
            slug="procedures",
            show_in_menus=True,
            introduction="The treatments we offer, what they involve and what the evidence says.",
        ),
    )


def load_prolotherapy(index, contact_page, clinician):
    """The prolotherapy page, its references, body areas and the clinic location; the example
    `clinician` gives it and reviewed it."""
    location = load_location()
    wee = _get_or_create(Reference, {"doi": WEE_2021["doi"]}, WEE_2021)
    hauser = _get_or_create(Reference, {"doi": HAUSER_2022["doi"]}, HAUSER_2022)
    knee = _get_or_create(BodyArea, {"name": "Knee"}, {})
    lower_back = _get_or_create(BodyArea, {"name": "Lower back"}, {})

    return add_published_child(
        index,
        ProcedurePage(
            title="Prolotherapy",
            slug="prolotherapy",
            summary=(
                "Injections of an irritant solution, often concentrated dextrose, into "
                "painful tendons, ligaments and joints, meant to stimulate healing. The "
                "evidence for it is still limited."
            ),
            procedure_type="PercutaneousProcedure",
            body=prolotherapy_body(wee, hauser, location, contact_page, clinician),
            body_areas=[knee, lower_back],
            last_reviewed=datetime.date(2026, 11, 1),
            reviewed_by=clinician.name_and_role,
            reviewed_by_practitioner=clinician,
        ),
    )
