"""Settings shared by every environment; values come from the environment (django-environ)."""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from csp.constants import NONCE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)  # the embedded default keeps its database and queue here

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-only-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "simple_history",
    "axes",
    "django_htmx",
    "django_filters",
    "django_celery_beat",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    # Two-factor sign-in (issue 12): TOTP devices and one-time recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "members",
    "groups",
    "funding",
    "assessments",
    "qingdao_groups",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The Content-Security-Policy (issue 12) on every response, static files included.
    "csp.middleware.CSPMiddleware",
    "qingdao_groups.core.request_cache.RequestCacheMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "qingdao_groups.middleware.UploadRedirectMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): signed in with a second factor in this session (issue 12).
    "django_otp.middleware.OTPMiddleware",
    # The request's id, user id and client address on every log record (issue 12).
    "qingdao_groups.logging.RequestContextMiddleware",
    # Permissions-Policy, CORP, and no-store on signed-in pages (issue 12).
    "qingdao_groups.middleware.SecurityHeadersMiddleware",
    # In place of LocaleMiddleware: the person's language, not the browser's (issue 8).
    "qingdao_groups.middleware.UserLanguageMiddleware",
    "qingdao_groups.middleware.AbsoluteSessionTimeoutMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Staff, finance reviewers and administrators go no further without a second factor.
    "members.two_factor.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must come last so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qingdao_groups.urls"
WSGI_APPLICATION = "qingdao_groups.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The shared templates, then each feature's own folder (groups/<feature>/templates), so a
        # feature's pages sit beside its views; template names keep their prefix (cards/…).
        "DIRS": [
            BASE_DIR / "templates",
            *sorted(BASE_DIR.glob("groups/*/templates")),
            *sorted(BASE_DIR.glob("assessments/*/templates")),
        ],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "qingdao_groups.context_processors.navigation",
                "qingdao_groups.context_processors.worklist",
            ],
        },
    },
]

# The embedded default is SQLite under the project; PostgreSQL when DATABASE_URL says so.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Keep a worker's connection for a minute instead of opening one per request; a connection
# that died meanwhile is noticed and replaced before the request uses it.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The planner's cost estimates for the scoped list queries are high enough that JIT compiles
    # them, adding seconds to queries that run in milliseconds (issue 7): off per connection.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Password rules (等保 profile, issue 12; members.passwords): length, how many of the four
# character classes (upper, lower, digit, symbol), and no reuse of the last N passwords (their
# hashes kept in members.PasswordHistory; 0 turns that off).
PASSWORD_MIN_LENGTH = env.int("DJANGO_PASSWORD_MIN_LENGTH", default=10)
PASSWORD_MIN_CHARACTER_CLASSES = env.int("DJANGO_PASSWORD_MIN_CHARACTER_CLASSES", default=3)
PASSWORD_HISTORY_COUNT = env.int("DJANGO_PASSWORD_HISTORY_COUNT", default=5)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        "NAME": "members.passwords.CharacterClassValidator",
        "OPTIONS": {"min_classes": PASSWORD_MIN_CHARACTER_CLASSES},
    },
    {
        "NAME": "members.passwords.PasswordHistoryValidator",
        "OPTIONS": {"count": PASSWORD_HISTORY_COUNT},
    },
]
# The password-change form: this many wrong old passwords per person within the window, and it
# refuses to check more until the window ends (qingdao_groups.forms).
PASSWORD_CHANGE_FAILURE_LIMIT = env.int("DJANGO_PASSWORD_CHANGE_FAILURE_LIMIT", default=5)
PASSWORD_CHANGE_WINDOW = timedelta(minutes=15)
# Two-factor sign-in (issue 12; members.two_factor): these roles (and every superuser and
# admin-site user) must sign in with a TOTP code or a one-time recovery code; principals may
# choose to. TWO_FACTOR_ENFORCED off lets everyone in with the password alone (never in
# production: a deploy check refuses it).
TWO_FACTOR_ENFORCED = env.bool("DJANGO_TWO_FACTOR_ENFORCED", default=True)
TWO_FACTOR_REQUIRED_ROLES = env.list(
    "DJANGO_TWO_FACTOR_REQUIRED_ROLES",
    default=[
        "city_staff",
        "district_staff",
        "finance_reviewer",
        "auditor",
        "staffing_office",
        "hr_bureau",
        "sysadmin",
    ],
)
TWO_FACTOR_RECOVERY_CODES = 10
# The issuer an authenticator app shows next to the account.
OTP_TOTP_ISSUER = env("DJANGO_OTP_ISSUER", default="青岛集团化办学")
# django-otp's own back-off after wrong codes (seconds, doubling per failure).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# Sessions: 30 minutes idle, 12 hours absolute (both in AbsoluteSessionTimeoutMiddleware, which
# refreshes the stored expiry at most once a minute: a session is written only when it changed).
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_TIMEOUT = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

