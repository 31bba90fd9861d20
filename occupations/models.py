"""The content model: occupations, their ordered collections and the shared vocabulary.

Shared things (sector, skill, qualification, visa, growth area, glossary term, rating
dimension, source) are one row each; through-models carry the per-occupation detail.
"""

import uuid
from decimal import Decimal

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from . import enums
from .publishing import can_see_drafts, is_public, published_q

OCCUPATION_CODE_PATTERN = r"^[0-9]{2}-[0-9]{4}(\.[0-9]{2})?$"
occupation_code_validator = RegexValidator(
    OCCUPATION_CODE_PATTERN,
    "Enter a SOC code like 51-8012 or an O*NET-SOC code like 51-8012.00.",
)
SCORE_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("10"))]
NON_NEGATIVE = [MinValueValidator(0)]


def not_blank(*field_names):
    """Database rule that each named text field holds something."""
    return [
        models.CheckConstraint(
            condition=~Q(**{field: ""}),
            name=f"%(app_label)s_%(class)s_{field}_not_blank",
            violation_error_message=f"{field.replace('_', ' ').capitalize()} cannot be blank.",
        )
        for field in field_names
    ]


def min_not_above_max(low, high, message):
    return models.CheckConstraint(
        condition=Q(**{f"{high}__isnull": True})
        | Q(**{f"{low}__isnull": True})
        | Q(**{f"{high}__gte": F(low)}),
        name=f"%(app_label)s_%(class)s_{low}_not_above_{high}",
        violation_error_message=message,
    )


def unique_order(parent):
    return models.UniqueConstraint(
        fields=[parent, "order"],
        name="%(app_label)s_%(class)s_unique_order",
        violation_error_message="Two rows of the same list cannot share a position.",
    )


def score_in_range(field):
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 0, f"{field}__lte": 10}),
        name=f"%(app_label)s_%(class)s_{field}_between_0_and_10",
        violation_error_message="A score must be between 0 and 10.",
    )


# --- Shared vocabulary ------------------------------------------------------------------


class SlugManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Vocabulary(models.Model):
    """A shared term: one row, linked to many occupations."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)

    objects = SlugManager()

    class Meta:
        abstract = True
        ordering = ["name"]
        constraints = not_blank("name", "slug")

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class Sector(Vocabulary):
    def get_absolute_url(self):
        return reverse("occupations:sector_detail", args=[self.slug])


class Skill(Vocabulary):
    kind = models.CharField(
        max_length=20, choices=enums.SkillKind.choices, default=enums.SkillKind.TECHNICAL
    )
    hot_technology = models.BooleanField(
        default=False, help_text="O*NET's Hot Technology flag: frequently named in job postings."
    )
    unspsc_code = models.CharField(
        "UNSPSC commodity code", max_length=8, blank=True, help_text="e.g. 43232306"
    )
    unspsc_title = models.CharField("UNSPSC commodity", max_length=200, blank=True)

    def get_absolute_url(self):
        return reverse("occupations:skill_detail", args=[self.slug])


class Qualification(Vocabulary):
    issuer = models.CharField(max_length=200, blank=True)
    kind = models.CharField(
        max_length=20,
        choices=enums.QualificationKind.choices,
        default=enums.QualificationKind.CERTIFICATION,
    )

    def get_absolute_url(self):
        return reverse("occupations:qualification_detail", args=[self.slug])


class Visa(Vocabulary):
    """A visa or migration route; `name` is its short code, e.g. "H-1B"."""

    full_name = models.CharField(max_length=200, blank=True)
    country = models.CharField(max_length=100, blank=True)
    kind = models.CharField(
        max_length=20, choices=enums.VisaKind.choices, default=enums.VisaKind.WORK_VISA
    )

    def get_absolute_url(self):
        return reverse("occupations:visa_detail", args=[self.slug])


class GrowthArea(Vocabulary):
    def get_absolute_url(self):
        return reverse("occupations:growth_area_detail", args=[self.slug])


class GlossaryTerm(Vocabulary):
    """`name` is the term; `description` its definition."""

    abbreviation = models.CharField(max_length=40, blank=True)

    def get_absolute_url(self):
        return reverse("occupations:glossary_term_detail", args=[self.slug])


class RatingDimension(Vocabulary):
    position = models.PositiveSmallIntegerField(default=0)
    higher_is_better = models.BooleanField(
        null=True, blank=True, help_text="Empty when the source does not say."
    )

    class Meta(Vocabulary.Meta):
        ordering = ["position", "name"]


class JobZone(models.Model):
    """O*NET's reference meaning of a Job Zone (how much preparation an occupation needs)."""

    number = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=200)
    experience = models.TextField(blank=True)
    education = models.TextField(blank=True)
    job_training = models.TextField(blank=True)
    examples = models.TextField(blank=True)
    svp_range = models.CharField("SVP range", max_length=40, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=5),
                name="%(app_label)s_%(class)s_number_between_1_and_5",
                violation_error_message="A Job Zone is numbered 1 to 5.",
            ),
            *not_blank("name"),
        ]

    def __str__(self):
        return self.name


