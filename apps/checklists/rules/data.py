"""Entities, features and data rules (ENT-01 … DAT-06)."""

# Messages and sources quote CONTENT_SPEC §2.2 verbatim: Greek letters, typographic dashes and
# Cyrillic titles of the Russian sources are intended.

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_noop

from apps.checklists.rules.base import (
    Failure,
    RuleContext,
    Severity,
    canonical_offline,
    chars,
    fail,
    filled,
    in_set,
    label,
    number,
    rows,
    rule,
    task_type,
)
from apps.checklists.snapshot import DocumentSnapshot

# Entities & features ------------------------------------------------------------------------


@rule(
    "ENT-01",
    severity=Severity.ERROR,
    section="entities",
    reads=["entities.items", "model.task_type"],
    message=gettext_noop(
        "List the entities (e.g. user, item) with their attributes; "
        "ranking/recommendation needs at least two."
    ),
    source='RU-G «Сущности… Характеристики сущностей»; ZH-F "user, item and cross, context"',
)
def ent_01(snapshot: DocumentSnapshot, ctx: RuleContext) -> Iterator[Failure]:
    entities = rows(snapshot.get("entities.items"))
    paths = [] if entities else ["entities.items"]
    paths += [
        f"entities.items.{i}.attributes" for i, e in entities if not filled(e.get("attributes"))
    ]
    if in_set(task_type(snapshot), ctx.config.members("RANKING")) and len(
        entities
    ) < ctx.config.threshold("ranking_min_entities"):
        paths.append("entities.items")
    if paths:
        yield fail(*paths)


@rule(
    "ENT-02",
    severity=Severity.ERROR,
    section="entities",
    reads=["entities.features"],
    message=gettext_noop(
        "Feature '{name}' must reference an entity, declare type and freshness, and be "
        "available at serving time; otherwise it leaks or causes training–serving skew."
    ),
    source="ROML #29, #31, #32; MLTS Monitor 3; ZH-F batch vs real-time features",
)
def ent_02(snapshot: DocumentSnapshot, ctx: RuleContext) -> Iterator[Failure]:
    declared = {
        e["name"] for _, e in rows(snapshot.get("entities.items")) if isinstance(e.get("name"), str)
    } | set(ctx.config.members("ENTITY_PSEUDO_NAMES"))
    freshness = ctx.config.enum("feature_freshness")
    for i, feature in rows(snapshot.get("entities.features")):
        base = f"entities.features.{i}"
        paths = []
        if not in_set(feature.get("entity"), frozenset(declared)):
            paths.append(f"{base}.entity")
        if not filled(feature.get("type")):
            paths.append(f"{base}.type")
        if not in_set(feature.get("freshness"), freshness):
            paths.append(f"{base}.freshness")
        if feature.get("available_at_serving") is not True:
            paths.append(f"{base}.available_at_serving")
        if paths:
            yield fail(*paths, name=label(feature, i))


# Data ---------------------------------------------------------------------------------------


@rule(
    "DAT-01",
    severity=Severity.ERROR,
    section="data",
    reads=["data.sources"],
    message=gettext_noop(
        "List data sources with their kind (log, DB, third party…) and update frequency."
    ),
    source='RU-G «Сбор данных»; ZH-F "identify data"; BK ch. 6',
)
def dat_01(snapshot: DocumentSnapshot, ctx: RuleContext) -> Iterator[Failure]:
    sources = rows(snapshot.get("data.sources"))
    paths = [] if sources else ["data.sources"]
    paths += [
        f"data.sources.{i}.{key}"
        for i, source in sources
        for key in ("name", "kind", "update_frequency")
        if not filled(source.get(key))
    ]
    if paths:
        yield fail(*paths)


@rule(
    "DAT-02",
    severity=Severity.ERROR,
    section="data",
    reads=["data.labels", "model.task_type"],
    message=gettext_noop(
        "Define the label: what counts as positive and negative, and where it comes from "
        "(interactions, annotators, rules)."
    ),
    source=(
        'ZH-F "获取label… positive & negative label"; HU ch. 4; '
        'BK checklist "Planned data labeling process"'
    ),
)
def dat_02(snapshot: DocumentSnapshot, ctx: RuleContext) -> Iterator[Failure]:
    task = task_type(snapshot)
    if in_set(task, ctx.config.members("UNLABELLED_TASKS")):
        return
    paths = []
    if chars(snapshot.get("data.labels.definition")) < ctx.config.threshold(
        "label_definition_min_chars"
    ):
        paths.append("data.labels.definition")
    if not filled(snapshot.get("data.labels.source")):
        paths.append("data.labels.source")
    if in_set(task, ctx.config.members("CLASSIF")):
        paths += [
            f"data.labels.{key}"
            for key in ("positive_definition", "negative_definition")
            if not filled(snapshot.get(f"data.labels.{key}"))
        ]
    if paths:
        yield fail(*paths)


