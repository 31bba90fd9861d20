"""A renamed profile keeps its old addresses: the page and the API answer 301 to the new ones."""

import json
from http import HTTPStatus

import pytest
from django.core.cache import cache
from django.urls import reverse

from occupations import changes, enums
from occupations.models import FormerSlug, Occupation
from tests.test_admin import form_data

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/occupations/"


@pytest.fixture(autouse=True)
def _fresh_throttle_cache():
    cache.clear()


def send(client, method, url, body, **extra):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json", **extra)


@pytest.fixture
def renamed(make_occupation):
    """A published profile that was `old-name` and is now `new-name`."""
    occupation = make_occupation(slug="new-name", status=enums.PublicationStatus.PUBLISHED)
    changes.remember_former_slug(occupation.pk, "old-name")
    return occupation


def test_the_old_page_url_redirects_permanently_to_the_new_one_keeping_the_query(client, renamed):
    response = client.get("/occupations/old-name/?utm_source=mail")

    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert response["Location"] == "/occupations/new-name/?utm_source=mail"


def test_the_old_api_url_redirects_permanently_to_the_new_absolute_url(client, renamed, settings):
    settings.SITE_URL = "https://careers.example"

    response = client.get(f"{LIST_URL}old-name/")

    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert response["Location"] == f"https://careers.example{LIST_URL}new-name/"
    assert "new-name" in response.json()["detail"]


def test_a_write_to_the_old_api_url_is_a_308_so_the_client_repeats_it_unchanged(
    client, renamed, editor, token_header
):
    response = send(client, "patch", f"{LIST_URL}old-name/", {"title": "X"}, **token_header(editor))

    assert response.status_code == HTTPStatus.PERMANENT_REDIRECT
    assert response["Location"].endswith(f"{LIST_URL}new-name/")
    assert Occupation.objects.get(pk=renamed.pk).title != "X"


def test_a_slug_that_never_existed_is_still_a_404(client, renamed):
    assert client.get("/occupations/never-was/").status_code == HTTPStatus.NOT_FOUND
    assert client.get(f"{LIST_URL}never-was/").status_code == HTTPStatus.NOT_FOUND


def test_a_renamed_draft_does_not_reveal_its_new_slug_to_visitors(client, renamed):
    Occupation.objects.filter(pk=renamed.pk).update(status=enums.PublicationStatus.DRAFT)

    assert client.get("/occupations/old-name/").status_code == HTTPStatus.NOT_FOUND
    assert client.get(f"{LIST_URL}old-name/").status_code == HTTPStatus.NOT_FOUND


def test_a_former_slug_taken_by_another_profile_serves_it_and_follows_its_next_rename(
    client, renamed, make_occupation
):
    newcomer = make_occupation(slug="old-name", status=enums.PublicationStatus.PUBLISHED)

    assert client.get("/occupations/old-name/").status_code == HTTPStatus.OK
    Occupation.objects.filter(pk=newcomer.pk).update(slug="newcomer")
    changes.remember_former_slug(newcomer.pk, "old-name")

    assert client.get("/occupations/old-name/")["Location"] == "/occupations/newcomer/"
    assert FormerSlug.objects.get(slug="old-name").occupation == newcomer


def test_a_write_that_keeps_the_slug_records_nothing(client, editor, token_header, renamed):
    response = send(
        client, "patch", f"{LIST_URL}new-name/", {"title": "Renamed"}, **token_header(editor)
    )

    assert response.status_code == HTTPStatus.OK
    assert list(FormerSlug.objects.values_list("slug", flat=True)) == ["old-name"]


def test_an_api_rename_redirects_the_old_page_and_api_urls(
    client, editor, token_header, api_vocabulary, sector
):
    document = {
        "slug": "line-worker",
        "title": "Line Worker",
        "code": "49-9051",
        "sector": "energy",
        "summary": "Builds power lines.",
        "status": "published",
    }
    created = send(client, "post", LIST_URL, document, **token_header(editor))
    assert created.status_code == HTTPStatus.CREATED, created.json()

    renamed = send(
        client,
        "patch",
        f"{LIST_URL}line-worker/",
        {"slug": "lineworker"},
        **token_header(editor),
    )

    assert renamed.status_code == HTTPStatus.OK, renamed.json()
    assert renamed.json()["id"] == created.json()["id"]
    page = client.get("/occupations/line-worker/")
    assert (page.status_code, page["Location"]) == (
        HTTPStatus.MOVED_PERMANENTLY,
        "/occupations/lineworker/",
    )
    api = client.get(f"{LIST_URL}line-worker/")
    assert api.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert api["Location"] == f"http://testserver{LIST_URL}lineworker/"
    assert client.get(api["Location"]).json()["id"] == created.json()["id"]


def test_an_admin_rename_redirects_the_old_page_url(client, editor, published_occupation):
    # Created outside any write path: the admin records the old slug before it saves.
    client.force_login(editor)
    url = reverse("admin:occupations_occupation_change", args=[published_occupation.pk])
    data = form_data(client.get(url))
    data["slug"] = "load-controller"

    assert client.post(url, data).status_code == HTTPStatus.FOUND
    response = client.get("/occupations/load-dispatcher/")
    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert response["Location"] == "/occupations/load-controller/"


def test_an_old_page_url_is_resolved_in_two_queries(client, renamed, django_assert_num_queries):
    with django_assert_num_queries(2):  # the profile lookup (a miss), then its old slugs
        client.get("/occupations/old-name/")
