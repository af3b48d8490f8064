"""The clinic locations' pop-up chooser (base.choosers)."""

from base.choosers import ClinicContentChooserViewSet


class ClinicLocationChooserViewSet(ClinicContentChooserViewSet):
    choose_one_text = "Choose a clinic location"
    choose_another_text = "Choose another location"
    edit_item_text = "Edit this location"
    form_fields = [
        "name",
        "street_address",
        "locality",
        "postal_code",
        "country",
        "phone",
        "latitude",
        "longitude",
    ]
