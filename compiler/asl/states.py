"""The fields every state shares (transitions, input and output, Assign, Retry and Catch), then the rules
of each state type: Pass, Task, Wait, Succeed, Fail here; Choice, Parallel and Map in their own modules.
``BY_TYPE`` maps a state type to its check."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tamis.compiler.asl.choice_rules import check_choice
from tamis.compiler.asl.expressions import intrinsic, jsonata_value, path_field, template
from tamis.compiler.asl.fields import MAX_SECONDS, int_field
from tamis.compiler.asl.findings import Path
from tamis.compiler.asl.map_parallel import check_map, check_parallel
from tamis.compiler.asl.resources import check_resource, express_resource, http_task
from tamis.compiler.asl.retry_catch import check_catch, check_retry
from tamis.compiler.asl.scope import StateCtx
from tamis.compiler.asl.values import delimited, is_int, is_placeholder, is_rfc3339
from tamis.compiler.asl.variables import assign
from tamis.compiler.json_types import json_type
from tamis.grammar.asl.intrinsics import SIGNATURES

if TYPE_CHECKING:
    from tamis.compiler.asl.validator import Validator

# Fail ErrorPath/CausePath must yield a string: the intrinsic functions whose result can be one.
_STRING_INTRINSICS = frozenset(
    {
        "States.Format",
        "States.JsonToString",
        "States.ArrayGetItem",
        "States.Base64Encode",
        "States.Base64Decode",
        "States.Hash",
        "States.UUID",
    }
)


def state_fields(v: Validator, state: dict[str, Any], st: str, path: Path, ctx: StateCtx) -> None:
    """The fields every state type shares (transitions, input and output, Assign, Retry, Catch)
    around the type's own check."""
    jsonata = ctx.jsonata
    # transitions
    if st in ("Choice", "Succeed", "Fail"):
        pass
    else:
        has_next = "Next" in state
        end = state.get("End")
        if "End" in state and not isinstance(end, bool):
            v.err(f"End must be a boolean, not {json_type(end)}", (path, "End"))
        if has_next and end is True:
            v.err("a state cannot have both Next and End: true", (path, "Next"))
        elif not has_next and end is not True:
            ctx.scope.broken.add(ctx.name)
            if not {"Next", "End"} & ctx.scope.misplaced_into.get(ctx.name, {}).keys():  # said where it sits
                v.err(f"a state must have Next or End: true{_nested_transition(state)}", path)
        if has_next:
            nxt = state["Next"]
            if type(nxt) is str:
                ctx.scope.edges[ctx.name].append((nxt, (path, "Next")))
            else:
                ctx.target(nxt, (path, "Next"))
    # input/output
    if jsonata:
        if "Output" in state:
            jsonata_value(ctx, state["Output"], (path, "Output"), result=st in ("Task", "Map", "Parallel"))
    else:
        for f in ("InputPath", "OutputPath"):
            if f in state:
                path_field(ctx, state[f], (path, f), nullable=True)
        if "ResultPath" in state:
            path_field(
                ctx, state["ResultPath"], (path, "ResultPath"), nullable=True, reference=True, context=False
            )
        for f in ("Parameters", "ResultSelector"):
            if f in state:
                template(ctx, state[f], (path, f))
    if "Assign" in state:
        assign(ctx, state["Assign"], (path, "Assign"), result=st in ("Task", "Map", "Parallel"))
    BY_TYPE[st](v, state, path, ctx)
    if "Retry" in state:
        check_retry(v, state["Retry"], (path, "Retry"))
    if "Catch" in state:
        check_catch(v, state["Catch"], (path, "Catch"), ctx)


def check_pass(v: Validator, state: dict[str, Any], path: Path, ctx: StateCtx) -> None:
    result = state.get("Result")
    if (
        not ctx.jsonata
        and isinstance(result, dict)
        and any(isinstance(k, str) and k.endswith(".$") for k in result)
    ):
        v.warn(
            "Result is static: fields ending in '.$' are not evaluated there (use Parameters)",
            (path, "Result"),
            "PASS_RESULT_IS_STATIC",
        )


def check_succeed(v: Validator, state: dict[str, Any], path: Path, ctx: StateCtx) -> None:
    pass


def check_fail(v: Validator, state: dict[str, Any], path: Path, ctx: StateCtx) -> None:
    for f, fpath in (("Error", "ErrorPath"), ("Cause", "CausePath")):
        if f in state and fpath in state:
            v.err(f"a Fail state may have only one of {f} and {fpath}", (path, fpath), key=True)
        if f in state:
            value = state[f]
            if ctx.jsonata and isinstance(value, str) and delimited(value):
                jsonata_value(ctx, value, (path, f))
            elif not isinstance(value, str):
                v.err(f"{f} must be a string, not {json_type(value)}", (path, f))
        if fpath in state and not ctx.jsonata:
            value = state[fpath]
            if isinstance(value, str) and not value.startswith("$") and not is_placeholder(value):
                intrinsic(ctx, value, (path, fpath))
                fn = value.partition("(")[0]
                if fn in SIGNATURES and fn not in _STRING_INTRINSICS:
                    v.err(f"{fpath} must produce a string; {fn} does not", (path, fpath))
            else:
                path_field(ctx, value, (path, fpath), reference=True)


