"""OccupationFilter: the one FilterSet behind the HTML index and the API list."""

import pytest

from occupations import enums
from occupations.filters import OccupationFilter
from occupations.models import (
    EducationStep,
    GrowthArea,
    Occupation,
    OccupationGrowthArea,
    OccupationQualification,
    OccupationSkill,
    OccupationVisa,
    Qualification,
    SalaryBand,
    Sector,
    Skill,
    Visa,
)

pytestmark = pytest.mark.django_db

PUBLISHED = enums.PublicationStatus.PUBLISHED


def filtered(params, queryset=None):
    queryset = Occupation.objects.published() if queryset is None else queryset
    filterset = OccupationFilter(params, queryset=queryset)
    assert filterset.is_valid(), filterset.errors
    return [occupation.slug for occupation in filterset.qs]


@pytest.fixture
def pair(make_occupation):
    """Two published profiles with different vocabulary, salary and ratings."""
    first = make_occupation(title="Alpha Operator", slug="alpha", status=PUBLISHED)
    second = make_occupation(
        title="Beta Engineer",
        slug="beta",
        status=PUBLISHED,
        sector=Sector.objects.create(name="Water", slug="water"),
        ai_outlook=enums.AIOutlook.POSITIVE,
        overall_rating="8.5",
    )
    return first, second


def test_no_parameters_lists_every_published_profile_by_title(pair, occupation):
    assert filtered({}) == ["alpha", "beta"]


def test_sector_filters_by_slug(pair):
    assert filtered({"sector": "water"}) == ["beta"]


def test_ai_outlook_filters_by_bucket(pair):
    assert filtered({"ai_outlook": "positive"}) == ["beta"]


def test_salary_at_least_compares_with_the_top_band_maximum(pair):
    alpha, beta = pair
    SalaryBand.objects.create(
        occupation=alpha, order=1, level="Entry", annual_min=40000, annual_max=60000
    )
    SalaryBand.objects.create(
        occupation=alpha, order=2, level="Senior", annual_min=70000, annual_max=90000
    )
    SalaryBand.objects.create(
        occupation=beta, order=1, level="Entry", annual_min=50000, annual_max=80000
    )
    assert filtered({"salary_min": "85000"}) == ["alpha"]
    assert filtered({"salary_min": "80000"}) == ["alpha", "beta"]
    assert filtered({"salary_min": "95000"}) == []


def test_salary_filter_does_not_duplicate_a_profile_with_several_matching_bands(pair):
    alpha, _ = pair
    for order in range(1, 4):
        SalaryBand.objects.create(
            occupation=alpha, order=order, level=f"L{order}", annual_min=1, annual_max=100000
        )
    assert filtered({"salary_min": "10"}) == ["alpha"]


def test_education_stage_filter_matches_the_stage_and_offers_published_stages_only(
    pair, occupation
):
    alpha, _ = pair
    EducationStep.objects.create(occupation=alpha, order=1, stage="Associate degree")
    EducationStep.objects.create(occupation=occupation, order=1, stage="Secret draft stage")
    assert filtered({"education": "Associate degree"}) == ["alpha"]
    choices = [value for value, _ in OccupationFilter().form.fields["education"].choices]
    assert choices == ["", "Associate degree"]


def test_an_unknown_education_stage_is_invalid():
    filterset = OccupationFilter({"education": "Wizardry"}, queryset=Occupation.objects.all())
    assert not filterset.is_valid()
    assert "education" in filterset.errors


@pytest.mark.parametrize(
    ("param", "model", "through", "field", "extra"),
    [
        ("skill", Skill, OccupationSkill, "skill", {"group": enums.SkillGroup.TECHNICAL}),
        ("qualification", Qualification, OccupationQualification, "qualification", {}),
        ("visa", Visa, OccupationVisa, "visa", {}),
        ("growth_area", GrowthArea, OccupationGrowthArea, "growth_area", {}),
    ],
)
def test_vocabulary_filters_match_by_slug_without_duplicates(
    pair, param, model, through, field, extra
):
    alpha, _ = pair
    term = model.objects.create(name="Term", slug="term")
    other = model.objects.create(name="Other", slug="other")
    through.objects.create(occupation=alpha, order=1, **{field: term}, **extra)
    through.objects.create(occupation=alpha, order=2, **{field: other}, **extra)
    assert filtered({param: "term"}) == ["alpha"]
    assert filtered({param: "other"}) == ["alpha"]


def test_an_unknown_vocabulary_slug_is_reported_as_invalid(pair):
    filterset = OccupationFilter({"skill": "nope"}, queryset=Occupation.objects.all())
    assert not filterset.is_valid()
    assert "skill" in filterset.errors