class Source(Vocabulary):
    """A document a profile draws on; `name` is its title."""

    url = models.URLField(max_length=500, blank=True)
    publisher = models.CharField(max_length=200, blank=True)
    published_on = models.DateField(
        null=True, blank=True, help_text="Date the source gives; empty when it gives none."
    )

    def get_absolute_url(self):
        return self.url


# --- Occupation ---------------------------------------------------------------------------


def band_aggregate(aggregate, field):
    """An aggregate over the profile's salary bands as a subquery, not a join: the list's
    query needs no GROUP BY, so its count (a paginator's) skips the annotations."""
    return models.Subquery(
        SalaryBand.objects.filter(occupation=models.OuterRef("pk"))
        .order_by()
        .values("occupation")
        .annotate(value=aggregate(field))
        .values("value")
    )


class OccupationQuerySet(models.QuerySet):
    def published(self):
        """Profiles visitors may see (the one rule: `publishing.published_q`)."""
        return self.filter(published_q())

    def visible_to(self, user):
        """Drafts too for users who may see them (`publishing.can_see_drafts`)."""
        return self if can_see_drafts(user) else self.published()

    def for_admin_list(self):
        """What the admin changelist shows."""
        return self.select_related("sector")

    def for_list(self):
        """Cards on the index and the API list: sector plus the salary range across bands."""
        return self.select_related("sector").annotate(
            salary_min=band_aggregate(models.Min, "annual_min"),
            salary_max=band_aggregate(models.Max, "annual_max"),
            salary_currency=band_aggregate(models.Max, "currency"),
        )

    def for_api_list(self):
        """The API list: `for_list()` plus the bands' currency (null when they mix currencies)."""
        # The order is explicit: the search's relevance order, applied later, replaces it.
        return (
            self.select_related("sector")
            .annotate(
                salary_min=band_aggregate(models.Min, "annual_min"),
                salary_max=band_aggregate(models.Max, "annual_max"),
                salary_currency_low=band_aggregate(models.Min, "currency"),
                salary_currency_high=band_aggregate(models.Max, "currency"),
                salary_currency=models.Case(
                    models.When(
                        salary_currency_low=F("salary_currency_high"),
                        then=F("salary_currency_low"),
                    ),
                    default=None,
                    output_field=models.CharField(),
                ),
            )
            .order_by("title", "pk")
        )

    def for_detail(self):
        """A whole profile with every registered collection, in two queries.

        The profile (with its sector and sources), then one query for all its collections,
        their nested rows and the links pointing at it (`prefetching.load_collections`).
        """
        clone = self.select_related("sector", "code_source", "ai_summary_source")
        clone._load_collections = True
        return clone

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._load_collections = False

    def _clone(self):
        clone = super()._clone()
        clone._load_collections = self._load_collections
        return clone

    def _fetch_all(self):
        # Where Django runs prefetch_related: after the rows, once per evaluation.
        fetching = self._result_cache is None
        super()._fetch_all()
        if (
            fetching
            and self._load_collections
            and self._iterable_class is models.query.ModelIterable
        ):
            from .prefetching import load_collections

            load_collections(self._result_cache)

    def for_compare(self):
        """What the compare page puts side by side, in a fixed number of queries."""
        return self.select_related("sector").prefetch_related(
            "salary_bands",
            "education_steps",
            models.Prefetch(
                "rating_scores", queryset=RatingScore.objects.select_related("dimension")
            ),
            models.Prefetch(
                "occupation_qualifications",
                queryset=OccupationQualification.objects.select_related("qualification"),
            ),
            models.Prefetch(
                "occupation_visas", queryset=OccupationVisa.objects.select_related("visa")
            ),
            models.Prefetch(
                "occupation_skills", queryset=OccupationSkill.objects.select_related("skill")
            ),
        )

    def renamed_from(self, slug):
        """The profile once published under `slug` and since renamed, or None."""
        return self.filter(former_slugs__slug=slug).only("slug").first()

    def search(self, q):
        """Profiles matching the visitor's query, ranked (full text + typos on PostgreSQL)."""
        from .search import search_occupations

        return search_occupations(self, q)

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Occupation(models.Model):
    # Identity and classification
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    code = models.CharField(
        "occupation code", max_length=10, validators=[occupation_code_validator]
    )
    code_classification = models.CharField(
        max_length=12,
        choices=enums.CodeClassification.choices,
        default=enums.CodeClassification.SOC,
    )
    code_source = models.ForeignKey(
        Source,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Where the code assignment comes from, when it is not the profile's own source.",
    )
    # The importers' identity: a profile IS this O*NET occupation (a profile merely classified
    # under the code, like an alternate title with its own page, leaves it empty).
    onet_soc_code = models.CharField(
        "O*NET-SOC code",
        max_length=10,
        unique=True,
        null=True,
        blank=True,
        validators=[occupation_code_validator],
        help_text="Set when this profile is that O*NET occupation; imports match on it.",
    )
    job_zone = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="O*NET Job Zone, 1 (little preparation) to 5 (extensive preparation).",
    )
    sector = models.ForeignKey(
        Sector, null=True, blank=True, on_delete=models.PROTECT, related_name="occupations"
    )
    summary = models.TextField()

    # Publication
    status = models.CharField(
        max_length=10,
        choices=enums.PublicationStatus.choices,
        default=enums.PublicationStatus.DRAFT,
    )
    published_at = models.DateTimeField(null=True, blank=True)
    # Scheduling: a published profile is public from `publish_at` until `unpublish_at`
    # (`publishing.published_q`), so no worker process has to flip the status on time.
    publish_at = models.DateTimeField(
        "publish at",
        null=True,
        blank=True,
        help_text="Leave empty to go live as soon as the status is Published.",
    )
    unpublish_at = models.DateTimeField(
        "unpublish at",
        null=True,
        blank=True,
        help_text="Leave empty to stay live until the status goes back to Draft.",
    )
    last_reviewed = models.DateField(null=True, blank=True)

    # Ratings and flags
    skilled_migration = models.BooleanField("skilled migration occupation", default=False)
    migration_code = models.CharField(
        "migration classification code",
        max_length=10,
        blank=True,
        validators=[occupation_code_validator],
    )
    migration_code_classification = models.CharField(
        max_length=12, choices=enums.CodeClassification.choices, blank=True
    )
    overall_rating = models.DecimalField(
        max_digits=3, decimal_places=1, null=True, blank=True, validators=SCORE_VALIDATORS
    )

    # AI era
    ai_outlook = models.CharField(
        "AI outlook", max_length=10, choices=enums.AIOutlook.choices, blank=True
    )
    ai_verdict = models.CharField(
        "AI verdict", max_length=100, blank=True, help_text='The source\'s words, e.g. "Mixed".'
    )
    ai_horizon = models.CharField(
        "AI horizon", max_length=100, blank=True, help_text='e.g. "through 2030"'
    )
    ai_summary = models.TextField("AI summary", blank=True)
    ai_summary_source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entry_level_outlook = models.TextField(blank=True)
    level_up_target_role = models.CharField(max_length=200, blank=True)
    level_up_advice = models.TextField(blank=True)

    # Career outlook
    career_progression = models.TextField(blank=True)
    market_outlook = models.TextField(blank=True)

    # Closing matter
    sample_cover_letter = models.TextField(blank=True)
    data_sources_note = models.TextField(blank=True)
    disclaimer = models.TextField(blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Renewed on every change to the profile or its rows (`changes.content_changed`), never
    # for a neighbour's change: the admin's edit guard compares it with the one it opened.
    # Random rather than a counter, so a revert (which restores old values) cannot bring
    # back a token an editor still holds.
    edit_token = models.UUIDField(default=uuid.uuid4, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)

    objects = OccupationQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        indexes = [
            GinIndex(fields=["search_vector"], name="occupation_search_vector_gin"),
            GinIndex(fields=["title"], name="occupation_title_trgm", opclasses=["gin_trgm_ops"]),
        ]
        constraints = [
            *not_blank("title", "slug", "summary"),
            models.CheckConstraint(
                condition=Q(code__regex=OCCUPATION_CODE_PATTERN),
                name="%(app_label)s_%(class)s_code_format",
                violation_error_message="The occupation code is malformed.",
            ),
            models.CheckConstraint(
                condition=Q(migration_code="") | Q(migration_code__regex=OCCUPATION_CODE_PATTERN),
                name="%(app_label)s_%(class)s_migration_code_format",
                violation_error_message="The migration classification code is malformed.",
            ),
            score_in_range("overall_rating"),
            models.CheckConstraint(
                condition=Q(job_zone__isnull=True) | Q(job_zone__gte=1, job_zone__lte=5),
                name="%(app_label)s_%(class)s_job_zone_between_1_and_5",
                violation_error_message="A Job Zone is numbered 1 to 5.",
            ),
            models.CheckConstraint(
                condition=Q(publish_at__isnull=True)
                | Q(unpublish_at__isnull=True)
                | Q(unpublish_at__gt=F("publish_at")),
                name="%(app_label)s_%(class)s_unpublish_after_publish",
                violation_error_message="The unpublish moment must come after the publish moment.",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("occupations:occupation_detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    @classmethod
    def from_db(cls, db, field_names, values):
        occupation = super().from_db(db, field_names, values)
        # The slug as stored, so the write path can tell a rename (`changes.content_changed`).
        occupation.stored_slug = occupation.__dict__.get("slug")
        return occupation

    @property
    def is_published(self):
        return is_public(self)


# --- Per-occupation rows ------------------------------------------------------------------


class OccupationChildManager(models.Manager):
    def get_by_natural_key(self, occupation_slug, order):
        return self.get(occupation__slug=occupation_slug, order=order)


class OccupationChild(models.Model):
    """An ordered row that belongs to one occupation and may cite a source."""

    order = models.PositiveSmallIntegerField(default=0)
    source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = OccupationChildManager()

    class Meta:
        abstract = True
        ordering = ["order"]
        constraints = [unique_order("occupation")]

    def clean_fields(self, exclude=None):
        # A foreign key whose record was just read (by the form's field) exists: looking it
        # up again would cost one query per row and key on a large profile's change page.
        exclude = set(exclude or ())
        for field in self._meta.concrete_fields:
            if field.many_to_one and field.name not in exclude and field.is_cached(self):
                record = field.get_cached_value(self)
                if record is not None and record.pk == getattr(self, field.attname):
                    exclude.add(field.name)
        super().clean_fields(exclude=exclude)

    def natural_key(self):
        return (self.occupation.slug, self.order)

    natural_key.dependencies = ["occupations.occupation"]


def child_meta(*extra_constraints):
    """Meta for an OccupationChild subclass, keeping the shared constraints."""
    return type(
        "Meta",
        (OccupationChild.Meta,),
        {
            "abstract": False,
            "constraints": [unique_order("occupation"), *extra_constraints],
        },
    )


def _occupation_fk(related_name):
    return models.ForeignKey(Occupation, on_delete=models.CASCADE, related_name=related_name)


class AlternateTitle(OccupationChild):
    occupation = _occupation_fk("alternate_titles")
    title = models.CharField(max_length=200)
    short_title = models.CharField(max_length=100, blank=True, help_text='e.g. "DSO"')

    Meta = child_meta(*not_blank("title"))
    # Typo matching (search.py) finds alternate titles through this index.
    Meta.indexes = [
        GinIndex(fields=["title"], name="alternate_title_trgm", opclasses=["gin_trgm_ops"])
    ]

    def __str__(self):
        return self.title


class Duty(OccupationChild):
    occupation = _occupation_fk("duties")
    text = models.TextField()

    Meta = child_meta(*not_blank("text"))
    Meta.verbose_name_plural = "duties"

    def __str__(self):
        return self.text[:80]


class SalaryBand(OccupationChild):
    occupation = _occupation_fk("salary_bands")
    level = models.CharField(max_length=100)
    years_min = models.PositiveSmallIntegerField(null=True, blank=True)
    years_max = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Empty for an open range such as 7+ years."
    )
    annual_min = models.PositiveIntegerField(validators=NON_NEGATIVE)
    annual_max = models.PositiveIntegerField(validators=NON_NEGATIVE)
    currency = models.CharField(max_length=3, default="USD")
    note = models.CharField(max_length=300, blank=True)

    Meta = child_meta(
        *not_blank("level", "currency"),
        min_not_above_max(
            "annual_min", "annual_max", "The maximum salary must not be below the minimum."
        ),
        min_not_above_max(
            "years_min", "years_max", "The maximum years must not be below the minimum."
        ),
    )

    def __str__(self):
        return self.level


class EducationStep(OccupationChild):
    occupation = _occupation_fk("education_steps")
    stage = models.CharField(max_length=200)
    duration = models.CharField(max_length=100, blank=True, help_text='e.g. "2 years"')
    cost_min = models.PositiveIntegerField(null=True, blank=True, validators=NON_NEGATIVE)
    cost_max = models.PositiveIntegerField(null=True, blank=True, validators=NON_NEGATIVE)
    currency = models.CharField(max_length=3, default="USD")

    Meta = child_meta(
        *not_blank("stage", "currency"),
        min_not_above_max(
            "cost_min", "cost_max", "The maximum cost must not be below the minimum."
        ),
    )

    def __str__(self):
        return self.stage


class AIImpactItem(OccupationChild):
    occupation = _occupation_fk("ai_impacts")
    kind = models.CharField(max_length=20, choices=enums.AIImpactKind.choices)
    title = models.CharField(max_length=300)
    detail = models.TextField(blank=True)
    extent = models.CharField(max_length=50, blank=True, help_text='e.g. "Partial"')
    year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )

    Meta = child_meta(*not_blank("title"))
    Meta.verbose_name = "AI-impact item"

    def __str__(self):
        return self.title


class FitTrait(OccupationChild):
    occupation = _occupation_fk("fit_traits")
    kind = models.CharField(max_length=10, choices=enums.FitKind.choices)
    text = models.CharField(max_length=300)

    Meta = child_meta(*not_blank("text"))

    def __str__(self):
        return self.text


class CareerStep(OccupationChild):
    occupation = _occupation_fk("career_steps")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    Meta = child_meta(*not_blank("title"))

    def __str__(self):
        return self.title


class FAQ(OccupationChild):
    occupation = _occupation_fk("faqs")
    question = models.CharField(max_length=300)
    answer = models.TextField()

    Meta = child_meta(*not_blank("question", "answer"))
    Meta.verbose_name = "FAQ"
    Meta.verbose_name_plural = "FAQs"

    def __str__(self):
        return self.question


class NarrativeSection(OccupationChild):
    occupation = _occupation_fk("narrative_sections")
    heading = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown; rendered safely (raw HTML is stripped).")

    Meta = child_meta(*not_blank("heading", "body"))

    def __str__(self):
        return self.heading


class KeyFactTable(OccupationChild):
    """A label/value table such as "Role at a glance"."""

    occupation = _occupation_fk("key_fact_tables")
    title = models.CharField(max_length=200)
    label_heading = models.CharField(max_length=100, blank=True, help_text='e.g. "Aspect"')
    value_heading = models.CharField(max_length=100, blank=True, help_text='e.g. "Details"')

    Meta = child_meta(*not_blank("title"))

    def __str__(self):
        return self.title


class KeyFactManager(models.Manager):
    def get_by_natural_key(self, occupation_slug, table_order, order):
        return self.get(
            table__occupation__slug=occupation_slug, table__order=table_order, order=order
        )


class KeyFact(models.Model):
    table = models.ForeignKey(KeyFactTable, on_delete=models.CASCADE, related_name="facts")
    order = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(max_length=200)
    value = models.TextField()

    objects = KeyFactManager()

    class Meta:
        ordering = ["order"]
        constraints = [unique_order("table"), *not_blank("label", "value")]

    def __str__(self):
        return self.label

    def natural_key(self):
        return (*self.table.natural_key(), self.order)

    natural_key.dependencies = ["occupations.keyfacttable"]


class ItemList(OccupationChild):
    """A titled list of items: challenges, future trends, career-path stages, outlook themes."""

    occupation = _occupation_fk("item_lists")
    kind = models.CharField(max_length=20, choices=enums.ItemListKind.choices)
    title = models.CharField(max_length=200)
    intro = models.TextField(blank=True)
    outro = models.TextField(blank=True)
    numbered = models.BooleanField(default=False)

    Meta = child_meta(*not_blank("title"))

    def __str__(self):
        return self.title


class ListItemManager(models.Manager):
    def get_by_natural_key(self, occupation_slug, list_order, order):
        return self.get(
            item_list__occupation__slug=occupation_slug,
            item_list__order=list_order,
            order=order,
        )


class ListItem(models.Model):
    item_list = models.ForeignKey(ItemList, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)

    objects = ListItemManager()

    class Meta:
        ordering = ["order"]
        constraints = [unique_order("item_list"), *not_blank("title")]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (*self.item_list.natural_key(), self.order)

    natural_key.dependencies = ["occupations.itemlist"]


class RatingScoreManager(models.Manager):
    def get_by_natural_key(self, occupation_slug, dimension_slug):
        return self.get(occupation__slug=occupation_slug, dimension__slug=dimension_slug)


class RatingScore(models.Model):
    occupation = _occupation_fk("rating_scores")
    dimension = models.ForeignKey(RatingDimension, on_delete=models.PROTECT, related_name="scores")
    score = models.DecimalField(
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=SCORE_VALIDATORS,
        help_text="Empty when the source gives no score.",
    )
    source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RatingScoreManager()

    class Meta:
        ordering = ["dimension__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["occupation", "dimension"],
                name="%(app_label)s_%(class)s_one_per_dimension",
                violation_error_message="This dimension is already rated for the occupation.",
            ),
            score_in_range("score"),
        ]

    def __str__(self):
        return f"{self.dimension}: {self.score if self.score is not None else 'not rated'}"

    def natural_key(self):
        return (self.occupation.slug, self.dimension.slug)

    natural_key.dependencies = ["occupations.occupation", "occupations.ratingdimension"]


# --- Links to shared vocabulary -------------------------------------------------------------


class OccupationSkill(OccupationChild):
    occupation = _occupation_fk("occupation_skills")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="occupation_links")
    group = models.CharField(max_length=20, choices=enums.SkillGroup.choices)
    label = models.CharField(
        max_length=300, blank=True, help_text="The source's own wording, when it differs."
    )
    note = models.TextField(blank=True)

    Meta = child_meta()

    def __str__(self):
        return f"{self.occupation} – {self.skill}"


