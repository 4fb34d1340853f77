from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.templates_catalog.services import templates_load_all


class Command(BaseCommand):
    help = "Load the design templates from fixtures/templates/*.yaml (idempotent)."

    def handle(self, *args, **options):
        try:
            results = templates_load_all()
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        for result in results:
            state = "loaded" if result.created else "unchanged"
            self.stdout.write(f"template {result.key} v{result.version}: {state}")
