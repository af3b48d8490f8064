from django import forms
from wagtail.admin.forms import WagtailAdminModelForm

from .opening_hours import overlapping, time_range


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


class ClinicLocationForm(WagtailAdminModelForm):
    """The clinic location editor: no two opening times of a day may overlap (each row's own
    checks, such as closing after opening, are the row's model's)."""

    def clean(self):
        cleaned_data = super().clean()
        times = self.formsets.get("opening_times")
        if times is None:
            return cleaned_data
        by_day = {}
        for form in times.forms:
            if not form.is_valid() or times._should_delete_form(form):
                continue
            data = form.cleaned_data
            if data.get("weekday") and data.get("opens") and data.get("closes"):
                hours = time_range(data["opens"], data["closes"])
                by_day.setdefault(data["weekday"], []).append(
                    (data["opens"], data["closes"], (form, hours))
                )
        for ranges in by_day.values():
            for (form, _), (_, earlier) in overlapping(ranges):
                form.add_error(
                    "opens",
                    f"This overlaps another opening time on the same day ({earlier}). "
                    "Make one end before the other starts.",
                )
        return cleaned_data
