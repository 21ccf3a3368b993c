"""Turn the large-archive benchmarks' JSON into the table of bench/RESULTS.md (printed on stdout).

python3 bench/archives/report.py bench/.results/archives.json
"""

from __future__ import annotations

import json
import sys
from typing import Any

ENGINES = ("--jobs 1", "--jobs 2", "spark local[2]")
INTERLEAVED = "--jobs 2 against 1, interleaved"  # test_jobs_2_against_1_interleaved
CORES = {"--jobs 1": 1, "--jobs 2": 2, "spark local[2]": 2}


def table(data: dict[str, Any]) -> str:
    runs: dict[tuple[str, str], dict[str, Any]] = {}
    for bench in data["benchmarks"]:
        info = bench["extra_info"]
        runs[(info["kind"], info["engine"])] = info
    out = [
        "| work | engine | wall | records/s | MB/s | per core, records/s | vs one process | per core vs one"
        " process | CPU s | records per CPU-s | vs one process | load (1 min) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    if not any(engine in ENGINES for _, engine in runs):  # only the interleaved runs
        out = []
    for kind in ("match", "redact"):
        base = runs.get((kind, "--jobs 1"))
        for engine in ENGINES:
            info = runs.get((kind, engine))
            if info is None:
                continue
            wall = info["wall_seconds"]
            rate = info["lines"] / wall
            per_core = rate / CORES[engine]
            ratio = base["wall_seconds"] / wall if base else float("nan")
            core_ratio = ratio / CORES[engine]
            cpu = info["cpu_seconds"]
            per_cpu = info["lines"] / cpu if cpu else None
            base_cpu = base["lines"] / base["cpu_seconds"] if base and base["cpu_seconds"] else None
            cpu_cells = (
                f"{cpu:.1f} | {per_cpu:,.0f} | {per_cpu / base_cpu:.0%}" if per_cpu and base_cpu else " | | "
            )
            out.append(
                f"| {kind} | {engine} | {wall:.1f} s | {rate:,.0f} | {info['bytes'] / wall / 1e6:.1f} | "
                f"{per_core:,.0f} | {ratio:.2f}x | {core_ratio:.0%} | {cpu_cells} | {info['loadavg']:.2f} |"
            )
    for kind in ("match", "redact"):
        split = runs.get((kind, "spark local[2]"), {}).get("cpu_split")
        if split:
            parts = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in split.items())
            out.append(f"\n{kind}: Spark's CPU time: {parts}")
    for kind in ("match", "redact"):
        base = runs.get((kind, "--jobs 1"))
        if base and base["cpu_seconds"]:
            per_cpu_bytes = base["bytes"] / base["cpu_seconds"]
            out.append(
                f"\n{kind}: one process handles {per_cpu_bytes / 1e6:.1f} MB per CPU-second: "
                f"{1e12 / per_cpu_bytes / 3600:.1f} core-hours per TB"
            )
    interleaved = [runs[(kind, INTERLEAVED)] for kind in ("match", "redact") if (kind, INTERLEAVED) in runs]
    if interleaved:
        out.append(
            "\n| work | rounds | median CPU s, --jobs 1 | --jobs 2 | --jobs 2 per CPU-s vs one process "
            "| median wall, --jobs 1 | --jobs 2 | speed-up | load (1 min, start-end) |"
        )
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for info in interleaved:
            cpu, wall, load = info["median_cpu_seconds"], info["median_wall_seconds"], info["loadavg"]
            out.append(
                f"| {info['kind']} | {info['rounds']} | {cpu['1']:.2f} | {cpu['2']:.2f} | "
                f"{info['cpu_per_record_ratio']:.0%} | {wall['1']:.2f} s | {wall['2']:.2f} s | "
                f"{info['wall_speed_up']:.2f}x | {load[0]:.1f}-{load[1]:.1f} |"
            )
    return "\n".join(out)


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as fh:
        print(table(json.load(fh)))


if __name__ == "__main__":
    main()
