from django.apps import AppConfig


class ChecklistsConfig(AppConfig):
    name = "apps.checklists"
    default_auto_field = "django.db.models.BigAutoField"