class OccupationQualification(OccupationChild):
    occupation = _occupation_fk("occupation_qualifications")
    qualification = models.ForeignKey(
        Qualification, on_delete=models.PROTECT, related_name="occupation_links"
    )
    requirement = models.CharField(
        max_length=10, choices=enums.RequirementLevel.choices, blank=True
    )
    group = models.CharField(
        max_length=20,
        choices=enums.QualificationGroup.choices,
        default=enums.QualificationGroup.GENERAL,
    )
    label = models.CharField(max_length=300, blank=True)
    note = models.TextField(blank=True)

    Meta = child_meta()

    def __str__(self):
        return f"{self.occupation} – {self.qualification}"


class OccupationVisa(OccupationChild):
    occupation = _occupation_fk("occupation_visas")
    visa = models.ForeignKey(Visa, on_delete=models.PROTECT, related_name="occupation_links")
    details = models.TextField(blank=True)

    Meta = child_meta()

    def __str__(self):
        return f"{self.occupation} – {self.visa}"


class OccupationGrowthArea(OccupationChild):
    occupation = _occupation_fk("occupation_growth_areas")
    growth_area = models.ForeignKey(
        GrowthArea, on_delete=models.PROTECT, related_name="occupation_links"
    )
    note = models.TextField(blank=True)

    Meta = child_meta()

    def __str__(self):
        return f"{self.occupation} – {self.growth_area}"


