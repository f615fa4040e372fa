"""Settings for pytest: fast hashing, eager Celery, in-memory mail; DATABASE_URL still honoured."""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
# Each test process its own cache (cleared before every test, tests/conftest.py), whatever
# CACHE_URL says: a shared Redis would mix the figures of parallel test databases.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # The API's rate-limit counters; tests/api/test_keys.py counts them in a real Redis.
    "api": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_VERBOSE = False
# Thousands of tests sign in with force_login, which has no second factor: they test what a
# signed-in person may do, not how they signed in. tests/members/test_two_factor.py and the
# browser test of enrolment turn it on (the `two_factor` fixture) and test the sign-in itself.
TWO_FACTOR_ENFORCED = False
# Tests that scan start their own ClamAV daemon (tests/clamd.py); a developer's does not count.
CLAMAV_SOCKET = ""
CLAMAV_TCP = ""
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# No log file: parallel test processes would share one (tests/test_logging.py writes its own).
LOG_DIR = ""
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"pypdf": {"level": "ERROR"}},
}

# Persistent connections (base settings) would keep the live-server threads' connections open
# past a test and stop the test database from being dropped.
DATABASES = {**DATABASES, "default": {**DATABASES["default"], "CONN_MAX_AGE": 0}}  # noqa: F405
