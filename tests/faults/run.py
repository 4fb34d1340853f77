"""`make faults`: crash the parts under load and check that nothing is lost or stuck.

It starts its own PostgreSQL cluster and Redis server on free loopback ports (so it can crash
them without touching the machine's), gunicorn with production settings and a Celery worker
with beat, then runs the mixed workload of `make load` (tests/load/) and meanwhile:

1. kills the Celery worker (SIGKILL, the whole process group) while it renders an export, and
   starts a new one;
2. kills Redis, the broker, while a render is under way (SIGKILL: it keeps nothing on disk,
   so queued and unacknowledged messages are lost), and starts it again;
3. restarts PostgreSQL in immediate mode (a crash: connections die, recovery on start).

It fails (exit 1) unless, after all three:
- no request got a 5xx or no answer, except a 503 for those PostgreSQL's outage overlapped
  (sent or still answered while it was down, or sent within GRACE_SECONDS after);
- every export job ends done or failed within SETTLE_SECONDS (none queued or rendering);
- every done job has exactly one file and no other job has any;
- the worker renders new work: a fresh export is done within SETTLE_SECONDS.

FAULT_USERS, FAULT_SECONDS and FAULT_DOCUMENTS size it (CI runs a small one).
"""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from glob import glob
from pathlib import Path

import psycopg

from tests.load.run import (
    BASE_DIR,
    free_port,
    locust_command,
    production_env,
    report,
    seed,
    start_server,
)

USERS = int(os.environ.get("FAULT_USERS", "10"))
SECONDS = int(os.environ.get("FAULT_SECONDS", "60"))
DOCUMENTS = int(os.environ.get("FAULT_DOCUMENTS", "20"))
# The worker's time limit: beat sweeps every TIME_LIMIT s and sends again the jobs whose message
# is older than twice that (the production value is 150 s; here recovery fits in a minute).
TIME_LIMIT = 10
SETTLE_SECONDS = 8 * TIME_LIMIT
# Requests sent just before PostgreSQL answers again may still get their 503.
GRACE_SECONDS = 2.0


def tool(name: str) -> str:
    """A PostgreSQL server program: on PATH, or where Debian puts it."""
    found = shutil.which(name) or next(
        iter(sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if found is None or shutil.which("redis-server") is None:
        raise SystemExit(
            "make faults needs PostgreSQL's server programs and Redis "
            "(Debian: sudo apt-get install postgresql redis-server)."
        )
    return found


class Postgres:
    """A throwaway cluster in `root`, run as the postgres user when we are root."""

    def __init__(self, root: Path):
        self.data = root / "pg"
        self.port = free_port()
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.data.mkdir()
        if self.as_owner:
            os.chmod(root, 0o755)  # noqa: S103 - the postgres user reaches its data folder
            shutil.chown(self.data, "postgres")
        self._run(tool("initdb"), "-D", self.data, "-U", "postgres", "-A", "trust", "--no-sync")
        self._ctl("start")
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/mlsd_faults"
        with psycopg.connect(self.url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE mlsd_faults")

    def _run(self, *args) -> None:
        subprocess.run([*self.as_owner, *map(str, args)], check=True, stdout=subprocess.DEVNULL)

    def _ctl(self, action: str, *args) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            tool("pg_ctl"),
            action,
            "-D",
            self.data,
            "-w",
            "-o",
            options,
            "-l",
            self.data / "server.log",
            *args,
        )

    def crash_and_restart(self) -> None:
        self._ctl("restart", "-m", "immediate")

    def stop(self) -> None:
        self._ctl("stop", "-m", "fast")


class Redis:
    """A Redis server that keeps nothing on disk, killed and started again at will."""

    def __init__(self, root: Path):
        self.port = free_port()
        self.log = root / "redis.log"
        self.url = f"redis://127.0.0.1:{self.port}"
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--logfile",
                str(self.log),
            ]
        )
        for _ in range(50):
            if (
                subprocess.run(
                    ["redis-cli", "-p", str(self.port), "ping"], capture_output=True
                ).stdout.strip()
                == b"PONG"
            ):
                return
            time.sleep(0.1)
        raise SystemExit("The test's Redis did not start.")

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()