# Response headers (issue 12). The Content-Security-Policy is strict: scripts and styles only from
# this server, no inline script or eval; the few inline elements that must stay (the API's
# Swagger UI and Redoc pages) carry the request's nonce (CSP_NONCE in templates). No style=""
# attributes in HTML (styles set from scripts through the CSSOM are not affected).
# Chart.js and the QR codes draw on canvas or as inline SVG; data: images are allowed for
# Bootstrap's icons (its stylesheet embeds them as data: URIs).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", NONCE],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}
# The powerful browser features the system never uses, refused for every page and any frame.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), "
    "fullscreen=(), geolocation=(), gyroscope=(), hid=(), idle-detection=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), picture-in-picture=(), "
    "publickey-credentials-get=(), screen-wake-lock=(), serial=(), usb=(), "
    "xr-spatial-tracking=()"
)
# Django's own defaults, named so that no environment loses them: nosniff, same-origin referrer,
# the opener isolated, frames refused.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Login throttling: 5 failures lock the username+address pair for 15 minutes, so nobody can lock
# an account from another address; AXES_ADDRESS_FAILURE_LIMIT failures from one address across
# all user names lock that address (ours, not a django-axes setting: qingdao_groups.lockout).
# The address is the client's (django-ipware; behind the proxy see settings.production).
AXES_ENABLED = True
AXES_FAILURE_LIMIT = 5
AXES_ADDRESS_FAILURE_LIMIT = env.int("DJANGO_AXES_ADDRESS_FAILURE_LIMIT", default=20)
AXES_HANDLER = "qingdao_groups.lockout.AddressLimitedHandler"
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A failure while locked is refused but not counted: the lock ends 15 minutes after the failure
# that set it, however often the attacker keeps trying (axes' default restarts the 15 minutes).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Every failure is kept in AccessFailureLog (AccessAttempt, the counter, is forgotten after the
# cool-off); successes are kept in AccessLog, which axes never deletes by itself. Retention is
# the audit's (issue 12).
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Failure records, when kept (AXES_ENABLE_ACCESS_FAILURE_LOG), are append-only on PostgreSQL
# (qingdao_groups.core.append_only): axes must never prune them per user (its default keeps
# 1,000 and deletes the rest, which the database would refuse). Retention removes old rows.
AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT = 10**9

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
# One date format in both languages: 2024-09-01, 2024-09-01 08:30 (qingdao_groups/formats).
FORMAT_MODULE_PATH = ["qingdao_groups.formats"]
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))
MEDIA_URL = "/media-not-served/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media"))
# The key backup manifests are signed with (qingdao_groups/core/backup.py); empty: SECRET_KEY.
BACKUP_SIGNING_KEY = env("DJANGO_BACKUP_SIGNING_KEY", default="")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="noreply@jyj.qingdao.example")
SITE_URL = env("DJANGO_SITE_URL", default="http://127.0.0.1:8000")
# A hung mail server holds up only the outbox relay, and only this long per message.
EMAIL_TIMEOUT = env.int("DJANGO_EMAIL_TIMEOUT", default=20)

GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None  # guardian: no anonymous object permissions

