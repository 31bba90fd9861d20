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
from .formatting import absolute_url
from .publishing import can_see_drafts, is_public
from .registry import COLLECTIONS

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


class SiteHyperlinkedIdentityField(serializers.HyperlinkedIdentityField):
    """DRF's link to a record, on settings.SITE_URL when set (the same from any Host)."""

    def get_url(self, obj, view_name, request, format):
        return absolute_url(request, super().get_url(obj, view_name, None, format))


def api_link(basename):
    return SiteHyperlinkedIdentityField(view_name=f"api:{basename}-detail", lookup_field="slug")


def public_page_url(serializer, record):
    return absolute_url(serializer.context.get("request"), record.get_absolute_url())


def name_of(path):
    """The read-only name of a linked record, for reading the document."""
    return serializers.CharField(source=path, read_only=True, allow_null=True)


# --- The profile document: child rows, one serializer per registered collection ----------

ORDER = {"order": {"required": False}}


def _ref_label(model):
    return "title" if model is models.Occupation else "name"


class RowSerializer(StrictModelSerializer):
    """A row of a collection; fields, slug references and nested rows come from the registry."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if isinstance(instance, models.RelatedOccupation):
            target = instance.related
            if target is not None and not is_public(target) and not can_see_drafts_in(self.context):
                # A draft is not public: name the role, do not link it.
                data["related"] = data["related_name"] = None
                data["related_title"] = data["related_title"] or target.title
        return data


def _nested_serializer(nested):
    meta = type("Meta", (), {"model": nested.model, "fields": list(nested.fields)})
    if "order" in nested.fields:
        meta.extra_kwargs = ORDER
    return type(f"{nested.model.__name__}Serializer", (StrictModelSerializer,), {"Meta": meta})


def row_serializer(collection):
    """The serializer of one registered collection's rows."""
    attrs, fields = {}, []
    for name in collection.fields:
        fields.append(name)
        ref_model = collection.refs.get(name)
        if ref_model is None:
            continue
        required = not collection.model._meta.get_field(name).null
        noun = ref_model._meta.verbose_name
        attrs[name] = SlugRef(
            required=required,
            allow_null=not required,
            help_text=f"Slug of an existing {noun}." if required else f"Slug of a {noun}, or null.",
        )
        if name != "source":
            attrs[f"{name}_name"] = name_of(f"{name}.{_ref_label(ref_model)}")
            fields.append(f"{name}_name")
    if collection.nested:
        attrs[collection.nested.key] = _nested_serializer(collection.nested)(
            many=True, required=False
        )
        fields.append(collection.nested.key)
    meta = type("Meta", (), {"model": collection.model, "fields": fields})
    if "order" in fields:
        meta.extra_kwargs = ORDER
    return type(f"{collection.model.__name__}Serializer", (RowSerializer,), {**attrs, "Meta": meta})


ROW_SERIALIZERS = {collection.key: row_serializer(collection) for collection in COLLECTIONS}


class IncomingLinkSerializer(serializers.ModelSerializer):
    """Another profile that links to this one (read only; edit it on that profile)."""

    occupation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    occupation_title = name_of("occupation.title")

    class Meta:
        model = models.RelatedOccupation
        fields = ["occupation", "occupation_title", "kind", "note"]


def can_see_drafts_in(context):
    request = context.get("request")
    return request is not None and can_see_drafts(request.user)


# --- The profile document -------------------------------------------------------------------

CollectionFields = type(
    "CollectionFields",
    (StrictModelSerializer,),
    {
        collection.key: ROW_SERIALIZERS[collection.key](
            many=True,
            required=False,
            **(
                {"source": collection.related_name}
                if collection.related_name != collection.key
                else {}
            ),
        )
        for collection in COLLECTIONS
    },
)


