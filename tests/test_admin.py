"""The editor admin: whole-profile editing, invariants as form errors, ordering, actions,
revert through the history pages, permissions and pinned query counts."""

import re
from html.parser import HTMLParser
from http import HTTPStatus

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from reversion.models import Version

from occupations import enums, models
from occupations.admin_sections import SECTIONS, WHOLE_PROFILE, section_query
from occupations.registry import COLLECTIONS
from occupations.revisions import OCCUPATION_CHILDREN, version_data

pytestmark = pytest.mark.django_db

# --- Helpers -------------------------------------------------------------------------------


class _FormFields(HTMLParser):
    """What a browser would submit for one form: its inputs, textareas and selects."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.data = {}
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "__prefix__" in (attrs.get("name") or ""):
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "reset", "image", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.data[name] = attrs.get("value", "on" if kind == "checkbox" else "")
        elif tag == "textarea" and name:
            self._textarea = [name, []]
        elif tag == "select" and name:
            self._select = [name, None, None]
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            if self._select[2] is None:
                self._select[2] = value
            if "selected" in attrs:
                self._select[1] = value

    def handle_data(self, data):
        if self._textarea:
            self._textarea[1].append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea:
            name, parts = self._textarea
            text = "".join(parts)
            # Browsers drop the newline Django writes right after <textarea>.
            self.data[name] = text[1:] if text.startswith("\n") else text
            self._textarea = None
        elif tag == "select" and self._select:
            name, selected, first = self._select
            self.data[name] = selected if selected is not None else (first or "")
            self._select = None


def form_data(response, form_id="occupation_form"):
    """The POST data a browser would send for the admin form in `response`."""
    parser = _FormFields(form_id)
    parser.feed(response.content.decode())
    assert parser.data, f"no form #{form_id} in the page"
    return {**parser.data, "_save": "Save"}


def add_row(data, prefix, **fields):
    """Append a new inline row to POST data through the formset's management form."""
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    for name, value in fields.items():
        data[f"{prefix}-{index}-{name}"] = value
    return data


def change_url(occupation, section=WHOLE_PROFILE):
    """The profile's change page; by default the whole profile on one page (each section's
    own page is tested in test_admin_sections.py)."""
    return reverse("admin:occupations_occupation_change", args=[occupation.pk]) + section_query(
        section
    )


def row_counts():
    return {
        model.__name__: model.objects.count()
        for model in [
            models.Occupation,
            models.Duty,
            models.SalaryBand,
            models.EducationStep,
            models.RatingScore,
            models.RelatedOccupation,
            models.AlternateTitle,
        ]
    }


def fill_profile(occupation, rows):
    """Give `occupation` `rows` rows in every collection, each citing its own source and term."""
    tag = occupation.slug

    def vocabulary(model, **extra):
        return model.objects.bulk_create(
            model(
                name=f"{model.__name__} {tag} {i}",
                slug=f"{model._meta.model_name}-{tag}-{i}",
                **extra,
            )
            for i in range(rows)
        )

    sources = vocabulary(models.Source)
    skills = vocabulary(models.Skill)
    qualifications = vocabulary(models.Qualification)
    visas = vocabulary(models.Visa)
    growth_areas = vocabulary(models.GrowthArea)
    terms = vocabulary(models.GlossaryTerm)
    dimensions = vocabulary(models.RatingDimension)
    others = models.Occupation.objects.bulk_create(
        models.Occupation(
            title=f"Neighbour {tag} {i}", slug=f"neighbour-{tag}-{i}", code="51-8013", summary="x"
        )
        for i in range(rows)
    )
    per_row = {
        models.AlternateTitle: lambda i: {"title": f"Alt {i}"},
        models.Duty: lambda i: {"text": f"Duty {i}"},
        models.SalaryBand: lambda i: {"level": f"L{i}", "annual_min": i, "annual_max": i + 1},
        models.EducationStep: lambda i: {"stage": f"Stage {i}"},
        models.AIImpactItem: lambda i: {"kind": "augment", "title": f"Task {i}"},
        models.FitTrait: lambda i: {"kind": "fits", "text": f"Trait {i}"},
        models.CareerStep: lambda i: {"title": f"Step {i}"},
        models.FAQ: lambda i: {"question": f"Q{i}?", "answer": "A."},
        models.NarrativeSection: lambda i: {"heading": f"H{i}", "body": "Body."},
        models.KeyFactTable: lambda i: {"title": f"Table {i}"},
        models.ItemList: lambda i: {"kind": "challenges", "title": f"List {i}"},
        models.OccupationSkill: lambda i: {"skill": skills[i], "group": "technical"},
        models.OccupationQualification: lambda i: {"qualification": qualifications[i]},
        models.OccupationVisa: lambda i: {"visa": visas[i]},
        models.OccupationGrowthArea: lambda i: {"growth_area": growth_areas[i]},
        models.OccupationGlossaryTerm: lambda i: {"term": terms[i]},
        models.RelatedOccupation: lambda i: {"related": others[i], "kind": "similar"},
        models.Task: lambda i: {"text": f"Task {i}", "onet_task_id": i + 1},
        models.WageStatistic: lambda i: {"soc_code": "51-8012", "release": f"May {2020 + i}"},
        models.EducationLevelShare: lambda i: {"category": i + 1, "level": f"L{i}", "share": 5},
        models.AIExposureScore: lambda i: {"gpt4_beta": "0.5"},
    }
    for model, fields in per_row.items():
        model.objects.bulk_create(
            model(occupation=occupation, order=i, source=sources[i], **fields(i))
            for i in range(rows)
        )
    models.OccupationSource.objects.bulk_create(
        models.OccupationSource(occupation=occupation, order=i, document=sources[i])
        for i in range(rows)
    )
    models.RatingScore.objects.bulk_create(
        models.RatingScore(
            occupation=occupation, dimension=dimensions[i], score=5, source=sources[i]
        )
        for i in range(rows)
    )
    for table in models.KeyFactTable.objects.filter(occupation=occupation):
        models.KeyFact.objects.bulk_create(
            models.KeyFact(table=table, order=i, label=f"Label {i}", value="Value")
            for i in range(rows)
        )
    for item_list in models.ItemList.objects.filter(occupation=occupation):
        models.ListItem.objects.bulk_create(
            models.ListItem(item_list=item_list, order=i, title=f"Item {i}") for i in range(rows)
        )
    return occupation


