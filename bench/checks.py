"""Before a row is loaded, the bench checks that its address answers what the row says it
measures: a page-cache hit is a hit, the miss renders the very page the cache keeps, the
search finds something, the bare view has no middleware. A check that fails stops the bench:
its figures would describe something else.
"""

import gzip
import re
from dataclasses import dataclass

from bench import rows
from bench.bare_urls import PAGE as BARE_PAGE
from tests import servers

# Headers gunicorn adds itself; the bare view's answer has only these and Django's own.
SERVER_HEADERS = {"server", "date", "connection", "keep-alive", "transfer-encoding"}
DJANGO_HEADERS = {"content-type", "content-length"}
HITS_IN_A_ROW = 4
KEEP_TRIES = 30
SEARCH_RESULT = re.compile(r'<li class="search-result">(.*?)</li>', re.S)


class CheckFailed(RuntimeError):
    pass


@dataclass
class Answer:
    status: int
    headers: dict  # lower-case names
    sent: bytes  # the body as sent (gzipped when the server compressed it)
    html: bytes  # the body, decompressed


def get(url):
    """GET `url` as the load generators do (a browser behind the HTTPS proxy, gzip taken)."""
    status, headers, body = servers.fetch(url, headers={"Accept-Encoding": "gzip"})
    headers = {name.lower(): value for name, value in headers.items()}
    html = gzip.decompress(body) if headers.get("content-encoding") == "gzip" else body
    return Answer(status, headers, body, html)


def without_miss_parameter(html):
    """The HTML as it is at the page's own address: a list's page links keep the query
    string's other parameters, the bench's among them."""
    return html.replace(f"{rows.MISS_PARAMETER}=1&amp;".encode(), b"")


def require(condition, row, problem):
    if not condition:
        raise CheckFailed(f"{row.label} ({row.path}): {problem}")


def ok(row, answer):
    require(answer.status == 200, row, f"answered {answer.status}, not 200")
    return answer


def search_results(html):
    """The results listed on a search page's HTML (each result's HTML)."""
    return SEARCH_RESULT.findall(html.decode() if isinstance(html, bytes) else html)


def require_search_found(row, html, page_path):
    """The search page lists at least one result, and `page_path` among them."""
    results = search_results(html)
    require(results, row, "the search found nothing (is the search index built?)")
    require(
        any(f'href="{page_path}"' in result for result in results),
        row,
        f"the search's {len(results)} result(s) do not include {page_path}",
    )


def kept_copy(row, url, tries=KEEP_TRIES):
    """The page at `url` once the page cache answers it: HITS_IN_A_ROW hits in a row. (In
    local memory each worker keeps its own copies: the first request each worker gets is a
    miss.)"""
    in_a_row = 0
    for _ in range(tries):
        answer = ok(row, get(url))
        in_a_row = in_a_row + 1 if answer.headers.get("x-page-cache") == "hit" else 0
        if in_a_row == HITS_IN_A_ROW:
            return answer
    raise CheckFailed(f"{row.label} ({url}): not {HITS_IN_A_ROW} page-cache hits in a row")


def check(base_url, row, publish=None):
    """Check `row`'s answer from the server at `base_url`; returns the Answer (as sent to a
    client that takes gzip). `publish()` moves the content version on (the "after a publish"
    row needs it)."""
    url = base_url + row.path
    if row.expect == rows.BARE:
        answer = ok(row, get(url))
        extra = set(answer.headers) - SERVER_HEADERS - DJANGO_HEADERS
        require(not extra, row, f"headers that only middleware adds: {sorted(extra)}")
        require(answer.html == BARE_PAGE, row, "not the bare page")
        return answer
    if row.expect == rows.HIT:
        return kept_copy(row, url)
    if row.expect == rows.MISS:
        kept = kept_copy(row, base_url + row.kept_path)
        for _ in range(2):  # never kept, so never a hit
            answer = ok(row, get(url))
            require("x-page-cache" not in answer.headers, row, "the page cache took it")
        require(
            without_miss_parameter(answer.html) == kept.html,
            row,
            f"not the same HTML as {row.kept_path}",
        )
        return answer
    if row.expect == rows.WHILE_PUBLISHING:
        for path in row.paths:
            answer = ok(row, get(base_url + path))
        publish()
        states = {get(base_url + path).headers.get("x-page-cache") for path in row.paths}
        require(states == {"miss"}, row, f"not rendered again after a publish ({states})")
        return answer
    if row.expect == rows.AFTER_PUBLISH:
        kept = kept_copy(row, base_url + row.kept_path)
        for _ in range(2):
            publish()
            answer = ok(row, get(url))
            state = answer.headers.get("x-page-cache")
            require(state == "miss", row, f"not a miss after a publish (X-Page-Cache: {state})")
        require(answer.html == kept.html, row, "not the same HTML as before the publish")
        return answer
    if row.expect == rows.NEVER_KEPT:
        for _ in range(2):
            answer = ok(row, get(url))
            require("x-page-cache" not in answer.headers, row, "the page cache took it")
        return answer
    if row.expect == rows.SEARCH:
        answer = ok(row, get(url))
        require("x-page-cache" not in answer.headers, row, "the page cache took it")
        require_search_found(row, answer.html, rows.PROLOTHERAPY)
        return answer
    if row.expect == rows.CACHES_OFF:
        for _ in range(2):  # the cache keeps nothing: a miss each time
            answer = ok(row, get(url))
            state = answer.headers.get("x-page-cache")
            require(state == "miss", row, f"not rendered afresh (X-Page-Cache: {state})")
        return answer
    raise ValueError(f"unknown expectation {row.expect!r}")
