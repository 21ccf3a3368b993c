"""Property tests: compiled Choice decisions agree with the plain reference interpreter in tests/support.

JSONPath rules are generated over all operators (with literals and ...Path operands, And/Or/Not nesting,
input, context and variable paths, present and absent values); the compiled decision and the reference
must give the same next state or the same service error name. JSONata is checked by translating a subset
of the generated JSONPath rules into equivalent type-guarded JSONata conditions.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from support.reference_choice import ReferenceFailure, decide, timestamp_key

from tamis.compiler.asl.choice_compiler import compile_choice
from tamis.runtime.choice import StatesError

# Small alphabets make equal values, prefixes and wildcard hits likely.
TEXT = st.text(alphabet="ab*\\.", max_size=6)


@st.composite
def timestamps(draw: st.DrawFn, valid_only: bool = False) -> str:
    year = draw(st.sampled_from([0, 1969, 1970, 2000, 2023, 2024, 9999]))
    month = draw(st.integers(1, 12 if valid_only else 13))
    day = draw(st.integers(1, 28 if valid_only else 31))
    hour, minute = draw(st.integers(0, 23)), draw(st.sampled_from([0, 30, 59]))
    second = draw(st.sampled_from([0, 1, 59]))
    frac = draw(st.sampled_from(["", ".0", ".5", ".50", ".000000001", ".999999999999"]))
    tz = draw(st.sampled_from(["Z", "+00:00", "-00:00", "+01:00", "-05:30", "+14:00", "+23:59"]))
    text = f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}{frac}{tz}"
    if not valid_only and draw(st.booleans()) and draw(st.booleans()):
        text = draw(st.sampled_from([text.lower(), text.replace("T", " "), text[:19], text + "x"]))
    return text


NUMBERS = st.one_of(
    st.integers(-3, 3),
    st.sampled_from([0.5, -0.5, 2.0, 1e300, 2**53, 2**53 + 1, 10**400]),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-5, max_value=5),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT, timestamps())
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(["x", "y"]), inner, max_size=2)
    ),
    max_leaves=4,
)
KEYS = ["a", "b", "c"]
INPUTS = st.dictionaries(st.sampled_from([*KEYS, "l", "d"]), VALUES, max_size=5)
PATHS = st.sampled_from(
    ["$.a", "$.b", "$.c", "$.d.x", "$.l[0]", "$.l[2]", "$['a']", "$$.k", "$v", "$v.x", "$w"]
)

STRING_OPS = ["StringEquals", "StringLessThan", "StringGreaterThan", "StringLessThanEquals"]
STRING_OPS += ["StringGreaterThanEquals"]
NUMERIC_OPS = [op.replace("String", "Numeric") for op in STRING_OPS]
TIMESTAMP_OPS = [op.replace("String", "Timestamp") for op in STRING_OPS]
TYPE_OPS = ["IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"]


@st.composite
def leaf(draw: st.DrawFn, paths: st.SearchStrategy[str] = PATHS, with_paths: bool = True) -> dict[str, Any]:
    family = draw(st.sampled_from(["string", "numeric", "boolean", "timestamp", "type", "matches"]))
    var = draw(paths)
    if family == "type":
        return {"Variable": var, draw(st.sampled_from(TYPE_OPS)): draw(st.booleans())}
    if family == "matches":
        return {"Variable": var, "StringMatches": draw(TEXT)}
    op, literal = {
        "string": (st.sampled_from(STRING_OPS), TEXT),
        "numeric": (st.sampled_from(NUMERIC_OPS), NUMBERS),
        "boolean": (st.just("BooleanEquals"), st.booleans()),
        "timestamp": (st.sampled_from(TIMESTAMP_OPS), timestamps(valid_only=True)),
    }[family]
    name = draw(op)
    if with_paths and draw(st.booleans()):
        return {"Variable": var, name + "Path": draw(paths)}
    return {"Variable": var, name: draw(literal)}


def rules(base: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.recursive(
        base,
        lambda inner: st.one_of(
            st.builds(lambda rs: {"And": rs}, st.lists(inner, min_size=1, max_size=3)),
            st.builds(lambda rs: {"Or": rs}, st.lists(inner, min_size=1, max_size=3)),
            st.builds(lambda r: {"Not": r}, inner),
        ),
        max_leaves=5,
    )


@st.composite
def choice_states(draw: st.DrawFn, rule_strategy: st.SearchStrategy[dict[str, Any]]) -> dict[str, Any]:
    rule_list = draw(st.lists(rule_strategy, min_size=1, max_size=3))
    state: dict[str, Any] = {
        "Type": "Choice",
        "Choices": [{**r, "Next": f"S{i}"} for i, r in enumerate(rule_list)],
    }
    if draw(st.booleans()):
        state["Default"] = "Fallback"
    return state


VARIABLES = st.dictionaries(st.sampled_from(["v", "w"]), VALUES, max_size=2)
CONTEXTS = st.one_of(st.none(), st.fixed_dictionaries({"k": VALUES}))


def outcome(fn: Any) -> tuple[str, str]:
    try:
        return ("next", fn())
    except StatesError as exc:
        return ("error", exc.error)
    except ReferenceFailure as exc:
        return ("error", exc.error)


@given(choice_states(rules(leaf())), INPUTS, VARIABLES, CONTEXTS)
def test_compiled_jsonpath_agrees_with_reference(
    state: dict[str, Any], inp: dict[str, Any], variables: dict[str, Any], context: Any
) -> None:
    compiled = compile_choice(state)
    expected = outcome(lambda: decide(state, inp, variables, context))
    assert outcome(lambda: compiled(inp, variables, context)) == expected


@given(timestamps(), timestamps())
def test_timestamp_order_agrees_with_reference(x: str, y: str) -> None:
    kx, ky = timestamp_key(x), timestamp_key(y)
    for op, cmp in (("TimestampLessThan", lambda a, b: a < b), ("TimestampEquals", lambda a, b: a == b)):
        state = {
            "Type": "Choice",
            "Choices": [{"Variable": "$.x", op + "Path": "$.y", "Next": "T"}],
            "Default": "F",
        }
        want = "T" if kx is not None and ky is not None and cmp(kx, ky) else "F"
        assert compile_choice(state)({"x": x, "y": y}) == want


@given(st.text(alphabet="ab*\\", max_size=8), st.text(alphabet="ab*\\", max_size=8))
def test_string_matches_agrees_with_re2_reference(pattern: str, text: str) -> None:
    state = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.s", "StringMatches": pattern, "Next": "T"}],
        "Default": "F",
    }
    compiled = compile_choice(state)
    assert outcome(lambda: compiled({"s": text})) == outcome(lambda: decide(state, {"s": text}))


# -------------------------------------------------------------------------------------- JSONata side

JSONATA_PATHS = st.sampled_from(["$.a", "$.b", "$v"])
JSONATA_TYPES = {"IsNull": "null", "IsNumeric": "number", "IsString": "string", "IsBoolean": "boolean"}
JS_OPS = {
    "Equals": "=",
    "LessThan": "<",
    "GreaterThan": ">",
    "LessThanEquals": "<=",
    "GreaterThanEquals": ">=",
}


def to_jsonata(rule: dict[str, Any]) -> str:
    """An equivalent JSONata condition, with explicit type guards where JSONPath makes wrong types false."""
    if "And" in rule:
        return "(" + " and ".join(to_jsonata(r) for r in rule["And"]) + ")"
    if "Or" in rule:
        return "(" + " or ".join(to_jsonata(r) for r in rule["Or"]) + ")"
    if "Not" in rule:
        return f"$not({to_jsonata(rule['Not'])})"
    var = rule["Variable"]
    x = "$states.input." + var[2:] if var.startswith("$.") else var
    op = next(k for k in rule if k != "Variable")
    value = rule[op]
    if op == "IsPresent":
        return f"($exists({x}) = {json.dumps(value)})"
    if op in JSONATA_TYPES:
        return f"(($type({x}) = '{JSONATA_TYPES[op]}') = {json.dumps(value)})"
    if op == "BooleanEquals":
        return f"($type({x}) = 'boolean' and {x} = {json.dumps(value)})"
    family, cmp = ("string", op[6:]) if op.startswith("String") else ("number", op[7:])
    return f"($type({x}) = '{family}' and {x} {JS_OPS[cmp]} {json.dumps(value)})"


JSONATA_LEAVES = st.one_of(
    st.builds(
        lambda p, op, b: {"Variable": p, op: b},
        JSONATA_PATHS,
        st.sampled_from([*JSONATA_TYPES, "IsPresent"]),
        st.booleans(),
    ),
    st.builds(lambda p, b: {"Variable": p, "BooleanEquals": b}, JSONATA_PATHS, st.booleans()),
    st.builds(
        lambda p, op, s: {"Variable": p, op: s},
        JSONATA_PATHS,
        st.sampled_from(STRING_OPS),
        st.text("ab", max_size=3),
    ),
    st.builds(
        lambda p, op, n: {"Variable": p, op: n},
        JSONATA_PATHS,
        st.sampled_from(NUMERIC_OPS),
        st.one_of(st.integers(-3, 3), st.sampled_from([0.5, -2.5])),
    ),
)
JSONATA_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from([0.5, -2.5, 1.0]),
    st.text("ab", max_size=3),
    st.just([1, "a"]),
    st.just({"x": 1}),
)


# Parsing a JSONata expression costs far more than a JSONPath rule: a third of the profile's examples.
@settings(max_examples=max(25, settings.default.max_examples // 3))
@given(
    choice_states(rules(JSONATA_LEAVES)),
    st.dictionaries(st.sampled_from(["a", "b"]), JSONATA_VALUES),
    st.dictionaries(st.just("v"), JSONATA_VALUES),
)
def test_jsonata_conditions_agree_with_jsonpath_reference(
    state: dict[str, Any], inp: dict[str, Any], variables: dict[str, Any]
) -> None:
    expected = outcome(lambda: decide(state, inp, variables))
    # JSONata reads an absent value as undefined where JSONPath fails: compare where JSONPath succeeds.
    assume(expected != ("error", "States.Runtime"))
    translated = {
        "Type": "Choice",
        "QueryLanguage": "JSONata",
        "Choices": [
            {"Condition": "{% " + to_jsonata(r) + " %}", "Next": r["Next"]} for r in state["Choices"]
        ],
    }
    if "Default" in state:
        translated["Default"] = state["Default"]
    compiled = compile_choice(translated)
    assert outcome(lambda: compiled(inp, variables)) == expected
