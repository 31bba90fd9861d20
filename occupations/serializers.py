"""API serializers: compact list rows, the whole profile document (read and write), vocabulary.

The document serializer is used in both directions, so a client can PUT back exactly what it
GOT. Shared vocabulary is referred to by slug; the slugs are resolved (and unknown ones
rejected) by `services.occupation_save_document`, which also runs the model validation.

JSON types are strict: a string is not accepted for a number, a number not for a string, and
anything but true/false not for a boolean, so the OpenAPI schema tells the whole truth.
"""

from django.db import models as db_models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from . import models

# PostgreSQL's ranges, enforced on every database so SQLite accepts exactly what PostgreSQL does.
INTEGER_MAXIMUM = {
    db_models.PositiveSmallIntegerField: 32767,
    db_models.PositiveIntegerField: 2147483647,
}


# --- Strict JSON fields ---------------------------------------------------------------------


class StrictCharField(serializers.CharField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictSlugField(serializers.SlugField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictURLField(serializers.URLField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        if isinstance(data, float) and not data.is_integer():
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class StrictDecimalField(serializers.DecimalField):
    """A JSON number in and out (not DRF's default string)."""

    def __init__(self, **kwargs):
        kwargs["coerce_to_string"] = False
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        return super().to_internal_value(str(data))


class StrictModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        db_models.CharField: StrictCharField,
        db_models.TextField: StrictCharField,
        db_models.SlugField: StrictSlugField,
        db_models.URLField: StrictURLField,
        db_models.PositiveSmallIntegerField: StrictIntegerField,
        db_models.PositiveIntegerField: StrictIntegerField,
        db_models.BooleanField: StrictBooleanField,
        db_models.DecimalField: StrictDecimalField,
    }

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        maximum = INTEGER_MAXIMUM.get(type(model_field))
        if maximum is not None:
            kwargs["max_value"] = min(kwargs.get("max_value", maximum), maximum)
            kwargs["min_value"] = max(kwargs.get("min_value", 0), 0)
        return field_class, kwargs


class SlugRef(StrictSlugField):
    """A shared record (or another profile) named by its slug: the record's slug out, a slug in."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return value.slug


def optional_ref(**kwargs):
    return SlugRef(required=False, allow_null=True, **kwargs)


def name_of(path):
    """The read-only name of a linked record, for reading the document."""
    return serializers.CharField(source=path, read_only=True, allow_null=True)


# --- The profile document: child rows -----------------------------------------------------

ORDER = {"order": {"required": False}}


class ChildSerializer(StrictModelSerializer):
    source = optional_ref(help_text="Slug of the source this row cites.")


class AlternateTitleSerializer(ChildSerializer):
    class Meta:
        model = models.AlternateTitle
        fields = ["order", "title", "source"]
        extra_kwargs = ORDER


class DutySerializer(ChildSerializer):
    class Meta:
        model = models.Duty
        fields = ["order", "text", "source"]
        extra_kwargs = ORDER


class SalaryBandSerializer(ChildSerializer):
    class Meta:
        model = models.SalaryBand
        fields = [
            "order",
            "level",
            "years_min",
            "years_max",
            "annual_min",
            "annual_max",
            "currency",
            "note",
            "source",
        ]
        extra_kwargs = ORDER


class EducationStepSerializer(ChildSerializer):
    class Meta:
        model = models.EducationStep
        fields = ["order", "stage", "duration", "cost_min", "cost_max", "currency", "source"]
        extra_kwargs = ORDER


class AIImpactItemSerializer(ChildSerializer):
    class Meta:
        model = models.AIImpactItem
        fields = ["order", "kind", "title", "detail", "extent", "year", "source"]
        extra_kwargs = ORDER


class FitTraitSerializer(ChildSerializer):
    class Meta:
        model = models.FitTrait
        fields = ["order", "kind", "text", "source"]
        extra_kwargs = ORDER


class CareerStepSerializer(ChildSerializer):
    class Meta:
        model = models.CareerStep
        fields = ["order", "title", "description", "source"]
        extra_kwargs = ORDER


class FAQSerializer(ChildSerializer):
    class Meta:
        model = models.FAQ
        fields = ["order", "question", "answer", "source"]
        extra_kwargs = ORDER


class NarrativeSectionSerializer(ChildSerializer):
    class Meta:
        model = models.NarrativeSection
        fields = ["order", "heading", "body", "source"]
        extra_kwargs = ORDER


class KeyFactSerializer(StrictModelSerializer):
    class Meta:
        model = models.KeyFact
        fields = ["order", "label", "value"]
        extra_kwargs = ORDER


class KeyFactTableSerializer(ChildSerializer):
    facts = KeyFactSerializer(many=True, required=False)

    class Meta:
        model = models.KeyFactTable
        fields = ["order", "title", "label_heading", "value_heading", "source", "facts"]
        extra_kwargs = ORDER


class ListItemSerializer(StrictModelSerializer):
    class Meta:
        model = models.ListItem
        fields = ["order", "title", "description"]
        extra_kwargs = ORDER


class ItemListSerializer(ChildSerializer):
    items = ListItemSerializer(many=True, required=False)

    class Meta:
        model = models.ItemList
        fields = ["order", "kind", "title", "intro", "outro", "numbered", "source", "items"]
        extra_kwargs = ORDER


class RatingScoreSerializer(StrictModelSerializer):
    dimension = SlugRef(help_text="Slug of the rating dimension.")
    dimension_name = name_of("dimension.name")
    source = optional_ref()

    class Meta:
        model = models.RatingScore
        fields = ["dimension", "dimension_name", "score", "source"]


class OccupationSkillSerializer(ChildSerializer):
    skill = SlugRef(help_text="Slug of an existing skill.")
    skill_name = name_of("skill.name")

    class Meta:
        model = models.OccupationSkill
        fields = ["order", "skill", "skill_name", "group", "label", "note", "source"]
        extra_kwargs = ORDER


class OccupationQualificationSerializer(ChildSerializer):
    qualification = SlugRef(help_text="Slug of an existing qualification.")
    qualification_name = name_of("qualification.name")

    class Meta:
        model = models.OccupationQualification
        fields = [
            "order",
            "qualification",
            "qualification_name",
            "requirement",
            "group",
            "label",
            "note",
            "source",
        ]
        extra_kwargs = ORDER


class OccupationVisaSerializer(ChildSerializer):
    visa = SlugRef(help_text="Slug of an existing visa.")
    visa_name = name_of("visa.name")

    class Meta:
        model = models.OccupationVisa
        fields = ["order", "visa", "visa_name", "details", "source"]
        extra_kwargs = ORDER


class OccupationGrowthAreaSerializer(ChildSerializer):
    growth_area = SlugRef(help_text="Slug of an existing growth area.")
    growth_area_name = name_of("growth_area.name")

    class Meta:
        model = models.OccupationGrowthArea
        fields = ["order", "growth_area", "growth_area_name", "note", "source"]
        extra_kwargs = ORDER


class OccupationGlossaryTermSerializer(ChildSerializer):
    term = SlugRef(help_text="Slug of an existing glossary term.")
    term_name = name_of("term.name")

    class Meta:
        model = models.OccupationGlossaryTerm
        fields = ["order", "term", "term_name", "source"]
        extra_kwargs = ORDER


class OccupationSourceSerializer(ChildSerializer):
    document = SlugRef(help_text="Slug of an existing source the profile draws on.")
    document_name = name_of("document.name")

    class Meta:
        model = models.OccupationSource
        fields = ["order", "document", "document_name", "note", "source"]
        extra_kwargs = ORDER


class RelatedOccupationSerializer(ChildSerializer):
    related = optional_ref(help_text="Slug of another profile; null for a role without one.")
    related_name = name_of("related.title")

    class Meta:
        model = models.RelatedOccupation
        fields = ["order", "related", "related_name", "related_title", "kind", "note", "source"]
        extra_kwargs = ORDER

    def to_representation(self, instance):
        data = super().to_representation(instance)
        target = instance.related
        if target is not None and not target.is_published and not can_see_drafts(self.context):
            # A draft is not public: name the role, do not link it.
            data["related"] = data["related_name"] = None
            data["related_title"] = data["related_title"] or target.title
        return data


class IncomingLinkSerializer(serializers.ModelSerializer):
    """Another profile that links to this one (read only; edit it on that profile)."""

    occupation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    occupation_title = name_of("occupation.title")

    class Meta:
        model = models.RelatedOccupation
        fields = ["occupation", "occupation_title", "kind", "note"]


def can_see_drafts(context):
    request = context.get("request")
    return request is not None and user_can_see_drafts(request.user)


def user_can_see_drafts(user):
    """Editors (change permission on Occupation) may read drafts; everyone else only sees
    published profiles."""
    return bool(user and user.is_authenticated and user.has_perm("occupations.change_occupation"))


# --- The profile document -------------------------------------------------------------------


def collection(serializer_class, **kwargs):
    return serializer_class(many=True, required=False, **kwargs)


class OccupationDocumentSerializer(StrictModelSerializer):
    """A whole profile with every collection nested: what GET returns and PUT/POST accept."""

    url = serializers.HyperlinkedIdentityField(
        view_name="api:occupation-detail", lookup_field="slug"
    )
    public_url = serializers.SerializerMethodField()
    sector = optional_ref(help_text="Slug of an existing sector.")
    sector_name = name_of("sector.name")
    code_source = optional_ref()
    ai_summary_source = optional_ref()

    alternate_titles = collection(AlternateTitleSerializer)
    duties = collection(DutySerializer)
    salary_bands = collection(SalaryBandSerializer)
    education_steps = collection(EducationStepSerializer)
    ai_impacts = collection(AIImpactItemSerializer)
    fit_traits = collection(FitTraitSerializer)
    career_steps = collection(CareerStepSerializer)
    faqs = collection(FAQSerializer)
    narrative_sections = collection(NarrativeSectionSerializer)
    key_fact_tables = collection(KeyFactTableSerializer)
    item_lists = collection(ItemListSerializer)
    rating_scores = collection(RatingScoreSerializer)
    skills = collection(OccupationSkillSerializer, source="occupation_skills")
    qualifications = collection(
        OccupationQualificationSerializer, source="occupation_qualifications"
    )
    visas = collection(OccupationVisaSerializer, source="occupation_visas")
    growth_areas = collection(OccupationGrowthAreaSerializer, source="occupation_growth_areas")
    glossary_terms = collection(
        OccupationGlossaryTermSerializer, source="occupation_glossary_terms"
    )
    sources = collection(OccupationSourceSerializer, source="occupation_sources")
    related_occupations = collection(RelatedOccupationSerializer, source="related_links")
    linked_from = serializers.SerializerMethodField()

    class Meta:
        model = models.Occupation
        fields = [
            "url",
            "public_url",
            "slug",
            "title",
            "code",
            "code_classification",
            "code_source",
            "sector",
            "sector_name",
            "summary",
            "status",
            "published_at",
            "last_reviewed",
            "created_at",
            "updated_at",
            "skilled_migration",
            "migration_code",
            "migration_code_classification",
            "overall_rating",
            "ai_outlook",
            "ai_verdict",
            "ai_horizon",
            "ai_summary",
            "ai_summary_source",
            "entry_level_outlook",
            "level_up_target_role",
            "level_up_advice",
            "career_progression",
            "market_outlook",
            "sample_cover_letter",
            "data_sources_note",
            "disclaimer",
            "alternate_titles",
            "duties",
            "salary_bands",
            "education_steps",
            "ai_impacts",
            "fit_traits",
            "career_steps",
            "faqs",
            "narrative_sections",
            "key_fact_tables",
            "item_lists",
            "rating_scores",
            "skills",
            "qualifications",
            "visas",
            "growth_areas",
            "glossary_terms",
            "sources",
            "related_occupations",
            "linked_from",
        ]
        read_only_fields = ["created_at", "updated_at"]
        # Uniqueness (and every other model rule) is checked by the service's full_clean().
        extra_kwargs = {"slug": {"validators": []}}

    @extend_schema_field(OpenApiTypes.URI)
    def get_public_url(self, occupation):
        request = self.context.get("request")
        path = occupation.get_absolute_url()
        return request.build_absolute_uri(path) if request else path

    @extend_schema_field(IncomingLinkSerializer(many=True))
    def get_linked_from(self, occupation):
        drafts = can_see_drafts(self.context)
        links = [
            link
            for link in occupation.incoming_links.all()
            if drafts or link.occupation.is_published
        ]
        return IncomingLinkSerializer(links, many=True, context=self.context).data


# --- The compact list row -------------------------------------------------------------------


class SectorRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.Sector
        fields = ["slug", "name"]


class OccupationListSerializer(StrictModelSerializer):
    """One row of the list: enough for a card, with links to the document and the page."""

    url = serializers.HyperlinkedIdentityField(
        view_name="api:occupation-detail", lookup_field="slug"
    )
    public_url = serializers.SerializerMethodField()
    sector = SectorRefSerializer(read_only=True, allow_null=True)
    salary_min = serializers.IntegerField(read_only=True, allow_null=True)
    salary_max = serializers.IntegerField(read_only=True, allow_null=True)
    currency = serializers.CharField(
        source="salary_currency",
        read_only=True,
        allow_null=True,
        help_text="Currency of the salary range; null when there are no bands or they mix "
        "currencies.",
    )

    class Meta:
        model = models.Occupation
        fields = [
            "url",
            "public_url",
            "slug",
            "title",
            "code",
            "code_classification",
            "sector",
            "summary",
            "status",
            "overall_rating",
            "ai_outlook",
            "ai_verdict",
            "salary_min",
            "salary_max",
            "currency",
            "updated_at",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_public_url(self, occupation):
        return self.context["request"].build_absolute_uri(occupation.get_absolute_url())


# --- Shared vocabulary ----------------------------------------------------------------------
# Each record lists the published profiles linked to it (prefetched into `published_links`,
# or `published_occupations` for sectors) with the link's per-occupation detail.


class LinkedOccupationSerializer(serializers.ModelSerializer):
    """A published profile linked to a vocabulary record, with the link's own detail."""

    slug = serializers.CharField(source="occupation.slug", read_only=True)
    title = serializers.CharField(source="occupation.title", read_only=True)
    url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, link):
        return reverse(
            "api:occupation-detail",
            kwargs={"slug": link.occupation.slug},
            request=self.context.get("request"),
        )


class SectorOccupationSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:occupation-detail", lookup_field="slug"
    )

    class Meta:
        model = models.Occupation
        fields = ["slug", "title", "url"]


