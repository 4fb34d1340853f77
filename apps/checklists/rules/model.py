"""Baseline and model rules (BAS-01 … MOD-03)."""

from collections.abc import Iterator

from django.utils.translation import gettext_noop

from apps.checklists.rules.base import (
    Failure,
    RuleContext,
    Severity,
    fail,
    filled,
    fmt,
    in_set,
    is_online,
    label,
    number,
    offline_names,
    rows,
    rule,
)
from apps.checklists.snapshot import DocumentSnapshot

# Baseline & model ---------------------------------------------------------------------------


@rule(
    "BAS-01",
    severity=Severity.ERROR,
    section="baseline",
    reads=["baseline.baselines.*.stage"],
    message=gettext_noop(
        "Add a non-ML heuristic baseline (e.g. most popular / top-rated, rules, last value) "
        "before any model."
    ),
    source=(
        "RU-G («лучшие товары по рейтингу»); RU-C 4 stages («Эвристика»); ROML #1; HU19; "
        "MLTS Model 5"
    ),
)
def bas_01(snapshot: DocumentSnapshot, ctx: RuleContext) -> Iterator[Failure]:
    heuristic = ctx.config.members("HEURISTIC_STAGES")
    if not any(
        in_set(b.get("stage"), heuristic) for _, b in rows(snapshot.get("baseline.baselines"))
    ):
        yield fail("baseline.baselines")


@rule(
    "BAS-02",
    severity=Severity.WARNING,
    section="baseline",
    reads=["baseline.baselines.*.compared_on", "metrics.items.*.name"],
    message=gettext_noop(
        "Say on which offline metric the baseline '{name}' is compared with the model."
    ),
    source="MLTS Model 5; BK ch. 8; HU ch. 6 (metrics need baselines)",
)
def bas_02(snapshot: DocumentSnapshot, ctx: RuleContext) -> Iterator[Failure]:
    names = offline_names(snapshot)
    for i, baseline in rows(snapshot.get("baseline.baselines")):
        if not in_set(baseline.get("compared_on"), frozenset(names)):
            yield fail(f"baseline.baselines.{i}.compared_on", name=label(baseline, i))


@rule(
    "MOD-01",
    severity=Severity.ERROR,
    section="model",
    reads=["model.task_type", "model.X", "model.y", "model.loss"],
    message=gettext_noop("State the ML task type, what X and y are, and the loss."),
    source="RU-G «Задача, Loss, X/y»; AX framing; HU19",
)
def mod_01(snapshot: DocumentSnapshot, ctx: RuleContext) -> Iterator[Failure]:
    paths = [
        f"model.{key}"
        for key in ("task_type", "X", "y", "loss")
        if not filled(snapshot.get(f"model.{key}"))
    ]
    if paths:
        yield fail(*paths)


@rule(
    "MOD-02",
    severity=Severity.WARNING,
    section="model",
    reads=["model.candidates"],
    message=gettext_noop(
        "Compare at least two candidate models with pros and cons and mark exactly one as chosen."
    ),
    source='ZH-F "比较不同选项的优劣"; EY §7.1; BK rubric (alternatives)',
)
def mod_02(snapshot: DocumentSnapshot, ctx: RuleContext) -> Iterator[Failure]:
    candidates = rows(snapshot.get("model.candidates"))
    paths = []
    if len(candidates) < ctx.config.threshold("min_model_candidates"):
        paths.append("model.candidates")
    for i, candidate in candidates:
        paths += [
            f"model.candidates.{i}.{key}"
            for key in ("pros", "cons")
            if not filled(candidate.get(key))
        ]
    chosen = [i for i, c in candidates if c.get("chosen") is True]
    if len(chosen) != 1:
        paths += [f"model.candidates.{i}.chosen" for i in chosen] or ["model.candidates"]
    if paths:
        yield fail(*paths)


@rule(
    "MOD-03",
    severity=Severity.ERROR,
    section="model",
    reads=[
        "serving.mode",
        "requirements.latency_budget_ms",
        "serving.latency_breakdown",
        "model.candidates.*.latency_estimate_ms",
    ],
    message=gettext_noop(
        "The latency plan exceeds the budget ({total} ms > {budget} ms) or the chosen model "
        "({model_ms} ms) does not fit its stage ({stage_ms} ms)."
    ),
    source=(
        'ZH-F "模型选择,考虑来自系统的constraint… prediction latency, memory"; EY §6.3; BK ch. 15'
    ),
)
def mod_03(snapshot: DocumentSnapshot, ctx: RuleContext) -> Iterator[Failure]:
    if not is_online(snapshot, ctx.config):
        return
    budget, budget_path = None, "requirements.latency_budget_ms.p99"
    for quantile in ("p99", "p95"):
        value = number(snapshot.get(f"requirements.latency_budget_ms.{quantile}"))
        if value is not None and value > 0:
            budget, budget_path = value, f"requirements.latency_budget_ms.{quantile}"
            break
    breakdown = rows(snapshot.get("serving.latency_breakdown"))
    timed = [(j, ms) for j, s in breakdown if (ms := number(s.get("p99_ms"))) is not None]
    total = sum(ms for _, ms in timed) if timed else None
    markers = ctx.config.members("MODEL_STAGE_MARKERS")
    stage_names = {j: s.get("stage") for j, s in breakdown}
    model_stage = next(
        (
            (j, ms)
            for j, ms in timed
            if isinstance(stage_names[j], str)
            and any(marker in stage_names[j].lower() for marker in markers)
        ),
        None,
    )
    limit = model_stage[1] if model_stage else budget
    limit_path = (
        f"serving.latency_breakdown.{model_stage[0]}.p99_ms" if model_stage else budget_path
    )

    paths = []
    if total is not None and budget is not None and total > budget:
        paths += ["serving.latency_breakdown", budget_path]
    chosen = [
        (i, number(c.get("latency_estimate_ms")))
        for i, c in rows(snapshot.get("model.candidates"))
        if c.get("chosen") is True
    ]
    model_ms = next((ms for _, ms in chosen if ms is not None), None)
    for i, estimate in chosen:
        if estimate is not None and limit is not None and estimate > limit:
            paths += [f"model.candidates.{i}.latency_estimate_ms", limit_path]
            model_ms = estimate
    if paths:
        yield fail(
            *paths,
            total=fmt(total),
            budget=fmt(budget),
            model_ms=fmt(model_ms),
            stage_ms=fmt(limit),
        )
