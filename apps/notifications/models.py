"""In-app notifications and each user's email preference."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.documents.models import Document


class Notification(models.Model):
    class Kind(models.TextChoices):
        MENTION = "mention", _("Mention")
        REVIEW_REQUESTED = "review_requested", _("Review requested")
        REVIEW_DECISION = "review_decision", _("Review decision")
        CONCERN_RESOLVED = "concern_resolved", _("Concern resolved")
        SIGNED_OFF = "signed_off", _("Signed off")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    document = models.ForeignKey(Document, null=True, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return self.text


class NotificationPreference(models.Model):
    """A missing row means email is on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_enabled = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.user}: email {'on' if self.email_enabled else 'off'}"
