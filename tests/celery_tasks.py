"""Tasks that only the test worker loads (`celery worker --include tests.celery_tasks`)."""

import os

from celery import shared_task


@shared_task(name="tests.whoami")
def whoami(token: str) -> dict:
    """Echo the token and say which process ran it, so a test can tell it was not eager."""
    return {"token": token, "pid": os.getpid()}