class Worker:
    """`celery worker --beat` in its own process group (a kill takes all its processes), under
    a supervisor that starts it again whenever it exits, as systemd's Restart=always would: a
    broker connection lost while a task is unacknowledged can stop Celery's worker on Redis
    (celery/celery#10205), so production runs it supervised too."""

    def __init__(self, env: dict, root: Path):
        self.env, self.root, self.starts = env, root, 0
        self.exits: list[int] = []  # return codes of exits nobody asked for
        self.killing = self.stopping = False
        self.start()
        threading.Thread(target=self._supervise, daemon=True).start()

    def start(self) -> None:
        self.starts += 1
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "mlsd_portal",
                "worker",
                "--beat",
                "--concurrency",
                "2",
                "--loglevel",
                "WARNING",
                "--schedule",
                str(self.root / f"beat-{self.starts}"),
            ],
            env=self.env,
            cwd=BASE_DIR,
            start_new_session=True,
            stdout=open(self.root / f"worker-{self.starts}.log", "wb"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )

    def _supervise(self) -> None:
        while not self.stopping:
            time.sleep(0.5)
            code = self.process.poll()
            if code is not None and not self.stopping:
                if not self.killing:
                    self.exits.append(code)
                self.killing = False
                # The pool's children and embedded beat may outlive their parent.
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.start()

    def kill(self) -> None:
        """SIGKILL the whole worker; the supervisor starts a new one."""
        self.killing = True
        os.killpg(self.process.pid, signal.SIGKILL)
        while self.killing:
            time.sleep(0.1)

    def stop(self) -> None:
        self.stopping = True
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=60)


def jobs(db: str) -> dict[str, tuple[str, str, str]]:
    """Every export job: id -> (status, file name, error)."""
    with psycopg.connect(db) as conn:
        rows = conn.execute("SELECT id, status, file, error FROM exports_exportjob").fetchall()
    return {str(pk): (status, file, error) for pk, status, file, error in rows}


def rendering_jobs(db: str) -> list[str]:
    return [pk for pk, (status, *_) in jobs(db).items() if status == "rendering"]