def form_errors(response):
    """Every error message on the change form: main form, inline rows and formsets."""
    messages = [
        str(e) for errors in response.context["adminform"].form.errors.values() for e in errors
    ]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        messages += [str(e) for e in formset.non_form_errors()]
        for errors in formset.errors:
            messages += [str(e) for field_errors in errors.values() for e in field_errors]
    return messages


@pytest.fixture
def dimension(db):
    return models.RatingDimension.objects.create(name="Income", slug="income")


@pytest.fixture
def profile(occupation):
    """A draft with two duties, a salary band and an education step."""
    models.Duty.objects.create(occupation=occupation, order=1, text="Monitor the grid.")
    models.Duty.objects.create(occupation=occupation, order=2, text="Dispatch crews.")
    models.SalaryBand.objects.create(
        occupation=occupation, order=1, level="Entry", annual_min=40_000, annual_max=50_000
    )
    models.EducationStep.objects.create(occupation=occupation, order=1, stage="Diploma")
    return occupation


# --- Invariants as form errors -------------------------------------------------------------


def salary_row(**fields):
    return {
        "level": "Senior",
        "annual_min": "70000",
        "annual_max": "90000",
        "currency": "USD",
        **fields,
    }


INVALID_EDITS = {
    "duplicate slug": (
        lambda d, o: d.update(slug=o.slug),
        "Occupation with this Slug already exists.",
    ),
    "malformed code": (
        lambda d, o: d.update(code="51-80121"),
        "Enter a SOC code like 51-8012 or an O*NET-SOC code like 51-8012.00.",
    ),
    "malformed O*NET-SOC code": (
        lambda d, o: d.update(code="51-8012.1"),
        "Enter a SOC code like 51-8012 or an O*NET-SOC code like 51-8012.00.",
    ),
    "malformed migration code": (
        lambda d, o: d.update(migration_code="518012"),
        "Enter a SOC code like 51-8012 or an O*NET-SOC code like 51-8012.00.",
    ),
    "blank title": (lambda d, o: d.update(title="   "), "This field is required."),
    "blank summary": (lambda d, o: d.update(summary=""), "This field is required."),
    "overall rating above 10": (
        lambda d, o: d.update(overall_rating="10.5"),
        "Ensure this value is less than or equal to 10.",
    ),
    "negative salary": (
        lambda d, o: add_row(d, "salary_bands", **salary_row(annual_min="-1")),
        "Ensure this value is greater than or equal to 0.",
    ),
    "salary max below min": (
        lambda d, o: add_row(d, "salary_bands", **salary_row(annual_max="60000")),
        "The maximum salary must not be below the minimum.",
    ),
    "years max below min": (
        lambda d, o: add_row(d, "salary_bands", **salary_row(years_min="7", years_max="3")),
        "The maximum years must not be below the minimum.",
    ),
    "cost max below min": (
        lambda d, o: add_row(
            d, "education_steps", stage="Degree", cost_min="9000", cost_max="100", currency="USD"
        ),
        "The maximum cost must not be below the minimum.",
    ),
    "negative cost": (
        lambda d, o: add_row(d, "education_steps", stage="Degree", cost_min="-5", currency="USD"),
        "Ensure this value is greater than or equal to 0.",
    ),
    "rating score above 10": (
        lambda d, o: add_row(
            d, "rating_scores", dimension=str(models.RatingDimension.objects.get().pk), score="11"
        ),
        "Ensure this value is less than or equal to 10.",
    ),
    "two rows at one position": (
        lambda d, o: add_row(d, "duties", order="2", text="Write reports."),
        "Position 2 is used by more than one row; give each row its own position.",
    ),
    "blank duty": (lambda d, o: d.update({"duties-0-text": " "}), "This field is required."),
    "related link without a target": (
        lambda d, o: add_row(d, "related_links", kind="similar"),
        "Choose a related occupation or type the role's title.",
    ),
    "related link to itself": (
        lambda d, o: add_row(d, "related_links", kind="similar", related=str(o.pk)),
        "An occupation cannot be related to itself.",
    ),
}


