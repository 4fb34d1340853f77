"""The Markdown pipeline: hostile input never becomes markup, and ordinary Markdown still works.

Every assertion is made on the DOM an HTML5 parser builds from the output (html5lib, the same
algorithm as a browser), never on substrings of the HTML.
"""

import re
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from apps.documents import markdown

# An exception inside nh3's attribute_filter is swallowed; make it fail the test instead.
pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")

FORBIDDEN_TAGS = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "svg",
    "math", "form", "input", "button", "textarea", "select", "base", "meta", "link",
    "template", "noscript", "xmp", "plaintext", "noembed", "noframes", "div", "span",
}  # fmt: skip
# What the pipeline may emit, plus the wrapper html5lib adds around a fragment.
EXPECTED_TAGS = {
    "html", "head", "body", "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong",
    "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:", "file:")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\s]+")


def parse(html: str) -> BeautifulSoup:
    return BeautifulSoup(str(html), "html5lib", multi_valued_attributes=None)


def normalise(value: str) -> str:
    """What a browser would make of a URL's scheme: no whitespace or controls, lower case."""
    return _INVISIBLE.sub("", value).lower()


def is_absolute_http(url: str) -> bool:
    parts = urlsplit(url.strip())
    return parts.scheme in {"http", "https"} and bool(parts.netloc) and not url.startswith("//")


def assert_harmless(html: str) -> None:
    soup = parse(html)
    assert not soup.find_all(FORBIDDEN_TAGS), html
    for element in soup.find_all(True):
        assert element.name in EXPECTED_TAGS, f"unexpected <{element.name}> in {html!r}"
        for name, value in element.attrs.items():
            assert not name.lower().startswith("on"), f"{name}= in {html!r}"
            assert name.lower() != "style", html
            for form in (normalise(value), normalise(unquote(value))):
                for scheme in DANGEROUS_SCHEMES:
                    assert scheme not in form, f"{scheme} in {name}= of {html!r}"
    for link in soup.find_all("a", href=True):
        href = link["href"]
        assert href.startswith("#") or is_absolute_http(href) or href.startswith("mailto:"), href
    for image in soup.find_all("img"):
        if image.has_attr("src"):
            assert is_absolute_http(image["src"]), image["src"]


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        "<svg></svg>",
        "<p onclick=x>a</p>",
        '<p style="color:red">a</p>',
        '<a href="java&#x09;script:alert(1)">a</a>',
        '<a href="/admin/">a</a>',
        '<img src="//evil.example/x.png">',
        '<img src="/x.png">',
        '<p title="data:text/html,x">a</p>',
        '<a href="https://ok.example/%6A%61vascript:x">a</a>',
    ],
)
def test_the_checker_itself_catches_hostile_html(html):
    with pytest.raises(AssertionError):
        assert_harmless(html)


