"""schema.org structured data for a profile page, built from a `for_detail()` occupation.

No queries: everything comes from the prefetched rows. The salary figures are the same
integers the page prints, so search engines and visitors read the same numbers.
https://schema.org/Occupation, https://developers.google.com/search/docs/appearance/structured-data
"""

import json

from django.utils.html import format_html
from django.utils.safestring import mark_safe

from . import enums

# Like Django's json_script: "<", ">" and "&" become \u escapes, so no text in a profile
# (e.g. "</script>") can close the script element.
JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def _credential(name, *, category="", issuer="", description=""):
    credential = {"@type": "EducationalOccupationalCredential", "name": name}
    if category:
        credential["credentialCategory"] = category
    if issuer:
        credential["recognizedBy"] = {"@type": "Organization", "name": issuer}
    if description:
        credential["description"] = description
    return credential


def _qualification_credential(link):
    qualification = link.qualification
    notes = [
        text
        for text in (link.get_requirement_display() if link.requirement else "", link.label)
        if text
    ]
    return _credential(
        qualification.name,
        category=qualification.get_kind_display(),
        issuer=qualification.issuer,
        description=" — ".join(notes),
    )


def _once(listed, credentials):
    """The credentials whose name is not in `listed` yet; a repeat only fills in details
    (issuer, category) the first mention lacked."""
    new = []
    for credential in credentials:
        key = credential["name"].casefold()
        if key in listed:
            for name, value in credential.items():
                listed[key].setdefault(name, value)
            continue
        listed[key] = credential
        new.append(credential)
    return new


# schema.org's percentile properties, from the BLS annual figures; a top-coded or
# unavailable figure is left out rather than written as a number.
PERCENTILES = {
    "percentile10": "annual_p10",
    "percentile25": "annual_p25",
    "median": "annual_median",
    "percentile75": "annual_p75",
    "percentile90": "annual_p90",
}


def _wage_distribution(statistic):
    distribution = {
        "@type": "MonetaryAmountDistribution",
        "name": f"BLS OEWS {statistic.release}, United States",
        "currency": "USD",
        "duration": "P1Y",
    }
    for key, name in PERCENTILES.items():
        value = getattr(statistic, name)
        if value is not None:
            distribution[key] = value
    return distribution


def occupation_node(occupation, *, page_url):
    """The schema.org Occupation for one profile."""
    qualifications = list(occupation.occupation_qualifications.all())
    education_group = enums.QualificationGroup.EDUCATION
    node = {
        "@type": "Occupation",
        "@id": f"{page_url}#occupation",
        "name": occupation.title,
        "description": occupation.summary,
        "occupationalCategory": {
            "@type": "CategoryCode",
            "codeValue": occupation.code,
            "inCodeSet": {
                "@type": "CategoryCodeSet",
                "name": occupation.get_code_classification_display(),
            },
        },
        "mainEntityOfPage": {"@type": "WebPage", "@id": page_url, "url": page_url},
    }
    if occupation.last_reviewed:
        node["mainEntityOfPage"]["lastReviewed"] = occupation.last_reviewed.isoformat()
    alternate_names = [alt.title for alt in occupation.alternate_titles.all()]
    if alternate_names:
        node["alternateName"] = alternate_names
    salaries = [
        {
            "@type": "MonetaryAmountDistribution",
            "name": band.level,
            "currency": band.currency,
            "duration": "P1Y",
            "minValue": band.annual_min,
            "maxValue": band.annual_max,
        }
        for band in occupation.salary_bands.all()
    ]
    salaries += [_wage_distribution(statistic) for statistic in occupation.wage_statistics.all()]
    if salaries:
        node["estimatedSalary"] = salaries
    # A credential is listed once, under the first list that names it: a profile may give a
    # degree as an education step and as a qualification, or one qualification twice.
    listed = {}
    education = _once(
        listed,
        [_credential(step.stage) for step in occupation.education_steps.all()]
        + [
            _qualification_credential(link)
            for link in qualifications
            if link.group == education_group
        ],
    )
    if education:
        node["educationRequirements"] = education
    other_qualifications = _once(
        listed,
        [
            _qualification_credential(link)
            for link in qualifications
            if link.group != education_group
        ],
    )
    if other_qualifications:
        node["qualifications"] = other_qualifications
    skills = list(dict.fromkeys(link.skill.name for link in occupation.occupation_skills.all()))
    if skills:
        node["skills"] = skills
    duties = [duty.text for duty in occupation.duties.all()]
    if duties:
        node["responsibilities"] = duties
    return node


def breadcrumb_node(occupation, *, page_url, trail):
    """BreadcrumbList for `trail` [(name, url), ...] followed by the profile itself."""
    crumbs = [*trail, (occupation.title, page_url)]
    return {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": url}
            for position, (name, url) in enumerate(crumbs, start=1)
        ],
    }


def faq_node(occupation, *, page_url):
    faqs = list(occupation.faqs.all())
    if not faqs:
        return None
    return {
        "@type": "FAQPage",
        "@id": f"{page_url}#faq",
        "mainEntity": [
            {
                "@type": "Question",
                "name": faq.question,
                "acceptedAnswer": {"@type": "Answer", "text": faq.answer},
            }
            for faq in faqs
        ],
    }


def profile_structured_data(occupation, *, page_url, trail):
    """The JSON-LD document: one @graph with the Occupation, its breadcrumbs and FAQ."""
    graph = [
        occupation_node(occupation, page_url=page_url),
        breadcrumb_node(occupation, page_url=page_url, trail=trail),
    ]
    faq = faq_node(occupation, page_url=page_url)
    if faq:
        graph.append(faq)
    return {"@context": "https://schema.org", "@graph": graph}


def json_ld_script(data):
    """A <script type="application/ld+json"> element that content cannot break out of."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(
        JSON_SCRIPT_ESCAPES
    )
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308
