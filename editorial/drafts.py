"""Drafts of live profiles: changes prepared and previewed while the live page stays as it is.

A draft (`ProfileDraft`) holds a snapshot of the whole profile: its fields and every row of
every collection in the registry, in Django's serialization. The change page, a draft save
and the preview work on the real tables: they apply the snapshot inside a transaction that
is always rolled back, so the admin form, its checks and the public template are used as
they are, and nothing of a draft reaches visitors or caches (the content version moves only
after a commit). Publishing applies the snapshot for real, through the content door.
"""

import json
from datetime import datetime
from operator import attrgetter

import reversion
from django.contrib.auth.models import AbstractBaseUser
from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.formats import date_format
from django.utils.timezone import localtime

from occupations import changes, models, prefetching, publishing
from occupations.registry import COLLECTIONS
from occupations.revisions import record_revision

from .audit import audit_record
from .enums import AuditAction
from .models import ProfileDraft

# What a draft never carries over: derived by the content door, or stamped by the publishing
# rule from the live profile.
KEPT_FROM_LIVE = ("search_vector", "updated_at", "published_at")


class DraftOutdated(Exception):
    """The live profile changed after the draft was started: publishing would replace it."""


class _RolledBack(Exception):
    pass


def _unrecorded():
    """For work whose writes are all rolled back: django-reversion keeps what saved records
    it saw in memory and records them when the admin's revision closes, after the rollback
    (the draft would show as a live revision). Here it sees none."""
    return reversion.create_revision(manage_manually=True, atomic=False)


def _profile_records(occupation_id: int) -> list:
    """The profile and every row of every collection (nested rows included), in primary-key
    order per model: two queries (`prefetching.load_collections`), whatever its size."""
    occupation = models.Occupation.objects.get(pk=occupation_id)
    prefetching.load_collections([occupation])
    records = [occupation]
    for collection in COLLECTIONS:
        rows = sorted(getattr(occupation, collection.related_name).all(), key=attrgetter("pk"))
        records += rows
        if collection.nested:
            key = collection.nested.key
            records += sorted(
                (child for row in rows for child in getattr(row, key).all()), key=attrgetter("pk")
            )
    return records


def snapshot_of(occupation_id: int) -> list[dict]:
    """The profile's fields and rows as they are now, JSON-ready."""
    return json.loads(serializers.serialize("json", _profile_records(occupation_id)))


def _missing_references(profile, rows) -> list[str]:
    """References of the draft to records deleted since it was saved (a shared term, a
    related profile): the database would refuse them only at commit."""
    wanted = {}
    for record in [profile, *rows]:
        for field in record._meta.concrete_fields:
            if not field.many_to_one or field.name in {"occupation", "table", "item_list"}:
                continue
            value = getattr(record, field.attname)
            if value is not None:
                wanted.setdefault(field.related_model, {}).setdefault(value, []).append(
                    (record, field)
                )
    problems = []
    for model, uses in wanted.items():
        found = set(model._base_manager.filter(pk__in=list(uses)).values_list("pk", flat=True))
        for pk in sorted(set(uses) - found, key=str):
            for record, field in uses[pk]:
                where = (
                    "The profile"
                    if record is profile
                    else f"A row of “{record._meta.verbose_name_plural}”"
                )
                problems.append(
                    f"{where} refers to a {model._meta.verbose_name} (“{field.verbose_name}”) "
                    "that was deleted after the draft was saved."
                )
    return problems


