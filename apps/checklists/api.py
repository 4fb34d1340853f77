"""REST API of the checklists app (mounted under /api/v1/): a document's checklist, waivers."""

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import permissions, serializers, status, throttling
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import Need, get_document_for_user
from apps.checklists import ab, messages, selectors, services
from apps.checklists.models import WAIVER_REASON_MAX_CHARS, Waiver
from apps.documents.selectors import document_sections


class WaiverOutput(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = Waiver
        fields = ["id", "rule_id", "section", "severity", "reason", "created_by", "created_at"]
        read_only_fields = fields


class FindingOutput(serializers.Serializer):
    rule_id = serializers.CharField()
    severity = serializers.CharField()
    section = serializers.CharField()
    field_paths = serializers.ListField(child=serializers.CharField())
    message = serializers.CharField()
    source = serializers.CharField()
    waived = WaiverOutput(allow_null=True)


class RuleStatusOutput(serializers.Serializer):
    rule_id = serializers.CharField()
    severity = serializers.CharField()
    status = serializers.ChoiceField(choices=["passed", "failed", "not_applicable"])
    source = serializers.CharField()
    message = serializers.CharField()


class ChecklistOutput(serializers.Serializer):
    content_hash = serializers.CharField()
    computed_at = serializers.DateTimeField()
    counts = inline_serializer(
        name="ChecklistCounts",
        fields={
            "error": serializers.IntegerField(),
            "warning": serializers.IntegerField(),
            "info": serializers.IntegerField(),
            "unwaived_error": serializers.IntegerField(),
        },
    )
    findings = FindingOutput(many=True)
    rules = RuleStatusOutput(many=True)


def checklist_payload(document) -> dict:
    """The stored result for the document's current content (computed now only if missing)."""
    sections = list(document_sections(document))
    result = selectors.checklist_current(document, sections)
    if result is None:
        # Documents saved before the checklist existed: compute once, then it is stored.
        result = services.checklist_refresh(document=document)
    titles = {s.key: s.spec.local_title for s in sections}
    findings = selectors.annotate_waived(
        [
            {**f, "section_title": titles.get(f["section"], f["section"])}
            for f in messages.localized(result.findings, titles)
        ],
        selectors.document_waivers(document),
    )
    return {
        "content_hash": result.content_hash,
        "computed_at": result.computed_at,
        "counts": {
            "error": result.error_count,
            "warning": result.warning_count,
            "info": result.info_count,
            "unwaived_error": sum(
                1 for f in findings if f["severity"] == "error" and not f["waived"]
            ),
        },
        "findings": findings,
        "rules": messages.localized_statuses(result.statuses),
    }


class DocumentChecklistApi(APIView):
    """The checklist of a document's current content: findings and every rule's status."""

    @extend_schema(operation_id="documents_checklist", responses=ChecklistOutput)
    def get(self, request, doc_id):
        """Findings (with waivers) and per-rule status (members)."""
        document = get_document_for_user(request.user, doc_id, need=Need.VIEW)
        return Response(ChecklistOutput(checklist_payload(document)).data)


class WaiverCreateApi(APIView):
    """Waive a current finding: warnings by authors and reviewers, errors by reviewers/owners."""

    @extend_schema_serializer(component_name="WaiverCreateInput")
    class InputSerializer(serializers.Serializer):
        rule_id = serializers.CharField(max_length=16)
        section = serializers.SlugField(max_length=64, allow_blank=True)
        reason = serializers.CharField(max_length=WAIVER_REASON_MAX_CHARS)

    @extend_schema(
        operation_id="documents_waivers_create",
        request=InputSerializer,
        responses={201: WaiverOutput},
    )
    def post(self, request, doc_id):
        """Create a waiver with a one-line reason."""
        # Viewers waive nothing: refused before the input is read.
        document = get_document_for_user(request.user, doc_id, need=Need.REVIEW)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        waiver = services.waiver_create(document=document, user=request.user, **data.validated_data)
        return Response(WaiverOutput(waiver).data, status=status.HTTP_201_CREATED)


class WaiverDeleteApi(APIView):
    """Withdraw a waiver (whoever may grant it)."""

    @extend_schema(operation_id="documents_waivers_delete", responses={204: None})
    def delete(self, request, doc_id, waiver_id):
        """Remove the waiver; the finding counts again."""
        document = get_document_for_user(request.user, doc_id, need=Need.COMMENT)
        waiver = get_object_or_404(Waiver, pk=waiver_id, document=document)
        waiver.document = document
        services.waiver_remove(waiver=waiver, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


_ERROR = inline_serializer(
    name="AbSampleSizeError",
    fields={
        "detail": serializers.CharField(),
        "errors": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
    },
)


class _Number(serializers.FloatField):
    """A float that refuses JSON true/false (which Python would read as 1.0 and 0.0)."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        return super().to_internal_value(data)


class AbToolAnonThrottle(throttling.AnonRateThrottle):
    """Anonymous visitors share the public calculator fairly; signed-in users are not limited."""

    scope = "ab_tool_anon"
    rate = "60/min"


class AbSampleSizeApi(APIView):
    """The A/B calculator for people who just need the number (content spec §4)."""

    permission_classes = [permissions.AllowAny]
    throttle_classes = [AbToolAnonThrottle]

    @extend_schema_serializer(component_name="AbSampleSizeInput")
    class InputSerializer(serializers.Serializer):
        metric_type = serializers.ChoiceField(choices=list(ab.METRIC_TYPES))
        mde_value = _Number(help_text="Minimum detectable effect, a magnitude > 0 (0.1 = 10%).")
        mde_type = serializers.ChoiceField(choices=list(ab.MDE_TYPES))
        alpha = _Number(help_text="Significance level, in (0, 0.5).")
        power = _Number(help_text="1 − β, in (0, 1).")
        sides = serializers.IntegerField(default=2, help_text="1 or 2.")
        direction = serializers.ChoiceField(
            choices=list(ab.DIRECTIONS),
            default="increase",
            help_text="The sign of the effect; keep_within counts as increase.",
        )
        allocation_control = _Number(default=0.5, help_text="Share of eligible units, (0, 1].")
        allocation_treatment = _Number(default=0.5, help_text="Share; both add up to at most 1.")
        method = serializers.ChoiceField(
            choices=list(ab.METHODS),
            default="unpooled",
            help_text="pooled and arcsine apply to proportions only.",
        )
        variance_inflation_factor = _Number(default=1.0, help_text="At least 1.")
        baseline_rate = _Number(
            required=False, allow_null=True, help_text="Control proportion in (0, 1)."
        )
        baseline_mean = _Number(
            required=False, allow_null=True, help_text="Mean metrics with a relative MDE."
        )
        std_dev = _Number(required=False, allow_null=True, help_text="Mean metrics, > 0.")
        daily_eligible_units = _Number(
            required=False,
            allow_null=True,
            help_text="New units per day across all arms; omit to skip the duration.",
        )

    @extend_schema_serializer(component_name="AbSampleSizeOutput")
    class OutputSerializer(serializers.Serializer):
        n_control = serializers.IntegerField()
        n_treatment = serializers.IntegerField()
        n_total = serializers.IntegerField()
        n_control_raw = serializers.FloatField()
        n_treatment_raw = serializers.FloatField()
        computed_days = serializers.IntegerField(allow_null=True)
        p1 = serializers.FloatField(allow_null=True)
        p2 = serializers.FloatField(allow_null=True)
        delta = serializers.FloatField(allow_null=True)
        z_alpha = serializers.FloatField()
        z_beta = serializers.FloatField()
        k = serializers.FloatField()
        formula = serializers.CharField()
        warnings = serializers.ListField(child=serializers.CharField())

    @extend_schema(
        operation_id="tools_ab_sample_size",
        request=InputSerializer,
        responses={
            200: OutputSerializer,
            400: OpenApiResponse(
                response=_ERROR,
                description="Bad input: `errors` names each input and what is wrong with it.",
            ),
            429: OpenApiResponse(response=_ERROR, description="Too many anonymous requests."),
        },
    )
    def post(self, request):
        """n per arm, total, days and the formula with the numbers substituted (public).

        Shares, rates and MDEs are fractions (0.05, not 5%). Anonymous use is rate-limited.
        """
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            result = ab.sample_size(ab.SampleSizeInput(**data.validated_data))
        except ab.InvalidInput as exc:
            raise serializers.ValidationError(exc.errors) from exc
        return Response(self.OutputSerializer(result).data)


urlpatterns = [
    path("tools/ab-sample-size/", AbSampleSizeApi.as_view(), name="ab-sample-size"),
    path(
        "documents/<uuid:doc_id>/checklist/",
        DocumentChecklistApi.as_view(),
        name="document-checklist",
    ),
    path("documents/<uuid:doc_id>/waivers/", WaiverCreateApi.as_view(), name="document-waivers"),
    path(
        "documents/<uuid:doc_id>/waivers/<uuid:waiver_id>/",
        WaiverDeleteApi.as_view(),
        name="document-waiver",
    ),
]
