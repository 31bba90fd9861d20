"""Whole-profile documents (the API's writes): validate, then apply with set-based writes.

`document_validate` turns a serializer-checked document into unsaved model instances and
runs every model rule without a query per row (slugs resolved in one query, check
constraints evaluated in Python, positions checked within the document). The view then
checks its preconditions (If-Match) and calls `document_apply`, which writes each
collection with one upsert keyed by the row's position (plus one delete when rows were
removed), records the revision from the rows in memory and goes through the content door.
The number of queries does not depend on the number of rows.
"""

import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models as db_models
from django.db import router, transaction
from django.db.models import Q, Value
from django.utils import timezone
from reversion.models import Revision, Version

from . import models
from .changes import content_changed, pages_showing
from .constraints import check_constraints
from .publishing import status_transition
from .registry import COLLECTIONS, OCCUPATION_REFS

POSITION_TAKEN = "Two rows of the same list cannot share a position."


class DocumentErrors:
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


@dataclass
class Row:
    instance: db_models.Model
    children: list = field(default_factory=list)


@dataclass
class ValidDocument:
    """A document that passed every model rule: the profile and the rows to write."""

    occupation: models.Occupation
    is_new: bool
    rows: dict  # collection key -> [Row], for the collections the document gives


# --- Validate ---------------------------------------------------------------------------------


def _label_field(model):
    return "title" if model is models.Occupation else "name"


def _resolve_slugs(values, collections, errors):
    """Every slug the document names, looked up in one query: {(model, slug): record}.

    The records are light instances (primary key, slug, name; status for profiles): enough
    to link rows to them, to print them and to show them in the response."""
    wanted = defaultdict(list)  # model -> [(path, slug)]
    for name, model in OCCUPATION_REFS.items():
        if values.get(name):
            wanted[model].append((name, values[name]))
    for collection in COLLECTIONS:
        for index, row in enumerate(collections.get(collection.key, [])):
            for name, model in collection.refs.items():
                if row.get(name):
                    wanted[model].append((f"{collection.key}[{index}].{name}", row[name]))
    if not wanted:
        return {}
    kinds = list(wanted)
    queries = [
        model.objects.filter(slug__in={slug for _, slug in wanted[model]})
        .annotate(
            ref_label=db_models.F(_label_field(model)),
            ref_state=db_models.F("status")
            if model is models.Occupation
            else Value("", output_field=db_models.CharField()),
            ref_kind=Value(position, output_field=db_models.IntegerField()),
        )
        .order_by()
        .values_list("pk", "slug", "ref_label", "ref_state", "ref_kind")
        for position, model in enumerate(kinds)
    ]
    union = queries[0].union(*queries[1:], all=True) if len(queries) > 1 else queries[0]
    found = {}
    for pk, slug, label, state, position in union:
        model = kinds[position]
        extra = {"status": state} if model is models.Occupation else {}
        found[model, slug] = model(pk=pk, slug=slug, **{_label_field(model): label}, **extra)
    for model, refs in wanted.items():
        for path, slug in refs:
            if (model, slug) not in found:
                errors.add(
                    path,
                    f"Unknown {model._meta.verbose_name} “{slug}”: shared records are created "
                    "in the admin first, then referred to by slug.",
                )
    return found


