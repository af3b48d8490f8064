"""The pop-up choosers of the clinic content snippets (see wagtail_hooks.py), as the procedure
blocks and the body-area field open them: a list to choose from and a "Create" tab.

The "Create" form's fields get a prefix of their own, so that its labels and ids never clash
with the page form's fields of the same name (a reference's "title" and the page's "title").
"""

from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
    SnippetCreateView,
)


class CreationFormPrefixMixin:
    def get_creation_form_kwargs(self):
        prefix = f"{self.model_class._meta.model_name}-chooser-create"
        return {**super().get_creation_form_kwargs(), "prefix": prefix}


class ClinicContentChooseView(CreationFormPrefixMixin, ChooseView):
    pass


class ClinicContentChooseResultsView(CreationFormPrefixMixin, ChooseResultsView):
    pass


class ClinicContentCreateView(CreationFormPrefixMixin, SnippetCreateView):
    pass


class ClinicContentChooserViewSet(SnippetChooserViewSet):
    choose_view_class = ClinicContentChooseView
    choose_results_view_class = ClinicContentChooseResultsView
    create_view_class = ClinicContentCreateView


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
        "opening_hours",
        "latitude",
        "longitude",
    ]
