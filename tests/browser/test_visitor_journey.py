"""A visitor's journey through the career pages, in a real Chromium.

They search from the index (with a typo where PostgreSQL's trigram search can forgive it),
narrow the results with a filter, read a profile and open an FAQ answer, follow a skill
they share with another occupation to that occupation, and compare the two side by side.
The same basics also work with JavaScript switched off.
"""

import re

import pytest
from django.db import connection
from playwright.sync_api import expect

from occupations.models import FAQ, Skill

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DISPATCHERS_TITLE = "Power Distributors and Dispatchers"
OPERATOR_TITLE = "Distribution System Operator"


def search_query():
    """A typo on PostgreSQL (trigram similarity finds it); the plain word on SQLite."""
    return "dispacher" if connection.vendor == "postgresql" else "dispatcher"


def card_link(page, title):
    return page.get_by_role("heading", level=3, name=title).get_by_role("link", name=title)


def test_visitor_searches_filters_reads_follows_a_skill_and_compares(
    page, site_url, demo_profiles, shared_skill
):
    dispatchers = demo_profiles["power-distributors-and-dispatchers"]
    operator = demo_profiles["distribution-system-operator"]
    only_dispatchers_skill = (
        Skill.objects.filter(occupation_links__occupation=dispatchers)
        .exclude(occupation_links__occupation=operator)
        .order_by("name")
        .first()
    )
    faq = FAQ.objects.filter(occupation=dispatchers).order_by("order").first()

    # The index lists both published profiles.
    page.goto(site_url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Occupations")
    expect(card_link(page, DISPATCHERS_TITLE)).to_be_visible()
    expect(card_link(page, OPERATOR_TITLE)).to_be_visible()

    # A search (with a typo on PostgreSQL) finds the dispatchers and keeps the query in the URL.
    query = search_query()
    page.get_by_label("Search occupations").fill(query)
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(re.compile(rf"[?&]q={query}"))
    expect(page.get_by_label("Search occupations")).to_have_value(query)
    expect(card_link(page, DISPATCHERS_TITLE)).to_be_visible()

    # A skill only the dispatchers list narrows the results to them; the query stays.
    filters_toggle = page.locator("summary", has_text=re.compile(r"^\s*Filters"))
    if not filters_toggle.evaluate("summary => summary.parentElement.open"):
        filters_toggle.click()
    # The skill field takes a name as typed (the script offers matching names as you type).
    skill_field = page.get_by_label("Skill", exact=True)
    skill_field.fill(only_dispatchers_skill.name)
    expect(page.locator("#id_skill-suggestions option").first).to_have_attribute(
        "value", only_dispatchers_skill.name
    )
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"skill="))
    expect(page.get_by_label("Skill", exact=True)).to_have_value(only_dispatchers_skill.name)
    expect(page).to_have_url(re.compile(rf"q={query}"))
    expect(card_link(page, DISPATCHERS_TITLE)).to_be_visible()
    expect(card_link(page, OPERATOR_TITLE)).to_have_count(0)

    # The profile opens, and an FAQ answer shows when its question is clicked.
    card_link(page, DISPATCHERS_TITLE).click()
    expect(page).to_have_url(site_url + dispatchers.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(DISPATCHERS_TITLE)
    question = page.locator("summary", has_text=faq.question)
    answer = page.locator("details", has=question).locator(":scope > :not(summary)").first
    expect(answer).to_be_hidden()
    question.click()
    expect(answer).to_be_visible()
    expect(answer).to_contain_text(faq.answer.split("\n")[0][:60])

    # A skill both profiles share leads to its page, which links to the other profile.
    page.get_by_role("link", name=shared_skill.name, exact=True).first.click()
    expect(page).to_have_url(site_url + shared_skill.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(shared_skill.name)
    expect(page.get_by_role("link", name=DISPATCHERS_TITLE, exact=True).first).to_be_visible()
    page.get_by_role("link", name=OPERATOR_TITLE, exact=True).first.click()
    expect(page).to_have_url(site_url + operator.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(OPERATOR_TITLE)

    # From there the visitor compares the two and sees both titles side by side.
    page.get_by_role("link", name=f"Compare with {DISPATCHERS_TITLE}").first.click()
    expect(page).to_have_url(re.compile(r"/compare/\?occupations="))
    expect(page.get_by_role("heading", level=1)).to_contain_text(DISPATCHERS_TITLE)
    expect(page.get_by_role("heading", level=1)).to_contain_text(OPERATOR_TITLE)
    left = page.get_by_role("columnheader", name=OPERATOR_TITLE)
    right = page.get_by_role("columnheader", name=DISPATCHERS_TITLE)
    expect(left).to_be_visible()
    expect(right).to_be_visible()
    left_box, right_box = left.bounding_box(), right.bounding_box()
    assert abs(left_box["y"] - right_box["y"]) < 2, "the titles should head one row"
    assert left_box["x"] + left_box["width"] <= right_box["x"], "and stand side by side"


def test_visitor_compares_two_profiles_ticked_on_the_index(page, site_url, demo_profiles):
    page.goto(site_url + "/")
    page.get_by_role("checkbox", name=f"Compare {DISPATCHERS_TITLE}").check()
    page.get_by_role("checkbox", name=f"Compare {OPERATOR_TITLE}").check()
    page.get_by_role("button", name="Compare selected").click()
    expect(page).to_have_url(re.compile(r"/compare/\?"))
    expect(page.get_by_role("columnheader", name=DISPATCHERS_TITLE)).to_be_visible()
    expect(page.get_by_role("columnheader", name=OPERATOR_TITLE)).to_be_visible()


def test_search_and_faq_work_with_javascript_switched_off(new_context, site_url, demo_profiles):
    page = new_context(java_script_enabled=False).new_page()
    dispatchers = demo_profiles["power-distributors-and-dispatchers"]
    faq = FAQ.objects.filter(occupation=dispatchers).order_by("order").first()

    page.goto(site_url + "/")
    page.get_by_label("Search occupations").fill(search_query())
    page.get_by_label("Search occupations").press("Enter")
    expect(page).to_have_url(re.compile(rf"[?&]q={search_query()}"))
    expect(card_link(page, DISPATCHERS_TITLE)).to_be_visible()

    card_link(page, DISPATCHERS_TITLE).click()
    details = page.locator("details", has=page.locator("summary", has_text=faq.question))
    expect(details).not_to_have_attribute("open", "")
    details.locator("summary").click()
    expect(details).to_have_attribute("open", "")
    expect(details.locator(":scope > :not(summary)").first).to_be_visible()


def test_a_search_that_finds_nothing_shows_a_helpful_empty_state(page, site_url, demo_profiles):
    page.goto(site_url + "/")
    page.get_by_label("Search occupations").fill("xylophonist")
    page.get_by_label("Search occupations").press("Enter")
    expect(page.get_by_text("No published occupation matches")).to_be_visible()
    expect(card_link(page, DISPATCHERS_TITLE)).to_have_count(0)
    page.get_by_role("link", name="See all occupations").click()
    expect(card_link(page, DISPATCHERS_TITLE)).to_be_visible()
    expect(card_link(page, OPERATOR_TITLE)).to_be_visible()
