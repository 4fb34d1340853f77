"""Writes of notifications: create them for recipients and email those who want email."""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import Truncator

from apps.notifications.models import Notification, NotificationPreference

logger = logging.getLogger(__name__)

SUBJECT_PREFIX = "[MLSD Portal] "


def _absolute(path: str) -> str:
    site = getattr(settings, "SITE_URL", "").rstrip("/")
    return site + path


def _send_emails(notifications: list[Notification]) -> None:
    for notification in notifications:
        recipient = notification.recipient
        if not recipient.email:
            continue
        try:
            body = render_to_string(
                "emails/notification.txt",
                {
                    "notification": notification,
                    "link": _absolute(notification.url),
                    "settings_link": _absolute("/accounts/settings/"),
                },
            )
            send_mail(
                SUBJECT_PREFIX + Truncator(notification.text).chars(120),
                body,
                None,
                [recipient.email],
                fail_silently=False,
            )
        except Exception:
            # A mail server problem never undoes the action that caused the notification, and
            # one bad address does not keep the others from their email.
            logger.exception("Could not email notification %s", notification.pk)


@transaction.atomic
def notify(
    *,
    recipients: Iterable,
    kind: str,
    actor,
    text: str,
    url: str,
    document=None,
) -> list[Notification]:
    """Notify each distinct active recipient (never the actor); email those who have email on."""
    if kind not in Notification.Kind.values:
        raise ValueError(f"Unknown notification kind {kind!r}.")
    if not url.startswith("/") or url.startswith("//"):
        raise ValueError(f"A notification links inside the site (a path), not to {url!r}.")
    seen = set()
    targets = []
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        if actor is not None and user.pk == actor.pk:
            continue
        seen.add(user.pk)
        targets.append(user)
    if not targets:
        return []
    # One line: the text is also an email subject, where a newline is a header injection.
    text = Truncator(" ".join(text.split())).chars(300)
    notifications = Notification.objects.bulk_create(
        Notification(
            recipient=user,
            actor=actor,
            kind=kind,
            document=document,
            text=text,
            url=url,
        )
        for user in targets
    )
    email_off = set(
        NotificationPreference.objects.filter(user__in=targets, email_enabled=False).values_list(
            "user_id", flat=True
        )
    )
    to_email = [n for n in notifications if n.recipient_id not in email_off and n.recipient.email]
    if to_email:
        transaction.on_commit(lambda: _send_emails(to_email))
    return notifications


@transaction.atomic
def notifications_mark_read(*, user, ids: Iterable | None = None) -> int:
    """Mark the user's given notifications (or all unread) as read; returns how many."""
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())


@transaction.atomic
def notification_preference_set(*, user, email_enabled: bool) -> NotificationPreference:
    """Turn notification email on or off for `user`."""
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user, defaults={"email_enabled": email_enabled}
    )
    return preference