# The audit history keeps why a change was made whole: a decision's reasons or a filing's
# remarks are often longer than the library's default varchar(100) (issue 6).
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Celery: Redis when CELERY_BROKER_URL is set; otherwise the filesystem transport under var/,
# which needs no server (the embedded default of `make run`).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
_celery_data = VAR_DIR / "celery"
FILESYSTEM_BROKER_TRANSPORT_OPTIONS = {
    "data_folder_in": str(_celery_data / "queue"),
    "data_folder_out": str(_celery_data / "queue"),
    "processed_folder": str(_celery_data / "processed"),
    "control_folder": str(_celery_data / "control"),
    "store_processed": False,
}
# No request waits on the broker (issue 6): e-mails go through the Outbox table and the only
# publish a request makes is a best-effort nudge after its commit. A broker that is down or hung
# (accepts the connection, never answers) costs that nudge at most BROKER_TIMEOUT seconds:
# bounded connect and socket timeouts, no reconnection loop when a publisher opens its channel
# (kombu would otherwise retry a refused connection for the whole connection timeout), and no
# publish retry. The worker's own reconnection is governed by Celery's broker_connection_*
# settings, which these options do not touch.
BROKER_TIMEOUT = env.float("CELERY_BROKER_TIMEOUT", default=1.5)
# How long Redis keeps a delivered, unacknowledged message invisible before it hands it to
# another worker (kombu's default is one hour; set here so the time limits below can be checked
# against it). Acks-late tasks are acknowledged when they end, so a task still running when this
# passes would be run a second time side by side: every time limit stays below it.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
REDIS_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": BROKER_TIMEOUT,
    "socket_timeout": BROKER_TIMEOUT,
    "socket_keepalive": True,
    "max_retries": 0,
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
}


def broker_transport_options(url: str) -> dict:
    if url.startswith("filesystem"):
        return FILESYSTEM_BROKER_TRANSPORT_OPTIONS
    if url.startswith(("redis://", "rediss://")):
        return REDIS_BROKER_TRANSPORT_OPTIONS
    return {}


CELERY_BROKER_TRANSPORT_OPTIONS = broker_transport_options(CELERY_BROKER_URL)
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_TIMEOUT
CELERY_TASK_PUBLISH_RETRY = False
# The worker and beat, on the other hand, keep trying until the broker is there.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_IGNORE_RESULT = True

# The task layer (issue 10). Services enqueue through qingdao_groups.core.tasks.enqueue (a
# TaskOutbox row in their transaction, published after the commit or by the 30-second relay);
# tasks take ids, call one service and are idempotent, so running one twice is harmless and
# these defaults may prefer "at least once" to "at most once". They are global so that every
# task gets them (report generation included); a task that is better lost than repeated (the
# 30-second relays, whose next run redoes the work) says acks_late=False itself.
# Acknowledge a message when its task ends, not when it starts: a worker killed mid-task
# (deploy, OOM, SIGKILL) leaves the message with the broker, which delivers it again.
CELERY_TASK_ACKS_LATE = True
# … and when a pool process dies under a task, requeue the message instead of acknowledging it
# as failed (Celery's default), so that case is redelivered too.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Redelivery has no end of its own: a task that kills its worker every time (memory, a crash in
# a C library) would be delivered forever. Each delivery is counted (TaskOutbox row, or a Redis
# counter keyed by the task id) before the task runs; past this many it is given up, logged and
# recorded (qingdao_groups.core.tasks.TrackedTask).
TASK_MAX_DELIVERIES = env.int("TASK_MAX_DELIVERIES", default=3)
# A task that runs too long is interrupted (SoftTimeLimitExceeded, then the hard kill), well
# before the visibility timeout, so Redis never hands a still-running task to a second worker.
# A task that fails or times out is acknowledged (Celery's default): errors are not retried by
# redelivery, only lost workers are.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=600)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=660)
# Each worker process reserves one message at a time: with acks late, a prefetched message
# waits unacknowledged behind a long task (counting toward the visibility timeout) and is lost
# to other workers meanwhile.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# When the worker loses the broker connection it cannot acknowledge its running acks-late tasks,
# which the broker will deliver again: cancel them rather than have them run twice at once.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True

