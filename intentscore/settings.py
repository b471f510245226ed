"""IntentScore settings: every value that may change between machines is read here, once.

Values come from the process environment, then from a `.env` file beside `manage.py`
(loaded with python-dotenv; the environment wins). `.env.example` lists every variable
with its default.
"""

import sys
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent

load_dotenv(BASE_DIR / ".env", override=False)
env = environ.Env()

# --- Core -------------------------------------------------------------------------------
# DEBUG defaults to true so that a fresh clone runs with no configuration; production sets
# DEBUG=false and must then provide its own SECRET_KEY.
DEBUG = env.bool("DEBUG", default=True)
_INSECURE_DEV_KEY = "django-insecure-intentscore-local-development-only"
SECRET_KEY = env.str("SECRET_KEY", default=_INSECURE_DEV_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- Access -------------------------------------------------------------------------------
# Every endpoint needs an API key or a session. ALLOW_ANONYMOUS_DEMO=true lets anonymous
# requests work in the default account: for the local demo only, refused when DEBUG=false.
ALLOW_ANONYMOUS_DEMO = env.bool("ALLOW_ANONYMOUS_DEMO", default=False)
# The OpenAPI schema (/api/schema/) and its docs page (/api/docs/) without a key: on in
# development (DEBUG), off in production unless asked for.
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=DEBUG)
if ALLOW_ANONYMOUS_DEMO and not DEBUG:
    raise ImproperlyConfigured(
        "ALLOW_ANONYMOUS_DEMO=true is for the local demo; it is refused when DEBUG is false."
    )

# --- HTTPS and cookies (production) -----------------------------------------------------
# Secure defaults whenever DEBUG is false; each can be turned off from the environment, e.g.
# SECURE_SSL_REDIRECT=false behind a proxy that already redirects.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
# Set to true only behind a proxy that sets X-Forwarded-Proto itself.
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Content-Security-Policy (django-csp) ----------------------------------------------------
# On every answer (django-csp leaves it off DEBUG's own 404 and 500 pages). Pages load
# scripts, styles, images and fonts from this site only (the admin's and the API docs'
# assets are served here, Swagger UI from the sidecar package), run no inline script and
# are framed by nobody. The one inline style is the docs page's (drf-spectacular's
# template), allowed by its hash: tests/core/test_content_security_policy.py fails when a new
# version of the template changes it. data: images are Swagger UI's icons. The browsable
# API's pages also allow inline styles (scoring/core/renderers.py).
SWAGGER_UI_INLINE_STYLE_HASH = "'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, SWAGGER_UI_INLINE_STYLE_HASH],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "scoring.core",
    "scoring.accounts",
    "scoring.notifications",
    "scoring.leads",
    "scoring.conversations",
    "scoring.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "scoring.core.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "intentscore.urls"
WSGI_APPLICATION = "intentscore.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
# DATABASE_URL selects the database: postgres://user@host:5432/name uses PostgreSQL through
# psycopg 3; unset, a SQLite file under data/ keeps the embedded default self-contained.
_SQLITE_PATH = BASE_DIR / "data" / "intentscore.sqlite3"
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{_SQLITE_PATH}")}
# A web worker keeps its connection for DATABASE_CONN_MAX_AGE seconds (0: one per request),
# checked before each request reuses it: a new PostgreSQL connection (a server process, its
# authentication and settings) cost more than the rest of a 50-lead page. The URL's own
# ?conn_max_age= wins.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Several threads and processes share the file (the grading consumer's threads, workers,
    # the web server). WAL: readers and a writer work at once, so a long read (a streamed
    # export) no longer fails writes with "database is locked". IMMEDIATE: a transaction
    # takes the write lock when it begins, waiting its turn, instead of failing when a read
    # in it turns into a write. A writer waits up to 20 s for another. The URL's own
    # options (?timeout=...) win.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
