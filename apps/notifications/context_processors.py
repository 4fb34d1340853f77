"""The bell in the header: the unread count, counted only when a page shows it."""

from django.utils.functional import SimpleLazyObject

from apps.notifications.selectors import unread_count


def bell(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notifications_unread": SimpleLazyObject(lambda: unread_count(user))}
