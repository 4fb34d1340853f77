"""The 40 checklist rules of CONTENT_SPEC §2.2, each a pure function over a DocumentSnapshot.

Importing this package registers every rule in `RULES`, in the §2.2 order. Which rules run
for a document, and at which severity, is decided by the engine (§2.4).
"""

from apps.checklists.rules import (  # noqa: F401 (imported to register their rules)
    ab_test,
    data,
    metrics,
    model,
    operations,
    problem,
    risks,
)
from apps.checklists.rules.base import (
    FAMILIES,
    RULES,
    Failure,
    Finding,
    Rule,
    RuleContext,
    Severity,
    ab_not_applicable,
    fail,
    rule,
)

# The panel and the findings list the rules as §2.2 does, whatever the import order.
_spec_order = sorted(RULES.items(), key=lambda item: (FAMILIES.index(item[0][:3]), item[0]))
RULES.clear()
RULES.update(_spec_order)

__all__ = [
    "RULES",
    "Failure",
    "Finding",
    "Rule",
    "RuleContext",
    "Severity",
    "ab_not_applicable",
    "fail",
    "rule",
]
