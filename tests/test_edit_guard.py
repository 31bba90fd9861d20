"""No lost edit: two editors on one profile (or one key-fact table) through the admin."""

from http import HTTPStatus

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.http import QueryDict
from django.test import Client
from django.urls import reverse
from factories import fill_profile
from reversion.models import Version
from test_admin import add_row, change_url, form_data, form_errors

from editorial.conflicts import Conflict, describe_conflict, edit_base
from editorial.forms import keep_their_positions, posted_rows
from occupations import models
from occupations.admin_paging import ROWS_PER_PAGE
from occupations.admin_sections import WHOLE_PROFILE
from occupations.revisions import record_revision

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_editor(django_user_model):
    user = django_user_model.objects.create_user(
        "otto", "otto@example.com", "editor-pass-456", is_staff=True, first_name="Otto"
    )
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def first(editor):
    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def second(second_editor):
    client = Client()
    client.force_login(second_editor)
    return client


@pytest.fixture
def profile(occupation, first):
    """A draft with two duties, saved once through the admin (so it has a revision)."""
    models.Duty.objects.create(occupation=occupation, order=1, text="Monitor the grid.")
    models.Duty.objects.create(occupation=occupation, order=2, text="Dispatch crews.")
    data = form_data(first.get(change_url(occupation)))
    assert first.post(change_url(occupation), data).status_code == HTTPStatus.FOUND
    return occupation


@pytest.fixture(autouse=True)
def empty_presence():
    cache.clear()


def opened(client, occupation, section=WHOLE_PROFILE):
    """What the client's browser would post back, as of opening the page now."""
    return form_data(client.get(change_url(occupation, section)))


def saved_by_second(second, occupation, section=WHOLE_PROFILE, **changes):
    data = opened(second, occupation, section)
    data.update(changes)
    response = second.post(change_url(occupation, section), data)
    assert response.status_code == HTTPStatus.FOUND, form_errors(response)


def test_saving_after_someone_else_saved_keeps_their_change_and_my_input(first, second, profile):
    mine = opened(first, profile)
    saved_by_second(second, profile, summary="Otto's better summary.")

    mine["duties-0-text"] = "Monitor the grid closely."
    response = first.post(change_url(profile), mine)

    assert response.status_code == HTTPStatus.OK
    profile.refresh_from_db()
    assert profile.summary == "Otto's better summary."
    assert models.Duty.objects.get(order=1).text == "Monitor the grid."
    page = response.content.decode()
    assert "Changed by someone else since you opened this page" in page
    assert "Otto" in page
    assert "Changed Summary" in page
    assert "<li>Summary</li>" in page
    assert "Monitor the grid closely." in page  # the editor's own input is kept


def test_applying_on_top_keeps_their_fields_and_saves_mine(first, second, profile):
    mine = opened(first, profile)
    saved_by_second(second, profile, summary="Otto's better summary.")
    mine["duties-0-text"] = "Monitor the grid closely."
    conflict_page = first.post(change_url(profile), mine)

    again = form_data(conflict_page)
    assert again["edit_seen_token"]
    again["apply_on_top"] = "on"
    response = first.post(change_url(profile), again)

    assert response.status_code == HTTPStatus.FOUND, form_errors(response)
    profile.refresh_from_db()
    assert profile.summary == "Otto's better summary."
    assert models.Duty.objects.get(order=1).text == "Monitor the grid closely."


def test_applying_on_top_of_changes_not_yet_shown_is_refused(first, second, profile):
    mine = opened(first, profile)
    saved_by_second(second, profile, summary="Otto's better summary.")
    again = form_data(first.post(change_url(profile), mine))
    saved_by_second(second, profile, title="Grid Dispatcher II")

    again["apply_on_top"] = "on"
    response = first.post(change_url(profile), again)

    assert response.status_code == HTTPStatus.OK
    assert "<li>Title</li>" in response.content.decode()
    profile.refresh_from_db()
    assert profile.title == "Grid Dispatcher II"


