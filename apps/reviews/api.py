"""REST API of the review workflow (mounted under /api/v1/documents/<id>/): threads and
comments, review requests and decisions, sign-off, signed versions, the audit log, scores.

Every view fetches the document through `get_document_for_user` (another team's document is a
404) and writes through `apps.reviews.services`, which decide who may do what.
"""

from django.db.models import Prefetch, prefetch_related_objects
from django.urls import path, reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import (
    Need,
    get_document_for_user,
)
from apps.reviews import rubric, selectors, services
from apps.reviews.models import (
    COMMENT_MAX_CHARS,
    FIELD_PATH_MAX_CHARS,
    QUOTE_MAX_CHARS,
    REASON_MAX_CHARS,
    AuditEvent,
    Comment,
    ReviewDecision,
    SignedVersion,
    Thread,
)
from mlsd_portal.api import Pagination

MAX_NAMES = 50


def _username(user) -> str | None:
    return user.username if user is not None else None


# --- output ---------------------------------------------------------------------------------


class CommentOutput(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username")
    body = serializers.CharField(source="body_md")
    deleted = serializers.BooleanField(source="is_deleted")

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "body_html", "created_at", "edited_at", "deleted"]
        read_only_fields = fields


class ThreadOutput(serializers.ModelSerializer):
    section = serializers.CharField(source="section.key")
    created_by = serializers.CharField(source="created_by.username")
    resolved_by = serializers.CharField(source="resolved_by.username", allow_null=True)
    outdated = serializers.SerializerMethodField()
    comments = CommentOutput(many=True)

    class Meta:
        model = Thread
        fields = [
            "id", "section", "kind", "status", "quote", "field_path", "outdated",
            "created_by", "created_at", "resolved_by", "resolved_at", "resolution_reason",
            "comments",
        ]  # fmt: skip
        read_only_fields = fields

    def get_outdated(self, thread) -> bool:
        return thread.is_outdated(thread.section)


