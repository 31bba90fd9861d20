from django.db import models


class AuditAction(models.TextChoices):
    PUBLISH = "publish", "Published"
    UNPUBLISH = "unpublish", "Unpublished"
    SCHEDULE = "schedule", "Schedule changed"
    SUBMIT = "submit", "Submitted for review"
    APPROVE = "approve", "Approved"
    REJECT = "reject", "Rejected"
    IMPORT = "import", "Imported"
    REVERT = "revert", "Reverted"


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
