from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = "Home and clinic settings"

    def ready(self):
        from . import checks  # noqa: F401  (registers the start-up checks)