@pytest.mark.parametrize(("edit", "message"), INVALID_EDITS.values(), ids=INVALID_EDITS)
def test_invalid_edit_shows_a_form_error_and_saves_nothing(
    superuser_client, profile, make_occupation, dimension, edit, message
):
    other = make_occupation(title="Other", slug="other")
    data = form_data(superuser_client.get(change_url(profile)))
    data["summary"] = "An edit that must not be saved."
    add_row(data, "duties", text="A valid new duty that must not be saved either.")
    edit(data, other if message.startswith("Occupation with this Slug") else profile)
    before = row_counts()

    response = superuser_client.post(change_url(profile), data)

    assert response.status_code == HTTPStatus.OK
    assert message in form_errors(response)
    assert escape(message) in response.content.decode()
    assert row_counts() == before
    profile.refresh_from_db()
    assert profile.summary == "Coordinates the flow of electricity."


INVALID_ADDS = {
    "malformed code": (
        {"code": "5180-12"},
        "Enter a SOC code like 51-8012 or an O*NET-SOC code like 51-8012.00.",
    ),
    "salary max below min": (
        {"salary_bands": salary_row(annual_max="1")},
        "The maximum salary must not be below the minimum.",
    ),
    "blank summary": ({"summary": ""}, "This field is required."),
}


@pytest.mark.parametrize(("change", "message"), INVALID_ADDS.values(), ids=INVALID_ADDS)
def test_invalid_new_profile_shows_a_form_error_and_saves_no_row(
    superuser_client, sector, change, message
):
    url = reverse("admin:occupations_occupation_add")
    data = form_data(superuser_client.get(url))
    data.update(
        title="Substation Operator",
        slug="substation-operator",
        code="51-8013",
        summary="Runs substations.",
    )
    add_row(data, "duties", text="Switch breakers.")
    for key, value in change.items():
        if isinstance(value, dict):
            add_row(data, key, **value)
        else:
            data[key] = value
    before = row_counts()

    response = superuser_client.post(url, data)

    assert response.status_code == HTTPStatus.OK
    assert message in form_errors(response)
    assert row_counts() == before


def test_valid_new_profile_is_saved_with_its_rows(superuser_client, sector):
    url = reverse("admin:occupations_occupation_add")
    data = form_data(superuser_client.get(url))
    data.update(
        title="Substation Operator",
        slug="substation-operator",
        code="51-8013.00",
        code_classification="O*NET-SOC",
        summary="Runs substations.",
        sector=str(sector.pk),
    )
    add_row(data, "duties", text="Switch breakers.")
    add_row(data, "duties", text="Log readings.")
    add_row(data, "salary_bands", **salary_row())

    response = superuser_client.post(url, data)

    assert response.status_code == HTTPStatus.FOUND
    created = models.Occupation.objects.get(slug="substation-operator")
    # Rows added without a position are placed at the end, in the order shown.
    assert [(d.order, d.text) for d in created.duties.all()] == [
        (0, "Switch breakers."),
        (1, "Log readings."),
    ]
    assert created.salary_bands.get().annual_max == 90_000
    assert created.status == enums.PublicationStatus.DRAFT


# --- Ordering rows ---------------------------------------------------------------------------


def duty_texts(occupation):
    return list(occupation.duties.values_list("order", "text"))


def set_row(data, prefix, current, **fields):
    """Change the inline row of `prefix` that has a field holding `current`."""
    index = next(
        key.split("-")[1]
        for key, value in data.items()
        if key.startswith(f"{prefix}-") and key.count("-") == 2 and value == current
    )
    for name, value in fields.items():
        data[f"{prefix}-{index}-{name}"] = value


def test_swapping_two_rows_positions_saves_both(superuser_client, profile):
    data = form_data(superuser_client.get(change_url(profile)))
    set_row(data, "duties", "Monitor the grid.", order="2")
    set_row(data, "duties", "Dispatch crews.", order="1")

    response = superuser_client.post(change_url(profile), data)

    assert response.status_code == HTTPStatus.FOUND
    assert duty_texts(profile) == [(1, "Dispatch crews."), (2, "Monitor the grid.")]


def test_moving_a_row_into_a_deleted_rows_position_saves(superuser_client, profile):
    models.Duty.objects.create(occupation=profile, order=3, text="Write reports.")
    data = form_data(superuser_client.get(change_url(profile)))
    set_row(data, "duties", "Dispatch crews.", DELETE="on")
    set_row(data, "duties", "Write reports.", order="2")
    set_row(data, "duties", "Monitor the grid.", order="3")

    response = superuser_client.post(change_url(profile), data)

    assert response.status_code == HTTPStatus.FOUND
    assert duty_texts(profile) == [(2, "Write reports."), (3, "Monitor the grid.")]


def test_rotating_three_rows_and_adding_one_saves(superuser_client, profile):
    models.Duty.objects.create(occupation=profile, order=3, text="Write reports.")
    data = form_data(superuser_client.get(change_url(profile)))
    set_row(data, "duties", "Monitor the grid.", order="2")
    set_row(data, "duties", "Dispatch crews.", order="3")
    set_row(data, "duties", "Write reports.", order="1")
    add_row(data, "duties", text="Train new operators.")

    response = superuser_client.post(change_url(profile), data)

    assert response.status_code == HTTPStatus.FOUND
    assert duty_texts(profile) == [
        (1, "Write reports."),
        (2, "Monitor the grid."),
        (3, "Dispatch crews."),
        (4, "Train new operators."),
    ]


