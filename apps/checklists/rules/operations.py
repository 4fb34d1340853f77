"""Serving and monitoring rules (SRV-01 … MON-03)."""

# Messages and sources quote CONTENT_SPEC §2.2 verbatim: Greek letters, typographic dashes and
# Cyrillic titles of the Russian sources are intended.

from collections.abc import Iterator

from django.utils.translation import gettext_noop

from apps.checklists.rules.base import (
    BATCH,
    Failure,
    RuleContext,
    Severity,
    fail,
    filled,
    in_set,
    label,
    rows,
    rule,
)
from apps.checklists.snapshot import DocumentSnapshot

# Serving & monitoring -----------------------------------------------------------------------


@rule(
    "SRV-01",
    severity=Severity.ERROR,
    section="serving",
    reads=["serving.mode", "serving.inference_location", "serving.batch_schedule"],
    message=gettext_noop(
        "Choose batch / online / streaming serving and server / device inference; batch jobs "
        "need a schedule."
    ),
    source='ZH-F "server or device… batch prediction or online prediction"; IF; HU ch. 7',
)
def srv_01(snapshot: DocumentSnapshot, ctx: RuleContext) -> Iterator[Failure]:
    mode = snapshot.get("serving.mode")
    paths = []
    if not in_set(mode, ctx.config.enum("serving_mode")):
        paths.append("serving.mode")
    if not in_set(
        snapshot.get("serving.inference_location"), ctx.config.enum("inference_location")
    ):
        paths.append("serving.inference_location")
    if mode == BATCH and not filled(snapshot.get("serving.batch_schedule")):
        paths.append("serving.batch_schedule")
    if paths:
        yield fail(*paths)


@rule(
    "SRV-02",
    severity=Severity.WARNING,
    section="serving",
    reads=["serving.rollout.stages", "serving.rollback", "serving.fallback"],
    message=gettext_noop(
        "Describe the rollout (shadow → canary → A/B), how to roll back, and the fallback "
        "when the model or features are unavailable."
    ),
    source="IF (shadow/competing models); MLTS Infra 6–7; ZH-F 兜底; BK ch. 13",
)
def srv_02(snapshot: DocumentSnapshot, ctx: RuleContext) -> Iterator[Failure]:
    paths = [
        path
        for path in ("serving.rollout.stages", "serving.rollback", "serving.fallback")
        if not filled(snapshot.get(path))
    ]
    if paths:
        yield fail(*paths)


@rule(
    "MON-01",
    severity=Severity.ERROR,
    section="monitoring",
    reads=["monitoring.signals.*.category"],
    message=gettext_noop(
        "Monitor three layers: operational (latency, QPS, errors), data (quality/drift) and "
        "model quality."
    ),
    source=(
        "ZH-F (latency, QPS, precision/recall, data & concept drift, CPU, memory); HU ch. 8; "
        "MLTS Monitor 1–7"
    ),
)
def mon_01(snapshot: DocumentSnapshot, ctx: RuleContext) -> Iterator[Failure]:
    categories = {s.get("category") for _, s in rows(snapshot.get("monitoring.signals"))}
    layers = ctx.config.monitoring_layers.values()
    if not all(categories & set(layer) for layer in layers):
        yield fail("monitoring.signals")


@rule(
    "MON-02",
    severity=Severity.WARNING,
    section="monitoring",
    reads=["monitoring.signals.*.threshold", "monitoring.signals.*.action"],
    message=gettext_noop(
        "Give signal '{name}' a threshold and an action (alert, page, retrain, rollback)."
    ),
    source='EY §6.6; BK checklist "Alert thresholds"',
)
def mon_02(snapshot: DocumentSnapshot, ctx: RuleContext) -> Iterator[Failure]:
    for i, signal in rows(snapshot.get("monitoring.signals")):
        paths = [
            f"monitoring.signals.{i}.{key}"
            for key in ("threshold", "action")
            if not filled(signal.get(key))
        ]
        if paths:
            yield fail(*paths, name=label(signal, i))


@rule(
    "MON-03",
    severity=Severity.ERROR,
    section="monitoring",
    reads=["monitoring.retraining.cadence", "monitoring.retraining.triggers"],
    message=gettext_noop(
        "State how often the model is retrained (and full vs incremental) and what triggers "
        "retraining."
    ),
    source='ZH-F "retrain strategy, 全量训练 + 增量训练"; HU ch. 9; MLTS Model 4',
)
def mon_03(snapshot: DocumentSnapshot, ctx: RuleContext) -> Iterator[Failure]:
    paths = [
        path
        for path in ("monitoring.retraining.cadence", "monitoring.retraining.triggers")
        if not filled(snapshot.get(path))
    ]
    if paths:
        yield fail(*paths)
