"""HTML pages of the review workflow. The document page shows threads and the review panel and
posts here; a refused post renders a small page with the form, its errors and what was typed."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.models import Membership
from apps.accounts.permissions import (
    Need,
    can_raise_blocking_concern,
    can_request_review,
    can_resolve_thread,
    can_review_document,
    document_readers,
    get_document_for_user,
    is_document_owner,
    role_allows,
)
from apps.documents import fragments
from apps.documents.models import Document
from apps.documents.selectors import document_sections
from apps.exports.forms import EXPORT_CHOICES
from apps.exports.models import ShareLink
from apps.exports.selectors import document_share_links
from apps.reviews import rubric, selectors, services
from apps.reviews.forms import (
    CommentEditForm,
    DecisionForm,
    ReplyForm,
    ResolveForm,
    ReviewRequestForm,
    ScorecardForm,
    ThreadForm,
    field_path_choices,
)
from apps.reviews.models import Thread, plain_text


def _detail(document, anchor: str = ""):
    return redirect(reverse("documents:detail", args=[document.pk]) + anchor)


def _apply_errors(form, exc: ValidationError) -> None:
    """Put a service's errors on the form fields they name (the rest on the form)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _form_page(request, document, form, *, heading, action, submit, status=200, **extra):
    """One page for every review form: shown on GET, and with its errors when a post fails."""
    if request.method == "POST":
        status = 400
    context = {
        "document": document,
        "form": form,
        "heading": heading,
        "action": action,
        "submit": submit,
        **extra,
    }
    return render(request, "reviews/form_page.html", context, status=status)


def thread_kinds(user, document) -> list[str]:
    """The thread types `user` may open on `document`."""
    kinds = [Thread.Kind.QUESTION, Thread.Kind.SUGGESTION, Thread.Kind.PRAISE]
    if can_raise_blocking_concern(user, document):
        kinds.insert(2, Thread.Kind.BLOCKING)
    return kinds


