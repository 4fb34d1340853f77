from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "apps.reviews"
    default_auto_field = "django.db.models.BigAutoField"