class OccupationGlossaryTerm(OccupationChild):
    occupation = _occupation_fk("occupation_glossary_terms")
    term = models.ForeignKey(
        GlossaryTerm, on_delete=models.PROTECT, related_name="occupation_links"
    )

    Meta = child_meta()

    def __str__(self):
        return f"{self.occupation} – {self.term}"


class OccupationSource(OccupationChild):
    occupation = _occupation_fk("occupation_sources")
    document = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="occupation_links")
    note = models.TextField(blank=True, help_text="What this source backs on the profile.")

    Meta = child_meta()

    def __str__(self):
        return f"{self.occupation} – {self.document}"


class RelatedOccupation(OccupationChild):
    """A typed link to another profile, or to a role named in a source that has no profile."""

    occupation = _occupation_fk("related_links")
    related = models.ForeignKey(
        Occupation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="incoming_links",
    )
    related_title = models.CharField(
        max_length=200, blank=True, help_text="For a role that has no profile yet."
    )
    kind = models.CharField(max_length=20, choices=enums.RelationKind.choices)
    note = models.TextField(blank=True)
    relatedness_tier = models.CharField(
        max_length=20, choices=enums.RelatednessTier.choices, blank=True
    )
    relatedness_rank = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="O*NET's index: 1 is the most related."
    )

    Meta = child_meta(
        models.CheckConstraint(
            condition=Q(related__isnull=False) | ~Q(related_title=""),
            name="%(app_label)s_%(class)s_names_a_target",
            violation_error_message="Choose a related occupation or type the role's title.",
        ),
        models.CheckConstraint(
            condition=~Q(related=F("occupation")),
            name="%(app_label)s_%(class)s_not_self",
            violation_error_message="An occupation cannot be related to itself.",
        ),
    )

    def __str__(self):
        return f"{self.occupation} → {self.related or self.related_title}"


