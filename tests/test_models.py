"""Every invariant holds at the database, whatever the write path: create, bulk_create, update."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from occupations import models

pytestmark = pytest.mark.django_db


@pytest.fixture
def dimension(db):
    return models.RatingDimension.objects.create(name="Income", slug="income")


def salary_band(occupation, **fields):
    defaults = {
        "occupation": occupation,
        "level": "Entry",
        "annual_min": 50_000,
        "annual_max": 60_000,
    }
    return models.SalaryBand(**{**defaults, **fields})


def education_step(occupation, **fields):
    return models.EducationStep(**{"occupation": occupation, "stage": "Associate degree", **fields})


def duty(occupation, **fields):
    return models.Duty(**{"occupation": occupation, "text": "Monitor the grid.", **fields})


def assert_rejected(write):
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


# --- Occupation ------------------------------------------------------------------------------

BAD_OCCUPATION_FIELDS = {
    "malformed code (no dash)": {"code": "518012"},
    "malformed code (letters)": {"code": "AB-1234"},
    "malformed O*NET-SOC code (one decimal)": {"code": "51-8012.0"},
    "malformed code (trailing text)": {"code": "51-8012 x"},
    "malformed migration code": {"migration_code": "51.8012"},
    "blank title": {"title": ""},
    "blank slug": {"slug": ""},
    "blank summary": {"summary": ""},
    "overall rating above 10": {"overall_rating": Decimal("10.5")},
    "overall rating below 0": {"overall_rating": Decimal("-0.5")},
}


@pytest.mark.parametrize("fields", BAD_OCCUPATION_FIELDS.values(), ids=BAD_OCCUPATION_FIELDS)
def test_occupation_invariant_is_enforced_by_create_and_update(make_occupation, occupation, fields):
    assert_rejected(lambda: make_occupation(**{"slug": "another", **fields}))
    assert_rejected(lambda: models.Occupation.objects.filter(pk=occupation.pk).update(**fields))
    assert models.Occupation.objects.count() == 1


@pytest.mark.parametrize("code", ["51-8012", "51-8012.00", "11-1011.03"])
def test_soc_and_onet_soc_codes_are_accepted(make_occupation, code):
    assert make_occupation(code=code, migration_code=code).code == code


@pytest.mark.parametrize("rating", [Decimal("0"), Decimal("6.5"), Decimal("10")])
def test_overall_rating_accepts_the_bounds_of_0_to_10(make_occupation, rating):
    assert make_occupation(overall_rating=rating).overall_rating == rating


def test_occupation_slug_is_unique_on_create_bulk_create_and_update(make_occupation, occupation):
    other = make_occupation(slug="other")
    assert_rejected(lambda: make_occupation(slug=occupation.slug))
    assert_rejected(
        lambda: models.Occupation.objects.bulk_create(
            [models.Occupation(title="Copy", slug=occupation.slug, code="51-8012", summary="x")]
        )
    )
    assert_rejected(
        lambda: models.Occupation.objects.filter(pk=other.pk).update(slug=occupation.slug)
    )


@pytest.mark.parametrize("model", [models.Sector, models.Skill, models.Source, models.GlossaryTerm])
def test_vocabulary_slug_is_unique_and_name_not_blank(model):
    model.objects.create(name="SCADA", slug="scada")
    assert_rejected(lambda: model.objects.create(name="SCADA again", slug="scada"))
    assert_rejected(lambda: model.objects.create(name="", slug="blank-name"))
    assert_rejected(lambda: model.objects.create(name="No slug", slug=""))


# --- Money, years and ranges ---------------------------------------------------------------

BAD_ROWS = {
    "negative annual minimum": lambda o: salary_band(o, annual_min=-1),
    "negative annual maximum": lambda o: salary_band(o, annual_min=0, annual_max=-1),
    "negative years": lambda o: salary_band(o, years_min=-1),
    "salary max below min": lambda o: salary_band(o, annual_min=60_000, annual_max=50_000),
    "years max below min": lambda o: salary_band(o, years_min=5, years_max=2),
    "blank salary level": lambda o: salary_band(o, level=""),
    "blank currency": lambda o: salary_band(o, currency=""),
    "negative cost": lambda o: education_step(o, cost_min=-100),
    "cost max below min": lambda o: education_step(o, cost_min=5000, cost_max=100),
    "blank education stage": lambda o: education_step(o, stage=""),
    "blank duty": lambda o: duty(o, text=""),
    "blank alternate title": lambda o: models.AlternateTitle(occupation=o, title=""),
    "blank FAQ answer": lambda o: models.FAQ(occupation=o, question="Why?", answer=""),
    "blank narrative heading": lambda o: models.NarrativeSection(
        occupation=o, heading="", body="x"
    ),
    "blank career step": lambda o: models.CareerStep(occupation=o, title=""),
    "blank fit trait": lambda o: models.FitTrait(occupation=o, kind="fits", text=""),
    "blank AI-impact title": lambda o: models.AIImpactItem(occupation=o, kind="augment", title=""),
    "blank key-fact table title": lambda o: models.KeyFactTable(occupation=o, title=""),
    "blank item-list title": lambda o: models.ItemList(occupation=o, kind="challenges", title=""),
    "related link without a target": lambda o: models.RelatedOccupation(
        occupation=o, kind="similar"
    ),
    "related link to itself": lambda o: models.RelatedOccupation(
        occupation=o, related=o, kind="similar"
    ),
}


@pytest.mark.parametrize("build", BAD_ROWS.values(), ids=BAD_ROWS)
def test_bad_child_row_is_rejected_by_save_and_bulk_create(occupation, build):
    model = type(build(occupation))
    assert_rejected(lambda: build(occupation).save())
    assert_rejected(lambda: model.objects.bulk_create([build(occupation)]))
    assert model.objects.count() == 0


BAD_UPDATES = {
    "salary max below min": (lambda o: salary_band(o), {"annual_max": 1}),
    "negative salary": (lambda o: salary_band(o), {"annual_min": -5}),
    "years max below min": (lambda o: salary_band(o, years_min=3, years_max=5), {"years_max": 1}),
    "cost max below min": (lambda o: education_step(o, cost_min=1, cost_max=9), {"cost_max": 0}),
    "blank duty": (lambda o: duty(o), {"text": ""}),
}


@pytest.mark.parametrize(("build", "change"), BAD_UPDATES.values(), ids=BAD_UPDATES)
def test_bad_value_is_rejected_by_queryset_update(occupation, build, change):
    row = build(occupation)
    row.save()
    assert_rejected(lambda: type(row).objects.filter(pk=row.pk).update(**change))


def test_open_ended_ranges_are_allowed(occupation):
    band = salary_band(occupation, years_min=7, years_max=None)
    band.save()
    step = education_step(occupation, cost_min=None, cost_max=None)
    step.save()
    assert band.pk
    assert step.pk


def test_related_link_accepts_a_profile_or_a_typed_title(occupation, published_occupation):
    by_profile = models.RelatedOccupation.objects.create(
        occupation=occupation, related=published_occupation, kind="similar", order=0
    )
    by_title = models.RelatedOccupation.objects.create(
        occupation=occupation,
        related_title="Transmission System Operator",
        kind="advancement",
        order=1,
    )
    assert by_profile.pk
    assert by_title.pk


# --- Scores --------------------------------------------------------------------------------


@pytest.mark.parametrize("score", [Decimal("-0.1"), Decimal("10.1"), Decimal("99")])
def test_rating_score_outside_0_to_10_is_rejected(occupation, dimension, score):
    assert_rejected(
        lambda: models.RatingScore.objects.create(
            occupation=occupation, dimension=dimension, score=score
        )
    )
    models.RatingScore.objects.create(occupation=occupation, dimension=dimension, score=None)
    assert_rejected(lambda: models.RatingScore.objects.update(score=score))


def test_one_rating_score_per_dimension(occupation, dimension):
    models.RatingScore.objects.create(occupation=occupation, dimension=dimension, score=5)
    assert_rejected(
        lambda: models.RatingScore.objects.create(occupation=occupation, dimension=dimension)
    )


# --- Order within a parent -----------------------------------------------------------------


def test_order_is_unique_within_an_occupation_on_every_write_path(occupation, make_occupation):
    first = models.Duty.objects.create(occupation=occupation, text="First", order=0)
    second = models.Duty.objects.create(occupation=occupation, text="Second", order=1)
    assert_rejected(lambda: models.Duty.objects.create(occupation=occupation, text="Dup", order=0))
    assert_rejected(
        lambda: models.Duty.objects.bulk_create(
            [duty(occupation, order=5), duty(occupation, order=5)]
        )
    )
    assert_rejected(lambda: models.Duty.objects.filter(pk=second.pk).update(order=first.order))
    # The same position under another parent is fine.
    assert models.Duty.objects.create(occupation=make_occupation(), text="Other", order=0).pk


def test_order_is_unique_within_a_key_fact_table_and_an_item_list(occupation):
    table = models.KeyFactTable.objects.create(occupation=occupation, title="Role at a glance")
    models.KeyFact.objects.create(table=table, order=0, label="Education", value="Associate")
    assert_rejected(
        lambda: models.KeyFact.objects.create(table=table, order=0, label="Other", value="x")
    )
    item_list = models.ItemList.objects.create(occupation=occupation, kind="challenges", title="C")
    models.ListItem.objects.create(item_list=item_list, order=0, title="Cyber threats")
    assert_rejected(lambda: models.ListItem.objects.create(item_list=item_list, order=0, title="x"))
    assert_rejected(
        lambda: models.KeyFact.objects.create(table=table, order=1, label="", value="x")
    )
    assert_rejected(lambda: models.ListItem.objects.create(item_list=item_list, order=1, title=""))
