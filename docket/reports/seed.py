"""The metric sets of the published reports, shipped as data (``data/metric_sets.json``)."""

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data" / "metric_sets.json"


def seed_metric_sets(MetricSet: Any, Metric: Any) -> int:
    created = 0
    for spec in json.loads(DATA.read_text(encoding="utf-8")):
        if MetricSet.objects.filter(key=spec["key"]).exists():
            continue
        metric_set = MetricSet.objects.create(
            key=spec["key"],
            name=spec["name"],
            valid_from=spec["valid_from"],
            text_zh=spec["text_zh"],
            text_en=spec["text_en"],
        )
        Metric.objects.bulk_create([Metric(metric_set=metric_set, order=i, **m) for i, m in enumerate(spec["metrics"])])
        created += 1
    return created
