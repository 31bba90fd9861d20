"""Editors working at once, in a real Chromium: two browser contexts on one profile.

No edit is lost and nothing answers 500 when both save, when one deletes a row the other
edits, or when both add a row without a position; the page names the other editor. Then a
review (submit, approve; submit, reject) and a scheduled publish going live at its time.
"""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from occupations import enums
from occupations.models import Duty, KeyFact, KeyFactTable, Occupation
from occupations.revisions import record_revision

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONFLICT_HEADING = "Changed by someone else since you opened this page"


@pytest.fixture
def profile(db):
    occupation = Occupation.objects.create(
        title="Grid Dispatcher", slug="grid-dispatcher", code="51-8012", summary="Keeps power on."
    )
    Duty.objects.create(occupation=occupation, order=1, text="Monitor the grid.")
    Duty.objects.create(occupation=occupation, order=2, text="Dispatch crews.")
    record_revision(occupation=occupation, user=None, comment="First version.")
    return occupation


def staff(django_user_model, username, first_name, permissions):
    user = django_user_model.objects.create_user(
        username, f"{username}@example.com", "pass-123-456", is_staff=True, first_name=first_name
    )
    user.user_permissions.set(permissions)
    return user


def editor_permissions():
    """What the "Editors" group holds (its data migration does not survive the flush of a
    transactional test, so the permissions are given directly)."""
    return Permission.objects.filter(content_type__app_label="occupations")


@pytest.fixture
def edna(django_user_model):
    return staff(django_user_model, "edna", "Edna", editor_permissions())


@pytest.fixture
def otto(django_user_model):
    return staff(django_user_model, "otto", "Otto", editor_permissions())


@pytest.fixture
def rita(django_user_model):
    reviewer_permissions = Permission.objects.filter(
        codename__in=["view_occupation", "decide_reviewrequest"]
    )
    return staff(django_user_model, "rita", "Rita", reviewer_permissions)


@pytest.fixture
def open_as(browser, live_server):
    """A page in its own browser context, logged in as `user` (one context per editor)."""
    contexts = []

    def open_page(user, path):
        client = Client()
        client.force_login(user)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "url": live_server.url,
                }
            ]
        )
        contexts.append(context)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(live_server.url + path)
        page.js_errors = errors
        return page

    yield open_page
    for context in contexts:
        context.close()


def change_path(occupation):
    """The whole profile on one page (its sections are tested in test_change_page_sections.py)."""
    return reverse("admin:occupations_occupation_change", args=[occupation.pk]) + "?section=all"


def save(page):
    page.locator("input[name=_save]").first.click()


def expect_saved(page):
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")


def test_two_editors_saving_one_profile_lose_nothing(open_as, edna, otto, profile):
    mine = open_as(edna, change_path(profile))
    theirs = open_as(otto, change_path(profile))
    expect(theirs.locator(".editorial-presence")).to_have_text(
        "Also open by Edna. If they save first, you will see what they changed before "
        "anything of yours is saved."
    )

    theirs.locator("#id_summary").fill("Keeps the lights on, day and night.")
    save(theirs)
    expect_saved(theirs)

    mine.locator("#id_duties-0-text").fill("Monitor the whole grid.")
    save(mine)
    conflict = mine.locator(".editorial-conflict")
    expect(conflict.get_by_role("heading", level=2)).to_have_text(CONFLICT_HEADING)
    expect(conflict).to_contain_text("Otto")
    expect(conflict.locator(".editorial-conflict-changes")).to_contain_text("Summary")
    expect(mine.locator("#id_duties-0-text")).to_have_value("Monitor the whole grid.")

    mine.get_by_label("Apply my changes on top").check()
    save(mine)
    expect_saved(mine)
    profile.refresh_from_db()
    assert profile.summary == "Keeps the lights on, day and night."
    assert Duty.objects.get(order=1).text == "Monitor the whole grid."
    assert mine.js_errors == []
    assert theirs.js_errors == []


def test_editing_a_row_another_editor_deleted_shows_it_on_the_row(open_as, edna, otto, profile):
    mine = open_as(edna, change_path(profile))
    theirs = open_as(otto, change_path(profile))
    theirs.locator("#id_duties-1-DELETE").check()
    save(theirs)
    expect_saved(theirs)

    mine.locator("#id_duties-1-text").fill("Dispatch crews at night.")
    save(mine)
    # Django shows a row's own errors in the table row right above it.
    row_error = mine.locator("#duties-1").locator("xpath=preceding-sibling::tr[1]")
    expect(row_error).to_contain_text("Another editor deleted this row")
    expect(mine.locator("#id_duties-1-text")).to_have_value("Dispatch crews at night.")

    mine.locator("#id_duties-1-DELETE").check()
    mine.get_by_label("Apply my changes on top").check()
    save(mine)
    expect_saved(mine)
    assert list(Duty.objects.values_list("text", flat=True)) == ["Monitor the grid."]


