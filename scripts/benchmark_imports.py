"""Time, rows per second and peak memory of the three imports on a fresh database, printed.

Creates (and afterwards drops) a PostgreSQL database, migrates it, loads the demo fixtures,
runs import_onet, import_oews and import_ai_exposure on the whole shared data, then runs all
three again (a re-run must change nothing). Each import runs as its own process, so its peak
memory (max RSS) and CPU time are its own; the load average is printed beside each figure (the
machine is shared). Usage:
    .venv/bin/python scripts/benchmark_imports.py \
        [--server postgresql://postgres@127.0.0.1:5432] [--data ../shared/external-data] \
        [--database NAME] [--dry-run] [--profile DIR]
--dry-run also times a dry run of each import just before the real one.
--profile DIR runs every import under cProfile and writes DIR/<run>-<source>.prof (read them
with `python -m pstats`); the figures then include the profiler's overhead.
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
    parser.add_argument(
        "--database",
        default=f"cg_import_bench_{os.getpid()}",
        help="Created, then dropped (default: %(default)s).",
    )
    parser.add_argument("--dry-run", action="store_true", help="Also time dry runs.")
    parser.add_argument("--profile", type=Path, help="Write cProfile statistics here.")
    return parser.parse_args()


def imports(data):
    return [
        ("import_onet", data / "onet-27.0-full"),
        ("import_oews", data / "bls-oews-2023-full" / "national_M2023_dl.xlsx"),
        ("import_ai_exposure", data / "gpts-are-gpts"),
    ]


def manage(env, *args, profile=None):
    """Run manage.py; return (stdout, wall seconds, CPU seconds, peak RSS in MiB)."""
    profiler = ["-m", "cProfile", "-o", str(profile)] if profile else []
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 - our own manage.py with our own arguments
        [sys.executable, *profiler, "manage.py", *map(str, args)],
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
        columns = f"{'wall s':>8}{'cpu s':>8}{'rows':>9}{'rows/s':>9}{'peak MiB':>10}{'load':>6}"
        print(f"{'run':<24}{columns}  profiles")
        totals = {}
        if args.profile:
            args.profile.mkdir(parents=True, exist_ok=True)
        for label in ("first run", "re-run"):
            total_wall = 0.0
            for command, path in imports(args.data):
                # A dry run just before the real one sees the same database as it does.
                for dry in (True, False) if args.dry_run else (False,):
                    run = f"{'dry ' if dry else ''}{label} {command[7:]}"
                    profile = (
                        args.profile / f"{run.replace(' ', '-')}.prof" if args.profile else None
                    )
                    extra = ["--dry-run"] if dry else []
                    out, wall, cpu, peak = manage(env, command, path, *extra, profile=profile)
                    match = SUMMARY.search(out)
                    created, updated, unchanged, rows_created, rows_updated = map(
                        int, match.groups()
                    )
                    rows = rows_created + rows_updated
                    if not dry:
                        total_wall += wall
                    print(
                        f"{run:<24}{wall:>8.1f}{cpu:>8.1f}{rows:>9}"
                        f"{rows / wall:>9.0f}{peak:>10.0f}{os.getloadavg()[0]:>6.1f}"
                        f"  {created} created, {updated} updated, {unchanged} unchanged",
                        flush=True,
                    )
            totals[label] = total_wall
        print(f"total: first run {totals['first run']:.1f} s, re-run {totals['re-run']:.1f} s")
    finally:
        psql(args.server, f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
