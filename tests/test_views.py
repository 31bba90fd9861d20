"""Public pages around the profiles: index, vocabulary pages and compare."""

import re
from http import HTTPStatus
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from occupations import enums
from occupations.models import (
    EducationStep,
    GlossaryTerm,
    GrowthArea,
    Occupation,
    OccupationGlossaryTerm,
    OccupationGrowthArea,
    OccupationQualification,
    OccupationSkill,
    OccupationVisa,
    Qualification,
    RatingDimension,
    RatingScore,
    SalaryBand,
    Sector,
    Skill,
    Visa,
)
from occupations.search import update_search_vectors

pytestmark = pytest.mark.django_db

PUBLISHED = enums.PublicationStatus.PUBLISHED
INDEX = reverse("occupations:occupation_list")
COMPARE = reverse("occupations:compare")


@pytest.fixture
def make_profile(make_occupation):
    """A published profile with `rows` rows in every collection the public pages show."""

    def make(rows=1, **fields):
        occupation = make_occupation(status=PUBLISHED, **fields)
        for n in range(1, rows + 1):
            SalaryBand.objects.create(
                occupation=occupation,
                order=n,
                level=f"Level {n}",
                annual_min=40_000 + n,
                annual_max=60_000 + n * 1_000,
            )
            EducationStep.objects.create(occupation=occupation, order=n, stage=f"Stage {n}")
            dimension, _ = RatingDimension.objects.get_or_create(
                slug=f"dimension-{n}", defaults={"name": f"Dimension {n}", "position": n}
            )
            RatingScore.objects.create(occupation=occupation, dimension=dimension, score="7.0")
            links = [
                (Skill, OccupationSkill, "skill", {"group": enums.SkillGroup.TECHNICAL}),
                (Qualification, OccupationQualification, "qualification", {}),
                (Visa, OccupationVisa, "visa", {}),
                (GrowthArea, OccupationGrowthArea, "growth_area", {}),
                (GlossaryTerm, OccupationGlossaryTerm, "term", {}),
            ]
            for model, through, field, extra in links:
                term, _ = model.objects.get_or_create(
                    slug=f"{model._meta.model_name}-{n}",
                    defaults={"name": f"{model.__name__} {n}"},
                )
                through.objects.create(occupation=occupation, order=n, **{field: term}, **extra)
        update_search_vectors([occupation.pk])
        return occupation

    return make


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


# --- Index -------------------------------------------------------------------------------


def test_index_shows_a_card_per_published_profile_with_its_facts(client, make_profile):
    make_profile(
        rows=2,
        title="Grid Operator",
        slug="grid-operator",
        code="51-8012",
        overall_rating="7.5",
        ai_outlook=enums.AIOutlook.MIXED,
        ai_verdict="Mixed augmentation",
        last_reviewed="2026-10-05",
    )
    response = client.get(INDEX)
    assert response.status_code == HTTPStatus.OK
    page = text(response)
    assert 'href="/occupations/grid-operator/"' in page
    assert "51-8012" in page
    assert "Energy" in page
    assert "Coordinates the flow of electricity." in page
    assert "7.5 / 10" in page
    assert "Mixed augmentation" in page
    assert "$40,001–$62,000 USD" in page
    assert "1 occupation<" in page
    assert '<time datetime="2026-10-05">5 Oct 2026</time>' in page


def test_index_says_not_rated_and_salary_not_stated_when_those_are_missing(client, make_occupation):
    make_occupation(status=PUBLISHED)
    page = text(client.get(INDEX))
    assert "Not rated" in page
    assert "Salary not stated" in page


def test_index_never_shows_drafts_to_visitors(client, occupation, published_occupation):
    page = text(client.get(INDEX))
    assert published_occupation.title in page
    assert occupation.title not in page


