"""schema.org structured data for profile pages, built from prefetched rows."""

import datetime
import json
import re

import pytest

from occupations import enums, jsonld
from occupations.models import (
    FAQ,
    AlternateTitle,
    Duty,
    EducationStep,
    Occupation,
    OccupationQualification,
    OccupationSkill,
    Qualification,
    SalaryBand,
    Skill,
    WageStatistic,
)

pytestmark = pytest.mark.django_db

PAGE_URL = "https://careers.example.org/occupations/load-dispatcher/"
TRAIL = [("Occupations", "https://careers.example.org/")]


@pytest.fixture
def profile(published_occupation):
    occupation = published_occupation
    AlternateTitle.objects.create(occupation=occupation, title="Load Controller")
    Duty.objects.create(occupation=occupation, order=0, text="Monitor load")
    Duty.objects.create(occupation=occupation, order=1, text="Dispatch crews")
    SalaryBand.objects.create(
        occupation=occupation, level="Entry level", annual_min=55000, annual_max=75000
    )
    EducationStep.objects.create(occupation=occupation, stage="Associate degree")
    nerc = Qualification.objects.create(name="NERC certification", slug="nerc", issuer="NERC")
    degree = Qualification.objects.create(
        name="Associate degree", slug="associate", kind=enums.QualificationKind.DEGREE
    )
    OccupationQualification.objects.create(
        occupation=occupation, order=0, qualification=nerc, requirement="required"
    )
    OccupationQualification.objects.create(
        occupation=occupation,
        order=1,
        qualification=degree,
        group=enums.QualificationGroup.EDUCATION,
        label="Associate degree in electrical technology",
    )
    scada = Skill.objects.create(name="SCADA/EMS operation", slug="scada")
    OccupationSkill.objects.create(occupation=occupation, order=0, skill=scada, group="technical")
    OccupationSkill.objects.create(occupation=occupation, order=1, skill=scada, group="to_build")
    FAQ.objects.create(occupation=occupation, question="Pay?", answer="</script><b>Good</b>")
    return occupation


def build(slug, django_assert_num_queries):
    occupation = Occupation.objects.for_detail().get(slug=slug)
    with django_assert_num_queries(0):
        return jsonld.profile_structured_data(occupation, page_url=PAGE_URL, trail=TRAIL)


def node(data, kind):
    return next(item for item in data["@graph"] if item["@type"] == kind)


def test_occupation_node_carries_every_schema_org_property_without_queries(
    profile, django_assert_num_queries
):
    data = build(profile.slug, django_assert_num_queries)

    occupation = node(data, "Occupation")
    assert data["@context"] == "https://schema.org"
    assert occupation["name"] == "Load Dispatcher"
    assert occupation["alternateName"] == ["Load Controller"]
    assert occupation["description"] == profile.summary
    assert occupation["occupationalCategory"] == {
        "@type": "CategoryCode",
        "codeValue": "51-8012",
        "inCodeSet": {"@type": "CategoryCodeSet", "name": "SOC"},
    }
    assert occupation["estimatedSalary"] == [
        {
            "@type": "MonetaryAmountDistribution",
            "name": "Entry level",
            "currency": "USD",
            "duration": "P1Y",
            "minValue": 55000,
            "maxValue": 75000,
        }
    ]
    # The step and the qualification name the same degree: listed once, with the details.
    assert occupation["educationRequirements"] == [
        {
            "@type": "EducationalOccupationalCredential",
            "name": "Associate degree",
            "credentialCategory": "Degree",
            "description": "Associate degree in electrical technology",
        }
    ]
    assert occupation["qualifications"] == [
        {
            "@type": "EducationalOccupationalCredential",
            "name": "NERC certification",
            "credentialCategory": "Certification",
            "recognizedBy": {"@type": "Organization", "name": "NERC"},
            "description": "Required",
        }
    ]
    assert occupation["skills"] == ["SCADA/EMS operation"]  # once, though in two groups
    assert occupation["responsibilities"] == ["Monitor load", "Dispatch crews"]
    assert occupation["mainEntityOfPage"] == {"@type": "WebPage", "@id": PAGE_URL, "url": PAGE_URL}


