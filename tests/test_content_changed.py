"""Every write path goes through the one content door: it moves the content version that
caches key on and the `updated_at` of every profile whose page shows the change."""

import json
from contextlib import contextmanager
from http import HTTPStatus

import pytest
from django.urls import reverse
from reversion.models import Version
from test_admin import form_data

from occupations import enums, models, services
from occupations.changes import content_version
from occupations.publishing import occupation_publish, occupation_unpublish
from occupations.revisions import record_revision

pytestmark = pytest.mark.django_db

API = "/api/v1/occupations/"


@pytest.fixture
def linked(make_occupation, sector):
    """A published profile B that links to A, with a skill, a duty and a key-fact table."""
    a = make_occupation(title="Alpha", slug="alpha", status=enums.PublicationStatus.PUBLISHED)
    b = make_occupation(title="Beta", slug="beta", status=enums.PublicationStatus.PUBLISHED)
    models.RelatedOccupation.objects.create(occupation=b, related=a, kind="similar", order=1)
    skill = models.Skill.objects.create(name="SCADA", slug="scada")
    models.OccupationSkill.objects.create(occupation=b, skill=skill, group="technical", order=1)
    models.Duty.objects.create(occupation=a, text="Balance the load.", order=1)
    table = models.KeyFactTable.objects.create(occupation=a, title="At a glance", order=1)
    models.KeyFact.objects.create(table=table, label="Hours", value="Shifts", order=1)
    return a, b


@pytest.fixture
def moves(django_capture_on_commit_callbacks):
    """Assert that the block moves the content version and the given profiles' updated_at."""

    @contextmanager
    def check(*occupations):
        version = content_version()
        stamps = {o.pk: models.Occupation.objects.get(pk=o.pk).updated_at for o in occupations}
        with django_capture_on_commit_callbacks(execute=True):
            yield
        assert content_version() > version, "the content version did not move"
        for pk, stamp in stamps.items():
            after = models.Occupation.objects.filter(pk=pk).values_list("updated_at", flat=True)
            assert not after or after[0] > stamp, f"updated_at of profile {pk} did not move"

    return check


def api_send(client, method, url, body, auth):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json", **auth)


# --- The admin ----------------------------------------------------------------------------------


def test_saving_a_profile_in_the_admin_moves_it_and_the_profiles_linking_to_it(
    superuser_client, linked, moves
):
    a, b = linked
    url = reverse("admin:occupations_occupation_change", args=[a.pk])
    data = form_data(superuser_client.get(url))
    data["title"] = "Alpha renamed"

    with moves(a, b):
        assert superuser_client.post(url, data).status_code == HTTPStatus.FOUND


def test_removing_a_related_link_in_the_admin_moves_the_old_target(superuser_client, linked, moves):
    a, b = linked
    url = reverse("admin:occupations_occupation_change", args=[b.pk]) + "?section=related"
    data = form_data(superuser_client.get(url))
    data["related_links-0-DELETE"] = "on"

    with moves(a, b):
        assert superuser_client.post(url, data).status_code == HTTPStatus.FOUND
    assert not b.related_links.exists()


@pytest.mark.parametrize(("action", "moved"), [("publish", 2), ("unpublish", 2), ("duplicate", 0)])
def test_bulk_actions_move_the_version(superuser_client, linked, moves, action, moved):
    # Duplicating adds a draft: no existing page changes, but the version moves.
    with moves(*linked[:moved]):
        response = superuser_client.post(
            reverse("admin:occupations_occupation_changelist"),
            {"action": action, "_selected_action": [linked[0].pk]},
        )
    assert response.status_code == HTTPStatus.FOUND


def test_a_row_admin_save_moves_its_profile(superuser_client, linked, moves):
    a, _ = linked
    duty = a.duties.get()
    url = reverse("admin:occupations_duty_change", args=[duty.pk])
    data = form_data(superuser_client.get(url), form_id="duty_form")
    data["text"] = "Balance the load, carefully."

    with moves(a):
        assert superuser_client.post(url, data).status_code == HTTPStatus.FOUND


def test_a_nested_row_admin_save_moves_its_profile(superuser_client, linked, moves):
    a, _ = linked
    fact = models.KeyFact.objects.get()
    url = reverse("admin:occupations_keyfact_change", args=[fact.pk])
    data = form_data(superuser_client.get(url), form_id="keyfact_form")
    data["value"] = "Rotating shifts"

    with moves(a):
        assert superuser_client.post(url, data).status_code == HTTPStatus.FOUND


def test_renaming_a_skill_moves_every_profile_that_shows_it(superuser_client, linked, moves):
    _, b = linked
    skill = models.Skill.objects.get()
    url = reverse("admin:occupations_skill_change", args=[skill.pk])
    data = form_data(superuser_client.get(url), form_id="skill_form")
    data["name"] = "SCADA systems"

    with moves(b):
        assert superuser_client.post(url, data).status_code == HTTPStatus.FOUND


def test_reverting_on_the_history_page_moves_the_profile(editor_client, editor, linked, moves):
    a, _ = linked
    record_revision(occupation=a, user=editor, comment="First")
    version = Version.objects.get_for_object(a).first()
    url = reverse("admin:occupations_occupation_revision", args=[a.pk, version.pk])
    data = form_data(editor_client.get(url))

    with moves(a):
        assert editor_client.post(url, data).status_code == HTTPStatus.FOUND


# --- Services -----------------------------------------------------------------------------------


def test_publishing_services_and_revert_move_the_version(editor, linked, moves):
    a, b = linked
    record_revision(occupation=a, user=editor, comment="First")
    version = Version.objects.get_for_object(a).first()
    with moves(a, b):
        occupation_unpublish(occupation=a, user=editor)
    with moves(a, b):
        occupation_publish(occupation=a, user=editor)
    with moves(a, b):
        services.occupation_revert(version=version, user=editor)


# --- The API ------------------------------------------------------------------------------------


def test_api_writes_move_the_profile_and_its_neighbours(
    client, editor, token_header, linked, moves
):
    a, b = linked
    auth = token_header(editor)
    document = client.get(f"{API}{a.slug}/", **auth).json()

    with moves(a, b):
        response = api_send(client, "patch", f"{API}{a.slug}/", {"title": "Alpha 2"}, auth)
        assert response.status_code == HTTPStatus.OK
    with moves(a, b):
        response = api_send(client, "put", f"{API}{a.slug}/", document, auth)
        assert response.status_code == HTTPStatus.OK
    new = {"slug": "gamma", "title": "Gamma", "code": "51-8012", "summary": "New."}
    new["related_occupations"] = [{"related": "alpha", "kind": "similar"}]
    with moves(a):
        assert api_send(client, "post", API, new, auth).status_code == HTTPStatus.CREATED
    with moves(a, b):
        assert client.delete(f"{API}{a.slug}/", **auth).status_code == HTTPStatus.NO_CONTENT


def test_changing_a_related_link_through_the_api_moves_old_and_new_targets(
    client, editor, token_header, linked, make_occupation, moves
):
    a, b = linked
    c = make_occupation(title="Gamma", slug="gamma")
    body = {"related_occupations": [{"related": "gamma", "kind": "similar"}]}

    with moves(a, b, c):
        response = api_send(client, "patch", f"{API}{b.slug}/", body, token_header(editor))
    assert response.status_code == HTTPStatus.OK
