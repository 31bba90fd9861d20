"""Load the whole O*NET 27.0 catalogue through the API with parallel writers, then rewrite
every profile's related occupations in parallel (profiles that point at each other).

    .venv/bin/python scripts/api_load_test.py                  # PostgreSQL on 127.0.0.1:5432
    .venv/bin/python scripts/api_load_test.py --limit 200 --writers 8

Creates a throwaway PostgreSQL database, migrates it, creates the shared records the
documents name (8,630 technology skills, the O*NET source, sectors) and an editor token,
starts gunicorn (2 workers, production settings) on a free loopback port, then:
  1. POSTs one whole document per O*NET occupation (title, code, description, alternate
     titles, tasks as duties, technology skills, the source): ~100 rows each;
  2. PATCHes every profile's related_occupations (O*NET's Related Occupations, which point
     both ways) from the same number of parallel writers.
Prints, per phase, how many requests succeeded, were refused (4xx) or failed (5xx), and the
latency percentiles. Drops the database at the end. Measurement only: no assertions.
"""

import argparse
import csv
import http.client
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ONET = ROOT.parent / "shared" / "external-data" / "onet-27.0-full"
SOURCE_SLUG = "onet-27-0-database"


def read_tsv(folder, name):
    with open(folder / name, encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)


def slug_of(text, limit=200):
    from django.utils.text import slugify

    return slugify(text)[:limit].strip("-") or "x"


def build_documents(folder, limit):
    """{code: document} for the first `limit` occupations, and the skills they name."""
    occupations = list(read_tsv(folder, "Occupation Data.txt"))[:limit]
    codes = {row["O*NET-SOC Code"] for row in occupations}
    per_code = defaultdict(lambda: defaultdict(list))
    for row in read_tsv(folder, "Alternate Titles.txt"):
        if row["O*NET-SOC Code"] in codes:
            per_code[row["O*NET-SOC Code"]]["alternate_titles"].append(row["Alternate Title"])
    for row in read_tsv(folder, "Task Statements.txt"):
        if row["O*NET-SOC Code"] in codes:
            per_code[row["O*NET-SOC Code"]]["duties"].append(row["Task"])
    skills = {}
    for row in read_tsv(folder, "Technology Skills.txt"):
        slug = slug_of(row["Example"])
        skills.setdefault(slug, row["Example"][:200])
        if row["O*NET-SOC Code"] in codes:
            per_code[row["O*NET-SOC Code"]]["skills"].append(slug)
    documents = {}
    for row in occupations:
        code, rows = row["O*NET-SOC Code"], per_code[row["O*NET-SOC Code"]]
        documents[code] = {
            "slug": slug_of(f"{row['Title']} {code}"),
            "title": row["Title"][:200],
            "code": code,
            "code_classification": "O*NET-SOC",
            "sector": f"soc-{code[:2]}",
            "summary": row["Description"],
            "status": "published",
            "alternate_titles": [
                {"title": title[:200], "source": SOURCE_SLUG}
                for title in dict.fromkeys(rows["alternate_titles"])
            ],
            "duties": [{"text": text, "source": SOURCE_SLUG} for text in rows["duties"]],
            "skills": [
                {"skill": slug, "group": "technical", "source": SOURCE_SLUG}
                for slug in dict.fromkeys(rows["skills"])
            ],
            "sources": [{"document": SOURCE_SLUG, "note": "Title, tasks, technology skills."}],
        }
    related = defaultdict(list)
    for row in read_tsv(folder, "Related Occupations.txt"):
        source, target = row["O*NET-SOC Code"], row["Related O*NET-SOC Code"]
        if source in documents and target in documents:
            related[source].append(
                {
                    "related": documents[target]["slug"],
                    "kind": "similar",
                    "note": f"{row['Relatedness Tier']}, rank {row['Index']}",
                }
            )
    return documents, skills, related


