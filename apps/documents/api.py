"""REST API of the documents app (mounted under /api/v1/): documents and their sections.

Every view fetches and authorizes through `apps.accounts.permissions` (another team's document
is a 404, a role that may not act is a 403) and writes through `apps.documents.services`.
"""

from django.http import Http404
from django.urls import path, reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import Team
from apps.accounts.permissions import Need, get_document_for_user, get_team_for_user
from apps.documents import selectors, services
from apps.documents.models import SUMMARY_MAX_CHARS, TITLE_MAX_CHARS, Document, Section
from apps.templates_catalog.models import DesignTemplate
from apps.templates_catalog.selectors import template_get
from mlsd_portal.api import Pagination

# A version is a PositiveIntegerField; bounding it keeps odd input from overflowing the database.
_MAX_VERSION = 2**31 - 1


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
            "updated_at",
            "updated_by",
        ]
        read_only_fields = fields


class SectionDetailOutput(SectionOutput):
    required = serializers.BooleanField(source="spec.required", read_only=True)
    purpose = serializers.CharField(source="spec.purpose", read_only=True)

    class Meta(SectionOutput.Meta):
        fields = [*SectionOutput.Meta.fields, "required", "purpose"]
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


def _section_response(section: Section) -> Response:
    return Response(SectionDetailOutput(section).data, headers={"ETag": f'"{section.version}"'})


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

    @extend_schema(operation_id="documents_retrieve", responses=DocumentDetailOutput)
    def get(self, request, doc_id):
        """A document with all its sections."""
        document = get_document_for_user(request.user, doc_id, need=Need.VIEW)
        return _document_response(document)

    @extend_schema(
        operation_id="documents_update", request=InputSerializer, responses=DocumentDetailOutput
    )
    def patch(self, request, doc_id):
        """Change the title and/or summary (editors and owners)."""
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


class SectionDetailApi(APIView):
    """One section of a document; editors and owners save its Markdown body.

    Responses carry `ETag: "<version>"`. A save based on a stale `base_version` writes nothing
    and answers 409 with the current section under `current`.
    """

    @extend_schema_serializer(component_name="SectionSaveInput")
    class InputSerializer(serializers.Serializer):
        body_md = serializers.CharField(allow_blank=True, trim_whitespace=False)
        base_version = serializers.IntegerField(
            required=False,
            min_value=1,
            max_value=_MAX_VERSION,
            help_text="The version the edit started from; a stale one is a 409 conflict.",
        )

    @extend_schema(operation_id="sections_retrieve", responses=SectionDetailOutput)
    def get(self, request, doc_id, key):
        """One section, with its purpose; the ETag is its version."""
        document = get_document_for_user(request.user, doc_id, need=Need.VIEW)
        return _section_response(selectors.section_get(document, key))

    @extend_schema(
        operation_id="sections_save",
        request=InputSerializer,
        responses={
            200: SectionDetailOutput,
            409: OpenApiResponse(_SECTION_CONFLICT, description="The section changed meanwhile."),
        },
    )
    def patch(self, request, doc_id, key):
        """Save the Markdown body (editors and owners); 409 when `base_version` is stale."""
        document = get_document_for_user(request.user, doc_id, need=Need.EDIT)
        section = selectors.section_get(document, key)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            section = services.section_save(
                section=section, author=request.user, **data.validated_data
            )
        except services.SectionConflict as conflict:
            current = conflict.current
            return Response(
                {
                    "detail": _("Someone saved this section since you opened it."),
                    "errors": {"base_version": list(conflict.messages)},
                    "current": SectionDetailOutput(current).data,
                },
                status=status.HTTP_409_CONFLICT,
                headers={"ETag": f'"{current.version}"'},
            )
        return _section_response(section)


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
    path("documents/<uuid:doc_id>/archive/", DocumentArchiveApi.as_view(), name="document-archive"),
    path("documents/<uuid:doc_id>/restore/", DocumentRestoreApi.as_view(), name="document-restore"),
]
