"""The mixed workload of `make load`: people reading the dashboard and documents (pages and
API), editing sections through the API with If-Match, and asking for exports.

The runner (tests/load/run.py) seeds the database and passes the users' tokens, session
cookies and document ids in LOAD_SEED (a JSON file). A 412 (someone else saved the section
first) is the product working, not a failure; any other 4xx is a failure, and every 5xx or
request left unanswered is a server error (counted in LOAD 5xx and, with the time it was sent,
written to the file named by LOAD_SERVER_ERRORS, for the fault run).
"""

import json
import os
import random

from locust import HttpUser, between, events, task

SEED = json.loads(open(os.environ["LOAD_SEED"], encoding="utf-8").read())  # noqa: SIM115
# Every answer that is not the app's (5xx, or no answer at all), with when it was asked for.
SERVER_ERRORS = []


@events.request.add_listener
def record_server_errors(name, start_time, response_time, response=None, **kwargs):
    status = getattr(response, "status_code", 0) or 0
    if status >= 500 or status == 0:
        SERVER_ERRORS.append(
            {"name": name, "status": status, "at": start_time, "ms": response_time}
        )


@events.quitting.add_listener
def report_server_errors(environment, **kwargs):
    print(f"LOAD 5xx={len(SERVER_ERRORS)}")
    if os.environ.get("LOAD_SERVER_ERRORS"):
        with open(os.environ["LOAD_SERVER_ERRORS"], "w", encoding="utf-8") as out:
            json.dump(SERVER_ERRORS, out)
    if SERVER_ERRORS:
        environment.process_exit_code = 1


class Member(HttpUser):
    wait_time = between(0.05, 0.3)

    def on_start(self):
        account = random.choice(SEED["accounts"])
        self.token = {"Authorization": f"Token {account['token']}"}
        self.client.cookies.set(SEED["session_cookie"], account["session"])
        self.documents = SEED["documents"]

    def _document(self) -> str:
        return random.choice(self.documents)

    @task(3)
    def dashboard(self):
        self.client.get("/documents/", name="page: dashboard")

    @task(5)
    def document_page(self):
        self.client.get(f"/documents/{self._document()}/", name="page: document")

    @task(3)
    def api_list(self):
        self.client.get("/api/v1/documents/", headers=self.token, name="api: documents")

    @task(2)
    def api_detail(self):
        self.client.get(
            f"/api/v1/documents/{self._document()}/", headers=self.token, name="api: document"
        )

    @task(2)
    def edit_section(self):
        url = f"/api/v1/documents/{self._document()}/sections/risks/"
        current = self.client.get(url, headers=self.token, name="api: section")
        if current.status_code != 200:
            return
        body = {"body_md": f"Risk register, revision {random.randint(1, 10**9)}."}
        headers = {**self.token, "If-Match": current.headers.get("ETag", "")}
        with self.client.patch(
            url, json=body, headers=headers, name="api: section edit", catch_response=True
        ) as response:
            if response.status_code in (200, 412):
                response.success()

    @task(1)
    def export(self):
        self.client.post(
            f"/api/v1/documents/{self._document()}/exports/",
            json={"format": random.choice(["pdf", "markdown"])},
            headers=self.token,
            name="api: export",
        )
