"""The one list of a profile's collections and of the shared vocabulary kinds.

Everything that walks "every collection" or "every vocabulary kind" — the page and API
prefetches, revision follows, the document service, serializer fields, admin inlines,
sitemaps, vocabulary pages, the API router and the test factories — reads it from here.
Adding a collection is one model plus one `Collection` entry.
"""

from dataclasses import dataclass, field

from . import models
from .models import WAGE_MEASURES


@dataclass(frozen=True)
class Nested:
    """Rows a collection's row holds of its own (a key-fact table's facts)."""

    key: str  # in the API document and the Occupation-side accessor of the row
    model: type
    parent_field: str  # the FK from the nested row to the collection's row
    fields: tuple  # what the API document and the editors see, in order


@dataclass(frozen=True)
class Collection:
    """One collection of a profile: its document key, accessor, model and editable fields."""

    key: str  # in the API document
    related_name: str  # Occupation.<related_name>
    model: type
    fields: tuple  # editable fields, in the order the API document and the admin show them
    # Fields naming a shared record (or another profile) by slug, and that record's model.
    refs: dict = field(default_factory=dict)
    nested: Nested | None = None
    # The section of the admin's change page that edits the rows (a slug of
    # `occupations.admin_sections.SECTIONS`), and how it shows them.
    section: str = ""
    admin_stacked: bool = False
    # Rows are told apart by position (`order`), except rating scores (one per dimension).
    identity: tuple = ("order",)

    @property
    def select_related(self):
        return tuple(self.refs)


def _collection(key, model, fields, *, related_name=None, refs=None, cites_source=True, **extra):
    refs = dict(refs or {})
    if cites_source:
        refs["source"] = models.Source
    return Collection(
        key=key,
        related_name=related_name or key,
        model=model,
        fields=tuple(fields),
        refs=refs,
        **extra,
    )


# In the order of the public page (and of the admin's change page).
COLLECTIONS = (
    _collection(
        "alternate_titles",
        models.AlternateTitle,
        ["order", "title", "short_title", "source"],
        section="titles",
    ),
    _collection(
        "key_fact_tables",
        models.KeyFactTable,
        ["order", "title", "label_heading", "value_heading", "source"],
        nested=Nested("facts", models.KeyFact, "table", ("order", "label", "value")),
        section="overview",
    ),
    _collection("duties", models.Duty, ["order", "text", "source"], section="duties"),
    _collection(
        "tasks",
        models.Task,
        ["order", "onet_task_id", "text", "task_type", "exposure_human", "exposure_gpt4", "source"],
        section="duties",
    ),
    _collection(
        "narrative_sections",
        models.NarrativeSection,
        ["order", "heading", "body", "source"],
        section="duties",
        admin_stacked=True,
    ),
    _collection(
        "skills",
        models.OccupationSkill,
        ["order", "skill", "group", "label", "note", "source"],
        related_name="occupation_skills",
        refs={"skill": models.Skill},
        section="skills",
    ),
    _collection(
        "qualifications",
        models.OccupationQualification,
        ["order", "qualification", "requirement", "group", "label", "note", "source"],
        related_name="occupation_qualifications",
        refs={"qualification": models.Qualification},
        section="skills",
    ),
    _collection(
        "education_steps",
        models.EducationStep,
        ["order", "stage", "duration", "cost_min", "cost_max", "currency", "source"],
        section="education",
    ),
    _collection(
        "salary_bands",
        models.SalaryBand,
        [
            "order",
            "level",
            "years_min",
            "years_max",
            "annual_min",
            "annual_max",
            "currency",
            "note",
            "source",
        ],
        section="pay",
    ),
    _collection(
        "wage_statistics",
        models.WageStatistic,
        [
            "order",
            "soc_code",
            "release",
            "employment",
            *(
                f"{period}_{measure}"
                for period in ("hourly", "annual")
                for measure in WAGE_MEASURES
            ),
            "special_values",
            "source",
        ],
        section="pay",
        admin_stacked=True,
    ),
    _collection(
        "education_levels",
        models.EducationLevelShare,
        ["order", "category", "level", "share", "source"],
        section="education",
    ),
    _collection(
        "rating_scores",
        models.RatingScore,
        ["dimension", "score", "source"],
        refs={"dimension": models.RatingDimension},
        section="pay",
        identity=("dimension",),
    ),
    _collection(
        "ai_impacts",
        models.AIImpactItem,
        ["order", "kind", "title", "detail", "extent", "year", "source"],
        section="ai",
        admin_stacked=True,
    ),
    _collection(
        "ai_exposure_scores",
        models.AIExposureScore,
        [
            "order",
            "gpt4_alpha",
            "gpt4_beta",
            "gpt4_gamma",
            "human_alpha",
            "human_beta",
            "human_gamma",
            "source",
        ],
        section="ai",
    ),
    _collection(
        "fit_traits",
        models.FitTrait,
        ["order", "kind", "text", "source"],
        section="skills",
    ),
    _collection(
        "visas",
        models.OccupationVisa,
        ["order", "visa", "details", "source"],
        related_name="occupation_visas",
        refs={"visa": models.Visa},
        section="visas",
    ),
    _collection(
        "career_steps",
        models.CareerStep,
        ["order", "title", "description", "source"],
        section="education",
        admin_stacked=True,
    ),
    _collection(
        "item_lists",
        models.ItemList,
        ["order", "kind", "title", "intro", "outro", "numbered", "source"],
        nested=Nested("items", models.ListItem, "item_list", ("order", "title", "description")),
        section="pay",
    ),
    _collection(
        "growth_areas",
        models.OccupationGrowthArea,
        ["order", "growth_area", "note", "source"],
        related_name="occupation_growth_areas",
        refs={"growth_area": models.GrowthArea},
        section="pay",
    ),
    _collection(
        "glossary_terms",
        models.OccupationGlossaryTerm,
        ["order", "term", "source"],
        related_name="occupation_glossary_terms",
        refs={"term": models.GlossaryTerm},
        section="faqs",
    ),
    _collection(
        "faqs",
        models.FAQ,
        ["order", "question", "answer", "source"],
        section="faqs",
        admin_stacked=True,
    ),
    _collection(
        "related_occupations",
        models.RelatedOccupation,
        [
            "order",
            "kind",
            "related",
            "related_title",
            "note",
            "relatedness_tier",
            "relatedness_rank",
            "source",
        ],
        related_name="related_links",
        refs={"related": models.Occupation},
        section="related",
    ),
    _collection(
        "sources",
        models.OccupationSource,
        ["order", "document", "note", "source"],
        related_name="occupation_sources",
        refs={"document": models.Source},
        section="related",
    ),
)
COLLECTIONS_BY_KEY = {collection.key: collection for collection in COLLECTIONS}
COLLECTIONS_BY_MODEL = {collection.model: collection for collection in COLLECTIONS}
NESTED_BY_MODEL = {c.nested.model: c.nested for c in COLLECTIONS if c.nested}
NESTED_MODELS = tuple(NESTED_BY_MODEL)
ROW_MODELS = tuple(c.model for c in COLLECTIONS) + NESTED_MODELS

