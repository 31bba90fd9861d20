"""The one door for change: every write path calls `content_changed` inside its transaction.

It keeps what is derived from the content in step with it: the changed profiles' search
vectors and `updated_at`, the `updated_at` of every other profile whose page shows them
(related links both ways, or the shared term that was edited), and the content version that
caches key on. Work on other profiles' rows runs after the commit, in a short transaction
that locks them in primary-key order, so two writers never wait on each other in a circle.
"""

import logging
import uuid
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from . import models, search
from .publishing import next_scheduled_moment
from .registry import (
    COLLECTIONS,
    COLLECTIONS_BY_MODEL,
    NESTED_BY_MODEL,
    OCCUPATION_REFS,
    VOCABULARY_BY_MODEL,
)

logger = logging.getLogger(__name__)


def content_changed(
    *,
    occupations: Iterable[int] = (),
    neighbours: Iterable[int] = (),
    vocabulary: models.models.Model | None = None,
    loaded: Iterable[models.Occupation] = (),
):
    """Record that the given profiles (or a shared term) changed.

    `occupations`: profiles whose own fields or rows changed (their rows are locked by the
    caller's write). `neighbours`: other profiles the change touched that the database can
    no longer tell, e.g. the old target of a removed related link. `vocabulary`: a shared
    term that was edited; every profile linked to it shows it. `loaded`: changed profiles
    whose rows the caller holds in memory (prefetch caches filled), so their search text is
    built without reading them again; one whose slug changed since it was read keeps the old
    slug as a `FormerSlug`. Returns the `updated_at` given to the changed profiles.
    """
    own = {int(pk) for pk in occupations}
    others = {int(pk) for pk in neighbours}
    refresh_others = False
    now = timezone.now()
    if own:
        # A new edit token for each changed profile: the admin's edit guard compares it.
        token = {"edit_token": uuid.uuid4()}
        loaded = [occupation for occupation in loaded if occupation.pk in own]
        for occupation in loaded:
            _keep_former_slug(occupation)
            vector = search.search_vector_of(occupation)
            derived = {"search_vector": vector} if vector is not None else {}
            models.Occupation.objects.filter(pk=occupation.pk).update(
                updated_at=now, **token, **derived
            )
        search.write_fts_rows(loaded)
        search.remember_lexemes([occupation.pk for occupation in loaded])
        unloaded = own - {occupation.pk for occupation in loaded}
        if unloaded:
            models.Occupation.objects.filter(pk__in=unloaded).update(updated_at=now, **token)
            search.update_search_vectors(unloaded)
        others |= pages_showing(own)
    if vocabulary is not None:
        others |= profiles_linked_to(vocabulary)
        refresh_others = True
    others -= own
    transaction.on_commit(lambda: _after_commit(others, refresh_others), robust=True)
    return now


def _keep_former_slug(occupation):
    stored = getattr(occupation, "stored_slug", None)  # as read from the database
    if stored and stored != occupation.slug:
        remember_former_slug(occupation.pk, stored)
        occupation.stored_slug = occupation.slug


def remember_former_slug(occupation_id: int, slug: str) -> None:
    """Keep `slug` answering for the profile after a rename: a 301 to its new address."""
    models.FormerSlug.objects.bulk_create(
        [models.FormerSlug(occupation_id=occupation_id, slug=slug)],
        update_conflicts=True,
        unique_fields=["slug"],
        update_fields=["occupation"],
    )


def pages_showing(occupation_ids: set[int]) -> set[int]:
    """Other profiles whose page shows one of these: they link to it, or it links to them."""
    links = models.RelatedOccupation.objects.filter(
        Q(related__in=occupation_ids) | Q(occupation__in=occupation_ids)
    ).values_list("occupation_id", "related_id")
    return {pk for pair in links for pk in pair if pk is not None}


def profiles_linked_to(term) -> set[int]:
    """Profiles that show a shared term (or cite a source) on their page."""
    model = type(term)
    ids = set()
    for name, ref_model in OCCUPATION_REFS.items():
        if ref_model is model:
            ids |= set(
                models.Occupation.objects.filter(**{name: term}).values_list("pk", flat=True)
            )
    for collection in COLLECTIONS:
        for name, ref_model in collection.refs.items():
            if ref_model is model:
                ids |= set(
                    collection.model.objects.filter(**{name: term}).values_list(
                        "occupation_id", flat=True
                    )
                )
    return ids


def _after_commit(others: set[int], refresh_search: bool) -> None:
    if others:
        with transaction.atomic():
            # Locked in a stable order, so concurrent writers cannot deadlock on each other.
            locked = list(
                models.Occupation.objects.select_for_update(no_key=True)
                .filter(pk__in=others)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            models.Occupation.objects.filter(pk__in=locked).update(updated_at=timezone.now())
            if refresh_search:
                search.update_search_vectors(locked)
    bump_content_version()


def bump_content_version() -> int:
    """Move the version that caches key on; any write makes every cached page stale."""
    updated = models.ContentVersion.objects.filter(pk=1).update(
        value=F("value") + 1, changed_at=timezone.now(), next_moment=next_scheduled_moment()
    )
    if not updated:
        models.ContentVersion.objects.get_or_create(
            pk=1, defaults={"value": 1, "next_moment": next_scheduled_moment()}
        )
    return content_version()


def content_version() -> int:
    """The current content version (0 before the first write); the key caches use."""
    return content_state()[0]


def content_state():
    """(content version, when it last moved) in one query; (0, None) before the first write.

    What the page cache keys on (careergraph/caching.py), with its Last-Modified date. It
    also moves when a scheduled publish or unpublish moment passes, with no write and no
    worker: the row keeps the next moment, and the first reader after it moves the number
    (once, however many read at that moment) and looks up the moment after.
    """
    row = (
        models.ContentVersion.objects.filter(pk=1)
        .values_list("value", "changed_at", "next_moment")
        .first()
    )
    if row is None:
        return (0, None)
    value, changed_at, next_moment = row
    if next_moment is None or next_moment > timezone.now():
        return (value, changed_at)
    models.ContentVersion.objects.filter(pk=1, next_moment=next_moment).update(
        value=F("value") + 1, changed_at=timezone.now(), next_moment=next_scheduled_moment()
    )
    return tuple(
        models.ContentVersion.objects.filter(pk=1).values_list("value", "changed_at").get()
    )


def row_changed(row) -> None:
    """`content_changed` for one saved, deleted or restored record of any registered kind."""
    model = type(row)
    if model is models.Occupation:
        content_changed(occupations=[row.pk])
    elif model in COLLECTIONS_BY_MODEL:
        content_changed(occupations=[row.occupation_id])
    elif model in NESTED_BY_MODEL:
        parent = getattr(row, NESTED_BY_MODEL[model].parent_field)
        content_changed(occupations=[parent.occupation_id])
    elif model in VOCABULARY_BY_MODEL:
        content_changed(vocabulary=row)
    else:
        content_changed()
