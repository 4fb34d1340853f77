"""The cast, as in every test of the portal.

alice owns team A and writes the documents; bob reviews on team A; victor only views on team A;
eddie edits on team A; carol owns team B and must never see team A's work; anonymous is nobody.
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from apps.documents.services import section_save
from tests.factories import make_document, make_team, make_user
from tests.page_version import watch_requests  # noqa: F401 (an autouse fixture)

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
BASE_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """The default hasher is deliberately slow; tests do not need it to be."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def default_language():
    """A request activates its reader's language in the thread and leaves it there; each test
    starts again from the default, whatever the previous one asked for."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def alice(db):
    return make_user("alice")


@pytest.fixture
def bob(db):
    return make_user("bob")


@pytest.fixture
def eddie(db):
    return make_user("eddie")


@pytest.fixture
def victor(db):
    return make_user("victor")


@pytest.fixture
def carol(db):
    return make_user("carol")


@pytest.fixture
def team_a(alice, bob, eddie, victor):
    return make_team(
        "Ads ranking", {alice: "owner", bob: "reviewer", eddie: "editor", victor: "viewer"}
    )


@pytest.fixture
def team_b(carol):
    return make_team("Search quality", {carol: "owner"})


@pytest.fixture
def doc(team_a, alice):
    return make_document(team_a, alice)


@pytest.fixture
def written_doc(team_a, alice):
    """`doc` with every section written: its checklist has no errors."""
    document = make_document(team_a, alice)
    for section in document.sections.select_related("spec", "document"):
        section_save(section=section, body_md=f"What {section.key} says.", author=alice)
    return document


@pytest.fixture
def cast(alice, bob, eddie, victor, carol, team_a, team_b):
    """Every user by name, for permission ladders."""
    return {"alice": alice, "bob": bob, "eddie": eddie, "victor": victor, "carol": carol}


def need_service(reason: str) -> None:
    """A missing service fails the test in CI and skips it, saying why, elsewhere."""
    if IN_CI:
        pytest.fail(f"CI needs this service: {reason}")
    pytest.skip(reason)


@pytest.fixture
def celery_worker_process():
    """A real `celery worker` process on the configured broker, stopped after the test."""
    from mlsd_portal.celery import app

    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=5)
    except Exception as exc:  # kombu raises the transport's own errors
        need_service(f"Celery broker {app.conf.broker_url!r} is unreachable: {exc}")
    command = [
        sys.executable, "-m", "celery", "-A", "mlsd_portal", "worker",
        "--pool=solo", "--loglevel=WARNING", "--include=tests.celery_tasks",
        f"--hostname=test-{os.getpid()}@%h",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=BASE_DIR, env=os.environ.copy())
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