# WhiteNoise serves the admin's and the API docs' assets from gunicorn; no separate web server.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# WhiteNoise warns on every request while collectstatic has not made this folder yet.
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Uploads and request limits ---------------------------------------------------------
# MAX_UPLOAD_MB caps a lead CSV (413 above it, refused before the body is read);
# MAX_UPLOAD_ROWS caps the leads in one file; other request bodies (JSON, forms) are capped
# at MAX_REQUEST_BODY_KB.
MAX_UPLOAD_MB = env.int("MAX_UPLOAD_MB", default=50)
MAX_UPLOAD_ROWS = env.int("MAX_UPLOAD_ROWS", default=200_000)
MAX_REQUEST_BODY_KB = env.int("MAX_REQUEST_BODY_KB", default=1024)
# GET /results/ without ?page= or ?limit= lists every lead of the account in one answer, up
# to RESULTS_MAX_ROWS leads; above that it answers 400, asking for pages or the CSV export.
# The answer is streamed (the server's memory stays flat), so the limit is for the time it
# takes (about a second for 100,000 leads) and for the client, which parses it whole.
RESULTS_MAX_ROWS = env.int("RESULTS_MAX_ROWS", default=100_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY_KB * 1024

# --- Lead scoring ---------------------------------------------------------------------------
# LLM_PROVIDER picks the AI half of the score: local, gemini, openai or ollama. Unset:
# "gemini" when GEMINI_API_KEY is set, else "local", the offline deterministic provider that
# needs no key and no network. A remote provider without its key fails at start-up.
LLM_PROVIDER = env.str("LLM_PROVIDER", default="")
GEMINI_API_KEY = env.str("GEMINI_API_KEY", default="")
GEMINI_MODEL = env.str("GEMINI_MODEL", default="gemini-2.0-flash")
# Only to reach a proxy or a test double; unset, the SDK's own endpoint.
GEMINI_BASE_URL = env.str("GEMINI_BASE_URL", default="")
OPENAI_API_KEY = env.str("OPENAI_API_KEY", default="")
OPENAI_MODEL = env.str("OPENAI_MODEL", default="gpt-4o-mini")
# Any OpenAI-compatible server: vLLM, LM Studio, Ollama's /v1 (e.g. http://127.0.0.1:11434/v1).
OPENAI_BASE_URL = env.str("OPENAI_BASE_URL", default="")
OLLAMA_HOST = env.str("OLLAMA_HOST", default="http://127.0.0.1:11434")
OLLAMA_MODEL = env.str("OLLAMA_MODEL", default="llama3.1")
# Per call: seconds before giving up, retries of 429/5xx/timeouts/connection errors (with
# exponential backoff and jitter, honouring Retry-After up to LLM_RETRY_MAX_WAIT seconds),
# calls in flight at once, and calls one scoring request may make at most.
LLM_TIMEOUT = env.float("LLM_TIMEOUT", default=30.0)
LLM_MAX_RETRIES = env.int("LLM_MAX_RETRIES", default=3)
LLM_RETRY_BASE_DELAY = env.float("LLM_RETRY_BASE_DELAY", default=1.0)
LLM_RETRY_MAX_WAIT = env.float("LLM_RETRY_MAX_WAIT", default=30.0)
LLM_MAX_CONCURRENCY = env.int("LLM_MAX_CONCURRENCY", default=8)
LLM_MAX_CALLS_PER_RUN = env.int("LLM_MAX_CALLS_PER_RUN", default=5000)
# An offer's value propositions and use cases: at most this many items each (every item up
# to 500 characters); a real offer has a handful, and each goes into every LLM call.
OFFER_MAX_LIST_ITEMS = env.int("OFFER_MAX_LIST_ITEMS", default=50)
# The rules of an offer that sets none: "fit" (the lead against the offer's buyer profile)
# or "seed" (the seed's fixed table, whatever the offer).
SCORING_RULE_SET = env.str("SCORING_RULE_SET", default="fit")
if SCORING_RULE_SET not in ("fit", "seed"):
    raise ImproperlyConfigured(
        f"SCORING_RULE_SET must be 'fit' or 'seed', not {SCORING_RULE_SET!r}."
    )

# --- Scoring runs (Celery) ---------------------------------------------------------------
# CELERY_BROKER_URL (e.g. amqp://guest:guest@127.0.0.1:5672//) sends scoring runs to
# `celery -A intentscore worker` processes; unset, they run in the web process. A run is
# split into chunks of SCORING_CHUNK_SIZE leads, one task each. POST /score/ waits up to
# SCORE_SYNC_TIMEOUT seconds for its run (gunicorn's --timeout must be longer), then
# answers 202 with the run's URL.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged when it has finished, and given back to the queue when its worker
# dies mid-task, so another worker redoes the chunk; one task at a time per worker process.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery closes a worker's database connection after every task unless told to reuse it:
# reconnecting cost 7 ms of a 500-lead chunk's 100 ms. Reused for this many tasks.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=100)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Workers log through LOGGING below (JSON by default), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# The queue runs are sent to and workers read: one per deployment sharing a broker.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
SCORING_CHUNK_SIZE = env.int("SCORING_CHUNK_SIZE", default=500)
SCORE_SYNC_TIMEOUT = env.float("SCORE_SYNC_TIMEOUT", default=300.0)
# A synchronous wait holds a web worker, so at most this many wait at once per account, and in
# all (keep it below gunicorn's --workers); beyond them POST /score/ answers 202 at once. The
# count is shared between web processes through the cache (CACHE_URL=redis://... in production).
SCORE_SYNC_MAX_WAITS_PER_ACCOUNT = env.int("SCORE_SYNC_MAX_WAITS_PER_ACCOUNT", default=1)
SCORE_SYNC_MAX_WAITS = env.int("SCORE_SYNC_MAX_WAITS", default=2)
# A chunk (or a run's planning) that fails because the database or the broker is unreachable
# is retried with exponential backoff: SCORING_RETRY_BACKOFF seconds, twice that..., at most
# SCORING_RETRY_BACKOFF_MAX, SCORING_RETRY_LIMIT times; then its run fails with the reason.
SCORING_RETRY_BACKOFF = env.float("SCORING_RETRY_BACKOFF", default=2.0)
SCORING_RETRY_BACKOFF_MAX = env.float("SCORING_RETRY_BACKOFF_MAX", default=120.0)
SCORING_RETRY_LIMIT = env.int("SCORING_RETRY_LIMIT", default=20)
# A running or queued run none of whose chunks has started or finished for
# SCORING_RUN_STALL_SECONDS (its tasks were lost) is queued again by the periodic check
# (`celery -A intentscore beat`, every SCORING_RUN_CHECK_SECONDS), at most
# SCORING_RUN_MAX_RESUMES times; then it is failed with the reason. Keep the stall time
# longer than a chunk takes (SCORING_CHUNK_SIZE leads at the provider's pace).
SCORING_RUN_STALL_SECONDS = env.float("SCORING_RUN_STALL_SECONDS", default=900.0)
SCORING_RUN_CHECK_SECONDS = env.float("SCORING_RUN_CHECK_SECONDS", default=60.0)
SCORING_RUN_MAX_RESUMES = env.int("SCORING_RUN_MAX_RESUMES", default=3)
CELERY_BEAT_SCHEDULE = {
    "resume-stalled-scoring-runs": {
        "task": "scoring.tasks.resume_stalled_runs",  # scoring/leads/tasks.py, by its old name
        "schedule": SCORING_RUN_CHECK_SECONDS,
        # A check stuck behind a backlog is worthless by the time it runs, and counts in it.
        "options": {"expires": SCORING_RUN_CHECK_SECONDS},
    },
}

# --- Idempotency keys ------------------------------------------------------------------------
# An upload or run start sent with an Idempotency-Key header: the same key within
# IDEMPOTENCY_TTL seconds answers the first answer again (scoring/leads/services/idempotency.py).
# A request holds its key for IDEMPOTENCY_LOCK_TIMEOUT seconds at most; a retry meanwhile is
# a 409. Past that its request is taken for dead (longer than any request lives: gunicorn's
# --timeout), and a retry may do the work or, for a run that was started, answer with it.
IDEMPOTENCY_TTL = env.int("IDEMPOTENCY_TTL", default=24 * 60 * 60)
IDEMPOTENCY_LOCK_TIMEOUT = env.float("IDEMPOTENCY_LOCK_TIMEOUT", default=SCORE_SYNC_TIMEOUT + 300)

# --- Conversation grading ------------------------------------------------------------------
# `manage.py consume_grading_tasks` reads grading tasks from GRADING_QUEUE (durable; bad tasks
# go to "<queue>.dead") on GRADING_BROKER_URL, at most MAX_CONCURRENT_TASKS at a time, and
# POSTs each result to BACKEND_WEBHOOK_URL signed with BACKEND_WEBHOOK_SECRET (HMAC-SHA256).
# A delivery makes WEBHOOK_RETRIES attempts in all, waiting WEBHOOK_BACKOFF seconds, then
# twice that..., at most WEBHOOK_MAX_BACKOFF (or the receiver's Retry-After); each attempt
# gives up after WEBHOOK_TIMEOUT seconds. What still fails stays "failed" for
# `manage.py redeliver_webhooks`.
GRADING_BROKER_URL = env.str(
    "GRADING_BROKER_URL", default=CELERY_BROKER_URL or "amqp://guest:guest@127.0.0.1:5672//"
)
GRADING_QUEUE = env.str("GRADING_QUEUE", default="visitor_grading")
MAX_CONCURRENT_TASKS = env.int("MAX_CONCURRENT_TASKS", default=4)
# Any bot_id is graded: a backend creates bots as its customers sign up, so a bot nobody
# added in the admin is registered on first sight (a Bot with no name), over HTTP in the
# caller's account, from the queue in GRADING_ACCOUNT's. GRADING_ACCOUNT (an account's slug)
# unset: the consumer grades every account's bots, each into its bot's account, and
# registers new ones in the `default` account. Set: it grades for that account only, and a
# task for another account's bot is dead-lettered (a slug no account has stops start-up).
# GRADING_STRICT_BOTS=true registers nothing: a bot not added in the admin is refused (a 400
# over HTTP, dead-lettered from the queue).
GRADING_ACCOUNT = env.str("GRADING_ACCOUNT", default="")
GRADING_STRICT_BOTS = env.bool("GRADING_STRICT_BOTS", default=False)
BACKEND_WEBHOOK_URL = env.str("BACKEND_WEBHOOK_URL", default="")
BACKEND_WEBHOOK_SECRET = env.str("BACKEND_WEBHOOK_SECRET", default="")
WEBHOOK_RETRIES = env.int("WEBHOOK_RETRIES", default=3)
WEBHOOK_BACKOFF = env.float("WEBHOOK_BACKOFF", default=1.0)
WEBHOOK_MAX_BACKOFF = env.float("WEBHOOK_MAX_BACKOFF", default=30.0)
WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT", default=10.0)

# --- Hot-lead notifications ----------------------------------------------------------------
# A hot grade, and a scoring run that ends with High leads, are told to the account: by email
# to the bot's owner (else to the account's members) through EMAIL_URL, e.g.
# smtp+tls://user:password@smtp.example.com:587 (unset: printed on the console), from
# NOTIFY_FROM_EMAIL; and to a Slack-compatible incoming webhook at NOTIFY_SLACK_WEBHOOK_URL
# when set. Links in them start with PUBLIC_BASE_URL. Each channel makes NOTIFY_RETRIES tries
# in all, waiting NOTIFY_BACKOFF seconds, then twice that..., at most NOTIFY_MAX_BACKOFF; each
# try gives up after NOTIFY_TIMEOUT seconds. What still fails stays "failed" for
# `manage.py redeliver_notifications`.
_EMAIL = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _EMAIL["EMAIL_BACKEND"]
EMAIL_USE_TLS = _EMAIL.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _EMAIL.get("EMAIL_USE_SSL", False)
EMAIL_HOST = _EMAIL["EMAIL_HOST"] or "localhost"
EMAIL_PORT = _EMAIL["EMAIL_PORT"] or (465 if EMAIL_USE_SSL else 587 if EMAIL_USE_TLS else 25)
EMAIL_HOST_USER = _EMAIL["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _EMAIL["EMAIL_HOST_PASSWORD"] or ""
if _EMAIL["EMAIL_FILE_PATH"]:  # filemail:///path/to/folder
    EMAIL_FILE_PATH = "/" + _EMAIL["EMAIL_FILE_PATH"]
NOTIFY_FROM_EMAIL = env.str("NOTIFY_FROM_EMAIL", default="IntentScore <intentscore@localhost>")
NOTIFY_SLACK_WEBHOOK_URL = env.str("NOTIFY_SLACK_WEBHOOK_URL", default="")
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000")
NOTIFY_RETRIES = env.int("NOTIFY_RETRIES", default=3)
NOTIFY_BACKOFF = env.float("NOTIFY_BACKOFF", default=1.0)
NOTIFY_MAX_BACKOFF = env.float("NOTIFY_MAX_BACKOFF", default=30.0)
NOTIFY_TIMEOUT = env.float("NOTIFY_TIMEOUT", default=10.0)
# Django's own mails too: without it an SMTP server that stops answering holds a sender forever.
EMAIL_TIMEOUT = NOTIFY_TIMEOUT

# --- REST API -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    # drf-spectacular, plus the error answers every operation can give (scoring/core/openapi.py).
    "DEFAULT_SCHEMA_CLASS": "scoring.core.openapi.ApiAutoSchema",
    "DEFAULT_FILTER_BACKENDS": [
        "scoring.core.filters.QueryFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "scoring.core.renderers.CspBrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "scoring.core.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "scoring.core.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "scoring.core.api_errors.json_exception_handler",
    # API keys first: their WWW-Authenticate header makes a missing key a 401, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "scoring.accounts.access.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["scoring.accounts.access.AuthenticatedOrDemo"],
    # Per user (or per IP when anonymous); the cache is per process unless CACHE_URL is set.
    "DEFAULT_THROTTLE_RATES": {
        "uploads": env.str("THROTTLE_UPLOADS", default="30/minute"),
        "scoring": env.str("THROTTLE_SCORING", default="30/minute"),
    },
}

# --- Cache --------------------------------------------------------------------------------
# Throttling counts live here. Unset: per-process memory; several servers should share one,
# e.g. CACHE_URL=redis://127.0.0.1:6379/1.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

SPECTACULAR_SETTINGS = {
    "TITLE": "IntentScore API",
    "DESCRIPTION": "Lead intent scoring: offers, lead uploads, leads and their scores.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The docs page loads Swagger UI from the installed sidecar package, so it works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No badge from the public validator: it would send the schema's URL to a third party
    # (and the Content-Security-Policy blocks its image anyway).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_DIST": "SIDECAR",
    # One name per choice set that several fields share.
    "ENUM_NAME_OVERRIDES": {
        "DepartmentEnum": "scoring.leads.buyer_profile.DEPARTMENT_KEYS",
        "IndustryEnum": "scoring.leads.buyer_profile.INDUSTRY_KEYS",
        "SeniorityEnum": "scoring.leads.models.Seniority",
    },
}

# --- Logging ------------------------------------------------------------------------------
# LOG_FORMAT=json writes one JSON object per line (timestamp, level, logger, message, and
# task_id, visitor_id, score, category... where a line has them): the default for the
# grading consumer and Celery workers, whose logs are read by machines; plain otherwise.
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
_WORKER_COMMANDS = {
    "consume_grading_tasks", "redeliver_webhooks", "redeliver_notifications", "worker",
}  # fmt: skip
_IS_WORKER = Path(sys.argv[0]).name == "celery" or bool(_WORKER_COMMANDS & set(sys.argv[1:3]))
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if _IS_WORKER else "plain")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or plain, not {LOG_FORMAT!r}.")
# Every line passes through RedactSecretsFilter: API keys and configured secrets never
# reach the logs.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "scoring.core.log_redaction.RedactSecretsFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": True,
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["redact_secrets"],
            # The consumer's and workers' log lines are their output: stdout, where log
            # collectors read a container's lines; other commands keep stderr for logs.
            "stream": "ext://sys.stdout" if _IS_WORKER else "ext://sys.stderr",
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # The LLM SDKs' HTTP clients log every request at INFO: one line per lead is noise.
    "loggers": {name: {"level": "WARNING"} for name in ("httpx", "httpx2", "httpcore")},
}
