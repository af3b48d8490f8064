"""The address of the person sending a request, behind the proxies the site trusts."""

from django.conf import settings


def client_address(request):
    """The address of the person sending the request.

    Without a proxy it is the address that connected (REMOTE_ADDR). Behind
    TRUSTED_PROXY_COUNT proxies, each proxy appends the address it received the request from
    to X-Forwarded-For, so the client is that many entries from the right (the last proxy
    itself is REMOTE_ADDR). Entries further left were written by the client and may be
    forged: they are never used."""
    hops = [
        address.strip()
        for address in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if address.strip()
    ]
    hops.append(request.META.get("REMOTE_ADDR") or "unknown")
    proxies = settings.TRUSTED_PROXY_COUNT
    return hops[-1 - proxies] if len(hops) > proxies else hops[0]
