"""Time, rows per second and peak memory of the three imports on a fresh database, printed.

Creates (and afterwards drops) a PostgreSQL database, migrates it, loads the demo fixtures,
runs import_onet, import_oews and import_ai_exposure on the whole shared data, then runs all
three again (a re-run must change nothing). Each import runs as its own process, so its peak
memory (max RSS) and CPU time are its own. Usage:
    .venv/bin/python scripts/benchmark_imports.py \
        [--server postgresql://postgres@127.0.0.1:5432] [--data ../shared/external-data]
"""

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
FIXTURES = ["vocabulary", "power-distributors-and-dispatchers", "distribution-system-operator"]
SUMMARY = re.compile(
    r"profiles: (\d+) created, (\d+) updated, (\d+) unchanged\s+rows: (\d+) created, (\d+) updated"
)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--data", type=Path, default=BASE_DIR.parent / "shared" / "external-data")
    parser.add_argument("--database", default=f"careergraph_import_bench_{os.getpid()}")
    return parser.parse_args()


def imports(data):
    return [
        ("import_onet", data / "onet-27.0-full"),
        ("import_oews", data / "bls-oews-2023-full" / "national_M2023_dl.xlsx"),
        ("import_ai_exposure", data / "gpts-are-gpts"),
    ]


def manage(env, *args):
    """Run manage.py; return (stdout, wall seconds, CPU seconds, peak RSS in MiB)."""
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 - our own manage.py with our own arguments
        [sys.executable, "manage.py", *map(str, args)],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"manage.py {' '.join(map(str, args))} failed:\n{out}")
    return out, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def psql(server, sql):
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(sql)


def main():
    args = parse_args()
    env = {**os.environ, "DATABASE_URL": f"{args.server}/{args.database}", "DJANGO_DEBUG": "false"}
    env.setdefault("DJANGO_SECRET_KEY", "benchmark-only-" + os.urandom(24).hex())
    psql(args.server, f'CREATE DATABASE "{args.database}"')
    try:
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "loaddata", *FIXTURES, "-v", "0")
        print(f"database {args.database} (fresh), data from {args.data}")
        columns = f"{'wall s':>8}{'cpu s':>8}{'rows':>9}{'rows/s':>9}{'peak MiB':>10}"
        print(f"{'run':<24}{columns}  profiles")
        totals = {}
        for label in ("first run", "re-run"):
            total_wall = 0.0
            for command, path in imports(args.data):
                out, wall, cpu, peak = manage(env, command, path)
                match = SUMMARY.search(out)
                created, updated, unchanged, rows_created, rows_updated = map(int, match.groups())
                rows = rows_created + rows_updated
                total_wall += wall
                print(
                    f"{label + ' ' + command[7:]:<24}{wall:>8.1f}{cpu:>8.1f}{rows:>9}"
                    f"{rows / wall:>9.0f}{peak:>10.0f}  {created} created, {updated} updated,"
                    f" {unchanged} unchanged"
                )
            totals[label] = total_wall
        print(f"total: first run {totals['first run']:.1f} s, re-run {totals['re-run']:.1f} s")
    finally:
        psql(args.server, f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
