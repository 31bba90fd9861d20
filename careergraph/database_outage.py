"""While PostgreSQL is unreachable: 503 with Retry-After at once, and back when it returns.

Without this, every request waits for the pool's timeout and then fails with a 500, each
worker is busy for that long (static files queue behind it), and the pool's reconnect
back-off brings the site back many seconds after the database. Here a request that fails
because the database cannot be reached opens a circuit: later requests get the 503 page
without touching the database, and at most one request per PROBE_INTERVAL tries a plain
connection (refused at once while the server is down). The first probe that connects
closes the circuit, and the next request gets a fresh connection pool.

A connection that breaks while the server is up (a restart between two requests,
pg_terminate_backend) is not an outage: the pool's other idle connections are checked, and a
GET or HEAD is answered again once with a good connection instead of with a 503.
"""

import logging
import threading
import time
from http import HTTPStatus

import psycopg
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.template import loader

RETRY_AFTER_SECONDS = 2
PROBE_INTERVAL = 0.5
API_PREFIX = "/api/"
SAFE_METHODS = {"GET", "HEAD"}

logger = logging.getLogger(__name__)


class Circuit:
    """Whether this process believes the database is down, and when to look again."""

    def __init__(self):
        self._lock = threading.Lock()
        self.open_since = None
        self.next_probe = 0.0

    @property
    def is_open(self):
        return self.open_since is not None

    def open(self):
        with self._lock:
            if self.open_since is None:
                self.open_since = time.monotonic()
                logger.warning("The database is unreachable: answering 503 until it returns.")
            self.next_probe = time.monotonic() + PROBE_INTERVAL

    def close(self):
        with self._lock:
            if self.open_since is not None:
                down_for = time.monotonic() - self.open_since
                logger.warning("The database is back after %.1f s.", down_for)
            self.open_since = None

    def claim_probe(self):
        """True for the one caller that may probe now."""
        with self._lock:
            now = time.monotonic()
            if now < self.next_probe:
                return False
            self.next_probe = now + PROBE_INTERVAL
            return True


circuit = Circuit()


def is_database_error(exc):
    """Django's wrapped errors, or psycopg's own where Django does not wrap them (the pool's
    timeout from a middleware, say)."""
    return isinstance(exc, OperationalError | InterfaceError | psycopg.OperationalError)


def database_reachable():
    """One short connection outside the pool. Other databases than PostgreSQL are local."""
    if connection.vendor != "postgresql":
        return True
    try:
        psycopg.connect(**connection.get_connection_params()).close()
    except psycopg.Error:
        return False
    return True


def has_pool():
    return connection.vendor == "postgresql" and bool(
        connection.settings_dict["OPTIONS"].get("pool")
    )


def note_database_error(request):
    """Open the circuit if the database cannot be reached; otherwise mark the request for
    one more try (not for, say, a cancelled query, which is not retried)."""
    if circuit.is_open:
        return
    if database_reachable():
        if has_pool():
            # Its other idle connections most likely broke at the same moment: psycopg_pool
            # would wait out its back-off on each of them.
            connection.pool.check()
        request.database_connection_lost = True
        return
    circuit.open()
    # The pool's reconnect attempts back off to many seconds; a new pool after the
    # outage connects at once.
    if has_pool():
        connection.close_pool()


def unavailable_response(request):
    """503 with Retry-After: JSON under /api/, a static page elsewhere (no database, no
    context processors)."""
    note_database_error(getattr(request, "_request", request))  # a DRF Request wraps it
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    if request.path.startswith(API_PREFIX):
        return JsonResponse(
            {"detail": "The database is unavailable; retry in a few seconds."},
            status=HTTPStatus.SERVICE_UNAVAILABLE,
            headers=headers,
        )
    html = loader.get_template("503.html").render({"csp_nonce": getattr(request, "csp_nonce", "")})
    return HttpResponse(html, status=HTTPStatus.SERVICE_UNAVAILABLE, headers=headers)


class DatabaseOutageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if circuit.is_open:
            if not circuit.claim_probe() or not database_reachable():
                return unavailable_response(request)
            circuit.close()
        response = self.get_response(request)
        if getattr(request, "database_connection_lost", False) and request.method in SAFE_METHODS:
            request.database_connection_lost = False
            response = self.get_response(request)
        return response

    def process_exception(self, request, exception):
        if is_database_error(exception):
            return unavailable_response(request)
        return None
