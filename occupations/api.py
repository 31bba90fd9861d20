"""The REST API under /api/v1/: read everything, write whole profiles with a token.

Reads: occupations (compact list, full document by slug) and the shared vocabulary.
Writes: POST/PUT/PATCH/DELETE of a whole occupation document for users with Django model
permissions, through `services.occupation_save_document` (all or nothing, one revision).
Concurrency: detail responses carry a strong ETag; If-None-Match gives 304 on GET and a
stale If-Match gives 412 on writes. See docs/api.md.
"""

import copy
import re
import time
from http import HTTPStatus

from csp.decorators import csp_update
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Prefetch
from django.http import Http404
from django.urls import include, path, reverse
from django.utils.decorators import method_decorator
from django_filters import rest_framework as django_filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.drainage import set_override
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework import permissions, routers, serializers, viewsets
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.filters import BaseFilterBackend, OrderingFilter
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

from . import documents, enums, models, services
from . import serializers as api_serializers
from .etags import if_match_fails, if_none_match_hits, occupation_etag
from .filters import OccupationFilter
from .formatting import absolute_url, on_public_origin
from .parsers import JSONParser
from .publishing import can_see_drafts, published_q
from .registry import VOCABULARY_KINDS

app_name = "api"

# Any path segment reaches the view, so a malformed slug gets the API's JSON 404 rather
# than the site's HTML one.
SLUG_PATTERN = "[^/]+"
SEARCH_MAX_LENGTH = 200


# --- Errors and the schema ------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """DRF's error body: one human-readable message."""

    detail = serializers.CharField()


