"""The route × role matrix: every route of the URLconf, asked by every role, on objects of the
asker's own team and of another team.

Each route is classified below; a route added without a class fails the first test, so a new
page or endpoint cannot ship without saying who may reach it. Then, for every route and the
methods it answers:
- anonymous visitors reach only the public routes (others: the login page, or 401 in the API);
- a signed-in user outside the object's team gets 404 (existence is not leaked), and so does
  the owner of another team asking for this team's objects;
- no role ever gets a server error;
- inside the team, each role gets exactly what ROLE_NEEDED states for the route and method: a
  role below the one needed gets 403 (or 404 where the app hides the object), a role at or above
  it gets through the permission check (any status but 401, 403, 404 and 405: the empty body the
  matrix sends may still be a 400, 409, 412 or 428). An object route or a method without a
  stated expectation fails the second test.

Every request is made in a savepoint that is rolled back, so each one meets the same world (an
owner removing a member or archiving the document does not change what the next role sees).
"""

import datetime
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.services import team_create
from apps.checklists.services import waiver_create
from apps.courses import services as courses
from apps.documents.selectors import document_sections
from apps.documents.services import document_create, section_save
from apps.exports import services as exports
from apps.exports.models import ExportJob
from apps.interviews.services import interview_start, interviewer_invite
from apps.library.services import EXAMPLES_DIR, examples_load
from apps.notifications.services import notify
from apps.reviews.selectors import covered_hash
from apps.reviews.services import review_decide, review_request, thread_open
from apps.templates_catalog.models import DesignTemplate
from apps.templates_catalog.services import templates_load_all
from tests.factories import add_member, make_document, make_template, make_user

pytestmark = pytest.mark.django_db

PUBLIC = "public"  # anyone, signed in or not
SIGNED_IN = "signed_in"  # any signed-in user; nothing of a team in the URL
OBJECT = "object"  # a team's object in the URL: its members only, 404 for everyone else
OWN = "own"  # the asker's own object (their notification): 404 for everyone else
ADMIN = "admin"  # Django's admin: staff only

