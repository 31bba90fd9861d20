"""Every page works under its Content-Security-Policy in Chromium: no violation reported,
and the API documentation pages still render their content."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIOLATIONS = """() => new Promise(resolve => {
  const seen = window.__cspViolations || [];
  setTimeout(() => resolve(seen), 300);
})"""
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', event => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


@pytest.fixture
def csp_page(page):
    page.add_init_script(RECORD_VIOLATIONS)
    return page


def violations_on(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return page.evaluate(VIOLATIONS)


def test_public_pages_report_no_policy_violation(csp_page, site_url, page_urls):
    found = {name: violations_on(csp_page, site_url + url) for name, url in page_urls.items()}

    assert found == {name: [] for name in page_urls}


def test_the_admin_logs_in_and_edits_a_profile_without_a_policy_violation(
    csp_page, site_url, demo_profiles, django_user_model
):
    django_user_model.objects.create_superuser("root", "root@example.com", "root-pass-123")

    assert violations_on(csp_page, f"{site_url}/admin/login/") == []
    csp_page.get_by_label("Username").fill("root")
    csp_page.get_by_label("Password").fill("root-pass-123")
    csp_page.get_by_role("button", name="Log in").click()
    expect(csp_page.get_by_role("heading", name="Site administration")).to_be_visible()
    occupation = demo_profiles["distribution-system-operator"]
    change_url = f"{site_url}/admin/occupations/occupation/{occupation.pk}/change/"

    assert violations_on(csp_page, change_url) == []
    assert violations_on(csp_page, f"{site_url}/admin/occupations/occupation/") == []


def test_swagger_ui_renders_the_schema_without_a_policy_violation(csp_page, site_url):
    found = violations_on(csp_page, f"{site_url}/api/docs/")

    expect(csp_page.get_by_text("CareerGraph API").first).to_be_visible()
    assert found == []


def test_redoc_renders_the_schema_without_a_policy_violation(csp_page, site_url):
    found = violations_on(csp_page, f"{site_url}/api/docs/redoc/")

    expect(csp_page.get_by_text("CareerGraph API").first).to_be_visible()
    # ReDoc's page asks Google Fonts for its fonts and cdn.redoc.ly for its logo; the policy
    # keeps visitors' addresses from reaching either (system fonts, no logo). Nothing of
    # the site's own is blocked.
    outside = ("https://fonts.googleapis.com/", "https://cdn.redoc.ly/")
    assert [v for v in found if not v.split(" ")[1].startswith(outside)] == []
