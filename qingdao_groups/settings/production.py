"""Production: secrets and hosts must come from the environment; HTTPS only."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import broker_transport_options, cache_config, env, redis_beside

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")  # no default: refuse to start without one
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
# The mail server from the environment (issue 12). TLS is STARTTLS on the submission port (587);
# SSL is implicit TLS (465): at most one of them.
EMAIL_HOST = env("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
EMAIL_USE_TLS = env.bool("DJANGO_EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("DJANGO_EMAIL_USE_SSL", default=False)
EMAIL_HOST_USER = env("DJANGO_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("DJANGO_EMAIL_HOST_PASSWORD", default="")
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set DJANGO_EMAIL_USE_TLS or DJANGO_EMAIL_USE_SSL, not both.")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://redis:6379/0")
CELERY_BROKER_TRANSPORT_OPTIONS = broker_transport_options(CELERY_BROKER_URL)
# One cache for every web process and the worker: CACHE_URL, or else the Redis server named by
# CELERY_BROKER_URL (its next database) when that is set to a Redis; otherwise local memory.
_broker_env = env("CELERY_BROKER_URL", default="")
CACHES = {
    "default": cache_config(
        env("CACHE_URL", default=None)
        or (
            redis_beside(_broker_env)
            if _broker_env.startswith(("redis://", "rediss://"))
            else "locmemcache://"
        )
    )
}
# The API's rate-limit counters (issue 11) in the same shared Redis unless named apart.
CACHES["api"] = (
    cache_config(env("API_THROTTLE_CACHE_URL"))
    if env("API_THROTTLE_CACHE_URL", default="")
    else CACHES["default"]
)

# Behind the reverse proxy every request comes from the proxy's address: take the client's from
# X-Forwarded-For (django-ipware), or the lockout and the login records would key on the proxy.
# DJANGO_TRUSTED_PROXY_COUNT is the number of reverse proxies in front of gunicorn (1: one nginx
# that appends $remote_addr). The last proxy is REMOTE_ADDR and not in the header, so ipware's
# count is one less; the client is read that many entries from the header's right end, and
# whatever a client put in the header itself (further left) is ignored (not strict: a spoofed
# prefix does not send the request back to the proxy's own address).
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=1)
# 0: no proxy, the header is the client's own words and is not read.
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if TRUSTED_PROXY_COUNT else ("REMOTE_ADDR",)
)
AXES_IPWARE_PROXY_COUNT = max(TRUSTED_PROXY_COUNT - 1, 0)
IPWARE_STRICT = False
# The API's anonymous rate limits read the same client address (DRF: that many from the right).
REST_FRAMEWORK = {**REST_FRAMEWORK, "NUM_PROXIES": TRUSTED_PROXY_COUNT}  # noqa: F405

# `make bench` only (issue 7): gunicorn on 127.0.0.1 over plain HTTP, so no HTTPS redirect and
# no Secure-only cookies, and an X-Query-Count header on every response. Nothing else changes.
# Never set DJANGO_BENCH in a deployment.
BENCH = env.bool("DJANGO_BENCH", default=False)
if BENCH:
    SECURE_SSL_REDIRECT = False
    SESSION_COOKIE_SECURE = False
    CSRF_COOKIE_SECURE = False
    MIDDLEWARE = ["qingdao_groups.bench.middleware.QueryCountMiddleware", *MIDDLEWARE]  # noqa: F405
