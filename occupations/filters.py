"""The one FilterSet for occupations, shared by the HTML index and the API list.

Every relation filter uses an `Exists` subquery rather than a join, so a profile never
appears twice and the `for_list()` salary aggregates stay correct. No regex lookups: user
input never reaches a regular expression (DRF filtering guide, ReDoS).
"""

import django_filters
from django import forms
from django.db.models import Case, Exists, F, OuterRef, Q, Subquery, When
from django.urls import reverse_lazy
from django.utils.choices import BaseChoiceIterator
from django.utils.functional import cached_property

from . import enums
from .models import (
    AIExposureScore,
    EducationLevelShare,
    EducationStep,
    GrowthArea,
    Occupation,
    OccupationGrowthArea,
    OccupationQualification,
    OccupationSkill,
    OccupationVisa,
    Qualification,
    SalaryBand,
    Sector,
    Skill,
    Visa,
    WageStatistic,
)
from .publishing import published_q
from .registry import VOCABULARY_BY_MODEL


class ListedChoiceIterator(forms.models.ModelChoiceIterator):
    """Model choices read with one plain query: Django's iterator() would open a server-side
    cursor on PostgreSQL (three round trips) for a list of a few dozen sectors."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class ListedModelChoiceField(django_filters.fields.ModelChoiceField):
    iterator = ListedChoiceIterator


class ListedModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = ListedModelChoiceField


class Sort(django_filters.ChoiceFilter):
    """Sort order; "relevance" keeps the search ranking (title order without a search)."""

    RELEVANCE = "relevance"


SORT_CHOICES = [
    (Sort.RELEVANCE, "Relevance"),
    ("title", "Title (A–Z)"),
    ("salary", "Highest salary"),
    ("rating", "Highest rating"),
    ("median_wage", "Highest median wage (BLS)"),
    ("job_zone", "Most preparation needed (Job Zone)"),
    ("ai_exposure", "Most exposed to AI (GPT-4 beta)"),
    ("reviewed", "Recently reviewed"),
]


def _linked(through_model, field, value):
    """Occupations that have a `through_model` row pointing at `value`."""
    return Exists(through_model.objects.filter(occupation=OuterRef("pk"), **{field: value}))


class TermField(forms.CharField):
    """A shared term typed by slug or by name (any case): cleans to the record in one query.

    A text field rather than a <select>, so the form stays small however many terms exist;
    the index enhances it with suggestions (static/js/term-suggestions.js)."""

    def __init__(self, *, model, **kwargs):
        self.model = model
        super().__init__(max_length=200, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        term = (
            self.model.objects.filter(Q(slug=value) | Q(name__iexact=value))
            .only("pk", "name", "slug")
            # An exact slug wins over a name that happens to match another term.
            .order_by(Case(When(slug=value, then=0), default=1), "pk")
            .first()
        )
        if term is None:
            name = self.model._meta.verbose_name
            # The visitor's text goes in as a parameter: a "%" in it is not a format directive.
            raise forms.ValidationError(
                "No %(name)s is called “%(value)s”.",
                code="invalid_choice",
                params={"name": name, "value": value},
            )
        return term


class TermFilter(django_filters.Filter):
    field_class = TermField


def _vocabulary_filter(model, label, through_model, field):
    return TermFilter(
        label=label,
        model=model,
        method=lambda queryset, name, value: queryset.filter(_linked(through_model, field, value)),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "placeholder": "Name or address",
                "data-suggest-url": reverse_lazy(
                    "occupations:term_suggestions", args=[VOCABULARY_BY_MODEL[model].kind]
                ),
            }
        ),
    )


class EducationStageChoices(BaseChoiceIterator):
    """The distinct education stages on published profiles: one query, run only when needed."""

    @cached_property
    def choices(self):
        stages = (
            EducationStep.objects.filter(published_q("occupation"))
            .order_by("stage")
            .values_list("stage", flat=True)
            .distinct()
        )
        return [(stage, stage) for stage in stages]

    def __iter__(self):
        return iter(self.choices)

    def __len__(self):
        return len(self.choices)

    def __deepcopy__(self, memo):
        # Forms deep-copy a field and its widget separately; sharing this object keeps the
        # validation and the rendering of one request on a single query.
        return self


def _top_education():
    """Subquery: the category most of the outer profile's workers hold (ties: the lower)."""
    return (
        EducationLevelShare.objects.filter(occupation=OuterRef("pk"))
        .order_by("-share", "category")
        .values("category")[:1]
    )


class OccupationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="filter_search",
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "e.g. dispatcher"}),
    )
    sector = ListedModelChoiceFilter(
        label="Sector",
        queryset=Sector.objects.only("pk", "name", "slug"),
        to_field_name="slug",
        empty_label="Any sector",
    )
    ai_outlook = django_filters.ChoiceFilter(
        label="AI outlook", choices=enums.AIOutlook.choices, empty_label="Any outlook"
    )
    salary_min = django_filters.NumberFilter(
        label="Salary at least (USD a year)",
        method="filter_salary_min",
        min_value=0,
        widget=forms.NumberInput(attrs={"step": 1000, "min": 0, "inputmode": "numeric"}),
    )
    education = django_filters.ChoiceFilter(
        label="Education stage", method="filter_education", empty_label="Any education"
    )
    median_wage_min = django_filters.NumberFilter(
        label="Median wage at least (USD a year, BLS)",
        method="filter_median_wage_min",
        min_value=0,
        widget=forms.NumberInput(attrs={"step": 1000, "min": 0, "inputmode": "numeric"}),
    )
    job_zone = django_filters.ChoiceFilter(
        label="Job Zone", choices=enums.JobZoneNumber.choices, empty_label="Any Job Zone"
    )
    education_level = django_filters.ChoiceFilter(
        label="Most common education (O*NET)",
        choices=enums.EducationLevel.choices,
        method="filter_education_level",
        empty_label="Any level",
    )
    ai_exposure_min = django_filters.NumberFilter(
        label="AI exposure at least (GPT-4 beta, 0 to 1)",
        method="filter_ai_exposure_min",
        min_value=0,
        max_value=1,
        widget=forms.NumberInput(attrs={"step": 0.05, "min": 0, "max": 1}),
    )
    qualification = _vocabulary_filter(
        Qualification, "Qualification", OccupationQualification, "qualification"
    )
    visa = _vocabulary_filter(Visa, "Visa", OccupationVisa, "visa")
    skill = _vocabulary_filter(Skill, "Skill", OccupationSkill, "skill")
    growth_area = _vocabulary_filter(GrowthArea, "Growth area", OccupationGrowthArea, "growth_area")
    # Declared last: filters run in declaration order, so the sort overrides the search's
    # rank ordering unless it is "relevance".
    sort = Sort(label="Sort by", choices=SORT_CHOICES, method="sort_by", empty_label=None)

    class Meta:
        model = Occupation
        fields = [
            "q",
            "sector",
            "ai_outlook",
            "salary_min",
            "education",
            "median_wage_min",
            "job_zone",
            "education_level",
            "ai_exposure_min",
            "qualification",
            "visa",
            "skill",
            "growth_area",
            "sort",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A fresh lazy iterator per FilterSet: queried at most once, only if the form needs it.
        self.filters["education"].extra["choices"] = EducationStageChoices()

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_salary_min(self, queryset, name, value):
        # "At least X": the profile's top band reaches X, i.e. some band's maximum >= X.
        return queryset.filter(
            Exists(SalaryBand.objects.filter(occupation=OuterRef("pk"), annual_max__gte=value))
        )

    def filter_education(self, queryset, name, value):
        return queryset.filter(_linked(EducationStep, "stage__iexact", value))

    def filter_median_wage_min(self, queryset, name, value):
        # A top-coded median ("#": at least $239,200) is above any figure a visitor types.
        wages = WageStatistic.objects.filter(occupation=OuterRef("pk")).filter(
            Q(annual_median__gte=value) | Q(special_values__annual_median="#")
        )
        return queryset.filter(Exists(wages))

    def filter_education_level(self, queryset, name, value):
        return queryset.annotate(top_education=Subquery(_top_education())).filter(
            top_education=value
        )

    def filter_ai_exposure_min(self, queryset, name, value):
        return queryset.filter(
            Exists(AIExposureScore.objects.filter(occupation=OuterRef("pk"), gpt4_beta__gte=value))
        )

    def sort_by(self, queryset, name, value):
        if value == Sort.RELEVANCE:
            return queryset
        if value == "title":
            return queryset.order_by("title", "pk")
        if value == "salary":
            top_salary = SalaryBand.objects.filter(occupation=OuterRef("pk")).order_by(
                "-annual_max"
            )
            return queryset.annotate(
                top_salary=Subquery(top_salary.values("annual_max")[:1])
            ).order_by(F("top_salary").desc(nulls_last=True), "title", "pk")
        if value == "median_wage":
            medians = WageStatistic.objects.filter(occupation=OuterRef("pk")).order_by("-release")
            return queryset.annotate(
                median_wage=Subquery(medians.values("annual_median")[:1])
            ).order_by(F("median_wage").desc(nulls_last=True), "title", "pk")
        if value == "job_zone":
            return queryset.order_by(F("job_zone").desc(nulls_last=True), "title", "pk")
        if value == "ai_exposure":
            scores = AIExposureScore.objects.filter(occupation=OuterRef("pk")).order_by("order")
            return queryset.annotate(ai_exposure=Subquery(scores.values("gpt4_beta")[:1])).order_by(
                F("ai_exposure").desc(nulls_last=True), "title", "pk"
            )
        if value == "rating":
            return queryset.order_by(F("overall_rating").desc(nulls_last=True), "title", "pk")
        return queryset.order_by(F("last_reviewed").desc(nulls_last=True), "title", "pk")