class DecisionOutput(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.username")
    body = serializers.CharField(source="body_md")
    sections = serializers.SerializerMethodField()

    class Meta:
        model = ReviewDecision
        fields = ["id", "reviewer", "kind", "body", "body_html", "sections", "created_at"]
        read_only_fields = fields

    def get_sections(self, decision) -> list[str]:
        return list(decision.section_hashes)


class RequestStateOutput(serializers.Serializer):
    id = serializers.UUIDField(source="request.id")
    reviewer = serializers.CharField(source="request.reviewer.username")
    requested_by = serializers.CharField(source="request.requested_by.username")
    created_at = serializers.DateTimeField(source="request.created_at")
    whole_document = serializers.SerializerMethodField()
    sections = serializers.ListField(source="covered", child=serializers.CharField())
    status = serializers.ChoiceField(choices=[s.value for s in selectors.RequestStatus])
    changed = serializers.ListField(child=serializers.CharField())
    covered_hash = serializers.CharField(
        help_text="Send it back as `content_hash` to approve exactly this content."
    )
    decision = DecisionOutput(allow_null=True)

    def get_whole_document(self, state) -> bool:
        return not state.request.section_keys


class ReviewsOutput(serializers.Serializer):
    requests = RequestStateOutput(many=True)
    decisions = DecisionOutput(many=True)


class VersionRefOutput(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = SignedVersion
        fields = ["number", "name", "content_hash", "created_at", "url"]
        read_only_fields = fields

    def get_url(self, version) -> str:
        return reverse("api:document-version", args=[version.document_id, version.number])


class SignoffOutput(serializers.Serializer):
    status = serializers.CharField()
    signed_off = serializers.BooleanField(source="is_signed_off")
    blocking = serializers.ListField(child=serializers.CharField())
    requests = RequestStateOutput(many=True)
    open_blocking_threads = serializers.IntegerField()
    unwaived_errors = serializers.IntegerField()
    uncovered_sections = serializers.ListField(source="uncovered", child=serializers.CharField())
    content_hash = serializers.CharField()
    versions = VersionRefOutput(many=True)


class VersionSectionOutput(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    body_md = serializers.CharField(allow_blank=True)
    body_html = serializers.CharField(allow_blank=True)
    data = serializers.JSONField()
    content_hash = serializers.CharField()


class VersionOutput(serializers.ModelSerializer):
    sections = VersionSectionOutput(many=True)
    approvals = serializers.JSONField()

    class Meta:
        model = SignedVersion
        fields = [
            "number", "name", "content_hash", "created_at", "title", "summary", "sections",
            "approvals",
        ]  # fmt: skip
        read_only_fields = fields


class AuditOutput(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)

    class Meta:
        model = AuditEvent
        fields = ["actor", "action", "detail", "content_hash", "created_at"]
        read_only_fields = fields


class CriterionScoreOutput(serializers.Serializer):
    criterion = serializers.CharField(source="criterion.key")
    title = serializers.CharField(source="criterion.title")
    weight = serializers.IntegerField(source="criterion.weight")
    score = serializers.IntegerField(allow_null=True)
    cap = serializers.IntegerField(source="cap.limit", allow_null=True, default=None)
    capped_by = serializers.ListField(
        source="cap.because", child=serializers.CharField(), default=list
    )
    lifted = serializers.BooleanField()
    applied = serializers.IntegerField(allow_null=True)


class ScorecardOutput(serializers.Serializer):
    scorer = serializers.CharField(source="scorer.username")
    updated_at = serializers.DateTimeField()
    comments = serializers.SerializerMethodField()
    criteria = CriterionScoreOutput(source="result.criteria", many=True)
    total = serializers.FloatField(source="result.total")
    complete = serializers.BooleanField(source="result.complete")
    band = serializers.CharField(source="result.band")
    grade = serializers.FloatField(source="result.grade", allow_null=True)

    def get_comments(self, card) -> dict[str, str]:
        return {k: e.get("comment", "") for k, e in card.entries.items() if e.get("comment")}


# --- input ----------------------------------------------------------------------------------


class ThreadInput(serializers.Serializer):
    section = serializers.CharField(max_length=64)
    kind = serializers.ChoiceField(choices=Thread.Kind.values, default=Thread.Kind.QUESTION)
    body = serializers.CharField(max_length=COMMENT_MAX_CHARS, trim_whitespace=False)
    quote = serializers.CharField(max_length=QUOTE_MAX_CHARS, required=False, allow_blank=True)
    field_path = serializers.CharField(
        max_length=FIELD_PATH_MAX_CHARS, required=False, allow_blank=True
    )


class BodyInput(serializers.Serializer):
    body = serializers.CharField(max_length=COMMENT_MAX_CHARS, trim_whitespace=False)


class ResolveInput(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX_CHARS, required=False, allow_blank=True)


class ReviewActionInput(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=["request", "approve", "request_changes", "comment"],
        help_text="`request` asks reviewers; the others are your decision as a reviewer.",
    )
    reviewers = serializers.ListField(
        child=serializers.CharField(max_length=150), required=False, max_length=MAX_NAMES
    )
    sections = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, max_length=MAX_NAMES
    )
    body = serializers.CharField(
        max_length=COMMENT_MAX_CHARS, required=False, allow_blank=True, trim_whitespace=False
    )
    content_hash = serializers.CharField(max_length=64, required=False, allow_blank=True)


class ScoreEntryInput(serializers.Serializer):
    score = serializers.IntegerField(min_value=0, max_value=3, allow_null=True, required=False)
    comment = serializers.CharField(
        max_length=rubric.COMMENT_MAX_CHARS, required=False, allow_blank=True
    )
    lift_cap = serializers.BooleanField(required=False, default=False)


class ScorecardInput(serializers.Serializer):
    entries = serializers.DictField(child=ScoreEntryInput())


# --- views ----------------------------------------------------------------------------------


def _threads(document, status_filter: str | None = None) -> list[Thread]:
    threads = selectors.document_threads(document)
    if status_filter:
        threads = [t for t in threads if t.status == status_filter]
    return threads


def _thread(document, thread_id) -> Thread:
    """One thread with its comments and their authors (three queries, however many comments)."""
    thread = selectors.thread_get(document, thread_id)
    comments = Comment.objects.select_related("author").order_by("created_at")
    prefetch_related_objects([thread], "resolved_by", Prefetch("comments", queryset=comments))
    return thread


_STATUS = OpenApiParameter("status", str, enum=Thread.Status.values, required=False)


class ThreadListApi(APIView):
    @extend_schema(parameters=[_STATUS], responses=ThreadOutput(many=True))
    def get(self, request, doc_id):
        """Every comment thread of the document with its comments (`?status=open|resolved`)."""
        document = get_document_for_user(request.user, doc_id, need=Need.VIEW)
        wanted = request.query_params.get("status")
        if wanted and wanted not in Thread.Status.values:
            raise serializers.ValidationError({"status": [_("Use open or resolved.")]})
        return Response(ThreadOutput(_threads(document, wanted), many=True).data)

    @extend_schema(request=ThreadInput, responses={201: ThreadOutput})
    def post(self, request, doc_id):
        """Open a thread on a section (optionally on a quoted passage or a field)."""
        document = get_document_for_user(request.user, doc_id, need=Need.COMMENT)
        data = ThreadInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        thread = services.thread_open(
            document=document,
            author=request.user,
            section_key=values["section"],
            kind=values["kind"],
            body_md=values["body"],
            quote=values.get("quote", ""),
            field_path=values.get("field_path", ""),
        )
        return Response(
            ThreadOutput(_thread(document, thread.pk)).data, status=status.HTTP_201_CREATED
        )


class ThreadDetailApi(APIView):
    @extend_schema(responses=ThreadOutput)
    def get(self, request, doc_id, thread_id):
        """One thread with its comments."""
        document = get_document_for_user(request.user, doc_id, need=Need.VIEW)
        return Response(ThreadOutput(_thread(document, thread_id)).data)


def _thread_for(request, doc_id, thread_id) -> Thread:
    document = get_document_for_user(request.user, doc_id, need=Need.COMMENT)
    thread = selectors.thread_get(document, thread_id)
    thread.document = document
    return thread


class ThreadReplyApi(APIView):
    @extend_schema(request=BodyInput, responses={201: CommentOutput})
    def post(self, request, doc_id, thread_id):
        """Reply in a thread."""
        thread = _thread_for(request, doc_id, thread_id)
        data = BodyInput(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.comment_add(
            thread=thread, author=request.user, body_md=data.validated_data["body"]
        )
        return Response(CommentOutput(comment).data, status=status.HTTP_201_CREATED)


class ThreadResolveApi(APIView):
    @extend_schema(request=ResolveInput, responses=ThreadOutput)
    def post(self, request, doc_id, thread_id):
        """Resolve a thread; the owner resolving someone else's blocking concern gives a reason."""
        thread = _thread_for(request, doc_id, thread_id)
        data = ResolveInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.thread_resolve(
            thread=thread, user=request.user, reason=data.validated_data.get("reason", "")
        )
        return Response(ThreadOutput(_thread(thread.document, thread.pk)).data)


class ThreadReopenApi(APIView):
    @extend_schema(request=None, responses=ThreadOutput)
    def post(self, request, doc_id, thread_id):
        """Reopen a resolved thread."""
        thread = _thread_for(request, doc_id, thread_id)
        services.thread_reopen(thread=thread, user=request.user)
        return Response(ThreadOutput(_thread(thread.document, thread.pk)).data)


class CommentDetailApi(APIView):
    def _comment(self, request, doc_id, comment_id) -> Comment:
        document = get_document_for_user(request.user, doc_id, need=Need.COMMENT)
        comment = selectors.comment_get(document, comment_id)
        comment.thread.document = document
        return comment

    @extend_schema(request=BodyInput, responses=CommentOutput)
    def patch(self, request, doc_id, comment_id):
        """Edit your own comment."""
        comment = self._comment(request, doc_id, comment_id)
        services.comment_edit_allowed(comment=comment, user=request.user)
        data = BodyInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.comment_edit(
            comment=comment, user=request.user, body_md=data.validated_data["body"]
        )
        return Response(CommentOutput(comment).data)

    @extend_schema(responses={204: None})
    def delete(self, request, doc_id, comment_id):
        """Delete your own comment (the thread keeps a placeholder)."""
        comment = self._comment(request, doc_id, comment_id)
        services.comment_delete(comment=comment, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


_STALE = OpenApiResponse(
    inline_serializer(
        name="StaleApproval",
        fields={
            "detail": serializers.CharField(),
            "errors": serializers.DictField(
                child=serializers.ListField(child=serializers.CharField())
            ),
            "covered_hash": serializers.CharField(),
        },
    ),
    description="The covered sections changed since `content_hash`; `covered_hash` is current.",
)


class ReviewListApi(APIView):
    @extend_schema(responses=ReviewsOutput)
    def get(self, request, doc_id):
        """Review requests with where each stands, and every decision, oldest first."""
        document = get_document_for_user(request.user, doc_id, need=Need.VIEW)
        state = selectors.signoff_state(document)
        decisions = selectors.document_decisions(document).order_by("created_at")
        return Response(ReviewsOutput({"requests": state.requests, "decisions": decisions}).data)

    @extend_schema(
        request=ReviewActionInput,
        responses={201: ReviewsOutput, 409: _STALE},
        description=(
            '`{"action": "request", "reviewers": [...], "sections": [...]}` asks for a review '
            "(no sections: the whole document). `approve` needs the `content_hash` (the "
            "request's `covered_hash`) of what you read; `request_changes` needs a `body`; "
            "`comment` needs a `body`."
        ),
    )
    def post(self, request, doc_id):
        """Request a review, or approve, request changes or comment as a reviewer."""
        document = get_document_for_user(request.user, doc_id, need=Need.COMMENT)
        data = ReviewActionInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if values["action"] == "request":
            document = get_document_for_user(request.user, doc_id, need=Need.EDIT)
            services.review_request(
                document=document,
                requested_by=request.user,
                usernames=values.get("reviewers", []),
                section_keys=values.get("sections", []),
            )
        else:
            try:
                services.review_decide(
                    document=document,
                    reviewer=request.user,
                    kind=values["action"],
                    body_md=values.get("body", ""),
                    content_hash=values.get("content_hash", ""),
                )
            except services.StaleApproval as stale:
                return Response(
                    {
                        "detail": stale.messages[0],
                        "errors": {"content_hash": stale.messages},
                        "covered_hash": stale.covered_hash,
                    },
                    status=status.HTTP_409_CONFLICT,
                )
        state = selectors.signoff_state(document)
        decisions = selectors.document_decisions(document).order_by("created_at")
        return Response(
            ReviewsOutput({"requests": state.requests, "decisions": decisions}).data,
            status=status.HTTP_201_CREATED,
        )


class ReviewRequestDetailApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request, doc_id, request_id):
        """Withdraw a review request."""
        document = get_document_for_user(request.user, doc_id, need=Need.EDIT)
        review = selectors.request_get(document, request_id)
        services.review_withdraw(request=review, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SignoffApi(APIView):
    @extend_schema(responses=SignoffOutput)
    def get(self, request, doc_id):
        """The document's review status, every reason it is not signed off, its versions."""
        document = get_document_for_user(request.user, doc_id, need=Need.VIEW)
        state = selectors.signoff_state(document)
        state.versions = list(selectors.document_signed_versions(document))
        return Response(SignoffOutput(state).data)


class VersionDetailApi(APIView):
    @extend_schema(responses=VersionOutput)
    def get(self, request, doc_id, version):
        """A signed-off version (numbered per document), exactly as it was approved."""
        document = get_document_for_user(request.user, doc_id, need=Need.VIEW)
        return Response(VersionOutput(selectors.signed_version_get(document, version)).data)


class AuditListApi(APIView):
    @extend_schema(responses=AuditOutput(many=True))
    def get(self, request, doc_id):
        """Every review action and status change, oldest first (paginated)."""
        document = get_document_for_user(request.user, doc_id, need=Need.VIEW)
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.document_audit(document), request, self)
        return paginator.get_paginated_response(AuditOutput(page, many=True).data)


class ScorecardApi(APIView):
    @extend_schema(responses=ScorecardOutput(many=True))
    def get(self, request, doc_id):
        """Every reviewer's rubric scores with caps, total and verdict band."""
        document = get_document_for_user(request.user, doc_id, need=Need.VIEW)
        return Response(ScorecardOutput(selectors.document_scorecards(document), many=True).data)

    @extend_schema(request=ScorecardInput, responses=ScorecardOutput)
    def put(self, request, doc_id):
        """Save your scores: `{"entries": {criterion: {score, comment, lift_cap}}}`."""
        document = get_document_for_user(request.user, doc_id, need=Need.REVIEW)
        services.scorecard_allowed(document=document, scorer=request.user)
        data = ScorecardInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.scorecard_save(
            document=document, scorer=request.user, entries=data.validated_data["entries"]
        )
        card = next(
            c for c in selectors.document_scorecards(document) if c.scorer_id == request.user.pk
        )
        return Response(ScorecardOutput(card).data)


doc = "documents/<uuid:doc_id>/"
urlpatterns = [
    path(f"{doc}threads/", ThreadListApi.as_view(), name="document-threads"),
    path(f"{doc}threads/<uuid:thread_id>/", ThreadDetailApi.as_view(), name="document-thread"),
    path(
        f"{doc}threads/<uuid:thread_id>/comments/",
        ThreadReplyApi.as_view(),
        name="document-thread-comments",
    ),
    path(
        f"{doc}threads/<uuid:thread_id>/resolve/",
        ThreadResolveApi.as_view(),
        name="document-thread-resolve",
    ),
    path(
        f"{doc}threads/<uuid:thread_id>/reopen/",
        ThreadReopenApi.as_view(),
        name="document-thread-reopen",
    ),
    path(f"{doc}comments/<uuid:comment_id>/", CommentDetailApi.as_view(), name="document-comment"),
    path(f"{doc}reviews/", ReviewListApi.as_view(), name="document-reviews"),
    path(
        f"{doc}reviews/requests/<uuid:request_id>/",
        ReviewRequestDetailApi.as_view(),
        name="document-review-request",
    ),
    path(f"{doc}signoff/", SignoffApi.as_view(), name="document-signoff"),
    path(f"{doc}versions/<int:version>/", VersionDetailApi.as_view(), name="document-version"),
    path(f"{doc}audit/", AuditListApi.as_view(), name="document-audit"),
    path(f"{doc}scores/", ScorecardApi.as_view(), name="document-scores"),
]
