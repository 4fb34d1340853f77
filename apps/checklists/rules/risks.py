"""Risk rules (RSK-01)."""

from collections.abc import Iterator

from django.utils.translation import gettext_noop

from apps.checklists.rules.base import (
    Failure,
    RuleContext,
    Severity,
    fail,
    filled,
    rows,
    rule,
)
from apps.checklists.snapshot import DocumentSnapshot

# Risks --------------------------------------------------------------------------------------


@rule(
    "RSK-01",
    severity=Severity.WARNING,
    section="risks",
    reads=["risks.items", "risks.open_questions"],
    message=gettext_noop(
        "List the main risks with mitigations and the open questions you still need answered."
    ),
    source="EY §6.9; BK ch. 2 / template VII",
)
def rsk_01(snapshot: DocumentSnapshot, ctx: RuleContext) -> Iterator[Failure]:
    risks = rows(snapshot.get("risks.items"))
    paths = [] if risks else ["risks.items"]
    paths += [f"risks.items.{i}.mitigation" for i, r in risks if not filled(r.get("mitigation"))]
    questions = snapshot.get("risks.open_questions")
    if not isinstance(questions, tuple) or not any(filled(q) for q in questions):
        paths.append("risks.open_questions")
    if paths:
        yield fail(*paths)
