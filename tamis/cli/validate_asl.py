"""``tamis validate-asl FILE...``: check state-machine definitions as a pre-commit hook would.

Prints one line per finding, ``path:line:col: severity CODE (SERVICE_CODE) message``, or with
``--format json`` the report ``tamis lint --format json`` gives. Exit status (the contract of every command,
tamis/cli/reporting.py): 0 when no definition has an error (warnings alone exit 0), 1 when one has, 2
when a FILE is missing or unreadable.
Heavy imports happen in the handler.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from tamis.cli.reporting import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, add_format, add_quiet

CODE_NOT_FOUND = "ASL006"  # file-not-found


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "validate-asl",
        help="validate Amazon States Language definitions (JSON, YAML, CloudFormation/SAM, templates)",
        description="Validate Step Functions state machine definitions with the service's rules.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="definition or template files")
    add_quiet(parser)
    add_format(parser)
    parser.add_argument(
        "--type",
        dest="machine_type",
        choices=("STANDARD", "EXPRESS"),
        default="STANDARD",
        help="the state machine type: EXPRESS adds the rules of Express workflows",
    )
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from dataclasses import replace
    from pathlib import Path

    from tamis.asl import validate_asl_file
    from tamis.cli.reporting import shown
    from tamis.compiler.asl.sources import JsonReader
    from tamis.errors import Diagnostic
    from tamis.lint.output import code_label, format_json

    # A pre-commit run checks a few files: the standard library's parser starts faster than orjson.
    JsonReader.fast = len(args.files) > 20

    diags: list[Diagnostic] = []
    missing = False
    read = 0
    for name in args.files:
        path = Path(name)
        if not path.is_file():
            missing = True
            diags.append(Diagnostic(CODE_NOT_FOUND, "error", "no such file", source=name))
            continue
        try:
            found = validate_asl_file(path, machine_type=args.machine_type)
        except OSError as exc:
            missing = True
            diags.append(Diagnostic(CODE_NOT_FOUND, "error", f"cannot read: {exc.strerror}", source=name))
            continue
        read += 1
        diags.extend(d if d.source else replace(d, source=name) for d in found)
    failed = any(d.severity == "error" for d in diags)
    diags = shown(diags, args.quiet)
    if args.format == "json":
        sys.stdout.write(format_json(diags, read, read) + "\n")
    else:
        for d in diags:
            where = ":".join(str(p) for p in (d.source, d.line, d.column) if p is not None)
            pointer = f" ({d.pointer})" if d.pointer or d.code != CODE_NOT_FOUND else ""
            sys.stdout.write(f"{where}: {d.severity} {code_label(d)} {d.message}{pointer}\n")
    if missing:
        return EXIT_USAGE
    return EXIT_FINDINGS if failed else EXIT_OK
