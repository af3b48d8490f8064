"""Admin choosers for the things procedure blocks point at (Wagtail's ChooserViewSet).

The listings where staff add and edit them are in wagtail_hooks.py; these are only the
pop-up choosers that blocks use, with a "create" tab so an editor can add a missing one.
"""

from wagtail.admin.viewsets.chooser import ChooserViewSet


class ReferenceChooserViewSet(ChooserViewSet):
    model = "procedures.Reference"
    icon = "openquote"
    choose_one_text = "Choose a reference"
    choose_another_text = "Choose another reference"
    edit_item_text = "Edit this reference"
    form_fields = [
        "authors",
        "title",
        "journal",
        "year",
        "date_detail",
        "volume",
        "issue",
        "pages",
        "doi",
        "pmid",
        "url",
    ]


class ClinicLocationChooserViewSet(ChooserViewSet):
    model = "procedures.ClinicLocation"
    icon = "site"
    choose_one_text = "Choose a clinic location"
    choose_another_text = "Choose another location"
    edit_item_text = "Edit this location"


reference_chooser_viewset = ReferenceChooserViewSet("reference_chooser")
clinic_location_chooser_viewset = ClinicLocationChooserViewSet("clinic_location_chooser")
