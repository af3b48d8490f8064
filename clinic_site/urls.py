from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from base import views
from home import views as home_views

# Django's own 400 view asks for a CSRF token, which rereads an unreadable body.
handler400 = "base.views.bad_request"

urlpatterns = [
    path(settings.ADMIN_PATH, include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("captcha/", include("captcha.urls")),
    path("sitemap.xml", sitemap),
    path("robots.txt", home_views.robots_txt),
    path("favicon.ico", home_views.favicon),
    path("site.webmanifest", home_views.web_manifest, name="web_manifest"),
    path("search/", include("search.urls")),
    path(".well-known/security.txt", views.security_txt),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]

# Rendered without the database; 503 when the database is what failed.
handler500 = "base.errors.server_error"
