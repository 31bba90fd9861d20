"""Drafts of live profiles: prepared, previewed and published while the live page stays."""

import json
import re
from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core import serializers
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from factories import fill_profile
from reversion.models import Revision, Version
from test_admin import add_row, change_url, form_data, set_row

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


def seen_saved_at(client, occupation, opened_page=None) -> str:
    """When the draft was last saved, as the change page (opened now, unless given) says."""
    page = (opened_page or client.get(change_url(occupation))).content.decode()
    return re.search(r'name="draft_saved_at" value="([^"]*)"', page)[1]


def discard(client, occupation, opened_page=None):
    """Click "Discard the draft" on the change page as opened (now, unless given)."""
    saved_at = seen_saved_at(client, occupation, opened_page)
    return client.post(draft_url(occupation, "discard"), {"draft_saved_at": saved_at})


def publish(client, occupation, data=None, opened_page=None, **kwargs):
    """Click "Publish the draft" on the change page as opened (now, unless given)."""
    data = {"draft_saved_at": seen_saved_at(client, occupation, opened_page), **(data or {})}
    return client.post(draft_url(occupation, "publish"), data, **kwargs)


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

    response = publish(editor_client, live)

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
        publish(editor_client, live)

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

    page = publish(editor_client, live, follow=True).content.decode()

    assert "Nothing was published: the live profile changed" in page
    assert "Replace the live changes" in page
    live.refresh_from_db()
    assert (live.title, live.summary) == ("Renamed meanwhile", LIVE_SUMMARY)

    publish(editor_client, live, {"overwrite": "on"})
    live.refresh_from_db()
    assert live.summary == DRAFT_SUMMARY
    assert not ProfileDraft.objects.exists()


def test_discarding_a_draft_keeps_the_live_profile(editor_client, live):
    save_draft(editor_client, live, summary=DRAFT_SUMMARY)

    discard(editor_client, live)

    assert not ProfileDraft.objects.exists()
    live.refresh_from_db()
    assert live.summary == LIVE_SUMMARY
    assert "Save as a draft" in editor_client.get(change_url(live)).content.decode()


def test_a_draft_saved_by_someone_else_after_i_opened_it_is_not_discarded(
    editor_client, live, django_user_model
):
    other = django_user_model.objects.create_user("otto", is_staff=True, first_name="Otto")
    other.groups.add(Group.objects.get(name="Editors"))
    second = Client()
    second.force_login(other)
    save_draft(editor_client, live, summary=DRAFT_SUMMARY)
    my_page = editor_client.get(change_url(live))
    save_draft(second, live, title="Otto's title")

    response = discard(editor_client, live, opened_page=my_page)

    draft = drafts.pending_draft(live.pk)
    assert draft is not None
    fields = next(item["fields"] for item in draft.snapshot if item["model"].endswith("occupation"))
    assert fields["title"] == "Otto's title"
    shown = [m.message for m in get_messages(response.wsgi_request)]
    assert any(m.startswith("Nothing was discarded: Otto saved the draft") for m in shown), shown
    assert discard(editor_client, live).status_code == HTTPStatus.FOUND
    assert drafts.pending_draft(live.pk) is None


def test_a_draft_saved_by_someone_else_after_i_opened_it_is_not_published_unseen(
    editor_client, live, django_user_model
):
    other = django_user_model.objects.create_user("otto", is_staff=True, first_name="Otto")
    other.groups.add(Group.objects.get(name="Editors"))
    second = Client()
    second.force_login(other)
    save_draft(editor_client, live, summary=DRAFT_SUMMARY)
    my_page = editor_client.get(change_url(live))
    save_draft(second, live, summary="Otto's summary, not yet seen.")

    response = publish(editor_client, live, opened_page=my_page)

    live.refresh_from_db()
    assert live.summary == LIVE_SUMMARY
    assert drafts.pending_draft(live.pk) is not None
    shown = [m.message for m in get_messages(response.wsgi_request)]
    assert any("Nothing was published: the draft was saved again by Otto" in m for m in shown)
    publish(editor_client, live)
    live.refresh_from_db()
    assert live.summary == "Otto's summary, not yet seen."


