"""axe-core in Chromium: 0 WCAG 2.0/2.1/2.2 A and AA violations on every public page type.

Each page is checked in the light and the dark colour scheme, at a desktop and a phone
width. axe-core comes from node_modules (`npm ci`); a missing copy fails the test.
"""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = ["index", "profile-dispatchers", "profile-operator", "compare", "skill"]
VARIANTS = [(scheme, width) for scheme in ("light", "dark") for width in (1280, 375)]


@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_wcag_violations_in_either_colour_scheme_or_width(
    page, site_url, page_urls, axe, name
):
    failures = []
    for scheme, width in VARIANTS:
        page.set_viewport_size({"width": width, "height": 900})
        page.emulate_media(color_scheme=scheme)
        response = page.goto(site_url + page_urls[name])
        assert response.ok, f"{page_urls[name]} answered {response.status}"
        violations = axe.violations(page)
        if violations:
            failures.append(
                f"{name} {page_urls[name]} ({scheme}, {width} px): {len(violations)} "
                f"violation(s)\n{axe.describe(violations)}"
            )
    assert not failures, "axe-core found WCAG violations:\n" + "\n\n".join(failures)
