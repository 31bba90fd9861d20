"""Search: one interface, `search_occupations(queryset, q)`, on both databases.

PostgreSQL: a weighted, stored, GIN-indexed search vector (A = title and alternate titles,
B = summary, C = everything else a visitor reads). When no word matches, each query word
the vectors do not know is corrected to the nearest stem of the lexicon (every stem in the
vectors, trigram-indexed) and the corrected words are searched the same way; when that
finds nothing either, typo matching with pg_trgm's word-similarity operator on
trigram-indexed titles and alternate titles.
SQLite (the `make run` default): an FTS5 table with the same three texts, kept in step by
`update_search_vectors` (called by `changes.content_changed`), and each query word that the
index does not know corrected to its nearest indexed word (RapidFuzz).
"""

import re

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import FloatField, Value

SEARCH_CONFIG = "english"
LEXICON = "occupations_search_lexeme"  # PostgreSQL (migration 0010)
FTS_TABLE = "occupations_occupation_fts"
FTS_VOCABULARY = "occupations_occupation_fts_vocab"
# bm25 weights of the FTS5 columns (title, summary, body), like the vector's A, B and C.
FTS_WEIGHTS = "10.0, 4.0, 1.0"
# A word is corrected only to an indexed word this close (RapidFuzz ratio, 0-100).
SPELLING_CUTOFF = 75
SPELLING_MIN_LENGTH = 4
# Words of a query that typo correction looks at (the rest are ignored by it).
MAX_CORRECTED_WORDS = 8


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
    """Recompute the search index entries of the given occupations (vector or FTS5 row)."""
    occupation_ids = sorted(set(occupation_ids))
    if connection.vendor not in {"postgresql", "sqlite"} or not occupation_ids:
        return
    # In chunks: bounded memory, and SQLite's limit on the size of an IN list.
    for start in range(0, len(occupation_ids), INDEX_CHUNK):
        _update_chunk(occupation_ids[start : start + INDEX_CHUNK])


INDEX_CHUNK = 200


def _update_chunk(occupation_ids):
    from django.db.models import Prefetch

    from . import models

    def linked(related_name, model, term):
        return Prefetch(related_name, queryset=model.objects.select_related(term))

    occupations = (
        models.Occupation.objects.filter(pk__in=occupation_ids)
        .select_related("sector")
        .prefetch_related(
            "alternate_titles",
            "duties",
            linked("occupation_skills", models.OccupationSkill, "skill"),
            linked("occupation_qualifications", models.OccupationQualification, "qualification"),
            linked("occupation_growth_areas", models.OccupationGrowthArea, "growth_area"),
            "narrative_sections",
            "faqs",
        )
    )
    if connection.vendor == "sqlite":
        _update_fts_rows(occupation_ids, occupations)
        return
    write_search_vectors(occupations)


def write_search_vectors(occupations):
    """Store the search vector of occupations whose rows are loaded (prefetched or filled in
    by the caller): one UPDATE each, no reads (no-op off PostgreSQL)."""
    from .models import Occupation

    occupations = list(occupations)
    for occupation in occupations:
        vector = search_vector_of(occupation)
        if vector is not None:
            Occupation.objects.filter(pk=occupation.pk).update(search_vector=vector)
    remember_lexemes([occupation.pk for occupation in occupations])


def remember_lexemes(occupation_ids):
    """Add the stems of these profiles' stored vectors to the lexicon (PostgreSQL only).

    Stems are only added: one no profile uses any more stays, and correcting a query word
    to it finds nothing, so the search falls back to trigram matching as before.
    """
    occupation_ids = list(occupation_ids)
    if connection.vendor != "postgresql" or not occupation_ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {LEXICON} (lexeme) SELECT DISTINCT (unnest(search_vector)).lexeme "  # noqa: S608
            "FROM occupations_occupation WHERE id = ANY(%s) ON CONFLICT DO NOTHING",
            [occupation_ids],
        )


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


def write_fts_rows(occupations):
    """SQLite's FTS5 rows of occupations whose rows are loaded (no-op off SQLite)."""
    occupations = list(occupations)
    if connection.vendor == "sqlite" and occupations:
        _write_fts_rows(occupations)  # one statement: a PUT's query budget is tight


def _update_fts_rows(occupation_ids, occupations):
    """Replace the FTS5 rows of these occupations (deleted ones just lose theirs)."""
    marks = ", ".join(["%s"] * len(occupation_ids))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", occupation_ids)  # noqa: S608
    _write_fts_rows(occupations)


def _write_fts_rows(occupations):
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT OR REPLACE INTO {FTS_TABLE} (rowid, title, summary, body) "  # noqa: S608
            "VALUES (%s, %s, %s, %s)",
            [(occupation.pk, *_weighted_texts(occupation)) for occupation in occupations],
        )