def test_a_discard_without_the_drafts_version_discards_nothing(editor_client, live):
    save_draft(editor_client, live, summary=DRAFT_SUMMARY)

    for posted in ({}, {"draft_saved_at": "yesterday"}, {"draft_saved_at": "2026-13-45T99:00"}):
        response = editor_client.post(draft_url(live, "discard"), posted)
        assert response.status_code == HTTPStatus.FOUND

    assert drafts.pending_draft(live.pk) is not None


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

    page = publish(editor_client, live, follow=True).content.decode()

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


def test_a_draft_saved_again_after_the_reviewer_opened_it_is_not_approved_unseen(
    editor_client, editor, live
):
    reviewer = type(editor).objects.create_user("rita", is_staff=True)
    reviewer.groups.add(Group.objects.get(name="Reviewers"))
    reviewer_client = Client()
    reviewer_client.force_login(reviewer)
    save_draft(editor_client, live, summary=DRAFT_SUMMARY)
    review = services.review_submit(occupation=live, user=editor)
    seen = reviewer_client.get(change_url(live))
    save_draft(editor_client, live, summary="Changed after the review was asked for.")
    decide_url = reverse("admin:occupations_occupation_review_decide", args=[live.pk, review.pk])
    approve = {
        "approve": "1",
        "draft_saved_at": seen_saved_at(reviewer_client, live, opened_page=seen),
    }

    response = reviewer_client.post(decide_url, approve)

    live.refresh_from_db()
    assert live.summary == LIVE_SUMMARY
    shown = [m.message for m in get_messages(response.wsgi_request)]
    assert any(m.startswith("Nothing was approved: the draft was saved again") for m in shown)
    approve["draft_saved_at"] = seen_saved_at(reviewer_client, live)
    reviewer_client.post(decide_url, approve)
    live.refresh_from_db()
    assert live.summary == "Changed after the review was asked for."


def test_the_api_never_shows_a_draft(editor_client, live, token_header, editor, client):
    save_draft(editor_client, live, summary=DRAFT_SUMMARY)

    for headers in [{}, token_header(editor)]:
        document = client.get(f"/api/v1/occupations/{live.slug}/", **headers).json()
        assert document["summary"] == LIVE_SUMMARY


# --- A key-fact table's (or item list's) own page while the profile has a draft ----------

LIVE_VALUE = "Associate degree"
DRAFT_VALUE = "Bachelor degree"


@pytest.fixture
def table(live):
    table = models.KeyFactTable.objects.create(occupation=live, order=1, title="Role at a glance")
    models.KeyFact.objects.create(table=table, order=1, label="Education", value=LIVE_VALUE)
    return table


def table_url(table_pk, action="change"):
    return reverse(f"admin:occupations_keyfacttable_{action}", args=[table_pk])


def table_form(client, table_pk):
    return form_data(client.get(table_url(table_pk)), form_id="keyfacttable_form")


def draft_rows(occupation, model):
    """{pk: fields} of the draft's rows of `model`."""
    label = model._meta.label_lower
    snapshot = drafts.pending_draft(occupation.pk).snapshot
    return {item["pk"]: item["fields"] for item in snapshot if item["model"] == label}


def test_a_key_fact_edited_on_its_tables_page_goes_into_the_draft(editor_client, live, table):
    save_draft(editor_client, live, summary=DRAFT_SUMMARY)
    version = content_version()
    page = editor_client.get(table_url(table.pk)).content.decode()
    assert "Editing the draft of" in page
    assert change_url(live).split("?")[0] in page  # the way back to the draft
    data = table_form(editor_client, table.pk)
    set_row(data, "facts", LIVE_VALUE, value=DRAFT_VALUE)

    response = editor_client.post(table_url(table.pk), data)

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("admin:occupations_occupation_change", args=[live.pk])
    assert models.KeyFact.objects.get(table=table).value == LIVE_VALUE
    assert LIVE_VALUE in public_text(live)
    assert DRAFT_VALUE not in public_text(live)
    assert content_version() == version
    assert [f["value"] for f in draft_rows(live, models.KeyFact).values()] == [DRAFT_VALUE]
    assert DRAFT_SUMMARY in draft_rows(live, models.Occupation)[live.pk]["summary"]
    page = editor_client.get(table_url(table.pk)).content.decode()
    assert DRAFT_VALUE in page
    assert "Draft saved. Visitors still see the live profile" in page
    assert "changed successfully" not in page

    publish(editor_client, live)

    assert models.KeyFact.objects.get(table=table).value == DRAFT_VALUE
    assert DRAFT_VALUE in public_text(live)
    assert models.Occupation.objects.get(pk=live.pk).summary == DRAFT_SUMMARY


