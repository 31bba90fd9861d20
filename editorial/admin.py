"""The editorial admin: the edit guard and presence notice for change pages, the read-only
audit log and the review requests."""

from django.contrib import admin, messages
from django.contrib.admin.helpers import InlineAdminForm, InlineAdminFormSet
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ObjectDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.timezone import localtime
from django.views.decorators.http import require_POST

from occupations import publishing

from . import drafts
from .forms import FORMSET_DATA_ATTR, EditGuardForm, keep_their_row_changes, kept_notice
from .models import AuditEvent, ReviewRequest
from .presence import HEARTBEAT_SECONDS, presence_stamp
from .services import can_review, review_approve, review_reject, review_submit


def error_summary(form, inline_admin_formsets) -> list[tuple[str, str]]:
    """Every error on a change page as (link target, message), in page order, so the
    summary at the top can link to each field (the admin only says "Please correct...")."""
    summary = []
    for name, errors in form.errors.items():
        if name == NON_FIELD_ERRORS or name not in form.fields:
            continue
        label = form.fields[name].label or name
        summary += [(f"#{form[name].id_for_label}", f"{label}: {error}") for error in errors]
    for inline in inline_admin_formsets:
        formset = inline.formset
        section = capfirst(formset.model._meta.verbose_name_plural)
        summary += [
            (f"#{formset.prefix}-group", f"{section}: {e}") for e in formset.non_form_errors()
        ]
        for index, row in enumerate(formset.forms):
            if not row.errors or (formset.can_delete and formset._should_delete_form(row)):
                continue
            where = f"{section}, row {index + 1}"
            for name, errors in row.errors.items():
                if name == NON_FIELD_ERRORS or name not in row.fields:
                    target, label = f"#{formset.prefix}-{index}", where
                else:
                    target = f"#{row[name].id_for_label}"
                    label = f"{where}, {row.fields[name].label or name}"
                summary += [(target, f"{label}: {error}") for error in errors]
    return summary


class RowsAsPostedInlineAdminFormSet(InlineAdminFormSet):
    """Pairs each posted row with its own record, not with the n-th saved row.

    Django zips the posted rows with the rows saved now; once another editor has added or
    deleted a row, that pairs rows with the wrong records and drops the last ones from the
    page, with their errors. A row deleted meanwhile is shown with its posted values, its
    error and its Delete box."""

    def __iter__(self):
        readonly = self.readonly_fields
        if not self.has_change_permission:
            readonly = readonly + flatten_fieldsets(self.fieldsets)
        for form in self.formset.initial_forms:
            original = form.instance
            yield InlineAdminForm(
                self.formset,
                form,
                self.fieldsets,
                self.prepopulated_fields,
                original,
                readonly,
                model_admin=self.opts,
                view_on_site_url=self.opts.get_view_on_site_url(original) if original.pk else None,
            )
        for form in [
            *self.formset.extra_forms,
            *([self.formset.empty_form] * self.has_add_permission),
        ]:
            yield InlineAdminForm(
                self.formset,
                form,
                self.fieldsets,
                self.prepopulated_fields,
                None,
                self.readonly_fields,
                model_admin=self.opts,
            )


