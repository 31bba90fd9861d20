"""Settings come from the environment, with safe defaults and a hard stop without a secret."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
    "DJANGO_ALLOWED_HOSTS": "careers.example.org",
}


def environment_without_django_settings():
    """The test process's environment minus anything that configures Django."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.pop("DATABASE_URL", None)
    return clean


def run_python(code, **env):
    clean_env = environment_without_django_settings()
    return subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean_env, "DJANGO_SETTINGS_MODULE": "careergraph.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_as_json(*names, **env):
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}, default=str))"
    )
    result = run_python(code, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_without_debug_the_site_refuses_to_start_without_a_secret_key():
    result = run_python("import django; django.setup()", DJANGO_DEBUG="false")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_local_defaults_are_debug_with_an_sqlite_file_in_the_project():
    values = settings_as_json("DEBUG", "DATABASES")

    assert values["DEBUG"] is True
    database = values["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == str(ROOT / "db.sqlite3")


def test_database_url_selects_postgresql_with_a_connection_pool():
    values = settings_as_json(
        "DATABASES", DATABASE_URL="postgresql://app:secret@db.internal:5433/careers"
    )

    database = values["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"]) == (
        "db.internal",
        5433,
        "careers",
    )
    assert database["CONN_MAX_AGE"] == 0


def test_the_postgresql_pool_checks_connections_and_gives_up_within_a_second():
    values = settings_as_json(
        "DATABASES", DATABASE_URL="postgresql://app:secret@db.internal:5433/careers"
    )

    database = values["DATABASES"]["default"]
    assert database["CONN_HEALTH_CHECKS"] is True  # Django passes check_connection to the pool
    assert database["OPTIONS"]["pool"]["timeout"] <= 1
    assert database["OPTIONS"]["connect_timeout"] <= 2


def test_the_trusted_proxy_count_sets_both_the_lockout_and_the_throttle_address():
    default = settings_as_json("TRUSTED_PROXY_COUNT", "REST_FRAMEWORK")
    behind_one = settings_as_json(
        "TRUSTED_PROXY_COUNT", "REST_FRAMEWORK", DJANGO_TRUSTED_PROXY_COUNT="1"
    )

    assert default["TRUSTED_PROXY_COUNT"] == default["REST_FRAMEWORK"]["NUM_PROXIES"] == 0
    assert behind_one["TRUSTED_PROXY_COUNT"] == behind_one["REST_FRAMEWORK"]["NUM_PROXIES"] == 1


def test_allowed_hosts_come_from_a_comma_separated_variable():
    values = settings_as_json("ALLOWED_HOSTS", DJANGO_ALLOWED_HOSTS="a.example, b.example")

    assert values["ALLOWED_HOSTS"] == ["a.example", "b.example"]


def test_deploy_checks_pass_under_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**environment_without_django_settings(), **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
