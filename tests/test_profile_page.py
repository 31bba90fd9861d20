"""The public profile page: every section, safe rendering, drafts, SEO, constant query count."""

import datetime
import json
import re
from decimal import Decimal
from html.parser import HTMLParser
from http import HTTPStatus

import pytest
from django.conf import settings
from django.core.management import call_command

from occupations import enums
from occupations.models import (
    FAQ,
    AIExposureScore,
    AIImpactItem,
    AlternateTitle,
    CareerStep,
    Duty,
    EducationLevelShare,
    EducationStep,
    FitTrait,
    GlossaryTerm,
    GrowthArea,
    ItemList,
    JobZone,
    KeyFact,
    KeyFactTable,
    ListItem,
    NarrativeSection,
    Occupation,
    OccupationGlossaryTerm,
    OccupationGrowthArea,
    OccupationQualification,
    OccupationSkill,
    OccupationSource,
    OccupationVisa,
    Qualification,
    RatingDimension,
    RatingScore,
    RelatedOccupation,
    SalaryBand,
    Skill,
    Source,
    Task,
    Visa,
    WageStatistic,
)
from occupations.selectors import CAREER_GRAPH_LIMIT

pytestmark = pytest.mark.django_db

# Anonymous visitor: the occupation with select_related (1), one query for every collection,
# their nested rows (facts, items) and the incoming links (`prefetching`), the Job Zone's
# meaning (1) and the career graph (1).
PROFILE_QUERIES = 4

EVERY_SECTION_HEADING = [
    "On this page",
    "Key facts",
    "Ratings",
    "Duties and responsibilities",
    "Tasks",
    "About the role",
    "In the AI era",
    "AI exposure",
    "Skills",
    "Salary",
    "Wages and employment",
    "Education path",
    "Preparation",
    "Qualifications",
    "Migration",
    "Who it fits",
    "Career path",
    "Career outlook",
    "Challenges",
    "Future trends",
    "Frequently asked questions",
    "Glossary",
    "Related occupations",
    "Sample cover letter",
    "Sources",
]


