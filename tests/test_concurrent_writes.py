"""Parallel API writers over profiles that link to each other both ways: no deadlock, no
500, and every profile ends exactly as its last write left it (PostgreSQL)."""

import json
import threading
from collections import Counter
from http import HTTPStatus

import pytest
from django.db import connection
from django.test import Client
from rest_framework.authtoken.models import Token

from occupations import enums, models

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks and deadlocks are PostgreSQL's"
    ),
]

WRITERS = 8
PROFILES = 8
ROUNDS = 6


def related_body(index, round_):
    """Profile `index` links to every other profile (so each pair links both ways)."""
    others = [n for n in range(PROFILES) if n != index]
    rotated = others[round_ % len(others) :] + others[: round_ % len(others)]
    return {
        "related_occupations": [
            {"related": f"web-{n}", "kind": "similar", "note": f"round {round_}"} for n in rotated
        ],
        "summary": f"Round {round_} of writer {index}.",
    }


def test_eight_parallel_writers_on_linked_profiles_never_deadlock_or_fail(django_user_model):
    user = django_user_model.objects.create_superuser("writer", "w@example.com", "pw-123456789")
    token = Token.objects.create(user=user).key
    for n in range(PROFILES):
        models.Occupation.objects.create(
            title=f"Web {n}",
            slug=f"web-{n}",
            code="51-8012",
            summary="Start.",
            status=enums.PublicationStatus.PUBLISHED,
        )
    statuses = Counter()
    last_body = {}
    lock = threading.Lock()
    start = threading.Barrier(WRITERS)

    def writer(index):
        client = Client(HTTP_AUTHORIZATION=f"Token {token}")
        start.wait()
        try:
            for round_ in range(ROUNDS):
                body = related_body(index, round_)
                response = client.patch(
                    f"/api/v1/occupations/web-{index}/",
                    json.dumps(body),
                    content_type="application/json",
                )
                with lock:
                    statuses[response.status_code] += 1
                    if response.status_code == HTTPStatus.OK:
                        last_body[index] = body
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert statuses == {HTTPStatus.OK: WRITERS * ROUNDS}
    for index, body in last_body.items():
        occupation = models.Occupation.objects.get(slug=f"web-{index}")
        links = list(
            occupation.related_links.order_by("order").values_list("related__slug", "note")
        )
        assert links == [(row["related"], row["note"]) for row in body["related_occupations"]]
        assert occupation.summary == body["summary"]
        assert occupation.incoming_links.count() == PROFILES - 1
