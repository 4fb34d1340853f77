"""Notifications: who gets them, email on commit and its switch, the bell and the list page."""

import pytest
from bs4 import BeautifulSoup

from apps.notifications import selectors
from apps.notifications.models import Notification, NotificationPreference
from apps.notifications.services import notification_preference_set, notify
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def send(recipients, actor, doc=None, url="/documents/"):
    return notify(
        recipients=recipients,
        kind="mention",
        actor=actor,
        document=doc,
        text="bob mentioned you on “CTR prediction”",
        url=url,
    )


def login(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def test_each_recipient_gets_one_notification_but_not_the_actor(alice, bob, eddie, doc):
    send([alice, eddie, alice, bob], bob, doc)
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == [
        "alice",
        "eddie",
    ]


def test_inactive_users_are_not_notified(alice, bob):
    alice.is_active = False
    alice.save()
    assert send([alice], bob) == []


def test_email_is_sent_after_commit_with_a_link_and_a_way_out(
    alice, bob, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://mlsd.example.com"
    with django_capture_on_commit_callbacks(execute=True):
        send([alice], bob, url="/documents/x/#review")
    [mail] = mailoutbox
    assert mail.to == ["alice@example.com"]
    assert mail.subject == "[MLSD Portal] bob mentioned you on “CTR prediction”"
    assert "https://mlsd.example.com/documents/x/#review" in mail.body
    assert "https://mlsd.example.com/accounts/settings/" in mail.body


def test_no_email_when_turned_off_or_without_an_address(
    alice, bob, eddie, mailoutbox, django_capture_on_commit_callbacks
):
    notification_preference_set(user=alice, email_enabled=False)
    eddie.email = ""
    eddie.save()
    with django_capture_on_commit_callbacks(execute=True):
        send([alice, eddie], bob)
    assert mailoutbox == []
    assert Notification.objects.count() == 2


def test_a_failing_mail_server_does_not_break_the_action(
    alice, bob, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.notifications.test_notifications.BrokenBackend"
    with django_capture_on_commit_callbacks(execute=True):
        send([alice], bob)
    assert Notification.objects.filter(recipient=alice).exists()


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("no SMTP server")


def test_the_bell_counts_unread_notifications_in_one_query(
    client, alice, bob, django_assert_num_queries
):
    send([alice], bob)
    send([alice], bob)
    assert selectors.unread_count(alice) == 2
    with django_assert_num_queries(1):
        selectors.unread_count(alice)
    soup = BeautifulSoup(login(client, alice).get("/documents/").content, "html.parser")
    bell = soup.select_one("a.bell")
    assert bell["aria-label"] == "Notifications: 2 unread"
    assert bell.select_one(".bell__count").text == "2"


def test_the_list_page_shows_only_my_notifications(client, alice, bob, eddie):
    send([alice], bob)
    send([eddie], bob)
    soup = BeautifulSoup(login(client, alice).get("/notifications/").content, "html.parser")
    assert len(soup.select(".notification")) == 1
    assert soup.select_one(".notification--unread")


def test_the_list_page_needs_a_signed_in_user(client):
    response = client.get("/notifications/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_empty_list_says_what_will_appear(client, alice):
    soup = BeautifulSoup(login(client, alice).get("/notifications/").content, "html.parser")
    assert "No notifications yet" in soup.select_one(".empty-state").text


def test_opening_marks_read_and_goes_to_the_target(client, alice, bob):
    [notification] = send([alice], bob, url="/documents/abc/#thread-1")
    response = login(client, alice).get(f"/notifications/{notification.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/documents/abc/#thread-1"
    notification.refresh_from_db()
    assert notification.read_at is not None


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:x"])
def test_opening_never_redirects_off_site(client, alice, bob, target):
    [notification] = send([alice], bob, url=target)
    response = login(client, alice).get(f"/notifications/{notification.pk}/open/")
    assert response["Location"] == "/notifications/"


def test_someone_elses_notification_is_a_404_and_stays_unread(client, alice, bob, eddie):
    [notification] = send([eddie], bob)
    assert login(client, alice).get(f"/notifications/{notification.pk}/open/").status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_as_read(client, alice, bob, eddie):
    send([alice, eddie], bob)
    send([alice], bob)
    assert login(client, alice).get("/notifications/read/").status_code == 405
    client.post("/notifications/read/")
    assert selectors.unread_count(alice) == 0
    assert selectors.unread_count(eddie) == 1


def test_email_can_be_turned_off_on_the_settings_page(client, alice):
    login(client, alice)
    soup = BeautifulSoup(client.get("/accounts/settings/").content, "html.parser")
    assert soup.select_one('input[name="email_enabled"]').has_attr("checked")
    client.post("/notifications/preferences/", {})
    assert NotificationPreference.objects.get(user=alice).email_enabled is False
    soup = BeautifulSoup(client.get("/accounts/settings/").content, "html.parser")
    assert not soup.select_one('input[name="email_enabled"]').has_attr("checked")
    client.post("/notifications/preferences/", {"email_enabled": "on"})
    assert selectors.email_enabled(alice)
