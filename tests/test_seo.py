"""Titles, descriptions, canonical URLs, OpenGraph, JSON-LD, sitemap, robots.txt, feed, favicon."""

import json
import re
from datetime import UTC, date, datetime
from http import HTTPStatus
from xml.etree import ElementTree  # noqa: S405 - parses our own responses

import pytest
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.urls import reverse

from occupations import enums, sitemaps
from occupations.feeds import FEED_LENGTH
from occupations.models import Occupation, OccupationSkill, Skill

pytestmark = pytest.mark.django_db

PUBLISHED = enums.PublicationStatus.PUBLISHED
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def site(make_occupation):
    """Two published profiles sharing a skill, and a draft that also has it."""
    skill = Skill.objects.create(name="Load forecasting", slug="load-forecasting")
    profiles = [
        make_occupation(
            title="Alpha", slug="alpha", status=PUBLISHED, last_reviewed=date(2026, 3, 1)
        ),
        make_occupation(
            title="Beta", slug="beta", status=PUBLISHED, last_reviewed=date(2026, 5, 1)
        ),
        make_occupation(title="Hidden", slug="hidden"),
    ]
    for occupation in profiles:
        OccupationSkill.objects.create(occupation=occupation, skill=skill, group="technical")
    return skill


def head(response):
    html = response.content.decode()
    return {
        "title": re.search(r"<title>(.*?)</title>", html, re.S).group(1),
        "description": re.search(r'<meta name="description" content="(.*?)">', html).group(1),
        "canonical": (re.findall(r'<link rel="canonical" href="(.*?)">', html) or [None])[0],
        "robots": (re.findall(r'<meta name="robots" content="(.*?)">', html) or [""])[0],
        "og": dict(re.findall(r'<meta property="og:(\w+)" content="(.*?)">', html)),
    }


def json_ld(response):
    scripts = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    return [json.loads(script) for script in scripts]


PAGES = [
    "/",
    "/?page=2",
    "/skills/",
    "/skills/load-forecasting/",
    "/sectors/energy/",
    "/compare/",
]
NOT_INDEXED = [
    "/?q=alpha",
    "/?sector=energy",
    "/?skill=load-forecasting&page=2",
    "/compare/?occupations=alpha,beta",
    "/compare/?occupations=alpha",
    "/occupations/no-such-profile/",
]


def test_every_page_has_its_own_title_and_description(client, site):
    urls = [url for url in PAGES if "page=2" not in url] + ["/compare/?occupations=alpha,beta"]
    heads = [head(client.get(url)) for url in urls]
    titles = [h["title"] for h in heads]
    descriptions = [h["description"] for h in heads]
    assert len(set(titles)) == len(titles)
    assert len(set(descriptions)) == len(descriptions)
    assert all(t.endswith("| CareerGraph") for t in titles)
    assert all(30 < len(d) <= 200 for d in descriptions)


@pytest.mark.parametrize("url", PAGES)
def test_every_indexable_page_has_an_absolute_canonical_url_and_opengraph_tags(client, site, url):
    tags = head(client.get(url))
    assert tags["robots"] == ""
    assert tags["canonical"].startswith("http://testserver/")
    assert tags["og"]["url"] == tags["canonical"]
    assert tags["og"]["title"]
    assert tags["og"]["description"]
    assert tags["og"]["type"] == "website"
    assert tags["og"]["site_name"] == "CareerGraph"


def test_canonical_url_drops_tracking_parameters(client, site):
    tags = head(client.get("/skills/load-forecasting/?utm_source=mail&fbclid=x"))
    assert tags["canonical"] == "http://testserver/skills/load-forecasting/"


@pytest.mark.parametrize("url", NOT_INDEXED)
def test_a_page_kept_out_of_the_index_names_no_canonical_url(client, site, url):
    # noindex and a canonical pointing elsewhere contradict each other: one or the other.
    tags = head(client.get(url))
    assert tags["robots"].startswith("noindex")
    assert tags["canonical"] is None


def test_a_compare_page_is_not_indexed_but_shares_its_own_clean_url(client, site):
    tags = head(client.get("/compare/?occupations=alpha,beta&utm_campaign=x"))
    assert tags["robots"] == "noindex, follow"
    assert tags["og"]["url"] == "http://testserver/compare/?occupations=alpha,beta"


@pytest.mark.parametrize("url", [*PAGES, *NOT_INDEXED, "/occupations/alpha/"])
def test_no_breadcrumb_trail_names_a_url_twice(client, site, url):
    trails = [
        node
        for data in json_ld(client.get(url))
        for node in data.get("@graph", [data])
        if node["@type"] == "BreadcrumbList"
    ]
    for trail in trails:
        urls = [item["item"] for item in trail["itemListElement"]]
        assert len(urls) == len(set(urls)), urls


def test_canonical_urls_use_the_configured_public_origin(client, site, settings):
    settings.SITE_URL = "https://careers.example"
    assert head(client.get("/skills/"))["canonical"] == "https://careers.example/skills/"
    crumbs = json_ld(client.get("/skills/load-forecasting/"))[0]
    assert crumbs["itemListElement"][0]["item"] == "https://careers.example/"


