"""REST API of the templates_catalog app (mounted under /api/v1/): read-only design templates."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.templates_catalog import selectors
from apps.templates_catalog.models import DesignTemplate, SectionSpec


class TemplateOutput(serializers.ModelSerializer):
    section_count = serializers.SerializerMethodField()

    class Meta:
        model = DesignTemplate
        fields = ["key", "version", "title", "description", "audience", "section_count"]
        read_only_fields = fields

    def get_section_count(self, template: DesignTemplate) -> int:
        # Counted from the prefetched sections: no query per template.
        return len(template.sections.all())


class SectionSpecOutput(serializers.ModelSerializer):
    field_schema = serializers.JSONField(help_text="The section's JSON Schema, in field order.")

    class Meta:
        model = SectionSpec
        fields = [
            "key",
            "title",
            "purpose",
            "guiding_questions",
            "required",
            "fields",
            "required_fields",
            "field_schema",
            "meta",
        ]
        read_only_fields = fields


class TemplateDetailOutput(TemplateOutput):
    sections = SectionSpecOutput(many=True, read_only=True)

    class Meta(TemplateOutput.Meta):
        fields = [*TemplateOutput.Meta.fields, "meta", "sections"]
        read_only_fields = fields


class TemplateListApi(APIView):
    """The newest version of every design template."""

    @extend_schema(operation_id="templates_list", responses=TemplateOutput(many=True))
    def get(self, request):
        """The newest version of every template, in gallery order."""
        return Response(TemplateOutput(selectors.template_list(), many=True).data)


class TemplateDetailApi(APIView):
    """The newest version of one template with its sections in order."""

    @extend_schema(operation_id="templates_retrieve", responses=TemplateDetailOutput)
    def get(self, request, key):
        """The newest version of template `key` with its sections."""
        return Response(TemplateDetailOutput(selectors.template_get(key)).data)


urlpatterns = [
    path("templates/", TemplateListApi.as_view(), name="template-list"),
    path("templates/<slug:key>/", TemplateDetailApi.as_view(), name="template-detail"),
]
