"""The practice pages: the permission ladder on each, what each person sees, the posts that
work without JavaScript, and constant query counts."""

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.documents.services import document_archive, section_save
from apps.interviews import services
from apps.interviews.models import InterviewNote, InterviewSession
from tests.factories import add_member, make_document, make_user
from tests.interviews.conftest import login
from tests.interviews.test_services import rows

pytestmark = pytest.mark.django_db

SECRET = "Weak on the A/B maths; nudge towards the delta method."


def url(doc, tail=""):
    return f"/documents/{doc.pk}/interview/{tail}"


def page(response):
    return BeautifulSoup(response.content, "html.parser")


@pytest.fixture
def started(doc, alice, bob, clock):
    services.interviewer_invite(document=doc, user=alice, username="bob")
    services.interview_start(document=doc, user=alice)
    clock.advance(minutes=5, seconds=20)
    return doc


@pytest.fixture
def noted(started, bob):
    services.interview_note_save(document=started, user=bob, block_key="clarify", body=SECRET)
    return started


# --- the ladder -----------------------------------------------------------------------------


@pytest.mark.parametrize("tail", ["", "summary/", "interviewer/"])
def test_anonymous_visitors_are_sent_to_log_in(client, started, tail):
    response = client.get(url(started, tail))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("tail", ["", "summary/", "interviewer/"])
def test_another_teams_member_gets_404_on_every_page(client, carol, started, tail):
    assert login(client, carol).get(url(started, tail)).status_code == 404


@pytest.mark.parametrize(
    ("who", "practice", "summary", "invite"),
    [
        ("victor", 200, 200, 403),
        ("eddie", 200, 200, 403),
        ("bob", 200, 200, 403),
        ("alice", 200, 200, 200),
    ],
)
def test_the_ladder_on_the_pages(client, cast, started, who, practice, summary, invite):
    login(client, cast[who])
    assert client.get(url(started)).status_code == practice
    assert client.get(url(started, "summary/")).status_code == summary
    assert client.get(url(started, "interviewer/")).status_code == invite


def test_a_document_of_another_template_has_no_practice_page(client, alice, team_a):
    other = make_document(team_a, alice)
    login(client, alice)
    assert client.get(url(other)).status_code == 404
    assert client.post(url(other, "start/")).status_code == 404


@pytest.mark.parametrize("action", ["start", "next", "pause", "finish"])
def test_control_posts_up_the_ladder_change_nothing(client, cast, doc, alice, action):
    if action != "start":
        services.interview_start(document=doc, user=alice)
    before = rows()
    assert client.post(url(doc, f"{action}/")).status_code == 302  # to the login page
    assert login(client, cast["carol"]).post(url(doc, f"{action}/")).status_code == 404
    assert login(client, cast["victor"]).post(url(doc, f"{action}/")).status_code == 403
    assert rows() == before


def test_invite_posts_up_the_ladder_change_nothing(client, cast, started):
    before = rows()
    post = {"interviewer": "victor"}
    assert client.post(url(started, "interviewer/"), post).status_code == 302  # to log in
    assert login(client, cast["carol"]).post(url(started, "interviewer/"), post).status_code == 404
    for who in ["victor", "eddie", "bob"]:
        response = login(client, cast[who]).post(url(started, "interviewer/"), post)
        assert response.status_code == 403, who
    assert rows() == before


def test_an_unknown_action_is_a_404(client, alice, started):
    assert login(client, alice).post(url(started, "rewind/")).status_code == 404


# --- the practice page ----------------------------------------------------------------------


def test_the_document_page_offers_practice_only_on_interview_documents(client, alice, doc, team_a):
    login(client, alice)
    link = page(client.get(f"/documents/{doc.pk}/")).find("a", string="Practice interview")
    assert link["href"] == url(doc)
    other = make_document(team_a, alice)
    assert not page(client.get(f"/documents/{other.pk}/")).find("a", string="Practice interview")


def test_before_the_start_the_candidate_sees_the_plan_and_a_start_button(client, alice, doc):
    soup = page(login(client, alice).get(url(doc)))
    blocks = soup.select("li.interview-block")
    assert len(blocks) == 9 and not soup.select('[aria-current="step"]')
    assert "0:00–5:00 · 5 min" in blocks[0].text and "43:00–45:00 · 2 min" in blocks[8].text
    assert soup.select_one("[data-total]").text == "0:00"
    start = soup.select_one('form[data-action="start"]')
    assert start is not None and not start.has_attr("hidden")
    assert soup.select_one('form[data-action="next"]').has_attr("hidden")


def test_the_running_page_highlights_the_current_block_with_elapsed_against_budget(
    client, alice, started, clock
):
    services.interview_next(document=started, user=alice)
    clock.advance(seconds=75)
    soup = page(login(client, alice).get(url(started)))
    current = soup.select_one('li[aria-current="step"]')
    assert current["id"] == "block-metrics" and "interview-block--current" in current["class"]
    assert current.select_one("[data-elapsed]").text == "1:15"
    assert soup.select_one("[data-current-elapsed]").text == "1:15"
    assert soup.select_one("[data-total]").text == "6:35"
    done = soup.select_one("#block-clarify")
    assert "interview-block--done" in done["class"] and "interview-block--over" in done["class"]
    assert done.select_one("[data-over-text]").text == "+0:20"
    next_form = soup.select_one('form[data-action="next"]')
    assert not next_form.has_attr("hidden")
    assert next_form.select_one('input[name="block"]')["value"] == "metrics"


