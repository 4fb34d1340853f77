"""`make load`: a bounded load test of the main pages and API on loopback.

It seeds a scratch database (SQLite by default, or DATABASE_URL's PostgreSQL), starts gunicorn
on 127.0.0.1, runs the locust workload of tests/load/locustfile.py headless for a fixed number
of users and seconds, and prints requests, throughput, p50 and p99 per request kind. It exits
1 on any 5xx. LOAD_USERS, LOAD_SECONDS and LOAD_WORKERS size it (CI runs a small one).
"""

import csv
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
USERS = int(os.environ.get("LOAD_USERS", "20"))
SECONDS = int(os.environ.get("LOAD_SECONDS", "30"))
WORKERS = int(os.environ.get("LOAD_WORKERS", "3"))
DOCUMENTS = int(os.environ.get("LOAD_DOCUMENTS", "50"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed(env: dict, path: Path, documents: int) -> None:
    """Templates, a team of five, `documents` documents, and each member's token and session."""
    script = f"""
import json
from django.conf import settings
from django.test import Client
from rest_framework.authtoken.models import Token
from apps.accounts.services import team_create
from apps.documents.services import document_create, section_save
from apps.templates_catalog.models import DesignTemplate
from apps.templates_catalog.services import templates_load_all
from tests.factories import add_member, make_user

templates_load_all()
template = DesignTemplate.objects.get(key="ml_system_design", is_latest=True)
owner = make_user("load-owner")
team = team_create(name="Load", owner=owner)
people = [owner] + [make_user(f"load-{{i}}") for i in range(4)]
for person in people[1:]:
    add_member(team, person, "editor")
documents = []
for i in range({documents}):
    doc = document_create(team=team, template=template, title=f"Design {{i}}", created_by=owner)
    for section in doc.sections.select_related("spec", "document").order_by("position")[:4]:
        section_save(section=section, body_md=f"Notes on {{section.key}} of design {{i}}.",
                     author=owner)
    documents.append(str(doc.pk))
accounts = []
for person in people:
    client = Client()
    client.force_login(person)
    accounts.append({{"token": Token.objects.create(user=person).key,
                     "session": client.cookies[settings.SESSION_COOKIE_NAME].value}})
json.dump({{"accounts": accounts, "documents": documents,
           "session_cookie": settings.SESSION_COOKIE_NAME}}, open("{path}", "w"))
"""
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        env=env,
        cwd=BASE_DIR,
        check=True,
    )
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script], env=env, cwd=BASE_DIR, check=True
    )


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - loopback only
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"The server at {url} did not answer in {seconds} s.")


def report(prefix: Path) -> None:
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv", encoding="utf-8")))  # noqa: SIM115
    print(f"{'request':<24}{'count':>8}{'fail':>6}{'rps':>8}{'p50 ms':>9}{'p99 ms':>9}")
    for row in rows:
        print(
            f"{row['Name'] or row['Type']:<24}{row['Request Count']:>8}{row['Failure Count']:>6}"
            f"{float(row['Requests/s']):>8.1f}{row['50%']:>9}{row['99%']:>9}"
        )


def production_env(scratch: Path) -> dict:
    """The environment of a production-like server on loopback, its files under `scratch`."""
    return {
        **os.environ,
        "VAR_DIR": str(scratch),
        "DEBUG": "0",
        "SECRET_KEY": "load-test-only-" + os.urandom(16).hex(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "AXES_FAILURE_LIMIT": "1000",
    }


def start_server(env: dict, port: int, workers: int, log: Path | None = None) -> subprocess.Popen:
    """gunicorn on 127.0.0.1:`port` with the static files collected; returns once it answers.
    Its errors go to `log` if given, else to our stderr."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        env=env,
        cwd=BASE_DIR,
        check=True,
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "mlsd_portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=BASE_DIR,
        stderr=open(log, "wb") if log else None,  # noqa: SIM115 - open while it runs
    )
    wait_for(f"http://127.0.0.1:{port}/")
    return server


def locust_command(*, port: int, users: int, seconds: int, prefix: Path) -> list[str]:
    """Locust headless with the workload of locustfile.py; its stats go to `prefix`_*.csv."""
    return [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(Path(__file__).with_name("locustfile.py")),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(max(1, users // 2)),
        "--run-time",
        f"{seconds}s",
        "--host",
        f"http://127.0.0.1:{port}",
        "--csv",
        str(prefix),
        "--only-summary",
        "--exit-code-on-error",
        "0",
    ]


def main() -> int:
    scratch = Path(tempfile.mkdtemp(prefix="mlsd-load-"))
    env = production_env(scratch)
    if "DATABASE_URL" in os.environ:
        env["DATABASE_URL"] = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/mlsd_load"
        for statement in ("DROP DATABASE IF EXISTS mlsd_load", "CREATE DATABASE mlsd_load"):
            subprocess.run(
                ["psql", env["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres", "-qc", statement],
                check=True,
            )
    else:
        env["DATABASE_URL"] = f"sqlite:///{scratch / 'load.sqlite3'}"
    seed_file = scratch / "seed.json"
    seed(env, seed_file, DOCUMENTS)

    port = free_port()
    server = start_server(env, port, WORKERS)
    try:
        prefix = scratch / "locust"
        result = subprocess.run(
            locust_command(port=port, users=USERS, seconds=SECONDS, prefix=prefix),
            env={**env, "LOAD_SEED": str(seed_file)},
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
        )
        print(
            f"Load: {USERS} users for {SECONDS} s against gunicorn ({WORKERS} workers), "
            f"{DOCUMENTS} documents, database {env['DATABASE_URL'].split(':')[0]}"
        )
        report(prefix)
        server_errors = [line for line in result.stdout.splitlines() if line.startswith("LOAD 5xx")]
        print(server_errors[-1] if server_errors else "LOAD 5xx=unknown")
        if result.returncode != 0 or not server_errors or server_errors[-1] != "LOAD 5xx=0":
            print(result.stdout[-3000:], result.stderr[-3000:])
            return 1
        return 0
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
