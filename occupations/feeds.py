"""Atom feed of the most recently reviewed published profiles (RFC 4287)."""

import datetime

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.dateformat import format as format_date
from django.utils.feedgenerator import Atom1Feed

from .formatting import absolute_url
from .models import Occupation

FEED_LENGTH = 20
AUTHOR = "CareerGraph editors"


def public_url(path):
    """On settings.SITE_URL when set; otherwise relative, and Feed adds the request's host."""
    return absolute_url(None, path)


def with_distinct_updates(occupations):
    """Give each entry its own `updated` instant, as feed readers and the W3C validator expect.

    Profiles written in one batch (a fixture load, a bulk action) share `updated_at`; each
    later entry with a time already used is moved one microsecond earlier, so the order of
    the feed and every instant stay true to the second."""
    used = set()
    for occupation in occupations:
        updated = occupation.updated_at
        while updated in used:
            updated -= datetime.timedelta(microseconds=1)
        used.add(updated)
        occupation.feed_updated = updated
    return occupations


class RecentlyReviewedFeed(Feed):
    feed_type = Atom1Feed
    title = "CareerGraph: recently reviewed occupations"
    subtitle = "Occupation profiles, newest review first."
    # RFC 4287 §4.1.1: a feed whose entries name no author must name one itself.
    author_name = AUTHOR

    def link(self):
        return public_url(reverse("occupations:occupation_list"))

    def author_link(self):
        return public_url(reverse("occupations:occupation_list"))

    def feed_url(self):
        return public_url(reverse("recently_reviewed_feed"))

    def items(self):
        reviewed = (
            Occupation.objects.published()
            .filter(last_reviewed__isnull=False)
            .select_related("sector")
            .order_by("-last_reviewed", "-updated_at", "pk")[:FEED_LENGTH]
        )
        return with_distinct_updates(list(reviewed))

    def item_title(self, occupation):
        return occupation.title

    def item_description(self, occupation):
        reviewed = format_date(occupation.last_reviewed, "j F Y")
        return f"Reviewed {reviewed}. {occupation.summary}"

    def item_link(self, occupation):
        return public_url(occupation.get_absolute_url())

    def item_updateddate(self, occupation):
        return occupation.feed_updated

    def item_pubdate(self, occupation):
        return occupation.published_at

    def item_categories(self, occupation):
        return [occupation.sector.name] if occupation.sector else []
