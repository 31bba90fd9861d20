"""The editor admin: one change page edits a whole profile, in the order of the public page.

History, compare and revert come from django-reversion-compare (`CompareVersionAdmin`); a
profile's revision follows all of its rows (see `revisions.py`), so a revert restores them.
"""

import reversion
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models as db_models
from django.db import transaction
from django.db.models import Count, F
from django.forms.models import BaseInlineFormSet
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy
from reversion.models import Version
from reversion_compare.admin import CompareVersionAdmin

from editorial.admin import (
    DraftAdminMixin,
    DraftRowAdminMixin,
    EditGuardAdminMixin,
    ReviewAdminMixin,
)
from editorial.audit import audit_revert
from editorial.history import ReadableCompareMixin

from . import changes, models, publishing, revisions, services
from .admin_paging import ROWS_PER_PAGE, PagedRowsAdminMixin, RowsPage
from .admin_sections import WHOLE_PROFILE_FLAG, SectionedChangePageMixin, admin_fieldsets
from .forms import MultilineTextField
from .registry import COLLECTIONS

LONG_TEXT = {
    db_models.TextField: {
        "form_class": MultilineTextField,
        "widget": forms.Textarea(attrs={"rows": 8, "cols": 100}),
    }
}
NOT_SELF_MESSAGE = next(
    constraint.violation_error_message
    for constraint in models.RelatedOccupation._meta.constraints
    if constraint.name.endswith("_not_self")
)
SHORT_TEXT = {
    db_models.TextField: {
        "form_class": MultilineTextField,
        "widget": forms.Textarea(attrs={"rows": 2, "cols": 40}),
    }
}


# --- Building blocks shared by every inline --------------------------------------------------


