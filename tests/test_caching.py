"""Whole-response caching for anonymous readers, keyed on the content version."""

from http import HTTPStatus

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import RequestFactory

from careergraph import caching
from occupations import enums
from occupations.changes import content_changed
from occupations.models import Occupation

pytestmark = pytest.mark.django_db

INDEX = "/"
API_LIST = "/api/v1/occupations/"


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 3600
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def profile(make_occupation, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        occupation = make_occupation(
            title="Grid Dispatcher",
            slug="grid-dispatcher",
            status=enums.PublicationStatus.PUBLISHED,
        )
        content_changed(occupations=[occupation.pk])
    return occupation


def profile_url(occupation):
    return occupation.get_absolute_url()


@pytest.mark.parametrize("path", [INDEX, "/occupations/grid-dispatcher/", API_LIST, "/skills/"])
def test_a_repeated_anonymous_read_is_served_from_the_cache_in_one_query(
    client, profile, django_assert_num_queries, path
):
    first = client.get(path)
    with django_assert_num_queries(1):  # the content version, nothing else
        second = client.get(path)
    assert second.status_code == HTTPStatus.OK
    assert second.content == first.content


def test_any_write_is_visible_on_the_next_request(
    client, profile, django_capture_on_commit_callbacks
):
    assert b"Grid Dispatcher" in client.get(profile_url(profile)).content
    with django_capture_on_commit_callbacks(execute=True):
        Occupation.objects.filter(pk=profile.pk).update(title="Grid Controller")
        content_changed(occupations=[profile.pk])
    page = client.get(profile_url(profile)).content
    assert b"Grid Controller" in page
    assert b"Grid Dispatcher" not in page
    api = client.get(API_LIST).json()
    assert [row["title"] for row in api["results"]] == ["Grid Controller"]


def test_anonymous_public_responses_let_a_cdn_hold_them_briefly(client, profile, settings):
    response = client.get(INDEX)
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {
        "public",
        "max-age=0",
        f"s-maxage={settings.PAGE_CACHE_S_MAXAGE}",
        f"stale-while-revalidate={settings.PAGE_CACHE_STALE_WHILE_REVALIDATE}",
    } <= directives
    assert "Accept-Encoding" in response["Vary"]


def test_editors_are_neither_served_from_nor_stored_in_the_cache(
    editor_client, client, make_occupation, django_assert_max_num_queries
):
    draft = make_occupation(title="Secret Draft", slug="secret-draft")
    url = profile_url(draft)
    first = editor_client.get(url)
    assert first.status_code == HTTPStatus.OK
    assert "private" in first["Cache-Control"]
    assert "no-store" in first["Cache-Control"]
    with django_assert_max_num_queries(100) as captured:
        editor_client.get(url)
    assert len(captured) > 1  # rendered again, not served from the cache
    anonymous = client.__class__()
    assert anonymous.get(url).status_code == HTTPStatus.NOT_FOUND


def test_api_token_clients_are_never_cached(client, profile, editor, token_header):
    response = client.get(API_LIST, **token_header(editor))
    assert response.status_code == HTTPStatus.OK
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


@pytest.mark.parametrize("path", [INDEX, "/occupations/grid-dispatcher/", API_LIST])
def test_pages_and_api_lists_answer_304_to_a_matching_etag_or_date(client, profile, path):
    response = client.get(path)
    etag = response["ETag"]
    assert response.has_header("Last-Modified")
    assert client.get(path, HTTP_IF_NONE_MATCH=etag).status_code == HTTPStatus.NOT_MODIFIED
    revalidated = client.get(path, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert revalidated.status_code == HTTPStatus.NOT_MODIFIED
    assert client.get(path, HTTP_IF_NONE_MATCH='"other"').status_code == HTTPStatus.OK


def test_a_response_that_sets_a_cookie_or_uses_a_csrf_token_is_not_shared():
    factory = RequestFactory()
    request = factory.get("/")
    response = HttpResponse("page")
    assert caching.is_shareable(request, response)
    get_token(request)
    assert not caching.is_shareable(request, response)
    with_cookie = HttpResponse("page")
    with_cookie.set_cookie("anything", "value")
    assert not caching.is_shareable(factory.get("/"), with_cookie)


def test_the_admin_is_never_cached(client, profile):
    response = client.get("/admin/login/")
    assert "private" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_a_broken_cache_is_a_miss_not_an_error(client, profile, monkeypatch):
    class BrokenCache:
        def get(self, *args, **kwargs):
            raise ConnectionError("cache down")

        def set(self, *args, **kwargs):
            raise ConnectionError("cache down")

    monkeypatch.setattr(caching, "cache", BrokenCache())
    for _ in range(2):
        response = client.get(INDEX)
        assert response.status_code == HTTPStatus.OK
        assert b"Grid Dispatcher" in response.content


def test_each_encoding_is_cached_as_its_own_copy(client, profile):
    brotli_page = client.get(INDEX, HTTP_ACCEPT_ENCODING="br")
    gzip_page = client.get(INDEX, HTTP_ACCEPT_ENCODING="gzip")
    plain_page = client.get(INDEX)
    assert brotli_page["Content-Encoding"] == "br"
    assert gzip_page["Content-Encoding"] == "gzip"
    assert not plain_page.has_header("Content-Encoding")
    assert client.get(INDEX, HTTP_ACCEPT_ENCODING="br").content == brotli_page.content


def test_a_head_request_is_answered_but_never_fills_the_cache_for_gets(
    client, profile, django_assert_max_num_queries
):
    assert client.head(INDEX).status_code == HTTPStatus.OK
    with django_assert_max_num_queries(100) as captured:
        response = client.get(INDEX)
    assert len(captured) > 1  # rendered, not taken from what the HEAD left behind
    assert b"Grid Dispatcher" in response.content
