"""Atom feed of the most recently reviewed published profiles."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import F
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from .models import Occupation

FEED_LENGTH = 20


def public_url(path):
    """On settings.SITE_URL when set; otherwise relative, and Feed adds the request's host."""
    return f"{settings.SITE_URL}{path}" if settings.SITE_URL else path


class RecentlyReviewedFeed(Feed):
    feed_type = Atom1Feed
    title = "CareerGraph: recently reviewed occupations"
    subtitle = "Occupation profiles, newest review first."

    def link(self):
        return public_url(reverse("occupations:occupation_list"))

    def feed_url(self):
        return public_url(reverse("recently_reviewed_feed"))

    def items(self):
        return (
            Occupation.objects.published()
            .select_related("sector")
            .order_by(F("last_reviewed").desc(nulls_last=True), "-updated_at", "pk")[:FEED_LENGTH]
        )

    def item_title(self, occupation):
        return occupation.title

    def item_description(self, occupation):
        return occupation.summary

    def item_link(self, occupation):
        return public_url(occupation.get_absolute_url())

    def item_updateddate(self, occupation):
        return occupation.updated_at

    def item_pubdate(self, occupation):
        return occupation.published_at

    def item_categories(self, occupation):
        return [occupation.sector.name] if occupation.sector else []