# The cache holds only what can be computed again (the home page's figures, filter choices).
# By default it is local memory, one per process (the embedded default; the tests); CACHE_URL
# names a shared one, e.g. redis://127.0.0.1:6379/1 for Django's own Redis backend, which
# production takes by default (settings.production). A Redis cache waits at most
# CACHE_SOCKET_TIMEOUT seconds for an answer and counts a failure as a miss, never an error page
# (qingdao_groups.core.cache). Several processes serving pages need a shared cache: with local
# memory, one process learns of another's writes only when its figures expire (a minute or two).
CACHE_SOCKET_TIMEOUT = env.float("CACHE_SOCKET_TIMEOUT", default=0.5)


def cache_config(url: str) -> dict:
    config = environ.Env.cache_url_config(url)
    if url.startswith(("redis://", "rediss://")):
        config["BACKEND"] = "qingdao_groups.core.cache.RedisCache"
        options = config.setdefault("OPTIONS", {})
        options.setdefault("socket_connect_timeout", CACHE_SOCKET_TIMEOUT)
        options.setdefault("socket_timeout", CACHE_SOCKET_TIMEOUT)
    return config


def redis_beside(broker_url: str) -> str:
    """The Redis database after the broker's on the same server: the cache's own, so that
    clearing the cache never empties the task queue."""
    parts = urlsplit(broker_url)
    db = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(db + 1) % 16}"))


CACHES = {
    "default": cache_config(env("CACHE_URL", default="locmemcache://")),
    # The API's rate-limit counters (issue 11): shared by every web process, so Redis wherever
    # more than one process serves (production, CI); local memory for the embedded default.
    "api": cache_config(env("API_THROTTLE_CACHE_URL", default="locmemcache://api-throttle")),
}

# The REST API (issue 11; api/). Keys or the person's session; scopes per view; problem+json
# errors; per-client rate limits counted in the "api" cache.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiKeyAuthentication",
        "api.authentication.PersonSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.scopes.HasScope"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "client": env("API_RATE_READ", default="600/min"),
        "client_write": env("API_RATE_WRITE", default="60/min"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "青岛市中小学集团化办学管理系统 数据接口",
    "DESCRIPTION": (
        "供区（市）教育行政部门和学校的自有系统读取名册、报备、报送招生计划的接口。"
        "认证：请求头 Authorization: Bearer <接口密钥>。错误以 application/problem+json 返回，"
        "含机器可读的 code、所依据的政策条款 clause 和中文说明（Accept-Language: en 时为英文）。"
        "使用说明见 docs/api.md。"
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation documents its problem+json errors (api/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.problem_responses",
    ],
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "ENUM_NAME_OVERRIDES": {
        "FilingKindEnum": "groups.filings.models.Filing.Kind",
        "AuthorityKindEnum": "members.models.Authority.Kind",
        "ApplicationKindEnum": "groups.applications.workflows.ApplicationKind",
        "FilableKindEnum": "api.serializers.FILABLE_KINDS",
        "DocumentKindEnum": "api.serializers.DOCUMENT_KINDS",
        "AttachmentKindEnum": "qingdao_groups.models.Attachment.Kind",
    },
    "DISABLE_ERRORS_AND_WARNINGS": False,
}

# Bulk school imports: a spreadsheet larger than this is refused before it is read.
SCHOOL_IMPORT_MAX_BYTES = env.int("SCHOOL_IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
SCHOOL_IMPORT_MAX_ROWS = env.int("SCHOOL_IMPORT_MAX_ROWS", default=5000)

# Application logs (issue 12): the console for `make run` and the container's output, and one
# JSON object per line in LOG_DIR/app.jsonl for a log collector (qingdao_groups.logging): time
# with its zone, level, logger, message, module, process, the request's id, user id and client
# address, the exception's traceback. The file rotates at LOG_FILE_MAX_BYTES keeping
# LOG_FILE_BACKUP_COUNT old files; 0 leaves rotation to logrotate (each process reopens a file
# moved away). An empty DJANGO_LOG_DIR writes no file.
LOG_DIR = env("DJANGO_LOG_DIR", default=str(VAR_DIR / "log"))
LOG_FILE_MAX_BYTES = env.int("DJANGO_LOG_FILE_MAX_BYTES", default=20 * 1024 * 1024)
LOG_FILE_BACKUP_COUNT = env.int("DJANGO_LOG_FILE_BACKUP_COUNT", default=10)
LOG_LEVEL = env("DJANGO_LOG_LEVEL", default="INFO")


def logging_config(log_dir: str) -> dict:
    handlers = {"console": {"class": "logging.StreamHandler"}}
    if log_dir:
        handlers["json_file"] = {
            "()": "qingdao_groups.logging.json_file_handler",
            "filters": ["request_context"],
            "log_dir": log_dir,
            "max_bytes": LOG_FILE_MAX_BYTES,
            "backup_count": LOG_FILE_BACKUP_COUNT,
        }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "expected_client_errors": {"()": "qingdao_groups.logging.ExpectedClientErrors"},
            "request_context": {"()": "qingdao_groups.logging.RequestContext"},
        },
        "handlers": handlers,
        "root": {"handlers": list(handlers), "level": LOG_LEVEL},
        # 403 and 404 in one line each (the filter drops their tracebacks); 500s keep theirs
        "loggers": {
            "django.request": {"filters": ["expected_client_errors"]},
            # pypdf warns about every repairable flaw of an uploaded PDF (core/pdf_safety.py)
            "pypdf": {"level": "ERROR"},
        },
    }


