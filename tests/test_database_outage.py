"""A database outage is a fast 503 with Retry-After (JSON on the API), never a 500, and the
site is back within 2 s of PostgreSQL returning."""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from http import HTTPStatus
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import OperationalError
from django.test import Client, override_settings
from django.urls import path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny

from careergraph import database_outage
from careergraph import urls as project_urls

ROOT = Path(__file__).resolve().parent.parent
PGBIN = Path("/usr/lib/postgresql/15/bin")
ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def _lost_database(request):
    raise OperationalError("connection refused")


@api_view(["GET"])
@permission_classes([AllowAny])
def _lost_database_api(request):
    raise OperationalError("connection refused")


urlpatterns = [
    path("broken-db/", _lost_database),
    path("api/v1/broken-db/", _lost_database_api),
    *project_urls.urlpatterns,
]
handler500 = project_urls.handler500


@pytest.fixture
def outage_client():
    with override_settings(ROOT_URLCONF=__name__):
        yield Client(raise_request_exception=False)
    database_outage.circuit.close()


@pytest.mark.django_db
def test_a_lost_database_is_a_503_page_with_retry_after(outage_client):
    response = outage_client.get("/broken-db/")

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response["Retry-After"] == str(database_outage.RETRY_AFTER_SECONDS)
    assert "Back in a moment" in response.text


@pytest.mark.django_db
def test_a_lost_database_behind_the_api_is_a_json_503_with_retry_after(outage_client):
    response = outage_client.get("/api/v1/broken-db/")

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response["Retry-After"] == str(database_outage.RETRY_AFTER_SECONDS)
    assert "database is unavailable" in response.json()["detail"]


@pytest.mark.django_db
def test_while_the_circuit_is_open_requests_get_the_503_without_a_query(
    outage_client, django_assert_num_queries, monkeypatch
):
    monkeypatch.setattr(database_outage, "database_reachable", lambda: False)
    database_outage.circuit.open()

    with django_assert_num_queries(0):
        response = outage_client.get("/api/v1/occupations/")

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE


@pytest.mark.django_db
def test_the_first_probe_that_connects_closes_the_circuit(outage_client):
    database_outage.circuit.open()
    database_outage.circuit.next_probe = 0  # the probe interval has passed

    response = outage_client.get("/api/v1/occupations/")

    assert response.status_code == HTTPStatus.OK
    assert not database_outage.circuit.is_open


# --- A real outage: a throwaway PostgreSQL cluster under gunicorn ----------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def as_postgres(*command):
    """PostgreSQL refuses to run as root: run its tools as the postgres OS user then."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run([*prefix, *map(str, command)], check=True, capture_output=True)  # noqa: S603


class Cluster:
    def __init__(self, directory):
        self.data = Path(directory) / "pgdata"
        self.port = free_port()
        self.data.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.data, "postgres", "postgres")
        as_postgres(
            PGBIN / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8"
        )

    def start(self):
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.data}"
        as_postgres(
            PGBIN / "pg_ctl", "-D", self.data, "-l", self.data / "log", "-w", "-o", options, "start"
        )

    def stop(self):
        as_postgres(PGBIN / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def sql(self, statement, dbname="postgres"):
        dsn = f"host=127.0.0.1 port={self.port} user=postgres dbname={dbname}"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(statement)


def get(url, timeout=5):
    """(status, headers) of a GET, whatever the status."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()
    except (urllib.error.URLError, TimeoutError):  # not listening (yet), or too slow
        return None, {}, b""


