"""Speed figures for every public page and API read, printed, never asserted.

Datasets (each in a fresh database): `seed` (the two demo profiles), `onet` (the whole O*NET
27.0 catalogue, 1,016 profiles, from `load_demo_catalogue`), `10k` (10,000 profiles, for
search only). For each page, cached and uncached:

1. In-process: response size, queries, median and p95 ms per request through Django's test
   client (no network, no server): the view + middleware + template cost alone.
2. Over HTTP: requests/s and p99 with wrk against gunicorn -w 2, and the ratio to a bare view
   (/healthz) through the same middleware, measured in the same run; wrk and gunicorn share
   the machine's cores, so the ratio is the figure that carries over.

DEBUG off, hashed static files. SQLite files in a temporary directory by default; with
--postgres SERVER_URL each dataset gets its own database there (created and dropped).
    .venv/bin/python scripts/benchmark.py [--postgres postgresql://postgres@127.0.0.1:5432]
        [--database-prefix careergraph_bench] [--datasets seed,onet,10k] [--duration 5]
        [--no-wrk]
"""

import argparse
import json
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
ONET = BASE_DIR.parent / "shared" / "external-data" / "onet-27.0-full"
FIXTURES = ["vocabulary", "power-distributors-and-dispatchers", "distribution-system-operator"]
SEARCH_ONLY = {"search", "typo search", "API search"}
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
GOALS = """Goals (issue #10): cached profile, index, API detail >= 0.8x bare; uncached profile
>= 0.10x bare; every page <= 12 queries; at O*NET size: index <= 60 KB and <= 30 ms
in-process, search and typo search p95 <= 50 ms (also at 10k), sitemap sections <= 100 ms,
API search <= 50 ms."""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="a PostgreSQL server URL (databases are made there)")
    parser.add_argument(
        "--database-prefix",
        default="careergraph_bench",
        help="name prefix of the PostgreSQL databases made (and dropped) on that server",
    )
    parser.add_argument("--datasets", default="seed,onet,10k")
    parser.add_argument("--onet", default=str(ONET), help="directory of the O*NET text files")
    parser.add_argument("--requests", type=int, default=30, help="in-process requests per page")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--no-wrk", action="store_true", help="skip the HTTP figures")
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # internal: one dataset
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    return parser.parse_args()


def production_like_environment(database_url, static_root):
    """DEBUG off, hashed static files, no HTTPS redirect, and no API throttling."""
    return {
        "DJANGO_SETTINGS_MODULE": "careergraph.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,testserver",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_STATIC_ROOT": str(static_root),
        "DATABASE_URL": database_url,
        # The anonymous rate limit would turn most of a load test into 429 responses.
        "API_THROTTLE_ANON": "1000000/s",
        "API_THROTTLE_USER": "1000000/s",
        "DJANGO_LOG_LEVEL": "ERROR",
    }


# --- One dataset (runs in its own process: settings are read once) --------------------------


def load(dataset, onet):
    from django.core.management import call_command

    from occupations.changes import content_changed
    from occupations.models import Occupation

    call_command("migrate", interactive=False, verbosity=0)
    if dataset == "seed":
        call_command("loaddata", *FIXTURES, verbosity=0)
        content_changed(occupations=Occupation.objects.values_list("pk", flat=True))
    else:
        profiles = ["--profiles", "10000"] if dataset == "10k" else []
        call_command("load_demo_catalogue", "--onet", onet, *profiles, verbosity=0)


