from django.contrib import admin

from .models import ImportRun


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """Read-only: a run is a record of what happened, not something to edit."""

    list_display = ["started_at", "source", "release", "started_by_name", "changed_profiles"]
    list_filter = ["source", "release"]
    fields = [
        "source",
        "release",
        "started_by",
        "started_by_name",
        "started_at",
        "finished_at",
        "input_path",
        "counts",
        "report",
    ]
    readonly_fields = fields
    list_select_related = ["started_by"]

    @admin.display(description="profiles created / updated")
    def changed_profiles(self, run):
        return f"{run.counts.get('created', 0)} / {run.counts.get('updated', 0)}"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
