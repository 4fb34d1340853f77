"""Writes of the checklist: findings stored per content hash when a section is saved; waivers."""

from dataclasses import asdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from apps.accounts.permissions import can_waive_finding
from apps.checklists import ab, engine, snapshot
from apps.checklists.models import WAIVER_REASON_MAX_CHARS, ChecklistResult, Severity, Waiver
from apps.documents.models import Document, document_content_hash
from apps.documents.selectors import document_sections
from apps.reviews.services import review_status_refresh


@transaction.atomic
def checklist_refresh(*, document: Document) -> ChecklistResult:
    """Run the rules on the document's current content, once per content hash."""
    sections = list(document_sections(document))
    content_hash = document_content_hash(sections)
    existing = ChecklistResult.objects.filter(document=document, content_hash=content_hash).first()
    if existing is not None:
        return existing
    snap = snapshot.from_document(document, sections)
    findings = [f.as_dict() for f in engine.run_checklist(snap)]
    statuses = [asdict(s) for s in engine.rule_statuses(snap)]
    counts = {severity: 0 for severity in Severity.values}
    for finding in findings:
        counts[finding["severity"]] += 1
    try:
        with transaction.atomic():
            result = ChecklistResult.objects.create(
                document=document,
                content_hash=content_hash,
                findings=findings,
                statuses=statuses,
                error_count=counts["error"],
                warning_count=counts["warning"],
                info_count=counts["info"],
            )
            Document.objects.filter(pk=document.pk).mark_changed()
            return result
    except IntegrityError:
        # A concurrent save of the same content stored it first; the result is the same.
        return ChecklistResult.objects.get(document=document, content_hash=content_hash)


def _clean_reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Say in one line why this finding can be waived.")})
    if len(reason) > WAIVER_REASON_MAX_CHARS:
        raise ValidationError(
            {"reason": _("Keep the reason to %(n)s characters.") % {"n": WAIVER_REASON_MAX_CHARS}}
        )
    return reason


@transaction.atomic
def waiver_create(*, document: Document, user, rule_id: str, section: str, reason: str) -> Waiver:
    """Waive a current finding (rule on a section); errors need a reviewer or an owner."""
    result = checklist_refresh(document=document)
    matching = [f for f in result.findings if f["rule_id"] == rule_id and f["section"] == section]
    if not matching:
        raise ValidationError(
            {"rule_id": _("%(rule)s has no finding on this section to waive.") % {"rule": rule_id}}
        )
    # Severity.values is ordered error, warning, info: the most severe finding decides.
    severity = min((f["severity"] for f in matching), key=Severity.values.index)
    if not can_waive_finding(user, document, severity):
        raise PermissionDenied(_("Only a reviewer or an owner can waive an error."))
    if Waiver.objects.filter(document=document, rule_id=rule_id, section=section).exists():
        raise ValidationError({"rule_id": _("This finding is already waived.")})
    waiver = Waiver.objects.create(
        document=document,
        rule_id=rule_id,
        section=section,
        severity=severity,
        reason=_clean_reason(reason),
        created_by=user,
    )
    Document.objects.filter(pk=document.pk).mark_changed()
    if severity == Severity.ERROR:
        review_status_refresh(document=document, actor=user)
    return waiver


@transaction.atomic
def waiver_remove(*, waiver: Waiver, user) -> None:
    """Withdraw a waiver; whoever may grant it may withdraw it."""
    if not can_waive_finding(user, waiver.document, waiver.severity):
        raise PermissionDenied(_("Only a reviewer or an owner can withdraw this waiver."))
    waiver.delete()
    Document.objects.filter(pk=waiver.document_id).mark_changed()
    if waiver.severity == Severity.ERROR:
        review_status_refresh(document=waiver.document, actor=user)


def ab_plan_sample_size(ab_test: dict, metrics: list) -> ab.SampleSize | None:
    """The calculator's result for an A/B plan (content spec §4), or None when its inputs are
    missing or invalid (the checklist says which) or the plan is marked not applicable."""
    if ab_test.get("status") == "not_applicable":
        return None
    mde = ab_test.get("mde") or {}
    allocation = ab_test.get("allocation") or {}
    primary = next(
        (
            m
            for m in metrics
            if isinstance(m, dict) and m.get("name") == ab_test.get("primary_metric")
        ),
        {},
    )
    try:
        return ab.sample_size(
            ab.SampleSizeInput(
                metric_type=ab_test["metric_type"],
                mde_value=mde["value"],
                mde_type=mde["type"],
                alpha=ab_test["alpha"],
                power=ab_test["power"],
                sides=ab_test.get("sides", 2),
                direction=primary.get("direction", "increase"),
                allocation_control=allocation["control"],
                allocation_treatment=allocation["treatment"],
                method=ab_test.get("method", "unpooled"),
                variance_inflation_factor=ab_test.get("variance_inflation_factor", 1.0),
                baseline_rate=ab_test.get("baseline_rate"),
                baseline_mean=ab_test.get("baseline_mean"),
                std_dev=ab_test.get("std_dev"),
                daily_eligible_units=ab_test.get("daily_eligible_units"),
            )
        )
    except (KeyError, TypeError, AttributeError, ab.InvalidInput):
        return None


def ab_plan_compute(ab_test: dict, metrics: list) -> dict:
    """The A/B plan with `sample_size` and `computed_days` computed by the app (content spec §4).

    Whatever the author typed there is replaced: these values are the calculator's, so the
    checklist and the exports read the same numbers. With inputs missing or invalid (the
    checklist says which) the computed values are left out.
    """
    plan = {k: v for k, v in ab_test.items() if k not in {"sample_size", "computed_days"}}
    result = ab_plan_sample_size(plan, metrics)
    if result is None:
        return plan
    plan["sample_size"] = {"control": result.n_control, "treatment": result.n_treatment}
    if result.computed_days is not None:
        plan["computed_days"] = result.computed_days
    return plan
