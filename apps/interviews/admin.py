"""Admin view of practice sessions for support staff: read-only, and without the interviewer's
notes (nobody but the interviewer reads them)."""

from django.contrib import admin

from apps.interviews.models import InterviewBlock, InterviewEvent, InterviewSession


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class BlockInline(ReadOnlyInline):
    model = InterviewBlock
    fields = ["position", "key", "budget_seconds", "elapsed", "entered_at", "left_at"]
    readonly_fields = fields


class EventInline(ReadOnlyInline):
    model = InterviewEvent
    fields = ["at", "action", "block_key", "actor"]
    readonly_fields = fields


@admin.register(InterviewSession)
class InterviewSessionAdmin(admin.ModelAdmin):
    list_display = ["document", "status", "candidate", "interviewer", "started_at"]
    list_filter = ["status"]
    inlines = [BlockInline, EventInline]
    readonly_fields = [
        "document", "status", "candidate", "interviewer", "current_index", "started_at",
        "finished_at", "running_since",
    ]  # fmt: skip

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