def test_an_overrun_shows_a_nudge_in_a_live_region(client, alice, started):
    soup = page(login(client, alice).get(url(started)))
    region = soup.select_one("[data-nudges]")
    assert region["aria-live"] == "polite" and region["role"] == "status"
    nudge = region.select_one("[data-block-nudge]")
    assert not nudge.has_attr("hidden")
    assert "is over its 5:00 budget" in nudge.text
    assert region.select_one("[data-overall-nudge]").has_attr("hidden")


def test_the_whole_interviews_overrun_shows_too(client, alice, started, clock):
    clock.advance(minutes=45)
    soup = page(login(client, alice).get(url(started)))
    assert not soup.select_one("[data-overall-nudge]").has_attr("hidden")
    over = soup.select_one("[data-overall-over]")
    assert not over.has_attr("hidden") and over.select_one("span").text == "5:20"


def test_each_block_links_to_its_section_editor_for_the_candidate(client, alice, started):
    section = started.sections.select_related("spec", "document").get(key="clarify")
    section_save(section=section, body_md="Predict **clicks** on feed ads.", author=alice)
    soup = page(login(client, alice).get(url(started)))
    block = soup.select_one("#block-clarify")
    assert block.select_one(".prose strong").text == "clicks"
    edit = block.find("a", href=f"/documents/{started.pk}/sections/clarify/edit/")
    assert edit is not None


def test_a_viewer_watches_without_controls_edit_links_or_notes(client, victor, noted):
    soup = page(login(client, victor).get(url(noted)))
    assert not soup.select("form[data-action]")
    assert soup.select_one("[data-watching]")
    assert not soup.select("form[data-note]") and "/edit/" not in str(
        soup.select(".interview-block")
    )
    assert SECRET not in soup.text


def test_the_interviewer_sees_drills_prompts_and_their_own_notes(client, bob, noted):
    soup = page(login(client, bob).get(url(noted)))
    assert "Interviewer mode" in soup.select_one("h1").text
    drills = [li.text for li in soup.select(".interview-drills li")]
    assert len(drills) == 9 and "Inference on the device or on the server?" in drills
    assert "Is there anywhere that you feel I missed?" in soup.select_one("#block-wrap_up").text
    notes = soup.select("form[data-note]")
    assert len(notes) == 9
    assert soup.select_one("#block-clarify textarea").text.strip() == SECRET
    assert not soup.select_one('form[data-action="next"]').has_attr("hidden")


def test_the_candidate_never_sees_the_notes_on_any_page(client, alice, noted):
    login(client, alice)
    for path in [url(noted), url(noted, "summary/"), f"/documents/{noted.pk}/"]:
        response = client.get(path)
        assert response.status_code == 200
        assert SECRET not in response.content.decode(), path
    soup = page(client.get(url(noted)))
    assert not soup.select("form[data-note]") and not soup.select(".interview-drills")


# --- the posts ------------------------------------------------------------------------------


def test_the_candidate_runs_the_interview_with_plain_forms(client, alice, doc):
    login(client, alice)
    response = client.post(url(doc, "start/"))
    assert response.status_code == 302 and response["Location"] == url(doc)
    assert client.post(url(doc, "next/"), {"block": "clarify"}).status_code == 302
    assert client.post(url(doc, "pause/")).status_code == 302
    assert client.post(url(doc, "resume/")).status_code == 302
    response = client.post(url(doc, "finish/"))
    assert response["Location"] == url(doc, "summary/")
    session = InterviewSession.objects.get()
    assert (session.status, session.current_index) == ("finished", 1)


def test_the_interviewer_moves_the_clock_from_the_page(client, bob, started):
    assert login(client, bob).post(url(started, "next/"), {"block": "clarify"}).status_code == 302
    assert InterviewSession.objects.get().current_index == 1


def test_a_refused_move_explains_itself_and_changes_nothing(client, alice, started):
    services.interview_next(document=started, user=alice)
    before = rows()
    response = login(client, alice).post(url(started, "next/"), {"block": "clarify"}, follow=True)
    assert "already moved on" in page(response).select_one(".messages").text
    assert rows() == before


def test_the_candidate_invites_an_interviewer_from_the_form(client, alice, doc, eddie):
    login(client, alice)
    soup = page(client.get(url(doc, "interviewer/")))
    names = {o["value"] for o in soup.select('select[name="interviewer"] option') if o["value"]}
    assert names == {"bob", "eddie", "victor"}
    response = client.post(url(doc, "interviewer/"), {"interviewer": "eddie"})
    assert response.status_code == 302 and response["Location"] == url(doc)
    assert InterviewSession.objects.get().interviewer == eddie


