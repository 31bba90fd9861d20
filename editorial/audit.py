"""The audit log's one writer. The publishing rule (`occupations.publishing`), the review
services, reverts and imports call `audit_record`, so every path that publishes, schedules
or restores a profile leaves a line, in the same transaction as the change itself."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from .enums import AuditAction
from .models import AuditEvent


def audit_record(
    *,
    action: AuditAction,
    occupation,
    user: AbstractBaseUser | None = None,
    detail: str = "",
) -> None:
    """Log `action` on `occupation` by `user` (None for the system, e.g. a command).

    A profile not saved yet (an API create) is logged once the transaction commits, when
    its primary key exists."""

    def write():
        AuditEvent.objects.create(
            action=action,
            occupation_id=occupation.pk,
            occupation_title=occupation.title[:200],
            actor=user if user is not None and user.is_authenticated else None,
            detail=detail,
        )

    if occupation.pk is None:
        transaction.on_commit(write, robust=True)
    else:
        write()
