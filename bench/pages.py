"""The pages `make bench` measures, in the order of its table."""

from dataclasses import dataclass


@dataclass(frozen=True)
class BenchPage:
    label: str
    path: str
    caches_off: bool = False  # served with every cache off (bench/settings.py)


MINIMAL_PATH = "/bench/minimal/"  # bench/urls.py
PROLOTHERAPY = "/procedures/prolotherapy/"
MINIMAL = BenchPage("minimal view (ceiling)", MINIMAL_PATH)
PROLOTHERAPY_CACHED = BenchPage("prolotherapy, cached", PROLOTHERAPY)
PAGES = [
    BenchPage("home", "/"),
    BenchPage("procedures index", "/procedures/"),
    PROLOTHERAPY_CACHED,
    BenchPage("prolotherapy, uncached", PROLOTHERAPY, caches_off=True),
    BenchPage("search ?q=knee", "/search/?q=knee"),
    BenchPage("contact (GET)", "/contact/"),
    MINIMAL,
]
