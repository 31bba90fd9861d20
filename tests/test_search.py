"""OccupationQuerySet.search: full text + trigram on PostgreSQL, a plain match elsewhere."""

from http import HTTPStatus

import pytest
from django.db import connection

from occupations import enums
from occupations.models import AlternateTitle, Duty, Occupation
from occupations.search import (
    HIGHLIGHT_START,
    HIGHLIGHT_STOP,
    _search_plain,
    add_headlines,
    update_search_vectors,
)
from occupations.templatetags.site_tags import highlight

pytestmark = pytest.mark.django_db

PUBLISHED = enums.PublicationStatus.PUBLISHED
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text and trigram search need PostgreSQL"
)


@pytest.fixture
def profiles(make_occupation):
    """Three published profiles whose words sit in different weighted fields."""
    dispatchers = make_occupation(
        title="Power Distributors and Dispatchers",
        slug="power-distributors-and-dispatchers",
        summary="Coordinates, regulates, or distributes electricity or steam.",
        status=PUBLISHED,
    )
    AlternateTitle.objects.create(occupation=dispatchers, order=1, title="Load Dispatcher")
    operator = make_occupation(
        title="Distribution System Operator",
        slug="distribution-system-operator",
        summary="Monitors the grid and dispatches field crews to restore outages.",
        status=PUBLISHED,
    )
    Duty.objects.create(occupation=operator, order=1, text="Switch feeders during storms.")
    planner = make_occupation(
        title="Water Planner",
        slug="water-planner",
        summary="Plans reservoirs.",
        status=PUBLISHED,
    )
    AlternateTitle.objects.create(occupation=planner, order=1, title="Hydrologist")
    update_search_vectors(Occupation.objects.values_list("pk", flat=True))
    return dispatchers, operator, planner


def slugs(queryset):
    return [occupation.slug for occupation in queryset]


# --- Both databases: the shared interface ---------------------------------------------------


def test_an_empty_query_returns_the_queryset_unchanged(profiles):
    assert slugs(Occupation.objects.order_by("title").search("   ")) == slugs(
        Occupation.objects.order_by("title")
    )


def test_search_finds_a_title_word(profiles):
    assert "water-planner" in slugs(Occupation.objects.search("planner"))


def test_search_finds_an_alternate_title_once(profiles):
    assert slugs(Occupation.objects.search("hydrologist")) == ["water-planner"]


def test_search_with_no_match_is_empty(profiles):
    assert slugs(Occupation.objects.search("astronaut")) == []


def test_search_results_carry_a_rank_and_the_page_gets_headlines(
    profiles, django_assert_num_queries
):
    [planner] = Occupation.objects.search("hydrologist")
    assert planner.search_rank is not None
    # one query for the whole page (SQLite first checks the word against the index)
    with django_assert_num_queries(2 if connection.vendor == "sqlite" else 1):
        add_headlines([planner], "hydrologist")
    assert "reservoirs" in planner.headline


def test_headlines_mark_the_matched_words_on_both_databases(profiles):
    [operator] = add_headlines(
        Occupation.objects.filter(slug="distribution-system-operator"), "outages"
    )
    assert f"{HIGHLIGHT_START}outages{HIGHLIGHT_STOP}" in operator.headline


def test_without_a_query_the_headline_is_the_summary_and_costs_nothing(
    profiles, django_assert_num_queries
):
    occupations = list(Occupation.objects.all())
    with django_assert_num_queries(0):
        add_headlines(occupations, "  ")
    assert occupations[0].headline == occupations[0].summary


def test_search_keeps_drafts_out_of_a_published_queryset(profiles, make_occupation):
    make_occupation(title="Secret Planner", slug="secret-planner")
    update_search_vectors(Occupation.objects.values_list("pk", flat=True))
    assert "secret-planner" not in slugs(Occupation.objects.published().search("planner"))


def test_the_index_search_box_uses_search(client, profiles):
    response = client.get("/", {"q": "hydrologist"})
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert "Water Planner" in page
    assert "Power Distributors" not in page


# --- The plain fallback (what SQLite runs), tested on any database --------------------------


def test_plain_search_matches_title_alternate_title_and_summary_ignoring_case(profiles):
    queryset = Occupation.objects.all()
    assert slugs(_search_plain(queryset, "WATER")) == ["water-planner"]
    assert slugs(_search_plain(queryset, "load dispatcher")) == [
        "power-distributors-and-dispatchers"
    ]
    assert slugs(_search_plain(queryset, "field crews")) == ["distribution-system-operator"]


def test_plain_search_orders_by_title_and_headline_is_the_plain_summary(profiles):
    results = list(_search_plain(Occupation.objects.all(), "dis"))
    assert slugs(results) == ["distribution-system-operator", "power-distributors-and-dispatchers"]
    assert results[0].headline == results[0].summary


def test_plain_search_does_not_find_words_only_in_the_body(profiles):
    assert slugs(_search_plain(Occupation.objects.all(), "feeders")) == []


# --- Highlighting is escaped except for the marks -------------------------------------------


