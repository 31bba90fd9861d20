"""Drafts of live profiles: prepared, previewed and published while the live page stays."""

from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from reversion.models import Version
from test_admin import add_row, change_url, form_data

from editorial import drafts, services
from editorial.enums import AuditAction
from editorial.models import AuditEvent, ProfileDraft
from occupations import models
from occupations.changes import content_version

pytestmark = pytest.mark.django_db

LIVE_SUMMARY = "What visitors read today."
DRAFT_SUMMARY = "What visitors will read once the draft is published."


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def live(published_occupation, editor_client):
    """A published profile with one duty, saved once through the admin."""
    models.Duty.objects.create(occupation=published_occupation, order=1, text="Monitor the grid.")
    data = {**form_data(editor_client.get(change_url(published_occupation)))}
    data["summary"] = LIVE_SUMMARY
    assert editor_client.post(change_url(published_occupation), data).status_code == 302
    return published_occupation


def save_draft(client, occupation, **fields):
    data = form_data(client.get(change_url(occupation)))
    data.pop("_save")
    data.update(fields, _save_draft="Save the draft")
    return client.post(change_url(occupation), data)


def draft_url(occupation, action):
    return reverse(f"admin:occupations_occupation_draft_{action}", args=[occupation.pk])


def public_text(occupation):
    return Client().get(occupation.get_absolute_url()).content.decode()


def test_a_draft_of_a_live_profile_leaves_the_live_page_as_it_is(editor_client, live):
    version = content_version()

    response = save_draft(editor_client, live, summary=DRAFT_SUMMARY)

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == change_url(live)
    live.refresh_from_db()
    assert live.summary == LIVE_SUMMARY
    assert LIVE_SUMMARY in public_text(live)
    assert DRAFT_SUMMARY not in public_text(live)
    assert content_version() == version  # no cached page went stale
    page = editor_client.get(change_url(live)).content.decode()
    assert DRAFT_SUMMARY in page
    assert "Draft saved. Visitors still see the live profile" in page
    assert "changed successfully" not in page
    assert 'value="Save the draft"' in page


def test_the_change_page_of_a_live_profile_offers_a_draft(editor_client, live, occupation):
    assert "Save as a draft" in editor_client.get(change_url(live)).content.decode()
    # A profile that is not live yet is itself a draft: plain saves are enough.
    assert "Save as a draft" not in editor_client.get(change_url(occupation)).content.decode()


def test_the_preview_shows_the_draft_privately(editor_client, live):
    save_draft(editor_client, live, summary=DRAFT_SUMMARY)

    response = editor_client.get(draft_url(live, "preview"))

    assert response.status_code == HTTPStatus.OK
    assert DRAFT_SUMMARY in response.content.decode()
    assert "Preview of a draft" in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert Client().get(draft_url(live, "preview")).status_code == HTTPStatus.FOUND  # login
    assert DRAFT_SUMMARY not in public_text(live)


def test_rows_added_in_a_draft_can_be_edited_again_and_are_published(editor_client, live):
    data = form_data(editor_client.get(change_url(live)))
    data.pop("_save")
    add_row(data, "duties", text="Write switching orders.")
    assert editor_client.post(change_url(live), {**data, "_save_draft": "1"}).status_code == 302
    assert models.Duty.objects.filter(occupation=live).count() == 1

    # The draft's new row comes back with its id; editing it is no "deleted meanwhile".
    data = form_data(editor_client.get(change_url(live)))
    data.pop("_save")
    texts = {k: v for k, v in data.items() if k.startswith("duties-") and k.endswith("-text")}
    assert sorted(texts.values()) == ["Monitor the grid.", "Write switching orders."]
    key = next(k for k, v in texts.items() if v == "Write switching orders.")
    data[key] = "Write and check switching orders."
    assert editor_client.post(change_url(live), {**data, "_save_draft": "1"}).status_code == 302

    response = editor_client.post(draft_url(live, "publish"))

    assert response.status_code == HTTPStatus.FOUND
    assert sorted(models.Duty.objects.filter(occupation=live).values_list("text", flat=True)) == [
        "Monitor the grid.",
        "Write and check switching orders.",
    ]
    assert not ProfileDraft.objects.exists()


def test_publishing_a_draft_is_one_revision_and_audited(
    editor_client, editor, live, django_capture_on_commit_callbacks
):
    save_draft(editor_client, live, summary=DRAFT_SUMMARY)
    revisions = Version.objects.get_for_object(live).count()
    version = content_version()

    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(draft_url(live, "publish"))

    live.refresh_from_db()
    assert live.summary == DRAFT_SUMMARY
    assert DRAFT_SUMMARY in public_text(live)
    assert Version.objects.get_for_object(live).count() == revisions + 1
    event = AuditEvent.objects.get(action=AuditAction.PUBLISH)
    assert (event.actor, event.detail) == (editor, "Published the draft started by edna.")
    assert content_version() > version


