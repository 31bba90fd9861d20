"""Revisions: a profile's revision holds all of its rows, so reverting restores them."""

import pytest
import reversion
from reversion.models import Version

from occupations import enums, models, services

pytestmark = pytest.mark.django_db


def snapshot(occupation):
    """Everything a revert must restore, by primary key."""
    occupation.refresh_from_db()
    return {
        "summary": occupation.summary,
        "duties": list(occupation.duties.values_list("pk", "order", "text")),
        "bands": list(
            occupation.salary_bands.values_list("pk", "order", "annual_min", "annual_max")
        ),
        "facts": list(
            models.KeyFact.objects.filter(table__occupation=occupation).values_list(
                "pk", "order", "label", "value"
            )
        ),
        "items": list(
            models.ListItem.objects.filter(item_list__occupation=occupation).values_list(
                "pk", "order", "title"
            )
        ),
    }


@pytest.fixture
def saved_profile(occupation, editor):
    """A profile with rows of every depth, saved as one revision by the editor."""
    with reversion.create_revision():
        models.Duty.objects.create(occupation=occupation, order=1, text="Monitor the grid.")
        models.Duty.objects.create(occupation=occupation, order=2, text="Dispatch crews.")
        models.SalaryBand.objects.create(
            occupation=occupation, order=1, level="Entry", annual_min=40_000, annual_max=50_000
        )
        table = models.KeyFactTable.objects.create(occupation=occupation, title="At a glance")
        models.KeyFact.objects.create(table=table, order=1, label="Education", value="Associate")
        models.KeyFact.objects.create(table=table, order=2, label="Experience", value="2 years")
        item_list = models.ItemList.objects.create(
            occupation=occupation, kind=enums.ItemListKind.CHALLENGES, title="Challenges"
        )
        models.ListItem.objects.create(item_list=item_list, order=1, title="Cyber threats")
        reversion.add_to_revision(occupation)
        reversion.set_user(editor)
    return occupation


def edit_everything(occupation):
    """Change a field, edit, delete, add and reorder rows at every depth, as a new revision."""
    with reversion.create_revision():
        occupation.summary = "Edited summary."
        occupation.save()
        occupation.duties.filter(order=1).update(text="Monitor the grid closely.")
        occupation.duties.filter(order=2).delete()
        models.Duty.objects.create(occupation=occupation, order=3, text="Added later.")
        occupation.salary_bands.update(annual_max=55_000)
        fact = models.KeyFact.objects.get(table__occupation=occupation, order=1)
        fact.value = "Bachelor's degree"
        fact.save()
        models.KeyFact.objects.filter(table__occupation=occupation, order=2).delete()
        item_list = occupation.item_lists.get()
        models.ListItem.objects.create(item_list=item_list, order=2, title="Ageing assets")
        reversion.add_to_revision(occupation)


def test_a_profiles_revision_holds_all_of_its_rows(saved_profile, editor):
    version = Version.objects.get_for_object(saved_profile).get()
    stored = {v.content_type.model for v in version.revision.version_set.all()}
    assert stored == {
        "occupation",
        "duty",
        "salaryband",
        "keyfacttable",
        "keyfact",
        "itemlist",
        "listitem",
    }
    assert version.revision.user == editor


def test_reverting_restores_fields_and_rows_at_every_depth(saved_profile):
    before = snapshot(saved_profile)
    first = Version.objects.get_for_object(saved_profile).get()
    edit_everything(saved_profile)
    assert snapshot(saved_profile) != before

    first.revision.revert(delete=True)

    # Rows added since are gone, deleted rows are back with their keys, edits are undone.
    assert snapshot(saved_profile) == before


def test_reverting_a_reorder_puts_rows_back_in_place(saved_profile, editor):
    before = snapshot(saved_profile)
    first = Version.objects.get_for_object(saved_profile).get()
    with reversion.create_revision():
        monitor, dispatch = saved_profile.duties.all()
        # Swap the two duties' positions (through a free position, as the admin does).
        models.Duty.objects.filter(pk=monitor.pk).update(order=99)
        models.Duty.objects.filter(pk=dispatch.pk).update(order=1)
        models.Duty.objects.filter(pk=monitor.pk).update(order=2)
        reversion.add_to_revision(saved_profile)
    assert [text for _, _, text in snapshot(saved_profile)["duties"]] == [
        "Dispatch crews.",
        "Monitor the grid.",
    ]

    services.occupation_revert(version=first, user=editor)

    assert snapshot(saved_profile) == before
    latest = Version.objects.get_for_object(saved_profile).first().revision
    assert latest.user == editor
    assert latest.get_comment().startswith("Reverted to the version of")


def test_revert_service_restores_everything_and_records_who(saved_profile, editor):
    before = snapshot(saved_profile)
    first = Version.objects.get_for_object(saved_profile).get()
    edit_everything(saved_profile)

    services.occupation_revert(version=first, user=editor)

    assert snapshot(saved_profile) == before
    assert Version.objects.get_for_object(saved_profile).count() == 3


def test_publish_and_unpublish_each_record_a_revision(occupation, editor):
    services.occupation_publish(occupation=occupation, user=editor)
    services.occupation_unpublish(occupation=occupation, user=editor)

    versions = list(Version.objects.get_for_object(occupation))
    assert [v.revision.get_comment() for v in versions] == [
        "Unpublished (back to draft).",
        "Published.",
    ]
    assert {v.revision.user for v in versions} == {editor}
    assert versions[1].field_dict["status"] == enums.PublicationStatus.PUBLISHED
    assert versions[1].field_dict["published_at"] is not None
    assert versions[0].field_dict["published_at"] is None


def test_reverting_an_unpublish_publishes_again(occupation, editor):
    services.occupation_publish(occupation=occupation, user=editor)
    published = Version.objects.get_for_object(occupation).get()
    services.occupation_unpublish(occupation=occupation, user=editor)

    published.revision.revert(delete=True)

    occupation.refresh_from_db()
    assert occupation.status == enums.PublicationStatus.PUBLISHED
