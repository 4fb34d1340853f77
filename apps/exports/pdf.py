"""The PDF renderer: a snapshot → HTML (templates/exports/pdf/) → WeasyPrint → bytes.

Every `HTML()` and `CSS()` gets `SafeURLFetcher`, which fetches nothing from the network or the
filesystem: only the app's own static files (by their /static/ path) and small data:image URIs.
The HTML is checked for depth and table size first, so a hostile document fails cleanly.
"""

import base64
import binascii
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# A made-up origin for the document's base URL: relative links resolve against it, and only
# its /static/ paths map to files (the app's own assets); nothing is ever fetched from it.
BASE_URL = "https://mlsd-portal.invalid/"
DATA_IMAGE_MAX_BYTES = 512 * 1024
MAX_DEPTH = 64
MAX_TABLE_ROWS = 2_000
LINK_SCHEMES = {"http", "https", "mailto"}
_DATA_IMAGE = re.compile(r"data:(image/(?:png|jpeg|gif|webp|svg\+xml))(;base64)?,(.*)", re.S)
_STATIC_TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}


class RenderRefused(ValidationError):
    """The document cannot be rendered safely (too deep, too many rows); nothing was written."""


class SafeURLFetcher(URLFetcher):
    """Deny by default: the app's static files and small data:image URIs, nothing else."""

    def __init__(self):
        super().__init__(allowed_protocols=(), allow_redirects=False)
        self.refused: list[str] = []

    def _refuse(self, url: str):
        self.refused.append(url[:200])
        raise ValueError(f"Not fetched (exports fetch no external resources): {url[:80]}")

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return self._data_image(url)
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}/" == BASE_URL and parts.path.startswith(
            settings.STATIC_URL
        ):
            return self._static(url, unquote(parts.path[len(settings.STATIC_URL) :]))
        return self._refuse(url)

    def _data_image(self, url: str):
        match = _DATA_IMAGE.fullmatch(url)
        if not match:
            return self._refuse(url)
        media_type, is_base64, payload = match.groups()
        try:
            body = base64.b64decode(payload, validate=True) if is_base64 else unquote(payload)
        except (binascii.Error, ValueError):
            return self._refuse(url)
        if isinstance(body, str):
            body = body.encode()
        if len(body) > DATA_IMAGE_MAX_BYTES:
            return self._refuse(url)
        return URLFetcherResponse(url, body, {"Content-Type": media_type})

    def _static(self, url: str, relative: str):
        found = finders.find(relative) if relative and ".." not in Path(relative).parts else None
        suffix = Path(relative).suffix.lower()
        if not found or suffix not in _STATIC_TYPES:
            return self._refuse(url)
        return URLFetcherResponse(
            url, Path(found).read_bytes(), {"Content-Type": _STATIC_TYPES[suffix]}
        )


class _Shape(HTMLParser):
    """Measures nesting depth and table rows of HTML without building a tree."""

    VOID = {"br", "hr", "img", "input", "meta", "link", "col", "area", "base", "wbr", "source"}

    def __init__(self):
        super().__init__()
        self.depth = self.max_depth = self.rows = 0
        self.bad_links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows += 1
        if tag in {"a", "area"}:
            href = (dict(attrs).get("href") or "").strip()
            scheme = urlsplit(href).scheme.lower()
            if href and not href.startswith("#") and scheme not in LINK_SCHEMES:
                self.bad_links.append(href[:80])
        if tag not in self.VOID:
            self.depth += 1
            self.max_depth = max(self.max_depth, self.depth)

    def handle_endtag(self, tag):
        if tag not in self.VOID:
            self.depth = max(0, self.depth - 1)


def check_shape(html: str) -> None:
    """Refuse HTML nested deeper than MAX_DEPTH, with links other than http(s), mailto and
    in-document anchors, or with more than MAX_TABLE_ROWS table rows."""
    shape = _Shape()
    shape.feed(html)
    shape.close()
    if shape.max_depth > MAX_DEPTH:
        raise RenderRefused(
            _("The document nests %(n)s levels deep; a PDF allows %(max)s.")
            % {"n": shape.max_depth, "max": MAX_DEPTH}
        )
    if shape.bad_links:
        raise RenderRefused(
            _("The document links to %(url)s; a PDF links only to http, https and mailto.")
            % {"url": shape.bad_links[0]}
        )
    if shape.rows > MAX_TABLE_ROWS:
        raise RenderRefused(
            _("The document has %(n)s table rows; a PDF allows %(max)s.")
            % {"n": f"{shape.rows:,}", "max": f"{MAX_TABLE_ROWS:,}"}
        )


def render_html(snapshot: dict, *, paper: str = "a4") -> str:
    """The print HTML of a snapshot (stored section HTML was sanitized when it was saved)."""
    return render_to_string(
        "exports/pdf/document.html", {"doc": snapshot, "paper": paper, "base_url": BASE_URL}
    )


def write_pdf(html: str, *, paper: str = "a4") -> bytes:
    """Bytes of the PDF for `html`, with the print stylesheet; fetches only app assets."""
    check_shape(html)
    fetcher = SafeURLFetcher()
    stylesheet = finders.find("css/print.css")
    page = "@page { size: %s; }" % ("letter" if paper == "letter" else "A4")
    styles = [
        CSS(filename=stylesheet, url_fetcher=fetcher),
        CSS(string=page, url_fetcher=fetcher),
    ]
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=styles, pdf_variant=None)


def render_pdf(snapshot: dict, *, paper: str = "a4") -> bytes:
    """A snapshot rendered to PDF bytes."""
    return write_pdf(render_html(snapshot, paper=paper), paper=paper)
