"""The profile's change page in sections: each section shows, validates and saves only its
own fields and rows; the section survives a save, errors and the edit guard's conflict."""

from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group
from django.core import serializers
from django.test import Client
from django.urls import reverse
from factories import fill_profile as fill_every_collection
from reversion.models import Version
from test_admin import fill_profile, form_data

from editorial.models import AuditEvent
from occupations import enums
from occupations.admin_sections import (
    DEFAULT_SECTION,
    SECTIONS,
    SECTIONS_BY_SLUG,
    WHOLE_PROFILE,
    section_query,
)
from occupations.registry import COLLECTIONS
from occupations.revisions import record_revision

pytestmark = pytest.mark.django_db

GUARD_FIELDS = {
    "edit_base_token",
    "edit_base_revision",
    "edit_opened_at",
    "edit_seen_token",
    "apply_on_top",
}


def section_url(occupation, slug=None):
    url = reverse("admin:occupations_occupation_change", args=[occupation.pk])
    return url + section_query(slug) if slug else url


def shown(response):
    """(the profile's fields, the row tables' prefixes) on a change page."""
    fields = set(response.context["adminform"].form.fields) - GUARD_FIELDS
    prefixes = [inline.formset.prefix for inline in response.context["inline_admin_formsets"]]
    return fields, prefixes


def own_fields(section):
    names = {name for _, fields in section.fieldsets for name in fields}
    return names - {"schedule", "published_at"}  # read-only: shown, not in the form


def rows_as_saved():
    """Every row of every collection (and nested row) as serialized now."""
    snapshot = {}
    for collection in COLLECTIONS:
        models_here = [collection.model] + ([collection.nested.model] if collection.nested else [])
        for model in models_here:
            rows = model.objects.order_by("pk")
            snapshot[model.__name__] = serializers.serialize("json", rows)
    return snapshot


@pytest.fixture
def full_profile(make_occupation):
    """A draft with two rows in every collection and a first revision."""
    occupation = fill_every_collection(make_occupation(title="Grid Dispatcher"), 2)
    record_revision(occupation=occupation, user=None, comment="First version.")
    return occupation


def test_every_collection_and_every_field_has_exactly_one_section():
    slugs = {section.slug for section in SECTIONS}
    assert len(slugs) == len(SECTIONS)
    assert {collection.section for collection in COLLECTIONS} <= slugs
    assert all(section.fieldsets or section.collections for section in SECTIONS)
    names = [name for section in SECTIONS for _, fields in section.fieldsets for name in fields]
    assert len(names) == len(set(names))
    assert WHOLE_PROFILE not in slugs


def test_a_profile_opens_at_its_first_section_with_the_section_links(editor_client, full_profile):
    response = editor_client.get(section_url(full_profile))

    assert response.status_code == HTTPStatus.OK
    assert shown(response) == (
        own_fields(DEFAULT_SECTION),
        [c.related_name for c in DEFAULT_SECTION.collections],
    )
    page = response.content.decode()
    assert '<nav class="change-page-sections" aria-label="Sections of this profile">' in page
    assert '<a href="?section=overview" aria-current="page">Overview</a>' in page
    for section in SECTIONS[1:]:
        assert f'<a href="?section={section.slug}">{section.title}</a>' in page
    assert '<a href="?section=all">Whole profile</a>' in page


@pytest.mark.parametrize("section", SECTIONS, ids=lambda s: s.slug)
def test_each_section_shows_only_its_own_fields_and_rows(editor_client, full_profile, section):
    response = editor_client.get(section_url(full_profile, section.slug))

    assert response.status_code == HTTPStatus.OK
    assert shown(response) == (own_fields(section), [c.related_name for c in section.collections])
    page = response.content.decode()
    assert f'<a href="?section={section.slug}" aria-current="page">' in page


def test_the_whole_profile_and_an_unknown_section_are_pages_too(editor_client, full_profile):
    whole = editor_client.get(section_url(full_profile, WHOLE_PROFILE))
    unknown = editor_client.get(section_url(full_profile, "no-such-section"))

    assert shown(whole)[1] == [c.related_name for c in COLLECTIONS]
    assert '<a href="?section=all" aria-current="page">Whole profile</a>' in whole.content.decode()
    assert unknown.status_code == HTTPStatus.OK
    assert shown(unknown)[1] == [c.related_name for c in DEFAULT_SECTION.collections]


def test_the_add_page_shows_the_whole_form_without_section_links(editor_client):
    response = editor_client.get(reverse("admin:occupations_occupation_add") + "?section=duties")

    assert response.status_code == HTTPStatus.OK
    assert shown(response)[1] == [c.related_name for c in COLLECTIONS]
    assert "Sections of this profile" not in response.content.decode()