ROUTES = {
    "home": PUBLIC,
    "accounts:signup": PUBLIC,
    "accounts:login": PUBLIC,
    "accounts:logout": PUBLIC,  # signing out when signed out just goes home
    "accounts:password_change": SIGNED_IN,
    "accounts:password_change_done": SIGNED_IN,
    "accounts:settings": SIGNED_IN,
    "accounts:language": PUBLIC,
    "accounts:token_create": SIGNED_IN,
    "accounts:token_revoke": SIGNED_IN,
    "accounts:team_list": SIGNED_IN,
    "accounts:team_create": SIGNED_IN,
    "accounts:team_detail": OBJECT,
    "accounts:member_add": OBJECT,
    "accounts:member_role": OBJECT,
    "accounts:member_remove": OBJECT,
    "templates_catalog:gallery": PUBLIC,
    "templates_catalog:detail": PUBLIC,
    "documents:dashboard": SIGNED_IN,
    "documents:create": SIGNED_IN,
    "documents:detail": OBJECT,
    "documents:edit": OBJECT,
    "documents:archive": OBJECT,
    "documents:restore": OBJECT,
    "documents:section_edit": OBJECT,
    "documents:history": OBJECT,
    "documents:section_history": OBJECT,
    "documents:revision_compare": OBJECT,
    "documents:revision_restore": OBJECT,
    "documents:section_preview": OBJECT,
    "notifications:list": SIGNED_IN,
    "notifications:open": OWN,
    "notifications:mark_all_read": SIGNED_IN,
    "notifications:preferences": SIGNED_IN,
    "library:list": PUBLIC,
    "library:compare": SIGNED_IN,
    "library:detail": PUBLIC,
    "library:clone": SIGNED_IN,
    "courses:list": SIGNED_IN,
    "courses:create": SIGNED_IN,
    "courses:detail": OBJECT,
    "courses:student_add": OBJECT,
    "courses:assignment_new": OBJECT,
    "courses:assignment": OBJECT,
    "courses:assignment_edit": OBJECT,
    "courses:submission_start": OBJECT,
    "courses:gradebook": OBJECT,
    "courses:gradebook_csv": OBJECT,
    "courses:submission": OBJECT,
    "courses:submission_submit": OBJECT,
    "courses:submission_withdraw": OBJECT,
    "courses:submission_grade": OBJECT,
    "interviews:practice": OBJECT,
    "interviews:summary": OBJECT,
    "interviews:invite": OBJECT,
    "interviews:note": OBJECT,
    "interviews:control": OBJECT,
    "checklists:ab_tool": PUBLIC,
    "checklists:panel": OBJECT,
    "checklists:waiver_add": OBJECT,
    "checklists:waiver_remove": OBJECT,
    "reviews:thread_new": OBJECT,
    "reviews:thread_reply": OBJECT,
    "reviews:thread_resolve": OBJECT,
    "reviews:thread_reopen": OBJECT,
    "reviews:comment_edit": OBJECT,
    "reviews:comment_delete": OBJECT,
    "reviews:request": OBJECT,
    "reviews:withdraw": OBJECT,
    "reviews:decide": OBJECT,
    "reviews:audit": OBJECT,
    "reviews:scores": OBJECT,
    "reviews:versions": OBJECT,
    "reviews:version": OBJECT,
    "exports:import": SIGNED_IN,
    "exports:create": OBJECT,
    "exports:job": OBJECT,
    "exports:status": OBJECT,
    "exports:download": OBJECT,
    "exports:share_create": OBJECT,
    "exports:share_revoke": OBJECT,
    "exports:share": PUBLIC,
    "api:team-list": SIGNED_IN,
    "api:team-members": OBJECT,
    "api:team-member": OBJECT,
    "api:template-list": SIGNED_IN,
    "api:template-detail": SIGNED_IN,
    "api:document-import": SIGNED_IN,
    "api:document-exports": OBJECT,
    "api:export-detail": OBJECT,
    "api:export-download": OBJECT,
    "api:document-list": SIGNED_IN,
    "api:document-detail": OBJECT,
    "api:section-detail": OBJECT,
    "api:section-revisions": OBJECT,
    "api:section-revision-compare": OBJECT,
    "api:section-revision": OBJECT,
    "api:section-revision-restore": OBJECT,
    "api:document-revisions": OBJECT,
    "api:document-presence": OBJECT,
    "api:document-archive": OBJECT,
    "api:document-restore": OBJECT,
    "api:ab-sample-size": PUBLIC,
    "api:document-checklist": OBJECT,
    "api:document-waivers": OBJECT,
    "api:document-waiver": OBJECT,
    "api:document-threads": OBJECT,
    "api:document-thread": OBJECT,
    "api:document-thread-comments": OBJECT,
    "api:document-thread-resolve": OBJECT,
    "api:document-thread-reopen": OBJECT,
    "api:document-comment": OBJECT,
    "api:document-reviews": OBJECT,
    "api:document-review-request": OBJECT,
    "api:document-signoff": OBJECT,
    "api:document-version": OBJECT,
    "api:document-audit": OBJECT,
    "api:document-scores": OBJECT,
    "api:notifications": SIGNED_IN,
    "api:notifications-read": SIGNED_IN,
    "api:notification-preferences": SIGNED_IN,
    "api:library-list": SIGNED_IN,
    "api:library-detail": SIGNED_IN,
    "api:library-clone": SIGNED_IN,
    "api:document-interview": OBJECT,
    "api:document-interview-start": OBJECT,
    "api:document-interview-next": OBJECT,
    "api:document-interview-pause": OBJECT,
    "api:document-interview-resume": OBJECT,
    "api:document-interview-finish": OBJECT,
    "api:document-interview-interviewer": OBJECT,
    "api:document-interview-notes": OBJECT,
    "api:document-interview-note": OBJECT,
    "api:course-list": SIGNED_IN,
    "api:course-detail": OBJECT,
    "api:course-assignment-list": OBJECT,
    "api:course-assignment-detail": OBJECT,
    "api:course-submission-list": OBJECT,
    "api:course-grades": OBJECT,
    "api:course-submission-detail": OBJECT,
    "api:course-submission-submit": OBJECT,
    "api:course-submission-withdraw": OBJECT,
    "api:course-submission-grade": OBJECT,
    "api-schema": PUBLIC,  # the API's description, no data
    "api-docs": PUBLIC,
}
METHODS = ("get", "post", "put", "patch", "delete")