class ValidationErrorSerializer(serializers.Serializer):
    """400: messages keyed by the path of the field in the document, e.g.
    `salary_bands[1].annual_max`; `non_field_errors` for a rule across fields; `detail` when
    the body is not JSON."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)
    detail = serializers.CharField(required=False)


class WriteConflict(APIException):
    status_code = HTTPStatus.CONFLICT
    default_detail = "A concurrent change conflicts with this one; nothing was saved. Retry."
    default_code = "conflict"


class Busy(APIException):
    status_code = HTTPStatus.SERVICE_UNAVAILABLE
    default_detail = "The profile is busy with other writes; nothing was saved. Retry shortly."
    default_code = "busy"
    wait = 1  # DRF's exception handler sends it as Retry-After


def with_write_retries(write, attempts=3):
    """Run a write transaction, again when the database broke a lock cycle or a
    serialization conflict (nothing of the failed attempt was kept); then 503."""
    for attempt in range(attempts):
        try:
            return write()
        except OperationalError as error:
            if not is_transient(error) or attempt == attempts - 1:
                if is_transient(error):
                    raise Busy from error
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def is_transient(error):
    """Deadlock, serialization failure (PostgreSQL) or a lock wait that timed out (SQLite)."""
    state = getattr(error.__cause__, "sqlstate", None)
    return state in {"40P01", "40001"} or "database is locked" in str(error)


class PreconditionFailed(APIException):
    status_code = HTTPStatus.PRECONDITION_FAILED
    default_detail = "The document changed since you read it (stale If-Match). Fetch it again."
    default_code = "precondition_failed"


def error(description, serializer=ErrorSerializer):
    return OpenApiResponse(response=serializer, description=description)


ERRORS = {
    400: error("Invalid input: messages keyed by field path.", ValidationErrorSerializer),
    401: error("No credentials (writes) or invalid token; see WWW-Authenticate."),
    403: error("Authenticated, but without the model permission."),
    404: error("No such record (or page), or a draft you may not see."),
    412: error("If-Match names an old ETag: the document changed since you read it."),
    415: error("The body is not application/json."),
    429: error("Too many requests; retry after the number of seconds in Retry-After."),
}
NOT_MODIFIED = OpenApiResponse(description="Not modified: If-None-Match names the current ETag.")
MOVED = {
    301: error("The profile's slug changed: read it at the URL in Location."),
    308: error("The profile's slug changed: repeat the request at the URL in Location."),
}
NO_CONTENT = OpenApiResponse(description="Deleted.")


def responses(success, *codes, **extra):
    return {**success, **{code: ERRORS[code] for code in codes}, **extra}


ETAG_HEADER = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201, 304],
    description="Strong validator of the document; send it back in If-Match.",
)
LOCATION_HEADER = OpenApiParameter(
    "Location",
    OpenApiTypes.URI,
    OpenApiParameter.HEADER,
    response=[201, 301, 308],
    description="The document's URL (201), or its current URL after a slug change (301/308).",
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The ETag you read. Optional; when sent and stale, the write is refused "
    "with 412 and nothing changes.",
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The ETag you hold; 304 when it is still current.",
)


class ApiSchema(AutoSchema):
    def get_auth(self):
        # drf-spectacular only knows AllowAny and IsAuthenticatedOrReadOnly as "anonymous
        # allowed"; DjangoModelPermissionsOrAnonReadOnly lets anyone read too.
        auths = super().get_auth()
        if self.method in permissions.SAFE_METHODS and {} not in auths:
            auths.append({})
        return auths


# --- Filtering, search, pagination ----------------------------------------------------------


class SiteSearchFilter(BaseFilterBackend):
    """`?search=`: the site's own search (`OccupationQuerySet.search`), ranked by relevance.

    Runs before the FilterSet, whose `sort` (declared last) may then replace the ranking."""

    param = "search"

    def filter_queryset(self, request, queryset, view):
        q = request.query_params.get(self.param, "")
        if "\x00" in q:
            raise ValidationError({self.param: ["Null characters are not allowed."]})
        if len(q) > SEARCH_MAX_LENGTH:
            raise ValidationError(
                {self.param: [f"Ensure this value has at most {SEARCH_MAX_LENGTH} characters."]}
            )
        return queryset.search(q) if q.strip() else queryset

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.param,
                "required": False,
                "in": "query",
                "description": "Words to search for, as on the site (title, alternate titles, "
                "summary, then the rest of the profile).",
                "schema": {"type": "string", "maxLength": SEARCH_MAX_LENGTH},
            }
        ]


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter, except that an empty value is a 400 rather than "any".

    The HTML form sends empty fields for "any"; an API client leaves the parameter out, and
    an empty value is not what the schema says the parameter takes (a choice, a number, a
    slug). Free-text filters (`q`) may still be empty."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            blank = {
                name: ["Leave the parameter out instead of sending it empty."]
                for name, filter_ in filterset_class.base_filters.items()
                if not isinstance(filter_, django_filters.CharFilter)
                and any(not value.strip() for value in request.query_params.getlist(name))
            }
            if blank:
                raise ValidationError(blank)
        return super().filter_queryset(request, queryset, view)


class StrictOrderingFilter(OrderingFilter):
    """`?ordering=`: the view's `ordering_fields`, each optionally prefixed with `-`,
    comma-separated or repeated (generated clients send either). Anything else is a 400
    naming the allowed values (DRF would silently ignore it)."""

    def get_ordering(self, request, queryset, view):
        values = request.query_params.getlist(self.ordering_param)
        if values:
            allowed = self.allowed_values(view)
            terms = [term.strip() for value in values for term in value.split(",")]
            unknown = [term for term in terms if term not in allowed]
            if unknown:
                raise ValidationError(
                    {
                        self.ordering_param: [
                            f"Unknown ordering {', '.join(map(repr, unknown))}; "
                            f"allowed: {', '.join(allowed)} (comma-separated)."
                        ]
                    }
                )
            return terms
        return self.get_default_ordering(view)

    def allowed_values(self, view):
        fields = view.ordering_fields
        return [value for field in fields for value in (field, f"-{field}")]

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": "Sort by these fields, comma-separated; `-` for descending.",
                "style": "form",
                "explode": False,
                "schema": {
                    "type": "array",
                    "minItems": 1,
                    "items": {"type": "string", "enum": self.allowed_values(view)},
                },
            }
        ]


class StrictPageNumberPagination(PageNumberPagination):
    """Page numbers are positive integers: `?page=` or `?page=last` is a 404 like page 0.
    The next and previous links are on settings.SITE_URL when set, like every API URL."""

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and not re.fullmatch(r"[0-9]{1,9}", raw):
            raise NotFound("Invalid page.")
        return super().get_page_number(request, paginator)

    def get_paginated_response_schema(self, schema):
        link = {"type": ["string", "null"], "format": "uri"}
        return {
            "type": "object",
            "required": ["count", "next", "previous", "results"],
            "properties": {
                "count": {"type": "integer", "example": 123},
                "next": {**link, "description": "The next page, or null on the last."},
                "previous": {**link, "description": "The previous page, or null on the first."},
                "results": schema,
            },
        }

    def get_next_link(self):
        return on_public_origin(self.request, super().get_next_link())

    def get_previous_link(self):
        return on_public_origin(self.request, super().get_previous_link())


class OccupationApiFilter(OccupationFilter):
    """The site's FilterSet plus `status`, which only changes anything for editors (everyone
    else only ever sees published profiles)."""

    status = django_filters.ChoiceFilter(choices=enums.PublicationStatus.choices)

    class Meta(OccupationFilter.Meta):
        fields = [*OccupationFilter.Meta.fields, "status"]


# Tell the schema what these filters take (drf-spectacular cannot guess through a `method`):
# slugs, and an education stage name; own copies, so the site's FilterSet is untouched.
for _name in ["qualification", "visa", "skill", "growth_area", "education"]:
    OccupationApiFilter.base_filters[_name] = copy.deepcopy(OccupationApiFilter.base_filters[_name])
    set_override(OccupationApiFilter.base_filters[_name], "field", OpenApiTypes.STR)


# --- Occupations ---------------------------------------------------------------------------


def flatten_errors(errors, prefix=""):
    """DRF's nested error structure as {"salary_bands[1].annual_max": [messages]}."""
    flat = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            if isinstance(key, int):  # a list's errors, keyed by the row's index
                path = f"{prefix}[{key}]"
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            flat.update(flatten_errors(value, path))
    elif isinstance(errors, list) and all(isinstance(item, str) for item in errors):
        flat[prefix or "non_field_errors"] = [str(item) for item in errors]
    elif isinstance(errors, list):
        for index, item in enumerate(errors):
            if item:
                flat.update(flatten_errors(item, f"{prefix}[{index}]"))
    else:
        flat[prefix or "non_field_errors"] = [str(errors)]
    return flat


