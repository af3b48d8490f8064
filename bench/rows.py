"""The rows of `make bench`'s table, in its order: which server answers each, at which
address, and what its answer must be (bench/checks.py checks it before any load).

Servers, each a gunicorn with gunicorn.conf.py as shipped (bench/server.py):

- "bare": the bare Django view, no middleware, no database, no cache (bench/bare_settings.py)
- "site": the site as deployed, every cache on (bench/settings.py)
- "off": the site with every cache off (BENCH_CACHES_OFF=1, Django's dummy cache)

Two rows measure the treatment page when the page cache has no copy for it:

- "miss, other caches warm" asks for it with a query parameter the page cache does not know
  (`?bench-miss=1`): the page cache neither looks such an address up nor keeps its answer
  (PAGE_CACHE_QUERY_PARAMETERS holds only `page` and `area`), and Wagtail serves the page as
  it does without it (the bench checks that the HTML is the same, byte for byte). Every other
  cache stays warm, the article's own fragment caches ({% wagtailpagecache %}) included.
- "miss after a publish" is what a visitor meets right after any publish: before each
  request the bench moves the content version on (pagecache's new_content_version(), what
  every publish does, from a process of its own), then asks for the page at its own address.
  The kept copy is out of date, and so are the article's fragment caches, whose keys hold the
  content version. The requests go one at a time on one connection (with several at once,
  one request's fresh copy would answer another's); the bench checks each was a miss.

The treatments list and a page of the sitemap are measured as misses the same way (their
kept copies are the page at its own address; the list's page links carry the parameter).

"visitors while publishing" is a mixed load of the home page, the treatments list and the
treatment page (each visitor asking for them in turn) while an editor publishes a treatment
every PUBLISH_EVERY seconds (a real publish, by the publisher process): each publish puts
every kept page out of date, and the first visitors after it meet the misses.
"""

from dataclasses import dataclass

from bench.bare_urls import BARE_PATH

PROLOTHERAPY = "/procedures/prolotherapy/"
MISS_PARAMETER = "bench-miss"
SEARCH_TERM = "prolotherapy"

# What the answer must be (bench/checks.py).
BARE = "bare"  # the bare view's page, with no header any middleware would add
HIT = "hit"  # answered from the page cache
MISS = "miss"  # rendered, not kept, the same HTML as the kept copy
NEVER_KEPT = "never kept"  # rendered on every request (a form on the page)
SEARCH = "search"  # rendered, with results
CACHES_OFF = "caches off"  # rendered with every cache off
AFTER_PUBLISH = "after publish"  # rendered after a publish, kept: each request a publish first
WHILE_PUBLISHING = "while publishing"  # a mixed load, an editor publishing meanwhile

INDEX = "/procedures/"
SITEMAP_PAGE = "/sitemap-pages.xml"
PUBLISH_EVERY = 0.5  # seconds between two publishes while visitors load the site


@dataclass(frozen=True)
class Row:
    label: str
    server: str  # "bare", "site" or "off"
    path: str
    expect: str
    kept_path: str = ""  # MISS: the address of the page-cache copy it must equal

    @property
    def target_kind(self):
        """Which target applies: "hit" (page-cache hit vs the bare view), "miss" (treatment
        page miss), or None."""
        if self.expect == HIT:
            return "hit"
        if self.expect in (MISS, AFTER_PUBLISH) and self.kept_path == PROLOTHERAPY:
            return "miss"
        return None

    @property
    def sequential(self):
        """Loaded one request at a time, each after a publish (not by wrk)."""
        return self.expect == AFTER_PUBLISH

    @property
    def paths(self):
        """The addresses it loads: a mixed load's several, in turn, else its one."""
        return PUBLISHING_MIX if self.expect == WHILE_PUBLISHING else [self.path]


BARE_ROW = Row("bare Django view (ceiling)", "bare", BARE_PATH, BARE)
HOME_HIT = Row("home, page-cache hit", "site", "/", HIT)
INDEX_HIT = Row("treatments index, hit", "site", "/procedures/", HIT)
PROLOTHERAPY_HIT = Row("prolotherapy, hit", "site", PROLOTHERAPY, HIT)
PROLOTHERAPY_MISS = Row(
    "prolotherapy, miss, warm",
    "site",
    f"{PROLOTHERAPY}?{MISS_PARAMETER}=1",
    MISS,
    kept_path=PROLOTHERAPY,
)
PROLOTHERAPY_PUBLISHED = Row(
    "prolotherapy, after publish",
    "site",
    PROLOTHERAPY,
    AFTER_PUBLISH,
    kept_path=PROLOTHERAPY,
)
INDEX_MISS = Row(
    "treatments index, miss, warm", "site", f"{INDEX}?{MISS_PARAMETER}=1", MISS, kept_path=INDEX
)
SITEMAP_MISS = Row(
    "sitemap page, miss, warm",
    "site",
    f"{SITEMAP_PAGE}?{MISS_PARAMETER}=1",
    MISS,
    kept_path=SITEMAP_PAGE,
)
CONTACT = Row("contact (GET), never kept", "site", "/contact/", NEVER_KEPT)
PUBLISHING_MIX = ["/", INDEX, PROLOTHERAPY]
WHILE_PUBLISHING_ROW = Row(
    "visitors while publishing", "site", "/ + list + treatment", WHILE_PUBLISHING
)
SEARCH_ROW = Row(f"search ?q={SEARCH_TERM}", "site", f"/search/?q={SEARCH_TERM}", SEARCH)
PROLOTHERAPY_OFF = Row("prolotherapy, caches off", "off", PROLOTHERAPY, CACHES_OFF)

ROWS = [
    BARE_ROW,
    HOME_HIT,
    INDEX_HIT,
    PROLOTHERAPY_HIT,
    PROLOTHERAPY_MISS,
    PROLOTHERAPY_PUBLISHED,
    INDEX_MISS,
    SITEMAP_MISS,
    CONTACT,
    SEARCH_ROW,
    WHILE_PUBLISHING_ROW,
    PROLOTHERAPY_OFF,
]
SERVERS = ("bare", "site", "off")

# The memory run's mix: every address the site's server answers in the table, in turn (with
# a publish every MEMORY_PUBLISH_EVERY requests, bench/run.py).
# (Not the sitemap page: rendering 1,000 addresses would take most of the run's time.)
MEMORY_MIX = [
    row
    for row in ROWS
    if row.server == "site"
    and not row.sequential
    and row not in (WHILE_PUBLISHING_ROW, SITEMAP_MISS)
]
