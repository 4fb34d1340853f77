"""REST API of the documents app (mounted under /api/v1/): documents and their sections.

Every view fetches and authorizes through `apps.accounts.permissions` (another team's document
is a 404, a role that may not act is a 403) and writes through `apps.documents.services`.
"""

import re
from dataclasses import asdict

from django.conf import settings
from django.http import Http404
from django.urls import path, reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import Team
from apps.accounts.permissions import (
    Need,
    can_edit_document,
    get_document_for_user,
    get_team_for_user,
)
from apps.documents import diff, fields, selectors, services
from apps.documents.models import (
    SUMMARY_MAX_CHARS,
    TITLE_MAX_CHARS,
    Document,
    Revision,
    Section,
)
from apps.templates_catalog.models import DesignTemplate
from apps.templates_catalog.selectors import template_get
from mlsd_portal.api import Pagination

# A version is a PositiveIntegerField; bounding it keeps odd input from overflowing the database.
_MAX_VERSION = 2**31 - 1
# Structured fields are a few levels deep; the service walks them recursively, so a body that
# parses but nests hundreds of levels must stop here as a 400 rather than exhaust the stack.
# "3", W/"3" or a bare 3; ASCII digits only (str.isdigit() also accepts "²", which int() refuses).
_VERSION_ETAG = re.compile(r'(?:W/)?"([0-9]+)"|([0-9]+)')