# --- Imported statistics and task lists -----------------------------------------------------


def share_between(field, low, high):
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True})
        | Q(**{f"{field}__gte": low, f"{field}__lte": high}),
        name=f"%(app_label)s_%(class)s_{field}_between_{low}_and_{high}",
        violation_error_message=f"{field.replace('_', ' ').capitalize()} must be {low} to {high}.",
    )


class Task(OccupationChild):
    """A task the occupation performs, with its exposure to LLMs."""

    occupation = _occupation_fk("tasks")
    onet_task_id = models.PositiveIntegerField("O*NET task ID", null=True, blank=True)
    text = models.TextField()
    task_type = models.CharField(max_length=20, choices=enums.TaskType.choices, blank=True)
    exposure_human = models.CharField(
        "AI exposure (human rating)", max_length=2, choices=enums.ExposureLabel.choices, blank=True
    )
    exposure_gpt4 = models.CharField(
        "AI exposure (GPT-4 rating)", max_length=2, choices=enums.ExposureLabel.choices, blank=True
    )

    Meta = child_meta(
        *not_blank("text"),
        models.UniqueConstraint(
            fields=["occupation", "onet_task_id"],
            name="%(app_label)s_%(class)s_one_per_onet_task",
            violation_error_message="This O*NET task is already listed for the occupation.",
        ),
    )

    def __str__(self):
        return self.text[:80]


