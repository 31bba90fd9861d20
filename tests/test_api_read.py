"""The read API: the compact list, whole documents, vocabulary, filtering, query counts."""

from http import HTTPStatus

import pytest
from django.core.cache import cache
from django.core.management import call_command

from occupations import enums
from occupations.models import Occupation

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/occupations/"
COLLECTIONS = [
    "alternate_titles",
    "duties",
    "salary_bands",
    "education_steps",
    "ai_impacts",
    "fit_traits",
    "career_steps",
    "faqs",
    "narrative_sections",
    "key_fact_tables",
    "item_lists",
    "rating_scores",
    "skills",
    "qualifications",
    "visas",
    "growth_areas",
    "glossary_terms",
    "sources",
    "related_occupations",
]
VOCABULARY_ENDPOINTS = [
    "sectors",
    "skills",
    "qualifications",
    "visas",
    "growth-areas",
    "glossary-terms",
    "rating-dimensions",
    "sources",
]


@pytest.fixture(autouse=True)
def _fresh_throttle_cache():
    # Throttle counters live in the default cache: start every test from zero.
    cache.clear()


def detail_url(slug):
    return f"{LIST_URL}{slug}/"


def test_list_rows_are_compact_with_salary_range_and_both_urls(client, make_rich_occupation):
    occupation = make_rich_occupation(rows=2, overall_rating="6.5", ai_outlook="mixed")

    response = client.get(LIST_URL)

    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1
    (row,) = body["results"]
    assert row == {
        "id": occupation.pk,
        "url": f"http://testserver/api/v1/occupations/{occupation.slug}/",
        "public_url": f"http://testserver/occupations/{occupation.slug}/",
        "slug": occupation.slug,
        "title": occupation.title,
        "code": "51-8012",
        "code_classification": "SOC",
        "sector": {"slug": "energy", "name": "Energy"},
        "summary": occupation.summary,
        "status": "published",
        "overall_rating": 6.5,
        "ai_outlook": "mixed",
        "ai_verdict": "",
        "salary_min": 50000,
        "salary_max": 70000,
        "currency": "USD",
        "updated_at": row["updated_at"],
    }


def test_list_currency_is_null_when_bands_mix_currencies(client, make_rich_occupation):
    occupation = make_rich_occupation(rows=2)
    occupation.salary_bands.filter(order=2).update(currency="EUR")

    (row,) = client.get(LIST_URL).json()["results"]

    assert row["currency"] is None


def test_list_is_paginated_by_page_number(client, make_occupation):
    for _ in range(25):
        make_occupation(status=enums.PublicationStatus.PUBLISHED)

    first = client.get(LIST_URL).json()
    second = client.get(first["next"]).json()

    assert first["count"] == 25
    assert len(first["results"]) == 20
    assert first["previous"] is None
    assert len(second["results"]) == 5
    assert second["next"] is None
    assert client.get(LIST_URL, {"page": 9}).status_code == HTTPStatus.NOT_FOUND


def test_anonymous_clients_see_published_profiles_only(client, occupation, published_occupation):
    slugs = [row["slug"] for row in client.get(LIST_URL).json()["results"]]

    assert slugs == [published_occupation.slug]
    assert client.get(detail_url(occupation.slug)).status_code == HTTPStatus.NOT_FOUND
    assert client.get(LIST_URL, {"status": "draft"}).json()["count"] == 0


def test_editors_see_drafts_and_may_ask_for_drafts_only(
    client, editor, token_header, occupation, published_occupation
):
    auth = token_header(editor)

    everything = client.get(LIST_URL, **auth).json()
    drafts = client.get(LIST_URL, {"status": "draft"}, **auth).json()

    assert everything["count"] == 2
    assert [row["slug"] for row in drafts["results"]] == [occupation.slug]
    assert client.get(detail_url(occupation.slug), **auth).status_code == HTTPStatus.OK


def test_staff_without_the_change_permission_do_not_see_drafts(
    client, staff_without_permissions, token_header, occupation
):
    auth = token_header(staff_without_permissions)

    assert client.get(LIST_URL, **auth).json()["count"] == 0
    assert client.get(detail_url(occupation.slug), **auth).status_code == HTTPStatus.NOT_FOUND


