from dataclasses import dataclass, field
from http import HTTPStatus

from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.paginator import Paginator
from django.db.models import Case, Count, When
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import Truncator
from django.views.decorators.cache import never_cache

from . import jsonld, search, selectors
from .filters import OccupationFilter
from .formatting import absolute_url
from .models import (
    Occupation,
    RatingDimension,
)
from .publishing import can_see_drafts, published_q
from .registry import VOCABULARY_BY_KIND
from .templatetags import site_tags


def _with_query(request, path):
    query = request.META.get("QUERY_STRING", "")
    return f"{path}?{query}" if query else path


def occupation_detail(request, slug):
    """A whole profile; drafts only for staff, who see a banner and an edit link."""
    visible = Occupation.objects.visible_to(request.user)
    occupation = visible.for_detail().filter(slug=slug).first()
    if occupation is None:
        renamed = visible.renamed_from(slug)
        if renamed is None:
            raise Http404("No such occupation.")
        return redirect(_with_query(request, renamed.get_absolute_url()), permanent=True)
    return profile_page(request, occupation)


def profile_page(request, occupation, *, draft_preview: bool = False):
    """The page of a profile loaded with `for_detail()`; `draft_preview` marks the admin's
    preview of a draft (not indexed, with a banner back to the draft)."""
    editor = can_see_drafts(request.user)
    page_url = absolute_url(request, occupation.get_absolute_url())
    list_path = reverse("occupations:occupation_list")
    # The index is the home page: one crumb for it, so no URL appears twice in the trail.
    trail = [("Occupations", absolute_url(request, list_path))]
    structured_data = jsonld.profile_structured_data(occupation, page_url=page_url, trail=trail)
    context = {
        "occupation": occupation,
        "page": selectors.profile_context(occupation, include_drafts=editor),
        "canonical_url": page_url,
        "list_url": list_path,
        "compare_url": reverse("occupations:compare"),
        "structured_data": jsonld.json_ld_script(structured_data),
        "admin_change_url": (
            reverse("admin:occupations_occupation_change", args=[occupation.pk]) if editor else ""
        ),
        "draft_preview": draft_preview,
    }
    if draft_preview:
        context["robots"] = "noindex, nofollow"
    return render(request, "occupations/occupation_detail.html", context)


# --- The site around the profiles: index, vocabulary pages, compare, feed helpers ----------

INDEX_PAGE_SIZE = 12
COMPARE_MIN, COMPARE_MAX = 2, 3


def occupation_list(request):
    """Every published profile as a card: searched, filtered, sorted and paginated by GET."""
    queryset = (
        Occupation.objects.published()
        .for_list()
        # Search and sort override this order.
        .order_by("title", "pk")
    )
    filterset = OccupationFilter(request.GET, queryset=queryset, request=request)
    page = Paginator(filterset.qs, INDEX_PAGE_SIZE).get_page(request.GET.get("page"))
    query = filterset.form.cleaned_data.get("q", "") if filterset.is_valid() else ""
    occupations = search.add_headlines(page.object_list, query) if query else page.object_list
    active_filters = _active_filters(request, filterset)
    title = f"Occupations matching “{query}”" if query else "Occupations"
    if page.number > 1:
        title += f", page {page.number}"
    canonical_path = reverse("occupations:occupation_list")
    if page.number > 1 and not active_filters and not query:
        canonical_path += f"?page={page.number}"
    context = {
        "filterset": filterset,
        "page_obj": page,
        "occupations": occupations,
        "query": query,
        "active_filters": active_filters,
        "is_searching": bool(query or active_filters),
        # Search results and filtered lists are for visitors, not for the search index.
        "robots": "noindex, follow" if query or active_filters else "",
        "page_title": title,
        "page_description": (
            "Find an occupation: duties, skills, salaries, education, visas and the AI "
            "outlook, with the sources behind every figure."
        ),
        "canonical_url": site_tags.absolute_url(request, canonical_path),
    }
    return render(request, "occupations/occupation_list.html", context)


