"""The fixtures hold both energy profiles completely and faithfully (docs/content-mapping.md).

Every element of the content inventory is asserted with its count and its key exact values,
so the demo data cannot rot.
"""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command

from occupations import enums
from occupations.models import (
    GrowthArea,
    Occupation,
    Qualification,
    RatingDimension,
    Sector,
    Skill,
    Source,
)

pytestmark = pytest.mark.django_db

FIXTURES = ["vocabulary", "power-distributors-and-dispatchers", "distribution-system-operator"]
DISPATCHERS = "power-distributors-and-dispatchers"
DSO = "distribution-system-operator"
DIMENSIONS = [
    "Income",
    "Demand",
    "Prospects",
    "PR Friendly",
    "AI Risk",
    "Competition",
    "Intensity",
    "Learning",
    "Duration",
    "Certification",
    "PR Difficulty",
]
JOBDESCRIPTION = "JobDescription.org — Distribution System Operator"
ROLES_PAGE = "Distribution System Operator Job: Roles, Responsibilities, and Key Skills"
ONET_27 = "O*NET 27.0 Database (August 2022 Release)"


def content_models():
    """Every model editors maintain (not derived state such as the content version)."""
    return [
        model
        for model in apps.get_app_config("occupations").get_models()
        if model._meta.default_permissions
    ]


# The seed predates the importers; what only they fill is not part of it.
FILLED_BY_IMPORTERS_ONLY = {
    "JobZone",
    "Task",
    "WageStatistic",
    "EducationLevelShare",
    "AIExposureScore",
}


def row_counts():
    return {model.__name__: model.objects.count() for model in content_models()}


@pytest.fixture
def loaded(db):
    call_command("loaddata", *FIXTURES, verbosity=0)


@pytest.fixture
def dispatchers(loaded):
    return Occupation.objects.for_detail().get(slug=DISPATCHERS)


@pytest.fixture
def dso(loaded):
    return Occupation.objects.for_detail().get(slug=DSO)


def source_names(rows):
    return [row.source.name if row.source else None for row in rows]


# --- Loading ------------------------------------------------------------------------------------


def test_fixture_files_use_natural_keys_only():
    for name in FIXTURES:
        objects = json.loads((Path(settings.FIXTURE_DIRS[0]) / f"{name}.json").read_text())
        assert objects, name
        assert not [obj for obj in objects if "pk" in obj], name
        # Foreign keys are natural-key lists, never integer ids.
        for obj in objects:
            for field, value in obj["fields"].items():
                assert type(value) is not int or field in {
                    "order", "position", "year", "years_min", "years_max",
                    "annual_min", "annual_max", "cost_min", "cost_max",
                }, (name, obj["model"], field)  # fmt: skip


def test_loading_the_fixtures_twice_leaves_every_count_unchanged():
    assert not any(row_counts().values())

    call_command("loaddata", *FIXTURES, verbosity=0)
    first = row_counts()

    call_command("loaddata", *FIXTURES, verbosity=0)

    assert row_counts() == first
    assert {name for name, n in first.items() if not n} == FILLED_BY_IMPORTERS_ONLY
    assert first["Occupation"] == 2


def test_every_fixture_row_passes_model_validation(loaded):
    checked = 0
    for model in content_models():
        for obj in model.objects.all():
            obj.full_clean()
            checked += 1
    assert checked == sum(row_counts().values())


def test_shared_vocabulary_is_one_row_each_linked_to_both_profiles(loaded):
    both = {DISPATCHERS, DSO}

    def linked(obj):
        return set(obj.occupation_links.values_list("occupation__slug", flat=True))

    for name in [
        "SCADA/EMS operation",
        "Load forecasting",
        "DER integration",
        "Crisis communication",
    ]:
        assert linked(Skill.objects.get(name=name)) == both, name
    for name in ["NERC System Operator certification", "Associate degree"]:
        assert linked(Qualification.objects.get(name=name)) == both, name
    for name in ["Grid Modernization", "Renewable Integration", "Smart Grid"]:
        assert linked(GrowthArea.objects.get(name=name)) == both, name
    assert linked(GrowthArea.objects.get(name="Energy Transition")) == {DISPATCHERS}
    assert list(Sector.objects.values_list("name", flat=True)) == ["Energy"]
    assert set(Occupation.objects.values_list("sector__name", flat=True)) == {"Energy"}