class PrefetchedAutocompleteSelect(AutocompleteSelect):
    """An autocomplete that labels its selected option from rows the formset already loaded.

    Django's `AutocompleteSelect` runs one query per rendered row to label the selected
    value; on an inline with 30 rows that is 30 queries. `OrderedInlineFormSet` fills
    `known_objects` from its `select_related` queryset, so the page stays at a fixed count.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.known_objects = {}

    def optgroups(self, name, value, attr=None):
        selected = [str(v) for v in value if str(v) not in self.choices.field.empty_values]
        if not selected or any(pk not in self.known_objects for pk in selected):
            return super().optgroups(name, value, attr)
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        for pk in selected:
            label = self.choices.field.label_from_instance(self.known_objects[pk])
            options.append(self.create_option(name, pk, label, True, len(options)))
        return [(None, options, 0)]


class KnownRecordChoiceField(forms.ModelChoiceField):
    """A record choice that takes the record from those its formset read for every posted
    row in one query (`OrderedInlineFormSet`), instead of one query per row."""

    known = None  # {str(pk): record}

    def to_python(self, value):
        if self.known is not None and str(value) in self.known:
            return self.known[str(value)]
        return super().to_python(value)


class RowForm(forms.ModelForm):
    """An inline row: a saved row the editor left as it was is not validated again (it is
    not written either), so a profile with 400 rows saves with a fixed number of queries
    for them instead of several per row."""

    def _post_clean(self):
        if self.instance.pk is not None and not self.has_changed():
            return
        super()._post_clean()


# A position is a PositiveSmallIntegerField.
POSITION_LIMIT = 32767


class OrderedInlineFormSet(BaseInlineFormSet):
    """Inline rows with a position (`order`) that is unique within their parent.

    Editors reorder rows by editing positions, so two rows may swap places in one save.
    The per-form checks cannot judge that (each row would collide with the other's old
    position), and saving row by row would trip the database's immediate unique constraint.
    So the formset checks positions across its surviving rows itself, and on save first
    parks moved rows at free positions, then writes the final ones (inside the admin's
    transaction).
    """

    order_field = "order"

    def __init__(self, *args, rows_page=None, **kwargs):
        # The page of rows asked for (see `admin_paging`); None shows every row.
        self.requested_rows_page = rows_page
        self.rows_page = None  # a RowsPage once the table is longer than one page
        self._every_row = None  # on a paged save: the parent's rows, shown or not
        super().__init__(*args, **kwargs)
        self._share_loaded_related_objects()

    def get_queryset(self):
        if self.requested_rows_page is None or self.instance.pk is None:
            return super().get_queryset()
        return self._shown_rows

    @cached_property
    def _shown_rows(self) -> list:
        """The rows of the requested page; on a save, the rows the page posted."""
        rows = self.queryset
        if not rows.ordered:
            rows = rows.order_by(self.model._meta.pk.name)
        if self.is_bound:
            self._every_row = list(rows)
            if len(self._every_row) > ROWS_PER_PAGE:
                self.rows_page = RowsPage.clamped(self.requested_rows_page, len(self._every_row))
            posted = self._posted_row_ids()
            return [row for row in self._every_row if str(row.pk) in posted]
        first = []
        if self.requested_rows_page == 1:
            # One query, as without paging, for the usual table of a few rows.
            first = list(rows[: ROWS_PER_PAGE + 1])
            if len(first) <= ROWS_PER_PAGE:
                return first
        count = rows.count()
        if count <= ROWS_PER_PAGE:
            return list(rows)
        self.rows_page = RowsPage.clamped(self.requested_rows_page, count)
        if self.rows_page.number == 1 and first:
            return first[:ROWS_PER_PAGE]
        return list(rows[self.rows_page.offset : self.rows_page.offset + ROWS_PER_PAGE])

    def _posted_row_ids(self) -> set[str]:
        pk_name = self.model._meta.pk.name
        return {
            str(self.data.get(f"{self.add_prefix(index)}-{pk_name}"))
            for index in range(min(self.initial_form_count(), self.absolute_max))
        }

    @cached_property
    def _saved_rows_by_pk(self):
        return {str(row.pk): row for row in self.get_queryset()}

    @cached_property
    def _posted_records(self):
        """{field name: {str(pk): record}} for every record chosen in the posted rows."""
        found = {}
        for name, field in self.form.base_fields.items():
            if not isinstance(field, KnownRecordChoiceField):
                continue
            posted = {
                self.data.get(f"{self.add_prefix(index)}-{name}")
                for index in range(self.total_form_count())
            }
            key = field.to_field_name or "pk"
            keys = [int(value) for value in posted if value and str(value).isdigit()]
            records = field.queryset.filter(**{f"{key}__in": keys})
            found[name] = {str(getattr(record, key)): record for record in records}
        return found

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if self.is_bound:
            for name, records in self._posted_records.items():
                form.fields[name].known = records
        return form

    def _share_loaded_related_objects(self):
        """Hand the rows' select_related objects to the autocomplete widgets (no N+1)."""
        widgets = {}
        for name, field in self.form.base_fields.items():
            widget = getattr(field.widget, "widget", field.widget)
            if isinstance(widget, PrefetchedAutocompleteSelect):
                widgets[name] = widget
        if self.instance.pk is None:
            return
        for row in self.get_queryset():
            # The parent is known: rows whose __str__ names it need not fetch it again.
            self.fk.set_cached_value(row, self.instance)
            for name, widget in widgets.items():
                model_field = self.model._meta.get_field(name)
                if model_field.is_cached(row) and model_field.get_cached_value(row) is not None:
                    related = model_field.get_cached_value(row)
                    widget.known_objects[str(related.pk)] = related

    def add_fields(self, form, index):
        super().add_fields(form, index)
        pk_field = form.fields.get(self.model._meta.pk.name)
        if isinstance(pk_field, forms.ModelChoiceField) and self.instance.pk is not None:
            # Each row's hidden id is checked against the rows already read, not one query
            # per row (a row deleted meanwhile still falls back to the lookup and its error).
            known = KnownRecordChoiceField(
                queryset=pk_field.queryset,
                initial=pk_field.initial,
                required=False,
                widget=pk_field.widget,
            )
            known.known = self._saved_rows_by_pk
            form.fields[self.model._meta.pk.name] = known
        if self.order_field in form.fields:
            field = form.fields[self.order_field]
            field.required = False
            field.help_text = "Leave empty to add the row at the end."
            if form.instance.pk is None:
                field.initial = None

    def _surviving_forms(self):
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or (
                self.can_delete and self._should_delete_form(form)
            ):
                continue
            if form.instance.pk is None and not form.has_changed():
                continue
            yield form

    def clean(self):
        super().clean()
        self._explain_rows_deleted_meanwhile()

    def _explain_rows_deleted_meanwhile(self):
        """A row another editor deleted after this page was opened comes back as a form
        without its record; Django reports that on the hidden id field, where no one sees
        it. Say it on the row instead."""
        pk_name = self.model._meta.pk.name
        for form in self.initial_forms:
            if form.instance.pk is not None or not form.errors.get(pk_name):
                continue
            form.errors.pop(pk_name)
            form.add_error(
                None,
                ValidationError(
                    "Another editor deleted this row after you opened the page. Tick "
                    "“Delete” to let it go, or copy what you need into a new row.",
                    code="deleted_meanwhile",
                ),
            )

    def validate_unique(self):
        if self.order_field in self.form.base_fields:
            self._validate_unique_order()
        super().validate_unique()

    def _rows_added_meanwhile(self):
        """Saved rows this form does not show (another editor added them after it was
        opened): their positions are taken. The parent is locked while the admin saves."""
        if self.instance.pk is None:
            return []
        shown = {form.instance.pk for form in self.initial_forms if form.instance.pk}
        rows = self.get_queryset()  # on a save of a page, reads every row too
        every_row = self._every_row if self._every_row is not None else rows
        return [row for row in every_row if row.pk not in shown]

    def _validate_unique_order(self):
        forms_by_position = {}
        unplaced = []
        self._taken_meanwhile = {
            getattr(row, self.order_field): row for row in self._rows_added_meanwhile()
        }
        for form in self._surviving_forms():
            if self.order_field not in form.cleaned_data and form.errors.get(self.order_field):
                continue
            position = form.cleaned_data.get(self.order_field)
            if position is None:
                unplaced.append(form)
            else:
                forms_by_position.setdefault(position, []).append(form)
        self._move_across_pages = self._single_move_across_pages(forms_by_position)
        for position, forms_here in forms_by_position.items():
            if position in self._taken_meanwhile and self._move_across_pages is None:
                for form in forms_here:
                    form.add_error(self.order_field, self._position_taken_error(position))
        # Rows left without a position go after the others (saved ones included), in the
        # order shown.
        next_position = max([*forms_by_position, *self._taken_meanwhile], default=-1) + 1
        for form in unplaced:
            form.cleaned_data[self.order_field] = next_position
            setattr(form.instance, self.order_field, next_position)
            forms_by_position[next_position] = [form]
            next_position += 1
        for position, forms_here in forms_by_position.items():
            if len(forms_here) > 1:
                for form in forms_here:
                    form.add_error(
                        self.order_field,
                        ValidationError(
                            "Position %(position)s is used by more than one row; "
                            "give each row its own position.",
                            code="duplicate_order",
                            params={"position": position},
                        ),
                    )

    def _single_move_across_pages(self, forms_by_position):
        """On a paged table, one saved row given the position of a row on another page
        moves there, and the rows in between each move one place along (as in a list).
        Only when it is the only position changed in the save: with other moves on the
        page, "in between" would be ambiguous. Returns (form, old position, new position)."""
        if self.rows_page is None:
            return None
        crossing = [
            form
            for position, forms_here in forms_by_position.items()
            if position in self._taken_meanwhile
            for form in forms_here
        ]
        if len(crossing) != 1 or crossing[0].instance.pk is None:
            return None
        form = crossing[0]
        others_moved = any(
            self.order_field in other.changed_data
            for other in self._surviving_forms()
            if other is not form
        )
        old = form.initial.get(self.order_field)
        new = form.cleaned_data[self.order_field]
        # The rows in between are shifted through positions above every row (see save).
        highest = max([*self._taken_meanwhile, *forms_by_position, old or 0])
        if others_moved or old is None or 2 * highest + 2 > POSITION_LIMIT:
            return None
        return form, old, new

    def _position_taken_error(self, position):
        params = {"row": self._taken_meanwhile[position], "position": position}
        if self.rows_page is not None:
            return ValidationError(
                "Position %(position)s is held by “%(row)s”, a row that is not on this page. "
                "To move a row there, change only that row's position in one save (the rows "
                "in between then move one place along); or leave the position empty to put "
                "the row at the end.",
                code="taken_elsewhere",
                params=params,
            )
        return ValidationError(
            "Another editor added “%(row)s” at position %(position)s after you opened the "
            "page; choose another position or leave it empty.",
            code="taken_meanwhile",
            params=params,
        )

    def save_existing_objects(self, commit=True):
        """Delete first, park moved rows at free positions, then save the final values."""
        if not commit:
            return super().save_existing_objects(commit=False)
        self.changed_objects = []
        self.deleted_objects = []
        saved = []
        existing = [form for form in self.initial_forms if form.instance.pk is not None]
        for form in existing:
            if form in self.deleted_forms:
                self.deleted_objects.append(form.instance)
                self.delete_existing(form.instance, commit=True)
        remaining = [form for form in existing if form not in self.deleted_forms]
        moved = [
            form
            for form in remaining
            if self.order_field in form.changed_data and form.instance.pk is not None
        ]
        if moved:
            taken = [form.initial.get(self.order_field) or 0 for form in existing]
            taken += list(getattr(self, "_taken_meanwhile", {}))
            taken += [
                form.cleaned_data.get(self.order_field) or 0
                for form in self.forms
                if hasattr(form, "cleaned_data")
            ]
            parking = max(taken) + 1
            manager = self.model._default_manager
            for offset, form in enumerate(moved):
                manager.filter(pk=form.instance.pk).update(**{self.order_field: parking + offset})
            if getattr(self, "_move_across_pages", None):
                self._shift_rows_in_between(remaining, above=parking + len(moved))
        for form in remaining:
            if form.has_changed():
                self.changed_objects.append((form.instance, form.changed_data))
                saved.append(self.save_existing(form, form.instance, commit=True))
        return saved

    def _shift_rows_in_between(self, forms_on_page, *, above):
        """The rows between a row's old and new place move one place along. Each position
        is unique at every moment (the constraint is checked row by row), so the rows go
        above every position first, then down to their new place."""
        moving, old, new = self._move_across_pages
        step, low, high = (1, new, old - 1) if new < old else (-1, old + 1, new)
        field = self.order_field
        rows = self.model._default_manager.filter(**{self.fk.name: self.instance})
        rows.filter(**{f"{field}__gte": low, f"{field}__lte": high}).update(
            **{field: F(field) + above}
        )
        rows.filter(**{f"{field}__gte": above}).update(**{field: F(field) - above + step})
        for form in forms_on_page:
            position = getattr(form.instance, field)
            if form is not moving and low <= position <= high:
                setattr(form.instance, field, position + step)
        if reversion.is_active() and not reversion.is_manage_manually():
            # The profile's revision took its rows when the profile was saved, before this
            # shift (a bulk update sends no signal to django-reversion): record them anew.
            shifted = self.queryset.filter(
                **{f"{field}__gte": low + step, f"{field}__lte": high + step}
            )
            for row in shifted.exclude(pk=moving.instance.pk):
                reversion.add_to_revision(row)


