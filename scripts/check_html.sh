#!/usr/bin/env bash
# The Nu HTML Checker (vnu-jar from npm, needs Java 11+) over every page type of the public
# site, served by gunicorn with production settings from the demo profiles: 0 errors allowed.
#
#   scripts/check_html.sh    # ~30 s; HTML_KEEP=1 keeps the fetched pages for a look
#
# Page types: the index (plain, searched, filtered, paginated), each profile, each
# vocabulary list and a term of each, compare (form, result, a bad pick: 400), the 404 and
# 500 pages. Used by CI (.ci/run).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${BIN:-$ROOT/.venv/bin}
VNU_JAR=$ROOT/node_modules/vnu-jar/build/dist/vnu.jar

WORKDIR=$(mktemp -d "${TMPDIR:-/tmp}/careergraph-html.XXXXXX")
SERVER_PID=""
cleanup() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID"
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [[ -n "${HTML_KEEP:-}" ]]; then echo "kept $WORKDIR"; else rm -rf "$WORKDIR"; fi
}
trap cleanup EXIT INT TERM

export DATABASE_URL="sqlite:///$WORKDIR/html.sqlite3"
export DJANGO_DEBUG=false
export DJANGO_SECRET_KEY="html-only-$(date +%s)-not-a-real-secret-0123456789abcdefghij"
export DJANGO_ALLOWED_HOSTS=127.0.0.1
export DJANGO_SECURE_SSL_REDIRECT=false
export DJANGO_STATIC_ROOT="$WORKDIR/static"
"$BIN/python" manage.py collectstatic --noinput -v 0
"$BIN/python" manage.py migrate --noinput -v 0
"$BIN/python" manage.py loaddata vocabulary power-distributors-and-dispatchers \
    distribution-system-operator -v 0

# "expected status  path" per line, derived from the data and the registry of vocabulary pages.
"$BIN/python" manage.py shell -v 0 -c '
from django.template.loader import render_to_string
from django.urls import reverse
from occupations.models import Occupation
from occupations.registry import VOCABULARY_PAGES

profiles = list(Occupation.objects.published().order_by("title"))
pages = [(200, "/"), (200, "/?q=grid"), (200, "/?sector=energy&sort=title"), (200, "/?page=2")]
pages += [(200, profile.get_absolute_url()) for profile in profiles]
for kind in VOCABULARY_PAGES:
    pages.append((200, reverse(kind.list_url_name)))
    term = kind.model.objects.filter(**{kind.occupation_path + "__in": profiles}).first()
    pages.append((200, term.get_absolute_url()))
pages += [
    (200, "/compare/"),
    (200, "/compare/?occupations=" + ",".join(p.slug for p in profiles[:2])),
    (400, "/compare/?occupations=" + profiles[0].slug),
    (404, "/occupations/no-such-profile/"),
]
for status, path in pages:
    print(status, path)
# The 500 page is served by Django without a request context: render it as it would be.
with open("'"$WORKDIR"'/500.html", "w") as page:
    page.write(render_to_string("500.html"))
' > "$WORKDIR/pages.txt"

PORT=$("$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BIN/gunicorn" careergraph.wsgi:application --bind "127.0.0.1:$PORT" --workers 1 \
    --log-level warning 2>"$WORKDIR/server.log" &
SERVER_PID=$!
for _ in $(seq 50); do
    if curl -fs -o /dev/null "http://127.0.0.1:$PORT/"; then break; fi
    sleep 0.2
done

mkdir "$WORKDIR/pages"
mv "$WORKDIR/500.html" "$WORKDIR/pages/500.html"
n=0
while read -r expected path; do
    n=$((n + 1))
    file="$WORKDIR/pages/$(printf %02d "$n").html"
    status=$(curl -s -o "$file" -w '%{http_code}' "http://127.0.0.1:$PORT$path")
    printf '%s %s\n' "$status" "$path"
    if [[ "$status" != "$expected" ]]; then
        echo "expected $expected for $path" >&2
        exit 1
    fi
done < "$WORKDIR/pages.txt"

echo "--- vnu $(java -jar "$VNU_JAR" --version) over $(ls "$WORKDIR"/pages/*.html | wc -l) pages"
# --errors-only: warnings (e.g. "consider adding a lang attribute") are advice, not failures.
java -jar "$VNU_JAR" --errors-only --format gnu "$WORKDIR"/pages/*.html
echo "0 errors"