HOSTILE = {
    # Raw HTML, block and inline.
    "script block": "<script>alert(1)</script>",
    "script inline": "Hello <script>alert(1)</script> world",
    "script split over lines": "<script\n>alert(1)</script\n>",
    "img onerror": "x <img src=x onerror=alert(1)> y",
    "img onerror as a block": '<img src="x" onerror="alert(1)">',
    "svg onload": "<svg onload=alert(1)><circle r=1 /></svg>",
    "svg with script inside": "<svg><script>alert(1)</script></svg>",
    "iframe": '<iframe src="https://evil.example/"></iframe>',
    "iframe srcdoc": '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "object": '<object data="javascript:alert(1)"></object>',
    "embed": '<embed src="javascript:alert(1)">',
    "style block": "<style>body { background: url(javascript:alert(1)) }</style>",
    "style attribute": '<p style="background:url(javascript:alert(1))">x</p>',
    "math mglyph mtext": "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "math href": '<math href="javascript:alert(1)">click</math>',
    "raw anchor with javascript": '<a href="javascript:alert(1)">x</a>',
    "raw anchor unquoted": "<a href=javascript:alert(1)>x</a>",
    "form and input": (
        '<form action="https://evil.example"><input name=x autofocus onfocus=alert(1)>'
    ),
    "base tag": '<base href="https://evil.example/">',
    "meta refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "link stylesheet": '<link rel="stylesheet" href="https://evil.example/x.css">',
    "details ontoggle": "<details open ontoggle=alert(1)>x</details>",
    "nested tag split": "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "html comment hiding markup": "<!-- --><script>alert(1)</script><!-- -->",
    "comment closes early": "<!-- x --!><img src=x onerror=alert(1)> -->",
    "md_in_html": '<div markdown="1">\n<script>alert(1)</script>\n</div>',
    "md_in_html with link": '<div markdown="1">[x](javascript:alert(1))</div>',
    "raw html inside link text": "[<img src=x onerror=alert(1)>](https://ok.example/)",
    # javascript:, vbscript:, data: links in many spellings.
    "javascript link": "[a](javascript:alert(1))",
    "javascript mixed case": "[a](JaVaScRiPt:alert(1))",
    "javascript decimal entity": "[a](&#106;avascript:alert(1))",
    "javascript decimal entity without semicolon": "[a](&#106avascript:alert(1))",
    "javascript padded decimal entity": "[a](&#0000106;&#0000097;vascript:alert(1))",
    "javascript hex entity": "[a](&#x6A;avascript:alert(1))",
    "javascript hex entity without semicolon": "[a](&#x6Aavascript:alert(1))",
    "javascript entity colon": "[a](javascript&colon;alert(1))",
    "javascript entity tab": "[a](java&Tab;script:alert(1))",
    "javascript leading space": "[a]( javascript:alert(1))",
    "javascript leading tab and newline": "[a](<\t\njavascript:alert(1)>)",
    "javascript in angle brackets": "[a](<javascript:alert(1)>)",
    "javascript with tab": "[a](java\tscript:alert(1))",
    "javascript with newline": "[a](<java\nscript:alert(1)>)",
    "javascript with null byte": "[a](java\x00script:alert(1))",
    "javascript url-encoded": "[a](%6Aavascript:alert(1))",
    "javascript fully url-encoded": "[a](%6A%61%76%61%73%63%72%69%70%74%3Aalert(1))",
    "vbscript link": "[a](vbscript:msgbox(1))",
    "vbscript upper case": "[a](VBSCRIPT:msgbox(1))",
    "data html link": "[a](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "data image": "![a](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "data image with entity": "![a](&#100;ata:image/png;base64,AAAA)",
    "javascript image": "![a](javascript:alert(1))",
    # Reference-style links and images, autolinks.
    "reference link": "[x][evil]\n\n[evil]: javascript:alert(1)",
    "reference link with title": '[x][evil]\n\n[evil]: javascript:alert(1) "title"',
    "reference image": "![x][pic]\n\n[pic]: data:image/png;base64,AAAA",
    "reference image relative": "![x][pic]\n\n[pic]: /media/secret.png",
    "shortcut reference": "[evil]\n\n[evil]: vbscript:msgbox(1)",
    "autolink javascript": "<javascript:alert(1)>",
    "autolink data": "<data:text/html,<script>alert(1)</script>>",
    "autolink vbscript": "<vbscript:msgbox(1)>",
    # attr_list syntax must stay text.
    "attr_list on paragraph": 'Text\n{: onclick="alert(1)"}',
    "attr_list on heading": "# Title {#id .class onmouseover=alert(1)}",
    "attr_list on link": '[a](https://ok.example/){: onclick="alert(1)" style="x"}',
    "attr_list on image": "![a](https://ok.example/x.png){: onerror=alert(1)}",
    "fenced code attributes": '```{ .python #x onclick="alert(1)" style="color:red" }\ncode\n```',
    # Broken quotes and URL tricks.
    "image title breaks quotes": '![a](https://x.example/y.png "t\\" onerror=\\"alert(1))',
    "link title breaks quotes": '[a](https://x.example/ "t\\" onmouseover=\\"alert(1)")',
    "image title with quote": "![a](https://x.example/y.png 't\" onerror=\"alert(1)')",
    "scheme-relative image": "![a](//evil.example/x.png)",
    "scheme-relative link": "[a](//evil.example/)",
    "backslash scheme-relative image": "![a](\\\\evil.example/x.png)",
    "relative admin link": "[a](/admin/)",
    "relative parent link": "[a](../x)",
    "relative image": "![a](/admin/x.png)",
    "relative parent image": "![a](../x.png)",
    "http without host": "[a](http:evil.example) ![b](https:/x.png)",
    "unparseable host": "[a](https://[evil) ![b](http://[::1) <https://[x>",
    "file url link": "[a](file:///etc/passwd)",
    "file url image": "![a](file:///etc/passwd)",
    "fragment with markup": '[a](#x" onclick="alert(1))',
    # Code blocks, headings, nesting.
    "fenced code hostile language": '```"><script>alert(1)</script>\ncode\n```',
    "fenced code hostile language tilde": '~~~ x" onload="alert(1)\ncode\n~~~',
    "fenced code script body": "```html\n<script>alert(1)</script>\n```",
    "indented code with script": "    <script>alert(1)</script>",
    "heading with script": "# Hi <script>alert(1)</script>",
    "setext heading with img": "<img src=x onerror=alert(1)>\n===",
    "blockquote with script": "> <script>alert(1)</script>\n> > <iframe src=x>",
    "list with img": (
        "- <img src=x onerror=alert(1)>\n  - [a](javascript:alert(1))\n    1. <svg onload=alert(1)>"
    ),
    "blockquote list link": "> - [x](javascript:alert(1))\n>\n>   > ![y](//evil.example/y.png)",
    "table cell with script": (
        "| a | b |\n|---|---|\n| <script>alert(1)</script> | [x](javascript:alert(1)) |"
    ),
    "entity-encoded script": "&lt;script&gt;alert(1)&lt;/script&gt;",
    "double-encoded script": "&amp;lt;script&amp;gt;alert(1)",
    "toc marker with hostile heading": '[TOC]\n\n# <img src=x onerror=alert(1)>\n\n## "><script>',
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_markdown_renders_to_harmless_html(text):
    assert_harmless(markdown.render(text, anchor_prefix="intro"))


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_markdown_is_harmless_even_without_an_anchor_prefix(text):
    assert_harmless(markdown.render(text))


RAW_HOSTILE_HTML = [
    '<a href="javascript:alert(1)">x</a>',
    '<a href="  &#x6A;avascript:alert(1)">x</a>',
    '<a href="/admin/">x</a>',
    '<a href="//evil.example/">x</a>',
    '<img src="//evil.example/x.png">',
    '<img src="data:image/png;base64,AAAA">',
    '<img src="https://ok.example/x.png" onerror="alert(1)" style="x">',
    '<h2 id="x" onclick="alert(1)">x</h2>',
    '<code class="language-x&quot; onclick">x</code>',
    '<td align="javascript:alert(1)">x</td>',
    "<svg><a href=javascript:alert(1)>x</a></svg>",
]


@pytest.mark.parametrize("html", RAW_HOSTILE_HTML)
def test_the_sanitizer_alone_refuses_hostile_html(html):
    assert_harmless(markdown.sanitize(html))


def test_script_tags_show_as_literal_text():
    soup = parse(markdown.render("Use <script>alert(1)</script> carefully"))

    assert soup.find("p").get_text() == "Use <script>alert(1)</script> carefully"


def test_entity_encoded_markup_stays_text():
    soup = parse(markdown.render("&lt;script&gt;alert(1)&lt;/script&gt;"))

    assert soup.find("p").get_text() == "<script>alert(1)</script>"
    assert not soup.find("script")


def test_a_hostile_heading_keeps_its_text_and_gets_a_safe_id():
    soup = parse(markdown.render("# Hi <script>alert(1)</script>", anchor_prefix="intro"))

    heading = soup.find("h1")
    assert heading.get_text() == "Hi <script>alert(1)</script>"
    assert re.fullmatch(r"intro-[a-z0-9-]+", heading["id"])


def test_a_hostile_fence_language_is_not_a_code_class():
    soup = parse(markdown.render('```"><script>alert(1)</script>\ncode\n```'))

    assert all(not code.has_attr("class") for code in soup.find_all("code"))


def test_a_broken_image_title_does_not_add_attributes():
    soup = parse(markdown.render('![a](https://x.example/y.png "t\\" onerror=\\"alert(1))'))

    for image in soup.find_all("img"):
        assert set(image.attrs) <= {"src", "alt", "title"}


def test_tables_keep_their_alignment():
    soup = parse(markdown.render("| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |"))

    assert [th.get("align") for th in soup.find_all("th")] == ["left", "center", "right"]
    assert [td.get("align") for td in soup.find_all("td")] == ["left", "center", "right"]
    assert [td.get_text() for td in soup.find_all("td")] == ["1", "2", "3"]


def test_fenced_code_keeps_its_language_class_and_its_text():
    soup = parse(markdown.render("```python\nif a < b:\n    print('<b>')\n```"))

    code = soup.find("pre").find("code")
    assert code["class"] == "language-python"
    assert code.get_text() == "if a < b:\n    print('<b>')\n"


def test_sane_lists_do_not_merge_ordered_and_unordered_lists():
    soup = parse(markdown.render("1. one\n2. two\n\n* three\n* four"))

    assert [li.get_text() for li in soup.find("ol").find_all("li")] == ["one", "two"]
    assert [li.get_text() for li in soup.find("ul").find_all("li")] == ["three", "four"]


def test_heading_ids_are_prefixed_with_the_anchor_prefix():
    soup = parse(markdown.render("# Problem statement\n\n## Problem statement", anchor_prefix="s1"))

    ids = [h["id"] for h in soup.find_all(["h1", "h2"])]
    assert ids[0] == "s1-problem-statement"
    assert all(i.startswith("s1-") for i in ids)
    assert len(set(ids)) == 2


def test_heading_ids_are_unique_between_two_sections():
    first = parse(markdown.render("# Overview\n\n## Risks", anchor_prefix="problem"))
    second = parse(markdown.render("# Overview\n\n## Risks", anchor_prefix="metrics"))

    first_ids = {h["id"] for h in first.find_all(["h1", "h2"])}
    second_ids = {h["id"] for h in second.find_all(["h1", "h2"])}
    assert first_ids == {"problem-overview", "problem-risks"}
    assert first_ids.isdisjoint(second_ids)


def test_the_anchor_prefix_is_slugified():
    soup = parse(markdown.render("# Goals", anchor_prefix="Data & Features"))

    assert soup.find("h1")["id"] == "data-features-goals"


def test_a_very_long_heading_still_gets_an_id():
    soup = parse(markdown.render("# " + "word " * 60, anchor_prefix="s" * 64))

    assert soup.find("h1")["id"].startswith("s" * 64 + "-word")


def test_a_heading_without_ascii_letters_still_gets_an_id():
    soup = parse(markdown.render("# 🚀\n\n# 🚀", anchor_prefix="s1"))

    ids = [h.get("id") for h in soup.find_all("h1")]
    assert all(ids) and len(set(ids)) == 2


def test_in_page_links_to_headings_survive():
    soup = parse(markdown.render("# Goals\n\nSee [goals](#s1-goals).", anchor_prefix="s1"))

    assert soup.find("a")["href"] == "#s1-goals"


@pytest.mark.parametrize(
    "url",
    ["https://example.com/a?b=1&c=2#d", "http://example.com/", "mailto:alice@example.com"],
)
def test_http_https_and_mailto_links_survive_with_a_safe_rel(url):
    soup = parse(markdown.render(f"[link]({url})"))

    link = soup.find("a")
    assert link["href"] == url
    assert link["rel"] == "noopener noreferrer nofollow"
    assert link.get_text() == "link"


def test_reference_links_and_autolinks_survive():
    soup = parse(
        markdown.render("[docs][d] and <https://example.org/x>\n\n[d]: https://docs.example/")
    )

    assert [a["href"] for a in soup.find_all("a")] == [
        "https://docs.example/",
        "https://example.org/x",
    ]


def test_an_email_autolink_survives():
    soup = parse(markdown.render("<alice@example.com>"))

    assert soup.find("a")["href"] == "mailto:alice@example.com"
    assert soup.find("a").get_text() == "alice@example.com"


def test_a_link_title_survives_as_an_attribute_value():
    soup = parse(markdown.render('[a](https://example.com/ "The title")'))

    assert soup.find("a")["title"] == "The title"


def test_an_https_image_survives_with_its_alt_and_title():
    soup = parse(markdown.render('![A chart](https://example.com/chart.png "Weekly CTR")'))

    image = soup.find("img")
    assert image.attrs == {
        "src": "https://example.com/chart.png",
        "alt": "A chart",
        "title": "Weekly CTR",
    }


def test_emphasis_quotes_and_text_content_are_preserved():
    text = "**Bold** and *italic* and `a < b && c > d` and ~tilde~ and \"quotes\" & 'apostrophes'"
    soup = parse(markdown.render(text))

    assert soup.find("strong").get_text() == "Bold"
    assert soup.find("em").get_text() == "italic"
    assert soup.find("code").get_text() == "a < b && c > d"
    assert soup.find("p").get_text() == (
        "Bold and italic and a < b && c > d and ~tilde~ and \"quotes\" & 'apostrophes'"
    )


def test_empty_and_missing_text_render_to_nothing():
    assert markdown.render("") == ""
    assert markdown.render(None) == ""


def test_render_returns_a_string_marked_safe():
    assert hasattr(markdown.render("x"), "__html__")
