"""An imported profile in Chromium: every import section is there and visible, axe-core
finds no WCAG 2.x A/AA violation, and the page raises no JavaScript error.

The seed profile Power Distributors and Dispatchers (51-8012.00) after the three imports of
the small excerpts in tests/data (as tests/test_imports_profile_page.py does), at a desktop
and a phone width, in the light and the dark colour scheme.
"""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from imports.services import ImportOptions, import_ai_exposure, import_oews, import_onet
from occupations.models import Occupation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DATA = Path(__file__).parent.parent / "data"
VARIANTS = [(scheme, width) for scheme in ("light", "dark") for width in (1280, 390)]
# The sections the imports add, by anchor; each must also be in the page's table of contents.
IMPORT_SECTIONS = ["tasks", "ai-exposure", "skills", "wages", "preparation", "related"]


@pytest.fixture
def imported_url(live_server, demo_profiles):
    """The public URL of 51-8012.00 after the O*NET, OEWS and AI-exposure imports."""
    # Published, so the related occupation the excerpt creates (Biomass Plant Technicians)
    # is a link a visitor can follow.
    import_onet(ImportOptions(path=DATA / "onet-27.0", release="27.0", publish=True))
    import_oews(
        ImportOptions(
            path=DATA / "bls-oews-2023" / "national_M2023_excerpt.csv",
            release="May 2023",
            publish=True,
        )
    )
    import_ai_exposure(ImportOptions(path=DATA / "gpts-are-gpts", release="2023", publish=True))
    occupation = Occupation.objects.get(onet_soc_code="51-8012.00")
    return live_server.url + occupation.get_absolute_url()


def collect_errors(page):
    """A list that fills with the page's uncaught JS errors and console errors."""
    errors = []
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))

    def on_console(message):
        if message.type == "error":
            errors.append(f"console.error: {message.text}")

    page.on("console", on_console)
    return errors


def expect_import_sections_visible(page):
    for anchor in IMPORT_SECTIONS:
        expect(page.locator(f"#{anchor}")).to_be_visible()
        expect(page.locator(f".profile-toc a[href='#{anchor}']")).to_have_count(1)

    tasks = page.locator("#tasks")
    expect(
        tasks.get_by_text("Prepare switching orders that will isolate work areas")
    ).to_be_visible()
    expect(tasks.locator(".task-list__exposure").first).to_be_visible()
    expect(tasks).to_contain_text("people rate it E2, GPT-4 rates it E2")

    wages = page.locator("#wages")
    chart = wages.get_by_role("img", name="Annual wage distribution, May 2023")
    expect(chart).to_be_visible()
    expect(chart.locator(".bar-fill")).to_have_count(5)
    table = wages.get_by_role("table", name="Wage estimates, May 2023 (USD)")
    expect(table).to_be_visible()
    expect(table.get_by_role("row", name="Median")).to_contain_text("$104,750")
    expect(wages).to_contain_text("9,040 people employed")

    preparation = page.locator("#preparation")
    expect(
        preparation.get_by_role("heading", name="Job Zone 3 of 5: Medium Preparation Needed")
    ).to_be_visible()
    education = preparation.get_by_role(
        "table", name="What share of workers say each level of education is required"
    )
    expect(education).to_be_visible()
    expect(education).to_contain_text("High School Diploma")

    hot = page.locator("#skills .badge--hot")
    expect(hot.first).to_be_visible()
    assert hot.count() >= 1

    # The outgoing link O*NET ranks, with its tier, to a profile the import created.
    tiered = page.locator("#related li", has_text="O*NET relatedness: Primary (long list), rank 9")
    expect(tiered).to_have_count(1)
    expect(tiered.get_by_role("link", name="Biomass Plant Technicians", exact=True)).to_be_visible()

    exposure = page.locator("#ai-exposure")
    expect(
        exposure.get_by_role("table", name="Share of tasks exposed (0 = none, 1 = all)")
    ).to_be_visible()
    expect(exposure).to_contain_text("E1 plus half of E2")
    expect(exposure.locator(".citation")).to_contain_text("GPTs are GPTs")

    attribution = page.locator(".attribution")
    expect(attribution).to_be_visible()
    expect(attribution.get_by_role("link", name="CC BY 4.0")).to_be_visible()
    expect(attribution).to_contain_text("U.S. Bureau of Labor Statistics")
    expect(attribution).to_contain_text("GPTs are GPTs")


def test_imported_profile_shows_every_import_section_without_wcag_violations_or_js_errors(
    page, imported_url, axe
):
    errors = collect_errors(page)
    failures = []
    for scheme, width in VARIANTS:
        page.set_viewport_size({"width": width, "height": 900})
        page.emulate_media(color_scheme=scheme)
        response = page.goto(imported_url)
        assert response.ok, f"{imported_url} answered {response.status}"
        expect_import_sections_visible(page)
        # Nothing may force a phone visitor to scroll sideways (WCAG 1.4.10 Reflow).
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{width} px: the page is {overflow} px wider than the viewport"
        violations = axe.violations(page)
        if violations:
            failures.append(
                f"{scheme}, {width} px: {len(violations)} violation(s)\n" + axe.describe(violations)
            )
        assert not errors, f"{scheme}, {width} px: " + "; ".join(errors)
    assert not failures, "axe-core found WCAG violations:\n" + "\n\n".join(failures)
