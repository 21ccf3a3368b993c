"""Hostile definitions: one nesting limit (200 levels) for JSON text, YAML text and dicts, reported with
the code of the input's own language; lone surrogates and non-string keys are diagnostics, never errors."""

from __future__ import annotations

from typing import Any

import pytest

import tamis


def nest(levels: int) -> str:
    return '{"a":' * levels + "1" + "}" * levels


def deep(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = {"a": value}
    return value


def json_text(parameters: str) -> str:
    return '{"StartAt":"A","States":{"A":{"Type":"Pass","End":true,"Parameters":' + parameters + "}}}"


def yaml_text(parameters: str) -> str:
    return "StartAt: A\nStates:\n  A:\n    Type: Pass\n    End: true\n    Parameters: " + parameters + "\n"


def dict_definition(parameters: Any) -> dict[str, Any]:
    return {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True, "Parameters": parameters}}}


def codes(definition: Any) -> list[str]:
    return [d.code for d in tamis.validate_asl(definition)]


# Parameters sits at level 4 of the definition: 197 objects from there reach level 200, the deepest
# accepted, in every form alike.
@pytest.mark.parametrize(
    ("make", "inner", "code"),
    [
        (json_text, nest, "ASL001"),
        (yaml_text, nest, "ASL002"),
        (dict_definition, deep, "ASL001"),
    ],
)
def test_one_nesting_limit_for_every_form(make: Any, inner: Any, code: str) -> None:
    assert codes(make(inner(197))) == []
    for levels in (198, 500, 1_000, 1_100, 20_000):
        diagnostics = tamis.validate_asl(make(inner(levels)))
        assert [d.code for d in diagnostics] == [code], levels
        assert "deeper than 200 levels" in diagnostics[0].message


def test_text_nesting_is_located() -> None:
    (diagnostic,) = tamis.validate_asl(json_text(nest(300)))
    assert diagnostic.line == 1 and diagnostic.column is not None


@pytest.mark.parametrize(
    ("text", "code", "where"),
    [
        (
            '{"StartAt":"A\ud800","States":{"A":{"Type":"Pass","End":true}}}',
            "ASL001",
            (1, 14),
        ),
        (
            "StartAt: A\nStates:\n  A:\n    Type: Pass\n    Comment: x\udfff\n",
            "ASL002",
            (5, 15),
        ),
    ],
)
def test_lone_surrogates_in_text(text: str, code: str, where: tuple[int, int]) -> None:
    (diagnostic,) = tamis.validate_asl(text)
    assert (diagnostic.code, (diagnostic.line, diagnostic.column)) == (code, where)
    assert "surrogate" in diagnostic.message


def test_lone_surrogates_and_non_string_keys_in_dicts() -> None:
    definition = dict_definition({"x": "a\ud800"})
    (diagnostic,) = tamis.validate_asl(definition)
    assert (diagnostic.code, diagnostic.pointer) == ("ASL001", "/States/A/Parameters/x")
    (diagnostic,) = tamis.validate_asl({"StartAt": "A", "States": {1: {"Type": "Pass", "End": True}}})
    assert (diagnostic.code, diagnostic.pointer) == ("ASL001", "/States/1")


def test_lone_surrogate_escapes_and_long_integers_in_json_text() -> None:
    # JSON by the grammar that the fast readers refuse: the escape is said where it stands...
    text = '{"StartAt":"A","States":{"A":{"Type":"Pass","End":true,"Comment":"\\ud800"}}}'
    (diagnostic,) = tamis.validate_asl(text)
    assert diagnostic.code == "ASL001" and "surrogate" in diagnostic.message
    assert (diagnostic.line, diagnostic.column) == (1, text.index('"\\ud800') + 1)
    # ...and a 5,000-digit number is read, not called invalid JSON
    assert codes(json_text('{"x": ' + "9" * 5000 + "}")) == []


def test_the_validator_itself_refuses_a_lone_surrogate_at_its_place() -> None:
    """Whatever reader produced the value (a template's DefinitionString, a tool's own decoding), a lone
    surrogate reaches no RE2 check: one INVALID_JSON_DESCRIPTION where it stands."""
    from tamis.compiler.asl.validator import validate_value

    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:\ud800", "End": True}
        },
    }
    [(code, severity, message, path, _key)] = validate_value(definition)
    assert (code, severity, path) == ("INVALID_JSON_DESCRIPTION", "error", ("States", "A", "Resource"))
    assert "surrogate" in message
    definition["States"]["A"] = {"Type": "Pass", "InputPath": "$.\ud800", "End": True}
    assert [f[3] for f in validate_value(definition)] == [("States", "A", "InputPath")]


def test_compile_choice_refuses_a_lone_surrogate_at_its_place() -> None:
    state = {"Type": "Choice", "Choices": [{"Variable": "$.\ud800", "StringEquals": "a", "Next": "B"}]}
    with pytest.raises(tamis.DefinitionError) as info:
        tamis.compile_choice(state)
    assert (info.value.code, info.value.pointer) == ("ASL001", "/Choices/0/Variable")
    state["Choices"][0]["Variable"] = "$.a"
    assert tamis.compile_choice(state)({"a": "a"}) == "B"


@pytest.mark.parametrize("fast", [True, False], ids=["orjson", "stdlib"])
def test_a_lone_surrogate_escape_is_refused_by_both_json_readers(fast: bool) -> None:
    """`tamis validate-asl` on a few files reads with the standard library (JsonReader.fast = False), which
    turns "\\ud800" into a str that is not Unicode text; it must refuse it as orjson does, so that the
    diagnostic says where it stands and can be printed, whichever reader ran."""
    from tamis.compiler.asl.sources import JsonReader

    state = '{"Type": "Pass", "Parameters": {"\\ud800k.$": "$.a"}, "End": true}'
    text = '{"StartAt": "S", "States": {"S": ' + state + "}}"
    saved = JsonReader.fast
    JsonReader.fast = fast
    try:
        diagnostics = tamis.validate_asl(text)
    finally:
        JsonReader.fast = saved
    assert [d.code for d in diagnostics] == ["ASL001"]
    assert "lone surrogate U+D800" in diagnostics[0].message
    for d in diagnostics:
        str(d).encode("utf-8")
