"""Writes that touch more than one row or model. Keyword-only, typed, atomic."""

from collections import defaultdict
from collections.abc import Callable

import reversion
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.text import slugify
from reversion.models import Version

from . import enums, models
from .changes import content_changed, pages_showing
from .publishing import (  # noqa: F401 (publish/unpublish re-exported for callers)
    occupation_publish,
    occupation_unpublish,
    status_transition,
)
from .registry import COLLECTIONS, OCCUPATION_REFS
from .revisions import OCCUPATION_CHILDREN, record_revision

# --- Duplication (used by the admin action) ------------------------------------------------


def _unique_copy_identity(occupation: models.Occupation) -> tuple[str, str]:
    """A title "… (copy)" / "… (copy 2)" and a slug that no other profile uses."""
    slug_field_length = models.Occupation._meta.get_field("slug").max_length
    title_length = models.Occupation._meta.get_field("title").max_length
    number = 1
    while True:
        suffix = " (copy)" if number == 1 else f" (copy {number})"
        title = occupation.title[: title_length - len(suffix)] + suffix
        slug_suffix = "-copy" if number == 1 else f"-copy-{number}"
        slug = occupation.slug[: slug_field_length - len(slug_suffix)] + slug_suffix
        taken = models.Occupation.objects.filter(slug=slug).exists()
        if not taken and not models.Occupation.objects.filter(title=title).exists():
            return title, slugify(slug) or slug
        number += 1


def _copy_rows(rows, **overrides):
    """Unsaved copies of `rows` with new primary keys and the given fields replaced."""
    copies = []
    for row in rows:
        row.pk = None
        row._state.adding = True
        for name, value in overrides.items():
            setattr(row, name, value)
        copies.append(row)
    return copies


def occupation_duplicate(
    *, occupation: models.Occupation, user: AbstractBaseUser | None
) -> models.Occupation:
    """Copy a profile with all of its rows (tables and lists included) as a new draft."""
    with transaction.atomic():
        original = models.Occupation.objects.for_detail().get(pk=occupation.pk)
        children = {name: list(getattr(original, name).all()) for name in OCCUPATION_CHILDREN}
        facts = {table.pk: list(table.facts.all()) for table in children["key_fact_tables"]}
        items = {item_list.pk: list(item_list.items.all()) for item_list in children["item_lists"]}

        copy = models.Occupation.objects.get(pk=occupation.pk)
        copy.title, copy.slug = _unique_copy_identity(original)
        copy.pk = None
        copy._state.adding = True
        copy.status = enums.PublicationStatus.DRAFT
        copy.published_at = None
        copy.search_vector = None
        copy.save()

        for name in OCCUPATION_CHILDREN:
            if name in {"key_fact_tables", "item_lists"}:
                continue
            rows = children[name]
            if rows:
                type(rows[0]).objects.bulk_create(_copy_rows(rows, occupation=copy))
        for table in children["key_fact_tables"]:
            old_pk = table.pk
            (new_table,) = _copy_rows([table], occupation=copy)
            new_table.save()
            models.KeyFact.objects.bulk_create(_copy_rows(facts[old_pk], table=new_table))
        for item_list in children["item_lists"]:
            old_pk = item_list.pk
            (new_list,) = _copy_rows([item_list], occupation=copy)
            new_list.save()
            models.ListItem.objects.bulk_create(_copy_rows(items[old_pk], item_list=new_list))

        content_changed(occupations=[copy.pk])
        # Recorded after the rows exist, so the first revision of the copy holds them all.
        record_revision(occupation=copy, user=user, comment=f"Duplicated from “{original.title}”.")
    return copy


# --- Whole-profile documents (used by the API) ---------------------------------------------


class _DocumentErrors:
    """Validation messages keyed by the document path, e.g. `salary_bands[1].annual_max`."""

    def __init__(self):
        self.messages: dict[str, list[str]] = {}

    def add(self, path, message):
        self.messages.setdefault(path, []).append(str(message))

    def add_django(self, prefix, error: ValidationError):
        for name, messages in error.message_dict.items():
            name = "non_field_errors" if name == NON_FIELD_ERRORS else name
            for message in messages:
                self.add(f"{prefix}.{name}" if prefix else name, message)