DOCUMENT_WRITE = responses(
    {308: MOVED[308]},
    400,
    401,
    403,
    404,
    412,
    415,
    429,
)


@extend_schema_view(
    list=extend_schema(
        summary="List occupation profiles",
        description="Published profiles (editors see drafts too; filter with `status`). "
        "Filters as on the site's index, `search` as the site search, `ordering` by field.",
        parameters=[
            OpenApiParameter(
                "q", OpenApiTypes.STR, description="Alias of `search` (the site's parameter)."
            ),
        ],
        responses=responses(
            {200: api_serializers.OccupationListSerializer(many=True)}, 400, 401, 404, 429
        ),
    ),
    retrieve=extend_schema(
        summary="Read a whole profile",
        parameters=[IF_NONE_MATCH, ETAG_HEADER, LOCATION_HEADER],
        responses=responses(
            {200: api_serializers.OccupationDocumentSerializer, 304: NOT_MODIFIED, 301: MOVED[301]},
            401,
            404,
            429,
        ),
    ),
    create=extend_schema(
        summary="Create a profile from a whole document",
        description="Needs the `add_occupation` permission. Vocabulary is referred to by "
        "slug and must exist already (unknown slug: 400).",
        parameters=[ETAG_HEADER, LOCATION_HEADER],
        responses=responses(
            {201: api_serializers.OccupationDocumentSerializer}, 400, 401, 403, 415, 429
        ),
    ),
    update=extend_schema(
        summary="Replace a whole profile",
        description="Needs `change_occupation`. Every collection given replaces the "
        "profile's rows; a collection left out is kept.",
        parameters=[IF_MATCH, ETAG_HEADER, LOCATION_HEADER],
        responses={200: api_serializers.OccupationDocumentSerializer, **DOCUMENT_WRITE},
    ),
    partial_update=extend_schema(
        summary="Change some fields or collections of a profile",
        description="Needs `change_occupation`. Only the fields and collections in the body "
        "change; a collection given is replaced as a whole.",
        parameters=[IF_MATCH, ETAG_HEADER, LOCATION_HEADER],
        responses={200: api_serializers.OccupationDocumentSerializer, **DOCUMENT_WRITE},
    ),
    destroy=extend_schema(
        summary="Delete a profile",
        description="Needs `delete_occupation`. The last state stays in the admin history.",
        parameters=[IF_MATCH, LOCATION_HEADER],
        responses=responses({204: NO_CONTENT, 308: MOVED[308]}, 401, 403, 404, 412, 429),
    ),
)
class OccupationViewSet(viewsets.ModelViewSet):
    """Occupation profiles: compact list, whole document by slug, whole-document writes."""

    queryset = models.Occupation.objects.all()
    pagination_class = StrictPageNumberPagination
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN
    parser_classes = [JSONParser]
    filter_backends = [SiteSearchFilter, StrictFilterBackend, StrictOrderingFilter]
    filterset_class = OccupationApiFilter
    ordering_fields = [
        "title",
        "code",
        "overall_rating",
        "salary_min",
        "salary_max",
        "last_reviewed",
        "updated_at",
    ]
    schema = ApiSchema()

    def get_queryset(self):
        occupations = self._visible()
        if self.action == "list":
            return occupations.for_api_list()
        return occupations.for_detail()

    def _visible(self):
        return models.Occupation.objects.visible_to(self.request.user)

    def _get_pk(self):
        """The profile's primary key, or 404: one query, without the whole document."""
        slug = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        pk = self._visible().filter(slug=slug).values_list("pk", flat=True).first()
        if pk is None:
            raise NotFound
        return pk

    def handle_exception(self, exc):
        """A profile's old slug answers 301 (reads) or 308 (writes, which keep their method
        and body) with the current URL in Location; it is a 404 only if it never existed."""
        slug = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        if slug is not None and isinstance(exc, Http404 | NotFound):
            renamed = self._visible().renamed_from(slug)
            if renamed is not None:
                return self._moved_to(renamed)
        return super().handle_exception(exc)

    def _moved_to(self, occupation):
        path = reverse("api:occupation-detail", kwargs={"slug": occupation.slug})
        query = self.request.META.get("QUERY_STRING", "")
        location = absolute_url(self.request, f"{path}?{query}" if query else path)
        read = self.request.method in permissions.SAFE_METHODS
        return Response(
            {"detail": f"This profile's slug is now {occupation.slug!r}: {location}"},
            status=HTTPStatus.MOVED_PERMANENTLY if read else HTTPStatus.PERMANENT_REDIRECT,
            headers={"Location": location},
        )

    def get_serializer_class(self):
        if self.action == "list":
            return api_serializers.OccupationListSerializer
        return api_serializers.OccupationDocumentSerializer

    def _etag(self, occupation):
        return occupation_etag(occupation, drafts=can_see_drafts(self.request.user))

    # Reads

    def retrieve(self, request, *args, **kwargs):
        occupation = self.get_object()
        etag = self._etag(occupation)
        if if_none_match_hits(request.headers.get("If-None-Match"), etag):
            return Response(status=HTTPStatus.NOT_MODIFIED, headers={"ETag": etag})
        return Response(self.get_serializer(occupation).data, headers={"ETag": etag})

    # Writes: validate the body, lock the profile, check every model rule, check If-Match,
    # then apply (see occupations/documents.py).

    def create(self, request, *args, **kwargs):
        data = self._validated(request, partial=False)
        occupation = self._write(request, data, existing=False)
        return self._document_response(occupation, HTTPStatus.CREATED, location=True)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        self._get_pk()  # a 404 comes before a 400
        data = self._validated(request, partial=partial)
        occupation = self._write(request, data, existing=True)
        return self._document_response(occupation, HTTPStatus.OK)

    def destroy(self, request, *args, **kwargs):
        def delete():
            with transaction.atomic():
                current = self._locked()
                self._check_if_match(request, current)
                services.occupation_delete(occupation=current, user=request.user)

        with_write_retries(delete)
        return Response(status=HTTPStatus.NO_CONTENT)

    def _validated(self, request, *, partial):
        """The body's JSON types and shapes, as the schema describes them (400 otherwise).

        PATCH makes the profile's own fields optional, not the fields of the rows: a
        collection in the body replaces the old one, so each row must be complete."""
        serializer = self.get_serializer(None, data=request.data)
        if partial:
            for field in serializer.fields.values():
                field.required = False
        if not serializer.is_valid():
            raise ValidationError(flatten_errors(serializer.errors))
        return serializer.validated_data

    def _locked(self):
        """The profile, its row locked for this transaction (FOR NO KEY UPDATE, so other
        writers' foreign keys to it do not wait), or 404."""
        slug = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        current = (
            self._visible()
            .select_related(*documents.OCCUPATION_REFS)
            .select_for_update(no_key=True, of=("self",))
            .filter(slug=slug)
            .first()
        )
        if current is None:
            raise NotFound
        return current

    def _check_if_match(self, request, current):
        if if_match_fails(request.headers.get("If-Match"), self._etag(current)):
            raise PreconditionFailed

    def _write(self, request, data, *, existing):
        comment = "Changed through the API" if existing else "Created through the API"

        def write():
            with transaction.atomic():
                current = self._locked() if existing else None
                etag = self._etag(current) if current is not None else None
                try:
                    document = documents.document_validate(
                        occupation=current, data=data, user=request.user
                    )
                except DjangoValidationError as error:
                    raise ValidationError(error.message_dict) from error
                # Checked once the whole body is known to be valid, so a malformed request
                # is a 400 whatever If-Match says.
                if etag is not None and if_match_fails(request.headers.get("If-Match"), etag):
                    raise PreconditionFailed
                return documents.document_apply(
                    document=document, user=request.user, comment=comment
                )

        try:
            return with_write_retries(write)
        except IntegrityError as error:
            # Two writes raced past validation (e.g. the same new slug): nothing was saved.
            raise WriteConflict from error

    def _document_response(self, occupation, status, location=False):
        document = self.get_serializer(occupation).data
        headers = {"ETag": self._etag(occupation)}
        if location:
            headers["Location"] = str(document["url"])
        return Response(document, status=status, headers=headers)


