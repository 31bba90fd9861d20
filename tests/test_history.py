"""The compare view in words: labels, money, moves and word-level highlights."""

import re
from http import HTTPStatus

import pytest
from django.urls import reverse
from reversion.models import Version
from test_admin import add_row, change_url, form_data

from editorial.history import word_diff
from occupations import models

pytestmark = pytest.mark.django_db

LONG_SUMMARY = " ".join(["The dispatcher balances supply and demand on the grid."] * 60)


@pytest.fixture
def profile(occupation):
    occupation.summary = LONG_SUMMARY
    occupation.save()
    for order in range(1, 11):
        models.Duty.objects.create(occupation=occupation, order=order, text=f"Duty {order}.")
    models.SalaryBand.objects.create(
        occupation=occupation, order=1, level="Senior", annual_min=100_000, annual_max=120_000
    )
    return occupation


def row_index(data, prefix, field, value):
    for key, posted in data.items():
        match = re.fullmatch(rf"{prefix}-(\d+)-{field}", key)
        if match and posted == value:
            return match.group(1)
    raise AssertionError(f"no {prefix} row with {field}={value!r}")


@pytest.fixture
def compare_page(editor_client, profile):
    url = change_url(profile)
    editor_client.post(url, form_data(editor_client.get(url)))
    data = form_data(editor_client.get(url))
    data["summary"] = LONG_SUMMARY.replace("supply and demand", "supply, demand and storage", 1)
    tenth = row_index(data, "duties", "text", "Duty 10.")
    data[f"duties-{tenth}-order"] = "0"
    data["salary_bands-0-annual_max"] = "130000"
    add_row(data, "duties", text="Train new dispatchers.")
    assert editor_client.post(url, data).status_code == HTTPStatus.FOUND
    second, first = Version.objects.get_for_object(profile)[:2]
    response = editor_client.get(
        reverse("admin:occupations_occupation_compare", args=[profile.pk]),
        {"version_id1": first.pk, "version_id2": second.pk},
    )
    assert response.status_code == HTTPStatus.OK
    return response.content.decode()


def test_compare_shows_salary_changes_as_money(compare_page):
    assert "Annual max" in compare_page
    assert "<del>$120,000</del> → <ins>$130,000</ins>" in compare_page


def test_compare_shows_a_reorder_as_a_move(compare_page):
    assert "moved from 10 to 0" in compare_page


def test_compare_uses_human_labels_for_collections(compare_page):
    assert "<h3>Salary bands</h3>" in compare_page
    assert "<h3>Duties</h3>" in compare_page
    assert "salary_bands" not in compare_page
    assert "Added: “Train new dispatchers.”" in compare_page


def test_compare_highlights_the_changed_words_of_a_long_text(compare_page):
    assert "<h3>Summary</h3>" in compare_page
    diff = re.search(r'<div class="readable-diff">(.*?)</div>', compare_page, re.S).group(1)
    assert "<ins>storage</ins>" in diff
    # Only the changed words are marked; the 59 unchanged sentences after them are not.
    assert diff.count("<ins>") + diff.count("<del>") <= 4
    assert diff.endswith("The dispatcher balances supply and demand on the grid.")


def test_word_diff_escapes_what_editors_typed():
    html = word_diff("a <b> c", "a <i> c")
    assert "<del>&lt;b&gt;</del><ins>&lt;i&gt;</ins>" in html


def test_the_history_offers_every_version_to_compare_with_named_choices(
    editor_client, compare_page, profile
):
    newest, older = Version.objects.get_for_object(profile)[:2]
    history = editor_client.get(reverse("admin:occupations_occupation_history", args=[profile.pk]))
    page = history.content.decode()

    choices = re.findall(r'<input type="radio" name="(version_id[12])" value="(\d+)"', page)
    assert choices == [
        ("version_id2", str(newest.pk)),
        ("version_id1", str(older.pk)),
        ("version_id2", str(older.pk)),
    ]
    assert 'aria-label="Compare from the version of' in page
    assert 'value="Compare the chosen versions"' in page
    assert 'style="' not in page.split('id="change-history"')[1].split("</table>")[0]
