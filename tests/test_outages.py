"""A database that cannot be reached answers 503 with Retry-After, never a bare 500; any
other error is still the 500 page. API clients get the JSON error shape for both."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError
from django.test import Client

from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_in(settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(make_user("ines"))
    return client


@pytest.fixture
def database_down(monkeypatch):
    """The first thing a signed-in request reads from the database (its session) fails, as it
    does while PostgreSQL restarts; the middleware, not a view, meets the error."""

    def refused(self):
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    monkeypatch.setattr(SessionStore, "load", refused)


def test_a_page_while_the_database_is_down_is_a_503_to_retry(client_in, database_down):
    response = client_in.get("/documents/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "briefly unavailable" in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_the_api_while_the_database_is_down_is_a_json_503(client_in, database_down):
    response = client_in.get("/api/v1/documents/")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response.json()["errors"] == {}
    assert "nothing was saved" in response.json()["detail"]


def test_the_503_page_speaks_the_visitors_language(client_in, database_down):
    client_in.cookies["django_language"] = "ru"
    response = client_in.get("/documents/", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 503
    assert 'lang="ru"' in response.content.decode()
    assert "briefly unavailable" not in response.content.decode()


def test_any_other_error_is_still_a_500(client_in, monkeypatch):
    def broken(self):
        raise RuntimeError("a bug")

    monkeypatch.setattr(SessionStore, "load", broken)
    page = client_in.get("/documents/")
    assert page.status_code == 500 and not page.has_header("Retry-After")
    assert "Something went wrong" in page.content.decode()
    api = client_in.get("/api/v1/documents/")
    assert api.status_code == 500 and api.json() == {
        "detail": "Something went wrong on our side; nothing was saved.",
        "errors": {},
    }
