"""Every collection of a profile in one query, handed to the profile as if prefetched.

`prefetch_related` runs one query per collection: 23 collections, the key facts and list
items inside them and the links pointing at the profile made a profile page of ~29 queries.
Here each of those reads is one branch of a single `UNION ALL`: every branch selects its
rows (and the records they name, as `select_related` would) into typed slots shared by all
branches, with typed NULLs in the slots it does not use — PostgreSQL resolves a UNION's
column types pair by pair, so an untyped NULL would become text and then clash. Rows are
built with `Model.from_db` and stored where `prefetch_related` stores them, so
`occupation.duties.all()` and `table.facts.all()` read them without a query, as before.

The branches are derived from the registry (`COLLECTIONS`), like every other walk over the
collections.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db import connections, models, router
from django.db.models import F, Value
from django.db.models.functions import Cast

# Profiles per query: each branch filters on them, so a long list would multiply the
# parameters by the number of branches (SQLite and PostgreSQL cap the parameters per query).
CHUNK = 64


@dataclass(frozen=True)
class Branch:
    """One read: rows of `model` belonging to a parent, stored under the parent's `cache`."""

    cache: str  # the related manager's name on the parent (its prefetch cache key)
    model: type
    parent_field: str  # the FK from the row to its parent
    occupation_lookup: str  # from the row to the occupation, for the filter
    refs: tuple  # FKs loaded along with the row (select_related)
    nested_in: str | None = None  # for nested rows: the cache of their parents' branch


def branches():
    """The branches for a whole profile, in registry order, then the incoming links."""
    from .models import RelatedOccupation
    from .registry import COLLECTIONS

    found = []
    for collection in COLLECTIONS:
        found.append(
            Branch(
                cache=collection.related_name,
                model=collection.model,
                parent_field="occupation",
                occupation_lookup="occupation_id",
                refs=collection.select_related,
            )
        )
        if collection.nested:
            nested = collection.nested
            found.append(
                Branch(
                    cache=nested.key,
                    model=nested.model,
                    parent_field=nested.parent_field,
                    occupation_lookup=f"{nested.parent_field}__occupation_id",
                    refs=(),
                    nested_in=collection.related_name,
                )
            )
    found.append(
        Branch(
            cache="incoming_links",
            model=RelatedOccupation,
            parent_field="related",
            occupation_lookup="related_id",
            refs=("occupation", "source"),
        )
    )
    return tuple(found)


INTEGERS = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
}
TEXTS = {"CharField", "TextField", "SlugField", "URLField", "EmailField"}


def _slot_key(field, connection):
    """Fields whose values may share a column of the union, and the field typing its NULLs.

    Integers share bigint columns and texts share text columns (PostgreSQL widens a UNION's
    smallint/integer to bigint and varchar to text; the values read back are the same);
    any other type shares only with the very same database type.
    """
    kind = (
        field.target_field.get_internal_type() if field.is_relation else field.get_internal_type()
    )
    if kind in INTEGERS:
        return ("integer",), models.BigIntegerField()
    if kind in TEXTS:
        return ("text",), models.TextField()
    return (field.db_type(connection),), field


@dataclass
class _Layout:
    """Where each branch's columns go in the union's shared slots, and how to read them."""

    slots: list  # a representative field per slot (its type types the NULLs)
    columns: dict  # branch -> [(path, slot)] for the row's and each ref's concrete fields
    converters: dict  # branch -> [(slot, column, converters)] for the columns that need any


def _converters(field, connection):
    """What Django applies to a plain column of `field` read from the database.

    Applied per branch, not by the union (which would use its first branch's expressions
    for every row, and SQLite rounds decimals only for plain columns).
    """
    column = field.get_col(field.model._meta.db_table)
    found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
    return column, found


def _layout(all_branches, connection):
    slots, columns, converters = [], {}, {}
    by_key = defaultdict(list)  # slot key -> slot indexes of that type, in creation order
    for branch in all_branches:
        used = defaultdict(int)
        placed = []
        paths = [(field.attname, field) for field in branch.model._meta.concrete_fields]
        for ref in branch.refs:
            target = branch.model._meta.get_field(ref).related_model
            paths += [(f"{ref}__{field.attname}", field) for field in target._meta.concrete_fields]
        reading = []
        for path, field in paths:
            key, typing = _slot_key(field, connection)
            nth = used[key]
            used[key] += 1
            if nth == len(by_key[key]):
                by_key[key].append(len(slots))
                slots.append(typing)
            slot = by_key[key][nth]
            placed.append((path, slot))
            column, found = _converters(field, connection)
            if found:
                reading.append((slot, column, found))
        columns[branch] = placed
        converters[branch] = reading
    return _Layout(slots=slots, columns=columns, converters=converters)


