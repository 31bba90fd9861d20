"""No lost edit: what an editor opened, what changed since, and who changed it.

A change page carries the version the editor opened (`EditBase`): a token that any change
to the record renews, the reversion revision that held the record then, and the moment.
Saving compares the token under a row lock; when it moved, `describe_conflict` compares
the opened revision with the record as it is now (fields and rows, with human labels) and
names the authors of the revisions in between.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.db.models import Q
from django.utils import timezone
from reversion.models import Version

from occupations import models as content
from occupations.registry import COLLECTIONS, COLLECTIONS_BY_MODEL

# Derived or bookkeeping fields: they change with every save and say nothing to an editor.
IGNORED_FIELDS = {"updated_at", "created_at", "search_vector", "edit_token"}


@dataclass(frozen=True)
class EditBase:
    """The version an editor opened: `token`, the latest revision id then, and when."""

    token: str
    revision_id: int | None
    opened_at: datetime


@dataclass
class Conflict:
    """What changed between the version an editor opened and now, in words."""

    token: str  # the current token: confirming "overwrite" is only valid against it
    fields: list[str] = field(default_factory=list)  # labels of the record's own fields
    rows: list[str] = field(default_factory=list)  # "Duties: “Dispatch crews” changed (Text)"
    authors: list[str] = field(default_factory=list)  # "Sue (sue), 1 Dec 2026 15:40: Changed…"
    details_known: bool = True  # False when no revision of the opened version exists
    base_fields: dict = field(default_factory=dict)  # the record's own fields as opened
    base_rows: dict = field(default_factory=dict)  # {(model label, pk): fields} as opened


def followed_rows(record) -> list:
    """The rows a record's revision holds besides itself (a profile's collections and
    their nested rows; a table's facts), as `revisions.py` registers them."""
    model = type(record)
    rows = []
    if model is content.Occupation:
        for collection in COLLECTIONS:
            own = list(getattr(record, collection.related_name).all())
            rows += own
            if collection.nested:
                nested = collection.nested
                rows += list(nested.model.objects.filter(**{f"{nested.parent_field}__in": own}))
    elif model in COLLECTIONS_BY_MODEL and COLLECTIONS_BY_MODEL[model].nested:
        rows += list(getattr(record, COLLECTIONS_BY_MODEL[model].nested.key).all())
    return rows


def _key(model, pk) -> tuple[str, str]:
    return (model._meta.label_lower, str(pk))


def current_snapshot(record) -> dict:
    """{(model label, pk): {field: value}} for the record and its rows as they are now,
    in the same form as reversion's JSON versions."""
    objects = [record, *followed_rows(record)]
    snapshot = {}
    for item in json.loads(serializers.serialize("json", objects)):
        fields = {k: v for k, v in item["fields"].items() if k not in IGNORED_FIELDS}
        snapshot[(item["model"], str(item["pk"]))] = fields
    return snapshot