def test_detail_nests_every_collection_of_the_profile(client, make_rich_occupation):
    occupation = make_rich_occupation(rows=2)

    document = client.get(detail_url(occupation.slug)).json()

    for name in COLLECTIONS:
        assert len(document[name]) == 2, name
    assert [len(table["facts"]) for table in document["key_fact_tables"]] == [2, 2]
    assert [len(item_list["items"]) for item_list in document["item_lists"]] == [2, 2]
    assert document["sector"] == "energy"
    assert document["sector_name"] == "Energy"
    assert document["salary_bands"][0] == {
        "order": 1,
        "level": "Entry",
        "years_min": None,
        "years_max": None,
        "annual_min": 50000,
        "annual_max": 70000,
        "currency": "USD",
        "note": "",
        "source": "bls-handbook",
    }
    assert document["skills"][0]["skill"] == "scada"
    assert document["skills"][0]["skill_name"] == "SCADA"
    assert document["sources"][0]["document"] == "bls-handbook"
    assert document["rating_scores"][0] == {
        "dimension": "dimension-1",
        "dimension_name": "Dimension 1",
        "score": 7.5,
        "source": "bls-handbook",
    }


def test_a_link_to_a_draft_profile_names_the_role_without_linking_it(
    client, make_rich_occupation, occupation
):
    profile = make_rich_occupation()
    profile.related_links.update(related=occupation, related_title="")

    link = client.get(detail_url(profile.slug)).json()["related_occupations"][0]

    assert link["related"] is None
    assert link["related_title"] == occupation.title


def test_unknown_rating_scores_are_null(client, make_rich_occupation):
    occupation = make_rich_occupation()
    occupation.rating_scores.update(score=None)

    document = client.get(detail_url(occupation.slug)).json()

    assert document["rating_scores"][0]["score"] is None


def test_list_filters_with_the_site_filterset(client, make_rich_occupation, make_occupation):
    linked = make_rich_occupation()
    make_occupation(status=enums.PublicationStatus.PUBLISHED, ai_outlook="positive")

    by_skill = client.get(LIST_URL, {"skill": "scada"}).json()
    by_outlook = client.get(LIST_URL, {"ai_outlook": "positive"}).json()

    assert [row["slug"] for row in by_skill["results"]] == [linked.slug]
    assert by_outlook["count"] == 1
    assert by_outlook["results"][0]["slug"] != linked.slug


def test_an_invalid_filter_value_is_a_400_naming_the_filter(client, published_occupation):
    response = client.get(LIST_URL, {"ai_outlook": "gloomy"})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "ai_outlook" in response.json()


def test_search_uses_the_site_search(client, make_occupation):
    make_occupation(title="Wind Turbine Technician", status=enums.PublicationStatus.PUBLISHED)
    make_occupation(title="Load Dispatcher", status=enums.PublicationStatus.PUBLISHED)
    from occupations.search import update_search_vectors

    update_search_vectors(Occupation.objects.values_list("pk", flat=True))

    body = client.get(LIST_URL, {"search": "turbine"}).json()

    assert [row["title"] for row in body["results"]] == ["Wind Turbine Technician"]


def test_list_orders_by_a_field_on_request(client, make_occupation):
    make_occupation(title="Alpha", status=enums.PublicationStatus.PUBLISHED, overall_rating=2)
    make_occupation(title="Beta", status=enums.PublicationStatus.PUBLISHED, overall_rating=9)

    descending = client.get(LIST_URL, {"ordering": "-overall_rating"}).json()["results"]
    default = client.get(LIST_URL).json()["results"]

    assert [row["title"] for row in descending] == ["Beta", "Alpha"]
    assert [row["title"] for row in default] == ["Alpha", "Beta"]


@pytest.mark.parametrize("endpoint", VOCABULARY_ENDPOINTS)
def test_vocabulary_lists_link_published_profiles_only(
    client, endpoint, make_rich_occupation, make_occupation
):
    published = make_rich_occupation()
    draft = make_rich_occupation(slug="a-draft", title="A draft")
    Occupation.objects.filter(pk=draft.pk).update(status=enums.PublicationStatus.DRAFT)

    body = client.get(f"/api/v1/{endpoint}/").json()

    linked = {
        occupation["slug"] for record in body["results"] for occupation in record["occupations"]
    }
    assert linked == {published.slug}
    record = body["results"][0]
    assert client.get(record["url"]).json() == record


def test_vocabulary_links_carry_the_per_occupation_detail(client, make_rich_occupation):
    occupation = make_rich_occupation()

    skill = client.get("/api/v1/skills/scada/").json()
    visa = client.get("/api/v1/visas/h-1b/").json()
    dimension = client.get("/api/v1/rating-dimensions/dimension-1/").json()

    assert skill["occupations"] == [
        {
            "slug": occupation.slug,
            "title": occupation.title,
            "url": f"http://testserver/api/v1/occupations/{occupation.slug}/",
            "group": "technical",
            "label": "",
            "note": "",
        }
    ]
    assert visa["occupations"][0]["details"] == "Specialty."
    assert dimension["occupations"][0]["score"] == 7.5


