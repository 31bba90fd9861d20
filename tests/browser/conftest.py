"""Real-browser tests: Playwright driving Debian's Chromium against pytest-django's live_server.

`playwright install` cannot download browsers on the project machines, so the launch
arguments point Playwright at the system Chromium (toolchain notes, section 3). Without it
the tests skip, unless REQUIRE_BROWSER=1 (set by .ci/run), where a missing browser fails.
"""

import json
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from occupations.models import Occupation, Skill
from occupations.search import update_search_vectors

# pytest-playwright keeps an asyncio loop running in the main thread, so the ORM calls that
# tests and fixtures make next to `page` would raise SynchronousOnlyOperation. Test-only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_PATH = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes"}

ARTIFACTS_DIR = Path(settings.BASE_DIR) / "test-artifacts"
SCREENSHOTS_DIR = ARTIFACTS_DIR / "screenshots"
# WCAG 2.0, 2.1 and 2.2, levels A and AA (axe-core tag names).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_SCRIPT = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"

FIXTURES = ["vocabulary", "power-distributors-and-dispatchers", "distribution-system-operator"]
DISPATCHERS = "power-distributors-and-dispatchers"
OPERATOR = "distribution-system-operator"


def pytest_configure(config):
    # Failure screenshots and traces go next to the other artefacts (gitignored), not into
    # pytest-playwright's default ./test-results.
    if config.getoption("--output", default=None) == "test-results":
        config.option.output = str(ARTIFACTS_DIR / "playwright")
    if config.getoption("--screenshot", default=None) == "off":
        config.option.screenshot = "only-on-failure"


def pytest_collection_modifyitems(config, items):
    if CHROMIUM_PATH.exists() or REQUIRE_BROWSER:
        return
    skip = pytest.mark.skip(
        reason=f"Chromium not found at {CHROMIUM_PATH} (apt-get install chromium, or set "
        "CHROMIUM_PATH); set REQUIRE_BROWSER=1 to make this a failure"
    )
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM_PATH.exists():
        pytest.fail(
            f"REQUIRE_BROWSER is set but Chromium is missing at {CHROMIUM_PATH}: "
            "apt-get install -y chromium (or set CHROMIUM_PATH)"
        )
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM_PATH),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture
def demo_profiles(transactional_db):
    """The two energy profiles from fixtures/, searchable on PostgreSQL too."""
    call_command("loaddata", *FIXTURES, verbosity=0)
    update_search_vectors(Occupation.objects.values_list("pk", flat=True))
    return {
        occupation.slug: occupation
        for occupation in Occupation.objects.filter(slug__in=[DISPATCHERS, OPERATOR])
    }


@pytest.fixture
def site_url(live_server, demo_profiles):
    """Base URL of a live server that has the demo profiles loaded."""
    return live_server.url


@pytest.fixture
def shared_skill(demo_profiles):
    """A skill both profiles list: the career-graph link a visitor follows between them."""
    skill = (
        Skill.objects.filter(occupation_links__occupation=demo_profiles[DISPATCHERS])
        .filter(occupation_links__occupation=demo_profiles[OPERATOR])
        .order_by("name")
        .first()
    )
    assert skill is not None, "the fixtures should give both profiles at least one shared skill"
    return skill


@pytest.fixture
def page_urls(demo_profiles, shared_skill):
    """The public pages every browser check visits, keyed by a short name for file names."""
    return {
        "index": "/",
        "profile-dispatchers": demo_profiles[DISPATCHERS].get_absolute_url(),
        "profile-operator": demo_profiles[OPERATOR].get_absolute_url(),
        "compare": f"/compare/?occupations={DISPATCHERS},{OPERATOR}",
        "skill": shared_skill.get_absolute_url(),
    }


class Axe:
    """axe-core injected into a Playwright page."""

    def violations(self, page, include=None):
        """The page's WCAG 2.x A/AA violations as axe-core reports them (only inside the
        `include` CSS selectors when given)."""
        # Evaluated through the DevTools protocol, which the page's Content-Security-Policy
        # does not govern (an injected <script> tag would be refused, as it should be).
        page.evaluate(AXE_SCRIPT.read_text() + "\n;undefined")
        result = page.evaluate(
            """([tags, include]) => axe.run(
                 include ? {include: include.map(selector => [selector])} : document,
                 {runOnly: {type: 'tag', values: tags}})""",
            [AXE_TAGS, include],
        )
        return result["violations"]

    @staticmethod
    def describe(violations):
        """A readable report: rule, impact, help and every failing node with its selector."""
        lines = []
        for violation in violations:
            lines.append(
                f"- {violation['id']} ({violation['impact']}): {violation['help']} "
                f"[{violation['helpUrl']}]"
            )
            for node in violation["nodes"]:
                lines.append(f"    target {json.dumps(node['target'])}")
                summary = " ".join(node.get("failureSummary", "").split())
                lines.append(f"      {summary[:300]}")
                lines.append(f"      {node['html'][:200]}")
        return "\n".join(lines)


@pytest.fixture
def axe():
    if not AXE_SCRIPT.exists():
        pytest.fail(f"{AXE_SCRIPT} is missing: run `npm ci` in the repository root first.")
    return Axe()


@pytest.fixture
def screenshots_dir():
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS_DIR