class RelatedOccupationFormSet(OrderedInlineFormSet):
    """The inline form skips the not-self rule (its parent field is excluded from the row's
    own validation), so check it here instead of letting the database raise."""

    def clean(self):
        super().clean()
        if self.instance.pk is None:
            return
        for form in self._surviving_forms():
            if form.cleaned_data.get("related") == self.instance:
                form.add_error("related", NOT_SELF_MESSAGE)


class OrderedInlineMixin:
    """Shared set-up: the ordered formset, loaded FKs, prefetched autocomplete widgets."""

    formset = OrderedInlineFormSet
    form = RowForm
    select_related = ("source",)
    # The section of the occupation's change page that edits these rows (see
    # `admin_sections`).
    section = ""
    autocomplete_fields = ["source"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.select_related)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = PrefetchedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        kwargs.setdefault("form_class", KnownRecordChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class RowLabelsFormSetMixin:
    """A table row's fields are labelled only by their column headings, which a screen
    reader does not tie to the controls (axe: "Form elements must have labels"): name each
    control after its column and row."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        row = "new row" if index is None else f"row {index + 1}"
        for field in form.fields.values():
            # The admin's related-field wrapper shares its `attrs` with the field it was
            # copied from: label the widget it wraps (copied for each form).
            widget = getattr(field.widget, "widget", field.widget)
            if not widget.is_hidden:
                widget.attrs["aria-label"] = f"{field.label}, {row}"


class TabularRows(OrderedInlineMixin, admin.TabularInline):
    extra = 0
    formfield_overrides = SHORT_TEXT

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (RowLabelsFormSetMixin, formset), {})


class StackedRows(OrderedInlineMixin, admin.StackedInline):
    extra = 0
    classes = ["collapse"]
    formfield_overrides = LONG_TEXT


# --- Occupation inlines, one per registered collection, in the order of the public page ---

INLINE_OPTIONS = {
    models.RelatedOccupation: {"formset": RelatedOccupationFormSet, "fk_name": "occupation"},
}


def collection_inline(collection):
    """The change page's inline for one registered collection."""
    base = StackedRows if collection.admin_stacked else TabularRows
    options = {
        "model": collection.model,
        "fields": list(collection.fields),
        "section": collection.section,
        "autocomplete_fields": list(collection.refs),
        "select_related": collection.select_related,
        # Django has no nested inlines: a table's or a list's own rows have their own page.
        "show_change_link": collection.nested is not None,
        **INLINE_OPTIONS.get(collection.model, {}),
    }
    return type(f"{collection.model.__name__}Inline", (base,), options)


COLLECTION_INLINES = [collection_inline(collection) for collection in COLLECTIONS]


# --- Occupation --------------------------------------------------------------------------


def tables_too_long_for_a_form(revision) -> list[tuple[str, int]]:
    """(label, row count) of the profile's row tables in `revision` longer than a page of
    the change form (see `admin_paging`): a revert form would have to post every row."""
    labels = {
        ContentType.objects.get_for_model(collection.model).pk: collection.model
        for collection in COLLECTIONS
    }
    counts = (
        revision.version_set.filter(content_type_id__in=labels)
        .order_by()
        .values_list("content_type_id")
        .annotate(rows=Count("pk"))
    )
    return [
        (str(labels[type_id]._meta.verbose_name_plural), rows)
        for type_id, rows in counts
        if rows > ROWS_PER_PAGE
    ]


class ContentAdmin(ReadableCompareMixin, CompareVersionAdmin):
    """History, compare and revert for content; a revert goes through the content door.

    The revert runs in a transaction around reversion's own, after `park_rows` (see
    `services.occupation_rows_park`, so a revert can undo a reorder); it is kept only when
    the revert was saved (a new version exists), so viewing an old version or a failed
    revert leaves everything untouched.
    """

    history_latest_first = True

    def park_rows(self, object_id):
        """Free the positions of the record's rows before a revert (where it has rows)."""

    def _reversion_revisionform_view(self, request, version, template_name, extra_context=None):
        versions = Version.objects.get_for_object_reference(self.model, version.object_id)
        with transaction.atomic(using=version.db):
            before = versions.count()
            self.park_rows(version.object_id)
            response = super()._reversion_revisionform_view(
                request, version, template_name, extra_context
            )
            if versions.count() == before:
                transaction.set_rollback(True, using=version.db)
            else:
                restored = self.model._default_manager.filter(pk=version.object_id).first()
                if restored is not None:
                    changes.row_changed(restored)
                    audit_revert(
                        record=restored,
                        user=request.user,
                        revision_date=version.revision.date_created,
                    )
        return response


@admin.register(models.Occupation)
class OccupationAdmin(
    DraftAdminMixin,
    SectionedChangePageMixin,
    PagedRowsAdminMixin,
    ReviewAdminMixin,
    EditGuardAdminMixin,
    ContentAdmin,
):
    change_form_template = "admin/occupations/occupation/change_form.html"
    list_display = ["title", "code", "sector", "status", "visible_now", "last_reviewed"]
    list_filter = ["status", "sector", "ai_outlook", "skilled_migration"]
    search_fields = ["title", "code", "alternate_titles__title"]
    list_select_related = ["sector"]
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ["sector", "code_source", "ai_summary_source"]
    readonly_fields = ["published_at", "schedule"]
    formfield_overrides = LONG_TEXT
    actions = ["publish", "unpublish", "duplicate"]
    history_latest_first = True
    # The profile's own fields, grouped by the change page's sections.
    fieldsets = admin_fieldsets()
    inlines = COLLECTION_INLINES

    def get_queryset(self, request):
        return super().get_queryset(request).for_admin_list()

    def park_rows(self, object_id):
        services.occupation_rows_park(occupation_id=int(object_id))

    def _reversion_revisionform_view(self, request, version, template_name, extra_context=None):
        too_long = tables_too_long_for_a_form(version.revision)
        if too_long:
            return self._revert_without_form(request, version, too_long)
        # A revert restores the whole profile, so its page shows every section.
        setattr(request, WHOLE_PROFILE_FLAG, True)
        return super()._reversion_revisionform_view(request, version, template_name, extra_context)

    def _revert_without_form(self, request, version, too_long):
        """A version whose row tables are too long for one form (each row's fields would be
        posted back: 2,749 alternate titles are 16,000 fields): a page that says what the
        revert restores, and the revert itself through the service."""
        occupation = self.get_object(request, version.object_id)
        if occupation is None:
            raise Http404
        if request.method == "POST":
            if not self.has_change_permission(request, occupation):
                raise PermissionDenied
            restored = services.occupation_revert(version=version, user=request.user)
            audit_revert(
                record=restored, user=request.user, revision_date=version.revision.date_created
            )
            self.message_user(
                request,
                f"“{restored}” is back as it was on "
                f"{timezone.localtime(version.revision.date_created):%d %b %Y %H:%M %Z}.",
                messages.SUCCESS,
            )
            return redirect(reverse("admin:occupations_occupation_change", args=[restored.pk]))
        if not self.has_view_or_change_permission(request, occupation):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": occupation,
            "version": version,
            "revision_date": timezone.localtime(version.revision.date_created),
            "too_long": too_long,
            "can_revert": self.has_change_permission(request, occupation),
            "title": f"Revert {occupation}",
        }
        return TemplateResponse(
            request, "admin/occupations/occupation/revert_without_form.html", context
        )

    def changelist_view(self, request, extra_context=None):
        # VersionAdmin wraps the changelist in one revision; the actions' services record
        # one revision per profile instead, so reverting one profile never reverts another.
        context = {"has_change_permission": self.has_change_permission(request)}
        return admin.ModelAdmin.changelist_view(self, request, {**context, **(extra_context or {})})

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in {"publish_at", "unpublish_at"}:
            zone = timezone.get_current_timezone_name()
            field.help_text = f"{db_field.help_text} Date and time in {zone}."
            # The field's label points at the date box only: name both boxes.
            label = str(field.label or db_field.verbose_name).capitalize()
            for widget, part in zip(field.widget.widgets, ["date", "time"], strict=True):
                widget.attrs["aria-label"] = f"{label}, {part}"
        return field

    @admin.display(description="Visible now", boolean=True)
    def visible_now(self, obj):
        return publishing.is_public(obj)

    @admin.display(description="Schedule")
    def schedule(self, obj):
        zone = timezone.get_current_timezone_name()
        return f"{publishing.schedule_state(obj)} (times in {zone})"

    def save_model(self, request, obj, form, change):
        # Publishing by editing the status follows the one publishing rule, and is logged.
        # A section without the publication fields leaves them as they were.
        def before(name):
            if not change:
                return None
            return form.initial.get(name) if name in form.fields else getattr(obj, name)

        publishing.status_transition(
            obj, status=obj.status, previous_status=before("status"), user=request.user
        )
        previous_schedule = (before("publish_at"), before("unpublish_at"))
        publishing.schedule_changed(obj, previous=previous_schedule, user=request.user)
        # Pages that showed the profile before the save (e.g. targets of removed links).
        obj._neighbours_before = changes.pages_showing({obj.pk}) if change else set()
        if change and "slug" in form.changed_data:
            changes.remember_former_slug(obj.pk, form.initial["slug"])
        with revisions.rows_followed_from_memory(obj):
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        changes.content_changed(
            occupations=[form.instance.pk], neighbours=form.instance._neighbours_before
        )

    @admin.action(description="Publish selected profiles", permissions=["change"])
    def publish(self, request, queryset):
        count = publishing.occupations_set_status(
            occupation_ids=queryset.values_list("pk", flat=True),
            status=publishing.PUBLISHED,
            user=request.user,
        )
        self.message_user(request, f"Published {count} profile(s).", messages.SUCCESS)

    @admin.action(description="Unpublish selected profiles (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        count = publishing.occupations_set_status(
            occupation_ids=queryset.values_list("pk", flat=True),
            status=publishing.DRAFT,
            user=request.user,
        )
        self.message_user(request, f"Unpublished {count} profile(s).", messages.SUCCESS)

    @admin.action(description="Duplicate selected profiles as drafts", permissions=["add"])
    def duplicate(self, request, queryset):
        copies = [
            services.occupation_duplicate(occupation=occupation, user=request.user)
            for occupation in queryset
        ]
        links = format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:occupations_occupation_change", args=[copy.pk]), copy.title)
                for copy in copies
            ),
        )
        self.message_user(request, format_html("Created draft copies: {}", links), messages.SUCCESS)


