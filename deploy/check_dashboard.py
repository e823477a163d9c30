"""Checks deploy/grafana/flight-cluster.json: valid JSON, and every flight_* series it queries is one
the processes export, as named in flight-otel's FlightMetrics (Prometheus names: underscores, the
unit suffix, _total for counters, _bucket/_count/_sum for histograms)."""
import json
import re
import sys
from pathlib import Path


def exported(source: str) -> set[str]:
    names = set()
    for name in re.findall(r'"(flight\.[a-z_.]+)"', source):
        base = name.replace(".", "_")
        for suffix in ("", "_bytes", "_seconds"):
            for kind in ("", "_total", "_bucket", "_count", "_sum"):
                names.add(base + suffix + kind)
    return names


def main(argv: list[str]) -> int:
    dashboard, metrics_source = Path(argv[1]), Path(argv[2])
    known = exported(metrics_source.read_text())
    doc = json.loads(dashboard.read_text())
    used = {m for panel in doc["panels"] for target in panel["targets"]
            for m in re.findall(r"\bflight_[a-z_]+", target["expr"])}
    # flight_dataset is the dataset label, not a metric.
    unknown = sorted(used - known - {"flight_dataset"})
    for name in unknown:
        print(f"ERROR dashboard: {name} is not a metric the processes export", file=sys.stderr)
    return 1 if unknown or not used else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
