"""Import runs are listed in the admin, read only."""

from http import HTTPStatus
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from imports.models import ImportRun
from imports.services import ImportOptions, import_onet

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(db):
    import_onet(ImportOptions(path=Path(__file__).parent / "data" / "onet-27.0", release="27.0"))
    return ImportRun.objects.get()


def test_import_runs_are_listed_with_their_counts(superuser_client, run):
    response = superuser_client.get(reverse("admin:imports_importrun_changelist"))

    assert response.status_code == HTTPStatus.OK
    assert "3 / 0" in response.content.decode()  # 3 profiles created, 0 updated


def test_an_import_run_shows_its_report_and_cannot_be_edited_added_or_deleted(
    superuser_client, run
):
    change = superuser_client.get(reverse("admin:imports_importrun_change", args=[run.pk]))
    add = superuser_client.get(reverse("admin:imports_importrun_add"))
    delete = superuser_client.get(reverse("admin:imports_importrun_delete", args=[run.pk]))

    assert change.status_code == HTTPStatus.OK
    html = change.content.decode()
    assert "related occupation is not on the site" in html
    assert 'name="_save"' not in html
    assert add.status_code == HTTPStatus.FORBIDDEN
    assert delete.status_code == HTTPStatus.FORBIDDEN


@pytest.mark.parametrize("runs", [1, 3])
def test_the_run_list_query_count_does_not_grow_with_runs(
    superuser_client, superuser, runs, django_assert_num_queries
):
    for number in range(runs):
        ImportRun.objects.create(
            source="oews",
            release=f"May {2020 + number}",
            started_by=superuser,
            started_at=timezone.now(),
            finished_at=timezone.now(),
            input_path="national.xlsx",
            counts={"created": 1, "updated": 2},
        )
    url = reverse("admin:imports_importrun_changelist")
    superuser_client.get(url)  # warm the per-process caches

    # Session, user, the changelist's two counts, one page of runs with their users, and the
    # release filter's choices.
    with django_assert_num_queries(6):
        response = superuser_client.get(url)

    assert response.status_code == HTTPStatus.OK
