"""Notifications: who gets them, email on commit and its switch, read marks."""

import logging

import pytest

from apps.notifications import selectors
from apps.notifications.models import Notification
from apps.notifications.services import (
    notification_preference_set,
    notifications_mark_read,
    notify,
)

pytestmark = pytest.mark.django_db


def send(recipients, actor, doc=None, url="/documents/", text="bob mentioned you on “CTR”"):
    return notify(
        recipients=recipients, kind="mention", actor=actor, document=doc, text=text, url=url
    )


def test_each_recipient_gets_one_notification_but_not_the_actor(alice, bob, eddie, doc):
    notifications = send([alice, eddie, alice, bob], bob, doc)
    assert sorted(n.recipient.username for n in notifications) == ["alice", "eddie"]
    rows = Notification.objects.filter(document=doc)
    assert sorted(rows.values_list("recipient__username", flat=True)) == ["alice", "eddie"]
    assert {(n.actor, n.kind, n.read_at) for n in rows} == {(bob, "mention", None)}


def test_inactive_users_are_not_notified(alice, bob):
    alice.is_active = False
    alice.save()
    assert send([alice], bob) == []
    assert not Notification.objects.exists()


def test_a_notification_without_an_actor_reaches_everyone(alice, bob):
    assert len(send([alice, bob], None)) == 2


def test_the_text_is_one_line_of_at_most_300_characters(alice, bob):
    [one_line] = send([alice], bob, text="bob said\r\nSubject: spam\n  hi")
    assert one_line.text == "bob said Subject: spam hi"
    [long] = send([alice], bob, text="x" * 400)
    assert len(long.text) == 300 and long.text.endswith("…")


@pytest.mark.parametrize("url", ["https://evil.example/", "//evil.example/", "documents/"])
def test_a_link_outside_the_site_is_refused(alice, bob, url):
    with pytest.raises(ValueError):
        send([alice], bob, url=url)
    assert not Notification.objects.exists()


def test_an_unknown_kind_is_refused(alice, bob):
    with pytest.raises(ValueError):
        notify(recipients=[alice], kind="poke", actor=bob, text="hi", url="/")


def test_email_is_sent_after_commit_with_a_link_and_a_way_out(
    alice, bob, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://mlsd.example.com/"
    with django_capture_on_commit_callbacks(execute=True):
        send([alice], bob, url="/documents/x/#review")
    [mail] = mailoutbox
    assert mail.to == ["alice@example.com"]
    assert mail.subject == "[MLSD Portal] bob mentioned you on “CTR”"
    assert "bob mentioned you on “CTR”" in mail.body
    assert "https://mlsd.example.com/documents/x/#review" in mail.body
    assert "https://mlsd.example.com/accounts/settings/" in mail.body


def test_no_email_is_sent_before_the_transaction_commits(
    alice, bob, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send([alice], bob)
    assert mailoutbox == []
    assert len(callbacks) == 1


def test_each_recipient_gets_their_own_email(
    alice, eddie, bob, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send([alice, eddie], bob)
    assert sorted(mail.to[0] for mail in mailoutbox) == ["alice@example.com", "eddie@example.com"]


def test_no_email_when_turned_off_or_without_an_address(
    alice, bob, eddie, mailoutbox, django_capture_on_commit_callbacks
):
    notification_preference_set(user=alice, email_enabled=False)
    eddie.email = ""
    eddie.save()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        send([alice, eddie], bob)
    assert mailoutbox == []
    assert callbacks == []
    assert Notification.objects.count() == 2


def test_email_can_be_turned_back_on(alice, bob, mailoutbox, django_capture_on_commit_callbacks):
    notification_preference_set(user=alice, email_enabled=False)
    notification_preference_set(user=alice, email_enabled=True)
    assert selectors.email_enabled(alice)
    with django_capture_on_commit_callbacks(execute=True):
        send([alice], bob)
    assert len(mailoutbox) == 1


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("no SMTP server")


def test_a_failing_mail_server_is_logged_and_does_not_break_the_action(
    alice, bob, settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = "tests.notifications.test_services.BrokenBackend"
    with (
        caplog.at_level(logging.ERROR, logger="apps.notifications.services"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        send([alice], bob)
    assert Notification.objects.filter(recipient=alice).exists()
    assert "Could not email notification" in caplog.text


def test_marking_read_touches_only_my_own_unread_notifications(alice, bob, eddie):
    [mine] = send([alice], bob)
    [other] = send([alice], bob)
    [theirs] = send([eddie], bob)
    assert notifications_mark_read(user=alice, ids=[mine.pk, theirs.pk]) == 1
    assert notifications_mark_read(user=alice, ids=[mine.pk]) == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert notifications_mark_read(user=alice) == 1
    other.refresh_from_db()
    assert other.read_at is not None
    assert notifications_mark_read(user=alice, ids=[]) == 0


def test_the_unread_count_is_one_query(alice, bob, django_assert_num_queries):
    send([alice], bob)
    send([alice], bob)
    with django_assert_num_queries(1):
        assert selectors.unread_count(alice) == 2


def test_the_list_is_newest_first_and_can_be_limited(alice, bob):
    first, second, third = (send([alice], bob, text=str(i))[0] for i in range(3))
    notifications_mark_read(user=alice, ids=[third.pk])
    assert list(selectors.notifications_for(alice)) == [third, second, first]
    assert list(selectors.notifications_for(alice, limit=2)) == [third, second]
    assert list(selectors.notifications_for(alice, unread_only=True)) == [second, first]