# Private-use characters mark the highlighted words in ts_headline output: they never occur
# in real text, so the template can escape everything and then turn only them into <mark>.
HIGHLIGHT_START = "\ue000"
HIGHLIGHT_STOP = "\ue001"
# pg_trgm's word_similarity_threshold, set on every connection (settings.DATABASES); the
# `%>` operator compares with it, which is what lets the trigram indexes answer.
TRIGRAM_THRESHOLD = settings.SEARCH_TRIGRAM_THRESHOLD
# Web-search operators: a quoted phrase, "-word" or "or". Such a query is deliberate, so
# typo matching (which would ignore the operators) is left out.
WEB_SEARCH_OPERATORS = re.compile(r'"|(?:^|\s)-\S|\bor\b', re.IGNORECASE)


def search_occupations(queryset, q):
    """Filter and rank `queryset` by the visitor's query; same interface on every database.

    Annotates `search_rank` (higher is better) and orders by relevance; `add_headlines` gives
    the snippets of the page shown.
    """
    q = (q or "").strip()
    if not q:
        return queryset
    if connection.vendor == "postgresql":
        return _search_postgresql(queryset, q)
    if connection.vendor == "sqlite":
        return _search_sqlite(queryset, q)
    return _search_plain(queryset, q)


def _search_postgresql(queryset, q):
    from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
    from django.db.models import F

    from .models import AlternateTitle, Occupation

    def ranked(query):
        return (
            queryset.filter(search_vector=query)
            .annotate(search_rank=SearchRank(F("search_vector"), query))
            .order_by("-search_rank", "title", "pk")
        )

    query = SearchQuery(q, search_type="websearch", config=SEARCH_CONFIG)
    if WEB_SEARCH_OPERATORS.search(q):
        return ranked(query)
    # The lexicon says first whether every word is known: a word no vector holds cannot
    # match, and asking the vectors would scan them all (the planner expects a quick hit).
    known, corrected = lexicon_check(q)
    if known and queryset.filter(search_vector=query).exists():
        return ranked(query)
    # Correct the words the vectors do not know, and search again.
    if corrected is not None:
        query = SearchQuery(corrected, search_type="raw", config="simple")
        if queryset.filter(search_vector=query).exists():
            return ranked(query)
    # Still nothing: read the query as a typo of a title or an alternate title. Each arm
    # is answered by its trigram index (an OR across them would scan every profile).
    typo_matches = (
        Occupation.objects.filter(title__trigram_word_similar=q)
        .order_by()
        .values("pk")
        .union(
            AlternateTitle.objects.filter(title__trigram_word_similar=q)
            .order_by()
            .values("occupation_id")
        )
    )
    return (
        queryset.filter(pk__in=typo_matches)
        .annotate(search_rank=TrigramWordSimilarity(q, "title"))
        .order_by("-search_rank", "title", "pk")
    )


def corrected_query(q):
    """The query's stems as a raw tsquery, unknown ones replaced by the lexicon's nearest
    stem; None when there is nothing to correct or a word has nothing near it."""
    return lexicon_check(q)[1]


