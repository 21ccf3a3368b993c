"""Retry and Catch (SPEC21 Error Handling, DG concepts-error-handling): Retriers and Catchers, their
ErrorEquals lists and the predefined ``States.*`` error names."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tamis.compiler.asl.expressions import jsonata_value, path_field
from tamis.compiler.asl.fields import MAX_SECONDS, int_field, optional_str
from tamis.compiler.asl.findings import Path
from tamis.compiler.asl.scope import StateCtx
from tamis.compiler.asl.variables import assign
from tamis.compiler.json_types import json_type
from tamis.compiler.suggestions import did_you_mean

if TYPE_CHECKING:
    from tamis.compiler.asl.validator import Validator

MAX_DELAY_SECONDS = 31622400  # DG concepts-error-handling: MaxDelaySeconds at most one year

PREDEFINED_ERRORS = frozenset(
    {
        "States.ALL",
        "States.HeartbeatTimeout",
        "States.Timeout",
        "States.TaskFailed",
        "States.Permissions",
        "States.ResultPathMatchFailure",
        "States.ParameterPathFailure",
        "States.BranchFailed",
        "States.NoChoiceMatched",
        "States.IntrinsicFailure",
        "States.ExceedToleratedFailureThreshold",
        "States.ItemReaderFailed",
        "States.ResultWriterFailed",
        "States.QueryEvaluationError",
        "States.Runtime",
        "States.DataLimitExceeded",
        "States.Http.Socket",
        "States.Http.StatusCode",
    }
)

_RETRIER_FIELDS = frozenset(
    {
        "ErrorEquals",
        "IntervalSeconds",
        "MaxAttempts",
        "BackoffRate",
        "MaxDelaySeconds",
        "JitterStrategy",
        "Comment",
    }
)
_CATCHER_FIELDS = {
    False: frozenset({"ErrorEquals", "Next", "Comment", "Assign", "ResultPath"}),
    True: frozenset({"ErrorEquals", "Next", "Comment", "Assign", "Output"}),
}
_RETRIER_INTS = (
    ("IntervalSeconds", 1, MAX_SECONDS),
    ("MaxAttempts", 0, MAX_SECONDS),
    ("MaxDelaySeconds", 1, MAX_DELAY_SECONDS),
)


def check_retry(v: Validator, retry: Any, path: Path) -> None:
    if not isinstance(retry, list):
        v.err(f"Retry must be an array, not {json_type(retry)}", path)
        return
    last = len(retry) - 1
    for i, r in enumerate(retry):
        rpath = (path, i)
        if not isinstance(r, dict):
            v.err(f"a Retrier must be an object, not {json_type(r)}", rpath)
            continue
        if not r.keys() <= _RETRIER_FIELDS:
            for key in r:
                if key not in _RETRIER_FIELDS:
                    v.err(f"field {key!r} is not supported in a Retrier", (rpath, key), key=True)
        _error_equals(v, r, rpath, last=i == last, what="Retrier")
        for field, lo, hi in _RETRIER_INTS:
            if field in r:
                value = r[field]
                if type(value) is not int or not lo <= value <= hi:
                    int_field(v, r, field, rpath, minimum=lo, maximum=hi, jsonata=False)
        if "BackoffRate" in r:
            rate = r["BackoffRate"]
            if type(rate) not in (int, float) or rate < 1:
                int_field(v, r, "BackoffRate", rpath, minimum=1, jsonata=False, number=True)
        if "JitterStrategy" in r and r["JitterStrategy"] not in ("FULL", "NONE"):
            v.err("JitterStrategy must be one of [FULL, NONE]", (rpath, "JitterStrategy"))
        if "Comment" in r:
            optional_str(v, r, "Comment", rpath)


def check_catch(v: Validator, catch: Any, path: Path, ctx: StateCtx) -> None:
    if not isinstance(catch, list):
        v.err(f"Catch must be an array, not {json_type(catch)}", path)
        return
    allowed = _CATCHER_FIELDS[ctx.jsonata]
    for i, c in enumerate(catch):
        cp = (path, i)
        if not isinstance(c, dict):
            v.err(f"a Catcher must be an object, not {json_type(c)}", cp)
            continue
        for key in c if not c.keys() <= allowed else ():
            if key not in allowed:
                # ResultPath belongs to JSONPath, Output to JSONata: name the language the state uses
                language = "JSONata" if ctx.jsonata else "JSONPath"
                extra = f" in a {language} state" if key in ("ResultPath", "Output") else ""
                v.err(f"field {key!r} is not supported in a Catcher{extra}", (cp, key), key=True)
        _error_equals(v, c, cp, last=i == len(catch) - 1, what="Catcher")
        if "Next" not in c:
            v.err("These fields are required: [Next]", cp)
        else:
            ctx.target(c["Next"], (cp, "Next"))
        if "ResultPath" in c and not ctx.jsonata:
            path_field(ctx, c["ResultPath"], (cp, "ResultPath"), nullable=True, reference=True, context=False)
        if "Output" in c and ctx.jsonata:
            jsonata_value(ctx, c["Output"], (cp, "Output"), error_output=True)
        if "Assign" in c:
            assign(ctx, c["Assign"], (cp, "Assign"), error_output=True)
        if "Comment" in c:
            optional_str(v, c, "Comment", cp)


def _error_equals(v: Validator, r: dict[str, Any], path: Path, *, last: bool, what: str) -> None:
    errs = r.get("ErrorEquals")
    if errs is None:
        v.err("These fields are required: [ErrorEquals]", path)
        return
    if not isinstance(errs, list) or not errs:
        v.err("ErrorEquals must be a non-empty array of error names", (path, "ErrorEquals"))
        return
    for j, e in enumerate(errs):
        if type(e) is not str:
            v.err(f"error names must be strings, not {json_type(e)}", ((path, "ErrorEquals"), j))
        elif e.startswith("States.") and e not in PREDEFINED_ERRORS:
            v.warn(
                f"{e!r} is not a predefined error name (names starting with 'States.' are reserved)"
                + did_you_mean(e, PREDEFINED_ERRORS),
                ((path, "ErrorEquals"), j),
                "UNKNOWN_ERROR_NAME",
            )
    if "States.ALL" in errs:
        if len(errs) > 1:
            v.err("States.ALL must appear alone in ErrorEquals", (path, "ErrorEquals"))
        if not last:
            v.err(f"States.ALL must appear only in the last {what}", (path, "ErrorEquals"))
