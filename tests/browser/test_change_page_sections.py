"""The profile's change page in sections, and reordering rows by dragging or with the
keyboard, in a real Chromium: section links, saving one section, axe on every section of
the largest profile, and a phone-sized screen."""

import re

import pytest
from conftest import OPERATOR
from django.urls import reverse
from playwright.sync_api import expect
from reversion.models import Version
from test_editorial import edna, open_as  # noqa: F401 (fixtures)

from occupations.admin_paging import ROWS_PER_PAGE
from occupations.admin_sections import SECTIONS
from occupations.models import AlternateTitle, Duty, Occupation
from occupations.registry import COLLECTIONS
from occupations.revisions import record_revision

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAV = "Sections of this profile"


def section_path(occupation, slug=None):
    path = reverse("admin:occupations_occupation_change", args=[occupation.pk])
    return f"{path}?section={slug}" if slug else path


@pytest.fixture
def profile(db):
    occupation = Occupation.objects.create(
        title="Grid Dispatcher", slug="grid-dispatcher", code="51-8012", summary="Keeps power on."
    )
    for order, text in enumerate(["Monitor the grid.", "Dispatch crews.", "Log outages."], 1):
        Duty.objects.create(occupation=occupation, order=order, text=text)
    record_revision(occupation=occupation, user=None, comment="First version.")
    return occupation


def duties_in_saved_order(occupation):
    return list(occupation.duties.order_by("order").values_list("text", flat=True))


def rows_of_every_collection(occupation):
    return {
        c.key: list(getattr(occupation, c.related_name).order_by("pk").values())
        for c in COLLECTIONS
    }


def test_an_editor_opens_a_section_by_its_link_and_saves_only_that_section(
    open_as,  # noqa: F811
    edna,  # noqa: F811
    demo_profiles,
):
    operator = demo_profiles[OPERATOR]
    before = rows_of_every_collection(operator)
    page = open_as(edna, section_path(operator))
    nav = page.get_by_role("navigation", name=NAV)
    expect(nav.get_by_role("link", name="Overview")).to_have_attribute("aria-current", "page")

    nav.get_by_role("link", name="Duties and tasks").click()
    expect(page).to_have_url(re.compile(r"\?section=duties$"))
    expect(nav.get_by_role("link", name="Duties and tasks")).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.locator("#id_summary")).to_have_count(0)
    page.locator("#id_duties-0-text").fill("Watch the network, switch by switch.")
    page.get_by_role("button", name="Save and continue editing").first.click()

    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    expect(page).to_have_url(re.compile(r"\?section=duties$"))
    expect(page.locator("#id_duties-0-text")).to_have_value("Watch the network, switch by switch.")
    after = rows_of_every_collection(operator)
    assert {key for key in before if before[key] != after[key]} == {"duties"}
    assert page.js_errors == []


def test_every_section_of_the_largest_profile_passes_axe_and_fits_1280_px(
    open_as,  # noqa: F811
    edna,  # noqa: F811
    demo_profiles,
    axe,
):
    operator = demo_profiles[OPERATOR]
    page = open_as(edna, section_path(operator))
    failures = []
    for section in SECTIONS:
        page.goto(page.url.split("?")[0] + f"?section={section.slug}")
        violations = axe.violations(page)
        if violations:
            failures.append(f"{section.slug}:\n{axe.describe(violations)}")
        too_wide = page.evaluate(
            """() => {
              const column = document.querySelector('#content-main').getBoundingClientRect().width;
              return [...document.querySelectorAll('.inline-group .tabular table')]
                .filter(t => t.scrollWidth > column)
                .map(t => `${t.closest('.inline-group').id} ${t.scrollWidth} > ${column}`);
            }"""
        )
        if too_wide:
            failures.append(f"{section.slug}: tables wider than the column: {too_wide}")
    assert not failures, "\n\n".join(failures)
    assert page.js_errors == []


def test_a_row_dragged_by_its_handle_is_saved_in_its_new_place(
    open_as,  # noqa: F811
    edna,  # noqa: F811
    profile,
):
    page = open_as(edna, section_path(profile, "duties"))
    handle = page.locator("#duties-2 .ordered-row-handle")
    handle.hover()  # scrolls it into view: the rows' boxes are measured after
    first_row = page.locator("#duties-0").bounding_box()
    page.mouse.down()
    page.mouse.move(first_row["x"] + 20, first_row["y"] + first_row["height"] / 2, steps=4)
    page.mouse.move(first_row["x"] + 20, first_row["y"] + 3, steps=2)
    page.mouse.up()

    rows = page.locator("#duties-group tbody tr.form-row:not(.empty-form)")
    expect(rows.first).to_have_id("duties-2")
    expect(page.locator("#id_duties-2-order")).to_have_value("1")
    expect(page.locator("#id_duties-0-order")).to_have_value("2")
    expect(page.locator("#id_duties-1-order")).to_have_value("3")
    page.locator("input[name=_save]").first.click()

    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    assert duties_in_saved_order(profile) == [
        "Log outages.",
        "Monitor the grid.",
        "Dispatch crews.",
    ]
    assert page.js_errors == []


