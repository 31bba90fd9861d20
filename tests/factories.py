"""Rows for every registered collection, built from the registry and the model fields.

A new collection needs no new factory: each editable field gets a valid sample value from
its type (the first choice, a short text, a small number), and each slug reference a shared
record created on demand.
"""

from decimal import Decimal

from django.db import models as db_models

from occupations import models
from occupations.registry import COLLECTIONS


def shared_record(model, suffix="1"):
    """A shared record (or another profile) that rows can point at."""
    if model is models.Occupation:
        occupation, _ = models.Occupation.objects.get_or_create(
            slug=f"linked-profile-{suffix}",
            defaults={"title": f"Linked profile {suffix}", "code": "51-8012", "summary": "S."},
        )
        return occupation
    record, _ = model.objects.get_or_create(
        slug=f"{model._meta.model_name}-{suffix}", defaults={"name": f"{model.__name__} {suffix}"}
    )
    return record


def _unique_per_profile(field):
    """Whether the model allows one row per profile for each value of the field."""
    return any(
        isinstance(constraint, db_models.UniqueConstraint) and field.name in constraint.fields
        for constraint in field.model._meta.constraints
    )


def sample_value(field, position):
    """A value the field and the model's rules accept (position keeps rows distinct)."""
    if field.choices:
        return field.choices[0][0]
    if isinstance(field, db_models.BooleanField):
        return position % 2 == 0
    if isinstance(field, db_models.JSONField):
        return {}
    if isinstance(field, db_models.DecimalField):
        highest = [v.limit_value for v in field.validators if hasattr(v, "limit_value")]
        return Decimal("5.5") if max(highest or [10]) >= 10 else Decimal("0.5")
    if isinstance(field, db_models.IntegerField):
        validators = [v.limit_value for v in field.validators if hasattr(v, "limit_value")]
        low = max([v for v in validators if isinstance(v, int) and v <= 2000] or [0])
        if field.name == "order" or _unique_per_profile(field):
            return position
        return max(low, 1)
    if isinstance(field, db_models.CharField | db_models.TextField):
        if models.occupation_code_validator in field.validators:
            return "51-8012"
        if field.max_length and field.max_length <= 3:
            return "USD"
        return f"Sample {field.verbose_name} {position}"[: field.max_length or 200]
    raise TypeError(f"No sample value for {field!r}: add one to tests/factories.py")


def row_values(collection, position):
    """Field values of one row of `collection` (slug references as records)."""
    values = {}
    for name in collection.fields:
        if name in collection.refs:
            values[name] = shared_record(collection.refs[name], suffix=str(position))
        else:
            values[name] = sample_value(collection.model._meta.get_field(name), position)
    return values


def fill_collection(occupation, collection, rows):
    """`rows` rows of one collection (and, for tables and lists, `rows` nested rows each)."""
    created = []
    for position in range(1, rows + 1):
        row = collection.model.objects.create(
            occupation=occupation, **row_values(collection, position)
        )
        if collection.nested:
            nested = collection.nested
            nested.model.objects.bulk_create(
                nested.model(
                    **{nested.parent_field: row},
                    **{
                        name: sample_value(nested.model._meta.get_field(name), n)
                        for name in nested.fields
                    },
                )
                for n in range(1, rows + 1)
            )
        created.append(row)
    return created


def fill_profile(occupation, rows):
    """`rows` rows in every registered collection."""
    for collection in COLLECTIONS:
        fill_collection(occupation, collection, rows)
    return occupation
