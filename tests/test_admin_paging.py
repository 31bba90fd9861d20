"""Very large row tables on the profile's change page come in pages: a page shows and saves
only its own rows, the rows on other pages keep their values and positions."""

import json
from http import HTTPStatus

import pytest
from django.urls import reverse
from reversion.models import Version
from test_admin import add_row, form_data
from test_admin_sections import section_url

from editorial.enums import AuditAction
from editorial.models import AuditEvent, ProfileDraft
from occupations import models
from occupations.admin_paging import ROWS_PER_PAGE
from occupations.revisions import record_revision

pytestmark = pytest.mark.django_db

PREFIX = "alternate_titles"
ROWS = 2 * ROWS_PER_PAGE + 20  # three pages, the last one short


def page_url(occupation, page=None, section="titles"):
    url = section_url(occupation, section)
    return url + (f"&{PREFIX}-page={page}" if page is not None else "")


def add_titles(occupation, count):
    models.AlternateTitle.objects.bulk_create(
        models.AlternateTitle(occupation=occupation, order=n, title=f"Title {n:04}")
        for n in range(1, count + 1)
    )


@pytest.fixture
def many_titles(make_occupation):
    occupation = make_occupation(title="Production Worker")
    add_titles(occupation, ROWS)
    record_revision(occupation=occupation, user=None, comment="First version.")
    return occupation


def titles_on(response):
    formset = next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == PREFIX
    )
    return [form.instance.title for form in formset.initial_forms]


def titles_saved(occupation):
    return list(occupation.alternate_titles.order_by("order").values_list("order", "title"))


def test_a_long_table_shows_one_page_with_links_to_the_others(editor_client, many_titles):
    response = editor_client.get(section_url(many_titles, "titles"))

    assert response.status_code == HTTPStatus.OK
    assert titles_on(response) == [f"Title {n:04}" for n in range(1, ROWS_PER_PAGE + 1)]
    html = response.content.decode()
    assert f"Alternate titles 1–{ROWS_PER_PAGE} of {ROWS}, page 1 of 3." in html
    assert f'href="?section=titles&amp;{PREFIX}-page=2" rel="next"' in html
    assert 'aria-current="page"><span class="visually-hidden">Page </span>1</a>' in html


def test_the_last_page_shows_the_last_rows(editor_client, many_titles):
    response = editor_client.get(page_url(many_titles, 3))

    assert titles_on(response) == [f"Title {n:04}" for n in range(2 * ROWS_PER_PAGE + 1, ROWS + 1)]
    assert f"Alternate titles {2 * ROWS_PER_PAGE + 1}–{ROWS} of {ROWS}, page 3 of 3." in (
        response.content.decode()
    )


@pytest.mark.parametrize("asked", ["0", "-1", "two", "99", ""])
def test_a_page_number_out_of_range_opens_a_page_that_exists(editor_client, many_titles, asked):
    response = editor_client.get(page_url(many_titles) + f"&{PREFIX}-page={asked}")

    assert response.status_code == HTTPStatus.OK
    expected = 3 if asked == "99" else 1
    assert response.context["inline_admin_formsets"][0].rows_page.number == expected


def test_a_short_table_has_no_pages(editor_client, make_occupation):
    occupation = make_occupation(title="Line Worker")
    add_titles(occupation, ROWS_PER_PAGE)

    response = editor_client.get(page_url(occupation, 2))

    assert len(titles_on(response)) == ROWS_PER_PAGE
    assert "Pages of alternate titles" not in response.content.decode()


def test_saving_a_page_saves_its_rows_and_leaves_the_other_pages_alone(editor_client, many_titles):
    url = page_url(many_titles, 2)
    data = form_data(editor_client.get(url))
    first = ROWS_PER_PAGE + 1
    data[f"{PREFIX}-0-title"] = "Renamed on page 2"
    # Two rows of the page swap places; one is deleted.
    data[f"{PREFIX}-1-order"], data[f"{PREFIX}-2-order"] = (
        data[f"{PREFIX}-2-order"],
        data[f"{PREFIX}-1-order"],
    )
    data[f"{PREFIX}-3-DELETE"] = "on"
    del data["_save"]
    data["_continue"] = "Save and continue editing"
    before = dict((order, title) for order, title in titles_saved(many_titles))

    response = editor_client.post(url, data)

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == url
    after = dict(titles_saved(many_titles))
    expected = dict(before)
    expected[first] = "Renamed on page 2"
    expected[first + 1], expected[first + 2] = before[first + 2], before[first + 1]
    del expected[first + 3]
    assert after == expected


