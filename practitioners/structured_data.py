"""schema.org JSON-LD for practitioners, built only from what their profile shows.

A practitioner is a `Person`, whatever their profession. schema.org's `Physician` (and its
`IndividualPhysician`) is a `MedicalOrganization`, a business one visits, which has neither
`jobTitle` nor `honorificPrefix`; a `Person` has `jobTitle` and `hasCredential`, and is what
`MedicalWebPage.reviewedBy` expects. Each qualification, and the professional registration, is
an `EducationalOccupationalCredential`; the registration is `recognizedBy` its register.

This module imports no model: procedures.structured_data uses `person` for a page's reviewer
and the practitioners its "Who does it" section names.
"""

PHOTO = "fill-400x400"


def person_id(url):
    return f"{url}#person"


def photo_url(practitioner, request=None):
    if practitioner.photo is None:
        return ""
    url = practitioner.photo.get_rendition(PHOTO).url
    if "://" in url:
        return url
    _, root_url, _ = practitioner.get_url_parts(request) or (None, "", None)
    return (root_url or "") + url


def credentials(practitioner):
    found = [
        {"@type": "EducationalOccupationalCredential", "name": name}
        for name in practitioner.qualification_list
    ]
    if practitioner.registration_body:
        found.append(
            {
                "@type": "EducationalOccupationalCredential",
                "name": f"Registered with the {practitioner.register_name}",
                "credentialCategory": "professional registration",
                "identifier": practitioner.registration_number,
                "recognizedBy": {
                    "@type": "Organization",
                    "name": practitioner.register_name,
                    "url": practitioner.register_url,
                },
            }
        )
    return found


def person(practitioner, request=None):
    """The practitioner as a schema.org Person, identified by their profile's address."""
    url = practitioner.get_full_url(request)
    node = {"@type": "Person", "@id": person_id(url), "name": practitioner.title, "url": url}
    if practitioner.role:
        node["jobTitle"] = practitioner.role
    found = credentials(practitioner)
    if found:
        node["hasCredential"] = found
    image = photo_url(practitioner, request)
    if image:
        node["image"] = image
    return node


def practitioner_page_graph(practitioner, treatments, request=None):
    """A ProfilePage whose main entity is the practitioner, who knows about the treatments
    they give (live pages only)."""
    url = practitioner.get_full_url(request)
    node = person(practitioner, request)
    if treatments:
        node["knowsAbout"] = [
            {
                "@type": "MedicalTherapy",
                "name": treatment.title,
                "url": treatment.get_full_url(request),
            }
            for treatment in treatments
        ]
    page = {
        "@type": "ProfilePage",
        "@id": url,
        "url": url,
        "name": practitioner.title,
        "description": practitioner.get_meta_description(),
        "mainEntity": {"@id": node["@id"]},
    }
    return {"@context": "https://schema.org", "@graph": [page, node]}