def test_a_credential_is_listed_once_across_education_and_qualifications(
    profile, django_assert_num_queries
):
    nerc = Qualification.objects.get(slug="nerc")
    degree = Qualification.objects.get(slug="associate")
    OccupationQualification.objects.create(
        occupation=profile, order=2, qualification=nerc, group=enums.QualificationGroup.EDUCATION
    )
    OccupationQualification.objects.create(occupation=profile, order=3, qualification=degree)

    occupation = node(build(profile.slug, django_assert_num_queries), "Occupation")

    names = [c["name"] for c in occupation["educationRequirements"]]
    names += [c["name"] for c in occupation.get("qualifications", [])]
    assert sorted(names) == ["Associate degree", "NERC certification"]


def test_last_reviewed_is_given_only_when_the_profile_has_one(profile, django_assert_num_queries):
    Occupation.objects.filter(pk=profile.pk).update(last_reviewed=datetime.date(2026, 2, 1))

    data = build(profile.slug, django_assert_num_queries)

    assert node(data, "Occupation")["mainEntityOfPage"]["lastReviewed"] == "2026-02-01"


def test_breadcrumbs_lead_from_the_index_to_the_profile_naming_each_url_once(
    profile, django_assert_num_queries
):
    crumbs = node(build(profile.slug, django_assert_num_queries), "BreadcrumbList")

    assert [(c["position"], c["name"], c["item"]) for c in crumbs["itemListElement"]] == [
        (1, "Occupations", "https://careers.example.org/"),
        (2, "Load Dispatcher", PAGE_URL),
    ]


def test_faq_page_lists_each_question_with_its_answer(profile, django_assert_num_queries):
    faq = node(build(profile.slug, django_assert_num_queries), "FAQPage")

    assert faq["mainEntity"] == [
        {
            "@type": "Question",
            "name": "Pay?",
            "acceptedAnswer": {"@type": "Answer", "text": "</script><b>Good</b>"},
        }
    ]


def test_a_profile_without_faqs_or_salaries_leaves_those_out(published_occupation):
    occupation = Occupation.objects.for_detail().get(pk=published_occupation.pk)

    data = jsonld.profile_structured_data(occupation, page_url=PAGE_URL, trail=TRAIL)

    assert [item["@type"] for item in data["@graph"]] == ["Occupation", "BreadcrumbList"]
    assert "estimatedSalary" not in data["@graph"][0]
    assert "lastReviewed" not in data["@graph"][0]["mainEntityOfPage"]


def test_script_element_cannot_be_closed_by_the_content(profile, django_assert_num_queries):
    script = jsonld.json_ld_script(build(profile.slug, django_assert_num_queries))

    assert script.startswith('<script type="application/ld+json">')
    assert script.count("</script>") == 1
    assert "<b>" not in script
    payload = re.fullmatch(r'<script type="application/ld\+json">(.*)</script>', script, re.S)
    assert node(json.loads(payload.group(1)), "FAQPage")["mainEntity"][0]["acceptedAnswer"][
        "text"
    ] == ("</script><b>Good</b>")


def test_the_profile_page_embeds_the_same_structured_data(client, profile, settings):
    settings.SITE_URL = "https://careers.example.org"

    html = client.get(profile.get_absolute_url()).content.decode()

    payload = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(payload.group(1))
    assert node(data, "Occupation")["mainEntityOfPage"]["url"] == PAGE_URL
    assert node(data, "Occupation")["estimatedSalary"][0]["minValue"] == 55000


def test_bls_wages_are_a_percentile_distribution_leaving_out_top_coded_figures(occupation):
    WageStatistic.objects.create(
        occupation=occupation,
        soc_code="51-8012",
        release="May 2023",
        annual_p10=68360,
        annual_p25=87440,
        annual_median=104750,
        annual_p75=122830,
        special_values={"annual_p90": "#"},
    )
    profile = Occupation.objects.for_detail().get(pk=occupation.pk)

    node = jsonld.occupation_node(profile, page_url=PAGE_URL)

    assert node["estimatedSalary"] == [
        {
            "@type": "MonetaryAmountDistribution",
            "name": "BLS OEWS May 2023, United States",
            "currency": "USD",
            "duration": "P1Y",
            "percentile10": 68360,
            "percentile25": 87440,
            "median": 104750,
            "percentile75": 122830,
        }
    ]
