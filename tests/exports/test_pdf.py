"""The PDF renderer: what the file says, and what it never fetches."""

import base64
import http.server
import io
import struct
import threading
import zlib

import pytest
from pypdf import PdfReader

from apps.documents.services import section_save
from apps.exports import pdf, snapshot

pytestmark = pytest.mark.django_db


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def fonts_of(data: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


@pytest.fixture
def written(doc, alice):
    bodies = {
        "s0": "# Задача\n\nПредсказать **CTR** для ленты.",
        "s1": "广告点击率预测：我们用逻辑回归作为基线。",
        "s2": "| a | b |\n|---|---|\n| 1 | 2 |\n\n```\n" + "x" * 400 + "\n```",
    }
    for section in doc.sections.select_related("spec", "document"):
        section_save(section=section, body_md=bodies[section.key], author=alice)
    return doc


def test_the_pdf_has_a_title_page_contents_sections_and_page_numbers(written):
    data = pdf.render_pdf(snapshot.build(written))
    reader = PdfReader(io.BytesIO(data))
    text = text_of(data)
    assert len(reader.pages) >= 4
    assert "CTR prediction" in text and "Ads ranking" in text
    assert "Contents" in text and "Section 0" in text and "Appendix A" in text
    assert f"Page 2 of {len(reader.pages)}" in text
    assert "Draft — not signed off" in text
    assert reader.metadata.title == "CTR prediction"


def test_cyrillic_and_chinese_render_with_real_fonts(written):
    data = pdf.render_pdf(snapshot.build(written))
    text = text_of(data)
    assert "Предсказать" in text
    assert "广告点击率预测" in text
    fonts = " ".join(fonts_of(data))
    assert "CJK" in fonts, fonts


def test_letter_paper(written):
    reader = PdfReader(io.BytesIO(pdf.render_pdf(snapshot.build(written), paper="letter")))
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(float(width)), round(float(height))) == (612, 792)


class Canary(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):
        Canary.hits.append(self.path)
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args):
        pass


@pytest.fixture
def canary():
    Canary.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Canary)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def hostile_html(origin: str) -> str:
    return f"""<!doctype html><html><head>
    <link rel="stylesheet" href="{origin}/sheet.css">
    <style>@import url("{origin}/import.css"); body {{ background: url("{origin}/bg.png"); }}
    @font-face {{ font-family: x; src: url("{origin}/font.woff"); }}</style>
    <link rel="attachment" href="file:///etc/passwd">
    <link rel="attachment" href="{origin}/attachment.txt">
    </head><body>
    <p>Visible text</p>
    <img src="{origin}/img.png"><img src="file:///etc/passwd"><img src="{origin}/redirect">
    <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">
      <image href="{origin}/svg.png" width="10" height="10"/>
      <image xlink:href="file:///etc/passwd" width="10" height="10"/></svg>
    <iframe src="file:///etc/passwd"></iframe><object data="file:///etc/passwd"></object>
    <a href="https://example.com/">ok</a> <a href="mailto:a@example.com">mail</a>
    </body></html>"""


def test_no_request_leaves_the_renderer_and_no_file_is_read(canary):
    data = pdf.write_pdf(hostile_html(canary))
    assert Canary.hits == []
    reader = PdfReader(io.BytesIO(data))
    text = text_of(data)
    assert "Visible text" in text and "root:" not in text
    assert not reader.attachments
    assert b"root:x:0:0" not in data


def test_sanitized_markdown_pointing_at_the_canary_fetches_nothing(canary, doc, alice):
    section = doc.sections.select_related("spec", "document").get(key="s0")
    section_save(
        section=section,
        body_md=f"![x]({canary}/md.png) <img src='{canary}/raw.png'> [l]({canary}/link)",
        author=alice,
    )
    pdf.render_pdf(snapshot.build(doc))
    assert Canary.hits == []


def test_the_fetcher_serves_app_assets_and_small_data_images_only():
    fetcher = pdf.SafeURLFetcher()
    logo = fetcher.fetch(pdf.BASE_URL + "static/img/logo.svg")
    assert logo.read().startswith(b"<svg")
    tiny = "data:image/png;base64," + base64.b64encode(_png(1, 1)).decode()
    assert fetcher.fetch(tiny).read().startswith(b"\x89PNG")
    for url in [
        "file:///etc/passwd",
        "http://127.0.0.1/x.png",
        pdf.BASE_URL + "static/../settings.py",
        pdf.BASE_URL + "media/exports/x.pdf",
        "data:text/html;base64,PGgxPg==",
        "data:image/png;base64," + "A" * (pdf.DATA_IMAGE_MAX_BYTES * 2),
    ]:
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 6


@pytest.mark.parametrize(
    "href", ["file:///etc/passwd", "javascript:alert(1)", "ftp://host/x", "/relative/path"]
)
def test_links_other_than_http_https_and_mailto_are_refused(href):
    with pytest.raises(pdf.RenderRefused, match="links only to http, https and mailto"):
        pdf.write_pdf(f'<html><body><a href="{href}">x</a><a href="#top">top</a></body></html>')


def test_deep_nesting_and_huge_tables_are_refused_before_rendering():
    deep = "<blockquote>" * 200 + "deep" + "</blockquote>" * 200
    with pytest.raises(pdf.RenderRefused, match="nests 202 levels deep"):
        pdf.write_pdf(f"<html><body>{deep}</body></html>")
    rows = "".join(f"<tr><td>{i}</td></tr>" for i in range(5_000))
    with pytest.raises(pdf.RenderRefused, match="5,000 table rows"):
        pdf.write_pdf(f"<html><body><table>{rows}</table></body></html>")


def _png(width: int, height: int) -> bytes:
    """A valid all-black greyscale PNG, compressed row by row (never whole in memory)."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    packer = zlib.compressobj(9)
    row = b"\x00" * (width + 1)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def test_a_decompression_bomb_image_fails_cleanly_and_the_page_still_renders():
    # 20,000 × 20,000 pixels (400 MB decoded) in a few hundred kilobytes.
    png = _png(20_000, 20_000)
    assert len(png) < pdf.DATA_IMAGE_MAX_BYTES
    uri = "data:image/png;base64," + base64.b64encode(png).decode()
    data = pdf.write_pdf(f'<html><body><p>Bomb</p><img src="{uri}"></body></html>')
    assert "Bomb" in text_of(data)
