"""`tamis test-event-pattern`: test one event against one pattern, like `aws events test-event-pattern`.

Exit status (tamis/cli/reporting.py): 0 when the pattern was tested, whatever the result (as the AWS CLI:
the answer is the printed ``Result``), 2 when it could not be: an invalid pattern or event, a missing file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from tamis.cli.pattern_options import add_dialect_options
from tamis.cli.reporting import EXIT_OK, EXIT_USAGE, add_format, add_quiet


def register(sub: Any) -> None:
    test = sub.add_parser(
        "test-event-pattern",
        help="test one event against one pattern, like `aws events test-event-pattern`",
        description='Prints {"Result": true} or {"Result": false}. Values are JSON text or file://path.',
    )
    test.add_argument("--event-pattern", required=True, metavar="PATTERN", help="JSON text or file://path")
    test.add_argument("--event", required=True, metavar="EVENT", help="JSON text or file://path")
    add_dialect_options(test)
    add_format(test, ("json", "text"))
    add_quiet(test)  # nothing below an error is reported here; accepted so that every command takes -q
    test.set_defaults(handler=_test_event_pattern)


def _read_value(text: str) -> tuple[str | bytes, str | None]:
    """A CLI value: JSON text, or file://path as the AWS CLI reads it (as bytes: the parser reports bad
    UTF-8 with its position). Returns (text, source name)."""
    if text.startswith("file://"):
        path = text[len("file://") :]
        return Path(path).read_bytes(), path
    return text, None


def _test_event_pattern(args: argparse.Namespace) -> int:
    import orjson

    from tamis.errors import TamisError
    from tamis.patterns import compile_pattern

    pattern_text, pattern_source = _read_value(args.event_pattern)
    event_text, _ = _read_value(args.event)
    try:
        pattern = compile_pattern(pattern_text, dialect=args.dialect, scope=args.scope, source=pattern_source)
        result = pattern.matches(event_text)
    except TamisError as exc:  # nothing was tested: an input error, not a finding
        print(f"tamis test-event-pattern: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.format == "text":
        sys.stdout.write(f"{'true' if result else 'false'}\n")
    else:
        sys.stdout.write(orjson.dumps({"Result": result}).decode() + "\n")
    return EXIT_OK