def snapshot_token(record) -> str:
    """A token for records without an edit token of their own: a hash of their content."""
    snapshot = current_snapshot(record)
    text = json.dumps(sorted(snapshot.items()), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def edit_token(record) -> str:
    """What moves when the record or one of its rows changes."""
    token = getattr(record, "edit_token", None)
    return str(token) if token is not None else snapshot_token(record)


def latest_revision_id(record) -> int | None:
    """The newest reversion revision holding this record (one query)."""
    return (
        Version.objects.get_for_object(record)
        .order_by("-revision_id")
        .values_list("revision_id", flat=True)
        .first()
    )


def edit_base(record) -> EditBase:
    """The version an editor opens now."""
    return EditBase(
        token=edit_token(record),
        revision_id=latest_revision_id(record),
        opened_at=timezone.now(),
    )


def revision_snapshot(revision_id: int, keys: set) -> tuple[dict, dict]:
    """The versions of `keys`' models in one revision: ({key: fields}, {key: repr})."""
    fields, reprs = {}, {}
    versions = Version.objects.filter(revision_id=revision_id).select_related("content_type")
    for version in versions:
        model = version.content_type.model_class()
        if model is None:
            continue
        key = _key(model, version.object_id)
        item = json.loads(version.serialized_data)[0]
        fields[key] = {k: v for k, v in item["fields"].items() if k not in IGNORED_FIELDS}
        reprs[key] = version.object_repr
    return fields, reprs


def field_label(model, name: str) -> str:
    try:
        label = str(model._meta.get_field(name).verbose_name)
    except Exception:  # a field a later migration removed
        label = name.replace("_", " ")
    return label[:1].upper() + label[1:]


def model_label(model) -> str:
    label = str(model._meta.verbose_name_plural)
    return label[:1].upper() + label[1:]


def _models_by_label() -> dict:
    labels = {content.Occupation._meta.label_lower: content.Occupation}
    for collection in COLLECTIONS:
        labels[collection.model._meta.label_lower] = collection.model
        if collection.nested:
            labels[collection.nested.model._meta.label_lower] = collection.nested.model
    return labels


def describe_conflict(record, base: EditBase) -> Conflict:
    """What changed in `record` (and its rows) since `base`, and who changed it."""
    now = current_snapshot(record)
    own_key = _key(type(record), record.pk)
    conflict = Conflict(token=edit_token(record))
    labels = _models_by_label()
    current_reprs = {_key(type(row), row.pk): str(row) for row in followed_rows(record)}

    if base.revision_id is None:
        conflict.details_known = False
        then = {}
    else:
        then, then_reprs = revision_snapshot(base.revision_id, set(now))
        if own_key not in then:
            conflict.details_known = False
        conflict.base_fields = then.get(own_key, {})
        conflict.base_rows = {key: fields for key, fields in then.items() if key != own_key}
        model = type(record)
        for name, value in now[own_key].items():
            if own_key in then and then[own_key].get(name) != value:
                conflict.fields.append(field_label(model, name))
        for key in sorted(set(now) | set(then), key=lambda k: (k[0], int(k[1]))):
            if key == own_key or key[0] not in labels:
                continue
            row_model = labels[key[0]]
            section = model_label(row_model)
            if key not in then:
                conflict.rows.append(f"{section}: “{current_reprs.get(key, key[1])}” added")
            elif key not in now:
                conflict.rows.append(f"{section}: “{then_reprs.get(key, key[1])}” deleted")
            else:
                changed = [
                    field_label(row_model, name)
                    for name, value in now[key].items()
                    if then[key].get(name) != value
                ]
                if changed:
                    conflict.rows.append(
                        f"{section}: “{current_reprs.get(key, key[1])}” changed "
                        f"({', '.join(changed)})"
                    )
    conflict.authors = revision_authors(set(now) | set(then), since=base.opened_at)
    return conflict


def revision_authors(keys: set, *, since: datetime) -> list[str]:
    """Who saved revisions touching `keys` after `since`, newest first, in words."""
    types = ContentType.objects.get_for_models(*_models_by_label().values())
    ids_by_type = {}
    for label, pk in keys:
        model = _models_by_label().get(label)
        if model is not None:
            ids_by_type.setdefault(types[model].pk, set()).add(pk)
    if not ids_by_type:
        return []
    touching = Q()
    for type_id, ids in ids_by_type.items():
        touching |= Q(content_type_id=type_id, object_id__in=ids)
    versions = (
        Version.objects.filter(touching, revision__date_created__gt=since)
        .select_related("revision__user")
        .order_by("-revision__date_created")
    )
    authors, seen = [], set()
    for version in versions[:200]:
        revision = version.revision
        if revision.pk in seen:
            continue
        seen.add(revision.pk)
        user = revision.user
        who = (user.get_full_name() or user.get_username()) if user else "Someone (no login)"
        when = timezone.localtime(revision.date_created).strftime("%d %b %Y %H:%M %Z")
        comment = _plain_comment(revision.get_comment())
        authors.append(f"{who}, {when}" + (f": {comment}" if comment else ""))
    return authors


def _plain_comment(comment: str) -> str:
    """The admin stores its change message as JSON; show its readable form."""
    from django.contrib.admin.models import LogEntry

    if comment.startswith("["):
        return LogEntry(change_message=comment).get_change_message()
    return comment
