"""Who may do what: every role x every endpoint x every method -> the exact status."""

import json
from http import HTTPStatus

import pytest
from django.core.cache import cache

from occupations.models import RatingDimension

pytestmark = pytest.mark.django_db

OK = HTTPStatus.OK
CREATED = HTTPStatus.CREATED
NO_CONTENT = HTTPStatus.NO_CONTENT
UNAUTHORIZED = HTTPStatus.UNAUTHORIZED
FORBIDDEN = HTTPStatus.FORBIDDEN
NOT_ALLOWED = HTTPStatus.METHOD_NOT_ALLOWED

ROLES = ["anonymous", "editor", "staff_without_permissions", "superuser"]
VOCABULARY = {
    "sectors": "energy",
    "skills": "scada",
    "qualifications": "nerc",
    "visas": "h-1b",
    "growth-areas": "storage",
    "glossary-terms": "load",
    "rating-dimensions": "dimension-1",
    "sources": "bls-handbook",
}

# (endpoint, method) -> status for anonymous, editor, staff without permissions, superuser.
# Permission checks run before method dispatch, so a method the endpoint lacks is still a
# 401/403 for those who could not use it anyway.
OCCUPATION_MATRIX = {
    ("list", "get"): (OK, OK, OK, OK),
    ("list", "post"): (UNAUTHORIZED, CREATED, FORBIDDEN, CREATED),
    ("list", "put"): (UNAUTHORIZED, NOT_ALLOWED, FORBIDDEN, NOT_ALLOWED),
    ("list", "patch"): (UNAUTHORIZED, NOT_ALLOWED, FORBIDDEN, NOT_ALLOWED),
    ("list", "delete"): (UNAUTHORIZED, NOT_ALLOWED, FORBIDDEN, NOT_ALLOWED),
    ("detail", "get"): (OK, OK, OK, OK),
    ("detail", "post"): (UNAUTHORIZED, NOT_ALLOWED, FORBIDDEN, NOT_ALLOWED),
    ("detail", "put"): (UNAUTHORIZED, OK, FORBIDDEN, OK),
    ("detail", "patch"): (UNAUTHORIZED, OK, FORBIDDEN, OK),
    ("detail", "delete"): (UNAUTHORIZED, NO_CONTENT, FORBIDDEN, NO_CONTENT),
}
# The vocabulary is read only here (it is edited in the admin): anyone reads, nobody writes.
VOCABULARY_MATRIX = {
    ("list", "get"): (OK,) * 4,
    ("detail", "get"): (OK,) * 4,
    **{
        (endpoint, method): (NOT_ALLOWED,) * 4
        for endpoint in ["list", "detail"]
        for method in ["post", "put", "patch", "delete"]
    },
}


def cases(matrix, resource):
    for (endpoint, method), statuses in matrix.items():
        for role, status in zip(ROLES, statuses, strict=True):
            yield pytest.param(
                resource,
                endpoint,
                method,
                role,
                status,
                id=f"{resource}-{endpoint}-{method}-{role}",
            )


@pytest.fixture(autouse=True)
def _fresh_throttle_cache():
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Hundreds of users are made here; the real hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def credentials(request, token_header):
    def for_role(role):
        if role == "anonymous":
            return {}
        return token_header(request.getfixturevalue(role))

    return for_role


@pytest.mark.parametrize(
    ("resource", "endpoint", "method", "role", "expected"),
    [*cases(OCCUPATION_MATRIX, "occupations")],
)
def test_each_role_gets_the_expected_status_on_occupations(
    client, make_rich_occupation, credentials, resource, endpoint, method, role, expected
):
    occupation = make_rich_occupation()
    url = (
        f"/api/v1/occupations/{occupation.slug}/"
        if endpoint == "detail"
        else "/api/v1/occupations/"
    )
    # A valid body: the profile's own document (under a new slug for POST).
    body = client.get(f"/api/v1/occupations/{occupation.slug}/").json()
    if method == "post":
        body = {**body, "slug": "a-new-profile", "related_occupations": []}
    cache.clear()  # that GET counted towards the throttle

    response = request(client, method, url, body, credentials(role))

    assert response.status_code == expected, response.content[:300]
    if expected == UNAUTHORIZED:
        assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize(
    ("resource", "endpoint", "method", "role", "expected"),
    [case for resource in VOCABULARY for case in cases(VOCABULARY_MATRIX, resource)],
)
def test_each_role_gets_the_expected_status_on_the_vocabulary(
    client, api_vocabulary, sector, credentials, resource, endpoint, method, role, expected
):
    RatingDimension.objects.create(name="Dimension 1", slug="dimension-1")
    url = f"/api/v1/{resource}/"
    if endpoint == "detail":
        url += f"{VOCABULARY[resource]}/"

    response = request(client, method, url, {"name": "New", "slug": "new"}, credentials(role))

    assert response.status_code == expected, response.content[:300]


def request(client, method, url, body, auth):
    if method == "get":
        return client.get(url, **auth)
    return getattr(client, method)(url, json.dumps(body), content_type="application/json", **auth)