class SkillOccupationSerializer(LinkedOccupationSerializer):
    class Meta:
        model = models.OccupationSkill
        fields = ["slug", "title", "url", "group", "label", "note"]


class QualificationOccupationSerializer(LinkedOccupationSerializer):
    class Meta:
        model = models.OccupationQualification
        fields = ["slug", "title", "url", "requirement", "group", "label", "note"]


class VisaOccupationSerializer(LinkedOccupationSerializer):
    class Meta:
        model = models.OccupationVisa
        fields = ["slug", "title", "url", "details"]


class GrowthAreaOccupationSerializer(LinkedOccupationSerializer):
    class Meta:
        model = models.OccupationGrowthArea
        fields = ["slug", "title", "url", "note"]


class GlossaryTermOccupationSerializer(LinkedOccupationSerializer):
    class Meta:
        model = models.OccupationGlossaryTerm
        fields = ["slug", "title", "url"]


class RatingDimensionOccupationSerializer(LinkedOccupationSerializer):
    score = StrictDecimalField(max_digits=3, decimal_places=1, read_only=True, allow_null=True)

    class Meta:
        model = models.RatingScore
        fields = ["slug", "title", "url", "score"]


class SourceOccupationSerializer(LinkedOccupationSerializer):
    class Meta:
        model = models.OccupationSource
        fields = ["slug", "title", "url", "note"]


