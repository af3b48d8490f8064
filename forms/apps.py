from django.apps import AppConfig


class FormsConfig(AppConfig):
    name = "forms"
    label = "clinic_forms"
    verbose_name = "Contact forms"

    def ready(self):
        from . import checks  # noqa: F401  (registers the start-up checks)