def _active_filters(request, filterset):
    """(label, value, URL without it) for every filter the visitor set, for "remove" links."""
    if not filterset.is_bound:
        return []
    filterset.is_valid()
    active = []
    for name, value in filterset.form.cleaned_data.items():
        if name in {"q", "sort"} or value in (None, ""):
            continue
        field = filterset.form.fields[name]
        shown = dict(field.choices).get(value, value) if name in {"ai_outlook"} else value
        if name == "salary_min":
            shown = f"${int(value):,}"
        params = request.GET.copy()
        params.pop(name, None)
        params.pop("page", None)
        active.append((field.label, str(shown), f"?{params.urlencode()}"))
    return active


# Pages whose size does not grow with the catalogue: long lists are paginated.
TERMS_PAGE_SIZE = 100
TERM_OCCUPATIONS_PAGE_SIZE = 50
SUGGESTIONS_LIMIT = 10
SUGGESTED_KINDS = {"skill", "qualification", "visa", "growth_area"}


def _published_counts(vocabulary, term_ids):
    """{term pk: number of published occupations linked to it} for the given terms."""
    if vocabulary.link_model is None:
        rows = (
            Occupation.objects.published()
            .filter(sector__in=term_ids)
            .values("sector")
            .annotate(count=Count("pk"))
            .values_list("sector", "count")
        )
    else:
        field = vocabulary.link_field
        rows = (
            vocabulary.link_model.objects.filter(
                published_q("occupation"), **{f"{field}__in": term_ids}
            )
            .values(field)
            .annotate(count=Count("occupation", distinct=True))
            .values_list(field, "count")
        )
    return dict(rows)


def vocabulary_list(request, kind):
    """One page of a vocabulary's terms, each with its number of published occupations."""
    vocabulary = VOCABULARY_BY_KIND[kind]
    terms = vocabulary.model.objects.only("pk", "name", "slug").order_by("name", "pk")
    page = Paginator(terms, TERMS_PAGE_SIZE).get_page(request.GET.get("page"))
    counts = _published_counts(vocabulary, [term.pk for term in page.object_list])
    for term in page.object_list:
        term.occupation_count = counts.get(term.pk, 0)
    path = reverse(vocabulary.list_url_name)
    if page.number > 1:
        path += f"?page={page.number}"
    context = {
        "vocabulary": vocabulary,
        "terms": page.object_list,
        "page_obj": page,
        "page_title": vocabulary.plural + (f", page {page.number}" if page.number > 1 else ""),
        "page_description": vocabulary.intro,
        "canonical_url": site_tags.absolute_url(request, path),
        "crumbs": [
            ("Occupations", reverse("occupations:occupation_list")),
            (vocabulary.plural, reverse(vocabulary.list_url_name)),
        ],
    }
    return render(request, "occupations/vocabulary_list.html", context)


def vocabulary_detail(request, slug, kind):
    """One shared term: what it is, and a page of the published occupations linked to it."""
    vocabulary = VOCABULARY_BY_KIND[kind]
    term = get_object_or_404(vocabulary.model, slug=slug)
    occupations = Occupation.objects.published().order_by("title", "pk")
    if vocabulary.link_model is None:
        occupations = occupations.filter(sector=term).for_list()
    else:
        # An uncorrelated IN: SQLite would run a correlated EXISTS once per profile through
        # the term's index (1.6 s for a skill on 900 of 1,016 profiles).
        linked = vocabulary.link_model.objects.filter(**{vocabulary.link_field: term})
        occupations = occupations.filter(pk__in=linked.values("occupation_id")).select_related(
            "sector"
        )
    page = Paginator(occupations, TERM_OCCUPATIONS_PAGE_SIZE).get_page(request.GET.get("page"))
    groups = []
    if vocabulary.link_model is not None and page.object_list:
        links_by_occupation = {}
        for link in vocabulary.link_model.objects.filter(
            occupation__in=[occupation.pk for occupation in page.object_list],
            **{vocabulary.link_field: term},
        ).order_by("order", "pk"):
            links_by_occupation.setdefault(link.occupation_id, []).append(link)
        groups = [
            (occupation, links_by_occupation.get(occupation.pk, []))
            for occupation in page.object_list
        ]
    count = page.paginator.count
    noun = "occupation" if count == 1 else "occupations"
    described = Truncator(term.description).chars(110) if term.description else ""
    page_title = f"{term.name} ({vocabulary.singular.lower()})"
    if vocabulary.kind == "glossary_term":
        page_title = f"{term.name}: glossary"
    if page.number > 1:
        page_title += f", page {page.number}"
    path = term.get_absolute_url()
    context = {
        "vocabulary": vocabulary,
        "term": term,
        "groups": groups,
        "occupations": page.object_list,
        "occupation_count": count,
        "page_obj": page,
        "page_title": page_title,
        "page_description": " ".join(
            part
            for part in [described, f"{count} published {noun} on CareerGraph link to {term.name}."]
            if part
        ),
        "canonical_url": site_tags.absolute_url(
            request, path + (f"?page={page.number}" if page.number > 1 else "")
        ),
        "crumbs": [
            ("Occupations", reverse("occupations:occupation_list")),
            (vocabulary.plural, reverse(vocabulary.list_url_name)),
            (term.name, path),
        ],
    }
    return render(request, [f"occupations/{kind}_detail.html"], context)