def check_task(v: Validator, state: dict[str, Any], path: Path, ctx: StateCtx) -> None:
    if "Resource" not in state:
        v.err("These fields are required: [Resource]", path)
    else:
        check_resource(v, state["Resource"], (path, "Resource"), ctx.jsonata)
        resource = state["Resource"]
        if type(resource) is str and resource.endswith(":states:::http:invoke"):
            http_task(v, state, path, ctx)
        if ctx.scope.express and type(resource) is str:
            express_resource(v, resource, (path, "Resource"), ctx.scope.express)
    timeout = heartbeat = None
    if "TimeoutSeconds" in state or "TimeoutSecondsPath" in state:
        timeout = _seconds_pair(v, state, path, ctx, "TimeoutSeconds")
    if "HeartbeatSeconds" in state or "HeartbeatSecondsPath" in state:
        heartbeat = _seconds_pair(v, state, path, ctx, "HeartbeatSeconds")
    if is_int(timeout) and is_int(heartbeat) and heartbeat >= timeout:  # type: ignore[operator]
        v.err("HeartbeatSeconds must be smaller than TimeoutSeconds", (path, "HeartbeatSeconds"))
    if "Credentials" in state:
        cred = state["Credentials"]
        cpath = (path, "Credentials")
        if not isinstance(cred, dict):
            v.err(f"Credentials must be an object, not {json_type(cred)}", cpath)
        elif cred and "RoleArn" not in cred and "RoleArn.$" not in cred:
            v.err("The field 'RoleArn' is required but was missing", cpath)
        elif ctx.jsonata:
            jsonata_value(ctx, cred, cpath)
        else:
            template(ctx, cred, cpath)
    if ctx.jsonata and "Arguments" in state:
        args = state["Arguments"]
        if not isinstance(args, dict) and not (isinstance(args, str) and delimited(args)):
            v.err("Arguments must be an object or a JSONata expression", (path, "Arguments"))
        jsonata_value(ctx, args, (path, "Arguments"))


def _seconds_pair(v: Validator, state: dict[str, Any], path: Path, ctx: StateCtx, field: str) -> Any:
    pfield = field + "Path"
    if field in state and pfield in state:
        v.err(f"a state may have only one of {field} and {pfield}", (path, pfield), key=True)
    if pfield in state and not ctx.jsonata:
        path_field(ctx, state[pfield], (path, pfield), reference=True)
    if field in state:
        return int_field(v, state, field, path, minimum=1, maximum=MAX_SECONDS, jsonata=ctx.jsonata, ctx=ctx)
    return None


def check_wait(v: Validator, state: dict[str, Any], path: Path, ctx: StateCtx) -> None:
    if ("Seconds" in state) + ("SecondsPath" in state) + ("Timestamp" in state) + (
        "TimestampPath" in state
    ) != 1:
        given = [f for f in ("Seconds", "SecondsPath", "Timestamp", "TimestampPath") if f in state]
        v.err(
            "a Wait state must have exactly one of [Seconds, SecondsPath, Timestamp, TimestampPath]",
            (path, given[1]) if len(given) > 1 else path,
            key=len(given) > 1,
        )
    if "Seconds" in state:
        int_field(v, state, "Seconds", path, minimum=0, maximum=MAX_SECONDS, jsonata=ctx.jsonata, ctx=ctx)
    if "Timestamp" in state:
        ts = state["Timestamp"]
        tpath = (path, "Timestamp")
        if ctx.jsonata and isinstance(ts, str) and delimited(ts):
            jsonata_value(ctx, ts, tpath)
        elif is_placeholder(ts):
            pass
        elif not isinstance(ts, str) or not is_rfc3339(ts):
            v.err("String does not match RFC3339 timestamp", tpath)
    for f in ("SecondsPath", "TimestampPath"):
        if f in state and not ctx.jsonata:
            path_field(ctx, state[f], (path, f), reference=True)


BY_TYPE = {
    "Task": check_task,
    "Wait": check_wait,
    "Pass": check_pass,
    "Succeed": check_succeed,
    "Fail": check_fail,
    "Choice": check_choice,
    "Parallel": check_parallel,
    "Map": check_map,
}


# Fields whose value is passed on as data: a "Next" or "End" inside one is data, not a transition.
_DATA_FIELDS = ("Parameters", "Arguments", "Result", "ResultSelector", "Output", "Assign", "ItemSelector")


def _nested_transition(state: dict[str, Any]) -> str:
    """A hint when the missing Next or End sits one level down, inside a field passed on as data: one
    misplaced key is then one error (the hint), not a mystery and a cascade."""
    for field in _DATA_FIELDS:
        inner = state.get(field)
        if isinstance(inner, dict):
            for key in ("Next", "End"):
                if key in inner:
                    return f" (a {key!r} sits inside {field}, where it is data: move it up to the state)"
    return ""
