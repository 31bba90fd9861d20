"""Review (submit, approve, reject) and the audit log of publishing acts."""

from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from test_admin import change_url

from editorial import services
from editorial.enums import AuditAction, ReviewStatus
from editorial.models import AuditEvent, ReviewRequest
from occupations import enums, models, publishing

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(django_user_model):
    user = django_user_model.objects.create_user(
        "rita", "rita@example.com", "review-pass-123", is_staff=True, first_name="Rita"
    )
    user.groups.add(Group.objects.get(name="Reviewers"))
    return user


@pytest.fixture
def reviewer_client(reviewer):
    client = Client()
    client.force_login(reviewer)
    return client


def submit_url(occupation):
    return reverse("admin:occupations_occupation_review_submit", args=[occupation.pk])


def decide_url(review):
    return reverse(
        "admin:occupations_occupation_review_decide", args=[review.occupation_id, review.pk]
    )


def test_editor_submits_and_reviewer_approves_which_publishes(
    editor_client, reviewer_client, editor, reviewer, occupation
):
    response = editor_client.post(submit_url(occupation), {"note": "Ready, I think."})
    assert response.status_code == HTTPStatus.FOUND
    review = ReviewRequest.objects.get()
    assert "Waiting for review" in reviewer_client.get(change_url(occupation)).content.decode()

    reviewer_client.post(decide_url(review), {"approve": "1", "comment": "Looks good."})

    occupation.refresh_from_db()
    assert publishing.is_public(occupation)
    review.refresh_from_db()
    assert (review.status, review.reviewer, review.comment) == (
        ReviewStatus.APPROVED,
        reviewer,
        "Looks good.",
    )
    page = editor_client.get(change_url(occupation)).content.decode()
    assert "Approved and published by Rita" in page
    assert list(AuditEvent.objects.order_by("pk").values_list("action", "actor__username")) == [
        (AuditAction.SUBMIT, "edna"),
        (AuditAction.APPROVE, "rita"),
        (AuditAction.PUBLISH, "rita"),
    ]


def test_reviewer_rejects_with_a_comment_the_editor_then_reads(
    editor_client, reviewer_client, occupation
):
    editor_client.post(submit_url(occupation))
    review = ReviewRequest.objects.get()

    reviewer_client.post(decide_url(review), {"reject": "1", "comment": "Cite the pay source."})

    occupation.refresh_from_db()
    assert occupation.status == enums.PublicationStatus.DRAFT
    page = editor_client.get(change_url(occupation)).content.decode()
    assert "Rejected by Rita" in page
    assert "Cite the pay source." in page
    assert AuditEvent.objects.filter(action=AuditAction.REJECT).count() == 1


def test_a_rejection_without_a_comment_is_refused(reviewer, occupation, editor):
    review = services.review_submit(occupation=occupation, user=editor)
    with pytest.raises(ValidationError):
        services.review_reject(review_id=review.pk, user=reviewer, comment="  ")
    review.refresh_from_db()
    assert review.status == ReviewStatus.PENDING


def test_an_editor_cannot_approve_their_own_request(editor, occupation):
    review = services.review_submit(occupation=occupation, user=editor)
    with pytest.raises(PermissionDenied):
        services.review_approve(review_id=review.pk, user=editor)


def test_editor_posting_a_decision_is_forbidden(editor_client, editor, occupation):
    review = services.review_submit(occupation=occupation, user=editor)
    response = editor_client.post(decide_url(review), {"approve": "1"})
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_a_second_submission_while_one_waits_is_a_message_not_a_crash(
    editor_client, editor, occupation
):
    services.review_submit(occupation=occupation, user=editor)
    response = editor_client.post(submit_url(occupation), follow=True)
    assert "already waiting for review" in response.content.decode()
    assert ReviewRequest.objects.count() == 1


def test_a_decided_request_cannot_be_decided_again(reviewer, editor, occupation):
    review = services.review_submit(occupation=occupation, user=editor)
    services.review_approve(review_id=review.pk, user=reviewer)
    with pytest.raises(ValidationError):
        services.review_reject(review_id=review.pk, user=reviewer, comment="Changed my mind.")


