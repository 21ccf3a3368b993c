"""Compile a Choice state (JSONPath or JSONata) into a decision function, once.

``compile_choice(state_or_definition, state_name=None)`` accepts a whole definition (text, bytes or a dict;
the state is looked up by name through Parallel branches and Map processors too) or one Choice state. The
result is a :class:`tamis.runtime.choice.ChoiceDecision`: ``decide(input, variables=None,
context=None)`` returns the next state's name. Everything is prepared here: reference paths become key/index
tuples, literal timestamps are parsed, operators are resolved to functions and JSONata conditions are
parsed, so a decision only reads and compares.

A Choice state tamis cannot compile faithfully is rejected with a ``DefinitionError`` naming the JSON
pointer (and line/column when the definition came as text); full validation is ``tamis.validate_asl``.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import orjson

from tamis.errors import DefinitionError
from tamis.grammar.located_json import MAX_NESTING, LocatedJSON, parse_json
from tamis.runtime.choice.decision import ChoiceDecision
from tamis.runtime.choice.jsonata_conditions import STEP_FUNCTIONS_JSONATA, jsonata_condition
from tamis.runtime.choice.operators import COMPARISONS, TYPE_TESTS, prepare_literal
from tamis.runtime.choice.paths import Getter, context_getter, input_getter, variable_getter
from tamis.runtime.choice.predicates import (
    Predicate,
    all_of,
    any_of,
    compare_literal,
    compare_path,
    is_present,
    negate,
    string_matches,
    type_test,
)
from tamis.runtime.choice.timestamps import parse_timestamp
from tamis.runtime.json_values import first_problem
from tamis.runtime.json_values import pointer as json_pointer

JSONPathKey = tuple[str | int, ...]

_STRING_OPS = ("StringEquals", "StringLessThan", "StringGreaterThan", "StringLessThanEquals")
_STRING_OPS += ("StringGreaterThanEquals",)
_NUMERIC_OPS = ("NumericEquals", "NumericLessThan", "NumericGreaterThan", "NumericLessThanEquals")
_NUMERIC_OPS += ("NumericGreaterThanEquals",)
_TIMESTAMP_OPS = ("TimestampEquals", "TimestampLessThan", "TimestampGreaterThan", "TimestampLessThanEquals")
_TIMESTAMP_OPS += ("TimestampGreaterThanEquals",)
COMPARISON_OPERATORS = (*_STRING_OPS, *_NUMERIC_OPS, "BooleanEquals", *_TIMESTAMP_OPS)
PATH_OPERATORS = tuple(op + "Path" for op in COMPARISON_OPERATORS)
TYPE_OPERATORS = ("IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp")
ALL_OPERATORS = frozenset((*COMPARISON_OPERATORS, *PATH_OPERATORS, *TYPE_OPERATORS, "StringMatches"))

# Fields a rule may carry besides its test (DG state-choice.html, workflow-variables.html).
_JSONPATH_RULE_EXTRAS = frozenset({"Comment", "Assign"})
_JSONATA_RULE_FIELDS = frozenset({"Condition", "Next", "Comment", "Assign", "Output"})
# Characters that make a Path more than a Reference Path (ASL spec §Reference Paths) unless escaped.
_PATH_OPERATOR_CHARS = frozenset("@,:?*()")


class _Ctx:
    """Where the Choice state sits in its document, for error positions."""

    def __init__(self, doc: LocatedJSON | None, base: JSONPathKey, source: str | None) -> None:
        self.doc, self.base, self.source = doc, base, source

    def pointer(self, path: JSONPathKey) -> str:
        full = self.base + path
        return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in full) if full else "/"

    def fail(
        self, message: str, path: JSONPathKey, rule: str = "SCHEMA_VALIDATION_FAILED"
    ) -> DefinitionError:
        line = column = None
        if self.doc is not None:
            line, column = self.doc.position(self.base + path)
        err = DefinitionError(
            message, line=line, column=column, source=self.source, rule=rule, pointer=self.pointer(path)
        )
        err.json_path = self.base + path  # type: ignore[attr-defined]  # located later when from text
        return err


# --------------------------------------------------------------------------------------------------------
# Reference paths: `$`, `$.a.b`, `$['a'][0]`, `$$.Execution.Id`, `$name.field`, with `\` escapes in dotted
# names (shared/notes/asl.md §1.3). Filters, unions, slices, wildcards and deep scans are not Reference Paths.


def _is_ident_start(ch: str) -> bool:
    return ch == "_" or ch.isalpha()


def parse_reference_path(text: str) -> tuple[str, str | None, tuple[str | int, ...]] | str:
    """``(root, variable name, steps)`` with root in input/context/variable, or an error message."""
    if not text.startswith("$"):
        return "a path must begin with '$'"
    n = len(text)
    name: str | None = None
    if text.startswith("$$"):
        root, pos = "context", 2
    elif n > 1 and _is_ident_start(text[1]):
        pos = 2
        while pos < n and (text[pos] == "_" or text[pos].isalnum()):
            pos += 1
        root, name = "variable", text[1:pos]
    else:
        root, pos = "input", 1
    steps: list[str | int] = []
    while pos < n:
        ch = text[pos]
        if ch == ".":
            pos += 1
            if pos < n and text[pos] == ".":
                return "deep scan '..' is not allowed in a reference path"
            key: list[str] = []
            while pos < n and text[pos] not in ".[":
                c = text[pos]
                if c == "\\":
                    if pos + 1 >= n:
                        return "a path cannot end with a lone backslash"
                    key.append(text[pos + 1])
                    pos += 2
                    continue
                if c in _PATH_OPERATOR_CHARS or c.isspace():
                    return f"{c!r} is not allowed unescaped in a reference path"
                key.append(c)
                pos += 1
            if not key:
                return "empty field name in path"
            steps.append("".join(key))
        elif ch == "[":
            end = pos + 1
            if end < n and text[end] in "'\"":
                quote = text[end]
                end += 1
                key = []
                while end < n and text[end] != quote:
                    if text[end] == "\\" and end + 1 < n:
                        key.append(text[end + 1])
                        end += 2
                        continue
                    key.append(text[end])
                    end += 1
                if end + 1 >= n or text[end + 1] != "]":
                    return "unterminated bracket in path"
                steps.append("".join(key))
                pos = end + 2
            else:
                close = text.find("]", end)
                if close < 0:
                    return "unterminated bracket in path"
                index = text[end:close].strip()
                if not index.isascii() or not index.isdigit():
                    return f"brackets of a reference path hold a field name or an array index, not {index!r}"
                steps.append(int(index))
                pos = close + 1
        else:
            return f"unexpected {ch!r} in path"
    return root, name, tuple(steps)


def _getter(text: Any, ctx: _Ctx, path: JSONPathKey) -> Getter:
    if type(text) is not str:
        raise ctx.fail("a path must be a string", path)
    parsed = parse_reference_path(text)
    if isinstance(parsed, str):
        raise ctx.fail(f"invalid reference path {text!r}: {parsed}", path)
    root, name, steps = parsed
    if root == "input":
        return input_getter(steps)
    if root == "context":
        return context_getter(steps)
    assert name is not None
    return variable_getter(name, steps)


# --------------------------------------------------------------------------------------------------------
# JSONPath rules.


def _is_number(x: Any) -> bool:
    return type(x) is not bool and isinstance(x, (int, float, Decimal))


def _check_literal(op: str, value: Any, ctx: _Ctx, path: JSONPathKey) -> None:
    if op in _STRING_OPS or op == "StringMatches":
        ok, want = type(value) is str, "a string"
    elif op in _NUMERIC_OPS:
        ok, want = _is_number(value), "a number"
    elif op == "BooleanEquals" or op in TYPE_OPERATORS:
        ok, want = type(value) is bool, "a boolean"
    else:
        ok, want = parse_timestamp(value) is not None, "an RFC 3339 timestamp string"
    if not ok:
        raise ctx.fail(f"the value of {op} must be {want}, not {value!r}", path)


def _compile_rule(rule: Any, ctx: _Ctx, path: JSONPathKey, top: bool) -> Predicate:
    if type(rule) is not dict:
        raise ctx.fail("a Choice rule must be an object", path)
    if top:
        if type(rule.get("Next")) is not str:
            raise ctx.fail("a top-level Choice rule needs a 'Next' state name", path)
    elif "Next" in rule:
        raise ctx.fail("'Next' is only allowed on top-level Choice rules", (*path, "Next"))
    extras = _JSONPATH_RULE_EXTRAS | {"Next"} if top else frozenset({"Comment"})
    tests = [k for k in rule if k not in extras]
    boolean = [k for k in tests if k in ("And", "Or", "Not")]
    if boolean:
        if len(tests) != 1:
            raise ctx.fail(
                f"a rule with {boolean[0]} cannot also have {sorted(set(tests) - {boolean[0]})}", path
            )
        op = boolean[0]
        sub = rule[op]
        if op == "Not":
            return negate(_compile_rule(sub, ctx, (*path, "Not"), False))
        if type(sub) is not list or not sub:
            raise ctx.fail(f"{op} must be a non-empty array of rules", (*path, op))
        preds = [_compile_rule(r, ctx, (*path, op, i), False) for i, r in enumerate(sub)]
        return all_of(preds) if op == "And" else any_of(preds)
    if "Variable" not in rule:
        raise ctx.fail("a Choice rule needs 'Variable' and one comparison operator, or And/Or/Not", path)
    ops = [k for k in tests if k != "Variable"]
    unknown = [k for k in ops if k not in ALL_OPERATORS]
    if unknown:
        raise ctx.fail(f"unknown Choice rule field {unknown[0]!r}", (*path, unknown[0]))
    if len(ops) != 1:
        raise ctx.fail(f"a Choice rule needs exactly one comparison operator, found {len(ops)}", path)
    op = ops[0]
    var_text = rule["Variable"]
    get = _getter(var_text, ctx, (*path, "Variable"))
    value = rule[op]
    vpath = (*path, op)
    pointer = ctx.pointer(path)
    if op in PATH_OPERATORS:
        other = _getter(value, ctx, vpath)
        return compare_path(get, COMPARISONS[op[:-4]], other, var_text, value, pointer)
    _check_literal(op, value, ctx, vpath)
    if op == "IsPresent":
        return is_present(get, value)
    if op in TYPE_OPERATORS:
        return type_test(get, TYPE_TESTS[op], value, var_text, pointer)
    if op == "StringMatches":
        return string_matches(get, value, var_text, pointer)
    return compare_literal(get, COMPARISONS[op], prepare_literal(op, value), var_text, pointer)


# --------------------------------------------------------------------------------------------------------
# JSONata rules.


def _re2_engine(pattern: str, flags: Any) -> Any:
    """Regex literals inside JSONata conditions run on RE2, like every user-supplied pattern in tamis."""
    import re2

    prefix = ("i" if flags.case_insensitive else "") + ("m" if flags.multiline else "")
    return re2.compile(f"(?{prefix}){pattern}" if prefix else pattern)


def _compile_condition(rule: Any, ctx: _Ctx, path: JSONPathKey) -> Predicate:
    if type(rule) is not dict:
        raise ctx.fail("a Choice rule must be an object", path)
    for key in rule:
        if key not in _JSONATA_RULE_FIELDS:
            raise ctx.fail(f"field {key!r} is not allowed in a JSONata Choice rule", (*path, key))
    if type(rule.get("Next")) is not str:
        raise ctx.fail("a Choice rule needs a 'Next' state name", path)
    cond = rule.get("Condition")
    cpath = (*path, "Condition")
    if type(cond) is bool:
        return (lambda i, v, c: True) if cond else (lambda i, v, c: False)
    if type(cond) is not str:
        raise ctx.fail(
            "a JSONata Choice rule needs a 'Condition' expression", path if cond is None else cpath
        )
    text = cond.strip()
    if not (text.startswith("{%") and text.endswith("%}")) or len(text) < 4:
        raise ctx.fail("'Condition' must be a JSONata expression written as {% ... %}", cpath)
    body = text[2:-2]
    try:
        import jsonata

        expression = jsonata.Jsonata(body, _re2_engine)
        for name, function in STEP_FUNCTIONS_JSONATA.items():
            expression.register_lambda(name, function)
    except Exception as exc:  # the library's parse errors (JException) and regex compile errors
        raise ctx.fail(
            f"invalid JSONata expression: {exc}", cpath, rule="INVALID_JSONATA_EXPRESSION"
        ) from None
    return jsonata_condition(expression, body.strip(), ctx.pointer(cpath))


# --------------------------------------------------------------------------------------------------------
# Finding the state.


def _find_state(
    machine: Any, name: str, path: JSONPathKey, language: str
) -> tuple[dict[str, Any], JSONPathKey, str] | None:
    if type(machine) is not dict or type(machine.get("States")) is not dict:
        return None
    states = machine["States"]
    if name in states:
        return states[name], (*path, "States", name), language
    for key, state in states.items():
        if type(state) is not dict:
            continue
        inner = state.get("QueryLanguage", language)
        subs: list[tuple[Any, JSONPathKey]] = []
        base = (*path, "States", key)
        if type(state.get("Branches")) is list:
            subs += [(b, (*base, "Branches", i)) for i, b in enumerate(state["Branches"])]
        for field in ("ItemProcessor", "Iterator"):
            if field in state:
                subs.append((state[field], (*base, field)))
        for sub, sub_path in subs:
            found = _find_state(sub, name, sub_path, inner)
            if found is not None:
                return found
    return None


def _choice_names(machine: Any) -> list[str]:
    names: list[str] = []
    if type(machine) is dict and type(machine.get("States")) is dict:
        for key, state in machine["States"].items():
            if type(state) is dict:
                if state.get("Type") == "Choice":
                    names.append(key)
                for sub in state.get("Branches", []) if type(state.get("Branches")) is list else []:
                    names += _choice_names(sub)
                for field in ("ItemProcessor", "Iterator"):
                    names += _choice_names(state.get(field))
    return names


def compile_choice(
    state_or_definition: str | bytes | dict[str, Any],
    state_name: str | None = None,
    *,
    source: str | None = None,
) -> ChoiceDecision:
    """Compile one Choice state into ``decide(input, variables=None, context=None) -> next state name``.

    ``state_or_definition`` is a whole state machine (then ``state_name`` picks the state; it may be omitted
    when the machine has exactly one Choice state) or a single Choice state object. Raises
    ``DefinitionError`` for a Choice state that cannot be compiled. The decision raises
    ``StatesRuntimeError`` (``States.Runtime``), ``NoChoiceMatchedError`` (``States.NoChoiceMatched``) or
    ``QueryEvaluationError`` (``States.QueryEvaluationError``), all ``tamis.TamisError``s.
    """
    decision = _compile_source(state_or_definition, state_name, source)
    # The source a pickle keeps (a dict copied, so that later changes to it do not reach the copy).
    kept = state_or_definition
    if not isinstance(kept, (str, bytes)):
        kept = copy.deepcopy(kept)
    decision._source = (_recompile, (kept, state_name, source))
    return decision


def _recompile(
    state_or_definition: str | bytes | dict[str, Any], state_name: str | None, source: str | None
) -> ChoiceDecision:
    """A pickled decision, compiled again on load (ChoiceDecision.__reduce__)."""
    return compile_choice(state_or_definition, state_name, source=source)


def _compile_source(
    state_or_definition: str | bytes | dict[str, Any], state_name: str | None, source: str | None
) -> ChoiceDecision:
    if not isinstance(state_or_definition, (str, bytes)):
        try:
            orjson.dumps(state_or_definition)  # C speed: refuses what no JSON text can hold, and more
        except (TypeError, orjson.JSONEncodeError):
            problem = first_problem(state_or_definition, MAX_NESTING)
            if problem is not None and problem[3] != "number-size":  # long integers are judged as values
                path, _key, message, _rule = problem
                raise DefinitionError(
                    message, source=source, rule="INVALID_JSON_DESCRIPTION", pointer=json_pointer(path)
                ) from None
        return _compile(state_or_definition, state_name, None, source)
    # Text is read with orjson; the located parser runs only when there is an error to place (or when
    # orjson refuses what strict JSON allows, such as integers beyond 64 bits).
    try:
        value = orjson.loads(state_or_definition)
    except orjson.JSONDecodeError:
        doc = parse_json(state_or_definition, source=source, error=DefinitionError)
        return _compile(doc.value, state_name, doc, source)
    try:
        return _compile(value, state_name, None, source)
    except DefinitionError as err:
        doc = parse_json(state_or_definition, source=source, error=DefinitionError)
        line, column = doc.position(getattr(err, "json_path", ()))
        raise err.located(line=line, column=column, source=source) from None


def _compile(
    value: Any, state_name: str | None, doc: LocatedJSON | None, source: str | None
) -> ChoiceDecision:
    root = _Ctx(doc, (), source)
    if type(value) is not dict:
        raise root.fail("a definition or Choice state must be a JSON object", ())
    language = value.get("QueryLanguage", "JSONPath")
    if "States" in value:
        if state_name is None:
            names = _choice_names(value)
            if len(names) != 1:
                raise root.fail(f"name the Choice state to compile (the machine has {len(names)})", ())
            state_name = names[0]
        found = _find_state(value, state_name, (), language)
        if found is None:
            raise root.fail(f"no state named {state_name!r} in the definition", ("States",))
        state, base, language = found
    else:
        state, base = value, ()
    ctx = _Ctx(doc, base, source)
    if type(state) is not dict or state.get("Type") != "Choice":
        raise ctx.fail(f"state {state_name!r} is not a Choice state", ())
    language = state.get("QueryLanguage", language)
    if language not in ("JSONPath", "JSONata"):
        raise ctx.fail(f"QueryLanguage must be JSONPath or JSONata, not {language!r}", ())
    choices = state.get("Choices")
    if type(choices) is not list or not choices:
        raise ctx.fail("a Choice state needs a non-empty 'Choices' array", ("Choices",) if choices else ())
    default = state.get("Default")
    if default is not None and type(default) is not str:
        raise ctx.fail("'Default' must be a state name", ("Default",))
    rules: list[tuple[Predicate, str]] = []
    for i, rule in enumerate(choices):
        path = ("Choices", i)
        if language == "JSONata":
            pred = _compile_condition(rule, ctx, path)
        else:
            pred = _compile_rule(rule, ctx, path, True)
        rules.append((pred, rule["Next"]))
    return ChoiceDecision(rules, default, state_name=state_name, query_language=language)
