"""Scheduled publish and unpublish: the publishing rule is time-aware, so no worker is needed,
and the content version (what caches key on) moves when a scheduled moment passes."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone
from test_admin import change_url, form_data, form_errors

from editorial.enums import AuditAction
from editorial.models import AuditEvent
from occupations import changes, enums, publishing
from occupations.models import Occupation

pytestmark = pytest.mark.django_db

PUBLISHED = enums.PublicationStatus.PUBLISHED
HOUR = timedelta(hours=1)


@pytest.fixture
def travel(monkeypatch):
    """Move the clock the publishing rule reads (Django's `timezone.now`) by `delta`."""

    def to(delta):
        moment = timezone.now() + delta
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return to


SCHEDULES = {
    "no schedule": (None, None, True),
    "publish moment passed": (-HOUR, None, True),
    "publish moment ahead": (HOUR, None, False),
    "unpublish moment ahead": (None, HOUR, True),
    "unpublish moment passed": (None, -HOUR, False),
    "inside the window": (-HOUR, HOUR, True),
    "window over": (-2 * HOUR, -HOUR, False),
}


@pytest.mark.parametrize(("publish", "unpublish", "visible"), SCHEDULES.values(), ids=SCHEDULES)
def test_the_rule_on_one_profile_agrees_with_the_rule_in_the_database(
    make_occupation, publish, unpublish, visible
):
    now = timezone.now()
    occupation = make_occupation(
        status=PUBLISHED,
        publish_at=now + publish if publish else None,
        unpublish_at=now + unpublish if unpublish else None,
    )

    assert publishing.is_public(occupation, at=now) is visible
    assert Occupation.objects.filter(publishing.published_q(at=now)).exists() is visible


def test_a_draft_with_a_passed_publish_moment_stays_hidden(make_occupation):
    occupation = make_occupation(publish_at=timezone.now() - HOUR)
    assert not publishing.is_public(occupation)
    assert not Occupation.objects.published().exists()


def test_a_scheduled_profile_appears_at_its_moment_without_any_write(
    client, make_occupation, travel
):
    occupation = make_occupation(status=PUBLISHED, publish_at=timezone.now() + HOUR)
    assert client.get(occupation.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND
    assert (
        occupation.slug
        not in client.get(reverse("sitemap_section", args=["occupations"])).content.decode()
    )

    travel(HOUR + timedelta(seconds=1))

    assert client.get(occupation.get_absolute_url()).status_code == HTTPStatus.OK
    assert (
        occupation.slug
        in client.get(reverse("sitemap_section", args=["occupations"])).content.decode()
    )


def test_an_expired_profile_leaves_the_site_and_the_feed_at_its_moment(
    client, make_occupation, travel
):
    occupation = make_occupation(
        status=PUBLISHED, unpublish_at=timezone.now() + HOUR, last_reviewed=timezone.now()
    )
    feed = reverse("recently_reviewed_feed")
    assert occupation.title in client.get(feed).content.decode()

    travel(HOUR)

    assert client.get(occupation.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND
    assert occupation.title not in client.get(feed).content.decode()


def test_the_content_version_moves_once_when_a_scheduled_moment_passes(make_occupation, travel):
    make_occupation(status=PUBLISHED, publish_at=timezone.now() + HOUR)
    make_occupation(status=PUBLISHED, unpublish_at=timezone.now() + 2 * HOUR)
    changes.bump_content_version()
    before = changes.content_version()
    assert changes.content_version() == before

    travel(HOUR)
    first_moment = changes.content_version()
    assert first_moment == before + 1
    assert changes.content_version() == first_moment  # readers after it see the same number

    travel(2 * HOUR)
    assert changes.content_version() == first_moment + 1


def test_the_next_moment_ignores_drafts_and_passed_moments(make_occupation):
    now = timezone.now()
    make_occupation(publish_at=now + HOUR)  # a draft: its moment changes nothing
    make_occupation(status=PUBLISHED, publish_at=now - HOUR, unpublish_at=now + 3 * HOUR)
    assert publishing.next_scheduled_moment(after=now) == now + 3 * HOUR


def test_scheduling_in_the_admin_shows_the_time_zone_and_is_audited(
    editor_client, editor, published_occupation
):
    page = editor_client.get(change_url(published_occupation))
    assert "Date and time in UTC." in page.content.decode()
    data = form_data(page)
    data.update({"unpublish_at_0": "2031-01-02", "unpublish_at_1": "09:30:00"})

    response = editor_client.post(change_url(published_occupation), data)

    assert response.status_code == HTTPStatus.FOUND, form_errors(response)
    event = AuditEvent.objects.get(action=AuditAction.SCHEDULE)
    assert event.actor == editor
    assert event.detail == "Publish at none; unpublish at 2031-01-02 09:30 UTC."


def test_an_unpublish_moment_before_the_publish_moment_is_a_form_error(
    editor_client, published_occupation
):
    data = form_data(editor_client.get(change_url(published_occupation)))
    data.update(
        {
            "publish_at_0": "2031-01-02",
            "publish_at_1": "09:30:00",
            "unpublish_at_0": "2031-01-01",
            "unpublish_at_1": "09:30:00",
        }
    )

    response = editor_client.post(change_url(published_occupation), data)

    assert response.status_code == HTTPStatus.OK
    assert "The unpublish moment must come after the publish moment." in form_errors(response)


def test_publishing_with_a_future_moment_dates_the_publication_at_that_moment(occupation):
    moment = timezone.now() + HOUR
    occupation.publish_at = moment
    publishing.status_transition(occupation, status=PUBLISHED, previous_status="draft")
    assert occupation.published_at == moment
