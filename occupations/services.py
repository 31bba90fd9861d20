"""Writes that touch more than one row or model. Keyword-only, typed, atomic."""

import reversion
from django.contrib.auth.models import AbstractBaseUser
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


# --- Deletion (used by the API) ------------------------------------------------------------


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
