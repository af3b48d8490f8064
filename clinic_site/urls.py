from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from base import health, sitemaps, views
from home import views as home_views

# Django's own 400 view asks for a CSRF token, which rereads an unreadable body.
handler400 = "base.views.bad_request"

urlpatterns = [
    path(settings.ADMIN_PATH, include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("captcha/", include("captcha.urls")),
    # The sitemap: an index of pages of at most 1,000 addresses each (base/sitemaps.py).
    path("sitemap.xml", sitemaps.sitemap_index, name=sitemaps.INDEX_URL_NAME),
    path("sitemap-<section>.xml", sitemaps.sitemap_section, name=sitemaps.SECTION_URL_NAME),
    path("robots.txt", home_views.robots_txt),
    path("favicon.ico", home_views.favicon),
    path("site.webmanifest", home_views.web_manifest, name="web_manifest"),
    path("search/", include("search.urls")),
    path(".well-known/security.txt", views.security_txt),
    # For load balancers and monitoring: 200 while the database answers, else 503.
    path("healthz", health.healthz, name="healthz"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]

# Rendered without the database; 503 when the database is what failed.
handler500 = "base.errors.server_error"
