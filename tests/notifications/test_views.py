"""Notification pages: the bell, the list, opening one, mark all read, the email switch."""

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from apps.notifications import selectors
from apps.notifications.context_processors import bell
from apps.notifications.models import Notification, NotificationPreference
from apps.notifications.services import notify

pytestmark = pytest.mark.django_db


def send(recipients, actor, url="/documents/", text="bob mentioned you on “CTR prediction”"):
    return notify(recipients=recipients, kind="mention", actor=actor, text=text, url=url)


def login(client, user):
    client.force_login(user)
    return client


def soup_of(response):
    return BeautifulSoup(response.content, "html.parser")


# --- the bell ---------------------------------------------------------------------------------


def test_the_bell_shows_the_unread_count(client, alice, bob):
    send([alice], bob)
    send([alice], bob)
    bell_link = soup_of(login(client, alice).get("/documents/")).select_one("a.bell")
    assert bell_link["href"] == "/notifications/"
    assert bell_link["aria-label"] == "Notifications, 2 unread"
    assert bell_link.select_one(".bell__count").text == "2"


def test_the_bell_has_no_badge_when_everything_is_read(client, alice):
    bell_link = soup_of(login(client, alice).get("/documents/")).select_one("a.bell")
    assert bell_link["aria-label"] == "Notifications, 0 unread"
    assert bell_link.select_one(".bell__count") is None


def test_anonymous_visitors_have_no_bell(client):
    assert soup_of(client.get("/accounts/login/")).select_one("a.bell") is None


def test_the_bell_counts_nothing_until_a_page_renders_it(alice, bob, django_assert_num_queries):
    send([alice], bob)
    request = RequestFactory().get("/")
    request.user = alice
    with django_assert_num_queries(0):
        context = bell(request)
    with django_assert_num_queries(1):
        assert int(context["notifications_unread"]) == 1


# --- the list ---------------------------------------------------------------------------------


def test_the_list_page_needs_a_signed_in_user(client):
    response = client.get("/notifications/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_list_page_shows_only_my_notifications_unread_ones_highlighted(
    client, alice, bob, eddie
):
    [read] = send([alice], bob, text="older and read")
    read.read_at = read.created_at
    read.save()
    [unread] = send([alice], bob, text="newer")
    send([eddie], bob, text="for eddie")
    soup = soup_of(login(client, alice).get("/notifications/"))
    items = soup.select(".notification")
    assert [i.select_one(".notification__text").text for i in items] == ["newer", "older and read"]
    assert items[0]["class"] == ["notification", "notification--unread"]
    assert items[0].a["href"] == f"/notifications/{unread.pk}/open/"
    assert "notification--unread" not in items[1]["class"]
    assert soup.select_one('form[action="/notifications/read/"]')


def test_an_empty_list_says_what_will_appear(client, alice):
    soup = soup_of(login(client, alice).get("/notifications/"))
    assert "No notifications yet" in soup.select_one(".empty-state").text
    assert soup.select_one('form[action="/notifications/read/"]') is None


# --- opening one ------------------------------------------------------------------------------


def test_opening_marks_read_and_goes_to_the_target(client, alice, bob):
    [notification] = send([alice], bob, url="/documents/abc/#thread-1")
    response = login(client, alice).get(f"/notifications/{notification.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/documents/abc/#thread-1"
    notification.refresh_from_db()
    assert notification.read_at is not None


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:x"]
)
def test_opening_never_redirects_off_site(client, alice, bob, target):
    # notify() refuses these; a row that holds one anyway must still not redirect off site.
    notification = Notification.objects.create(
        recipient=alice, actor=bob, kind="mention", text="x", url=target
    )
    response = login(client, alice).get(f"/notifications/{notification.pk}/open/")
    assert response["Location"] == "/notifications/"


def test_opening_needs_a_signed_in_user(client, alice, bob):
    [notification] = send([alice], bob)
    response = client.get(f"/notifications/{notification.pk}/open/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    notification.refresh_from_db()
    assert notification.read_at is None


def test_someone_elses_notification_is_a_404_and_stays_unread(client, alice, bob, eddie):
    [notification] = send([eddie], bob)
    assert login(client, alice).get(f"/notifications/{notification.pk}/open/").status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


# --- mark all read ----------------------------------------------------------------------------


def test_mark_all_as_read_marks_only_mine(client, alice, bob, eddie):
    send([alice, eddie], bob)
    send([alice], bob)
    assert login(client, alice).get("/notifications/read/").status_code == 405
    response = client.post("/notifications/read/")
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    assert selectors.unread_count(alice) == 0
    assert selectors.unread_count(eddie) == 1


def test_mark_all_as_read_needs_a_signed_in_user(client, alice, bob):
    send([alice], bob)
    response = client.post("/notifications/read/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert selectors.unread_count(alice) == 1


# --- the email switch -------------------------------------------------------------------------


def test_email_can_be_turned_off_and_on_from_the_settings_page(client, alice):
    login(client, alice)
    checkbox = soup_of(client.get("/accounts/settings/")).select_one('input[name="email_enabled"]')
    assert checkbox.has_attr("checked")
    response = client.post("/notifications/preferences/", {}, follow=True)
    assert response.redirect_chain == [("/accounts/settings/", 302)]
    assert "Email is off" in soup_of(response).select_one(".messages").text
    assert NotificationPreference.objects.get(user=alice).email_enabled is False
    checkbox = soup_of(client.get("/accounts/settings/")).select_one('input[name="email_enabled"]')
    assert not checkbox.has_attr("checked")
    client.post("/notifications/preferences/", {"email_enabled": "on"})
    assert selectors.email_enabled(alice)


def test_the_email_switch_needs_a_signed_in_user_and_a_post(client, alice):
    response = client.post("/notifications/preferences/", {})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not NotificationPreference.objects.exists()
    assert login(client, alice).get("/notifications/preferences/").status_code == 405


def test_a_page_counts_unread_notifications_once(client, alice, bob):
    # The list page reads the count for the bell and for its "Mark all as read" button.
    send([alice], bob)
    login(client, alice).get("/notifications/")
    with CaptureQueriesContext(connection) as captured:
        client.get("/notifications/")
    counts = [q["sql"] for q in captured if "COUNT(" in q["sql"] and "read_at" in q["sql"]]
    assert len(counts) == 1
