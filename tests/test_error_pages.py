"""Visitors who hit a missing page or a server error get a page of the site, not Django's."""

from http import HTTPStatus

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


def test_a_missing_page_offers_the_way_back_to_the_occupations(client, settings):
    settings.DEBUG = False

    response = client.get("/occupations/no-such-occupation/")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "Page not found" in response.text
    assert 'href="/"' in response.text
    assert '<meta name="robots" content="noindex">' in response.text


def test_the_server_error_page_renders_without_touching_the_database(
    django_assert_num_queries,
):
    request = RequestFactory().get("/")

    with django_assert_num_queries(0):
        response = server_error(request)

    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert b"Something went wrong" in response.content
