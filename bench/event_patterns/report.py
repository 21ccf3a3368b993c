"""Turn a pytest-benchmark JSON of bench/event_patterns/test_bench_matching.py into the RESULTS section and a
chart.

    python3 bench/event_patterns/report.py bench/.results/patterns.json --chart
    bench/event_patterns/rule_count.png \
        --results bench/RESULTS.md --notes bench/event_patterns/notes.md

Every figure is a ratio of medians measured in the same run: tamis against the parse floor
(``orjson.loads`` of the same bytes, timed in the same group) and each peer against tamis. Without
``--results`` the section is printed; with it, only the "## Event-pattern matching" section of RESULTS.md is
replaced (the other sections stay).
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

SECTION = "## Event-pattern matching"
ENGINES = ("floor", "tamis", "moto", "localstack")
PEERS = ("moto", "localstack")
RULESET_SIZES = (1, 100, 1_000, 10_000)
DEFAULT_COMMAND = (
    "python3 -m pytest bench/event_patterns/test_bench_matching.py "
    "--benchmark-json=bench/.results/patterns.json && "
    "python3 bench/event_patterns/report.py bench/.results/patterns.json --chart "
    "bench/event_patterns/rule_count.png "
    "--results bench/RESULTS.md --notes bench/event_patterns/notes.md"
)


@dataclass
class Cell:
    """One engine on one workload: median seconds per event and what it answered."""

    seconds: float
    rounds: int
    info: dict[str, Any] = field(default_factory=dict)


Table = dict[str, dict[str, Cell]]  # workload -> engine -> cell


def load(path: Path, stat: str = "median") -> tuple[Table, dict[str, Any]]:
    """Per workload and engine, seconds per event by ``stat`` (median, or min: the least disturbed round)."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    table: Table = {}
    for bench in raw["benchmarks"]:
        info = bench.get("extra_info", {})
        workload, engine = info.get("workload", bench["group"]), info.get("engine")
        if engine is None:
            continue
        per_event = bench["stats"][stat] / max(1, int(info.get("events_per_call", 1)))
        table.setdefault(workload, {})[engine] = Cell(per_event, bench["stats"]["rounds"], info)
    meta = dict(raw.get("tamis_bench", {}))
    meta["datetime"] = raw.get("datetime")
    meta["cpu"] = raw.get("machine_info", {}).get("cpu", {}).get("brand_raw")
    return table, meta


