from django.apps import AppConfig


class OccupationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "occupations"

    def ready(self):
        from . import revisions  # noqa: F401  (registers models with django-reversion)