def test_a_field_both_editors_changed_takes_mine_when_applied_on_top(first, second, profile):
    mine = opened(first, profile)
    saved_by_second(second, profile, summary="Otto's summary.")
    mine["summary"] = "Edna's summary."
    again = form_data(first.post(change_url(profile), mine))
    again["apply_on_top"] = "on"

    assert first.post(change_url(profile), again).status_code == HTTPStatus.FOUND
    profile.refresh_from_db()
    assert profile.summary == "Edna's summary."


def test_saving_without_anyone_else_saving_is_not_a_conflict(first, profile):
    data = opened(first, profile)
    data["summary"] = "A plain edit."
    assert first.post(change_url(profile), data).status_code == HTTPStatus.FOUND


def test_editing_a_row_someone_deleted_shows_the_error_on_that_row(first, second, profile):
    mine = opened(first, profile)
    theirs = opened(second, profile)
    theirs["duties-1-DELETE"] = "on"
    assert second.post(change_url(profile), theirs).status_code == HTTPStatus.FOUND

    mine["duties-1-text"] = "Dispatch crews at night."
    response = first.post(change_url(profile), mine)

    assert response.status_code == HTTPStatus.OK
    duties = response.context["inline_admin_formsets"][2].formset
    assert duties.model is models.Duty
    assert "Another editor deleted this row" in str(duties.forms[1].non_field_errors())
    assert "Another editor deleted this row" in response.content.decode()


def test_two_editors_adding_a_row_without_a_position_both_keep_their_row(first, second, profile):
    mine = opened(first, profile)
    theirs = opened(second, profile)
    add_row(theirs, "duties", text="Otto's duty.")
    assert second.post(change_url(profile), theirs).status_code == HTTPStatus.FOUND

    # A row added meanwhile is not on this page: the save goes ahead, after it.
    add_row(mine, "duties", text="Edna's duty.")
    response = first.post(change_url(profile), mine)

    assert response.status_code == HTTPStatus.FOUND, form_errors(response)
    assert list(models.Duty.objects.values_list("order", "text")) == [
        (1, "Monitor the grid."),
        (2, "Dispatch crews."),
        (3, "Otto's duty."),
        (4, "Edna's duty."),
    ]


def test_a_position_taken_meanwhile_is_a_form_error_not_a_crash(first, second, profile):
    mine = opened(first, profile)
    theirs = opened(second, profile)
    add_row(theirs, "duties", order="5", text="Otto's duty.")
    assert second.post(change_url(profile), theirs).status_code == HTTPStatus.FOUND

    add_row(mine, "duties", order="5", text="Edna's duty.")
    mine["apply_on_top"] = "on"
    mine["edit_base_token"] = ""  # even with the version check off, no 500
    response = first.post(change_url(profile), mine)

    assert response.status_code == HTTPStatus.OK
    assert any("added “Otto's duty.” at position 5" in e for e in form_errors(response))


def test_the_change_page_names_the_other_editor_who_has_it_open(first, second, profile):
    second.get(change_url(profile))

    page = first.get(change_url(profile)).content.decode()

    assert "Also open by Otto." in page


