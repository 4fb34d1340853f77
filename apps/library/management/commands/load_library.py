from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.library.services import examples_load


class Command(BaseCommand):
    help = "Load the worked examples from fixtures/examples/*.md (idempotent)."

    def handle(self, *args, **options):
        try:
            results = examples_load()
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        for result in results:
            self.stdout.write(f"example {result.slug}: {result.state}")
