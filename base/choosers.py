"""The pop-up choosers of the clinic content snippets (references, clinic locations), as the
procedure blocks open them: a list to choose from and a "Create" tab.

The "Create" form is Wagtail's admin form for the snippet, its fields prefixed so that its
labels and ids never clash with the page form's fields of the same name (a reference's "title"
and the page's "title").
"""

from django.forms.models import modelform_factory
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
    SnippetCreateView,
)


class CreationFormPrefixMixin:
    def get_creation_form_class(self):
        # Wagtail's admin form: the same widgets and field handling as the snippet's own editor.
        return modelform_factory(
            self.model_class, form=WagtailAdminModelForm, fields=self.form_fields
        )

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
