"""No lost edit: what an editor opened, what changed since, and who changed it.

A change page carries the version the editor opened (`EditBase`): a token that any change
to the record renews, the reversion revision that held the record then, and the moment.
Saving compares the token under a row lock; when it moved, `describe_conflict` compares
the opened revision with the record as it is now (fields and rows, with human labels) and
names the authors of the revisions in between.
"""

import copy
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.db.models import Q, Subquery
from django.utils import timezone
from reversion.models import Revision, Version

from occupations import models as content
from occupations.prefetching import load_collections
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
    """What changed between the version an editor opened and now, in words and as names
    and row keys ((model label, pk)) for judging whether it touches the editor's page."""

    token: str  # the current token: confirming "overwrite" is only valid against it
    fields: list[str] = field(default_factory=list)  # labels of the record's own fields
    rows: list[str] = field(default_factory=list)  # "Duties: “Dispatch crews” changed (Text)"
    authors: list[str] = field(default_factory=list)  # "Sue, 1 Dec 2026 15:40: Changed…"
    editors: list[str] = field(default_factory=list)  # "Sue (sue)", newest first
    details_known: bool = True  # False when no revision of the opened version exists
    # False when rows were saved on their own pages between the opened revision and the
    # opening of the page: the changes are listed, but cannot be judged row by row.
    base_is_opened: bool = True
    # On a draft: "Otto (otto), 1 Dec 2026 23:25 UTC", who saved the draft last (a draft
    # keeps no history, so what they changed cannot be listed).
    draft_saved: str = ""
    base_fields: dict = field(default_factory=dict)  # the record's own fields as opened
    base_rows: dict = field(default_factory=dict)  # {(model label, pk): fields} as opened
    field_names: set[str] = field(default_factory=set)  # the record's own changed fields
    changed_rows: set[tuple[str, str]] = field(default_factory=set)
    added_rows: set[tuple[str, str]] = field(default_factory=set)
    deleted_rows: set[tuple[str, str]] = field(default_factory=set)


def followed_rows(record) -> list:
    """The rows a record's revision holds besides itself (a profile's collections and
    their nested rows; a table's facts), as `revisions.py` registers them."""
    model = type(record)
    rows = []
    if model is content.Occupation:
        # Every collection, nested row and the records they name in one query, read into a
        # copy: the record's own related managers must still read the database (the
        # revision of a save follows them).
        reader = copy.copy(record)
        reader.__dict__.pop("_prefetched_objects_cache", None)
        load_collections([reader])
        for collection in COLLECTIONS:
            own = list(getattr(reader, collection.related_name).all())
            rows += own
            if collection.nested:
                for row in own:
                    rows += list(getattr(row, collection.nested.key).all())
    elif model in COLLECTIONS_BY_MODEL and COLLECTIONS_BY_MODEL[model].nested:
        rows += list(getattr(record, COLLECTIONS_BY_MODEL[model].nested.key).all())
    return rows


def _key(model, pk) -> tuple[str, str]:
    return (model._meta.label_lower, str(pk))


def current_snapshot(record, rows=None) -> dict:
    """{(model label, pk): {field: value}} for the record and its rows (`followed_rows`
    unless given) as they are now, in the same form as reversion's JSON versions."""
    objects = [record, *(followed_rows(record) if rows is None else rows)]
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
    """The newest reversion revision holding this record (one query); None also when a
    record with an edit token was saved after `record` was read (the revision would hold
    changes the page does not show, so it could not tell them apart)."""
    versions = Version.objects.get_for_object(record).order_by("-revision_id")
    if getattr(record, "edit_token", None) is None:
        return versions.values_list("revision_id", flat=True).first()
    # Read in the same statement as the revision, so both are of one moment.
    token_now = type(record)._default_manager.filter(pk=record.pk).values("edit_token")[:1]
    newest = versions.annotate(token_now=Subquery(token_now)).values_list(
        "revision_id", "token_now"
    )
    row = newest.first()
    if row is None or str(row[1]) != str(record.edit_token):
        return None
    return row[0]


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


def row_prefixes(model) -> dict:
    """{inline prefix: row model} of the rows a record's change page edits: a profile's
    collections (prefixed by their related name) or a table's or list's own rows."""
    if model is content.Occupation:
        return {collection.related_name: collection.model for collection in COLLECTIONS}
    collection = COLLECTIONS_BY_MODEL.get(model)
    if collection is not None and collection.nested:
        return {collection.nested.key: collection.nested.model}
    return {}


def _row_parents(model) -> dict:
    """{row model label: (field naming its parent, the parent's model label)} for the rows
    a record's revision follows."""
    label = model._meta.label_lower
    if model is content.Occupation:
        parents = {}
        for collection in COLLECTIONS:
            parents[collection.model._meta.label_lower] = ("occupation", label)
            if collection.nested:
                nested = collection.nested
                parents[nested.model._meta.label_lower] = (
                    nested.parent_field,
                    collection.model._meta.label_lower,
                )
        return parents
    collection = COLLECTIONS_BY_MODEL.get(model)
    if collection is not None and collection.nested:
        nested = collection.nested
        return {nested.model._meta.label_lower: (nested.parent_field, label)}
    return {}


