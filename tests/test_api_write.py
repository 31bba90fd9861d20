"""Whole-document writes: create, round trip, error paths, atomicity, history, hostile input."""

import json
from http import HTTPStatus

import pytest
from django.core.cache import cache
from django.core.management import call_command
from reversion.models import Version

from occupations import models

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/occupations/"
CHILD_MODELS = [
    models.AlternateTitle,
    models.Duty,
    models.SalaryBand,
    models.EducationStep,
    models.AIImpactItem,
    models.FitTrait,
    models.CareerStep,
    models.FAQ,
    models.NarrativeSection,
    models.KeyFactTable,
    models.KeyFact,
    models.ItemList,
    models.ListItem,
    models.RatingScore,
    models.OccupationSkill,
    models.OccupationQualification,
    models.OccupationVisa,
    models.OccupationGrowthArea,
    models.OccupationGlossaryTerm,
    models.OccupationSource,
    models.RelatedOccupation,
]


@pytest.fixture(autouse=True)
def _fresh_throttle_cache():
    cache.clear()


def detail_url(slug):
    return f"{LIST_URL}{slug}/"


def row_counts():
    return {model.__name__: model.objects.count() for model in [models.Occupation, *CHILD_MODELS]}


def send(client, method, url, body, **extra):
    payload = body if isinstance(body, str | bytes) else json.dumps(body)
    return getattr(client, method)(url, payload, content_type="application/json", **extra)


def new_document(**overrides):
    """A new profile as a partner would send it: vocabulary by slug, orders optional."""
    return {
        "slug": "substation-technician",
        "title": "Substation Technician",
        "code": "49-2095",
        "sector": "energy",
        "summary": "Keeps substations running.",
        "status": "published",
        "overall_rating": 7.5,
        "duties": [{"text": "Inspect transformers."}, {"text": "Test relays."}],
        "salary_bands": [
            {"level": "Entry", "annual_min": 48000, "annual_max": 60000},
            {"level": "Senior", "annual_min": 70000, "annual_max": 95000, "source": "bls-handbook"},
        ],
        "key_fact_tables": [
            {"title": "At a glance", "facts": [{"label": "Shifts", "value": "Rotating"}]}
        ],
        "item_lists": [
            {"kind": "challenges", "title": "Challenges", "items": [{"title": "Storms"}]}
        ],
        "skills": [{"skill": "scada", "group": "technical"}],
        "sources": [{"document": "bls-handbook", "note": "Pay."}],
        **overrides,
    }


def test_an_editor_creates_a_whole_profile_in_one_request(
    client, editor, token_header, api_vocabulary, sector
):
    response = send(client, "post", LIST_URL, new_document(), **token_header(editor))

    assert response.status_code == HTTPStatus.CREATED, response.json()
    document = response.json()
    assert response["Location"] == document["url"]
    assert response["ETag"]
    occupation = models.Occupation.objects.get(slug="substation-technician")
    assert [duty.order for duty in occupation.duties.all()] == [0, 1]
    assert occupation.salary_bands.get(order=1).source == api_vocabulary["source"]
    assert occupation.key_fact_tables.get().facts.get().value == "Rotating"
    assert occupation.item_lists.get().items.get().title == "Storms"
    assert occupation.occupation_skills.get().skill == api_vocabulary["skill"]
    assert occupation.published_at is not None
    assert client.get(document["public_url"]).status_code == HTTPStatus.OK


def test_a_write_is_recorded_in_the_admin_history_with_the_tokens_user(
    client, editor, token_header, api_vocabulary, sector
):
    send(client, "post", LIST_URL, new_document(), **token_header(editor))

    occupation = models.Occupation.objects.get(slug="substation-technician")
    (version,) = Version.objects.get_for_object(occupation)
    assert version.revision.user == editor
    assert version.revision.comment == "Created through the API"
    # The revision holds the new rows (so a revert restores them).
    recorded = {v.content_type.model for v in version.revision.version_set.all()}
    assert {"duty", "salaryband", "keyfacttable", "keyfact", "occupationskill"} <= recorded


def test_the_new_profile_is_found_by_the_site_search(
    client, editor, token_header, api_vocabulary, sector
):
    send(client, "post", LIST_URL, new_document(), **token_header(editor))

    found = client.get(LIST_URL, {"search": "substation"}).json()

    assert [row["slug"] for row in found["results"]] == ["substation-technician"]


@pytest.fixture
def energy_profiles(db):
    call_command(
        "loaddata",
        "vocabulary",
        "power-distributors-and-dispatchers",
        "distribution-system-operator",
        verbosity=0,
    )


