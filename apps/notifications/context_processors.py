"""The bell in the header: the unread count, counted only when a page shows it."""

import operator

from django.utils.functional import SimpleLazyObject, new_method_proxy

from apps.notifications.selectors import unread_count


class _LazyCount(SimpleLazyObject):
    """An int computed on first use and then kept, so `{% if %}` plus `{{ }}` is one query."""

    __int__ = new_method_proxy(int)
    __index__ = new_method_proxy(operator.index)


def bell(request) -> dict:
    """`notifications_unread` for signed-in users, lazy: pages without the bell pay nothing."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notifications_unread": _LazyCount(lambda: unread_count(user))}
