from django import forms


class BodyAreaFilterForm(forms.Form):
    """The treatments index narrowed to one body area (by its slug, in the address).

    `areas` is the list to choose from, read once: the form shows it and checks the choice
    against it without asking the database again."""

    area = forms.ChoiceField(
        required=False,
        label="Body area",
        error_messages={"invalid_choice": "Choose a body area from the list."},
    )

    def __init__(self, data, areas):
        super().__init__(data)
        self.areas = {area.slug: area for area in areas}
        self.fields["area"].choices = [
            ("", "All body areas"),
            *((area.slug, area.name) for area in self.areas.values()),
        ]

    def clean_area(self):
        """The chosen BodyArea, or None for all of them."""
        return self.areas.get(self.cleaned_data["area"])
