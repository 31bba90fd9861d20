"""Writes that touch more than one row or model. Keyword-only, typed, atomic."""

import reversion
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from . import enums, models, search
from .revisions import OCCUPATION_CHILDREN

# --- Publication and duplication (used by the admin actions) -------------------------------


def _record_revision(*, occupation: models.Occupation, user: AbstractBaseUser | None, comment):
    reversion.add_to_revision(occupation)
    if user is not None and user.is_authenticated:
        reversion.set_user(user)
    reversion.set_comment(comment)


def occupation_publish(
    *, occupation: models.Occupation, user: AbstractBaseUser | None
) -> models.Occupation:
    """Publish a profile (stamping published_at when it was a draft), as one revision."""
    with transaction.atomic(), reversion.create_revision():
        if occupation.status != enums.PublicationStatus.PUBLISHED or not occupation.published_at:
            occupation.published_at = timezone.now()
        occupation.status = enums.PublicationStatus.PUBLISHED
        occupation.save(update_fields=["status", "published_at", "updated_at"])
        _record_revision(occupation=occupation, user=user, comment="Published.")
    return occupation


def occupation_unpublish(
    *, occupation: models.Occupation, user: AbstractBaseUser | None
) -> models.Occupation:
    """Take a profile back to draft (hidden from visitors), as one revision."""
    with transaction.atomic(), reversion.create_revision():
        occupation.status = enums.PublicationStatus.DRAFT
        occupation.published_at = None
        occupation.save(update_fields=["status", "published_at", "updated_at"])
        _record_revision(occupation=occupation, user=user, comment="Unpublished (back to draft).")
    return occupation


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
    with transaction.atomic(), reversion.create_revision():
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

        # Recorded after the rows exist, so the first revision of the copy holds them all.
        _record_revision(occupation=copy, user=user, comment=f"Duplicated from “{original.title}”.")
        search.update_search_vectors([copy.pk])
    return copy
