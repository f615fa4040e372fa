# Production image: gunicorn for the web, the same image runs the Celery worker and beat
# (see docker-compose.yml). Build: docker build -t qingdao-groups .
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=qingdao_groups.settings.production \
    DJANGO_STATIC_ROOT=/app/staticfiles \
    DJANGO_MEDIA_ROOT=/data/media \
    DJANGO_LOG_DIR=/data/log \
    DJANGO_AUDIT_ARCHIVE_DIR=/data/audit-archive

# WeasyPrint needs Pango/HarfBuzz (libharfbuzz-subset0 keeps Chinese PDFs fast), a CJK font so
# Chinese is not drawn as empty boxes, and gettext for compilemessages. postgresql-client (15 in
# bookworm, the postgres:15 service's version) gives `manage.py backup/restore` pg_dump/pg_restore.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1 \
        shared-mime-info fonts-noto-cjk gettext poppler-utils postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Runtime dependencies of pyproject.toml, pinned to the tested versions in requirements.lock
# (the lock also holds the dev tools, which the image leaves out).
COPY pyproject.toml requirements.lock ./
RUN pip install uv \
    && uv pip install --system --no-cache -r pyproject.toml -c requirements.lock

COPY manage.py ./
COPY qingdao_groups/ qingdao_groups/
COPY members/ members/
COPY groups/ groups/
COPY funding/ funding/
COPY assessments/ assessments/
COPY templates/ templates/
COPY static/ static/
COPY locale/ locale/

# Static files and translations are built into the image with a throwaway secret; the real
# secret only ever comes from the environment at run time.
RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin app \
    && mkdir -p /app/var /data/media /data/log /data/audit-archive \
    && export DJANGO_SECRET_KEY=build-only-not-a-secret DJANGO_ALLOWED_HOSTS=localhost \
    && python manage.py collectstatic --noinput --verbosity 0 \
    && python manage.py compilemessages --verbosity 0 \
    && chown -R app:app /app/var /data/media /data/log /data/audit-archive

USER app
EXPOSE 8000
VOLUME ["/data/media", "/data/log", "/data/audit-archive"]

# Workers: gunicorn reads WEB_CONCURRENCY (set in docker-compose.yml).
CMD ["gunicorn", "qingdao_groups.wsgi:application", "--bind", "0.0.0.0:8000", \
     "--access-logfile", "-", "--timeout", "60"]