def test_unknown_vocabulary_slug_is_a_404(client, api_vocabulary):
    assert client.get("/api/v1/skills/no-such-skill/").status_code == HTTPStatus.NOT_FOUND


def test_the_browsable_api_renders_html(client, published_occupation):
    response = client.get(LIST_URL, HTTP_ACCEPT="text/html")

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("text/html")
    assert published_occupation.title in response.content.decode()


def test_the_browsable_api_renders_a_document_with_its_edit_form_for_editors(
    client, editor, make_rich_occupation
):
    occupation = make_rich_occupation(rows=2)
    client.force_login(editor)

    response = client.get(detail_url(occupation.slug), HTTP_ACCEPT="text/html")

    assert response.status_code == HTTPStatus.OK
    assert 'name="_content"' in response.content.decode()  # the raw JSON form for PUT


def test_options_describes_the_endpoint(client, editor, token_header, make_rich_occupation):
    occupation = make_rich_occupation()

    response = client.options(detail_url(occupation.slug), **token_header(editor))

    assert response.status_code == HTTPStatus.OK
    assert "PUT" in response.json()["actions"]


# --- Query counts: constant in the number of profiles and of rows per collection ----------


@pytest.mark.parametrize(("profiles", "rows"), [(1, 1), (30, 1), (1, 30), (30, 30)])
def test_list_query_count_is_constant_in_the_number_of_profiles_and_rows(
    client, make_rich_occupation, django_assert_num_queries, profiles, rows
):
    for number in range(profiles):
        make_rich_occupation(rows=rows, slug=f"profile-{number}", title=f"Profile {number}")

    # The page count, then one page of profiles with their sector and salary aggregates.
    with django_assert_num_queries(2):
        response = client.get(LIST_URL)

    assert len(response.json()["results"]) == min(profiles, 20)


@pytest.mark.parametrize("rows", [1, 30])
def test_detail_query_count_is_constant_in_the_number_of_rows(
    client, make_rich_occupation, django_assert_num_queries, rows
):
    occupation = make_rich_occupation(rows=rows)
    occupation.related_links.update(related=None)

    # The profile with its sector and sources, then one query for every collection, their
    # nested rows (facts, items) and the links pointing at the profile.
    with django_assert_num_queries(2):
        document = client.get(detail_url(occupation.slug)).json()

    assert len(document["duties"]) == rows
    assert len(document["key_fact_tables"][-1]["facts"]) == rows


@pytest.mark.parametrize("endpoint", VOCABULARY_ENDPOINTS)
@pytest.mark.parametrize("profiles", [1, 30])
def test_vocabulary_query_counts_are_constant_in_the_number_of_linked_profiles(
    client, make_rich_occupation, django_assert_num_queries, endpoint, profiles
):
    for number in range(profiles):
        make_rich_occupation(slug=f"profile-{number}", title=f"Profile {number}")

    # Count, the records, and their published links with the linked profile.
    with django_assert_num_queries(3):
        listed = client.get(f"/api/v1/{endpoint}/").json()
    with django_assert_num_queries(2):
        client.get(listed["results"][0]["url"])

    assert len(listed["results"][0]["occupations"]) == profiles


# --- The real fixtures: the demo data cannot rot -----------------------------------------


FIXTURE_SLUGS = ["distribution-system-operator", "power-distributors-and-dispatchers"]


@pytest.fixture
def energy_profiles(db):
    # The operator's profile links to the dispatchers' one: load that first.
    call_command("loaddata", "vocabulary", *reversed(FIXTURE_SLUGS), verbosity=0)
    # loaddata writes raw rows; index them for search as bootstrap_local does.
    from occupations.search import update_search_vectors

    update_search_vectors(Occupation.objects.values_list("pk", flat=True))


def test_both_fixture_profiles_are_listed_found_and_filtered(client, energy_profiles):
    listed = client.get(LIST_URL).json()
    searched = client.get(LIST_URL, {"search": "dispatchers"}).json()
    by_sector = client.get(LIST_URL, {"sector": "energy"}).json()

    assert sorted(row["slug"] for row in listed["results"]) == FIXTURE_SLUGS
    assert "power-distributors-and-dispatchers" in [row["slug"] for row in searched["results"]]
    assert by_sector["count"] == 2
    for slug in FIXTURE_SLUGS:
        document = client.get(detail_url(slug)).json()
        assert document["slug"] == slug
        assert document["faqs"]
        assert document["skills"]
    dispatchers = next(row for row in listed["results"] if row["code"] == "51-8012")
    assert (dispatchers["salary_min"], dispatchers["salary_max"]) == (55000, 120000)
