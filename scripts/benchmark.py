"""Speed figures for the index, a profile page and the API list, printed, never asserted.

1. In-process: milliseconds per request and queries per request through Django's test
   client (no network, no server), so the figure is the view + template cost alone.
2. Over HTTP: requests/s and p50/p99 latency with wrk against gunicorn -w 2, when wrk is
   installed (`apt-get install -y wrk`); wrk and gunicorn share the machine's cores.

Both run with DEBUG off on a throwaway SQLite database holding the demo fixtures, or on an
empty database of your own given with --database-url (e.g. PostgreSQL). Usage:
    .venv/bin/python scripts/benchmark.py [--duration 10] [--database-url URL]
"""

import argparse
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
FIXTURES = ["vocabulary", "power-distributors-and-dispatchers", "distribution-system-operator"]
PAGES = {
    "index": "/",
    "profile": "/occupations/power-distributors-and-dispatchers/",
    "api list": "/api/v1/occupations/",
}
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an EMPTY database to use instead of SQLite")
    parser.add_argument("--requests", type=int, default=50, help="in-process requests per page")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--no-wrk", action="store_true", help="skip the HTTP figures")
    return parser.parse_args()


def production_like_environment(database_url):
    """DEBUG off, hashed static files, no HTTPS redirect, and no API throttling."""
    return {
        "DJANGO_SETTINGS_MODULE": "careergraph.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,testserver",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        # The anonymous rate limit would turn most of a load test into 429 responses.
        "API_THROTTLE_ANON": "1000000/s",
        "API_THROTTLE_USER": "1000000/s",
        "DJANGO_LOG_LEVEL": "ERROR",
    }


def prepare_database():
    from django.core.management import call_command

    from occupations.models import Occupation
    from occupations.search import update_search_vectors

    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("loaddata", *FIXTURES, verbosity=0)
    update_search_vectors(Occupation.objects.values_list("pk", flat=True))


def measure_in_process(requests):
    """Mean and median ms per request, and queries per request, via the test client."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(raise_request_exception=False)
    rows = []
    for name, path in PAGES.items():
        for _ in range(5):  # warm-up: template loading, first connection, caches
            response = client.get(path)
        if response.status_code != 200:
            rows.append((name, path, f"HTTP {response.status_code}", "", ""))
            continue
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        query_count = len(queries)  # now: the next request's request_started clears the log
        timings = []
        for _ in range(requests):
            start = time.perf_counter()
            client.get(path)
            timings.append((time.perf_counter() - start) * 1000)
        rows.append(
            (
                name,
                path,
                f"{statistics.mean(timings):.1f}",
                f"{statistics.median(timings):.1f}",
                str(query_count),
            )
        )
    print(f"\nIn-process (Django test client, {requests} requests per page after 5 warm-up)")
    print_table(["page", "path", "mean ms", "median ms", "queries"], rows)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_serving(url, process, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (our own 127.0.0.1 server)
                return
        except urllib.error.HTTPError:
            return  # it answers; the figures table shows the status
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer {url} within {seconds} s")


def to_ms(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS_MS[unit]


def run_wrk(url, args, duration):
    # A 10 s timeout (wrk's default is 2 s) so slow responses count in the latency figures.
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{duration}s",
        "--timeout=10s",
    ]
    output = subprocess.run(  # noqa: S603 (fixed arguments, local URL)
        [*command, "--latency", url], capture_output=True, text=True, check=True
    ).stdout
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if rate is None or set(percentiles) != {"50", "99"}:
        raise SystemExit(f"Could not read the figures from wrk's output:\n{output}")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.+)$", output, re.MULTILINE)
    return {
        "rps": float(rate.group(1)),
        "p50": to_ms(percentiles["50"]),
        "p99": to_ms(percentiles["99"]),
        "errors": int(errors.group(1)) if errors else 0,
        "socket errors": socket_errors.group(1) if socket_errors else "none",
    }


def measure_over_http(args, env):
    if shutil.which("wrk") is None:
        print("\nOver HTTP: wrk is not installed, so no requests/s or latency figures.")
        print("  Install it with `apt-get install -y wrk` and run this script again.")
        return
    port = free_port()
    gunicorn = [
        str(BASE_DIR / ".venv" / "bin" / "gunicorn"),
        "careergraph.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={args.workers}",
        "--access-logfile=/dev/null",
        "--log-level=warning",
    ]
    process = subprocess.Popen(gunicorn, cwd=BASE_DIR, env={**os.environ, **env})  # noqa: S603
    rows = []
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_serving(base + "/", process)
        for name, path in PAGES.items():
            run_wrk(base + path, args, duration=3)  # warm-up, discarded
            figures = run_wrk(base + path, args, duration=args.duration)
            rows.append(
                (
                    name,
                    path,
                    f"{figures['rps']:.0f}",
                    f"{figures['p50']:.1f}",
                    f"{figures['p99']:.1f}",
                    str(figures["errors"]),
                    figures["socket errors"],
                )
            )
    finally:
        process.terminate()
        process.wait(timeout=15)
    print(
        f"\nOver HTTP (gunicorn -w {args.workers}, wrk -t{args.threads} -c{args.connections} "
        f"-d{args.duration}s after a 3 s warm-up; wrk shares the {os.cpu_count()} cores)"
    )
    print_table(["page", "path", "req/s", "p50 ms", "p99 ms", "non-2xx", "socket errors"], rows)


def print_table(headers, rows):
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]
    for row in [headers, *rows]:
        cells = (str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
        print("  " + "  ".join(cells))


def main():
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="careergraph-bench-") as workdir:
        database_url = args.database_url or f"sqlite:///{workdir}/db.sqlite3"
        env = production_like_environment(database_url)
        os.environ.update(env)
        sys.path.insert(0, str(BASE_DIR))
        import django

        django.setup()
        prepare_database()
        print(f"Database: {database_url.split('@')[-1]}; DEBUG off; demo fixtures loaded.")
        # Other work on the machine skews every figure below; say how busy it was.
        print("Load average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
        measure_in_process(args.requests)
        if not args.no_wrk:
            measure_over_http(args, env)


if __name__ == "__main__":
    main()
