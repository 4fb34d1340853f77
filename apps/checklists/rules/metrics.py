"""Metrics rules (MET-01 … MET-05)."""

from collections.abc import Iterator, Mapping

from django.utils.translation import gettext_noop

from apps.checklists.rules.base import (
    GUARDRAIL,
    NO_SPLIT_DECLARED,
    NONE_LISTED,
    Failure,
    RuleContext,
    Severity,
    canonical_offline,
    chars,
    fail,
    filled,
    in_set,
    label,
    metric_rows,
    number,
    offline_metrics,
    rows,
    rule,
    task_type,
)
from apps.checklists.snapshot import DocumentSnapshot

# Metrics ------------------------------------------------------------------------------------


@rule(
    "MET-01",
    severity=Severity.ERROR,
    section="metrics",
    reads=["metrics.items.*.kind"],
    message=gettext_noop("Define at least one business, one online and one offline metric."),
    source="RU-G (business/online/offline); HU ch. 2; AX evaluation (offline/online); ZH-F",
)
def met_01(snapshot: DocumentSnapshot, ctx: RuleContext) -> Iterator[Failure]:
    required = ctx.options.get("required_kinds") or ctx.config.members("REQUIRED_METRIC_KINDS")
    kinds = {m.get("kind") for _, m in metric_rows(snapshot)}
    if not set(required) <= kinds:
        yield fail("metrics.items")


@rule(
    "MET-02",
    severity=Severity.ERROR,
    section="metrics",
    reads=["metrics.items.*.name", "metrics.items.*.definition", "metrics.items.*.direction"],
    message=gettext_noop(
        "Every metric needs a unique name, a precise definition and a direction "
        "(increase / decrease / keep within)."
    ),
    source="ROML #2, #13; BK ch. 5",
)
def met_02(snapshot: DocumentSnapshot, ctx: RuleContext) -> Iterator[Failure]:
    metrics = metric_rows(snapshot)
    names = [m.get("name") for _, m in metrics]
    min_chars = ctx.config.threshold("metric_definition_min_chars")
    directions = ctx.config.enum("metric_direction")
    paths = []
    for i, metric in metrics:
        name = metric.get("name")
        if not filled(name) or not isinstance(name, str) or names.count(name) > 1:
            paths.append(f"metrics.items.{i}.name")
        if chars(metric.get("definition")) < min_chars:
            paths.append(f"metrics.items.{i}.definition")
        if not in_set(metric.get("direction"), directions):
            paths.append(f"metrics.items.{i}.direction")
    if paths:
        yield fail(*paths)


@rule(
    "MET-03",
    severity=Severity.ERROR,
    section="metrics",
    reads=["metrics.items.*.dataset", "data.split.splits.*.name"],
    message=gettext_noop(
        "Offline metric '{name}' must say which split it is computed on (one of: {split_names})."
    ),
    source="ROML #33; BK ch. 7; RU-G «на train/test»",
)
def met_03(snapshot: DocumentSnapshot, ctx: RuleContext) -> Iterator[Failure]:
    splits = [
        s["name"]
        for _, s in rows(snapshot.get("data.split.splits"))
        if isinstance(s.get("name"), str) and s["name"].strip()
    ]
    for i, metric in offline_metrics(snapshot):
        dataset = metric.get("dataset")
        if not filled(dataset) or dataset not in splits:
            yield fail(
                f"metrics.items.{i}.dataset",
                name=label(metric, i),
                split_names=", ".join(splits) or NO_SPLIT_DECLARED,
            )


@rule(
    "MET-04",
    severity=Severity.WARNING,
    section="metrics",
    reads=["metrics.items.*.target", "metrics.items.*.kind", "ab_test.guardrail_metrics"],
    message=gettext_noop(
        "Give at least one business/online metric a numeric target and define guardrail "
        "metrics that must not get worse."
    ),
    source='EY §5.4; BK ch. 12 (control metrics); BK checklist "Defined success criteria"',
)
def met_04(snapshot: DocumentSnapshot, ctx: RuleContext) -> Iterator[Failure]:
    metrics = metric_rows(snapshot)
    targeted = ctx.config.members("TARGETED_METRIC_KINDS")
    paths = []
    has_target = any(
        in_set(m.get("kind"), targeted)
        and isinstance(m.get("target"), Mapping)
        and number(m["target"].get("value")) is not None
        for _, m in metrics
    )
    if not has_target:
        paths.append("metrics.items")
    has_guardrail = any(m.get("kind") == GUARDRAIL for _, m in metrics)
    if not has_guardrail and not filled(snapshot.get("ab_test.guardrail_metrics")):
        paths.extend(["metrics.items", "ab_test.guardrail_metrics"])
    if paths:
        yield fail(*paths)


@rule(
    "MET-05",
    severity=Severity.WARNING,
    section="metrics",
    reads=["metrics.items.*.name", "model.task_type", "data.class_balance.positive_rate"],
    message=gettext_noop(
        "Offline metrics {names} do not fit a {task_type} task; consider {allowed}."
    ),
    variants={
        "accuracy_only": gettext_noop(
            "Accuracy is misleading at a {positive_rate:.1%} positive rate; add PR-AUC, "
            "log loss/NE or recall at fixed precision."
        ),
    },
    source=(
        'IF "how do you choose among these? imbalanced datasets"; AX offline-metric table; HU ch. 4'
    ),
)
def met_05(snapshot: DocumentSnapshot, ctx: RuleContext) -> Iterator[Failure]:
    config = ctx.config
    task = task_type(snapshot)
    offline = canonical_offline(snapshot, config)
    paths = [f"metrics.items.{i}.name" for i, _, _ in offline] or ["metrics.items"]
    allowed = config.allowed_offline_metrics.get(task) if isinstance(task, str) else None
    if allowed is not None and not any(canonical in allowed for _, _, canonical in offline):
        yield fail(
            *paths,
            names=", ".join(name for _, name, _ in offline) or NONE_LISTED,
            task_type=task,
            allowed=", ".join(allowed),
        )
    rate = number(snapshot.get("data.class_balance.positive_rate"))
    if (
        in_set(task, config.members("CLASSIF"))
        and rate is not None
        and rate < config.threshold("imbalance_positive_rate")
        and offline
        and all(canonical in config.members("ACCURACY_METRICS") for _, _, canonical in offline)
    ):
        yield fail(
            *paths,
            "data.class_balance.positive_rate",
            variant="accuracy_only",
            positive_rate=rate,
        )
