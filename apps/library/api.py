"""REST API of the library (mounted under /api/v1/): browse, read and clone worked examples."""

from django.urls import path, reverse
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import Need, get_team_for_user
from apps.documents.models import TITLE_MAX_CHARS
from apps.library import selectors, services
from apps.library.models import Example
from mlsd_portal.api import Pagination


class ExampleOutput(serializers.ModelSerializer):
    template = serializers.CharField(source="template.key")
    error_count = serializers.IntegerField()
    warning_count = serializers.IntegerField()
    passed_count = serializers.IntegerField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Example
        fields = [
            "slug",
            "title",
            "summary",
            "template",
            "domain",
            "language",
            "task_type",
            "serving_mode",
            "error_count",
            "warning_count",
            "passed_count",
            "url",
        ]
        read_only_fields = fields

    def get_url(self, example: Example) -> str:
        return reverse("api:library-detail", args=[example.slug])


class ExampleSectionOutput(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField(source="spec.title")
    body_html = serializers.CharField(help_text="Sanitized HTML rendered when loaded.")
    data = serializers.JSONField(help_text="The section's fields by canonical group.")


class ExampleDetailOutput(ExampleOutput):
    markdown = serializers.CharField(source="source", help_text="The example's file.")
    findings = serializers.JSONField()
    sections = serializers.SerializerMethodField()

    class Meta(ExampleOutput.Meta):
        fields = [*ExampleOutput.Meta.fields, "findings", "sections", "markdown"]
        read_only_fields = fields

    @extend_schema_field(ExampleSectionOutput(many=True))
    def get_sections(self, example: Example) -> list[dict]:
        return ExampleSectionOutput(selectors.example_sections(example), many=True).data


class LibraryListApi(APIView):
    pagination_class = Pagination

    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=200,
            help_text="Words that must all appear.",
        )
        task_type = serializers.CharField(required=False, allow_blank=True, max_length=100)
        serving_mode = serializers.CharField(required=False, allow_blank=True, max_length=100)
        domain = serializers.CharField(required=False, allow_blank=True, max_length=100)
        template = serializers.CharField(
            required=False, allow_blank=True, max_length=100, help_text="A template key."
        )
        language = serializers.CharField(
            required=False, allow_blank=True, max_length=16, help_text="ru, zh-hans, en."
        )

    @extend_schema(
        operation_id="library_list",
        parameters=[FilterSerializer],
        responses=ExampleOutput(many=True),
    )
    def get(self, request):
        """Published worked examples, filtered and searched like the library page."""
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        values = filters.validated_data
        examples = selectors.example_list(
            query=values.get("q", ""),
            **{name: values.get(name, "") for name in selectors.FILTERS},
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(examples, request, view=self)
        return paginator.get_paginated_response(ExampleOutput(page, many=True).data)


class LibraryDetailApi(APIView):
    @extend_schema(operation_id="library_retrieve", responses=ExampleDetailOutput)
    def get(self, request, slug):
        """One example with its sections, fields, checklist findings and Markdown file."""
        return Response(ExampleDetailOutput(selectors.example_get(slug)).data)


class CloneInput(serializers.Serializer):
    team = serializers.UUIDField(help_text="A team where you are an editor or an owner.")
    title = serializers.CharField(required=False, allow_blank=True, max_length=TITLE_MAX_CHARS)


class CloneOutput(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    url = serializers.CharField()


class LibraryCloneApi(APIView):
    @extend_schema(
        operation_id="library_clone",
        request=CloneInput,
        responses={201: CloneOutput, 400: OpenApiResponse(description="Field errors.")},
    )
    def post(self, request, slug):
        """A new draft in your team, copied from the example."""
        example = selectors.example_get(slug)
        data = CloneInput(data=request.data)
        data.is_valid(raise_exception=True)
        team = get_team_for_user(request.user, data.validated_data["team"], need=Need.EDIT)
        document = services.example_clone(
            example=example,
            team=team,
            user=request.user,
            title=data.validated_data.get("title", ""),
        )
        payload = {
            "id": document.pk,
            "title": document.title,
            "url": reverse("api:document-detail", args=[document.pk]),
        }
        return Response(CloneOutput(payload).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("library/", LibraryListApi.as_view(), name="library-list"),
    path("library/<slug:slug>/", LibraryDetailApi.as_view(), name="library-detail"),
    path("library/<slug:slug>/clone/", LibraryCloneApi.as_view(), name="library-clone"),
]