# The profile's own fields that name a shared record by slug.
OCCUPATION_REFS = {
    "sector": models.Sector,
    "code_source": models.Source,
    "ai_summary_source": models.Source,
}


@dataclass(frozen=True)
class VocabularyKind:
    """One kind of shared term: its model, how profiles link to it, its pages and endpoint."""

    kind: str  # URL names: occupations:<kind>_list / <kind>_detail
    model: type
    link_model: type | None  # None: sectors link straight from Occupation.sector
    link_field: str  # the link model's FK to the term
    singular: str
    plural: str
    intro: str
    api_prefix: str
    api_filter_fields: tuple = ()
    page_prefix: str = ""  # the public pages' URL prefix; empty: no public pages

    @property
    def occupation_path(self):
        """From the term to its occupations, for lookups across the relation."""
        return "occupations" if self.link_model is None else "occupation_links__occupation"

    @property
    def api_basename(self):
        return self.api_prefix.removesuffix("s")

    @property
    def list_url_name(self):
        return f"occupations:{self.kind}_list"


VOCABULARY_KINDS = (
    VocabularyKind(
        "skill",
        models.Skill,
        models.OccupationSkill,
        "skill",
        "Skill",
        "Skills",
        "Skills named on the profiles, and the occupations that use each one.",
        api_prefix="skills",
        page_prefix="skills",
        api_filter_fields=("kind",),
    ),
    VocabularyKind(
        "qualification",
        models.Qualification,
        models.OccupationQualification,
        "qualification",
        "Qualification",
        "Qualifications",
        "Degrees, certifications, licences and training, and where each is asked for.",
        api_prefix="qualifications",
        page_prefix="qualifications",
        api_filter_fields=("kind",),
    ),
    VocabularyKind(
        "visa",
        models.Visa,
        models.OccupationVisa,
        "visa",
        "Visa",
        "Visas",
        "Visas and migration routes open to the occupations on this site.",
        api_prefix="visas",
        page_prefix="visas",
        api_filter_fields=("kind",),
    ),
    VocabularyKind(
        "sector",
        models.Sector,
        None,
        "sector",
        "Sector",
        "Sectors",
        "The sectors the occupations belong to.",
        api_prefix="sectors",
        page_prefix="sectors",
    ),
    VocabularyKind(
        "growth_area",
        models.GrowthArea,
        models.OccupationGrowthArea,
        "growth_area",
        "Growth area",
        "Growth areas",
        "Areas where the work is growing, and the occupations they touch.",
        api_prefix="growth-areas",
        page_prefix="growth-areas",
    ),
    VocabularyKind(
        "glossary_term",
        models.GlossaryTerm,
        models.OccupationGlossaryTerm,
        "term",
        "Glossary term",
        "Glossary",
        "Terms used on the profiles, defined in plain words.",
        api_prefix="glossary-terms",
        page_prefix="glossary",
    ),
    VocabularyKind(
        "rating_dimension",
        models.RatingDimension,
        models.RatingScore,
        "dimension",
        "Rating dimension",
        "Rating dimensions",
        "What the profiles are rated on.",
        api_prefix="rating-dimensions",
    ),
    VocabularyKind(
        "source",
        models.Source,
        models.OccupationSource,
        "document",
        "Source",
        "Sources",
        "The documents the profiles draw on.",
        api_prefix="sources",
    ),
)
VOCABULARY_BY_KIND = {kind.kind: kind for kind in VOCABULARY_KINDS}
VOCABULARY_BY_MODEL = {kind.model: kind for kind in VOCABULARY_KINDS}
VOCABULARY_PAGES = tuple(kind for kind in VOCABULARY_KINDS if kind.page_prefix)
