"""Unit tests of compiled Choice rules: every operator, paths, run-time errors, JSONata conditions."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from typing import Any

import pytest

from tamis.asl import compile_choice
from tamis.errors import DefinitionError, TamisError
from tamis.grammar.located_json import parse_json
from tamis.runtime.choice import (
    NoChoiceMatchedError,
    QueryEvaluationError,
    StatesError,
    StatesRuntimeError,
)


def one_rule(rule: dict[str, Any], default: str | None = "No") -> Any:
    state: dict[str, Any] = {"Type": "Choice", "Choices": [{**rule, "Next": "Yes"}]}
    if default is not None:
        state["Default"] = default
    return compile_choice(state)


def verdict(
    rule: dict[str, Any], inp: Any, variables: dict[str, Any] | None = None, context: Any = None
) -> bool:
    return one_rule(rule)(inp, variables, context) == "Yes"


# ---------------------------------------------------------------------------------------------- strings


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("StringEquals", "abc", True),
        ("StringEquals", "abd", False),
        ("StringLessThan", "abd", True),
        ("StringLessThan", "abc", False),
        ("StringLessThanEquals", "abc", True),
        ("StringGreaterThan", "abb", True),
        ("StringGreaterThan", "abc", False),
        ("StringGreaterThanEquals", "abc", True),
        ("StringGreaterThanEquals", "abd", False),
    ],
)
def test_string_comparisons(op: str, value: str, expected: bool) -> None:
    assert verdict({"Variable": "$.s", op: value}, {"s": "abc"}) is expected
    # the same comparison with the operand read from the input
    assert verdict({"Variable": "$.s", op + "Path": "$.t"}, {"s": "abc", "t": value}) is expected


@pytest.mark.parametrize("wrong", [1, 1.5, True, None, ["abc"], {"a": "abc"}])
def test_string_comparison_on_wrong_type_is_false(wrong: Any) -> None:
    for op in ("StringEquals", "StringLessThan", "StringGreaterThanEquals"):
        assert verdict({"Variable": "$.s", op: "abc"}, {"s": wrong}) is False
        assert verdict({"Not": {"Variable": "$.s", op: "abc"}}, {"s": wrong}) is True
        assert verdict({"Variable": "$.s", op + "Path": "$.t"}, {"s": "abc", "t": wrong}) is False


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("log-*.txt", "log-2024.txt", True),
        ("log-*.txt", "log-.txt", True),
        ("log-*.txt", "log-2024.csv", False),
        ("*", "", True),
        ("a*b*c", "abc", True),
        ("a*b*c", "aXbYbZc", True),
        ("a*b*c", "acb", False),
        ("ab*ba", "aba", False),  # head and tail may not overlap
        ("*.*", "noext", False),
        ("exact", "exact", True),
        ("exact", "exactly", False),
        ("\\*", "*", True),  # JSON "\\*": a literal star
        ("\\*", "x", False),
        ("a\\\\b", "a\\b", True),  # JSON "\\\\": a literal backslash
        ("\\\\*", "\\tail", True),
        ("multi\n*", "multi\nline\nend", True),  # the wildcard crosses line breaks
    ],
)
def test_string_matches(pattern: str, text: str, expected: bool) -> None:
    assert verdict({"Variable": "$.s", "StringMatches": pattern}, {"s": text}) is expected


def test_string_matches_bad_escape_is_a_runtime_error_only_when_evaluated() -> None:
    decide = one_rule({"Variable": "$.s", "StringMatches": "a\\b"})  # accepted when compiled
    with pytest.raises(StatesRuntimeError) as info:
        decide({"s": "ab"})
    assert info.value.error == "States.Runtime"
    assert decide({"s": 5}) == "No"  # wrong type: false before the pattern is used


# ---------------------------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("op", "value", "x", "expected"),
    [
        ("NumericEquals", 1, 1.0, True),
        ("NumericEquals", 1.5, 1.5, True),
        ("NumericEquals", 2, 3, False),
        ("NumericLessThan", 10, 9.99, True),
        ("NumericLessThan", 10, 10, False),
        ("NumericLessThanEquals", 10, 10, True),
        ("NumericGreaterThan", -1, 0, True),
        ("NumericGreaterThan", 0, 0, False),
        ("NumericGreaterThanEquals", 0, 0, True),
        ("NumericGreaterThanEquals", 0.5, 0.25, False),
        # binary64: 2**53 + 1 is not representable and rounds to 2**53
        ("NumericEquals", 2**53, 2**53 + 1, True),
    ],
)
def test_numeric_comparisons(op: str, value: float, x: float, expected: bool) -> None:
    assert verdict({"Variable": "$.n", op: value}, {"n": x}) is expected
    assert verdict({"Variable": "$.n", op + "Path": "$.m"}, {"n": x, "m": value}) is expected


@pytest.mark.parametrize("wrong", ["1", True, False, None, [1], {"n": 1}])
def test_numeric_comparison_on_wrong_type_is_false(wrong: Any) -> None:
    assert verdict({"Variable": "$.n", "NumericEquals": 1}, {"n": wrong}) is False
    assert verdict({"Variable": "$.n", "NumericLessThanEquals": 1}, {"n": wrong}) is False
    assert verdict({"Variable": "$.n", "NumericEqualsPath": "$.m"}, {"n": 1, "m": wrong}) is False


def test_numbers_from_text_are_compared_exactly_enough() -> None:
    # parsed from text, 0.1 arrives as a Decimal; it must compare as the number it is
    text = '{"Type":"Choice","Choices":[{"Variable":"$.n","NumericEquals":0.1,"Next":"Y"}],"Default":"N"}'
    decide = compile_choice(text)
    assert decide({"n": 0.1}) == "Y"
    # inputs parsed by tamis carry exact numbers too
    assert decide(parse_json('{"n": 0.10}').value) == "Y"
    assert decide(parse_json('{"n": 0.11}').value) == "N"


# --------------------------------------------------------------------------------------------- booleans


def test_boolean_equals() -> None:
    assert verdict({"Variable": "$.b", "BooleanEquals": True}, {"b": True}) is True
    assert verdict({"Variable": "$.b", "BooleanEquals": False}, {"b": True}) is False
    assert verdict({"Variable": "$.b", "BooleanEquals": True}, {"b": 1}) is False
    assert verdict({"Variable": "$.b", "BooleanEquals": False}, {"b": 0}) is False
    assert verdict({"Variable": "$.b", "BooleanEqualsPath": "$.c"}, {"b": False, "c": False}) is True
    assert verdict({"Variable": "$.b", "BooleanEqualsPath": "$.c"}, {"b": False, "c": "false"}) is False


# ------------------------------------------------------------------------------------------- timestamps


@pytest.mark.parametrize(
    ("op", "literal", "x", "expected"),
    [
        ("TimestampEquals", "2024-03-01T10:00:00Z", "2024-03-01T12:00:00+02:00", True),
        ("TimestampEquals", "2024-03-01T10:00:00Z", "2024-03-01T10:00:00.000Z", True),
        ("TimestampEquals", "2024-03-01T10:00:00Z", "2024-03-01T10:00:00.000000001Z", False),
        ("TimestampLessThan", "2024-03-01T10:00:00Z", "2024-03-01T09:59:59.999999999Z", True),
        ("TimestampLessThan", "2024-03-01T10:00:00Z", "2024-03-01T05:30:00-05:00", False),
        ("TimestampGreaterThan", "2024-02-29T23:59:59Z", "2024-03-01T00:00:00Z", True),
        ("TimestampGreaterThan", "2024-03-01T10:00:00.5Z", "2024-03-01T10:00:00.45Z", False),
        ("TimestampLessThanEquals", "2024-03-01T10:00:00Z", "2024-03-01T10:00:00Z", True),
        ("TimestampGreaterThanEquals", "1999-12-31T23:00:00-01:00", "2000-01-01T00:00:00Z", True),
    ],
)
def test_timestamp_comparisons(op: str, literal: str, x: str, expected: bool) -> None:
    assert verdict({"Variable": "$.t", op: literal}, {"t": x}) is expected
    assert verdict({"Variable": "$.t", op + "Path": "$.u"}, {"t": x, "u": literal}) is expected


@pytest.mark.parametrize(
    "bad",
    [
        "2024-03-01",  # no time
        "2024-03-01 10:00:00Z",  # no T
        "2024-03-01t10:00:00Z",  # lowercase t
        "2024-03-01T10:00:00z",  # lowercase z
        "2024-03-01T10:00:00",  # no offset
        "2024-13-01T10:00:00Z",  # month 13
        "2023-02-29T10:00:00Z",  # not a leap year
        "2024-03-01T25:00:00Z",  # hour 25
        "2024-03-01T10:00:00.Z",  # empty fraction
        "2024-03-01T10:00:00+0200",  # offset without colon
        "２０２４-03-01T10:00:00Z",  # non-ASCII digits
        1709287200,
        None,
    ],
)
def test_invalid_timestamps(bad: Any) -> None:
    assert verdict({"Variable": "$.t", "TimestampEquals": "2024-03-01T10:00:00Z"}, {"t": bad}) is False
    assert verdict({"Variable": "$.t", "IsTimestamp": True}, {"t": bad}) is False
    assert verdict({"Variable": "$.t", "IsTimestamp": False}, {"t": bad}) is True
    if isinstance(bad, str):
        with pytest.raises(DefinitionError):
            one_rule({"Variable": "$.t", "TimestampLessThan": bad})


def test_leap_day_is_a_timestamp() -> None:
    assert verdict({"Variable": "$.t", "IsTimestamp": True}, {"t": "2000-02-29T00:00:00+14:00"}) is True


# ------------------------------------------------------------------------------------------ type tests


@pytest.mark.parametrize(
    ("op", "true_for", "false_for"),
    [
        ("IsNull", None, 0),
        ("IsNumeric", 3.5, "3.5"),
        ("IsNumeric", 0, False),
        ("IsString", "", None),
        ("IsBoolean", False, 0),
        ("IsTimestamp", "2016-03-14T01:59:00Z", "yesterday"),
    ],
)
def test_type_tests(op: str, true_for: Any, false_for: Any) -> None:
    assert verdict({"Variable": "$.x", op: True}, {"x": true_for}) is True
    assert verdict({"Variable": "$.x", op: True}, {"x": false_for}) is False
    assert verdict({"Variable": "$.x", op: False}, {"x": true_for}) is False
    assert verdict({"Variable": "$.x", op: False}, {"x": false_for}) is True


def test_is_present() -> None:
    assert verdict({"Variable": "$.x", "IsPresent": True}, {"x": None}) is True
    assert verdict({"Variable": "$.x", "IsPresent": True}, {"y": 1}) is False
    assert verdict({"Variable": "$.x", "IsPresent": False}, {"y": 1}) is True
    assert verdict({"Variable": "$.a[2]", "IsPresent": True}, {"a": [1, 2]}) is False
    assert verdict({"Variable": "$.a.b", "IsPresent": True}, {"a": "not an object"}) is False
    assert verdict({"Variable": "$undeclared.x", "IsPresent": False}, {}, {}) is True


# ---------------------------------------------------------------------------------- missing variables


@pytest.mark.parametrize(
    "rule",
    [
        {"Variable": "$.missing", "StringEquals": "a"},
        {"Variable": "$.missing", "IsNull": True},
        {"Variable": "$.missing", "IsNull": False},
        {"Variable": "$.missing", "IsString": False},
        {"Variable": "$.missing", "StringMatches": "*"},
        {"Variable": "$.here", "NumericEqualsPath": "$.missing"},
        {"Variable": "$.a[5]", "NumericEquals": 1},
        {"Variable": "$nope", "BooleanEquals": True},
        {"Not": {"Variable": "$.missing", "IsNumeric": True}},
    ],
)
def test_missing_variable_is_states_runtime(rule: dict[str, Any]) -> None:
    decide = one_rule(rule)
    with pytest.raises(StatesRuntimeError) as info:
        decide({"here": 1, "a": [1]})
    err = info.value
    assert err.error == "States.Runtime"
    assert err.rule == "States.Runtime"
    assert err.pointer in ("/Choices/0", "/Choices/0/Not")  # the data-test rule that failed
    assert isinstance(err, TamisError) and isinstance(err, ValueError)


def test_rules_are_tried_in_order_and_later_errors_are_not_reached() -> None:
    decide = compile_choice(
        {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.a", "NumericEquals": 1, "Next": "First"},
                {"Variable": "$.missing", "NumericEquals": 1, "Next": "Second"},
            ],
            "Default": "D",
        }
    )
    assert decide({"a": 1}) == "First"
    with pytest.raises(StatesRuntimeError):
        decide({"a": 2})


def test_and_or_short_circuit_like_the_rule_order() -> None:
    rule_or = {"Or": [{"Variable": "$.a", "IsPresent": False}, {"Variable": "$.a", "NumericEquals": 1}]}
    assert verdict(rule_or, {}) is True  # the second test (which would fail) is not evaluated
    rule_and = {"And": [{"Variable": "$.a", "IsPresent": True}, {"Variable": "$.a", "NumericEquals": 1}]}
    assert verdict(rule_and, {}) is False


def test_no_choice_matched() -> None:
    decide = one_rule({"Variable": "$.a", "NumericEquals": 1}, default=None)
    assert decide({"a": 1}) == "Yes"
    with pytest.raises(NoChoiceMatchedError) as info:
        decide({"a": 2})
    assert info.value.error == "States.NoChoiceMatched"
    assert isinstance(info.value, StatesError)


# ---------------------------------------------------------------------------------------------- paths


@pytest.mark.parametrize(
    ("path", "inp"),
    [
        ("$", "whole"),
        ("$.a.b", {"a": {"b": "whole"}}),
        ("$['a b'].c", {"a b": {"c": "whole"}}),
        ('$["x"][1]', {"x": [0, "whole"]}),
        ("$.list[0][1]", {"list": [["n", "whole"]]}),
        ("$.dotted\\.key", {"dotted.key": "whole"}),
        ("$.at\\@sign", {"at@sign": "whole"}),
    ],
)
def test_reference_paths(path: str, inp: Any) -> None:
    assert verdict({"Variable": path, "StringEquals": "whole"}, inp) is True


def test_context_object_and_variables() -> None:
    ctx = {"Execution": {"Input": {"mode": "fast"}, "Name": "run-1"}}
    assert verdict({"Variable": "$$.Execution.Name", "StringEquals": "run-1"}, {}, None, ctx) is True
    assert verdict(
        {"Variable": "$.m", "StringEqualsPath": "$$.Execution.Input.mode"}, {"m": "fast"}, None, ctx
    )
    assert verdict({"Variable": "$limit", "NumericGreaterThan": 3}, {}, {"limit": 4}) is True
    assert verdict({"Variable": "$cfg.mode", "StringEqualsPath": "$.m"}, {"m": "x"}, {"cfg": {"mode": "x"}})
    assert verdict({"Variable": "$.n", "NumericLessThanPath": "$limit"}, {"n": 1}, {"limit": 2}) is True
    with pytest.raises(StatesRuntimeError):
        one_rule({"Variable": "$$.Execution.Name", "IsString": True})({})  # no context given


@pytest.mark.parametrize(
    "path",
    ["a.b", "$.a[*]", "$..a", "$.a[?(@.b)]", "$.a[0:2]", "$.a,b", "$.a[-1]", "$.", "$.a[", "$['a]", "$.a b"],
)
def test_non_reference_paths_are_rejected(path: str) -> None:
    with pytest.raises(DefinitionError) as info:
        one_rule({"Variable": path, "IsPresent": True})
    assert info.value.pointer == "/Choices/0/Variable"


# ----------------------------------------------------------------------------------- definition errors


@pytest.mark.parametrize(
    ("rule", "pointer"),
    [
        ({"Variable": "$.a", "StringEquals": 1}, "/Choices/0/StringEquals"),
        ({"Variable": "$.a", "NumericEquals": "1"}, "/Choices/0/NumericEquals"),
        ({"Variable": "$.a", "NumericEquals": True}, "/Choices/0/NumericEquals"),
        ({"Variable": "$.a", "BooleanEquals": "true"}, "/Choices/0/BooleanEquals"),
        ({"Variable": "$.a", "IsNull": "yes"}, "/Choices/0/IsNull"),
        ({"Variable": "$.a", "StringEqualsPath": 3}, "/Choices/0/StringEqualsPath"),
        ({"Variable": "$.a", "StringEquals": "x", "StringLessThan": "y"}, "/Choices/0"),
        ({"Variable": "$.a"}, "/Choices/0"),
        ({"Variable": "$.a", "StringLike": "x"}, "/Choices/0/StringLike"),
        ({"StringEquals": "x"}, "/Choices/0"),
        ({"And": []}, "/Choices/0/And"),
        ({"And": [{"Variable": "$.a", "IsNull": True, "Next": "X"}]}, "/Choices/0/And/0/Next"),
        ({"Not": [{"Variable": "$.a", "IsNull": True}]}, "/Choices/0/Not"),
    ],
)
def test_malformed_rules_are_definition_errors(rule: dict[str, Any], pointer: str) -> None:
    with pytest.raises(DefinitionError) as info:
        one_rule(rule)
    assert info.value.pointer == pointer


def test_text_with_integers_beyond_64_bits() -> None:
    big = 10**25
    rule = f'{{"Variable":"$.n","NumericGreaterThan":{big},"Next":"Y"}}'
    decide = compile_choice('{"Type":"Choice","Choices":[' + rule + '],"Default":"N"}')
    assert decide({"n": big * 2}) == "Y"
    assert decide({"n": 5}) == "N"


def test_errors_carry_line_and_column_of_the_source_text() -> None:
    text = json.dumps(
        {
            "StartAt": "C",
            "States": {
                "C": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.a", "NumericEquals": "ten", "Next": "E"}],
                },
                "E": {"Type": "Succeed"},
            },
        },
        indent=2,
    )
    with pytest.raises(DefinitionError) as info:
        compile_choice(text, "C", source="machine.asl.json")
    err = info.value
    assert err.pointer == "/States/C/Choices/0/NumericEquals"
    line = next(n for n, s in enumerate(text.splitlines(), 1) if '"NumericEquals"' in s)
    assert err.line == line
    assert str(err).startswith(f"machine.asl.json:{line}:")


def test_state_lookup() -> None:
    machine = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "Inner",
                        "States": {
                            "Inner": {
                                "Type": "Choice",
                                "Choices": [{"Variable": "$.a", "IsPresent": True, "Next": "Z"}],
                                "Default": "Z",
                            },
                            "Z": {"Type": "Succeed"},
                        },
                    }
                ],
                "End": True,
            }
        },
    }
    decide = compile_choice(machine, "Inner")
    assert decide({"a": 1}) == "Z"
    assert decide.state_name == "Inner"
    assert compile_choice(machine).state_name == "Inner"  # the only Choice state
    with pytest.raises(DefinitionError):
        compile_choice(machine, "Nope")
    with pytest.raises(DefinitionError):
        compile_choice(machine, "P")  # not a Choice state
    with pytest.raises(DefinitionError):
        compile_choice("{not json", "P")
    with pytest.raises(DefinitionError):
        compile_choice({"Type": "Choice", "Choices": []})


# --------------------------------------------------------------------------------------------- JSONata


def jsonata_machine(*conditions: Any, default: str | None = "D", state_level: bool = False) -> dict[str, Any]:
    state: dict[str, Any] = {
        "Type": "Choice",
        "Choices": [{"Condition": c, "Next": f"R{i}"} for i, c in enumerate(conditions)],
    }
    if default:
        state["Default"] = default
    top: dict[str, Any] = {"StartAt": "C", "States": {"C": state}}
    if state_level:
        state["QueryLanguage"] = "JSONata"
    else:
        top["QueryLanguage"] = "JSONata"
    return top


def test_jsonata_conditions_read_input_and_variables() -> None:
    decide = compile_choice(
        jsonata_machine(
            "{% $states.input.n > $limit %}",
            "{% $states.input.kind = 'local' and $exists($states.input.zone) %}",
            "{% $states.context.Execution.Name = 'special' %}",
        ),
        "C",
    )
    assert decide.query_language == "JSONata"
    assert decide({"n": 5}, {"limit": 3}) == "R0"
    assert decide({"n": 1, "kind": "local", "zone": "z"}, {"limit": 3}) == "R1"
    assert decide({"n": 1, "kind": "local"}, {"limit": 3}, {"Execution": {"Name": "special"}}) == "R2"
    assert decide({"n": 1, "kind": "x"}, {"limit": 3}, {"Execution": {"Name": "plain"}}) == "D"


def test_jsonata_state_level_query_language() -> None:
    decide = compile_choice(jsonata_machine("{% $count($states.input.items) >= 2 %}", state_level=True), "C")
    assert decide({"items": [1, 2]}) == "R0"
    assert decide({"items": [1]}) == "D"


def test_jsonata_regex_runs_on_re2() -> None:
    decide = compile_choice(jsonata_machine("{% $contains($states.input.s, /^ab+c$/i) %}"), "C")
    assert decide({"s": "ABBC"}) == "R0"
    assert decide({"s": "abd"}) == "D"
    # a backreference is not RE2 syntax: rejected when compiled, never run on a backtracking engine
    with pytest.raises(DefinitionError) as info:
        compile_choice(jsonata_machine("{% $contains($states.input.s, /(a)\\1/) %}"), "C")
    assert (info.value.code, info.value.rule) == ("ASL301", "INVALID_JSONATA_EXPRESSION")


def test_jsonata_non_boolean_and_failures_are_query_evaluation_errors() -> None:
    decide = compile_choice(jsonata_machine("{% $states.input.value %}", default=None), "C")
    assert decide({"value": True}) == "R0"
    for bad in ({"value": "true"}, {"value": 1}, {}):
        with pytest.raises(QueryEvaluationError) as info:
            decide(bad)
        assert info.value.error == "States.QueryEvaluationError"
        assert info.value.pointer == "/States/C/Choices/0/Condition"
    failing = compile_choice(jsonata_machine("{% $states.input.a + 1 > 0 %}"), "C")
    with pytest.raises(QueryEvaluationError):
        failing({"a": "text"})


def test_jsonata_step_functions_functions() -> None:
    decide = compile_choice(
        jsonata_machine(
            "{% $parse($states.input.doc).ok = true %}",
            "{% $count($partition($states.input.items, 2)) = 3 %}",
            "{% $hash($states.input.s, 'SHA-256') = "
            "'2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824' %}",
            "{% $sum($range(1, 10, 3)) = 22 and $random(7) = $random(7) and $length($uuid()) = 36 %}",
        ),
        "C",
    )
    assert decide({"doc": '{"ok": true}'}) == "R0"
    assert decide({"doc": "{}", "items": [1, 2, 3, 4, 5]}) == "R1"
    assert decide({"doc": "{}", "items": [], "s": "hello"}) == "R2"
    assert decide({"doc": "{}", "items": [], "s": "x"}) == "R3"
    with pytest.raises(QueryEvaluationError):
        decide({"doc": "not json"})


def test_jsonata_reads_exact_numbers_as_numbers() -> None:
    decide = compile_choice(jsonata_machine("{% $states.input.n + $k > 1.5 %}"), "C")
    assert decide(parse_json('{"n": 0.75}').value, parse_json('{"k": 1}').value) == "R0"
    assert decide(parse_json('{"n": 0.25}').value, {"k": 0.5}) == "D"
    plain = {"n": 0.25, "list": [1, {"a": 2}]}
    assert decide(plain, {"k": 2}) == "R0"
    assert plain == {"n": 0.25, "list": [1, {"a": 2}]}  # inputs are never modified


def test_jsonata_no_choice_matched() -> None:
    decide = compile_choice(jsonata_machine("{% false %}", default=None), "C")
    with pytest.raises(NoChoiceMatchedError):
        decide({})


@pytest.mark.parametrize(
    ("condition", "rule"),
    [
        ("{% 1 + %}", "ASL301"),
        ("$states.input.a = 1", "ASL101"),  # not wrapped in {% %}
        (42, "ASL101"),
    ],
)
def test_jsonata_malformed_conditions(condition: Any, rule: str) -> None:
    with pytest.raises(DefinitionError) as info:
        compile_choice(jsonata_machine(condition), "C")
    assert info.value.code == rule
    assert info.value.pointer == "/States/C/Choices/0/Condition"


def test_jsonata_rule_rejects_jsonpath_fields() -> None:
    machine = jsonata_machine("{% true %}")
    machine["States"]["C"]["Choices"][0]["Variable"] = "$.a"
    with pytest.raises(DefinitionError) as info:
        compile_choice(machine, "C")
    assert info.value.pointer == "/States/C/Choices/0/Variable"


def test_runtime_module_stays_light() -> None:
    # The decision functions are the hot path: importing them must not pull in the parsers or the compiler.
    code = (
        "import sys, tamis.runtime.choice.decision; "
        "bad = [m for m in ('lark', 'jsonschema', 'tamis.compiler') if m in sys.modules]; "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_every_choice_state_of_the_valid_corpus_compiles() -> None:
    from support.shared import shared_path

    from tamis.compiler.asl.choice_compiler import _choice_names

    compiled = 0
    for path in sorted(shared_path("conformance", "asl", "valid").glob("*.json")):
        text = path.read_text(encoding="utf-8")
        try:
            machine = json.loads(text)
        except ValueError:
            continue
        for name in _choice_names(machine):
            decide = compile_choice(machine, name)
            targets = {*decide.nexts, decide.default}
            with contextlib.suppress(StatesError):  # an empty input may lack the variables the rules read
                assert decide({}, {}, {}) in targets
            compiled += 1
    assert compiled > 100  # the corpus has hundreds of Choice states
