"""The notifications API: my own notifications only, read marks, the email switch."""

import pytest
from rest_framework.test import APIClient

from apps.notifications import selectors
from apps.notifications.services import notify

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def send(recipient, actor, text="bob asked you to review “CTR prediction”"):
    [notification] = notify(
        recipients=[recipient], kind="review_requested", actor=actor, text=text, url="/d/"
    )
    return notification


def test_anonymous_users_are_refused(api):
    assert api.get("/api/v1/notifications/").status_code in {401, 403}


def test_the_list_has_only_my_notifications_newest_first(api, alice, bob, eddie):
    first = send(alice, bob, "first")
    second = send(alice, bob, "second")
    send(eddie, bob, "not mine")
    api.force_authenticate(alice)
    body = api.get("/api/v1/notifications/").json()
    assert [n["id"] for n in body["results"]] == [str(second.pk), str(first.pk)]
    assert body["results"][0] == {
        "id": str(second.pk),
        "kind": "review_requested",
        "text": "second",
        "url": "/d/",
        "document": None,
        "actor": "bob",
        "created_at": body["results"][0]["created_at"],
        "read_at": None,
    }


def test_marking_some_or_all_read(api, alice, bob, eddie):
    one, two = send(alice, bob), send(alice, bob)
    other = send(eddie, bob)
    api.force_authenticate(alice)
    response = api.post(
        "/api/v1/notifications/read/", {"ids": [str(one.pk), str(other.pk)]}, format="json"
    )
    assert response.json() == {"marked": 1}
    unread = api.get("/api/v1/notifications/?unread=1").json()["results"]
    assert [n["id"] for n in unread] == [str(two.pk)]
    assert api.post("/api/v1/notifications/read/", {}, format="json").json() == {"marked": 1}
    assert selectors.unread_count(eddie) == 1


def test_bad_ids_are_a_400_and_nothing_is_marked(api, alice, bob):
    send(alice, bob)
    api.force_authenticate(alice)
    response = api.post("/api/v1/notifications/read/", {"ids": ["nope"]}, format="json")
    assert response.status_code == 400 and "ids.0" in response.json()["errors"]
    assert selectors.unread_count(alice) == 1


def test_the_email_preference(api, alice):
    api.force_authenticate(alice)
    assert api.get("/api/v1/notifications/preferences/").json() == {"email_enabled": True}
    response = api.put(
        "/api/v1/notifications/preferences/", {"email_enabled": False}, format="json"
    )
    assert response.json() == {"email_enabled": False}
    assert not selectors.email_enabled(alice)
    bad = api.put("/api/v1/notifications/preferences/", {"email_enabled": "maybe"}, format="json")
    assert bad.status_code == 400 and "email_enabled" in bad.json()["errors"]
    assert not selectors.email_enabled(alice)