def _validate_row(instance, *, path, refs, parent, unknown=(), errors):
    try:
        # No query per row: records named by slug were resolved above, positions are
        # checked within the document, and check constraints are evaluated in Python.
        instance.full_clean(
            exclude=[parent, *refs], validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        errors.add_django(path, error)
    try:
        check_constraints(instance, exclude=[parent, *unknown])
    except ValidationError as error:
        errors.add_django(path, error)


def secondary_keys(collection):
    """The collection's unique constraints per profile other than its identity, as field
    tuples (e.g. one row per O*NET task ID)."""
    keys = []
    for constraint in collection.model._meta.constraints:
        fields = tuple(getattr(constraint, "fields", ()))
        if (
            isinstance(constraint, db_models.UniqueConstraint)
            and fields
            and fields[0] == "occupation"
            and fields[1:] != collection.identity
            and constraint.condition is None
        ):
            keys.append((fields[1:], constraint.violation_error_message))
    return keys


def _check_secondary_keys(collection, built, errors):
    """Rows that would break a unique constraint of the profile, as a 400 with the path."""
    for fields, message in secondary_keys(collection):
        seen = set()
        for index, row in enumerate(built):
            key = tuple(
                getattr(row.instance, row.instance._meta.get_field(name).attname) for name in fields
            )
            if None in key:
                continue  # NULLs never collide in a unique constraint
            if key in seen:
                errors.add(f"{collection.key}[{index}].{fields[0]}", message)
            seen.add(key)


def _build_rows(*, collection, rows, occupation_slug, found, errors):
    """Unsaved, validated rows of one collection (with their nested rows)."""
    built = []
    seen = set()
    for index, row in enumerate(rows):
        path = f"{collection.key}[{index}]"
        values = dict(row)
        nested_rows = values.pop(collection.nested.key, []) if collection.nested else []
        unknown = []  # already reported by _resolve_slugs: no second "cannot be null"
        for name, model in collection.refs.items():
            slug = values.pop(name, None)
            values[name] = found.get((model, slug)) if slug else None
            if slug and values[name] is None:
                unknown.append(name)
        if "order" in collection.fields:
            values.setdefault("order", index)
        identity = tuple(
            row.get(name) if name in collection.refs else values[name]
            for name in collection.identity
        )
        if identity in seen:
            message = (
                "This dimension is already rated in this list."
                if collection.identity == ("dimension",)
                else POSITION_TAKEN
            )
            errors.add(f"{path}.{collection.identity[0]}", message)
        seen.add(identity)
        if collection.model is models.RelatedOccupation and row.get("related") == occupation_slug:
            errors.add(f"{path}.related", "An occupation cannot be related to itself.")
        instance = collection.model(**values)
        _validate_row(
            instance,
            path=path,
            refs=collection.refs,
            parent="occupation",
            unknown=unknown,
            errors=errors,
        )
        children = []
        if collection.nested:
            nested = collection.nested
            child_positions = set()
            for child_index, child_row in enumerate(nested_rows):
                child_path = f"{path}.{nested.key}[{child_index}]"
                child = nested.model(**{"order": child_index, **child_row})
                if child.order in child_positions:
                    errors.add(f"{child_path}.order", POSITION_TAKEN)
                child_positions.add(child.order)
                _validate_row(
                    child, path=child_path, refs=(), parent=nested.parent_field, errors=errors
                )
                children.append(child)
        built.append(Row(instance, children))
    _check_secondary_keys(collection, built, errors)
    return built


def document_validate(
    *, occupation: models.Occupation | None, data: dict, user: AbstractBaseUser | None = None
) -> ValidDocument:
    """Check a whole document (create when `occupation` is None) against every model rule.

    Raises one ValidationError keyed by document path; nothing is written. Scalar fields
    present in `data` are set on the (locked) profile; each collection present will replace
    the profile's rows, absent collections are left alone (PATCH)."""
    errors = DocumentErrors()
    values = dict(data)
    collections = {}
    for collection in COLLECTIONS:
        if collection.related_name in values:
            collections[collection.key] = values.pop(collection.related_name)
    found = _resolve_slugs(values, collections, errors)

    target = occupation or models.Occupation()
    previous_status = occupation.status if occupation is not None else None
    for name, value in values.items():
        if name in OCCUPATION_REFS:
            value = found.get((OCCUPATION_REFS[name], value)) if value else None
        setattr(target, name, value)
    if "status" in values or occupation is None:
        status_transition(target, status=target.status, previous_status=previous_status, user=user)
    try:
        target.full_clean(exclude=list(OCCUPATION_REFS), validate_constraints=False)
    except ValidationError as error:
        errors.add_django("", error)
    try:
        check_constraints(target)
    except ValidationError as error:
        errors.add_django("", error)
    rows = {
        collection.key: _build_rows(
            collection=collection,
            rows=collections[collection.key],
            occupation_slug=target.slug,
            found=found,
            errors=errors,
        )
        for collection in COLLECTIONS
        if collection.key in collections
    }
    if errors.messages:
        raise ValidationError(errors.messages)
    return ValidDocument(occupation=target, is_new=occupation is None, rows=rows)


# --- Apply ------------------------------------------------------------------------------------


def _existing_identities(occupation, collections):
    """What rows the profile has now, in one query: {key: {identity}}, {key: {(parent, order)}}."""
    queries = []
    for position, collection in enumerate(collections):
        (identity,) = collection.identity
        queries.append(
            collection.model.objects.filter(occupation=occupation)
            .annotate(
                row_first=db_models.F(
                    f"{identity}_id" if identity in collection.refs else identity
                ),
                row_second=Value(0, output_field=db_models.IntegerField()),
                row_kind=Value(position * 2, output_field=db_models.IntegerField()),
            )
            .order_by()
            .values_list("row_first", "row_second", "row_kind")
        )
        if collection.nested:
            nested = collection.nested
            queries.append(
                nested.model.objects.filter(**{f"{nested.parent_field}__occupation": occupation})
                .annotate(
                    row_first=db_models.F(f"{nested.parent_field}_id"),
                    row_second=db_models.F("order"),
                    row_kind=Value(position * 2 + 1, output_field=db_models.IntegerField()),
                )
                .order_by()
                .values_list("row_first", "row_second", "row_kind")
            )
    rows, children = defaultdict(set), defaultdict(set)
    if not queries:
        return rows, children
    union = queries[0].union(*queries[1:], all=True) if len(queries) > 1 else queries[0]
    for first, second, kind in union:
        collection = collections[kind // 2]
        if kind % 2:
            children[collection.key].add((first, second))
        else:
            rows[collection.key].add(first)
    return rows, children


def _identity_of(collection, instance):
    (identity,) = collection.identity
    field_ = collection.model._meta.get_field(identity)
    return getattr(instance, field_.attname)


def _upsert(model, instances, unique_fields):
    """Insert the rows, or update the row already at the same identity: one statement."""
    if not instances:
        return
    update_fields = [
        f.name
        for f in model._meta.concrete_fields
        if not f.primary_key and f.name not in unique_fields
    ]
    model.objects.bulk_create(
        instances, update_conflicts=True, unique_fields=unique_fields, update_fields=update_fields
    )


def _write_collection(occupation, collection, rows, existing, existing_children):
    for row in rows:
        row.instance.occupation = occupation
    instances = [row.instance for row in rows]
    if secondary_keys(collection):
        # Rows matched by position could swap a second unique key (two tasks trading
        # places) and collide mid-statement: replace the rows instead (two statements).
        if existing:
            collection.model.objects.filter(occupation=occupation).delete()
        collection.model.objects.bulk_create(instances)
        return
    _upsert(collection.model, instances, ["occupation", *collection.identity])
    (identity,) = collection.identity
    removed = existing - {_identity_of(collection, instance) for instance in instances}
    if removed:
        field_ = collection.model._meta.get_field(identity)
        collection.model.objects.filter(
            occupation=occupation, **{f"{field_.attname}__in": removed}
        ).delete()
    if collection.nested:
        nested = collection.nested
        children = []
        for row in rows:
            for child in row.children:
                setattr(child, nested.parent_field, row.instance)
                children.append(child)
        _upsert(nested.model, children, [nested.parent_field, "order"])
        kept_parents = {instance.pk for instance in instances}
        stale = defaultdict(set)
        current = {(getattr(child, f"{nested.parent_field}_id"), child.order) for child in children}
        for parent_id, order in existing_children - current:
            if parent_id in kept_parents:
                stale[parent_id].add(order)
        if stale:
            condition = Q()
            for parent_id, orders in stale.items():
                condition |= Q(**{f"{nested.parent_field}_id": parent_id, "order__in": orders})
            nested.model.objects.filter(condition).delete()


def _load_untouched(occupation, keys):
    """The rows of the collections a PATCH leaves alone (for the revision and the response)."""
    loaded = {}
    for collection in COLLECTIONS:
        if collection.key in keys:
            continue
        rows = collection.model.objects.filter(occupation=occupation).select_related(
            *collection.select_related
        )
        if collection.nested:
            rows = rows.prefetch_related(collection.nested.key)
        loaded[collection.key] = list(rows)
    return loaded


def _fill_caches(occupation, rows, untouched):
    """Hand every row to the profile as if prefetched, so search, revision and response
    need no further reads."""
    cache = occupation.__dict__.setdefault("_prefetched_objects_cache", {})
    for collection in COLLECTIONS:
        if collection.key in rows:
            instances = []
            for row in rows[collection.key]:
                if collection.nested:
                    row.instance.__dict__.setdefault("_prefetched_objects_cache", {})[
                        collection.nested.key
                    ] = sorted(row.children, key=lambda child: child.order)
                instances.append(row.instance)
            if "order" in collection.identity:
                instances.sort(key=lambda instance: instance.order)
        else:
            instances = untouched[collection.key]
        for instance in instances:
            instance.occupation = occupation
        cache[collection.related_name] = instances
    cache["incoming_links"] = (
        list(
            models.RelatedOccupation.objects.filter(related=occupation).select_related(
                "occupation", "source"
            )
        )
        if occupation.pk
        else []
    )


def _all_rows(occupation):
    cache = occupation._prefetched_objects_cache
    for collection in COLLECTIONS:
        for instance in cache[collection.related_name]:
            yield instance
            if collection.nested:
                yield from getattr(instance, collection.nested.key).all()


def _record_revision(*, occupation, user, comment):
    """One revision holding the profile and every row, built from memory (two queries)."""
    using = router.db_for_write(models.Occupation)
    objects = [occupation, *_all_rows(occupation)]
    by_model = defaultdict(list)
    for obj in objects:
        by_model[type(obj)].append(obj)
    content_types = ContentType.objects.get_for_models(*by_model)
    versions = []
    for model, instances in by_model.items():
        fields = [f.name for f in model._meta.local_fields + model._meta.local_many_to_many]
        for obj, data in zip(
            instances, serializers.serialize("python", instances, fields=fields), strict=True
        ):
            versions.append(
                Version(
                    content_type=content_types[model],
                    object_id=str(obj.pk),
                    db=using,
                    format="json",
                    serialized_data=json.dumps([data], cls=DjangoJSONEncoder),
                    object_repr=str(obj),
                )
            )
    revision = Revision.objects.using(using).create(
        date_created=timezone.now(),
        user=user if user is not None and user.is_authenticated else None,
        comment=comment,
    )
    for version in versions:
        version.revision = revision
    Version.objects.using(using).bulk_create(versions)


def document_apply(*, document: ValidDocument, user, comment: str) -> models.Occupation:
    """Write a validated document: the profile, then each given collection set-based; one
    revision by `user`. Returns the profile with every row loaded (as `for_detail()`)."""
    occupation = document.occupation
    # Inside the caller's transaction when there is one (no savepoint: any error undoes it).
    with transaction.atomic(savepoint=False):
        neighbours = set() if document.is_new else pages_showing({occupation.pk})
        occupation.save()
        given = [collection for collection in COLLECTIONS if collection.key in document.rows]
        existing, existing_children = (
            (defaultdict(set), defaultdict(set))
            if document.is_new
            else _existing_identities(occupation, given)
        )
        for collection in given:
            _write_collection(
                occupation,
                collection,
                document.rows[collection.key],
                existing[collection.key],
                existing_children[collection.key],
            )
        untouched = (
            {c.key: [] for c in COLLECTIONS if c.key not in document.rows}
            if document.is_new
            else _load_untouched(occupation, document.rows.keys())
        )
        _fill_caches(occupation, document.rows, untouched)
        occupation.updated_at = content_changed(
            occupations=[occupation.pk], neighbours=neighbours, loaded=[occupation]
        )
        _record_revision(occupation=occupation, user=user, comment=comment)
    return occupation