# --- Tables and lists that hold their own rows ------------------------------------------------


class KeyFactInline(TabularRows):
    model = models.KeyFact
    fields = ["order", "label", "value"]
    autocomplete_fields = []
    select_related = ()


class ListItemInline(StackedRows):
    model = models.ListItem
    fields = ["order", "title", "description"]
    autocomplete_fields = []
    select_related = ()
    classes = []


class RowOfProfileAdmin(ContentAdmin):
    """A record that belongs to one profile: deleting it changes that profile."""

    def delete_model(self, request, obj):
        occupation_id = obj.occupation_id
        super().delete_model(request, obj)
        changes.content_changed(occupations=[occupation_id])

    def delete_queryset(self, request, queryset):
        occupation_ids = set(queryset.values_list("occupation_id", flat=True))
        super().delete_queryset(request, queryset)
        changes.content_changed(occupations=occupation_ids)


class OccupationRowAdmin(DraftRowAdminMixin, EditGuardAdminMixin, RowOfProfileAdmin):
    """A row of a profile with rows of its own, reached from the occupation page."""

    list_display = ["title", "occupation", "order"]
    list_select_related = ["occupation"]
    search_fields = ["title", "occupation__title"]
    autocomplete_fields = ["occupation", "source"]
    formfield_overrides = LONG_TEXT
    history_latest_first = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("occupation", "source")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        old_occupation = form.initial.get("occupation") if change else None
        changes.content_changed(occupations={form.instance.occupation_id, old_occupation} - {None})


