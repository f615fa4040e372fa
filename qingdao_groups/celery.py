"""The Celery app. Tasks take ids and call one service (house style)."""

import os

from celery import Celery, signals

from qingdao_groups.celery_transport import install as install_filesystem_transport

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingdao_groups.settings.local")

install_filesystem_transport()  # messages written whole before a worker sees them
# Every task counts its deliveries and is given up once redelivered too often
# (qingdao_groups.core.tasks.TrackedTask, TASK_MAX_DELIVERIES in the settings).
app = Celery("qingdao_groups", task_cls="qingdao_groups.core.tasks:TrackedTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.after_setup_logger.connect
@signals.after_setup_task_logger.connect
def _json_lines_file(logger, **kwargs):
    """The worker and beat replace the root logger's handlers with Celery's console handler;
    their records go to the application's JSON-lines file too (issue 12; settings LOG_DIR)."""
    from django.conf import settings

    from qingdao_groups.logging import RequestContext, json_file_handler

    if settings.LOG_DIR:
        handler = json_file_handler(
            log_dir=settings.LOG_DIR,
            max_bytes=settings.LOG_FILE_MAX_BYTES,
            backup_count=settings.LOG_FILE_BACKUP_COUNT,
        )
        handler.addFilter(RequestContext())
        logger.addHandler(handler)