def test_index_has_one_h1_a_labelled_search_box_and_labelled_filters(client, make_profile):
    make_profile()
    page = text(client.get(INDEX))
    assert page.count("<h1") == 1
    assert '<label for="id_q">' in page
    for name in ["sector", "ai_outlook", "salary_min", "education", "qualification", "visa",
                 "skill", "growth_area", "sort"]:  # fmt: skip
        assert f'<label for="id_{name}">' in page
        assert f'id="id_{name}"' in page


def test_index_filters_keep_the_query_in_the_form_and_offer_remove_links(client, make_profile):
    make_profile(slug="kept")
    Sector.objects.create(name="Water", slug="water")
    response = client.get(INDEX, {"q": "Test", "sector": "energy", "sort": "title"})
    page = text(response)
    assert 'value="Test"' in page
    assert '<option value="energy" selected>' in page
    assert '<option value="title" selected>' in page
    assert "Sector: Energy" in page
    assert 'href="?q=Test&amp;sort=title"' in page  # the sector's "Remove" link keeps the rest
    assert 'name="robots" content="noindex, follow"' in page


def test_index_empty_state_shows_the_query_and_leads_back_to_everything(client, make_profile):
    make_profile()
    page = text(client.get(INDEX, {"q": "astronaut", "sector": "energy"}))
    assert "0 occupations for “astronaut”" in page
    assert "No published occupation matches “astronaut” with these filters." in page
    assert "Remove a filter" in page
    assert f'<a href="{INDEX}">See all occupations</a>' in page