def test_filters_combine(pair):
    assert filtered({"sector": "water", "ai_outlook": "mixed"}) == []
    assert filtered({"sector": "water", "ai_outlook": "positive"}) == ["beta"]


def test_search_parameter_uses_the_queryset_search(pair):
    assert filtered({"q": "engineer"}) == ["beta"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("title", ["alpha", "beta", "gamma"]),
        ("salary", ["gamma", "beta", "alpha"]),
        ("rating", ["beta", "gamma", "alpha"]),
        ("reviewed", ["alpha", "gamma", "beta"]),
        ("relevance", ["alpha", "beta", "gamma"]),
    ],
)
def test_sort_orders_with_missing_values_last(pair, make_occupation, sort, expected):
    alpha, beta = pair
    gamma = make_occupation(
        title="Gamma Planner",
        slug="gamma",
        status=PUBLISHED,
        overall_rating="6.0",
        last_reviewed="2026-01-01",
    )
    Occupation.objects.filter(pk=alpha.pk).update(last_reviewed="2026-06-01")
    SalaryBand.objects.create(occupation=beta, order=1, level="A", annual_min=1, annual_max=90000)
    SalaryBand.objects.create(occupation=gamma, order=1, level="A", annual_min=1, annual_max=95000)
    SalaryBand.objects.create(occupation=gamma, order=2, level="B", annual_min=1, annual_max=10)
    assert filtered({"sort": sort}) == expected


def test_an_unknown_sort_is_invalid():
    filterset = OccupationFilter({"sort": "chaos"}, queryset=Occupation.objects.all())
    assert not filterset.is_valid()


def test_filters_work_on_the_for_list_queryset_and_keep_its_salary_range(pair):
    alpha, _ = pair
    SalaryBand.objects.create(occupation=alpha, order=1, level="A", annual_min=100, annual_max=200)
    SalaryBand.objects.create(occupation=alpha, order=2, level="B", annual_min=300, annual_max=400)
    filterset = OccupationFilter(
        {"salary_min": "150", "sort": "salary"},
        queryset=Occupation.objects.published().for_list(),
    )
    [row] = filterset.qs
    assert (row.slug, row.salary_min, row.salary_max) == ("alpha", 100, 400)


# --- Imported data: median wage, Job Zone, education level, AI exposure ---------------------


@pytest.fixture
def imported(db):
    from pathlib import Path

    from imports.services import ImportOptions, import_ai_exposure, import_oews, import_onet

    data = Path(__file__).parent / "data"
    import_onet(ImportOptions(path=data / "onet-27.0", release="27.0", publish=True))
    import_oews(
        ImportOptions(
            path=data / "bls-oews-2023" / "national_M2023_excerpt.csv", release="May 2023"
        )
    )
    import_ai_exposure(ImportOptions(path=data / "gpts-are-gpts", release="2023"))


def imported_codes(**data):
    filterset = OccupationFilter(data, queryset=Occupation.objects.all())
    assert filterset.is_valid(), filterset.errors
    return [occupation.onet_soc_code for occupation in filterset.qs]


def test_median_wage_filter_keeps_profiles_whose_bls_median_reaches_it(imported):
    # Medians: 51-8011 $120,350, 51-8012 $104,750, 51-8013.03 (BLS's 51-8013 row) $97,010.
    assert imported_codes(median_wage_min=110000) == ["51-8011.00"]
    assert imported_codes(median_wage_min=100000, sort="title") == ["51-8011.00", "51-8012.00"]


def test_sorting_by_median_wage_puts_profiles_without_wages_last(imported):
    assert imported_codes(sort="median_wage") == ["51-8011.00", "51-8012.00", "51-8013.03"]


def test_job_zone_filter_and_sort(imported):
    assert imported_codes(job_zone=2) == ["51-8013.03"]
    assert imported_codes(sort="job_zone")[-1] == "51-8013.03"


def test_education_level_filter_matches_the_level_most_workers_hold(imported):
    # 51-8012.00: 51.92 % say a high school diploma.
    assert "51-8012.00" in imported_codes(education_level=2)
    assert "51-8012.00" not in imported_codes(education_level=6)


def test_ai_exposure_filter_and_sort_use_the_gpt4_beta_share(imported):
    assert "51-8012.00" in imported_codes(ai_exposure_min="0.375")
    assert "51-8012.00" not in imported_codes(ai_exposure_min="0.376")
    betas = [
        occupation.ai_exposure_scores.get().gpt4_beta
        for occupation in Occupation.objects.filter(onet_soc_code__in=imported_codes())
    ]
    ranked = imported_codes(sort="ai_exposure")
    assert len(ranked) == 3
    assert (
        sorted(betas, reverse=True)[0]
        == Occupation.objects.get(onet_soc_code=ranked[0]).ai_exposure_scores.get().gpt4_beta
    )
