"""The "without the native core" section of RESULTS.md, from a JSON of test_bench_native.py.

python3 bench/event_patterns/native_report.py bench/.results/native.json --results bench/RESULTS.md
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from report import SECTION as PATTERNS_SECTION
from report import produced_by, replace_section

SECTION = "## Event-pattern matching without the native core"
COMMAND = (
    "python3 -m pytest bench/event_patterns/test_bench_native.py "
    "--benchmark-json=bench/.results/native.json && "
    "python3 bench/event_patterns/native_report.py bench/.results/native.json --results bench/RESULTS.md"
)


def report(path: Path) -> str:
    raw = json.loads(path.read_text(encoding="utf-8"))
    cells: dict[str, dict[str, float]] = {}
    for bench in raw["benchmarks"]:
        info = bench.get("extra_info", {})
        if "engine" not in info:
            continue
        per_event = bench["stats"]["median"] / max(1, int(info.get("events_per_call", 1)))
        cells.setdefault(info["workload"], {})[info["engine"]] = per_event
    head = raw.get("tamis_bench", {})
    lines = [
        SECTION,
        "",
        *produced_by(COMMAND),
        "",
        f"Run {raw.get('datetime')} at commit {head.get('git_head', '?')}; medians per event, same run."
        " *python* is the pure-Python twin that runs where the C extension could not be built at install"
        " time; both give the same answers (tests/event_patterns/test_matcher_native.py).",
        "",
        "| workload | floor | native | python | native / floor | python / floor | python / native |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for workload in cells:  # in the order the suite ran them
        row = cells.get(workload)
        if not row or not {"floor", "native", "python"} <= set(row):
            continue
        f, n, p = row["floor"], row["native"], row["python"]
        times = " | ".join(f"{t * 1e6:.2f} µs" for t in (f, n, p))
        lines.append(f"| {workload} | {times} | {n / f:.2f}x | {p / f:.2f}x | {p / n:.2f}x |")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    text = report(Path(argv[0]))
    if len(argv) >= 3 and argv[1] == "--results":
        results = Path(argv[2])
        document = results.read_text(encoding="utf-8")
        results.write_text(replace_section(document, text, SECTION, after=PATTERNS_SECTION), encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
