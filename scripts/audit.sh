#!/usr/bin/env bash
# Known vulnerabilities in every pinned dependency (requirements.lock and
# requirements-dev.lock), from PyPI's advisory data, with pip-audit.
#
#   scripts/audit.sh     # exit 1 when a dependency has a known vulnerability
#
# pip-audit reads the advisories from PyPI's per-version JSON API
# (https://pypi.org/pypi/<name>/<version>/json). When that API cannot be reached, the audit
# cannot run: this says so and exits 0, or 1 with REQUIRE_AUDIT=1. Exceptions (a
# vulnerability that does not apply, with the reason) are passed as --ignore-vuln below and
# listed in the README, "Dependencies".
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}

probe=$(sed -n 's/^Django==//p' requirements.lock)
if ! "$BIN/python" - "$probe" <<'PY'
import sys
import urllib.request

url = f"https://pypi.org/pypi/django/{sys.argv[1]}/json"
try:
    urllib.request.urlopen(url, timeout=15).close()
except Exception as error:
    print(f"AUDIT NOT RUN: PyPI's advisory API is unavailable here ({url}: {error}).")
    sys.exit(1)
PY
then
    if [[ "${REQUIRE_AUDIT:-}" == 1 ]]; then exit 1; fi
    echo "Set REQUIRE_AUDIT=1 to make this a failure."
    exit 0
fi

"$BIN/pip-audit" --strict --disable-pip --no-deps --progress-spinner off \
    -r requirements.lock -r requirements-dev.lock