def prepare_database(skills):
    """Shared records and an editor token, written straight through the ORM."""
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from occupations import models

    call_command("migrate", verbosity=0)
    models.Source.objects.create(
        name="O*NET 27.0 Database", slug=SOURCE_SLUG, publisher="USDOL/ETA"
    )
    models.Sector.objects.bulk_create(
        models.Sector(name=f"SOC major group {major}", slug=f"soc-{major}")
        for major in sorted({f"{n:02d}" for n in range(11, 56)})
    )
    models.Skill.objects.bulk_create(
        (models.Skill(name=name, slug=slug) for slug, name in skills.items()), batch_size=2000
    )
    user = User.objects.create_user("load-editor", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return Token.objects.create(user=user).key


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not start on port {port}")


def run_phase(name, port, token, requests, writers):
    """Send (method, path, body) requests from `writers` threads; print the figures."""
    queue = list(reversed(requests))
    lock = threading.Lock()
    statuses, latencies, errors = Counter(), [], Counter()

    def worker():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        while True:
            with lock:
                if not queue:
                    break
                method, path, body = queue.pop()
            started = time.perf_counter()
            try:
                connection.request(method, path, json.dumps(body), headers)
                response = connection.getresponse()
                payload = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status, payload = 599, str(error).encode()
            elapsed = time.perf_counter() - started
            with lock:
                statuses[status] += 1
                latencies.append(elapsed * 1000)
                if status >= 400:
                    errors[(status, payload[:200].decode(errors="replace"))] += 1
        connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    ok = sum(n for status, n in statuses.items() if status < 400)
    refused = sum(n for status, n in statuses.items() if 400 <= status < 500)
    failed = sum(n for status, n in statuses.items() if status >= 500)
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    print(
        f"{name:<34} {len(latencies):>6} requests  ok {ok:>5}  refused {refused:>4}  "
        f"5xx {failed:>4}  p50 {quantiles[49]:7.1f} ms  p99 {quantiles[98]:7.1f} ms  "
        f"{len(latencies) / wall:6.1f} req/s  ({wall:.0f} s)"
    )
    for (status, text), count in errors.most_common(5):
        print(f"    {count} × {status}: {text}")
    return failed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--onet", type=Path, default=ONET)
    parser.add_argument("--limit", type=int, default=None, help="first N occupations only")
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432")
    args = parser.parse_args()

    documents, skills, related = build_documents(args.onet, args.limit)
    database = f"careergraph_load_{os.getpid()}"
    subprocess.run(
        ["psql", f"{args.pg}/postgres", "-qc", f"CREATE DATABASE {database}"], check=True
    )
    env = {
        **os.environ,
        "DATABASE_URL": f"{args.pg}/{database}",
        "DJANGO_SETTINGS_MODULE": "careergraph.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": f"load-test-{secrets.token_hex(24)}",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "API_THROTTLE_ANON": "1000000/minute",
        "API_THROTTLE_USER": "1000000/minute",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    server = None
    try:
        token = prepare_database(skills)
        port = free_port()
        server = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "careergraph.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--access-logfile",
                "/dev/null",
            ],
            cwd=ROOT,
            env=env,
        )
        wait_for(port)
        rows = sum(
            len(d["alternate_titles"]) + len(d["duties"]) + len(d["skills"]) + 1
            for d in documents.values()
        )
        print(
            f"{len(documents)} occupations, {rows / len(documents):.0f} rows each on average, "
            f"{len(skills)} shared skills; {args.writers} parallel writers; gunicorn 2 workers"
        )
        failed = run_phase(
            "POST whole documents",
            port,
            token,
            [("POST", "/api/v1/occupations/", d) for d in documents.values()],
            args.writers,
        )
        failed += run_phase(
            "PATCH related_occupations",
            port,
            token,
            [
                (
                    "PATCH",
                    f"/api/v1/occupations/{documents[code]['slug']}/",
                    {"related_occupations": links},
                )
                for code, links in related.items()
            ],
            args.writers,
        )
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        subprocess.run(
            ["psql", f"{args.pg}/postgres", "-qc", f"DROP DATABASE {database} WITH (FORCE)"],
            check=False,
        )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
