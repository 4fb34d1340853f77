"""Celery tasks of exports: render a job; sweep jobs left behind by dead workers."""

from celery import shared_task

from apps.exports import services


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    max_retries=services.MAX_ATTEMPTS,
    retry_backoff=2,
    retry_jitter=False,
)
def export_render_task(self, job_id: str) -> None:
    """Render one export job (claimed with a compare-and-set UPDATE; the file goes to storage)."""
    services.export_render(job_id=job_id, task_id=self.request.id or "")


@shared_task(acks_late=True)
def exports_sweep_task() -> int:
    """Requeue export jobs whose worker died mid-render (run every few minutes by beat)."""
    return services.exports_sweep()