def test_the_tables_page_of_a_draft_keeps_the_edit_guard(
    editor_client, live, table, django_user_model
):
    other = django_user_model.objects.create_user("otto", is_staff=True)
    other.groups.add(Group.objects.get(name="Editors"))
    second = Client()
    second.force_login(other)
    save_draft(editor_client, live, summary=DRAFT_SUMMARY)
    mine = table_form(editor_client, table.pk)
    theirs = table_form(second, table.pk)
    set_row(theirs, "facts", LIVE_VALUE, value=DRAFT_VALUE)
    assert second.post(table_url(table.pk), theirs).status_code == HTTPStatus.FOUND

    mine["title"] = "My title"
    response = editor_client.post(table_url(table.pk), mine)

    assert response.status_code == HTTPStatus.OK
    assert "Changed by someone else since you opened this page" in response.content.decode()
    assert "My title" in response.content.decode()  # the input is kept
    (fields,) = draft_rows(live, models.KeyFactTable).values()
    assert fields["title"] == "Role at a glance"
    assert [f["value"] for f in draft_rows(live, models.KeyFact).values()] == [DRAFT_VALUE]
    assert models.KeyFactTable.objects.get(pk=table.pk).title == "Role at a glance"


def test_a_table_added_in_a_draft_is_edited_on_its_own_page(editor_client, live):
    data = form_data(editor_client.get(change_url(live)))
    data.pop("_save")
    add_row(data, "key_fact_tables", title="Pay at a glance", order="1")
    assert editor_client.post(change_url(live), {**data, "_save_draft": "1"}).status_code == 302
    assert not models.KeyFactTable.objects.exists()
    (table_pk,) = draft_rows(live, models.KeyFactTable)

    page = editor_client.get(table_url(table_pk))
    assert page.status_code == HTTPStatus.OK
    assert "Editing the draft of" in page.content.decode()
    data = form_data(page, form_id="keyfacttable_form")
    add_row(data, "facts", order="1", label="Median", value="$90,000")
    response = editor_client.post(table_url(table_pk), {**data, "_continue": "1"})

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == table_url(table_pk)
    assert not models.KeyFactTable.objects.exists()
    assert not models.KeyFact.objects.exists()
    assert [f["value"] for f in draft_rows(live, models.KeyFact).values()] == ["$90,000"]

    publish(editor_client, live)

    assert list(models.KeyFact.objects.values_list("table__title", "label", "value")) == [
        ("Pay at a glance", "Median", "$90,000")
    ]


def test_a_table_deleted_in_the_draft_is_refused_in_words_on_its_page(editor_client, live, table):
    data = form_data(editor_client.get(change_url(live)))
    data.pop("_save")
    data["key_fact_tables-0-DELETE"] = "on"
    assert editor_client.post(change_url(live), {**data, "_save_draft": "1"}).status_code == 302

    for response in [
        editor_client.get(table_url(table.pk), follow=True),
        editor_client.post(table_url(table.pk), {"title": "Renamed"}, follow=True),
    ]:
        assert response.status_code == HTTPStatus.OK
        assert "is not in the draft of" in response.content.decode()
    assert models.KeyFactTable.objects.get(pk=table.pk).title == "Role at a glance"
    assert not draft_rows(live, models.KeyFactTable)


def test_deleting_a_table_of_a_profile_with_a_draft_is_refused_in_words(editor_client, live, table):
    save_draft(editor_client, live, summary=DRAFT_SUMMARY)
    page = editor_client.get(table_url(table.pk)).content.decode()
    assert table_url(table.pk, "delete") not in page

    response = editor_client.post(table_url(table.pk, "delete"), {"post": "yes"}, follow=True)

    assert "Nothing was deleted" in response.content.decode()
    assert models.KeyFactTable.objects.filter(pk=table.pk).exists()
    assert draft_rows(live, models.KeyFactTable)