def test_saving_one_section_never_touches_another_sections_rows_or_fields(
    editor_client, full_profile
):
    url = section_url(full_profile, "duties")
    data = form_data(editor_client.get(url))
    data["duties-0-text"] = "Monitor the whole grid."
    data["duties-0-order"], data["duties-1-order"] = data["duties-1-order"], data["duties-0-order"]
    # Fields of other sections smuggled into the post are not part of this section's form.
    data["summary"] = "Not from this section."
    skill = full_profile.occupation_skills.first()
    data.update({"skills-TOTAL_FORMS": "1", "skills-INITIAL_FORMS": "1"})
    data.update({"skills-0-id": str(skill.pk), "skills-0-DELETE": "on"})
    before = rows_as_saved()
    summary = full_profile.summary

    response = editor_client.post(url, data)

    assert response.status_code == HTTPStatus.FOUND
    after = rows_as_saved()
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"Duty"}
    assert list(full_profile.duties.values_list("text", flat=True))[0] != "Monitor the whole grid."
    assert full_profile.duties.get(text="Monitor the whole grid.").order == 2
    full_profile.refresh_from_db()
    assert full_profile.summary == summary


def test_saving_a_section_of_a_published_profile_leaves_its_publication_alone(
    editor_client, published_occupation
):
    published_at = published_occupation.published_at
    url = section_url(published_occupation, "faqs")
    data = form_data(editor_client.get(url))
    data["faqs-TOTAL_FORMS"] = "1"
    data["faqs-0-question"] = "Is it shift work?"
    data["faqs-0-answer"] = "Yes."

    assert editor_client.post(url, data).status_code == HTTPStatus.FOUND

    published_occupation.refresh_from_db()
    assert published_occupation.status == enums.PublicationStatus.PUBLISHED
    assert published_occupation.published_at == published_at
    assert not AuditEvent.objects.exists()
    assert published_occupation.faqs.get().question == "Is it shift work?"


def test_save_and_continue_comes_back_to_the_saved_section(editor_client, full_profile):
    url = section_url(full_profile, "pay")
    data = {**form_data(editor_client.get(url)), "_continue": "Save and continue editing"}
    del data["_save"]

    response = editor_client.post(url, data)

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == url


def test_a_section_with_errors_stays_on_its_page_with_the_error_summary(
    editor_client, full_profile
):
    url = section_url(full_profile, "duties")
    data = form_data(editor_client.get(url))
    data["duties-1-text"] = ""

    response = editor_client.post(url, data)

    assert response.status_code == HTTPStatus.OK
    assert response.context["change_page_section"] == SECTIONS_BY_SLUG["duties"]
    assert response.context["error_summary"] == [
        ("#id_duties-1-text", "Duties, row 2, Text: This field is required.")
    ]


def test_the_edit_guards_conflict_page_stays_in_the_section(
    editor_client, full_profile, django_user_model
):
    other = django_user_model.objects.create_user("otto", is_staff=True, first_name="Otto")
    other.groups.add(Group.objects.get(name="Editors"))
    second = Client()
    second.force_login(other)
    url = section_url(full_profile, "duties")
    mine = form_data(editor_client.get(url))
    theirs = {**form_data(second.get(url)), "duties-1-text": "Otto's duty."}
    assert second.post(url, theirs).status_code == HTTPStatus.FOUND

    mine["duties-0-text"] = "Mine."
    conflict_page = editor_client.post(url, mine)

    assert conflict_page.status_code == HTTPStatus.OK
    assert "Changed by someone else since you opened this page" in conflict_page.content.decode()
    assert conflict_page.context["change_page_section"] == SECTIONS_BY_SLUG["duties"]
    again = {**form_data(conflict_page), "apply_on_top": "on"}
    assert editor_client.post(url, again).status_code == HTTPStatus.FOUND
    assert full_profile.duties.filter(text="Otto's duty.").exists()
    assert full_profile.duties.filter(text="Mine.").exists()


def test_the_history_revert_page_shows_the_whole_profile(superuser_client, full_profile):
    version = Version.objects.get_for_object(full_profile).first()
    url = reverse("admin:occupations_occupation_revision", args=[full_profile.pk, version.pk])

    response = superuser_client.get(url)

    assert response.status_code == HTTPStatus.OK
    assert shown(response)[1] == [c.related_name for c in COLLECTIONS]


# --- Query counts ------------------------------------------------------------------------------
# An editor's section page: session, user, 2 permission lookups, savepoint pair, the
# occupation, the own-token check, the latest revision (edit guard), the latest review, one
# query per row table of the section, and the sector's autocomplete label (Overview only).
BASE_QUERIES = 10
SECTION_QUERIES = {
    section.slug: BASE_QUERIES + len(section.collections) + (section == DEFAULT_SECTION)
    for section in SECTIONS
}


@pytest.mark.parametrize("rows", [1, 30])
@pytest.mark.parametrize("section", SECTIONS, ids=lambda s: s.slug)
def test_each_section_query_count_does_not_grow_with_rows(
    editor_client, make_occupation, rows, section, django_assert_num_queries
):
    occupation = fill_profile(make_occupation(title="Grid Dispatcher", slug="grid"), rows)
    url = section_url(occupation, section.slug)
    editor_client.get(url)  # warm the per-process caches (content types)

    with django_assert_num_queries(SECTION_QUERIES[section.slug]):
        response = editor_client.get(url)

    for inline in response.context["inline_admin_formsets"]:
        assert inline.formset.total_form_count() == rows
