"""While PostgreSQL is unreachable: 503 with Retry-After at once, and back when it returns.

Without this, every request waits for the pool's timeout and then fails with a 500, each
worker is busy for that long (static files queue behind it), and the pool's reconnect
back-off brings the site back many seconds after the database. Here a request that fails
because the database cannot be reached opens a circuit: later requests get the 503 page
without touching the database, and at most one request per PROBE_INTERVAL tries a plain
connection (refused at once while the server is down). The first probe that connects
closes the circuit, and the next request gets a fresh connection pool.
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
    return isinstance(exc, OperationalError | InterfaceError)


def database_reachable():
    """One short connection outside the pool. Other databases than PostgreSQL are local."""
    if connection.vendor != "postgresql":
        return True
    try:
        psycopg.connect(**connection.get_connection_params()).close()
    except psycopg.Error:
        return False
    return True


def note_database_error():
    """Open the circuit if the database cannot be reached (not for, say, a cancelled query)."""
    if circuit.is_open or database_reachable():
        return
    circuit.open()
    # The pool's reconnect attempts back off to many seconds; a new pool after the
    # outage connects at once.
    if connection.vendor == "postgresql" and connection.pool is not None:
        connection.close_pool()


def unavailable_response(request):
    """503 with Retry-After: JSON under /api/, a static page elsewhere (no database, no
    context processors)."""
    note_database_error()
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    if request.path.startswith(API_PREFIX):
        return JsonResponse(
            {"detail": "The database is unavailable; retry in a few seconds."},
            status=HTTPStatus.SERVICE_UNAVAILABLE,
            headers=headers,
        )
    html = loader.get_template("503.html").render(
        {"csp_nonce": getattr(request, "csp_nonce", ""), "retry_after": RETRY_AFTER_SECONDS}
    )
    return HttpResponse(html, status=HTTPStatus.SERVICE_UNAVAILABLE, headers=headers)


class DatabaseOutageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if circuit.is_open:
            if not circuit.claim_probe() or not database_reachable():
                return unavailable_response(request)
            circuit.close()
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_error(exception):
            return unavailable_response(request)
        return None