def test_key_fact_rows_are_edited_and_reordered_on_the_tables_page(superuser_client, occupation):
    table = models.KeyFactTable.objects.create(occupation=occupation, title="Role at a glance")
    models.KeyFact.objects.create(table=table, order=1, label="Education", value="Associate")
    models.KeyFact.objects.create(table=table, order=2, label="Experience", value="2-4 years")
    occupation_page = superuser_client.get(change_url(occupation)).content.decode()
    url = reverse("admin:occupations_keyfacttable_change", args=[table.pk])
    assert url in occupation_page  # the inline links to the table's own page

    data = form_data(superuser_client.get(url), form_id="keyfacttable_form")
    set_row(data, "facts", "Associate", order="2", value="Associate degree")
    set_row(data, "facts", "2-4 years", order="1")
    response = superuser_client.post(url, data)

    assert response.status_code == HTTPStatus.FOUND
    assert list(table.facts.values_list("order", "label", "value")) == [
        (1, "Experience", "2-4 years"),
        (2, "Education", "Associate degree"),
    ]


def test_item_list_rows_are_editable_on_the_lists_page(superuser_client, occupation):
    item_list = models.ItemList.objects.create(
        occupation=occupation, kind="challenges", title="Challenges"
    )
    models.ListItem.objects.create(item_list=item_list, order=1, title="Cyber threats")
    url = reverse("admin:occupations_itemlist_change", args=[item_list.pk])
    data = form_data(superuser_client.get(url), form_id="itemlist_form")
    add_row(data, "items", title="Extreme weather", description="Storms and heat.")
    add_row(data, "items", title="Ageing assets", order="1")

    response = superuser_client.post(url, data)

    assert response.status_code == HTTPStatus.OK
    assert (
        "Position 1 is used by more than one row; give each row its own position."
        in response.content.decode()
    )
    assert item_list.items.count() == 1


# --- The editor's story --------------------------------------------------------------------


def test_editor_logs_in_edits_a_profile_and_the_revision_names_them(client, editor, profile):
    login = client.post(
        reverse("admin:login"),
        {"username": "edna", "password": "editor-pass-123", "next": "/admin/"},
    )
    assert login.status_code == HTTPStatus.FOUND
    page = client.get(change_url(profile))
    assert page.status_code == HTTPStatus.OK
    data = form_data(page)
    data["summary"] = "Balances supply and demand on the grid in real time."
    set_row(data, "duties", "Dispatch crews.", DELETE="on")
    add_row(data, "duties", text="Coordinate planned outages.")

    response = client.post(change_url(profile), data)

    assert response.status_code == HTTPStatus.FOUND
    profile.refresh_from_db()
    assert profile.summary == "Balances supply and demand on the grid in real time."
    assert [text for _, text in duty_texts(profile)] == [
        "Monitor the grid.",
        "Coordinate planned outages.",
    ]
    latest = Version.objects.get_for_object(profile).first()
    assert latest.revision.user == editor
    assert "Coordinate planned outages." in str(
        latest.revision.version_set.values_list("serialized_data", flat=True)[::1]
    )

    # A salary band whose maximum is below its minimum: an error, and nothing saved.
    data = form_data(client.get(change_url(profile)))
    data["summary"] = "Must not be saved."
    add_row(data, "salary_bands", **salary_row(annual_min="80000", annual_max="70000"))
    before = row_counts()
    response = client.post(change_url(profile), data)

    assert response.status_code == HTTPStatus.OK
    assert "The maximum salary must not be below the minimum." in response.content.decode()
    assert row_counts() == before
    profile.refresh_from_db()
    assert profile.summary == "Balances supply and demand on the grid in real time."


@pytest.mark.parametrize(
    "url_name",
    ["admin:auth_user_changelist", "admin:auth_group_changelist", "admin:auth_user_add"],
)
def test_editor_cannot_open_users_or_groups(editor_client, url_name):
    assert editor_client.get(reverse(url_name)).status_code == HTTPStatus.FORBIDDEN


def test_editor_sees_content_models_but_not_users_on_the_admin_index(editor_client):
    page = editor_client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:occupations_occupation_changelist") in page
    assert reverse("admin:occupations_skill_changelist") in page
    assert reverse("admin:auth_user_changelist") not in page


def test_staff_without_permissions_cannot_open_occupations(staff_client, occupation):
    assert staff_client.get(change_url(occupation)).status_code == HTTPStatus.FORBIDDEN


def test_editors_group_has_exactly_the_content_audit_reading_and_own_token_permissions():
    from django.apps import apps
    from django.contrib.auth.models import Group

    expected = {
        f"occupations.{action}_{model._meta.model_name}"
        for model in apps.get_app_config("occupations").get_models()
        for action in model._meta.default_permissions
    } | {f"authtoken.{action}_tokenproxy" for action in ["add", "change", "delete", "view"]}
    expected |= {"editorial.view_auditevent", "editorial.view_reviewrequest"}
    granted = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name="Editors").permissions.select_related("content_type")
    }
    assert granted == expected


def test_editor_autocomplete_finds_shared_vocabulary(editor_client):
    models.Skill.objects.create(name="SCADA operation", slug="scada-operation")
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "occupations",
            "model_name": "occupationskill",
            "field_name": "skill",
            "term": "scada",
        },
    )
    assert response.status_code == HTTPStatus.OK
    assert [r["text"] for r in response.json()["results"]] == ["SCADA operation"]


