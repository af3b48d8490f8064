from django import forms


class BodyAreaFilterForm(forms.Form):
    """The treatments index narrowed to one body area (by its slug, in the address)."""

    area = forms.ModelChoiceField(
        queryset=None,
        to_field_name="slug",
        required=False,
        empty_label="All body areas",
        label="Body area",
        error_messages={"invalid_choice": "Choose a body area from the list."},
    )

    def __init__(self, data, areas):
        super().__init__(data)
        self.fields["area"].queryset = areas
