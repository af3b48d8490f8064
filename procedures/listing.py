"""What the treatments list (ProcedureIndexPage) asks the database, at a cost that does not grow
with the number of treatments: a page of treatments is read through an index that serves
its order and filter (ProcedurePage.listed_title); what would read every treatment (how many
there are, the body areas they treat) is worked out once per content version (pagecache),
not on every view."""

from django.db import models
from django.db.models import OuterRef, Subquery

from clinical_review.models import ReviewedPageQuerySet
from pagecache.models import kept_for_this_version


class ProcedurePageQuerySet(ReviewedPageQuerySet):
    def listed(self):
        """The treatments the list shows: the live ones (see ProcedurePage.listed_title)."""
        return self.filter(listed_title__isnull=False)


class BodyAreaQuerySet(models.QuerySet):
    def treated_by(self, procedures):
        """The areas that at least one of `procedures` treats: for each area, the first such
        treatment in the list's order (its index, LIMIT 1). Quick for an area many treat; one
        that few treat is found further down, hence listed_areas()."""
        first = procedures.filter(body_areas=OuterRef("pk")).order_by("listed_title", "pk")
        return self.alias(first=Subquery(first.values("pk")[:1])).filter(first__isnull=False)


def listed_areas(areas, procedures):
    """`areas.treated_by(procedures)` as a list, worked out once per content version."""
    return kept_for_this_version(
        "procedures:listed-areas", lambda: list(areas.treated_by(procedures))
    )


def listed_count(procedures, area):
    """How many treatments `procedures` holds (all, or those of one body area), counted once
    per content version: a view of the list then does not count every treatment."""
    name = f"procedures:listed-count:{area.pk if area else 'all'}"
    return kept_for_this_version(name, procedures.count)