# --- API tokens ------------------------------------------------------------------------------


def test_editor_manages_only_their_own_api_token(editor_client, editor, superuser):
    from rest_framework.authtoken.models import Token

    Token.objects.create(user=superuser)
    add_url = reverse("admin:authtoken_tokenproxy_add")
    response = editor_client.post(add_url, {"user": str(superuser.pk), "_save": "Save"})

    assert response.status_code == HTTPStatus.FOUND
    assert Token.objects.filter(user=editor).exists()
    assert Token.objects.filter(user=superuser).count() == 1
    listing = editor_client.get(reverse("admin:authtoken_tokenproxy_changelist")).content.decode()
    assert Token.objects.get(user=editor).key in listing
    assert Token.objects.get(user=superuser).key not in listing
    other = reverse("admin:authtoken_tokenproxy_change", args=[superuser.pk])
    assert editor_client.get(other).status_code == HTTPStatus.FOUND  # "doesn't exist" redirect


# --- Actions: publish, unpublish, duplicate --------------------------------------------------


def run_action(client, action, *occupations):
    return client.post(
        reverse("admin:occupations_occupation_changelist"),
        {"action": action, "_selected_action": [str(o.pk) for o in occupations]},
    )


def test_publish_action_publishes_and_records_a_revision(editor_client, editor, occupation):
    response = run_action(editor_client, "publish", occupation)

    assert response.status_code == HTTPStatus.FOUND
    occupation.refresh_from_db()
    assert occupation.status == enums.PublicationStatus.PUBLISHED
    assert occupation.published_at is not None
    revision = Version.objects.get_for_object(occupation).first().revision
    assert (revision.user, revision.get_comment()) == (editor, "Published.")


def test_unpublish_action_returns_profiles_to_draft(editor_client, editor, published_occupation):
    response = run_action(editor_client, "unpublish", published_occupation)

    assert response.status_code == HTTPStatus.FOUND
    published_occupation.refresh_from_db()
    assert published_occupation.status == enums.PublicationStatus.DRAFT
    assert published_occupation.published_at is None
    assert Version.objects.get_for_object(published_occupation).first().revision.user == editor


@pytest.mark.parametrize("profiles", [2, 12])
def test_the_publish_action_is_set_based(
    editor_client, editor, make_occupation, profiles, django_assert_max_num_queries
):
    selected = [fill_profile(make_occupation(), 1) for _ in range(profiles)]

    # The changelist's own queries and a fixed number for the whole selection, plus one
    # audit line per profile whose status changes (one revision each would be ~40 queries).
    with django_assert_max_num_queries(80 + profiles):
        response = run_action(editor_client, "publish", *selected)

    assert response.status_code == HTTPStatus.FOUND
    for occupation in selected:
        occupation.refresh_from_db()
        assert occupation.status == enums.PublicationStatus.PUBLISHED
        revision = Version.objects.get_for_object(occupation).first().revision
        assert (revision.user, revision.get_comment()) == (editor, "Published.")
        # The revision holds the profile and all of its rows, as a single publish records.
        assert revision.version_set.count() == 1 + sum(collection_counts(occupation).values())


def collection_counts(occupation):
    counts = {name: getattr(occupation, name).count() for name in OCCUPATION_CHILDREN}
    counts["key_facts"] = models.KeyFact.objects.filter(table__occupation=occupation).count()
    counts["list_items"] = models.ListItem.objects.filter(item_list__occupation=occupation).count()
    return counts


def test_duplicate_action_copies_every_row_as_a_new_draft(editor_client, editor, make_occupation):
    original = fill_profile(make_occupation(title="Grid Dispatcher", slug="grid-dispatcher"), 2)
    models.Occupation.objects.filter(pk=original.pk).update(
        status=enums.PublicationStatus.PUBLISHED
    )

    response = run_action(editor_client, "duplicate", original)

    assert response.status_code == HTTPStatus.FOUND
    copy = models.Occupation.objects.get(slug="grid-dispatcher-copy")
    assert copy.title == "Grid Dispatcher (copy)"
    assert copy.status == enums.PublicationStatus.DRAFT
    assert (
        collection_counts(copy)
        == collection_counts(original)
        == {
            **{
                name: 2
                for name in collection_counts(original)
                if name not in {"key_facts", "list_items"}
            },
            "key_facts": 4,
            "list_items": 4,
        }
    )
    assert list(copy.duties.values_list("order", "text", "source")) == list(
        original.duties.values_list("order", "text", "source")
    )
    copied_table = copy.key_fact_tables.get(order=0)
    assert list(copied_table.facts.values_list("order", "label")) == [
        (0, "Label 0"),
        (1, "Label 1"),
    ]
    assert models.KeyFact.objects.filter(table__occupation=original).count() == 4
    revision = Version.objects.get_for_object(copy).get().revision
    assert revision.user == editor
    # The copy's first revision holds its rows, so it can be restored like any other.
    assert revision.version_set.count() > 40

    run_action(editor_client, "duplicate", original)
    assert models.Occupation.objects.filter(
        slug="grid-dispatcher-copy-2", title="Grid Dispatcher (copy 2)"
    ).exists()