# Wage figures BLS publishes, each as hourly (Decimal) and annual (whole dollars).
WAGE_MEASURES = ("mean", "p10", "p25", "median", "p75", "p90")


def _hourly(label):
    return models.DecimalField(
        f"hourly {label}", max_digits=7, decimal_places=2, null=True, blank=True
    )


def _annual(label):
    return models.PositiveIntegerField(f"annual {label}", null=True, blank=True)


class WageStatistic(OccupationChild):
    """One release of BLS OEWS national wage estimates for the occupation's SOC code.

    An empty figure is explained by `special_values` (BLS's own symbols, per field name):
    "#" top-coded (at least $115.00 an hour or $239,200 a year), "*" wage not available,
    "**" employment not available. They are never stored as numbers.
    """

    occupation = _occupation_fk("wage_statistics")
    soc_code = models.CharField("SOC code", max_length=7, validators=[occupation_code_validator])
    release = models.CharField(max_length=40, help_text='e.g. "May 2023"')
    employment = models.PositiveIntegerField(null=True, blank=True)
    hourly_mean = _hourly("mean")
    hourly_p10 = _hourly("10th percentile")
    hourly_p25 = _hourly("25th percentile")
    hourly_median = _hourly("median")
    hourly_p75 = _hourly("75th percentile")
    hourly_p90 = _hourly("90th percentile")
    annual_mean = _annual("mean")
    annual_p10 = _annual("10th percentile")
    annual_p25 = _annual("25th percentile")
    annual_median = _annual("median")
    annual_p75 = _annual("75th percentile")
    annual_p90 = _annual("90th percentile")
    special_values = models.JSONField(default=dict, blank=True)

    Meta = child_meta(
        *not_blank("release"),
        models.UniqueConstraint(
            fields=["occupation", "release"],
            name="%(app_label)s_%(class)s_one_per_release",
            violation_error_message="This release is already listed for the occupation.",
        ),
    )

    def __str__(self):
        return f"{self.soc_code} wages, {self.release}"