def wait_until(check, seconds: float, every: float = 0.5):
    """The first true value of check() within `seconds`, or None."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            found = check()
        except psycopg.OperationalError:
            found = None
        if found:
            return found
        time.sleep(every)
    return None


def api(port: int, token: str, method: str, path: str, body=None, headers=None):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={
            "Authorization": f"Token {token}",
            "Content-Type": "application/json",
            **(headers or {}),
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback only
        return json.loads(response.read() or b"null"), response.headers


def new_export(port: int, seed_file: Path) -> str:
    """Change a section through the API and ask for its PDF: a job no earlier one rendered.
    (The workload edits another section, so this edit never meets a concurrent one.)"""
    data = json.loads(seed_file.read_text(encoding="utf-8"))
    token, document = data["accounts"][0]["token"], data["documents"][0]
    section = f"/api/v1/documents/{document}/sections/problem/"
    _, headers = api(port, token, "GET", section)
    api(
        port,
        token,
        "PATCH",
        section,
        {"body_md": f"Why we build it, as of {time.time()}."},
        {"If-Match": headers["ETag"]},
    )
    job, _ = api(port, token, "POST", f"/api/v1/documents/{document}/exports/", {"format": "pdf"})
    return str(job["id"])


def main() -> int:
    scratch = Path(tempfile.mkdtemp(prefix="mlsd-faults-"))
    postgres = Postgres(scratch)
    redis = Redis(scratch)
    env = {
        **production_env(scratch),
        "DATABASE_URL": postgres.url,
        "CELERY_BROKER_URL": f"{redis.url}/0",
        "CACHE_URL": f"{redis.url}/1",
        "DB_CONN_MAX_AGE": "60",
        "CELERY_TASK_TIME_LIMIT": str(TIME_LIMIT),
        "CELERY_TASK_SOFT_TIME_LIMIT": str(TIME_LIMIT - 2),
    }
    seed_file = scratch / "seed.json"
    seed(env, seed_file, DOCUMENTS)
    port = free_port()
    server = start_server(env, port, workers=3, log=scratch / "gunicorn.log")
    worker = Worker(env, scratch)
    errors_file = scratch / "server-errors.json"
    problems: list[str] = []
    windows: dict[str, tuple[float, float]] = {}
    try:
        started = time.time()
        load = subprocess.Popen(
            locust_command(port=port, users=USERS, seconds=SECONDS, prefix=scratch / "locust"),
            env={**env, "LOAD_SEED": str(seed_file), "LOAD_SERVER_ERRORS": str(errors_file)},
            cwd=BASE_DIR,
            stdout=subprocess.DEVNULL,
            stderr=open(scratch / "locust.log", "wb"),  # noqa: SIM115
        )

        # 1. The worker dies while it renders an export (ours, if none of the workload's is).
        new_export(port, seed_file)
        rendering = wait_until(
            lambda: rendering_jobs(postgres.url), seconds=SECONDS / 3, every=0.05
        )
        if not rendering:
            problems.append("no export was rendering in the first third of the run")
        killed_at = time.time()
        worker.kill()
        windows["Celery worker killed mid-export"] = (killed_at, time.time())

        # 2. Redis dies with queued messages in it, and one unacknowledged (a render under way),
        #    and comes back empty.
        time.sleep(max(0.0, started + SECONDS * 0.4 - time.time()))
        new_export(port, seed_file)
        wait_until(lambda: rendering_jobs(postgres.url), seconds=SECONDS / 4, every=0.05)
        down = time.time()
        redis.kill()
        time.sleep(2)
        redis.start()
        windows["Redis killed and restarted"] = (down, time.time())

        # 3. PostgreSQL crashes and recovers.
        time.sleep(max(0.0, started + SECONDS * 0.7 - time.time()))
        down = time.time()
        postgres.crash_and_restart()
        windows["PostgreSQL restarted (immediate)"] = (down, time.time())

        load.wait(timeout=SECONDS + 120)
        load_ended = time.time()

        # Every job ends, and the worker takes new work.
        def settled():
            return not any(s in ("queued", "rendering") for s, *_ in jobs(postgres.url).values())

        if not wait_until(settled, SETTLE_SECONDS):
            stuck = {
                pk: s for pk, (s, *_) in jobs(postgres.url).items() if s in ("queued", "rendering")
            }
            problems.append(f"{len(stuck)} export jobs still queued or rendering: {stuck}")
        settle_seconds = time.time() - load_ended
        fresh = new_export(port, seed_file)
        asked = time.time()
        if not wait_until(lambda: jobs(postgres.url)[fresh][0] == "done", SETTLE_SECONDS):
            problems.append(f"the new export {fresh} was not done in {SETTLE_SECONDS} s")
        new_work_seconds = time.time() - asked

        # Server errors: none, but a 503 while PostgreSQL was down.
        db_down, db_up = windows["PostgreSQL restarted (immediate)"]
        server_errors = json.loads(errors_file.read_text(encoding="utf-8"))
        # A request overlaps the outage if it was still being answered when PostgreSQL died.
        during = [
            e
            for e in server_errors
            if e["at"] + e["ms"] / 1000 >= db_down and e["at"] <= db_up + GRACE_SECONDS
        ]
        outside = [e for e in server_errors if e not in during]
        not_503 = [e for e in during if e["status"] != 503]
        if outside:
            problems.append(
                f"{len(outside)} server errors outside the database outage: {outside[:5]}"
            )
        if not_503:
            problems.append(f"{len(not_503)} answers during the outage were not 503: {not_503[:5]}")

        # Files: one per done job, none for any other.
        final = jobs(postgres.url)
        exports_dir = scratch / "media" / "exports"
        on_disk = (
            {
                d.name: sorted(f.name for f in d.iterdir())
                for d in exports_dir.iterdir()
                if d.is_dir()
            }
            if exports_dir.exists()
            else {}
        )
        for pk, (status, file, _) in final.items():
            expected = [Path(file).name] if status == "done" else []
            if on_disk.get(pk, []) != expected:
                problems.append(
                    f"job {pk} ({status}) has files {on_disk.get(pk, [])}, not {expected}"
                )
        for orphan in set(on_disk) - set(final):
            problems.append(f"files of no job: exports/{orphan}/{on_disk[orphan]}")
        killed = {pk: final[pk][:1] + final[pk][2:] for pk in rendering or []}

        print(
            f"Faults: {USERS} users for {SECONDS} s, {DOCUMENTS} documents; gunicorn "
            "(3 workers), a Celery worker with beat, PostgreSQL and Redis of its own"
        )
        for name, (start, end) in windows.items():
            print(f"  {name:<34} at {start - started:5.1f} s, back after {end - start:4.1f} s")
        report(scratch / "locust")
        statuses = {}
        for status, *_ in final.values():
            statuses[status] = statuses.get(status, 0) + 1
        print(
            f"Server errors: {len(server_errors)} in all, {len(during)} during the database "
            f"outage ({len(during) - len(not_503)} of them 503), {len(outside)} outside it"
        )
        print(f"Export jobs: {statuses}; settled {settle_seconds:.1f} s after the load")
        print(f"Jobs rendering when the worker was killed: {killed}")
        print(f"New work after the faults: export done in {new_work_seconds:.1f} s")
        print(f"Worker exits nobody asked for (the supervisor started it again): {worker.exits}")
    finally:
        for stop in (lambda: load.kill(), server.terminate, worker.stop, redis.kill, postgres.stop):
            try:
                stop()
            except Exception as exc:  # clean up the rest regardless
                print(f"Cleanup: {exc}")
        server.wait(timeout=30)
    if problems:
        print("FAULTS FAILED:\n- " + "\n- ".join(problems))
        print(f"Logs: {scratch}")
        return 1
    print("FAULTS OK")
    shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