def test_duplicating_is_all_or_nothing(editor, make_occupation, monkeypatch):
    from occupations import changes, services

    original = fill_profile(make_occupation(title="Grid Dispatcher", slug="grid-dispatcher"), 2)
    before = (
        models.Occupation.objects.count(),
        models.Duty.objects.count(),
        models.KeyFact.objects.count(),
    )

    def fail(ids):
        raise RuntimeError("search index unavailable")

    monkeypatch.setattr(changes.search, "update_search_vectors", fail)
    with pytest.raises(RuntimeError):
        services.occupation_duplicate(occupation=original, user=editor)

    after = (
        models.Occupation.objects.count(),
        models.Duty.objects.count(),
        models.KeyFact.objects.count(),
    )
    assert after == before


def test_saving_a_profile_refreshes_its_search_vector(superuser_client, profile, monkeypatch):
    from django.db import connection

    from occupations import changes

    calls = []
    original = changes.search.update_search_vectors
    monkeypatch.setattr(
        changes.search,
        "update_search_vectors",
        lambda ids: calls.append(list(ids)) or original(ids),
    )
    data = form_data(superuser_client.get(change_url(profile)))
    data["summary"] = "Keeps the lights on."

    assert superuser_client.post(change_url(profile), data).status_code == HTTPStatus.FOUND
    assert calls == [[profile.pk]]  # once, through the content door
    if connection.vendor == "postgresql":
        assert models.Occupation.objects.filter(pk=profile.pk, search_vector="lights").exists()


# --- Drafts and "View on site" ---------------------------------------------------------------