def test_search_results_are_not_indexed_but_the_index_is(client, site):
    assert "noindex" not in client.get("/").content.decode()
    assert 'content="noindex, follow"' in client.get("/", {"q": "alpha"}).content.decode()


def test_vocabulary_page_has_breadcrumbs_and_breadcrumb_list_json_ld(client, site):
    response = client.get("/skills/load-forecasting/")
    html = response.content.decode()
    assert '<nav class="breadcrumbs" aria-label="Breadcrumb">' in html
    [data] = json_ld(response)
    assert data["@type"] == "BreadcrumbList"
    assert [(i["position"], i["name"], i["item"]) for i in data["itemListElement"]] == [
        (1, "Occupations", "http://testserver/"),
        (2, "Skills", "http://testserver/skills/"),
        (3, "Load forecasting", "http://testserver/skills/load-forecasting/"),
    ]


def test_compare_page_has_breadcrumb_list_json_ld(client, site):
    [data] = json_ld(client.get("/compare/?occupations=alpha,beta"))
    assert (
        data["itemListElement"][-1]["item"] == "http://testserver/compare/?occupations=alpha,beta"
    )


def test_json_ld_cannot_be_closed_by_a_term_name(client, site):
    Skill.objects.filter(slug="load-forecasting").update(name="</script><script>alert(1)")
    response = client.get("/skills/load-forecasting/")
    html = response.content.decode()
    assert "</script><script>alert(1)" not in html
    assert json_ld(response)[0]["itemListElement"][2]["name"] == "</script><script>alert(1)"


def sitemap_entries(client):
    """{loc: lastmod} over every section the sitemap index lists."""
    index = ElementTree.fromstring(client.get("/sitemap.xml").content)  # noqa: S314
    entries = {}
    for section in index.iter(f"{SITEMAP}sitemap"):
        path = section.findtext(f"{SITEMAP}loc").removeprefix("http://testserver")
        response = client.get(path)
        assert response.status_code == HTTPStatus.OK
        root = ElementTree.fromstring(response.content)  # noqa: S314
        for url in root.iter(f"{SITEMAP}url"):
            entries[url.findtext(f"{SITEMAP}loc")] = url.findtext(f"{SITEMAP}lastmod")
    return entries


def test_sitemap_is_an_index_of_sections_with_their_latest_change(client, site):
    response = client.get("/sitemap.xml")
    assert response.status_code == HTTPStatus.OK
    root = ElementTree.fromstring(response.content)  # noqa: S314
    sections = {
        item.findtext(f"{SITEMAP}loc"): item.findtext(f"{SITEMAP}lastmod")
        for item in root.iter(f"{SITEMAP}sitemap")
    }
    alpha = Occupation.objects.get(slug="alpha")
    assert "http://testserver/sitemap-occupations.xml" in sections
    assert "http://testserver/sitemap-skills.xml" in sections
    assert sections["http://testserver/sitemap-occupations.xml"].startswith(
        alpha.updated_at.date().isoformat()
    )


def test_sitemap_lists_published_profiles_and_vocabulary_in_use_with_lastmod(client, site):
    Skill.objects.create(name="Unused", slug="unused")
    entries = sitemap_entries(client)
    alpha = Occupation.objects.get(slug="alpha")
    assert entries["http://testserver/occupations/alpha/"] == alpha.updated_at.date().isoformat()
    assert "http://testserver/occupations/beta/" in entries
    assert "http://testserver/occupations/hidden/" not in entries
    assert entries["http://testserver/"]
    assert entries["http://testserver/glossary/"] == entries["http://testserver/"]
    assert entries["http://testserver/skills/load-forecasting/"]
    assert entries["http://testserver/sectors/energy/"]
    assert "http://testserver/skills/unused/" not in entries


def test_big_sitemap_sections_are_paginated(client, site, monkeypatch):
    monkeypatch.setattr(sitemaps.OccupationSitemap, "limit", 1)
    index = client.get("/sitemap.xml").content.decode()
    assert "http://testserver/sitemap-occupations.xml?p=2" in index
    assert client.get("/sitemap-occupations.xml?p=2").status_code == HTTPStatus.OK


def test_sitemap_uses_the_configured_public_origin(client, site, settings):
    settings.SITE_URL = "https://careers.example"
    assert b"https://careers.example/sitemap-occupations.xml" in client.get("/sitemap.xml").content
    assert (
        b"<loc>https://careers.example/occupations/alpha/</loc>"
        in client.get("/sitemap-occupations.xml").content
    )


