"""The models' CheckConstraints, evaluated in Python for rows not yet saved.

Django's `Model.validate_constraints()` asks the database once per constraint and row
(`SELECT 1 AS "_check" WHERE ...`): for a 100-row document that is hundreds of queries.
The conditions used in this project are simple comparisons, so they are evaluated here from
the constraint definitions themselves (the rule stays written once, in the model's Meta);
the database constraints still have the last word when the rows are written. SQL's
three-valued logic is kept: a condition that is unknown (NULL) does not violate.
"""

import operator
import re

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import CheckConstraint, F, Q

COMPARISONS = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


class Unsupported(Exception):
    """A condition this evaluator does not know; the caller asks the database instead."""


def _value(instance, name):
    field = instance._meta.get_field(name)
    return getattr(instance, field.attname)


def _lookup(instance, lookup, expected):
    name, _, kind = lookup.partition("__")
    kind = kind or "exact"
    if "__" in kind:
        raise Unsupported(lookup)
    actual = _value(instance, name)
    if kind == "isnull":
        return (actual is None) == expected
    if isinstance(expected, F):
        expected = _value(instance, expected.name)
    if actual is None or expected is None:
        return None
    if kind == "regex":
        return re.search(expected, actual) is not None
    if kind not in COMPARISONS:
        raise Unsupported(lookup)
    return COMPARISONS[kind](actual, expected)


def _holds(instance, condition):
    """True, False, or None (unknown), as SQL would answer for this row."""
    if not isinstance(condition, Q):
        return _lookup(instance, *condition)
    results = [_holds(instance, child) for child in condition.children]
    if condition.connector == Q.AND:
        result = False if False in results else (None if None in results else True)
    else:
        result = True if True in results else (None if None in results else False)
    if condition.negated:
        result = None if result is None else not result
    return result


def check_constraints(instance, *, exclude=()) -> None:
    """Raise a ValidationError for each CheckConstraint the unsaved row violates.

    Constraints naming an excluded field are skipped, as in `Model.validate_constraints`."""
    errors = []
    for constraint in instance._meta.constraints:
        if not isinstance(constraint, CheckConstraint):
            continue
        if exclude and _fields_of(constraint.condition) & set(exclude):
            continue
        try:
            holds = _holds(instance, constraint.condition)
        except Unsupported:
            try:
                constraint.validate(type(instance), instance, exclude=exclude)
            except ValidationError as error:
                errors.append(error)
            continue
        if holds is False:
            errors.append(
                ValidationError(constraint.get_violation_error_message(), code="constraint")
            )
    if errors:
        raise ValidationError({NON_FIELD_ERRORS: errors})


def _fields_of(condition):
    names = set()
    for child in condition.children:
        if isinstance(child, Q):
            names |= _fields_of(child)
        else:
            lookup, value = child
            names.add(lookup.partition("__")[0])
            if isinstance(value, F):
                names.add(value.name)
    return names