def build_profile(n, sector, *, slug="rich-profile", status=enums.PublicationStatus.PUBLISHED):
    """A profile with `n` rows in every collection, citing sources, linked to `n` other profiles."""
    sources = Source.objects.bulk_create(
        Source(
            name=f"Source {i}",
            slug=f"{slug}-source-{i}",
            url=f"https://example.org/{i}",
            publisher="Example",
            published_on=datetime.date(2025, 3, 23) if i % 2 else None,
        )
        for i in range(n)
    )
    source = sources[0]
    occupation = Occupation.objects.create(
        title="Rich Profile",
        slug=slug,
        code="51-8012",
        sector=sector,
        summary="Keeps the lights on. " * 20,
        status=status,
        last_reviewed=datetime.date(2026, 1, 15),
        skilled_migration=True,
        migration_code="51-8012",
        migration_code_classification=enums.CodeClassification.SOC,
        overall_rating=Decimal("6.5"),
        ai_outlook=enums.AIOutlook.MIXED,
        ai_verdict="Mixed",
        ai_horizon="through 2030",
        ai_summary="AI changes the job.",
        ai_summary_source=source,
        code_source=source,
        entry_level_outlook="Narrowing.",
        level_up_target_role="Smart Grid Dispatch Analyst",
        level_up_advice="Learn the tools.",
        career_progression="Junior to senior.",
        market_outlook="Growing.",
        sample_cover_letter="Dear Hiring Manager,\n\n[Your Name]",
        data_sources_note="Salaries from public listings.",
        disclaimer="Indicative only.",
    )
    others = [
        Occupation.objects.create(
            title=f"Other {i}",
            slug=f"{slug}-other-{i}",
            code="51-8013",
            sector=sector,
            summary="Another profile.",
            status=enums.PublicationStatus.PUBLISHED,
        )
        for i in range(n)
    ]
    rows = range(n)
    AlternateTitle.objects.bulk_create(
        AlternateTitle(occupation=occupation, order=i, title=f"Alt {i}", source=source)
        for i in rows
    )
    Duty.objects.bulk_create(
        Duty(occupation=occupation, order=i, text=f"Duty {i}", source=sources[i]) for i in rows
    )
    SalaryBand.objects.bulk_create(
        SalaryBand(
            occupation=occupation,
            order=i,
            level=f"Level {i}",
            years_min=i,
            years_max=i + 3,
            annual_min=55000 + 1000 * i,
            annual_max=75000 + 1000 * i,
            note="Base and allowances",
            source=sources[i],
        )
        for i in rows
    )
    EducationStep.objects.bulk_create(
        EducationStep(
            occupation=occupation,
            order=i,
            stage=f"Stage {i}",
            duration="2 years",
            cost_min=10000,
            cost_max=30000,
            source=sources[i],
        )
        for i in rows
    )
    kinds = list(enums.AIImpactKind.values)
    AIImpactItem.objects.bulk_create(
        AIImpactItem(
            occupation=occupation,
            order=i,
            kind=kinds[i % len(kinds)],
            title=f"Impact {i}",
            detail="detail",
            extent="Partial",
            year=2017,
            source=sources[i % n],
        )
        for i in range(max(n, len(kinds)))
    )
    FitTrait.objects.bulk_create(
        FitTrait(
            occupation=occupation,
            order=i,
            kind=enums.FitKind.FITS if i % 2 == 0 else enums.FitKind.NOT_FOR,
            text=f"Trait {i}",
            source=sources[i % n],
        )
        for i in range(max(n, 2))
    )
    CareerStep.objects.bulk_create(
        CareerStep(
            occupation=occupation, order=i, title=f"Step {i}", description="Then", source=source
        )
        for i in rows
    )
    FAQ.objects.bulk_create(
        FAQ(occupation=occupation, order=i, question=f"Question {i}?", answer=f"Answer {i}.")
        for i in rows
    )
    NarrativeSection.objects.bulk_create(
        NarrativeSection(
            occupation=occupation, order=i, heading=f"Narrative {i}", body="## Part\n\nText."
        )
        for i in rows
    )
    tables = KeyFactTable.objects.bulk_create(
        KeyFactTable(
            occupation=occupation,
            order=i,
            title=f"Table {i}",
            label_heading="Aspect",
            value_heading="Details",
            source=sources[i],
        )
        for i in rows
    )
    KeyFact.objects.bulk_create(
        KeyFact(table=table, order=j, label=f"Label {j}", value=f"Value {j}")
        for table in tables
        for j in rows
    )
    list_kinds = list(enums.ItemListKind.values)
    item_lists = ItemList.objects.bulk_create(
        ItemList(
            occupation=occupation,
            order=i,
            kind=list_kinds[i % len(list_kinds)],
            title=f"{enums.ItemListKind(list_kinds[i % len(list_kinds)]).label} {i}",
            intro="Intro.",
            outro="Outro.",
            numbered=i % 2 == 0,
        )
        for i in range(max(n, len(list_kinds)))
    )
    ListItem.objects.bulk_create(
        ListItem(item_list=item_list, order=j, title=f"Item {j}", description="More.")
        for item_list in item_lists
        for j in rows
    )
    dimensions = RatingDimension.objects.bulk_create(
        RatingDimension(
            name=f"Dimension {i}",
            slug=f"{slug}-dimension-{i}",
            position=i,
            higher_is_better=[True, False, None][i % 3],
        )
        for i in rows
    )
    RatingScore.objects.bulk_create(
        RatingScore(
            occupation=occupation,
            dimension=dimension,
            score=None if i % 2 else Decimal("7.5"),
            source=source,
        )
        for i, dimension in enumerate(dimensions)
    )
    skills = Skill.objects.bulk_create(
        Skill(name=f"Skill {i}", slug=f"{slug}-skill-{i}") for i in rows
    )
    groups = list(enums.SkillGroup.values)
    OccupationSkill.objects.bulk_create(
        OccupationSkill(
            occupation=occupation,
            order=i,
            skill=skill,
            group=groups[i % len(groups)],
            label=f"As the source says {i}",
            source=sources[i],
        )
        for i, skill in enumerate(skills)
    )
    qualifications = Qualification.objects.bulk_create(
        Qualification(name=f"Qualification {i}", slug=f"{slug}-qualification-{i}", issuer="NERC")
        for i in rows
    )
    qualification_groups = list(enums.QualificationGroup.values)
    OccupationQualification.objects.bulk_create(
        OccupationQualification(
            occupation=occupation,
            order=i,
            qualification=qualification,
            requirement=enums.RequirementLevel.REQUIRED,
            group=qualification_groups[i % len(qualification_groups)],
            source=sources[i],
        )
        for i, qualification in enumerate(qualifications)
    )
    visas = Visa.objects.bulk_create(
        Visa(name=f"V-{i}", slug=f"{slug}-visa-{i}", full_name=f"Visa {i}") for i in rows
    )
    OccupationVisa.objects.bulk_create(
        OccupationVisa(occupation=occupation, order=i, visa=visa, details="Details")
        for i, visa in enumerate(visas)
    )
    growth_areas = GrowthArea.objects.bulk_create(
        GrowthArea(name=f"Growth {i}", slug=f"{slug}-growth-{i}") for i in rows
    )
    OccupationGrowthArea.objects.bulk_create(
        OccupationGrowthArea(occupation=occupation, order=i, growth_area=area)
        for i, area in enumerate(growth_areas)
    )
    terms = GlossaryTerm.objects.bulk_create(
        GlossaryTerm(name=f"Term {i}", slug=f"{slug}-term-{i}", description="Means") for i in rows
    )
    OccupationGlossaryTerm.objects.bulk_create(
        OccupationGlossaryTerm(occupation=occupation, order=i, term=term, source=sources[i])
        for i, term in enumerate(terms)
    )
    OccupationSource.objects.bulk_create(
        OccupationSource(occupation=occupation, order=i, document=doc, note=f"Backs part {i}")
        for i, doc in enumerate(sources)
    )
    kinds = list(enums.RelationKind.values)
    RelatedOccupation.objects.bulk_create(
        RelatedOccupation(
            occupation=occupation, order=i, related=other, kind=kinds[i % len(kinds)], source=source
        )
        for i, other in enumerate(others)
    )
    RelatedOccupation.objects.bulk_create(
        RelatedOccupation(occupation=other, order=0, related=occupation, kind=kinds[i % len(kinds)])
        for i, other in enumerate(others)
    )
    # Every other profile shares every skill, qualification and growth area.
    for other in others:
        OccupationSkill.objects.bulk_create(
            OccupationSkill(occupation=other, order=i, skill=skill, group="technical")
            for i, skill in enumerate(skills)
        )
        OccupationQualification.objects.bulk_create(
            OccupationQualification(occupation=other, order=i, qualification=q)
            for i, q in enumerate(qualifications)
        )
        OccupationGrowthArea.objects.bulk_create(
            OccupationGrowthArea(occupation=other, order=i, growth_area=area)
            for i, area in enumerate(growth_areas)
        )
    # What the importers fill: tasks with exposure labels, wages, education, AI exposure.
    Occupation.objects.filter(pk=occupation.pk).update(job_zone=3, onet_soc_code="51-8012.00")
    JobZone.objects.get_or_create(number=3, defaults={"name": "Job Zone Three: Medium"})
    Task.objects.bulk_create(
        Task(occupation=occupation, order=i, text=f"Task {i}", exposure_gpt4="E1", source=source)
        for i in rows
    )
    WageStatistic.objects.bulk_create(
        WageStatistic(
            occupation=occupation,
            order=i,
            soc_code="51-8012",
            release=f"May {2020 + i}",
            annual_median=100000 + i,
            special_values={"annual_p90": "#"},
            source=source,
        )
        for i in rows
    )
    EducationLevelShare.objects.bulk_create(
        EducationLevelShare(occupation=occupation, order=i, category=i + 1, level=f"L{i}", share=5)
        for i in rows
    )
    AIExposureScore.objects.bulk_create(
        AIExposureScore(occupation=occupation, order=i, gpt4_beta="0.375", source=source)
        for i in rows
    )
    return occupation