def term_suggestions(request, kind):
    """Up to ten terms whose name contains ?q= (names starting with it first), as JSON."""
    if kind not in SUGGESTED_KINDS:
        raise Http404
    text = request.GET.get("q", "").strip()[:100]
    results = []
    if len(text) >= 2 and "\x00" not in text:
        results = list(
            VOCABULARY_BY_KIND[kind]
            .model.objects.filter(name__icontains=text)
            .order_by(Case(When(name__istartswith=text, then=0), default=1), "name", "pk")
            .values("name", "slug")[:SUGGESTIONS_LIMIT]
        )
    return JsonResponse({"results": results})


def _requested_slugs(request):
    """Slugs from ?occupations=a,b and/or ?occupations=a&occupations=b, in order, once each."""
    slugs = []
    for value in request.GET.getlist("occupations"):
        slugs.extend(part.strip() for part in value.split(","))
    return list(dict.fromkeys(slug for slug in slugs if slug))


def compare(request):
    """Two or three published profiles side by side; anything else gets a form to pick."""
    raw_values = request.GET.getlist("occupations")
    slugs = _requested_slugs(request)
    if len(raw_values) > 1 and COMPARE_MIN <= len(slugs) <= COMPARE_MAX:
        # The checkbox form sends one parameter per profile: keep one tidy, shareable URL.
        return redirect(f"{reverse('occupations:compare')}?occupations={','.join(slugs)}")
    occupations = []
    problem = ""
    if COMPARE_MIN <= len(slugs) <= COMPARE_MAX:
        found = {
            occupation.slug: occupation
            for occupation in Occupation.objects.published().filter(slug__in=slugs).for_compare()
        }
        unknown = [slug for slug in slugs if slug not in found]
        if unknown:
            problem = f"No published occupation has the address “{'”, “'.join(unknown)}”."
        else:
            occupations = [found[slug] for slug in slugs]
    elif raw_values:
        problem = (
            f"Pick {COMPARE_MIN} or {COMPARE_MAX} occupations to compare; you picked {len(slugs)}."
        )
    path = reverse("occupations:compare")
    crumbs = [("Occupations", reverse("occupations:occupation_list")), ("Compare", path)]
    if occupations:
        names = " and ".join([", ".join(o.title for o in occupations[:-1]), occupations[-1].title])
        query = f"?occupations={','.join(slugs)}"
        context = {
            "occupations": occupations,
            "comparison": compare_occupations(occupations, list(RatingDimension.objects.all())),
            "page_title": f"Compare {names}",
            "page_description": (
                f"{names} side by side: salary bands, ratings, education, qualifications, "
                "visas, AI outlook and skills."
            ),
            # Any two or three profiles make a page: too many near-duplicates to index.
            "robots": "noindex, follow",
            "share_url": site_tags.absolute_url(request, path + query),
            "crumbs": [*crumbs[:-1], ("Compare", path + query)],
        }
        return render(request, "occupations/compare.html", context)
    choices = Occupation.objects.published().only("title", "slug", "code").order_by("title", "pk")
    context = {
        "problem": problem,
        "choices": choices,
        "selected": set(slugs),
        "page_title": "Compare occupations",
        "page_description": (
            "Pick two or three occupations to see their pay, ratings, education, "
            "qualifications, visas and skills side by side."
        ),
        "canonical_url": site_tags.absolute_url(request, path),
        "robots": "noindex" if problem else "",
        "crumbs": crumbs,
    }
    status = HTTPStatus.BAD_REQUEST if problem else HTTPStatus.OK
    return render(request, "occupations/compare_form.html", context, status=status)


