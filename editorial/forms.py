"""The edit guard on admin change forms: the version the editor opened travels with the
form, and a save against a newer version stops with a description of what changed."""

import copy
import json

from django import forms
from django.core import serializers
from django.core.exceptions import ValidationError
from django.utils.functional import cached_property

from .conflicts import IGNORED_FIELDS, EditBase, describe_conflict, edit_base, edit_token

ROW_PARENT_FIELDS = {"occupation", "table", "item_list"}

CONFLICT_MESSAGE = (
    "Someone else saved this page after you opened it. Nothing was saved: your changes are "
    "still on the page. Check what changed (listed at the top), then save again with "
    "“Apply my changes on top” ticked."
)


def _serialized_fields(instance) -> dict:
    item = json.loads(serializers.serialize("json", [instance]))[0]
    return {k: v for k, v in item["fields"].items() if k not in IGNORED_FIELDS}


class EditGuardForm(forms.ModelForm):
    """A model form that refuses to overwrite changes made after it was opened."""

    edit_base_token = forms.CharField(widget=forms.HiddenInput, required=False)
    edit_base_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    edit_opened_at = forms.DateTimeField(widget=forms.HiddenInput, required=False)
    # Rendered by the conflict notice with the token it described: "apply on top" counts
    # only for the changes the editor was shown.
    edit_seen_token = forms.CharField(widget=forms.HiddenInput, required=False)
    apply_on_top = forms.BooleanField(
        required=False,
        label="Apply my changes on top",
        help_text=(
            "Fields you did not change keep the newer values; fields you changed, and the "
            "rows you changed, are saved as you left them."
        ),
    )

    GUARD_FIELDS = (
        "edit_base_token",
        "edit_base_revision",
        "edit_opened_at",
        "edit_seen_token",
        "apply_on_top",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = None
        self._kept_theirs = []
        if self.instance.pk is None:
            return
        # What the record holds now (locked by the admin on a POST): the base of the merge.
        self._loaded = copy.copy(self.instance)
        if not self.is_bound:
            base = edit_base(self.instance)
            self.initial.update(
                edit_base_token=base.token,
                edit_base_revision=base.revision_id,
                edit_opened_at=base.opened_at,
            )

    @cached_property
    def changed_data(self):
        return [name for name in super().changed_data if name not in self.GUARD_FIELDS]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        base_token = cleaned.get("edit_base_token")
        if not base_token:
            return cleaned  # a client without the guard fields (e.g. an old tab): as before
        current = edit_token(self.instance)
        if base_token == current:
            return cleaned
        base = EditBase(
            token=base_token,
            revision_id=cleaned.get("edit_base_revision"),
            opened_at=cleaned.get("edit_opened_at") or self.instance.updated_at,
        )
        self.conflict = describe_conflict(self.instance, base)
        confirmed = cleaned.get("apply_on_top") and cleaned.get("edit_seen_token") == current
        if not confirmed:
            raise ValidationError(CONFLICT_MESSAGE, code="edit_conflict")
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        if self.conflict and self.conflict.base_fields and not self.errors:
            self._keep_their_changes()

    def _keep_their_changes(self):
        """Where the editor left a field as they opened it, keep the newer saved value."""
        mine = _serialized_fields(self.instance)
        base = self.conflict.base_fields
        for name in self.changed_data:
            if name in self.GUARD_FIELDS or name not in mine or name not in base:
                continue
            if mine[name] == base[name]:
                field = self.instance._meta.get_field(name)
                setattr(self.instance, field.attname, getattr(self._loaded, field.attname))
                self._kept_theirs.append(name)
        # The change message (history) names only what this editor changed.
        self.__dict__["changed_data"] = [
            name for name in self.changed_data if name not in self._kept_theirs
        ]


def keep_their_row_changes(formset, base_rows: dict) -> None:
    """Applying on top, rows this editor left as they opened them keep the newer saved
    values (they are not saved again), unless their position changed meanwhile: the
    positions the formset validated are the ones posted, so those rows are saved as posted."""
    for row_form in formset.initial_forms:
        instance = row_form.instance
        if instance.pk is None or not row_form.has_changed():
            continue
        if formset.can_delete and formset._should_delete_form(row_form):
            continue
        base = base_rows.get((instance._meta.label_lower, str(instance.pk)))
        if base is None:
            continue
        mine = _serialized_fields(instance)
        untouched = all(
            mine.get(name) == value for name, value in base.items() if name not in ROW_PARENT_FIELDS
        )
        if untouched and "order" not in row_form.changed_data:
            row_form.has_changed = lambda: False
