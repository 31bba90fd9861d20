"""The O*NET import on the 27.0 excerpt: identity by code, every field, editors kept."""

from decimal import Decimal
from http import HTTPStatus
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from reversion.models import Version

from editorial.enums import AuditAction
from editorial.models import AuditEvent
from imports.models import ImportRun, ImportSnapshot
from imports.services import ImportOptions, import_onet
from occupations import enums, services
from occupations.models import (
    AlternateTitle,
    JobZone,
    Occupation,
    OccupationSkill,
    RelatedOccupation,
    Skill,
    Task,
)
from occupations.registry import COLLECTIONS

pytestmark = pytest.mark.django_db

ONET = Path(__file__).parent / "data" / "onet-27.0"
SEED = ["vocabulary", "power-distributors-and-dispatchers", "distribution-system-operator"]
DISPATCHERS = "power-distributors-and-dispatchers"


def onet_lines(name, code="51-8012.00"):
    """The excerpt's data lines of one occupation, split into fields."""
    lines = (ONET / name).read_text().splitlines()[1:]
    return [line.split("\t") for line in lines if line.startswith(code + "\t")]


def run_import(**options):
    return import_onet(ImportOptions(path=ONET, release="27.0", **options))


@pytest.fixture
def seeded(db):
    call_command("loaddata", *SEED, verbosity=0)


def seed_state():
    """Every seed profile's own fields and rows, to compare before and after an import."""
    state = {}
    for occupation in Occupation.objects.for_detail().filter(slug__in=SEED[1:]):
        fields = {
            field.attname: getattr(occupation, field.attname)
            for field in Occupation._meta.concrete_fields
            # Derived state every write renews, and the Job Zone the import fills in.
            if field.attname not in {"updated_at", "search_vector", "edit_token", "job_zone"}
        }
        rows = {
            collection.key: [
                tuple(
                    getattr(row, f"{name}_id", None) or getattr(row, name)
                    for name in collection.fields
                )
                for row in getattr(occupation, collection.related_name).all()
            ]
            for collection in COLLECTIONS
        }
        state[occupation.slug] = (fields, rows)
    return state


def test_the_import_attaches_to_the_seed_profile_by_code_and_keeps_every_seed_fact(seeded):
    before = seed_state()

    run_import()

    after = seed_state()
    for slug, (fields, rows) in before.items():
        assert after[slug][0] == fields
        for key, seed_rows in rows.items():
            assert set(seed_rows) <= set(after[slug][1][key]), key
    dispatchers = Occupation.objects.get(onet_soc_code="51-8012.00")
    assert dispatchers.slug == DISPATCHERS
    assert Occupation.objects.filter(title="Power Distributors and Dispatchers").count() == 1


def test_distribution_system_operator_stays_its_own_profile_linked_to_51_8012_00(seeded):
    run_import()

    dso = Occupation.objects.get(slug="distribution-system-operator")
    assert dso.onet_soc_code is None
    assert dso.related_links.filter(related__onet_soc_code="51-8012.00").exists()
    assert AlternateTitle.objects.filter(
        occupation__slug=DISPATCHERS, title="Distribution System Operator"
    ).exists()


def test_every_imported_field_of_51_8012_00_matches_the_files(seeded):
    run_import()
    profile = Occupation.objects.get(onet_soc_code="51-8012.00")
    source = profile.tasks.first().source

    assert source.slug == "onet-27-0-database"
    assert profile.job_zone == int(onet_lines("Job Zones.txt")[0][1]) == 3
    zone = JobZone.objects.get(number=3)
    assert zone.name == "Job Zone Three: Medium Preparation Needed"
    assert zone.svp_range == "(6.0 to < 7.0)"

    tasks = [(t.onet_task_id, t.text, t.task_type) for t in profile.tasks.order_by("order")]
    expected = [
        (int(task_id), text, enums.TaskType.CORE if kind == "Core" else enums.TaskType.SUPPLEMENTAL)
        for _, task_id, text, kind, *_ in onet_lines("Task Statements.txt")
    ]
    assert tasks == expected
    assert len(tasks) == 15
    assert {t.source_id for t in profile.tasks.all()} == {source.pk}

    titles = [(a.title, a.short_title) for a in profile.alternate_titles.order_by("order")]
    assert titles == [
        (title, "" if short == "n/a" else short)
        for _, title, short, _ in onet_lines("Alternate Titles.txt")
    ]
    assert len(titles) == 34

    links = OccupationSkill.objects.filter(
        occupation=profile, group=enums.SkillGroup.TECHNOLOGY
    ).select_related("skill")
    technology = {
        (
            link.skill.name,
            link.skill.unspsc_code,
            link.skill.unspsc_title,
            link.skill.hot_technology,
        )
        for link in links
    }
    assert technology == {
        (name, code, title, hot == "Y")
        for _, name, code, title, hot in onet_lines("Technology Skills.txt")
    }
    assert len(technology) == 25

    related = RelatedOccupation.objects.get(occupation=profile, related__onet_soc_code="51-8013.03")
    row = next(r for r in onet_lines("Related Occupations.txt") if r[1] == "51-8013.03")
    assert related.relatedness_tier == enums.RelatednessTier.PRIMARY_LONG
    assert row[2] == "Primary-Long"
    assert related.relatedness_rank == int(row[3])
    assert related.kind == enums.RelationKind.SIMILAR

    shares = {(e.category, e.level, e.share) for e in profile.education_levels.all()}
    assert shares == {
        (2, "High School Diploma", Decimal("51.92")),
        (3, "Post-Secondary Certificate", Decimal("17.87")),
        (4, "Some College Courses", Decimal("15.47")),
        (5, "Associate's Degree (or other 2-year degree)", Decimal("14.73")),
    }