def _resolve_slugs(data, collections, errors):
    """Every slug of the document, looked up with one query per model: {(model, slug): obj}."""
    wanted = defaultdict(list)  # model -> [(path, slug)]
    for name, model in OCCUPATION_REFS.items():
        if data.get(name):
            wanted[model].append((name, data[name]))
    for spec in COLLECTIONS:
        for index, row in enumerate(collections.get(spec.related_name, [])):
            for name, model in spec.refs.items():
                if row.get(name):
                    wanted[model].append((f"{spec.key}[{index}].{name}", row[name]))
    found = {}
    for model, refs in wanted.items():
        slugs = {slug for _, slug in refs}
        for record in model.objects.filter(slug__in=slugs):
            found[model, record.slug] = record
        for path, slug in refs:
            if (model, slug) not in found:
                errors.add(
                    path,
                    f"Unknown {model._meta.verbose_name} “{slug}”: shared records are created "
                    "in the admin first, then referred to by slug.",
                )
    return found


def _build_rows(*, spec, rows, occupation_slug, found, errors):
    """Unsaved, validated model instances for one collection (+ their nested rows)."""
    built = []
    seen_orders, seen_dimensions = {}, {}
    for index, row in enumerate(rows):
        path = f"{spec.key}[{index}]"
        values = dict(row)
        nested_rows = values.pop(spec.nested.key, []) if spec.nested else []
        unknown = []  # already reported by _resolve_slugs: no second "cannot be null"
        for name, model in spec.refs.items():
            slug = values.pop(name, None)
            values[name] = found.get((model, slug)) if slug else None
            if slug and values[name] is None:
                unknown.append(name)
        if spec.model is models.RatingScore:
            dimension = row.get("dimension")
            if dimension in seen_dimensions:
                errors.add(f"{path}.dimension", "This dimension is already rated in this list.")
            seen_dimensions.setdefault(dimension, index)
        else:
            values.setdefault("order", index)
            if values["order"] in seen_orders:
                errors.add(f"{path}.order", "Two rows of the same list cannot share a position.")
            seen_orders.setdefault(values["order"], index)
        if spec.model is models.RelatedOccupation and row.get("related") == occupation_slug:
            errors.add(f"{path}.related", "An occupation cannot be related to itself.")
        instance = spec.model(**values)
        try:
            # The occupation may not exist yet; its rules (unique order, not self) are
            # checked above instead. The records named by slug were just read from the
            # database, so their fields skip the per-row "does it exist" query; the
            # constraints that involve them are still checked.
            instance.full_clean(exclude=["occupation", *spec.refs], validate_constraints=False)
        except ValidationError as error:
            errors.add_django(path, error)
        try:
            instance.validate_constraints(exclude=["occupation", *unknown])
        except ValidationError as error:
            errors.add_django(path, error)
        children = []
        if spec.nested:
            key, child_model, parent_field = (
                spec.nested.key,
                spec.nested.model,
                spec.nested.parent_field,
            )
            seen = set()
            for child_index, child_row in enumerate(nested_rows):
                child_path = f"{path}.{key}[{child_index}]"
                child = child_model(**{"order": child_index, **child_row})
                if child.order in seen:
                    errors.add(
                        f"{child_path}.order", "Two rows of the same list cannot share a position."
                    )
                seen.add(child.order)
                try:
                    child.full_clean(exclude=[parent_field])
                except ValidationError as error:
                    errors.add_django(child_path, error)
                children.append(child)
        built.append((instance, children))
    return built


