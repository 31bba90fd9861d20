"""What the importers remember: each run, and per profile the values they last wrote."""

from django.conf import settings
from django.db import models


class ImportSource(models.TextChoices):
    ONET = "onet", "O*NET"
    OEWS = "oews", "BLS OEWS"
    AI_EXPOSURE = "ai_exposure", "GPTs are GPTs (AI exposure)"


class ImportRun(models.Model):
    """One run of an importer (dry runs are not recorded: they write nothing)."""

    source = models.CharField(max_length=20, choices=ImportSource.choices)
    release = models.CharField(max_length=40)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_by_name = models.CharField(
        max_length=150, blank=True, help_text="Who ran it (the system user when no account)."
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    input_path = models.CharField(max_length=500)
    counts = models.JSONField(default=dict)
    report = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(finished_at__gte=models.F("started_at")),
                name="%(app_label)s_%(class)s_finishes_after_start",
            )
        ]

    def __str__(self):
        return f"{self.get_source_display()} {self.release} at {self.started_at:%Y-%m-%d %H:%M}"


class ImportSnapshot(models.Model):
    """The values one source last wrote to one profile, keyed by external id.

    `values` = {"fields": {name: value}, "rows": {collection: {external key: {name: value}}}}.
    A current value that differs from it was changed by an editor since, and is kept.
    """

    occupation = models.ForeignKey(
        "occupations.Occupation", on_delete=models.CASCADE, related_name="import_snapshots"
    )
    source = models.CharField(max_length=20, choices=ImportSource.choices)
    release = models.CharField(max_length=40)
    values = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["occupation", "source"], name="%(app_label)s_%(class)s_one_per_source"
            )
        ]

    def __str__(self):
        return f"{self.get_source_display()} {self.release} → {self.occupation_id}"
