"""REST API of notifications (mounted under /api/v1/): my notifications, read marks, email."""

from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.notifications import selectors, services
from apps.notifications.models import Notification

MARK_MAX_IDS = 500


class NotificationOutput(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    document = serializers.UUIDField(source="document_id", allow_null=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "url", "document", "actor", "created_at", "read_at"]
        read_only_fields = fields


class NotificationListApi(ListAPIView):
    """My notifications, newest first; `?unread=1` for unread ones only."""

    serializer_class = NotificationOutput

    def get_queryset(self):
        unread = self.request.query_params.get("unread") in {"1", "true", "yes"}
        return selectors.notifications_for(self.request.user, unread_only=unread)


class NotificationReadApi(APIView):
    class InputSerializer(serializers.Serializer):
        ids = serializers.ListField(
            child=serializers.UUIDField(), required=False, max_length=MARK_MAX_IDS
        )

    @extend_schema(
        request=InputSerializer,
        responses=inline_serializer("NotificationsMarked", {"marked": serializers.IntegerField()}),
    )
    def post(self, request):
        """Mark the given notifications (or, without ids, all unread ones) as read."""
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        marked = services.notifications_mark_read(
            user=request.user, ids=data.validated_data.get("ids")
        )
        return Response({"marked": marked})


class NotificationPreferenceApi(APIView):
    class PreferenceSerializer(serializers.Serializer):
        email_enabled = serializers.BooleanField()

    @extend_schema(responses=PreferenceSerializer)
    def get(self, request):
        """Whether notifications are also emailed to me."""
        return Response({"email_enabled": selectors.email_enabled(request.user)})

    @extend_schema(request=PreferenceSerializer, responses=PreferenceSerializer)
    def put(self, request):
        """Turn notification email on or off."""
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
