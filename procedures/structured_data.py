"""schema.org JSON-LD for procedure pages, built only from what the page shows."""

from locations.structured_data import clinic
from practitioners.structured_data import person

from .block_text import plain_text


def _reference(reference):
    article = {
        "@type": "ScholarlyArticle",
        "headline": reference.title,
        "author": reference.authors,
        "datePublished": str(reference.year),
        "isPartOf": {"@type": "Periodical", "name": reference.journal},
    }
    identifiers = []
    if reference.doi:
        identifiers.append({"@type": "PropertyValue", "propertyID": "DOI", "value": reference.doi})
    if reference.pmid:
        identifiers.append(
            {"@type": "PropertyValue", "propertyID": "PMID", "value": reference.pmid}
        )
    if identifiers:
        article["identifier"] = identifiers
    if reference.link:
        article["url"] = reference.link
    return article


def _questions(page, url):
    """The page's questions and answers as an FAQPage, part of the page; None without any."""
    questions = [
        {
            "@type": "Question",
            "name": item["question"],
            "acceptedAnswer": {"@type": "Answer", "text": plain_text(item["answer"])},
        }
        for block in page.blocks_of_type("questions")
        for item in block["items"]
    ]
    if not questions:
        return None
    return {
        "@type": "FAQPage",
        "@id": f"{url}#questions",
        "url": url,
        "isPartOf": {"@id": url},
        "mainEntity": questions,
    }


def procedure_page_graph(page, request=None):
    """A MedicalWebPage about a MedicalTherapy, and the MedicalClinic where it is given.

    Its reviewer, when they have a live practitioner profile, is that Person with their
    credentials. The practitioners of its "Who does it" section are Persons that the page
    `mentions` (schema.org's MedicalTherapy has no property for who gives it)."""
    url = page.get_full_url(request)
    therapy = {
        "@type": "MedicalTherapy",
        "name": page.title,
        "description": page.summary,
        "procedureType": f"https://schema.org/{page.procedure_type}",
    }
    contraindications = [
        item
        for block in page.blocks_of_type("contraindications")
        for item in [*block["absolute"], *block["relative"]]
    ]
    if contraindications:
        therapy["contraindication"] = contraindications
    adverse = [
        item["effect"] for block in page.blocks_of_type("side_effects") for item in block["items"]
    ]
    adverse += [item for block in page.blocks_of_type("risks") for item in block["items"]]
    if adverse:
        therapy["adverseOutcome"] = [{"@type": "MedicalEntity", "name": name} for name in adverse]
    preparation = [
        step.text for block in page.blocks_of_type("preparation") for step in block["steps"]
    ]
    if preparation:
        therapy["preparation"] = preparation
    if page.how_performed:
        therapy["howPerformed"] = page.how_performed
    if page.followup:
        therapy["followup"] = page.followup

    web_page = {
        "@type": "MedicalWebPage",
        "@id": url,
        "url": url,
        "name": page.title,
        "description": page.summary,
        "about": therapy,
    }
    if page.last_reviewed:
        web_page["lastReviewed"] = page.last_reviewed.isoformat()
    reviewer = page.reviewer_profile
    if reviewer is not None:
        web_page["reviewedBy"] = person(reviewer, request)
    elif page.reviewed_by:
        web_page["reviewedBy"] = {"@type": "Person", "name": page.reviewed_by}
    if page.cited_references:
        web_page["citation"] = [_reference(reference) for reference in page.cited_references]

    graph = [web_page]
    questions = _questions(page, url)
    if questions:
        graph.append(questions)
    mentions = []
    if page.location is not None:
        clinic_id = f"{url}#clinic-{page.location.pk}"
        graph.append(clinic(page.location, clinic_id))
        mentions.append({"@id": clinic_id})
    for practitioner in page.practitioners_who_give_it:
        if reviewer is not None and practitioner.pk == reviewer.pk:
            mentions.append({"@id": web_page["reviewedBy"]["@id"]})
        else:
            mentions.append(person(practitioner, request))
    if mentions:
        web_page["mentions"] = mentions[0] if len(mentions) == 1 else mentions
    return {"@context": "https://schema.org", "@graph": graph}
