"""What browsers and search engines ask every site for: the icon, the web app manifest and
robots.txt. Addresses in them come from the Site's own hostname."""

from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from wagtail.models import Site

from .models import ClinicSettings

ONE_DAY = 60 * 60 * 24


def site_root_url(request):
    site = Site.find_for_request(request)
    return site.root_url if site is not None else request.build_absolute_uri("/").rstrip("/")


@cache_control(max_age=ONE_DAY, public=True)
def favicon(request):
    """/favicon.ico, which browsers ask for whatever the page links: the real file."""
    return redirect(static("images/favicon.ico"))


@cache_control(max_age=ONE_DAY, public=True)
def web_manifest(request):
    clinic = ClinicSettings.for_request(request)
    return JsonResponse(
        {
            "name": clinic.clinic_name,
            "short_name": clinic.clinic_name[:12],
            "start_url": "/",
            "display": "browser",
            "background_color": "#ffffff",
            "theme_color": "#005a8c",
            "icons": [
                {
                    "src": static(f"images/icon-{size}.png"),
                    "sizes": f"{size}x{size}",
                    "type": "image/png",
                }
                for size in (192, 512)
            ],
        },
        content_type="application/manifest+json",
    )


@cache_control(max_age=ONE_DAY, public=True)
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        "Disallow: /captcha/",
        f"Sitemap: {site_root_url(request)}/sitemap.xml",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
