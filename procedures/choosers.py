"""The references' pop-up chooser (base.choosers)."""

from base.choosers import ClinicContentChooserViewSet


class ReferenceChooserViewSet(ClinicContentChooserViewSet):
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
