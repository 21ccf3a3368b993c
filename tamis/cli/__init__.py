"""The ``tamis`` command. Each command registers its arguments from its own module.

Subcommand modules only declare arguments at import time; the heavy imports happen inside the
handlers, so ``tamis --version`` and ``tamis --help`` start fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tamis import __version__
from tamis.errors import TamisError

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tamis",
        description="Check and run event patterns, data-protection policies and state machines.",
    )
    parser.add_argument("--version", action="version", version=f"tamis {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    # Imported here, not at the top: each command module imports EXIT_* from this one.
    from tamis.cli import lint, match, redact, test_event_pattern, validate_asl

    for command in (test_event_pattern, match, redact, validate_asl, lint):
        command.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list == ["--version"]:  # fast path: no subcommand module is imported
        print(f"tamis {__version__}")
        return EXIT_OK
    parser = build_parser()
    args = parser.parse_args(args_list)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(handler(args) or 0)
    except TamisError as exc:
        print(f"tamis: error: {exc}", file=sys.stderr)
        return EXIT_FAIL
    except OSError as exc:
        print(f"tamis: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
