"""Two gunicorn nodes on one PostgreSQL and one Redis: what one node writes, the other shows
on its next response, and both count the same throttle. Needs PostgreSQL and REDIS_URL
(CI runs it in its Redis leg); skipped elsewhere."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from http import HTTPStatus
from pathlib import Path

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from occupations import enums
from occupations.changes import content_changed

BASE_DIR = Path(__file__).resolve().parent.parent
ANON_RATE = 6

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"),
        reason="needs PostgreSQL and REDIS_URL (shared database and cache)",
    ),
]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(url, method="GET", body=None, headers=None):
    """(status, headers, body) of one request; HTTP errors are answers too."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(req, timeout=10) as response:  # noqa: S310 (loopback only)
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def wait_until_serving(url, process, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            request(url)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {seconds} s")


@pytest.fixture
def two_nodes():
    """Two app nodes on this test's database and the shared Redis; yields their base URLs."""
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgresql://{database['USER']}@{database['HOST']}:{database['PORT']}/"
            f"{database['NAME']}"
        ),
        # Debug on only to skip collectstatic (a minute of compressing the API docs' assets
        # on a busy CI machine); what is shared between nodes does not depend on it.
        "DJANGO_DEBUG": "true",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "API_THROTTLE_ANON": f"{ANON_RATE}/minute",
        "DJANGO_LOG_LEVEL": "ERROR",
    }
    processes, urls = [], []
    try:
        for _ in range(2):
            port = free_port()
            processes.append(
                subprocess.Popen(  # noqa: S603
                    [
                        str(Path(sys.executable).with_name("gunicorn")),
                        "careergraph.wsgi:application",
                        f"--bind=127.0.0.1:{port}",
                        "--workers=1",
                        "--access-logfile=/dev/null",
                    ],
                    cwd=BASE_DIR,
                    env=env,
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
        for url, process in zip(urls, processes, strict=True):
            wait_until_serving(url + "/robots.txt", process)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=15)


@pytest.fixture
def published(make_occupation):
    occupation = make_occupation(
        title="Grid Dispatcher", slug="grid-dispatcher", status=enums.PublicationStatus.PUBLISHED
    )
    content_changed(occupations=[occupation.pk])  # autocommit: the version moves at once
    return occupation


def test_an_edit_through_one_node_is_on_the_other_nodes_next_response(
    two_nodes, published, django_user_model
):
    node_a, node_b = two_nodes
    user = django_user_model.objects.create_superuser("root", "root@example.com", "x-pass-123")
    token = Token.objects.create(user=user)
    page = "/occupations/grid-dispatcher/"
    status, _, body = request(node_b + page)
    assert status == HTTPStatus.OK
    assert b"Grid Dispatcher" in body
    status, _, _ = request(node_b + page)  # now cached on the shared Redis

    status, _, body = request(
        node_a + "/api/v1/occupations/grid-dispatcher/",
        method="PATCH",
        body={"title": "Grid Controller"},
        headers={"Authorization": f"Token {token.key}", "Content-Type": "application/json"},
    )
    assert status == HTTPStatus.OK, body

    status, _, body = request(node_b + page)
    assert b"Grid Controller" in body
    assert b"Grid Dispatcher" not in body


def test_both_nodes_count_one_shared_anonymous_throttle(two_nodes, published):
    node_a, node_b = two_nodes
    statuses = [
        # A different query each time, so every request reaches the API (no cache hit).
        request(f"{(node_a, node_b)[n % 2]}/api/v1/occupations/?n={n}")[0]
        for n in range(ANON_RATE + 1)
    ]
    assert statuses[:ANON_RATE] == [HTTPStatus.OK] * ANON_RATE
    assert statuses[ANON_RATE] == HTTPStatus.TOO_MANY_REQUESTS