def _apply(occupation: models.Occupation, snapshot: list[dict]) -> models.Occupation:
    """Make the profile's fields and rows those of `snapshot`, inside the caller's
    transaction; returns the profile as written."""
    profile, rows_by_model = None, {}
    for item in serializers.deserialize("python", snapshot, ignorenonexistent=True):
        if isinstance(item.object, models.Occupation):
            profile = item.object
        else:
            rows_by_model.setdefault(type(item.object), []).append(item.object)
    if profile is None or profile.pk != occupation.pk:
        raise ValidationError("This draft does not belong to this profile.")
    problems = _missing_references(profile, [r for rows in rows_by_model.values() for r in rows])
    if problems:
        raise ValidationError(problems)
    for name in KEPT_FROM_LIVE:
        setattr(profile, name, getattr(occupation, name))
    profile._state.adding = False  # the live record it replaces exists
    # Said in words before the database would refuse it (e.g. a slug another profile took).
    profile.validate_unique()
    profile.validate_constraints()
    profile.save()
    for collection in COLLECTIONS:
        collection.model.objects.filter(occupation_id=occupation.pk).delete()
    for collection in COLLECTIONS:
        new_pks = _insert(rows_by_model.get(collection.model, []))
        if collection.nested:
            nested = collection.nested
            children = rows_by_model.get(nested.model, [])
            parent_id = f"{nested.parent_field}_id"
            for child in children:
                setattr(child, parent_id, new_pks.get(getattr(child, parent_id)))
            _insert(children)
    return profile


def _insert(rows) -> dict:
    """Insert rows under their own primary keys, so the change page's row ids stay valid
    from one draft save to the next; a key another record took meanwhile (possible where
    keys are reused, e.g. SQLite after a rollback) gets a new one. Returns {old: new} keys."""
    if not rows:
        return {}
    model = type(rows[0])
    old_pks = [row.pk for row in rows]
    taken = set(model._base_manager.filter(pk__in=old_pks).values_list("pk", flat=True))
    for row in rows:
        if row.pk in taken:
            row.pk = None
    model._base_manager.bulk_create(rows)
    return {old: row.pk for old, row in zip(old_pks, rows, strict=True)}


def with_draft_applied(occupation: models.Occupation, draft: ProfileDraft, work):
    """`work()` with the draft applied to the tables, then everything rolled back: what
    `work` returns (render a TemplateResponse inside it) and nothing else survives."""
    outcome = []
    try:
        with _unrecorded(), transaction.atomic():
            _apply(occupation, draft.snapshot)
            outcome.append(work())
            raise _RolledBack
    except _RolledBack:
        pass
    return outcome[0]


def draft_save(*, occupation_id: int, user: AbstractBaseUser, save):
    """Save the editor's form into the profile's draft (started from the live profile when
    there is none). `save()` runs the normal admin save on the draft's state and returns
    its response; when it succeeded, the result becomes the draft, and all of its writes
    are rolled back. Returns (response, draft or None when the form was refused)."""
    with transaction.atomic():
        # One draft save at a time per profile; the live row is only read.
        occupation = models.Occupation.objects.select_for_update(no_key=True).get(pk=occupation_id)
        draft = ProfileDraft.objects.filter(occupation=occupation).first()
        base_token = draft.base_token if draft else occupation.edit_token
        outcome = []
        try:
            with _unrecorded(), transaction.atomic():
                if draft is not None:
                    _apply(occupation, draft.snapshot)
                response = save()
                saved = response.status_code == 302
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
                outcome.append((response, snapshot_of(occupation_id) if saved else None))
                raise _RolledBack
        except _RolledBack:
            pass
        response, snapshot = outcome[0]
        if snapshot is None:
            return response, None
        if draft is None:
            draft = ProfileDraft(occupation=occupation, base_token=base_token, created_by=user)
        draft.snapshot = snapshot
        draft.updated_by = user
        draft.save()
        return response, draft


def refuse_a_draft_changed_since(occupation, seen_saved_at: datetime | None, *, nothing_was):
    """ValidationError unless the profile's draft is the one an editor saw: last saved at
    `seen_saved_at` (None: there was no draft). Locks the draft."""
    draft = ProfileDraft.objects.select_for_update().filter(occupation=occupation).first()
    if (draft.updated_at if draft else None) == seen_saved_at:
        return
    if draft is None:
        raise ValidationError(
            f"Nothing was {nothing_was}: the draft was published or discarded after you opened "
            "the page. Check the profile as it is now, then decide again."
        )
    editor = draft.updated_by
    who = (editor.get_full_name() or editor.get_username()) if editor else "an editor"
    raise ValidationError(
        f"Nothing was {nothing_was}: the draft was saved again by {who} at "
        f"{date_format(localtime(draft.updated_at), 'H:i T')}, after you opened the page. "
        "Check it as it is now, then decide again."
    )


