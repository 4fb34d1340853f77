"""HTML pages of notifications: the list, opening one, marking all read, the email switch."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.notifications import selectors, services
from apps.notifications.forms import PreferenceForm

PAGE_SIZE = 30


@login_required
def notification_list(request):
    """My notifications, newest first; unread ones stand out."""
    rows = selectors.notifications_for(request.user)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
def notification_open(request, notification_id):
    """Mark a notification read and go where it points (only ever inside this site)."""
    notification = selectors.notification_get(request.user, notification_id)
    services.notifications_mark_read(user=request.user, ids=[notification.pk])
    target = notification.url
    # notify() only stores site paths; checking again here means a bad row can never turn this
    # into an open redirect ("//host", "/\\host", "https://host" all go to the list instead).
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts=set(), require_https=request.is_secure()
    ):
        target = "notifications:list"
    return redirect(target)


@require_POST
@login_required
def mark_all_read(request):
    """Mark every unread notification of mine as read."""
    count = services.notifications_mark_read(user=request.user)
    if count:
        messages.success(request, _("All caught up."))
    return redirect("notifications:list")


@require_POST
@login_required
def preferences(request):
    """Turn notification email on or off (from the account settings page)."""
    form = PreferenceForm(request.POST)
    if form.is_valid():
        services.notification_preference_set(
            user=request.user, email_enabled=form.cleaned_data["email_enabled"]
        )
        if form.cleaned_data["email_enabled"]:
            messages.success(request, _("We will email you about mentions and reviews."))
        else:
            messages.success(request, _("Email is off; notifications still appear in the app."))
    return redirect("accounts:settings")