def test_index_escapes_the_query_it_repeats(client):
    page = client.get(INDEX, {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_index_paginates_twelve_per_page_and_keeps_the_query_string(client, make_occupation):
    for n in range(14):
        make_occupation(title=f"Analyst {n:02}", slug=f"analyst-{n:02}", status=PUBLISHED)
    first = text(client.get(INDEX, {"q": "Analyst", "sort": "title"}))
    assert first.count('class="card"') == 12
    assert "14 occupations" in first
    assert 'href="?q=Analyst&amp;sort=title&amp;page=2" rel="next"' in first
    second = text(client.get(INDEX, {"q": "Analyst", "sort": "title", "page": 2}))
    assert second.count('class="card"') == 2
    assert "Analyst 13" in second
    assert 'rel="prev"' in second


def test_index_with_an_out_of_range_or_junk_page_shows_a_page_not_an_error(client, make_profile):
    make_profile()
    assert client.get(INDEX, {"page": "999"}).status_code == HTTPStatus.OK
    assert client.get(INDEX, {"page": "junk"}).status_code == HTTPStatus.OK


def test_index_with_an_invalid_filter_value_shows_the_error_next_to_the_field(client, make_profile):
    make_profile()
    response = client.get(INDEX, {"skill": "no-such-skill", "salary_min": "lots"})
    assert response.status_code == HTTPStatus.OK
    page = text(response)
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="id_skill-error"' in page
    assert 'id="id_salary_min-error"' in page
    assert "1 occupation<" in page  # invalid filters are ignored, not applied half-way


def test_index_offers_a_compare_form_that_works_without_javascript(client, make_profile):
    make_profile(slug="one")
    page = text(client.get(INDEX))
    assert f'<form id="compare-form" class="compare-bar" action="{COMPARE}" method="get">' in page
    assert 'name="occupations" value="one" id="compare-one" form="compare-form"' in page


@pytest.mark.parametrize("count", [1, 30])
def test_index_query_count_is_constant(client, make_profile, django_assert_num_queries, count):
    for n in range(count):
        make_profile(rows=2, slug=f"profile-{n}", title=f"Profile {n}")
    # count + page, then the two short selects' options (sectors, education stages); the
    # vocabulary filters are text fields, so no query for them
    with django_assert_num_queries(4):
        response = client.get(INDEX)
    assert response.status_code == HTTPStatus.OK


@pytest.mark.parametrize("count", [1, 30])
def test_index_query_count_is_constant_with_search_and_every_filter(
    client, make_profile, django_assert_num_queries, count
):
    for n in range(count):
        make_profile(rows=2, slug=f"profile-{n}", title=f"Profile {n}")
    params = {
        "q": "Profile",
        "sector": "energy",
        "ai_outlook": "",
        "salary_min": "50000",
        "education": "Stage 1",
        "qualification": "qualification-1",
        "visa": "visa-1",
        "skill": "skill-1",
        "growth_area": "growtharea-1",
        "sort": "salary",
    }
    # the 4 above, one lookup per vocabulary value given (5), the page's search headlines,
    # and two for the words: on PostgreSQL the query's words checked against the lexicon,
    # then whether they match (else typos are corrected); on SQLite the query word checked
    # against the index, by the search and by the headlines
    with django_assert_num_queries(12):
        response = client.get(INDEX, params)
    assert response.status_code == HTTPStatus.OK
    assert f"{count} occupation" in text(response)


# --- Vocabulary pages ---------------------------------------------------------------------


def test_skill_page_lists_published_occupations_with_the_per_occupation_detail(
    client, make_occupation
):
    skill = Skill.objects.create(
        name="Load forecasting", slug="load-forecasting", description="Predicting demand."
    )
    shown = make_occupation(title="Shown", slug="shown", status=PUBLISHED)
    hidden = make_occupation(title="Hidden Draft", slug="hidden")
    OccupationSkill.objects.create(
        occupation=shown,
        skill=skill,
        group=enums.SkillGroup.TO_BUILD,
        label="Forecast load hour by hour",
        note="Grows with renewables.",
    )
    OccupationSkill.objects.create(occupation=hidden, skill=skill, group=enums.SkillGroup.SOFT)
    response = client.get(skill.get_absolute_url())
    assert response.status_code == HTTPStatus.OK
    page = text(response)
    assert "<h1" in page
    assert "Load forecasting</h1>" in page
    assert "Predicting demand." in page
    assert 'href="/occupations/shown/"' in page
    assert "Skills to build (next 5 years)" in page
    assert "Forecast load hour by hour" in page
    assert "Grows with renewables." in page
    assert "Hidden Draft" not in page
    assert "(1)" in page


def test_qualification_page_shows_issuer_kind_and_requirement(client, make_occupation):
    qualification = Qualification.objects.create(
        name="NERC certification",
        slug="nerc",
        issuer="NERC",
        kind=enums.QualificationKind.CERTIFICATION,
    )
    OccupationQualification.objects.create(
        occupation=make_occupation(status=PUBLISHED),
        qualification=qualification,
        requirement=enums.RequirementLevel.REQUIRED,
    )
    page = text(client.get(qualification.get_absolute_url()))
    assert "<dt>Issuer</dt><dd>NERC</dd>" in page
    assert "<dd>Certification</dd>" in page
    assert 'badge--required">Required<' in page


def test_visa_page_shows_full_name_country_and_details(client, make_occupation):
    visa = Visa.objects.create(
        name="H-1B", slug="h-1b", full_name="H-1B Specialty Occupations", country="United States"
    )
    OccupationVisa.objects.create(
        occupation=make_occupation(status=PUBLISHED), visa=visa, details="Needs a degree."
    )
    page = text(client.get(visa.get_absolute_url()))
    assert "H-1B Specialty Occupations" in page
    assert "United States" in page
    assert "Needs a degree." in page


def test_sector_page_shows_its_published_occupations_as_cards(client, make_occupation, sector):
    make_occupation(title="Visible", slug="visible", status=PUBLISHED)
    make_occupation(title="Secret", slug="secret")
    page = text(client.get(sector.get_absolute_url()))
    assert "Visible" in page
    assert "Secret" not in page
    assert 'class="card"' in page


def test_glossary_and_growth_area_pages_render(client, make_profile):
    make_profile(slug="p")
    for url in ["/glossary/glossaryterm-1/", "/growth-areas/growtharea-1/"]:
        response = client.get(url)
        assert response.status_code == HTTPStatus.OK
        assert 'href="/occupations/p/"' in text(response)


def test_unknown_vocabulary_slug_is_a_404(client):
    assert client.get("/skills/nope/").status_code == HTTPStatus.NOT_FOUND


def test_vocabulary_list_pages_count_only_published_occupations(client, make_profile, occupation):
    make_profile(slug="p")
    OccupationSkill.objects.create(
        occupation=occupation, skill=Skill.objects.get(slug="skill-1"), group="technical"
    )
    for name in ["skill", "qualification", "visa", "sector", "growth_area", "glossary_term"]:
        response = client.get(reverse(f"occupations:{name}_list"))
        assert response.status_code == HTTPStatus.OK
        assert "1 occupation<" in text(response)


@pytest.mark.parametrize("kind", ["skill", "qualification", "visa", "growth_area", "glossary_term"])
@pytest.mark.parametrize("count", [1, 30])
def test_vocabulary_page_query_count_is_constant(
    client, make_profile, django_assert_num_queries, kind, count
):
    for n in range(count):
        make_profile(slug=f"profile-{n}", title=f"Profile {n}")
    prefix = {"growth_area": "growtharea", "glossary_term": "glossaryterm"}.get(kind, kind)
    url = reverse(f"occupations:{kind}_detail", args=[f"{prefix}-1"])
    # the term, the count, the page of occupations with their sector, their links to the term
    with django_assert_num_queries(4):
        response = client.get(url)
    assert text(response).count('class="link-item"') == count


@pytest.mark.parametrize("count", [1, 30])
def test_sector_page_query_count_is_constant(
    client, make_profile, sector, django_assert_num_queries, count
):
    for n in range(count):
        make_profile(rows=2, slug=f"profile-{n}", title=f"Profile {n}")
    with django_assert_num_queries(3):  # the sector, the count, the page of cards
        response = client.get(sector.get_absolute_url())
    assert text(response).count('class="card"') == count


@pytest.mark.parametrize("count", [1, 30])
def test_vocabulary_list_query_count_is_constant(
    client, make_profile, django_assert_num_queries, count
):
    for n in range(count):
        make_profile(slug=f"profile-{n}", title=f"Profile {n}")
    with django_assert_num_queries(3):  # the count, the page of terms, their counts
        client.get(reverse("occupations:skill_list"))


# --- Compare ------------------------------------------------------------------------------


def test_compare_puts_two_profiles_side_by_side(client, make_profile):
    first = make_profile(
        rows=2, title="First", slug="first", overall_rating="8.0", ai_outlook="mixed"
    )
    second = make_profile(rows=1, title="Second", slug="second")
    only_first = Skill.objects.get(slug="skill-2")
    response = client.get(COMPARE, {"occupations": "first,second"})
    assert response.status_code == HTTPStatus.OK
    page = text(response)
    assert '<th scope="col"><a href="/occupations/first/">First</a></th>' in page
    assert '<th scope="col"><a href="/occupations/second/">Second</a></th>' in page
    assert "<caption" in page
    for label in ["Occupation code", "Sector", "Overall rating", "AI outlook", "Salary bands",
                  "Dimension 1", "Education path", "Qualifications", "Visas",
                  "Skills they share", "Other skills"]:  # fmt: skip
        assert f'<th scope="row">{label}</th>' in page
    assert "8.0 / 10" in page
    assert "Not rated" in page  # the second profile has no overall rating, nor dimension 2
    assert "Level 2: $40,002–$62,000 USD" in page
    assert "Stage 2" in page
    assert "Qualification 1" in page
    assert "Visa 1" in page
    shared_row = page.split('<th scope="row">Skills they share</th>')[1].split("</tr>")[0]
    assert "Skill 1" in shared_row
    assert only_first.name not in shared_row
    other_row = page.split('<th scope="row">Other skills</th>')[1].split("</tr>")[0]
    assert only_first.name in other_row
    assert first.title in page
    assert second.title in page


def test_compare_accepts_three_profiles(client, make_profile):
    for slug in ["a", "b", "c"]:
        make_profile(slug=slug, title=slug.upper())
    response = client.get(COMPARE, {"occupations": "a,b,c"})
    assert response.status_code == HTTPStatus.OK
    assert text(response).count('<th scope="col">') == 3


def test_compare_checkbox_form_redirects_to_one_tidy_url(client, make_profile):
    make_profile(slug="a")
    make_profile(slug="b")
    response = client.get(f"{COMPARE}?occupations=a&occupations=b")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"{COMPARE}?occupations=a,b"


def test_compare_without_a_choice_shows_the_picker(client, make_profile):
    make_profile(slug="a", title="Alpha")
    response = client.get(COMPARE)
    assert response.status_code == HTTPStatus.OK
    assert 'name="occupations" value="a"' in text(response)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("a", "you picked 1"),
        ("a,b,c,d", "you picked 4"),
        (",,", "you picked 0"),
        ("a,ghost", "No published occupation has the address “ghost”."),
        ("a,draft", "No published occupation has the address “draft”."),
    ],
)
def test_compare_with_bad_input_is_a_helpful_400(
    client, make_profile, make_occupation, value, message
):
    for slug in ["a", "b", "c", "d"]:
        make_profile(slug=slug, title=slug.upper())
    make_occupation(slug="draft", title="Draft Only")
    response = client.get(COMPARE, {"occupations": value})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    page = text(response)
    assert message in page
    assert 'role="alert"' in page
    assert '<form method="get" action="/compare/"' in page
    assert "Draft Only" not in page  # the picker offers published profiles only


