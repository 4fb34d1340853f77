"""REST API of notifications (mounted under /api/v1/): my notifications, read marks, email."""

from django.urls import path
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.notifications import selectors, services
from apps.notifications.models import Notification

MARK_MAX_IDS = 500

_ERROR = inline_serializer(
    name="NotificationsError",
    fields={
        "detail": serializers.CharField(),
        "errors": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
    },
)
_BAD_INPUT = OpenApiResponse(response=_ERROR, description="Bad input: `errors` names each field.")


class NotificationOutput(serializers.ModelSerializer):
    actor = serializers.CharField(
        source="actor.username", allow_null=True, default=None, help_text="Who caused it."
    )
    document = serializers.UUIDField(source="document_id", allow_null=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "url", "document", "actor", "created_at", "read_at"]
        read_only_fields = fields


class NotificationListApi(ListAPIView):
    """My notifications, newest first; `?unread=1` for unread ones only."""

    serializer_class = NotificationOutput

    class FilterSerializer(serializers.Serializer):
        unread = serializers.BooleanField(
            required=False, default=False, help_text="Only unread notifications (1 or true)."
        )

    @extend_schema(operation_id="notifications_list", parameters=[FilterSerializer])
    def get(self, request, *args, **kwargs):
        """My notifications, newest first (signed-in users, their own only)."""
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        filters = self.FilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.notifications_for(
            self.request.user, unread_only=filters.validated_data["unread"]
        )


class NotificationReadApi(APIView):
    """Mark notifications read."""

    @extend_schema_serializer(component_name="NotificationsReadInput")
    class InputSerializer(serializers.Serializer):
        ids = serializers.ListField(
            child=serializers.UUIDField(),
            required=False,
            max_length=MARK_MAX_IDS,
            help_text="Notification ids; leave out to mark every unread notification.",
        )

    @extend_schema(
        operation_id="notifications_mark_read",
        request=InputSerializer,
        responses={
            200: inline_serializer("NotificationsMarked", {"marked": serializers.IntegerField()}),
            400: _BAD_INPUT,
        },
    )
    def post(self, request):
        """Mark the given notifications (or, without ids, all unread ones) as read.

        Ids that are not mine or already read are skipped: `marked` counts the ones changed.
        """
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        marked = services.notifications_mark_read(
            user=request.user, ids=data.validated_data.get("ids")
        )
        return Response({"marked": marked})


class NotificationPreferenceApi(APIView):
    """My notification email switch."""

    @extend_schema_serializer(component_name="NotificationPreference")
    class PreferenceSerializer(serializers.Serializer):
        email_enabled = serializers.BooleanField()

    @extend_schema(
        operation_id="notifications_preferences_retrieve", responses=PreferenceSerializer
    )
    def get(self, request):
        """Whether notifications are also emailed to me."""
        return Response({"email_enabled": selectors.email_enabled(request.user)})

    @extend_schema(
        operation_id="notifications_preferences_update",
        request=PreferenceSerializer,
        responses={200: PreferenceSerializer, 400: _BAD_INPUT},
    )
    def put(self, request):
        """Turn notification email on or off (in-app notifications stay on)."""
        data = self.PreferenceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        preference = services.notification_preference_set(
            user=request.user, email_enabled=data.validated_data["email_enabled"]
        )
        return Response({"email_enabled": preference.email_enabled})


urlpatterns = [
    path("notifications/", NotificationListApi.as_view(), name="notifications"),
    path("notifications/read/", NotificationReadApi.as_view(), name="notifications-read"),
    path(
        "notifications/preferences/",
        NotificationPreferenceApi.as_view(),
        name="notification-preferences",
    ),
]
