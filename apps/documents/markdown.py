"""The Markdown pipeline: the only caller of the `markdown` library in the project.

User text -> Python-Markdown with raw HTML disabled (it is escaped, never trusted), no
attr_list and no md_in_html -> nh3 allowlist (links: http, https, mailto and in-page
fragments; images: absolute http(s) only) -> HTML that may be stored and marked safe.
Rendering happens when a section is saved; pages only print the stored result.
"""

import re
from urllib.parse import urlsplit

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong", "sub", "sup",
    "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "code": {"class"},
    "td": {"align"},
    "th": {"align"},
    "h1": {"id"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
}  # fmt: skip
LINK_SCHEMES = {"http", "https", "mailto"}
IMAGE_SCHEMES = {"http", "https"}
_CODE_CLASS = re.compile(r"^language-[A-Za-z0-9_+-]{1,40}$")
_ANCHOR_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,120}$")
_ALIGN = {"left", "right", "center"}
# An id is prefix (a section key, <= 64) + "-" + slug + toc's "_N" de-duplication suffix: keeping
# both parts short keeps every id inside _ANCHOR_ID, so a long heading never loses its anchor.
_PREFIX_MAX_CHARS = 64
_SLUG_MAX_CHARS = 50


def _is_absolute(url: str, schemes: set[str]) -> bool:
    parts = urlsplit(url)
    if parts.scheme.lower() not in schemes:
        return False
    # http(s) needs a host; "http:foo" or "https:///x" are not absolute URLs.
    return parts.scheme.lower() == "mailto" or bool(parts.netloc)


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    """Second gate after the allowlist: no relative, scheme-relative or odd URLs survive."""
    value = value.strip()
    if attr == "href":
        if value.startswith("#") and _ANCHOR_ID.match(value[1:]):
            return value
        return value if _is_absolute(value, LINK_SCHEMES) else None
    if attr == "src":
        return value if _is_absolute(value, IMAGE_SCHEMES) else None
    if attr == "class":
        return value if _CODE_CLASS.match(value) else None
    if attr == "id":
        return value if _ANCHOR_ID.match(value) else None
    if attr == "align":
        return value if value in _ALIGN else None
    return value


def _slugifier(prefix: str):
    def slug(value: str, separator: str) -> str:
        base = slugify(value)[:_SLUG_MAX_CHARS].strip("-_") or "heading"
        return f"{prefix}-{base}" if prefix else base

    return slug


def _converter(anchor_prefix: str) -> md.Markdown:
    converter = md.Markdown(
        extensions=["tables", "fenced_code", "sane_lists", "toc"],
        extension_configs={
            "toc": {"slugify": _slugifier(anchor_prefix), "permalink": False},
            "tables": {"use_align_attribute": True},
        },
        output_format="html",
    )
    # Raw HTML is text, not markup: drop the block and inline HTML processors so that
    # `<script>` arrives escaped, whatever the sanitizer would have done with it.
    converter.preprocessors.deregister("html_block")
    converter.inlinePatterns.deregister("html")
    return converter


def sanitize(html: str) -> str:
    """Clean HTML with the allowlist; the single place where nh3 is configured."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes=LINK_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render(text: str, *, anchor_prefix: str = "") -> SafeString:
    """Markdown to sanitized HTML; heading ids are prefixed so sections never collide."""
    prefix = slugify(anchor_prefix)[:_PREFIX_MAX_CHARS].strip("-_")
    html = _converter(prefix).convert(text or "")
    return mark_safe(sanitize(html))  # noqa: S308 - sanitized by nh3 on the line above
