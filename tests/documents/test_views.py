"""Document pages: landing, dashboard, create, read, edit, archive, sections and preview."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from apps.documents.models import SECTION_BODY_MAX_CHARS, Document, Revision
from apps.documents.services import document_archive, section_save
from tests.factories import make_document, make_team, make_template, make_user

READERS = ["victor", "bob"]  # members who may read but not edit
WRITERS = ["eddie", "alice"]  # editor and owner
MALFORMED_IDS = ["not-a-uuid", "123", "00000000-0000-4000-8000-00000000000z"]
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"

MARKDOWN = """\
## Latency budget

| stage | p99 ms |
|---|---:|
| features | 20 |
| model | 35 |

```python
score = model.predict(features)
```

- shadow first
- then canary
"""


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def text(response) -> str:
    return " ".join(page(response).get_text(" ").split())


def as_user(client, user):
    client.force_login(user)
    return client


def url(name: str, document, *args) -> str:
    return reverse(f"documents:{name}", args=[document.id, *args])


def login_redirect(response, path: str) -> bool:
    login = reverse("accounts:login")
    return response.status_code == 302 and response.url == f"{login}?next={path}"


def state(document) -> tuple:
    document.refresh_from_db()
    return (document.title, document.summary, document.archived_at, document.updated_at)


def section_state(document, key="s0") -> tuple:
    section = document.sections.get(key=key)
    return (section.body_md, section.body_html, section.version, section.revisions.count())


# ---------- Landing page ----------


def test_the_landing_page_explains_the_product_to_visitors(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    body = text(response)
    for audience in ("Interview candidates", "Students", "ML teams"):
        assert audience in body
    soup = page(response)
    assert soup.find("a", href=reverse("accounts:signup"))
    assert soup.find("a", href=reverse("accounts:login"))


def test_the_landing_page_sends_signed_in_users_to_their_dashboard(client, alice):
    response = as_user(client, alice).get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("documents:dashboard")


def test_pages_have_the_navigation_and_no_inline_scripts_or_styles(client, cast, doc):
    response = as_user(client, cast["alice"]).get(url("detail", doc))
    soup = page(response)
    nav = soup.find("nav", class_="site-nav")
    for target in (
        reverse("documents:dashboard"),
        reverse("accounts:team_list"),
        reverse("templates_catalog:gallery"),
        reverse("api-docs"),
    ):
        assert nav.find("a", href=target)
    # Data blocks (json_script) are not executed, so a CSP without inline scripts allows them.
    scripts = soup.find_all("script")
    assert all(s.get("src") or s.get("type") == "application/json" for s in scripts)
    assert not soup.select("[style]")
    assert not [tag for tag in soup.find_all(True) if any(a.startswith("on") for a in tag.attrs)]


# ---------- Dashboard ----------


def test_the_dashboard_needs_a_signed_in_user(client, db):
    path = reverse("documents:dashboard")
    assert login_redirect(client.get(path), path)


def test_the_dashboard_lists_my_documents_with_team_template_and_status(client, cast, doc):
    response = as_user(client, cast["victor"]).get(reverse("documents:dashboard"))
    assert response.status_code == 200
    row = page(response).find("a", href=url("detail", doc)).find_parent("li")
    row_text = " ".join(row.get_text(" ").split())
    assert "CTR prediction" in row_text
    assert "Ads ranking" in row_text
    assert "Template tiny" in row_text
    assert "Draft" in row_text
    assert row.select_one(".badge--draft")


def test_the_dashboard_never_shows_another_teams_documents(client, cast, doc):
    response = as_user(client, cast["carol"]).get(reverse("documents:dashboard"))
    assert response.status_code == 200
    assert "CTR prediction" not in text(response)
    assert "No documents yet" in text(response)


def test_the_dashboard_of_someone_without_a_team_says_to_create_one(client, db):
    response = as_user(client, make_user("nina")).get(reverse("documents:dashboard"))
    assert "Create a team first" in text(response)
    assert page(response).find("a", href=reverse("accounts:team_list"))


def test_the_dashboard_offers_a_new_document_to_those_who_may_create(client, cast, team_a):
    response = as_user(client, cast["eddie"]).get(reverse("documents:dashboard"))
    assert page(response).find("a", href=reverse("documents:create"))
    response = as_user(client, cast["victor"]).get(reverse("documents:dashboard"))
    assert not page(response).find("a", href=reverse("documents:create"))


def test_search_finds_a_document_by_a_word_in_a_section_body(client, cast, team_a, alice):
    template = make_template("tiny")
    found = make_document(team_a, alice, title="Feed ranking", template=template)
    make_document(team_a, alice, title="Churn model", template=template)
    section_save(section=found.sections.get(key="s1"), body_md="We use LambdaMART.", author=alice)
    response = as_user(client, alice).get(reverse("documents:dashboard"), {"q": "lambdamart"})
    body = text(response)
    assert "Feed ranking" in body
    assert "Churn model" not in body
    assert "1 document" in body


def test_a_search_without_results_says_so_and_offers_to_clear_it(client, cast, doc):
    response = as_user(client, cast["alice"]).get(reverse("documents:dashboard"), {"q": "zebra"})
    assert "Nothing matches" in text(response)
    assert "Clear filters" in text(response)


def test_the_dashboard_filters_by_team_status_and_template(client, cast, team_a, alice):
    other_team = make_team("Second", {alice: "owner"})
    mine = make_document(team_a, alice, title="First doc")
    make_document(other_team, alice, title="Second doc", template=make_template("other"))
    Document.objects.filter(pk=mine.pk).update(status=Document.Status.IN_REVIEW)
    as_user(client, alice)

    by_team = text(client.get(reverse("documents:dashboard"), {"team": str(other_team.id)}))
    assert "Second doc" in by_team and "First doc" not in by_team
    by_status = text(client.get(reverse("documents:dashboard"), {"status": "in_review"}))
    assert "First doc" in by_status and "Second doc" not in by_status
    by_template = text(client.get(reverse("documents:dashboard"), {"template": "other"}))
    assert "Second doc" in by_template and "First doc" not in by_template


@pytest.mark.parametrize(
    "params",
    [
        {"team": "not-a-uuid"},
        {"team": UNKNOWN_ID},
        {"status": "bogus"},
        {"template": "no-such-template"},
        {"page": "999"},
        {"page": "x"},
    ],
)
def test_the_dashboard_ignores_bad_filters_instead_of_failing(client, cast, doc, params):
    response = as_user(client, cast["alice"]).get(reverse("documents:dashboard"), params)
    assert response.status_code == 200
    assert "CTR prediction" in text(response)


def test_the_dashboard_filter_on_another_teams_id_shows_nothing_of_theirs(client, cast, doc):
    response = as_user(client, cast["carol"]).get(
        reverse("documents:dashboard"), {"team": str(doc.team_id)}
    )
    assert response.status_code == 200
    assert "CTR prediction" not in text(response)


def test_archiving_hides_a_document_from_the_dashboard_and_restoring_brings_it_back(
    client, cast, doc
):
    as_user(client, cast["eddie"])
    client.post(url("archive", doc))
    assert "CTR prediction" not in text(client.get(reverse("documents:dashboard")))
    archived = text(client.get(reverse("documents:dashboard"), {"archived": "1"}))
    assert "CTR prediction" in archived
    client.post(url("restore", doc))
    assert "CTR prediction" in text(client.get(reverse("documents:dashboard")))


# ---------- Create ----------


def create(client, team, title="Search ranking", template="tiny", **extra):
    return client.post(
        reverse("documents:create"),
        {"team": str(team.id), "template": template, "title": title, **extra},
    )


@pytest.fixture
def tiny(db):
    return make_template("tiny", sections=3)


def test_the_create_page_needs_a_signed_in_user(client, db):
    path = reverse("documents:create")
    assert login_redirect(client.get(path), path)


def test_anonymous_cannot_create_documents(client, team_a, tiny):
    assert create(client, team_a).status_code == 302
    assert not Document.objects.exists()


def test_the_create_page_offers_only_teams_where_i_may_create(client, cast, team_a, tiny):
    make_team("Reading club", {cast["eddie"]: "viewer"})
    response = as_user(client, cast["eddie"]).get(reverse("documents:create"))
    assert response.status_code == 200
    options = [o.get_text() for o in page(response).select("select[name=team] option")]
    assert options == ["Ads ranking"]


def test_the_create_page_preselects_the_template_and_team_from_the_link(client, cast, team_a, tiny):
    other = make_template("other")
    make_team("Another", {cast["alice"]: "owner"})
    response = as_user(client, cast["alice"]).get(
        reverse("documents:create"), {"template": other.key, "team": str(team_a.id)}
    )
    soup = page(response)
    assert soup.select_one("select[name=template] option[selected]")["value"] == "other"
    assert soup.select_one("select[name=team] option[selected]")["value"] == str(team_a.id)


def test_the_create_page_ignores_an_unknown_template_in_the_link(client, cast, team_a, tiny):
    response = as_user(client, cast["alice"]).get(reverse("documents:create"), {"template": "x"})
    assert response.status_code == 200


@pytest.mark.parametrize("name", READERS)
def test_the_create_page_tells_readers_how_to_get_to_write(client, cast, team_a, tiny, name):
    response = as_user(client, cast[name]).get(reverse("documents:create"))
    assert "Only editors and owners start documents" in text(response)


def test_the_create_page_tells_someone_without_a_team_to_create_one(client, tiny):
    response = as_user(client, make_user("nina")).get(reverse("documents:create"))
    assert "Create a team first" in text(response)


def test_outsiders_cannot_create_documents_in_another_team(client, cast, team_a, tiny):
    assert create(as_user(client, cast["carol"]), team_a).status_code == 404
    assert not Document.objects.exists()


@pytest.mark.parametrize("name", READERS)
def test_readers_cannot_create_documents(client, cast, team_a, tiny, name):
    assert create(as_user(client, cast[name]), team_a).status_code == 403
    assert not Document.objects.exists()


@pytest.mark.parametrize("name", WRITERS)
def test_editors_and_owners_create_documents_with_one_section_per_template_section(
    client, cast, team_a, tiny, name
):
    response = create(as_user(client, cast[name]), team_a, summary="Rank results.")
    document = Document.objects.get()
    assert response.status_code == 302
    assert response.url == url("detail", document)
    assert (document.title, document.summary, document.team) == (
        "Search ranking",
        "Rank results.",
        team_a,
    )
    assert document.created_by == cast[name]
    assert list(document.sections.values_list("key", flat=True)) == ["s0", "s1", "s2"]


@pytest.mark.parametrize("title", ["", "   ", "x" * 300])
def test_creating_with_a_bad_title_says_why_and_creates_nothing(client, cast, team_a, tiny, title):
    response = create(as_user(client, cast["alice"]), team_a, title=title)
    assert response.status_code == 400
    assert page(response).select("#id_title_error li")
    assert not Document.objects.exists()


def test_creating_from_an_unknown_template_says_so_and_creates_nothing(client, cast, team_a, tiny):
    response = create(as_user(client, cast["alice"]), team_a, template="no-such-template")
    assert response.status_code == 400
    assert "Select a valid choice" in text(response)
    assert not Document.objects.exists()


def test_creating_with_a_malformed_team_id_says_so(client, cast, team_a, tiny):
    response = as_user(client, cast["alice"]).post(
        reverse("documents:create"), {"team": "zzz", "template": "tiny", "title": "T"}
    )
    assert response.status_code == 400
    assert not Document.objects.exists()


# ---------- Document page ----------


def test_the_document_page_needs_a_signed_in_user(client, doc):
    path = url("detail", doc)
    assert login_redirect(client.get(path), path)


def test_the_document_page_is_not_found_for_outsiders(client, cast, doc):
    response = as_user(client, cast["carol"]).get(url("detail", doc))
    assert response.status_code == 404
    assert "CTR prediction" not in text(response)


@pytest.mark.parametrize("path", [f"/documents/{bad}/" for bad in MALFORMED_IDS])
def test_the_document_page_with_a_malformed_id_is_not_found(client, alice, path):
    assert as_user(client, alice).get(path).status_code == 404


def test_the_document_page_of_an_unknown_id_is_not_found(client, alice):
    assert as_user(client, alice).get(f"/documents/{UNKNOWN_ID}/").status_code == 404


@pytest.mark.parametrize("name", READERS)
def test_readers_see_the_document_without_edit_controls(client, cast, doc, name):
    response = as_user(client, cast[name]).get(url("detail", doc))
    assert response.status_code == 200
    soup = page(response)
    assert soup.find("h1").get_text(strip=True) == "CTR prediction"
    assert not soup.find("a", href=url("section_edit", doc, "s0"))
    assert not soup.find("a", href=url("edit", doc))
    assert not soup.find("form", action=url("archive", doc))


@pytest.mark.parametrize("name", WRITERS)
def test_writers_see_edit_links_and_the_archive_button(client, cast, doc, name):
    soup = page(as_user(client, cast[name]).get(url("detail", doc)))
    assert soup.find("a", href=url("section_edit", doc, "s0"))
    assert soup.find("a", href=url("edit", doc))
    assert soup.find("form", action=url("archive", doc))


def test_the_document_page_has_a_table_of_contents_that_marks_empty_sections(
    client, cast, doc, alice
):
    section_save(section=doc.sections.get(key="s1"), body_md="Written.", author=alice)
    soup = page(as_user(client, alice).get(url("detail", doc)))
    entries = soup.select(".toc details li")
    assert [entry.a["href"] for entry in entries] == ["#sec-s0", "#sec-s1", "#sec-s2"]
    assert [li.a["href"] for li in soup.select(".activity-feed li")] == ["#sec-s1"]
    assert [bool(entry.select_one(".toc__empty")) for entry in entries] == [True, False, True]
    assert "1 of 3 written" in soup.select_one(".toc").get_text(" ")
    for key in ("s0", "s1", "s2"):
        assert soup.find(id=f"sec-{key}")


def test_each_section_shows_its_guidance_folded(client, cast, doc):
    soup = page(as_user(client, cast["victor"]).get(url("detail", doc)))
    guidance = soup.select_one("#sec-s0 details.guidance")
    assert not guidance.has_attr("open")
    assert "Purpose of section 0." in guidance.get_text()
    assert "Question 0.2?" in guidance.get_text()


def test_the_document_page_prints_the_stored_html_without_rendering_again(
    client, cast, doc, monkeypatch
):
    section_save(section=doc.sections.get(key="s0"), body_md=MARKDOWN, author=cast["alice"])
    stored = doc.sections.get(key="s0").body_html

    def no_rendering(*args, **kwargs):
        raise AssertionError("Markdown must not be rendered when a page is read")

    from apps.documents import markdown

    monkeypatch.setattr(markdown, "render", no_rendering)
    monkeypatch.setattr(markdown, "sanitize", no_rendering)
    response = as_user(client, cast["victor"]).get(url("detail", doc))
    prose = page(response).select_one("#sec-s0 .prose")
    assert prose.find("table") and prose.find("pre") and prose.find("ul")
    assert "<table>" in stored and stored.split("<table>")[0] in response.content.decode()


def test_user_html_in_a_section_arrives_escaped(client, cast, doc):
    section_save(
        section=doc.sections.get(key="s0"),
        body_md="<script>alert(1)</script> [x](javascript:alert(1))",
        author=cast["alice"],
    )
    response = as_user(client, cast["victor"]).get(url("detail", doc))
    prose = page(response).select_one("#sec-s0 .prose")
    assert not prose.find("script")
    assert "&lt;script&gt;" in str(prose)
    assert "javascript:" not in str(prose.find_all("a"))


def test_an_archived_document_shows_a_banner_and_a_restore_button(client, cast, doc):
    document_archive(document=doc)
    soup = page(as_user(client, cast["eddie"]).get(url("detail", doc)))
    assert "This document is archived." in soup.get_text()
    assert soup.find("form", action=url("restore", doc))
    assert not soup.find("a", href=url("section_edit", doc, "s0"))


@pytest.mark.parametrize("sections", [1, 11])
def test_the_document_page_runs_the_same_number_of_queries_for_any_number_of_sections(
    client, django_assert_num_queries, team_a, alice, sections
):
    document = make_document(team_a, alice, template=make_template("big", sections=sections))
    for section in document.sections.all():
        section_save(section=section, body_md=f"Text of {section.key}.", author=alice)
    as_user(client, alice)
    # session, user, the document with its team/template/author and the role, the sections,
    # the stored checklist result, the recent changes, the review threads, the review requests,
    # the unread notifications for the bell
    with django_assert_num_queries(9):
        response = client.get(url("detail", document))
    assert response.status_code == 200
    assert len(page(response).select(".doc-section")) == sections


# ---------- Edit title and summary ----------


def edit(client, document, title="New title", summary="New summary"):
    return client.post(url("edit", document), {"title": title, "summary": summary})


def test_the_edit_page_needs_a_signed_in_user(client, doc):
    path = url("edit", doc)
    assert login_redirect(client.get(path), path)
    before = state(doc)
    assert edit(client, doc).status_code == 302
    assert state(doc) == before


def test_outsiders_cannot_edit_and_the_document_is_unchanged(client, cast, doc):
    before = state(doc)
    as_user(client, cast["carol"])
    assert client.get(url("edit", doc)).status_code == 404
    assert edit(client, doc).status_code == 404
    assert state(doc) == before


@pytest.mark.parametrize("name", READERS)
def test_readers_cannot_edit_and_the_document_is_unchanged(client, cast, doc, name):
    before = state(doc)
    as_user(client, cast[name])
    assert client.get(url("edit", doc)).status_code == 403
    response = edit(client, doc)
    assert response.status_code == 403
    assert "Your role does not allow this" in text(response)
    assert state(doc) == before


@pytest.mark.parametrize("name", WRITERS)
def test_writers_change_the_title_and_summary(client, cast, doc, name):
    as_user(client, cast[name])
    form = page(client.get(url("edit", doc)))
    assert form.find("input", attrs={"name": "title"})["value"] == "CTR prediction"
    response = edit(client, doc)
    assert response.status_code == 302
    assert response.url == url("detail", doc)
    doc.refresh_from_db()
    assert (doc.title, doc.summary) == ("New title", "New summary")


@pytest.mark.parametrize("title", ["", "x" * 300])
def test_editing_with_a_bad_title_says_why_and_changes_nothing(client, cast, doc, title):
    before = state(doc)
    response = edit(as_user(client, cast["alice"]), doc, title=title)
    assert response.status_code == 400
    assert page(response).select("#id_title_error li")
    assert page(response).find("input", attrs={"name": "title"}).get("value", "") == title
    assert state(doc) == before


def test_editing_an_archived_document_is_refused_with_a_message(client, cast, doc):
    document_archive(document=doc)
    before = state(doc)
    as_user(client, cast["alice"])
    response = edit(client, doc)
    assert response.status_code == 400
    assert "restore it before editing" in text(response)
    assert state(doc) == before
    assert client.get(url("edit", doc)).status_code == 302


# ---------- Archive and restore ----------


@pytest.mark.parametrize("action", ["archive", "restore"])
def test_archive_and_restore_need_a_post(client, cast, doc, action):
    assert as_user(client, cast["alice"]).get(url(action, doc)).status_code == 405


def test_anonymous_cannot_archive(client, doc):
    assert client.post(url("archive", doc)).status_code == 302
    doc.refresh_from_db()
    assert not doc.is_archived


def test_outsiders_cannot_archive_or_restore(client, cast, doc):
    as_user(client, cast["carol"])
    assert client.post(url("archive", doc)).status_code == 404
    doc.refresh_from_db()
    assert not doc.is_archived
    document_archive(document=doc)
    assert client.post(url("restore", doc)).status_code == 404
    doc.refresh_from_db()
    assert doc.is_archived


@pytest.mark.parametrize("name", READERS)
def test_readers_cannot_archive_or_restore(client, cast, doc, name):
    as_user(client, cast[name])
    assert client.post(url("archive", doc)).status_code == 403
    doc.refresh_from_db()
    assert not doc.is_archived
    document_archive(document=doc)
    assert client.post(url("restore", doc)).status_code == 403
    doc.refresh_from_db()
    assert doc.is_archived


@pytest.mark.parametrize("name", WRITERS)
def test_writers_archive_and_restore(client, cast, doc, name):
    as_user(client, cast[name])
    response = client.post(url("archive", doc), follow=True)
    doc.refresh_from_db()
    assert doc.is_archived
    assert "Archived." in text(response)
    client.post(url("restore", doc))
    doc.refresh_from_db()
    assert not doc.is_archived


# ---------- Section editor ----------


def save(client, document, body, base_version=1, key="s0"):
    return client.post(
        url("section_edit", document, key), {"body_md": body, "base_version": base_version}
    )


def test_the_section_editor_needs_a_signed_in_user(client, doc):
    path = url("section_edit", doc, "s0")
    assert login_redirect(client.get(path), path)
    before = section_state(doc)
    assert save(client, doc, "x").status_code == 302
    assert section_state(doc) == before


def test_outsiders_cannot_open_or_save_a_section(client, cast, doc):
    before = section_state(doc)
    as_user(client, cast["carol"])
    assert client.get(url("section_edit", doc, "s0")).status_code == 404
    assert save(client, doc, "Hijacked").status_code == 404
    assert section_state(doc) == before


@pytest.mark.parametrize("name", READERS)
def test_readers_cannot_open_or_save_a_section(client, cast, doc, name):
    before = section_state(doc)
    as_user(client, cast[name])
    assert client.get(url("section_edit", doc, "s0")).status_code == 403
    assert save(client, doc, "Changed").status_code == 403
    assert section_state(doc) == before


@pytest.mark.parametrize("name", WRITERS)
def test_the_section_editor_has_a_labelled_textarea_preview_and_the_base_version(
    client, cast, doc, name
):
    response = as_user(client, cast[name]).get(url("section_edit", doc, "s0"))
    assert response.status_code == 200
    soup = page(response)
    textarea = soup.find("textarea", attrs={"name": "body_md"})
    assert soup.find("label", attrs={"for": textarea["id"]})
    assert soup.find("input", attrs={"name": "base_version"})["value"] == "1"
    form = textarea.find_parent("form")
    assert form["data-preview-url"] == url("section_preview", doc, "s0")
    assert soup.find(id="preview")
    assert soup.find("script", src=lambda src: src and src.endswith("js/section-editor.js"))


def test_the_happy_path_create_edit_a_section_and_read_the_rendered_html(client, cast, team_a):
    make_template("tiny", sections=3)
    as_user(client, cast["eddie"])
    create(client, team_a, title="Feed ads CTR")
    document = Document.objects.get()
    response = save(client, document, MARKDOWN)
    assert response.status_code == 302
    assert response.url == f"{url('detail', document)}?saved=s0#sec-s0"

    response = client.get(url("detail", document))
    prose = page(response).select_one("#sec-s0 .prose")
    assert prose.find("h2", id="s0-latency-budget")
    assert [td.get_text() for td in prose.select("tbody tr:first-child td")] == ["features", "20"]
    assert prose.find("td", attrs={"align": "right"})
    assert "score = model.predict(features)" in prose.find("pre").get_text()
    assert [li.get_text() for li in prose.select("ul li")] == ["shadow first", "then canary"]
    assert "“Section 0” saved." in text(response)
    section = document.sections.get(key="s0")
    assert section.version == 2
    assert Revision.objects.filter(section=section, version=2).exists()


def test_a_section_over_the_size_limit_is_refused_and_the_text_is_kept(client, cast, doc):
    before = section_state(doc)
    body = "x" * (SECTION_BODY_MAX_CHARS + 1)
    response = save(as_user(client, cast["alice"]), doc, body)
    assert response.status_code == 400
    assert "the limit is 100,000" in text(response)
    assert page(response).find("textarea").get_text().strip("\r\n") == body
    assert section_state(doc) == before


def test_a_stale_base_version_is_a_conflict_that_keeps_both_texts(client, cast, doc):
    section = doc.sections.get(key="s0")
    section_save(section=section, body_md="Bob's numbers.", author=cast["eddie"], base_version=1)
    before = section_state(doc)

    response = save(as_user(client, cast["alice"]), doc, "Alice's numbers.", base_version=1)
    assert response.status_code == 409
    soup = page(response)
    assert "Someone saved this section while you were editing" in soup.get_text()
    assert "eddie saved version 2" in " ".join(soup.get_text(" ").split())
    theirs = [span.get_text() for span in soup.select(".conflict .diff__removed .diff__text")]
    mine = [span.get_text() for span in soup.select(".conflict .diff__added .diff__text")]
    assert theirs == ["Bob's numbers."] and mine == ["Alice's numbers."]
    body = soup.find("textarea", attrs={"name": "body_md"})
    assert body.get_text().strip("\r\n") == "Alice's numbers."
    assert soup.select_one("a[data-discard-draft]")["href"] == url("section_edit", doc, "s0")
    assert soup.find("input", attrs={"name": "base_version"})["value"] == "2"
    assert section_state(doc) == before


def test_saving_again_after_a_conflict_replaces_the_version_that_was_shown(client, cast, doc):
    section = doc.sections.get(key="s0")
    section_save(section=section, body_md="Theirs.", author=cast["eddie"], base_version=1)
    as_user(client, cast["alice"])
    save(client, doc, "Mine.", base_version=1)
    assert save(client, doc, "Merged.", base_version=2).status_code == 302
    assert doc.sections.get(key="s0").body_md == "Merged."


@pytest.mark.parametrize("base_version", ["", "abc", "0"])
def test_a_missing_or_bad_base_version_is_refused(client, cast, doc, base_version):
    before = section_state(doc)
    response = save(as_user(client, cast["alice"]), doc, "Text", base_version=base_version)
    assert response.status_code == 400
    assert page(response).select(".alert--error")
    assert section_state(doc) == before


def test_saving_a_section_of_an_archived_document_is_refused(client, cast, doc):
    document_archive(document=doc)
    before = section_state(doc)
    as_user(client, cast["alice"])
    response = save(client, doc, "Text")
    assert response.status_code == 400
    assert "restore it before editing" in text(response)
    assert section_state(doc) == before
    assert client.get(url("section_edit", doc, "s0")).status_code == 302


def test_an_unknown_section_key_is_not_found(client, cast, doc):
    as_user(client, cast["alice"])
    assert client.get(url("section_edit", doc, "nope")).status_code == 404
    assert save(client, doc, "x", key="nope").status_code == 404


def test_a_section_url_with_another_teams_document_is_not_found(client, cast, doc, team_b):
    theirs = make_document(team_b, cast["carol"], template=doc.template, title="Theirs")
    before = section_state(theirs)
    as_user(client, cast["alice"])
    assert client.get(url("section_edit", theirs, "s0")).status_code == 404
    assert save(client, theirs, "x").status_code == 404
    assert section_state(theirs) == before


@pytest.mark.parametrize("bad", MALFORMED_IDS)
def test_a_section_url_with_a_malformed_document_id_is_not_found(client, alice, bad):
    path = f"/documents/{bad}/sections/s0/edit/"
    assert as_user(client, alice).get(path).status_code == 404


# ---------- Live preview ----------


def preview(client, document, body, key="s0"):
    return client.post(url("section_preview", document, key), {"body_md": body})


def test_the_preview_returns_the_sanitized_html_a_save_would_store(client, cast, doc):
    before = section_state(doc)
    response = preview(as_user(client, cast["eddie"]), doc, "## Plan\n\n<script>x</script>")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert '<h2 id="s0-plan">Plan</h2>' in html
    assert "<script>" not in html
    assert section_state(doc) == before


def test_the_preview_needs_a_post(client, cast, doc):
    assert as_user(client, cast["alice"]).get(url("section_preview", doc, "s0")).status_code == 405


def test_anonymous_cannot_preview(client, doc):
    assert preview(client, doc, "x").status_code == 302


def test_outsiders_cannot_preview(client, cast, doc):
    assert preview(as_user(client, cast["carol"]), doc, "x").status_code == 404


@pytest.mark.parametrize("name", READERS)
def test_readers_cannot_preview(client, cast, doc, name):
    assert preview(as_user(client, cast[name]), doc, "x").status_code == 403


def test_a_preview_over_the_size_limit_says_so(client, cast, doc):
    response = preview(as_user(client, cast["alice"]), doc, "x" * (SECTION_BODY_MAX_CHARS + 1))
    assert response.status_code == 400
    assert "limit" in response.content.decode()


def test_the_preview_checks_the_csrf_token(cast, doc):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(cast["alice"])
    assert preview(strict, doc, "x").status_code == 403
    editor = page(strict.get(url("section_edit", doc, "s0")))
    token = editor.find("input", attrs={"name": "csrfmiddlewaretoken"})["value"]
    response = strict.post(
        url("section_preview", doc, "s0"), {"body_md": "*hi*"}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200
    assert "<em>hi</em>" in response.content.decode()
