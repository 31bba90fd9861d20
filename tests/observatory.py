"""The MDN HTTP Observatory's grade, computed from responses of the Django test client.

A transcription of the rules of algorithm v6 (github.com/mdn/mdn-http-observatory:
src/analyzer/tests/*.js for the results, src/grader/charts.js for the modifiers,
src/scanner/index.js for the sum), for the ten tests it runs. One part cannot be known
here: whether a host is on the browsers' HSTS preload list, so HSTS is never "preloaded".
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

MODIFIERS = {
    "csp-implemented-with-no-unsafe-default-src-none": 10,
    "csp-implemented-with-no-unsafe": 5,
    "csp-implemented-with-unsafe-inline-in-style-src-only": 0,
    "csp-implemented-with-insecure-scheme-in-passive-content-only": -10,
    "csp-implemented-with-unsafe-eval": -10,
    "csp-implemented-with-unsafe-inline": -20,
    "csp-implemented-with-insecure-scheme": -20,
    "csp-header-invalid": -25,
    "csp-not-implemented": -25,
    "cookies-secure-with-httponly-sessions-and-samesite": 5,
    "cookies-secure-with-httponly-sessions": 0,
    "cookies-not-found": 0,
    "cookies-without-secure-flag-but-protected-by-hsts": -5,
    "cookies-session-without-secure-flag-but-protected-by-hsts": -10,
    "cookies-without-secure-flag": -20,
    "cookies-samesite-flag-invalid": -20,
    "cookies-anticsrf-without-samesite-flag": -20,
    "cookies-session-without-httponly-flag": -30,
    "cookies-session-without-secure-flag": -40,
    "cross-origin-resource-sharing-not-implemented": 0,
    "cross-origin-resource-sharing-implemented-with-public-access": 0,
    "cross-origin-resource-sharing-implemented-with-restricted-access": 0,
    "cross-origin-resource-sharing-implemented-with-universal-access": -50,
    "redirection-to-https": 0,
    "redirection-off-host-from-http": -5,
    "redirection-not-to-https-on-initial-redirection": -10,
    "redirection-not-to-https": -20,
    "redirection-missing": -20,
    "referrer-policy-private": 5,
    "referrer-policy-not-implemented": 0,
    "referrer-policy-unsafe": -5,
    "referrer-policy-header-invalid": -5,
    "hsts-implemented-max-age-at-least-six-months": 0,
    "hsts-implemented-max-age-less-than-six-months": -10,
    "hsts-not-implemented": -20,
    "hsts-header-invalid": -20,
    "sri-implemented-and-all-scripts-loaded-securely": 5,
    "sri-implemented-and-external-scripts-loaded-securely": 5,
    "sri-not-implemented-response-not-html": 0,
    "sri-not-implemented-but-no-scripts-loaded": 0,
    "sri-not-implemented-but-all-scripts-loaded-from-secure-origin": 0,
    "sri-not-implemented-but-external-scripts-loaded-securely": -5,
    "sri-implemented-but-external-scripts-not-loaded-securely": -20,
    "sri-not-implemented-and-external-scripts-not-loaded-securely": -50,
    "x-content-type-options-nosniff": 0,
    "x-content-type-options-not-implemented": -5,
    "x-content-type-options-header-invalid": -5,
    "x-frame-options-implemented-via-csp": 5,
    "x-frame-options-sameorigin-or-deny": 0,
    "x-frame-options-allow-from-origin": 0,
    "x-frame-options-not-implemented": -20,
    "x-frame-options-header-invalid": -20,
    "cross-origin-resource-policy-implemented-with-same-origin": 10,
    "cross-origin-resource-policy-implemented-with-same-site": 10,
    "cross-origin-resource-policy-implemented-with-cross-origin": 0,
    "cross-origin-resource-policy-not-implemented": 0,
    "cross-origin-resource-policy-header-invalid": -5,
}
MINIMUM_SCORE_FOR_EXTRA_CREDIT = 90
BROAD = {"ftp:", "http:", "https:", "*", "http://*", "http://*.*", "https://*", "https://*.*"}
UNSAFE_INLINE = {"'unsafe-inline'", "data:"}
SIX_MONTHS = 15_552_000


@dataclass
class Grade:
    score: int
    results: dict = field(default_factory=dict)

    @property
    def letter(self):
        return "A+" if self.score >= 100 else "below A+"


def grade(*, https, http, cors):
    """The grade of a page from its HTTPS response, its plain-HTTP response and its response
    to a request with an Origin header."""
    results = {
        "content-security-policy": csp_result(https),
        "cookies": cookies_result(https),
        "cross-origin-resource-sharing": cors_result(cors),
        "redirection": redirection_result(http),
        "referrer-policy": referrer_result(https),
        "strict-transport-security": hsts_result(https),
        "subresource-integrity": sri_result(https),
        "x-content-type-options": xcto_result(https),
        "x-frame-options": xfo_result(https),
        "cross-origin-resource-policy": corp_result(https),
    }
    modifiers = [MODIFIERS[result] for result in results.values()]
    uncurved = 100 + sum(m for m in modifiers if m < 0)
    with_credit = 100 + sum(modifiers)
    score = with_credit if uncurved >= MINIMUM_SCORE_FOR_EXTRA_CREDIT else uncurved
    return Grade(max(score, 0), results)


def parse_csp(header):
    """{directive: set of sources}; None when the header cannot be parsed."""
    policy = {}
    for directive in header.split(";"):
        words = directive.strip().split()
        if not words:
            continue
        name = words[0].lower()
        if not re.fullmatch(r"[a-z-]+", name):
            return None
        policy.setdefault(name, {word.lower() for word in words[1:]} or {"'none'"})
    return policy


def csp_result(response):
    header = response.headers.get("Content-Security-Policy")
    if not header:
        return "csp-not-implemented"
    csp = parse_csp(header)
    if csp is None:
        return "csp-header-invalid"
    default = csp.get("default-src")
    script = set(csp.get("script-src") or default or {"*"})
    style = set(csp.get("style-src") or default or {"*"})
    objects = csp.get("object-src") or default or {"*"}
    for sources in (script, style):
        if any(s.startswith(("'sha256-", "'sha384-", "'sha512-", "'nonce-")) for s in sources):
            sources.discard("'unsafe-inline'")
    if script & (BROAD | UNSAFE_INLINE) or objects & BROAD:
        return "csp-implemented-with-unsafe-inline"
    active = [s for name, v in csp.items() if name not in {"img-src", "media-src"} for s in v]
    if any(source.startswith(("http:", "ftp:")) for source in active):
        return "csp-implemented-with-insecure-scheme"
    if "'unsafe-eval'" in script | style:
        return "csp-implemented-with-unsafe-eval"
    passive = [s for name in ("img-src", "media-src") for s in csp.get(name) or default or ()]
    if any(source.startswith(("http:", "ftp:")) for source in passive):
        return "csp-implemented-with-insecure-scheme-in-passive-content-only"
    if style & (BROAD | UNSAFE_INLINE):
        return "csp-implemented-with-unsafe-inline-in-style-src-only"
    if default == {"'none'"}:
        return "csp-implemented-with-no-unsafe-default-src-none"
    return "csp-implemented-with-no-unsafe"


def worst(current, candidate, order):
    if current is None or order.index(candidate) > order.index(current):
        return candidate
    return current


COOKIE_ORDER = [
    "cookies-without-secure-flag-but-protected-by-hsts",
    "cookies-without-secure-flag",
    "cookies-session-without-secure-flag-but-protected-by-hsts",
    "cookies-samesite-flag-invalid",
    "cookies-anticsrf-without-samesite-flag",
    "cookies-session-without-httponly-flag",
    "cookies-session-without-secure-flag",
]


def cookies_result(response):
    cookies = list(response.cookies.values())
    if not cookies:
        return "cookies-not-found"
    hsts = hsts_result(response) == "hsts-implemented-max-age-at-least-six-months"
    result = None
    missing_samesite = False
    for cookie in cookies:
        name = cookie.key.lower()
        session = "login" in name or "sess" in name
        samesite = str(cookie["samesite"]).lower()
        secure = bool(cookie["secure"])
        if samesite and samesite not in {"lax", "strict", "none"}:
            result = worst(result, "cookies-samesite-flag-invalid", COOKIE_ORDER)
        if not secure and samesite == "none":
            result = worst(result, "cookies-samesite-flag-invalid", COOKIE_ORDER)
        if not secure:
            flag = "cookies-without-secure-flag"
            result = worst(result, f"{flag}-but-protected-by-hsts" if hsts else flag, COOKIE_ORDER)
        if "csrf" in name and not samesite:
            result = worst(result, "cookies-anticsrf-without-samesite-flag", COOKIE_ORDER)
        if session and not secure:
            flag = "cookies-session-without-secure-flag"
            result = worst(result, f"{flag}-but-protected-by-hsts" if hsts else flag, COOKIE_ORDER)
        if session and not cookie["httponly"]:
            result = worst(result, "cookies-session-without-httponly-flag", COOKIE_ORDER)
        missing_samesite = missing_samesite or not samesite
    if result:
        return result
    if missing_samesite:
        return "cookies-secure-with-httponly-sessions"
    return "cookies-secure-with-httponly-sessions-and-samesite"


def cors_result(response):
    allowed = response.headers.get("Access-Control-Allow-Origin")
    if not allowed:
        return "cross-origin-resource-sharing-not-implemented"
    if allowed.strip() == "*":
        return "cross-origin-resource-sharing-implemented-with-public-access"
    credentials = response.headers.get("Access-Control-Allow-Credentials", "")
    if allowed == response.wsgi_request.headers.get("Origin") and credentials.lower() == "true":
        return "cross-origin-resource-sharing-implemented-with-universal-access"
    return "cross-origin-resource-sharing-implemented-with-restricted-access"


def redirection_result(response):
    """The first hop from http:// (the test client follows no redirects)."""
    location = response.headers.get("Location")
    if response.status_code not in {301, 302, 303, 307, 308} or not location:
        return "redirection-missing"
    target = urlsplit(location)
    if target.scheme != "https":
        return "redirection-not-to-https"
    if target.hostname != response.wsgi_request.get_host().split(":")[0]:
        return "redirection-off-host-from-http"
    return "redirection-to-https"


