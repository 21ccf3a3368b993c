"""The strings inside a state: JSONPath paths, payload templates (``.$`` keys holding paths or intrinsic
calls) and ``{% %}`` JSONata expressions. A cheap check decides the common cases; the Lark grammars
(``tamis.grammar.asl``) run only when it cannot, and they cache their answers per string. Every variable
an expression reads is recorded on the state's scope for the dataflow check (``variables``)."""

from __future__ import annotations

from typing import Any

from tamis.compiler.asl.findings import ERROR, SCHEMA, Path, flat
from tamis.compiler.asl.scope import StateCtx
from tamis.compiler.asl.values import is_placeholder
from tamis.compiler.json_types import json_type
from tamis.grammar.asl.intrinsics import check_intrinsic
from tamis.grammar.asl.jsonpath import parse_path
from tamis.grammar.text import LineIndex


def path_field(
    ctx: StateCtx,
    value: Any,
    path: Path,
    *,
    nullable: bool = False,
    reference: bool = False,
    context: bool = True,
) -> None:
    """A field holding a Path; ``reference``: a Reference Path; ``context=False``: a ResultPath,
    which writes and so names neither ``$$`` nor a variable."""
    if value is None:
        if not nullable:
            ctx.v.err(f"{path[1]} must be a path, not null", path)
        return
    if not isinstance(value, str):
        ctx.v.err(f"{path[1]} must be a path (a string starting with '$'), not {json_type(value)}", path)
        return
    if value.startswith("${") and is_placeholder(value):
        return
    info = parse_path(value)
    if info.error:
        ctx.v.err(f"{path[1]}: {info.error}", path)
        return
    if reference and not info.reference:
        ctx.v.err(
            f"{path[1]} must be a Reference Path (a single node: no filters, unions, slices or "
            f"wildcards): {value!r}",
            path,
        )
    if not context and info.root == "context":
        ctx.v.err(f"{path[1]} must not refer to the context object ($$)", path)
    if info.root == "variable" and info.variable:
        if not context:
            ctx.v.err(f"{path[1]} cannot write into a variable; use Assign", path)
        else:
            ctx.read(info.variable, path)


def intrinsic(ctx: StateCtx, value: str, path: Path) -> None:
    """An intrinsic function call, checked by its grammar; a syntax error is placed inside the string."""
    info = check_intrinsic(value)
    if info.error:
        message = (
            f"The value for the field '{path[1]}' must be a valid JSONPath or a valid intrinsic "
            f"function call: {info.error}"
        )
        if info.column is not None:  # a syntax error: its place inside the string is known
            ctx.v.findings.append((SCHEMA, ERROR, message, flat(path), False, info.column - 1))
        else:
            ctx.v.err(message, path)
    for var in info.variables:
        ctx.read(var, path)


def template(ctx: StateCtx, tpl: Any, path: Path, *, top: bool = True) -> None:
    """A JSONPath payload template: an object whose ``.$`` keys hold paths or intrinsic calls.

    Another value is a warning, not an error: the specification asks for an object, but the console
    accepts any JSON value in Parameters (https://github.com/aws/aws-toolkit-vscode/pull/2660, its linter
    "permits the value to be any type"); a string that reads like a path gets the service's NO_DOLLAR."""
    if top and isinstance(tpl, str) and (tpl.startswith("$") or "(" in tpl):
        ctx.v.warn(
            f"{path[1]} is a string used literally; a payload template is an object whose keys "
            "end in '.$' to evaluate paths",
            path,
            "NO_DOLLAR",
        )
    elif top and not isinstance(tpl, dict):
        ctx.v.warn(
            f"{path[1]} is a JSON {json_type(tpl)}, passed as written; the ASL specification asks for an "
            "object (a payload template whose '.$' keys are evaluated)",
            path,
            "PAYLOAD_TEMPLATE_NOT_OBJECT",
        )
    if isinstance(tpl, dict):
        for key, value in tpl.items():
            if key.endswith(".$"):
                kpath = (path, key)
                if key[:-2] in tpl:
                    ctx.v.err(f"field {key[:-2]!r} appears twice once '.$' is removed", kpath, key=True)
                if type(value) is str and value[:1] == "$" and value[1:2] != "{":
                    info = parse_path(value)  # the common case, inlined: a plain path
                    if info.error is None:
                        if info.variable:
                            ctx.read(info.variable, kpath)
                        continue
                dollar_value(ctx, value, kpath)
            elif type(value) is dict or type(value) is list:
                template(ctx, value, (path, key), top=False)
            elif type(value) is str and value.startswith(("$", "States.")) and _looks_dynamic(value):
                ctx.v.warn(
                    f"field {key!r} holds {value!r}, which is used literally; add '.$' to the key to "
                    "evaluate it",
                    (path, key),
                    "NO_DOLLAR",
                )
    elif isinstance(tpl, list):
        for i, item in enumerate(tpl):
            if isinstance(item, (dict, list)):
                template(ctx, item, (path, i), top=False)