def test_a_row_added_on_a_middle_page_goes_after_every_row(editor_client, many_titles):
    url = page_url(many_titles, 2)
    data = add_row(form_data(editor_client.get(url)), PREFIX, title="Added on page 2")

    assert editor_client.post(url, data).status_code == HTTPStatus.FOUND

    assert titles_saved(many_titles)[-1] == (ROWS + 1, "Added on page 2")
    assert many_titles.alternate_titles.count() == ROWS + 1


def titles_in_order(occupation):
    return list(occupation.alternate_titles.order_by("order").values_list("title", flat=True))


# Not `page`: pytest-playwright's fixture of that name would make this a browser test.
@pytest.mark.parametrize(("number", "row", "to"), [(2, 9, 1), (1, 4, ROWS), (3, 2, 60)])
def test_a_row_moved_to_a_position_on_another_page_moves_there_and_the_rest_follow(
    editor_client, many_titles, number, row, to
):
    """Row `row` of page `number` given position `to`: like moving an item in a list."""
    url = page_url(many_titles, number)
    data = form_data(editor_client.get(url))
    expected = titles_in_order(many_titles)
    moving = data[f"{PREFIX}-{row}-title"]
    expected.insert(to - 1, expected.pop(expected.index(moving)))
    data[f"{PREFIX}-{row}-order"] = str(to)
    # An edit of another row of the page, one that moves along, is saved in its new place.
    neighbour = row - 1 if to < ROWS_PER_PAGE * (number - 1) + row + 1 else row + 1
    other = data[f"{PREFIX}-{neighbour}-title"]
    data[f"{PREFIX}-{neighbour}-title"] = other + " (edited)"
    expected[expected.index(other)] = other + " (edited)"

    response = editor_client.post(url, data)

    assert response.status_code == HTTPStatus.FOUND, response.context["error_summary"]
    assert titles_in_order(many_titles) == expected
    positions = many_titles.alternate_titles.order_by("order").values_list("order", flat=True)
    assert list(positions) == list(range(1, ROWS + 1))


def test_a_move_to_another_page_with_other_moves_on_the_page_is_refused_in_words(
    editor_client, many_titles
):
    url = page_url(many_titles, 2)
    data = form_data(editor_client.get(url))
    data[f"{PREFIX}-0-order"] = "1"  # held by "Title 0001", on page 1
    data[f"{PREFIX}-1-order"], data[f"{PREFIX}-2-order"] = (
        data[f"{PREFIX}-2-order"],
        data[f"{PREFIX}-1-order"],
    )
    data[f"{PREFIX}-3-title"] = "Kept on the page"
    before = titles_saved(many_titles)

    response = editor_client.post(url, data)

    assert response.status_code == HTTPStatus.OK
    assert titles_saved(many_titles) == before
    summary = response.context["error_summary"]
    assert len(summary) == 1
    assert (
        "Position 1 is held by “Title 0001”, a row that is not on this page. To move a row"
        in (summary[0][1])
    )
    # The page shows the editor's rows again, with their input, and its page links.
    assert len(titles_on(response)) == ROWS_PER_PAGE
    assert 'value="Kept on the page"' in response.content.decode()
    assert response.context["inline_admin_formsets"][0].rows_page.number == 2


def test_a_row_deleted_meanwhile_on_the_page_is_explained(editor_client, many_titles):
    url = page_url(many_titles, 2)
    data = form_data(editor_client.get(url))
    models.AlternateTitle.objects.filter(title=f"Title {ROWS_PER_PAGE + 2:04}").delete()
    data[f"{PREFIX}-1-title"] = "Edited after someone deleted it"

    response = editor_client.post(url, data)

    assert response.status_code == HTTPStatus.OK
    assert any("deleted this row" in message for _, message in response.context["error_summary"])


def test_the_whole_profile_page_is_paged_too(superuser_client, many_titles):
    whole = superuser_client.get(page_url(many_titles, section="all"))

    assert len(titles_on(whole)) == ROWS_PER_PAGE


def revert_url(occupation, version):
    return reverse("admin:occupations_occupation_revision", args=[occupation.pk, version.pk])


