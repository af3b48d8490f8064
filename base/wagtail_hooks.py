"""Wagtail hooks of the whole site: a document used on pages with a view restriction is as
private as those pages.

Wagtail itself checks only the privacy of the document's collection before a download
(settings.WAGTAILDOCS_SERVE_METHOD keeps every download going through the site). Here, a
document that pages use (Wagtail's reference index, which the task worker keeps up to date as
pages are saved) is sent only to a visitor who may see at least one of those pages; anyone
else is answered as the page would answer them: the login page, or the page's password form.
A document that no page uses is left to its collection's privacy."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from wagtail import hooks
from wagtail.forms import PasswordViewRestrictionForm
from wagtail.models import Page, PageViewRestriction, ReferenceIndex


def pages_using(document):
    """The pages whose content uses `document`, in tree order."""
    ids = (
        ReferenceIndex.get_references_to(document)
        .filter(base_content_type=ContentType.objects.get_for_model(Page))
        .values_list("object_id", flat=True)
    )
    return Page.objects.filter(pk__in=[int(pk) for pk in ids]).order_by("path")


def unmet_restriction(page, request):
    """The first view restriction of `page` or its ancestors that `request` does not meet."""
    for restriction in page.get_view_restrictions():
        if not restriction.accept_request(request):
            return restriction
    return None


def refusal(page, restriction, request):
    """What `page` answers a visitor who does not meet `restriction`, leading back here."""
    if restriction.restriction_type == PageViewRestriction.PASSWORD:
        form = PasswordViewRestrictionForm(
            instance=restriction, initial={"return_url": request.get_full_path()}
        )
        action_url = reverse(
            "wagtailcore_authenticate_with_password", args=[restriction.id, page.id]
        )
        response = page.specific.serve_password_required_response(request, form, action_url)
    else:
        login_url = getattr(settings, "WAGTAIL_FRONTEND_LOGIN_URL", None)
        response = redirect_to_login(
            request.get_full_path(), login_url or reverse("wagtailcore_login")
        )
    add_never_cache_headers(response)
    return response


@hooks.register("before_serve_document")
def documents_of_restricted_pages_stay_private(document, request):
    refused = None
    for page in pages_using(document):
        restriction = unmet_restriction(page, request)
        if restriction is None:
            return None
        refused = refused or (page, restriction)
    if refused is None:
        return None
    return refusal(*refused, request)