class TeamRefOutput(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name"]
        read_only_fields = fields


class TemplateRefOutput(serializers.ModelSerializer):
    class Meta:
        model = DesignTemplate
        fields = ["key", "version", "title"]
        read_only_fields = fields


class SectionOutput(serializers.ModelSerializer):
    title = serializers.CharField(source="spec.title", read_only=True)
    updated_by = serializers.CharField(
        source="updated_by.username", read_only=True, allow_null=True, help_text="A username."
    )
    completeness = serializers.SerializerMethodField()

    class Meta:
        model = Section
        fields = [
            "key",
            "title",
            "position",
            "version",
            "body_md",
            "body_html",
            "data",
            "completeness",
            "updated_at",
            "updated_by",
        ]
        read_only_fields = fields

    @extend_schema_field(
        inline_serializer(
            name="Completeness",
            fields={"filled": serializers.IntegerField(), "total": serializers.IntegerField()},
        )
    )
    def get_completeness(self, section: Section) -> dict:
        filled, total = fields.completeness(section.spec, section.data)
        return {"filled": filled, "total": total}


class SectionDetailOutput(SectionOutput):
    required = serializers.BooleanField(source="spec.required", read_only=True)
    purpose = serializers.CharField(source="spec.purpose", read_only=True)
    required_fields = serializers.ListField(
        source="spec.required_fields", child=serializers.CharField(), read_only=True
    )
    field_schema = serializers.JSONField(source="spec.field_schema", read_only=True)

    class Meta(SectionOutput.Meta):
        fields = [
            *SectionOutput.Meta.fields,
            "required",
            "purpose",
            "required_fields",
            "field_schema",
        ]
        read_only_fields = fields


class DocumentOutput(serializers.ModelSerializer):
    team = TeamRefOutput(read_only=True)
    template = TemplateRefOutput(read_only=True)
    created_by = serializers.CharField(
        source="created_by.username", read_only=True, help_text="A username."
    )
    archived = serializers.BooleanField(source="is_archived", read_only=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "title",
            "summary",
            "language",
            "status",
            "team",
            "template",
            "created_by",
            "created_at",
            "updated_at",
            "archived",
            "archived_at",
        ]
        read_only_fields = fields


class DocumentDetailOutput(DocumentOutput):
    """A document with its sections; the view passes them (one query) as `sections` context."""

    sections = serializers.SerializerMethodField()

    class Meta(DocumentOutput.Meta):
        fields = [*DocumentOutput.Meta.fields, "sections"]
        read_only_fields = fields

    @extend_schema_field(SectionOutput(many=True))
    def get_sections(self, document: Document) -> list:
        return SectionOutput(self.context["sections"], many=True).data


def _document_response(document: Document, *, status_code: int = status.HTTP_200_OK) -> Response:
    sections = selectors.document_sections(document)
    data = DocumentDetailOutput(document, context={"sections": sections}).data
    return Response(data, status=status_code)


def _etag(section: Section) -> dict[str, str]:
    return {"ETag": f'"{section.version}"'}


def _not_modified(request, section: Section) -> bool:
    """If-None-Match names the section's current version (weak comparison) or is `*`."""
    header = request.headers.get("If-None-Match", "")
    tags = (tag.strip().removeprefix("W/").strip('"') for tag in header.split(","))
    return any(tag in ("*", str(section.version)) for tag in tags)


def _section_response(section: Section) -> Response:
    return Response(SectionDetailOutput(section).data, headers=_etag(section))


class DocumentListCreateApi(APIView):
    """Documents across the user's teams (paginated and filtered); editors start new ones."""

    pagination_class = Pagination

    @extend_schema_serializer(component_name="DocumentFilter")
    class FilterSerializer(serializers.Serializer):
        team = serializers.UUIDField(required=False, help_text="Only this team's documents.")
        status = serializers.ChoiceField(choices=Document.Status.choices, required=False)
        template = serializers.SlugField(
            required=False, max_length=64, help_text="Only documents from this template key."
        )
        q = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=200,
            help_text="Every word must appear in the title, summary or a section.",
        )
        archived = serializers.BooleanField(
            required=False, default=False, help_text="Archived documents instead of active ones."
        )

    @extend_schema_serializer(component_name="DocumentCreateInput")
    class InputSerializer(serializers.Serializer):
        team = serializers.UUIDField()
        template = serializers.SlugField(max_length=64, help_text="A design template key.")
        title = serializers.CharField(max_length=TITLE_MAX_CHARS)
        summary = serializers.CharField(
            required=False, allow_blank=True, max_length=SUMMARY_MAX_CHARS
        )
        language = serializers.ChoiceField(
            required=False,
            choices=settings.LANGUAGES,
            help_text="The document's language; default: the request's.",
        )

    @extend_schema(
        operation_id="documents_list",
        parameters=[FilterSerializer],
        responses=DocumentOutput(many=True),
    )
    def get(self, request):
        """Documents of my teams, newest change first; archived ones with `archived=true`."""
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        values = filters.validated_data
        documents = selectors.document_list_for_user(
            request.user,
            team_id=values.get("team"),
            status=values.get("status"),
            template_key=values.get("template"),
            query=values.get("q"),
            archived=values["archived"],
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(documents, request, view=self)
        return paginator.get_paginated_response(DocumentOutput(page, many=True).data)

    @extend_schema(
        operation_id="documents_create",
        request=InputSerializer,
        responses={201: DocumentDetailOutput},
    )
    def post(self, request):
        """Start a document from the newest version of a template (editors and owners)."""
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        # Body fields answer 400, not 404: a team the user is not in "does not exist" for them.
        try:
            team = get_team_for_user(request.user, values["team"], need=Need.EDIT)
        except Http404:
            raise serializers.ValidationError({"team": [_("No such team.")]}) from None
        try:
            template = template_get(values["template"])
        except Http404:
            raise serializers.ValidationError(
                {"template": [_("No design template with this key.")]}
            ) from None
        document = services.document_create(
            team=team,
            template=template,
            title=values["title"],
            summary=values.get("summary", ""),
            language=values.get("language", ""),
            created_by=request.user,
        )
        response = _document_response(document, status_code=status.HTTP_201_CREATED)
        response["Location"] = reverse("api:document-detail", args=[document.pk])
        return response


class DocumentDetailApi(APIView):
    """One document with its sections; editors and owners change its title and summary."""

    @extend_schema_serializer(component_name="DocumentUpdateInput")
    class InputSerializer(serializers.Serializer):
        title = serializers.CharField(required=False, max_length=TITLE_MAX_CHARS)
        summary = serializers.CharField(
            required=False, allow_blank=True, max_length=SUMMARY_MAX_CHARS
        )
        language = serializers.ChoiceField(required=False, choices=settings.LANGUAGES)

    @extend_schema(operation_id="documents_retrieve", responses=DocumentDetailOutput)
    def get(self, request, doc_id):
        """A document with all its sections."""
        document = get_document_for_user(request.user, doc_id, need=Need.VIEW)
        return _document_response(document)

    @extend_schema(
        operation_id="documents_update", request=InputSerializer, responses=DocumentDetailOutput
    )
    def patch(self, request, doc_id):
        """Change the title, summary and/or language (editors and owners)."""
        document = get_document_for_user(request.user, doc_id, need=Need.EDIT)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = services.document_update(document=document, **data.validated_data)
        return _document_response(document)


_SECTION_CONFLICT = inline_serializer(
    name="SectionConflict",
    fields={
        "detail": serializers.CharField(),
        "errors": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
        "current": SectionDetailOutput(),
    },
)
_IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description='The ETag of the version the edit started from, e.g. "3".',
)
_WRITE_RESPONSES = {
    200: SectionDetailOutput,
    412: OpenApiResponse(_SECTION_CONFLICT, description="The section changed meanwhile."),
    428: OpenApiResponse(description="If-Match is missing."),
}


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = _("Send If-Match with the ETag of the version you edited.")
    default_code = "precondition_required"