class Outline(HTMLParser):
    """Collects heading levels/texts, ids and links of a page."""

    def __init__(self):
        super().__init__()
        self.headings, self.ids, self.hrefs = [], set(), []
        self._heading = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and "href" in attrs:
            self.hrefs.append(attrs["href"])
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = [int(tag[1]), ""]

    def handle_data(self, data):
        if self._heading is not None:
            self._heading[1] += data

    def handle_endtag(self, tag):
        if re.fullmatch(r"h[1-6]", tag) and self._heading is not None:
            self.headings.append((self._heading[0], " ".join(self._heading[1].split())))
            self._heading = None


def outline(response):
    parser = Outline()
    parser.feed(response.content.decode())
    return parser


def structured_data(response):
    match = re.search(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    return json.loads(match.group(1))


def graph_node(data, kind):
    return next(node for node in data["@graph"] if node["@type"] == kind)


# --- Query count ------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 30])
def test_profile_page_query_count_is_the_same_with_1_or_30_rows_everywhere(
    client, sector, rows, django_assert_num_queries
):
    occupation = build_profile(rows, sector)

    with django_assert_num_queries(PROFILE_QUERIES):
        response = client.get(occupation.get_absolute_url())

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert html.count('<li class="steps__item">') == rows
    assert f"Shares {rows} skill" in html


@pytest.mark.parametrize("rows", [1, 30])
def test_editor_query_count_adds_only_the_session_user_and_permissions(
    editor_client, sector, rows, django_assert_num_queries
):
    occupation = build_profile(rows, sector, status=enums.PublicationStatus.DRAFT)

    # Session, user, and the user's and group's permissions (the draft-visibility rule).
    with django_assert_num_queries(PROFILE_QUERIES + 4):
        response = editor_client.get(occupation.get_absolute_url())

    assert response.status_code == HTTPStatus.OK


# --- Sections ------------------------------------------------------------------------------------


def test_rich_profile_shows_every_section_heading_and_its_table_of_contents(client, sector):
    occupation = build_profile(2, sector)

    page = outline(client.get(occupation.get_absolute_url()))

    texts = [text for _level, text in page.headings]
    for heading in EVERY_SECTION_HEADING:
        assert any(text.startswith(heading) for text in texts), heading
    toc_targets = [href[1:] for href in page.hrefs if href.startswith("#")]
    assert "duties" in toc_targets
    assert set(toc_targets) <= page.ids


def test_headings_start_with_one_h1_and_never_skip_a_level(client, sector):
    occupation = build_profile(3, sector)

    levels = [level for level, _text in outline(client.get(occupation.get_absolute_url())).headings]

    assert levels.count(1) == 1
    assert levels[0] == 1
    assert all(later - earlier <= 1 for earlier, later in zip(levels, levels[1:], strict=False))


def test_headings_in_markdown_are_demoted_below_the_section_heading(client, published_occupation):
    NarrativeSection.objects.create(
        occupation=published_occupation, heading="Overview", body="# Big\n\n### Small\n\ntext"
    )

    headings = outline(client.get(published_occupation.get_absolute_url())).headings

    assert (3, "Overview") in headings
    assert (4, "Big") in headings
    assert (5, "Small") in headings


def test_a_minimal_profile_shows_not_rated_and_not_stated_and_no_empty_sections(
    client, published_occupation
):
    response = client.get(published_occupation.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "Not rated" in html  # overall rating
    assert "Not stated" in html  # last reviewed
    texts = [text for _level, text in outline(response).headings]
    assert "Salary" not in texts
    assert "Frequently asked questions" not in texts


def test_null_scores_are_shown_as_not_rated_in_the_chart_and_the_table(client, sector):
    occupation = build_profile(2, sector)  # dimension 1 has no score

    html = client.get(occupation.get_absolute_url()).content.decode()

    assert "Dimension 1: Not rated" in html  # the chart's text alternative
    assert re.search(r"Dimension 1.*?</th>\s*<td[^>]*>Not rated", html, re.S)
    assert re.search(r"Dimension 0.*?</th>\s*<td[^>]*>7.5 / 10", html, re.S)
    assert "(higher is better)" in html


def test_skills_link_to_their_vocabulary_pages_with_the_sources_wording(client, sector):
    occupation = build_profile(2, sector)
    skill = Skill.objects.get(slug="rich-profile-skill-0")

    html = client.get(occupation.get_absolute_url()).content.decode()

    assert f'href="{skill.get_absolute_url()}"' in html
    assert "As the source says 0" in html


def test_faq_answers_are_in_details_elements_that_work_without_javascript(client, sector):
    occupation = build_profile(2, sector)

    html = client.get(occupation.get_absolute_url()).content.decode()

    assert re.search(r"<details[^>]*>\s*<summary>Question 0\?</summary>", html)
    assert "<script src" not in html


def test_sources_show_their_date_or_say_it_is_not_stated_and_what_they_back(client, sector):
    occupation = build_profile(2, sector)

    html = client.get(occupation.get_absolute_url()).content.decode()

    assert "date not stated" in html
    assert '<time datetime="2025-03-23">' in html
    assert "Backs: Backs part 1" in html
    assert 'Source: <a href="#source-rich-profile-source-1">Source 1</a>' in html


def test_cover_letter_keeps_its_placeholders_visible(client, sector):
    occupation = build_profile(1, sector)

    html = client.get(occupation.get_absolute_url()).content.decode()

    assert '<mark class="placeholder">[Your Name]</mark>' in html


# --- Career graph --------------------------------------------------------------------------


def test_related_links_to_drafts_are_hidden_from_anonymous_visitors(client, sector):
    occupation = build_profile(2, sector)
    Occupation.objects.filter(slug="rich-profile-other-0").update(
        status=enums.PublicationStatus.DRAFT
    )

    html = client.get(occupation.get_absolute_url()).content.decode()

    assert "Other 0" not in html
    assert "Other 1" in html


def test_editors_see_related_drafts_marked_as_drafts(editor_client, sector):
    occupation = build_profile(2, sector)
    Occupation.objects.filter(slug="rich-profile-other-0").update(
        status=enums.PublicationStatus.DRAFT
    )

    html = editor_client.get(occupation.get_absolute_url()).content.decode()

    assert re.search(r">Other 0</a> <span class=\"badge\">Draft</span>", html)


def test_career_graph_counts_shared_vocabulary_and_offers_a_comparison(client, sector):
    occupation = build_profile(2, sector)

    html = client.get(occupation.get_absolute_url()).content.decode()

    assert "Shares 2 skills, 2 qualifications and 2 growth areas with" in html
    assert "/compare/?occupations=rich-profile,rich-profile-other-0" in html


def test_career_graph_names_only_the_profiles_sharing_the_most_vocabulary(client, make_occupation):
    # At catalogue size ~900 profiles share a skill such as Microsoft Excel with every page.
    published = enums.PublicationStatus.PUBLISHED
    common, rare = Skill.objects.bulk_create(
        [Skill(name="Microsoft Excel", slug="excel"), Skill(name="SCADA", slug="scada")]
    )
    occupation = make_occupation(title="Dispatcher", slug="dispatcher", status=published)
    others = [
        make_occupation(title=f"Other {i:02}", slug=f"other-{i:02}", status=published)
        for i in range(CAREER_GRAPH_LIMIT + 3)
    ]
    closest = others[-1]  # last by title: shown first because it shares more
    OccupationSkill.objects.bulk_create(
        [
            OccupationSkill(occupation=profile, skill=skill, order=order, group="technical")
            for profile in [occupation, *others]
            for order, skill in enumerate(
                [common, rare] if profile in (occupation, closest) else [common]
            )
        ]
    )

    html = client.get(occupation.get_absolute_url()).content.decode()

    shared = re.findall(r"Shares (\d+) skills? with <a href=\"[^\"]+\">([^<]+)</a>", html)
    assert shared == [("2", closest.title)] + [
        ("1", other.title) for other in others[: CAREER_GRAPH_LIMIT - 1]
    ]


def test_incoming_links_read_from_this_profiles_side(client, sector):
    occupation = build_profile(3, sector)

    html = client.get(occupation.get_absolute_url()).content.decode()

    assert "Specialisation of" in html  # outgoing
    assert "Specialisations:" in html  # incoming


# --- Drafts ----------------------------------------------------------------------------------


def test_a_draft_is_not_found_for_anonymous_visitors(client, occupation):
    response = client.get(occupation.get_absolute_url())

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_editors_see_a_draft_with_a_banner_and_a_link_to_edit_it(editor_client, occupation):
    response = editor_client.get(occupation.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert re.search(r'role="status">\s*<strong>Draft — not visible to the public.</strong>', html)
    assert f'href="/admin/occupations/occupation/{occupation.pk}/change/"' in html


def test_published_profiles_have_no_draft_banner(client, published_occupation):
    html = client.get(published_occupation.get_absolute_url()).content.decode()

    assert "Draft — not visible" not in html


# --- Safe rendering --------------------------------------------------------------------------


def test_markdown_cannot_inject_scripts_event_handlers_or_javascript_links(
    client, published_occupation
):
    NarrativeSection.objects.create(
        occupation=published_occupation,
        heading="Overview",
        body=(
            "Hello <script>alert('x')</script> **bold**\n\n"
            '<img src="x" onerror="alert(1)">\n\n'
            "[click](javascript:alert(1)) [ok](https://example.org)"
        ),
    )

    html = client.get(published_occupation.get_absolute_url()).content.decode()
    body = html.split('id="about"', 1)[1].split("</section>", 1)[0]

    assert "<script" not in body
    assert "alert" not in body
    assert "onerror" not in body
    assert "javascript:" not in body
    assert "<strong>bold</strong>" in body
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">ok</a>' in body


def test_a_stored_javascript_url_on_a_source_never_becomes_a_link(client, published_occupation):
    document = Source.objects.create(name="Bad source", slug="bad", url="javascript:alert(1)")
    OccupationSource.objects.create(occupation=published_occupation, document=document)
    Duty.objects.create(occupation=published_occupation, text="Watch load", source=document)

    html = client.get(published_occupation.get_absolute_url()).content.decode()

    assert "Bad source" in html
    assert "javascript:" not in html


def test_html_in_a_duty_is_escaped(client, published_occupation):
    Duty.objects.create(occupation=published_occupation, text="Watch <b>load</b>")

    html = client.get(published_occupation.get_absolute_url()).content.decode()

    assert "Watch &lt;b&gt;load&lt;/b&gt;" in html
    assert "<b>load</b>" not in html


# --- Salary and charts --------------------------------------------------------------------------


def test_salary_figures_agree_in_the_chart_the_table_and_the_structured_data(
    client, published_occupation
):
    SalaryBand.objects.create(
        occupation=published_occupation,
        order=0,
        level="Entry level",
        years_min=0,
        years_max=3,
        annual_min=55000,
        annual_max=75000,
    )
    SalaryBand.objects.create(
        occupation=published_occupation,
        order=1,
        level="Senior",
        years_min=7,
        annual_min=95000,
        annual_max=120000,
    )

    response = client.get(published_occupation.get_absolute_url())

    html = response.content.decode()
    chart = html.split('class="chart-svg salary-chart"', 1)[1].split("</svg>", 1)[0]
    table = html.split('class="data-table salary-table"', 1)[1].split("</table>", 1)[0]
    for shown in ("$55,000 – $75,000", "$95,000 – $120,000"):
        assert shown in chart
        assert shown in table
    assert "Entry level: $55,000 – $75,000 a year" in chart  # the SVG's <desc>
    assert "7+ years" in table
    assert 'role="img"' in chart
    salaries = graph_node(structured_data(response), "Occupation")["estimatedSalary"]
    assert [(s["name"], s["minValue"], s["maxValue"], s["currency"]) for s in salaries] == [
        ("Entry level", 55000, 75000, "USD"),
        ("Senior", 95000, 120000, "USD"),
    ]


def test_charts_draw_bars_on_a_common_scale(client, published_occupation):
    SalaryBand.objects.create(
        occupation=published_occupation, order=0, level="A", annual_min=50000, annual_max=100000
    )

    html = client.get(published_occupation.get_absolute_url()).content.decode()

    # scale 40k-100k with ticks every 10k: the band starts one step in and runs to the end
    assert 'class="bar-fill bar-fill--range" x="16.67%"' in html
    assert 'width="83.33%"' in html


# --- SEO --------------------------------------------------------------------------------------


def test_title_description_canonical_and_open_graph_tags(client, sector, settings):
    settings.SITE_URL = "https://careers.example.org"
    occupation = build_profile(1, sector)

    html = client.get(occupation.get_absolute_url()).content.decode()

    assert "<title>Rich Profile (51-8012) — career profile | CareerGraph</title>" in html
    description = re.search(r'<meta name="description" content="([^"]*)"', html).group(1)
    assert description.startswith("Keeps the lights on.")
    assert len(description) <= 155
    url = "https://careers.example.org/occupations/rich-profile/"
    assert f'<link rel="canonical" href="{url}">' in html
    assert f'<meta property="og:url" content="{url}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:title" content="Rich Profile (51-8012) — career profile">' in html


def test_canonical_url_falls_back_to_the_request_host(client, published_occupation, settings):
    settings.SITE_URL = ""

    html = client.get(published_occupation.get_absolute_url()).content.decode()

    assert '<link rel="canonical" href="http://testserver/occupations/load-dispatcher/">' in html


def test_structured_data_is_an_occupation_with_its_category_code(client, sector):
    occupation = build_profile(2, sector)

    data = structured_data(client.get(occupation.get_absolute_url()))

    node = graph_node(data, "Occupation")
    assert node["name"] == "Rich Profile"
    assert node["occupationalCategory"] == {
        "@type": "CategoryCode",
        "codeValue": "51-8012",
        "inCodeSet": {"@type": "CategoryCodeSet", "name": "SOC"},
    }
    assert node["mainEntityOfPage"]["lastReviewed"] == "2026-01-15"
    assert graph_node(data, "FAQPage")["mainEntity"][0]["name"] == "Question 0?"
    assert [c["name"] for c in graph_node(data, "BreadcrumbList")["itemListElement"]] == [
        "Occupations",
        "Rich Profile",
    ]


# --- The real seed profiles --------------------------------------------------------------------

FIXTURES = ["vocabulary", "power-distributors-and-dispatchers", "distribution-system-operator"]
DSO_DUTIES = [
    "Monitor distribution system status from the Energy Management System (EMS)",
    "Authorize and coordinate switching orders for planned and emergency circuit",
    "Dispatch and direct field switching crews, line crews, and troublemen",
    "Maintain real-time situational awareness of system loading, voltage profiles",
    "Issue clearances and hold orders to protect field workers",
    "Execute outage restoration sequences to minimize customer interruption minutes",
    "Coordinate with transmission system operators during switching events",
    "Update switching logs, outage records, and system event documentation",
    "Respond to and log customer trouble calls related to outages",
    "Participate in system operator qualification testing, switching order reviews",
]
GLOSSARY_TERMS = [
    "Active Network Management",
    "Flexible Connection Agreements",
    "Real-Time Grid Visibility",
    "Peer-to-Peer Energy Trading",
    "Virtual Power Plant",
]


def _fixtures_present():
    fixture_dir = settings.FIXTURE_DIRS[0]
    return all((fixture_dir / f"{name}.json").exists() for name in FIXTURES)


@pytest.mark.skipif(not _fixtures_present(), reason="fixtures/*.json not written yet")
def test_seed_profiles_show_the_facts_of_their_source_documents(
    client, django_assert_max_num_queries
):
    call_command("loaddata", *FIXTURES, verbosity=0)

    # At most: with no key-fact tables or item lists their nested prefetches are skipped.
    with django_assert_max_num_queries(PROFILE_QUERIES):
        dispatchers = client.get("/occupations/power-distributors-and-dispatchers/")
    operator = client.get("/occupations/distribution-system-operator/")

    assert dispatchers.status_code == operator.status_code == HTTPStatus.OK
    pdd, dso = dispatchers.content.decode(), operator.content.decode()
    for fact in [
        "$55,000 – $75,000",
        "$95,000 – $120,000",
        "AutoGrid Flex Platform",
        "Partial",
        "2017",
        "6.5 / 10",
        "Skilled migration occupation",
        "H-1B",
        "Smart Grid Dispatch Analyst",
        "Not rated",
    ]:
        assert fact in pdd, fact
    for fact in ["Mixed augmentation", "[Your Name]", "Transmission System Operator"]:
        assert fact in dso, fact
    duties = dso.split('id="duties"', 1)[1].split("</section>", 1)[0]
    assert duties.count("<li>") == len(DSO_DUTIES)
    for duty in DSO_DUTIES:
        assert duty in duties, duty
    for term in GLOSSARY_TERMS:
        assert term in dso, term
    # The two profiles are joined by their shared vocabulary.
    assert re.search(r"Shares \d+ skills?.*Distribution System Operator", pdd, re.S)
    assert re.search(r"Shares \d+ skills?.*Power Distributors and Dispatchers", dso, re.S)
    salaries = graph_node(structured_data(dispatchers), "Occupation")["estimatedSalary"]
    assert (salaries[0]["minValue"], salaries[0]["maxValue"]) == (55000, 75000)
    for response in (dispatchers, operator):
        levels = [level for level, _text in outline(response).headings]
        assert levels.count(1) == 1
        assert all(later - earlier <= 1 for earlier, later in zip(levels, levels[1:], strict=False))
