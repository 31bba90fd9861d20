"""Size, server time and query count of the admin change page of the largest demo profile.

Printed, never asserted. Runs in-process through Django's test client (no network): the
time is from request to complete response, which for this non-streaming page is also the
time to its first byte. Uses a throwaway SQLite database holding the demo fixtures, or an
EMPTY database of your own given with --database-url (e.g. PostgreSQL). Usage:
    .venv/bin/python scripts/measure_change_page.py [--requests 20] [--database-url URL]
"""

import argparse
import gzip
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
FIXTURES = ["vocabulary", "power-distributors-and-dispatchers", "distribution-system-operator"]
SLUG = "distribution-system-operator"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an EMPTY database to use instead of SQLite")
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="careergraph-measure-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careergraph.settings")
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{workdir}/measure.sqlite3"
    os.environ["DJANGO_DEBUG"] = "true"  # static files served by name, as under runserver
    sys.path.insert(0, str(BASE_DIR))

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from occupations.models import Occupation

    call_command("migrate", verbosity=0)
    call_command("loaddata", *FIXTURES, verbosity=0)
    user = get_user_model().objects.create_superuser("measure", "m@example.com", "x")
    client = Client()
    client.force_login(user)
    occupation = Occupation.objects.get(slug=SLUG)
    url = reverse("admin:occupations_occupation_change", args=[occupation.pk])

    client.get(url)  # warm the per-process caches (templates, content types)
    timings = []
    for _ in range(args.requests):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    html = response.content
    print(f"database: {connection.vendor}; page: {url} ({SLUG})")
    print(f"status: {response.status_code}")
    compressed = len(gzip.compress(html))
    print(f"HTML: {len(html) / 1024:.0f} KB uncompressed, {compressed / 1024:.0f} KB gzip")
    print(
        f"server time to first byte: median {statistics.median(timings):.0f} ms, "
        f"min {min(timings):.0f} ms, max {max(timings):.0f} ms over {args.requests} requests"
    )
    print(f"queries: {len(queries)}")
    controls = sum(html.count(tag) for tag in (b"<input", b"<select", b"<textarea"))
    print(f"form controls: {controls}")


if __name__ == "__main__":
    main()
