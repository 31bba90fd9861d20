"""HTTP conventions of the API: ETags and preconditions, throttling, CORS, the schema and docs."""

import json
from http import HTTPStatus

import jsonschema
import pytest
import yaml
from django.core.cache import cache
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle

from occupations.api import StrictPageNumberPagination
from occupations.changes import row_changed
from occupations.models import Occupation

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/occupations/"


@pytest.fixture(autouse=True)
def _fresh_throttle_cache():
    cache.clear()


def detail_url(slug):
    return f"{LIST_URL}{slug}/"


def put(client, occupation, document, **extra):
    return client.put(
        detail_url(occupation.slug), json.dumps(document), content_type="application/json", **extra
    )


# --- ETags -----------------------------------------------------------------------------------


def test_a_matching_if_none_match_gets_304(client, make_rich_occupation):
    occupation = make_rich_occupation()
    etag = client.get(detail_url(occupation.slug))["ETag"]

    response = client.get(detail_url(occupation.slug), HTTP_IF_NONE_MATCH=etag)
    stale = client.get(detail_url(occupation.slug), HTTP_IF_NONE_MATCH='"old"')

    assert response.status_code == HTTPStatus.NOT_MODIFIED
    assert response["ETag"] == etag
    assert response.content == b""
    assert stale.status_code == HTTPStatus.OK


def test_the_etag_changes_when_a_child_row_changes(client, make_rich_occupation):
    occupation = make_rich_occupation()
    before = client.get(detail_url(occupation.slug))["ETag"]

    faq = occupation.faqs.first()
    faq.answer = "A new answer."
    faq.save()
    row_changed(faq)  # what every write path does (tests/test_content_changed.py)

    assert client.get(detail_url(occupation.slug))["ETag"] != before


def test_two_puts_from_the_same_etag_the_second_gets_412_and_changes_nothing(
    client, editor, token_header, make_rich_occupation
):
    occupation = make_rich_occupation()
    auth = token_header(editor)
    read = client.get(detail_url(occupation.slug), **auth)
    first_edit = {**read.json(), "title": "First edit"}
    second_edit = {**read.json(), "title": "Second edit", "duties": []}

    first = put(client, occupation, first_edit, HTTP_IF_MATCH=read["ETag"], **auth)
    second = put(client, occupation, second_edit, HTTP_IF_MATCH=read["ETag"], **auth)

    assert first.status_code == HTTPStatus.OK
    assert first["ETag"] != read["ETag"]
    assert second.status_code == HTTPStatus.PRECONDITION_FAILED
    assert "If-Match" in second.json()["detail"]
    occupation.refresh_from_db()
    assert occupation.title == "First edit"
    assert occupation.duties.count() == 1


def test_a_put_with_the_current_etag_or_none_is_accepted(
    client, editor, token_header, make_rich_occupation
):
    occupation = make_rich_occupation()
    auth = token_header(editor)
    read = client.get(detail_url(occupation.slug), **auth)

    with_etag = put(client, occupation, read.json(), HTTP_IF_MATCH=read["ETag"], **auth)
    without = put(client, occupation, read.json(), **auth)
    with_star = put(client, occupation, read.json(), HTTP_IF_MATCH="*", **auth)

    assert with_etag.status_code == without.status_code == with_star.status_code == HTTPStatus.OK


def test_a_stale_delete_gets_412_and_keeps_the_profile(
    client, editor, token_header, make_rich_occupation
):
    occupation = make_rich_occupation()

    response = client.delete(
        detail_url(occupation.slug), HTTP_IF_MATCH='"stale"', **token_header(editor)
    )

    assert response.status_code == HTTPStatus.PRECONDITION_FAILED
    assert Occupation.objects.filter(pk=occupation.pk).exists()


def test_a_weak_if_match_never_matches(client, editor, token_header, make_rich_occupation):
    occupation = make_rich_occupation()
    auth = token_header(editor)
    read = client.get(detail_url(occupation.slug), **auth)

    response = put(client, occupation, read.json(), HTTP_IF_MATCH=f"W/{read['ETag']}", **auth)

    assert response.status_code == HTTPStatus.PRECONDITION_FAILED


# --- Throttling ------------------------------------------------------------------------------


def test_too_many_anonymous_requests_get_429_with_retry_after(
    client, published_occupation, monkeypatch
):
    # DRF reads the rates once, at import: patch the class attribute, not the settings.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/minute", "user": None})

    statuses = [client.get(LIST_URL).status_code for _ in range(3)]

    assert statuses == [HTTPStatus.OK, HTTPStatus.OK, HTTPStatus.TOO_MANY_REQUESTS]
    response = client.get(LIST_URL)
    assert 0 < int(response["Retry-After"]) <= 60


