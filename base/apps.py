from django.apps import AppConfig


class BaseConfig(AppConfig):
    name = "base"
    verbose_name = "Clinic settings"

    def ready(self):
        from . import checks  # noqa: F401  (registers the start-up checks)