@pytest.mark.parametrize("limit", [1, 1000])
def test_each_section_in_the_index_has_its_own_page_count_and_latest_change(
    site, make_occupation, monkeypatch, limit
):
    Skill.objects.create(name="Unused", slug="unused")
    other = Skill.objects.create(name="Second", slug="second")
    beta = Occupation.objects.get(slug="beta")
    OccupationSkill.objects.create(occupation=beta, skill=other, group="technical", order=2)
    Occupation.objects.filter(slug="hidden").update(updated_at=datetime(2030, 1, 1, tzinfo=UTC))
    monkeypatch.setattr(sitemaps.SiteSitemap, "limit", limit)
    published = Occupation.objects.published().aggregate(
        count=sitemaps.Count("pk"), latest=sitemaps.Max("updated_at")
    )

    for site_map in sitemaps.sitemaps.values():
        site_map = site_map() if callable(site_map) else site_map
        # The summary's one query says what Django's paginator and the section's own
        # latest change say with two.
        assert site_map.summary(published) == (
            site_map.paginator.num_pages,
            site_map.get_latest_lastmod(),
        )


@pytest.mark.parametrize("count", [1, 30])
def test_sitemap_query_count_is_constant(client, make_occupation, django_assert_num_queries, count):
    skill = Skill.objects.create(name="Shared", slug="shared")
    for _ in range(count):
        occupation = make_occupation(status=PUBLISHED)
        OccupationSkill.objects.create(occupation=occupation, skill=skill, group="technical")
    # The published profiles' count and latest change (the list pages' and the profiles'
    # sections), then for each of the 6 vocabularies its terms in use and latest change.
    with django_assert_num_queries(7):
        client.get("/sitemap.xml")
    with django_assert_num_queries(2):  # the count, then the page of URLs
        client.get("/sitemap-skills.xml")
    with django_assert_num_queries(2):
        client.get("/sitemap-occupations.xml")


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_admin_and_api(client):
    response = client.get("/robots.txt")
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Disallow: /admin/" in lines
    assert "Disallow: /api/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_feed_lists_recently_reviewed_profiles_newest_first_without_drafts(client, site):
    response = client.get(reverse("recently_reviewed_feed"))
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.content)  # noqa: S314
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Beta", "Alpha"]
    assert entries[0].find(f"{ATOM}link").get("href") == "http://testserver/occupations/beta/"
    assert entries[0].findtext(f"{ATOM}summary") == (
        "Reviewed 1 May 2026. Coordinates the flow of electricity."
    )


def test_the_feed_meets_the_atom_rules_the_w3c_validator_checks(client, site):
    # Alpha and Beta saved in one batch: the same updated_at.
    Occupation.objects.update(updated_at=datetime(2026, 5, 2, 9, 0, tzinfo=UTC))

    root = ElementTree.fromstring(client.get(reverse("recently_reviewed_feed")).content)  # noqa: S314

    assert root.find(f"{ATOM}author").findtext(f"{ATOM}name") == "CareerGraph editors"
    assert root.findtext(f"{ATOM}updated") == "2026-05-02T09:00:00+00:00"
    assert root.find(f"{ATOM}link[@rel='self']").get("href").endswith("/feeds/recently-reviewed/")
    entries = root.findall(f"{ATOM}entry")
    ids = [entry.findtext(f"{ATOM}id") for entry in entries]
    updated = [entry.findtext(f"{ATOM}updated") for entry in entries]
    assert len(set(ids)) == len(ids) == 2
    assert updated == ["2026-05-02T09:00:00+00:00", "2026-05-02T08:59:59.999999+00:00"]
    assert all(datetime.fromisoformat(value).tzinfo for value in updated)


def test_a_profile_never_reviewed_is_not_in_the_recently_reviewed_feed(
    client, site, make_occupation
):
    make_occupation(title="Unreviewed", status=PUBLISHED)

    root = ElementTree.fromstring(client.get(reverse("recently_reviewed_feed")).content)  # noqa: S314

    assert [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")] == ["Beta", "Alpha"]


@pytest.mark.parametrize("count", [1, 30])
def test_feed_query_count_is_constant(client, make_occupation, django_assert_num_queries, count):
    for _ in range(count):
        make_occupation(status=PUBLISHED, last_reviewed=date(2026, 1, 1))
    with django_assert_num_queries(1):
        response = client.get(reverse("recently_reviewed_feed"))
    assert response.content.count(b"<entry>") == min(count, FEED_LENGTH)


def test_pages_advertise_the_feed_and_the_favicon(client, site):
    html = client.get("/").content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in html


def test_favicon_ico_redirects_to_a_real_static_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert response["Location"] == "/static/img/favicon.ico"
    with open(finders.find("img/favicon.ico"), "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # the ICO header
    assert finders.find("img/favicon.svg")


def test_index_describes_its_search_box_to_search_engines(client, site):
    [website] = json_ld(client.get("/"))
    assert website["@type"] == "WebSite"
    assert website["potentialAction"]["target"]["urlTemplate"] == (
        "http://testserver/?q={search_term_string}"
    )


def test_the_site_frame_renders_without_a_request(site):
    html = render_to_string("base.html", {"page_title": "Offline"})
    assert "<title>Offline | CareerGraph</title>" in html
    assert '<link rel="canonical" href="/">' in html
