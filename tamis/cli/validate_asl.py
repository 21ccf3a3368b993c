"""``tamis validate-asl FILE...``: check state-machine definitions as a pre-commit hook would.

Prints one line per finding, ``path:line:col: severity CODE message``, and exits 1 when any
definition has an error (warnings alone exit 0). Heavy imports happen in the handler.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "validate-asl",
        help="validate Amazon States Language definitions (JSON, YAML, CloudFormation/SAM, templates)",
        description="Validate Step Functions state machine definitions with the service's rules.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="definition or template files")
    parser.add_argument("--quiet", "-q", action="store_true", help="print errors only, not warnings")
    parser.add_argument(
        "--type",
        dest="machine_type",
        choices=("STANDARD", "EXPRESS"),
        default="STANDARD",
        help="the state machine type: EXPRESS adds the rules of Express workflows",
    )
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from tamis.asl import validate_asl_file
    from tamis.compiler.asl.sources import JsonReader

    # A pre-commit run checks a few files: the standard library's parser starts faster than orjson.
    JsonReader.fast = len(args.files) > 20

    failed = False
    out = sys.stdout
    for name in args.files:
        path = Path(name)
        if not path.is_file():
            print(f"{name}: error FILE_NOT_FOUND no such file", file=out)
            failed = True
            continue
        for d in validate_asl_file(path, machine_type=args.machine_type):
            if d.severity == "error":
                failed = True
            elif args.quiet:
                continue
            where = ":".join(str(p) for p in (d.source or name, d.line, d.column) if p is not None)
            out.write(f"{where}: {d.severity} {d.code} {d.message} ({d.pointer})\n")
    return 1 if failed else 0
