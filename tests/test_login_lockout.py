"""Brute force: 5 failed logins lock a username and an address, on the admin and the API;
the client's address cannot be chosen with a header; the token endpoint is throttled."""

from http import HTTPStatus

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.core.management import call_command
from rest_framework.throttling import SimpleRateThrottle

from careergraph.cache import redis_answers_again

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = "/admin/login/"
TOKEN_URL = "/api/v1/auth/token/"
LIMIT = 5


@pytest.fixture(autouse=True)
def _fresh_throttle_cache():
    cache.clear()
    # A clear that took longer than the socket timeout on a loaded machine would otherwise
    # leave the throttle failing open for the test.
    redis_answers_again()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Every attempt checks a password: the real hasher would make this file take a minute.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def admin_login(client, username, password, address="203.0.113.7", **headers):
    return client.post(
        ADMIN_LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
        **headers,
    )


def token_login(client, username, password, address="203.0.113.7", **headers):
    return client.post(
        TOKEN_URL, {"username": username, "password": password}, REMOTE_ADDR=address, **headers
    )


def test_the_fifth_wrong_admin_password_locks_the_account_with_a_clear_message(client, superuser):
    statuses = [admin_login(client, "sue", "wrong").status_code for _ in range(LIMIT)]
    right_password = admin_login(client, "sue", "super-pass-123")

    assert statuses == [HTTPStatus.OK] * (LIMIT - 1) + [HTTPStatus.TOO_MANY_REQUESTS]
    assert right_password.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "Login locked" in right_password.text
    assert "ask an administrator to unlock it" in right_password.text
    assert "_auth_user_id" not in client.session


def test_four_failures_do_not_lock_and_the_right_password_still_works(client, superuser):
    for _ in range(LIMIT - 1):
        admin_login(client, "sue", "wrong")

    response = admin_login(client, "sue", "super-pass-123")

    assert response.status_code == HTTPStatus.FOUND
    assert client.session["_auth_user_id"] == str(superuser.pk)


def test_a_username_is_locked_even_when_each_guess_comes_from_another_address(client, superuser):
    for number in range(LIMIT):
        admin_login(client, "sue", "wrong", address=f"198.51.100.{number}")

    response = admin_login(client, "sue", "super-pass-123", address="192.0.2.99")

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_an_address_is_locked_after_failures_on_different_usernames(client, superuser, editor):
    for number in range(LIMIT):
        admin_login(client, f"guess-{number}", "wrong")

    same_address = admin_login(client, "sue", "super-pass-123")
    other_address = admin_login(client, "sue", "super-pass-123", address="192.0.2.99")

    assert same_address.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert other_address.status_code == HTTPStatus.FOUND


def test_a_spoofed_forwarded_for_header_does_not_change_the_counted_address(client, superuser):
    for number in range(LIMIT):
        admin_login(client, f"guess-{number}", "wrong", HTTP_X_FORWARDED_FOR=f"10.0.0.{number}")

    response = admin_login(client, "sue", "super-pass-123", HTTP_X_FORWARDED_FOR="10.9.9.9")

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


def test_behind_one_trusted_proxy_the_address_is_the_one_the_proxy_saw(client, superuser, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.1"

    for number in range(LIMIT):
        # The client wrote the left part; the proxy appended the address it saw.
        admin_login(
            client,
            f"guess-{number}",
            "wrong",
            address=proxy,
            HTTP_X_FORWARDED_FOR=f"1.2.3.{number}, 203.0.113.7",
        )
    locked = admin_login(
        client, "sue", "super-pass-123", address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.7"
    )
    other_client = admin_login(
        client, "sue", "super-pass-123", address=proxy, HTTP_X_FORWARDED_FOR="192.0.2.1"
    )

    assert locked.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert other_client.status_code == HTTPStatus.FOUND


def test_an_administrator_unlocks_a_username_with_the_management_command(client, superuser):
    for _ in range(LIMIT):
        admin_login(client, "sue", "wrong")

    call_command("axes_reset_username", "sue")
    call_command("axes_reset_ip", "203.0.113.7")

    assert admin_login(client, "sue", "super-pass-123").status_code == HTTPStatus.FOUND


def test_an_administrator_unlocks_by_deleting_the_access_attempt_in_the_admin(
    client, superuser, editor
):
    for _ in range(LIMIT):
        admin_login(client, "edna", "wrong", address="198.51.100.1")
    client.force_login(superuser)
    attempt = AccessAttempt.objects.get(username="edna")

    client.post(
        f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"}, REMOTE_ADDR="192.0.2.5"
    )
    client.logout()

    assert not AccessAttempt.objects.exists()
    response = admin_login(client, "edna", "editor-pass-123", address="198.51.100.1")
    assert response.status_code == HTTPStatus.FOUND


# --- The token endpoint ----------------------------------------------------------------------


def test_the_token_endpoint_locks_out_after_five_failures_with_429_and_retry_after(client, editor):
    statuses = [token_login(client, "edna", "wrong").status_code for _ in range(LIMIT)]
    right_password = token_login(client, "edna", "editor-pass-123")

    assert statuses == [HTTPStatus.BAD_REQUEST] * (LIMIT - 1) + [HTTPStatus.TOO_MANY_REQUESTS]
    assert right_password.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "locked for 15 minutes" in right_password.json()["detail"]
    assert int(right_password["Retry-After"]) == 15 * 60


def test_failures_on_the_api_and_the_admin_count_towards_one_lockout(client, editor):
    for _ in range(LIMIT - 2):
        token_login(client, "edna", "wrong")
    admin_login(client, "edna", "wrong")

    last_failure = token_login(client, "edna", "wrong")

    assert last_failure.status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_the_right_password_gets_a_token_before_the_limit(client, editor):
    token_login(client, "edna", "wrong")

    response = token_login(client, "edna", "editor-pass-123")

    assert response.status_code == HTTPStatus.OK
    assert response.json()["token"]


def test_the_token_endpoint_is_throttled_per_address_with_retry_after(client, editor, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"auth": "3/minute"})

    statuses = [
        token_login(
            client, "edna", "editor-pass-123", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}"
        ).status_code
        for n in range(4)
    ]
    from_elsewhere = token_login(client, "edna", "editor-pass-123", address="192.0.2.1")

    assert statuses == [HTTPStatus.OK] * 3 + [HTTPStatus.TOO_MANY_REQUESTS]
    assert from_elsewhere.status_code == HTTPStatus.OK


def test_the_throttle_tells_how_long_to_wait(client, editor, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"auth": "1/minute"})
    token_login(client, "edna", "editor-pass-123")

    response = token_login(client, "edna", "editor-pass-123")

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert 0 < int(response["Retry-After"]) <= 60


def test_a_spoofed_forwarded_for_header_does_not_reset_the_anonymous_throttle(
    client, published_occupation, monkeypatch
):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/minute", "user": None})

    statuses = [
        client.get("/api/v1/occupations/", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code
        for n in range(5)
    ]

    assert statuses == [HTTPStatus.OK] * 2 + [HTTPStatus.TOO_MANY_REQUESTS] * 3


@pytest.mark.parametrize(
    "username", ["x" * 300, "nul\x00byte", "ünïcödé", "' OR 1=1 --", ""], ids=repr
)
def test_hostile_usernames_are_counted_without_a_server_error(client, username):
    admin = admin_login(client, username, "wrong")
    api = token_login(client, username, "wrong")

    assert admin.status_code == HTTPStatus.OK
    assert api.status_code == HTTPStatus.BAD_REQUEST