def test_the_invite_form_refuses_an_outsider_and_keeps_the_rest(client, alice, carol, doc):
    response = login(client, alice).post(url(doc, "interviewer/"), {"interviewer": "carol"})
    assert response.status_code == 400 and page(response).select_one(".field--error")
    assert not InterviewSession.objects.exists()


def test_the_invite_form_says_when_nobody_else_can_read_it(
    client, team_b, carol, interview_template
):
    lonely = make_document(team_b, carol, template=interview_template)
    soup = page(login(client, carol).get(url(lonely, "interviewer/")))
    assert "Nobody else on this team" in soup.select_one(".empty-state").text


def test_the_interviewer_saves_notes_without_javascript(client, bob, started):
    login(client, bob)
    response = client.post(url(started, "notes/metrics/"), {"note-metrics-body": "Fine."})
    assert response.status_code == 302 and response["Location"].endswith("#block-metrics")
    assert InterviewNote.objects.get().body == "Fine."
    response = client.post(url(started, "notes/metrics/"), {"note-metrics-body": "x" * 5001})
    assert response.status_code == 400 and page(response).select_one(".field--error")
    assert InterviewNote.objects.get().body == "Fine."
    assert client.post(url(started, "notes/nope/"), {"note-nope-body": "?"}).status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("carol", 404), ("victor", 403), ("eddie", 403), ("alice", 403)],
)
def test_only_the_interviewer_posts_notes(client, cast, started, who, status):
    if who != "anonymous":
        login(client, cast[who])
    response = client.post(url(started, "notes/clarify/"), {"note-clarify-body": "Peek"})
    assert response.status_code == status
    assert not InterviewNote.objects.exists()


def test_an_archived_document_shows_the_clock_but_no_controls(client, alice, started):
    document_archive(document=started)
    soup = page(login(client, alice).get(url(started)))
    assert "archived" in soup.select_one(".alert--warning").text
    assert not soup.select("form[data-action]")


# --- the summary ----------------------------------------------------------------------------


def test_the_summary_shows_actual_against_budget_and_the_next_steps(client, alice, started, clock):
    services.interview_next(document=started, user=alice)
    clock.advance(minutes=3)
    services.interview_finish(document=started, user=alice)
    soup = page(login(client, alice).get(url(started, "summary/")))
    rows_ = soup.select("table.interview-timing tbody tr")
    assert len(rows_) == 9
    cells = [td.text.strip() for td in rows_[0].select("td")]
    assert cells[1:] == ["5:00", "5:20", "+0:20"]
    assert [td.text.strip() for td in rows_[1].select("td")][1:] == ["4:00", "3:00", "−1:00"]
    assert "Not reached" in rows_[2].text
    total = [c.text.strip() for c in soup.select("table.interview-timing tfoot td")]
    assert total[1:] == ["45:00", "8:20", "−36:40"]
    assert soup.find("a", href=f"/documents/{started.pk}/review/scores/")
    export = soup.select_one(f'form[action="/documents/{started.pk}/exports/"]')
    assert export.select_one('input[name="format"]')["value"] == "pdf"
    assert "Download PDF with score" in export.text
    assert "Your notes" not in soup.text


def test_the_interviewer_reads_their_notes_on_the_summary(client, bob, noted):
    soup = page(login(client, bob).get(url(noted, "summary/")))
    assert SECRET in soup.select_one("table.interview-timing tbody tr").text


def test_a_summary_before_the_start_says_so(client, victor, doc):
    soup = page(login(client, victor).get(url(doc, "summary/")))
    assert "has not started yet" in soup.select_one(".empty-state").text


# --- queries --------------------------------------------------------------------------------


def _grow(doc, alice, bob, clock):
    """More of everything a page could loop over: notes, written sections, events, members."""
    for key in ["clarify", "metrics", "data", "baseline"]:
        section = doc.sections.select_related("spec", "document").get(key=key)
        section_save(section=section, body_md=f"What {key} says.", author=alice)
        services.interview_note_save(document=doc, user=bob, block_key=key, body=f"On {key}.")
        clock.advance(seconds=40)
        services.interview_next(document=doc, user=alice)
    for i in range(5):
        add_member(doc.team, make_user(f"member{i}"), "viewer")


@pytest.mark.parametrize("who", ["alice", "bob", "victor"])
@pytest.mark.parametrize("tail", ["", "summary/"])
def test_the_pages_read_in_a_constant_number_of_queries(
    client, cast, started, clock, who, tail, django_assert_num_queries
):
    login(client, cast[who])
    with CaptureQueriesContext(connection) as small:
        assert client.get(url(started, tail)).status_code == 200
    _grow(started, cast["alice"], cast["bob"], clock)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(url(started, tail)).status_code == 200


def test_the_invite_form_reads_in_a_constant_number_of_queries(
    client, alice, started, django_assert_num_queries
):
    login(client, alice)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url(started, "interviewer/")).status_code == 200
    for i in range(5):
        add_member(started.team, make_user(f"member{i}"), "viewer")
    with django_assert_num_queries(len(small.captured_queries)):
        soup = page(client.get(url(started, "interviewer/")))
    assert len(soup.select('select[name="interviewer"] option')) == 1 + 3 + 5