def test_rating_dimensions_are_the_eleven_of_the_seed_with_no_invented_descriptions(loaded):
    dimensions = list(RatingDimension.objects.order_by("position"))
    assert [d.name for d in dimensions] == DIMENSIONS
    assert [d.position for d in dimensions] == list(range(1, 12))
    assert {d.name: d.higher_is_better for d in dimensions} == {
        "Income": True,
        "Demand": True,
        "Prospects": True,
        "PR Friendly": True,
        "AI Risk": False,
        "Competition": False,
        "Intensity": None,
        "Learning": None,
        "Duration": None,
        "Certification": None,
        "PR Difficulty": False,
    }
    assert all(d.description == "" for d in dimensions)


# --- Profile 1: Power Distributors and Dispatchers -----------------------------------------------


def test_power_distributors_profile_holds_every_inventory_element(dispatchers):
    p = dispatchers
    acg = "AI Career Graph — Power Distributors and Dispatchers"

    # Identity, code, flag, overall rating, summary
    assert p.title == "Power Distributors and Dispatchers"
    assert (p.code, p.code_classification) == ("51-8012", enums.CodeClassification.SOC)
    assert p.code_source is None
    assert p.sector.name == "Energy"
    assert p.status == enums.PublicationStatus.PUBLISHED
    assert p.skilled_migration is True
    assert p.overall_rating == Decimal("6.5")
    assert p.summary == (
        "Coordinates, regulates, or distributes electricity or steam to ensure grid stability,"
        " monitors load, and dispatches generation resources."
    )

    # Rating dimensions: 11 named, scores not in the document
    scores = list(p.rating_scores.all())
    assert [s.dimension.name for s in scores] == DIMENSIONS
    assert [s.score for s in scores] == [None] * 11

    # AI-era verdict and paragraph
    assert (p.ai_outlook, p.ai_verdict, p.ai_horizon) == (enums.AIOutlook.MIXED, "Mixed", "")
    assert p.ai_summary.startswith("The role of power distributors and dispatchers is being")
    assert p.ai_summary.endswith("still require human judgment, presenting a mixed outlook.")
    assert p.ai_summary_source.name == acg

    impacts = list(p.ai_impacts.all())
    by_kind = {kind: [i for i in impacts if i.kind == kind] for kind in enums.AIImpactKind.values}
    assert {kind: len(rows) for kind, rows in by_kind.items()} == {
        "replacing_product": 1,
        "takeover": 4,
        "augment": 4,
        "human_moat": 4,
    }
    product = by_kind["replacing_product"][0]
    assert (product.title, product.extent, product.year) == (
        "AutoGrid Flex Platform",
        "Partial",
        2017,
    )
    assert product.detail == (
        "Replaces some manual load forecasting and power generation dispatch decisions for"
        " dispatchers, automatically coordinating DER participation in grid balancing."
    )
    assert [(i.title, i.detail) for i in by_kind["takeover"]] == [
        (
            "Real-time power load monitoring and automatic frequency regulation",
            "AI algorithm takes over SCADA system",
        ),
        (
            "Routine dispatch of conventional power generation resources and unit start/stop",
            "AI-optimized dispatch model",
        ),
        (
            "Electricity market quoting and trading execution",
            "algorithmic trading systems replacing manual operations",
        ),
        (
            "Daily operation log recording and report generation",
            "AI automated collection and analysis",
        ),
    ]
    assert [i.title for i in by_kind["augment"]] == [
        "AI early warning and anomaly detection",
        "New energy and distributed energy coordination optimization",
        "Emergency drills and training",
        "Load forecasting accuracy improvement",
    ]
    assert by_kind["augment"][3].detail == (
        "AI combines weather and user data to assist medium- and long-term planning"
    )
    assert [(i.title, i.detail) for i in by_kind["human_moat"]][0] == (
        "emergency incident handling and grid restoration decisions",
        "unpredictable complex situations",
    )
    assert by_kind["human_moat"][3].title == "Legal and safety responsibility bearing"
    assert all(i.source.name == acg for i in impacts)

    # Skills to build (6), plus the two augment items that name shared skills
    skills = list(p.occupation_skills.all())
    to_build = [s for s in skills if s.group == enums.SkillGroup.TO_BUILD]
    assert [s.label for s in to_build] == [
        "Power system automation and SCADA/EMS system operation",
        "Data analysis and visualization tools (Python, SQL, Tableau)",
        "Basics of energy storage and new energy dispatch technology",
        "Electricity market operation mechanisms and trading rules",
        "AI/Machine Learning basics (understanding prediction model outputs and limitations).",
        "Crisis communication and decision psychology",
    ]
    assert [s.skill.name for s in to_build][0] == "SCADA/EMS operation"
    assert to_build[5].skill.name == "Crisis communication"
    augmented = [s for s in skills if s.group == enums.SkillGroup.AI_AUGMENTED]
    assert [s.skill.name for s in augmented] == ["DER integration", "Load forecasting"]
    assert augmented[1].label.startswith("Load forecasting accuracy improvement: AI combines")

    # Entry-level outlook; levelling up with its target role
    assert p.entry_level_outlook.startswith("Entry-level positions narrowing: junior dispatchers")
    assert p.entry_level_outlook.endswith("raising entry barriers rather than eliminating them.")
    assert p.level_up_target_role == "Smart Grid Dispatch Analysts"
    assert p.level_up_advice.startswith(
        "Power Distributors and Dispatchers should transition to 'Smart Grid Dispatch Analysts':"
    )
    assert p.level_up_advice.endswith("assuming more strategic responsibilities.")

    # Salary: 3 bands
    assert [
        (b.level, b.years_min, b.years_max, b.annual_min, b.annual_max, b.currency, b.note)
        for b in p.salary_bands.all()
    ] == [
        ("Entry level", 0, 3, 55000, 75000, "USD", "Includes base salary and shift allowances"),
        ("Mid-level", 3, 7, 75000, 95000, "USD", "Experience and certifications increase salary"),
        ("Senior", 7, None, 95000, 120000, "USD", "Senior dispatcher or supervisor level"),
    ]

    # Education path: 2 stages
    assert [
        (e.stage, e.duration, e.cost_min, e.cost_max, e.currency) for e in p.education_steps.all()
    ] == [
        ("Associate degree", "2 years", 10000, 30000, "USD"),
        ("On-the-job training", "1-2 years", 0, 0, "USD"),
    ]

    # Qualifications: 3 rows with issuer and Required/Optional
    assert [
        (q.label, q.qualification.name, q.qualification.issuer, q.requirement)
        for q in p.occupation_qualifications.all()
    ] == [
        ("System operator certification", "NERC System Operator certification", "NERC", "required"),
        (
            "Power dispatcher license",
            "Power dispatcher license",
            "State regulatory body",
            "optional",
        ),
        ("Associate degree", "Associate degree", "Community college", "optional"),
    ]

    # Migration: code and 3 visas
    assert (p.migration_code, p.migration_code_classification) == ("51-8012", "SOC")
    visas = list(p.occupation_visas.all())
    assert [(v.visa.name, v.visa.full_name, v.visa.country, v.visa.kind) for v in visas] == [
        ("H-1B", "H-1B Specialty Occupations", "United States", "work_visa"),
        ("EB-3", "EB-3 Skilled Workers", "United States", "permanent"),
        (
            "Green Card (PERM)",
            "Permanent Employment-Based Green Card",
            "United States",
            "permanent",
        ),
    ]
    assert visas[0].details == (
        "Applicable to power dispatch roles requiring specialized knowledge, needs university"
        " degree or equivalent experience."
    )
    assert visas[2].details == (
        "Employer-sponsored green card pathway, requiring proof that no qualified US worker can"
        " be found."
    )

    # Who it fits: 3 fits, 2 not for
    traits = list(p.fit_traits.all())
    assert [t.text for t in traits if t.kind == enums.FitKind.FITS] == [
        "Good at working in a multitasking, high-pressure environment",
        "Strong interest in power systems and grid operations",
        "Those able to adapt to shift work",
    ]
    assert [t.text for t in traits if t.kind == enums.FitKind.NOT_FOR] == [
        "Not suited to high-intensity work pressure",
        "Lacks patience for technical details and complex systems",
    ]

    # Career outlook: progression and market paragraphs, progression as steps
    assert p.career_progression == (
        "Start as a junior dispatcher; with experience, advance to senior dispatcher, grid"
        " operations manager, or control center supervisor; some transition to energy trading"
        " or grid planning roles."
    )
    assert p.market_outlook.startswith("The US electric power industry is undergoing an energy")
    assert p.market_outlook.endswith("may slow job growth.")
    assert [s.title for s in p.career_steps.all()] == [
        "Junior dispatcher",
        "Senior dispatcher, grid operations manager, or control center supervisor",
        "Energy trading or grid planning roles",
    ]

    # Growth areas: 4 tags
    assert [g.growth_area.name for g in p.occupation_growth_areas.all()] == [
        "Grid Modernization",
        "Renewable Integration",
        "Smart Grid",
        "Energy Transition",
    ]

    # FAQ: 3 pairs
    faqs = list(p.faqs.all())
    assert [f.question for f in faqs] == [
        "What is the salary range for a power dispatcher?",
        "Can foreigners become US power dispatchers through an H-1B visa?",
        "What education is required to become a power dispatcher?",
    ]
    assert faqs[0].answer == (
        "Annual salary typically ranges from $55,000 to $120,000, depending on experience,"
        " certification, and location."
    )

    # Data sources paragraph and disclaimer; the sources it names, each with what it backs
    assert p.data_sources_note.startswith("Salary ranges are estimates aggregated from public")
    assert p.data_sources_note.endswith("incl. DOL PERM labor certification) rules.")
    assert p.disclaimer == (
        "Figures are indicative only — always refer to the latest official sources."
    )
    sources = list(p.occupation_sources.all())
    assert [s.document.name for s in sources] == [
        acg,
        "Indeed",
        "Glassdoor",
        "ERI SalaryExpert",
        "BLS Occupational Employment and Wage Statistics (OEWS)",
        "BLS Occupational Outlook",
        "O*NET",
        "USCIS work-visa and employment-based green-card rules",
        "DOL PERM labor certification",
    ]
    assert sources[0].note.startswith("Primary source")
    assert (sources[0].document.publisher, sources[0].document.url) == ("AI Career Graph", "")
    assert sources[0].document.published_on is None
    assert all(s.note for s in sources)
    assert "salary ranges" in sources[4].note
    assert "outlook" in sources[6].note
    assert sources[4].document.url == "https://www.bls.gov/oes/"

    # Nothing the page does not hold
    assert not p.duties.exists()
    assert not p.narrative_sections.exists()
    assert p.sample_cover_letter == ""
    assert p.last_reviewed is None
    assert [link.occupation.slug for link in p.incoming_links.all()] == [DSO]