def test_two_editors_adding_rows_without_positions_keep_both(open_as, edna, otto, profile):
    mine = open_as(edna, change_path(profile))
    theirs = open_as(otto, change_path(profile))
    for page, text in [(theirs, "Write the shift report."), (mine, "Brief the next shift.")]:
        page.get_by_role("button", name="Add another Duty").click()
        page.locator("#id_duties-2-text").fill(text)
    save(theirs)
    expect_saved(theirs)

    # A row added meanwhile is not on Edna's page: her save goes ahead and says so.
    save(mine)
    expect_saved(mine)
    expect(mine.locator(".messagelist .info")).to_have_text(
        "Meanwhile Otto (otto) changed Duties: “Write the shift report.” added; kept."
    )
    assert list(Duty.objects.values_list("order", "text")) == [
        (1, "Monitor the grid."),
        (2, "Dispatch crews."),
        (3, "Write the shift report."),
        (4, "Brief the next shift."),
    ]


def test_submit_approve_and_submit_reject(open_as, edna, rita, profile):
    editor = open_as(edna, change_path(profile))
    editor.get_by_label("Note to the reviewer (optional)").fill("Ready for the site.")
    editor.get_by_role("button", name="Submit for review").click()
    expect(editor.locator(".editorial-review-status")).to_contain_text("Waiting for review")

    reviewer = open_as(rita, change_path(profile))
    expect(reviewer.locator(".editorial-review")).to_contain_text("Ready for the site.")
    reviewer.get_by_role("button", name="Approve and publish").click()
    expect(reviewer.locator(".messagelist")).to_contain_text("Approved: the profile is published.")
    profile.refresh_from_db()
    assert profile.status == enums.PublicationStatus.PUBLISHED

    editor.reload()
    expect(editor.locator(".editorial-review-status")).to_contain_text(
        "Approved and published by Rita"
    )
    editor.get_by_role("button", name="Submit for review").click()
    reviewer.reload()
    reviewer.get_by_role("button", name="Reject").click()
    expect(reviewer.locator(".messagelist")).to_contain_text("a rejection needs a comment")
    reviewer.get_by_label("Comment for the editor (needed to reject)").fill("Add a source.")
    reviewer.get_by_role("button", name="Reject").click()

    editor.reload()
    expect(editor.locator(".editorial-review-status")).to_contain_text("Rejected by Rita")
    expect(editor.locator(".editorial-review-comment")).to_have_text("Add a source.")