def test_someone_who_may_only_view_is_told_who_is_there_but_not_about_saving(
    first, profile, django_user_model
):
    viewer = django_user_model.objects.create_user("vic", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_occupation"))
    reader = Client()
    reader.force_login(viewer)
    first.get(change_url(profile))

    page = reader.get(change_url(profile)).content.decode()
    editing = first.get(change_url(profile)).content.decode()

    assert "Also open by edna.</p>" in page
    assert "If they save first" not in page
    assert "data-can-save" not in page
    assert "Also open by vic. If they save first" in editing


def test_the_presence_heartbeat_answers_who_else_is_there(first, second, profile):
    first.get(change_url(profile))
    url = reverse("admin:occupations_occupation_presence", args=[profile.pk])

    response = second.post(url)

    assert response.json() == {"others": ["edna"]}
    assert second.get(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_presence_expires_on_its_own(first, second, profile, monkeypatch):
    from editorial import presence

    second.get(change_url(profile))
    later = presence.time.time() + presence.PRESENCE_SECONDS + 1
    monkeypatch.setattr(presence.time, "time", lambda: later)

    assert "Also open by" not in first.get(change_url(profile)).content.decode()


def test_the_key_fact_table_page_is_guarded_too(first, second, occupation):
    table = models.KeyFactTable.objects.create(occupation=occupation, order=1, title="Pay")
    models.KeyFact.objects.create(table=table, order=1, label="Median", value="$90,000")
    url = reverse("admin:occupations_keyfacttable_change", args=[table.pk])
    mine = form_data(first.get(url), form_id="keyfacttable_form")
    theirs = form_data(second.get(url), form_id="keyfacttable_form")
    theirs["facts-0-value"] = "$95,000"
    assert second.post(url, theirs).status_code == HTTPStatus.FOUND

    mine["title"] = "Pay in 2026"
    response = first.post(url, mine)

    assert response.status_code == HTTPStatus.OK
    assert "Changed by someone else since you opened this page" in response.content.decode()
    table.refresh_from_db()
    assert table.title == "Pay"
    assert models.KeyFact.objects.get().value == "$95,000"


def test_applying_on_top_keeps_their_row_edits_where_i_left_the_row_alone(first, second, profile):
    mine = opened(first, profile)
    saved_by_second(second, profile, **{"duties-1-text": "Dispatch crews quickly."})
    mine["duties-0-text"] = "Monitor the grid closely."
    again = form_data(first.post(change_url(profile), mine))
    again["apply_on_top"] = "on"

    response = first.post(change_url(profile), again)

    assert response.status_code == HTTPStatus.FOUND, form_errors(response)
    assert list(models.Duty.objects.values_list("text", flat=True)) == [
        "Monitor the grid closely.",
        "Dispatch crews quickly.",
    ]


# --- Only what the page shows stops a save ------------------------------------------------------


def notices(response):
    return [str(message) for message in response.context["messages"]]


def my_last_change_message(user):
    return LogEntry.objects.filter(user=user).latest("action_time").get_change_message()


def test_saving_duties_after_someone_saved_the_summary_keeps_both_and_says_so(
    first, second, profile, editor
):
    mine = opened(first, profile, "duties")
    saved_by_second(second, profile, "overview", summary="Otto's better summary.")

    mine["duties-0-text"] = "Monitor the grid closely."
    response = first.post(change_url(profile, "duties"), mine, follow=True)

    assert response.redirect_chain, form_errors(response)
    profile.refresh_from_db()
    assert profile.summary == "Otto's better summary."
    assert models.Duty.objects.get(order=1).text == "Monitor the grid closely."
    assert "Meanwhile Otto (otto) changed Summary; kept." in notices(response)
    newest = Version.objects.get_for_object(models.Duty.objects.get(order=1)).first()
    assert "Monitor the grid closely." in newest.serialized_data
    history = my_last_change_message(editor)
    assert "Text" in history
    assert "Summary" not in history


def test_a_row_deleted_in_a_save_that_went_ahead_is_not_in_its_revision(first, second, profile):
    mine = opened(first, profile, "duties")
    saved_by_second(second, profile, "overview", summary="Otto's better summary.")

    mine["duties-1-DELETE"] = "on"
    response = first.post(change_url(profile, "duties"), mine)

    assert response.status_code == HTTPStatus.FOUND, form_errors(response)
    newest = Version.objects.get_for_object(profile).first().revision
    held = {version.object_repr for version in newest.version_set.all()}
    assert "Monitor the grid." in held
    assert "Dispatch crews." not in held


def test_saving_the_overview_after_someone_saved_the_summary_is_a_conflict(first, second, profile):
    mine = opened(first, profile, "overview")
    saved_by_second(second, profile, "overview", summary="Otto's better summary.")

    mine["title"] = "Grid Dispatcher II"
    response = first.post(change_url(profile, "overview"), mine)

    assert response.status_code == HTTPStatus.OK
    assert "<li>Summary</li>" in response.content.decode()
    profile.refresh_from_db()
    assert (profile.title, profile.summary) == ("Grid Dispatcher", "Otto's better summary.")


def test_a_duty_changed_meanwhile_that_the_page_shows_is_a_conflict(first, second, profile):
    mine = opened(first, profile, "duties")
    saved_by_second(second, profile, "duties", **{"duties-1-text": "Dispatch crews quickly."})

    mine["duties-0-text"] = "Monitor the grid closely."
    response = first.post(change_url(profile, "duties"), mine)

    assert response.status_code == HTTPStatus.OK
    assert "Changed by someone else since you opened this page" in response.content.decode()
    assert list(models.Duty.objects.values_list("text", flat=True)) == [
        "Monitor the grid.",
        "Dispatch crews quickly.",
    ]


def test_a_duty_added_meanwhile_does_not_stop_a_section_and_mine_goes_after_it(
    first, second, profile
):
    mine = opened(first, profile, "duties")
    theirs = add_row(opened(second, profile, "duties"), "duties", text="Otto's duty.")
    assert second.post(change_url(profile, "duties"), theirs).status_code == HTTPStatus.FOUND

    mine["duties-0-text"] = "Monitor the grid closely."
    add_row(mine, "duties", text="Edna's duty.")
    response = first.post(change_url(profile, "duties"), mine, follow=True)

    assert response.redirect_chain, form_errors(response)
    assert list(models.Duty.objects.values_list("order", "text")) == [
        (1, "Monitor the grid closely."),
        (2, "Dispatch crews."),
        (3, "Otto's duty."),
        (4, "Edna's duty."),
    ]
    assert "Meanwhile Otto (otto) changed Duties: “Otto's duty.” added; kept." in notices(response)


def test_a_key_fact_changed_meanwhile_does_not_stop_the_profile_page(first, second, occupation):
    table = models.KeyFactTable.objects.create(occupation=occupation, order=1, title="Pay")
    models.KeyFact.objects.create(table=table, order=1, label="Median", value="$90,000")
    record_revision(occupation=occupation, user=None, comment="First version.")
    mine = opened(first, occupation)
    table_url = reverse("admin:occupations_keyfacttable_change", args=[table.pk])
    theirs = form_data(second.get(table_url), form_id="keyfacttable_form")
    theirs["facts-0-value"] = "$95,000"
    assert second.post(table_url, theirs).status_code == HTTPStatus.FOUND

    mine["summary"] = "Edna's summary."
    response = first.post(change_url(occupation), mine, follow=True)

    assert response.redirect_chain, form_errors(response)
    occupation.refresh_from_db()
    assert occupation.summary == "Edna's summary."
    assert models.KeyFact.objects.get().value == "$95,000"
    assert "Meanwhile Otto (otto) changed Key facts: “Median” changed (Value); kept." in notices(
        response
    )


def test_a_save_against_an_unknown_revision_stays_a_conflict(first, second, profile):
    mine = opened(first, profile, "duties")
    mine["edit_base_revision"] = ""
    saved_by_second(second, profile, "overview", summary="Otto's better summary.")

    mine["duties-0-text"] = "Monitor the grid closely."
    response = first.post(change_url(profile, "duties"), mine)

    assert response.status_code == HTTPStatus.OK
    assert "the changed fields cannot be listed" in response.content.decode()
    assert models.Duty.objects.get(order=1).text == "Monitor the grid."


def test_the_key_fact_table_page_saves_over_a_fact_added_meanwhile(first, second, occupation):
    table = models.KeyFactTable.objects.create(occupation=occupation, order=1, title="Pay")
    models.KeyFact.objects.create(table=table, order=1, label="Median", value="$90,000")
    models.Duty.objects.create(occupation=occupation, order=1, text="Monitor the grid.")
    # The table's newest revision is its profile's, which holds rows that are not the table's.
    record_revision(occupation=occupation, user=None, comment="First version.")
    url = reverse("admin:occupations_keyfacttable_change", args=[table.pk])
    mine = form_data(first.get(url), form_id="keyfacttable_form")
    theirs = form_data(second.get(url), form_id="keyfacttable_form")
    add_row(theirs, "facts", label="Mean", value="$92,000")
    assert second.post(url, theirs).status_code == HTTPStatus.FOUND

    mine["title"] = "Pay in 2026"
    response = first.post(url, mine, follow=True)

    assert response.redirect_chain, form_errors(response)
    table.refresh_from_db()
    assert table.title == "Pay in 2026"
    assert list(table.facts.values_list("order", "label")) == [(1, "Median"), (2, "Mean")]
    assert "Meanwhile Otto (otto) changed Key facts: “Mean” added; kept." in notices(response)


def test_hostile_row_ids_are_ignored_by_the_guard():
    data = {
        "duties-TOTAL_FORMS": "2",
        "duties-0-id": "7",
        "duties-1-id": "x²",
        "duties-2-id": "8",  # beyond the posted row count: not a row of the page
        "tasks-TOTAL_FORMS": "9" * 5000,
        "tasks-0-id": "9",
        "facts-0-id": "10",  # not a collection of the profile's page
        "duties-99999999999-id": "11",
    }

    assert posted_rows(data, models.Occupation) == {("occupations.duty", "7")}


def test_a_row_saved_on_its_own_page_before_i_opened_and_changed_back_after_is_a_conflict(
    first, second, profile
):
    duty = models.Duty.objects.get(order=2)
    duty_url = reverse("admin:occupations_duty_change", args=[duty.pk])
    saved = form_data(second.get(duty_url), form_id="duty_form")
    saved["text"] = "Dispatch crews at night."
    assert second.post(duty_url, saved).status_code == HTTPStatus.FOUND
    mine = opened(first, profile, "duties")
    # The profile's newest revision still says "Dispatch crews.", as the duty does again now.
    saved["text"] = "Dispatch crews."
    assert second.post(duty_url, saved).status_code == HTTPStatus.FOUND

    mine["duties-0-text"] = "Monitor the grid closely."
    response = first.post(change_url(profile, "duties"), mine)

    assert response.status_code == HTTPStatus.OK
    assert models.Duty.objects.get(order=2).text == "Dispatch crews."


def test_a_save_between_reading_a_profile_and_its_revision_leaves_the_revision_unknown(
    first, second, profile
):
    as_read = models.Occupation.objects.get(pk=profile.pk)
    saved_by_second(second, profile, summary="Otto's better summary.")

    assert edit_base(as_read).revision_id is None
    assert edit_base(models.Occupation.objects.get(pk=profile.pk)).revision_id is not None


@pytest.mark.parametrize("rows", [1, 30])
def test_describing_what_changed_takes_three_queries_whatever_the_rows(
    make_occupation, rows, django_assert_num_queries
):
    occupation = fill_profile(make_occupation(title="Grid Dispatcher"), rows)
    record_revision(occupation=occupation, user=None, comment="First version.")
    base = edit_base(occupation)
    occupation.duties.filter(pk=occupation.duties.first().pk).update(text="Changed.")

    # Every row with the records it names, the opened revision, the revisions since.
    with django_assert_num_queries(3):
        conflict = describe_conflict(occupation, base)

    assert len(conflict.changed_rows) == 1


# --- Paged row tables: a page posts only some rows of a collection ------------------------------


@pytest.fixture
def many_titles(profile):
    models.AlternateTitle.objects.bulk_create(
        models.AlternateTitle(occupation=profile, order=n, title=f"Title {n:03}")
        for n in range(1, ROWS_PER_PAGE + 11)
    )
    record_revision(occupation=profile, user=None, comment="Titles added.")
    return profile


def titles_page(occupation, number):
    return change_url(occupation, "titles") + f"&alternate_titles-page={number}"


def test_a_title_changed_meanwhile_on_another_page_does_not_stop_my_page(
    first, second, many_titles
):
    mine = form_data(first.get(titles_page(many_titles, 2)))
    theirs = form_data(second.get(titles_page(many_titles, 1)))
    theirs["alternate_titles-0-title"] = "Otto's title"
    assert second.post(titles_page(many_titles, 1), theirs).status_code == HTTPStatus.FOUND

    mine["alternate_titles-0-title"] = "Edna's title"
    response = first.post(titles_page(many_titles, 2), mine, follow=True)

    assert response.redirect_chain, form_errors(response)
    titles = set(many_titles.alternate_titles.values_list("title", flat=True))
    assert {"Otto's title", "Edna's title"} <= titles
    assert (
        "Meanwhile Otto (otto) changed Alternate titles: “Otto's title” changed (Title); kept."
        in notices(response)
    )


def test_a_title_changed_meanwhile_on_my_page_is_a_conflict(first, second, many_titles):
    mine = form_data(first.get(titles_page(many_titles, 2)))
    theirs = form_data(second.get(titles_page(many_titles, 2)))
    theirs["alternate_titles-5-title"] = "Otto's title"
    assert second.post(titles_page(many_titles, 2), theirs).status_code == HTTPStatus.FOUND

    mine["alternate_titles-0-title"] = "Edna's title"
    response = first.post(titles_page(many_titles, 2), mine)

    assert response.status_code == HTTPStatus.OK
    assert "Changed by someone else since you opened this page" in response.content.decode()
    assert not many_titles.alternate_titles.filter(title="Edna's title").exists()


def test_applying_on_top_keeps_the_positions_they_gave_rows_i_did_not_move(first, second, profile):
    mine = opened(first, profile)
    saved_by_second(second, profile, **{"duties-0-order": "2", "duties-1-order": "1"})
    mine["summary"] = "Edna's summary."
    again = form_data(first.post(change_url(profile), mine))
    again["apply_on_top"] = "on"

    response = first.post(change_url(profile), again)

    assert response.status_code == HTTPStatus.FOUND, form_errors(response)
    profile.refresh_from_db()
    assert profile.summary == "Edna's summary."
    assert list(profile.duties.order_by("order").values_list("text", flat=True)) == [
        "Dispatch crews.",
        "Monitor the grid.",
    ]


def test_a_row_moved_onto_my_page_meanwhile_leaves_my_page_savable_on_top(
    first, second, many_titles
):
    mine = form_data(first.get(titles_page(many_titles, 2)))
    theirs = form_data(second.get(titles_page(many_titles, 2)))
    theirs["alternate_titles-5-order"] = "1"  # every row of page 1 moves one place along
    assert second.post(titles_page(many_titles, 2), theirs).status_code == HTTPStatus.FOUND

    mine["alternate_titles-0-title"] = "Edna's title"
    conflict_page = first.post(titles_page(many_titles, 2), mine)
    assert "Changed by someone else since you opened this page" in conflict_page.content.decode()
    assert "a row that is not on this page" not in conflict_page.content.decode()
    again = form_data(conflict_page)
    again["apply_on_top"] = "on"
    response = first.post(titles_page(many_titles, 2), again)

    assert response.status_code == HTTPStatus.FOUND, form_errors(response)
    titles = list(many_titles.alternate_titles.order_by("order").values_list("title", flat=True))
    assert titles[0] == f"Title {ROWS_PER_PAGE + 6:03}"
    assert titles[1] == "Title 001"
    assert titles[ROWS_PER_PAGE + 1] == "Edna's title"  # "Title 051", one place along
    assert len(titles) == ROWS_PER_PAGE + 10


def test_hostile_row_counts_and_ids_leave_positions_as_posted(profile):
    monitor, dispatch = profile.duties.order_by("order")
    data = QueryDict(mutable=True)
    data.update(
        {
            "duties-INITIAL_FORMS": "99999999999",  # bounded by the fields posted
            "duties-0-id": "x²",
            "duties-0-order": "1",
            "duties-1-id": str(dispatch.pk),
            "duties-1-order": "7",  # the editor moved it: not rebased
            "duties-2-id": str(monitor.pk),
            "duties-2-order": "5",  # as opened: takes the position saved meanwhile
        }
    )
    opened_rows = {
        ("occupations.duty", str(monitor.pk)): {"order": 5},
        ("occupations.duty", str(dispatch.pk)): {"order": 2},
    }

    keep_their_positions([(models.Duty, "duties", data)], Conflict(token="", base_rows=opened_rows))

    assert (data["duties-0-order"], data["duties-1-order"], data["duties-2-order"]) == (
        "1",
        "7",
        str(monitor.order),
    )
