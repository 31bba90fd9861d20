"""Writes that touch more than one row or model. Keyword-only, typed, atomic."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import reversion
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models as django_models
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from reversion.models import Version

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


# --- Whole-profile documents (used by the API) ---------------------------------------------


@dataclass(frozen=True)
class DocumentCollection:
    """One collection of the API document: its key, the Occupation accessor, the model."""

    key: str
    related_name: str
    model: type[django_models.Model]
    # Fields that name a shared record (or another profile) by slug, and that record's model.
    refs: dict = field(default_factory=dict)
    # A nested collection: (key in the row, its model, the FK to the row).
    nested: tuple | None = None


def _collection(key, model, related_name=None, refs=None, nested=None):
    return DocumentCollection(
        key=key,
        related_name=related_name or key,
        model=model,
        refs={"source": models.Source, **(refs or {})},
        nested=nested,
    )


DOCUMENT_COLLECTIONS = [
    _collection("alternate_titles", models.AlternateTitle),
    _collection("duties", models.Duty),
    _collection("salary_bands", models.SalaryBand),
    _collection("education_steps", models.EducationStep),
    _collection("ai_impacts", models.AIImpactItem),
    _collection("fit_traits", models.FitTrait),
    _collection("career_steps", models.CareerStep),
    _collection("faqs", models.FAQ),
    _collection("narrative_sections", models.NarrativeSection),
    _collection("key_fact_tables", models.KeyFactTable, nested=("facts", models.KeyFact, "table")),
    _collection("item_lists", models.ItemList, nested=("items", models.ListItem, "item_list")),
    _collection("rating_scores", models.RatingScore, refs={"dimension": models.RatingDimension}),
    _collection("skills", models.OccupationSkill, "occupation_skills", {"skill": models.Skill}),
    _collection(
        "qualifications",
        models.OccupationQualification,
        "occupation_qualifications",
        {"qualification": models.Qualification},
    ),
    _collection("visas", models.OccupationVisa, "occupation_visas", {"visa": models.Visa}),
    _collection(
        "growth_areas",
        models.OccupationGrowthArea,
        "occupation_growth_areas",
        {"growth_area": models.GrowthArea},
    ),
    _collection(
        "glossary_terms",
        models.OccupationGlossaryTerm,
        "occupation_glossary_terms",
        {"term": models.GlossaryTerm},
    ),
    _collection(
        "sources", models.OccupationSource, "occupation_sources", {"document": models.Source}
    ),
    _collection(
        "related_occupations",
        models.RelatedOccupation,
        "related_links",
        {"related": models.Occupation},
    ),
]
OCCUPATION_REFS = {
    "sector": models.Sector,
    "code_source": models.Source,
    "ai_summary_source": models.Source,
}


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
    for spec in DOCUMENT_COLLECTIONS:
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
        nested_rows = values.pop(spec.nested[0], []) if spec.nested else []
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
            key, child_model, parent_field = spec.nested
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
        for spec in DOCUMENT_COLLECTIONS
        if spec.related_name in values
    }
    found = _resolve_slugs(values, collections, errors)

    target = occupation or models.Occupation()
    was_published = occupation is not None and occupation.is_published
    for name, value in values.items():
        if name in OCCUPATION_REFS:
            value = found.get((OCCUPATION_REFS[name], value)) if value else None
        setattr(target, name, value)
    if target.is_published and not was_published and target.published_at is None:
        # Publishing through the API stamps the date like the admin's publish action does.
        target.published_at = timezone.now()
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
        for spec in DOCUMENT_COLLECTIONS
        if spec.related_name in collections
    }
    if errors.messages:
        raise ValidationError(errors.messages)
    if before_write is not None:
        before_write()

    with transaction.atomic():
        target.save()
        for spec in DOCUMENT_COLLECTIONS:
            if spec.related_name not in built:
                continue
            if occupation is not None:
                getattr(target, spec.related_name).all().delete()
            rows = built[spec.related_name]
            for instance, _ in rows:
                instance.occupation = target
            spec.model.objects.bulk_create([instance for instance, _ in rows])
            if spec.nested:
                _, child_model, parent_field = spec.nested
                children = []
                for instance, nested in rows:
                    for child in nested:
                        setattr(child, parent_field, instance)
                        children.append(child)
                child_model.objects.bulk_create(children)
        search.update_search_vectors([target.pk])
        # Recorded after every row is written, so the revision holds the new rows only
        # (recording first would follow the old, deleted rows into the revision).
        with reversion.create_revision():
            _record_revision(
                occupation=models.Occupation.objects.get(pk=target.pk),
                user=user,
                comment="Changed through the API",
            )
    target.refresh_from_db()
    return target


def occupation_delete(*, occupation: models.Occupation, user: AbstractBaseUser) -> None:
    """Delete a profile, keeping its last state as a revision (recoverable in the admin)."""
    with transaction.atomic():
        with reversion.create_revision():
            _record_revision(occupation=occupation, user=user, comment="Deleted through the API")
        occupation.delete()


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
        occupation_rows_park(occupation_id=int(version.object_id))
        version.revision.revert(delete=True)
        occupation = models.Occupation.objects.get(pk=version.object_id)
        _record_revision(
            occupation=occupation,
            user=user,
            comment=f"Reverted to the version of {version.revision.date_created:%Y-%m-%d %H:%M}.",
        )
        search.update_search_vectors([occupation.pk])
    return occupation
