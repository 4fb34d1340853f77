"""HTML pages of the checklist: a document's checklist panel and waivers; the A/B calculator."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.permissions import (
    Need,
    can_edit_document,
    can_waive_finding,
    get_document_for_user,
)
from apps.checklists import ab, services
from apps.checklists.api import checklist_payload
from apps.checklists.forms import AbToolForm, WaiverForm
from apps.checklists.models import Waiver


@login_required
def panel(request, doc_id):
    """Every rule as passed, failed or not applicable, the findings by section, the waivers."""
    document = get_document_for_user(request.user, doc_id, need=Need.VIEW)
    payload = checklist_payload(document)
    for finding in payload["findings"]:
        finding["can_waive"] = not finding["waived"] and can_waive_finding(
            request.user, document, finding["severity"]
        )
        if finding["waived"]:
            finding["can_unwaive"] = can_waive_finding(
                request.user, document, finding["waived"].severity
            )
    return render(
        request,
        "checklists/panel.html",
        {
            "document": document,
            "checklist": payload,
            "can_edit": can_edit_document(request.user, document),
        },
    )


@require_POST
@login_required
def waiver_add(request, doc_id):
    """Waive a finding with a one-line reason (errors: reviewers and owners only)."""
    # Viewers waive nothing: refused before the form, whatever it holds.
    document = get_document_for_user(request.user, doc_id, need=Need.REVIEW)
    form = WaiverForm(request.POST)
    if form.is_valid():
        try:
            services.waiver_create(document=document, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Finding waived."))
    else:
        messages.error(request, _("Give a one-line reason to waive a finding."))
    return redirect("checklists:panel", document.id)


@require_POST
@login_required
def waiver_remove(request, doc_id, waiver_id):
    """Withdraw a waiver; the finding counts again."""
    document = get_document_for_user(request.user, doc_id, need=Need.COMMENT)
    waiver = get_object_or_404(Waiver, pk=waiver_id, document=document)
    waiver.document = document
    services.waiver_remove(waiver=waiver, user=request.user)
    messages.success(request, _("Waiver withdrawn."))
    return redirect("checklists:panel", document.id)


def ab_tool(request):
    """The standalone A/B calculator: a GET form, so results work without JS and can be linked.

    Inputs missing from the query take their defaults (the spec's Example A), so the bare page
    already shows a result and a link may carry only the inputs that differ.
    """
    form = AbToolForm({**AbToolForm.default_data(), **request.GET.dict()})
    result = None
    if form.is_valid():
        try:
            result = ab.sample_size(form.to_input())
        except ab.InvalidInput as exc:
            for field, errors in exc.errors.items():
                form.add_error(field if field in form.fields else None, errors)
    return render(
        request,
        "checklists/ab_tool.html",
        {"form": form, "result": result, "ab_config": _ab_tool_config()},
    )


def _ab_tool_config() -> dict:
    """What static/js/ab-tool.js needs to recompute live through the API, in the page's language."""
    return {
        "api": reverse("api:ab-sample-size"),
        "mdeLabels": AbToolForm.MDE_LABELS,
        "text": {
            "control": _("Control"),
            "treatment": _("Treatment"),
            "total": _("Total"),
            "days": _("Days"),
            "noDays": _("Add the daily eligible units to get the duration in days."),
            "how": _("How it was computed"),
            "invalid": _("No result yet."),
            "fix": _("Fix the inputs marked in red."),
            "throttled": _("Too many requests: wait a minute, then press Compute."),
            "offline": _("The calculator could not be reached; press Compute to try again."),
        },
    }