def test_authenticated_clients_have_their_own_rate(
    client, editor, token_header, published_occupation, monkeypatch
):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "1/minute", "user": "2/minute"}
    )
    auth = token_header(editor)

    client.get(LIST_URL)  # uses up the anonymous allowance only
    statuses = [client.get(LIST_URL, **auth).status_code for _ in range(3)]

    assert statuses == [HTTPStatus.OK, HTTPStatus.OK, HTTPStatus.TOO_MANY_REQUESTS]


# --- CORS --------------------------------------------------------------------------------------


def test_anonymous_get_is_allowed_from_any_origin(client, published_occupation):
    response = client.get(LIST_URL, HTTP_ORIGIN="https://jobs.example")

    assert response["Access-Control-Allow-Origin"] == "*"


def test_cross_origin_readers_can_see_the_etag_for_conditional_requests(
    client, published_occupation
):
    response = client.get(
        f"/api/v1/occupations/{published_occupation.slug}/", HTTP_ORIGIN="https://jobs.example"
    )

    assert response["ETag"]
    assert "etag" in response["Access-Control-Expose-Headers"].lower()


@pytest.mark.parametrize("method", ["PUT", "POST", "PATCH", "DELETE"])
def test_a_cross_origin_preflight_for_a_write_is_not_allowed(client, published_occupation, method):
    response = client.options(
        detail_url(published_occupation.slug),
        HTTP_ORIGIN="https://jobs.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD=method,
    )

    allowed = [m.strip() for m in response.get("Access-Control-Allow-Methods", "").split(",")]
    assert method not in allowed
    assert "Access-Control-Allow-Credentials" not in response


def test_the_public_site_is_not_opened_to_other_origins(client, published_occupation):
    response = client.get(published_occupation.get_absolute_url(), HTTP_ORIGIN="https://x.example")

    assert "Access-Control-Allow-Origin" not in response


# --- Schema and docs ---------------------------------------------------------------------------


def schema_of(client):
    response = client.get("/api/schema/")
    assert response.status_code == HTTPStatus.OK
    return yaml.safe_load(response.content)


EVERYWHERE = {"405", "406"}


def test_the_schema_documents_every_status_each_operation_returns(client):
    schema = schema_of(client)

    operations = schema["paths"]["/api/v1/occupations/{slug}/"]
    assert set(operations["get"]["responses"]) == {
        "200",
        "301",
        "304",
        "401",
        "404",
        "429",
        *EVERYWHERE,
    }
    assert set(operations["put"]["responses"]) == {
        "200",
        "308",
        "400",
        "401",
        "403",
        "404",
        "412",
        "415",
        "429",
        *EVERYWHERE,
    }
    assert set(operations["delete"]["responses"]) == {
        "204",
        "308",
        "401",
        "403",
        "404",
        "412",
        "429",
        *EVERYWHERE,
    }
    assert set(schema["paths"]["/api/v1/occupations/"]["post"]["responses"]) == {
        "201",
        "400",
        "401",
        "403",
        "415",
        "429",
        *EVERYWHERE,
    }
    components = schema["components"]["schemas"]
    assert {
        "OccupationDocument",
        "OccupationDocumentRequest",
        "PatchedOccupationDocumentRequest",
    } <= set(components)


