"""The one publishing rule: what is public, who may see drafts, and the transitions.

Pages, the API, sitemaps, the feed, filters and vocabulary pages ask `published_q()` (on
occupations or across a relation) and `can_see_drafts(user)`; the admin, its bulk actions
and the API change status only through `status_transition` / `occupation_publish` /
`occupation_unpublish`, so `published_at` means the same thing everywhere.
"""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import enums

PUBLISHED = enums.PublicationStatus.PUBLISHED
DRAFT = enums.PublicationStatus.DRAFT


def published_q(prefix: str = "", *, at: datetime | None = None) -> Q:
    """The condition "visitors may see this profile", on Occupation or through `prefix`
    (e.g. `published_q("occupation")` on a row, `"occupation_links__occupation"` on a term).

    Published, and inside its schedule at `at` (now by default): past `publish_at` when
    set, before `unpublish_at` when set. Scheduling needs no worker: the moment passing is
    enough (caches follow through `changes.content_version`)."""
    path = f"{prefix}__" if prefix else ""
    at = at or timezone.now()
    return (
        Q(**{f"{path}status": PUBLISHED})
        & (Q(**{f"{path}publish_at__isnull": True}) | Q(**{f"{path}publish_at__lte": at}))
        & (Q(**{f"{path}unpublish_at__isnull": True}) | Q(**{f"{path}unpublish_at__gt": at}))
    )


def is_public(occupation, *, at: datetime | None = None) -> bool:
    """`published_q()` for one loaded profile, without a query."""
    at = at or timezone.now()
    return (
        occupation.status == PUBLISHED
        and (occupation.publish_at is None or occupation.publish_at <= at)
        and (occupation.unpublish_at is None or occupation.unpublish_at > at)
    )


def schedule_state(occupation, *, at: datetime | None = None) -> str:
    """What the schedule means for visitors right now, in words for the admin."""
    at = at or timezone.now()
    if occupation.status != PUBLISHED:
        return "Draft: hidden from visitors."
    if occupation.publish_at and occupation.publish_at > at:
        return "Scheduled: goes live at the publish moment."
    if occupation.unpublish_at and occupation.unpublish_at <= at:
        return "Expired: hidden since the unpublish moment."
    if occupation.unpublish_at:
        return "Live until the unpublish moment."
    return "Live."


def can_see_drafts(user) -> bool:
    """Editors (the change permission on occupations) see drafts on pages and in the API;
    everyone else sees published profiles only."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.has_perm("occupations.change_occupation")
    )


def status_transition(
    occupation,
    *,
    status: str,
    previous_status: str | None,
    user: AbstractBaseUser | None = None,
) -> None:
    """Set `status` and the `published_at` it implies (on the instance; the caller saves,
    in the transaction that also holds the audit line this writes for a change of status).

    Publishing stamps the moment a draft goes live (kept while it stays published);
    going back to draft clears it. Clients never set `published_at` themselves."""
    # A new draft is no change of status; a new published profile is a publish.
    if status != (previous_status or DRAFT):
        _audit_status(occupation, status=status, user=user)
    occupation.status = status
    if status == PUBLISHED:
        now = timezone.now()
        scheduled = occupation.publish_at is not None and occupation.publish_at > now
        if previous_status != PUBLISHED or scheduled:
            # A scheduled profile goes live at its publish moment, not when it was saved.
            occupation.published_at = occupation.publish_at if scheduled else now
    else:
        occupation.published_at = None


def _audit_status(occupation, *, status, user):
    from editorial.audit import audit_record
    from editorial.enums import AuditAction

    action = AuditAction.PUBLISH if status == PUBLISHED else AuditAction.UNPUBLISH
    audit_record(action=action, occupation=occupation, user=user)


def schedule_changed(occupation, *, previous: tuple, user: AbstractBaseUser | None) -> None:
    """Log a change of (publish_at, unpublish_at) from `previous`; the caller saves."""
    from editorial.audit import audit_record
    from editorial.enums import AuditAction

    current = (occupation.publish_at, occupation.unpublish_at)
    if current == tuple(previous):
        return

    def moment(value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M %Z") if value else "none"

    detail = f"Publish at {moment(current[0])}; unpublish at {moment(current[1])}."
    audit_record(action=AuditAction.SCHEDULE, occupation=occupation, user=user, detail=detail)


def next_scheduled_moment(*, after: datetime | None = None) -> datetime | None:
    """The next moment a published profile goes live or expires (None when none is
    scheduled): when it passes, what `published_q()` selects changes."""
    from django.db.models import Min

    from .models import Occupation

    after = after or timezone.now()
    moments = Occupation.objects.filter(status=PUBLISHED).aggregate(
        publish=Min("publish_at", filter=Q(publish_at__gt=after)),
        unpublish=Min("unpublish_at", filter=Q(unpublish_at__gt=after)),
    )
    return min((moment for moment in moments.values() if moment is not None), default=None)


def _transition(occupation, *, status, user: AbstractBaseUser | None, comment: str):
    from .changes import content_changed
    from .revisions import record_revision

    with transaction.atomic():
        status_transition(occupation, status=status, previous_status=occupation.status, user=user)
        occupation.save(update_fields=["status", "published_at", "updated_at"])
        content_changed(occupations=[occupation.pk])
        record_revision(occupation=occupation, user=user, comment=comment)
    return occupation


def occupation_publish(*, occupation, user: AbstractBaseUser | None):
    """Publish a profile (stamping published_at when it was a draft), as one revision."""
    return _transition(occupation, status=PUBLISHED, user=user, comment="Published.")


def occupation_unpublish(*, occupation, user: AbstractBaseUser | None):
    """Take a profile back to draft (hidden from visitors), as one revision."""
    return _transition(occupation, status=DRAFT, user=user, comment="Unpublished (back to draft).")


REVISION_BATCH = 100


def occupations_set_status(*, occupation_ids, status: str, user: AbstractBaseUser | None) -> int:
    """`occupation_publish` / `occupation_unpublish` for many profiles at once (the admin's
    bulk actions): the same transitions and audit lines, one revision per profile, written
    set-based so a thousand profiles take seconds, not minutes. Returns how many."""
    from .changes import content_changed
    from .models import Occupation
    from .revisions import load_profiles, record_revisions

    comment = "Published." if status == PUBLISHED else "Unpublished (back to draft)."
    with transaction.atomic():
        profiles = list(
            Occupation.objects.select_for_update().filter(pk__in=occupation_ids).order_by("pk")
        )
        for profile in profiles:
            status_transition(profile, status=status, previous_status=profile.status, user=user)
        Occupation.objects.bulk_update(profiles, ["status", "published_at"], batch_size=500)
        ids = [profile.pk for profile in profiles]
        content_changed(occupations=ids)
        for start in range(0, len(ids), REVISION_BATCH):
            batch = load_profiles(ids[start : start + REVISION_BATCH])
            record_revisions(batch, user=user, comment=comment)
    return len(profiles)