def lexicon_check(q):
    """(every word of the query is in the lexicon, the corrected query or None), in one
    query for all the words: each word's stem, whether the lexicon holds it and the
    nearest stem it holds (pg_trgm distance, answered by the GiST index)."""
    words = re.findall(r"\w+", q.lower())[:MAX_CORRECTED_WORDS]
    if not words:
        return True, None
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT word.stem,
                   EXISTS (SELECT 1 FROM {LEXICON} WHERE lexeme = word.stem),
                   (SELECT lexeme FROM {LEXICON}
                     WHERE lexeme %% word.stem ORDER BY lexeme <-> word.stem LIMIT 1)
              FROM (SELECT (ts_lexize('english_stem', given))[1] AS stem, n
                      FROM unnest(%s::text[]) WITH ORDINALITY AS t(given, n)) AS word
             ORDER BY word.n
            """,  # noqa: S608 (the table name is ours; the words are a parameter)
            [words],
        )
        rows = cursor.fetchall()
    stems, changed, known, correctable = [], False, True, True
    for word, (stem, is_known, nearest) in zip(words, rows, strict=True):
        if stem is None:
            continue  # a stop word, as websearch_to_tsquery leaves it out
        known = known and is_known
        if is_known or len(word) < SPELLING_MIN_LENGTH:
            stems.append(stem)
        elif nearest is None:
            correctable = False  # nothing near: trigram matching may still find a title
        else:
            stems.append(nearest)
            changed = True
    if not (changed and correctable):
        return known, None
    quoted = ("'{}'".format(stem.replace("\\", "\\\\").replace("'", "''")) for stem in stems)
    return known, " & ".join(quoted)


def add_headlines(occupations, q):
    """Set `headline` on each of these (a page of results): the summary with the matched
    words between HIGHLIGHT_START and HIGHLIGHT_STOP. One query, for this page only."""
    occupations = list(occupations)
    q = (q or "").strip()
    headlines = {}
    if q and occupations and connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchHeadline, SearchQuery

        from .models import Occupation

        query = SearchQuery(q, search_type="websearch", config=SEARCH_CONFIG)
        headlines = dict(
            Occupation.objects.filter(pk__in=[o.pk for o in occupations])
            .annotate(
                headline=SearchHeadline(
                    "summary",
                    query,
                    config=SEARCH_CONFIG,
                    start_sel=HIGHLIGHT_START,
                    stop_sel=HIGHLIGHT_STOP,
                    # The whole summary, verbatim (fragments would drop anything tag-like);
                    # the card cuts it around the first match.
                    highlight_all=True,
                )
            )
            .values_list("pk", "headline")
        )
    elif q and occupations and connection.vendor == "sqlite" and (match := fts_query(q)):
        marks = ", ".join(["%s"] * len(occupations))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, highlight({FTS_TABLE}, 1, %s, %s) FROM {FTS_TABLE} "  # noqa: S608
                f"WHERE {FTS_TABLE} MATCH %s AND rowid IN ({marks})",
                [HIGHLIGHT_START, HIGHLIGHT_STOP, match, *(o.pk for o in occupations)],
            )
            headlines = dict(cursor.fetchall())
    for occupation in occupations:
        occupation.headline = headlines.get(occupation.pk) or occupation.summary
    return occupations


# A quoted phrase, or a word; either may carry a leading "-" (leave out).
QUERY_PART = re.compile(r'(-?)"([^"]*)"|(-?)(\w+)')


def _search_sqlite(queryset, q):
    from django.db.models import F

    match = fts_query(q)
    if not match:
        return queryset.none()
    return (
        queryset.filter(search_entry__document__matches=match)
        .annotate(search_rank=-F("search_entry__rank"))
        .order_by("-search_rank", "title", "pk")
    )


def fts_query(q):
    """The visitor's query as an FTS5 expression, with the web-search syntax PostgreSQL takes:
    words (prefix-matched, misspellings corrected), "phrases", -exclusions and `or`.
    Every word is quoted, so no FTS5 syntax of the visitor's own gets through."""
    alternatives, excluded, current = [], [], []
    for minus, phrase, word_minus, word in QUERY_PART.findall(q.lower()):
        if phrase or minus:
            words = re.findall(r"\w+", phrase)
            if words:
                (excluded if minus else current).append(f'"{" ".join(words)}"')
        elif word == "or" and not word_minus:
            if current:
                alternatives.append(current)
            current = []
        elif word_minus:
            excluded.append(f'"{word}"')
        else:
            current.append(f'"{_known_or_corrected(word)}"*')
    if current:
        alternatives.append(current)
    if not alternatives:
        return ""
    match = " OR ".join(f"({' '.join(terms)})" for terms in alternatives)
    if excluded:
        match = f"({match}) NOT ({' OR '.join(excluded)})"
    return match


def _known_or_corrected(word):
    """`word` if some indexed word starts with it, else the closest indexed word, if any."""
    if len(word) < SPELLING_MIN_LENGTH:
        return word
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {FTS_VOCABULARY} WHERE term >= %s AND term < %s LIMIT 1",  # noqa: S608
            [word, word + "\U0010ffff"],
        )
        if cursor.fetchone():
            return word
        # Typos rarely hit the first letter, and a correction is about as long as the word.
        cursor.execute(
            f"SELECT term FROM {FTS_VOCABULARY} WHERE term >= %s AND term < %s "  # noqa: S608
            "AND length(term) BETWEEN %s AND %s",
            [word[0], chr(ord(word[0]) + 1), len(word) - 2, len(word) + 2],
        )
        candidates = [term for (term,) in cursor.fetchall()]
    from rapidfuzz import fuzz, process

    best = process.extractOne(word, candidates, scorer=fuzz.ratio, score_cutoff=SPELLING_CUTOFF)
    return best[0] if best else word


def _search_plain(queryset, q):
    from django.db.models import Exists, F, OuterRef, Q, Value

    from .models import AlternateTitle

    alternate = AlternateTitle.objects.filter(occupation=OuterRef("pk"), title__icontains=q)
    return (
        queryset.filter(Q(title__icontains=q) | Q(summary__icontains=q) | Exists(alternate))
        .annotate(search_rank=Value(0.0, output_field=FloatField()), headline=F("summary"))
        .order_by("title", "pk")
    )