class EditGuardAdminMixin:
    """For a ModelAdmin: no lost edit (see `forms.EditGuardForm`) and a notice naming the
    other editors who have the record open (see `presence`)."""

    form = EditGuardForm
    save_on_top = True
    change_form_template = "admin/editorial/guarded_change_form.html"

    def get_object(self, request, object_id, from_field=None):
        # A save locks the record until it commits, so the version check, the positions
        # check of the rows and the write see the same state as any concurrent save.
        if request.method != "POST" or not transaction.get_connection().in_atomic_block:
            return super().get_object(request, object_id, from_field)
        queryset = self.get_queryset(request).select_for_update(of=("self",))
        model = queryset.model
        field = model._meta.pk if from_field is None else model._meta.get_field(from_field)
        try:
            return queryset.get(**{field.name: field.to_python(object_id)})
        except (model.DoesNotExist, ValidationError, ValueError):
            return None

    def get_inline_formsets(self, request, formsets, inline_instances, obj=None):
        inline_admin_formsets = super().get_inline_formsets(
            request, formsets, inline_instances, obj
        )
        for inline_admin_formset in inline_admin_formsets:
            inline_admin_formset.__class__ = RowsAsPostedInlineAdminFormSet
        return inline_admin_formsets

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if "data" in kwargs and obj is not None:
            posted = obj.__dict__.setdefault(FORMSET_DATA_ATTR, [])
            posted.append((inline.model, prefix, kwargs["data"]))
        return kwargs

    def save_formset(self, request, form, formset, change):
        conflict = getattr(form, "conflict", None)
        if conflict is not None and conflict.base_rows:
            keep_their_row_changes(formset, conflict.base_rows)
        super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Saved despite changes elsewhere since the page was opened: say whose stay.
        elsewhere = getattr(form, "changed_elsewhere", None)
        notice = kept_notice(elsewhere) if elsewhere is not None else None
        if notice:
            messages.info(request, notice)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["error_summary"] = error_summary(
            context["adminform"].form, context.get("inline_admin_formsets", [])
        )
        if obj is not None and obj.pk is not None:
            context["conflict"] = getattr(context["adminform"].form, "conflict", None)
            context["present_editors"] = presence_stamp(record=obj, user=request.user)
            context["presence_heartbeat_seconds"] = HEARTBEAT_SECONDS
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/presence/",
                self.admin_site.admin_view(self.presence_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_presence",
            ),
            *super().get_urls(),
        ]

    def presence_view(self, request, object_id):
        """The page's heartbeat: stamp the editor, answer who else has the record open."""
        return require_POST(self._presence)(request, object_id)

    def _presence(self, request, object_id):
        record = self.get_object(request, object_id)
        if record is None:
            return JsonResponse({"others": []}, status=404)
        if not self.has_view_or_change_permission(request, record):
            raise PermissionDenied
        return JsonResponse({"others": presence_stamp(record=record, user=request.user)})


