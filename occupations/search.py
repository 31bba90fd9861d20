"""Full-text search: a weighted, stored search vector per occupation (PostgreSQL only).

Weights: A = title and alternate titles, B = summary, C = everything else a visitor reads.
On SQLite the vector stays empty and `OccupationQuerySet.search` falls back to plain matching.
"""

import re

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
    occupation_ids = list(occupation_ids)
    if connection.vendor != "postgresql" or not occupation_ids:
        return
    from .models import Occupation

    occupations = (
        Occupation.objects.filter(pk__in=occupation_ids)
        .select_related("sector")
        .prefetch_related(
            "alternate_titles",
            "duties",
            "occupation_skills__skill",
            "occupation_qualifications__qualification",
            "occupation_growth_areas__growth_area",
            "narrative_sections",
            "faqs",
        )
    )
    write_search_vectors(occupations)


def write_search_vectors(occupations):
    """Store the search vector of occupations whose rows are loaded (prefetched or filled in
    by the caller): one UPDATE each, no reads (no-op off PostgreSQL)."""
    from .models import Occupation

    for occupation in occupations:
        vector = search_vector_of(occupation)
        if vector is not None:
            Occupation.objects.filter(pk=occupation.pk).update(search_vector=vector)


def search_vector_of(occupation):
    """The weighted search vector of a loaded occupation, as an expression to store
    (None off PostgreSQL)."""
    if connection.vendor != "postgresql":
        return None
    title_text, summary, rest = _weighted_texts(occupation)
    return (
        SearchVector(Value(title_text), weight="A", config=SEARCH_CONFIG)
        + SearchVector(Value(summary), weight="B", config=SEARCH_CONFIG)
        + SearchVector(Value(rest), weight="C", config=SEARCH_CONFIG)
    )


# Private-use characters mark the highlighted words in ts_headline output: they never occur
# in real text, so the template can escape everything and then turn only them into <mark>.
HIGHLIGHT_START = "\ue000"
HIGHLIGHT_STOP = "\ue001"
# word_similarity() threshold for typo matches ("dispacher" -> "Dispatchers").
TRIGRAM_THRESHOLD = 0.3
# Web-search operators: a quoted phrase, "-word" or "or". Such a query is deliberate, so
# typo matching (which would ignore the operators) is left out.
WEB_SEARCH_OPERATORS = re.compile(r'"|(?:^|\s)-\S|\bor\b', re.IGNORECASE)


def search_occupations(queryset, q):
    """Filter and rank `queryset` by the visitor's query; same interface on every database.

    Annotates `search_rank` (higher is better) and `headline` (the summary; on PostgreSQL with
    matches wrapped in HIGHLIGHT_START/STOP) and orders by relevance.
    """
    q = (q or "").strip()
    if not q:
        return queryset
    if connection.vendor == "postgresql":
        return _search_postgresql(queryset, q)
    return _search_plain(queryset, q)


def _search_postgresql(queryset, q):
    from django.contrib.postgres.search import (
        SearchHeadline,
        SearchQuery,
        SearchRank,
        TrigramWordSimilarity,
    )
    from django.db.models import F, FloatField, OuterRef, Q, Subquery
    from django.db.models.functions import Coalesce, Greatest

    from .models import AlternateTitle

    query = SearchQuery(q, search_type="websearch", config=SEARCH_CONFIG)
    best_alternate = (
        AlternateTitle.objects.filter(occupation=OuterRef("pk"))
        .annotate(similarity=TrigramWordSimilarity(q, "title"))
        .order_by("-similarity")
        .values("similarity")[:1]
    )
    return (
        queryset.annotate(
            text_rank=SearchRank(F("search_vector"), query),
            similarity=Greatest(
                TrigramWordSimilarity(q, "title"),
                Coalesce(Subquery(best_alternate, output_field=FloatField()), 0.0),
            ),
        )
        .filter(
            Q(search_vector=query)
            if WEB_SEARCH_OPERATORS.search(q)
            else Q(search_vector=query) | Q(similarity__gte=TRIGRAM_THRESHOLD)
        )
        .annotate(
            # One relevance score for the union of full-text and typo (trigram) matches.
            search_rank=F("text_rank") + F("similarity"),
            headline=SearchHeadline(
                "summary",
                query,
                config=SEARCH_CONFIG,
                start_sel=HIGHLIGHT_START,
                stop_sel=HIGHLIGHT_STOP,
                # The whole summary, verbatim (fragments would drop anything tag-like);
                # the card cuts it around the first match.
                highlight_all=True,
            ),
        )
        .order_by("-search_rank", "title", "pk")
    )


def _search_plain(queryset, q):
    from django.db.models import Exists, F, FloatField, OuterRef, Q, Value

    from .models import AlternateTitle

    alternate = AlternateTitle.objects.filter(occupation=OuterRef("pk"), title__icontains=q)
    return (
        queryset.filter(Q(title__icontains=q) | Q(summary__icontains=q) | Exists(alternate))
        .annotate(search_rank=Value(0.0, output_field=FloatField()), headline=F("summary"))
        .order_by("title", "pk")
    )
