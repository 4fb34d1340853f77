"""Benchmark: the document page and the API list at 10,000 documents, Markdown per section.

Run with `make bench`. In a scratch database it writes the worked example (Appendix A) as a
document, adds 9,999 more documents to the same team, and reports, measured in the same run:

- the document page against a bare Django view returning the same stored HTML (target: p50
  within 2x), with the page's query count: as read again (from the cache) and as first read
  after a change (rendered);
- the API's document list against a bare DRF list of the same documents (target: p50 within
  2x), with its query count (constant however many documents there are);
- Markdown render and sanitize per section of the CTR worked example (done on save only).

Medians and ratios; never a timed assert.
"""

import os
import statistics
import tempfile
import time
from collections.abc import Callable

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mlsd_portal.settings")
os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="mlsd-bench-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{os.environ['VAR_DIR']}/bench.sqlite3")
# Production settings, as served (no per-query debug logging, collected static files), but
# over plain HTTP on the test client.
os.environ.update(
    DEBUG="0",
    SECRET_KEY="bench-only-" + os.urandom(24).hex(),
    SECURE_SSL_REDIRECT="0",
    SESSION_COOKIE_SECURE="0",
    CSRF_COOKIE_SECURE="0",
)
django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from apps.documents import markdown  # noqa: E402
from apps.documents.models import Document  # noqa: E402
from apps.exports import markdown_format  # noqa: E402
from apps.library.services import EXAMPLES_DIR  # noqa: E402
from tests.bench.exports import worked_example  # noqa: E402

DOCUMENTS = 10_000
REPEATS = 100


def timed(client: Client, *measures: tuple[str, Callable[[], object]]) -> list[tuple[float, int]]:
    """(median ms, queries) of each (url, before) in `measures`: GET `url` after `before()`,
    which is not timed. The requests take turns, so that a machine busier at one moment than
    at another slows each of them alike and their ratio stays true."""
    samples: list[list[float]] = [[] for _ in measures]
    for url, before in measures:  # warm up
        before()
        assert client.get(url).status_code == 200, url
    for _ in range(REPEATS):
        for times, (url, before) in zip(samples, measures, strict=True):
            before()
            start = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - start) * 1000)
    results = []
    for times, (url, before) in zip(samples, measures, strict=True):
        before()
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        results.append((statistics.median(times), len(queries)))
    return results


def unchanged() -> None:
    pass


def main() -> None:
    settings.ROOT_URLCONF = "tests.bench.urls"
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("load_templates", verbosity=0)
    document, user = worked_example()
    Document.objects.bulk_create(
        Document(
            team=document.team,
            template=document.template,
            title=f"Design {i}",
            created_by=user,
        )
        for i in range(DOCUMENTS - 1)
    )
    if connection.vendor == "postgresql":
        # Statistics for the planner, as autovacuum gathers within a minute of such a load on
        # a running server; without them the list's first plans walk every document.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    client = Client()
    client.force_login(user)

    # The page read again (from the cache), and as first read after a change (here one that
    # leaves every section as it was: the page is rendered, its section cards read from the
    # cache).
    changed = Document.objects.filter(pk=document.pk).mark_changed
    (page, page_queries), (rendered, rendered_queries), (bare_page, _) = timed(
        client,
        (f"/documents/{document.pk}/", unchanged),
        (f"/documents/{document.pk}/", changed),
        (f"/bench/documents/{document.pk}/", unchanged),
    )
    (api, api_queries), (bare_api, bare_api_queries) = timed(
        client, ("/api/v1/documents/", unchanged), ("/bench/api/documents/", unchanged)
    )

    # The worked example's real section bodies (tables, lists, code blocks).
    example = markdown_format.parse((EXAMPLES_DIR / "ctr-ads.md").read_text(encoding="utf-8"))
    bodies = [body for _, _, body in example.sections if body.strip()]
    samples = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        for body in bodies:
            markdown.render(body)
        samples.append((time.perf_counter() - start) * 1000 / len(bodies))

    total = Document.objects.count()
    print(f"Pages and API at {total:,} documents ({connection.vendor})")
    print(
        f"  document page:   {page:8.1f} ms p50, {page_queries} queries; bare view "
        f"{bare_page:.1f} ms ({page / bare_page:.2f}x bare; target <= 2x)"
    )
    print(
        f"    after a change: {rendered:7.1f} ms p50, {rendered_queries} queries "
        f"({rendered / bare_page:.2f}x bare): the page is rendered, its cards read from the cache"
    )
    print(
        f"  API list:        {api:8.1f} ms p50, {api_queries} queries; bare DRF list "
        f"{bare_api:.1f} ms, {bare_api_queries} queries ({api / bare_api:.2f}x bare; "
        "target <= 2x)"
    )
    print(f"  Markdown render: {statistics.median(samples):8.2f} ms per section (on save only)")


if __name__ == "__main__":
    main()
