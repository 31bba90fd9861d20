"""Server time and query count of a section save on the admin change page, alone and
after another editor saved another section (the edit guard then compares the opened
revision with the profile and lets the save go ahead), for imported O*NET profiles.

Printed, never asserted; a throwaway SQLite database (or an EMPTY one given with
--database-url), as scripts/measure_change_page.py. Usage:
    .venv/bin/python scripts/measure_edit_guard.py [--saves 5] [--database-url URL]
        [--onet-code 51-9061.00 ...] [--section duties ...]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from measure_change_page import BASE_DIR, ONET_CODES, ONET_DIR, onet_excerpt


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an EMPTY database to use instead of SQLite")
    parser.add_argument("--saves", type=int, default=5)
    parser.add_argument("--onet-code", action="append", help="O*NET-SOC codes to import")
    parser.add_argument("--section", action="append", help="sections to save")
    args = parser.parse_args()
    # 51-9061.00: the most rows besides alternate titles (whose 2,749 rows need paging).
    codes = args.onet_code or ONET_CODES[1:]
    sections = args.section or ["duties", "skills"]

    workdir = Path(tempfile.mkdtemp(prefix="careergraph-measure-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careergraph.settings")
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{workdir}/measure.sqlite3"
    sys.path[:0] = [str(BASE_DIR), str(BASE_DIR / "tests")]

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from test_admin import change_url, form_data, form_errors

    from imports.services import ImportOptions, import_onet
    from occupations.models import Occupation

    call_command("migrate", verbosity=0)
    call_command("loaddata", "vocabulary", verbosity=0)
    import_onet(ImportOptions(path=onet_excerpt(ONET_DIR, codes, workdir / "onet"), release="27.0"))
    users = get_user_model().objects
    mine, theirs = Client(), Client()
    mine.force_login(users.create_superuser("edna", "e@example.com", "x"))
    theirs.force_login(users.create_superuser("otto", "o@example.com", "x", first_name="Otto"))

    def save(client, occupation, section, **changes):
        data = {**form_data(client.get(change_url(occupation, section))), **changes}
        return data, lambda: client.post(change_url(occupation, section), data)

    print(f"database: {connection.vendor}; {args.saves} saves each")
    print(
        f"{'profile':<12} {'section':<8} {'rows':>5} {'other save':<11} {'median ms':>10} "
        f"{'max ms':>7} {'queries':>8}"
    )
    for occupation in Occupation.objects.filter(onet_soc_code__in=codes).order_by("title"):
        for section in sections:
            for elsewhere in (False, True):
                timings, queries, rows = [], 0, 0
                for number in range(args.saves):
                    data, post = save(mine, occupation, section)
                    rows = sum(int(v) for k, v in data.items() if k.endswith("-INITIAL_FORMS"))
                    prefix = next(k for k in data if k.endswith("-0-id")).rsplit("-", 2)[0]
                    # The first row's text (or title) gets a new word each save.
                    text = next(f for f in ("title", "text", "note") if f"{prefix}-0-{f}" in data)
                    data[f"{prefix}-0-{text}"] = f"{data[f'{prefix}-0-{text}']} {number}"
                    if elsewhere:
                        _, other = save(theirs, occupation, "overview", summary=f"v{number}")
                        assert other().status_code == 302
                    with CaptureQueriesContext(connection) as captured:
                        start = time.perf_counter()
                        response = post()
                        timings.append((time.perf_counter() - start) * 1000)
                    assert response.status_code == 302, form_errors(response)
                    queries = len(captured)
                print(
                    f"{occupation.onet_soc_code:<12} {section:<8} {rows:>5} "
                    f"{'yes' if elsewhere else 'no':<11} {statistics.median(timings):>10.0f} "
                    f"{max(timings):>7.0f} {queries:>8}"
                )


if __name__ == "__main__":
    main()