def test_a_draft_older_than_a_live_change_is_not_published_silently(
    editor_client, live, token_header, editor, client
):
    save_draft(editor_client, live, summary=DRAFT_SUMMARY)
    api = client.patch(
        f"/api/v1/occupations/{live.slug}/",
        {"title": "Renamed meanwhile"},
        content_type="application/json",
        **token_header(editor),
    )
    assert api.status_code == HTTPStatus.OK

    page = editor_client.post(draft_url(live, "publish"), follow=True).content.decode()

    assert "Nothing was published: the live profile changed" in page
    assert "Replace the live changes" in page
    live.refresh_from_db()
    assert (live.title, live.summary) == ("Renamed meanwhile", LIVE_SUMMARY)

    editor_client.post(draft_url(live, "publish"), {"overwrite": "on"})
    live.refresh_from_db()
    assert live.summary == DRAFT_SUMMARY
    assert not ProfileDraft.objects.exists()


def test_discarding_a_draft_keeps_the_live_profile(editor_client, live):
    save_draft(editor_client, live, summary=DRAFT_SUMMARY)

    editor_client.post(draft_url(live, "discard"))

    assert not ProfileDraft.objects.exists()
    live.refresh_from_db()
    assert live.summary == LIVE_SUMMARY
    assert "Save as a draft" in editor_client.get(change_url(live)).content.decode()


def test_two_editors_on_one_draft_get_the_edit_guard(editor_client, live, django_user_model):
    other = django_user_model.objects.create_user("otto", is_staff=True)
    other.groups.add(Group.objects.get(name="Editors"))
    second = Client()
    second.force_login(other)
    save_draft(editor_client, live, summary=DRAFT_SUMMARY)
    second_opened = form_data(second.get(change_url(live)))
    save_draft(editor_client, live, title="First editor's title")

    second_opened.pop("_save")
    second_opened.update(summary="Second editor's summary", _save_draft="1")
    response = second.post(change_url(live), second_opened)

    assert response.status_code == HTTPStatus.OK
    assert "Changed by someone else since you opened this page" in response.content.decode()
    draft = drafts.pending_draft(live.pk)
    fields = next(item["fields"] for item in draft.snapshot if item["model"].endswith("occupation"))
    assert (fields["title"], fields["summary"]) == ("First editor's title", DRAFT_SUMMARY)


def test_a_draft_linking_to_a_deleted_term_is_refused_in_words(editor_client, live):
    skill = models.Skill.objects.create(name="Switching", slug="switching")
    data = form_data(editor_client.get(change_url(live)))
    data.pop("_save")
    add_row(data, "occupation_skills", skill=str(skill.pk), group="technical")
    assert editor_client.post(change_url(live), {**data, "_save_draft": "1"}).status_code == 302
    skill.delete()  # only the draft used it, so nothing protected it

    page = editor_client.post(draft_url(live, "publish"), follow=True).content.decode()

    assert "The draft was not published" in page
    assert "refers to a skill" in page
    assert ProfileDraft.objects.exists()
    assert editor_client.get(change_url(live)).status_code == HTTPStatus.OK


def test_approving_a_review_of_a_draft_publishes_the_draft(editor_client, editor, live):
    reviewer = type(editor).objects.create_user("rita", is_staff=True)
    reviewer.groups.add(Group.objects.get(name="Reviewers"))
    save_draft(editor_client, live, summary=DRAFT_SUMMARY)
    review = services.review_submit(occupation=live, user=editor)

    services.review_approve(review_id=review.pk, user=reviewer)

    live.refresh_from_db()
    assert live.summary == DRAFT_SUMMARY
    assert not ProfileDraft.objects.exists()


def test_the_api_never_shows_a_draft(editor_client, live, token_header, editor, client):
    save_draft(editor_client, live, summary=DRAFT_SUMMARY)

    for headers in [{}, token_header(editor)]:
        document = client.get(f"/api/v1/occupations/{live.slug}/", **headers).json()
        assert document["summary"] == LIVE_SUMMARY


def test_two_editors_on_different_sections_of_one_draft_still_get_the_edit_guard(
    editor_client, live, django_user_model
):
    # The guard's history holds the live profile, not the draft as each editor opened it,
    # so only the draft's token can tell what changed in the draft meanwhile.
    other = django_user_model.objects.create_user("otto", is_staff=True)
    other.groups.add(Group.objects.get(name="Editors"))
    second = Client()
    second.force_login(other)
    url = change_url(live, "duties")
    data = form_data(editor_client.get(url))
    data.pop("_save")
    add_row(data, "duties", text="Draft duty.")
    assert editor_client.post(url, {**data, "_save_draft": "1"}).status_code == 302
    mine = form_data(editor_client.get(url))
    theirs = form_data(second.get(url))
    assert theirs["duties-1-text"] == "Draft duty."
    theirs.pop("_save")
    theirs.update({"duties-1-text": "Otto's draft duty.", "_save_draft": "1"})
    assert second.post(url, theirs).status_code == 302

    mine.pop("_save")
    mine.update({"duties-0-text": "Monitor the grid closely.", "_save_draft": "1"})
    response = editor_client.post(url, mine)

    assert response.status_code == HTTPStatus.OK
    assert "Changed by someone else since you opened this page" in response.content.decode()
    duties = [
        item["fields"]["text"]
        for item in drafts.pending_draft(live.pk).snapshot
        if item["model"] == "occupations.duty"
    ]
    assert sorted(duties) == ["Monitor the grid.", "Otto's draft duty."]
