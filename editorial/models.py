"""What the editorial workflow owns: review requests and the audit log."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from . import enums


class AuditEvent(models.Model):
    """One publishing-relevant act: who did what to which profile, and when. Never edited."""

    action = models.CharField(max_length=12, choices=enums.AuditAction.choices)
    occupation = models.ForeignKey(
        "occupations.Occupation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events",
    )
    # Kept as text too, so the log still names a profile after it is deleted.
    occupation_title = models.CharField(max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["occupation", "-created_at"], name="audit_by_occupation")]

    def __str__(self):
        return f"{self.get_action_display()}: {self.occupation_title}"


class ReviewRequest(models.Model):
    """An editor asks a reviewer to publish a profile; the reviewer approves or rejects."""

    occupation = models.ForeignKey(
        "occupations.Occupation", on_delete=models.CASCADE, related_name="review_requests"
    )
    status = models.CharField(
        max_length=10, choices=enums.ReviewStatus.choices, default=enums.ReviewStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField("note to the reviewer", blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField("reviewer's comment", blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        permissions = [("decide_reviewrequest", "Can approve or reject review requests")]
        constraints = [
            models.UniqueConstraint(
                fields=["occupation"],
                condition=Q(status=enums.ReviewStatus.PENDING),
                name="%(app_label)s_%(class)s_one_pending_per_occupation",
                violation_error_message="This profile is already waiting for review.",
            ),
            models.CheckConstraint(
                condition=Q(status=enums.ReviewStatus.PENDING) | Q(decided_at__isnull=False),
                name="%(app_label)s_%(class)s_decision_is_dated",
            ),
            models.CheckConstraint(
                condition=~Q(status=enums.ReviewStatus.REJECTED) | ~Q(comment=""),
                name="%(app_label)s_%(class)s_rejection_has_a_comment",
            ),
        ]

    def __str__(self):
        return f"Review of {self.occupation} ({self.get_status_display()})"


class ProfileDraft(models.Model):
    """Changes to a live profile, prepared without touching the live page (`drafts.py`).

    `snapshot` is the whole profile as the editor left it (its fields and every row, in
    Django's serialization); `base_token` is the live profile's edit token when the draft
    was started, so publishing can tell whether the live profile changed since."""

    occupation = models.OneToOneField(
        "occupations.Occupation", on_delete=models.CASCADE, related_name="pending_draft"
    )
    snapshot = models.JSONField()
    base_token = models.UUIDField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        default_permissions = ("view",)  # written by the change page's draft buttons only

    def __str__(self):
        return f"Draft of {self.occupation}"