def pages(dataset):
    """{name: path} for this dataset; the biggest profile and the most-used skill."""
    from django.db.models import Count

    from occupations.models import Occupation, Skill

    profile = (
        Occupation.objects.annotate(rows=Count("duties", distinct=True))
        .order_by("-rows", "pk")
        .values_list("slug", flat=True)
        .first()
    )
    skill = (
        Skill.objects.annotate(uses=Count("occupation_links"))
        .order_by("-uses", "pk")
        .values_list("slug", flat=True)
        .first()
    )
    word = "dispatcher" if dataset == "seed" else "nurse"
    every = {
        "bare view": "/healthz",
        "index": "/",
        "search": f"/?q={word}",
        "typo search": "/?q=dispacher",
        "profile": f"/occupations/{profile}/",
        "skill page": f"/skills/{skill}/",
        "skill list": "/skills/",
        "sitemap index": "/sitemap.xml",
        "sitemap skills": "/sitemap-skills.xml",
        "API list": "/api/v1/occupations/",
        "API search": f"/api/v1/occupations/?search={word}",
        "API detail": f"/api/v1/occupations/{profile}/",
    }
    if dataset == "10k":
        return {name: path for name, path in every.items() if name in SEARCH_ONLY | {"bare view"}}
    return every


class QueryCounter:
    """A database execute wrapper that counts the queries run inside it."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def measure_in_process(paths, requests, cached):
    """{name: figures} via the test client, with the page cache on or off."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client, override_settings

    figures = {}
    client = Client(raise_request_exception=False)
    with override_settings(PAGE_CACHE_SECONDS=3600 if cached else 0):
        cache.clear()
        for name, path in paths.items():
            for _ in range(3):  # warm-up: templates, first connection, the cache itself
                response = client.get(path)
            queries = QueryCounter()
            with connection.execute_wrapper(queries):
                response = client.get(path)
            timings = []
            for _ in range(requests):
                start = time.perf_counter()
                client.get(path)
                timings.append((time.perf_counter() - start) * 1000)
            timings.sort()
            figures[name] = {
                "status": response.status_code,
                "kb": len(response.content) / 1024,
                "queries": queries.count,
                "median": statistics.median(timings),
                "p95": timings[max(0, int(len(timings) * 0.95) - 1)],
            }
    return figures


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_serving(url, process, seconds=30):
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
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{duration}s"]
    output = subprocess.run(  # noqa: S603 (fixed arguments, local URL)
        [*command, "--timeout=10s", "--latency", url], capture_output=True, text=True, check=True
    ).stdout
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if rate is None or "99" not in percentiles:
        raise SystemExit(f"Could not read the figures from wrk's output:\n{output}")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(rate.group(1)),
        "p99": to_ms(percentiles["99"]),
        "errors": int(errors.group(1)) if errors else 0,
    }


def measure_over_http(paths, args, cached):
    """{name: figures} with wrk against gunicorn, page cache on or off."""
    port = free_port()
    gunicorn = [
        str(BASE_DIR / ".venv" / "bin" / "gunicorn"),
        "careergraph.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={args.workers}",
        "--access-logfile=/dev/null",
        "--log-level=warning",
    ]
    env = {**os.environ, "PAGE_CACHE_SECONDS": str(3600 if cached else 0)}
    process = subprocess.Popen(gunicorn, cwd=BASE_DIR, env=env)  # noqa: S603
    figures = {}
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_serving(base + "/healthz", process)
        for name, path in paths.items():
            run_wrk(base + path, args, duration=1)  # warm-up, discarded
            figures[name] = run_wrk(base + path, args, duration=args.duration)
    finally:
        process.terminate()
        process.wait(timeout=15)
    return figures


def run_dataset(args):
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    started = time.perf_counter()
    load(args.worker, args.onet)
    loaded_in = time.perf_counter() - started
    paths = pages(args.worker)
    results = {"loaded_in": loaded_in, "paths": paths, "rows": {}}
    use_wrk = not args.no_wrk and shutil.which("wrk")
    for cached in (False, True):
        in_process = measure_in_process(paths, args.requests, cached)
        over_http = measure_over_http(paths, args, cached) if use_wrk else {}
        for name in paths:
            results["rows"][f"{name}|{'cached' if cached else 'uncached'}"] = {
                **in_process[name],
                **over_http.get(name, {}),
            }
    print(json.dumps(results))


# --- The parent: one process per dataset, one table -----------------------------------------


