"""The clinic locations' snippet admin (listed under "Clinic content", procedures.wagtail_hooks)."""

from wagtail.snippets.views.snippets import SnippetViewSet

from .choosers import ClinicLocationChooserViewSet
from .models import ClinicLocation


class ClinicLocationViewSet(SnippetViewSet):
    model = ClinicLocation
    icon = "site"
    menu_label = "Clinic locations"
    list_display = ["name", "locality", "postal_code", "phone"]
    inspect_view_enabled = True
    chooser_viewset_class = ClinicLocationChooserViewSet