class EducationLevelShare(OccupationChild):
    """What share of workers say a level of education is required (O*NET category RL)."""

    occupation = _occupation_fk("education_levels")
    category = models.PositiveSmallIntegerField(help_text="O*NET's category number, 1 to 12.")
    level = models.CharField(max_length=200)
    share = models.DecimalField(
        "share of workers (%)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="0 to 100.",
    )

    Meta = child_meta(
        *not_blank("level"),
        share_between("share", 0, 100),
        models.UniqueConstraint(
            fields=["occupation", "category"],
            name="%(app_label)s_%(class)s_one_per_category",
            violation_error_message="This education level is already listed for the occupation.",
        ),
    )

    def __str__(self):
        return f"{self.level}: {self.share}%"


def _exposure_share(label):
    return models.DecimalField(
        label,
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )


class AIExposureScore(OccupationChild):
    """Share of the occupation's tasks exposed to LLMs (Eloundou et al., 2023), 0 to 1.

    alpha = E1; beta = E1 + 0.5 × E2; gamma = E1 + E2 (see `enums.ExposureLabel`).
    """

    occupation = _occupation_fk("ai_exposure_scores")
    gpt4_alpha = _exposure_share("GPT-4 alpha")
    gpt4_beta = _exposure_share("GPT-4 beta")
    gpt4_gamma = _exposure_share("GPT-4 gamma")
    human_alpha = _exposure_share("human alpha")
    human_beta = _exposure_share("human beta")
    human_gamma = _exposure_share("human gamma")

    Meta = child_meta(
        *(
            share_between(f"{rater}_{measure}", 0, 1)
            for rater in ("gpt4", "human")
            for measure in ("alpha", "beta", "gamma")
        ),
    )
    Meta.verbose_name = "AI-exposure score"

    def __str__(self):
        return f"AI exposure of {self.occupation_id}: GPT-4 beta {self.gpt4_beta}"


