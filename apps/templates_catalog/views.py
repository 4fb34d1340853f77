"""Public pages describing the design templates (product information, no login needed)."""

from django.shortcuts import render

from apps.templates_catalog import selectors


def _field_rows(spec) -> list[dict]:
    """The canonical fields a section writes, as `group.field` paths with their required flag."""
    required = set(spec.required_fields or [])
    rows = []
    for group, names in (spec.fields or {}).items():
        if names == "*":
            rows.append({"path": f"{group}.*", "required": False, "whole_group": True})
            continue
        for name in names:
            path = f"{group}.{name}"
            rows.append({"path": path, "required": path in required, "whole_group": False})
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
