"""`tamis test-event-pattern`: test one event against one pattern, like `aws events test-event-pattern`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from tamis.cli.pattern_options import add_dialect_options


def register(sub: Any) -> None:
    test = sub.add_parser(
        "test-event-pattern",
        help="test one event against one pattern, like `aws events test-event-pattern`",
        description='Prints {"Result": true} or {"Result": false}. Values are JSON text or file://path.',
    )
    test.add_argument("--event-pattern", required=True, metavar="PATTERN", help="JSON text or file://path")
    test.add_argument("--event", required=True, metavar="EVENT", help="JSON text or file://path")
    add_dialect_options(test)
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

    from tamis.patterns import compile_pattern

    pattern_text, pattern_source = _read_value(args.event_pattern)
    event_text, _ = _read_value(args.event)
    pattern = compile_pattern(pattern_text, dialect=args.dialect, scope=args.scope, source=pattern_source)
    result = pattern.matches(event_text)
    sys.stdout.write(orjson.dumps({"Result": result}).decode() + "\n")
    return 0