def test_highlight_escapes_the_text_and_marks_only_the_matches():
    headline = f"<b>Grid</b> & {HIGHLIGHT_START}dispatch{HIGHLIGHT_STOP} <script>"
    assert highlight(headline) == (
        "&lt;b&gt;Grid&lt;/b&gt; &amp; <mark>dispatch</mark> &lt;script&gt;"
    )


def test_highlight_cut_short_closes_an_open_mark():
    headline = f"one two {HIGHLIGHT_START}three four{HIGHLIGHT_STOP} five"
    assert highlight(headline, 3) == "one two <mark>three</mark>…"


def test_highlight_cut_short_keeps_a_late_match_in_view():
    words = [f"w{n}" for n in range(60)]
    words[50] = f"{HIGHLIGHT_START}match{HIGHLIGHT_STOP}"
    shown = highlight(" ".join(words), 20)
    assert shown.startswith("…w40 ")
    assert "<mark>match</mark>" in shown
    assert shown.endswith("w59")
    assert len(shown.split()) == 20


def test_highlight_leaves_a_short_text_whole():
    assert highlight("a b c", 20) == "a b c"


def test_highlight_of_nothing_is_empty():
    assert highlight(None) == ""


# --- PostgreSQL: full text, weights, web-search syntax, typos, snippets ---------------------


def test_a_typo_still_finds_the_dispatchers(profiles):
    assert slugs(Occupation.objects.search("dispacher"))[0] == "power-distributors-and-dispatchers"


def test_a_typo_in_an_alternate_title_is_found(profiles):
    assert slugs(Occupation.objects.search("hydrologst")) == ["water-planner"]


@postgresql_only
def test_stemming_matches_other_forms_of_a_word(profiles):
    assert "distribution-system-operator" in slugs(Occupation.objects.search("dispatching"))


def test_title_matches_rank_above_summary_matches(profiles):
    # "dispatch" is in one title (weight A) and in the other's summary (weight B).
    assert slugs(Occupation.objects.search("dispatch"))[:2] == [
        "power-distributors-and-dispatchers",
        "distribution-system-operator",
    ]


def test_words_in_the_body_are_found_with_the_lowest_weight(profiles):
    assert slugs(Occupation.objects.search("feeders")) == ["distribution-system-operator"]


def test_web_search_syntax_excludes_and_quotes_without_typo_matches(profiles):
    assert "power-distributors-and-dispatchers" not in slugs(
        Occupation.objects.search("dispatch -steam")
    )
    assert slugs(Occupation.objects.search('"field crews"')) == ["distribution-system-operator"]


def test_the_index_highlights_matches_safely(client, make_occupation):
    make_occupation(
        title="Grid Analyst",
        slug="grid-analyst",
        summary="Watches <b>outages</b> & load.",
        status=PUBLISHED,
    )
    update_search_vectors(Occupation.objects.values_list("pk", flat=True))
    page = client.get("/", {"q": "outages"}).content.decode()
    assert "&lt;b&gt;<mark>outages</mark>&lt;/b&gt; &amp; load." in page


def test_search_odd_input_does_not_error(profiles):
    for query in ['"', "-", "a & b | !c", "):(", "' OR 1=1 --", "x" * 300]:
        list(Occupation.objects.search(query))


def test_search_and_for_list_annotations_combine(profiles):
    results = list(Occupation.objects.published().for_list().search("dispacher"))
    assert results[0].slug == "power-distributors-and-dispatchers"
    assert results[0].salary_max is None


def test_an_api_edit_is_found_by_search_at_once(client, editor, token_header, profiles):
    # The API's write path hands its loaded profile to content_changed (no re-read): the
    # search index (vector or FTS5 row) must follow it there too.
    response = client.patch(
        "/api/v1/occupations/water-planner/",
        {"title": "Reservoir Hydrographer"},
        content_type="application/json",
        **token_header(editor),
    )
    assert response.status_code == HTTPStatus.OK, response.json()
    assert slugs(Occupation.objects.search("hydrographer")) == ["water-planner"]


def test_a_misspelt_word_of_the_body_is_corrected_and_found(profiles):
    # Not a title: trigram matching of titles could not find it, the spelling correction can.
    assert slugs(Occupation.objects.search("feedrs")) == ["distribution-system-operator"]


@postgresql_only  # stemming: "dispatcher" also finds the summary's "dispatches"
def test_a_corrected_word_ranks_title_matches_first(profiles):
    assert slugs(Occupation.objects.search("dispacher")) == [
        "power-distributors-and-dispatchers",
        "distribution-system-operator",
    ]


def test_a_word_from_an_edit_is_corrected_at_once(client, editor, token_header, profiles):
    response = client.patch(
        "/api/v1/occupations/water-planner/",
        {"summary": "Plans reservoirs and desalination plants."},
        content_type="application/json",
        **token_header(editor),
    )
    assert response.status_code == HTTPStatus.OK, response.json()
    assert slugs(Occupation.objects.search("desalinaton")) == ["water-planner"]


@postgresql_only
def test_the_correction_takes_one_query_for_every_word(profiles, django_assert_num_queries):
    from occupations.search import corrected_query

    with django_assert_num_queries(1):
        corrected = corrected_query("the feedrs of dispacher grid")

    assert corrected == "'feeder' & 'dispatch' & 'grid'"