def _union(all_branches, layout, occupation_ids, using):
    members = []
    for number, branch in enumerate(all_branches):
        taken = dict((slot, path) for path, slot in layout.columns[branch])
        selected = {"branch": Value(number, output_field=models.IntegerField())}
        for slot, field in enumerate(layout.slots):
            path = taken.get(slot)
            selected[f"s{slot}"] = F(path) if path else Cast(Value(None), output_field=field)
        members.append(
            branch.model._default_manager.using(using)
            .filter(**{f"{branch.occupation_lookup}__in": occupation_ids})
            .order_by()
            .annotate(**selected)
            .values_list(*selected)
        )
    return members[0].union(*members[1:], all=True)


def _sort_key(ordering):
    """A Python sort key equal to the model's `Meta.ordering` (ascending fields only), ties
    in primary-key order (the database would leave them in any order)."""

    def value(row, path):
        for part in path.split("__"):
            row = getattr(row, part)
        return (row is None, row)

    return lambda row: (*(value(row, path) for path in ordering), row.pk)


def _build(branch, layout, row, connection):
    """The branch's model instance (with its refs cached) from one raw union row."""
    using = connection.alias
    row = list(row)
    for slot, column, converters in layout.converters[branch]:
        value = row[slot + 1]
        for converter in converters:
            value = converter(value, column, connection)
        row[slot + 1] = value
    values = {path: row[slot + 1] for path, slot in layout.columns[branch]}
    model = branch.model
    names = [field.attname for field in model._meta.concrete_fields]
    instance = model.from_db(using, names, [values[name] for name in names])
    for ref in branch.refs:
        field = model._meta.get_field(ref)
        target = field.related_model
        ref_names = [f.attname for f in target._meta.concrete_fields]
        ref_values = [values[f"{ref}__{name}"] for name in ref_names]
        pk_value = values[f"{ref}__{target._meta.pk.attname}"]
        field.set_cached_value(
            instance, None if pk_value is None else target.from_db(using, ref_names, ref_values)
        )
    return instance


def _store(parent, cache, rows):
    """Rows as `prefetch_related` leaves them: a done QuerySet in the parent's cache."""
    queryset = getattr(parent, cache).get_queryset()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    parent.__dict__.setdefault("_prefetched_objects_cache", {})[cache] = queryset


def load_collections(occupations):
    """Load every collection (and nested rows, and incoming links) of these profiles."""
    occupations = [occupation for occupation in occupations if occupation.pk is not None]
    if not occupations:
        return
    connection = connections[router.db_for_read(type(occupations[0]))]
    for start in range(0, len(occupations), CHUNK):
        _load_chunk(occupations[start : start + CHUNK], connection)


# Compiling ~1,500 expressions costs more than running the query: the SQL is built once per
# database and size of id list (padded to a power of two), then only the ids change.
_compiled = {}


def _statement(connection, size):
    key = (connection.alias, connection.vendor, size)
    if key not in _compiled:
        all_branches = branches()
        layout = _layout(all_branches, connection)
        # Sentinel ids tell which parameters are the ids: every other one is a constant.
        sentinels = [-(10**9) - number for number in range(size)]
        union = _union(all_branches, layout, sentinels, connection.alias)
        sql, params = union.query.get_compiler(connection=connection).as_sql()
        where = {sentinel: number for number, sentinel in enumerate(sentinels)}
        template = [(where.get(param), param) for param in params]
        _compiled[key] = (all_branches, layout, sql, template)
    return _compiled[key]


def _load_chunk(occupations, connection):
    by_pk = {occupation.pk: occupation for occupation in occupations}
    ids = list(by_pk)
    size = 1 << (len(ids) - 1).bit_length()
    ids += ids[:1] * (size - len(ids))  # a repeated id in IN (...) changes nothing
    all_branches, layout, sql, template = _statement(connection, size)
    params = [param if number is None else ids[number] for number, param in template]
    # Raw rows: the converters are each branch's own (see `_converters`).
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found = defaultdict(list)  # (branch, parent pk) -> rows
    for row in rows:
        branch = all_branches[row[0]]
        instance = _build(branch, layout, row, connection)
        found[branch, getattr(instance, f"{branch.parent_field}_id")].append(instance)
    parents = {None: by_pk}  # nested_in -> {pk: parent instance}
    for branch in all_branches:  # parents come before their nested rows
        ordering = branch.model._meta.ordering
        field = branch.model._meta.get_field(branch.parent_field)
        children = {}
        for parent_pk, parent in parents[branch.nested_in].items():
            rows = sorted(found.get((branch, parent_pk), []), key=_sort_key(ordering))
            for instance in rows:
                field.set_cached_value(instance, parent)
                children[instance.pk] = instance
            _store(parent, branch.cache, rows)
        parents[branch.cache] = children
