"""Choice rules (SPEC21 Choice State, DG state-choice): JSONPath rules with a Variable and one comparison
operator or And/Or/Not, JSONata rules with a Condition. ``tamis.compiler.asl.choice_compiler`` compiles
the same rules into a decision function."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tamis.compiler.asl.expressions import jsonata_value, path_field
from tamis.compiler.asl.fields import optional_str
from tamis.compiler.asl.findings import Path
from tamis.compiler.asl.scope import StateCtx
from tamis.compiler.asl.values import delimited, is_num, is_placeholder, is_rfc3339
from tamis.compiler.asl.variables import assign
from tamis.compiler.json_types import json_type

if TYPE_CHECKING:
    from tamis.compiler.asl.validator import Validator

# operator -> the operand it takes; each comparison but StringMatches also has a ...Path variant.
COMPARATORS: dict[str, str] = {
    "StringEquals": "str",
    "StringLessThan": "str",
    "StringGreaterThan": "str",
    "StringLessThanEquals": "str",
    "StringGreaterThanEquals": "str",
    "StringMatches": "str",
    "NumericEquals": "num",
    "NumericLessThan": "num",
    "NumericGreaterThan": "num",
    "NumericLessThanEquals": "num",
    "NumericGreaterThanEquals": "num",
    "BooleanEquals": "bool",
    "TimestampEquals": "ts",
    "TimestampLessThan": "ts",
    "TimestampGreaterThan": "ts",
    "TimestampLessThanEquals": "ts",
    "TimestampGreaterThanEquals": "ts",
    "IsNull": "bool",
    "IsPresent": "bool",
    "IsNumeric": "bool",
    "IsString": "bool",
    "IsBoolean": "bool",
    "IsTimestamp": "bool",
}
for _name in list(COMPARATORS):
    if _name != "StringMatches" and not _name.startswith("Is"):
        COMPARATORS[_name + "Path"] = "path"
del _name


def check_choice(v: Validator, state: dict[str, Any], path: Path, ctx: StateCtx) -> None:
    choices = state.get("Choices")
    cpath = (path, "Choices")
    if "Choices" not in state:
        v.err("These fields are required: [Choices]", path)
    elif not isinstance(choices, list) or not choices:
        v.err("Choices must be a non-empty array", cpath)
    else:
        for i, rule in enumerate(choices):
            _rule(v, rule, (cpath, i), ctx, top=True)
    if "Default" in state:
        ctx.target(state["Default"], (path, "Default"))


def _rule(v: Validator, rule: Any, path: Path, ctx: StateCtx, *, top: bool) -> None:
    if not isinstance(rule, dict):
        v.err(f"a Choice Rule must be an object, not {json_type(rule)}", path)
        return
    if not ctx.jsonata and len(rule) == 2 + top and "Variable" in rule and (not top or "Next" in rule):
        # The common shape, exactly {Variable, one comparison[, Next]}: the general checks below
        # could report nothing but what these three calls report, in the same order.
        for op in rule:
            if op in COMPARATORS:
                if top:
                    ctx.target(rule["Next"], (path, "Next"))
                path_field(ctx, rule["Variable"], (path, "Variable"))
                _comparison(v, op, rule[op], (path, op), ctx)
                return
    if top:
        if "Next" not in rule:
            v.err("These fields are required: [Next]", path)
        else:
            ctx.target(rule["Next"], (path, "Next"))
        if "Assign" in rule:
            assign(ctx, rule["Assign"], (path, "Assign"))
    else:
        for f in ("Next", "Assign", "Output"):
            if f in rule:
                v.err(
                    f"{f} is allowed only in a top-level Choice Rule, not inside And/Or/Not",
                    (path, f),
                    key=True,
                )
    optional_str(v, rule, "Comment", path)
    if ctx.jsonata:
        for key in rule:
            if key not in ("Condition", "Next", "Comment", "Assign", "Output"):
                v.err(
                    f"field {key!r} is not supported in a JSONata Choice Rule (use Condition)",
                    (path, key),
                    key=True,
                )
        if "Condition" not in rule:
            v.err("These fields are required: [Condition]", path)
        else:
            cond = rule["Condition"]
            if isinstance(cond, str) and delimited(cond):
                jsonata_value(ctx, cond, (path, "Condition"))
            elif not isinstance(cond, bool):
                v.err("Condition must be a JSONata expression or a boolean", (path, "Condition"))
        if "Output" in rule and top:
            jsonata_value(ctx, rule["Output"], (path, "Output"))
        return
    ops: list[str] = []
    bools: list[str] = []
    for key in rule:
        if key in COMPARATORS:
            ops.append(key)
        elif key in ("And", "Or", "Not"):
            bools.append(key)
        elif key not in ("Variable", "Next", "Comment", "Assign"):
            word = "operator" if key[:1].isupper() and key not in ("Condition", "Output") else "field"
            v.err(f"{key!r} is not a supported Choice Rule {word}", (path, key), key=True)
    if bools:
        if len(bools) > 1 or ops or "Variable" in rule:
            v.err(
                "a boolean Choice Rule has exactly one of And, Or, Not and no Variable or comparison",
                path,
            )
        for b in bools:
            value = rule[b]
            bpath = (path, b)
            if b == "Not":
                if not isinstance(value, dict):
                    v.err("Not must be a single Choice Rule object", bpath)
                else:
                    _rule(v, value, bpath, ctx, top=False)
            elif not isinstance(value, list) or not value:
                v.err(f"{b} must be a non-empty array of Choice Rules", bpath)
            else:
                for i, sub in enumerate(value):
                    _rule(v, sub, (bpath, i), ctx, top=False)
        return
    if "Variable" not in rule:
        if ops or not any(k[:1].isupper() and k not in ("Next", "Comment", "Assign") for k in rule):
            v.err("a Choice Rule needs a Variable and one comparison operator, or And/Or/Not", path)
    else:
        path_field(ctx, rule["Variable"], (path, "Variable"))
    if len(ops) != 1 and "Variable" in rule:
        v.err(f"a Choice Rule must have exactly one comparison operator, found {len(ops)}", path)
    for op in ops:
        _comparison(v, op, rule[op], (path, op), ctx)


def _comparison(v: Validator, op: str, value: Any, path: Path, ctx: StateCtx) -> None:
    kind = COMPARATORS[op]
    if ((type(value) is str and value.startswith("${")) or type(value) is dict) and is_placeholder(value):
        return
    if kind == "path":
        path_field(ctx, value, path)
    elif kind == "str":
        if not isinstance(value, str):
            v.err(f"{op} requires a string, not {json_type(value)}", path)
        elif op == "StringMatches" and "\\" in value:
            bad = _bad_match_escape(value)
            if bad:
                v.warn(bad, path, "STRING_MATCHES_ESCAPE")
    elif kind == "num":
        if not is_num(value) or isinstance(value, bool):
            v.err(f"{op} requires a number, not {json_type(value)}", path)
    elif kind == "bool":
        if not isinstance(value, bool):
            v.err(f"{op} requires a boolean, not {json_type(value)}", path)
    elif kind == "ts" and (not isinstance(value, str) or not is_rfc3339(value)):
        v.err(f"{op} requires an RFC 3339 timestamp (uppercase T, and Z or an offset)", path)


def _bad_match_escape(pattern: str) -> str | None:
    """StringMatches knows only the escapes \\* and \\\\; anything else fails when the rule runs."""
    i = 0
    while i < len(pattern):
        if pattern[i] == "\\":
            nxt = pattern[i + 1 : i + 2]
            if nxt not in ("*", "\\"):
                what = "a trailing backslash" if not nxt else f"the escape \\{nxt}"
                return f"StringMatches pattern has {what}; only \\* and \\\\ are escapes (a run-time error)"
            i += 2
        else:
            i += 1
    return None