def dollar_value(ctx: StateCtx, value: Any, path: Path) -> None:
    """The value of a ``.$`` key: a path or an intrinsic function call."""
    if not isinstance(value, str):
        ctx.v.err(
            f"The value for the field '{path[1]}' must be a valid JSONPath or a valid intrinsic "
            f"function call, not {json_type(value)}",
            path,
        )
        return
    if value.startswith("$"):
        if value.startswith("${") and is_placeholder(value):
            return
        info = parse_path(value)
        if info.error:
            ctx.v.err(
                f"The value for the field '{path[1]}' must be a valid JSONPath or a valid intrinsic "
                f"function call: {info.error}",
                path,
            )
        elif info.root == "variable" and info.variable:
            ctx.read(info.variable, path)
    elif value[:1].isspace():
        ctx.v.err(
            f"The value for the field '{path[1]}' must be a valid JSONPath or a valid intrinsic "
            "function call: it must not start with whitespace",
            path,
        )
    else:
        intrinsic(ctx, value, path)


def jsonata_value(
    ctx: StateCtx, value: Any, path: Path, *, result: bool = False, error_output: bool = False
) -> None:
    """Check every ``{% %}`` expression inside a JSON value of a JSONata state."""
    if isinstance(value, str):
        _expression(ctx, value, path, result, error_output)
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (str, dict, list)):
                jsonata_value(ctx, item, (path, key), result=result, error_output=error_output)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, (str, dict, list)):
                jsonata_value(ctx, item, (path, i), result=result, error_output=error_output)


def _expression(ctx: StateCtx, text: str, path: Path, result: bool, error_output: bool) -> None:
    opens, closes = text.startswith("{%"), text.endswith("%}")
    if not (opens or closes):
        return
    if not (opens and closes) or len(text) < 4:
        ctx.v.err(
            "a JSONata expression must be written as the whole string '{% ... %}'",
            path,
            "INVALID_JSONATA_EXPRESSION",
        )
        return
    expression = text[2:-2]
    info = check_jsonata(expression)
    if info.error:
        # where in the string the error is, so a caller holding the text can point at the character
        inner = 2 + LineIndex(expression).offset(info.line or 1, info.column or 1)
        ctx.v.findings.append(
            (
                "INVALID_JSONATA_EXPRESSION",
                ERROR,
                f"invalid JSONata expression: {info.error} at line {info.line}, column {info.column} of "
                "the expression",
                flat(path),
                False,
                inner,
            )
        )
        return
    for ref in info.top_level:
        what = "'$$'" if ref == "$$" else ("'$'" if ref == "$" else repr(ref))
        ctx.v.err(
            f"Reference to {what} at the top level is not supported; use $states.input",
            path,
            "UNSUPPORTED_JSONATA_EXPRESSION",
        )
    for field in info.states_fields:
        if field in ("input", "context"):
            continue
        if field == "result" and result:
            continue
        if field == "errorOutput" and error_output:
            continue
        if field == "result":
            msg = "$states.result is available only in Output and Assign of Task, Map and Parallel states"
        elif field == "errorOutput":
            msg = "$states.errorOutput is available only in a Catcher's Output and Assign"
        else:
            msg = f"$states.{field} does not exist (use input, context, result or errorOutput)"
        ctx.v.err(msg, path, "UNSUPPORTED_JSONATA_EXPRESSION")
    for var in info.variables:
        ctx.read(var, path)


def check_jsonata(expression: str) -> Any:
    """``tamis.grammar.asl.jsonata.check_jsonata``, imported on first use: a JSONPath definition (and a
    command-line run on one) never needs the JSONata checker. The first call rebinds this name."""
    from tamis.grammar.asl.jsonata import check_jsonata as check

    globals()["check_jsonata"] = check
    return check(expression)


def _looks_dynamic(value: str) -> bool:
    """A literal that reads like a path or an intrinsic call (the service's NO_DOLLAR warning)."""
    if value.startswith("$."):
        return True
    if value.startswith("$$."):
        return True
    return value.startswith("States.") and value.endswith(")") and "(" in value
