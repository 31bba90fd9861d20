"""The profile's change page in sections: each section renders, validates and saves only
its own fields and row tables, so a large profile is edited in pages of a usable size.

A section is chosen by the `section` query parameter (the form posts back to its own URL,
so the parameter survives a save with errors and the edit guard's conflict page; Django's
"Save and continue" keeps the query string). Without the parameter the first section opens;
`section=all` shows the whole profile on one page, as does the add page (a new profile has
no rows yet). Which section edits a collection is the collection's `section` in the
registry; the profile's own fields are grouped here.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from .registry import COLLECTIONS

SECTION_PARAM = "section"
WHOLE_PROFILE = "all"
# Set on a request whose change form must show every section (history's revert pages).
WHOLE_PROFILE_FLAG = "change_page_whole_profile"


@dataclass(frozen=True)
class Section:
    """One page of the profile's change form: the profile's own fields it edits (as admin
    fieldsets) and, through the registry, the collections it edits."""

    slug: str
    title: str
    fieldsets: tuple = ()  # ((fieldset name, (field, ...)), ...)

    @property
    def collections(self):
        return tuple(c for c in COLLECTIONS if c.section == self.slug)


# In the order of the public page, as far as a section can follow it.
SECTIONS = (
    Section(
        "overview",
        "Overview",
        (
            (
                "Identity and classification",
                ("title", "slug", "code", "code_classification", "code_source", "sector"),
            ),
            ("Summary", ("summary",)),
            (
                "Publication",
                (
                    "status",
                    "publish_at",
                    "unpublish_at",
                    "schedule",
                    "published_at",
                    "last_reviewed",
                ),
            ),
        ),
    ),
    # O*NET lists up to 2,749 alternate titles for one occupation: a section of their own.
    Section("titles", "Alternate titles"),
    Section("duties", "Duties and tasks"),
    Section("skills", "Skills and qualifications"),
    Section(
        "pay",
        "Pay and outlook",
        (("Ratings and outlook", ("overall_rating", "career_progression", "market_outlook")),),
    ),
    Section("education", "Education and pathway"),
    Section(
        "ai",
        "AI impact",
        (
            (
                "AI era",
                (
                    "ai_outlook",
                    "ai_verdict",
                    "ai_horizon",
                    "ai_summary",
                    "ai_summary_source",
                    "entry_level_outlook",
                    "level_up_target_role",
                    "level_up_advice",
                ),
            ),
        ),
    ),
    Section(
        "visas",
        "Visas and migration",
        (
            (
                "Migration",
                ("skilled_migration", "migration_code", "migration_code_classification"),
            ),
        ),
    ),
    Section("faqs", "FAQs and glossary"),
    Section(
        "related",
        "Related and sources",
        (("Closing matter", ("sample_cover_letter", "data_sources_note", "disclaimer")),),
    ),
)
SECTIONS_BY_SLUG = {section.slug: section for section in SECTIONS}
DEFAULT_SECTION = SECTIONS[0]


def admin_fieldsets(sections=SECTIONS) -> list:
    """The sections' own fields as ModelAdmin fieldsets."""
    return [
        (name, {"fields": list(fields)})
        for section in sections
        for name, fields in section.fieldsets
    ]


FIELDSET_SECTIONS = {name: section for section in SECTIONS for name, _ in section.fieldsets}


def requested_section(request, obj) -> Section | None:
    """The section a request edits; None for the whole profile (add page, `section=all`,
    history). An unknown section opens the first one, never an error page."""
    if obj is None or getattr(request, WHOLE_PROFILE_FLAG, False):
        return None
    slug = request.GET.get(SECTION_PARAM, "")
    if slug == WHOLE_PROFILE:
        return None
    return SECTIONS_BY_SLUG.get(slug, DEFAULT_SECTION)


def section_query(slug: str) -> str:
    return "?" + urlencode({SECTION_PARAM: slug})


def navigation(current: Section | None) -> list[dict]:
    """The section links of the change page, the current one marked."""
    links = [
        {
            "title": section.title,
            "query": section_query(section.slug),
            "current": section == current,
        }
        for section in SECTIONS
    ]
    links.append(
        {
            "title": "Whole profile",
            "query": section_query(WHOLE_PROFILE),
            "current": current is None,
        }
    )
    return links


def page_parts(adminform, inline_admin_formsets) -> list[dict]:
    """The fieldsets and row tables on the page, grouped by section in section order, each
    fieldset with its index on the page (its element ids are numbered by it)."""
    parts = {
        section.slug: {"section": section, "fieldsets": [], "inlines": []} for section in SECTIONS
    }
    for index, fieldset in enumerate(adminform):
        parts[FIELDSET_SECTIONS[fieldset.name].slug]["fieldsets"].append((index, fieldset))
    for inline_admin_formset in inline_admin_formsets:
        parts[inline_admin_formset.opts.section]["inlines"].append(inline_admin_formset)
    return [part for part in parts.values() if part["fieldsets"] or part["inlines"]]


class SectionedChangePageMixin:
    """For the profile's ModelAdmin (whose inlines carry their collection's `section`)."""

    def get_fieldsets(self, request, obj=None):
        section = requested_section(request, obj)
        if section is None:
            return super().get_fieldsets(request, obj)
        return admin_fieldsets([section])

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        section = requested_section(request, obj)
        if section is None:
            return inlines
        return [inline for inline in inlines if inline.section == section.slug]

    def get_prepopulated_fields(self, request, obj=None):
        # The slug follows the title only where both are on the page.
        shown = {
            name for _, options in self.get_fieldsets(request, obj) for name in options["fields"]
        }
        return {
            field: sources
            for field, sources in super().get_prepopulated_fields(request, obj).items()
            if field in shown and all(source in shown for source in sources)
        }

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        section = requested_section(request, obj)
        context["change_page_section"] = section
        if obj is not None and obj.pk is not None:
            context["change_page_sections"] = navigation(section)
        context["change_page_parts"] = page_parts(
            context["adminform"], context.get("inline_admin_formsets", [])
        )
        return super().render_change_form(request, context, add, change, form_url, obj)