LOGGING = logging_config(LOG_DIR)

# Retention of the access and login records (issue 12; qingdao_groups.core.retention): axes'
# AccessLog (sign-ins and sign-outs) and AccessFailureLog (failures) and the API's ApiCall rows
# older than this many days are archived to gzip'd JSON lines under AUDIT_ARCHIVE_DIR, then
# removed from the live tables, nightly by the beat task. The Cybersecurity Law (art. 21) asks
# for at least six months: under 180 days the system check refuses to start. The history tables
# (django-simple-history) are never pruned.
AUDIT_LOG_RETENTION_DAYS = env.int("DJANGO_AUDIT_LOG_RETENTION_DAYS", default=190)
AUDIT_ARCHIVE_DIR = env.path("DJANGO_AUDIT_ARCHIVE_DIR", default=str(VAR_DIR / "audit-archive"))

# Uploaded documents (issue 3 "Documents"): the largest file the server accepts whatever the
# policy parameter upload_max_mb says (keep the reverse proxy's body limit at least this high),
# and the limits that make a DOCX/OFD zip a suspected zip bomb.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES = env.int(
    "UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES", default=100 * 1024 * 1024
)
UPLOAD_ZIP_MAX_RATIO = env.int("UPLOAD_ZIP_MAX_RATIO", default=100)
UPLOAD_ZIP_MAX_ENTRIES = env.int("UPLOAD_ZIP_MAX_ENTRIES", default=2000)
PDFTOTEXT_TIMEOUT_SECONDS = env.int("PDFTOTEXT_TIMEOUT_SECONDS", default=20)
# Issue 12: an image larger than this many pixels is refused before it is decoded (decompression
# bombs); every accepted image is re-encoded (qingdao_groups/core/image_safety.py).
UPLOAD_IMAGE_MAX_PIXELS = env.int("UPLOAD_IMAGE_MAX_PIXELS", default=40_000_000)
# Every upload is scanned by a ClamAV daemon before it is stored when one is named here: Debian's
# clamav-daemon listens on /run/clamav/clamd.ctl. Or "host:port" for a daemon over TCP. Empty:
# no scanning, and every upload form says so. Configured but unreachable: uploads are refused.
# The daemon's StreamMaxLength must be at least UPLOAD_MAX_BYTES.
CLAMAV_SOCKET = env("DJANGO_CLAMAV_SOCKET", default="")
CLAMAV_TCP = env("DJANGO_CLAMAV_TCP", default="")
CLAMAV_TIMEOUT_SECONDS = env.int("DJANGO_CLAMAV_TIMEOUT_SECONDS", default=30)

# Exports (issue 8): a list export of more rows than this runs in the worker with a progress bar
# and a "download ready" notice; a smaller one downloads at once. Its file is kept this long
# (then removed by the beat task qingdao_groups.exports_purge_expired).
EXPORT_ASYNC_THRESHOLD = env.int("EXPORT_ASYNC_THRESHOLD", default=5000)
EXPORT_FILE_TTL = timedelta(hours=env.int("EXPORT_FILE_TTL_HOURS", default=24))