def draft_publish(
    *,
    occupation_id: int,
    user: AbstractBaseUser | None,
    overwrite: bool = False,
    check_saved_at: bool = False,
    saved_at: datetime | None = None,
) -> models.Occupation:
    """Make the draft the live profile, as one revision, and drop the draft. With
    `check_saved_at`, only the draft the editor saw (last saved at `saved_at`) is published.

    Raises DraftOutdated when the live profile changed after the draft was started (unless
    `overwrite`), ValidationError when the draft no longer fits (nothing is written)."""
    with transaction.atomic():
        occupation = models.Occupation.objects.select_for_update().get(pk=occupation_id)
        if check_saved_at:
            refuse_a_draft_changed_since(occupation, saved_at, nothing_was="published")
        draft = (
            ProfileDraft.objects.select_for_update(of=("self",))
            .select_related("created_by")
            .filter(occupation=occupation)
            .first()
        )
        if draft is None:
            raise ValidationError("There is no draft to publish: it was published or discarded.")
        if draft.base_token != occupation.edit_token and not overwrite:
            raise DraftOutdated
        neighbours = changes.pages_showing({occupation.pk})
        try:
            with transaction.atomic():
                profile = _apply(occupation, draft.snapshot)
        except IntegrityError as error:
            raise ValidationError(f"The draft no longer fits the catalogue: {error}") from error
        publishing.status_transition(
            profile, status=profile.status, previous_status=occupation.status, user=user
        )
        publishing.schedule_changed(
            profile, previous=(occupation.publish_at, occupation.unpublish_at), user=user
        )
        profile.save(update_fields=["status", "published_at"])
        if profile.slug != occupation.slug:
            changes.remember_former_slug(occupation.pk, occupation.slug)
        changes.content_changed(occupations=[occupation.pk], neighbours=neighbours)
        author = draft.created_by.get_username() if draft.created_by else "an editor"
        record_revision(
            occupation=profile, user=user, comment=f"Published the draft started by {author}."
        )
        if profile.status == occupation.status:
            audit_record(
                action=AuditAction.PUBLISH,
                occupation=profile,
                user=user,
                detail=f"Published the draft started by {author}.",
            )
        draft.delete()
        return profile


def draft_discard(*, occupation_id: int, saved_at: datetime) -> bool:
    """Drop the profile's draft if it was last saved at `saved_at` (as the editor saw it:
    a save by someone else since is not thrown away unseen); the live profile is untouched.
    False when nothing was discarded."""
    found = ProfileDraft.objects.filter(occupation_id=occupation_id, updated_at=saved_at)
    deleted, _ = found.delete()
    return bool(deleted)


def draft_holding(model, pk) -> ProfileDraft | None:
    """The draft of the profile that holds row `pk` of a collection's `model` (a key-fact
    table, an item list): the draft of the live row's profile, or the draft the row was added
    in. None when there is no such draft (or `pk` is no key)."""
    try:
        pk = model._meta.pk.to_python(pk)
    except ValidationError:
        return None
    found = ProfileDraft.objects.select_related("occupation", "created_by", "updated_by")
    occupation_id = (
        model._base_manager.filter(pk=pk).values_list("occupation_id", flat=True).first()
    )
    if occupation_id is not None:
        return found.filter(occupation_id=occupation_id).first()
    label = model._meta.label_lower
    if connection.features.supports_json_field_contains:
        found = found.filter(snapshot__contains=[{"model": label, "pk": pk}])
    for draft in found:
        if any(item["model"] == label and item["pk"] == pk for item in draft.snapshot):
            return draft
    return None


def pending_draft(occupation_id) -> ProfileDraft | None:
    return (
        ProfileDraft.objects.select_related("created_by", "updated_by")
        .filter(occupation_id=occupation_id)
        .first()
    )
