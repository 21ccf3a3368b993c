"""Turn the pytest-benchmark JSON of the per-kind sweeps of bench/event_patterns/test_bench_scale.py
(``test_kind_build``, ``test_kind_per_event``) into two charts and a table.

    python3 bench/event_patterns/scale_report.py bench/.results/scale-kinds.json bench/.results/huge/*.json \
        --charts bench/event_patterns --results bench/RESULTS.md

Charts (log-log, one line per rule kind): build seconds against rule count (``scale_build.png``), and
per-event time, absolute and as a ratio to the floor interleaved in the same loop (``scale_per_event.png``).
Several JSON files are merged (a later file's figure wins for the same kind and size), so the 100,000-rule
sizes can be run on their own, one pytest process per kind (``DEFAULT_COMMAND``): each build is then the
first of its process, and a run that is stopped keeps the kinds it finished. Without ``--results`` the
subsection is printed; with it, only the subsection ``SUBSECTION`` of the issue-17 section of RESULTS.md is
replaced (inserted at that section's end if absent).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from report import produced_by, save_figure

SECTION = "## Event matching at scale (issue 17)"
SUBSECTION = "### Per rule kind, 100 to 100,000 rules"
BUILD_CHART = "scale_build.png"
EVENT_CHART = "scale_per_event.png"
KINDS_SHELL = (
    "$(python3 -c \"import sys; sys.path[:0] = ['bench/event_patterns', 'bench']; import scale_data; "
    'print(*scale_data.KINDS)")'
)
DEFAULT_COMMAND = (
    "TAMIS_BENCH_BUDGET=0.3 python3 -m pytest bench/event_patterns/test_bench_scale.py -k test_kind "
    '-m "not huge" --benchmark-json=bench/.results/scale-kinds.json\n'
    "mkdir -p bench/.results/huge\n"
    f"for kind in {KINDS_SHELL}; do\n"
    "  TAMIS_BENCH_BUDGET=0.3 TAMIS_KIND_SIZES=100000 python3 -m pytest "
    'bench/event_patterns/test_bench_scale.py -m huge -k "test_kind_per_event and [$kind-100000]" '
    "--benchmark-json=bench/.results/huge/event-$kind.json\n"
    "done\n"
    "python3 bench/event_patterns/scale_report.py bench/.results/scale-kinds.json bench/.results/huge/*.json "
    "--charts bench/event_patterns --results bench/RESULTS.md"
)


@dataclass
class Point:
    """One rule kind at one size: what the build and per-event benchmarks recorded."""

    build_seconds: float | None = None  # fresh interpreter (test_kind_build)
    rss_bytes_per_rule: float | None = None
    build_in_process: float | None = None  # the per-event benchmark's own build (first of its process)
    rss_in_process: float | None = None
    per_event: float | None = None  # median seconds
    floor_ratio: float | None = None  # interleaved, same loop
    matched: int | None = None
    reference_checked: bool | None = None
    event_bytes: int | None = None


@dataclass
class Run:
    """Where the figures come from: one entry per JSON file."""

    points: dict[str, dict[int, Point]] = field(default_factory=dict)  # kind -> rules -> point
    runs: list[dict[str, Any]] = field(default_factory=list)


def load(paths: Iterable[Path]) -> Run:
    run = Run()
    for path in paths:
        raw = json.loads(path.read_text(encoding="utf-8"))
        meta = dict(raw.get("tamis_bench", {}))
        meta.update(datetime=raw.get("datetime"), file=path.name)
        run.runs.append(meta)
        for bench in raw["benchmarks"]:
            info = bench.get("extra_info", {})
            kind, rules, measure = info.get("kind"), info.get("rules"), info.get("measure")
            if kind is None or rules is None or measure is None:
                continue
            point = run.points.setdefault(kind, {}).setdefault(int(rules), Point())
            if measure == "build":
                point.build_seconds = info.get("build_seconds")
                point.rss_bytes_per_rule = info.get("rss_bytes_per_rule")
            else:
                point.per_event = bench["stats"]["median"]
                point.floor_ratio = info.get("floor_ratio_interleaved")
                point.matched = info.get("matched")
                point.reference_checked = info.get("reference_checked")
                point.event_bytes = info.get("event_bytes")
                point.build_in_process = info.get("build_seconds_in_process")
                point.rss_in_process = info.get("rss_bytes_per_rule_in_process")
    return run


def build_of(p: Point) -> tuple[float | None, bool]:
    """Build seconds, fresh interpreter first; True when the figure is the per-event benchmark's own."""
    if p.build_seconds is not None:
        return p.build_seconds, False
    return p.build_in_process, p.build_in_process is not None


