"""``tamis redact``: apply a data-protection policy to one message.

Prints the de-identified message on stdout (exit 0), or the service's error on stderr with exit
status 1 when a Deny statement fires (the policy's finding: the service would refuse the message).
``--audit`` prints the findings record as JSON on stderr. Exit 2 (the contract of every command,
tamis/cli/reporting.py) when nothing could be applied: an invalid policy, a missing file, an option of the
other dialect (``--account-policy`` for SNS, ``--direction`` or ``--principal`` for CloudWatch Logs).
The policy's warnings and notes go to stderr; ``-q`` hides notes, ``-qq`` warnings too.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from tamis.cli.reporting import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, add_quiet

# Until this contract, a Deny exited 3 and an invalid policy 1; 1 and 2 now mean what they mean everywhere.
EXIT_DENIED = EXIT_FINDINGS


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "redact",
        help="apply a data-protection policy (SNS or CloudWatch Logs) to a message",
        description="De-identify one message with a data-protection policy, as the service would.",
    )
    p.add_argument("--policy", required=True, metavar="FILE", help="the data-protection policy (JSON)")
    p.add_argument("--dialect", choices=("sns", "cloudwatch-logs"), default="sns")
    p.add_argument(
        "--direction",
        choices=("Inbound", "Outbound"),
        default=None,
        help="SNS: Inbound (publish) or Outbound (delivery); default Inbound",
    )
    p.add_argument("--principal", metavar="ARN", default=None, help="SNS: publisher or subscriber principal")
    p.add_argument("--account-policy", metavar="FILE", help="CloudWatch Logs: the account-level policy")
    p.add_argument("--audit", action="store_true", help="print the audit findings record (JSON) on stderr")
    add_quiet(p)
    p.add_argument("message", nargs="?", default="-", metavar="FILE|-", help="the message (default: stdin)")
    p.set_defaults(handler=_run)


def _usage(message: str) -> int:
    print(f"tamis redact: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _read(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    with open(path, encoding="utf-8", errors="surrogateescape") as fh:
        return fh.read()


def _run(args: argparse.Namespace) -> int:
    import orjson

    from tamis.cli.reporting import shown
    from tamis.errors import TamisError
    from tamis.policies import compile_policy

    # Options of the other dialect are refused, not ignored: each one means the user expects something.
    if args.dialect == "sns" and args.account_policy:
        return _usage("--account-policy combines CloudWatch Logs policies (--dialect cloudwatch-logs)")
    if args.dialect == "cloudwatch-logs" and (args.direction or args.principal):
        return _usage("CloudWatch Logs policies take no --direction or --principal (they are SNS's)")

    with open(args.policy, "rb") as fh:
        policy_text = fh.read()
    account = None
    if args.account_policy:
        with open(args.account_policy, "rb") as fh:
            account = fh.read()
    try:
        pol = compile_policy(policy_text, dialect=args.dialect, source=args.policy, account_policy=account)
    except TamisError as exc:  # nothing can be applied: an input error, not a finding
        return _usage(str(exc))
    for diag in shown(pol.diagnostics, args.quiet):
        print(f"tamis: {diag}", file=sys.stderr)
    message = _read(args.message)
    if args.dialect == "sns":
        out = pol.apply(message, direction=args.direction or "Inbound", principal=args.principal)
    else:
        out = pol.apply(message)
    if args.audit:
        # null when no Audit statement applies or the message was not sampled
        print(orjson.dumps(out.audit).decode(), file=sys.stderr)
    if out.error is not None:
        err = out.error
        print(
            f"tamis: denied: {err.code} ({err.http_status}): {err.message} [statement {err.statement}]",
            file=sys.stderr,
        )
        return EXIT_DENIED
    sys.stdout.write(out.message or "")
    return EXIT_OK