def database_for(args, dataset, workdir):
    if not args.postgres:
        return f"sqlite:///{workdir}/{dataset}.sqlite3", None
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", args.database_prefix):
        raise SystemExit("--database-prefix: lower-case letters, digits and underscores only")
    name = f"{args.database_prefix}_{dataset}_{os.getpid()}"
    server = args.postgres.rstrip("/")
    subprocess.run(  # noqa: S603
        ["psql", server + "/postgres", "-qc", f"CREATE DATABASE {name}"],  # noqa: S607
        check=True,
    )
    return f"{server}/{name}", name


def drop_database(args, name):
    if name:
        subprocess.run(  # noqa: S603
            ["psql", args.postgres.rstrip("/") + "/postgres", "-qc", f"DROP DATABASE {name}"],  # noqa: S607
            check=False,
        )


def print_table(headers, rows):
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]
    for row in [headers, *rows]:
        cells = (str(cell).rjust(width) for cell, width in zip(row, widths, strict=True))
        print("  " + "  ".join(cells))


def report(dataset, results, use_wrk):
    rows = []
    bare = {
        mode: results["rows"][f"bare view|{mode}"].get("rps") for mode in ("uncached", "cached")
    }
    for key, figures in results["rows"].items():
        name, mode = key.split("|")
        rps = figures.get("rps")
        ratio = f"{rps / bare[mode]:.2f}x" if rps and bare[mode] else ""
        status = "" if figures["status"] == 200 else f" (HTTP {figures['status']})"
        rows.append(
            (
                name + status,
                mode,
                f"{figures['kb']:.1f}",
                figures["queries"],
                f"{figures['median']:.1f}",
                f"{figures['p95']:.1f}",
                f"{rps:.0f}" if rps else "-",
                f"{figures['p99']:.1f}" if rps else "-",
                ratio or "-",
                figures.get("errors", "-") if use_wrk else "-",
            )
        )
    print(f"\n{dataset}: loaded in {results['loaded_in']:.0f} s")
    print_table(
        [
            "page",
            "cache",
            "KB",
            "queries",
            "ms med",
            "ms p95",
            "req/s",
            "p99 ms",
            "ratio",
            "non-2xx",
        ],
        rows,
    )


def main():
    args = parse_args()
    if args.worker:
        run_dataset(args)
        return
    use_wrk = not args.no_wrk and shutil.which("wrk") is not None
    if not args.no_wrk and not use_wrk:
        print("wrk is not installed: no requests/s, p99 or ratio figures below.")
        print("  Install it with `apt-get install -y wrk` and run this script again.")
    datasets = [name.strip() for name in args.datasets.split(",") if name.strip()]
    with tempfile.TemporaryDirectory(prefix="careergraph-bench-") as workdir:
        static_root = Path(workdir) / "static"
        env = production_like_environment("sqlite://", static_root)
        subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=BASE_DIR,
            env={**os.environ, **env},
            check=True,
        )
        print(f"Databases: {'PostgreSQL at ' + args.postgres if args.postgres else 'SQLite'}")
        print(f"Cache: {os.environ.get('REDIS_URL') or 'local memory (per worker)'}; DEBUG off")
        print("Load average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
        for dataset in datasets:
            database_url, created = database_for(args, dataset, workdir)
            try:
                command = [sys.executable, __file__, "--worker", dataset, "--onet", args.onet]
                for option in ("requests", "duration", "connections", "threads", "workers"):
                    command += [f"--{option}", str(getattr(args, option))]
                if not use_wrk:
                    command.append("--no-wrk")
                output = subprocess.run(  # noqa: S603
                    command,
                    cwd=BASE_DIR,
                    env={**os.environ, **production_like_environment(database_url, static_root)},
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if output.returncode != 0:
                    print(f"\n{dataset}: failed\n{output.stderr[-3000:]}")
                    continue
                report(dataset, json.loads(output.stdout.strip().splitlines()[-1]), use_wrk)
            finally:
                drop_database(args, created)
        print("\nLoad average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
        print(GOALS)


if __name__ == "__main__":
    main()
