"""The options and exit statuses every ``tamis`` command shares: one contract for the whole CLI.

Exit status (every command):
  0  clean: no error found (``lint``, ``validate-asl``); the message delivered (``redact``); something
     matched (``match``); the pattern tested, whatever the result (``test-event-pattern``, as the AWS CLI);
     the code explained (``rule``).
  1  findings: an error in what was checked (``lint``, ``validate-asl``); a Deny statement refused the message
     (``redact``); nothing matched (``match``, grep's convention).
  2  the command could not do what was asked: a usage error, a file that is missing or unreadable, an unusable
     configuration, or a pattern or policy that the running commands (``match``, ``redact``,
     ``test-event-pattern``) cannot run because it is invalid (grep exits 2 for a bad regex too), or a code
     ``rule`` does not know.
  3  an internal error: a bug in tamis, reported as one line naming it (``TAMIS_DEBUG=1`` adds the
     traceback). No input should ever cause it; the fuzz tests (tests/fuzz/) hold the CLI to that.

``-q`` hides info notes, ``-qq`` warnings too; errors always show. ``--format text|json`` on every command
that reports diagnostics.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tamis.errors import Diagnostic

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

# The lowest severity each -q level still shows.
_HIDDEN = {0: (), 1: ("info",), 2: ("info", "warning")}


def add_quiet(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-q",
        "--quiet",
        action="count",
        default=0,
        help="-q hides info notes, -qq warnings too (errors always show)",
    )


def add_jobs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-j",
        "--jobs",
        type=jobs_count,
        default=None,
        metavar="N",
        help="worker processes (default: one per core; 1: none); the output keeps the input's order",
    )


def jobs_count(value: str) -> int:
    """The type of every --jobs option: a whole number of at least 1."""
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {value!r}")
    return n


def add_format(parser: argparse.ArgumentParser, formats: tuple[str, ...] = ("text", "json")) -> None:
    parser.add_argument("--format", choices=formats, default=formats[0], help="report format")


def shown(diags: Iterable[Diagnostic], quiet: int) -> list[Diagnostic]:
    """The diagnostics a run at this -q level prints."""
    hidden = _HIDDEN[min(quiet, 2)]
    return [d for d in diags if d.severity not in hidden]
