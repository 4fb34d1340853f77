"""Tasks and hooks only the test worker loads (`celery worker --include tests.celery_tasks`)."""

import os
import time
from pathlib import Path

from celery import shared_task


@shared_task(name="tests.whoami", ignore_result=False)
def whoami(token: str) -> dict:
    """Echo the token and say which process ran it, so a test can tell it was not eager."""
    return {"token": token, "pid": os.getpid()}


def _install_render_hooks() -> None:
    """Documents titled "crash …" kill the rendering process (as a crash in native code would);
    "slow …" ones render while the file named by EXPORT_TEST_SLOW_FILE exists."""
    from apps.exports import services

    render = services.render_bytes

    def hooked(job):
        title = job.snapshot.get("title", "")
        if title.startswith("crash"):
            os._exit(1)
        if title.startswith("slow"):
            marker = Path(os.environ["EXPORT_TEST_SLOW_FILE"])
            while marker.exists():
                time.sleep(0.1)
        return render(job)

    services.render_bytes = hooked


if os.environ.get("EXPORT_TEST_HOOKS") == "1":
    _install_render_hooks()