# Who may use each object route, role by role inside the object's team. The roles, lowest first;
# each member of the matrix's team holds one: victor views, bob reviews, eddie edits, alice owns.
LADDER = ("viewer", "reviewer", "editor", "owner")
PASS = "pass"  # through the permission check: anything but 401, 403, 404 and 405


def _least(role: str) -> dict:
    """The role ladder of apps/accounts/permissions.py: `role` and above pass, the rest 403."""
    return {r: PASS if LADDER.index(r) >= LADDER.index(role) else 403 for r in LADDER}


def _only(passing: set, hidden: set = frozenset()) -> dict:
    """A rule that is not a ladder: the roles in `passing` pass, those in `hidden` get 404 (the
    object is hidden from them), every other role 403."""
    return {r: PASS if r in passing else 404 if r in hidden else 403 for r in LADDER}


VIEWER, REVIEWER, EDITOR, OWNER = (_least(role) for role in LADDER)
NOT_ALLOWED = dict.fromkeys(LADDER, 405)  # the route answers POST only
# can_review_document: reviewers, editors and owners, never the document's author (alice).
SCORER = _only({"reviewer", "editor"})
# can_waive_finding for an error (the world's waiver): reviewers and owners, not editors.
WAIVE_ERROR = _only({"reviewer", "owner"})
# is_document_owner: its author or a team owner; alice is both.
DOCUMENT_OWNER = _only({"owner"})
# can_resolve_thread: the thread's author (bob opened it) or the document owner.
THREAD_RESOLVER = _only({"reviewer", "owner"})
# can_change_comment: only the comment's author (bob wrote it); not even the team's owner.
COMMENT_AUTHOR = _only({"reviewer"})
# The world's interview practice: alice started it (its candidate) and invited bob.
INTERVIEW_HOST = _only({"owner"})  # can_invite_interviewer: the candidate or document owner
DRIVER = _only({"reviewer", "owner"})  # can_drive_interview: the candidate and the interviewer
INTERVIEWER = _only({"reviewer"})  # is_interviewer: the notes are the interviewer's alone
# The world's course is taught in the team: owners are its instructors, editors its students
# (eddie wrote the world's submission); reviewers and viewers follow it.
INSTRUCTOR = OWNER  # can_teach_course
STUDENT = _only({"editor"})  # is_course_student: instructors do not start submissions
GRADEBOOK = _only({"editor", "owner"})  # instructors (every row) and students (their own)
# get_submission_for_user hides a submission from all but its student and the instructors.
SUBMISSION_READER = _only({"editor", "owner"}, hidden={"viewer", "reviewer"})
SUBMISSION_STUDENT = _only({"editor"}, hidden={"viewer", "reviewer"})  # can_submit_submission
GRADER = _only({"owner"}, hidden={"viewer", "reviewer"})  # can_grade_submission, never its student
# The recipient of a notification is the only one who may open it; for anyone else it is a 404.
RECIPIENT = _only({"owner"}, hidden={"viewer", "reviewer", "editor"})


def post_only(need: dict) -> dict:
    """A function view decorated with require_POST: GET is 405 for everyone."""
    return {"get": NOT_ALLOWED, "post": need}