@admin.register(models.KeyFactTable)
class KeyFactTableAdmin(OccupationRowAdmin):
    def park_rows(self, object_id):
        shift = {"order": F("order") + services.ROW_PARKING_OFFSET}
        models.KeyFact.objects.filter(table_id=int(object_id)).update(**shift)

    fields = ["occupation", "order", "title", "label_heading", "value_heading", "source"]
    inlines = [KeyFactInline]


@admin.register(models.ItemList)
class ItemListAdmin(OccupationRowAdmin):
    def park_rows(self, object_id):
        shift = {"order": F("order") + services.ROW_PARKING_OFFSET}
        models.ListItem.objects.filter(item_list_id=int(object_id)).update(**shift)

    list_display = ["title", "kind", "occupation", "order"]
    list_filter = ["kind"]
    fields = ["occupation", "order", "kind", "title", "intro", "outro", "numbered", "source"]
    inlines = [ListItemInline]


# --- Single rows of a profile ---------------------------------------------------------------
# Edited on the occupation page; registered so each row's own history and the recovery of a
# deleted row are reachable, but kept off the admin index to keep it short.


class ProfileRowAdmin(RowOfProfileAdmin):
    list_display = ["__str__", "occupation"]
    list_select_related = ["occupation"]
    autocomplete_fields = ["occupation"]
    formfield_overrides = LONG_TEXT
    history_latest_first = True

    def has_module_permission(self, request):
        return False

    def get_autocomplete_fields(self, request):
        names = {field.name for field in self.model._meta.fields}
        return [name for name in ["occupation", "source", *self.vocabulary] if name in names]

    vocabulary = []

    def save_model(self, request, obj, form, change):
        old_occupation = form.initial.get("occupation") if change else None
        super().save_model(request, obj, form, change)
        changes.content_changed(occupations={obj.occupation_id, old_occupation} - {None})