def rss_of(p: Point) -> tuple[float | None, bool]:
    if p.rss_bytes_per_rule is not None:
        return p.rss_bytes_per_rule, False
    return p.rss_in_process, p.rss_in_process is not None


# ---------------------------------------------------------------------------------------------------------


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds >= 1:
        return f"{seconds:,.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:,.1f} ms"
    value = seconds * 1e6
    return f"{value:,.2f} µs" if value < 10 else f"{value:,.1f} µs"


def times(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}x" if value >= 100 else f"{value:.1f}x" if value >= 10 else f"{value:.2f}x"


def table(run: Run) -> list[str]:
    lines = [
        "| kind | rules | build (fresh interpreter) | build growth | RSS per rule | per event "
        "| / floor (interleaved) | matched | vs reference |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for kind, sizes in run.points.items():
        previous: tuple[int, float] | None = None
        for rules in sorted(sizes):
            p = sizes[rules]
            build, build_mark = build_of(p)
            per_rule, rss_mark = rss_of(p)
            growth = "—"
            if previous is not None and build:
                growth = f"{build / previous[1]:.1f}x for {rules / previous[0]:,.0f}x rules"
            if build:
                previous = (rules, build)
            rss = f"{per_rule:,.0f} B{' *' * rss_mark}" if per_rule is not None else "—"
            checked = {True: "agrees", False: "not run (tests/ absent)", None: "—"}[p.reference_checked]
            matched = "—" if p.matched is None else f"{p.matched:,}"
            lines.append(
                f"| {kind} | {rules:,} | {duration(build)}{' *' * build_mark} | {growth} | {rss} "
                f"| {duration(p.per_event)} | {times(p.floor_ratio)} | {matched} | {checked} |"
            )
    return lines


def charts(run: Run, folder: Path) -> tuple[Path, Path]:
    """The two log-log charts, one line per kind."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    colours = plt.get_cmap("tab20").colors
    markers = "os^vD<>pPhX*d"
    style = {
        kind: (colours[k % len(colours)], markers[k % len(markers)]) for k, kind in enumerate(run.points)
    }
    sizes = sorted({n for per in run.points.values() for n in per})

    def axes_style(ax: Any, ylabel: str) -> None:
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(sizes, [f"{n:,}" for n in sizes])
        ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda y, _: f"{y:g}"))
        ax.set_xlabel("rules of one kind in the set")
        ax.set_ylabel(ylabel)
        ax.grid(True, which="both", alpha=0.3)

    def line(ax: Any, kind: str, value: Any) -> None:
        points = sorted((n, value(p)) for n, p in run.points[kind].items() if value(p) is not None)
        if points:
            colour, marker = style[kind]
            ax.plot([n for n, _ in points], [v for _, v in points], marker=marker, color=colour, label=kind)

    fig, ax = plt.subplots(figsize=(8, 5.2), dpi=110)
    for kind in run.points:
        line(ax, kind, lambda p: build_of(p)[0])
    if sizes:  # slope 1 through the first size's median: where linear growth would put each size
        firsts = sorted(
            b for per in run.points.values() if (p := per.get(sizes[0])) and (b := build_of(p)[0])
        )
        if firsts:
            base = firsts[len(firsts) // 2]
            ax.plot(sizes, [base * n / sizes[0] for n in sizes], color="grey", linestyle=":", label="linear")
    ax.axhline(10, color="grey", linestyle="--", label="target: 100,000 mixed in 10 s")
    axes_style(ax, "build seconds (compile and first match included, log)")
    ax.set_title("Build time by rule kind (each the first build of its process)")
    ax.legend(fontsize=7, ncol=2)
    build_path = folder / BUILD_CHART
    save_figure(fig, build_path)

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5.2), dpi=110)
    for kind in run.points:
        line(left, kind, lambda p: p.per_event * 1e6 if p.per_event is not None else None)
        line(right, kind, lambda p: p.floor_ratio)
    axes_style(left, "median time per event (µs, log)")
    left.set_title("Per event")
    axes_style(right, "time per event / orjson.loads floor (interleaved, log)")
    right.axhline(8, color="grey", linestyle=":", label="8x floor (target at 10,000)")
    right.axhline(10, color="grey", linestyle="--", label="10x floor (target at 100,000)")
    right.set_title("Per event, against the parse floor")
    right.legend(fontsize=7, ncol=2)
    event_path = folder / EVENT_CHART
    save_figure(fig, event_path)
    return build_path, event_path


def describe(run: Run) -> str:
    """When, where and under what load the files were taken, in one line."""
    stamps = sorted(str(m["datetime"])[:16] for m in run.runs if m.get("datetime"))
    heads = sorted({str(m.get("git_head")) for m in run.runs})
    loads = [
        v[0]
        for m in run.runs
        for v in (m.get("loadavg_start"), m.get("loadavg_end"))
        if v and isinstance(v[0], int | float)
    ]
    first = run.runs[0] if run.runs else {}
    when = f"{stamps[0]} to {stamps[-1]}Z" if stamps else "?"
    load = f"{min(loads):.1f} to {max(loads):.1f}" if loads else "?"
    return (
        f"{len(run.runs)} JSON file(s) finished {when}, at commit(s) {', '.join(heads)}; "
        f"{first.get('cpu_count', '?')} cores, CPython {first.get('python', '?')}; 1-minute load average "
        f"{load} at the runs' starts and ends"
    )


def section(run: Run, command: str, chart_paths: tuple[Path, Path] | None, base: Path) -> str:
    parts = [
        SUBSECTION,
        "",
        *produced_by(command),
        "",
        f"Runs: {describe(run)}.",
        "",
    ]
    if chart_paths is not None:
        alts = ("build time against rule count", "per-event time against rule count")
        for path, alt in zip(chart_paths, alts, strict=True):
            rel = Path(os.path.relpath(path.resolve(), base.resolve())).as_posix()
            parts += [f"![{alt}]({rel})", ""]
    parts += [*table(run), ""]
    if any(build_of(p)[1] or rss_of(p)[1] for per in run.points.values() for p in per.values()):
        parts += [
            "\\* the per-event benchmark's own build, the first and only one of its pytest process (imports "
            "warmed first, as in the fresh interpreter), where no fresh-interpreter build was measured.",
            "",
        ]
    return "\n".join(parts)


def replace_subsection(
    document: str, new: str, section_heading: str = SECTION, heading: str = SUBSECTION
) -> str:
    """Swap the subsection ``heading`` of section ``section_heading`` (up to the next "### " or "## "
    heading) for ``new``; a missing subsection goes at the end of the section."""
    lines = document.splitlines()
    if section_heading not in lines:
        raise SystemExit(f"{section_heading!r} not found: run the scale benchmarks' section first")
    top = lines.index(section_heading)
    bottom = next((i for i in range(top + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    if heading in lines[top:bottom]:
        start = lines.index(heading, top)
        end = next(
            (i for i in range(start + 1, bottom) if lines[i].startswith(("## ", "### "))),
            bottom,
        )
    else:
        start = end = bottom
    body = [*new.rstrip("\n").splitlines(), ""]
    return "\n".join(lines[:start] + body + lines[end:]).rstrip("\n") + "\n"


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("json", type=Path, nargs="+", help="pytest-benchmark JSON files (--benchmark-json)")
    parser.add_argument("--charts", type=Path, help=f"folder for {BUILD_CHART} and {EVENT_CHART}")
    parser.add_argument("--results", type=Path, help="RESULTS.md whose per-kind subsection is replaced")
    parser.add_argument("--command", default=DEFAULT_COMMAND, help="the commands recorded in the subsection")
    args = parser.parse_args(list(argv) if argv is not None else None)
    run = load(args.json)
    if not run.points:
        print("no per-kind benchmarks (test_kind_build, test_kind_per_event) in the JSON", file=sys.stderr)
        return 1
    chart_paths = charts(run, args.charts) if args.charts is not None else None
    base = args.results.parent if args.results else Path.cwd()
    text = section(run, args.command, chart_paths, base)
    if args.results is None:
        sys.stdout.write(text)
        return 0
    document = args.results.read_text(encoding="utf-8")
    args.results.write_text(replace_subsection(document, text), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
