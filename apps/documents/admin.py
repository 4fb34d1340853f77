"""Admin view of documents for support staff: read-only, so every write goes through services
(which render and sanitize Markdown, bump versions and write revisions)."""

from django.contrib import admin

from apps.documents.models import Document, Revision, Section


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SectionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Section
    fields = ["position", "key", "version", "updated_at", "updated_by"]
    ordering = ["position"]
    show_change_link = True


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "team", "template", "status", "updated_at", "archived_at"]
    list_filter = ["status", "template__key"]
    list_select_related = ["team", "template"]
    search_fields = ["title", "team__name"]
    inlines = [SectionInline]


@admin.register(Section)
class SectionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["document", "key", "version", "updated_at"]
    list_select_related = ["document"]
    search_fields = ["document__title", "key"]
    exclude = ["body_html"]


@admin.register(Revision)
class RevisionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["section", "version", "author", "created_at"]
    list_select_related = ["section", "author"]
