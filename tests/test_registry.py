"""Every registered collection round-trips through the API, the admin, revert and
duplication: adding a collection to the registry is enough for all four."""

import json
from http import HTTPStatus

import pytest
from django.urls import reverse
from factories import fill_collection, fill_profile
from reversion.models import Version
from test_admin import form_data

from occupations import enums, models, services
from occupations.admin_sections import section_query
from occupations.registry import COLLECTIONS, VOCABULARY_KINDS
from occupations.revisions import record_revision

pytestmark = pytest.mark.django_db

ROWS = 2


def rows_of(occupation, collection):
    """A comparable picture of one collection's rows (nested rows included)."""
    picture = []
    for row in collection.model.objects.filter(occupation=occupation).order_by("pk"):
        values = {
            name: getattr(row, row._meta.get_field(name).attname) for name in collection.fields
        }
        if collection.nested:
            nested = collection.nested
            values[nested.key] = sorted(
                tuple(getattr(child, name) for name in nested.fields)
                for child in getattr(row, nested.key).all()
            )
        picture.append(values)
    return sorted(picture, key=lambda values: json.dumps(values, sort_keys=True, default=str))


@pytest.fixture
def filled(make_occupation):
    occupation = make_occupation(status=enums.PublicationStatus.PUBLISHED)
    return fill_profile(occupation, ROWS)


@pytest.mark.parametrize("collection", COLLECTIONS, ids=lambda c: c.key)
def test_each_collection_round_trips_through_the_api(
    collection, client, editor, token_header, filled
):
    before = rows_of(filled, collection)
    url = f"/api/v1/occupations/{filled.slug}/"
    # Read with the same token: an anonymous read hides links to drafts.
    document = client.get(url, **token_header(editor)).json()
    assert len(document[collection.key]) == ROWS

    response = client.put(
        url, json.dumps(document), content_type="application/json", **token_header(editor)
    )

    assert response.status_code == HTTPStatus.OK, response.json()
    assert response.json()[collection.key] == document[collection.key]
    assert rows_of(filled, collection) == before


@pytest.mark.parametrize("collection", COLLECTIONS, ids=lambda c: c.key)
def test_each_collection_is_created_through_the_api(
    collection, client, editor, token_header, filled
):
    document = client.get(f"/api/v1/occupations/{filled.slug}/", **token_header(editor)).json()
    new = {
        "slug": "api-copy",
        "title": "API copy",
        "code": "51-8012",
        "summary": "Made from another profile's document.",
        collection.key: document[collection.key],
    }

    response = client.post(
        "/api/v1/occupations/",
        json.dumps(new),
        content_type="application/json",
        **token_header(editor),
    )

    assert response.status_code == HTTPStatus.CREATED, response.json()
    copy = models.Occupation.objects.get(slug="api-copy")
    assert rows_of(copy, collection) == rows_of(filled, collection)


@pytest.mark.parametrize("collection", COLLECTIONS, ids=lambda c: c.key)
def test_each_collection_round_trips_through_the_admin(collection, superuser_client, filled):
    before = rows_of(filled, collection)
    # Through the change page's section that edits the collection.
    url = reverse("admin:occupations_occupation_change", args=[filled.pk])
    url += section_query(collection.section)
    page = superuser_client.get(url)
    prefix = collection.related_name  # the inline formset's prefix
    data = form_data(page)
    assert data[f"{prefix}-TOTAL_FORMS"] == str(ROWS)

    response = superuser_client.post(url, data)

    assert response.status_code == HTTPStatus.FOUND
    assert rows_of(filled, collection) == before


@pytest.mark.parametrize("collection", COLLECTIONS, ids=lambda c: c.key)
def test_each_collection_is_restored_by_a_revert(collection, editor, filled):
    before = rows_of(filled, collection)
    record_revision(occupation=filled, user=editor, comment="Before the mistake")
    version = Version.objects.get_for_object(filled).first()
    collection.model.objects.filter(occupation=filled).delete()
    fill_collection(filled, collection, 1)  # a row that did not exist then

    services.occupation_revert(version=version, user=editor)

    assert rows_of(filled, collection) == before


@pytest.mark.parametrize("collection", COLLECTIONS, ids=lambda c: c.key)
def test_each_collection_is_copied_by_duplication(collection, editor, filled):
    copy = services.occupation_duplicate(occupation=filled, user=editor)

    assert rows_of(copy, collection) == rows_of(filled, collection)
    assert rows_of(copy, collection)  # the copy has the rows


def test_every_collection_model_is_registered_with_the_revisions_and_the_admin():
    import reversion
    from django.contrib import admin

    for collection in COLLECTIONS:
        assert reversion.is_registered(collection.model), collection.key
        assert admin.site.is_registered(collection.model), collection.key
        if collection.nested:
            assert reversion.is_registered(collection.nested.model), collection.key


def test_every_vocabulary_kind_has_an_api_endpoint_and_an_admin(client):
    from django.contrib import admin

    root = client.get("/api/v1/").json()
    for kind in VOCABULARY_KINDS:
        assert kind.api_prefix in root, kind.kind
        assert admin.site.is_registered(kind.model), kind.kind
