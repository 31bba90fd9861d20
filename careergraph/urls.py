from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.views.generic import TemplateView

from occupations.feeds import RecentlyReviewedFeed
from occupations.sitemaps import sitemap_index, sitemaps
from occupations.views import favicon, healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("occupations.api")),
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