def test_a_new_occupation_is_created_as_a_draft_with_the_files_title_description_and_sector(db):
    run_import()

    biomass = Occupation.objects.get(onet_soc_code="51-8013.03")
    data = onet_lines("Occupation Data.txt", "51-8013.03")[0]
    assert (biomass.title, biomass.summary) == (data[1], data[2])
    assert biomass.code == "51-8013.03"
    assert biomass.code_classification == enums.CodeClassification.ONET_SOC
    assert biomass.sector.name == "Production Occupations"
    assert biomass.status == enums.PublicationStatus.DRAFT
    assert biomass.job_zone == 2


def test_publish_makes_new_profiles_public(db):
    run_import(publish=True)

    assert set(Occupation.objects.values_list("status", flat=True)) == {"published"}
    assert not Occupation.objects.filter(published_at__isnull=True).exists()


def test_a_summary_an_editor_changed_survives_a_re_import_and_is_reported(seeded):
    run_import()
    Occupation.objects.filter(onet_soc_code="51-8011.00").update(summary="Edited by Edna.")
    Task.objects.filter(onet_task_id=19911).update(text="Edited task text.")

    report = run_import()

    reactor = Occupation.objects.get(onet_soc_code="51-8011.00")
    assert reactor.summary == "Edited by Edna."
    assert Task.objects.get(onet_task_id=19911).text == "Edited task text."
    kept = [what for code, what in report.kept_editor_values if code == "51-8011.00"]
    assert kept == [
        "summary: differs from O*NET 27.0, kept the editor's value",
        "tasks “19911” text: differs from O*NET 27.0, kept the editor's value",
    ]


def test_a_field_nobody_edited_follows_a_new_release(db):
    run_import()
    snapshot = ImportSnapshot.objects.get(occupation__onet_soc_code="51-8011.00", source="onet")
    # As if 27.0 had said something else: the profile still holds what the importer wrote.
    snapshot.values["fields"]["summary"] = "Old release text."
    snapshot.save()
    Occupation.objects.filter(onet_soc_code="51-8011.00").update(summary="Old release text.")

    report = run_import()

    description = onet_lines("Occupation Data.txt", "51-8011.00")[0][2]
    assert Occupation.objects.get(onet_soc_code="51-8011.00").summary == description
    assert report.updated == 1
    assert report.kept_editor_values == []


def test_rows_editors_added_or_deleted_are_left_as_they_are(seeded):
    run_import()
    profile = Occupation.objects.get(slug=DISPATCHERS)
    Task.objects.create(occupation=profile, order=999, text="Brief the control-room trainees.")
    Task.objects.filter(occupation=profile, onet_task_id=12299).delete()

    report = run_import()

    assert profile.tasks.filter(text="Brief the control-room trainees.").exists()
    assert not profile.tasks.filter(onet_task_id=12299).exists()
    assert ("51-8012.00", "tasks “12299”: deleted by an editor, not re-added") in (
        report.kept_editor_values
    )


def test_a_row_gone_from_the_release_is_reported_and_not_deleted(seeded):
    run_import()
    snapshot = ImportSnapshot.objects.get(occupation__slug=DISPATCHERS, source="onet")
    profile = snapshot.occupation
    Task.objects.create(occupation=profile, order=500, onet_task_id=99999, text="Retired task.")
    snapshot.values["rows"]["tasks"]["99999"] = {"text": "Retired task.", "task_type": "core"}
    snapshot.save()

    report = run_import()

    assert profile.tasks.filter(onet_task_id=99999).exists()
    assert report.gone == [
        ("51-8012.00", "tasks “99999” is no longer in O*NET 27.0; left on the profile")
    ]


