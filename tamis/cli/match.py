"""`tamis match`: filter a JSON-lines stream of events through patterns, like grep."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from tamis.cli.pattern_options import add_dialect_options
from tamis.cli.reporting import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, add_quiet

# grep's convention, which the contract of every command keeps for match (tamis/cli/reporting.py).
EXIT_MATCH, EXIT_NO_MATCH, EXIT_ERROR = EXIT_OK, EXIT_FINDINGS, EXIT_USAGE
PATTERN_SUFFIXES = (".json",)


def register(sub: Any) -> None:
    match = sub.add_parser(
        "match",
        help="filter a JSON-lines stream of events through patterns, like grep",
        description="Prints the events that match PATTERN_FILE; with --rules DIR, prints for each matching "
        "event the names of the rules it matches, as JSON lines. Exit 0 when something matched, 1 when "
        "nothing did, 2 on errors.",
    )
    match.add_argument("pattern", nargs="?", metavar="PATTERN_FILE", help="a pattern file (JSON)")
    match.add_argument(
        "events", nargs="*", metavar="EVENTS", help="JSON-lines files (default: stdin; - is stdin)"
    )
    match.add_argument("--rules", metavar="DIR", help="match every pattern file (*.json) under DIR instead")
    # -v is grep's --invert-match here: no tamis command has a verbose option for it to clash with.
    match.add_argument("-v", "--invert-match", action="store_true", help="print the events that do not match")
    match.add_argument("-c", "--count", action="store_true", help="print only the number of matching events")
    add_dialect_options(match)
    add_quiet(match)  # match reports only errors (bad rules, bad events), which -q never hides
    match.set_defaults(handler=_match)


def _event_lines(names: list[str]) -> Iterator[tuple[str, int, bytes]]:
    # Lines are read as bytes: an event that is not UTF-8 is reported like any other bad event.
    for name in names or ["-"]:
        stream: BinaryIO
        if name == "-":
            stdin: Any = sys.stdin
            if not hasattr(stdin, "buffer"):  # a text stream standing in for stdin (embedding, tests)
                for number, text in enumerate(stdin, 1):
                    if text.strip():
                        yield "<stdin>", number, text.rstrip("\r\n").encode("utf-8", "surrogateescape")
                continue
            stream, label = stdin.buffer, "<stdin>"
        else:
            stream, label = open(name, "rb"), name  # noqa: SIM115 - closed below
        try:
            for number, line in enumerate(stream, 1):
                if line.strip():
                    yield label, number, line.rstrip(b"\r\n")
        finally:
            if name != "-":
                stream.close()


def _match(args: argparse.Namespace) -> int:
    import orjson

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

    matched_count = 0
    errors = 0
    out = sys.stdout.buffer
    for label, number, line in _event_lines(events):
        try:
            names = rules.matches(line)
        except TamisError as exc:
            errors += 1
            print(f"{label}:{number}: {exc.message}", file=sys.stderr)
            continue
        hit = bool(names) != args.invert_match
        if not hit:
            continue
        matched_count += 1
        if args.count:
            continue
        if args.rules and not args.invert_match:
            record: dict[str, Any] = {"file": label, "line": number, "rules": names}
            out.write(orjson.dumps(record) + b"\n")
        else:
            out.write(line + b"\n")
    if args.count:
        out.write(f"{matched_count}\n".encode())
    out.flush()
    if errors:
        return EXIT_ERROR
    return EXIT_MATCH if matched_count else EXIT_NO_MATCH
