"""Document structure, problem and requirements rules (DOC-01 … REQ-04)."""

# Messages and sources quote CONTENT_SPEC §2.2 verbatim: Greek letters, typographic dashes and
# Cyrillic titles of the Russian sources are intended.

from collections.abc import Iterator

from django.utils.translation import gettext_noop

from apps.checklists.rules.base import (
    NON_FUNCTIONAL_FIELDS,
    NOT_APPLICABLE,
    Failure,
    RuleContext,
    Severity,
    ab_not_applicable,
    chars,
    fail,
    filled,
    group,
    in_set,
    is_online,
    number,
    rule,
    task_type,
)
from apps.checklists.snapshot import WHOLE_GROUP, DocumentSnapshot

# Document structure -------------------------------------------------------------------------


@rule(
    "DOC-01",
    severity=Severity.ERROR,
    section="document",
    reads=["all sections of the template", "ab_test.status", "ab_test.na_reason"],
    message=gettext_noop(
        "Section '{section}' is empty. Fill in at least its required fields "
        "(or mark the A/B plan N/A with a reason)."
    ),
    source="EY template; BK checklist; RU-G & ZH-F cover all points",
)
def doc_01(snapshot: DocumentSnapshot, ctx: RuleContext) -> Iterator[Failure]:
    for section in snapshot.checked_sections():
        if section.is_empty:
            paths = []
            for group_name, names in section.fields.items():
                if names == WHOLE_GROUP:
                    paths.append(group_name)
                else:
                    paths += [f"{group_name}.{name}" for name in names]
            yield fail(*paths, in_section=section.key, section=section.title)
    plan = group(snapshot, "ab_test")
    if plan.get("status") == NOT_APPLICABLE and not ab_not_applicable(snapshot, ctx.config):
        home = next((s for s in snapshot.sections if s.writes("ab_test.na_reason")), None)
        yield fail(
            "ab_test.na_reason",
            in_section=home.key if home else "ab_test",
            section=home.title if home else "ab_test",
        )


@rule(
    "DOC-02",
    severity=Severity.ERROR,
    section="baseline",
    reads=["doc.sections_order", "baseline.baselines"],
    message=gettext_noop(
        "Describe the baseline before the model: start from the simplest working solution, "
        "then improve it."
    ),
    source='RU-G «начать с бейзлайна»; ZH-F "总是从简单baseline开始"; ROML #1, #4',
)
def doc_02(snapshot: DocumentSnapshot, ctx: RuleContext) -> Iterator[Failure]:
    paths = []
    order = snapshot.sections_order
    if "baseline" in order and "model" in order and order.index("baseline") > order.index("model"):
        paths.append("doc.sections_order")
    if not filled(snapshot.get("baseline.baselines")):
        paths.append("baseline.baselines")
    if paths:
        yield fail(*paths)


# Problem & requirements ---------------------------------------------------------------------


@rule(
    "PRB-01",
    severity=Severity.ERROR,
    section="problem",
    reads=["problem.business_goal"],
    message=gettext_noop(
        "State the business goal (what outcome the business wants), not the model."
    ),
    source="RU-G «Поставить бизнес задачу»; HU ch. 2; EY §2–3",
)
def prb_01(snapshot: DocumentSnapshot, ctx: RuleContext) -> Iterator[Failure]:
    if chars(snapshot.get("problem.business_goal")) < ctx.config.threshold(
        "business_goal_min_chars"
    ):
        yield fail("problem.business_goal")


@rule(
    "PRB-02",
    severity=Severity.WARNING,
    section="problem",
    reads=["problem.ml_objective", "problem.business_goal", "problem.why_ml"],
    message=gettext_noop(
        "Translate the business goal into an ML objective and explain why ML is needed "
        "rather than rules."
    ),
    source='AX "Defining the ML objective"; RU-C «А нужен ли ML вообще?»; ROML #1, #3',
)
def prb_02(snapshot: DocumentSnapshot, ctx: RuleContext) -> Iterator[Failure]:
    paths = []
    objective = snapshot.get("problem.ml_objective")
    goal = snapshot.get("problem.business_goal")
    same_as_goal = (
        isinstance(objective, str)
        and isinstance(goal, str)
        and objective.strip().casefold() == goal.strip().casefold()
    )
    if not filled(objective) or not isinstance(objective, str) or same_as_goal:
        paths.append("problem.ml_objective")
    if chars(snapshot.get("problem.why_ml")) < ctx.config.threshold("why_ml_min_chars"):
        paths.append("problem.why_ml")
    if paths:
        yield fail(*paths)