def test_re_running_the_import_changes_nothing_and_records_no_revision(seeded):
    first = run_import()
    versions, runs = Version.objects.count(), ImportRun.objects.count()
    rows = {c.key: c.model.objects.count() for c in COLLECTIONS}
    stamps = dict(Occupation.objects.values_list("pk", "updated_at"))

    second = run_import()

    assert (first.created, first.updated) == (2, 1)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 3)
    assert second.rows_created == second.rows_updated == 0
    assert Version.objects.count() == versions
    assert {c.key: c.model.objects.count() for c in COLLECTIONS} == rows
    assert dict(Occupation.objects.values_list("pk", "updated_at")) == stamps
    assert ImportRun.objects.count() == runs + 1


def test_each_changed_profile_gets_one_revision_saying_where_it_came_from(seeded):
    run_import()

    profile = Occupation.objects.get(slug=DISPATCHERS)
    versions = Version.objects.get_for_object(profile)
    comments = [v.revision.comment for v in versions]
    # The newest is the import's one revision; loaddata recorded the first one.
    assert comments[0] == "Imported from O*NET 27.0"
    assert [c for c in comments if not c.startswith("Loaded with")] == comments[:1]
    assert (
        Version.objects.filter(revision__comment="Imported from O*NET 27.0")
        .values("revision")
        .distinct()
        .count()
        == 3
    )


def test_a_dry_run_reports_the_real_runs_changes_and_writes_nothing(seeded):
    counts = {c.key: c.model.objects.count() for c in COLLECTIONS}
    versions = Version.objects.count()  # loaddata's first revisions of the seed profiles

    dry = run_import(dry_run=True)

    assert {c.key: c.model.objects.count() for c in COLLECTIONS} == counts
    assert Occupation.objects.count() == 2
    assert not Skill.objects.filter(unspsc_code__gt="").exists()
    assert not ImportRun.objects.exists()
    assert not ImportSnapshot.objects.exists()
    assert Version.objects.count() == versions
    real = run_import()
    assert dry.counts() == real.counts()


def test_the_run_is_recorded_with_its_counts_and_report(seeded, django_user_model):
    user = django_user_model.objects.create_user("importer")

    report = run_import(user=user)

    run = ImportRun.objects.get()
    assert (run.source, run.release, run.started_by) == ("onet", "27.0", user)
    assert run.counts == report.counts()
    assert "kept editor's value: 4" in run.report
    assert run.finished_at >= run.started_at


def test_the_command_prints_a_summary_and_the_dry_run_says_it_wrote_nothing(seeded, capsys):
    call_command("import_onet", str(ONET), "--dry-run")

    out = capsys.readouterr().out
    assert out.startswith("Dry run: nothing was written.")
    assert "profiles: 2 created, 1 updated, 0 unchanged" in out
    assert "19 × related occupation is not on the site" in out
    assert Occupation.objects.count() == 2


def test_an_imported_profile_reverts_to_its_import_revision(seeded, editor):
    run_import()
    profile = Occupation.objects.get(slug=DISPATCHERS)
    imported = Version.objects.get_for_object(profile).first()
    assert imported.revision.comment == "Imported from O*NET 27.0"
    before = seed_state()
    Occupation.objects.filter(pk=profile.pk).update(summary="Edited after the import.")
    profile.tasks.filter(onet_task_id=12299).delete()
    Task.objects.create(occupation=profile, order=900, text="Added after the import.")

    services.occupation_revert(version=imported, user=editor)

    after = seed_state()
    assert after[DISPATCHERS] == before[DISPATCHERS]
    assert profile.tasks.filter(onet_task_id=12299).exists()
    assert not profile.tasks.filter(text="Added after the import.").exists()


def test_the_history_compares_an_imported_profile_with_its_seed_version(seeded, editor_client):
    run_import()
    profile = Occupation.objects.get(slug=DISPATCHERS)
    imported, loaded = Version.objects.get_for_object(profile)[:2]

    response = editor_client.get(
        reverse("admin:occupations_occupation_compare", args=[profile.pk]),
        {"version_id1": loaded.pk, "version_id2": imported.pk},
    )

    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert "Prepare switching orders that will isolate work areas" in page  # an O*NET task


def test_each_changed_profile_gets_one_import_line_in_the_audit_log_and_a_re_run_none(
    seeded,
):
    run_import()
    events = AuditEvent.objects.filter(action=AuditAction.IMPORT, detail="Imported from O*NET 27.0")
    assert sorted(events.values_list("occupation__onet_soc_code", flat=True)) == [
        "51-8011.00",
        "51-8012.00",
        "51-8013.03",
    ]

    run_import()

    assert events.count() == 3