VOCABULARY_FIELDS = ["url", "slug", "name", "description"]


def vocabulary_url(basename):
    return serializers.HyperlinkedIdentityField(
        view_name=f"api:{basename}-detail", lookup_field="slug"
    )


def linked(serializer_class, source="published_links"):
    return serializer_class(many=True, read_only=True, source=source)


class SectorSerializer(serializers.ModelSerializer):
    url = vocabulary_url("sector")
    occupations = linked(SectorOccupationSerializer, source="published_occupations")

    class Meta:
        model = models.Sector
        fields = [*VOCABULARY_FIELDS, "occupations"]


class SkillSerializer(serializers.ModelSerializer):
    url = vocabulary_url("skill")
    occupations = linked(SkillOccupationSerializer)

    class Meta:
        model = models.Skill
        fields = [*VOCABULARY_FIELDS, "kind", "occupations"]


class QualificationSerializer(serializers.ModelSerializer):
    url = vocabulary_url("qualification")
    occupations = linked(QualificationOccupationSerializer)

    class Meta:
        model = models.Qualification
        fields = [*VOCABULARY_FIELDS, "issuer", "kind", "occupations"]


class VisaSerializer(serializers.ModelSerializer):
    url = vocabulary_url("visa")
    occupations = linked(VisaOccupationSerializer)

    class Meta:
        model = models.Visa
        fields = [*VOCABULARY_FIELDS, "full_name", "country", "kind", "occupations"]


