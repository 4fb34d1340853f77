import uuid
from pathlib import Path

import yaml
from django.core.management.base import BaseCommand, CommandError

from apps.checklists import engine, snapshot
from apps.documents.models import Document
from apps.documents.selectors import document_sections


class Command(BaseCommand):
    help = (
        "Print the checklist findings of a document (by id) or of a YAML file in the canonical "
        "field model; exit 1 when there are errors (for docs-as-code CI)."
    )

    def add_arguments(self, parser):
        parser.add_argument("document", help="a document UUID, or a path to a .yaml/.yml file")
        parser.add_argument(
            "--template", help="template key for a YAML file without `doc: template:`"
        )

    def _snapshot(self, target: str, template: str | None):
        path = Path(target)
        if path.suffix in {".yaml", ".yml"}:
            if not path.is_file():
                raise CommandError(f"No such file: {target}")
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except yaml.YAMLError as exc:
                raise CommandError(f"{target} is not valid YAML: {exc}") from exc
            if not isinstance(data, dict):
                raise CommandError(f"{target} must hold a mapping of canonical groups.")
            return snapshot.from_canonical(data, template)
        try:
            document = Document.objects.select_related("template").get(pk=uuid.UUID(target))
        except (ValueError, Document.DoesNotExist):
            raise CommandError(f"No document with id {target!r} (or give a .yaml path).") from None
        return snapshot.from_document(document, list(document_sections(document)))

    def handle(self, *args, document, template, **options):
        findings = engine.run_checklist(self._snapshot(document, template))
        for finding in findings:
            paths = ", ".join(finding.field_paths)
            self.stdout.write(
                f"{finding.severity.upper():7} {finding.rule_id} [{finding.section}] {paths}\n"
                f"        {finding.message}"
            )
        errors = sum(1 for f in findings if f.severity == "error")
        warnings = sum(1 for f in findings if f.severity == "warning")
        self.stdout.write(f"{errors} error(s), {warnings} warning(s), {len(findings)} finding(s)")
        if errors:
            raise SystemExit(1)
