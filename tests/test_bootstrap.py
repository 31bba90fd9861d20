"""`make run` set-up: demo profiles on first run, one local admin, edits kept on later runs."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from reversion.models import Version

from occupations.management.commands import bootstrap_local
from occupations.models import Occupation

pytestmark = pytest.mark.django_db


@pytest.fixture
def credentials_file(tmp_path, monkeypatch, settings):
    settings.DEBUG = True  # pytest-django turns debug off; `make run` is a debug-on command
    path = tmp_path / ".local-admin-credentials"
    monkeypatch.setattr(bootstrap_local, "CREDENTIALS_FILE", path)
    return path


def test_first_run_loads_both_profiles_and_prints_the_generated_admin_password(
    credentials_file, capsys
):
    call_command("bootstrap_local")

    output = capsys.readouterr().out
    assert set(Occupation.objects.values_list("slug", flat=True)) == {
        "power-distributors-and-dispatchers",
        "distribution-system-operator",
    }
    password = credentials_file.read_text().split("password: ")[1].strip()
    assert password in output
    assert str(credentials_file) in output
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser
    assert admin.check_password(password)


def test_second_run_keeps_edits_and_creates_no_second_admin(credentials_file, capsys):
    call_command("bootstrap_local")
    Occupation.objects.filter(slug="distribution-system-operator").update(title="Edited title")

    call_command("bootstrap_local")

    assert Occupation.objects.get(slug="distribution-system-operator").title == "Edited title"
    assert get_user_model().objects.filter(username="admin").count() == 1
    assert "exists" in capsys.readouterr().out


def test_refuses_to_create_accounts_under_production_settings(credentials_file, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="local development only"):
        call_command("bootstrap_local")

    assert not get_user_model().objects.exists()
    assert not credentials_file.exists()


def test_first_run_records_a_revision_of_each_profile_to_revert_to(credentials_file):
    call_command("bootstrap_local")

    for occupation in Occupation.objects.all():
        versions = Version.objects.get_for_object(occupation)
        assert [v.revision.comment for v in versions] == [
            "Loaded with loaddata from vocabulary, power-distributors-and-dispatchers, "
            "distribution-system-operator."
        ]
        # The revision holds the rows too, so a revert can restore them.
        assert versions[0].revision.version_set.count() > 10


def test_after_the_first_run_a_misspelt_search_finds_the_dispatchers(credentials_file, client):
    # What a new user tries after `make run`, on whichever database the suite runs on.
    call_command("bootstrap_local")

    page = client.get("/", {"q": "dispacher"}).content.decode()

    assert "Power Distributors and Dispatchers" in page


def test_a_later_run_indexes_profiles_that_are_missing_from_the_search_index(
    credentials_file, client
):
    call_command("bootstrap_local")
    Occupation.objects.filter(slug="distribution-system-operator").update(
        title="Renamed Grid Operator"
    )

    call_command("bootstrap_local")

    assert "Renamed Grid Operator" in client.get("/", {"q": "renamed"}).content.decode()
