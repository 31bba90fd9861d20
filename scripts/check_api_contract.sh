#!/usr/bin/env bash
# The API contract as integrators meet it: the OpenAPI schema must pass drf-spectacular's
# validation and Redocly's recommended lint rules with 0 errors (offline), and a Python client
# generated from it by openapi-python-client must do a read-write round trip against a live
# server (scripts/api_client_round_trip.py).
#
#   scripts/check_api_contract.sh    # ~1 min; the first run also builds the generator's venv
#
# The generator lives in its own venv (.cache/api-client-venv, pinned by
# scripts/api-client-requirements.txt), never in the application's. Used by CI (.ci/run).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${BIN:-$ROOT/.venv/bin}
CLIENT_VENV=${API_CLIENT_VENV:-$ROOT/.cache/api-client-venv}
REQUIREMENTS=$ROOT/scripts/api-client-requirements.txt

WORKDIR=$(mktemp -d "${TMPDIR:-/tmp}/careergraph-contract.XXXXXX")
SERVER_PID=""
cleanup() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID"
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORKDIR"
}
trap cleanup EXIT INT TERM

echo "--- schema: drf-spectacular --validate --fail-on-warn"
"$BIN/python" manage.py spectacular --validate --fail-on-warn --file "$WORKDIR/openapi.yaml"

echo "--- schema: redocly lint (redocly.yaml: the recommended rules)"
# No telemetry and no update check: the lint must not touch the network. Where strace is
# available, prove it: any IPv4/IPv6 connect() fails the step.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
LINT=("$ROOT/node_modules/.bin/redocly" lint --config "$ROOT/redocly.yaml" --format summary "$WORKDIR/openapi.yaml")
if command -v strace >/dev/null 2>&1; then
    strace -f -qq -e trace=connect -o "$WORKDIR/connects.txt" "${LINT[@]}"
    if grep -E "AF_INET6?" "$WORKDIR/connects.txt"; then
        echo "redocly tried to reach the network (above)" >&2
        exit 1
    fi
    echo "(no network connection attempted)"
else
    "${LINT[@]}"
fi

echo "--- client: openapi-python-client generate"
if ! cmp -s "$REQUIREMENTS" "$CLIENT_VENV/requirements.txt" 2>/dev/null; then
    rm -rf "$CLIENT_VENV"
    python3 -m venv "$CLIENT_VENV"
    "$CLIENT_VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQUIREMENTS" 2>&1 \
        | grep -v "^WARNING: Location" || true
    cp "$REQUIREMENTS" "$CLIENT_VENV/requirements.txt"
fi
# The generator formats its output with the ruff of its own venv.
PATH="$CLIENT_VENV/bin:$PATH" "$CLIENT_VENV/bin/openapi-python-client" generate \
    --path "$WORKDIR/openapi.yaml" --output-path "$WORKDIR/client/careergraph_api_client" \
    --meta none --fail-on-warning

echo "--- client: round trip against a live server"
export DATABASE_URL="sqlite:///$WORKDIR/contract.sqlite3?transaction_mode=IMMEDIATE&timeout=30"
export DJANGO_DEBUG=false
export DJANGO_SECRET_KEY="contract-only-$(date +%s)-not-a-real-secret-0123456789abcdefghij"
export DJANGO_ALLOWED_HOSTS=127.0.0.1
export DJANGO_SECURE_SSL_REDIRECT=false
export DJANGO_STATIC_ROOT="$WORKDIR/static"
"$BIN/python" manage.py migrate --noinput -v 0
"$BIN/python" manage.py loaddata vocabulary power-distributors-and-dispatchers -v 0
PASSWORD="contract-$(date +%s)-pass"
"$BIN/python" manage.py shell -v 0 -c "
from django.contrib.auth.models import Group, User
user = User.objects.create_user('contract-editor', password='$PASSWORD', is_staff=True)
user.groups.add(Group.objects.get(name='Editors'))
"
PORT=$("$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BIN/gunicorn" careergraph.wsgi:application --bind "127.0.0.1:$PORT" --workers 1 \
    --log-level warning 2>"$WORKDIR/server.log" &
SERVER_PID=$!
for _ in $(seq 50); do
    if "$BIN/python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/api/v1/')" 2>/dev/null; then
        break
    fi
    sleep 0.2
done
STATUS=0
PYTHONPATH="$WORKDIR/client" "$CLIENT_VENV/bin/python" scripts/api_client_round_trip.py \
    "http://127.0.0.1:$PORT" contract-editor "$PASSWORD" || STATUS=$?
if grep -q "Traceback" "$WORKDIR/server.log"; then
    echo "--- server errors ---"
    head -100 "$WORKDIR/server.log"
    STATUS=1
fi
exit "$STATUS"