def test_anonymous_visitor_gets_404_for_a_draft(client, occupation):
    assert client.get(occupation.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND


def test_editors_can_preview_a_draft(editor_client, occupation):
    response = editor_client.get(occupation.get_absolute_url())
    assert response.status_code == HTTPStatus.OK
    assert occupation.title in response.content.decode()


def test_staff_without_the_change_permission_do_not_see_drafts(staff_client, occupation):
    """One draft-visibility rule for pages and the API: the change permission."""
    assert staff_client.get(occupation.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND


def test_anonymous_visitor_sees_a_published_profile(client, published_occupation):
    response = client.get(published_occupation.get_absolute_url())
    assert response.status_code == HTTPStatus.OK
    assert published_occupation.title in response.content.decode()


def test_view_on_site_opens_the_drafts_preview(editor_client, occupation):
    content_type = ContentType.objects.get_for_model(models.Occupation)
    view_on_site = reverse("admin:view_on_site", args=[content_type.pk, occupation.pk])
    assert view_on_site in editor_client.get(change_url(occupation)).content.decode()

    response = editor_client.get(view_on_site, follow=True)

    assert response.redirect_chain[-1][0].endswith(occupation.get_absolute_url())
    assert response.status_code == HTTPStatus.OK
    assert occupation.title in response.content.decode()


# --- History: who/when, compare, revert --------------------------------------------------------


def test_reverting_on_the_history_page_restores_the_profile_and_its_rows(editor_client, profile):
    url = change_url(profile)
    assert (
        editor_client.post(url, form_data(editor_client.get(url))).status_code == HTTPStatus.FOUND
    )
    first = Version.objects.get_for_object(profile).get()
    rows_before = list(profile.duties.values_list("pk", "order", "text"))
    band = profile.salary_bands.get()

    data = form_data(editor_client.get(url))
    data["summary"] = "Edited summary."
    set_row(data, "duties", "Monitor the grid.", text="Monitor the grid closely.", order="5")
    set_row(data, "duties", "Dispatch crews.", DELETE="on")
    set_row(data, "salary_bands", "Entry", annual_max="55000")
    add_row(data, "duties", text="Added after the first revision.")
    assert editor_client.post(url, data).status_code == HTTPStatus.FOUND
    second = Version.objects.get_for_object(profile).first()

    history = editor_client.get(reverse("admin:occupations_occupation_history", args=[profile.pk]))
    assert history.status_code == HTTPStatus.OK
    assert history.content.decode().count("edna") >= 2
    compare = editor_client.get(
        reverse("admin:occupations_occupation_compare", args=[profile.pk]),
        {"version_id1": first.pk, "version_id2": second.pk},
    )
    assert compare.status_code == HTTPStatus.OK
    compared = " ".join(re.sub(r"<[^>]+>", " ", compare.content.decode()).split())
    assert "Removed: “Dispatch crews.”" in compared

    revision_url = reverse("admin:occupations_occupation_revision", args=[profile.pk, first.pk])
    revert_form = editor_client.get(revision_url)
    assert revert_form.status_code == HTTPStatus.OK
    response = editor_client.post(revision_url, form_data(revert_form))

    assert response.status_code == HTTPStatus.FOUND
    profile.refresh_from_db()
    assert profile.summary == "Coordinates the flow of electricity."
    assert list(profile.duties.values_list("pk", "order", "text")) == rows_before
    assert profile.salary_bands.get(pk=band.pk).annual_max == 50_000
    assert Version.objects.get_for_object(profile).count() == 3


def test_recover_list_offers_a_deleted_profile(editor_client, profile):
    url = change_url(profile)
    editor_client.post(url, form_data(editor_client.get(url)))
    delete_url = reverse("admin:occupations_occupation_delete", args=[profile.pk])
    assert editor_client.post(delete_url, {"post": "yes"}).status_code == HTTPStatus.FOUND

    recover = editor_client.get(reverse("admin:occupations_occupation_recoverlist"))

    assert recover.status_code == HTTPStatus.OK
    assert profile.title in recover.content.decode()


# --- Query counts ------------------------------------------------------------------------------
# Measured on SQLite and PostgreSQL alike, for an editor (their permission lookups included).
# The occupation change page: session, user, 2 permission lookups, savepoint pair, the
# occupation, its sector's autocomplete label, one query per inline (23), the own-token check,
# the latest revision (the version the editor opened, for the edit guard), the latest review.
# The changelist: session, user, 2 permission lookups, sector filter, 2 counts, the
# own-token check, one page of occupations with their sectors.
CHANGE_PAGE_QUERIES = 34
CHANGELIST_QUERIES = 9


@pytest.mark.parametrize("rows", [1, 30])
def test_change_page_query_count_does_not_grow_with_rows(
    editor_client, make_occupation, rows, django_assert_num_queries
):
    occupation = fill_profile(
        make_occupation(title="Grid Dispatcher", slug="grid-dispatcher"), rows
    )
    url = change_url(occupation)
    editor_client.get(url)  # warm the per-process caches (content types)

    with django_assert_num_queries(CHANGE_PAGE_QUERIES):
        response = editor_client.get(url)

    page = response.content.decode()
    last = rows - 1
    # Every row is on the page, with its vocabulary, source and related-profile labels.
    for label in [
        f"Duty {last}",
        f"Skill grid-dispatcher {last}",
        f"Source grid-dispatcher {last}",
        f"RatingDimension grid-dispatcher {last}",
        f"Neighbour grid-dispatcher {last}",
        f"Table {last}",
    ]:
        assert label in page
    assert response.context["inline_admin_formsets"][2].formset.total_form_count() == rows


@pytest.mark.parametrize("rows", [1, 30])
def test_changelist_query_count_does_not_grow_with_occupations(
    editor_client, make_occupation, rows, django_assert_num_queries
):
    for number in range(rows):
        models.AlternateTitle.objects.create(occupation=make_occupation(), title=f"Alias {number}")
    url = reverse("admin:occupations_occupation_changelist")
    editor_client.get(url)

    with django_assert_num_queries(CHANGELIST_QUERIES):
        response = editor_client.get(url)
    with django_assert_num_queries(CHANGELIST_QUERIES):
        searched = editor_client.get(url, {"q": "Alias", "status__exact": "draft"})

    assert len(response.context["cl"].result_list) == rows
    assert len(searched.context["cl"].result_list) == rows
    assert f"Test Occupation {rows}" in response.content.decode()


def test_reverting_a_reorder_on_the_history_page_puts_rows_back(editor_client, profile):
    url = change_url(profile)
    editor_client.post(url, form_data(editor_client.get(url)))
    first = Version.objects.get_for_object(profile).get()
    data = form_data(editor_client.get(url))
    set_row(data, "duties", "Monitor the grid.", order="2")
    set_row(data, "duties", "Dispatch crews.", order="1")
    assert editor_client.post(url, data).status_code == HTTPStatus.FOUND
    revision_url = reverse("admin:occupations_occupation_revision", args=[profile.pk, first.pk])

    # Viewing the old version changes nothing; saving it restores the positions.
    revert_form = editor_client.get(revision_url)
    assert duty_texts(profile) == [(1, "Dispatch crews."), (2, "Monitor the grid.")]
    response = editor_client.post(revision_url, form_data(revert_form))

    assert response.status_code == HTTPStatus.FOUND
    assert duty_texts(profile) == [(1, "Monitor the grid."), (2, "Dispatch crews.")]


def test_reverting_a_key_fact_table_restores_its_rows_order(superuser_client, occupation):
    table = models.KeyFactTable.objects.create(occupation=occupation, title="Role at a glance")
    models.KeyFact.objects.create(table=table, order=1, label="Education", value="Associate")
    models.KeyFact.objects.create(table=table, order=2, label="Experience", value="2-4 years")
    url = reverse("admin:occupations_keyfacttable_change", args=[table.pk])
    superuser_client.post(url, form_data(superuser_client.get(url), form_id="keyfacttable_form"))
    first = Version.objects.get_for_object(table).get()
    data = form_data(superuser_client.get(url), form_id="keyfacttable_form")
    set_row(data, "facts", "Education", order="2")
    set_row(data, "facts", "Experience", order="1")
    superuser_client.post(url, data)

    revision_url = reverse("admin:occupations_keyfacttable_revision", args=[table.pk, first.pk])
    page = superuser_client.get(revision_url)
    response = superuser_client.post(revision_url, form_data(page, form_id="keyfacttable_form"))

    assert response.status_code == HTTPStatus.FOUND
    assert list(table.facts.values_list("order", "label")) == [(1, "Education"), (2, "Experience")]


def test_publishing_by_editing_the_status_stamps_the_date(editor_client, occupation):
    data = form_data(editor_client.get(change_url(occupation)))
    data["status"] = enums.PublicationStatus.PUBLISHED

    assert editor_client.post(change_url(occupation), data).status_code == HTTPStatus.FOUND
    occupation.refresh_from_db()
    assert occupation.published_at is not None

    data = form_data(editor_client.get(change_url(occupation)))
    data["status"] = enums.PublicationStatus.DRAFT
    editor_client.post(change_url(occupation), data)
    occupation.refresh_from_db()
    assert occupation.published_at is None


@pytest.mark.parametrize(
    "model",
    [models.Duty, models.OccupationSkill, models.RatingScore, models.KeyFact, models.ListItem],
)
def test_row_changelists_open_without_one_query_per_row(
    superuser_client, make_occupation, model, django_assert_max_num_queries
):
    fill_profile(make_occupation(title="Grid Dispatcher", slug="grid-dispatcher"), 10)
    url = reverse(f"admin:occupations_{model._meta.model_name}_changelist")
    superuser_client.get(url)
    with django_assert_max_num_queries(12):
        response = superuser_client.get(url)
    assert response.status_code == HTTPStatus.OK


@pytest.mark.parametrize(
    "slug", ["power-distributors-and-dispatchers", "distribution-system-operator"]
)
def test_real_profile_opens_and_saves_back_unchanged_in_the_admin(editor_client, slug):
    from django.core.management import call_command

    call_command(
        "loaddata",
        "vocabulary",
        "power-distributors-and-dispatchers",
        "distribution-system-operator",
        verbosity=0,
    )
    occupation = models.Occupation.objects.get(slug=slug)
    before = collection_counts(occupation)
    page = editor_client.get(change_url(occupation))
    assert page.status_code == HTTPStatus.OK

    response = editor_client.post(change_url(occupation), form_data(page))

    assert response.status_code == HTTPStatus.FOUND
    assert collection_counts(occupation) == before


def test_saving_multi_line_text_keeps_plain_line_breaks_and_records_only_real_changes(
    superuser_client, profile
):
    models.Occupation.objects.filter(pk=profile.pk).update(
        sample_cover_letter="Dear Hiring Manager,\n\n[Your Name]"
    )
    data = form_data(superuser_client.get(change_url(profile)))
    # Browsers send textarea line breaks as CRLF.
    data = {key: value.replace("\n", "\r\n") for key, value in data.items()}
    data["summary"] = "Only the summary changes."

    response = superuser_client.post(change_url(profile), data)

    assert response.status_code == HTTPStatus.FOUND
    profile.refresh_from_db()
    assert profile.sample_cover_letter == "Dear Hiring Manager,\n\n[Your Name]"
    comment = Version.objects.get_for_object(profile).first().revision.comment
    assert "Summary" in comment
    assert "cover letter" not in comment


def test_the_whole_profile_page_shows_each_section_in_turn_its_fields_then_its_rows(
    superuser_client, profile
):
    page = superuser_client.get(change_url(profile)).content.decode()
    markers_in_reading_order = [
        marker
        for section in SECTIONS
        for marker in [
            *(f">{name}</h2>" for name, _ in section.fieldsets),
            *(f'id="{collection.related_name}-group"' for collection in section.collections),
        ]
    ]

    positions = [page.find(marker) for marker in markers_in_reading_order]

    assert len(positions) == 7 + 23  # fieldsets and collections
    assert -1 not in positions
    assert positions == sorted(positions)


def test_saving_a_large_profile_does_not_validate_its_untouched_rows_one_by_one(
    editor_client, make_occupation
):
    def save_queries(rows):
        occupation = fill_profile(make_occupation(), rows)
        data = form_data(editor_client.get(change_url(occupation)))
        data["summary"] = "Changed."
        with CaptureQueriesContext(connection) as queries:
            assert editor_client.post(change_url(occupation), data).status_code == 302
        return len(queries)

    # 7 more rows in each of the 23 collections (161 rows). Before, each row cost its id,
    # record and constraint lookups (418 more queries), then django-reversion naming it
    # (its __str__ read the shared record it links to: 72 more). What remains is
    # django-reversion inserting the versions in batches.
    save_queries(1)  # fills the per-process caches (content types) first
    assert save_queries(8) - save_queries(1) <= 4  # measured: 2 on SQLite


def test_a_profile_saved_on_its_change_page_records_every_row_as_it_is(
    editor_client, make_occupation
):
    # Guards the rows handed to django-reversion from memory (`rows_followed_from_memory`).
    occupation = fill_profile(make_occupation(), 2)
    data = form_data(editor_client.get(change_url(occupation)))
    data.update({"summary": "Changed.", "duties-0-text": "Changed duty."})
    assert editor_client.post(change_url(occupation), data).status_code == 302

    assert models.Duty.objects.filter(text="Changed duty.").exists()
    rows = []
    for collection in COLLECTIONS:
        rows += collection.model.objects.filter(occupation=occupation)
        if collection.nested:
            nested = collection.nested
            lookup = {f"{nested.parent_field}__occupation": occupation}
            rows += nested.model.objects.filter(**lookup)
    revision = Version.objects.get_for_object(occupation).first().revision
    recorded = {
        (version.content_type.model_class(), version.object_id): version
        for version in revision.version_set.select_related("content_type")
    }
    assert len(rows) > 23 * 2
    assert set(recorded) == {(type(row), str(row.pk)) for row in [occupation, *rows]}
    for row in rows:
        version = recorded[type(row), str(row.pk)]
        assert (version.object_repr, version.serialized_data) == (str(row), version_data(row))
    assert recorded[models.Occupation, str(occupation.pk)].object_repr == occupation.title