# --- Derived state --------------------------------------------------------------------------


class FormerSlug(models.Model):
    """A slug a profile was published under before a rename: its old page and API URLs
    answer 301 to the new ones. Written by `changes.remember_former_slug`; a slug that
    another profile later gives up moves to that profile."""

    slug = models.SlugField(max_length=200)
    occupation = models.ForeignKey(
        Occupation, on_delete=models.CASCADE, related_name="former_slugs"
    )

    class Meta:
        default_permissions = ()  # written by the rename itself, never by hand
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="%(app_label)s_%(class)s_unique_slug"),
        ]

    def __str__(self):
        return f"{self.slug} → {self.occupation_id}"


class ContentVersion(models.Model):
    """One row: a number that moves on every content write (see `changes.content_changed`).

    Caches key on it, so a write anywhere is visible on the next request on every app node.
    """

    value = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)
    # The next scheduled publish/unpublish moment: once it passes, the first reader moves
    # `value` (`changes.content_version`), so cached pages follow the schedule.
    next_moment = models.DateTimeField(null=True, blank=True)

    class Meta:
        default_permissions = ()  # not content: nobody edits it by hand

    def __str__(self):
        return f"content version {self.value}"


class FullTextMatch(models.TextField):
    """The FTS5 table's hidden column named after the table: `<column> MATCH <query>`."""


@FullTextMatch.register_lookup
class Matches(models.Lookup):
    lookup_name = "matches"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", [*lhs_params, *rhs_params]


class OccupationSearchEntry(models.Model):
    """A row of SQLite's FTS5 search index (created by migration 0005 on SQLite only).

    Unmanaged: `search.update_search_vectors` writes it; the search joins it as
    `occupation.search_entry` so one indexed lookup gives both the matches and their rank.
    """

    occupation = models.OneToOneField(
        Occupation,
        primary_key=True,
        db_column="rowid",
        on_delete=models.DO_NOTHING,
        # Hidden from Occupation's fields (no accessor; revision compare and the admin walk
        # those, and the table exists on SQLite only), yet usable in lookups.
        related_name="+",
        related_query_name="search_entry",
    )
    document = FullTextMatch(db_column="occupations_occupation_fts")
    # bm25 with the column weights configured in the migration (lower is better).
    rank = models.FloatField()

    class Meta:
        managed = False
        db_table = "occupations_occupation_fts"
        default_permissions = ()

    def __str__(self):
        return f"search entry of occupation {self.occupation_id}"