# One entry per OBJECT or OWN route of ROUTES: the expectation for every method the matrix asks
# (a role table above), or {method: expectation}. Derived from apps/accounts/permissions.py,
# each app's README and the design's ARCHITECTURE.md, never from the answers observed.
ROLE_NEEDED = {
    "accounts:team_detail": VIEWER,
    "accounts:member_add": post_only(OWNER),
    "accounts:member_role": post_only(OWNER),
    "accounts:member_remove": post_only(OWNER),
    "documents:detail": VIEWER,
    "documents:edit": EDITOR,
    "documents:archive": post_only(EDITOR),
    "documents:restore": post_only(EDITOR),
    "documents:section_edit": EDITOR,
    "documents:history": VIEWER,
    "documents:section_history": VIEWER,
    "documents:revision_compare": VIEWER,
    "documents:revision_restore": post_only(EDITOR),
    "documents:section_preview": post_only(EDITOR),
    "notifications:open": RECIPIENT,
    "courses:detail": VIEWER,
    "courses:student_add": post_only(INSTRUCTOR),
    "courses:assignment_new": INSTRUCTOR,
    "courses:assignment": VIEWER,
    "courses:assignment_edit": INSTRUCTOR,
    "courses:submission_start": post_only(STUDENT),
    "courses:gradebook": GRADEBOOK,
    "courses:gradebook_csv": GRADEBOOK,
    "courses:submission": SUBMISSION_READER,
    "courses:submission_submit": post_only(SUBMISSION_STUDENT),
    "courses:submission_withdraw": post_only(SUBMISSION_STUDENT),
    "courses:submission_grade": post_only(GRADER),
    "interviews:practice": VIEWER,
    "interviews:summary": VIEWER,
    "interviews:invite": INTERVIEW_HOST,
    "interviews:note": post_only(INTERVIEWER),
    "interviews:control": post_only(DRIVER),  # asked with action "next"
    "checklists:panel": VIEWER,
    # Editors and reviewers waive warnings, reviewers and owners errors: viewers never.
    "checklists:waiver_add": post_only(REVIEWER),
    "checklists:waiver_remove": post_only(WAIVE_ERROR),
    "reviews:thread_new": VIEWER,  # every member comments (blocking concerns: reviewers up)
    "reviews:thread_reply": post_only(VIEWER),
    "reviews:thread_resolve": THREAD_RESOLVER,
    "reviews:thread_reopen": post_only(THREAD_RESOLVER),
    "reviews:comment_edit": COMMENT_AUTHOR,
    "reviews:comment_delete": post_only(COMMENT_AUTHOR),
    "reviews:request": EDITOR,
    "reviews:withdraw": post_only(EDITOR),
    # A decision of kind "comment" is open to every member (review_decide); approving and
    # requesting changes needs a review request, which the body names: tests/reviews.
    "reviews:decide": post_only(VIEWER),
    "reviews:audit": VIEWER,
    "reviews:scores": {"get": VIEWER, "post": SCORER},
    "reviews:versions": VIEWER,
    "reviews:version": VIEWER,
    "exports:create": post_only(VIEWER),
    "exports:job": VIEWER,
    "exports:status": VIEWER,
    "exports:download": VIEWER,
    "exports:share_create": post_only(DOCUMENT_OWNER),
    "exports:share_revoke": post_only(DOCUMENT_OWNER),
    "api:team-members": {"get": VIEWER, "post": OWNER},
    "api:team-member": OWNER,
    "api:document-exports": VIEWER,
    "api:export-detail": VIEWER,
    "api:export-download": VIEWER,
    "api:document-detail": {"get": VIEWER, "patch": EDITOR},
    "api:section-detail": {"get": VIEWER, "patch": EDITOR},
    "api:section-revisions": VIEWER,
    "api:section-revision-compare": VIEWER,
    "api:section-revision": VIEWER,
    "api:section-revision-restore": EDITOR,
    "api:document-revisions": VIEWER,
    "api:document-presence": VIEWER,  # a heartbeat; only editors are shown as editing
    "api:document-archive": EDITOR,
    "api:document-restore": EDITOR,
    "api:document-checklist": VIEWER,
    "api:document-waivers": REVIEWER,
    "api:document-waiver": WAIVE_ERROR,
    "api:document-threads": VIEWER,
    "api:document-thread": VIEWER,
    "api:document-thread-comments": VIEWER,
    "api:document-thread-resolve": THREAD_RESOLVER,
    "api:document-thread-reopen": THREAD_RESOLVER,
    "api:document-comment": COMMENT_AUTHOR,
    "api:document-reviews": VIEWER,  # POST as reviews:decide; action "request" needs an editor
    "api:document-review-request": EDITOR,
    "api:document-signoff": VIEWER,
    "api:document-version": VIEWER,
    "api:document-audit": VIEWER,
    "api:document-scores": {"get": VIEWER, "put": SCORER},
    "api:document-interview": VIEWER,
    # Already started by alice: starting again is a 400 for its drivers, a 403 for the rest.
    "api:document-interview-start": DRIVER,
    "api:document-interview-next": DRIVER,
    "api:document-interview-pause": DRIVER,
    "api:document-interview-resume": DRIVER,
    "api:document-interview-finish": DRIVER,
    "api:document-interview-interviewer": INTERVIEW_HOST,
    "api:document-interview-notes": INTERVIEWER,
    "api:document-interview-note": INTERVIEWER,
    "api:course-detail": {"get": VIEWER, "patch": INSTRUCTOR},
    "api:course-assignment-list": {"get": VIEWER, "post": INSTRUCTOR},
    "api:course-assignment-detail": {"get": VIEWER, "patch": INSTRUCTOR},
    "api:course-submission-list": {"get": VIEWER, "post": STUDENT},
    "api:course-grades": GRADEBOOK,
    "api:course-submission-detail": SUBMISSION_READER,
    "api:course-submission-submit": SUBMISSION_STUDENT,
    "api:course-submission-withdraw": SUBMISSION_STUDENT,
    "api:course-submission-grade": GRADER,
}