# --- Profile 2: Distribution System Operator ----------------------------------------------------


def test_distribution_system_operator_profile_holds_every_inventory_element(dso):
    p = dso

    # Identity: O*NET-SOC code attributed to O*NET 27.0, no ratings, two merged sources
    assert p.title == "Distribution System Operator"
    assert (p.code, p.code_classification) == ("51-8012.00", enums.CodeClassification.ONET_SOC)
    assert p.code_source.name == ONET_27
    assert p.code_source.url == "https://www.onetcenter.org/database.html"
    assert p.sector.name == "Energy"
    assert p.status == enums.PublicationStatus.PUBLISHED
    assert p.overall_rating is None
    assert p.skilled_migration is False
    assert p.rating_scores.count() == 0
    assert [a.title for a in p.alternate_titles.all()] == ["DSO"]
    assert p.alternate_titles.get().source.name == JOBDESCRIPTION
    jd, roles_page = Source.objects.get(name=JOBDESCRIPTION), Source.objects.get(name=ROLES_PAGE)
    assert (jd.publisher, jd.published_on) == ("JobDescription.org", None)
    assert (roles_page.publisher, roles_page.published_on) == ("", date(2025, 3, 23))

    # 001 summary
    assert p.summary.startswith(
        "Distribution System Operators (DSOs) monitor and control the medium- and low-voltage"
    )
    assert p.summary.endswith(
        "real-time grid awareness, emergency response, and crew coordination."
    )

    # 001 Role at a glance: five label/value rows plus the AI impact through 2030
    glance, reliability = list(p.key_fact_tables.all())
    assert (glance.title, glance.source.name) == ("Role at a glance", JOBDESCRIPTION)
    facts = list(glance.facts.all())
    assert [f.label for f in facts] == [
        "Typical education",
        "Typical experience",
        "Key certifications",
        "Top employer types",
        "Growth outlook",
    ]
    assert facts[0].value == (
        "Associate degree in electrical technology or equivalent field experience as a line"
        " worker or substation electrician"
    )
    assert (
        facts[1].value == "3-6 years in electrical utility operations, line work, or related field"
    )
    assert (p.ai_outlook, p.ai_verdict, p.ai_horizon) == (
        "mixed",
        "Mixed augmentation",
        "through 2030",
    )
    assert p.ai_summary.startswith(
        "Advanced Distribution Management Systems (ADMS) and AI-assisted"
    )
    assert p.ai_summary.endswith("remains central to the role through 2030.")
    assert p.ai_summary_source.name == JOBDESCRIPTION

    # 001 Duties: 10, ordered
    duties = [d.text for d in p.duties.all()]
    assert len(duties) == 10
    assert duties[0] == (
        "Monitor distribution system status from the Energy Management System (EMS) or SCADA"
        " control room across all feeder circuits and substations"
    )
    assert duties[9] == (
        "Participate in system operator qualification testing, switching order reviews, and"
        " after-action reviews following major outage events"
    )
    assert set(source_names(p.duties.all())) == {JOBDESCRIPTION}

    # Narrative: 001 Overview (5 paragraphs) and 002's summary plus five sections + education
    sections = list(p.narrative_sections.all())
    assert [(s.heading, s.source.name) for s in sections] == [
        ("Overview", JOBDESCRIPTION),
        (ROLES_PAGE, ROLES_PAGE),
        ("Introduction to Distribution System Operators in the Energy Sector", ROLES_PAGE),
        ("Core Roles and Responsibilities of Distribution System Operators", ROLES_PAGE),
        ("Essential Technical Skills for Distribution System Operators", ROLES_PAGE),
        ("Safety Protocols and Compliance in Distribution Operations", ROLES_PAGE),
        ("Technology and Tools Used by Distribution System Operators", ROLES_PAGE),
        (
            "Educational Requirements and Certifications for Distribution System Operators",
            ROLES_PAGE,
        ),
    ]
    overview = sections[0].body.split("\n\n")
    assert len(overview) == 5
    assert overview[0].startswith("A Distribution System Operator is the nerve center of the")
    assert overview[4].endswith("on both sides of the substation fence.")
    assert sections[1].body == (
        "A Distribution System Operator manages and monitors the electrical distribution network"
        " to ensure reliable power delivery and maintain grid stability. They coordinate system"
        " operations, respond to outages, and implement load control and fault detection"
        " measures. Their role is critical in balancing supply and demand while supporting"
        " integration of renewable energy sources."
    )
    assert [len(s.body.split("\n\n")) for s in sections[2:]] == [2, 1, 2, 1, 1, 2]

    # 001 Qualifications, grouped; 002 bachelor's degree, CEM, PE
    quals = list(p.occupation_qualifications.all())
    grouped = [(q.group, q.source.name) for q in quals]
    assert grouped.count(("education", JOBDESCRIPTION)) == 4
    assert grouped.count(("internal", JOBDESCRIPTION)) == 3
    assert grouped.count(("certification", JOBDESCRIPTION)) == 4
    assert [(q.qualification.name, q.group) for q in quals if q.source.name == ROLES_PAGE] == [
        ("Bachelor's degree in electrical engineering", "education"),
        ("Certified Energy Manager (CEM)", "certification"),
        ("Professional Engineer (PE)", "certification"),
    ]
    assert quals[0].label == (
        "Associate degree in electrical technology, power systems, or a related field"
        " (preferred by most investor-owned utilities)"
    )
    assert (quals[0].qualification.name, quals[0].requirement) == ("Associate degree", "preferred")
    assert quals[4].label.startswith(
        "Utility operator qualification programs: 12–24 months of structured learning"
    )
    nerc = next(q for q in quals if q.qualification.name == "NERC System Operator certification")
    assert nerc.requirement == "optional"
    assert nerc.label.startswith("NERC certification is not required for distribution operators")
    assert {q.requirement for q in quals} == {"preferred", "required", "optional", ""}
    assert quals[10].label == "Hazard communication and arc flash awareness training"

    # 001 Technical skills (5) and soft skills (4); 002 names load forecasting and DER integration
    skills = list(p.occupation_skills.all())
    technical = [s for s in skills if s.group == enums.SkillGroup.TECHNICAL]
    soft = [s for s in skills if s.group == enums.SkillGroup.SOFT]
    mentioned = [s for s in skills if s.group == enums.SkillGroup.MENTIONED]
    assert [s.skill.name for s in technical] == [
        "SCADA/EMS operation",
        "Distribution circuit topology",
        "Protective relaying fundamentals",
        "Load flow awareness",
        "OMS and GIS",
    ]
    assert technical[0].label == (
        "SCADA and EMS system operation — reading one-line diagrams, interpreting analog values,"
        " executing remote switching commands"
    )
    assert [s.skill.name for s in soft] == [
        "Calm, methodical decision-making",
        "Crisis communication",
        "Documentation discipline",
        "Situational awareness",
    ]
    assert soft[1].label == (
        "Clear, direct radio and phone communication with field crews — ambiguous switching"
        " instructions cause accidents"
    )
    assert soft[3].label.startswith("Situational awareness: knowing when the system model")
    assert [(s.skill.name, s.source.name) for s in mentioned] == [
        ("Load forecasting", ROLES_PAGE),
        ("DER integration", ROLES_PAGE),
    ]

    # 001 Career outlook: intro plus 5 themed paragraphs with lead sentences; 002 lists
    lists = list(p.item_lists.all())
    assert [(il.kind, il.source.name, il.numbered, il.items.count()) for il in lists] == [
        ("career_outlook", JOBDESCRIPTION, False, 5),
        ("challenges", ROLES_PAGE, True, 3),
        ("career_path", ROLES_PAGE, False, 3),
        ("future_trends", ROLES_PAGE, False, 3),
    ]
    outlook, challenges, path, trends = lists
    assert outlook.title == "Career outlook"
    assert outlook.intro.startswith("Demand for Distribution System Operators is holding steady")
    assert [i.title for i in outlook.items.all()] == [
        "Grid complexity is increasing.",
        "Workforce demographics favor candidates.",
        "Electrification investment is creating headcount demand.",
        "Technology is augmenting rather than replacing.",
        "Career progression is well-defined.",
    ]
    assert outlook.items.all()[0].description.endswith("The job is not getting simpler.")
    assert [i.title for i in challenges.items.all()] == [
        "Grid Modernization Requirements",
        "Load Balancing and Demand Forecasting",
        "Regulatory Compliance and Cybersecurity",
    ]
    assert challenges.intro.endswith("amidst evolving demands.")
    assert [i.title for i in path.items.all()] == [
        "Entry-Level Positions",
        "Skill Development",
        "Leadership Roles",
    ]
    assert path.outro.startswith("Your progression as a Distribution System Operator aligns")
    assert [i.title for i in trends.items.all()] == [
        "Increased Automation",
        "Integration of Distributed Energy Resources (DERs)",
        "Advanced Data Analytics",
    ]
    assert all(il.intro for il in lists)

    # 001 Sample cover letter, placeholders kept
    letter = p.sample_cover_letter
    assert letter.startswith("Dear Hiring Manager,\n\nI'm applying for the Distribution System")
    assert "[Utility]" in letter
    assert "[Utility/Contractor]" in letter
    assert letter.endswith("[Your Name]")
    assert len(letter.split("\n\n")) == 7  # salutation, five paragraphs, signature

    # 001 FAQ: 5 pairs
    faqs = list(p.faqs.all())
    assert [f.question for f in faqs] == [
        "What certifications does a Distribution System Operator need?",
        "How is a Distribution System Operator different from a Transmission System Operator?",
        "What does a major storm event look like for a Distribution System Operator?",
        "How is distributed energy resource (DER) growth affecting this role?",
        "Do Distribution System Operators work rotating shifts?",
    ]
    assert faqs[4].answer.startswith("Yes. Electric distribution operations run 24 hours a day")

    # Related roles: the O*NET link to profile 1, and the advancement roles 001 names
    related = list(p.related_links.all())
    targets = [(r.related.slug if r.related else r.related_title, r.kind) for r in related]
    assert [(*target, r.source.name) for target, r in zip(targets, related, strict=True)] == [
        (DISPATCHERS, "specialisation", ONET_27),
        ("Transmission System Operator", "advancement", JOBDESCRIPTION),
        ("Senior operator", "advancement", JOBDESCRIPTION),
        ("Lead operator", "advancement", JOBDESCRIPTION),
        ("Operations supervisor", "advancement", JOBDESCRIPTION),
    ]  # fmt: skip
    assert "alternate title of 51-8012.00" in related[0].note
    assert [s.title for s in p.career_steps.all()] == [
        "System operator",
        "Senior operator",
        "Lead operator",
        "Operations supervisor or distribution engineering support",
    ]

    # 002 Impact on grid reliability: 6 aspect/details rows
    assert reliability.title == "The Impact of Distribution System Operators on Grid Reliability"
    assert (reliability.label_heading, reliability.value_heading) == ("Aspect", "Details")
    assert reliability.source.name == ROLES_PAGE
    rows = list(reliability.facts.all())
    assert [f.label for f in rows] == [
        "Role of Distribution System Operator (DSO)",
        "Grid Reliability Impact",
        "Integration of Distributed Energy Resources (DERs)",
        "Advanced Monitoring Technologies",
        "Demand Response Management",
        "Maintenance and Infrastructure Upgrades",
    ]
    assert rows[5].value == (
        "Regular infrastructure inspections and upgrades by DSOs reduce the risk of equipment"
        " failure, contributing to sustained grid performance and reliability."
    )

    # 002 Related terms (glossary): 5 terms with definitions
    terms = list(p.occupation_glossary_terms.all())
    assert [(t.term.name, t.term.abbreviation) for t in terms] == [
        ("Active Network Management", "ANM"),
        ("Flexible Connection Agreements", ""),
        ("Real-Time Grid Visibility", ""),
        ("Peer-to-Peer Energy Trading", ""),
        ("Virtual Power Plant Integration", "VPP"),
    ]
    assert terms[0].term.description.startswith(
        "Distribution System Operators (DSOs) implement Active Network Management (ANM) to"
    )
    assert all(t.source.name == ROLES_PAGE and t.term.description for t in terms)

    # Growth areas named by the texts, each attributed
    assert [(g.growth_area.name, g.source.name) for g in p.occupation_growth_areas.all()] == [
        ("Grid Modernization", JOBDESCRIPTION),
        ("Renewable Integration", ROLES_PAGE),
        ("Smart Grid", ROLES_PAGE),
    ]

    # 002 disclaimer
    assert p.disclaimer.startswith("The information provided in this document is for general")
    assert p.disclaimer.endswith("are subject to change from time to time.")

    # Sources of the profile
    assert [s.document.name for s in p.occupation_sources.all()] == [
        JOBDESCRIPTION,
        ROLES_PAGE,
        ONET_27,
    ]