def test_a_table_cannot_leave_its_draft_for_another_profile(
    editor_client, live, table, make_occupation
):
    other = make_occupation(title="Other", slug="other")
    save_draft(editor_client, live, summary=DRAFT_SUMMARY)
    data = table_form(editor_client, table.pk)
    assert "occupation" not in data
    data["occupation"] = str(other.pk)

    assert editor_client.post(table_url(table.pk), data).status_code == HTTPStatus.FOUND

    assert list(draft_rows(live, models.KeyFactTable)) == [table.pk]
    assert models.KeyFactTable.objects.get(pk=table.pk).occupation_id == live.pk


def test_an_item_list_of_a_profile_with_a_draft_is_edited_in_the_draft(editor_client, live):
    item_list = models.ItemList.objects.create(
        occupation=live, order=1, kind="challenges", title="Challenges"
    )
    save_draft(editor_client, live, summary=DRAFT_SUMMARY)
    url = reverse("admin:occupations_itemlist_change", args=[item_list.pk])
    data = form_data(editor_client.get(url), form_id="itemlist_form")
    add_row(data, "items", order="1", title="Night shifts", description="Rotating rosters.")

    assert editor_client.post(url, data).status_code == HTTPStatus.FOUND

    assert not models.ListItem.objects.exists()
    assert [f["title"] for f in draft_rows(live, models.ListItem).values()] == ["Night shifts"]


def test_without_a_draft_the_tables_page_edits_the_live_profile(editor_client, live, table):
    page = editor_client.get(table_url(table.pk)).content.decode()
    assert "Editing the draft of" not in page
    assert table_url(table.pk, "delete") in page
    data = table_form(editor_client, table.pk)
    set_row(data, "facts", LIVE_VALUE, value=DRAFT_VALUE)

    assert editor_client.post(table_url(table.pk), data).status_code == HTTPStatus.FOUND

    assert models.KeyFact.objects.get(table=table).value == DRAFT_VALUE
    assert DRAFT_VALUE in public_text(live)
    assert not ProfileDraft.objects.exists()


@pytest.mark.parametrize("object_id", ["abc", "99999999999999999999", "-1"])
def test_a_tables_page_with_a_bad_id_is_no_error(editor_client, live, object_id):
    save_draft(editor_client, live, summary=DRAFT_SUMMARY)
    url = f"/admin/occupations/keyfacttable/{object_id}/change/"

    assert editor_client.get(url).status_code == HTTPStatus.FOUND
    assert editor_client.post(url, {"title": "x"}).status_code == HTTPStatus.FOUND
    delete = f"/admin/occupations/keyfacttable/{object_id}/delete/"
    assert editor_client.post(delete, {"post": "yes"}).status_code == HTTPStatus.FOUND


# --- Snapshots --------------------------------------------------------------------------


def records_one_query_each(occupation_id):
    """The profile's records as the snapshot held them before, read one query per model."""
    from occupations.registry import COLLECTIONS

    records = [models.Occupation.objects.get(pk=occupation_id)]
    for collection in COLLECTIONS:
        records += collection.model.objects.filter(occupation_id=occupation_id).order_by("pk")
        if collection.nested:
            nested = collection.nested
            lookup = {f"{nested.parent_field}__occupation_id": occupation_id}
            records += nested.model.objects.filter(**lookup).order_by("pk")
    return json.loads(serializers.serialize("json", records))


@pytest.mark.parametrize("rows", [1, 3])
def test_a_snapshot_reads_the_profile_in_two_queries_whatever_its_size(occupation, rows):
    fill_profile(occupation, rows)

    with CaptureQueriesContext(connection) as queries:
        snapshot = drafts.snapshot_of(occupation.pk)

    assert len(queries) == 2
    assert snapshot == records_one_query_each(occupation.pk)
    assert len(snapshot) > 25 * rows