def routes() -> list[tuple[str, str, object]]:
    """(name, pattern, view) of every named route, admin's under one class."""
    found = []

    def walk(resolver, prefix="", namespace=""):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
                walk(entry, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern) and entry.name:
                found.append((namespace + entry.name, prefix + str(entry.pattern), entry))

    walk(get_resolver())
    return found


def test_every_route_has_an_expectation():
    names = {name for name, _, _ in routes() if not name.startswith("admin:")}
    assert names - set(ROUTES) == set(), "classify the new routes in ROUTES"
    assert set(ROUTES) - names == set(), "ROUTES names routes that no longer exist"


def test_the_matrix_asks_every_operation_of_the_api_schema():
    """The schema and the URLconf describe the same API: every documented operation is a
    route and method the matrix asks, and every API route and method the matrix asks is
    documented (a new endpoint cannot reach clients without an expectation here)."""
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    documented = {
        (path, method)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in METHODS
    }
    asked = set()
    for name, pattern, entry in routes():
        if name.startswith("api:"):
            path = re.sub(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)", r"{\1\2}", pattern)
            path = "/" + path.replace("^", "").replace("$", "")
            asked |= {(path, method) for method in _methods(entry)}
    assert documented - asked == set(), "documented operations that no route answers"
    assert asked - documented == set(), "API routes and methods the schema does not document"


def _needed(name: str, method: str) -> dict | None:
    need = ROLE_NEEDED.get(name)
    if need is not None and set(need) != set(LADDER):
        need = need.get(method)
    return need


def test_every_object_route_states_who_may_use_it():
    problems, object_routes = [], set()
    for name, _, entry in routes():
        if ROUTES.get(name) not in (OBJECT, OWN):
            continue
        object_routes.add(name)
        methods = _methods(entry)
        problems += [
            f"state who may {method.upper()} {name} in ROLE_NEEDED"
            for method in methods
            if _needed(name, method) is None
        ]
        need = ROLE_NEEDED.get(name, {})
        if set(need) != set(LADDER) and set(need) - set(methods):
            problems.append(f"ROLE_NEEDED[{name!r}] names a method the route does not answer")
    assert not problems, "\n".join(problems)
    assert set(ROLE_NEEDED) - object_routes == set(), "ROLE_NEEDED names routes without an object"


