"""Size, server time and query count of every section of the admin change page, for the
largest demo profile and for imported O*NET profiles.

Printed, never asserted. Runs in-process through Django's test client (no network): the
time is from request to complete response, which for this non-streaming page is also the
time to its first byte. Uses a throwaway SQLite database holding the demo fixtures plus the
O*NET 27.0 rows of the given occupations (imported from the full database in
../shared/external-data), or an EMPTY database of your own given with --database-url (e.g.
PostgreSQL). The defaults are the O*NET occupation with the most rows (51-9199.00: 2,749
alternate titles) and the one with the most rows besides titles (51-9061.00). Usage:
    .venv/bin/python scripts/measure_change_page.py [--requests 20] [--database-url URL]
        [--onet-code 51-9061.00 ...] [--onet-dir PATH] [--no-onet] [--whole-profile]
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
ONET_DIR = BASE_DIR.parent / "shared" / "external-data" / "onet-27.0-full"
ONET_CODES = ["51-9199.00", "51-9061.00"]
# The files the O*NET importer reads; the ones keyed by occupation are cut to ONET_CODES.
ONET_FILES = [
    "Occupation Data.txt",
    "Alternate Titles.txt",
    "Task Statements.txt",
    "Technology Skills.txt",
    "Related Occupations.txt",
    "Job Zones.txt",
    "Education, Training, and Experience.txt",
]
ONET_REFERENCE_FILES = [
    "Job Zone Reference.txt",
    "Education, Training, and Experience Categories.txt",
]


def onet_excerpt(source: Path, codes: list[str], target: Path) -> Path:
    """The importer's files holding only the rows of `codes` (header lines kept)."""
    target.mkdir(parents=True, exist_ok=True)
    prefixes = tuple(f"{code}\t" for code in codes)
    for name in ONET_FILES:
        lines = (source / name).read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [lines[0], *(line for line in lines[1:] if line.startswith(prefixes))]
        (target / name).write_text("".join(kept), encoding="utf-8")
    for name in ONET_REFERENCE_FILES:
        (target / name).write_bytes((source / name).read_bytes())
    return target


def measure(client, url, requests):
    """(status, HTML bytes, timings in ms, query count) of GETs of `url`."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm the per-process caches (templates, content types)
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response.status_code, response.content, timings, len(queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an EMPTY database to use instead of SQLite")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--onet-code", action="append", help="O*NET-SOC codes to import")
    parser.add_argument("--onet-dir", type=Path, default=ONET_DIR)
    parser.add_argument("--no-onet", action="store_true", help="measure the demo profile only")
    parser.add_argument(
        "--whole-profile", action="store_true", help="also measure ?section=all (slow)"
    )
    args = parser.parse_args()
    codes = [] if args.no_onet else (args.onet_code or ONET_CODES)

    workdir = Path(tempfile.mkdtemp(prefix="careergraph-measure-"))
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
    from django.urls import reverse

    from imports.services import ImportOptions, import_onet
    from occupations.admin_sections import SECTIONS, WHOLE_PROFILE, section_query
    from occupations.models import Occupation

    call_command("migrate", verbosity=0)
    call_command("loaddata", *FIXTURES, verbosity=0)
    profiles = [Occupation.objects.get(slug=SLUG)]
    if codes and args.onet_dir.exists():
        excerpt = onet_excerpt(args.onet_dir, codes, workdir / "onet")
        import_onet(ImportOptions(path=excerpt, release="27.0"))
        profiles += list(Occupation.objects.filter(onet_soc_code__in=codes).order_by("title"))
    elif codes:
        print(f"{args.onet_dir} not found: measuring the demo profile only")
    user = get_user_model().objects.create_superuser("measure", "m@example.com", "x")
    client = Client()
    client.force_login(user)

    slugs = [section.slug for section in SECTIONS]
    if args.whole_profile:
        slugs.append(WHOLE_PROFILE)
    print(f"database: {connection.vendor}; {args.requests} timed requests per page")
    for occupation in profiles:
        url = reverse("admin:occupations_occupation_change", args=[occupation.pk])
        print(f"\n{occupation.title} ({occupation.onet_soc_code or occupation.slug}), {url}")
        print(
            f"{'section':<10} {'status':>6} {'KB':>7} {'KB gzip':>8} "
            f"{'median ms':>10} {'max ms':>7} {'queries':>8} {'controls':>9}"
        )
        for slug in slugs:
            status, html, timings, queries = measure(
                client, url + section_query(slug), args.requests
            )
            controls = sum(html.count(tag) for tag in (b"<input", b"<select", b"<textarea"))
            print(
                f"{slug:<10} {status:>6} {len(html) / 1024:>7.0f} "
                f"{len(gzip.compress(html)) / 1024:>8.1f} {statistics.median(timings):>10.0f} "
                f"{max(timings):>7.0f} {queries:>8} {controls:>9}"
            )


if __name__ == "__main__":
    main()
