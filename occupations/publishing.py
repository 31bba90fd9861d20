"""The one publishing rule: what is public, who may see drafts, and the transitions.

Pages, the API, sitemaps, the feed, filters and vocabulary pages ask `published_q()` (on
occupations or across a relation) and `can_see_drafts(user)`; the admin, its bulk actions
and the API change status only through `status_transition` / `occupation_publish` /
`occupation_unpublish`, so `published_at` means the same thing everywhere.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import enums

PUBLISHED = enums.PublicationStatus.PUBLISHED
DRAFT = enums.PublicationStatus.DRAFT


def published_q(prefix: str = "") -> Q:
    """The condition "visitors may see this profile", on Occupation or through `prefix`
    (e.g. `published_q("occupation")` on a row, `"occupation_links__occupation"` on a term)."""
    path = f"{prefix}__" if prefix else ""
    return Q(**{f"{path}status": PUBLISHED})


def is_public(occupation) -> bool:
    """`published_q()` for one loaded profile, without a query."""
    return occupation.status == PUBLISHED


def can_see_drafts(user) -> bool:
    """Editors (the change permission on occupations) see drafts on pages and in the API;
    everyone else sees published profiles only."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.has_perm("occupations.change_occupation")
    )


def status_transition(occupation, *, status: str, previous_status: str | None) -> None:
    """Set `status` and the `published_at` it implies (on the instance; the caller saves).

    Publishing stamps the moment a draft goes live (kept while it stays published);
    going back to draft clears it. Clients never set `published_at` themselves."""
    occupation.status = status
    if status == PUBLISHED:
        if previous_status != PUBLISHED:
            occupation.published_at = timezone.now()
    else:
        occupation.published_at = None


def _transition(occupation, *, status, user: AbstractBaseUser | None, comment: str):
    from .changes import content_changed
    from .revisions import record_revision

    with transaction.atomic():
        status_transition(occupation, status=status, previous_status=occupation.status)
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
