from wagtail.admin.forms import WagtailAdminModelForm

from .opening_hours import overlapping, time_range


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
            if not form.is_valid() or form.cleaned_data.get("DELETE"):
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
