"""Never a 500 for any input: the attacker's requests from issue #8, each a JSON 4xx."""

import json
import logging
import urllib.error
import urllib.request
from http import HTTPStatus

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny

from careergraph import urls as project_urls
from occupations.parsers import nesting_depth

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/occupations/"
TOKEN_URL = "/api/v1/auth/token/"
DEEP_JSON = "[" * 2000 + "]" * 2000  # 4 KB, 2,000 levels: a RecursionError in json.loads
TWENTY_MB = b"x" * (20 * 1024 * 1024)


@pytest.fixture(autouse=True)
def _fresh_throttle_cache():
    cache.clear()


def assert_json_error(response, status):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


def test_a_deeply_nested_body_from_an_editor_is_a_json_400(client, editor, token_header):
    response = client.post(
        LIST_URL, DEEP_JSON, content_type="application/json", **token_header(editor)
    )

    assert_json_error(response, HTTPStatus.BAD_REQUEST)
    assert "nested deeper than" in response.json()["detail"]


def test_a_deeply_nested_body_on_the_anonymous_token_endpoint_is_a_json_400(client):
    response = client.post(TOKEN_URL, DEEP_JSON, content_type="application/json")

    assert_json_error(response, HTTPStatus.BAD_REQUEST)


def test_json_nested_just_past_the_limit_is_refused_and_at_the_limit_parsed(
    client, editor, token_header, settings
):
    settings.API_JSON_MAX_DEPTH = 5
    at_limit = {"title": [[[[1]]]]}  # 5 levels
    past_limit = {"title": [[[[[1]]]]]}

    parsed = client.post(
        LIST_URL, at_limit, content_type="application/json", **token_header(editor)
    )
    refused = client.post(
        LIST_URL, past_limit, content_type="application/json", **token_header(editor)
    )

    assert parsed.status_code == HTTPStatus.BAD_REQUEST
    assert "title" in parsed.json()  # validated field by field: the parser let it through
    assert_json_error(refused, HTTPStatus.BAD_REQUEST)


def test_nesting_depth_counts_arrays_and_objects_but_not_scalars():
    assert nesting_depth("text") == 0
    assert nesting_depth({"a": 1}) == 1
    assert nesting_depth({"a": [{"b": []}], "c": 2}) == 4


@pytest.mark.parametrize("url", [LIST_URL, TOKEN_URL])
def test_a_twenty_megabyte_body_is_a_json_413(client, editor, token_header, url):
    response = client.post(url, TWENTY_MB, content_type="application/json", **token_header(editor))

    assert_json_error(response, HTTPStatus.REQUEST_ENTITY_TOO_LARGE)


def test_a_body_that_is_not_utf8_is_a_json_400(client, editor, token_header):
    response = client.post(
        LIST_URL, b'{"title": "\xff\xfe"}', content_type="application/json", **token_header(editor)
    )

    assert_json_error(response, HTTPStatus.BAD_REQUEST)


def test_a_write_without_the_trailing_slash_is_a_json_404_naming_the_url_even_in_debug(
    client, editor, token_header, settings
):
    settings.DEBUG = True  # Django's APPEND_SLASH raises a RuntimeError for a POST in debug

    response = client.post(
        LIST_URL.rstrip("/"),
        {"title": "x"},
        content_type="application/json",
        **token_header(editor),
    )

    assert_json_error(response, HTTPStatus.NOT_FOUND)
    assert LIST_URL in response.json()["detail"]


def test_a_read_without_the_trailing_slash_is_still_redirected_with_its_query(client):
    response = client.get("/api/v1/occupations?search=grid")

    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert response["Location"] == "/api/v1/occupations/?search=grid"


def test_an_unknown_api_url_is_a_json_404_even_in_debug(client, settings):
    settings.DEBUG = True

    response = client.get("/api/v2/nothing-here/")

    assert_json_error(response, HTTPStatus.NOT_FOUND)


def test_a_content_length_that_is_not_a_number_is_a_json_400(client):
    response = client.generic("POST", TOKEN_URL, b"{}", CONTENT_LENGTH="many")

    assert_json_error(response, HTTPStatus.BAD_REQUEST)


@pytest.mark.parametrize(
    "query",
    ["search=%00", "page=-1", "page=99999999999", "ordering=%00", "sector=%ff", "q=" + "x" * 5000],
)
def test_hostile_query_strings_are_answered_without_a_server_error(client, query):
    response = client.get(f"{LIST_URL}?{query}")

    assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR
    assert response["Content-Type"].startswith("application/json")


@api_view(["GET"])
@permission_classes([AllowAny])
def _broken_endpoint(request):
    raise ZeroDivisionError("a bug")


def _broken_plain_view(request):
    raise ZeroDivisionError("a bug outside DRF")


broken_urlpatterns = [
    path("api/v1/broken/", _broken_endpoint),
    path("api/v1/broken-plain/", _broken_plain_view),
    *project_urls.urlpatterns,
]
handler500 = project_urls.handler500
urlpatterns = broken_urlpatterns


@override_settings(ROOT_URLCONF=__name__)
@pytest.mark.parametrize("url", ["/api/v1/broken/", "/api/v1/broken-plain/"])
def test_a_bug_behind_the_api_is_a_json_500_and_is_logged_with_its_traceback(url, caplog):
    from django.test import Client

    client = Client(raise_request_exception=False)

    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get(url)

    assert_json_error(response, HTTPStatus.INTERNAL_SERVER_ERROR)
    assert "a bug" not in response.json()["detail"]  # no internals with debug off
    assert any(record.exc_info for record in caplog.records)


@pytest.mark.django_db(transaction=True)
def test_the_write_journey_works_under_a_real_wsgi_server(
    live_server, superuser, api_vocabulary, sector
):
    """Guards the Location header: runserver's WSGI server refuses a header that is not a
    plain str, which answered 500 after the profile was saved."""
    from rest_framework.authtoken.models import Token

    from tests.test_api_write import new_document

    token = Token.objects.create(user=superuser).key
    request = urllib.request.Request(  # noqa: S310 (the test server's own http URL)
        f"{live_server.url}{LIST_URL}",
        data=json.dumps(new_document()).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="POST",
    )

    with urllib.request.urlopen(request) as response:  # noqa: S310
        status, location = response.status, response.headers["Location"]
        document = json.load(response)

    assert status == HTTPStatus.CREATED
    assert location == document["url"]
    with urllib.request.urlopen(location) as response:  # noqa: S310
        assert json.load(response)["slug"] == "substation-technician"


@pytest.mark.django_db(transaction=True)
def test_a_deep_body_under_a_real_wsgi_server_is_a_json_400(live_server):
    request = urllib.request.Request(  # noqa: S310
        f"{live_server.url}{TOKEN_URL}",
        data=DEEP_JSON.encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )

    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request)  # noqa: S310

    assert error.value.code == HTTPStatus.BAD_REQUEST
    assert error.value.headers["Content-Type"].startswith("application/json")


def test_a_cross_origin_reader_can_read_the_413(client):
    response = client.post(
        TOKEN_URL, TWENTY_MB, content_type="application/json", HTTP_ORIGIN="https://partner.example"
    )

    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("name", ["skill", "qualification", "visa", "growth_area"])
def test_a_term_filter_with_a_percent_sign_is_a_400_naming_it(client, name):
    """Found by schemathesis: the visitor's text was used as a format string (500)."""
    response = client.get("/api/v1/occupations/", {name: "%4 and %s %(x)s"})

    assert response.status_code == 400
    assert "%4 and %s %(x)s" in response.json()[name][0]
