"""With REDIS_URL set and Redis unreachable, pages and the API keep answering: the cache and
the API throttle fail open, with one logged warning per outage."""

import logging
import socket
from http import HTTPStatus

import pytest
from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle

pytestmark = pytest.mark.django_db

REDIS_DB = 8  # this project's own database number on the shared Redis


def closed_port():
    """A loopback port nothing listens on: connections are refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_cache(location):
    return {
        "default": {
            "BACKEND": "careergraph.cache.FailOpenRedisCache",
            "LOCATION": location,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@pytest.fixture
def unreachable_redis(settings):
    settings.CACHES = redis_cache(f"redis://127.0.0.1:{closed_port()}/0")


@pytest.fixture
def real_redis(settings):
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.CACHES = redis_cache(f"redis://127.0.0.1:6379/{REDIS_DB}")
    cache.clear()
    yield
    cache.clear()


def test_pages_and_the_api_answer_while_redis_is_unreachable(
    client, published_occupation, unreachable_redis, caplog
):
    with caplog.at_level(logging.WARNING, logger="careergraph.cache"):
        statuses = [
            client.get(url).status_code
            for url in ["/", published_occupation.get_absolute_url(), "/api/v1/occupations/"] * 3
        ]

    assert statuses == [HTTPStatus.OK] * 9
    warnings = [r for r in caplog.records if r.name == "careergraph.cache"]
    assert len(warnings) == 1
    assert "Redis is unreachable" in warnings[0].getMessage()


def test_the_throttle_fails_open_while_redis_is_unreachable(
    client, published_occupation, unreachable_redis, monkeypatch
):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/minute", "user": None})

    statuses = [client.get("/api/v1/occupations/").status_code for _ in range(4)]

    assert statuses == [HTTPStatus.OK] * 4


def test_the_cache_answers_like_an_empty_cache_while_redis_is_unreachable(unreachable_redis):
    cache.set("key", "value")

    assert cache.get("key", "fallback") == "fallback"
    assert cache.get_or_set("key", "computed") == "computed"
    assert cache.add("key", "value") is False
    assert cache.get_many(["a", "b"]) == {}
    assert cache.delete("key") is False
    with pytest.raises(ValueError, match="not found"):
        cache.incr("counter")


def test_with_redis_reachable_the_throttle_counts_there(
    client, published_occupation, real_redis, monkeypatch
):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/minute", "user": None})

    statuses = [client.get("/api/v1/occupations/").status_code for _ in range(3)]

    assert statuses == [HTTPStatus.OK, HTTPStatus.OK, HTTPStatus.TOO_MANY_REQUESTS]