@rule(
    "PRB-03",
    severity=Severity.WARNING,
    section="problem",
    reads=["problem.cost_of_errors", "model.task_type"],
    message=gettext_noop(
        "Describe what a false positive and a false negative cost; it drives the metric "
        "and the threshold."
    ),
    source='HU19 "Performance constraints"; BK ch. 2 "Costs of a mistake"',
)
def prb_03(snapshot: DocumentSnapshot, ctx: RuleContext) -> Iterator[Failure]:
    if not in_set(task_type(snapshot), ctx.config.members("CLASSIF")):
        return
    paths = [
        f"problem.cost_of_errors.{kind}"
        for kind in ("false_positive", "false_negative")
        if not filled(snapshot.get(f"problem.cost_of_errors.{kind}"))
    ]
    if paths:
        yield fail(*paths)


@rule(
    "REQ-01",
    severity=Severity.ERROR,
    section="requirements",
    reads=["requirements.functional", *(f"requirements.{f}" for f in NON_FUNCTIONAL_FIELDS)],
    message=gettext_noop(
        "List functional requirements and at least one non-functional requirement "
        "(latency, throughput, scale, memory, privacy…)."
    ),
    source='ZH-F "functional和non-functional一定确认清楚"; IF; EY §4',
)
def req_01(snapshot: DocumentSnapshot, ctx: RuleContext) -> Iterator[Failure]:
    paths = []
    functional = snapshot.get("requirements.functional")
    if not isinstance(functional, tuple) or not any(filled(item) for item in functional):
        paths.append("requirements.functional")
    non_functional = [f"requirements.{name}" for name in NON_FUNCTIONAL_FIELDS]
    if not any(filled(snapshot.get(path)) for path in non_functional):
        paths.extend(non_functional)
    if paths:
        yield fail(*paths)


@rule(
    "REQ-02",
    severity=Severity.WARNING,
    section="requirements",
    reads=["requirements.scale", "requirements.throughput_qps", "serving.mode"],
    message=gettext_noop(
        "Quantify the scale (users, items, events/day) and, for online serving, "
        "peak QPS (≥ average)."
    ),
    source='ZH-F "scale of the system"; IF; AX step 1',
)
def req_02(snapshot: DocumentSnapshot, ctx: RuleContext) -> Iterator[Failure]:
    paths = []
    scale = [f"requirements.scale.{key}" for key in ("users", "items", "events_per_day")]
    if all(number(snapshot.get(path)) is None for path in scale):
        paths.append("requirements.scale")
    if is_online(snapshot, ctx.config):
        peak = number(snapshot.get("requirements.throughput_qps.peak"))
        avg = number(snapshot.get("requirements.throughput_qps.avg"))
        if peak is None or (avg is not None and peak < avg):
            paths.append("requirements.throughput_qps.peak")
    if paths:
        yield fail(*paths)


@rule(
    "REQ-03",
    severity=Severity.ERROR,
    section="requirements",
    reads=["serving.mode", "requirements.latency_budget_ms"],
    message=gettext_noop(
        "Online serving needs a latency budget: give p99 (or p95) in milliseconds."
    ),
    source=(
        'EY §4 ("p99 latency < y ms"), §6.3; ZH-F "low latency high qps", "P99 latency"; HU ch. 7'
    ),
)
def req_03(snapshot: DocumentSnapshot, ctx: RuleContext) -> Iterator[Failure]:
    if not is_online(snapshot, ctx.config):
        return
    budgets = (number(snapshot.get(f"requirements.latency_budget_ms.{q}")) for q in ("p99", "p95"))
    if not any(value is not None and value > 0 for value in budgets):
        yield fail("requirements.latency_budget_ms.p99")


@rule(
    "REQ-04",
    severity=Severity.ERROR,
    section="requirements",
    reads=["requirements.privacy"],
    message=gettext_noop(
        "Say whether personal data is processed; if yes, list regulations (e.g. GDPR) and "
        "protection measures (pseudonymisation, encryption, retention)."
    ),
    source='ZH-F "GDPR/privacy: 数据脱敏,数据加密"; EY §6.5; MLTS Data 5',
)
def req_04(snapshot: DocumentSnapshot, ctx: RuleContext) -> Iterator[Failure]:
    personal = snapshot.get("requirements.privacy.contains_personal_data")
    if not isinstance(personal, bool):
        yield fail("requirements.privacy.contains_personal_data")
    elif personal:
        paths = [
            f"requirements.privacy.{key}"
            for key in ("regulations", "measures")
            if not filled(snapshot.get(f"requirements.privacy.{key}"))
        ]
        if paths:
            yield fail(*paths)
