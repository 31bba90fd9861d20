"""CareerGraph settings: everything that differs between machines comes from the environment.

Local defaults are safe for a laptop (SQLite file, debug on). With DJANGO_DEBUG off the
site refuses to start without DJANGO_SECRET_KEY, and turns on the HTTPS protections that
`manage.py check --deploy` asks for.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from corsheaders.defaults import default_headers as default_cors_headers
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# --- Core ---------------------------------------------------------------------------------

DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105 (debug only)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
# The occupation change page posts every row of a profile (~600 fields for the DSO
# fixture); Django's default cap of 1000 would turn a richer profile's save into a 400.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
# The API answers a larger body with 413 and deeper JSON with 400 (careergraph/limits.py):
# the biggest real profile is ~50 KB and 6 levels deep.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
API_JSON_MAX_DEPTH = 20

# How many reverse proxies sit in front of the site and append to X-Forwarded-For. With 0
# (the default) the client is REMOTE_ADDR and the header is ignored, so a client cannot
# choose its own address to dodge the login lock-out or the API throttle.
TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT") or 0)

# The public site's canonical origin, used for canonical URLs, sitemaps and feeds when
# set; otherwise the request's own host is used.
SITE_URL = os.environ.get("DJANGO_SITE_URL", "").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "axes",
    "corsheaders",
    "csp",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "rest_framework",
    "rest_framework.authtoken",
    "reversion",
    "reversion_compare",
    "occupations",
    "imports",
    "editorial",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "careergraph.headers.IsolationHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # Inside CORS, so that cross-origin readers can read their 413 and 503 too.
    "careergraph.limits.ApiBodySizeLimitMiddleware",
    "careergraph.database_outage.DatabaseOutageMiddleware",
    # Outside compression, so a cached page is stored compressed (one copy per encoding).
    "careergraph.caching.PublicCacheMiddleware",
    "careergraph.compression.CompressionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "careergraph.urls"
WSGI_APPLICATION = "careergraph.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------

# How close a word must be to a title word to count as a typo of it (pg_trgm
# word_similarity: "dispacher" is 0.54 of "Dispatchers").
SEARCH_TRIGRAM_THRESHOLD = 0.5

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A new connection per request is 3x slower here (toolchain notes, item 5): pool them.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Every pooled connection is checked before use, so a restarted or terminated server
    # costs no failed request (psycopg_pool's check_connection).
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options.setdefault("connect_timeout", 2)
    if env_bool("DATABASE_POOL", True):
        # A short wait: with PostgreSQL down a request fails within a second (and the outage
        # middleware answers 503) instead of holding a worker for the default 30 s. Room for
        # every thread of a threaded server, so that waiting for a busy pool stays rare.
        _options["pool"] = {
            "min_size": 1,
            "max_size": int(os.environ.get("DATABASE_POOL_MAX_SIZE") or 10),
            "timeout": float(os.environ.get("DATABASE_POOL_TIMEOUT") or 1),
        }
    # Typo matching uses pg_trgm's `%>` operator, which compares with this setting; set on
    # the connection, so the trigram indexes answer without a SET per request.
    _options["options"] = " ".join(
        filter(
            None,
            [
                _options.get("options", ""),
                f"-c pg_trgm.word_similarity_threshold={SEARCH_TRIGRAM_THRESHOLD}",
            ],
        )
    )

elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers take the write lock when their transaction begins and wait up to 20 s for it,
    # instead of failing with "database is locked" halfway through (Django 5.1+ options).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# --- Auth ---------------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out username or address before any password
    # is checked, and counts the failures of the backends after it.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# --- Login lock-out (django-axes; unlock: docs/security.md) ------------------------------

AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT") or 5)
# Either criterion locks: a username guessed at from many addresses, or an address trying
# many usernames.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("DJANGO_LOGIN_COOLOFF_MINUTES") or 15))
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "careergraph.clients.client_ip"
AXES_USERNAME_CALLABLE = "careergraph.clients.login_username"
AXES_LOCKOUT_TEMPLATE = "lockout.html"
AXES_HTTP_RESPONSE_CODE = 429
# The database handler: every worker and server sees the same failures.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"

# --- Internationalisation -----------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security (on when debug is off) ------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy (django-csp): nothing by default, then only this site's own
# files; no inline script or style except a per-request nonce. Swagger UI and ReDoc get
# their own policy (occupations/api.py). Scored by tests/test_security_headers.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "base-uri": [NONE],
        "connect-src": [SELF],
        "font-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "img-src": [SELF, "data:"],
        "manifest-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
    }
}
# Applied when debug is off; tests/test_security_headers.py grades the site with them.
HTTPS_SETTINGS = {
    "SECURE_SSL_REDIRECT": env_bool("DJANGO_SECURE_SSL_REDIRECT", True),
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    "SECURE_HSTS_SECONDS": int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)),
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
}
if not DEBUG:
    globals().update(HTTPS_SETTINGS)

# --- Cache --------------------------------------------------------------------------------

if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            # Redis down means no cache and no throttle for a while, not a failing site.
            "BACKEND": "careergraph.cache.FailOpenRedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }

# Anonymous reads are cached whole, keyed on the content version (careergraph/caching.py);
# 0 turns that off. A CDN may hold a public page for s-maxage seconds, then serve it stale
# while it revalidates; set s-maxage to 0 if a CDN must show every edit at once.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", 60 * 60 * 24))
PAGE_CACHE_S_MAXAGE = int(os.environ.get("PAGE_CACHE_S_MAXAGE", 60))
PAGE_CACHE_STALE_WHILE_REVALIDATE = int(os.environ.get("PAGE_CACHE_STALE_WHILE_REVALIDATE", 30))

# --- REST framework -----------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "occupations.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.DjangoModelPermissionsOrAnonReadOnly",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "occupations.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "careergraph.errors.api_exception_handler",
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "120/minute"),
        "user": os.environ.get("API_THROTTLE_USER", "600/minute"),
        "auth": os.environ.get("API_THROTTLE_AUTH", "10/minute"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "CareerGraph API",
    "DESCRIPTION": "Occupation profiles and the shared vocabulary that links them.",
    "VERSION": "1.0.0",
    # 3.1: a nullable reference is `oneOf: [$ref, {type: null}]`, which validators and
    # generated clients read as "this object or null" (3.0's `nullable` beside a $ref is not).
    "OAS_VERSION": "3.1.0",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `kind` or `group` with different choices: name each enum.
    "ENUM_NAME_OVERRIDES": {
        "AIImpactKindEnum": "occupations.enums.AIImpactKind",
        "CodeClassificationEnum": "occupations.enums.CodeClassification",
        "ExposureLabelEnum": "occupations.enums.ExposureLabel",
        "FitKindEnum": "occupations.enums.FitKind",
        "ItemListKindEnum": "occupations.enums.ItemListKind",
        "QualificationGroupEnum": "occupations.enums.QualificationGroup",
        "QualificationKindEnum": "occupations.enums.QualificationKind",
        "RelationKindEnum": "occupations.enums.RelationKind",
        "SkillGroupEnum": "occupations.enums.SkillGroup",
        "SkillKindEnum": "occupations.enums.SkillKind",
        "VisaKindEnum": "occupations.enums.VisaKind",
    },
    "SERVERS": [{"url": SITE_URL or "/", "description": "This CareerGraph site"}],
    # The content's terms of use; an SPDX expression, or LicenseRef- for one's own terms.
    "LICENSE": {
        "name": os.environ.get("API_LICENSE_NAME", "All rights reserved"),
        "identifier": os.environ.get("API_LICENSE_SPDX", "LicenseRef-CareerGraph-Terms"),
    },
    "CONTACT": {
        "name": "CareerGraph editors",
        **(
            {"email": os.environ["API_CONTACT_EMAIL"]}
            if os.environ.get("API_CONTACT_EMAIL")
            else {}
        ),
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "occupations.schema_hooks.postprocess",
    ],
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- CORS: anyone may read the API; writes stay same-origin -------------------------------

CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False
# Conditional reads need the validators both ways; Location and Retry-After tell a client
# where a record moved and how long to wait.
CORS_ALLOW_HEADERS = [*default_cors_headers, "if-match", "if-none-match"]
CORS_EXPOSE_HEADERS = ["ETag", "Location", "Retry-After"]

# --- Logging ------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