class ReviewAdminMixin:
    """For the profile's ModelAdmin: submit for review, approve or reject, and the outcome,
    on the change page (the forms post to the views below)."""

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None:
            context["review"] = (
                ReviewRequest.objects.filter(occupation=obj)
                .select_related("requested_by", "reviewer")
                .first()
            )
            context["can_review"] = can_review(request.user)
            context["can_submit_for_review"] = self.has_change_permission(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/review/submit/",
                view(self.review_submit_view),
                name=f"{name}_review_submit",
            ),
            path(
                "<path:object_id>/review/<int:review_id>/decide/",
                view(self.review_decide_view),
                name=f"{name}_review_decide",
            ),
            *super().get_urls(),
        ]

    def _back_to_change_page(self, object_id):
        return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", object_id)

    def review_submit_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        occupation = super().get_object(request, object_id)
        if occupation is None:
            raise Http404
        if not self.has_change_permission(request, occupation):
            raise PermissionDenied
        try:
            review_submit(
                occupation=occupation, user=request.user, note=request.POST.get("note", "")
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Submitted for review. A reviewer will approve or reject it.")
        return self._back_to_change_page(object_id)

    def review_decide_view(self, request, object_id, review_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not can_review(request.user):
            raise PermissionDenied
        if not ReviewRequest.objects.filter(pk=review_id, occupation_id=object_id).exists():
            raise Http404
        comment = request.POST.get("comment", "")
        try:
            if "approve" in request.POST:
                review_approve(
                    review_id=review_id,
                    user=request.user,
                    comment=comment,
                    check_draft=True,
                    draft_saved_at=_posted_datetime(request.POST.get("draft_saved_at", "")),
                )
                messages.success(request, "Approved: the profile is published.")
            else:
                review_reject(review_id=review_id, user=request.user, comment=comment)
                messages.success(request, "Rejected: the editor sees your comment.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return self._back_to_change_page(object_id)


class DraftAdminMixin:
    """For the profile's ModelAdmin: drafts of live profiles (see `drafts.py`).

    A live profile's change page offers "Save as a draft"; once a draft exists the change
    page shows and saves the draft, with a panel to preview, publish or discard it."""

    def _draft_context(self, request, live, draft):
        return {
            "draft": draft,
            "draft_outdated": draft is not None and draft.base_token != live.edit_token,
            "can_save_as_draft": (
                draft is None
                and live.status == publishing.PUBLISHED
                and self.has_change_permission(request, live)
            ),
        }

    def _live_and_draft(self, request, object_id):
        """The profile and its draft (None when there is none), in one query."""
        queryset = self.get_queryset(request).select_related(
            "pending_draft__created_by", "pending_draft__updated_by"
        )
        try:
            live = queryset.get(pk=queryset.model._meta.pk.to_python(unquote(object_id)))
        except (queryset.model.DoesNotExist, ValidationError, ValueError):
            return None, None
        try:
            return live, live.pending_draft
        except ObjectDoesNotExist:
            return live, None

    def get_object(self, request, object_id, from_field=None):
        # The change page without a draft shows the record `changeform_view` just read.
        known = getattr(request, "draft_free_record", None)
        if known is not None and from_field is None and str(known.pk) == unquote(object_id):
            return known
        return super().get_object(request, object_id, from_field)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        parent_view = super().changeform_view
        live, draft = self._live_and_draft(request, object_id) if object_id else (None, None)
        if live is None:
            return parent_view(request, object_id, form_url, extra_context)
        context = {**(extra_context or {}), **self._draft_context(request, live, draft)}
        if request.method == "POST" and (draft is not None or "_save_draft" in request.POST):
            if not self.has_change_permission(request, live):
                raise PermissionDenied
            return self._draft_save(
                request, live, lambda: parent_view(request, object_id, form_url, context)
            )
        if draft is None:
            if request.method in ("GET", "HEAD"):
                request.draft_free_record = live
            return parent_view(request, object_id, form_url, context)

        def render():
            response = parent_view(request, object_id, form_url, context)
            if hasattr(response, "render"):
                response.render()
            return response

        try:
            return drafts.with_draft_applied(live, draft, render)
        except ValidationError as error:
            messages.error(request, self._unusable_draft(error))
            context["draft_unusable"] = True
            return parent_view(request, object_id, form_url, context)

    @staticmethod
    def _unusable_draft(error):
        return (
            "The draft no longer fits the catalogue and is not shown: "
            + " ".join(error.messages)
            + " Discard it to edit the live profile."
        )

    def _draft_save(self, request, live, save):
        request.saving_draft = True
        try:
            response, draft = drafts.draft_save(occupation_id=live.pk, user=request.user, save=save)
        except ValidationError as error:
            messages.error(request, self._unusable_draft(error))
            return redirect(request.get_full_path())
        if draft is None:
            return response  # the form with its errors, or the edit guard's notice
        messages.success(
            request,
            "Draft saved. Visitors still see the live profile until the draft is published.",
        )
        return redirect(request.get_full_path())

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if getattr(request, "saving_draft", False):
            # The revisions the edit guard compares with hold the live profile, not the
            # draft as the editor opened it: a change the page does not show may still be
            # one it posts (a row added in the draft), so every change stops the save.
            draft_now = drafts.pending_draft(obj.pk) if obj is not None else None
            return type(form.__name__, (form,), {"judge_by_page": False, "draft_now": draft_now})
        return form

    def message_user(self, request, *args, **kwargs):
        # The admin's "changed successfully" would be untrue for a draft save.
        if not getattr(request, "saving_draft", False):
            super().message_user(request, *args, **kwargs)

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/draft/preview/",
                view(self.draft_preview_view),
                name=f"{name}_draft_preview",
            ),
            path(
                "<path:object_id>/draft/publish/",
                view(self.draft_publish_view),
                name=f"{name}_draft_publish",
            ),
            path(
                "<path:object_id>/draft/discard/",
                view(self.draft_discard_view),
                name=f"{name}_draft_discard",
            ),
            *super().get_urls(),
        ]

    def _editable_profile(self, request, object_id):
        live = self.get_object(request, unquote(object_id))
        if live is None:
            raise Http404
        if not self.has_change_permission(request, live):
            raise PermissionDenied
        return live

    def _to_change_page(self, live):
        return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", live.pk)

    def draft_preview_view(self, request, object_id):
        """The draft's public page, as visitors would see it once published (never cached,
        never indexed); the live page is untouched."""
        from occupations.views import profile_page

        live = self._editable_profile(request, object_id)
        draft = drafts.pending_draft(live.pk)
        if draft is None:
            messages.info(request, "This profile has no draft to preview.")
            return self._to_change_page(live)

        def render():
            occupation = type(live).objects.for_detail().get(pk=live.pk)
            return profile_page(request, occupation, draft_preview=True)

        try:
            response = drafts.with_draft_applied(live, draft, render)
        except ValidationError as error:
            messages.error(request, self._unusable_draft(error))
            return self._to_change_page(live)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def draft_publish_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        live = self._editable_profile(request, object_id)
        try:
            drafts.draft_publish(
                occupation_id=live.pk,
                user=request.user,
                overwrite=request.POST.get("overwrite") == "on",
                check_saved_at=True,
                saved_at=_posted_datetime(request.POST.get("draft_saved_at", "")),
            )
        except drafts.DraftOutdated:
            messages.error(
                request,
                "Nothing was published: the live profile changed after this draft was "
                "started (see its history). Check the draft, then publish it again with "
                "“Replace the live changes” ticked, or discard it.",
            )
        except ValidationError as error:
            messages.error(request, "The draft was not published: " + " ".join(error.messages))
        else:
            messages.success(request, "The draft is published: visitors now see it.")
        return self._to_change_page(live)

    def draft_discard_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        live = self._editable_profile(request, object_id)
        saved_at = _posted_datetime(request.POST.get("draft_saved_at", ""))
        if saved_at is not None and drafts.draft_discard(occupation_id=live.pk, saved_at=saved_at):
            messages.success(request, "The draft is discarded; the live profile is unchanged.")
            return self._to_change_page(live)
        draft = drafts.pending_draft(live.pk)
        if draft is not None:
            editor = draft.updated_by
            who = (editor.get_full_name() or editor.get_username()) if editor else "an editor"
            messages.error(
                request,
                f"Nothing was discarded: {who} saved the draft at "
                f"{date_format(localtime(draft.updated_at), 'H:i T')}, after you opened the "
                "page. Check what the draft holds now, then discard it again if you still "
                "want to.",
            )
        return self._to_change_page(live)


def _posted_datetime(value: str):
    try:
        return parse_datetime(value)
    except ValueError:  # well formed but no such moment
        return None


class NewRowOutsideDraftsFormMixin:
    """An add form's check: a row added on its own page to a profile with a draft would be
    live at once, next to the draft."""

    def clean_occupation(self):
        occupation = self.cleaned_data.get("occupation")
        if occupation is not None and drafts.pending_draft(occupation.pk) is not None:
            raise ValidationError(
                "“%(profile)s” has a draft: add the row on the draft's page, where it stays "
                "out of the live profile until the draft is published.",
                code="profile_has_draft",
                params={"profile": occupation},
            )
        return occupation


class DraftRowAdminMixin:
    """For the admin of a profile's row with rows of its own (a key-fact table, an item
    list): while the profile has a draft, the page shows and saves the draft's version of
    the row and its rows, as the profile's change page does (`DraftAdminMixin`); the live
    row is untouched until the draft is published. Put it before the edit guard's mixin."""

    change_form_template = "admin/editorial/draft_row_change_form.html"

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        parent_view = super().changeform_view
        draft = drafts.draft_holding(self.model, unquote(object_id)) if object_id else None
        if draft is None:
            return parent_view(request, object_id, form_url, extra_context)
        request.row_draft = draft
        context = {**(extra_context or {}), "row_draft": draft}

        def work():
            if self.get_object(request, unquote(object_id)) is None:
                return self._not_in_draft(request, draft)
            response = parent_view(request, object_id, form_url, context)
            if hasattr(response, "render"):
                response.render()
            return response

        try:
            if request.method != "POST":
                return drafts.with_draft_applied(draft.occupation, draft, work)
            request.saving_draft = True
            response, saved = drafts.draft_save(
                occupation_id=draft.occupation_id, user=request.user, save=work
            )
        except ValidationError as error:
            messages.error(request, DraftAdminMixin._unusable_draft(error))
            return self._to_profile(draft)
        if saved is None:
            return response  # the form with its errors, the edit guard's notice, or refused
        messages.success(
            request,
            "Draft saved. Visitors still see the live profile until the draft is published.",
        )
        if "_continue" in request.POST:
            return redirect(request.get_full_path())
        return self._to_profile(draft)

    def _to_profile(self, draft):
        return redirect("admin:occupations_occupation_change", draft.occupation_id)

    def _not_in_draft(self, request, draft):
        messages.warning(
            request,
            f"This {self.opts.verbose_name} is not in the draft of “{draft.occupation}” (it was "
            "deleted there); it stays on the live page until the draft is published.",
        )
        response = self._to_profile(draft)
        # 303, not 302: `draft_save` takes a 302 for a saved form.
        response.status_code = 303
        return response

    def _presence(self, request, object_id):
        draft = None
        if self.get_object(request, unquote(object_id)) is None:
            draft = drafts.draft_holding(self.model, unquote(object_id))
        if draft is None:
            return super()._presence(request, object_id)
        # A row only the draft holds: stamped under its model and id, as a live row is.
        if not self.has_change_permission(request):
            raise PermissionDenied
        record = self.model(pk=self.model._meta.pk.to_python(unquote(object_id)))
        return JsonResponse({"others": presence_stamp(record=record, user=request.user)})

    def delete_view(self, request, object_id, extra_context=None):
        draft = drafts.draft_holding(self.model, unquote(object_id))
        if draft is None:
            return super().delete_view(request, object_id, extra_context)
        messages.error(
            request,
            f"Nothing was deleted: “{draft.occupation}” has a draft. Delete the "
            f"{self.opts.verbose_name} in the draft (tick its “Delete” box on the draft's "
            "page), or discard the draft first.",
        )
        return self._to_profile(draft)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None:
            return form
        return type(form.__name__, (NewRowOutsideDraftsFormMixin, form), {})

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        # Moved to another profile, the row would leave this draft and never reach the other.
        if getattr(request, "row_draft", None) is not None:
            return [*fields, "occupation"]
        return fields

    def has_delete_permission(self, request, obj=None):
        if getattr(request, "row_draft", None) is not None:
            return False  # deleted on the draft's page (see `delete_view`)
        return super().has_delete_permission(request, obj)

    def message_user(self, request, *args, **kwargs):
        # The admin's "changed successfully" would be untrue for a draft save.
        if not getattr(request, "saving_draft", False):
            super().message_user(request, *args, **kwargs)


class ReadOnlyAdmin(admin.ModelAdmin):
    """A log: readable by who may view it, never added, changed or deleted by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "occupation_title", "actor", "detail"]
    list_filter = ["action", "created_at"]
    search_fields = ["occupation_title", "actor__username", "detail"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"
    fields = ["created_at", "action", "occupation", "occupation_title", "actor", "detail"]
    readonly_fields = fields


@admin.register(ReviewRequest)
class ReviewRequestAdmin(ReadOnlyAdmin):
    list_display = ["occupation", "status", "requested_by", "requested_at", "reviewer"]
    list_filter = ["status"]
    search_fields = ["occupation__title", "note", "comment"]
    list_select_related = ["occupation", "requested_by", "reviewer"]
    fields = [
        "occupation",
        "status",
        "requested_by",
        "requested_at",
        "note",
        "reviewer",
        "decided_at",
        "comment",
    ]
    readonly_fields = fields