for _collection in COLLECTIONS:
    if _collection.nested:
        continue  # key-fact tables and item lists have admins of their own, below
    _vocabulary = [name for name in _collection.refs if name != "source"]
    admin.site.register(
        _collection.model,
        type(
            f"{_collection.model.__name__}Admin",
            (ProfileRowAdmin,),
            {"vocabulary": _vocabulary, "list_select_related": ["occupation", *_vocabulary]},
        ),
    )


class NestedRowAdmin(ContentAdmin):
    """A row of a table or list; its profile is `parent.occupation`."""

    parent = ""

    def has_module_permission(self, request):
        return False

    def _occupation_ids(self, rows):
        return {getattr(row, self.parent).occupation_id for row in rows}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        changes.content_changed(occupations=self._occupation_ids([obj]))

    def delete_model(self, request, obj):
        occupation_ids = self._occupation_ids([obj])
        super().delete_model(request, obj)
        changes.content_changed(occupations=occupation_ids)

    def delete_queryset(self, request, queryset):
        occupation_ids = self._occupation_ids(queryset.select_related(self.parent))
        super().delete_queryset(request, queryset)
        changes.content_changed(occupations=occupation_ids)


@admin.register(models.KeyFact)
class KeyFactAdmin(NestedRowAdmin):
    parent = "table"
    list_display = ["label", "table"]
    list_select_related = ["table__occupation"]
    autocomplete_fields = ["table"]
    formfield_overrides = LONG_TEXT