@pytest.mark.parametrize("rows", [1, 30])
def test_compare_query_count_is_constant(client, make_profile, django_assert_num_queries, rows):
    make_profile(rows=rows, slug="a")
    make_profile(rows=rows, slug="b")
    # profiles with sector, then bands, education, scores, qualifications, visas, skills
    # (one query each), then the rating dimensions
    with django_assert_num_queries(8):
        response = client.get(COMPARE, {"occupations": "a,b"})
    assert response.status_code == HTTPStatus.OK


# --- The real fixtures ----------------------------------------------------------------------

FIXTURES = ["vocabulary", "power-distributors-and-dispatchers", "distribution-system-operator"]


def test_real_fixtures_show_on_the_index_search_vocabulary_and_compare_pages(client):
    missing = [n for n in FIXTURES if not (Path(settings.FIXTURE_DIRS[0]) / f"{n}.json").exists()]
    if missing:
        pytest.skip(f"fixtures not written yet: {', '.join(missing)}")
    call_command("loaddata", *FIXTURES, verbosity=0)
    update_search_vectors(Occupation.objects.values_list("pk", flat=True))

    index = text(client.get(INDEX))
    assert "2 occupations" in index
    assert "Power Distributors and Dispatchers" in index
    assert "Distribution System Operator" in index
    assert "51-8012" in index
    assert "$55,000–$120,000 USD" in index  # the seed's lowest and highest band figures

    search = text(client.get(INDEX, {"q": "dispatcher"}))
    assert "Power Distributors and Dispatchers" in search
    if connection.vendor == "postgresql":
        typo = text(client.get(INDEX, {"q": "dispacher"}))
        assert 'href="/occupations/power-distributors-and-dispatchers/"' in typo

    skill = text(client.get("/skills/load-forecasting/"))
    assert 'href="/occupations/power-distributors-and-dispatchers/"' in skill
    assert 'href="/occupations/distribution-system-operator/"' in skill

    compare = client.get(
        COMPARE,
        {"occupations": "power-distributors-and-dispatchers,distribution-system-operator"},
    )
    assert compare.status_code == HTTPStatus.OK
    shared = text(compare).split('<th scope="row">Skills they share</th>')[1].split("</tr>")[0]
    assert "Load forecasting" in shared
