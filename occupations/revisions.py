"""What django-reversion records: a profile's revision holds all of its rows (from the
registry), so a revert restores the children too.

`record_revision` records one profile through django-reversion. `record_revisions` records
many profiles at once (an import's batch) with the same content, in a fixed number of
queries: the profiles and their rows are read a collection at a time (`load_profiles`), and
the revisions and their versions are inserted in bulk. `version_data` is the one place that
turns a record into what django-reversion stores for it.
"""

import json
import time
from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager

import reversion
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, router
from django.utils import timezone
from django.utils.encoding import force_str, is_protected_type
from reversion.models import Revision, Version

from . import models, prefetching
from .registry import COLLECTIONS, NESTED_MODELS, OCCUPATION_REFS, ROW_MODELS, VOCABULARY_KINDS

OCCUPATION_CHILDREN = [collection.related_name for collection in COLLECTIONS]

reversion.register(models.Occupation, follow=OCCUPATION_CHILDREN)
for _collection in COLLECTIONS:
    reversion.register(
        _collection.model, follow=[_collection.nested.key] if _collection.nested else []
    )
for _nested in NESTED_MODELS:
    reversion.register(_nested)
for _kind in VOCABULARY_KINDS:
    reversion.register(_kind.model)


def record_revision(*, occupation: models.Occupation, user: AbstractBaseUser | None, comment):
    """Add the profile (and, following the registry, all of its rows) to a revision by
    `user`; joins the revision already open (e.g. the admin's), else opens its own."""
    with reversion.create_revision():
        reversion.add_to_revision(occupation)
        if user is not None and user.is_authenticated:
            reversion.set_user(user)
        reversion.set_comment(comment)


@contextmanager
def rows_followed_from_memory(occupation: models.Occupation):
    """While `occupation` is saved: django-reversion adds it to the open revision with every
    row it follows (see above), one query per collection, and names each row (`str(row)`
    reads the shared record it links to: a query per row). Hand it the rows with those
    records, read in one query (`prefetching`); they are forgotten afterwards, as the rest
    of the save changes them."""
    if not reversion.is_active() or reversion.is_manage_manually():
        yield  # no revision follows the rows (e.g. a draft save)
        return
    cache = occupation.__dict__.setdefault("_prefetched_objects_cache", {})
    before = dict(cache)
    prefetching.load_collections([occupation])
    try:
        yield
    finally:
        cache.clear()
        cache.update(before)


# --- Many profiles at once --------------------------------------------------------------------


def _serialized_fields(model):
    """The fields django-reversion stores for `model`, as Django's serializer walks them:
    every local field it serializes (registered without `fields`/`exclude`, see above)."""
    opts = model._meta.concrete_model._meta
    return [field for field in opts.local_fields if field.serialize]


_FIELDS = {}
VERSION_BATCH = 5000  # versions per INSERT off PostgreSQL (fewer where parameters are capped)
FOREIGN = {"revision", "content_type"}


def version_data(obj) -> str:
    """What django-reversion stores as a version's `serialized_data` for `obj`: exactly the
    string `django.core.serializers.serialize("json", [obj], fields=...)` returns (same keys
    in the same order, same values, same encoder), without the serializer's per-call set-up.
    `tests/test_revisions.py` compares the two for every registered model."""
    model = type(obj)
    fields = _FIELDS.get(model)
    if fields is None:
        if model._meta.concrete_model._meta.local_many_to_many:
            raise NotImplementedError(f"{model.__name__} has many-to-many fields")
        fields = _FIELDS[model] = _serialized_fields(model)
    values = {}
    for field in fields:
        value = getattr(obj, field.attname)
        # As the serializer: primitives (None, numbers, dates, Decimals) as they are,
        # anything else (a UUID, ...) as the field writes it out.
        values[field.name] = value if is_protected_type(value) else field.value_to_string(obj)
    pk = obj.pk
    dump = {
        "model": str(obj._meta),
        "pk": pk if is_protected_type(pk) else obj._meta.pk.value_to_string(obj),
        "fields": values,
    }
    return "[" + json.dumps(dump, cls=DjangoJSONEncoder, ensure_ascii=False) + "]"


def load_profiles(occupation_ids: Iterable[int]) -> list[models.Occupation]:
    """The profiles with every registered collection (and nested rows) in their prefetch
    caches, as `Occupation.objects.for_detail()` would give them, but read a collection at a
    time with each shared record (skill, source, linked profile, ...) read once and shared
    by the rows that name it: what a revision, the search text and `__str__` read, without
    one joined copy of the source per row. No `incoming_links`."""
    occupation_ids = sorted(set(occupation_ids))
    occupations = list(
        models.Occupation.objects.filter(pk__in=occupation_ids)
        .select_related(*OCCUPATION_REFS)
        .order_by("pk")
    )
    by_pk = {occupation.pk: occupation for occupation in occupations}
    rows_of = {}  # collection key -> [row]
    for collection in COLLECTIONS:
        rows_of[collection.key] = list(
            collection.model.objects.filter(occupation__in=occupation_ids)
        )
    _attach_refs(rows_of)
    for collection in COLLECTIONS:
        rows = rows_of[collection.key]
        if collection.nested:
            nested = collection.nested
            children = defaultdict(list)
            for child in nested.model.objects.filter(
                **{f"{nested.parent_field}__occupation__in": occupation_ids}
            ):
                children[getattr(child, f"{nested.parent_field}_id")].append(child)
            for row in rows:
                mine = children.get(row.pk, [])
                for child in mine:
                    child._state.fields_cache[nested.parent_field] = row
                row._prefetched_objects_cache = {nested.key: mine}
        grouped = defaultdict(list)
        for row in rows:
            occupation = by_pk[row.occupation_id]
            row._state.fields_cache["occupation"] = occupation
            grouped[row.occupation_id].append(row)
        for occupation in occupations:
            cache = occupation.__dict__.setdefault("_prefetched_objects_cache", {})
            cache[collection.related_name] = grouped.get(occupation.pk, [])
    return occupations