def test_a_version_too_long_for_one_form_is_reverted_from_a_page_that_says_what_it_restores(
    editor_client, many_titles
):
    version = Version.objects.get_for_object(many_titles).first()
    before = titles_saved(many_titles)
    url = page_url(many_titles, 1)
    data = form_data(editor_client.get(url))
    data[f"{PREFIX}-0-title"] = "Renamed"
    data[f"{PREFIX}-1-DELETE"] = "on"
    data[f"{PREFIX}-2-order"], data[f"{PREFIX}-3-order"] = (
        data[f"{PREFIX}-3-order"],
        data[f"{PREFIX}-2-order"],
    )
    add_row(data, PREFIX, title="Added since")
    assert editor_client.post(url, data).status_code == HTTPStatus.FOUND
    assert titles_saved(many_titles) != before

    page = editor_client.get(revert_url(many_titles, version))

    assert page.status_code == HTTPStatus.OK
    text = page.content.decode()
    assert f"It holds {ROWS} alternate titles: too many rows to show as one form" in text
    assert 'value="Revert to this version"' in text
    assert titles_saved(many_titles) != before  # viewing changes nothing

    response = editor_client.post(revert_url(many_titles, version))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse(
        "admin:occupations_occupation_change", args=[many_titles.pk]
    )
    assert titles_saved(many_titles) == before
    assert AuditEvent.objects.filter(action=AuditAction.REVERT, occupation=many_titles).exists()
    latest = Version.objects.get_for_object(many_titles).first().revision
    assert latest.comment.startswith("Reverted to the version of")
    assert latest.user.username == "edna"


def test_only_an_editor_who_may_change_the_profile_reverts_it(staff_client, many_titles):
    version = Version.objects.get_for_object(many_titles).first()

    assert staff_client.get(revert_url(many_titles, version)).status_code == HTTPStatus.FORBIDDEN
    assert staff_client.post(revert_url(many_titles, version)).status_code == HTTPStatus.FORBIDDEN


@pytest.mark.parametrize("rows", [ROWS_PER_PAGE + 1, 6 * ROWS_PER_PAGE])
def test_a_page_s_query_count_does_not_grow_with_the_table(
    editor_client, make_occupation, rows, django_assert_num_queries
):
    occupation = make_occupation(title="Production Worker")
    add_titles(occupation, rows)
    url = page_url(occupation, 2)
    editor_client.get(url)  # warm the per-process caches (content types)

    # A section page's queries (test_admin_sections.py), plus the count of the rows and the
    # page's rows instead of all of them.
    with django_assert_num_queries(10 + 2):
        response = editor_client.get(url)

    assert len(titles_on(response)) == min(ROWS_PER_PAGE, rows - ROWS_PER_PAGE)


def test_a_draft_saved_from_one_page_keeps_every_other_page_s_rows(
    editor_client, published_occupation
):
    add_titles(published_occupation, ROWS)
    url = page_url(published_occupation, 2)
    data = form_data(editor_client.get(url))
    data.pop("_save")
    data[f"{PREFIX}-0-title"] = "Renamed in the draft"
    data["_save_draft"] = "Save as a draft"
    live_titles = titles_saved(published_occupation)

    assert editor_client.post(url, data).status_code == HTTPStatus.FOUND

    assert titles_saved(published_occupation) == live_titles
    draft = ProfileDraft.objects.get(occupation=published_occupation)
    drafted = sorted(
        (row["fields"]["order"], row["fields"]["title"])
        for row in draft.snapshot
        if row["model"] == "occupations.alternatetitle"
    )
    expected = dict(live_titles)
    expected[ROWS_PER_PAGE + 1] = "Renamed in the draft"
    assert drafted == sorted(expected.items())
    # The draft's change page is paged the same way and shows the draft's rows.
    again = editor_client.get(url)
    assert titles_on(again)[0] == "Renamed in the draft"
    assert again.context["inline_admin_formsets"][0].rows_page.number == 2


def test_the_revision_of_a_move_across_pages_holds_every_row_where_it_went(
    editor_client, many_titles
):
    url = page_url(many_titles, 2)
    data = form_data(editor_client.get(url))
    data[f"{PREFIX}-0-order"] = "1"

    assert editor_client.post(url, data).status_code == HTTPStatus.FOUND

    revision = Version.objects.get_for_object(many_titles).first().revision
    saved = {
        int(version.object_id): json.loads(version.serialized_data)[0]["fields"]["order"]
        for version in revision.version_set.filter(
            content_type__model="alternatetitle",
        )
    }
    assert saved == dict(many_titles.alternate_titles.values_list("pk", "order"))
