"""`tamis match`: filter a JSON-lines stream of events through patterns, like grep."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tamis.cli.pattern_options import add_dialect_options
from tamis.cli.reporting import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, add_jobs, add_quiet

# grep's convention, which the contract of every command keeps for match (tamis/cli/reporting.py).
EXIT_MATCH, EXIT_NO_MATCH, EXIT_ERROR = EXIT_OK, EXIT_FINDINGS, EXIT_USAGE
PATTERN_SUFFIXES = (".json",)


def register(sub: Any) -> None:
    match = sub.add_parser(
        "match",
        help="filter a JSON-lines stream of events through patterns, like grep",
        description="Prints the events that match PATTERN_FILE; with --rules DIR, prints for each matching "
        "event the names of the rules it matches, as JSON lines. Inputs may be gzip or zstd compressed. "
        "Exit 0 when something matched, 1 when nothing did, 2 on errors.",
    )
    match.add_argument("pattern", nargs="?", metavar="PATTERN_FILE", help="a pattern file (JSON)")
    match.add_argument(
        "events", nargs="*", metavar="EVENTS", help="JSON-lines files (default: stdin; - is stdin)"
    )
    match.add_argument("--rules", metavar="DIR", help="match every pattern file (*.json) under DIR instead")
    # -v is grep's --invert-match here: no tamis command has a verbose option for it to clash with.
    match.add_argument("-v", "--invert-match", action="store_true", help="print the events that do not match")
    match.add_argument("-c", "--count", action="store_true", help="print only the number of matching events")
    add_jobs(match)
    match.add_argument(
        "--max-errors",
        type=_count,
        default=None,
        metavar="N",
        help="tolerate up to N bad event lines (each still reported) and stop at the next one; by default "
        "every bad line is reported, the run goes on and exits 2",
    )
    add_dialect_options(match)
    add_quiet(match)  # match reports only errors (bad rules, bad events), which -q never hides
    match.set_defaults(handler=_match)


def _match(args: argparse.Namespace) -> int:
    from tamis.errors import TamisError
    from tamis.patterns import RuleSet

    rules = RuleSet(dialect=args.dialect, scope=args.scope)
    events = list(args.events)
    try:
        if args.rules:
            if args.pattern is not None:
                events.insert(0, args.pattern)  # with --rules every positional is an events file
            root = Path(args.rules)
            if not root.is_dir():
                print(f"tamis match: {root}: not a folder", file=sys.stderr)
                return EXIT_ERROR
            files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in PATTERN_SUFFIXES)
            bad = 0
            for path in files:  # every invalid rule file is reported, then nothing is matched
                name = path.relative_to(root).with_suffix("").as_posix()
                try:
                    rules.add(name, path.read_bytes(), source=str(path))
                except TamisError as exc:
                    bad += 1
                    print(f"tamis match: {exc}", file=sys.stderr)
            if bad:
                return EXIT_ERROR
        else:
            if args.pattern is None:
                print("tamis match: give a PATTERN_FILE or --rules DIR", file=sys.stderr)
                return EXIT_ERROR
            path = Path(args.pattern)
            rules.add(path.stem, path.read_bytes(), source=str(path))
    except TamisError as exc:
        print(f"tamis match: {exc}", file=sys.stderr)
        return EXIT_ERROR

    return _run_events(args, rules, events)


def _count(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 0, got {value!r}")
    return n


def _run_events(args: argparse.Namespace, rules: Any, events: list[str]) -> int:
    from collections import deque

    from tamis.cli import input_streams
    from tamis.cli.input_streams import Block, InputError, LineNumbers, Progress, blocks, input_size
    from tamis.cli.match_blocks import MatchMode, MatchTask, match_block
    from tamis.cli.progress import ProgressLine
    from tamis.cli.worker_pool import ordered_map
    from tamis.processes import available_cpus
    from tamis.worker_cache import keyed, remember

    jobs = args.jobs or available_cpus()
    source = keyed(rules.sources())
    remember(source, rules)  # this process's blocks, and forked workers, use the rules compiled here
    mode = MatchMode(listing=bool(args.rules), invert=args.invert_match, count=args.count)
    progress = Progress(input_size(events))
    line = ProgressLine(progress)
    # With workers, this process does not read a regular file's lines (they count them, and the numbers of
    # the bad lines they report are made the input's here), unless the output names lines (--rules).
    count = jobs <= 1 or (mode.listing and not mode.invert)
    handed: deque[Block] = deque()
    numbers = LineNumbers()

    def tasks() -> Iterator[MatchTask]:
        for block in blocks(events, progress, by_range=jobs > 1, count=count):
            handed.append(block)
            yield MatchTask(source, mode, block)

    matched_count = errors = 0
    out = sys.stdout.buffer
    try:
        slot = 2 * input_streams.BLOCK
        for result in ordered_map(match_block, tasks(), jobs, slot_bytes=slot):
            shift = numbers.shift(handed.popleft(), result.lines)
            for bad in result.bad:
                errors += 1
                line.note(f"{result.label}:{bad.number + shift}: {bad.message}")
                if args.max_errors is not None and errors > args.max_errors:
                    # The budget is spent: what came before this line is printed, nothing after it.
                    out.write(result.output[: bad.offset])
                    matched_count += bad.matched
                    line.note(
                        f"tamis match: stopped at {errors} bad event lines (--max-errors {args.max_errors})"
                    )
                    if args.count:
                        out.write(f"{matched_count}\n".encode())
                    out.flush()
                    return EXIT_ERROR
            out.write(result.output)
            matched_count += result.matched
            line.add(result.records)
    except InputError as exc:
        line.note(f"tamis match: {exc}")
        return EXIT_ERROR
    finally:
        line.close()
    if args.count:
        out.write(f"{matched_count}\n".encode())
    out.flush()
    if errors and args.max_errors is None:
        return EXIT_ERROR
    return EXIT_MATCH if matched_count else EXIT_NO_MATCH