def _own_versions(record, then: dict) -> dict:
    """The versions of `record` and its rows in a revision. A table's newest revision may
    be its profile's, which holds every row of the profile: the others are not its rows."""
    own_key = _key(type(record), record.pk)
    parents = _row_parents(type(record))
    kept = {own_key} & set(then)
    # Two passes: the record's rows, then their own rows (a table's facts).
    for _ in range(2):
        for key, fields in then.items():
            parent = parents.get(key[0])
            if parent and (parent[1], str(fields.get(parent[0]))) in kept:
                kept.add(key)
    return {key: then[key] for key in kept}


def describe_conflict(record, base: EditBase) -> Conflict:
    """What changed in `record` (and its rows) since `base`, and who changed it."""
    rows = followed_rows(record)
    now = current_snapshot(record, rows)
    own_key = _key(type(record), record.pk)
    conflict = Conflict(token=edit_token(record))
    labels = _models_by_label()
    current_reprs = {_key(type(row), row.pk): str(row) for row in rows}

    if base.revision_id is None:
        conflict.details_known = False
        then = {}
    else:
        then, then_reprs = revision_snapshot(base.revision_id, set(now))
        then = _own_versions(record, then)
        if own_key not in then:
            conflict.details_known = False
        conflict.base_fields = then.get(own_key, {})
        conflict.base_rows = {key: fields for key, fields in then.items() if key != own_key}
        model = type(record)
        for name, value in now[own_key].items():
            if own_key in then and then[own_key].get(name) != value:
                conflict.field_names.add(name)
                conflict.fields.append(field_label(model, name))
        for key in sorted(set(now) | set(then), key=lambda k: (k[0], int(k[1]))):
            if key == own_key or key[0] not in labels:
                continue
            row_model = labels[key[0]]
            section = model_label(row_model)
            if key not in then:
                conflict.added_rows.add(key)
                conflict.rows.append(f"{section}: “{current_reprs.get(key, key[1])}” added")
            elif key not in now:
                conflict.deleted_rows.add(key)
                conflict.rows.append(f"{section}: “{then_reprs.get(key, key[1])}” deleted")
            else:
                changed = [
                    field_label(row_model, name)
                    for name, value in now[key].items()
                    if then[key].get(name) != value
                ]
                if changed:
                    conflict.changed_rows.add(key)
                    conflict.rows.append(
                        f"{section}: “{current_reprs.get(key, key[1])}” changed "
                        f"({', '.join(changed)})"
                    )
    revisions = revisions_since(
        set(now) | set(then), after_revision=base.revision_id, since=base.opened_at
    )
    meanwhile = [revision for revision in revisions if revision.date_created > base.opened_at]
    # A row saved on its own page (e.g. a duty's history page) after the opened revision
    # and before the page was opened: the revision is not quite what the editor saw.
    conflict.base_is_opened = len(meanwhile) == len(revisions)
    conflict.authors = [_author_line(revision) for revision in meanwhile]
    conflict.editors = list(dict.fromkeys(_editor(revision.user) for revision in meanwhile))
    return conflict


def draft_conflict(token: str, draft) -> Conflict:
    """A draft saved by someone after this page was opened. The revisions hold the live
    profile, not the draft as the editor opened it, so comparing with them would list the
    draft's own differences from the live page as changes by others: name who saved it
    last instead. Nothing of theirs can be merged: confirming replaces the draft."""
    conflict = Conflict(token=token, details_known=False)
    if draft is not None:
        when = timezone.localtime(draft.updated_at).strftime("%d %b %Y %H:%M %Z")
        conflict.draft_saved = f"{_editor(draft.updated_by)}, {when}"
        conflict.editors = [_editor(draft.updated_by)]
    return conflict


def revisions_since(keys: set, *, after_revision: int | None, since: datetime) -> list:
    """The revisions touching `keys` saved after `since` or after revision
    `after_revision`, newest first (at most 200)."""
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
    later = Q(revision__date_created__gt=since)
    if after_revision is not None:
        later |= Q(revision_id__gt=after_revision)
    versions = Version.objects.filter(touching).filter(later)
    revisions = Revision.objects.filter(pk__in=versions.values("revision_id"))
    return list(revisions.select_related("user").order_by("-date_created", "-pk")[:200])


def _editor(user) -> str:
    """An editor as the notices name them: "Sue Smith (sue)", or the username alone."""
    if user is None:
        return "someone (no login)"
    name, username = user.get_full_name(), user.get_username()
    return f"{name} ({username})" if name else username


def _author_line(revision) -> str:
    """A revision as the conflict notice lists it: "Sue, 1 Dec 2026 15:40 UTC: Changed…"."""
    user = revision.user
    who = (user.get_full_name() or user.get_username()) if user else "Someone (no login)"
    when = timezone.localtime(revision.date_created).strftime("%d %b %Y %H:%M %Z")
    comment = _plain_comment(revision.get_comment())
    return f"{who}, {when}" + (f": {comment}" if comment else "")


def _plain_comment(comment: str) -> str:
    """The admin stores its change message as JSON; show its readable form."""
    from django.contrib.admin.models import LogEntry

    if comment.startswith("["):
        return LogEntry(change_message=comment).get_change_message()
    return comment
