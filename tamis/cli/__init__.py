"""The ``tamis`` command. Each command registers its arguments from its own module.

Subcommand modules only declare arguments at import time; the heavy imports happen inside the
handlers, so ``tamis --version`` and ``tamis --help`` start fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from tamis import __version__
from tamis.errors import TamisError

# The contract (tamis/cli/reporting.py): 0 clean, 1 findings, 2 the command could not do what was asked,
# 3 an internal error (a bug in tamis: one line naming it; TAMIS_DEBUG=1 adds the traceback).
EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tamis",
        description="Check and run event patterns, data-protection policies and state machines.",
    )
    parser.add_argument("--version", action="store_true", help="print tamis's version and its native cores")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    # Imported here, not at the top: each command module imports EXIT_* from this one.
    from tamis.cli import lint, match, redact, rule, test_event_pattern, validate_asl

    for command in (test_event_pattern, match, redact, validate_asl, lint, rule):
        command.register(sub)
    return parser


def version_text() -> str:
    """``tamis X.Y.Z``, then one line per native core: ``native``, or ``python (why)``."""
    from tamis.runtime import info

    lines = [f"tamis {__version__}"]
    lines += [f"{core}: {state}" for core, state in info().items() if core != "tamis"]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. Never a traceback: input errors are one message and exit 2; anything unexpected is
    one line naming it and exit 3 (``TAMIS_DEBUG=1`` prints the traceback too)."""
    # Text tamis prints may hold what the terminal cannot encode (a file name that is not UTF-8 comes in
    # as lone surrogates): written as escapes rather than failing.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    try:
        return _main(argv)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except SystemExit:
        raise  # argparse's usage errors (2), --help and --version (0)
    except BaseException as exc:  # the one top-level handler: a bug, reported without a traceback
        if os.environ.get("TAMIS_DEBUG", "") not in ("", "0"):
            import traceback

            traceback.print_exc()
        text = str(exc).splitlines()[0] if str(exc) else ""
        text = text if len(text) <= 200 else text[:197] + "..."
        print(
            f"tamis: internal error: {type(exc).__name__}{': ' + text if text else ''} "
            "(a bug in tamis; TAMIS_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _main(argv: Sequence[str] | None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list == ["--version"]:  # fast path: no subcommand module is imported
        print(version_text())
        return EXIT_OK
    parser = build_parser()
    args = _parse(parser, args_list)  # a usage error raises SystemExit(2), as argparse does
    if getattr(args, "version", False) and getattr(args, "command", None) is None:
        print(version_text())
        return EXIT_OK
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(handler(args) or 0)
    except TamisError as exc:  # an input the command cannot run: not a finding
        print(f"tamis: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:
        print(f"tamis: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except UnicodeDecodeError as exc:  # a file that is not UTF-8 where text is needed
        print(f"tamis: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """Options may come anywhere on the line (``tamis match PAT -c FILE``): each command's own parser reads
    its line with ``parse_intermixed_args``, which argparse does not offer for a parser with subcommands."""
    command = next((i for i, a in enumerate(argv) if not a.startswith("-")), None)
    sub = _subparsers(parser)
    if command is None or command != 0 or argv[0] not in sub:
        return parser.parse_args(argv)  # --help, --version, an unknown command: argparse's own messages
    args = sub[argv[0]].parse_intermixed_args(argv[1:])
    args.command = argv[0]
    return args


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


if __name__ == "__main__":
    sys.exit(main())