@login_required
def thread_new(request, doc_id):
    """Start a thread on a section; the section, a quote or a field come in the query string."""
    document = get_document_for_user(request.user, doc_id, need=Need.COMMENT)
    sections = list(document_sections(document))
    key = request.POST.get("section") or request.GET.get("section") or ""
    section = next((s for s in sections if s.key == key), sections[0] if sections else None)
    form_kwargs = {
        "sections": sections,
        "field_paths": field_path_choices(section) if section else [],
        "kinds": thread_kinds(request.user, document),
    }
    if request.method == "POST":
        form = ThreadForm(request.POST, **form_kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                thread = services.thread_open(
                    document=document,
                    author=request.user,
                    section_key=data["section"],
                    kind=data["kind"],
                    body_md=data["body"],
                    quote=data["quote"],
                    field_path=data["field_path"],
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                return _detail(document, f"#thread-{thread.pk}")
    else:
        form = ThreadForm(
            initial={
                "section": section.key if section else "",
                "quote": request.GET.get("quote", "")[:1000],
                "field_path": request.GET.get("field", ""),
                "kind": request.GET.get("kind", Thread.Kind.QUESTION),
            },
            **form_kwargs,
        )
    return _form_page(
        request,
        document,
        form,
        heading=_("New comment"),
        action=reverse("reviews:thread_new", args=[document.pk]),
        submit=_("Comment"),
    )


@require_POST
@login_required
def thread_reply(request, doc_id, thread_id):
    document = get_document_for_user(request.user, doc_id, need=Need.COMMENT)
    thread = selectors.thread_get(document, thread_id)
    thread.document = document
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.comment_add(
                thread=thread, author=request.user, body_md=form.cleaned_data["body"]
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            return _detail(document, f"#thread-{thread.pk}")
    return _form_page(
        request,
        document,
        form,
        heading=_("Reply"),
        action=reverse("reviews:thread_reply", args=[document.pk, thread.pk]),
        submit=_("Reply"),
        thread=thread,
    )


@login_required
def comment_edit(request, doc_id, comment_id):
    document = get_document_for_user(request.user, doc_id, need=Need.COMMENT)
    comment = selectors.comment_get(document, comment_id)
    comment.thread.document = document
    services.comment_edit_allowed(comment=comment, user=request.user)
    if comment.is_deleted:
        messages.error(request, _("This comment was deleted; it can no longer be edited."))
        return _detail(document, f"#thread-{comment.thread_id}")
    if request.method == "POST":
        form = CommentEditForm(request.POST)
        if form.is_valid():
            try:
                services.comment_edit(
                    comment=comment, user=request.user, body_md=form.cleaned_data["body"]
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                return _detail(document, f"#thread-{comment.thread_id}")
    else:
        form = CommentEditForm(initial={"body": comment.body_md})
    return _form_page(
        request,
        document,
        form,
        heading=_("Edit comment"),
        action=reverse("reviews:comment_edit", args=[document.pk, comment.pk]),
        submit=_("Save comment"),
        thread=comment.thread,
    )


@require_POST
@login_required
def comment_delete(request, doc_id, comment_id):
    document = get_document_for_user(request.user, doc_id, need=Need.COMMENT)
    comment = selectors.comment_get(document, comment_id)
    comment.thread.document = document
    services.comment_delete(comment=comment, user=request.user)
    messages.success(request, _("Comment deleted."))
    return _detail(document, f"#thread-{comment.thread_id}")


@login_required
def thread_resolve(request, doc_id, thread_id):
    """Resolve a thread; an owner resolving someone else's blocking concern gives a reason."""
    document = get_document_for_user(request.user, doc_id, need=Need.COMMENT)
    thread = selectors.thread_get(document, thread_id)
    thread.document = document
    services.thread_resolve_allowed(thread=thread, user=request.user)
    form = ResolveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.thread_resolve(
                thread=thread, user=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            return _detail(document, f"#thread-{thread.pk}")
    needs_reason = services.is_owner_override(request.user, thread)
    return _form_page(
        request,
        document,
        form,
        heading=_("Resolve a blocking concern") if needs_reason else _("Resolve thread"),
        intro=_(
            "Someone else raised this concern. Your reason is recorded in the audit log "
            "and shown on the thread."
        )
        if needs_reason
        else "",
        action=reverse("reviews:thread_resolve", args=[document.pk, thread.pk]),
        submit=_("Resolve"),
        thread=thread,
    )


@require_POST
@login_required
def thread_reopen(request, doc_id, thread_id):
    document = get_document_for_user(request.user, doc_id, need=Need.COMMENT)
    thread = selectors.thread_get(document, thread_id)
    thread.document = document
    try:
        services.thread_reopen(thread=thread, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _detail(document, f"#thread-{thread.pk}")


def review_candidates(document) -> list[Membership]:
    """Team members who may be asked to review: anyone who may read and review it, but not
    the author."""
    members = Membership.objects.filter(
        team=document.team_id, user__in=document_readers(document)
    ).select_related("user")
    return [
        m
        for m in members
        if role_allows(m.role, Need.REVIEW) and m.user_id != document.created_by_id
    ]


@login_required
def review_request(request, doc_id):
    """Ask teammates to review the whole document or named sections."""
    document = get_document_for_user(request.user, doc_id, need=Need.EDIT)
    sections = list(document_sections(document))
    form = ReviewRequestForm(
        request.POST if request.method == "POST" else None,
        candidates=review_candidates(document),
        sections=sections,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.review_request(
                document=document,
                requested_by=request.user,
                usernames=form.cleaned_data["reviewers"],
                section_keys=form.cleaned_data["sections"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Review requested. Reviewers were notified."))
            return _detail(document, "#review")
    return _form_page(
        request,
        document,
        form,
        heading=_("Request review"),
        intro=_(
            "Ask for the whole document, or tick the sections a reviewer owns (an "
            "experimentation reviewer for the A/B plan, say). The document is signed off when "
            "every section is approved by someone asked to review it."
        ),
        action=reverse("reviews:request", args=[document.pk]),
        submit=_("Request review"),
    )


@require_POST
@login_required
def review_withdraw(request, doc_id, request_id):
    document = get_document_for_user(request.user, doc_id, need=Need.EDIT)
    review = selectors.request_get(document, request_id)
    services.review_withdraw(request=review, user=request.user)
    messages.success(request, _("Review request withdrawn."))
    return _detail(document, "#review")


@require_POST
@login_required
def review_decide(request, doc_id):
    """Approve, request changes or comment on the review."""
    document = get_document_for_user(request.user, doc_id, need=Need.COMMENT)
    form = DecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.review_decide(
                document=document,
                reviewer=request.user,
                kind=data["decision"],
                body_md=data["body"],
                content_hash=data["content_hash"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Your review is recorded."))
            return _detail(document, "#review")
    return _form_page(
        request,
        document,
        form,
        heading=_("Your review"),
        action=reverse("reviews:decide", args=[document.pk]),
        submit=_("Submit review"),
    )


@login_required
def audit_log(request, doc_id):
    """Every review action and status change on the document, oldest first."""
    document = get_document_for_user(request.user, doc_id, need=Need.VIEW)
    labels = dict(Document.Status.choices)
    titles = {s.key: s.spec.local_title for s in document_sections(document)}
    kinds = dict(Thread.Kind.choices)
    events = list(selectors.document_audit(document))
    for event in events:
        detail = event.detail
        event.old_label = labels.get(detail.get("old"), "")
        event.new_label = labels.get(detail.get("new"), "")
        event.section_title = titles.get(detail.get("section"), detail.get("section", ""))
        event.section_titles = [titles.get(k, k) for k in detail.get("section_keys") or []]
        event.kind_label = kinds.get(detail.get("kind"), "")
    return render(request, "reviews/audit.html", {"document": document, "events": events})


@login_required
def signed_versions(request, doc_id):
    document = get_document_for_user(request.user, doc_id, need=Need.VIEW)
    versions = list(selectors.document_signed_versions(document))
    can_share = is_document_owner(request.user, document)
    if can_share:
        links: dict = {}
        for link in document_share_links(document):
            link.url = request.build_absolute_uri(reverse("exports:share", args=[link.token]))
            links.setdefault(link.version_id, []).append(link)
        for version in versions:
            version.links = links.get(version.pk, [])
    context = {
        "document": document,
        "versions": versions,
        "export_choices": EXPORT_CHOICES,
        "can_share": can_share,
        "share_kinds": ShareLink.Kind.choices,
    }
    return render(request, "reviews/versions.html", context)


@login_required
def signed_version(request, doc_id, number):
    """A signed-off version, exactly as it was approved."""
    document = get_document_for_user(request.user, doc_id, need=Need.VIEW)
    version = selectors.signed_version_display(
        document, selectors.signed_version_get(document, number)
    )
    return render(request, "reviews/version.html", {"document": document, "version": version})


def _thread_form_context(section, kind_choices) -> dict:
    section.field_choices = field_path_choices(section)
    return {"section": section, "thread_kind_choices": kind_choices}


def review_context(request, document, sections, checklist) -> dict:
    """What the document page shows of the review: sign-off state, the user's part in it,
    threads under their sections (a fixed number of queries)."""
    user = request.user
    threads = selectors.document_threads(document)
    state = selectors.signoff_state(document, sections, checklist=checklist, threads=threads)
    mine = next((s for s in state.requests if s.request.reviewer_id == user.pk), None)
    by_section: dict[int, list[Thread]] = {}
    by_pk = {s.pk: s for s in sections}
    texts: dict[int, str] = {}  # each section's text is extracted once, not once per thread
    for thread in threads:
        section = by_pk.get(thread.section_id)
        if section is not None and thread.quote and section.pk not in texts:
            texts[section.pk] = plain_text(section.body_html)
        thread.outdated = section is not None and thread.is_outdated(section, texts.get(section.pk))
        thread.can_resolve = can_resolve_thread(user, document, thread)
        by_section.setdefault(thread.section_id, []).append(thread)
    kinds = thread_kinds(user, document)
    kind_choices = [c for c in Thread.Kind.choices if c[0] in kinds]
    keys, forms = [], {}
    for section in sections:
        section.review_threads = by_section.get(section.pk, [])
        section.open_threads = sum(1 for t in section.review_threads if t.is_open)
        # The new-thread fields show the section's field titles (the template version's
        # translations) and the thread types the reader's role may open: nothing of their own.
        key = fragments.cache_key(
            "thread-form", section.spec_id, document.template.loaded_at.isoformat(), *kinds
        )
        keys.append(key)
        forms[key] = partial(_thread_form_context, section, kind_choices)
    html = fragments.render_many("reviews/_thread_form_fields.html", forms)
    for key, section in zip(keys, sections, strict=True):
        section.thread_form = html[key]
    return {
        "signoff": state,
        "my_request": mine,
        "decision_form": DecisionForm(initial={"content_hash": mine.covered_hash})
        if mine
        else None,
        "can_request_review": can_request_review(user, document),
        "open_thread_count": sum(1 for t in threads if t.is_open),
        "thread_count": len(threads),
    }


@login_required
def scores(request, doc_id):
    """The rubric (content spec §5): my scores with caps from the checklist, and everyone's."""
    document = get_document_for_user(request.user, doc_id, need=Need.VIEW)
    template_key = document.template.key
    criteria = rubric.criteria_for(template_key)
    can_score = bool(criteria) and can_review_document(request.user, document)
    findings = selectors.unwaived_findings(document)
    cards = selectors.document_scorecards(document)
    mine = next((c for c in cards if c.scorer_id == request.user.pk), None)
    if request.method == "POST":
        services.scorecard_allowed(document=document, scorer=request.user)
    status = 200
    form = None
    if can_score:
        if request.method == "POST":
            form = ScorecardForm(request.POST, criteria=criteria)
            if form.is_valid():
                try:
                    services.scorecard_save(
                        document=document, scorer=request.user, entries=form.entries()
                    )
                except ValidationError as exc:
                    if hasattr(exc, "error_dict"):
                        form.add_criterion_errors(exc.message_dict)
                    else:
                        form.add_error(None, exc.messages)
                else:
                    messages.success(request, _("Scores saved."))
                    return redirect("reviews:scores", document.pk)
            status = 400
        else:
            initial = ScorecardForm.initial_from(mine.entries) if mine else {}
            form = ScorecardForm(initial=initial, criteria=criteria)
    caps = rubric.caps_from_findings(template_key, findings)
    context = {
        "document": document,
        "criteria": criteria,
        "form": form,
        "caps": caps,
        "scale": rubric.scale(),
        "cards": cards,
        "mine": mine,
        "preview": selectors.scorecard_result(document, mine.entries, findings) if mine else None,
    }
    return render(request, "reviews/scores.html", context, status=status)
