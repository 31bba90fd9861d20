"""`for_detail()` loads every collection in one query, with the rows a prefetch would give."""

from decimal import Decimal

import pytest
from django.db.models import Prefetch
from factories import fill_profile

from occupations import models, prefetching
from occupations.registry import COLLECTIONS

pytestmark = pytest.mark.django_db


def prefetched_one_by_one():
    """The profile as `prefetch_related` loads it: one query per collection (the old way)."""
    lookups = []
    for collection in COLLECTIONS:
        # Rows whose ordering ties (rating scores of dimensions at one position) in primary-key
        # order, as the one-query loader sorts them: the database may return ties in any order.
        rows = collection.model.objects.select_related(*collection.select_related).order_by(
            *collection.model._meta.ordering, "pk"
        )
        if collection.nested:
            rows = rows.prefetch_related(collection.nested.key)
        lookups.append(Prefetch(collection.related_name, queryset=rows))
    incoming = models.RelatedOccupation.objects.select_related("occupation", "source").order_by(
        "order",
        "pk",  # two profiles' links can share an order: ties by pk, as for_detail()
    )
    return models.Occupation.objects.select_related(
        "sector", "code_source", "ai_summary_source"
    ).prefetch_related(*lookups, Prefetch("incoming_links", queryset=incoming))


def values(instance):
    """Every stored value with its Python type (a float for a Decimal would show)."""
    if instance is None:
        return None
    return [
        (field.attname, type(getattr(instance, field.attname)), getattr(instance, field.attname))
        for field in instance._meta.concrete_fields
    ]


def snapshot(occupation):
    """Each branch's rows, in order, with their values, their refs' values and parents."""
    seen = {}
    for branch in prefetching.branches():
        parents = (
            [occupation]
            if branch.nested_in is None
            else list(getattr(occupation, branch.nested_in).all())
        )
        seen[branch.cache] = [
            (
                values(row),
                [values(getattr(row, ref)) for ref in branch.refs],
                getattr(row, branch.parent_field) is parent,
            )
            for parent in parents
            for row in getattr(parent, branch.cache).all()
        ]
    return seen


@pytest.fixture
def rich(make_occupation):
    occupation = fill_profile(make_occupation(slug="rich", title="Rich"), 3)
    # Values whose conversion from the database matters: JSON, decimals, nulls.
    occupation.wage_statistics.update(special_values={"annual_p90": "#"}, hourly_mean=None)
    occupation.rating_scores.update(score=Decimal("7.25"))
    occupation.related_links.filter(order=1).update(related=None)
    other = make_occupation(slug="other", title="Other")
    models.RelatedOccupation.objects.create(
        occupation=other, related=occupation, kind="similar", order=1
    )
    fill_profile(make_occupation(slug="neighbour", title="Neighbour"), 2)
    return occupation


def test_for_detail_loads_the_same_rows_as_one_prefetch_per_collection(
    rich, django_assert_num_queries
):
    expected = snapshot(prefetched_one_by_one().get(pk=rich.pk))

    # The profile, then one query for every collection, nested rows and incoming links.
    with django_assert_num_queries(2):
        loaded = models.Occupation.objects.for_detail().get(pk=rich.pk)
        seen = snapshot(loaded)

    assert seen == expected
    assert all(seen[collection.related_name] for collection in COLLECTIONS)
    assert len(seen["facts"]) == len(seen["items"]) == 9  # 3 rows of 3 in each
    assert len(seen["incoming_links"]) == 1


def test_for_detail_of_several_profiles_gives_each_its_own_rows(rich, django_assert_num_queries):
    expected = {
        occupation.slug: snapshot(occupation)
        for occupation in prefetched_one_by_one().order_by("slug")
    }

    with django_assert_num_queries(2):
        seen = {
            occupation.slug: snapshot(occupation)
            for occupation in models.Occupation.objects.for_detail().order_by("slug")
        }

    assert seen == expected
    assert len(seen["neighbour"]["duties"]) == 2
    assert seen["linked-profile-1"]["duties"] == []


def test_profiles_beyond_one_chunk_take_one_query_per_chunk(
    rich, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(prefetching, "CHUNK", 2)
    expected = [snapshot(occupation) for occupation in prefetched_one_by_one().order_by("pk")]
    count = len(expected)

    with django_assert_num_queries(1 + -(-count // 2)):
        seen = [
            snapshot(occupation)
            for occupation in models.Occupation.objects.for_detail().order_by("pk")
        ]

    assert count > 2
    assert seen == expected


def test_a_profile_without_rows_reads_its_empty_collections_without_a_query(
    make_occupation, django_assert_num_queries
):
    occupation = make_occupation()

    with django_assert_num_queries(2):
        loaded = models.Occupation.objects.for_detail().get(pk=occupation.pk)
        assert loaded.duties.all().count() == 0
        assert not loaded.incoming_links.all().exists()
        assert list(loaded.key_fact_tables.all()) == []


def test_values_and_slices_of_for_detail_do_not_load_collections(rich, django_assert_num_queries):
    with django_assert_num_queries(1):
        slugs = list(models.Occupation.objects.for_detail().values_list("slug", flat=True))

    assert "rich" in slugs