def _attach_refs(rows_of):
    """Each row's shared records, read in one query per kind of record."""
    wanted = defaultdict(set)  # model -> pks
    for collection in COLLECTIONS:
        for name, model in collection.refs.items():
            attname = collection.model._meta.get_field(name).attname
            wanted[model] |= {getattr(row, attname) for row in rows_of[collection.key]}
    records = {}
    for model, pks in wanted.items():
        pks.discard(None)
        queryset = model._base_manager.all()
        if model is models.Occupation:
            # A linked profile is shown (and printed) by its title and address only.
            queryset = queryset.only("title", "slug", "status")
        records[model] = queryset.in_bulk(pks) if pks else {}
    for collection in COLLECTIONS:
        for name, model in collection.refs.items():
            attname = collection.model._meta.get_field(name).attname
            found = records[model]
            for row in rows_of[collection.key]:
                pk = getattr(row, attname)
                row._state.fields_cache[name] = found.get(pk) if pk is not None else None


def _versions_of(occupation):
    """The profile's versions in the order django-reversion adds them: the profile, then
    each collection (registry order) row by row, each row followed by its nested rows."""
    yield occupation
    cache = occupation._prefetched_objects_cache
    for collection in COLLECTIONS:
        for row in cache[collection.related_name]:
            yield row
            if collection.nested:
                yield from row._prefetched_objects_cache[collection.nested.key]


def record_revisions(
    occupations: Iterable[models.Occupation], *, user: AbstractBaseUser | None, comment: str
) -> list[Revision]:
    """One revision per profile by `user` saying `comment`, each holding the profile and all
    of its rows, as `record_revision` records it (the same versions, `version_data`), for
    profiles loaded by `load_profiles`: the revisions in one insert, their versions in one
    COPY on PostgreSQL (in inserts of `VERSION_BATCH` rows elsewhere).

    The profile's own fields are read again first (one query), so that the revision holds
    what the content door (`content_changed`) stored: `updated_at`, edit token, search text.
    """
    occupations = list(occupations)
    if not occupations:
        return []
    using = router.db_for_write(models.Occupation)
    stored = models.Occupation.objects.using(using).in_bulk([o.pk for o in occupations])
    user = user if user is not None and user.is_authenticated else None
    now = timezone.now()
    revisions = [Revision(date_created=now, user=user, comment=comment) for _ in occupations]
    if connections[using].features.can_return_rows_from_bulk_insert:
        Revision.objects.using(using).bulk_create(revisions)
    else:
        for revision in revisions:
            revision.save(using=using)
    # Every kind of record a profile's revision can hold, in one query (then cached).
    content_types = ContentType.objects.db_manager(using).get_for_models(
        models.Occupation, *ROW_MODELS
    )
    databases = {model: router.db_for_write(model) for model in content_types}
    rows = []  # VERSION_COLUMNS
    for occupation, revision in zip(occupations, revisions, strict=True):
        for obj in _versions_of(occupation):
            model = type(obj)
            if model is models.Occupation:
                obj = stored[obj.pk]
            rows.append(
                (
                    revision.pk,
                    force_str(obj.pk),
                    content_types[model].pk,
                    databases[model],
                    "json",
                    version_data(obj),
                    force_str(obj),
                )
            )
    _insert_versions(using, rows)
    return revisions


VERSION_COLUMNS = (
    "revision",
    "object_id",
    "content_type",
    "db",
    "format",
    "serialized_data",
    "object_repr",
)


def _insert_versions(using, rows):
    """Insert versions given as tuples of `VERSION_COLUMNS` (foreign keys as ids)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        Version.objects.using(using).bulk_create(
            [
                Version(
                    **{
                        f"{name}_id" if name in FOREIGN else name: value
                        for name, value in zip(VERSION_COLUMNS, row, strict=True)
                    }
                )
                for row in rows
            ],
            batch_size=VERSION_BATCH,
        )
        return
    # PostgreSQL: one COPY. A bulk INSERT binds each column as an array literal, which the
    # driver builds by escaping every quote of every serialized row in Python: that was
    # most of an import's CPU time (scripts/benchmark_imports.py --profile).
    quote = connection.ops.quote_name
    columns = ", ".join(quote(Version._meta.get_field(name).column) for name in VERSION_COLUMNS)
    sql = f"COPY {quote(Version._meta.db_table)} ({columns}) FROM STDIN"
    started = time.monotonic()
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
    if connection.queries_logged:  # counted like any statement (assertNumQueries, debug)
        connection.queries_log.append(
            {"sql": f"{sql} -- {len(rows)} rows", "time": f"{time.monotonic() - started:.3f}"}
        )