@dataclass
class Cell:
    items: list = field(default_factory=list)  # (text, url) pairs


@dataclass
class Row:
    label: str
    cells: list
    empty: str = "None listed"


def _outlook(o):
    # The bucket and the source's words, once each ("Mixed", not "Mixed — Mixed").
    words = dict.fromkeys(t for t in [o.get_ai_outlook_display(), o.ai_verdict] if t)
    return [(" — ".join(words), "")] if words else []


def _salary_bands(o):
    return [
        (f"{b.level}: {site_tags.salary_range(b.annual_min, b.annual_max, b.currency)}", "")
        for b in o.salary_bands.all()
    ]


def _education(o):
    return [
        (" — ".join(t for t in [step.stage, step.duration] if t), "")
        for step in o.education_steps.all()
    ]


def _qualifications(o):
    items = []
    for link in o.occupation_qualifications.all():
        requirement = f" ({link.get_requirement_display()})" if link.requirement else ""
        items.append((link.qualification.name + requirement, link.qualification.get_absolute_url()))
    # A profile may list one qualification under two groups: show it once.
    return list(dict.fromkeys(items))


def _visas(o):
    return [
        (
            " — ".join(t for t in [link.visa.name, link.visa.full_name] if t),
            link.visa.get_absolute_url(),
        )
        for link in o.occupation_visas.all()
    ]


def compare_occupations(occupations, dimensions):
    """The compare table as {section: rows}, from `for_compare()` profiles (no queries)."""

    def row(label, make_items, empty="None listed"):
        return Row(label, [Cell(list(make_items(o))) for o in occupations], empty)

    scores = {o.pk: {s.dimension_id: s.score for s in o.rating_scores.all()} for o in occupations}
    skills = {
        o.pk: {link.skill_id: link.skill for link in o.occupation_skills.all()} for o in occupations
    }
    shared_ids = set.intersection(*(set(skills[o.pk]) for o in occupations))
    shared = sorted((skills[occupations[0].pk][pk] for pk in shared_ids), key=lambda s: s.name)
    return {
        "Overview": [
            row("Occupation code", lambda o: [(f"{o.code} ({o.code_classification})", "")]),
            row(
                "Sector",
                lambda o: [(o.sector.name, o.sector.get_absolute_url())] if o.sector else [],
                "Not stated",
            ),
            row("Overall rating", lambda o: [(site_tags.rating(o.overall_rating), "")]),
            row("AI outlook", _outlook, "Not stated"),
        ],
        "Pay": [row("Salary bands", _salary_bands, "Salary not stated")],
        "Ratings": [
            row(d.name, lambda o, d=d: [(site_tags.rating(scores[o.pk].get(d.pk)), "")])
            for d in dimensions
        ],
        "Education and qualifications": [
            row("Education path", _education),
            row("Qualifications", _qualifications),
        ],
        "Visas": [row("Visas", _visas)],
        "Skills": [
            Row(
                "Skills they share",
                [Cell([(s.name, s.get_absolute_url()) for s in shared])],
                "No skills in common",
            ),
            row(
                "Other skills",
                lambda o: sorted(
                    (s.name, s.get_absolute_url())
                    for pk, s in skills[o.pk].items()
                    if pk not in shared_ids
                ),
            ),
        ],
    }


@never_cache
def healthz(request):
    """For load balancers, and the benchmark's baseline: the middleware stack and "ok"."""
    return HttpResponse("ok", content_type="text/plain")


def favicon(request):
    """/favicon.ico for clients that ask for it, answered by the hashed static file."""
    return redirect(staticfiles_storage.url("img/favicon.ico"), permanent=True)
