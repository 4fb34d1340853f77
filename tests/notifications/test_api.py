"""The notifications API: my own notifications only, read marks, the email switch."""

import uuid

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


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/v1/notifications/"),
        ("post", "/api/v1/notifications/read/"),
        ("get", "/api/v1/notifications/preferences/"),
        ("put", "/api/v1/notifications/preferences/"),
    ],
)
def test_anonymous_users_are_refused(api, alice, bob, method, path):
    send(alice, bob)
    response = getattr(api, method)(path, {"email_enabled": False}, format="json")
    assert response.status_code == 401
    assert selectors.unread_count(alice) == 1
    assert selectors.email_enabled(alice)


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


def test_the_list_is_paginated_in_constant_queries(api, alice, bob, django_assert_max_num_queries):
    for i in range(30):
        send(alice, bob, str(i))
    api.force_authenticate(alice)
    with django_assert_max_num_queries(2):
        body = api.get("/api/v1/notifications/").json()
    assert body["count"] == 30 and len(body["results"]) == 25 and body["next"]


def test_a_notification_without_an_actor_has_a_null_actor(api, alice):
    send(alice, None)
    api.force_authenticate(alice)
    assert api.get("/api/v1/notifications/").json()["results"][0]["actor"] is None


def test_a_bad_unread_filter_is_a_400(api, alice):
    api.force_authenticate(alice)
    response = api.get("/api/v1/notifications/?unread=maybe")
    assert response.status_code == 400 and "unread" in response.json()["errors"]


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


@pytest.mark.parametrize(
    "body, field",
    [
        ({"ids": ["nope"]}, "ids.0"),
        ({"ids": "nope"}, "ids"),
        ({"ids": None}, "ids"),
        ({"ids": [str(uuid.uuid4())] * 501}, "ids"),
    ],
)
def test_bad_ids_are_a_400_and_nothing_is_marked(api, alice, bob, body, field):
    send(alice, bob)
    api.force_authenticate(alice)
    response = api.post("/api/v1/notifications/read/", body, format="json")
    assert response.status_code == 400 and field in response.json()["errors"]
    assert selectors.unread_count(alice) == 1


def test_an_empty_list_of_ids_marks_nothing(api, alice, bob):
    send(alice, bob)
    api.force_authenticate(alice)
    assert api.post("/api/v1/notifications/read/", {"ids": []}, format="json").json() == {
        "marked": 0
    }
    assert selectors.unread_count(alice) == 1


def test_the_email_preference(api, alice):
    api.force_authenticate(alice)
    assert api.get("/api/v1/notifications/preferences/").json() == {"email_enabled": True}
    response = api.put(
        "/api/v1/notifications/preferences/", {"email_enabled": False}, format="json"
    )
    assert response.json() == {"email_enabled": False}
    assert not selectors.email_enabled(alice)
    for body in ({"email_enabled": "maybe"}, {}, {"email_enabled": None}):
        bad = api.put("/api/v1/notifications/preferences/", body, format="json")
        assert bad.status_code == 400 and "email_enabled" in bad.json()["errors"]
    assert not selectors.email_enabled(alice)
    assert api.get("/api/v1/notifications/preferences/").json() == {"email_enabled": False}
