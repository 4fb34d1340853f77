from django.apps import AppConfig


class TemplatesCatalogConfig(AppConfig):
    name = "apps.templates_catalog"
    default_auto_field = "django.db.models.BigAutoField"