def referrer_result(response):
    header = response.headers.get("Referrer-Policy")
    if not header:
        return "referrer-policy-not-implemented"
    private = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}
    unsafe = {"origin", "origin-when-cross-origin", "unsafe-url", "no-referrer-when-downgrade"}
    known = [p.strip().lower() for p in header.split(",") if p.strip().lower() in private | unsafe]
    if not known:
        return "referrer-policy-header-invalid"
    return "referrer-policy-private" if known[-1] in private else "referrer-policy-unsafe"


def hsts_result(response):
    header = response.headers.get("Strict-Transport-Security")
    if not header:
        return "hsts-not-implemented"
    if "," in header:
        return "hsts-header-invalid"
    ages = [p.strip()[8:] for p in header.lower().split(";") if p.strip().startswith("max-age=")]
    if not ages or not ages[0].isdigit():
        return "hsts-header-invalid"
    if int(ages[0]) < SIX_MONTHS:
        return "hsts-implemented-max-age-less-than-six-months"
    return "hsts-implemented-max-age-at-least-six-months"


class ScriptCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts.append(dict(attrs))


SRI_ORDER = [
    "sri-implemented-and-all-scripts-loaded-securely",
    "sri-implemented-and-external-scripts-loaded-securely",
    "sri-implemented-but-external-scripts-not-loaded-securely",
    "sri-not-implemented-but-external-scripts-loaded-securely",
    "sri-not-implemented-and-external-scripts-not-loaded-securely",
    "sri-not-implemented-response-not-html",
]


