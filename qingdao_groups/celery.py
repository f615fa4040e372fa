"""The Celery app. Tasks take ids and call one service (house style)."""

import os

from celery import Celery

from qingdao_groups.celery_transport import install as install_filesystem_transport

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingdao_groups.settings.local")

install_filesystem_transport()  # messages written whole before a worker sees them
# Every task counts its deliveries and is given up once redelivered too often
# (qingdao_groups.core.tasks.TrackedTask, TASK_MAX_DELIVERIES in the settings).
app = Celery("qingdao_groups", task_cls="qingdao_groups.core.tasks:TrackedTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
