"""Full-page screenshots for a person to look at, and no sideways scrolling at 320 px.

The PNGs go to test-artifacts/screenshots/ (gitignored): <page>-1280.png, <page>-375.png,
<page>-1280-dark.png and <page>-320.png, for the index, both profiles, compare and a skill.
"""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = ["index", "profile-dispatchers", "profile-operator", "compare", "skill"]
SHOTS = [(1280, "light", ""), (375, "light", ""), (1280, "dark", "-dark")]

# Names the outermost elements that stick out past the viewport (not those inside a
# scrolling or clipping box, which is allowed to be wider), so the page owner knows what to fix.
WIDEST_ELEMENTS = """() => {
    const limit = document.documentElement.clientWidth + 1;
    const contained = el => {
        for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
            if (getComputedStyle(up).overflowX !== 'visible') return true;
        }
        return false;
    };
    const sticksOut = el => el.getBoundingClientRect().right > limit && !contained(el);
    return [...document.querySelectorAll('body *')]
        .filter(el => sticksOut(el) && !(el.parentElement && sticksOut(el.parentElement)))
        .slice(0, 8)
        .map(el => `<${el.tagName.toLowerCase()} class="${el.getAttribute('class') || ''}">`
            + ` "${el.textContent.trim().slice(0, 40)}" right edge`
            + ` ${Math.round(el.getBoundingClientRect().right)} px`);
}"""


@pytest.mark.parametrize("name", PAGES)
def test_page_is_captured_at_each_width_and_does_not_scroll_sideways_at_320_px(
    page, site_url, page_urls, screenshots_dir, name
):
    for width, scheme, suffix in SHOTS:
        page.set_viewport_size({"width": width, "height": 900})
        page.emulate_media(color_scheme=scheme)
        response = page.goto(site_url + page_urls[name])
        assert response.ok, f"{page_urls[name]} answered {response.status}"
        path = screenshots_dir / f"{name}-{width}{suffix}.png"
        page.screenshot(path=path, full_page=True)
        assert path.stat().st_size > 0

    # The narrowest phone WCAG 1.4.10 (Reflow) asks for: no horizontal scrolling.
    page.set_viewport_size({"width": 320, "height": 640})
    page.emulate_media(color_scheme="light")
    page.goto(site_url + page_urls[name])
    page.screenshot(path=screenshots_dir / f"{name}-320.png", full_page=True)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 320, (
        f"{page_urls[name]} is {scroll_width} px wide at a 320 px viewport; sticking out: "
        + "; ".join(page.evaluate(WIDEST_ELEMENTS))
    )
