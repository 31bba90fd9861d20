"""What the profile page shows, derived from one occupation loaded with `for_detail()`.

Plain functions over the prefetched rows (Django-Styleguide "selectors"): nothing here
queries the database except `career_graph`, which asks once for every other profile.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from . import enums
from .models import (
    JobZone,
    Occupation,
    OccupationGrowthArea,
    OccupationQualification,
    OccupationSkill,
)

# How an incoming link reads from the target's side: B "specialisation of" A shows on A
# as "Specialisations: B".
INCOMING_RELATION_LABELS = {
    enums.RelationKind.SPECIALISATION: "Specialisations",
    enums.RelationKind.ADVANCEMENT: "Roles that advance to this one",
    enums.RelationKind.SIMILAR: "Similar roles",
}


def common_source(rows):
    """The source every row cites, when they all cite the same one; else None."""
    source_ids = {row.source_id for row in rows}
    if len(source_ids) == 1 and None not in source_ids:
        return rows[0].source
    return None


@dataclass
class Group:
    """A titled group of rows, with the source they share (if any)."""

    key: str
    title: str
    rows: list
    source: object = None

    def __post_init__(self):
        self.source = common_source(self.rows)


def grouped(rows, attribute, choices):
    """Rows grouped by a choice field, groups in the order the choices are declared."""
    buckets = defaultdict(list)
    for row in rows:
        buckets[getattr(row, attribute)].append(row)
    return [
        Group(key=value, title=label, rows=buckets[value])
        for value, label in choices
        if buckets[value]
    ]


# --- Charts ---------------------------------------------------------------------------------


@dataclass
class RatingRow:
    name: str
    score: object  # Decimal or None
    higher_is_better: object = None  # True / False / None (not stated)
    source: object = None
    is_overall: bool = False

    @property
    def percent(self):
        return 0 if self.score is None else float(self.score) * 10


def rating_rows(occupation):
    """The overall rating followed by every rated dimension, in dimension order."""
    scores = list(occupation.rating_scores.all())
    if not scores and occupation.overall_rating is None:
        return []
    rows = [RatingRow(name="Overall", score=occupation.overall_rating, is_overall=True)]
    rows += [
        RatingRow(
            name=score.dimension.name,
            score=score.score,
            higher_is_better=score.dimension.higher_is_better,
            source=score.source,
        )
        for score in scores
    ]
    return rows


def _nice_step(span, target_ticks=5):
    """A round tick step (1, 2, 2.5 or 5 times a power of ten) giving about 5 ticks."""
    raw = span / target_ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        if raw <= multiple * magnitude:
            return multiple * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


@dataclass
class SalaryChart:
    currency: str
    bands: list
    low: int
    high: int
    ticks: list = field(default_factory=list)

    def position(self, amount):
        return (amount - self.low) / (self.high - self.low) * 100


def salary_charts(occupation):
    """One chart per currency: bands on a common scale with round ticks."""
    by_currency = defaultdict(list)
    for band in occupation.salary_bands.all():
        by_currency[band.currency].append(band)
    charts = []
    for currency, bands in by_currency.items():
        lowest = min(band.annual_min for band in bands)
        highest = max(band.annual_max for band in bands)
        step = _nice_step(max(highest - lowest, highest // 5, 1))  # one band: still a range
        low = math.floor(lowest / step) * step
        if low == lowest and low > 0:
            low -= step  # keep the lowest bar off the chart's edge
        high = math.ceil(highest / step) * step
        if high <= low:
            high = low + step
        chart = SalaryChart(currency=currency, bands=[], low=int(low), high=int(high))
        chart.ticks = [
            {"amount": int(low + i * step), "percent": chart.position(low + i * step)}
            for i in range(int(round((high - low) / step)) + 1)
        ]
        chart.bands = [
            {
                "band": band,
                "start": chart.position(band.annual_min),
                "width": max(
                    chart.position(band.annual_max) - chart.position(band.annual_min), 0.6
                ),
            }
            for band in bands
        ]
        charts.append(chart)
    return charts


# --- Imported statistics: wages (BLS OEWS) and AI exposure (GPTs are GPTs) -----------------

# BLS's top codes for May 2023 (national_M2023_dl.xlsx, "Field Descriptions").
TOP_CODED = {"hourly": "≥ $115.00", "annual": "≥ $239,200"}
WAGE_ROWS = (
    ("p10", "10th percentile"),
    ("p25", "25th percentile"),
    ("median", "Median"),
    ("p75", "75th percentile"),
    ("p90", "90th percentile"),
    ("mean", "Mean"),
)


def wage_figure(statistic, name):
    """A figure as the page writes it: the amount, or what BLS's symbol says instead."""
    value = getattr(statistic, name)
    period = name.split("_")[0]
    symbol = statistic.special_values.get(name)
    if symbol == "#":
        return f"{TOP_CODED[period]} (top-coded)"
    if value is None:
        return "Not available"
    return f"${value:,.2f}" if period == "hourly" else f"${value:,}"