def _if_match(request) -> int:
    """The section version named by If-Match ("3", W/"3" or 3); 428 when missing."""
    raw = request.headers.get("If-Match", "").strip()
    if not raw:
        raise PreconditionRequired()
    match = _VERSION_ETAG.fullmatch(raw)
    version = int(match[1] or match[2]) if match else 0
    if not 1 <= version <= _MAX_VERSION:
        raise exceptions.ValidationError({"If-Match": [_('Expected a version ETag such as "3".')]})
    return version


def _stale_response(conflict: services.SectionConflict) -> Response:
    current = conflict.current
    return Response(
        {
            "detail": _("Someone saved this section since your version; nothing was changed."),
            "errors": {},
            "current": SectionDetailOutput(current).data,
        },
        status=status.HTTP_412_PRECONDITION_FAILED,
        headers={"ETag": f'"{current.version}"'},
    )


class SectionDetailApi(APIView):
    """One section of a document; editors and owners save its body and structured fields.

    Responses carry `ETag: "<version>"`; a save must send it back as `If-Match`. A stale one
    writes nothing and answers 412 with the current section under `current`.
    """

    @extend_schema_serializer(component_name="SectionSaveInput")
    class InputSerializer(serializers.Serializer):
        body_md = serializers.CharField(
            required=False, allow_blank=True, trim_whitespace=False, help_text="Markdown."
        )
        data = serializers.JSONField(
            required=False,
            help_text="Structured fields keyed by canonical group; replaces the current ones.",
        )

        def validate(self, attrs):
            if not attrs:
                raise serializers.ValidationError(_("Send body_md, data or both."))
            return attrs

    @extend_schema(operation_id="sections_retrieve", responses=SectionDetailOutput)
    def get(self, request, doc_id, key):
        """One section with its fields, schema and completeness; the ETag is its version."""
        document = get_document_for_user(request.user, doc_id, need=Need.VIEW)
        section = selectors.section_get(document, key)
        if _not_modified(request, section):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=_etag(section))
        return _section_response(section)

    @extend_schema(
        operation_id="sections_save",
        request=InputSerializer,
        parameters=[_IF_MATCH],
        responses=_WRITE_RESPONSES,
    )
    def patch(self, request, doc_id, key):
        """Save the body and/or fields (editors and owners); If-Match is required."""
        document = get_document_for_user(request.user, doc_id, need=Need.EDIT)
        section = selectors.section_get(document, key)
        base_version = _if_match(request)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = data.validated_data
        try:
            section = services.section_save(
                section=section,
                author=request.user,
                body_md=changes.get("body_md", section.body_md),
                data=changes.get("data"),
                base_version=base_version,
            )
        except services.SectionConflict as conflict:
            return _stale_response(conflict)
        return _section_response(section)


class RevisionOutput(serializers.ModelSerializer):
    section = serializers.CharField(source="section.key", read_only=True)
    section_title = serializers.CharField(source="section.spec.title", read_only=True)
    author = serializers.CharField(
        source="author.username", read_only=True, allow_null=True, help_text="A username."
    )

    class Meta:
        model = Revision
        fields = ["section", "section_title", "version", "author", "created_at"]
        read_only_fields = fields


class RevisionDetailOutput(RevisionOutput):
    class Meta(RevisionOutput.Meta):
        fields = [*RevisionOutput.Meta.fields, "body_md", "data"]
        read_only_fields = fields


class _RevisionListApi(APIView):
    pagination_class = Pagination

    def _page(self, request, revisions):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(revisions, request, view=self)
        return paginator.get_paginated_response(RevisionOutput(page, many=True).data)


class DocumentRevisionListApi(_RevisionListApi):
    """Every save of every section, newest first: the document's activity feed."""

    @extend_schema(operation_id="documents_revisions", responses=RevisionOutput(many=True))
    def get(self, request, doc_id):
        """Who changed which section when (members)."""
        document = get_document_for_user(request.user, doc_id, need=Need.VIEW)
        return self._page(request, selectors.document_revisions(document))


