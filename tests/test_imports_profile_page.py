"""The seed profile after the three imports: seed facts and imported data, all attributed."""

import shutil
from http import HTTPStatus
from pathlib import Path

import pytest
from django.core.management import call_command

from imports.services import ImportOptions, import_ai_exposure, import_oews, import_onet
from occupations.models import Occupation

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
SEED = ["vocabulary", "power-distributors-and-dispatchers", "distribution-system-operator"]
# The occupation, one query for every collection and the incoming links, the Job Zone's
# meaning and the career graph.
IMPORTED_PROFILE_QUERIES = 4
OEWS = DATA / "bls-oews-2023" / "national_M2023_excerpt.csv"


@pytest.fixture
def imported(db):
    call_command("loaddata", *SEED, verbosity=0)
    import_onet(ImportOptions(path=DATA / "onet-27.0", release="27.0"))
    import_oews(
        ImportOptions(
            path=DATA / "bls-oews-2023" / "national_M2023_excerpt.csv", release="May 2023"
        )
    )
    import_ai_exposure(ImportOptions(path=DATA / "gpts-are-gpts", release="2023"))
    return Occupation.objects.get(onet_soc_code="51-8012.00")


def test_the_seed_page_shows_its_own_facts_and_the_imported_sections_with_attribution(
    client, imported, django_assert_num_queries
):
    with django_assert_num_queries(IMPORTED_PROFILE_QUERIES):
        response = client.get(imported.get_absolute_url())

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert imported.summary in html  # the seed's own summary, not O*NET's description
    assert "Smart Grid Dispatch Analysts" in html
    assert "Prepare switching orders that will isolate work areas" in html
    assert "people rate it E2, GPT-4 rates it E2" in html
    assert "Hot technology" in html
    assert '<td class="num">$104,750</td>' in html
    assert "9,040" in html
    assert "Job Zone 3 of 5: Medium Preparation Needed" in html
    assert "High School Diploma" in html
    assert "E1 plus half of E2" in html
    assert "0.375" in html
    assert "Used under the <a" in html
    assert "CC BY 4.0</a> license" in html
    assert "U.S. Bureau of Labor Statistics" in html
    assert "GPTs are GPTs" in html


def test_distribution_system_operator_still_links_to_the_imported_profile(client, imported):
    response = client.get("/occupations/distribution-system-operator/")

    assert response.status_code == HTTPStatus.OK
    assert imported.get_absolute_url() in response.content.decode()


def test_the_imported_profile_s_api_document_takes_two_queries(
    client, imported, django_assert_num_queries
):
    # The profile, then one query for every collection, nested rows and incoming links.
    with django_assert_num_queries(2):
        document = client.get(f"/api/v1/occupations/{imported.slug}/").json()

    for key in ["tasks", "wage_statistics", "ai_exposure_scores", "skills", "education_levels"]:
        assert document[key], key


def test_an_onet_occupation_without_tasks_or_job_zone_still_credits_onet(client, db, tmp_path):
    # O*NET's "All Other" occupations have a title and description but no task, Job Zone or
    # education data; their pages showed O*NET's text without the CC BY attribution.
    onet = tmp_path / "onet"
    shutil.copytree(DATA / "onet-27.0", onet)
    with (onet / "Occupation Data.txt").open("a") as handle:
        handle.write(
            "51-8099.00\tPlant and System Operators, All Other\t"
            "All plant and system operators not listed separately.\n"
        )
    call_command("loaddata", *SEED, verbosity=0)
    import_onet(ImportOptions(path=onet, release="27.0", publish=True))
    other = Occupation.objects.get(onet_soc_code="51-8099.00")
    assert not other.tasks.exists()
    assert other.job_zone is None

    html = client.get(other.get_absolute_url()).content.decode()

    assert "All plant and system operators not listed separately." in html
    assert "CC BY 4.0</a> license" in html


def test_the_seed_page_before_any_import_names_no_onet_licence(client, db):
    call_command("loaddata", *SEED, verbosity=0)

    html = client.get("/occupations/power-distributors-and-dispatchers/").content.decode()

    assert "CC BY 4.0" not in html
