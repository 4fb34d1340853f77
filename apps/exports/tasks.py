"""Celery tasks of exports: render a job; send again the jobs whose message was lost."""

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
    """Send again the export jobs of dead workers and of a broker that was down (beat)."""
    return services.exports_sweep()
