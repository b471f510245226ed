"""The Celery app. Workers: `celery -A intentscore worker`. With CELERY_BROKER_URL unset,
tasks run in the calling process (task_always_eager), so the embedded default needs no broker."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intentscore.settings")

app = Celery("intentscore")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
