"""Benchmark: exporting the content spec's worked example, against bare WeasyPrint.

Run with `make bench`. In a scratch database it builds the worked example (Appendix A) as a
document, then reports medians and ratios measured in the same run:

- end-to-end PDF export (snapshot, job row, safe render, file stored) against the bare
  WeasyPrint render of the same HTML with the same stylesheet (target: within 1.25x);
- a repeated export of unchanged content (job found, file read from storage) against a
  render (target: at least 100x faster). Never a timed assert.
"""

import os
import statistics
import tempfile
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mlsd_portal.settings")
os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="mlsd-bench-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{os.environ['VAR_DIR']}/bench.sqlite3")
django.setup()

import yaml  # noqa: E402
from django.contrib.staticfiles import finders  # noqa: E402
from django.core.management import call_command  # noqa: E402
from weasyprint import CSS, HTML  # noqa: E402

from apps.accounts.services import team_create  # noqa: E402
from apps.documents.services import document_create, section_save  # noqa: E402
from apps.exports import pdf, services  # noqa: E402
from apps.templates_catalog.models import DesignTemplate  # noqa: E402
from tests.factories import make_user  # noqa: E402

APPENDIX_A = Path(__file__).resolve().parents[1] / "checklists" / "appendix_a.yaml"
REPEATS = 7


def worked_example():
    """The Appendix A example as a document of the full template, every section written."""
    user = make_user("bench")
    team = team_create(name="Bench", owner=user)
    template = DesignTemplate.objects.get(key="ml_system_design", is_latest=True)
    document = document_create(
        team=team,
        template=template,
        title="Ad click-through-rate prediction for feed ads",
        created_by=user,
    )
    fields = yaml.safe_load(APPENDIX_A.read_text())
    for section in document.sections.select_related("spec", "document").order_by("position"):
        groups = section.spec.field_schema.get("properties") or {}
        section_save(
            section=section,
            body_md=f"Notes on {section.spec.title}: assumptions, trade-offs, open questions.",
            data={g: fields[g] for g in groups if g in fields},
            author=user,
            check_references=False,
        )
    return document, user


def median_ms(fn, setup=None) -> float:
    samples = []
    for _ in range(REPEATS):
        if setup:
            setup()
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("load_templates", verbosity=0)
    document, user = worked_example()
    first = document.sections.select_related("spec", "document").first()
    counter = iter(range(10**6))

    def new_content():
        # Each end-to-end run exports content never exported before.
        section_save(section=first, body_md=f"Revision {next(counter)}.", author=user)

    def export_end_to_end():
        job = services.export_request(document=document, user=user, format="pdf")
        services.export_render(job_id=job.pk)

    html_holder = {}

    def render_html_once():
        job = services.export_request(document=document, user=user, format="pdf")
        html_holder["html"] = pdf.render_html(job.snapshot)

    stylesheet = finders.find("css/print.css")

    def bare_render():
        # The same HTML, stylesheet and logo (served the same way); no job, no checks, no file.
        fetcher = pdf.SafeURLFetcher()
        HTML(string=html_holder["html"], base_url=pdf.BASE_URL, url_fetcher=fetcher).write_pdf(
            stylesheets=[
                CSS(filename=stylesheet, url_fetcher=fetcher),
                CSS(string="@page { size: A4; }", url_fetcher=fetcher),
            ]
        )

    def repeated_export():
        job = services.export_request(document=document, user=user, format="pdf")
        with job.file.open("rb") as handle:
            handle.read()

    # Jobs are rendered here, in process; their queue messages go to the scratch on-disk broker.
    end_to_end = median_ms(export_end_to_end, setup=new_content)
    render_html_once()
    bare = median_ms(bare_render)
    export_end_to_end()
    repeated = median_ms(repeated_export)
    fetcher = pdf.SafeURLFetcher()
    pages = len(
        HTML(string=html_holder["html"], base_url=pdf.BASE_URL, url_fetcher=fetcher)
        .render(stylesheets=[CSS(filename=stylesheet, url_fetcher=fetcher)])
        .pages
    )
    print(f"PDF export of the worked example ({pages} pages)")
    print(f"  bare WeasyPrint render of the same HTML: {bare:9.1f} ms")
    print(
        f"  end-to-end export:                       {end_to_end:9.1f} ms  "
        f"({end_to_end / bare:.2f}x bare; target <= 1.25x)"
    )
    print(
        f"  repeated export (from storage):          {repeated:9.2f} ms  "
        f"({bare / repeated:.0f}x faster than a render; target >= 100x)"
    )


if __name__ == "__main__":
    main()
