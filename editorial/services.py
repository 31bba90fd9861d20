"""Review: an editor submits a profile, a reviewer approves (publishes) or rejects it."""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from occupations.publishing import occupation_publish

from .audit import audit_record
from .drafts import DraftOutdated, draft_publish, refuse_a_draft_changed_since
from .enums import AuditAction, ReviewStatus
from .models import ProfileDraft, ReviewRequest

DECIDE_PERMISSION = "editorial.decide_reviewrequest"


def can_review(user) -> bool:
    """Members of "Reviewers" (or anyone given the permission) decide on review requests."""
    return bool(user and user.is_active and user.has_perm(DECIDE_PERMISSION))


def review_submit(*, occupation, user: AbstractBaseUser, note: str = "") -> ReviewRequest:
    """Ask for a review of `occupation`; one request waits per profile at a time."""
    with transaction.atomic():
        # Locking the profile makes two submits at once queue, so the second sees the first.
        type(occupation).objects.select_for_update().filter(pk=occupation.pk).exists()
        waiting = ReviewRequest.objects.filter(occupation=occupation, status=ReviewStatus.PENDING)
        if waiting.exists():
            raise ValidationError("This profile is already waiting for review.")
        review = ReviewRequest.objects.create(
            occupation=occupation, requested_by=user, note=note.strip()
        )
        audit_record(
            action=AuditAction.SUBMIT, occupation=occupation, user=user, detail=note.strip()
        )
    return review


def _decide(review_id: int, *, user, status: str, comment: str) -> ReviewRequest:
    if not can_review(user):
        raise PermissionDenied
    review = (
        ReviewRequest.objects.select_for_update().select_related("occupation").get(pk=review_id)
    )
    if review.status != ReviewStatus.PENDING:
        raise ValidationError("This review request was already decided.")
    review.status = status
    review.reviewer = user
    review.decided_at = timezone.now()
    review.comment = comment.strip()
    review.save(update_fields=["status", "reviewer", "decided_at", "comment"])
    return review


def review_approve(
    *,
    review_id: int,
    user: AbstractBaseUser,
    comment: str = "",
    check_draft: bool = False,
    draft_saved_at: datetime | None = None,
) -> ReviewRequest:
    """Approve a waiting request: the profile (or its pending draft) is published, as one
    revision by the reviewer. With `check_draft`, only the draft the reviewer saw (last
    saved at `draft_saved_at`; None: no draft) is published."""
    with transaction.atomic():
        review = _decide(review_id, user=user, status=ReviewStatus.APPROVED, comment=comment)
        if check_draft:
            refuse_a_draft_changed_since(review.occupation, draft_saved_at, nothing_was="approved")
        audit_record(
            action=AuditAction.APPROVE,
            occupation=review.occupation,
            user=user,
            detail=review.comment,
        )
        if ProfileDraft.objects.filter(occupation=review.occupation).exists():
            try:
                draft_publish(occupation_id=review.occupation.pk, user=user)
            except DraftOutdated as outdated:
                raise ValidationError(
                    "The live profile changed after its draft was started: the editor should "
                    "check the draft and publish it, replacing those changes, or discard it."
                ) from outdated
        else:
            occupation_publish(occupation=review.occupation, user=user)
    return review


def review_reject(*, review_id: int, user: AbstractBaseUser, comment: str) -> ReviewRequest:
    """Reject a waiting request; the comment tells the editor what to change."""
    if not comment.strip():
        raise ValidationError("Say what should change: a rejection needs a comment.")
    with transaction.atomic():
        review = _decide(review_id, user=user, status=ReviewStatus.REJECTED, comment=comment)
        audit_record(
            action=AuditAction.REJECT,
            occupation=review.occupation,
            user=user,
            detail=review.comment,
        )
    return review


def profiles_loaded(*, occupation_ids, detail: str, user: AbstractBaseUser | None = None):
    """After a bulk load (fixtures, an import): one revision per profile, so the next edit
    can be undone, the content door, and an "Imported" audit line per profile."""
    from occupations.changes import content_changed
    from occupations.models import Occupation
    from occupations.revisions import record_revision

    with transaction.atomic():
        occupations = list(Occupation.objects.filter(pk__in=occupation_ids).order_by("pk"))
        content_changed(occupations=[occupation.pk for occupation in occupations])
        for occupation in occupations:
            record_revision(occupation=occupation, user=user, comment=detail)
            audit_record(action=AuditAction.IMPORT, occupation=occupation, user=user, detail=detail)