def us(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    value = seconds * 1e6
    if value >= 100_000:
        return f"{value / 1000:,.0f} ms"
    if value >= 10_000:
        return f"{value / 1000:,.1f} ms"
    return f"{value:,.2f} µs" if value < 10 else f"{value:,.1f} µs"


def ratio(num: float | None, den: float | None) -> float | None:
    if num is None or den is None or den <= 0:
        return None
    return num / den


def fmt_ratio(value: float | None, suffix: str = "x") -> str:
    if value is None:
        return "—"
    if value >= 100:
        return f"{value:,.0f}{suffix}"
    return f"{value:.1f}{suffix}" if value >= 10 else f"{value:.2f}{suffix}"


def seconds(table: Table, workload: str, engine: str) -> float | None:
    cell = table.get(workload, {}).get(engine)
    return cell.seconds if cell else None


def answer(cell: Cell | None) -> str:
    """What an engine answered, compactly: True/False, a match count, or a CityLots total."""
    if cell is None:
        return "—"
    result = cell.info.get("result")
    if isinstance(result, bool):
        return str(result).lower()
    if isinstance(result, list):
        return str(len(result))
    if isinstance(result, dict):
        return str(sum(result.values()))
    return "—"


def agreement(row: dict[str, Cell]) -> str:
    """Which engines answer differently, rule by rule, from the reference interpreter (else from tamis)."""
    reference = next((c.info["reference"] for c in row.values() if c.info.get("reference") is not None), None)
    judged: tuple[str, ...] = ("tamis", *PEERS) if reference is not None else PEERS
    if reference is None:
        tamis = row.get("tamis")
        if tamis is None:
            return "tamis not measured"
        reference = tamis.info.get("result")
    differ = []
    for engine in judged:
        cell = row.get(engine)
        if cell is None:
            continue
        theirs = cell.info.get("result")
        if isinstance(reference, dict) and isinstance(theirs, dict):
            rules = sorted(name for name in reference if reference.get(name) != theirs.get(name))
            if rules:
                differ.append(f"{engine} differs on {_rule_list(rules)}")
        elif reference != theirs:
            differ.append(f"{engine} differs")
    return "; ".join(differ) if differ else "all agree"


def _rule_list(rules: list[str]) -> str:
    """``COMPLEX_ARRAYS-0..4`` style: rule ids grouped by set."""
    sets: dict[str, list[str]] = {}
    for rule in rules:
        head, _, tail = rule.rpartition("-")
        sets.setdefault(head, []).append(tail)
    return ", ".join(f"{head}-{','.join(tails)}" for head, tails in sets.items())


# ---------------------------------------------------------------------------------------------------------


def cloudtrail_rows(table: Table) -> list[tuple[str, str]]:
    rows = [("single-bytes", "1 pattern, event as bytes"), ("single-dict", "1 pattern, event as dict")]
    rows += [(f"ruleset-{n}", f"RuleSet of {n:,} rule{'s' * (n > 1)}, bytes") for n in RULESET_SIZES]
    rows.append(("sns-attributes", "SNS policy, message attributes"))
    return [(w, label) for w, label in rows if w in table]


def main_table(table: Table) -> list[str]:
    head = [
        "| workload | floor | tamis | tamis / floor | (interleaved) | moto | moto / tamis | localstack "
        "| localstack / tamis | matches (tamis/moto/localstack) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    lines = []
    for workload, label in cloudtrail_rows(table):
        row = table[workload]
        floor, tamis = seconds(table, workload, "floor"), seconds(table, workload, "tamis")
        moto, local = seconds(table, workload, "moto"), seconds(table, workload, "localstack")
        answers = "/".join(answer(row.get(e)) for e in ("tamis", "moto", "localstack"))
        lines.append(
            f"| {label} | {us(floor)} | {us(tamis)} | {fmt_ratio(ratio(tamis, floor))} "
            f"| {fmt_ratio(interleaved(table, workload))} | {us(moto)} "
            f"| {fmt_ratio(ratio(moto, tamis))} | {us(local)} | {fmt_ratio(ratio(local, tamis))} "
            f"| {answers} |"
        )
    return head + lines


def citylots_table(table: Table) -> list[str]:
    workloads = sorted((w for w in table if w.startswith("citylots-")), key=_citylots_order)
    if not workloads:
        return ["(CityLots2 rules absent: ../shared/bench/event_ruler_benchmark_rules.json not found)"]
    lines = [
        "| rule set | rules | floor / event | tamis / event | tamis / floor | (interleaved) | tamis events/s "
        "| moto / tamis | localstack / tamis | matches in batch (tamis/moto/localstack) | vs reference |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for workload in workloads:
        row = table[workload]
        floor, tamis = seconds(table, workload, "floor"), seconds(table, workload, "tamis")
        moto, local = seconds(table, workload, "moto"), seconds(table, workload, "localstack")
        rules = next(iter(row.values())).info.get("rules", "?")
        eps = f"{1 / tamis:,.0f}" if tamis else "—"
        answers = "/".join(answer(row.get(e)) for e in ("tamis", "moto", "localstack"))
        lines.append(
            f"| {workload.removeprefix('citylots-')} | {rules} | {us(floor)} | {us(tamis)} "
            f"| {fmt_ratio(ratio(tamis, floor))} | {fmt_ratio(interleaved(table, workload))} | {eps} "
            f"| {fmt_ratio(ratio(moto, tamis))} "
            f"| {fmt_ratio(ratio(local, tamis))} | {answers} | {agreement(row)} |"
        )
    return lines


def _citylots_order(workload: str) -> tuple[int, str]:
    """Single-operator sets first, then PARTIAL_COMBO, then COMBO."""
    rank = {"citylots-PARTIAL_COMBO": 1, "citylots-COMBO": 2}.get(workload, 0)
    return (rank, workload)


@dataclass(frozen=True)
class Target:
    text: str
    workload: str
    kind: str  # "floor": tamis / floor <= bound; "moto": moto / tamis >= bound
    bound: float


TARGETS = [
    Target("single pattern, event as bytes, within 3x the parse floor", "single-bytes", "floor", 3),
    Target("single pattern, event as bytes, at least 8x faster than moto", "single-bytes", "moto", 8),
    Target("single pattern, event as dict, within 3x the parse floor", "single-dict", "floor", 3),
    Target("single pattern, event as dict, at least 8x faster than moto", "single-dict", "moto", 8),
    Target("1,000 rules at least 500x faster than moto", "ruleset-1000", "moto", 500),
    Target("10,000 rules within 8x the parse floor", "ruleset-10000", "floor", 8),
]


def target_value(target: Target, table: Table) -> float | None:
    if target.kind == "floor":
        return ratio(seconds(table, target.workload, "tamis"), seconds(table, target.workload, "floor"))
    return ratio(seconds(table, target.workload, "moto"), seconds(table, target.workload, "tamis"))


def interleaved(table: Table, workload: str, versus: str = "floor") -> float | None:
    """tamis against the floor (tamis / floor) or a peer (peer / tamis), measured chunk after chunk."""
    cell = table.get(workload, {}).get("tamis")
    if cell is None:
        return None
    if versus == "floor":
        value = cell.info.get("floor_ratio_interleaved")
    else:
        value = (cell.info.get("peer_ratio_interleaved") or {}).get(versus)
    return float(value) if value is not None else None


def holds(target: Target, value: float) -> bool:
    return value <= target.bound if target.kind == "floor" else value >= target.bound


def targets_table(table: Table, best: Table) -> list[str]:
    """Each target on medians, on best rounds and interleaved (tamis and the other side chunk after chunk).

    "yes"/"no" when every measurement agrees, otherwise "borderline" with the count that holds.
    """
    lines = [
        "| target | medians | best rounds | interleaved A/B | holds |",
        "|---|---:|---:|---:|---|",
    ]
    for target in TARGETS:
        values = [target_value(target, table), target_value(target, best)]
        values.append(interleaved(table, target.workload, target.kind))
        measured = [v for v in values if v is not None]
        verdicts = [holds(target, v) for v in measured]
        if not measured or target_value(target, table) is None:
            verdict = "not measured"
        elif all(verdicts):
            verdict = "yes"
        elif not any(verdicts):
            verdict = "**no**"
        else:
            verdict = f"borderline ({sum(verdicts)} of {len(verdicts)})"
        unit = " the floor" if target.kind == "floor" else " faster"
        shown = [fmt_ratio(v) + unit if v is not None else "—" for v in values]
        lines.append(f"| {target.text} | {' | '.join(shown)} | {verdict} |")
    return lines


def build_table(table: Table) -> list[str]:
    lines = [
        "| rules | " + " | ".join(e for e in ENGINES[1:]) + " |",
        "|---:|" + "---:|" * (len(ENGINES) - 1),
    ]
    for size in RULESET_SIZES:
        row = table.get(f"ruleset-{size}", {})
        cells = []
        for engine in ENGINES[1:]:
            cell = row.get(engine)
            build = cell.info.get("build_seconds") if cell else None
            cells.append("—" if build is None else us(float(build)))
        lines.append(f"| {size:,} | " + " | ".join(cells) + " |")
    return lines


# ---------------------------------------------------------------------------------------------------------


def produced_by(command: str) -> list[str]:
    """The lines of a section that give the command its figures come from."""
    intro = "Produced by (from the repository root, after `pip install -e '.[bench]'`):"
    return [intro, "", "```", command, "```"]


def save_figure(fig: Any, path: Path) -> None:
    import matplotlib.pyplot as plt

    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def chart(table: Table, path: Path) -> None:
    """Median time per event against rule count (log-log), one line per engine, the floor as a reference."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    fig, ax = plt.subplots(figsize=(7.5, 4.8), dpi=110)
    styles = {"tamis": ("#1b7837", "o"), "moto": ("#b2182b", "s"), "localstack": ("#2166ac", "^")}
    for engine, (colour, marker) in styles.items():
        points = [(n, seconds(table, f"ruleset-{n}", engine)) for n in RULESET_SIZES]
        xs = [n for n, s in points if s is not None]
        ys = [s * 1e6 for _, s in points if s is not None]
        if xs:
            ax.plot(xs, ys, marker=marker, color=colour, label=engine)
    floors = [s for n in RULESET_SIZES if (s := seconds(table, f"ruleset-{n}", "floor")) is not None]
    if floors:
        floor = sorted(floors)[len(floors) // 2] * 1e6
        ax.axhline(floor, color="grey", linestyle="--", label=f"floor: orjson.loads ({floor:.1f} µs)")
        ax.axhline(8 * floor, color="grey", linestyle=":", label="target at 10k rules: 8x floor")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(list(RULESET_SIZES), [f"{n:,}" for n in RULESET_SIZES])
    ax.yaxis.set_major_formatter(
        matplotlib.ticker.FuncFormatter(lambda y, _: f"{y:,.0f}" if y >= 1 else f"{y:g}")
    )
    ax.set_xlabel("rules in the rule set (mixed operators)")
    ax.set_ylabel("median time per event (µs, log)")
    ax.set_title("EventBridge rule set, ~1.2 KB CloudTrail-style event (bytes in)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    save_figure(fig, path)


def section(
    table: Table, best: Table, meta: dict[str, Any], command: str, chart_path: Path | None, base: Path
) -> str:
    versions = meta.get("versions", {})
    event_bytes = next(
        (
            c.info.get("event_bytes")
            for row in table.values()
            for c in row.values()
            if c.info.get("event_bytes")
        ),
        None,
    )
    parts = [
        SECTION,
        "",
        *produced_by(command),
        "",
        f"Machine: {meta.get('cpu_count', '?')} cores ({meta.get('cpu') or 'cpu unknown'}), "
        f"{meta.get('implementation', 'Python')} {meta.get('python', '?')}; run {meta.get('datetime', '?')} "
        f"at commit {meta.get('git_head', '?')}; shared with other work, so absolute times are noisy: "
        "read the ratios, which are measured in the same run, back to back (1-minute load average "
        f"{_first(meta.get('loadavg_start'))} at the start, {_first(meta.get('loadavg_end'))} at the end).",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in versions.items() if v) + ".",
        "",
        "Every figure is the median of the calibrated rounds. *floor* = `orjson.loads` of the same event "
        "bytes, timed in the same group. Peers decode the bytes with `orjson.loads` too and then match; a "
        "peer's rule set is a loop over one matcher per rule (it has no many-rule structure). "
        "*x / tamis* > 1 means tamis is that many times faster. Each target is judged three ways: on the "
        "medians, on the best rounds (the least disturbed by other work), and *interleaved A/B* (tamis and "
        "the other side timed chunk after chunk in one loop, median of the per-pair ratios, so both see the "
        "same disturbance); "
        "*(interleaved)* columns are that A/B ratio against the floor.",
        "",
        f"### Targets (CloudTrail-style event of {event_bytes or '?'} bytes)",
        "",
        *targets_table(table, best),
        "",
        "### CloudTrail-style event: one pattern, rule sets, SNS",
        "",
        *main_table(table),
        "",
        "Rule-set build time (one-off, not part of the figures above):",
        "",
        *build_table(table),
        "",
    ]
    if chart_path is not None:
        rel = os.path.relpath(chart_path.resolve(), base.resolve())
        parts += [f"![time per event against rule count]({Path(rel).as_posix()})", ""]
    parts += [
        "### CityLots2 rule sets on deep, array-heavy events (per event, batch of generated lots)",
        "",
        *citylots_table(table),
        "",
    ]
    return "\n".join(parts)


def _first(values: Any) -> str:
    return f"{values[0]:.2f}" if isinstance(values, list) and values else "?"


def replace_section(document: str, new: str, heading: str = SECTION, after: str | None = None) -> str:
    """Swap the section ``heading`` of RESULTS.md (up to the next "## " heading) for ``new``. A missing
    section goes right after the section ``after`` when that exists, else at the end."""
    lines = document.splitlines()
    if heading not in lines:
        if after is None or after not in lines:
            prefix = document.rstrip("\n")
            return (prefix + "\n\n" if prefix else "# tamis benchmark results\n\n") + new.rstrip("\n") + "\n"
        start = lines.index(after)
        start = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        lines[start:start] = [heading]  # a place to fill, just after that section
    start = lines.index(heading)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    head, tail = "\n".join(lines[:start]), "\n".join(lines[end:])
    out = (head + "\n" if head else "") + new.rstrip("\n") + "\n"
    return out + ("\n" + tail + "\n" if tail else "")


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("json", type=Path, help="pytest-benchmark JSON (--benchmark-json)")
    parser.add_argument("--chart", type=Path, help="write the time-per-event chart here (PNG)")
    parser.add_argument("--results", type=Path, help="RESULTS.md whose event-pattern section is replaced")
    parser.add_argument("--command", default=DEFAULT_COMMAND, help="the command recorded in the section")
    parser.add_argument("--notes", type=Path, help="markdown appended to the section (peer notes, profiles)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    table, meta = load(args.json)
    best, _ = load(args.json, stat="min")
    if args.chart is not None:
        chart(table, args.chart)
    base = args.results.parent if args.results else Path.cwd()
    text = section(table, best, meta, args.command, args.chart, base)
    if args.notes is not None:
        text = text.rstrip("\n") + "\n\n" + args.notes.read_text(encoding="utf-8").strip("\n") + "\n"
    if args.results is None:
        sys.stdout.write(text)
        return 0
    existing = args.results.read_text(encoding="utf-8") if args.results.exists() else ""
    args.results.write_text(replace_section(existing, text), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