@admin.register(models.ListItem)
class ListItemAdmin(NestedRowAdmin):
    parent = "item_list"
    list_display = ["title", "item_list"]
    list_select_related = ["item_list"]
    autocomplete_fields = ["item_list"]
    formfield_overrides = LONG_TEXT


# --- Shared vocabulary -----------------------------------------------------------------------


class VocabularyAdmin(ContentAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ("name",)}
    history_latest_first = True
    formfield_overrides = LONG_TEXT

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        changes.content_changed(vocabulary=obj)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        changes.content_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        changes.content_changed()


@admin.register(models.Sector)
class SectorAdmin(VocabularyAdmin):
    pass


@admin.register(models.Skill)
class SkillAdmin(VocabularyAdmin):
    list_display = ["name", "kind", "slug"]
    list_filter = ["kind"]


@admin.register(models.Qualification)
class QualificationAdmin(VocabularyAdmin):
    list_display = ["name", "issuer", "kind", "slug"]
    list_filter = ["kind"]
    search_fields = [*VocabularyAdmin.search_fields, "issuer"]


@admin.register(models.Visa)
class VisaAdmin(VocabularyAdmin):
    list_display = ["name", "full_name", "country", "kind"]
    list_filter = ["kind", "country"]
    search_fields = [*VocabularyAdmin.search_fields, "full_name", "country"]