def occupation_save_document(
    *,
    occupation: models.Occupation | None,
    data: dict,
    user: AbstractBaseUser,
    before_write: Callable[[], None] | None = None,
) -> models.Occupation:
    """Create (occupation=None) or update a whole profile from a validated API document.

    Scalar fields present in `data` are set; each collection present replaces the profile's
    rows; absent collections are left alone (PATCH). Every row passes the model's full_clean()
    (database constraints included) before anything is written; any error raises one
    ValidationError keyed by document path and saves nothing. One revision, by `user`.
    `before_write` runs once the document is valid, before anything is written (the API
    checks its If-Match precondition there, so an invalid body is a 400 whatever the ETag).
    """
    errors = _DocumentErrors()
    values = dict(data)
    collections = {
        spec.related_name: values.pop(spec.related_name)
        for spec in COLLECTIONS
        if spec.related_name in values
    }
    found = _resolve_slugs(values, collections, errors)

    target = occupation or models.Occupation()
    previous_status = occupation.status if occupation is not None else None
    for name, value in values.items():
        if name in OCCUPATION_REFS:
            value = found.get((OCCUPATION_REFS[name], value)) if value else None
        setattr(target, name, value)
    if "status" in values or occupation is None:
        status_transition(target, status=target.status, previous_status=previous_status)
    try:
        target.full_clean()
    except ValidationError as error:
        errors.add_django("", error)
    built = {
        spec.related_name: _build_rows(
            spec=spec,
            rows=collections[spec.related_name],
            occupation_slug=target.slug,
            found=found,
            errors=errors,
        )
        for spec in COLLECTIONS
        if spec.related_name in collections
    }
    if errors.messages:
        raise ValidationError(errors.messages)
    if before_write is not None:
        before_write()

    old_neighbours = pages_showing({occupation.pk}) if occupation is not None else set()
    with transaction.atomic():
        target.save()
        for spec in COLLECTIONS:
            if spec.related_name not in built:
                continue
            if occupation is not None:
                getattr(target, spec.related_name).all().delete()
            rows = built[spec.related_name]
            for instance, _ in rows:
                instance.occupation = target
            spec.model.objects.bulk_create([instance for instance, _ in rows])
            if spec.nested:
                child_model, parent_field = spec.nested.model, spec.nested.parent_field
                children = []
                for instance, nested in rows:
                    for child in nested:
                        setattr(child, parent_field, instance)
                        children.append(child)
                child_model.objects.bulk_create(children)
        content_changed(occupations=[target.pk], neighbours=old_neighbours)
        # Recorded after every row is written, so the revision holds the new rows only
        # (recording first would follow the old, deleted rows into the revision).
        record_revision(
            occupation=models.Occupation.objects.get(pk=target.pk),
            user=user,
            comment="Changed through the API",
        )
    target.refresh_from_db()
    return target


def occupation_delete(*, occupation: models.Occupation, user: AbstractBaseUser) -> None:
    """Delete a profile, keeping its last state as a revision (recoverable in the admin)."""
    with transaction.atomic():
        record_revision(occupation=occupation, user=user, comment="Deleted through the API")
        neighbours = pages_showing({occupation.pk}) - {occupation.pk}
        occupation.delete()
        content_changed(neighbours=neighbours)


# --- Reverting a profile to an earlier revision -----------------------------------------------

# Half the range of a small integer: above any position an editor uses.
ROW_PARKING_OFFSET = 16_384


def occupation_rows_park(*, occupation_id: int) -> None:
    """Shift every positioned row of a profile above the positions in use.

    django-reversion restores rows one by one; when a revert moves rows back into each
    other's positions (undoing a reorder), each row would collide with another's current
    position and the revert fails. With all rows parked first, any old position is free.
    """
    shift = {"order": F("order") + ROW_PARKING_OFFSET}
    for name in OCCUPATION_CHILDREN:
        model = models.Occupation._meta.get_field(name).related_model
        if any(model_field.name == "order" for model_field in model._meta.fields):
            model.objects.filter(occupation_id=occupation_id).update(**shift)
    models.KeyFact.objects.filter(table__occupation_id=occupation_id).update(**shift)
    models.ListItem.objects.filter(item_list__occupation_id=occupation_id).update(**shift)


def occupation_revert(*, version: Version, user: AbstractBaseUser | None) -> models.Occupation:
    """Restore a profile as it was in `version`: its fields and all of its rows (rows added
    since are removed, deleted rows come back, positions too), as a new revision."""
    with transaction.atomic(using=version.db), reversion.create_revision(using=version.db):
        neighbours = pages_showing({int(version.object_id)})
        occupation_rows_park(occupation_id=int(version.object_id))
        version.revision.revert(delete=True)
        occupation = models.Occupation.objects.get(pk=version.object_id)
        content_changed(occupations=[occupation.pk], neighbours=neighbours)
        record_revision(
            occupation=occupation,
            user=user,
            comment=f"Reverted to the version of {version.revision.date_created:%Y-%m-%d %H:%M}.",
        )
    return occupation
