"""sitemap.xml: a sitemap index of sections (the index pages, profiles, each vocabulary).

Each section is its own file, paginated at SECTION_LIMIT URLs, so no response grows with the
catalogue (https://docs.djangoproject.com/en/5.2/ref/contrib/sitemaps/#creating-a-sitemap-index).
Without django.contrib.sites the host comes from the request, or from settings.SITE_URL.
"""

import math
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem, x_robots_tag
from django.db.models import Count, Exists, Max, OuterRef, Q, Subquery
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property

from .models import Occupation
from .publishing import published_q
from .registry import VOCABULARY_PAGES

# Well under the protocol's 50,000, so one section page stays quick to build and to fetch.
SECTION_LIMIT = 1000


class SiteSitemap(Sitemap):
    """Builds URLs on settings.SITE_URL when set (the public origin), else the request host."""

    limit = SECTION_LIMIT

    def get_protocol(self, protocol=None):
        if settings.SITE_URL:
            return urlsplit(settings.SITE_URL).scheme
        return super().get_protocol(protocol)

    def get_domain(self, site=None):
        if settings.SITE_URL:
            return urlsplit(settings.SITE_URL).netloc
        return super().get_domain(site)

    def summary(self, published):
        """(number of pages, latest change) for the index; `published`: the profiles' count
        and latest change, which several sections share."""
        raise NotImplementedError

    def pages(self, count):
        # As Django's paginator: an empty section still has its (empty) first page.
        return max(1, math.ceil(count / self.limit))


class OccupationSitemap(SiteSitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return Occupation.objects.published().only("slug", "updated_at").order_by("slug")

    def lastmod(self, occupation):
        return occupation.updated_at

    def get_latest_lastmod(self):
        # Django's default walks every item; one aggregate says the same.
        return Occupation.objects.published().aggregate(latest=Max("updated_at"))["latest"]

    def summary(self, published):
        return self.pages(published["count"]), published["latest"]


LIST_PAGES = ["occupations:occupation_list", *(kind.list_url_name for kind in VOCABULARY_PAGES)]


class IndexSitemap(SiteSitemap):
    """The index and the vocabulary lists; lastmod is the latest change to a published profile."""

    changefreq = "weekly"
    priority = 1.0

    @cached_property
    def latest(self):
        return Occupation.objects.published().aggregate(latest=Max("updated_at"))["latest"]

    def items(self):
        return [(name, self.latest) for name in LIST_PAGES]

    def location(self, item):
        return reverse(item[0])

    def lastmod(self, item):
        return item[1]

    def get_latest_lastmod(self):
        return self.latest

    def summary(self, published):
        return self.pages(len(LIST_PAGES)), published["latest"]


class VocabularySitemap(SiteSitemap):
    """Terms linked to at least one published profile; lastmod is that profile's update."""

    changefreq = "monthly"
    priority = 0.5

    def __init__(self, vocabulary):
        self.vocabulary = vocabulary
        self.model = vocabulary.model
        self.occupation_path = vocabulary.occupation_path

    def items(self):
        # Subqueries, not a GROUP BY over every link: the paginator's count needs only the
        # EXISTS (a semi-join), and the latest change is computed for the page's terms only.
        vocabulary = self.vocabulary
        if vocabulary.link_model is None:
            links, field, updated = (
                Occupation.objects.published().filter(sector=OuterRef("pk")),
                "sector",
                "updated_at",
            )
        else:
            field = vocabulary.link_field
            links = vocabulary.link_model.objects.filter(
                published_q("occupation"), **{field: OuterRef("pk")}
            )
            updated = "occupation__updated_at"
        latest = links.order_by().values(field).annotate(latest=Max(updated)).values("latest")
        return (
            self.model.objects.filter(Exists(links))
            .annotate(latest=Subquery(latest))
            .only("slug")
            .order_by("slug")
        )

    def lastmod(self, term):
        return term.latest

    def get_latest_lastmod(self):
        """The latest update of a published profile linked to any term of this kind."""
        vocabulary = self.vocabulary
        if vocabulary.link_model is None:
            linked = Occupation.objects.published().filter(sector__isnull=False)
        else:
            links = vocabulary.link_model.objects.filter(occupation=OuterRef("pk"))
            linked = Occupation.objects.published().filter(Exists(links))
        return linked.aggregate(latest=Max("updated_at"))["latest"]

    def summary(self, published):
        """Terms in use and their latest change, in one query: counted over the links to
        published profiles, as `items()` and `get_latest_lastmod()` select them."""
        vocabulary = self.vocabulary
        if vocabulary.link_model is None:
            found = Occupation.objects.published().aggregate(
                count=Count("sector", distinct=True),
                latest=Max("updated_at", filter=Q(sector__isnull=False)),
            )
        else:
            found = vocabulary.link_model.objects.filter(published_q("occupation")).aggregate(
                count=Count(vocabulary.link_field, distinct=True),
                latest=Max("occupation__updated_at"),
            )
        return self.pages(found["count"]), found["latest"]


sitemaps = {
    "index": IndexSitemap,
    "occupations": OccupationSitemap,
    **{kind.page_prefix: VocabularySitemap(kind) for kind in VOCABULARY_PAGES},
}


@x_robots_tag
def sitemap_index(request):
    """sitemap.xml: every section's pages with the section's latest change.

    Django's own index view takes the host from the request only; this one builds the
    section URLs on the public origin like the sections themselves."""
    items = []
    origin = settings.SITE_URL or f"{request.scheme}://{request.get_host()}"
    # One query for the profiles, shared by the sections that need it, then one per
    # vocabulary: the number of pages and the latest change of each section together.
    published = Occupation.objects.published().aggregate(
        count=Count("pk"), latest=Max("updated_at")
    )
    for section, site in sitemaps.items():
        site = site() if callable(site) else site
        location = origin + reverse("sitemap_section", kwargs={"section": section})
        pages, latest = site.summary(published)
        for page in range(1, pages + 1):
            items.append(
                SitemapIndexItem(location if page == 1 else f"{location}?p={page}", latest)
            )
    return TemplateResponse(
        request, "sitemap_index.xml", {"sitemaps": items}, content_type="application/xml"
    )
