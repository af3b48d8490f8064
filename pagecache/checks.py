"""Start-up checks of the page cache's settings (named with what they should be)."""

from django.core.checks import Error, register

from base.checks import whole_number_problem


@register()
def check_page_cache_settings(app_configs, **kwargs):
    problems = [
        (
            whole_number_problem("PAGE_CACHE_SECONDS", 1),
            "Seconds the site keeps a whole page for visitors who are not logged in.",
            "clinic_pagecache.E001",
        ),
        (
            whole_number_problem("BROWSER_CACHE_SECONDS", 0),
            "Seconds a browser may show a page again without asking (max-age).",
            "clinic_pagecache.E002",
        ),
        (
            whole_number_problem("CDN_CACHE_SECONDS", 0),
            "Seconds a CDN or caching proxy may keep a page (s-maxage).",
            "clinic_pagecache.E003",
        ),
        (
            whole_number_problem("PAGE_CACHE_VERSION_SECONDS", 1),
            "Seconds the content version is kept in Redis (default 10).",
            "clinic_pagecache.E004",
        ),
        (
            whole_number_problem("PAGE_CACHE_RENDER_SECONDS", 1),
            "Seconds a request renders a page again after a change while the others get the "
            "previous copy (default 5).",
            "clinic_pagecache.E005",
        ),
    ]
    return [Error(message, hint=hint, id=id_) for message, hint, id_ in problems if message]