def sri_result(response):
    if not response.headers.get("Content-Type", "").startswith("text/html"):
        return "sri-not-implemented-response-not-html"
    collector = ScriptCollector()
    collector.feed(response.content.decode())
    host = response.wsgi_request.get_host().split(":")[0]
    result = None
    foreign = False
    for script in collector.scripts:
        src = script.get("src")
        if not src:
            continue
        integrity = script.get("integrity")
        relative_protocol = src.startswith("//")
        absolute = re.match(r"https?://", src)
        same_origin = not relative_protocol and (not absolute or urlsplit(src).hostname == host)
        secure_scheme = (absolute and src.startswith("https:")) or not (
            absolute or relative_protocol
        )
        if not same_origin:
            foreign = True
            if integrity and not secure_scheme:
                outcome = "sri-implemented-but-external-scripts-not-loaded-securely"
            elif not integrity and secure_scheme:
                outcome = "sri-not-implemented-but-external-scripts-loaded-securely"
            elif not integrity:
                outcome = "sri-not-implemented-and-external-scripts-not-loaded-securely"
            else:
                continue
            result = worst(result, outcome, SRI_ORDER)
        elif integrity and secure_scheme and not result:
            result = "sri-implemented-and-all-scripts-loaded-securely"
    if not collector.scripts:
        return "sri-not-implemented-but-no-scripts-loaded"
    if result:
        return result
    if foreign:
        return "sri-implemented-and-external-scripts-loaded-securely"
    return "sri-not-implemented-but-all-scripts-loaded-from-secure-origin"


def xcto_result(response):
    header = response.headers.get("X-Content-Type-Options")
    if not header:
        return "x-content-type-options-not-implemented"
    if header.strip().lower() == "nosniff":
        return "x-content-type-options-nosniff"
    return "x-content-type-options-header-invalid"


def xfo_result(response):
    csp = parse_csp(response.headers.get("Content-Security-Policy", "")) or {}
    if "frame-ancestors" in csp:
        return "x-frame-options-implemented-via-csp"
    header = (response.headers.get("X-Frame-Options") or "").strip().lower()
    if not header:
        return "x-frame-options-not-implemented"
    if header in {"deny", "sameorigin"}:
        return "x-frame-options-sameorigin-or-deny"
    if header.startswith("allow-from"):
        return "x-frame-options-allow-from-origin"
    return "x-frame-options-header-invalid"


def corp_result(response):
    header = (response.headers.get("Cross-Origin-Resource-Policy") or "").strip().lower()
    return {
        "": "cross-origin-resource-policy-not-implemented",
        "same-origin": "cross-origin-resource-policy-implemented-with-same-origin",
        "same-site": "cross-origin-resource-policy-implemented-with-same-site",
        "cross-origin": "cross-origin-resource-policy-implemented-with-cross-origin",
    }.get(header, "cross-origin-resource-policy-header-invalid")
