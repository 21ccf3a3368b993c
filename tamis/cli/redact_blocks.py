"""What ``tamis redact --jsonl`` prints for one block of lines (one message a line): the work of each
``--jobs`` worker, and of the command's own process for ``--jobs 1``, so the outputs are the same."""

from __future__ import annotations

from typing import Any, NamedTuple

from tamis.cli.input_streams import Block, contents, count_lines, split_lines
from tamis.policies import Policy
from tamis.worker_cache import Keyed, compiled


class RedactTask(NamedTuple):
    policy: Keyed
    direction: str | None
    principal: str | None
    block: Block


class Denied(NamedTuple):
    number: int
    text: str  # the service's error, as the one-message command prints it


class RedactResult(NamedTuple):
    label: str
    output: bytes | memoryview  # a view of shared memory in the parent of forked workers (worker_pool)
    records: int
    denied: list[Denied]
    audits: list[tuple[int, dict[str, Any]]]  # (line, record) for each sampled Audit
    lines: int  # the block's lines, blank ones too (an uncounted block's numbers start at 1)


def redact_block(task: RedactTask) -> RedactResult:
    policy = compiled(task.policy)
    assert isinstance(policy, Policy)
    apply = policy.apply
    sns = policy.dialect == "sns"
    out: list[bytes] = []
    denied: list[Denied] = []
    audits: list[tuple[int, dict[str, Any]]] = []
    records = 0
    block = task.block
    data = contents(block)
    for number, line in split_lines(block, data):
        records += 1
        # Lines are messages as they are; bytes that are not UTF-8 reach the redactor as lone surrogates
        # (surrogateescape), which it reads as "?", as the services' UTF-8 encoders write them.
        message = line.decode("utf-8", "surrogateescape")
        if sns:
            outcome = apply(message, direction=task.direction or "Inbound", principal=task.principal)
        else:
            outcome = apply(message)
        if outcome.audit is not None:
            audits.append((number, outcome.audit))
        if outcome.error is not None:
            err = outcome.error
            denied.append(
                Denied(number, f"{err.code} ({err.http_status}): {err.message} [statement {err.statement}]")
            )
            continue
        out.append((outcome.message or "").encode("utf-8", "surrogateescape") + b"\n")
    lines = block.lines if block.counted else count_lines(data)
    return RedactResult(block.label, b"".join(out), records, denied, audits, lines)
