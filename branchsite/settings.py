"""One settings file for every environment, read from the environment.

Nothing set: SQLite, an in-process channel layer and a Celery broker on the file system, so the
product runs on a bare machine. DATABASE_URL and REDIS_URL switch to PostgreSQL and Redis.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("BRANCHSITE_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (on a development machine, set DEBUG=1)"
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production-" + "x" * 20
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # django.contrib.admin with a site for head office only (branchsite/admin_site.py).
    "branchsite.apps.HeadOfficeAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    # Swagger UI's files, served by the site itself (SPECTACULAR_SETTINGS below).
    "drf_spectacular_sidecar",
    "csp",
    "channels",
    # django-axes and django-otp's TOTP devices, under names head office reads in Chinese.
    "branchsite.apps.SignInAttemptsConfig",
    "django_otp",
    "branchsite.apps.AuthenticatorAppsConfig",
    "branchsite.infra",
    "branchsite.accounts",
    "queueing",
    "kiosks",
    "umbrellas",
    # Above every app: seeds them all, and nothing imports it (branchsite/demo/__init__.py).
    "branchsite.demo",
]

MIDDLEWARE = [
    "branchsite.infra.edge.RefuseUnstorableRequests",
    "django.middleware.security.SecurityMiddleware",
    "branchsite.infra.security.ContentSecurityPolicyMiddleware",
    "branchsite.infra.security.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "branchsite.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it answers for requests it locked out (AXES_LOCKOUT_CALLABLE).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "branchsite.urls"
ASGI_APPLICATION = "branchsite.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database -----------------------------------------------------------------------------------

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    if not DATABASE_URL.startswith(("postgres://", "postgresql://", "sqlite://")):
        raise ImproperlyConfigured("DATABASE_URL must be a postgresql:// or sqlite:// URL")
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(VAR_DIR / "branchsite.sqlite3")),
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN, so
    # two writers queue up instead of deadlocking on a lock upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Under ASGI every request runs its database code in a thread of its own, and Django's
    # connections belong to threads: a connection kept for reuse (CONN_MAX_AGE > 0) is never used
    # again and stays open until the garbage collector finds it. At a busy hour PostgreSQL runs
    # out of connections and every process fails. A pool per process is the fix: connections
    # are returned after each request and reused by whichever thread comes next.
    if env_int("DB_CONN_MAX_AGE", 0) != 0:
        raise ImproperlyConfigured(
            "DB_CONN_MAX_AGE is not supported: under ASGI kept connections pile up until "
            "PostgreSQL refuses new ones. Use DB_POOL_MAX_SIZE (connections a process may hold)."
        )
    DB_POOL_MAX_SIZE = env_int("DB_POOL_MAX_SIZE", 8)
    if DB_POOL_MAX_SIZE < 0:
        raise ImproperlyConfigured("DB_POOL_MAX_SIZE must be 0 (no pool) or more")
    if DB_POOL_MAX_SIZE:
        # Beside options from the URL's query string, such as sslmode=require.
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": min(2, DB_POOL_MAX_SIZE),
            "max_size": DB_POOL_MAX_SIZE,
            # A request that cannot get a connection within this many seconds fails rather
            # than hanging with every other waiting request.
            "timeout": env_int("DB_POOL_TIMEOUT_SECONDS", 10),
        }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: channel layer and Celery broker ------------------------------------------------------

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured("REDIS_URL must be a redis:// or rediss:// URL")

if REDIS_URL:
    # The pub/sub layer, chosen by measurement (bench/README.md, bench_lobby.py): at 500 wall
    # screens both meet the latency target; pub/sub took a third of the Redis CPU a call and
    # about 0.9 of the server CPU (median of seven runs), and the core layer breaks with
    # redis-py 8: its 5 s blocking pop outlives the new 5 s read timeout, and an idle process
    # loses its consumers (django/channels_redis#422). Pub/sub delivers at most once, so a
    # message sent while a process reconnects to Redis is lost; the lobby protocol covers that
    # (versions, resync on a gap, a ping every few seconds that reveals a missed version).
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": env_str("CHANNELS_PREFIX", "branchsite")},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_TASK_IGNORE_RESULT = True
# The queue tasks go to and workers read unless told otherwise (a test's worker has its own).
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
else:
    # A broker that needs no server: messages are files in a folder that the web process, the
    # worker and beat share.
    _celery_dir = VAR_DIR / "celery"
    for _folder in ("messages", "processed", "control"):
        (_celery_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "messages"),
        "data_folder_out": str(_celery_dir / "messages"),
        "processed_folder": str(_celery_dir / "processed"),
        "control_folder": str(_celery_dir / "control"),
        "store_processed": False,
        # The worker polls the folder; a short interval keeps tasks and shutdown prompt.
        "polling_interval": 0.5,
    }

# The one place where periodic work is scheduled.
CELERY_BEAT_SCHEDULE = {
    "expire-tickets-after-closing": {
        "task": "queueing.tasks.expire_tickets_after_closing",
        "schedule": 300.0,
    },
    "mark-missed-appointments": {
        "task": "queueing.tasks.mark_missed_appointments",
        "schedule": 300.0,
    },
    "remind-appointments": {
        "task": "queueing.tasks.remind_appointments",
        "schedule": 300.0,
    },
    "forget-old-rate-limit-windows": {
        "task": "branchsite.infra.tasks.forget_old_rate_limit_windows",
        "schedule": 3600.0,
    },
    "forget-old-idempotency-keys": {
        "task": "branchsite.infra.tasks.forget_old_idempotency_keys",
        "schedule": 3600.0,
    },
}

# Auth, i18n, static -----------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "staff-home"
LOGOUT_REDIRECT_URL = "login"

# Staff sign-in (branchsite/accounts/services.py): the form, its code step, POST /api/auth/token/.
# Failed sign-ins (wrong passwords, wrong codes) lock the account after SIGN_IN_FAILURES_PER_ACCOUNT
# and, separately, the client's address (branchsite/infra/clients.py) for every account after
# SIGN_IN_FAILURES_PER_ADDRESS: higher, as a branch's staff share one address. A lockout ends
# SIGN_IN_LOCKOUT_MINUTES after the failure that counted last; a success forgets the account's
# failures, not the address's (branchsite/accounts/attempts.py).
SIGN_IN_FAILURES_PER_ACCOUNT = env_int("SIGN_IN_FAILURES_PER_ACCOUNT", 5)
SIGN_IN_FAILURES_PER_ADDRESS = env_int("SIGN_IN_FAILURES_PER_ADDRESS", 20)
SIGN_IN_LOCKOUT_MINUTES = env_int("SIGN_IN_LOCKOUT_MINUTES", 15)
# Checking a password hashes it for about a quarter of a second of one core, holding a database
# connection: a process checks this many at once (about its cores) and a sign-in that waits
# longer than SIGN_IN_WAIT_SECONDS for its turn is answered 429 sign_in_busy
# (branchsite/infra/gates.py).
SIGN_IN_CONCURRENCY = env_int(
    "SIGN_IN_CONCURRENCY",
    len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1,
)
SIGN_IN_WAIT_SECONDS = env_int("SIGN_IN_WAIT_SECONDS", 3)
for _name in (
    "SIGN_IN_FAILURES_PER_ACCOUNT",
    "SIGN_IN_FAILURES_PER_ADDRESS",
    "SIGN_IN_LOCKOUT_MINUTES",
    "SIGN_IN_CONCURRENCY",
):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be 1 or more")
if SIGN_IN_WAIT_SECONDS < 0:
    raise ImproperlyConfigured("SIGN_IN_WAIT_SECONDS must be 0 or more")

# The lockout checks every authenticate() first; the sign-in views answer it themselves.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "branchsite.accounts.attempts.SignInAttempts"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = SIGN_IN_FAILURES_PER_ACCOUNT
AXES_COOLOFF_TIME = timedelta(minutes=SIGN_IN_LOCKOUT_MINUTES)
AXES_RESET_ON_SUCCESS = True
# Tries while locked out are refused without being written: the lockout ends when it said it
# would, and a locked-out guesser adds no rows.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "branchsite.infra.clients.client_address"
AXES_LOCKOUT_CALLABLE = "branchsite.accounts.views.lockout_response"
# Every failed sign-in, for head office to read in the admin.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp_token"]
# Authenticator apps (TOTP) name the account "branchsite:<username>".
OTP_TOTP_ISSUER = "branchsite"
# The admin never shows a staff member's authenticator key: it is theirs alone.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LANGUAGE_CODE = "en"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"

# Security: strict unless DEBUG. Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
# A staff sign-in lasts a working day, not Django's two weeks: a counter PC left signed in
# overnight is signed out by morning.
STAFF_SESSION_HOURS = env_int("STAFF_SESSION_HOURS", 12)
if STAFF_SESSION_HOURS < 1:
    raise ImproperlyConfigured("STAFF_SESSION_HOURS must be 1 or more")
SESSION_COOKIE_AGE = STAFF_SESSION_HOURS * 3600
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp 4). Pages run only the site's own script and style files:
# no inline script or style, no eval, nothing from another origin; QR codes and Swagger UI's
# icons are data: images. branchsite/infra/security.py adds the page's WebSocket origin (ws:// or
# wss:// of its host) to connect-src. Violations are logged through the report endpoint.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "report-uri": [reverse_lazy("csp-report")],
    },
}
# Permissions-Policy: each feature here is off on every page and in anything a page embeds. A
# page that needs one allows it for the site itself with @allow_features
# (branchsite/infra/security.py):
# geolocation on the branch finder ("near me"), autoplay on the wall screen and the ticket page
# (the call chime). Only names Chromium knows: an unknown one is an error in its console.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "clipboard-read",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "sync-xhr",
        "usb",
        "xr-spatial-tracking",
    )
}

# Client addresses -------------------------------------------------------------------------------

# How many reverse proxies that append to X-Forwarded-For stand before the servers. 0: none, and
# the client's address is the socket's; n: the n-th address from the right
# (branchsite/infra/clients.py).
NUM_PROXIES = env_int("NUM_PROXIES", 0)
if NUM_PROXIES < 0:
    raise ImproperlyConfigured("NUM_PROXIES must be 0 (no proxy) or the number of proxies")

# API ------------------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header is the one a 401 shows.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
        "kiosks.authentication.KioskKeyAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_SCHEMA_CLASS": "branchsite.infra.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "branchsite.infra.api_errors.exception_handler",
    # No endpoint takes files: multipart is not offered. JSON bodies are checked for what no field
    # can store; form bodies are checked at the edge (branchsite/infra/edge.py).
    "DEFAULT_PARSER_CLASSES": [
        "branchsite.infra.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # The API takes JSON and forms, not multipart (above): so do the tests' clients.
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # DRF's throttles are not used (see branchsite/infra/rate_limits.py); kept in step all the same.
    "NUM_PROXIES": NUM_PROXIES,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "branchsite API",
    "DESCRIPTION": (
        "Queues, appointments, kiosks and umbrellas of bank branches. Errors are JSON "
        '`{"code": "...", "detail": "..."}` with a stable `code`. Creating requests accept an '
        "`Idempotency-Key` header."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Bodies are documented as JSON, which every client here sends. Form bodies are read too, but
    # cannot carry what the schema says (a null), so the schema does not offer them.
    "PARSER_WHITELIST": ["branchsite.infra.parsers.JSONParser"],
    "ENUM_NAME_OVERRIDES": {
        "TicketStatusEnum": "queueing.models.TicketStatus",
        "AppointmentStatusEnum": "queueing.models.AppointmentStatus",
    },
    # /api/docs/ works offline and under the Content-Security-Policy: Swagger UI from the
    # drf-spectacular-sidecar package, its start-up script a file of its own (branchsite/urls.py).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No validator: its badge is an image from swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
}

# How long a stored Idempotency-Key answer is replayed.
IDEMPOTENCY_KEY_TTL_HOURS = env_int("IDEMPOTENCY_KEY_TTL_HOURS", 24)

# Customers -----------------------------------------------------------------------------------

# Abuse limits on what anyone may create without an account, counted per phone number and per
# client address in fixed windows; 0 turns a limit off. Addresses are generous because mobile
# carriers put many customers behind one address. Behind a reverse proxy, set NUM_PROXIES so the
# client's own address is counted (see above).
REMOTE_TICKETS_PER_PHONE_PER_HOUR = env_int("REMOTE_TICKETS_PER_PHONE_PER_HOUR", 5)
# One phone holds one waiting remote ticket per branch (the database refuses a second one); off,
# a phone may wait in several queues of a branch at once.
ONE_WAITING_TICKET_PER_PHONE = env_bool("ONE_WAITING_TICKET_PER_PHONE", default=True)
REMOTE_TICKETS_PER_ADDRESS_PER_HOUR = env_int("REMOTE_TICKETS_PER_ADDRESS_PER_HOUR", 60)
BOOKINGS_PER_PHONE_PER_DAY = env_int("BOOKINGS_PER_PHONE_PER_DAY", 5)
BOOKINGS_PER_ADDRESS_PER_DAY = env_int("BOOKINGS_PER_ADDRESS_PER_DAY", 50)
# How many days ahead customers may book.
APPOINTMENT_BOOKING_DAYS = env_int("APPOINTMENT_BOOKING_DAYS", 14)

# Notifications ---------------------------------------------------------------------------------

# Text messages to customers who opted in (branchsite/infra/notifications/, sent by Celery after
# the change commits). The backend is a dotted path, as EMAIL_BACKEND is; `make run` chooses the
# file backend, production the HTTP gateway.
_NOTIFICATION_BACKENDS = "branchsite.infra.notifications.backends."
NOTIFICATION_BACKEND = env_str(
    "NOTIFICATION_BACKEND", _NOTIFICATION_BACKENDS + "console.ConsoleBackend"
)
NOTIFICATION_FILE_PATH = Path(
    env_str("NOTIFICATION_FILE_PATH", str(VAR_DIR / "notifications.jsonl"))
)
NOTIFICATION_HTTP_URL = env_str("NOTIFICATION_HTTP_URL")
NOTIFICATION_HTTP_TOKEN = env_str("NOTIFICATION_HTTP_TOKEN")
NOTIFICATION_HTTP_TIMEOUT_SECONDS = env_int("NOTIFICATION_HTTP_TIMEOUT_SECONDS", 5)
if NOTIFICATION_HTTP_URL and not NOTIFICATION_HTTP_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("NOTIFICATION_HTTP_URL must be an https:// (or http://) URL")
if NOTIFICATION_BACKEND == _NOTIFICATION_BACKENDS + "http.HttpGatewayBackend" and not (
    NOTIFICATION_HTTP_URL
):
    raise ImproperlyConfigured("The HTTP gateway backend needs NOTIFICATION_HTTP_URL")
if NOTIFICATION_HTTP_TIMEOUT_SECONDS < 1:
    raise ImproperlyConfigured("NOTIFICATION_HTTP_TIMEOUT_SECONDS must be 1 or more")
# The gateway's inbound webhook (POST /api/notifications/inbound/) must present this secret; with
# none set, the webhook refuses every request.
NOTIFICATION_INBOUND_SECRET = env_str("NOTIFICATION_INBOUND_SECRET")
if NOTIFICATION_INBOUND_SECRET and len(NOTIFICATION_INBOUND_SECRET) < 16:
    raise ImproperlyConfigured("NOTIFICATION_INBOUND_SECRET must be 16 characters or more")
# A waiting ticket's holder is told once when this many places or fewer from the front; 0: never.
NOTIFY_PLACES_BEFORE_FRONT = env_int("NOTIFY_PLACES_BEFORE_FRONT", 3)
if NOTIFY_PLACES_BEFORE_FRONT < 0:
    raise ImproperlyConfigured("NOTIFY_PLACES_BEFORE_FRONT must be 0 (never) or more")
# Each opt-in costs the bank messages: counted per phone and per client address; 0 turns one off.
NOTIFICATION_OPT_INS_PER_PHONE_PER_DAY = env_int("NOTIFICATION_OPT_INS_PER_PHONE_PER_DAY", 10)
NOTIFICATION_OPT_INS_PER_ADDRESS_PER_DAY = env_int("NOTIFICATION_OPT_INS_PER_ADDRESS_PER_DAY", 100)
# Where messages link to: the site as customers reach it. With DEBUG, `make run`'s address;
# otherwise https:// and the first of ALLOWED_HOSTS, unless that is a pattern.
_first_host = ALLOWED_HOSTS[0] if ALLOWED_HOSTS else ""
SITE_URL = env_str(
    "SITE_URL",
    f"http://127.0.0.1:{env_int('PORT', 8000)}"
    if DEBUG
    else (f"https://{_first_host}" if _first_host and _first_host[0] not in ".*" else ""),
).rstrip("/")
if SITE_URL and not SITE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured(
        "SITE_URL must be an https:// (or http://) URL, such as https://queue.example.cn"
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