@pytest.mark.parametrize(
    "slug", ["distribution-system-operator", "power-distributors-and-dispatchers"]
)
def test_putting_a_fixture_document_back_changes_nothing(
    client, superuser, token_header, energy_profiles, slug
):
    auth = token_header(superuser)
    before = client.get(detail_url(slug), **auth)
    counts = row_counts()

    response = send(
        client, "put", detail_url(slug), before.json(), HTTP_IF_MATCH=before["ETag"], **auth
    )

    assert response.status_code == HTTPStatus.OK, response.json()
    # Only the modification time moves.
    assert {**response.json(), "updated_at": None} == {**before.json(), "updated_at": None}
    assert row_counts() == counts


def test_putting_a_rich_document_back_is_identical_and_duplicates_no_rows(
    client, superuser, token_header, make_rich_occupation
):
    occupation = make_rich_occupation(rows=3)
    auth = token_header(superuser)
    before = client.get(detail_url(occupation.slug), **auth).json()
    counts = row_counts()

    after = send(client, "put", detail_url(occupation.slug), before, **auth).json()

    assert {**after, "updated_at": None} == {**before, "updated_at": None}
    assert row_counts() == counts


def test_patch_replaces_only_the_collections_in_the_body(
    client, editor, token_header, make_rich_occupation
):
    occupation = make_rich_occupation(rows=2)
    body = {"title": "Renamed", "duties": [{"order": 5, "text": "Only duty now."}]}

    response = send(client, "patch", detail_url(occupation.slug), body, **token_header(editor))

    assert response.status_code == HTTPStatus.OK, response.json()
    document = response.json()
    assert document["title"] == "Renamed"
    assert document["duties"] == [{"order": 5, "text": "Only duty now.", "source": None}]
    assert len(document["salary_bands"]) == 2
    assert len(document["faqs"]) == 2


def test_a_bad_nested_row_is_a_400_with_its_path_and_nothing_is_saved(
    client, editor, token_header, make_rich_occupation
):
    occupation = make_rich_occupation(rows=2)
    auth = token_header(editor)
    document = client.get(detail_url(occupation.slug), **auth).json()
    document["title"] = "Should not be saved"
    document["duties"] = [{"text": "Should not be saved either."}]
    document["salary_bands"][1]["annual_max"] = 1  # below annual_min: a database constraint
    counts = row_counts()

    response = send(client, "put", detail_url(occupation.slug), document, **auth)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {
        "salary_bands[1].non_field_errors": ["The maximum salary must not be below the minimum."]
    }
    assert row_counts() == counts
    occupation.refresh_from_db()
    assert occupation.title != "Should not be saved"
    assert occupation.duties.count() == 2