# --- Shared vocabulary ---------------------------------------------------------------------


def published_links(model, to_attr="published_links"):
    return Prefetch(
        "occupation_links" if model is not models.RatingScore else "scores",
        queryset=model.objects.filter(published_q("occupation"))
        .select_related("occupation")
        .order_by("occupation__title", "pk"),
        to_attr=to_attr,
    )


VOCABULARY_RESPONSES = {
    "list": responses({}, 400, 401, 404, 429),
    "retrieve": responses({}, 401, 404, 429),
}


class VocabularyViewSet(viewsets.ReadOnlyModelViewSet):
    """Shared records by slug, each with the published profiles linked to it. Read only: the
    vocabulary is edited in the admin."""

    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN
    pagination_class = StrictPageNumberPagination
    permission_classes = [permissions.AllowAny]
    filter_backends = [StrictFilterBackend, StrictOrderingFilter]
    ordering_fields = ["name", "slug"]
    model = None
    link_model = None

    def get_queryset(self):
        return self.model.objects.prefetch_related(published_links(self.link_model))


def vocabulary_viewset(model, serializer_class, link_model, *, filterset_fields=()):
    name = model._meta.verbose_name
    plural = model._meta.verbose_name_plural
    viewset = type(
        f"{model.__name__}ViewSet",
        (VocabularyViewSet,),
        {
            "model": model,
            "link_model": link_model,
            "queryset": model.objects.all(),
            "serializer_class": serializer_class,
            "filterset_fields": list(filterset_fields),
            "__doc__": f"{plural.capitalize()}, each with the published profiles linked to it.",
        },
    )
    return extend_schema_view(
        list=extend_schema(
            summary=f"List {plural}",
            responses={200: serializer_class(many=True), **VOCABULARY_RESPONSES["list"]},
        ),
        retrieve=extend_schema(
            summary=f"Read one {name}",
            responses={200: serializer_class, **VOCABULARY_RESPONSES["retrieve"]},
        ),
    )(viewset)


