"""``tamis redact``: apply a data-protection policy to one message, or to each line of JSON-lines inputs.

Prints the de-identified message on stdout (exit 0), or the service's error on stderr with exit
status 1 when a Deny statement fires (the policy's finding: the service would refuse the message).
``--audit`` prints the findings record as JSON on stderr. Exit 2 (the contract of every command,
tamis/cli/reporting.py) when nothing could be applied: an invalid policy, a missing file, an option of the
other dialect (``--account-policy`` for SNS, ``--direction`` or ``--principal`` for CloudWatch Logs).
The policy's warnings and notes go to stderr; ``-q`` hides notes, ``-qq`` warnings too.

``--jsonl`` treats every line of the inputs (files, gzip or zstd, or stdin) as one message: the lines are read
in blocks, so memory stays bounded whatever the size, and no keyword window spans two records. Each delivered
message is printed on its line; a denied one is left out and reported on stderr as ``FILE:LINE: denied:``,
and the command then exits 1. ``--jobs N`` spreads the lines over N worker processes, output in input order.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from typing import Any

from tamis.cli.reporting import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, add_jobs, add_quiet

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
    p.add_argument(
        "--jsonl",
        action="store_true",
        help="every line of the inputs is one message (streamed; inputs may be gzip or zstd compressed)",
    )
    add_jobs(p)
    add_quiet(p)
    p.add_argument(
        "message",
        nargs="*",
        metavar="FILE|-",
        help="the message (default: stdin); with --jsonl, any number of JSON-lines files",
    )
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

    if not args.jsonl:
        if args.jobs is not None:
            return _usage(
                "--jobs spreads the lines of --jsonl inputs; one message is redacted in one process"
            )
        if len(args.message) > 1:
            return _usage("give one message, or --jsonl for files of one message a line")
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
    if args.jsonl:
        return _run_lines(args, pol)
    message = _read(args.message[0] if args.message else "-")
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


def _run_lines(args: argparse.Namespace, pol: Any) -> int:
    from collections import deque

    import orjson

    from tamis.cli import input_streams
    from tamis.cli.input_streams import Block, InputError, LineNumbers, Progress, blocks, input_size
    from tamis.cli.progress import ProgressLine
    from tamis.cli.redact_blocks import RedactTask, redact_block
    from tamis.cli.worker_pool import ordered_map
    from tamis.processes import available_cpus
    from tamis.worker_cache import keyed, remember

    jobs = args.jobs or available_cpus()
    source = keyed(pol.source)
    remember(source, pol)  # this process's blocks, and forked workers, use the policy compiled here
    progress = Progress(input_size(args.message))
    line = ProgressLine(progress)
    direction = (args.direction or "Inbound") if args.dialect == "sns" else None
    # With workers, this process does not read a regular file's lines: they count them, and the numbers
    # of the lines they report are made the input's here, taking the results in order.
    handed: deque[Block] = deque()
    numbers = LineNumbers()

    def tasks() -> Iterator[RedactTask]:
        for block in blocks(args.message, progress, by_range=jobs > 1, count=jobs <= 1):
            handed.append(block)
            yield RedactTask(source, direction, args.principal, block)

    denied = 0
    out = sys.stdout.buffer
    try:
        slot = 2 * input_streams.BLOCK
        for result in ordered_map(redact_block, tasks(), jobs, slot_bytes=slot):
            shift = numbers.shift(handed.popleft(), result.lines)
            out.write(result.output)
            if args.audit:
                for number, record in result.audits:
                    audit = {"file": result.label, "line": number + shift, "audit": record}
                    line.note(orjson.dumps(audit).decode())
            for item in result.denied:
                denied += 1
                line.note(f"{result.label}:{item.number + shift}: denied: {item.text}")
            line.add(result.records)
    except InputError as exc:
        line.note(f"tamis redact: error: {exc}")
        return EXIT_USAGE
    finally:
        line.close()
    out.flush()
    return EXIT_DENIED if denied else EXIT_OK
