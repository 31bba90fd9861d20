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
