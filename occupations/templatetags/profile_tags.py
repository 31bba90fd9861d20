"""Filters for the profile page: money and ranges written out, safe Markdown, chart geometry."""

import re

import markdown
import nh3
from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}

# What Markdown in a narrative section may produce; everything else is stripped (tags) or
# dropped with its content (script, style). Links keep only safe schemes.
MARKDOWN_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h4", "h5", "h6",
}  # fmt: skip
MARKDOWN_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
MARKDOWN_URL_SCHEMES = {"http", "https", "mailto"}
HEADING_TAG = re.compile(r"<(/?)h([1-6])\b", re.IGNORECASE)


@register.filter
def money(amount, currency="USD"):
    """55000, "USD" -> "$55,000"; other currencies keep their code: "AUD 55,000"."""
    if amount is None:
        return "Not stated"
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{symbol}{amount:,}" if symbol else f"{currency} {amount:,}"


@register.simple_tag
def money_range(low, high, currency="USD"):
    """ "$55,000 – $75,000", a single figure when both ends agree, "Not stated" when unknown."""
    if low is None and high is None:
        return "Not stated"
    if low is None:
        return f"up to {money(high, currency)}"
    if high is None:
        return f"from {money(low, currency)}"
    if low == high:
        return money(low, currency)
    return f"{money(low, currency)} – {money(high, currency)}"


@register.simple_tag
def years_range(low, high):
    """Experience in years: "0–3 years", "7+ years", "Not stated"."""
    if low is None and high is None:
        return "Not stated"
    if high is None:
        return f"{low}+ years"
    if low is None:
        return f"up to {high} years"
    return f"{low}–{high} years"


@register.filter
def short_money(amount, currency="USD"):
    """An axis label: 75000 -> "$75k"."""
    symbol = CURRENCY_SYMBOLS.get(currency, "")
    if amount >= 1000 and amount % 1000 == 0:
        return f"{symbol}{amount // 1000:,}k"
    if amount >= 1000:
        return f"{symbol}{amount / 1000:,.1f}k"
    return f"{symbol}{amount:,}"


@register.filter
def score(value):
    """A 0-10 score as the page prints it: "6.5 / 10" or "Not rated"."""
    if value is None:
        return "Not rated"
    return f"{value.normalize():f} / 10" if hasattr(value, "normalize") else f"{value} / 10"


@register.filter
def percent(value):
    """A chart coordinate for SVG/CSS, never localised: 42.5 -> "42.5%"."""
    return f"{float(value):.2f}%"


def _demote_headings(html, top):
    """Map the heading levels used, in order, onto top, top+1, ... (at most h6).

    The page's own outline owns h1-h3; whatever levels an author typed keep their order
    without skipping a level (WCAG 1.3.1, "Headings and labels").
    """
    levels = sorted({int(level) for _slash, level in HEADING_TAG.findall(html)})
    mapping = {level: min(top + index, 6) for index, level in enumerate(levels)}
    return HEADING_TAG.sub(lambda m: f"<{m.group(1)}h{mapping[int(m.group(2))]}", html)


@register.filter
def markdown_safe(text, top_heading=4):
    """Markdown to HTML, headings demoted below the page's own, then sanitised by nh3."""
    if not text:
        return ""
    html = markdown.markdown(text, extensions=["sane_lists"], output_format="html")
    html = _demote_headings(html, int(top_heading))
    cleaned = nh3.clean(
        html,
        tags=MARKDOWN_TAGS,
        attributes=MARKDOWN_ATTRIBUTES,
        url_schemes=MARKDOWN_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308 - sanitised by nh3 with an allow-list just above


@register.filter
def chart_height(rows, row_height):
    """Height in pixels of a chart with `rows` rows of `row_height` each."""
    return int(rows) * int(row_height)


@register.filter
def row_offset(index, row_height):
    """Top of row `index` (0-based) in a chart of rows `row_height` high."""
    return int(index) * int(row_height)


PLACEHOLDER = re.compile(r"\[[^\[\]\n]{1,60}\]")


@register.filter
def mark_placeholders(text):
    """Escape a letter and mark its [Placeholders] so a reader sees what to replace."""
    escaped = conditional_escape(text)
    return mark_safe(  # noqa: S308 - built from escaped text
        PLACEHOLDER.sub(lambda m: f'<mark class="placeholder">{m.group(0)}</mark>', escaped)
    )


@register.filter
def http_url(url):
    """The URL when it is http(s), else "": a stored javascript: URL never becomes a link."""
    return url if str(url).lower().startswith(("https://", "http://")) else ""
