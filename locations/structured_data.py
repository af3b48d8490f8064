"""schema.org JSON-LD of clinic locations: each a MedicalClinic with its opening hours."""

from .opening_hours import opening_hours_specification, special_opening_hours_specification


def clinic(location, clinic_id):
    """A clinic location as a MedicalClinic, with its opening hours."""
    node = {
        "@type": "MedicalClinic",
        "@id": clinic_id,
        "name": location.name,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": ", ".join(location.street_lines),
            "addressLocality": location.locality,
            "addressCountry": location.country,
        },
        "geo": {
            "@type": "GeoCoordinates",
            "latitude": float(location.latitude),
            "longitude": float(location.longitude),
        },
    }
    if location.postal_code:
        node["address"]["postalCode"] = location.postal_code
    if location.phone:
        node["telephone"] = location.phone
    hours = opening_hours_specification(location.opening_time_list)
    if hours:
        node["openingHoursSpecification"] = hours
    special = special_opening_hours_specification(location.opening_exception_list)
    if special:
        node["specialOpeningHoursSpecification"] = special
    return node


def clinics_graph(locations, url, telephone=""):
    """The home page's JSON-LD: each of the clinic's locations as a MedicalClinic."""
    clinics = []
    for location in locations:
        clinic_node = clinic(location, f"{url}#clinic-{location.pk}")
        clinic_node["url"] = url
        if telephone and "telephone" not in clinic_node:
            clinic_node["telephone"] = telephone
        clinics.append(clinic_node)
    return {"@context": "https://schema.org", "@graph": clinics}
