"""axe-core in Chromium: 0 WCAG 2.0/2.1/2.2 A and AA violations on every public page type.

Each page is checked in the light and the dark colour scheme, at a desktop and a phone
width. axe-core comes from node_modules (`npm ci`); a missing copy fails the test.
What axe cannot see, the skip link and a visible focus, is checked with the keyboard.
"""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = ["index", "profile-dispatchers", "profile-operator", "compare", "skill"]
VARIANTS = [(scheme, width) for scheme in ("light", "dark") for width in (1280, 375)]

# A focus indicator: an outline or a box-shadow on the focused element.
FOCUS_IS_MARKED = """() => {
    const style = getComputedStyle(document.activeElement);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    return outline || style.boxShadow !== 'none';
}"""


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


def test_keyboard_user_skips_to_the_content_and_sees_where_the_focus_is(page, site_url, page_urls):
    # axe cannot judge focus (WCAG 2.4.1 Bypass Blocks, 2.4.7 Focus Visible): press the keys.
    page.goto(site_url + page_urls["profile-dispatchers"])
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    assert page.evaluate(FOCUS_IS_MARKED), "the focused skip link shows no focus indicator"

    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null"), (
        "after skipping, the next Tab should land inside <main>, not in the site header"
    )
    assert page.evaluate(FOCUS_IS_MARKED), "the focused element in <main> shows no indicator"