class SectorViewSet(VocabularyViewSet):
    """Sectors, each with its published profiles."""

    queryset = models.Sector.objects.all()
    serializer_class = api_serializers.SectorSerializer

    def get_queryset(self):
        published = models.Occupation.objects.published().only("pk", "slug", "title", "sector")
        return models.Sector.objects.prefetch_related(
            Prefetch("occupations", queryset=published, to_attr="published_occupations")
        )


SectorViewSet = extend_schema_view(
    list=extend_schema(
        summary="List sectors",
        responses={
            200: api_serializers.SectorSerializer(many=True),
            **VOCABULARY_RESPONSES["list"],
        },
    ),
    retrieve=extend_schema(
        summary="Read one sector",
        responses={200: api_serializers.SectorSerializer, **VOCABULARY_RESPONSES["retrieve"]},
    ),
)(SectorViewSet)


router = routers.DefaultRouter()
router.register("occupations", OccupationViewSet, basename="occupation")
for _kind in VOCABULARY_KINDS:
    if _kind.link_model is None:
        _viewset = SectorViewSet
    else:
        _viewset = vocabulary_viewset(
            _kind.model,
            getattr(api_serializers, f"{_kind.model.__name__}Serializer"),
            _kind.link_model,
            filterset_fields=_kind.api_filter_fields,
        )
    router.register(_kind.api_prefix, _viewset, basename=_kind.api_basename)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class LoginLockedOut(APIException):
    status_code = HTTPStatus.TOO_MANY_REQUESTS
    default_code = "locked_out"

    def __init__(self):
        minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        super().__init__(
            f"Too many failed logins for this username or from this address: locked for "
            f"{minutes} minutes. An administrator can unlock it sooner."
        )
        self.wait = settings.AXES_COOLOFF_TIME.total_seconds()


