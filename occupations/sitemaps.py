"""sitemap.xml: the index, every published profile and every vocabulary page in use.

https://docs.djangoproject.com/en/5.2/ref/contrib/sitemaps/ ; without django.contrib.sites
the host comes from the request, or from settings.SITE_URL when that is set.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from .models import Occupation
from .publishing import published_q
from .registry import VOCABULARY_PAGES


class SiteSitemap(Sitemap):
    """Builds URLs on settings.SITE_URL when set (the public origin), else the request host."""

    def get_protocol(self, protocol=None):
        if settings.SITE_URL:
            return urlsplit(settings.SITE_URL).scheme
        return super().get_protocol(protocol)

    def get_domain(self, site=None):
        if settings.SITE_URL:
            return urlsplit(settings.SITE_URL).netloc
        return super().get_domain(site)


class OccupationSitemap(SiteSitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return Occupation.objects.published().only("slug", "updated_at").order_by("slug")

    def lastmod(self, occupation):
        return occupation.updated_at


LIST_PAGES = ["occupations:occupation_list", *(kind.list_url_name for kind in VOCABULARY_PAGES)]


class IndexSitemap(SiteSitemap):
    """The index and the vocabulary lists; lastmod is the latest change to a published profile."""

    changefreq = "weekly"
    priority = 1.0

    def items(self):
        latest = Occupation.objects.published().aggregate(latest=Max("updated_at"))["latest"]
        return [(name, latest) for name in LIST_PAGES]

    def location(self, item):
        return reverse(item[0])

    def lastmod(self, item):
        return item[1]


class VocabularySitemap(SiteSitemap):
    """Terms linked to at least one published profile; lastmod is that profile's update."""

    changefreq = "monthly"
    priority = 0.5

    def __init__(self, model, occupation_path):
        self.model = model
        self.occupation_path = occupation_path

    def items(self):
        return (
            self.model.objects.annotate(
                latest=Max(
                    f"{self.occupation_path}__updated_at",
                    filter=published_q(self.occupation_path),
                )
            )
            .filter(latest__isnull=False)
            .only("slug")
            .order_by("slug")
        )

    def lastmod(self, term):
        return term.latest


sitemaps = {
    "index": IndexSitemap,
    "occupations": OccupationSitemap,
    **{
        kind.page_prefix: VocabularySitemap(kind.model, kind.occupation_path)
        for kind in VOCABULARY_PAGES
    },
}
