"""REST API of exports (mounted under /api/v1/): ask for a file, watch the job, download it;
import a Markdown document."""

from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import (
    Need,
    get_document_for_user,
    get_export_for_user,
    get_team_for_user,
)
from apps.exports import services, views
from apps.exports.models import ExportJob
from apps.reviews.selectors import signed_version_get


class ExportJobOutput(serializers.ModelSerializer):
    document = serializers.UUIDField(source="document_id")
    version = serializers.IntegerField(source="version.number", allow_null=True, default=None)
    requested_by = serializers.CharField(
        source="requested_by.username", allow_null=True, default=None
    )
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id", "document", "version", "format", "paper", "status", "content_hash", "error",
            "attempts", "requested_by", "created_at", "started_at", "finished_at", "render_ms",
            "download_url",
        ]  # fmt: skip
        read_only_fields = fields

    def get_download_url(self, job) -> str | None:
        if job.status != ExportJob.Status.DONE:
            return None
        return reverse("api:export-download", args=[job.pk])


class ExportInput(serializers.Serializer):
    format = serializers.ChoiceField(choices=ExportJob.Format.values)
    paper = serializers.ChoiceField(choices=ExportJob.Paper.values, default=ExportJob.Paper.A4)
    version = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, required=False, help_text="A signed-off version."
    )


class DocumentExportApi(APIView):
    @extend_schema(request=ExportInput, responses={202: ExportJobOutput})
    def post(self, request, doc_id):
        """Ask for a PDF or Markdown file of the draft or of a signed-off version. The same
        content answers with the same job (and its file, once done)."""
        document = get_document_for_user(request.user, doc_id, need=Need.VIEW)
        data = ExportInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        version = signed_version_get(document, values["version"]) if "version" in values else None
        job = services.export_request(
            document=document,
            user=request.user,
            format=values["format"],
            paper=values["paper"],
            version=version,
        )
        return Response(ExportJobOutput(job).data, status=status.HTTP_202_ACCEPTED)


class ExportJobApi(APIView):
    @extend_schema(responses=ExportJobOutput)
    def get(self, request, job_id):
        """An export job: poll it until `status` is done (then `download_url`) or failed."""
        return Response(ExportJobOutput(get_export_for_user(request.user, job_id)).data)


class ExportDownloadApi(APIView):
    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: None})
    def get(self, request, job_id):
        """The file of a finished export (PDF or Markdown)."""
        return views.file_response(get_export_for_user(request.user, job_id))


class ImportInput(serializers.Serializer):
    team = serializers.UUIDField()
    markdown = serializers.CharField(
        max_length=services.IMPORT_MAX_BYTES, trim_whitespace=False, help_text="The file's text."
    )
    template = serializers.CharField(max_length=64, required=False, allow_blank=True)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)


class ImportOutput(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    url = serializers.CharField()


class DocumentImportApi(APIView):
    @extend_schema(
        request=ImportInput,
        responses={201: ImportOutput, 400: OpenApiResponse(description="The file's problems.")},
    )
    def post(self, request):
        """Create a document from Markdown (the export format, or plain Markdown whose `## `
        headings are the template's section titles)."""
        data = ImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        team = get_team_for_user(request.user, values["team"], need=Need.EDIT)
        document = services.document_import(
            team=team,
            user=request.user,
            text=values["markdown"],
            template_key=values.get("template", ""),
            title=values.get("title", ""),
        )
        url = reverse("api:document-detail", args=[document.pk])
        return Response(
            {"id": document.pk, "title": document.title, "url": url},
            status=status.HTTP_201_CREATED,
        )


urlpatterns = [
    path("documents/import/", DocumentImportApi.as_view(), name="document-import"),
    path("documents/<uuid:doc_id>/exports/", DocumentExportApi.as_view(), name="document-exports"),
    path("exports/<uuid:job_id>/", ExportJobApi.as_view(), name="export-detail"),
    path("exports/<uuid:job_id>/download/", ExportDownloadApi.as_view(), name="export-download"),
]