@extend_schema(
    summary="Get your API token",
    description="Exchange a username and password for the user's token (created on first "
    "use). Tokens are also managed in the admin.",
    # One body type and no security requirement: you have no token yet.
    request={"application/json": AuthTokenSerializer},
    auth=[],
    responses=responses({200: TokenSerializer}, 400, 429),
)
class TokenView(ObtainAuthToken):
    """Failed logins count towards the same lock-out as the admin's (django-axes, keyed by
    username and by client address); every attempt counts towards the `auth` throttle."""

    parser_classes = api_settings.DEFAULT_PARSER_CLASSES
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError:
            # django-axes marks the request when this failure reached the limit, or when
            # the username or address was locked already (then even a right password fails).
            if getattr(request, "axes_locked_out", False):
                raise LoginLockedOut from None
            raise


# The documentation pages' own Content-Security-Policy. Swagger UI: its start-up script is
# a separate file (the split view), its few inline styles carry the nonce
# (templates/drf_spectacular/swagger_ui.html) and its icons are data: images. ReDoc builds
# its styles at run time (styled-components) and renders in a blob: worker: it needs inline
# styles, which only this page allows. Neither page allows inline script.
DOCS_CSP = {"img-src": ["data:"], "worker-src": ["blob:"]}


@method_decorator(csp_update(DOCS_CSP), name="dispatch")
class SwaggerView(SpectacularSwaggerSplitView):
    pass


@method_decorator(csp_update({**DOCS_CSP, "style-src": ["'unsafe-inline'"]}), name="dispatch")
class RedocView(SpectacularRedocView):
    pass


urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/auth/token/", TokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SwaggerView.as_view(url_name="api:schema"), name="swagger-ui"),
    path("docs/redoc/", RedocView.as_view(url_name="api:schema"), name="redoc"),
]
