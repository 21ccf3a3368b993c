"""`tamis test-event-pattern`: test one event against one pattern, like `aws events test-event-pattern`.

Exit status (tamis/cli/reporting.py): 0 when the pattern was tested, whatever the result (as the AWS CLI:
the answer is the printed ``Result``), 2 when it could not be: an invalid pattern or event, a missing file.
``--explain`` adds why (``Pattern.explain``): a tree of `$or` branches and field conditions in text, or the
explanation under ``"Explanation"`` in JSON; the exit status stays the same.
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
    test.add_argument(
        "--explain",
        action="store_true",
        help="say why: each $or branch and field condition, the event's values there, whether it held, hints",
    )
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
        explanation = pattern.explain(event_text) if args.explain else None
        result = explanation.matched if explanation is not None else pattern.matches(event_text)
    except TamisError as exc:  # nothing was tested: an input error, not a finding
        print(f"tamis test-event-pattern: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.format == "text":
        sys.stdout.write(f"{'true' if result else 'false'}\n")
        if explanation is not None:
            sys.stdout.write(explanation.text(ascii=not _can_write("\u2713\u2717")))
    elif explanation is not None:
        sys.stdout.write(
            orjson.dumps({"Result": result, "Explanation": explanation.to_dict()}).decode() + "\n"
        )
    else:
        sys.stdout.write(orjson.dumps({"Result": result}).decode() + "\n")
    return EXIT_OK


def _can_write(text: str) -> bool:
    """Whether stdout's encoding holds ``text`` (the check marks); ASCII markers are printed otherwise."""
    try:
        text.encode(sys.stdout.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True