def _world(owner, reviewer, student, monkeypatch) -> dict:
    """One team's objects of every kind a route names, owned by `owner`; `reviewer` and
    `student` (an editor) are members of the team."""
    monkeypatch.setattr("apps.exports.tasks.export_render_task.delay", lambda job_id: None)
    team = owner.memberships.get().team
    design = DesignTemplate.objects.get(key="ml_system_design", is_latest=True)
    practice = DesignTemplate.objects.get(key="interview_45", is_latest=True)
    doc = document_create(team=team, template=design, title="Doc", created_by=owner)
    problem = doc.sections.select_related("spec", "document").get(key="problem")
    section_save(section=problem, body_md="Why we build it.", author=owner)
    interview = document_create(team=team, template=practice, title="Mock", created_by=owner)
    interview_start(document=interview, user=owner)
    interviewer_invite(document=interview, user=owner, username=reviewer.username)
    thread = thread_open(document=doc, author=reviewer, section_key="problem", body_md="Why?")
    (request,) = review_request(document=doc, requested_by=owner, usernames=[reviewer.username])
    finding = doc.checklist_results.latest("computed_at").findings[0]
    waiver = waiver_create(
        document=doc,
        user=owner,
        rule_id=finding["rule_id"],
        section=finding["section"],
        reason="Covered in the appendix.",
    )
    job = exports.export_request(document=doc, user=owner, format="pdf")
    job.file.save("doc.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    job.status = ExportJob.Status.DONE
    job.save(update_fields=["file", "status"])
    signed = make_document(team, owner, template=make_template(f"signed-{owner}"), title="Signed")
    for section in signed.sections.select_related("spec", "document"):
        section_save(section=section, body_md=f"What {section.key} says.", author=owner)
    review_request(document=signed, requested_by=owner, usernames=[reviewer.username])
    sections = list(document_sections(signed))
    seen = covered_hash(sections, [section.key for section in sections])
    review_decide(document=signed, reviewer=reviewer, kind="approve", content_hash=seen)
    version = signed.signed_versions.get()
    link = exports.share_link_create(document=signed, user=owner, version=version, kind="page")
    (notification,) = notify(
        recipients=[owner], kind="mention", actor=reviewer, text="Look", url="/", document=doc
    )
    # The course is taught in the team itself, so every role of the team has a part in it.
    course = courses.course_create(title="MLSD", instructor=owner, team=team)
    assignment = courses.assignment_create(
        course=course,
        by=owner,
        kind="homework",
        section_key="hw1_intro",
        due_at=timezone.now() + datetime.timedelta(days=7),
    )
    submission = courses.submission_start(assignment=assignment, student=student)
    return {
        "team_id": team.pk,
        "username": reviewer.username,
        "doc_id": doc.pk,
        "interview_id": interview.pk,
        "signed_id": signed.pk,
        "key": "problem",
        "block": "clarify",
        "version": problem.revisions.latest("version").version,
        "number": version.number,
        "thread_id": thread.pk,
        "comment_id": thread.comments.first().pk,
        "request_id": request.pk,
        "waiver_id": waiver.pk,
        "job_id": job.pk,
        "link_id": link.pk,
        "notification_id": notification.pk,
        "course_id": course.pk,
        "assignment_id": assignment.pk,
        "submission_id": submission.pk,
        "action": "next",
    }


# Routes of a signed-off version and its share links: asked of the world's signed-off document.
SIGNED_ROUTES = {
    "reviews:version",
    "api:document-version",
    "exports:share_create",
    "exports:share_revoke",
}


def _kwargs(name: str, pattern: str, world: dict) -> dict:
    params = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", pattern)
    values = {}
    for a, b in params:
        param = a or b
        if param == "doc_id" and "interview" in name:
            values[param] = world["interview_id"]
        elif param == "doc_id" and name in SIGNED_ROUTES:
            values[param] = world["signed_id"]
        elif param == "version" and name in SIGNED_ROUTES:
            values[param] = world["number"]
        elif param == "key" and "interview" in name:
            values[param] = world["block"]
        elif param == "key" and "template" in name:
            values[param] = "ml_system_design"
        elif param == "slug":
            values[param] = "ctr-ads"
        elif param == "token":
            values[param] = "no-such-link"
        else:
            values[param] = world[param]
    return values


def _methods(entry) -> list[str]:
    view = getattr(entry.callback, "view_class", None) or getattr(entry.callback, "cls", None)
    if view is not None:
        return [m for m in METHODS if hasattr(view, m)]
    return ["get", "post"]


def _ask(user, method: str, url: str):
    """One request, in a savepoint rolled back after it: every request meets the same world."""
    with transaction.atomic():
        client = Client()
        if user is not None:
            client.force_login(user)
        data = {} if method in ("get", "delete") else "{}"
        kwargs = {} if method in ("get", "delete") else {"content_type": "application/json"}
        if method == "post" and not url.startswith("/api/"):
            data, kwargs = {}, {}
        response = getattr(client, method)(url, data, **kwargs)
        transaction.set_rollback(True)
    return response


def _anonymous_is_turned_away(response, url: str) -> bool:
    if url.startswith("/api/"):
        return response.status_code in (401, 405)
    if response.status_code == 302:
        return response["Location"].startswith(reverse("accounts:login"))
    return response.status_code == 405


def _role_problem(name: str, method: str, role: str, status: int) -> str | None:
    """What is wrong with `status` for a member of `role`, or None."""
    need = _needed(name, method)
    if need is None:
        return f"state who may {method.upper()} {name} in ROLE_NEEDED"
    expected = need[role]
    ok = status not in (401, 403, 404, 405) if expected == PASS else status == expected
    return None if ok else f"{status}, ROLE_NEEDED says {expected}"


def test_every_route_keeps_teams_apart_and_never_fails(monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    templates_load_all()
    example = EXAMPLES_DIR / "ctr-ads.md"
    (tmp_path / example.name).write_text(example.read_text(encoding="utf-8"), encoding="utf-8")
    examples_load(directory=tmp_path)
    alice, bob, eddie, victor = (make_user(n) for n in ("alice", "bob", "eddie", "victor"))
    carol, barry, sue = (make_user(n) for n in ("carol", "barry", "sue"))
    team_a = team_create(name="Ads ranking", owner=alice)
    for user, role in ((bob, "reviewer"), (eddie, "editor"), (victor, "viewer")):
        add_member(team_a, user, role)
    team_b = team_create(name="Search quality", owner=carol)
    add_member(team_b, barry, "reviewer")
    add_member(team_b, sue, "editor")
    ours = _world(alice, bob, eddie, monkeypatch)
    theirs = _world(carol, barry, sue, monkeypatch)
    role_of = {victor: "viewer", bob: "reviewer", eddie: "editor", alice: "owner"}

    problems = []
    for name, pattern, entry in routes():
        if name.startswith("admin:"):
            continue
        kind = ROUTES[name]
        url = reverse(name, kwargs=_kwargs(name, pattern, ours))
        foreign = reverse(name, kwargs=_kwargs(name, pattern, theirs))
        for method in _methods(entry):
            asks = [(AnonymousUser(), url), (carol, url), (alice, foreign)]
            asks += [(member, url) for member in role_of]
            for user, target in asks:
                response = _ask(None if user.is_anonymous else user, method, target)
                status = response.status_code
                who = f"{method.upper()} {name} as {user}"
                if status >= 500:
                    problems.append(f"{who}: {status}")
                elif user.is_anonymous and kind != PUBLIC:
                    if not _anonymous_is_turned_away(response, target):
                        problems.append(f"{who}: {status}, not turned away")
                elif kind in (OBJECT, OWN) and (user == carol or target == foreign):
                    if status not in (404, 405):
                        problems.append(f"{who}: {status} for another team")
                elif kind in (OBJECT, OWN):
                    # Inside the team: exactly what ROLE_NEEDED states. This also proves the
                    # 404s above are about teams, not bad URLs: no member is refused with a
                    # 404 the table does not state.
                    problem = _role_problem(name, method, role_of[user], status)
                    if problem:
                        problems.append(f"{who} ({role_of[user]}): {problem}")
    assert not problems, "\n".join(problems)