def test_a_scheduled_publish_goes_live_at_its_time(
    open_as, browser, live_server, edna, profile, monkeypatch
):
    editor = open_as(edna, change_path(profile))
    moment = timezone.localtime(timezone.now() + timedelta(hours=2))
    editor.locator("#id_status").select_option("published")
    editor.locator("#id_publish_at_0").fill(moment.strftime("%Y-%m-%d"))
    editor.locator("#id_publish_at_1").fill(moment.strftime("%H:%M:%S"))
    expect(editor.locator(".field-publish_at .help")).to_contain_text("Date and time in UTC.")
    save(editor)
    expect_saved(editor)

    visitor = browser.new_page()
    url = live_server.url + profile.get_absolute_url()
    assert visitor.goto(url).status == 404

    later = timezone.now() + timedelta(hours=2, minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert visitor.goto(url).status == 200
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Grid Dispatcher")
    visitor.close()


def test_the_error_summary_at_the_top_links_to_each_field_in_error(open_as, edna, profile):
    page = open_as(edna, change_path(profile))
    page.locator("#id_title").fill("")
    page.locator("#id_duties-1-text").fill("")
    save(page)

    summary = page.locator(".editorial-error-summary")
    expect(summary.get_by_role("heading", level=2)).to_have_text("2 problems to fix before saving")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Duties, row 2, Text: This field is required.").click()
    expect(page.locator("#id_duties-1-text")).to_be_focused()
    summary.get_by_role("link", name="Title: This field is required.").click()
    expect(page.locator("#id_title")).to_be_focused()
    assert page.js_errors == []


def test_leaving_with_unsaved_changes_asks_first(open_as, edna, profile):
    page = open_as(edna, change_path(profile))
    dialogs = []

    def stay(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.get_by_role("link", name="History").click()  # nothing changed yet: no question
    expect(page).to_have_url(re.compile(r"/history/$"))
    page.go_back()

    page.locator("#id_summary").fill("A change not saved yet.")
    page.get_by_role("link", name="History").click()

    expect(page.locator("#id_summary")).to_have_value("A change not saved yet.")
    assert dialogs == ["beforeunload"]
    assert page.js_errors == []


def test_save_buttons_are_at_the_top_and_the_bottom(open_as, edna, profile):
    page = open_as(edna, change_path(profile))
    expect(page.locator("input[name=_save]")).to_have_count(2)


def test_every_row_table_of_the_largest_profile_fits_the_content_column_at_1280_px(
    open_as, edna, demo_profiles
):
    operator = demo_profiles["distribution-system-operator"]
    page = open_as(edna, change_path(operator))
    widths = page.evaluate(
        """() => {
          const column = document.querySelector('#content-main').getBoundingClientRect().width;
          const tables = [...document.querySelectorAll('.inline-group .tabular table')];
          return tables.map(t => [t.closest('.inline-group').id, t.scrollWidth, column]);
        }"""
    )
    assert len(widths) > 10
    too_wide = [(group, width) for group, width, column in widths if width > column]
    assert too_wide == []
    assert page.js_errors == []


EDITORIAL_PARTS = [
    ".editorial-presence",
    ".editorial-conflict",
    ".editorial-error-summary",
    ".editorial-review",
]


def test_the_editorial_notices_pass_axe(open_as, axe, edna, otto, profile):
    mine = open_as(edna, change_path(profile))
    theirs = open_as(otto, change_path(profile))
    theirs.locator("#id_summary").fill("Keeps the lights on.")
    save(theirs)
    mine.locator("#id_title").fill("")
    save(mine)
    expect(mine.locator(".editorial-conflict")).to_be_visible()
    expect(mine.locator(".editorial-error-summary")).to_be_visible()

    violations = axe.violations(mine, include=EDITORIAL_PARTS)
    assert violations == [], axe.describe(violations)


def test_a_draft_of_a_live_profile_is_previewed_then_published(
    open_as, browser, live_server, axe, edna, profile
):
    profile.status = enums.PublicationStatus.PUBLISHED
    profile.save()
    table = KeyFactTable.objects.create(occupation=profile, order=1, title="Role at a glance")
    KeyFact.objects.create(table=table, order=1, label="Shifts", value="Day shifts.")
    public_url = live_server.url + profile.get_absolute_url()
    editor = open_as(edna, change_path(profile))
    editor.locator("#id_summary").fill("Keeps the lights on, in the draft.")
    editor.get_by_role("button", name="Save as a draft (live page unchanged)").first.click()
    expect(editor.locator(".messagelist .success")).to_contain_text("Draft saved.")
    expect(editor.locator("#id_summary")).to_have_value("Keeps the lights on, in the draft.")
    panel = editor.locator(".editorial-draft")
    expect(panel.get_by_role("heading", level=2)).to_have_text("Draft of the live profile")
    violations = axe.violations(editor, include=[".editorial-draft", ".submit-row"])
    assert violations == [], axe.describe(violations)

    # The table's own page, reached from the draft, edits the draft's table.
    editor.locator("#key_fact_tables-group").get_by_role("link", name="Change").click()
    notice = editor.locator(".editorial-draft")
    expect(notice.get_by_role("heading", level=2)).to_contain_text("Editing the draft of")
    violations = axe.violations(editor, include=[".editorial-draft"])
    assert violations == [], axe.describe(violations)
    editor.locator("[name='facts-0-value']").fill("Day and night shifts.")
    editor.get_by_role("button", name="Save", exact=True).first.click()
    expect(editor.locator(".messagelist .success")).to_contain_text("Draft saved.")
    expect(panel.get_by_role("heading", level=2)).to_have_text("Draft of the live profile")

    visitor = browser.new_page()
    visitor.goto(public_url)
    expect(visitor.locator(".profile-lead")).to_have_text("Keeps power on.")
    expect(visitor.locator(".facts-table td")).to_have_text("Day shifts.")

    panel.get_by_role("link", name="Preview the draft as visitors would see it").click()
    expect(editor.locator(".profile-lead")).to_have_text("Keeps the lights on, in the draft.")
    expect(editor.locator(".draft-banner")).to_contain_text("Preview of a draft")
    editor.get_by_role("link", name="Back to the draft").click()

    editor.get_by_role("button", name="Publish the draft").click()
    expect(editor.locator(".messagelist .success")).to_contain_text("The draft is published")
    expect(editor.locator(".editorial-draft")).to_have_count(0)
    visitor.goto(public_url)
    expect(visitor.locator(".profile-lead")).to_have_text("Keeps the lights on, in the draft.")
    expect(visitor.locator(".facts-table td")).to_have_text("Day and night shifts.")
    visitor.close()
    assert editor.js_errors == []