class SectionRevisionListApi(_RevisionListApi):
    """The revisions of one section, newest first."""

    @extend_schema(operation_id="sections_revisions", responses=RevisionOutput(many=True))
    def get(self, request, doc_id, key):
        """The section's history (members)."""
        document = get_document_for_user(request.user, doc_id, need=Need.VIEW)
        section = selectors.section_get(document, key)
        return self._page(request, selectors.section_revisions(section))


class SectionRevisionDetailApi(APIView):
    """One revision of a section, with its body and fields."""

    @extend_schema(operation_id="sections_revision", responses=RevisionDetailOutput)
    def get(self, request, doc_id, key, version):
        """A past version (members)."""
        document = get_document_for_user(request.user, doc_id, need=Need.VIEW)
        section = selectors.section_get(document, key)
        return Response(RevisionDetailOutput(selectors.section_revision_get(section, version)).data)


class DiffLineOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["same", "added", "removed"])
    text = serializers.CharField()
    old_no = serializers.IntegerField(allow_null=True, help_text="Line number in `from`.")
    new_no = serializers.IntegerField(allow_null=True, help_text="Line number in `to`.")


class FieldChangeOutput(serializers.Serializer):
    path = serializers.CharField(help_text="A dotted field path, e.g. metrics.items.0.kind.")
    kind = serializers.ChoiceField(choices=["added", "removed", "changed"])
    old = serializers.CharField()
    new = serializers.CharField()


class SectionRevisionCompareApi(APIView):
    """A readable diff between two revisions of a section: text lines and field paths."""

    class FilterSerializer(serializers.Serializer):
        # "from" is a keyword, hence the source mapping.
        from_ = serializers.IntegerField(min_value=1, max_value=_MAX_VERSION)
        to = serializers.IntegerField(min_value=1, max_value=_MAX_VERSION)

        def get_fields(self):
            fields = super().get_fields()
            fields["from"] = fields.pop("from_")
            return fields

    @extend_schema(
        operation_id="sections_revisions_compare",
        parameters=[
            OpenApiParameter("from", int, required=True),
            OpenApiParameter("to", int, required=True),
        ],
        responses=inline_serializer(
            name="RevisionCompare",
            fields={
                "from": serializers.IntegerField(),
                "to": serializers.IntegerField(),
                "text": serializers.ListField(
                    child=DiffLineOutput(allow_null=True),
                    help_text="Diff lines; null marks skipped unchanged lines.",
                ),
                "fields": FieldChangeOutput(many=True),
            },
        ),
    )
    def get(self, request, doc_id, key):
        """Compare revision `from` with revision `to` (members)."""
        document = get_document_for_user(request.user, doc_id, need=Need.VIEW)
        section = selectors.section_get(document, key)
        query = self.FilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        old = selectors.section_revision_get(section, query.validated_data["from"])
        new = selectors.section_revision_get(section, query.validated_data["to"])
        lines = diff.text_diff(old.body_md, new.body_md)
        return Response(
            {
                "from": old.version,
                "to": new.version,
                "text": [asdict(line) if line else None for line in lines],
                "fields": [asdict(change) for change in diff.fields_diff(old.data, new.data)],
            }
        )


class SectionRevisionRestoreApi(APIView):
    """Save an old revision as the section's new version."""

    @extend_schema(
        operation_id="sections_revision_restore",
        request=None,
        parameters=[_IF_MATCH],
        responses=_WRITE_RESPONSES,
    )
    def post(self, request, doc_id, key, version):
        """Restore revision `version` (editors and owners); If-Match is required."""
        document = get_document_for_user(request.user, doc_id, need=Need.EDIT)
        section = selectors.section_get(document, key)
        revision = selectors.section_revision_get(section, version)
        base_version = _if_match(request)
        revision.section = section
        try:
            section = services.revision_restore(
                revision=revision, author=request.user, base_version=base_version
            )
        except services.SectionConflict as conflict:
            return _stale_response(conflict)
        return _section_response(section)


class PresenceOtherOutput(serializers.Serializer):
    username = serializers.CharField(source="user.username")
    section = serializers.CharField(
        source="section_key", help_text="The section being edited; blank while reading."
    )
    last_seen = serializers.DateTimeField()


