"""Very large row tables of the profile's change page, in pages.

O*NET lists up to 2,749 alternate titles for one occupation; as one table that is 10 MB of
form and half a minute of rendering. A table with more rows than `ROWS_PER_PAGE` shows one
page of them (`?<prefix>-page=N`, beside the section); the page's form posts only the rows
it shows, and the save touches only those (rows on other pages keep their values, and their
positions count as taken). The history's revert pages and the add page show every row.
"""

from dataclasses import dataclass

from django.core.paginator import Paginator

from .admin_sections import WHOLE_PROFILE_FLAG

ROWS_PER_PAGE = 50


def page_param(prefix: str) -> str:
    return f"{prefix}-page"


def requested_page(request, prefix: str) -> int:
    """The page number asked for; anything but a positive number is the first page."""
    value = request.GET.get(page_param(prefix), "")
    return int(value) if value.isdigit() and int(value) > 0 else 1


@dataclass(frozen=True)
class RowsPage:
    """Page `number` of a table of `count` rows."""

    number: int
    count: int
    per_page: int = ROWS_PER_PAGE

    @classmethod
    def clamped(cls, number: int, count: int) -> "RowsPage":
        pages = max(1, -(-count // ROWS_PER_PAGE))
        return cls(number=min(max(number, 1), pages), count=count)

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.per_page))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.per_page

    @property
    def first(self) -> int:
        return self.offset + 1

    @property
    def last(self) -> int:
        return min(self.offset + self.per_page, self.count)


def pager(query_dict, prefix: str, page: RowsPage) -> dict:
    """Links to the table's pages (the current one marked, long runs elided, previous and
    next), each keeping the rest of the query string (the section, the list's filters)."""

    def query(number):
        params = query_dict.copy()
        params[page_param(prefix)] = str(number)
        return "?" + params.urlencode()

    numbers = Paginator(range(page.count), page.per_page).get_elided_page_range(
        page.number, on_each_side=2, on_ends=1
    )
    return {
        "links": [
            {"number": number, "query": query(number), "current": number == page.number}
            if isinstance(number, int)
            else {"number": None}
            for number in numbers
        ],
        "previous": query(page.number - 1) if page.number > 1 else "",
        "next": query(page.number + 1) if page.number < page.pages else "",
    }


class PagedRowsAdminMixin:
    """For the profile's ModelAdmin, whose inlines' formsets take `rows_page`."""

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if (
            obj is not None
            and obj.pk is not None
            and not getattr(request, WHOLE_PROFILE_FLAG, False)
        ):
            kwargs["rows_page"] = requested_page(request, prefix)
        return kwargs

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        for inline_admin_formset in context.get("inline_admin_formsets", []):
            formset = inline_admin_formset.formset
            page = getattr(formset, "rows_page", None)
            if page is not None:
                inline_admin_formset.rows_page = page
                inline_admin_formset.pager = pager(request.GET, formset.prefix, page)
        return super().render_change_form(request, context, add, change, form_url, obj)
