"""The route × role matrix: every route of the URLconf, asked by every role, on objects of the
asker's own team and of another team.

Each route is classified below; a route added without a class fails the first test, so a new
page or endpoint cannot ship without saying who may reach it. Then, for every route and the
methods it answers:
- anonymous visitors reach only the public routes (others: the login page, or 401 in the API);
- a signed-in user outside the object's team gets 404 (existence is not leaked), and so does
  the owner of another team asking for this team's objects;
- no role ever gets a server error.
"""

import datetime
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from apps.accounts.services import team_create
from apps.checklists.services import waiver_create
from apps.courses import services as courses
from apps.documents.services import document_create, section_save
from apps.exports import services as exports
from apps.interviews.services import interview_start
from apps.library.services import EXAMPLES_DIR, examples_load
from apps.notifications.services import notify
from apps.reviews.services import review_request, thread_open
from apps.templates_catalog.models import DesignTemplate
from apps.templates_catalog.services import templates_load_all
from tests.factories import add_member, make_user

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
# Object routes whose object the matrix's world does not create (a signed-off version, a share
# link): their owner gets 404 too.
UNREACHABLE = [
    "api:document-version",  # no signed-off version
    "reviews:version",
    "api:export-download",  # the export is queued: no file yet
    "exports:download",
]


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


def _world(owner, reviewer, student, monkeypatch) -> dict:
    """One team's objects of every kind a route names, owned by `owner`."""
    monkeypatch.setattr("apps.exports.tasks.export_render_task.delay", lambda job_id: None)
    team = owner.memberships.get().team
    design = DesignTemplate.objects.get(key="ml_system_design", is_latest=True)
    practice = DesignTemplate.objects.get(key="interview_45", is_latest=True)
    doc = document_create(team=team, template=design, title="Doc", created_by=owner)
    problem = doc.sections.select_related("spec", "document").get(key="problem")
    section_save(section=problem, body_md="Why we build it.", author=owner)
    interview = document_create(team=team, template=practice, title="Mock", created_by=owner)
    interview_start(document=interview, user=owner)
    thread = thread_open(document=doc, author=owner, section_key="problem", body_md="Why?")
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
    (notification,) = notify(
        recipients=[owner], kind="mention", actor=reviewer, text="Look", url="/", document=doc
    )
    course = courses.course_create(title="MLSD", instructor=owner)
    courses.course_student_add(course=course, by=owner, identifier=student.username)
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
        "key": "problem",
        "block": "clarify",
        "version": problem.revisions.latest("version").version,
        "number": 1,
        "thread_id": thread.pk,
        "comment_id": thread.comments.first().pk,
        "request_id": request.pk,
        "waiver_id": waiver.pk,
        "job_id": job.pk,
        "link_id": job.pk,  # no link exists: the route still must not tell teams apart
        "notification_id": notification.pk,
        "course_id": course.pk,
        "assignment_id": assignment.pk,
        "submission_id": submission.pk,
        "action": "next",
    }


def _kwargs(name: str, pattern: str, world: dict) -> dict:
    params = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", pattern)
    values = {}
    for a, b in params:
        param = a or b
        if param == "doc_id" and "interview" in name:
            values[param] = world["interview_id"]
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
    client = Client()
    if user is not None:
        client.force_login(user)
    data = {} if method in ("get", "delete") else "{}"
    kwargs = {} if method in ("get", "delete") else {"content_type": "application/json"}
    if method == "post" and not url.startswith("/api/"):
        data, kwargs = {}, {}
    return getattr(client, method)(url, data, **kwargs)


def _anonymous_is_turned_away(response, url: str) -> bool:
    if url.startswith("/api/"):
        return response.status_code in (401, 405)
    if response.status_code == 302:
        return response["Location"].startswith(reverse("accounts:login"))
    return response.status_code == 405


def test_every_route_keeps_teams_apart_and_never_fails(monkeypatch, tmp_path):
    templates_load_all()
    example = EXAMPLES_DIR / "ctr-ads.md"
    (tmp_path / example.name).write_text(example.read_text(encoding="utf-8"), encoding="utf-8")
    examples_load(directory=tmp_path)
    alice, bob, eddie, victor = (make_user(n) for n in ("alice", "bob", "eddie", "victor"))
    carol, barry, sam, sue = (make_user(n) for n in ("carol", "barry", "sam", "sue"))
    team_a = team_create(name="Ads ranking", owner=alice)
    for user, role in ((bob, "reviewer"), (eddie, "editor"), (victor, "viewer")):
        add_member(team_a, user, role)
    team_b = team_create(name="Search quality", owner=carol)
    add_member(team_b, barry, "reviewer")
    ours = _world(alice, bob, sam, monkeypatch)
    theirs = _world(carol, barry, sue, monkeypatch)
    members = [victor, bob, eddie, alice]

    problems, unreached = [], []
    for name, pattern, entry in routes():
        if name.startswith("admin:"):
            continue
        kind = ROUTES[name]
        url = reverse(name, kwargs=_kwargs(name, pattern, ours))
        foreign = reverse(name, kwargs=_kwargs(name, pattern, theirs))
        for method in _methods(entry):
            asks = [(AnonymousUser(), url), (carol, url), (alice, foreign)]
            asks += [(member, url) for member in members]
            for user, target in asks:
                response = _ask(None if user.is_anonymous else user, method, target)
                who = f"{method.upper()} {name} as {user}"
                owner_reading = user == alice and target == url and method == "get"
                if owner_reading and kind in (OBJECT, OWN) and response.status_code == 404:
                    unreached.append(name)
                if response.status_code >= 500:
                    problems.append(f"{who}: {response.status_code}")
                elif user.is_anonymous and kind != PUBLIC:
                    if not _anonymous_is_turned_away(response, target):
                        problems.append(f"{who}: {response.status_code}, not turned away")
                elif kind in (OBJECT, OWN) and (user == carol or target == foreign):
                    if response.status_code not in (404, 405):
                        problems.append(f"{who}: {response.status_code} for another team")
                elif kind == OWN and user != alice and response.status_code not in (404, 405):
                    problems.append(f"{who}: {response.status_code} for another's object")
    assert not problems, "\n".join(problems)
    # The owner reaches her own objects: the 404s above are about teams, not about bad URLs.
    assert sorted(set(unreached)) == sorted(UNREACHABLE), sorted(set(unreached))
