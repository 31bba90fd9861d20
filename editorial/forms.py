"""The edit guard on admin change forms: the version the editor opened travels with the
form, and a save against a newer version stops with a description of what changed."""

import copy
import json
import re

from django import forms
from django.core import serializers
from django.core.exceptions import ValidationError
from django.utils.functional import cached_property

from .conflicts import (
    IGNORED_FIELDS,
    Conflict,
    EditBase,
    describe_conflict,
    draft_conflict,
    edit_base,
    edit_token,
    row_prefixes,
)

ROW_PARENT_FIELDS = {"occupation", "table", "item_list"}
# A row's position in its list (`OrderedInlineFormSet.order_field`).
POSITION_FIELD = "order"
# Where the admin leaves its inline formsets' copies of the POST data on the record being
# saved (`EditGuardAdminMixin.get_formset_kwargs`): the formsets are made before the form
# is validated, and their rows are read only when they validate after it.
FORMSET_DATA_ATTR = "_edit_guard_formset_data"

CONFLICT_MESSAGE = (
    "Someone else saved this page after you opened it. Nothing was saved: your changes are "
    "still on the page. Check what changed (listed at the top), then save again with "
    "“Apply my changes on top” ticked."
)


# A row's hidden id in an inline formset's POST data: "<prefix>-<index>-<field>".
ROW_INPUT = re.compile(r"^(?P<prefix>\w+)-(?P<index>[0-9]{1,9})-(?P<field>\w+)$")
NUMBER = re.compile(r"[0-9]{1,18}")  # ASCII only, short enough for int() on any input
# The "changed meanwhile" notice names at most this many fields and rows.
KEPT_NOTICE_ITEMS = 10


def posted_rows(data, model) -> set[tuple[str, str]]:
    """(model label, pk) of the saved rows a change page of `model` posted: the hidden id
    of each row of its inline formsets (a page may show only some rows of a collection)."""
    prefixes = row_prefixes(model)
    shown = set()
    for name in data:
        match = ROW_INPUT.match(name)
        if not match or match["prefix"] not in prefixes:
            continue
        row_model = prefixes[match["prefix"]]
        total = str(data.get(f"{match['prefix']}-TOTAL_FORMS", "")).strip()
        value = str(data.get(name, "")).strip()
        if (
            match["field"] == row_model._meta.pk.name
            and NUMBER.fullmatch(total)
            and NUMBER.fullmatch(value)
            and int(match["index"]) < int(total)
        ):
            shown.add((row_model._meta.label_lower, str(int(value))))
    return shown


def kept_notice(conflict: Conflict) -> str | None:
    """What a save that went ahead keeps of others' changes: "Meanwhile Sue (sue) changed
    Summary; kept." (None when nothing an editor would see changed)."""
    items = conflict.fields + conflict.rows
    if not items:
        return None
    what = ", ".join(items[:KEPT_NOTICE_ITEMS])
    if len(items) > KEPT_NOTICE_ITEMS:
        what += f" and {len(items) - KEPT_NOTICE_ITEMS} more"
    editors = conflict.editors or ["someone"]
    who = editors[0] if len(editors) == 1 else f"{', '.join(editors[:-1])} and {editors[-1]}"
    return f"Meanwhile {who} changed {what}; kept."


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

    # Judge changes by what the page posts (see `touched_by`); False where the revision
    # history is not what the editor opened (a draft), so any change stops the save.
    judge_by_page = True
    # On a draft save: the draft as saved last (set by `DraftAdminMixin.get_form`).
    draft_now = None

    GUARD_FIELDS = (
        "edit_base_token",
        "edit_base_revision",
        "edit_opened_at",
        "edit_seen_token",
        "apply_on_top",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = None  # changes since opening that stop the save
        self.changed_elsewhere = None  # changes since opening this page does not touch
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
        if not self.judge_by_page:
            # A draft: see `draft_conflict`; confirming replaces the draft as posted.
            self.conflict = draft_conflict(current, self.draft_now)
            confirmed = cleaned.get("apply_on_top") and cleaned.get("edit_seen_token") == current
            if not confirmed:
                raise ValidationError(CONFLICT_MESSAGE, code="edit_conflict")
            return cleaned
        conflict = describe_conflict(self.instance, base)
        if conflict.details_known and conflict.base_is_opened:
            keep_their_positions(getattr(self.instance, FORMSET_DATA_ATTR, ()), conflict)
        judged = conflict.details_known and conflict.base_is_opened and self.judge_by_page
        if judged and not self.touched_by(conflict):
            self.changed_elsewhere = conflict
            return cleaned
        self.conflict = conflict
        confirmed = cleaned.get("apply_on_top") and cleaned.get("edit_seen_token") == current
        if not confirmed:
            raise ValidationError(CONFLICT_MESSAGE, code="edit_conflict")
        return cleaned

    def touched_by(self, conflict: Conflict) -> bool:
        """Whether changes since opening touch what this page posts: one of the form's own
        fields, or a row it shows that was changed or deleted. Rows added meanwhile are
        left to the formsets' position check; rows edited on their own pages (a table's
        facts, on the profile's page) are not on it."""
        own_fields = set(self.fields) - set(self.GUARD_FIELDS)
        if conflict.field_names & own_fields:
            return True
        shown = posted_rows(self.data, type(self.instance))
        return bool(shown & (conflict.changed_rows | conflict.deleted_rows))

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


def keep_their_positions(formset_data, conflict: Conflict) -> None:
    """A row the editor left at the position they opened it at takes the position saved
    meanwhile: else "Apply my changes on top" would put back the old order of every row on
    the page (undoing another editor's move), or be refused because a row moved across
    pages now holds that old position. `formset_data`: (row model, prefix, mutable POST
    data) of each inline formset, rewritten before the formsets read their rows."""
    for model, prefix, data in formset_data:
        if POSITION_FIELD not in {field.name for field in model._meta.fields}:
            continue
        label, pk_name = model._meta.label_lower, model._meta.pk.name
        initial = str(data.get(f"{prefix}-INITIAL_FORMS", "")).strip()
        # Every row posts its id, so no more rows than fields (a hostile count stays cheap).
        count = min(int(initial), len(data)) if NUMBER.fullmatch(initial) else 0
        index_by_pk = {}
        for index in range(count):
            pk = str(data.get(f"{prefix}-{index}-{pk_name}", "")).strip()
            opened = conflict.base_rows.get((label, pk)) if NUMBER.fullmatch(pk) else None
            posted = data.get(f"{prefix}-{index}-{POSITION_FIELD}")
            if opened is not None and str(opened.get(POSITION_FIELD)) == posted:
                index_by_pk[int(pk)] = index
        saved = model._default_manager.filter(pk__in=index_by_pk).values_list("pk", POSITION_FIELD)
        for pk, position in saved:
            data[f"{prefix}-{index_by_pk[pk]}-{POSITION_FIELD}"] = str(position)


def keep_their_row_changes(formset, base_rows: dict) -> None:
    """Applying on top, rows this editor left as they opened them keep the newer saved
    values (they are not saved again). Positions were rebased before the formset validated
    (`keep_their_positions`): a position still changed is one the editor gave."""
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
            mine.get(name) == value
            for name, value in base.items()
            if name not in ROW_PARENT_FIELDS and name != POSITION_FIELD
        )
        if untouched and POSITION_FIELD not in row_form.changed_data:
            row_form.has_changed = lambda: False