class PresenceSectionOutput(serializers.ModelSerializer):
    updated_by = serializers.CharField(
        source="updated_by.username", read_only=True, allow_null=True, help_text="A username."
    )

    class Meta:
        model = Section
        fields = ["key", "version", "updated_by", "updated_at"]
        read_only_fields = fields


class PresenceOutput(serializers.Serializer):
    others = PresenceOtherOutput(many=True, help_text="Everyone else seen in the last minute.")
    sections = PresenceSectionOutput(
        many=True, help_text="Every section's version, to notice saves by others."
    )


class DocumentPresenceApi(APIView):
    """Who else has the document open (and which section they edit), and section versions.

    The page sends a heartbeat about every 20 seconds; people unseen for a minute drop out.
    """

    @extend_schema_serializer(component_name="PresenceBeatInput")
    class InputSerializer(serializers.Serializer):
        section = serializers.SlugField(required=False, allow_blank=True, max_length=64)

    def _answer(self, request, document) -> Response:
        others = selectors.document_presence(document, exclude_user=request.user)
        sections = selectors.document_sections(document)
        return Response(PresenceOutput({"others": others, "sections": sections}).data)

    @extend_schema(operation_id="documents_presence", responses=PresenceOutput)
    def get(self, request, doc_id):
        """Who is here, without recording a heartbeat (members)."""
        document = get_document_for_user(request.user, doc_id, need=Need.VIEW)
        return self._answer(request, document)

    @extend_schema(
        operation_id="documents_presence_beat", request=InputSerializer, responses=PresenceOutput
    )
    def post(self, request, doc_id):
        """Record a heartbeat: reading, or editing `section` (only editors can be editing)."""
        document = get_document_for_user(request.user, doc_id, need=Need.VIEW)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        section_key = data.validated_data.get("section", "")
        if not can_edit_document(request.user, document):
            section_key = ""
        services.presence_beat(document=document, user=request.user, section_key=section_key)
        return self._answer(request, document)


class DocumentArchiveApi(APIView):
    """Hide a document from lists (nothing is deleted)."""

    @extend_schema(operation_id="documents_archive", request=None, responses=DocumentDetailOutput)
    def post(self, request, doc_id):
        """Archive the document (editors and owners); archiving twice is harmless."""
        document = get_document_for_user(request.user, doc_id, need=Need.EDIT)
        return _document_response(services.document_archive(document=document))


class DocumentRestoreApi(APIView):
    """Bring an archived document back."""

    @extend_schema(operation_id="documents_restore", request=None, responses=DocumentDetailOutput)
    def post(self, request, doc_id):
        """Restore the document (editors and owners); restoring twice is harmless."""
        document = get_document_for_user(request.user, doc_id, need=Need.EDIT)
        return _document_response(services.document_restore(document=document))


urlpatterns = [
    path("documents/", DocumentListCreateApi.as_view(), name="document-list"),
    path("documents/<uuid:doc_id>/", DocumentDetailApi.as_view(), name="document-detail"),
    path(
        "documents/<uuid:doc_id>/sections/<slug:key>/",
        SectionDetailApi.as_view(),
        name="section-detail",
    ),
    path(
        "documents/<uuid:doc_id>/sections/<slug:key>/revisions/",
        SectionRevisionListApi.as_view(),
        name="section-revisions",
    ),
    path(
        "documents/<uuid:doc_id>/sections/<slug:key>/revisions/compare/",
        SectionRevisionCompareApi.as_view(),
        name="section-revision-compare",
    ),
    path(
        "documents/<uuid:doc_id>/sections/<slug:key>/revisions/<int:version>/",
        SectionRevisionDetailApi.as_view(),
        name="section-revision",
    ),
    path(
        "documents/<uuid:doc_id>/sections/<slug:key>/revisions/<int:version>/restore/",
        SectionRevisionRestoreApi.as_view(),
        name="section-revision-restore",
    ),
    path(
        "documents/<uuid:doc_id>/revisions/",
        DocumentRevisionListApi.as_view(),
        name="document-revisions",
    ),
    path(
        "documents/<uuid:doc_id>/presence/", DocumentPresenceApi.as_view(), name="document-presence"
    ),
    path("documents/<uuid:doc_id>/archive/", DocumentArchiveApi.as_view(), name="document-archive"),
    path("documents/<uuid:doc_id>/restore/", DocumentRestoreApi.as_view(), name="document-restore"),
]
