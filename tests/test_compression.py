"""Brotli and gzip for public responses; nothing that may carry a secret is compressed."""

import gzip

import brotli
import pytest

from careergraph.compression import negotiated_encoding
from occupations import enums

pytestmark = pytest.mark.django_db

INDEX = "/"


@pytest.fixture
def profile(make_occupation):
    return make_occupation(status=enums.PublicationStatus.PUBLISHED)


def test_brotli_is_used_when_the_client_accepts_it(client, profile):
    plain = client.get(INDEX).content
    response = client.get(INDEX, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response["Content-Encoding"] == "br"
    assert brotli.decompress(response.content) == plain
    assert int(response["Content-Length"]) == len(response.content) < len(plain)


def test_gzip_is_used_when_the_client_accepts_only_gzip(client, profile):
    plain = client.get("/api/v1/occupations/").content
    response = client.get("/api/v1/occupations/", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.content) == plain


def test_without_accept_encoding_the_response_is_plain_and_varies_on_it(client, profile):
    response = client.get(INDEX)
    assert not response.has_header("Content-Encoding")
    assert "Accept-Encoding" in response["Vary"]


def test_a_signed_in_client_gets_uncompressed_responses(editor_client, profile):
    response = editor_client.get(INDEX, HTTP_ACCEPT_ENCODING="br, gzip")
    assert not response.has_header("Content-Encoding")


def test_a_page_with_a_csrf_token_is_not_compressed(client):
    response = client.get("/admin/login/", HTTP_ACCEPT_ENCODING="br, gzip")
    assert b"csrfmiddlewaretoken" in response.content
    assert not response.has_header("Content-Encoding")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", ""),
        ("gzip", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("br;q=0.5, gzip;q=1", "br"),
        ("*", "br"),
        ("identity", ""),
        ("gzip;q=0", ""),
        ("br;q=nonsense, gzip", "gzip"),
        (",,;;", ""),
    ],
)
def test_the_encoding_follows_accept_encoding(rf, header, expected):
    assert negotiated_encoding(rf.get("/", HTTP_ACCEPT_ENCODING=header)) == expected