@dataclass
class WageTable:
    statistic: object
    rows: list  # (label, hourly, annual)
    bars: list  # (label, text, percent of the scale) for the annual percentiles


def wage_tables(occupation):
    """Each release's figures for the table, and bars of the annual percentiles for the chart."""
    tables = []
    for statistic in occupation.wage_statistics.all():
        rows = [
            (label, wage_figure(statistic, f"hourly_{n}"), wage_figure(statistic, f"annual_{n}"))
            for n, label in WAGE_ROWS
        ]
        amounts = [
            statistic.annual_p90 or 0,
            239200 if statistic.special_values.get("annual_p90") == "#" else 0,
            *(getattr(statistic, f"annual_{n}") or 0 for n, _ in WAGE_ROWS),
        ]
        scale = max(amounts) or 1
        bars = []
        for name, label in WAGE_ROWS[:5]:
            value = getattr(statistic, f"annual_{name}")
            if statistic.special_values.get(f"annual_{name}") == "#":
                bars.append((label, wage_figure(statistic, f"annual_{name}"), 100.0))
            elif value is not None:
                bars.append((label, wage_figure(statistic, f"annual_{name}"), value / scale * 100))
        tables.append(WageTable(statistic=statistic, rows=rows, bars=bars))
    return tables


def exposure_rows(score):
    """(measure, meaning, GPT-4 share, human share) for alpha, beta and gamma."""
    if score is None:
        return []
    meanings = {
        "alpha": "E1 only: an LLM alone can cut the time by at least half",
        "beta": "E1 plus half of E2",
        "gamma": "E1 plus E2: also counting software built on an LLM",
    }
    return [
        (measure, meaning, getattr(score, f"gpt4_{measure}"), getattr(score, f"human_{measure}"))
        for measure, meaning in meanings.items()
    ]


# --- The career graph -----------------------------------------------------------------------


def visible_related(occupation, *, include_drafts):
    """Outgoing and incoming links, keeping only targets the visitor may open."""

    def visible(target):
        return target is None or include_drafts or target.is_published

    outgoing = [link for link in occupation.related_links.all() if visible(link.related)]
    incoming_by_kind = defaultdict(list)
    for link in occupation.incoming_links.all():
        if visible(link.occupation):
            incoming_by_kind[link.kind].append(link)
    incoming = [
        Group(
            key=kind, title=INCOMING_RELATION_LABELS.get(kind, label), rows=incoming_by_kind[kind]
        )
        for kind, label in enums.RelationKind.choices
        if incoming_by_kind[kind]
    ]
    return outgoing, incoming