class OccupationDocumentSerializer(CollectionFields):
    """A whole profile with every collection nested: what GET returns and PUT/POST accept."""

    url = api_link("occupation")
    public_url = serializers.SerializerMethodField()
    sector = optional_ref(help_text="Slug of an existing sector.")
    sector_name = name_of("sector.name")
    code_source = optional_ref()
    ai_summary_source = optional_ref()
    linked_from = serializers.SerializerMethodField()

    class Meta:
        model = models.Occupation
        fields = [
            "id",
            "url",
            "public_url",
            "slug",
            "title",
            "code",
            "code_classification",
            "code_source",
            "onet_soc_code",
            "job_zone",
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
            *(collection.key for collection in COLLECTIONS),
            "linked_from",
        ]
        # The publishing rule sets published_at (`publishing.status_transition`).
        read_only_fields = ["created_at", "updated_at", "published_at"]
        # Uniqueness (and every other model rule) is checked by the service's full_clean().
        extra_kwargs = {"slug": {"validators": []}, "onet_soc_code": {"validators": []}}

    @extend_schema_field(OpenApiTypes.URI)
    def get_public_url(self, occupation):
        return public_page_url(self, occupation)

    @extend_schema_field(IncomingLinkSerializer(many=True))
    def get_linked_from(self, occupation):
        drafts = can_see_drafts_in(self.context)
        links = [
            link for link in occupation.incoming_links.all() if drafts or is_public(link.occupation)
        ]
        return IncomingLinkSerializer(links, many=True, context=self.context).data


# --- The compact list row -------------------------------------------------------------------


class SectorRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.Sector
        fields = ["slug", "name"]


class OccupationListSerializer(StrictModelSerializer):
    """One row of the list: enough for a card, with links to the document and the page."""

    url = api_link("occupation")
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
            "id",
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
        return public_page_url(self, occupation)


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
        path = reverse("api:occupation-detail", kwargs={"slug": link.occupation.slug})
        return absolute_url(self.context.get("request"), path)


class SectorOccupationSerializer(serializers.ModelSerializer):
    url = api_link("occupation")

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


VOCABULARY_FIELDS = ["id", "url", "slug", "name", "description"]


def linked(serializer_class, source="published_links"):
    return serializer_class(many=True, read_only=True, source=source)


class SectorSerializer(serializers.ModelSerializer):
    url = api_link("sector")
    occupations = linked(SectorOccupationSerializer, source="published_occupations")

    class Meta:
        model = models.Sector
        fields = [*VOCABULARY_FIELDS, "occupations"]


class SkillSerializer(serializers.ModelSerializer):
    url = api_link("skill")
    occupations = linked(SkillOccupationSerializer)

    class Meta:
        model = models.Skill
        fields = [
            *VOCABULARY_FIELDS,
            "kind",
            "hot_technology",
            "unspsc_code",
            "unspsc_title",
            "occupations",
        ]


class QualificationSerializer(serializers.ModelSerializer):
    url = api_link("qualification")
    occupations = linked(QualificationOccupationSerializer)

    class Meta:
        model = models.Qualification
        fields = [*VOCABULARY_FIELDS, "issuer", "kind", "occupations"]


class VisaSerializer(serializers.ModelSerializer):
    url = api_link("visa")
    occupations = linked(VisaOccupationSerializer)

    class Meta:
        model = models.Visa
        fields = [*VOCABULARY_FIELDS, "full_name", "country", "kind", "occupations"]


class GrowthAreaSerializer(serializers.ModelSerializer):
    url = api_link("growth-area")
    occupations = linked(GrowthAreaOccupationSerializer)

    class Meta:
        model = models.GrowthArea
        fields = [*VOCABULARY_FIELDS, "occupations"]


class GlossaryTermSerializer(serializers.ModelSerializer):
    url = api_link("glossary-term")
    occupations = linked(GlossaryTermOccupationSerializer)

    class Meta:
        model = models.GlossaryTerm
        fields = [*VOCABULARY_FIELDS, "abbreviation", "occupations"]


class RatingDimensionSerializer(serializers.ModelSerializer):
    url = api_link("rating-dimension")
    occupations = linked(RatingDimensionOccupationSerializer)

    class Meta:
        model = models.RatingDimension
        fields = [*VOCABULARY_FIELDS, "position", "higher_is_better", "occupations"]


class SourceSerializer(serializers.ModelSerializer):
    url = api_link("source")
    document_url = serializers.CharField(
        source="url", read_only=True, help_text="The document's address; empty when unknown."
    )
    occupations = linked(SourceOccupationSerializer)

    class Meta:
        model = models.Source
        fields = [*VOCABULARY_FIELDS, "document_url", "publisher", "published_on", "occupations"]