def test_the_reviewer_sees_the_decision_form_and_the_editor_the_submit_form(
    editor_client, reviewer_client, editor, occupation
):
    assert "Submit for review" in editor_client.get(change_url(occupation)).content.decode()
    services.review_submit(occupation=occupation, user=editor)
    assert "Approve and publish" in reviewer_client.get(change_url(occupation)).content.decode()
    assert "Approve and publish" not in editor_client.get(change_url(occupation)).content.decode()


# --- The audit log -------------------------------------------------------------------------


def test_publish_and_unpublish_actions_are_audited_with_who(editor_client, editor, occupation):
    url = reverse("admin:occupations_occupation_changelist")
    for action in ["publish", "unpublish"]:
        editor_client.post(url, {"action": action, "_selected_action": [occupation.pk]})

    assert list(AuditEvent.objects.order_by("pk").values_list("action", "actor")) == [
        (AuditAction.PUBLISH, editor.pk),
        (AuditAction.UNPUBLISH, editor.pk),
    ]


def test_a_revert_on_the_history_page_is_audited(editor_client, editor, occupation):
    publishing.occupation_publish(occupation=occupation, user=editor)
    publishing.occupation_unpublish(occupation=occupation, user=editor)
    first = models.Occupation.objects.get(pk=occupation.pk)
    from reversion.models import Version

    version = Version.objects.get_for_object(first).order_by("pk").first()
    url = reverse("admin:occupations_occupation_revision", args=[occupation.pk, version.pk])
    from test_admin import form_data

    data = form_data(editor_client.get(url))
    assert editor_client.post(url, data).status_code == HTTPStatus.FOUND

    event = AuditEvent.objects.get(action=AuditAction.REVERT)
    assert event.actor == editor
    assert event.occupation == occupation
    assert event.detail.startswith("reverted to the version of ")


def test_the_audit_log_is_readable_but_not_editable_in_the_admin(editor_client, editor, occupation):
    publishing.occupation_publish(occupation=occupation, user=editor)
    event = AuditEvent.objects.get()
    changelist = reverse("admin:editorial_auditevent_changelist")

    assert editor_client.get(changelist).status_code == HTTPStatus.OK
    detail = editor_client.get(reverse("admin:editorial_auditevent_change", args=[event.pk]))
    assert detail.status_code == HTTPStatus.OK
    assert 'name="_save"' not in detail.content.decode()
    add = reverse("admin:editorial_auditevent_add")
    assert editor_client.get(add).status_code == HTTPStatus.FORBIDDEN
    delete = reverse("admin:editorial_auditevent_delete", args=[event.pk])
    assert editor_client.post(delete, {"post": "yes"}).status_code == HTTPStatus.FORBIDDEN


@pytest.mark.parametrize("events", [1, 30])
def test_the_audit_log_query_count_does_not_grow_with_events(
    editor_client, editor, occupation, events, django_assert_num_queries
):
    for _ in range(events):
        publishing.occupation_publish(occupation=occupation, user=editor)
        publishing.occupation_unpublish(occupation=occupation, user=editor)
    url = reverse("admin:editorial_auditevent_changelist")
    editor_client.get(url)

    # session, user, 2 permission lookups, 2 counts, the own-token check, the page of events
    # with their actors, the date hierarchy's range and its days.
    with django_assert_num_queries(10):
        editor_client.get(url)


def test_a_publish_through_the_api_is_audited_with_the_token_holder(
    client, editor, occupation, token_header
):
    url = f"/api/v1/occupations/{occupation.slug}/"
    response = client.patch(
        url, {"status": "published"}, content_type="application/json", **token_header(editor)
    )

    assert response.status_code == HTTPStatus.OK, response.json()
    event = AuditEvent.objects.get(action=AuditAction.PUBLISH)
    assert (event.actor, event.occupation) == (editor, occupation)