def test_the_two_dso_sources_disagreeing_on_education_are_both_kept_and_attributed(dso):
    facts = {f.label: f for f in dso.key_fact_tables.get(title="Role at a glance").facts.all()}
    assert facts["Typical education"].value.startswith("Associate degree in electrical technology")
    assert facts["Typical education"].table.source.name == JOBDESCRIPTION

    bachelor = dso.occupation_qualifications.get(source__name=ROLES_PAGE, group="education")
    assert bachelor.note == (
        "Educational requirements for DSOs typically include a bachelor's degree in electrical"
        " engineering, power systems, or a related field."
    )
    associate = dso.occupation_qualifications.get(qualification__name="Associate degree")
    assert associate.source.name == JOBDESCRIPTION

    notes = {s.document.name: s.note for s in dso.occupation_sources.all()}
    assert "associate degree" in notes[JOBDESCRIPTION]
    assert "bachelor's" in notes[JOBDESCRIPTION]
    assert "bachelor's degree" in notes[ROLES_PAGE]
    assert "associate" in notes[ROLES_PAGE]


@pytest.mark.parametrize("order", [sorted, lambda names: sorted(names, reverse=True)])
def test_the_fixtures_load_in_any_order(order):
    files = [str(path) for path in (settings.BASE_DIR / "fixtures").glob("*.json")]

    call_command("loaddata", *order(files), verbosity=0)

    assert Occupation.objects.count() == 2
    assert {name for name, n in row_counts().items() if not n} == FILLED_BY_IMPORTERS_ONLY


def test_a_profile_naming_a_missing_shared_record_is_a_clear_error_and_loads_nothing():
    with pytest.raises(CommandError, match="names the skill “scada-ems-operation”"):
        call_command("loaddata", "distribution-system-operator", verbosity=0)

    assert not Occupation.objects.exists()
