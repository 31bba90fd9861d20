"""Pages whose size and query count do not grow with the catalogue (2 vs 120 profiles)."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from occupations import enums
from occupations.filters import OccupationFilter
from occupations.models import Occupation, OccupationSkill, Skill
from occupations.views import TERM_OCCUPATIONS_PAGE_SIZE, TERMS_PAGE_SIZE

pytestmark = pytest.mark.django_db

INDEX_BUDGET_BYTES = 60 * 1024
SKILLS_PER_PROFILE = 10


@pytest.fixture
def make_catalogue(sector):
    """`profiles` published profiles and `skills` skills; every profile lists "Common" and
    ten others, so one skill page has a link from every profile."""

    def make(profiles, skills):
        common = Skill.objects.create(name="Common", slug="common")
        terms = Skill.objects.bulk_create(
            Skill(name=f"Skill {n:05}", slug=f"skill-{n:05}") for n in range(skills)
        )
        occupations = Occupation.objects.bulk_create(
            Occupation(
                title=f"Catalogue occupation {n:05}",
                slug=f"catalogue-occupation-{n:05}",
                code="51-8012",
                summary="Coordinates the flow of electricity.",
                sector=sector,
                status=enums.PublicationStatus.PUBLISHED,
            )
            for n in range(profiles)
        )
        OccupationSkill.objects.bulk_create(
            OccupationSkill(occupation=occupation, skill=skill, order=order, group="technical")
            for n, occupation in enumerate(occupations)
            for order, skill in enumerate(
                [common, *(terms[(n * 7 + k) % skills] for k in range(SKILLS_PER_PROFILE))]
            )
        )
        return occupations

    return make


@pytest.mark.parametrize("profiles", [2, 120])
def test_the_index_stays_under_60_kb_in_constant_queries_however_big_the_catalogue(
    client, make_catalogue, django_assert_num_queries, profiles
):
    make_catalogue(profiles, skills=1200)
    with django_assert_num_queries(4):  # count, page, sector and education-stage options
        response = client.get(reverse("occupations:occupation_list"))
    assert response.status_code == HTTPStatus.OK
    assert len(response.content) <= INDEX_BUDGET_BYTES
    assert b"Skill 00999" not in response.content  # no term is listed as an <option>


@pytest.mark.parametrize("profiles", [2, 120])
def test_a_skill_page_shows_one_page_of_occupations_in_constant_queries(
    client, make_catalogue, django_assert_num_queries, profiles
):
    make_catalogue(profiles, skills=1200)
    with django_assert_num_queries(4):  # term, count, page of occupations, their links
        response = client.get(reverse("occupations:skill_detail", args=["common"]))
    page = response.content.decode()
    assert page.count('class="link-item"') == min(profiles, TERM_OCCUPATIONS_PAGE_SIZE)
    assert f"({profiles})" in page


def test_the_last_page_of_a_skill_page_holds_the_rest(client, make_catalogue):
    make_catalogue(120, skills=20)
    response = client.get(reverse("occupations:skill_detail", args=["common"]), {"page": 3})
    page = response.content.decode()
    assert page.count('class="link-item"') == 120 - 2 * TERM_OCCUPATIONS_PAGE_SIZE
    assert "Page 3 of 3" in page
    assert "Catalogue occupation 00119" in page


@pytest.mark.parametrize("profiles", [2, 120])
def test_the_skill_list_shows_one_page_of_terms_with_counts_in_constant_queries(
    client, make_catalogue, django_assert_num_queries, profiles
):
    make_catalogue(profiles, skills=1200)
    with django_assert_num_queries(3):  # count, page of terms, their published counts
        response = client.get(reverse("occupations:skill_list"))
    page = response.content.decode()
    term_list = page.split('<ul class="term-list">')[1].split("</ul>")[0]
    assert term_list.count("<li>") == TERMS_PAGE_SIZE
    assert f"{profiles} occupation" in page  # "Common", first by name
    assert 'rel="next"' in page


def test_the_skill_filter_takes_a_name_in_any_case_or_a_slug(make_catalogue):
    make_catalogue(3, skills=30)
    everything = Occupation.objects.all()
    for typed in ["common", "COMMON", " Common "]:
        filterset = OccupationFilter({"skill": typed}, queryset=everything)
        assert filterset.is_valid(), filterset.errors
        assert filterset.qs.count() == 3
    only_first = OccupationFilter({"skill": "skill-00000"}, queryset=everything)
    assert [o.slug for o in only_first.qs] == ["catalogue-occupation-00000"]


def test_an_unknown_skill_name_is_reported_next_to_the_field(client, make_catalogue):
    make_catalogue(2, skills=5)
    page = client.get(reverse("occupations:occupation_list"), {"skill": "Juggling"})
    assert "No skill is called “Juggling”." in page.content.decode()


def test_the_index_filter_fields_point_at_the_suggestions_endpoint(client, make_catalogue):
    make_catalogue(2, skills=5)
    page = client.get(reverse("occupations:occupation_list")).content.decode()
    assert 'data-suggest-url="/suggest/skill/"' in page
    assert "js/term-suggestions" in page


def test_suggestions_list_at_most_ten_names_those_starting_with_the_text_first(
    client, make_catalogue, django_assert_num_queries
):
    make_catalogue(2, skills=40)
    Skill.objects.create(name="Uncommon skill", slug="uncommon-skill")
    with django_assert_num_queries(1):
        response = client.get(reverse("occupations:term_suggestions", args=["skill"]), {"q": "co"})
    names = [term["name"] for term in response.json()["results"]]
    assert names == ["Common", "Uncommon skill"]
    many = client.get(reverse("occupations:term_suggestions", args=["skill"]), {"q": "skill"})
    assert len(many.json()["results"]) == 10


@pytest.mark.parametrize("text", ["", "a", "\x00\x00", "x" * 500])
def test_suggestions_for_short_or_odd_text_are_empty_or_bounded(client, text):
    response = client.get(reverse("occupations:term_suggestions", args=["skill"]), {"q": text})
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"results": []}


def test_suggestions_for_a_kind_without_a_filter_are_not_found(client):
    assert client.get("/suggest/source/?q=abc").status_code == HTTPStatus.NOT_FOUND
