"""Admin view of the design templates: read-only, since they are loaded from fixtures."""

from django.contrib import admin

from apps.templates_catalog.models import DesignTemplate, SectionSpec


class ReadOnlyAdminMixin:
    """Templates change by editing fixtures/templates/*.yaml and bumping the version."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SectionSpecInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = SectionSpec
    fields = ["position", "key", "title", "required"]
    ordering = ["position"]
    show_change_link = True


@admin.register(DesignTemplate)
class DesignTemplateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["key", "version", "title", "is_latest", "position", "loaded_at"]
    list_filter = ["is_latest"]
    search_fields = ["key", "title"]
    inlines = [SectionSpecInline]


@admin.register(SectionSpec)
class SectionSpecAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["template", "position", "key", "title", "required"]
    list_select_related = ["template"]
    search_fields = ["key", "title", "template__key"]
