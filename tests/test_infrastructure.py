"""The suite runs on the real services in CI, and a real Celery worker consumes our broker."""

import uuid

from django.db import connection

from mlsd_portal.celery import app
from tests.conftest import need_service


def test_ci_runs_against_postgresql(db):
    if connection.vendor != "postgresql":
        need_service("DATABASE_URL does not point at PostgreSQL; the suite ran on SQLite")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_ci_uses_redis_as_the_celery_broker():
    if not app.conf.broker_url.startswith("redis://"):
        need_service("CELERY_BROKER_URL does not point at Redis; the on-disk broker was used")
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=5)


def test_a_real_worker_process_runs_a_task_from_the_broker(celery_worker_process):
    token = uuid.uuid4().hex
    result = app.send_task("tests.whoami", args=[token]).get(timeout=60)
    assert result == {"token": token, "pid": celery_worker_process.pid}
    assert celery_worker_process.poll() is None, "the worker died while serving the task"
