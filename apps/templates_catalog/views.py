"""Public pages describing the design templates (product information, no login needed)."""

from django.shortcuts import render

from apps.templates_catalog import selectors


def _field_rows(spec) -> list[dict]:
    """The canonical fields a section writes (from its schema), with titles and required flags."""
    required = set(spec.required_fields or [])
    rows = []
    for group, group_schema in (spec.local_schema or {}).get("properties", {}).items():
        for name, field_schema in group_schema.get("properties", {}).items():
            path = f"{group}.{name}"
            rows.append(
                {
                    "path": path,
                    "title": field_schema.get("title", name),
                    # `data.split.strategy` required makes `data.split` a required field too.
                    "required": path in required or any(r.startswith(f"{path}.") for r in required),
                }
            )
    return rows


def gallery(request):
    """Every template (latest version) with its sections."""
    return render(
        request, "templates_catalog/gallery.html", {"templates": selectors.template_list()}
    )


def detail(request, key):
    """One template: its sections in order with purpose, questions and fields."""
    template = selectors.template_get(key)
    sections = list(template.sections.all())
    for spec in sections:
        spec.field_rows = _field_rows(spec)
        spec.time_budget_min = (spec.meta or {}).get("time_budget_min")
    total_minutes = sum(spec.time_budget_min or 0 for spec in sections)
    return render(
        request,
        "templates_catalog/detail.html",
        {"template": template, "sections": sections, "total_minutes": total_minutes},
    )
