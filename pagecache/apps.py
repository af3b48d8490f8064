from django.apps import AppConfig


class PageCacheConfig(AppConfig):
    name = "pagecache"
    verbose_name = "Page cache"

    def ready(self):
        from . import checks, signals  # noqa: F401  (checks registers the start-up checks)

        signals.connect()