def test_a_row_moved_with_the_keyboard_is_announced_and_saved(
    open_as,  # noqa: F811
    edna,  # noqa: F811
    profile,
):
    page = open_as(edna, section_path(profile, "duties"))
    page.locator("#id_duties-0-order").focus()
    page.keyboard.press("Tab")
    move_up = page.locator("#duties-0").get_by_role("button", name="Move up")
    expect(move_up).to_be_focused()
    page.keyboard.press("Tab")
    move_down = page.locator("#duties-0").get_by_role("button", name="Move down")
    expect(move_down).to_be_focused()

    page.keyboard.press("Enter")
    status = page.get_by_role("status").filter(has_text="moved to place")
    expect(status).to_have_text("Duties: “Monitor the grid.” moved to place 2 of 3.")
    expect(move_down).to_be_focused()
    page.keyboard.press("Space")
    expect(status).to_have_text("Duties: “Monitor the grid.” moved to place 3 of 3.")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="already")).to_have_text(
        "“Monitor the grid.” is already last."
    )
    page.locator("input[name=_save]").first.click()

    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    assert duties_in_saved_order(profile) == [
        "Dispatch crews.",
        "Log outages.",
        "Monitor the grid.",
    ]
    assert page.js_errors == []


def test_every_section_is_usable_390_px_wide(
    open_as,  # noqa: F811
    edna,  # noqa: F811
    demo_profiles,
):
    operator = demo_profiles[OPERATOR]
    page = open_as(edna, section_path(operator))
    page.set_viewport_size({"width": 390, "height": 844})
    problems = []
    for section in SECTIONS:
        page.goto(page.url.split("?")[0] + f"?section={section.slug}")
        page_width = page.evaluate("document.documentElement.scrollWidth")
        if page_width > 390:
            wide = page.evaluate(
                """() => [...document.querySelectorAll('#content *')]
                  .filter(e => e.getBoundingClientRect().right > 392)
                  .slice(0, 5).map(e => e.tagName + '#' + e.id + '.' + e.className)"""
            )
            problems.append(f"{section.slug}: page {page_width} px wide: {wide}")
        link = page.get_by_role("navigation", name=NAV).get_by_role("link", name=section.title)
        box = link.bounding_box()
        if box["x"] < 0 or box["x"] + box["width"] > 390 or box["height"] < 24:
            problems.append(f"{section.slug}: section link outside the screen or small: {box}")
        save = page.locator("input[name=_save]").first.bounding_box()
        if save["x"] + save["width"] > 390:
            problems.append(f"{section.slug}: Save is off-screen: {save}")
    assert not problems, "\n".join(problems)
    assert page.js_errors == []


def test_a_very_long_table_is_edited_page_by_page(
    open_as,  # noqa: F811
    edna,  # noqa: F811
    profile,
    axe,
):
    AlternateTitle.objects.bulk_create(
        AlternateTitle(occupation=profile, order=n, title=f"Title {n:04}")
        for n in range(1, 2 * ROWS_PER_PAGE + 11)
    )
    page = open_as(edna, section_path(profile, "titles"))
    pages = page.get_by_role("navigation", name="Pages of alternate titles", exact=True)
    expect(pages).to_contain_text(f"Alternate titles 1–{ROWS_PER_PAGE} of {2 * ROWS_PER_PAGE + 10}")
    assert axe.violations(page) == []

    pages.get_by_role("link", name="Next").click()
    expect(page).to_have_url(re.compile(r"alternate_titles-page=2"))
    expect(page.locator("#id_alternate_titles-0-title")).to_have_value(
        f"Title {ROWS_PER_PAGE + 1:04}"
    )
    page.locator("#alternate_titles-0").get_by_role("button", name="Move up").click()
    expect(page.get_by_role("status").filter(has_text="already")).to_have_text(
        f"“Title {ROWS_PER_PAGE + 1:04}” is already first on this page. To move it to another "
        "page, type the position it should take and save."
    )
    page.locator("#id_alternate_titles-0-title").fill("Renamed on page 2")
    page.get_by_role("button", name="Save and continue editing").first.click()

    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    expect(page).to_have_url(re.compile(r"alternate_titles-page=2"))
    expect(page.locator("#id_alternate_titles-0-title")).to_have_value("Renamed on page 2")
    titles = list(profile.alternate_titles.order_by("order").values_list("title", flat=True))
    assert len(titles) == 2 * ROWS_PER_PAGE + 10
    assert titles[ROWS_PER_PAGE] == "Renamed on page 2"
    assert titles[0] == "Title 0001"
    assert titles[-1] == f"Title {2 * ROWS_PER_PAGE + 10:04}"

    # Typing a position held on another page moves the row there, as in a list.
    page.locator("#id_alternate_titles-0-order").fill("1")
    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    titles = list(profile.alternate_titles.order_by("order").values_list("title", flat=True))
    assert titles[:3] == ["Renamed on page 2", "Title 0001", "Title 0002"]
    assert titles[ROWS_PER_PAGE] == f"Title {ROWS_PER_PAGE:04}"

    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    below = page.get_by_role("navigation", name="Pages of alternate titles, below the table")
    below.get_by_role("link", name="Page 3").click()
    expect(page.locator("#id_alternate_titles-0-title")).to_have_value(
        f"Title {2 * ROWS_PER_PAGE + 1:04}"
    )
    assert page.js_errors == []