class GrowthAreaSerializer(serializers.ModelSerializer):
    url = vocabulary_url("growth-area")
    occupations = linked(GrowthAreaOccupationSerializer)

    class Meta:
        model = models.GrowthArea
        fields = [*VOCABULARY_FIELDS, "occupations"]


class GlossaryTermSerializer(serializers.ModelSerializer):
    url = vocabulary_url("glossary-term")
    occupations = linked(GlossaryTermOccupationSerializer)

    class Meta:
        model = models.GlossaryTerm
        fields = [*VOCABULARY_FIELDS, "abbreviation", "occupations"]


class RatingDimensionSerializer(serializers.ModelSerializer):
    url = vocabulary_url("rating-dimension")
    occupations = linked(RatingDimensionOccupationSerializer)

    class Meta:
        model = models.RatingDimension
        fields = [*VOCABULARY_FIELDS, "position", "higher_is_better", "occupations"]


class SourceSerializer(serializers.ModelSerializer):
    url = vocabulary_url("source")
    document_url = serializers.CharField(
        source="url", read_only=True, help_text="The document's address; empty when unknown."
    )
    occupations = linked(SourceOccupationSerializer)

    class Meta:
        model = models.Source
        fields = [*VOCABULARY_FIELDS, "document_url", "publisher", "published_on", "occupations"]
