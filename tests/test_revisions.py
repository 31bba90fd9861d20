"""Revisions: a profile's revision holds all of its rows, so reverting restores them."""

import math

import pytest
import reversion
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.db import connection
from django.test.utils import CaptureQueriesContext
from factories import fill_profile
from reversion.models import Version

from occupations import enums, models, services
from occupations.registry import COLLECTIONS, NESTED_MODELS
from occupations.revisions import (
    VERSION_BATCH,
    _versions_of,
    load_profiles,
    record_revision,
    record_revisions,
    version_data,
)

pytestmark = pytest.mark.django_db


def snapshot(occupation):
    """Everything a revert must restore, by primary key."""
    occupation.refresh_from_db()
    return {
        "summary": occupation.summary,
        "duties": list(occupation.duties.values_list("pk", "order", "text")),
        "bands": list(
            occupation.salary_bands.values_list("pk", "order", "annual_min", "annual_max")
        ),
        "facts": list(
            models.KeyFact.objects.filter(table__occupation=occupation).values_list(
                "pk", "order", "label", "value"
            )
        ),
        "items": list(
            models.ListItem.objects.filter(item_list__occupation=occupation).values_list(
                "pk", "order", "title"
            )
        ),
    }


@pytest.fixture
def saved_profile(occupation, editor):
    """A profile with rows of every depth, saved as one revision by the editor."""
    with reversion.create_revision():
        models.Duty.objects.create(occupation=occupation, order=1, text="Monitor the grid.")
        models.Duty.objects.create(occupation=occupation, order=2, text="Dispatch crews.")
        models.SalaryBand.objects.create(
            occupation=occupation, order=1, level="Entry", annual_min=40_000, annual_max=50_000
        )
        table = models.KeyFactTable.objects.create(occupation=occupation, title="At a glance")
        models.KeyFact.objects.create(table=table, order=1, label="Education", value="Associate")
        models.KeyFact.objects.create(table=table, order=2, label="Experience", value="2 years")
        item_list = models.ItemList.objects.create(
            occupation=occupation, kind=enums.ItemListKind.CHALLENGES, title="Challenges"
        )
        models.ListItem.objects.create(item_list=item_list, order=1, title="Cyber threats")
        reversion.add_to_revision(occupation)
        reversion.set_user(editor)
    return occupation


def edit_everything(occupation):
    """Change a field, edit, delete, add and reorder rows at every depth, as a new revision."""
    with reversion.create_revision():
        occupation.summary = "Edited summary."
        occupation.save()
        occupation.duties.filter(order=1).update(text="Monitor the grid closely.")
        occupation.duties.filter(order=2).delete()
        models.Duty.objects.create(occupation=occupation, order=3, text="Added later.")
        occupation.salary_bands.update(annual_max=55_000)
        fact = models.KeyFact.objects.get(table__occupation=occupation, order=1)
        fact.value = "Bachelor's degree"
        fact.save()
        models.KeyFact.objects.filter(table__occupation=occupation, order=2).delete()
        item_list = occupation.item_lists.get()
        models.ListItem.objects.create(item_list=item_list, order=2, title="Ageing assets")
        reversion.add_to_revision(occupation)


def test_a_profiles_revision_holds_all_of_its_rows(saved_profile, editor):
    version = Version.objects.get_for_object(saved_profile).get()
    stored = {v.content_type.model for v in version.revision.version_set.all()}
    assert stored == {
        "occupation",
        "duty",
        "salaryband",
        "keyfacttable",
        "keyfact",
        "itemlist",
        "listitem",
    }
    assert version.revision.user == editor


def test_reverting_restores_fields_and_rows_at_every_depth(saved_profile):
    before = snapshot(saved_profile)
    first = Version.objects.get_for_object(saved_profile).get()
    edit_everything(saved_profile)
    assert snapshot(saved_profile) != before

    first.revision.revert(delete=True)

    # Rows added since are gone, deleted rows are back with their keys, edits are undone.
    assert snapshot(saved_profile) == before


def test_reverting_a_reorder_puts_rows_back_in_place(saved_profile, editor):
    before = snapshot(saved_profile)
    first = Version.objects.get_for_object(saved_profile).get()
    with reversion.create_revision():
        monitor, dispatch = saved_profile.duties.all()
        # Swap the two duties' positions (through a free position, as the admin does).
        models.Duty.objects.filter(pk=monitor.pk).update(order=99)
        models.Duty.objects.filter(pk=dispatch.pk).update(order=1)
        models.Duty.objects.filter(pk=monitor.pk).update(order=2)
        reversion.add_to_revision(saved_profile)
    assert [text for _, _, text in snapshot(saved_profile)["duties"]] == [
        "Dispatch crews.",
        "Monitor the grid.",
    ]

    services.occupation_revert(version=first, user=editor)

    assert snapshot(saved_profile) == before
    latest = Version.objects.get_for_object(saved_profile).first().revision
    assert latest.user == editor
    assert latest.get_comment().startswith("Reverted to the version of")


def test_revert_service_restores_everything_and_records_who(saved_profile, editor):
    before = snapshot(saved_profile)
    first = Version.objects.get_for_object(saved_profile).get()
    edit_everything(saved_profile)

    services.occupation_revert(version=first, user=editor)

    assert snapshot(saved_profile) == before
    assert Version.objects.get_for_object(saved_profile).count() == 3


