"""Security headers: a Content-Security-Policy without unsafe-inline or unsafe-eval on every
page, and an MDN HTTP Observatory grade of at least 130 (A+) under production settings."""

from http import HTTPStatus

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from careergraph import database_outage
from careergraph.errors import server_error
from tests import observatory

pytestmark = pytest.mark.django_db

GRADED_PAGES = {
    "index": lambda occupation: "/",
    "profile": lambda occupation: occupation.get_absolute_url(),
    "admin login": lambda occupation: "/admin/login/",
    "API list": lambda occupation: "/api/v1/occupations/",
}
ORIGIN = "https://http-observatory.example"


@pytest.fixture
def production_https(settings):
    """The settings the site runs with when debug is off (careergraph/settings.py)."""
    for name, value in settings.HTTPS_SETTINGS.items():
        setattr(settings, name, value)


def observe(client, url):
    return observatory.grade(
        https=client.get(url, secure=True),
        http=client.get(url),
        cors=client.get(url, secure=True, HTTP_ORIGIN=ORIGIN),
    )


@pytest.mark.parametrize("page_name", GRADED_PAGES)
def test_every_graded_page_scores_at_least_130_on_the_observatory_rules(
    client, published_occupation, production_https, page_name
):
    url = GRADED_PAGES[page_name](published_occupation)
    assert client.get(url, secure=True).status_code == HTTPStatus.OK

    grade = observe(client, url)

    print(f"\nObservatory v6 score for {page_name} ({url}): {grade.score} ({grade.letter})")
    for test, result in grade.results.items():
        print(f"  {observatory.MODIFIERS[result]:+4d}  {test}: {result}")
    assert grade.score >= 130, grade.results


def test_the_scorer_grades_django_defaults_without_our_headers_below_a(settings):
    """The scorer can fail: a bare response with only Django's defaults is not an A."""
    request = RequestFactory().get("/", secure=True)
    bare = HttpResponse("<p>hi</p>")
    bare.wsgi_request = request
    bare.headers["X-Content-Type-Options"] = "nosniff"
    bare.headers["X-Frame-Options"] = "DENY"
    plain = HttpResponse("")
    plain.wsgi_request = RequestFactory().get("/")

    grade = observatory.grade(https=bare, http=plain, cors=bare)

    assert grade.score == 100 - 25 - 20 - 20  # no CSP, no redirect to HTTPS, no HSTS
    assert grade.results["content-security-policy"] == "csp-not-implemented"


def test_the_scorer_reads_unsafe_inline_in_script_src_as_unsafe():
    response = HttpResponse()
    response.headers["Content-Security-Policy"] = "default-src 'none'; script-src 'unsafe-inline'"

    assert observatory.csp_result(response) == "csp-implemented-with-unsafe-inline"


@pytest.mark.parametrize(
    "url",
    ["/", "/skills/", "/compare/", "/admin/login/", "/api/v1/occupations/", "/no-such-page/"],
)
def test_no_page_allows_inline_script_or_eval(client, url):
    policy = client.get(url)["Content-Security-Policy"]

    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy
    assert "default-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy


def test_swagger_ui_runs_without_any_inline_code(client):
    page = client.get("/api/docs/")
    policy = page["Content-Security-Policy"]
    nonce = policy.split("'nonce-")[1].split("'")[0]

    assert "'unsafe-inline'" not in policy
    assert f'<style nonce="{nonce}">' in page.text
    assert "<script>" not in page.text
    assert client.get("/api/docs/?script=")["Content-Type"].startswith("application/javascript")


def test_redoc_may_build_styles_but_never_run_inline_script(client):
    policy = client.get("/api/docs/redoc/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))

    assert "'unsafe-inline'" in directives["style-src"]
    assert directives["script-src"] == "'self'"


def test_the_error_pages_inline_style_carries_the_nonce_of_the_policy(client, settings):
    settings.DEBUG = False

    for response in [
        server_error(with_nonce(RequestFactory().get("/"))),
        database_outage.unavailable_response(with_nonce(RequestFactory().get("/"))),
    ]:
        assert 'style nonce="abc123"' in response.content.decode()


def with_nonce(request):
    request.csp_nonce = "abc123"
    return request


def test_pages_cannot_be_embedded_by_other_sites(client):
    response = client.get("/")

    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Referrer-Policy"] == "same-origin"


def test_cookies_are_secure_httponly_and_same_site_in_production(client, production_https):
    response = client.get("/admin/login/", secure=True)
    csrf = response.cookies["csrftoken"]

    assert csrf["secure"]
    assert csrf["samesite"] == "Lax"
    assert observatory.cookies_result(response) == (
        "cookies-secure-with-httponly-sessions-and-samesite"
    )