def test_field_errors_are_keyed_by_the_path_of_the_field(
    client, editor, token_header, make_rich_occupation
):
    occupation = make_rich_occupation()
    body = {
        "salary_bands": [
            {"level": "Entry", "annual_min": 1, "annual_max": 2},
            {"level": "", "annual_min": -1, "annual_max": 2},
        ],
    }
    # A missing value is caught by the model validation (PATCH does not require fields).
    nested = {"key_fact_tables": [{"title": "Table", "facts": [{"label": "Only a label"}]}]}

    response = send(client, "patch", detail_url(occupation.slug), body, **token_header(editor))
    nested_response = send(
        client, "patch", detail_url(occupation.slug), nested, **token_header(editor)
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert set(response.json()) == {"salary_bands[1].level", "salary_bands[1].annual_min"}
    assert nested_response.status_code == HTTPStatus.BAD_REQUEST
    assert list(nested_response.json()) == ["key_fact_tables[0].facts[0].value"]


def test_an_unknown_vocabulary_slug_is_a_400_naming_it_and_nothing_is_created(
    client, editor, token_header, api_vocabulary, sector
):
    document = new_document(skills=[{"skill": "telepathy", "group": "technical"}])
    counts = row_counts()

    response = send(client, "post", LIST_URL, document, **token_header(editor))

    assert response.status_code == HTTPStatus.BAD_REQUEST
    (message,) = response.json()["skills[0].skill"]
    assert "telepathy" in message
    assert not models.Skill.objects.filter(slug="telepathy").exists()
    assert row_counts() == counts


def test_duplicate_orders_within_a_collection_are_a_400(
    client, editor, token_header, make_rich_occupation
):
    occupation = make_rich_occupation()
    body = {"faqs": [{"order": 1, "question": "A?", "answer": "A."}] * 2}

    response = send(client, "patch", detail_url(occupation.slug), body, **token_header(editor))

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert list(response.json()) == ["faqs[1].order"]


def test_a_duplicate_slug_is_a_400_on_slug(client, editor, token_header, make_rich_occupation):
    existing = make_rich_occupation()

    response = send(
        client, "post", LIST_URL, new_document(slug=existing.slug), **token_header(editor)
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert list(response.json()) == ["slug"]


def test_a_profile_cannot_be_related_to_itself(client, editor, token_header, make_rich_occupation):
    occupation = make_rich_occupation()
    body = {"related_occupations": [{"related": occupation.slug, "kind": "similar"}]}

    response = send(client, "patch", detail_url(occupation.slug), body, **token_header(editor))

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert list(response.json()) == ["related_occupations[0].related"]


def test_unknown_fields_are_ignored(client, editor, token_header, make_rich_occupation):
    occupation = make_rich_occupation()

    response = send(
        client, "patch", detail_url(occupation.slug), {"colour": "blue"}, **token_header(editor)
    )

    assert response.status_code == HTTPStatus.OK
    assert "colour" not in response.json()


HOSTILE_BODIES = [
    "[]",
    '"a string"',
    "12",
    "null",
    "{not json",
    {"title": None},
    {"title": ["a", "list"]},
    {"title": "nul \x00 byte"},
    {"code": 51},
    {"overall_rating": "7.5"},
    {"overall_rating": 1e308},
    {"overall_rating": 10.5},
    {"skilled_migration": "yes"},
    {"sector": {"slug": "energy"}},
    {"sector": "Not a slug!"},
    {"salary_bands": "abc"},
    {"salary_bands": {"level": "x"}},
    {"salary_bands": [None]},
    {"salary_bands": [{"level": "x", "annual_min": 2**31, "annual_max": 2**63}]},
    {"salary_bands": [{"level": "x", "annual_min": "1", "annual_max": 2}]},
    {"salary_bands": [{"level": "x", "annual_min": 1.5, "annual_max": 2}]},
    {"salary_bands": [{"level": "x", "annual_min": 1, "annual_max": 2, "order": 40000}]},
    {"key_fact_tables": [{"title": "t", "facts": "x"}]},
    {"key_fact_tables": [{"title": "t", "facts": [{"order": 1, "label": "l", "value": "v"}] * 2}]},
    {"rating_scores": [{"dimension": "x" * 300}]},
    {"rating_scores": [{"dimension": "nope", "score": 3}]},
    {"related_occupations": [{"kind": "similar"}]},
    {"ai_impacts": [{"kind": "takeover", "title": "t", "year": 3000}]},
]


@pytest.mark.parametrize("body", HOSTILE_BODIES)
def test_a_hostile_body_is_a_400_never_a_500(
    client, editor, token_header, make_rich_occupation, body
):
    occupation = make_rich_occupation()
    auth = token_header(editor)
    counts = row_counts()

    patched = send(client, "patch", detail_url(occupation.slug), body, **auth)
    created = send(client, "post", LIST_URL, body, **auth)

    assert patched.status_code == HTTPStatus.BAD_REQUEST
    assert created.status_code == HTTPStatus.BAD_REQUEST
    assert row_counts() == counts


def test_a_body_that_is_not_json_is_a_415(client, editor, token_header, make_rich_occupation):
    occupation = make_rich_occupation()

    response = client.patch(
        detail_url(occupation.slug), "title=x", content_type="text/plain", **token_header(editor)
    )

    assert response.status_code == HTTPStatus.UNSUPPORTED_MEDIA_TYPE


def test_delete_removes_the_profile_and_keeps_it_in_the_history(
    client, editor, token_header, make_rich_occupation
):
    occupation = make_rich_occupation(rows=2)

    response = client.delete(detail_url(occupation.slug), **token_header(editor))

    assert response.status_code == HTTPStatus.NO_CONTENT
    assert not models.Occupation.objects.filter(pk=occupation.pk).exists()
    assert models.Duty.objects.count() == 0
    (deleted,) = Version.objects.get_deleted(models.Occupation)
    assert deleted.revision.comment == "Deleted through the API"
    assert deleted.revision.user == editor
    assert client.get(detail_url(occupation.slug)).status_code == HTTPStatus.NOT_FOUND


def test_a_related_row_must_name_a_profile_or_a_title(
    client, editor, token_header, make_rich_occupation
):
    occupation = make_rich_occupation()
    body = {"related_occupations": [{"related": None, "related_title": "", "kind": "similar"}]}

    response = send(client, "patch", detail_url(occupation.slug), body, **token_header(editor))

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {
        "related_occupations[0].non_field_errors": [
            "Choose a related occupation or type the role's title."
        ]
    }