@admin.register(models.GrowthArea)
class GrowthAreaAdmin(VocabularyAdmin):
    pass


@admin.register(models.GlossaryTerm)
class GlossaryTermAdmin(VocabularyAdmin):
    list_display = ["name", "abbreviation", "slug"]
    search_fields = [*VocabularyAdmin.search_fields, "abbreviation"]


@admin.register(models.RatingDimension)
class RatingDimensionAdmin(VocabularyAdmin):
    list_display = ["name", "position", "higher_is_better"]


@admin.register(models.Source)
class SourceAdmin(VocabularyAdmin):
    list_display = ["name", "publisher", "published_on", "url"]
    search_fields = [*VocabularyAdmin.search_fields, "publisher", "url"]


# --- API tokens ------------------------------------------------------------------------------
# Editors may manage API tokens (migration 0002), but only their own: DRF's stock admin
# lets anyone with the permission mint a token for any user, superusers included.

if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class OwnTokenAdmin(TokenAdmin):
    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.filter(user=request.user)

    def get_fields(self, request, obj=None):
        return ["user"] if request.user.is_superuser else []

    def has_add_permission(self, request):
        if not super().has_add_permission(request):
            return False
        # One token per user: a non-superuser who has one cannot add another.
        return (
            request.user.is_superuser or not TokenProxy.objects.filter(user=request.user).exists()
        )

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            obj.user = request.user
        super().save_model(request, obj, form, change)
