"""The audit log's one writer. The publishing rule (`occupations.publishing`), the review
services, reverts and imports call `audit_record`, so every path that publishes, schedules
or restores a profile leaves a line, in the same transaction as the change itself."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from .enums import AuditAction
from .models import AuditEvent


def profile_of(record):
    """The profile a record belongs to (itself, its row's or its nested row's), or None
    for shared vocabulary."""
    from occupations.models import Occupation
    from occupations.registry import COLLECTIONS_BY_MODEL, NESTED_BY_MODEL

    model = type(record)
    if model is Occupation:
        return record
    if model in COLLECTIONS_BY_MODEL:
        return record.occupation
    if model in NESTED_BY_MODEL:
        return getattr(record, NESTED_BY_MODEL[model].parent_field).occupation
    return None


def audit_revert(*, record, user: AbstractBaseUser | None, revision_date) -> None:
    """Log that `record` was reverted to its version of `revision_date`."""
    profile = profile_of(record)
    when = revision_date.strftime("%Y-%m-%d %H:%M %Z")
    what = "" if profile is record else f"{record._meta.verbose_name} “{record}”: "
    audit_record(
        action=AuditAction.REVERT,
        occupation=profile,
        title=str(record) if profile is None else None,
        user=user,
        detail=f"{what}reverted to the version of {when}.",
    )


def audit_record(
    *,
    action: AuditAction,
    occupation,
    user: AbstractBaseUser | None = None,
    detail: str = "",
    title: str | None = None,
) -> None:
    """Log `action` on `occupation` by `user` (None for the system, e.g. a command).

    A profile not saved yet (an API create) is logged once the transaction commits, when
    its primary key exists."""

    def write():
        AuditEvent.objects.create(
            action=action,
            occupation_id=occupation.pk if occupation is not None else None,
            occupation_title=(title or str(occupation or ""))[:200],
            actor=user if user is not None and user.is_authenticated else None,
            detail=detail,
        )

    if occupation is not None and occupation.pk is None:
        transaction.on_commit(write, robust=True)
    else:
        write()


def audit_records(
    *, action: AuditAction, occupations, user: AbstractBaseUser | None = None, detail: str = ""
) -> None:
    """`audit_record` for many saved profiles at once (an import's batch): one insert."""
    actor = user if user is not None and user.is_authenticated else None
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                action=action,
                occupation_id=occupation.pk,
                occupation_title=str(occupation)[:200],
                actor=actor,
                detail=detail,
            )
            for occupation in occupations
        ]
    )
