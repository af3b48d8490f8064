from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    label = "site_search"  # "search" alone reads like Wagtail's own search app
    verbose_name = "Site search"