def wait_for(url, status, limit):
    """Seconds until `url` answers `status`, polling every 50 ms; None after `limit` s."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if get(url)[0] == status:
            return time.monotonic() - started
        time.sleep(0.05)
    return None


class Load:
    """Two clients requesting pages and the API in a loop, keeping every status and how long
    each answer took."""

    def __init__(self, base):
        self.urls = [f"{base}/", f"{base}/api/v1/occupations/"]
        self.answers = []
        self.running = True
        self.threads = [threading.Thread(target=self.run, args=(url,)) for url in self.urls]

    def run(self, url):
        while self.running:
            started = time.monotonic()
            status = get(url)[0]
            self.answers.append((status, time.monotonic() - started))
            time.sleep(0.02)

    @property
    def statuses(self):
        return [status for status, _ in self.answers]

    def slowest(self, status):
        return max((took for answer, took in self.answers if answer == status), default=0.0)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.running = False
        for thread in self.threads:
            thread.join()


@pytest.mark.skipif(not ON_POSTGRESQL, reason="a PostgreSQL outage needs PostgreSQL")
@pytest.mark.skipif(not PGBIN.exists(), reason=f"no PostgreSQL 15 binaries in {PGBIN}")
def test_postgresql_stopping_and_returning_under_gunicorn():
    workdir = Path(tempfile.mkdtemp(prefix="careergraph-outage-"))
    workdir.chmod(0o755)  # the postgres user must reach its data directory
    cluster = Cluster(workdir)
    server = None
    try:
        cluster.start()
        cluster.sql("CREATE DATABASE outage")
        port = free_port()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{cluster.port}/outage",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "outage-test-only-not-a-real-secret-key-0123456789abcdef",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_STATIC_ROOT": str(workdir / "static"),
            "API_THROTTLE_ANON": "1000000/minute",
        }
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)  # noqa: S603
        collectstatic = [*manage, "collectstatic", "--noinput", "-v", "0"]
        subprocess.run(collectstatic, cwd=ROOT, env=env, check=True)  # noqa: S603
        server = subprocess.Popen(  # noqa: S603
            [
                Path(sys.executable).parent / "gunicorn",
                "careergraph.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stderr=open(workdir / "gunicorn.log", "wb"),  # noqa: SIM115
        )
        base = f"http://127.0.0.1:{port}"
        assert wait_for(f"{base}/", HTTPStatus.OK, limit=20) is not None

        with Load(base) as load:
            time.sleep(0.5)
            cluster.stop()
            to_503 = wait_for(f"{base}/", HTTPStatus.SERVICE_UNAVAILABLE, limit=10)
            api_status, api_headers, api_body = get(f"{base}/api/v1/occupations/")
            static_status = get(f"{base}/static/css/site.css")[0]
            time.sleep(1)
            cluster.start()
            to_recover = wait_for(f"{base}/", HTTPStatus.OK, limit=10)
            api_after = wait_for(f"{base}/api/v1/occupations/", HTTPStatus.OK, limit=10)
            time.sleep(0.5)
        load_500s = load.statuses.count(HTTPStatus.INTERNAL_SERVER_ERROR)
        slowest_503 = load.slowest(HTTPStatus.SERVICE_UNAVAILABLE)
        log = (workdir / "gunicorn.log").read_text()
        if "Traceback" in log:
            print(log[-6000:])

        cluster.sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = 'outage' AND pid <> pg_backend_pid()"
        )
        after_terminate = [get(f"{base}/")[0] for _ in range(20)]

        print(
            f"\nPostgreSQL outage under gunicorn (2 workers): 503 after {to_503:.2f} s "
            f"(slowest 503 under load {slowest_503:.2f} s), "
            f"static file {static_status} during the outage, back {to_recover:.2f} s after "
            f"PostgreSQL (API {api_after:.2f} s), {load_500s} x 500 in {len(load.statuses)} "
            f"requests under load, after pg_terminate_backend: {after_terminate.count(200)}/20 "
            f"x 200, {after_terminate.count(500)} x 500"
        )
        assert to_503 is not None
        assert to_503 < 2
        assert slowest_503 < 2
        assert api_status == HTTPStatus.SERVICE_UNAVAILABLE
        assert api_headers["Retry-After"]
        assert json.loads(api_body)["detail"]
        assert static_status == HTTPStatus.OK
        assert to_recover is not None
        assert to_recover < 2
        assert api_after is not None
        assert api_after < 2
        assert load_500s == 0
        assert after_terminate == [HTTPStatus.OK] * 20
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        try:
            cluster.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(workdir, ignore_errors=True)
