"""Readable history: the compare view in words people use.

Labels instead of field names, money as money, positions as moves, and long texts as a
wrapped word-level diff. Used by `ReadableCompareMixin` on every content admin.
"""

import difflib
import re

from django.db import models
from django.template.loader import render_to_string
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from reversion_compare.compare import DOES_NOT_EXIST

from occupations.templatetags.profile_tags import money

from .conflicts import field_label, model_label

WORDS = re.compile(r"\s+|[^\s]+")
# Amounts of money: shown with the row's currency.
MONEY_FIELDS = {"annual_min", "annual_max", "cost_min", "cost_max"}
HIDDEN_FIELDS = {"id", "occupation", "table", "item_list", "search_vector", "edit_token"}
HIDDEN_FIELDS |= {"created_at", "updated_at"}


def word_diff(old, new):
    """Old and new text as one wrapped paragraph: removed words struck, added words marked."""
    before = WORDS.findall(old or "")
    after = WORDS.findall(new or "")
    parts = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape("".join(before[a1:a2])))
            continue
        if a2 > a1:
            parts.append(f"<del>{escape(''.join(before[a1:a2]))}</del>")
        if b2 > b1:
            parts.append(f"<ins>{escape(''.join(after[b1:b2]))}</ins>")
    return mark_safe(f'<div class="readable-diff">{"".join(parts)}</div>')  # noqa: S308 (escaped above)


def display_value(model, name, value, values):
    """One stored value as an editor reads it on the page."""
    if value in (None, ""):
        return "(empty)"
    field = model._meta.get_field(name)
    if name in MONEY_FIELDS:
        return money(value, values.get("currency") or "USD")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return "Yes" if value else "No"
    if isinstance(field, models.ForeignKey):
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else f"(deleted #{value})"
    return str(value)


def field_change(model, name, old, new, old_values, new_values):
    """One changed field: (label, html)."""
    label = field_label(model, name)
    if name == "order":
        return ("Position", format_html("moved from {} to {}", old, new))
    field = model._meta.get_field(name)
    if isinstance(field, models.TextField | models.CharField) and not field.choices:
        return (label, word_diff(old, new))
    return (
        label,
        format_html(
            "<del>{}</del> → <ins>{}</ins>",
            display_value(model, name, old, old_values),
            display_value(model, name, new, new_values),
        ),
    )


def _fields(version) -> dict:
    values = dict(version.field_dict)
    # field_dict is keyed by attname (source_id); the model field is named `source`.
    model = version._model
    return {
        field.name: values.get(field.attname)
        for field in model._meta.concrete_fields
        if field.name not in HIDDEN_FIELDS and field.attname in values
    }


def row_changes(version1, version2) -> list:
    """What changed in one row between two versions, field by field."""
    model = version2._model
    old, new = _fields(version1), _fields(version2)
    return [
        field_change(model, name, old.get(name), new.get(name), old, new)
        for name in new
        if old.get(name) != new.get(name)
    ]


def readable_rows(change_info) -> dict:
    """reversion-compare's change info of one collection, in words."""
    changed = [
        {"title": version2.object_repr, "changes": row_changes(version1, version2)}
        for version1, version2 in change_info["changed_items"]
    ]
    changed.sort(key=lambda row: row["title"])
    removed = [
        *change_info["removed_items"],
        *change_info["deleted_items"],
        *change_info["removed_missing_objects"],
    ]
    added = [*change_info["added_items"], *change_info["added_missing_objects"]]
    return {
        "changed": changed,
        "removed": [str(item) for item in removed],
        "added": [str(item) for item in added],
        "unchanged": len(change_info["same_items"]) + len(change_info["same_missing_objects"]),
    }


class ReadableCompareMixin:
    """For a `CompareVersionAdmin`: human labels, money, moves and word-level diffs."""

    def compare(self, obj, version1, version2):
        diff, has_unfollowed_fields = super().compare(obj, version1, version2)
        for entry in diff:
            field = entry["field"]
            if field in self.reverse_fields:
                entry["label"] = model_label(field.related_model)
            else:
                entry["label"] = field_label(type(obj), field.name)
        return diff, has_unfollowed_fields

    def compare_ManyToOneRel(self, obj_compare):
        rows = readable_rows(obj_compare.get_m2o_change_info())
        return render_to_string("admin/editorial/compare_rows.html", {"rows": rows})

    def fallback_compare(self, obj_compare):
        model = type(obj_compare.obj)
        name = obj_compare.field_name
        old, new = (
            None if value is DOES_NOT_EXIST else value
            for value in (obj_compare.value1, obj_compare.value2)
        )
        if name == "order":
            return format_html("moved from {} to {}", old, new)
        return field_change(model, name, old, new, {}, {})[1]

    def compare_ForeignKey(self, obj_compare):
        related1, related2 = obj_compare.get_related()
        return format_html(
            "<del>{}</del> → <ins>{}</ins>",
            related1 if related1 is not None else "(empty)",
            related2 if related2 is not None else "(empty)",
        )