def _shared_count(through_model, vocabulary_field, ids):
    """Subquery: how many of `ids` the outer occupation links to through `through_model`."""
    if not ids:
        return Value(0, output_field=IntegerField())
    counted = (
        through_model.objects.filter(occupation=OuterRef("pk"), **{f"{vocabulary_field}__in": ids})
        .order_by()
        .values("occupation")
        .annotate(n=Count(vocabulary_field, distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


@dataclass
class SharedProfile:
    occupation: Occupation
    skills: int
    qualifications: int
    growth_areas: int

    @property
    def total(self):
        return self.skills + self.qualifications + self.growth_areas

    @property
    def phrase(self):
        """ "4 skills, 2 qualifications and 1 growth area" (zero counts left out)."""
        parts = [
            f"{count} {noun}{'' if count == 1 else 's'}"
            for count, noun in [
                (self.skills, "skill"),
                (self.qualifications, "qualification"),
                (self.growth_areas, "growth area"),
            ]
            if count
        ]
        return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


# At catalogue size nearly every profile shares a common skill (Microsoft Excel) with this
# one: the page names only the profiles sharing the most, not ~900 links.
CAREER_GRAPH_LIMIT = 12


def career_graph(occupation):
    """The published profiles sharing the most skills, qualifications or growth areas: one
    query, at most CAREER_GRAPH_LIMIT of them."""
    skill_ids = {link.skill_id for link in occupation.occupation_skills.all()}
    qualification_ids = {
        link.qualification_id for link in occupation.occupation_qualifications.all()
    }
    growth_area_ids = {link.growth_area_id for link in occupation.occupation_growth_areas.all()}
    if not (skill_ids or qualification_ids or growth_area_ids):
        return []
    others = (
        Occupation.objects.published()
        .exclude(pk=occupation.pk)
        .annotate(
            shared_skills=_shared_count(OccupationSkill, "skill", skill_ids),
            shared_qualifications=_shared_count(
                OccupationQualification, "qualification", qualification_ids
            ),
            shared_growth_areas=_shared_count(OccupationGrowthArea, "growth_area", growth_area_ids),
        )
        .annotate(
            shared_total=F("shared_skills") + F("shared_qualifications") + F("shared_growth_areas")
        )
        .filter(shared_total__gt=0)
        .order_by("-shared_total", "title", "pk")
        .only("title", "slug", "code")
    )[:CAREER_GRAPH_LIMIT]
    return [
        SharedProfile(
            occupation=other,
            skills=other.shared_skills,
            qualifications=other.shared_qualifications,
            growth_areas=other.shared_growth_areas,
        )
        for other in others
    ]


# --- The whole page -------------------------------------------------------------------------


def _by_kind(rows, kind):
    return [row for row in rows if row.kind == kind]


def profile_context(occupation, *, include_drafts):
    """Everything the profile template shows, plus the table of contents in page order."""
    ai_items = list(occupation.ai_impacts.all())
    item_lists = list(occupation.item_lists.all())
    fit_traits = list(occupation.fit_traits.all())
    outgoing, incoming = visible_related(occupation, include_drafts=include_drafts)
    key_fact_tables = list(occupation.key_fact_tables.all())
    narrative_sections = list(occupation.narrative_sections.all())
    duties = list(occupation.duties.all())
    faqs = list(occupation.faqs.all())
    glossary = list(occupation.occupation_glossary_terms.all())
    sources = list(occupation.occupation_sources.all())
    career_steps = list(occupation.career_steps.all())
    education_steps = list(occupation.education_steps.all())
    visas = list(occupation.occupation_visas.all())
    growth_areas = list(occupation.occupation_growth_areas.all())
    tasks = list(occupation.tasks.all())
    education_levels = sorted(occupation.education_levels.all(), key=lambda row: row.category)
    exposure = next(iter(occupation.ai_exposure_scores.all()), None)
    wages = wage_tables(occupation)
    job_zone = (
        JobZone.objects.filter(number=occupation.job_zone).first() if occupation.job_zone else None
    )

    page = {
        "alternate_titles": list(occupation.alternate_titles.all()),
        "key_fact_tables": key_fact_tables,
        "ratings": rating_rows(occupation),
        "ratings_source": common_source(list(occupation.rating_scores.all())),
        "duties": duties,
        "duties_source": common_source(duties),
        "tasks": tasks,
        "tasks_source": common_source(tasks),
        "tasks_rated": any(task.exposure_gpt4 or task.exposure_human for task in tasks),
        "wage_tables": wages,
        "job_zone": job_zone,
        "education_levels": education_levels,
        "education_levels_source": common_source(education_levels),
        "ai_exposure": exposure,
        "exposure_rows": exposure_rows(exposure),
        "narrative_sections": narrative_sections,
        "ai_groups": grouped(ai_items, "kind", enums.AIImpactKind.choices),
        "skill_groups": grouped(
            list(occupation.occupation_skills.all()), "group", enums.SkillGroup.choices
        ),
        "salary_bands": list(occupation.salary_bands.all()),
        "salary_charts": salary_charts(occupation),
        "salary_source": common_source(list(occupation.salary_bands.all())),
        "education_steps": education_steps,
        "education_source": common_source(education_steps),
        "qualification_groups": grouped(
            list(occupation.occupation_qualifications.all()),
            "group",
            enums.QualificationGroup.choices,
        ),
        "visas": visas,
        "visas_source": common_source(visas),
        "fits": _by_kind(fit_traits, enums.FitKind.FITS),
        "not_for": _by_kind(fit_traits, enums.FitKind.NOT_FOR),
        "fit_source": common_source(fit_traits),
        "career_steps": career_steps,
        "career_steps_source": common_source(career_steps),
        "career_path_lists": _by_kind(item_lists, enums.ItemListKind.CAREER_PATH),
        "outlook_lists": _by_kind(item_lists, enums.ItemListKind.CAREER_OUTLOOK),
        "growth_areas": growth_areas,
        "challenge_lists": _by_kind(item_lists, enums.ItemListKind.CHALLENGES),
        "trend_lists": _by_kind(item_lists, enums.ItemListKind.FUTURE_TRENDS),
        "faqs": faqs,
        "faqs_source": common_source(faqs),
        "glossary": glossary,
        "glossary_source": common_source(glossary),
        "related_outgoing": outgoing,
        "related_incoming": incoming,
        "shared_profiles": career_graph(occupation),
        "sources": sources,
        "listed_source_ids": {link.document_id for link in sources},
    }
    has_ai = bool(
        occupation.ai_verdict
        or occupation.ai_summary
        or ai_items
        or occupation.entry_level_outlook
        or occupation.level_up_advice
    )
    has_outlook = bool(
        occupation.career_progression
        or occupation.market_outlook
        or page["outlook_lists"]
        or growth_areas
    )
    sections = [
        ("key-facts", "Key facts", key_fact_tables),
        ("ratings", "Ratings", page["ratings"]),
        ("duties", "Duties and responsibilities", duties),
        ("tasks", "Tasks", tasks),
        ("about", "About the role", narrative_sections),
        ("ai-era", "In the AI era", has_ai),
        ("ai-exposure", "AI exposure", exposure),
        ("skills", "Skills", page["skill_groups"]),
        ("salary", "Salary", page["salary_bands"]),
        ("wages", "Wages and employment", wages),
        ("education", "Education path", education_steps),
        ("preparation", "Preparation", job_zone or occupation.job_zone or education_levels),
        ("qualifications", "Qualifications", page["qualification_groups"]),
        ("migration", "Migration", visas or occupation.migration_code),
        ("fit", "Who it fits", fit_traits),
        ("career-path", "Career path", career_steps or page["career_path_lists"]),
        ("career-outlook", "Career outlook", has_outlook),
        # The contents name these by kind; the section keeps the source's longer title.
        *((f"list-{lst.pk}", lst.get_kind_display(), True) for lst in page["challenge_lists"]),
        *((f"list-{lst.pk}", lst.get_kind_display(), True) for lst in page["trend_lists"]),
        ("faq", "Frequently asked questions", faqs),
        ("glossary", "Glossary", glossary),
        (
            "related",
            "Related occupations",
            outgoing or incoming or page["shared_profiles"],
        ),
        ("cover-letter", "Sample cover letter", occupation.sample_cover_letter),
        (
            "sources",
            "Sources",
            sources or occupation.data_sources_note or occupation.disclaimer,
        ),
    ]
    page["onet_attribution"] = bool(
        # An imported O*NET occupation: its title and description are O*NET's even when
        # O*NET has no task, Job Zone or education data for it (the "All Other" ones).
        (
            occupation.onet_soc_code
            and occupation.code_classification == enums.CodeClassification.ONET_SOC
        )
        or tasks
        or education_levels
        or occupation.job_zone
        or any(link.relatedness_tier for link in outgoing)
    )
    page["toc"] = [{"anchor": anchor, "label": label} for anchor, label, shown in sections if shown]
    page["shown"] = {anchor for anchor, _label, shown in sections if shown}
    return page
