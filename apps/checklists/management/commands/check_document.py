import uuid
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.checklists import engine, snapshot
from apps.documents.models import Document
from apps.documents.selectors import document_sections
from apps.exports import markdown_format
from apps.templates_catalog import i18n


def section_titles(template_key: str, layout) -> dict[str, set[str]]:
    """Section key -> its title in every language, read from the fixtures like `layout`."""
    titles = {spec["key"]: {spec.get("title") or spec["key"]} for spec in layout}
    for language in i18n.other_languages():
        translation = i18n.translation_of(f"templates/{template_key}.yaml", language) or {}
        for spec, local in zip(layout, translation.get("sections") or [], strict=False):
            if local.get("title"):
                titles[spec["key"]].add(local["title"])
    return titles


class Command(BaseCommand):
    help = (
        "Print the checklist findings of a document (by id) or of a YAML file in the canonical "
        "field model; exit 1 when there are errors (for docs-as-code CI)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "document", help="a document UUID, or a path to a .md, .yaml or .yml file"
        )
        parser.add_argument(
            "--template", help="template key for a YAML file without `doc: template:`"
        )

    def _markdown(self, path: Path, template: str | None):
        """A document file in the Markdown format (apps/exports/markdown_format.py)."""
        try:
            parsed = markdown_format.parse(path.read_text(encoding="utf-8"))
            key = template or parsed.meta.get("template") or snapshot.DEFAULT_TEMPLATE
            layout = snapshot.template_layout(key)
            titles = section_titles(key, layout)
            matched = markdown_format.match_sections(
                parsed, [(spec["key"], titles.get(spec["key"], set())) for spec in layout]
            )
        except ValidationError as exc:
            raise CommandError(f"{path}: {' '.join(exc.messages)}") from exc
        except ValueError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        canonical: dict = {}
        for fields, _body in matched.values():
            for group, values in fields.items():
                if isinstance(values, dict):
                    canonical.setdefault(group, {}).update(values)
        bodies = {key: body for key, (_fields, body) in matched.items()}
        return snapshot.from_canonical(canonical, key, bodies=bodies)

    def _snapshot(self, target: str, template: str | None):
        path = Path(target)
        if path.suffix == ".md":
            if not path.is_file():
                raise CommandError(f"No such file: {target}")
            return self._markdown(path, template)
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
            raise CommandError(
                f"No document with id {target!r} (or give a .md or .yaml path)."
            ) from None
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
