"""Django's Redis cache, failing open: while Redis is unreachable it behaves as an empty
cache (and so the API throttle lets requests through) instead of failing every request."""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

# After a failure, Redis is left alone this long: a blackholed server would otherwise cost
# every cache call its socket timeout.
RETRY_AFTER_SECONDS = 5

logger = logging.getLogger(__name__)


class FailOpenRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._skip_until = 0.0
        self._failing = False

    def answers_again(self):
        """Forget a failure: the next call asks Redis again (for tests)."""
        self._skip_until = 0.0
        self._failing = False

    def _guarded(self, call, fallback, *args, **kwargs):
        if time.monotonic() < self._skip_until:
            return fallback
        try:
            result = call(*args, **kwargs)
        except RedisError as error:
            self._skip_until = time.monotonic() + RETRY_AFTER_SECONDS
            if not self._failing:
                self._failing = True
                logger.warning(
                    "Redis is unreachable (%s): no cache and no API throttling until it "
                    "answers again.",
                    error,
                )
            return fallback
        if self._failing:
            self._failing = False
            logger.warning("Redis answers again: cache and API throttling are back.")
        return result

    def get(self, key, default=None, version=None):
        return self._guarded(super().get, default, key, default, version)

    def get_many(self, keys, version=None):
        return self._guarded(super().get_many, {}, keys, version)

    def has_key(self, key, version=None):
        return self._guarded(super().has_key, False, key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._guarded(super().set, None, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(super().set_many, list(data), data, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(super().add, False, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(super().touch, False, key, timeout, version)

    def delete(self, key, version=None):
        return self._guarded(super().delete, False, key, version)

    def delete_many(self, keys, version=None):
        self._guarded(super().delete_many, None, keys, version)

    def clear(self):
        return self._guarded(super().clear, False)

    def incr(self, key, delta=1, version=None):
        missing = object()
        result = self._guarded(super().incr, missing, key, delta, version)
        if result is missing:
            raise ValueError(f"Key '{key}' not found (Redis is unreachable).")
        return result


def redis_answers_again() -> None:
    """Every fail-open Redis cache of this process asks Redis again at its next call (tests
    share one process: a timeout in one must not switch caching and throttling off in the
    next)."""
    from django.core.cache import caches

    for backend in caches.all(initialized_only=True):
        if isinstance(backend, FailOpenRedisCache):
            backend.answers_again()
