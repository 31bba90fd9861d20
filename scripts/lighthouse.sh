#!/usr/bin/env bash
# Lighthouse scores for the index and a profile page, served the way production serves them:
# gunicorn, DEBUG off, WhiteNoise with hashed static files, on a throwaway SQLite database
# that holds the demo fixtures. Prints the four category scores per page and the audits that
# cost points; the full reports go to lighthouse-report/ (gitignored).
#
# Environment: CHROME_PATH (default /usr/bin/chromium), LIGHTHOUSE_PORT (default: a free one),
# LIGHTHOUSE_PRESET=desktop (default: Lighthouse's mobile emulation with simulated
# throttling), LIGHTHOUSE_STRICT=1 (exit 1 when a score misses the aims in docs/testing.md).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
# A free port unless one is given: a fixed one may belong to someone's runserver.
PORT=${LIGHTHOUSE_PORT:-$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
OUT=lighthouse-report
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
PAGES=(
  "index=/"
  "profile=/occupations/power-distributors-and-dispatchers/"
)
# The machine's network is closed: keep Chromium from phoning home (toolchain notes, 3 and 4).
CHROME_FLAGS="--headless --no-sandbox --disable-gpu --disable-background-networking \
--disable-component-update --disable-sync --no-first-run"

if [ ! -x "$CHROME_PATH" ]; then
  echo "Chromium not found at $CHROME_PATH (apt-get install -y chromium, or set CHROME_PATH)" >&2
  exit 1
fi
if [ ! -x node_modules/.bin/lighthouse ]; then
  echo "node_modules/.bin/lighthouse is missing: running npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi

WORK=$(mktemp -d)
GUNICORN_PID=""
cleanup() {
  if [ -n "$GUNICORN_PID" ]; then
    kill "$GUNICORN_PID" 2>/dev/null || true
    wait "$GUNICORN_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

DJANGO_SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')
export DJANGO_SECRET_KEY DJANGO_DEBUG=false DJANGO_ALLOWED_HOSTS=127.0.0.1
export DJANGO_SECURE_SSL_REDIRECT=false DATABASE_URL="sqlite:///$WORK/db.sqlite3"

echo "Preparing a throwaway database and the static files..."
"$PY" manage.py collectstatic --noinput -v 0
"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py loaddata vocabulary power-distributors-and-dispatchers \
  distribution-system-operator -v 0

.venv/bin/gunicorn careergraph.wsgi:application -b "127.0.0.1:$PORT" -w 2 \
  --access-logfile /dev/null --error-logfile "$WORK/gunicorn.log" &
GUNICORN_PID=$!
for _ in $(seq 50); do
  kill -0 "$GUNICORN_PID" 2>/dev/null || break   # it died (port taken?): do not test another server
  curl -fsS -o /dev/null "http://127.0.0.1:$PORT/" 2>/dev/null && break
  sleep 0.2
done
if ! kill -0 "$GUNICORN_PID" 2>/dev/null || ! curl -fsS -o /dev/null "http://127.0.0.1:$PORT/"; then
  echo "gunicorn did not serve http://127.0.0.1:$PORT/ in 10 s:" >&2
  cat "$WORK/gunicorn.log" >&2
  exit 1
fi

mkdir -p "$OUT"
PRESET_ARGS=()
if [ -n "${LIGHTHOUSE_PRESET:-}" ]; then PRESET_ARGS=(--preset="$LIGHTHOUSE_PRESET"); fi
REPORTS=()
for entry in "${PAGES[@]}"; do
  name=${entry%%=*}
  path=${entry#*=}
  echo "Lighthouse: $path"
  node_modules/.bin/lighthouse "http://127.0.0.1:$PORT$path" --quiet \
    --chrome-flags="$CHROME_FLAGS" "${PRESET_ARGS[@]}" \
    --output=json --output=html --output-path="$OUT/$name"
  REPORTS+=("$OUT/$name.report.json")
done

"$PY" - "${REPORTS[@]}" <<'PYTHON'
"""Print the category scores as a table, then every audit that costs points."""

import json
import os
import sys
from urllib.parse import urlsplit

AIMS = {"performance": 95, "accessibility": 100, "best-practices": 95, "seo": 100}
reports = [json.load(open(path)) for path in sys.argv[1:]]

print()
print(f"{'page':<50} {'perf':>5} {'a11y':>5} {'best':>5} {'seo':>5}")
missed = []
for report in reports:
    path = urlsplit(report["finalDisplayedUrl"]).path
    scores = {key: round(cat["score"] * 100) for key, cat in report["categories"].items()}
    print(f"{path:<50}" + "".join(f" {scores[key]:>5}" for key in AIMS))
    missed += [(path, key, scores[key]) for key, aim in AIMS.items() if scores[key] < aim]

for report in reports:
    path = urlsplit(report["finalDisplayedUrl"]).path
    audits = report["audits"]
    lines = []
    for key, category in report["categories"].items():
        for ref in category["auditRefs"]:
            audit = audits[ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                value = f" ({audit['displayValue']})" if audit.get("displayValue") else ""
                lines.append(f"  {key}: {ref['id']} score {audit['score']:.2f}{value}: {audit['title']}")
    if lines:
        print(f"\nWhat costs points on {path}:\n" + "\n".join(lines))
    else:
        print(f"\n{path}: no weighted audit below 1.")

print(f"\nAims: {AIMS}. Reports: lighthouse-report/*.report.html")
if missed:
    print("Below the aims: " + ", ".join(f"{p} {k} {s}" for p, k, s in missed))
    if os.environ.get("LIGHTHOUSE_STRICT") == "1":
        sys.exit(1)
else:
    print("Every page meets the aims.")
PYTHON