@rule(
    "DAT-03",
    severity=Severity.WARNING,
    section="data",
    reads=["data.labels.source", "data.labels.delay"],
    message=gettext_noop(
        "Natural labels arrive late: state the label delay (feedback-loop length); it "
        "constrains evaluation and retraining."
    ),
    source="HU ch. 4 (natural labels, feedback loop length)",
)
def dat_03(snapshot: DocumentSnapshot, ctx: RuleContext) -> Iterator[Failure]:
    source = snapshot.get("data.labels.source")
    if in_set(source, ctx.config.members("DELAYED_LABEL_SOURCES")) and not filled(
        snapshot.get("data.labels.delay")
    ):
        yield fail("data.labels.delay")


@rule(
    "DAT-04",
    severity=Severity.WARNING,
    section="data",
    reads=["data.class_balance", "model.task_type", "metrics.items.*.name"],
    message=gettext_noop(
        # A literal %: the message is filled by str.format, never by the % operator.
        # xgettext:no-python-format
        "State the positive rate; below 10% describe imbalance handling (resampling, "
        "weights, threshold) or use an imbalance-aware metric."
    ),
    source='ZH-F "非均衡"; HU ch. 4 (class imbalance); IF "Is the data balanced?"',
)
def dat_04(snapshot: DocumentSnapshot, ctx: RuleContext) -> Iterator[Failure]:
    config = ctx.config
    if not in_set(task_type(snapshot), config.members("CLASSIF")):
        return
    rate = number(snapshot.get("data.class_balance.positive_rate"))
    if rate is None or not 0 < rate < 1:
        yield fail("data.class_balance.positive_rate")
        return
    if rate < config.threshold("imbalance_positive_rate") and not filled(
        snapshot.get("data.class_balance.strategy")
    ):
        aware = config.imbalance_aware_metrics
        if not any(canonical in aware for _, _, canonical in canonical_offline(snapshot, config)):
            yield fail("data.class_balance.positive_rate", "data.class_balance.strategy")


def _date_text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


@rule(
    "DAT-05",
    severity=Severity.ERROR,
    section="data",
    reads=["data.is_temporal", "data.split", "model.task_type"],
    message=gettext_noop(
        "Name the split strategy. Temporal data must be split by time (train on the past, "
        "test on the future) with ordered, non-overlapping periods."
    ),
    source=(
        'ROML #33; HU ch. 5 "split data by time… instead of randomly"; '
        "BK ch. 7 (time-series validation, gap)"
    ),
)
def dat_05(snapshot: DocumentSnapshot, ctx: RuleContext) -> Iterator[Failure]:
    config = ctx.config
    temporal = snapshot.get("data.is_temporal")
    strategy = snapshot.get("data.split.strategy")
    time_splits = config.members("TIME_SPLITS")
    paths = []
    if not isinstance(temporal, bool):
        paths.append("data.is_temporal")
    must_split_by_time = temporal is True or in_set(
        task_type(snapshot), config.members("FORECASTING")
    )
    if not filled(strategy) or (must_split_by_time and not in_set(strategy, time_splits)):
        paths.append("data.split.strategy")
    elif in_set(strategy, time_splits):
        # ISO dates (§0.3) order as text. For rolling_time the splits are one fold.
        previous_end = None
        for i, split in rows(snapshot.get("data.split.splits")):
            start, end = _date_text(split.get("start")), _date_text(split.get("end"))
            if start and end and start > end:
                paths.append(f"data.split.splits.{i}.end")
            if previous_end and start and previous_end >= start:
                paths.append(f"data.split.splits.{i}.start")
            previous_end = end
    if paths:
        yield fail(*paths)


@rule(
    "DAT-06",
    severity=Severity.WARNING,
    section="data",
    reads=["data.biases"],
    message=gettext_noop(
        "Identify at least one bias (selection, position, exposure, label noise…) and how "
        "you mitigate it."
    ),
    source='ZH-F "bias"; HU19 "Biases"; ROML #35–#36',
)
def dat_06(snapshot: DocumentSnapshot, ctx: RuleContext) -> Iterator[Failure]:
    biases = rows(snapshot.get("data.biases"))
    paths = [] if biases else ["data.biases"]
    paths += [f"data.biases.{i}.mitigation" for i, b in biases if not filled(b.get("mitigation"))]
    if paths:
        yield fail(*paths)
