#!/usr/bin/env bash
# Fuzz the API with schemathesis against a live server on a throwaway SQLite database.
#
# Starts gunicorn on a free port with a fresh database (migrated, fixtures loaded, an editor
# with a token so the writes are exercised too), runs every schemathesis check in positive
# and negative mode with a fixed seed, stops the server and exits with schemathesis' status.
#
#   scripts/fuzz_api.sh    # FUZZ_MAX_EXAMPLES (default 10) fuzzed cases per operation and mode,
#                        # on top of the coverage phase: ~5,800 cases, ~3 min on 2 busy CPUs
#
# Used by CI (.ci/run). Needs the dev dependencies (schemathesis, gunicorn) in .venv.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${BIN:-$ROOT/.venv/bin}
MAX_EXAMPLES=${FUZZ_MAX_EXAMPLES:-10}
SEED=${FUZZ_SEED:-1}

WORKDIR=$(mktemp -d "${TMPDIR:-/tmp}/careergraph-fuzz.XXXXXX")
PORT=$("$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
SERVER_PID=""

cleanup() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID"
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [[ -n "${FUZZ_KEEP:-}" ]]; then echo "kept $WORKDIR"; else rm -rf "$WORKDIR"; fi
}
trap cleanup EXIT INT TERM

# Writes take SQLite's lock up front (IMMEDIATE) and wait for it rather than failing with
# "database is locked" when the two server workers overlap.
export DATABASE_URL="sqlite:///$WORKDIR/fuzz.sqlite3?transaction_mode=IMMEDIATE&timeout=30"
export DJANGO_DEBUG=false
export DJANGO_SECRET_KEY="fuzz-only-$(date +%s)-not-a-real-secret-0123456789abcdefghij"
export DJANGO_ALLOWED_HOSTS=127.0.0.1
export DJANGO_SECURE_SSL_REDIRECT=false
# The fuzzer sends thousands of requests a minute: the throttle must not answer them all
# with 429 (throttling itself is covered by tests/test_api_protocol.py).
export API_THROTTLE_ANON=1000000/minute
export API_THROTTLE_USER=1000000/minute
export API_THROTTLE_AUTH=1000000/minute

# Hashed static files, as in production: the HTML 404 page links the stylesheet.
export DJANGO_STATIC_ROOT="$WORKDIR/static"
"$BIN/python" manage.py collectstatic --noinput -v 0
"$BIN/python" manage.py migrate --noinput -v 0
"$BIN/python" manage.py loaddata vocabulary power-distributors-and-dispatchers \
    distribution-system-operator -v 0
TOKEN=$("$BIN/python" manage.py shell -v 0 -c '
from django.contrib.auth.models import Group, User
from rest_framework.authtoken.models import Token
user = User.objects.create_user("fuzz-editor", is_staff=True)
user.groups.add(Group.objects.get(name="Editors"))
print(Token.objects.create(user=user).key)
')

# No cap on the request line: the API itself answers an over-long `search` with a 400, and
# gunicorn's default cap (4094 bytes) would answer some negative cases with its own 414.
"$BIN/gunicorn" careergraph.wsgi:application --bind "127.0.0.1:$PORT" --workers 2 \
    --limit-request-line 0 \
    --log-level warning 2>"$WORKDIR/server.log" &
SERVER_PID=$!
for _ in $(seq 50); do
    if "$BIN/python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/api/schema/')" 2>/dev/null; then
        break
    fi
    sleep 0.2
done

# Excluded, with the reason:
# - positive_data_acceptance: it expects every schema-valid body to be accepted, but some
#   rules cannot be written in OpenAPI: a maximum not below the minimum, a slug not already
#   taken, vocabulary that exists, unique row positions. The API answers those with a 400
#   that names the field, which is the documented behaviour (docs/api.md).
set +e
"$BIN/schemathesis" run "http://127.0.0.1:$PORT/api/schema/" \
    --checks all \
    --exclude-checks positive_data_acceptance \
    --mode all \
    --seed "$SEED" \
    --workers 1 \
    --max-examples "$MAX_EXAMPLES" \
    --header "Authorization: Token $TOKEN" \
    --report junit --report-dir "$WORKDIR/report" \
    --no-color
STATUS=$?
set -e

"$BIN/python" - "$WORKDIR"/report/*.xml <<'PY'
import sys
import xml.etree.ElementTree as ET

for path in sys.argv[1:]:
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    keys = ("tests", "failures", "errors", "skipped")
    totals = {key: sum(int(suite.get(key, 0)) for suite in suites) for key in keys}
    print("JUnit, per operation: " + ", ".join(f"{k} {v}" for k, v in totals.items()))
    slowest = sorted(root.iter("testcase"), key=lambda case: -float(case.get("time", 0)))
    for case in slowest[:5]:
        print(f"  {float(case.get('time', 0)):6.1f}s  {case.get('name')}")
PY
# Thousands of 4xx lines are the point of fuzzing; show only what went wrong on the server.
if grep -q "Internal Server Error\|Traceback" "$WORKDIR/server.log"; then
    echo "--- server errors ---"
    grep -A30 "Internal Server Error\|Traceback" "$WORKDIR/server.log" | head -200
fi
exit "$STATUS"
