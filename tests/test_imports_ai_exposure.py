"""The AI-exposure import: occupation shares and task labels matched by O*NET Task ID."""

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from imports.services import ImportOptions, import_ai_exposure, import_onet
from occupations.models import AIExposureScore, Task

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
EXPOSURE = DATA / "gpts-are-gpts"


def run_import(**options):
    return import_ai_exposure(ImportOptions(path=EXPOSURE, release="2023", **options))


@pytest.fixture
def onet_profiles(db):
    import_onet(ImportOptions(path=DATA / "onet-27.0", release="27.0"))


def test_the_shares_of_51_8012_00_are_the_studys_rounded_to_three_places(onet_profiles):
    run_import()

    score = AIExposureScore.objects.get(occupation__onet_soc_code="51-8012.00")
    with (EXPOSURE / "occ_level.csv").open() as handle:
        row = next(r for r in csv.DictReader(handle) if r["O*NET-SOC Code"] == "51-8012.00")
    for rater, prefix in (("gpt4", "dv_rating"), ("human", "human_rating")):
        for measure in ("alpha", "beta", "gamma"):
            expected = Decimal(row[f"{prefix}_{measure}"]).quantize(Decimal("0.001"))
            assert getattr(score, f"{rater}_{measure}") == expected
    assert (score.gpt4_beta, score.human_beta) == (Decimal("0.375"), Decimal("0.250"))
    assert score.source.slug == "gpts-are-gpts"


def test_each_task_gets_its_label_by_task_id(onet_profiles):
    run_import()

    with (EXPOSURE / "full_labelset.tsv").open() as handle:
        rows = [
            r for r in csv.DictReader(handle, delimiter="\t") if r["O*NET-SOC Code"] == "51-8012.00"
        ]
    assert len(rows) == 15
    for row in rows:
        task = Task.objects.get(onet_task_id=int(float(row["Task ID"])))
        assert (task.exposure_human, task.exposure_gpt4) == (
            row["human_exposure_agg"],
            row["gpt4_exposure"],
        )
    assert Task.objects.get(onet_task_id=12300).exposure_gpt4 == "E2"


def test_re_running_changes_nothing(onet_profiles):
    first = run_import()

    second = run_import()

    assert (first.updated, second.updated, second.unchanged) == (3, 0, 3)
    assert second.rows_created == second.rows_updated == 0


def test_without_profiles_every_rated_occupation_is_skipped_with_its_reason(db):
    report = run_import()

    assert report.skipped_reasons == {"no profile has this O*NET-SOC code": 3}
    assert not AIExposureScore.objects.exists()
