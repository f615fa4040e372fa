"""The Celery app. Tasks take ids and call one service (house style)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingdao_groups.settings.local")

app = Celery("qingdao_groups")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