def test_a_version_too_long_for_one_form_is_reverted_by_keyboard_from_accessible_pages(
    open_as,  # noqa: F811
    edna,  # noqa: F811
    profile,
    axe,
):
    AlternateTitle.objects.bulk_create(
        AlternateTitle(occupation=profile, order=n, title=f"Title {n:03}")
        for n in range(1, ROWS_PER_PAGE + 2)
    )
    record_revision(occupation=profile, user=None, comment="Titles imported.")
    record_revision(occupation=profile, user=None, comment="Checked again.")
    version = Version.objects.get_for_object(profile).order_by("revision_id")[1]
    profile.alternate_titles.filter(order=1).update(title="Renamed since")
    page = open_as(edna, reverse("admin:occupations_occupation_history", args=[profile.pk]))
    assert axe.violations(page) == []

    page.get_by_role("row").filter(has_text="Titles imported.").get_by_role("link").click()
    expect(page.locator("#content-main")).to_contain_text(
        f"It holds {ROWS_PER_PAGE + 1} alternate titles"
    )
    assert axe.violations(page) == []
    page.get_by_role("button", name="Revert to this version").focus()
    page.keyboard.press("Enter")

    expect(page.locator(".messagelist .success")).to_contain_text("is back as it was")
    assert profile.alternate_titles.get(order=1).title == "Title 001"
    assert Version.objects.get_for_object(profile).first().pk != version.pk
    assert page.js_errors == []


def test_leaving_a_page_that_came_back_with_my_unsaved_input_asks_first(
    open_as,  # noqa: F811
    edna,  # noqa: F811
    profile,
):
    AlternateTitle.objects.bulk_create(
        AlternateTitle(occupation=profile, order=n, title=f"Title {n:03}")
        for n in range(1, ROWS_PER_PAGE + 2)
    )
    page = open_as(edna, section_path(profile, "titles"))
    page.locator("#id_alternate_titles-0-title").fill("Renamed, not saved")
    page.locator("#id_alternate_titles-1-title").fill("")
    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.locator(".errornote")).to_be_visible()
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))

    pages = page.get_by_role("navigation", name="Pages of alternate titles", exact=True)
    pages.get_by_role("link", name="Next").click()

    expect(page.locator("#id_alternate_titles-0-title")).to_have_value("Renamed, not saved")
    assert asked == ["beforeunload"]
    assert not profile.alternate_titles.filter(title="Renamed, not saved").exists()


def test_the_compare_page_of_a_long_profile_passes_axe(
    open_as,  # noqa: F811
    edna,  # noqa: F811
    profile,
    axe,
):
    AlternateTitle.objects.bulk_create(
        AlternateTitle(occupation=profile, order=n, title=f"Title {n:03}")
        for n in range(1, ROWS_PER_PAGE + 2)
    )
    record_revision(occupation=profile, user=None, comment="Titles imported.")
    profile.alternate_titles.filter(order__lte=3).update(title="Renamed since")
    profile.summary = "Keeps the power on, " + "day and night, " * 80
    profile.save()
    record_revision(occupation=profile, user=None, comment="Renamed three titles.")
    newest, older = Version.objects.get_for_object(profile)[:2]
    page = open_as(
        edna,
        reverse("admin:occupations_occupation_compare", args=[profile.pk])
        + f"?version_id1={older.pk}&version_id2={newest.pk}",
    )
    expect(page.locator("#content-main")).to_contain_text("Renamed since")

    violations = axe.violations(page)
    assert violations == [], axe.describe(violations)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert page.js_errors == []
