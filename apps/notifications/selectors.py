"""Reads of notifications for the bell, the list page and the API."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from apps.notifications.models import Notification, NotificationPreference


def unread_count(user) -> int:
    """How many of the user's notifications are unread (one COUNT on the recipient index)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_for(
    user, *, unread_only: bool = False, limit: int | None = None
) -> QuerySet[Notification]:
    """The user's notifications, newest first, with who caused them; at most `limit` if given."""
    rows = Notification.objects.filter(recipient=user).select_related("actor")
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    rows = rows.order_by("-created_at")
    return rows[:limit] if limit is not None else rows


def notification_get(user, notification_id) -> Notification:
    """One of the user's own notifications; anybody else's is a 404."""
    return get_object_or_404(Notification, recipient=user, pk=notification_id)


def email_enabled(user) -> bool:
    """A user without a preference row gets email."""
    return not NotificationPreference.objects.filter(user=user, email_enabled=False).exists()
