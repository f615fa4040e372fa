"""The embedded default used by `make run`: SQLite, filesystem Celery broker, mail to files."""

from .base import *  # noqa: F403
from .base import VAR_DIR, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
WHITENOISE_USE_FINDERS = True
# Mail of the embedded default goes to files under var/mail (one readable text file per
# message), not raw MIME in the console scroll; DJANGO_EMAIL_BACKEND chooses another.
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="qingdao_groups.core.mail.ReadableFileBackend")
EMAIL_FILE_PATH = env("DJANGO_EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
WHITENOISE_AUTOREFRESH = DEBUG
