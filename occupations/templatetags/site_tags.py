"""Tags for the site frame and the index: absolute URLs, search highlights, JSON-LD, money."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import mark_safe

from ..formatting import absolute_url
from ..search import HIGHLIGHT_START, HIGHLIGHT_STOP

register = template.Library()

# Like Django's json_script: "<", ">" and "&" become \u escapes, so no text can close the
# script element (https://html.spec.whatwg.org/#restrictions-for-contents-of-script-elements).
JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}
CURRENCY_SYMBOLS = {"USD": "$"}


@register.simple_tag(takes_context=True, name="absolute_url")
def absolute_url_tag(context, path=None):
    """The absolute URL of `path` (default: this page without its query string)."""
    request = context.get("request")
    if path is None:
        path = request.path if request is not None else "/"
    return absolute_url(request, path)


@register.filter
def highlight(headline, max_words=None):
    """Escape a search headline, then turn only our private markers into <mark> elements.

    With `max_words`, a longer text is cut to that many words around the first highlight
    (a few words of lead-in), with "…" where it was cut and any open highlight closed.
    """
    if headline is None:
        return ""
    words = headline.split()
    if max_words and len(words) > int(max_words):
        limit = int(max_words)
        first = next((i for i, word in enumerate(words) if HIGHLIGHT_START in word), 0)
        start = max(0, min(first - 8, len(words) - limit))
        kept = words[start : start + limit]
        if HIGHLIGHT_STOP in kept[0] and HIGHLIGHT_START not in kept[0]:
            kept[0] = kept[0].replace(HIGHLIGHT_STOP, "")
        headline = " ".join(kept)
        if headline.count(HIGHLIGHT_START) > headline.count(HIGHLIGHT_STOP):
            headline += HIGHLIGHT_STOP
        headline = ("…" if start else "") + headline + ("…" if start + limit < len(words) else "")
    text = escape(headline)
    return mark_safe(  # noqa: S308 - every character but the markers was escaped above
        text.replace(HIGHLIGHT_START, "<mark>").replace(HIGHLIGHT_STOP, "</mark>")
    )


def json_ld_script(data):
    """A <script type="application/ld+json"> element that text in `data` cannot break out of."""
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return mark_safe(  # noqa: S308 - <, > and & are \u-escaped
        f'<script type="application/ld+json">{payload.translate(JSON_SCRIPT_ESCAPES)}</script>'
    )


@register.simple_tag(takes_context=True)
def breadcrumb_json_ld(context, crumbs):
    """schema.org BreadcrumbList for `crumbs`, a list of (name, path) pairs."""
    request = context.get("request")
    return json_ld_script(
        {
            "@context": "https://schema.org",
            "@type": "BreadcrumbList",
            "itemListElement": [
                {
                    "@type": "ListItem",
                    "position": position,
                    "name": name,
                    "item": absolute_url(request, path),
                }
                for position, (name, path) in enumerate(crumbs, start=1)
            ],
        }
    )


def money(amount, currency):
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{symbol}{amount:,}" if symbol else f"{amount:,}"


@register.simple_tag
def salary_range(low, high, currency="USD"):
    """ "$55,000–$120,000 USD", or "Salary not stated" when there are no bands."""
    if low is None or high is None:
        return "Salary not stated"
    currency = currency or "USD"
    if low == high:
        return f"{money(low, currency)} {currency}"
    return f"{money(low, currency)}–{money(high, currency)} {currency}"


@register.filter
def rating(score):
    """An overall or dimension score out of 10, or "Not rated"."""
    if score is None or score == "":
        return "Not rated"
    return f"{score} / 10"


@register.simple_tag(takes_context=True)
def nav_current(context, path):
    """` aria-current="page"` on the link to this page, `="true"` inside its section."""
    request = context.get("request")
    current = request.path if request is not None else ""
    if current == path:
        return mark_safe(' aria-current="page"')
    if path != "/" and current.startswith(path):
        return mark_safe(' aria-current="true"')
    return ""


@register.filter
def field_widget(field):
    """A form field's widget, tied to its error message for screen readers when invalid."""
    extra = (
        {"aria-invalid": "true", "aria-describedby": f"{field.auto_id}-error"}
        if field.errors
        else {}
    )
    # What BoundField.as_widget() hands to widget.render(), then the HTML from memory when
    # the very same inputs were rendered before: Django renders every <option> through
    # two templates, most of the index's rendering time.
    widget = field.field.widget
    attrs = field.build_widget_attrs(extra, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    value = field.value()
    if hasattr(widget, "choices"):
        # One read (a query for model choices); not list(), which would ask for a count first.
        widget.choices = [choice for choice in widget.choices]  # noqa: C416
    key = (
        type(widget),
        widget.template_name,
        field.html_name,
        _frozen(value),
        _frozen(attrs),
        _frozen(widget.attrs),
        _frozen(getattr(widget, "choices", None)),
        translation.get_language(),
    )
    html = _WIDGET_HTML.get(key)
    if html is None:
        html = widget.render(
            name=field.html_name, value=value, attrs=attrs, renderer=field.form.renderer
        )
        if len(_WIDGET_HTML) >= WIDGET_HTML_LIMIT:
            _WIDGET_HTML.clear()
        _WIDGET_HTML[key] = html
    return html


WIDGET_HTML_LIMIT = 512
_WIDGET_HTML = {}


def _frozen(value):
    """A hashable stand-in for a widget input: lists, dicts and choice values as text."""
    if isinstance(value, dict):
        return tuple((str(k), _frozen(v)) for k, v in value.items())
    if isinstance(value, list | tuple):
        return tuple(_frozen(item) for item in value)
    if value is None or isinstance(value, int):
        return (type(value).__name__, value)  # True and 1 are equal keys otherwise
    return (type(value).__name__, str(value))


@register.simple_tag(takes_context=True)
def website_json_ld(context):
    """schema.org WebSite with its SearchAction: the index's search box, for search engines."""
    home = absolute_url(context.get("request"), "/")
    return json_ld_script(
        {
            "@context": "https://schema.org",
            "@type": "WebSite",
            "name": "CareerGraph",
            "url": home,
            "potentialAction": {
                "@type": "SearchAction",
                "target": {
                    "@type": "EntryPoint",
                    "urlTemplate": f"{home}?q={{search_term_string}}",
                },
                "query-input": "required name=search_term_string",
            },
        }
    )
