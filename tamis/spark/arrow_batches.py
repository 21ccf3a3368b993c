"""The work ``tamis.spark`` runs in each Spark Python worker: Arrow record batches in, batches out.

Each function receives the rule set's or policy's *source* (``tamis.worker_cache.Keyed``), compiles it the
first time the worker meets it and reuses it for every later batch and task (Spark keeps its Python workers
between tasks), then reads one column per batch as Python values and appends or replaces the result columns.
Nothing here imports pyspark: the functions take and give ``pyarrow.RecordBatch`` objects only.
"""

from __future__ import annotations

import platform
from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from tamis import __version__
from tamis.errors import TamisError
from tamis.patterns import RuleSet
from tamis.policies import Policy
from tamis.worker_cache import Keyed, compiled

RULES_TYPE = pa.list_(pa.string())
FINDINGS_TYPE = pa.list_(pa.struct([("identifier", pa.string()), ("start", pa.int32()), ("end", pa.int32())]))


def with_columns(batch: pa.RecordBatch, columns: dict[str, pa.Array]) -> pa.RecordBatch:
    """``batch`` with each named column replaced in place, or appended when it has no column of that name."""
    names = list(batch.schema.names)
    arrays = list(batch.columns)
    for name, array in columns.items():
        if name in names:
            arrays[names.index(name)] = array
        else:
            names.append(name)
            arrays.append(array)
    return pa.RecordBatch.from_arrays(arrays, names=names)


def as_binary(array: pa.Array) -> pa.Array:
    """A string column's bytes, as they are: Spark does not check that the strings it reads (``read.text``)
    are UTF-8, and pyarrow's ``to_pylist`` would fail on the first that is not. No copy is made."""
    kind = array.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        target = pa.binary() if pa.types.is_string(kind) else pa.large_binary()
        return pa.Array.from_buffers(target, len(array), array.buffers(), array.null_count, array.offset)
    return array


def as_string(values: list[bytes | None]) -> pa.Array:
    """A string column holding exactly these bytes (a message that was not UTF-8 goes back as it came)."""
    binary = pa.array(values, pa.binary())
    return pa.Array.from_buffers(pa.string(), len(binary), binary.buffers(), binary.null_count, binary.offset)


def match_batches(
    rules: Keyed, column: str, output: str, errors: str | None, batches: Iterator[pa.RecordBatch]
) -> Iterator[pa.RecordBatch]:
    """Per row: the names of the rules the event matches; null where the event is null or not a valid event
    (and then, with ``errors``, why in that column)."""
    rule_set = compiled(rules)
    assert isinstance(rule_set, RuleSet)
    matches = rule_set.matches
    for batch in batches:
        found: list[list[str] | None] = []
        problems: list[str | None] = []
        for value in as_binary(batch.column(column)).to_pylist():
            if value is None:
                found.append(None)
                problems.append(None)
                continue
            try:
                found.append(matches(value))
                problems.append(None)
            except TamisError as exc:  # an EventError: this row is not an event the service would take
                found.append(None)
                problems.append(exc.message)
        columns = {output: pa.array(found, RULES_TYPE)}
        if errors is not None:
            columns[errors] = pa.array(problems, pa.string())
        yield with_columns(batch, columns)


def redact_batches(
    policy: Keyed,
    column: str,
    output: str,
    direction: str | None,
    principal: str | None,
    findings: str | None,
    denied: str | None,
    batches: Iterator[pa.RecordBatch],
) -> Iterator[pa.RecordBatch]:
    """Per row: the message as the service would deliver it (null where a Deny statement refuses it or the
    message is null); with ``findings``, what was found (identifier and character offsets); with ``denied``,
    the service's error for a refused message."""
    compiled_policy = compiled(policy)
    assert isinstance(compiled_policy, Policy)
    apply = compiled_policy.apply
    options: dict[str, Any] = {"direction": direction, "principal": principal} if direction else {}
    for batch in batches:
        texts: list[bytes | None] = []
        found: list[list[dict[str, Any]] | None] = []
        refused: list[str | None] = []
        for value in as_binary(batch.column(column)).to_pylist():
            if value is None:
                texts.append(None)
                found.append(None)
                refused.append(None)
                continue
            # As `tamis redact --jsonl`: bytes that are not UTF-8 pass through unchanged (surrogateescape).
            outcome = apply(value.decode("utf-8", "surrogateescape"), **options)
            message = outcome.message if outcome.error is None else None
            texts.append(None if message is None else message.encode("utf-8", "surrogateescape"))
            if findings is not None:
                found.append([{"identifier": f[0], "start": f[1], "end": f[2]} for f in outcome.findings])
            if outcome.error is None:
                refused.append(None)
            else:
                err = outcome.error
                refused.append(f"{err.code} ({err.http_status}): {err.message} [statement {err.statement}]")
        columns = {output: as_string(texts)}
        if findings is not None:
            columns[findings] = pa.array(found, FINDINGS_TYPE)
        if denied is not None:
            columns[denied] = pa.array(refused, pa.string())
        yield with_columns(batch, columns)


def worker_info(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """One row describing this Python worker: versions, and whether each native core runs here."""
    from tamis.runtime.events import matcher
    from tamis.runtime.redact import native as redact_native

    for _ in batches:
        pass
    row = {
        "tamis": __version__,
        "python": platform.python_version(),
        "events_native": bool(matcher.USE_NATIVE),
        "redact_native": bool(redact_native.USE_NATIVE),
    }
    yield pa.RecordBatch.from_pylist([row])


WORKER_INFO_SCHEMA = "tamis string, python string, events_native boolean, redact_native boolean"
