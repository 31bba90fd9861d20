"""A plain `loaddata` (any deployment path) leaves loaded profiles ready to edit and undo."""

import pytest
from django.core.management import call_command
from reversion.models import Version

from editorial.enums import AuditAction
from editorial.models import AuditEvent
from occupations.models import Occupation

pytestmark = pytest.mark.django_db

FIXTURES = ["vocabulary", "power-distributors-and-dispatchers"]


def test_loaddata_records_a_first_revision_with_every_row_of_each_loaded_profile():
    call_command("loaddata", *FIXTURES, verbosity=0)

    occupation = Occupation.objects.get()
    versions = Version.objects.get_for_object(occupation)
    assert versions.count() == 1
    assert versions[0].revision.comment.startswith("Loaded with loaddata from vocabulary")
    rows = versions[0].revision.version_set.exclude(object_id=str(occupation.pk)).count()
    assert rows > 10


def test_loaddata_writes_an_import_line_in_the_audit_log():
    call_command("loaddata", *FIXTURES, verbosity=0)

    event = AuditEvent.objects.get()
    assert event.action == AuditAction.IMPORT
    assert event.occupation == Occupation.objects.get()


def test_loading_only_vocabulary_records_no_profile_revision():
    call_command("loaddata", "vocabulary", verbosity=0)
    assert not Version.objects.exists()
    assert not AuditEvent.objects.exists()
