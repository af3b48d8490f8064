from django import template
from django.utils.http import urlencode
from wagtail.models import Site

register = template.Library()

SHARE_IMAGE = "fill-1200x630"


def page_description(page):
    if hasattr(page, "get_meta_description"):
        return page.get_meta_description()
    return page.search_description or getattr(page, "introduction", "")


@register.inclusion_tag("components/page_meta.html", takes_context=True)
def page_meta(context):
    """A page's description, canonical address, and Open Graph and Twitter tags.

    A view may set `meta_title`, `meta_description`, `canonical_url` and `canonical_params`
    (query parameters that change what the page shows, e.g. a filter and a page number).
    Absolute addresses come from the Site's own hostname, not from the request."""
    request = context.get("request")
    page = context.get("page")
    clinic = context["settings"]["base"]["ClinicSettings"]
    site = Site.find_for_request(request) if request is not None else None
    root_url = site.root_url if site is not None else ""

    title = context.get("meta_title") or (page and (page.seo_title or page.title)) or ""
    description = context.get("meta_description") or (page and page_description(page)) or ""
    canonical = context.get("canonical_url")
    if canonical is None and page is not None:
        canonical = page.get_full_url(request)
    if canonical:
        params = {k: v for k, v in (context.get("canonical_params") or {}).items() if v}
        if params:
            canonical += "?" + urlencode(params)
    image_url = ""
    image = getattr(page, "image", None)
    if image is not None:
        rendition = image.get_rendition(SHARE_IMAGE)
        image_url = rendition.url if "://" in rendition.url else root_url + rendition.url
    return {
        "title": title,
        "description": " ".join(description.split()),
        "canonical": canonical,
        "site_name": clinic.clinic_name,
        "image_url": image_url,
        "image_alt": image.default_alt_text if image is not None else "",
    }
