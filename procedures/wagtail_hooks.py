from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import BodyArea, ClinicLocation, Reference


class ReferenceViewSet(SnippetViewSet):
    model = Reference
    icon = "openquote"
    list_display = ["authors", "title", "journal", "year", "doi", "pmid"]
    list_filter = ["year"]
    search_fields = ["title", "authors"]


class ClinicLocationViewSet(SnippetViewSet):
    model = ClinicLocation
    icon = "site"
    list_display = ["name", "locality", "postal_code", "phone"]
    search_fields = ["name"]


class BodyAreaViewSet(SnippetViewSet):
    model = BodyArea
    icon = "tag"
    list_display = ["name", "slug"]
    search_fields = ["name"]


class ProcedureContentGroup(SnippetViewSetGroup):
    menu_label = "Procedure content"
    menu_icon = "folder-open-inverse"
    menu_order = 210
    items = (ReferenceViewSet, ClinicLocationViewSet, BodyAreaViewSet)


register_snippet(ProcedureContentGroup)
