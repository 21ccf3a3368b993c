"""What ``tamis match`` prints for one block of event lines: the work each ``--jobs`` worker does.

The same function runs in the command's own process for ``--jobs 1``, so the output of N workers, taken in
block order, is the one-process output byte for byte.
"""

from __future__ import annotations

from typing import NamedTuple

import orjson

from tamis.cli.input_streams import Block, contents, count_lines, split_lines
from tamis.errors import TamisError
from tamis.patterns import RuleSet
from tamis.worker_cache import Keyed, compiled


class MatchMode(NamedTuple):
    listing: bool  # --rules: print {"file", "line", "rules"} records instead of the events
    invert: bool  # -v
    count: bool  # -c: print nothing per event


class BadLine(NamedTuple):
    number: int
    message: str
    offset: int  # how much of the block's output comes before this line
    matched: int  # how many of the block's events matched before this line


class BlockResult(NamedTuple):
    label: str
    output: bytes | memoryview  # a view of shared memory in the parent of forked workers (worker_pool)
    matched: int
    records: int
    bad: list[BadLine]
    lines: int  # the block's lines, blank ones too (an uncounted block's numbers start at 1)


class MatchTask(NamedTuple):
    rules: Keyed
    mode: MatchMode
    block: Block


def match_block(task: MatchTask) -> BlockResult:
    rules = compiled(task.rules)
    assert isinstance(rules, RuleSet)
    matches = rules.matches
    listing, invert, count = task.mode
    label = task.block.label
    out: list[bytes] = []
    size = 0
    matched = records = 0
    bad: list[BadLine] = []
    data = contents(task.block)
    for number, line in split_lines(task.block, data):
        records += 1
        try:
            names = matches(line)
        except TamisError as exc:
            bad.append(BadLine(number, exc.message, size, matched))
            continue
        if bool(names) == invert:
            continue
        matched += 1
        if count:
            continue
        if listing and not invert:
            piece = orjson.dumps({"file": label, "line": number, "rules": names}) + b"\n"
        else:
            piece = line + b"\n"
        out.append(piece)
        size += len(piece)
    lines = task.block.lines if task.block.counted else count_lines(data)
    return BlockResult(label, b"".join(out), matched, records, bad, lines)
