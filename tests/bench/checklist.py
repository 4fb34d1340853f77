"""Benchmark: the checklist on a full document with 200 list rows, against a bare baseline.

Run with `make bench`. Reports medians and the ratio to a bare pass over the same data in the
same run (a JSON round trip of the canonical fields), never a timed assert.
"""

import copy
import json
import os
import statistics
import time
from pathlib import Path

import django
import yaml

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mlsd_portal.settings")
django.setup()

from apps.checklists import engine, snapshot  # noqa: E402

APPENDIX_A = Path(__file__).resolve().parents[1] / "checklists" / "appendix_a.yaml"
ROWS = 200
REPEATS = 30


def full_document() -> dict:
    """The worked example with its feature table grown to 200 rows in all lists."""
    data = yaml.safe_load(APPENDIX_A.read_text())
    features = data["entities"]["features"]
    rows = sum(
        len(v)
        for group in data.values()
        if isinstance(group, dict)
        for v in group.values()
        if isinstance(v, list)
    )
    for index in range(max(0, ROWS - rows)):
        extra = copy.deepcopy(features[index % len(features)])
        extra["name"] = f"{extra['name']}_{index}"
        features.append(extra)
    return data


def median_ms(fn) -> float:
    samples = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    data = full_document()
    snap = snapshot.from_canonical(data, "ml_system_design")
    findings = engine.run_checklist(snap)
    baseline = median_ms(lambda: json.loads(json.dumps(data)))
    checklist = median_ms(lambda: engine.run_checklist(snap))
    statuses = median_ms(lambda: engine.rule_statuses(snap))
    print(f"checklist on a full document ({ROWS} list rows, {len(findings)} findings)")
    print(f"  bare baseline (JSON round trip): {baseline:8.3f} ms")
    print(f"  run_checklist:                   {checklist:8.3f} ms  ({checklist / baseline:.1f}x)")
    print(f"  rule_statuses:                   {statuses:8.3f} ms  ({statuses / baseline:.1f}x)")


if __name__ == "__main__":
    main()
