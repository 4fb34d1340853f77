"""Security boundaries every page shares: a Content-Security-Policy without inline scripts and
no framing, CSRF on every session write (forms and the API), and sign-in throttling with a
cool-off."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import PASSWORD, make_template

pytestmark = pytest.mark.django_db


def _pages(document) -> list[tuple[bool, str]]:
    """(signed in?, url) of pages of every kind: public, forms, document pages, API docs."""
    return [
        (False, reverse("home")),
        (False, reverse("accounts:login")),
        (False, reverse("accounts:signup")),
        (False, reverse("templates_catalog:gallery")),
        (False, reverse("library:list")),
        (True, reverse("documents:dashboard")),
        (True, reverse("documents:detail", args=[document.pk])),
        (True, reverse("documents:section_edit", args=[document.pk, "s0"])),
        (True, reverse("checklists:panel", args=[document.pk])),
        (True, reverse("accounts:settings")),
        (True, reverse("api-docs")),
    ]


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


def test_every_page_forbids_inline_scripts_plugins_and_framing(alice, doc):
    anonymous, member = Client(), Client()
    member.force_login(alice)
    for signed_in, url in _pages(doc):
        response = (member if signed_in else anonymous).get(url)
        assert response.status_code == 200, url
        policy = _policy(response)
        assert policy["script-src"] == ["'self'"], url
        assert policy["style-src"] == ["'self'"], url
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        assert response["X-Frame-Options"] == "DENY"
        soup = BeautifulSoup(response.content, "html.parser")
        inline = [
            s
            for s in soup.find_all("script")
            if not s.get("src") and s.get("type") != "application/json"
        ]
        assert not inline, f"{url} has an inline script"
        assert not soup.select("[style]"), f"{url} has an inline style attribute"
        assert not [t for t in soup.find_all(True) if any(a.startswith("on") for a in t.attrs)]


def test_a_token_write_needs_no_csrf_token_because_no_cookie_carries_it(alice, team_a):
    template = make_template()
    api = APIClient(enforce_csrf_checks=True)  # no session cookie: nothing a forger could ride
    key = Token.objects.create(user=alice).key
    body = {"team": str(team_a.pk), "template": template.key, "title": "By token"}
    response = api.post(
        "/api/v1/documents/", body, format="json", HTTP_AUTHORIZATION=f"Token {key}"
    )
    assert response.status_code == 201


def test_a_form_post_without_the_csrf_token_is_refused_and_changes_nothing(alice, doc):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    response = browser.post(
        reverse("documents:edit", args=[doc.pk]), {"title": "Forged", "summary": ""}
    )
    assert response.status_code == 403
    doc.refresh_from_db()
    assert doc.title != "Forged"


def _sign_in(client, username, password, address="10.0.0.1"):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def test_sign_in_is_paused_after_five_failures_then_cools_off(client, alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _sign_in(client, "alice", "wrong").status_code == 200
    locked = _sign_in(client, "alice", "wrong")
    assert locked.status_code == 429
    assert "Too many attempts" in locked.content.decode()
    # Even the right password waits out the cool-off ...
    assert _sign_in(client, "alice", PASSWORD).status_code == 429
    # ... but only from that address: nobody locks alice out everywhere by guessing.
    assert _sign_in(Client(), "alice", PASSWORD, address="10.0.0.2").status_code == 302

    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )
    assert _sign_in(client, "alice", PASSWORD).status_code == 302