def test_publish_and_unpublish_each_record_a_revision(occupation, editor):
    services.occupation_publish(occupation=occupation, user=editor)
    services.occupation_unpublish(occupation=occupation, user=editor)

    versions = list(Version.objects.get_for_object(occupation))
    assert [v.revision.get_comment() for v in versions] == [
        "Unpublished (back to draft).",
        "Published.",
    ]
    assert {v.revision.user for v in versions} == {editor}
    assert versions[1].field_dict["status"] == enums.PublicationStatus.PUBLISHED
    assert versions[1].field_dict["published_at"] is not None
    assert versions[0].field_dict["published_at"] is None


def test_reverting_an_unpublish_publishes_again(occupation, editor):
    services.occupation_publish(occupation=occupation, user=editor)
    published = Version.objects.get_for_object(occupation).get()
    services.occupation_unpublish(occupation=occupation, user=editor)

    published.revision.revert(delete=True)

    occupation.refresh_from_db()
    assert occupation.status == enums.PublicationStatus.PUBLISHED


# --- Revisions recorded in bulk (imports) -----------------------------------------------------


@pytest.fixture
def filled_profiles(make_occupation):
    """Two profiles with rows in every registered collection (nested rows too), one linking
    to the other."""
    first = fill_profile(make_occupation(), 2)
    second = fill_profile(make_occupation(), 2)
    models.RelatedOccupation.objects.create(occupation=second, related=first, order=50)
    return [first, second]


def versions_picture(revision):
    """A revision's versions as django-reversion stores them, in insertion order."""
    return [
        (
            v.content_type.model_class(),
            v.object_id,
            v.db,
            v.format,
            v.serialized_data,
            v.object_repr,
        )
        for v in revision.version_set.order_by("pk")
    ]


def test_version_data_is_exactly_what_djangos_serializer_writes_for_every_stored_model(
    filled_profiles,
):
    (profile, *_) = load_profiles([filled_profiles[1].pk])
    objects = list(_versions_of(profile))
    assert {type(obj) for obj in objects} == {
        models.Occupation,
        *(c.model for c in COLLECTIONS),
        *NESTED_MODELS,
    }
    for obj in objects:
        expected = serializers.serialize(
            "json", [obj], fields=[f.name for f in type(obj)._meta.local_fields]
        )
        assert version_data(obj) == expected, type(obj).__name__


def test_a_bulk_recorded_revision_holds_the_same_versions_as_django_reversions_own(
    filled_profiles, editor
):
    ids = [profile.pk for profile in filled_profiles]
    for profile in models.Occupation.objects.filter(pk__in=ids):
        record_revision(occupation=profile, user=editor, comment="One at a time")
    one_by_one = [
        Version.objects.get_for_object_reference(models.Occupation, pk).get().revision for pk in ids
    ]

    in_bulk = record_revisions(load_profiles(ids), user=editor, comment="In bulk")

    for single, bulk in zip(one_by_one, in_bulk, strict=True):
        assert (bulk.user, bulk.comment) == (editor, "In bulk")
        assert versions_picture(bulk) == versions_picture(single)


def statements(context):
    """Captured queries, the version inserts apart: (other statements, version inserts)."""
    inserts = [
        q
        for q in context.captured_queries
        if 'INTO "reversion_version"' in q["sql"] or q["sql"].startswith('COPY "reversion_version"')
    ]
    return len(context.captured_queries) - len(inserts), len(inserts)


def version_batches(count):
    """Statements the backend needs to insert `count` versions: one COPY on PostgreSQL,
    else inserts of as many rows as the backend takes parameters for (SQLite caps them)."""
    if connection.vendor == "postgresql":
        return 1
    fields = [f for f in Version._meta.concrete_fields if not f.primary_key]
    size = connection.ops.bulk_batch_size(fields, [None] * count) or count
    return math.ceil(count / min(size, VERSION_BATCH))


def test_bulk_revisions_take_a_fixed_number_of_queries(filled_profiles, make_occupation, editor):
    ids = [profile.pk for profile in filled_profiles]
    shared_kinds = {model for collection in COLLECTIONS for model in collection.refs.values()}
    # Loading: the profiles, one query per collection, per nested kind and per kind of
    # shared record; recording: the profiles again, the revisions, and the content types
    # once (Django caches them); then the versions in as few inserts as the backend allows.
    expected = 1 + len(COLLECTIONS) + len(NESTED_MODELS) + len(shared_kinds) + 2
    ContentType.objects.clear_cache()
    with CaptureQueriesContext(connection) as two:
        revisions = record_revisions(load_profiles(ids), user=editor, comment="Two")
    count = Version.objects.filter(revision__in=revisions).count()
    assert statements(two) == (expected + 1, version_batches(count))

    more = ids + [fill_profile(make_occupation(), 3).pk for _ in range(3)]
    with CaptureQueriesContext(connection) as five:
        revisions = record_revisions(load_profiles(more), user=editor, comment="Five")
    count = Version.objects.filter(revision__in=revisions).count()
    assert statements(five) == (expected, version_batches(count))


def test_a_profile_reverts_to_a_bulk_recorded_revision(saved_profile, editor):
    profile = saved_profile
    before = snapshot(profile)
    (revision,) = record_revisions(load_profiles([profile.pk]), user=editor, comment="Bulk")
    version = revision.version_set.get(content_type__model="occupation")
    edit_everything(profile)
    assert snapshot(profile) != before

    services.occupation_revert(version=version, user=editor)

    assert snapshot(profile) == before
