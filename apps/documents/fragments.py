"""Parts of the document page rendered once and then read from the cache.

A section's card (heading, guidance, field tables, stored HTML, last edit) is most of the page's
template work, and it is the same for every reader who may do the same things. A key names
everything its rendering shows: for a card, the section's content, version and last edit, its
place in the document, the document's language, the template version's translations (reloaded
without a new version: `DesignTemplate.loaded_at` moves with them) and whether the reader may
edit (a role's permission, the same for every reader who has it); for every rendering, the
reader's interface language and time zone and the templates and message catalogs as deployed.

The whole page is cached too, per reader (`page`): under the document's `page_version`, which
every write to what the page shows moves, and the reader's own part in it (their role, their
unread count, the address). Only the CSRF token and the one-time messages are put in on each
request. Times on the page are absolute (the browser words them as "5 minutes ago"), so a
cached page is the page a fresh render would give.
"""

import hashlib
from collections.abc import Callable, Sequence
from functools import cache, partial
from pathlib import Path

import django
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache as shared_cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac

from apps.documents import fields
from apps.documents.models import Document, Section

TIMEOUT = 24 * 3600
PAGE_TIMEOUT = 3600  # a page per reader is large and often read only for a while


@cache
def _deployed(language: str) -> str:
    """A digest of the project's templates and `language`'s messages as deployed: a release that
    changes either renders anew, even with a cache that outlives it (Redis)."""
    digest = hashlib.sha256(django.get_version().encode())
    for folder in settings.TEMPLATES[0]["DIRS"]:
        for path in sorted(Path(folder).rglob("*.html")):
            digest.update(path.read_bytes())
    for folder in settings.LOCALE_PATHS:
        catalog = Path(folder) / translation.to_locale(language) / "LC_MESSAGES" / "django.mo"
        if catalog.exists():
            digest.update(catalog.read_bytes())
    return digest.hexdigest()


def cache_key(name: str, *parts) -> str:
    """The key of a rendering `name` that shows `parts`, in the active language and time zone."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    everything = (*parts, language, timezone.get_current_timezone_name(), _deployed(language))
    digest = hashlib.sha256("\x1f".join(map(str, everything)).encode()).hexdigest()
    return f"documents:{name}:{digest}"


def render_many(template_name: str, contexts: dict[str, Callable[[], dict]]) -> dict[str, str]:
    """{key: HTML} for each key of `contexts`: read from the cache in one call, or rendered from
    `template_name` with the key's context (built only then) and stored."""
    found = shared_cache.get_many(contexts)
    rendered = {
        key: render_to_string(template_name, context())
        for key, context in contexts.items()
        if key not in found
    }
    if rendered:
        shared_cache.set_many(rendered, TIMEOUT)
    return found | rendered  # SafeStrings: the cache keeps the type


def _card_context(document: Document, section: Section, number: int, editable: bool) -> dict:
    section.field_blocks = fields.display_blocks(section.spec.local_schema, section.data)
    return {"document": document, "section": section, "number": number, "editable": editable}


def section_cards(document: Document, sections: Sequence[Section], *, editable: bool) -> None:
    """Set `section.card`, the rendered card of each section.

    `editable`: the reader may edit this document now (their role allows it, and it is not
    archived); the card then links to the section editor."""
    keys, contexts = [], {}
    for number, section in enumerate(sections, start=1):
        key = cache_key(
            "section-card",
            section.pk,
            section.version,
            section.content_hash,
            section.updated_at.isoformat(),
            section.updated_by.get_username() if section.updated_by else "",
            section.spec_id,
            number,
            document.language,
            document.template.loaded_at.isoformat(),
            editable,
        )
        keys.append(key)
        contexts[key] = partial(_card_context, document, section, number, editable)
    cards = render_many("documents/_section_card.html", contexts)
    for key, section in zip(keys, sections, strict=True):
        section.card = cards[key]


@cache
def _placeholder(name: str) -> str:
    """What a cached page holds where this response's `name` (its CSRF token, its messages)
    goes. Keyed on SECRET_KEY, so no text a user writes can contain it and be replaced."""
    return f"{name}-" + salted_hmac(__name__, name).hexdigest()


def page(request: HttpRequest, parts: Sequence, render: Callable[[dict], str]) -> HttpResponse:
    """The page `render(context)` makes, read from the cache for this reader and `parts`.

    `parts` must name everything the page shows that is not the reader's: the cache is never
    cleared, a key that moves is what makes a page fresh. `render` is called with the context
    to add to its own: placeholders for the CSRF token and the messages, which each response
    fills with its own."""
    user = request.user
    key = cache_key("page", *parts, user.pk, user.get_username(), request.get_full_path())
    csrf, notes = _placeholder("csrf-token"), _placeholder("messages")
    html = shared_cache.get(key)
    if html is None:
        html = render({"csrf_token": csrf, "messages_placeholder": notes})
        shared_cache.set(key, html, PAGE_TIMEOUT)
    shown = render_to_string("_messages.html", {"messages": messages.get_messages(request)})
    return HttpResponse(html.replace(csrf, get_token(request)).replace(notes, shown))
