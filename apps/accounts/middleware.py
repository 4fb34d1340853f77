"""The interface language of a signed-in user follows their account, not the browser."""

from django.conf import settings
from django.utils import translation

from apps.accounts.selectors import language_for_user

# The session carries the account's language so that no request pays a query for it: it is
# read from the profile once, at sign-in, and rewritten when the user switches.
SESSION_KEY = "_language"


def remember_language(request, language: str) -> None:
    """Use `language` for the rest of this session ("" for the browser's)."""
    if language:
        request.session[SESSION_KEY] = language
    else:
        request.session.pop(SESSION_KEY, None)


def language_on_login(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver (connected in AccountsConfig.ready): the account's language."""
    if request is not None and hasattr(request, "session"):
        remember_language(request, language_for_user(user))


class AccountLanguageMiddleware:
    """After LocaleMiddleware (cookie, then Accept-Language): the account's choice wins."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        if language in dict(settings.LANGUAGES):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