def operations_of(schema):
    return [
        (f"{method.upper()} {path}", operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]


def test_every_429_documents_retry_after_and_every_operation_405_and_406(client):
    for name, operation in operations_of(schema_of(client)):
        responses = operation["responses"]
        assert "Retry-After" in responses["429"]["headers"], name
        assert "Allow" in responses["405"]["headers"], name
        assert "406" in responses, name


def test_a_201_and_the_redirects_document_their_location_header(client):
    paths = schema_of(client)["paths"]

    created = paths["/api/v1/occupations/"]["post"]["responses"]["201"]
    moved = paths["/api/v1/occupations/{slug}/"]["get"]["responses"]["301"]
    assert created["headers"]["Location"]["schema"] == {"type": "string", "format": "uri"}
    assert "Location" in moved["headers"]


def test_the_token_operation_takes_json_only_and_needs_no_credentials(client):
    operation = schema_of(client)["paths"]["/api/v1/auth/token/"]["post"]

    assert list(operation["requestBody"]["content"]) == ["application/json"]
    assert operation["security"] == []


def test_a_400_body_may_name_any_field_path(client):
    component = schema_of(client)["components"]["schemas"]["ValidationError"]

    assert component["additionalProperties"] == {"type": "array", "items": {"type": "string"}}


def validate(schema, component, body):
    """Check a response body against a component, as a 3.1 validator would (2020-12)."""
    document = {**schema, "$ref": f"#/components/schemas/{component}"}
    jsonschema.Draft202012Validator(document).validate(body)


def test_a_list_row_without_a_sector_is_valid_against_the_schema(client, make_occupation):
    schema = schema_of(client)
    make_occupation(status="published", sector=None)
    make_occupation(status="published")

    body = client.get(LIST_URL).json()

    assert [row["sector"] is None for row in body["results"]] == [True, False]
    validate(schema, "PaginatedOccupationListList", body)


def test_real_documents_and_error_bodies_are_valid_against_the_schema(
    client, make_rich_occupation, editor, token_header
):
    schema = schema_of(client)
    occupation = make_rich_occupation()
    document = client.get(detail_url(occupation.slug)).json()
    invalid = put(
        client,
        occupation,
        {**document, "salary_bands": [{"level": "Entry", "annual_min": 9, "annual_max": 1}]},
        **token_header(editor),
    )

    validate(schema, "OccupationDocument", document)
    assert invalid.status_code == HTTPStatus.BAD_REQUEST
    validate(schema, "ValidationError", invalid.json())


def test_the_schema_names_its_server_licence_and_contact(client, settings):
    schema = schema_of(client)

    assert schema["openapi"].startswith("3.1")
    assert schema["servers"][0]["url"] in {settings.SITE_URL, "/"}
    assert schema["info"]["license"]["name"]
    assert schema["info"]["contact"]["name"]
    assert set(schema["components"]["securitySchemes"]) >= {"tokenAuth", "bearerAuth"}


def test_the_schema_is_valid_without_warnings():
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


@pytest.mark.parametrize("url", ["/api/docs/", "/api/docs/redoc/"])
def test_the_api_docs_are_served_without_a_cdn(client, url):
    response = client.get(url)

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn.jsdelivr" not in html


def test_a_token_is_obtained_with_username_and_password(client, editor):
    response = client.post(
        "/api/v1/auth/token/", {"username": "edna", "password": "editor-pass-123"}
    )

    assert response.status_code == HTTPStatus.OK
    assert response.json()["token"] == editor.auth_token.key


def test_an_invalid_body_is_a_400_even_with_a_stale_if_match(
    client, editor, token_header, make_rich_occupation
):
    occupation = make_rich_occupation()
    auth = token_header(editor)
    document = client.get(detail_url(occupation.slug), **auth).json()
    malformed = {**document, "title": ""}
    unknown_vocabulary = {**document, "sector": "no-such-sector"}

    for body in [malformed, unknown_vocabulary]:
        response = put(client, occupation, body, HTTP_IF_MATCH='"stale"', **auth)
        assert response.status_code == HTTPStatus.BAD_REQUEST


def test_an_if_match_without_an_entity_tag_is_no_precondition(
    client, editor, token_header, make_rich_occupation
):
    occupation = make_rich_occupation()
    auth = token_header(editor)
    document = client.get(detail_url(occupation.slug), **auth).json()

    response = put(client, occupation, document, HTTP_IF_MATCH="", **auth)

    assert response.status_code == HTTPStatus.OK


# --- Host-independent URLs, immutable ids ------------------------------------------------------


def test_api_urls_are_the_same_whichever_host_the_request_used(
    client, make_rich_occupation, settings
):
    settings.SITE_URL = "https://careers.example"
    occupation = make_rich_occupation()

    documents = [
        client.get(detail_url(occupation.slug), HTTP_HOST=host).json()
        for host in ["localhost", "127.0.0.1"]
    ]
    row = client.get(LIST_URL, HTTP_HOST="localhost").json()["results"][0]

    assert documents[0] == documents[1]
    assert documents[0]["url"] == f"https://careers.example{detail_url(occupation.slug)}"
    assert documents[0]["public_url"] == f"https://careers.example/occupations/{occupation.slug}/"
    assert row["url"] == documents[0]["url"]
    assert row["public_url"] == documents[0]["public_url"]


def test_vocabulary_links_and_page_links_use_the_public_origin(
    client, make_rich_occupation, settings
):
    settings.SITE_URL = "https://careers.example"
    occupation = make_rich_occupation()

    skill = client.get("/api/v1/skills/", HTTP_HOST="localhost").json()["results"][0]

    assert skill["url"].startswith("https://careers.example/api/v1/skills/")
    assert skill["occupations"][0]["url"] == f"https://careers.example{detail_url(occupation.slug)}"
    sector = client.get("/api/v1/sectors/energy/", HTTP_HOST="localhost").json()
    assert sector["occupations"][0]["url"].startswith("https://careers.example/")


def test_pagination_links_use_the_public_origin(client, make_occupation, settings, monkeypatch):
    settings.SITE_URL = "https://careers.example"
    monkeypatch.setattr(StrictPageNumberPagination, "page_size", 1)
    for _ in range(3):
        make_occupation(status="published")

    body = client.get(f"{LIST_URL}?page=2", HTTP_HOST="localhost").json()

    assert body["next"] == f"https://careers.example{LIST_URL}?page=3"
    assert body["previous"] == f"https://careers.example{LIST_URL}"


def test_every_document_and_row_carries_its_read_only_primary_key(
    client, make_rich_occupation, editor, token_header
):
    occupation = make_rich_occupation()

    document = client.get(detail_url(occupation.slug)).json()
    row = client.get(LIST_URL).json()["results"][0]
    skill = client.get("/api/v1/skills/").json()["results"][0]
    sector = client.get("/api/v1/sectors/").json()["results"][0]
    ignored = put(client, occupation, {**document, "id": 999999}, **token_header(editor))

    assert document["id"] == row["id"] == occupation.pk
    assert isinstance(skill["id"], int)
    assert isinstance(sector["id"], int)
    assert ignored.status_code == HTTPStatus.OK
    assert ignored.json()["id"] == occupation.pk
    assert not Occupation.objects.filter(pk=999999).exists()


# --- Ordering ------------------------------------------------------------------------------


def test_an_unknown_ordering_is_a_400_naming_the_allowed_values(client, published_occupation):
    response = client.get(f"{LIST_URL}?ordering=bogus")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    (message,) = response.json()["ordering"]
    assert "'bogus'" in message
    assert "-updated_at, title" not in message  # each value once, with and without "-"
    assert "title, -title" in message


@pytest.mark.parametrize("ordering", ["", "title,", "-", "title,bogus", "sector__name"])
def test_any_ordering_outside_the_allowed_fields_is_a_400(client, published_occupation, ordering):
    assert client.get(LIST_URL, {"ordering": ordering}).status_code == HTTPStatus.BAD_REQUEST


def test_a_known_ordering_sorts_the_list(client, make_occupation):
    for title in ["Beta", "Alpha", "Gamma"]:
        make_occupation(title=title, status="published")

    results = client.get(LIST_URL, {"ordering": "-title"}).json()["results"]
    vocabulary = client.get("/api/v1/sectors/", {"ordering": "-name"})

    repeated = client.get(f"{LIST_URL}?ordering=-code&ordering=-title").json()["results"]

    assert [row["title"] for row in results] == ["Gamma", "Beta", "Alpha"]
    assert [row["title"] for row in repeated] == ["Gamma", "Beta", "Alpha"]
    assert vocabulary.status_code == HTTPStatus.OK
    assert client.get("/api/v1/sectors/", {"ordering": "x"}).status_code == HTTPStatus.BAD_REQUEST


def test_the_schema_lists_the_allowed_orderings_as_an_enum(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)

    parameters = schema["paths"]["/api/v1/occupations/"]["get"]["parameters"]
    (ordering,) = [p for p in parameters if p["name"] == "ordering"]
    assert ordering["explode"] is False
    assert {"title", "-title", "updated_at", "-updated_at"} <= set(
        ordering["schema"]["items"]["enum"]
    )


# --- Bearer tokens ---------------------------------------------------------------------------


def test_a_bearer_token_authenticates_like_a_token(client, editor, make_occupation):
    make_occupation(slug="a-draft")
    key = Token.objects.create(user=editor).key

    as_bearer = client.get(f"{LIST_URL}a-draft/", HTTP_AUTHORIZATION=f"Bearer {key}")
    anonymous = client.get(f"{LIST_URL}a-draft/")

    assert as_bearer.status_code == HTTPStatus.OK
    assert anonymous.status_code == HTTPStatus.NOT_FOUND


def test_a_wrong_bearer_token_is_a_401_that_says_so(client, published_occupation):
    response = client.get(LIST_URL, HTTP_AUTHORIZATION="Bearer not-a-token")

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json() == {"detail": "Invalid token."}
    assert response["WWW-Authenticate"]


# --- CORS for conditional requests ---------------------------------------------------------


def test_a_cross_origin_preflight_allows_the_conditional_headers(client, published_occupation):
    response = client.options(
        detail_url(published_occupation.slug),
        HTTP_ORIGIN="https://jobs.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match, if-match",
    )

    allowed = {h.strip() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert {"if-match", "if-none-match", "authorization"} <= allowed


def test_cross_origin_readers_can_see_location_and_retry_after(client, published_occupation):
    response = client.get(LIST_URL, HTTP_ORIGIN="https://jobs.example")

    exposed = {h.strip().lower() for h in response["Access-Control-Expose-Headers"].split(",")}
    assert {"etag", "location", "retry-after"} <= exposed
