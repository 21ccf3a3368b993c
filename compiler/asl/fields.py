"""Field rules common to every state: which fields each state type has in each query language, the
limits on integer fields, and the checks of a plain string or integer field (which in a JSONata state
may also be a ``{% %}`` expression, and anywhere a deploy-time placeholder)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tamis.compiler.asl.expressions import jsonata_value
from tamis.compiler.asl.findings import Path
from tamis.compiler.asl.scope import StateCtx
from tamis.compiler.asl.values import delimited, is_int, is_num, is_placeholder
from tamis.compiler.json_types import json_type
from tamis.compiler.suggestions import did_you_mean

if TYPE_CHECKING:
    from tamis.compiler.asl.validator import Validator

MAX_SECONDS = 99999999  # DG: TimeoutSeconds, HeartbeatSeconds, IntervalSeconds, MaxAttempts upper bound

STATE_TYPES = ("Task", "Wait", "Pass", "Succeed", "Fail", "Choice", "Parallel", "Map")
TOP_FIELDS = frozenset({"Comment", "StartAt", "States", "Version", "TimeoutSeconds", "QueryLanguage"})
QUERY_LANGUAGES = ("JSONPath", "JSONata")

# Fields of each state type: common to both query languages, JSONPath-only, JSONata-only.
_NEXT_END = frozenset({"Next", "End"})
_COMMON = frozenset({"Type", "Comment", "QueryLanguage"})
_JP_IO = frozenset({"InputPath", "OutputPath"})
_JP_RESULT = frozenset({"Parameters", "ResultSelector", "ResultPath"})
_ERRORS = frozenset({"Retry", "Catch"})
FIELDS: dict[str, tuple[frozenset[str], frozenset[str], frozenset[str]]] = {
    "Pass": (
        _COMMON | _NEXT_END | {"Assign", "Result"},
        _JP_IO | {"Parameters", "ResultPath"},
        frozenset({"Output"}),
    ),
    "Task": (
        _COMMON
        | _NEXT_END
        | _ERRORS
        | {"Assign", "Resource", "TimeoutSeconds", "HeartbeatSeconds", "Credentials"},
        _JP_IO | _JP_RESULT | {"TimeoutSecondsPath", "HeartbeatSecondsPath"},
        frozenset({"Output", "Arguments"}),
    ),
    "Choice": (_COMMON | {"Assign", "Choices", "Default"}, _JP_IO, frozenset({"Output"})),
    "Wait": (
        _COMMON | _NEXT_END | {"Assign", "Seconds", "Timestamp"},
        _JP_IO | {"SecondsPath", "TimestampPath"},
        frozenset({"Output"}),
    ),
    "Succeed": (_COMMON, _JP_IO, frozenset({"Output"})),
    "Fail": (_COMMON | {"Error", "Cause"}, frozenset({"ErrorPath", "CausePath"}), frozenset()),
    "Parallel": (
        _COMMON | _NEXT_END | _ERRORS | {"Assign", "Branches"},
        _JP_IO | _JP_RESULT,
        frozenset({"Output", "Arguments"}),
    ),
    "Map": (
        _COMMON
        | _NEXT_END
        | _ERRORS
        | {
            "Assign",
            "ItemProcessor",
            "Iterator",
            "ItemReader",
            "ItemSelector",
            "ItemBatcher",
            "ResultWriter",
            "MaxConcurrency",
            "ToleratedFailureCount",
            "ToleratedFailurePercentage",
            "Label",
        },
        _JP_IO
        | _JP_RESULT
        | {"ItemsPath", "MaxConcurrencyPath", "ToleratedFailureCountPath", "ToleratedFailurePercentagePath"},
        frozenset({"Output", "Items"}),
    ),
}
# Every field some state type has: such a key among the states is a misplaced field, not a state.
STATE_FIELD_NAMES = frozenset().union(*(f for fields in FIELDS.values() for f in fields))

# (state type, is JSONata) -> every field such a state may have, for a one-step subset test.
ALLOWED: dict[tuple[str, bool], frozenset[str]] = {
    (t, ja): common | (ja_only if ja else jp_only)
    for t, (common, jp_only, ja_only) in FIELDS.items()
    for ja in (False, True)
}

ALLOWED_JP = {t: ALLOWED[t, False] for t in FIELDS}
ALLOWED_JA = {t: ALLOWED[t, True] for t in FIELDS}


def optional_str(v: Validator, obj: dict[str, Any], field: str, path: Path) -> None:
    """A field that must be a string when present."""
    if field in obj and not isinstance(obj[field], str):
        v.err(f"{field} must be a string, not {json_type(obj[field])}", (path, field))


def int_field(
    v: Validator,
    obj: dict[str, Any],
    field: str,
    path: Path,
    *,
    minimum: int = 0,
    maximum: int | None = None,
    jsonata: bool,
    ctx: StateCtx | None = None,
    number: bool = False,
) -> Any:
    """An integer field within its bounds (``number``: any number); the value when it is one, else None
    (also for a placeholder and, in a JSONata state, an expression, which are checked as such)."""
    value = obj[field]
    if type(value) is int and value >= minimum and (maximum is None or value <= maximum):
        return value  # the common case, decided before building any path
    fpath = (path, field)
    if is_placeholder(value):
        return None
    if jsonata and isinstance(value, str) and delimited(value) and ctx is not None:
        jsonata_value(ctx, value, fpath)
        return None
    ok = is_num(value) and not isinstance(value, bool) if number else is_int(value)
    if not ok:
        kind = "a number" if number else "an integer"
        v.err(f"{field} must be {kind}, not {json_type(value)}", fpath)
        return None
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        v.err(f"{field} must be {bound}", fpath)
        return None
    return value


def unknown_fields(v: Validator, state: dict[str, Any], st: str, jsonata: bool, path: Path) -> None:
    """Each field this state type lacks, or lacks in this query language (after the subset test failed)."""
    common, jp_only, ja_only = FIELDS[st]
    for key in state:
        if key in common:
            continue
        if key in jp_only:
            if jsonata:
                v.err(f"field {key!r} is not supported in a JSONata state", (path, key), key=True)
        elif key in ja_only:
            if not jsonata:
                v.err(f"field {key!r} is supported only in JSONata states", (path, key), key=True)
        else:
            allowed = common | (ja_only if jsonata else jp_only)
            hint = did_you_mean(key, allowed) if isinstance(key, str) else ""
            v.err(f"field {key!r} is not supported in a {st} state{hint}", (path, key), key=True)
