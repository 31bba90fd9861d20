from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, re_path
from django.views.generic import TemplateView

from careergraph import errors
from occupations.feeds import RecentlyReviewedFeed
from occupations.sitemaps import sitemap_index, sitemaps
from occupations.views import favicon, healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("occupations.api")),
    re_path(r"^api/", errors.api_not_found),
    path("sitemap.xml", sitemap_index, name="sitemap"),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": sitemaps},
        name="sitemap_section",
    ),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots_txt",
    ),
    path("favicon.ico", favicon, name="favicon"),
    path("healthz", healthz, name="healthz"),
    path("feeds/recently-reviewed/", RecentlyReviewedFeed(), name="recently_reviewed_feed"),
    path("", include("occupations.urls")),
]

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