def test_adding_a_table_to_a_profile_with_a_draft_on_its_own_page_is_refused_in_words(
    editor_client, live
):
    save_draft(editor_client, live, summary=DRAFT_SUMMARY)
    add_url = reverse("admin:occupations_keyfacttable_add")
    data = form_data(editor_client.get(add_url), form_id="keyfacttable_form")
    data.update(occupation=str(live.pk), order="1", title="Pay at a glance")

    response = editor_client.post(add_url, data)

    assert response.status_code == HTTPStatus.OK
    assert "has a draft: add the row on the draft" in response.content.decode()
    assert not models.KeyFactTable.objects.exists()

    discard(editor_client, live)
    assert editor_client.post(add_url, data).status_code == HTTPStatus.FOUND
    assert models.KeyFactTable.objects.get().occupation_id == live.pk


def test_the_page_of_a_table_only_in_the_draft_names_the_other_editors(
    editor_client, live, django_user_model
):
    data = form_data(editor_client.get(change_url(live)))
    data.pop("_save")
    add_row(data, "key_fact_tables", title="Pay at a glance", order="1")
    editor_client.post(change_url(live), {**data, "_save_draft": "1"})
    (table_pk,) = draft_rows(live, models.KeyFactTable)
    other = django_user_model.objects.create_user("otto", is_staff=True)
    other.groups.add(Group.objects.get(name="Editors"))
    second = Client()
    second.force_login(other)
    second.get(table_url(table_pk))

    response = editor_client.post(table_url(table_pk, "presence"))

    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"others": ["otto"]}
    assert Client().post(table_url(table_pk, "presence")).status_code == HTTPStatus.FOUND


# Not `page`: pytest-playwright's fixture of that name would make this a browser test.
@pytest.mark.parametrize("request_kind", ["change", "save"])
def test_a_tables_page_in_a_draft_costs_the_same_whatever_the_profile_size(
    editor_client, editor, make_occupation, request_kind
):
    def queries(rows):
        occupation = fill_profile(make_occupation(status="published"), rows)
        ProfileDraft.objects.create(
            occupation=occupation,
            snapshot=drafts.snapshot_of(occupation.pk),
            base_token=occupation.edit_token,
            created_by=editor,
        )
        table = occupation.key_fact_tables.first()
        data = table_form(editor_client, table.pk)
        data["title"] = "Changed in the draft"
        with CaptureQueriesContext(connection) as captured:
            if request_kind == "change":
                assert editor_client.get(table_url(table.pk)).status_code == HTTPStatus.OK
            else:
                assert editor_client.post(table_url(table.pk), data).status_code == 302
        return len(captured)

    queries(1)  # fills the per-process caches first
    assert queries(3) == queries(1)


def test_a_draft_and_its_pages_record_no_revision(editor_client, live, table):
    # Guards against django-reversion recording, after the rollback, what a draft save or a
    # draft page saw: the draft's content as a revision of the live profile.
    revisions = Revision.objects.count()

    save_draft(editor_client, live, summary=DRAFT_SUMMARY)
    editor_client.get(change_url(live))
    data = table_form(editor_client, table.pk)
    set_row(data, "facts", LIVE_VALUE, value=DRAFT_VALUE)
    assert editor_client.post(table_url(table.pk), data).status_code == HTTPStatus.FOUND
    editor_client.get(draft_url(live, "preview"))

    assert Revision.objects.count() == revisions
    assert not Version.objects.filter(serialized_data__contains=DRAFT_VALUE).exists()
    publish(editor_client, live)
    assert Revision.objects.count() == revisions + 1


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
    page = response.content.decode()
    assert "Changed by someone else since you opened this page" in page
    # Who saved the draft, not the draft's differences from the live page as others' changes.
    assert "otto, " in page
    assert "the draft was saved after you opened this page" in page
    assert "What changed:" not in page
    assert "Replace the draft with this page" in page

    def draft_duties():
        return sorted(
            item["fields"]["text"]
            for item in drafts.pending_draft(live.pk).snapshot
            if item["model"] == "occupations.duty"
        )

    assert draft_duties() == ["Monitor the grid.", "Otto's draft duty."]

    # Replacing is explicit: the draft becomes this editor's page as it is.
    again = {**form_data(response), "apply_on_top": "on", "_save_draft": "1"}
    again.pop("_save")
    assert editor_client.post(url, again).status_code == 302
    assert draft_duties() == ["Draft duty.", "Monitor the grid closely."]
