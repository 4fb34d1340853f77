"""HTML pages for documents."""

from django.shortcuts import redirect, render


def home(request):
    """The landing page for visitors; signed-in users go to their dashboard."""
    if request.user.is_authenticated:
        return redirect("documents:dashboard")
    return render(request, "home.html")
