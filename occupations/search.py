"""Full-text search: a weighted, stored search vector per occupation (PostgreSQL only).

Weights: A = title and alternate titles, B = summary, C = everything else a visitor reads.
On SQLite the vector stays empty and `OccupationQuerySet.search` falls back to plain matching.
"""

from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import Value

SEARCH_CONFIG = "english"


def _weighted_texts(occupation):
    """The three weighted texts of one occupation, from prefetched rows."""
    title_text = " ".join([occupation.title, *(t.title for t in occupation.alternate_titles.all())])
    rest = [
        occupation.code,
        occupation.sector.name if occupation.sector else "",
        occupation.ai_summary,
        occupation.entry_level_outlook,
        occupation.level_up_advice,
        occupation.career_progression,
        occupation.market_outlook,
        *(d.text for d in occupation.duties.all()),
        *(f"{link.skill.name} {link.label}" for link in occupation.occupation_skills.all()),
        *(
            f"{link.qualification.name} {link.label}"
            for link in occupation.occupation_qualifications.all()
        ),
        *(link.growth_area.name for link in occupation.occupation_growth_areas.all()),
        *(f"{s.heading} {s.body}" for s in occupation.narrative_sections.all()),
        *(f"{faq.question} {faq.answer}" for faq in occupation.faqs.all()),
    ]
    return title_text, occupation.summary, " ".join(rest)


def update_search_vectors(occupation_ids):
    """Recompute the stored search vector of the given occupations (no-op off PostgreSQL)."""
    if connection.vendor != "postgresql":
        return
    from .models import Occupation

    occupations = Occupation.objects.filter(pk__in=list(occupation_ids)).select_related(
        "sector"
    ).prefetch_related(
        "alternate_titles",
        "duties",
        "occupation_skills__skill",
        "occupation_qualifications__qualification",
        "occupation_growth_areas__growth_area",
        "narrative_sections",
        "faqs",
    )
    for occupation in occupations:
        title_text, summary, rest = _weighted_texts(occupation)
        Occupation.objects.filter(pk=occupation.pk).update(
            search_vector=SearchVector(Value(title_text), weight="A", config=SEARCH_CONFIG)
            + SearchVector(Value(summary), weight="B", config=SEARCH_CONFIG)
            + SearchVector(Value(rest), weight="C", config=SEARCH_CONFIG)
        )
